"""``vitd-kg stats``: how big the graph is, by class."""

from __future__ import annotations

import json

import click

from vitd_kg.cli.options import data_option, format_option, open_graph


@click.command("stats")
@data_option
@format_option("text", "json")
def command(data, output_format: str) -> None:
    """Count the triples and the resources of each class (claims, studies, ...)."""
    result = open_graph(data).stats()
    if output_format == "json":
        payload = {
            "triples": result.triples,
            "classes": [c.__dict__ for c in result.classes],
        }
        click.echo(json.dumps(payload, indent=2))
        return
    click.echo(f"{'triples':<28} {result.triples:>7}")
    for row in result.classes:
        click.echo(f"{row.curie:<28} {row.count:>7}  {row.label}")
