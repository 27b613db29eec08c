"""``vitd-kg upload --endpoint URL`` (alias ``load``): put the release into a SPARQL store, all or nothing."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import click

from vitd_kg.cli.options import data_option, open_graph


@click.command("upload")
@click.option("--endpoint", required=True, help="SPARQL query endpoint, e.g. http://127.0.0.1:7878/query (Oxigraph) or http://localhost:3030/ds/sparql (Fuseki).")
@click.option("--graph", "graph", default=None, help="Load everything into this one named graph instead of the release's named graphs.")
@click.option("--user", default=None, help="User name; the password is read from the VITD_KG_PASSWORD environment variable.")
@click.option("--release", "release_dir", type=click.Path(path_type=Path, file_okay=False, exists=True), default=None, help="A folder built by `vitd-kg dist` (checked against its SHA256SUMS). Default: build from the data.")
@data_option
@click.option("--update-url", default=None, help="SPARQL Update endpoint (default: next to --endpoint).")
@click.option("--store-url", default=None, help="Graph Store HTTP Protocol endpoint (default: next to --endpoint).")
@click.option("--graph-param", default="graph", show_default=True, help="Graph Store query parameter (Virtuoso's older one is graph-uri).")
@click.option("--auth", "auth_scheme", type=click.Choice(["basic", "digest"]), default="basic", show_default=True, help="HTTP authentication scheme.")
@click.option("--connect-timeout", type=float, default=5.0, show_default=True, help="Seconds to wait for a connection.")
@click.option("--read-timeout", type=click.FloatRange(min=0, min_open=True), default=60.0, show_default=True,
              help="Seconds to wait for the server to start answering, and then for the whole answer.")
@click.option("--method", type=click.Choice(["auto", "dataset", "graph"]), default="auto", show_default=True,
              help="How graphs are sent: many per N-Quads POST where the store accepts it (dataset), "
                   "one Graph Store PUT each (graph), or the first that works (auto; into Oxigraph, a "
                   "first load is then one transactional POST and a reload one update of the graphs that changed).")
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text", show_default=True, help="Report format.")
def command(endpoint, graph, user, release_dir, data, update_url, store_url, graph_param, auth_scheme, connect_timeout, read_timeout, method, output_format) -> None:
    """Upload the release into a running SPARQL 1.1 store through the Graph Store HTTP Protocol.

    Graphs are uploaded to staging graphs, counted, then moved onto their targets in one
    SPARQL Update, so a failure leaves the store as it was. On Oxigraph, a first load is
    instead one transactional POST straight into the empty targets, and a reload reads the
    targets back and replaces only the graphs that changed, in one update. Exit codes: 0 loaded,
    2 bad input or usage, 4 server unreachable, 5 credentials refused, 6 triple counts
    differ, 7 the server rejected a request, 8 the final swap (or a first load's POST, or a reload's update) could not be confirmed.
    """
    from vitd_kg.publishing.release import read_release
    from vitd_kg.publishing.sparql_client import checked_graph_iri, endpoint_from
    from vitd_kg.publishing.upload import into_one_graph, upload

    if graph is not None:
        checked_graph_iri(graph)  # before anything is read or sent
    endpoint_from(endpoint, update_url=update_url, store_url=store_url)  # a bad URL fails before the data is read
    graphs = read_release(release_dir) if release_dir is not None else open_graph(data).release_dataset.graphs
    if graph is not None:
        graphs = into_one_graph(graphs, graph)
    report = upload(
        endpoint, graphs, user=user,
        update_url=update_url, store_url=store_url, graph_param=graph_param, auth_scheme=auth_scheme,
        connect_timeout=connect_timeout, read_timeout=read_timeout, method=method,
    )
    if output_format == "json":
        click.echo(json.dumps({
            "graphs": [{"graph": c.graph, "action": c.action, "before": c.before, "after": c.after} for c in report.changes],
            "removed_stale_staging_graphs": report.removed_stale,
            "method": report.method, "requests": report.requests,
        }, indent=2))
        return
    for stale in report.removed_stale:
        click.echo(f"removed   {stale} (left by an interrupted load)")
    for change in report.changes:
        click.echo(f"{change.action:<9} {change.graph}  {change.before} -> {change.after} triples")
    actions = Counter(c.action for c in report.changes)
    how = {
        "dataset": f"{report.requests} dataset POST(s)", "transaction": "1 transactional POST",
        "update": "1 update of the graphs that changed", "none": "nothing written",
    }.get(report.method, f"{report.requests} PUT(s)")
    click.echo(f"loaded {report.triples} triples in {len(report.changes)} graphs ({actions['created']} created, "
               f"{actions['replaced']} replaced, {actions['unchanged']} unchanged) with {how}, counts verified")
