"""``vitd-kg export --format F``: write the graph in one format."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from vitd_kg.cli.options import data_option, format_option, open_graph
from vitd_kg.exports import EXPORT_FORMATS


@click.command("export")
@format_option(*EXPORT_FORMATS)
@click.option("-o", "--output", type=click.Path(path_type=Path, dir_okay=False), default=None, help="File to write (default: standard output).")
@data_option
def command(output_format: str, output: Path | None, data) -> None:
    """Write the graph as one RDF serialization, a FHIR R5 Bundle (fhir) or a tidy
    effect table (csv, parquet).

    Triple formats hold the ontology and data; nquads and trig also carry the named
    graphs of a release (ontology, shapes, data, one per claim). With -o the file is
    written aside and renamed into place when complete.
    """
    graph = open_graph(data)
    if output is None:
        graph.export(output_format, sys.stdout.buffer)
        return
    from vitd_kg.atomic import publish_file

    publish_file(output, lambda out: graph.export(output_format, out))
