"""``vitd-kg validate``: check the bundled graph, or your files, against the shapes (or yours)."""

from __future__ import annotations

from pathlib import Path

import click

from vitd_kg.cli.options import data_option, format_option


@click.command("validate")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@data_option
@click.option(
    "--shapes",
    "shapes",
    multiple=True,
    type=click.Path(path_type=Path, exists=True, dir_okay=False),
    help="A SHACL shapes file to validate against instead of the bundled shapes (repeatable; "
    "Turtle, N-Triples, JSON-LD or RDF/XML by extension).",
)
@click.option(
    "--with-bundled-shapes",
    is_flag=True,
    help="With --shapes: validate against the bundled shapes too.",
)
@format_option("text", "json", "turtle")
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
    type=click.Choice(["auto", "fast", "pyshacl"]),
    default="auto",
    show_default=True,
    help="SHACL engine: auto (the shapes compiled to SPARQL on Oxigraph, and pySHACL for what that "
    "does not compile: the report says so), fast (the compiled engine only: refuses what it does not "
    "compile) or pyshacl (the reference).",
)
def command(paths, data, shapes, with_bundled_shapes, output_format, reason, with_bundled_data, max_size_mb,
            engine) -> None:
    """Validate RDF files (Turtle, N-Triples, JSON-LD, RDF/XML) with the ontology.

    With no PATH, the bundled data (or --data DIR) is validated, together with the ontology,
    against the bundled shapes, or against --shapes FILE. Exit code 0: the data conforms;
    1: it violates the shapes or the input checks (each problem is listed with file:line,
    node, property, value and how to fix it); 2: input cannot be read or parsed, shapes
    cannot be validated, or a usage error.

    --format turtle prints the SHACL results as a standard sh:ValidationReport (as pySHACL,
    Jena and TopBraid print it); the input checks' findings are not SHACL results: they are
    listed on standard error, and count in the exit code.
    """
    from vitd_kg.cli.exit_codes import Findings
    from vitd_kg.validation.pipeline import validate

    targets = list(paths) + ([data] if data is not None else [])
    report = validate(
        targets or None,
        shapes=list(shapes) or None,
        with_bundled_shapes=with_bundled_shapes,
        reason=reason,
        engine=engine,
        with_bundled_data=with_bundled_data,
        max_bytes=int(max_size_mb * 1024 * 1024),
    )
    if output_format == "turtle":
        click.echo(report.to_turtle(), nl=False)
        others = report.other_results
        for note in report.notes[1:]:
            click.echo(f"note: {note}", err=True)
        if others:
            click.echo(
                f"note: {len(others)} finding(s) of the input checks (or the OWL reasoner) are not SHACL "
                "results, so the report above does not hold them: they are listed here, and count in the exit code",
                err=True,
            )
            from vitd_kg.validation.report import ValidationReport

            listed = ValidationReport(files=report.files, results=others, engine=report.engine).to_text()
            click.echo(listed.rsplit("\n", 1)[0], err=True)  # without the verdict line, which counts only these
    else:
        click.echo(report.to_json() if output_format == "json" else report.to_text())
    if not report.conforms:
        raise Findings(
            f"the data does not conform: {len(report.violations)} violation(s), listed above",
            hint="fix each file at the line shown, then run `vitd-kg validate` again",
        )
