"""``vitd-kg validate``: check the bundled graph, or your files, against the shapes."""

from __future__ import annotations

from pathlib import Path

import click

from vitd_kg.cli.options import data_option, format_option


@click.command("validate")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@data_option
@format_option("text", "json")
@click.option("--reason", is_flag=True, help="Also check OWL consistency with HermiT (needs Java).")
@click.option(
    "--with-bundled-data",
    is_flag=True,
    help="Validate the paths together with the bundled data (to check an extension of the graph).",
)
@click.option(
    "--max-size",
    "max_size_mb",
    type=click.FloatRange(min=0, min_open=True),
    default=50,
    show_default=True,
    help="Refuse input larger than this many megabytes in total.",
)
@click.option(
    "--engine",
    default="fast",
    show_default=True,
    help="SHACL engine: fast (the shapes compiled to SPARQL on Oxigraph) or pyshacl (the reference; same report).",
)
def command(paths, data, output_format, reason, with_bundled_data, max_size_mb, engine) -> None:
    """Validate RDF files (Turtle, N-Triples, JSON-LD, RDF/XML) with the ontology.

    With no PATH, the bundled data (or --data DIR) is validated. Exit code 0: the data
    conforms; 1: it violates the shapes (each problem is listed with file:line, node,
    property, value and how to fix it); 2: input cannot be read or parsed, or usage error.
    """
    from vitd_kg.cli.exit_codes import Findings
    from vitd_kg.validation.pipeline import validate

    targets = list(paths) + ([data] if data is not None else [])
    report = validate(
        targets or None,
        reason=reason,
        engine=engine,
        with_bundled_data=with_bundled_data,
        max_bytes=int(max_size_mb * 1024 * 1024),
    )
    click.echo(report.to_json() if output_format == "json" else report.to_text())
    if not report.conforms:
        raise Findings(
            f"the data does not conform: {len(report.violations)} violation(s), listed above",
            hint="fix each file at the line shown, then run `vitd-kg validate` again",
        )
