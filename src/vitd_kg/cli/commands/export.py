"""``vitd-kg export --format F``: write the graph in one format."""

from __future__ import annotations

import os
from pathlib import Path

import click

from vitd_kg import lifetime
from vitd_kg.cli.options import data_option, format_option, open_graph, standard_output
from vitd_kg.exports import EXPORT_FORMATS


@click.command("export")
@format_option(*EXPORT_FORMATS)
@click.option("-o", "--output", type=click.Path(path_type=Path, dir_okay=False), default=None, help="File to write (default: standard output).")
@data_option
@click.option("--max-nesting", type=click.IntRange(min=1), default=None, metavar="N",
              help="Refuse data whose blank nodes nest deeper than N levels "
                   "[default: 256, or $VITD_KG_MAX_NESTING].")
def command(output_format: str, output: Path | None, data, max_nesting: int | None) -> None:
    """Write the graph as one RDF serialization, a FHIR R5 Bundle (fhir) or a tidy
    effect table (csv, parquet).

    Triple formats hold the ontology and data; nquads and trig also carry the named
    graphs of a release (ontology, data, one per claim). With -o the file is
    written aside and renamed into place when complete: a failure leaves the old file
    as it was and no partial file behind.
    """
    if max_nesting is not None:
        from vitd_kg.rdf.reading import NESTING_VARIABLE

        os.environ[NESTING_VARIABLE] = str(max_nesting)
    graph = open_graph(data)
    if output is None:
        with standard_output() as out:
            graph.export(output_format, out)
    else:
        from vitd_kg.atomic import publish_file

        publish_file(output, lambda out: graph.export(output_format, out))
    lifetime.retire(graph)  # written: its store and release dataset need not be freed one by one
