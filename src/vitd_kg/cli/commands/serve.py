"""``vitd-kg serve``: a local read-only SPARQL endpoint over the graph."""

from __future__ import annotations

import signal

import click

from vitd_kg.cli.options import data_option, open_graph


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to bind (loopback by default; anything else exposes the server).")
@click.option("--port", type=click.IntRange(1, 65535), default=7878, show_default=True, help="Port to listen on.")
@data_option
def command(host: str, port: int, data) -> None:
    """Serve the graph over SPARQL (Oxigraph's server, read-only) until Ctrl-C.

    Query it at the printed URL, e.g.
    curl 'http://127.0.0.1:7878/query' --data-urlencode 'query=SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }'
    """
    from vitd_kg.publishing.server import LOOPBACK, serve

    if host not in LOOPBACK:
        click.echo(f"warning: binding {host} makes the endpoint reachable from other machines", err=True)
    signal.signal(signal.SIGTERM, _stop)

    def ready(url: str) -> None:
        click.echo(f"SPARQL endpoint: {url}  (Ctrl-C to stop)")

    serve(host, port, dataset=open_graph(data).release_dataset, on_ready=ready)
    click.echo("stopped", err=True)


def _stop(signum, frame) -> None:
    """Treat SIGTERM like Ctrl-C, so the server and its temporary store are cleaned up."""
    raise KeyboardInterrupt
