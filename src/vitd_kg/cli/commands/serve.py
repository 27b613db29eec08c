"""``vitd-kg serve``: the graph as Linked Data on a local read-only server (SPARQL, IRIs, release, site)."""

from __future__ import annotations

import signal
from pathlib import Path

import click

from vitd_kg.cli.options import data_option, open_graph


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to bind (loopback by default; anything else exposes the server).")
@click.option("--port", type=click.IntRange(1, 65535), default=7878, show_default=True, help="Port to listen on.")
@click.option("--timeout", type=click.FloatRange(min=0, min_open=True), default=30.0, show_default=True,
              help="Seconds a SPARQL query may run before it is stopped (503).")
@click.option("--max-request-bytes", type=click.IntRange(min=1), default=1 << 20, show_default=True,
              help="Largest request body (a POSTed query) accepted (413 above it).")
@data_option
def command(host: str, port: int, timeout: float, max_request_bytes: int, data) -> None:
    """Serve the graph until Ctrl-C: a SPARQL endpoint, and every IRI it mints.

    GET on an IRI path (/id/claim/ma-strength, /ontology, /dataset, ...) answers
    303 to its description in the type the Accept header asks for (Turtle,
    N-Triples, JSON-LD, RDF/XML, or the site's page); /release/VERSION/... and
    /site/... are the release and the site. SERVICE, FROM and updates are refused.

    curl -L -H 'Accept: text/turtle' http://127.0.0.1:7878/id/claim/ma-strength
    curl http://127.0.0.1:7878/query --data-urlencode 'query=SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }'
    """
    import tempfile

    from vitd_kg.publishing.release import is_release
    from vitd_kg.publishing.server import LOOPBACK, LazyRelease, LinkedData, serve

    if host not in LOOPBACK:
        click.echo(f"warning: binding {host} makes the endpoint reachable from other machines", err=True)
    graph = open_graph(data)
    if data is not None and Path(data).is_dir() and is_release(Path(data)):
        release, cleanup = (lambda: Path(data)), (lambda: None)
    else:
        lazy = LazyRelease(lambda folder: graph.dist(folder))
        release, cleanup = lazy, lazy.close
    site_folder = Path(tempfile.mkdtemp(prefix="vitd-kg-site-"))
    app = LinkedData(
        graph.release_dataset, release=release, pages=_pages(graph, site_folder / "site"),
        timeout=timeout, max_request_bytes=max_request_bytes,
    )
    signal.signal(signal.SIGTERM, _stop)

    def ready(url: str) -> None:
        click.echo(f"SPARQL endpoint: {url}  (Ctrl-C to stop)")
        base = url.rsplit("/", 1)[0]
        click.echo(f"IRIs: {base}/id/claim/ma-strength, {base}/ontology, {base}/dataset; site: {base}/site/")

    try:
        serve(host, port, app=app, on_ready=ready)
    finally:
        cleanup()
        import shutil

        shutil.rmtree(site_folder, ignore_errors=True)
    click.echo("stopped", err=True)


def _pages(graph, folder: Path):
    """The site's pages for the server, or ``None`` when the docs extra is missing (no HTML then)."""
    try:
        import jinja2  # noqa: F401
    except ImportError:
        return None
    from vitd_kg.site.serving import SitePages

    return SitePages(graph.site_inputs, folder)


def _stop(signum, frame) -> None:
    """Treat SIGTERM like Ctrl-C, so the server and its temporary folders are cleaned up."""
    raise KeyboardInterrupt
