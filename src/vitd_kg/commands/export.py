"""``vitd-kg export --format F``: write the graph in one format."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ..cli_options import data_option, format_option

RDF = ("turtle", "ntriples", "nquads", "trig", "jsonld", "rdfxml")
OTHER = ("fhir", "csv", "parquet")


@click.command("export")
@format_option(*RDF, *OTHER)
@click.option("-o", "--output", type=click.Path(path_type=Path, dir_okay=False), default=None, help="File to write (default: standard output).")
@data_option
def command(output_format: str, output: Path | None, data_dir) -> None:
    """Write the graph as one RDF serialization, a FHIR R5 Bundle (fhir) or a tidy
    effect table (csv, parquet).

    Triple formats hold the ontology and data; nquads and trig also carry the named
    graphs of a release (ontology, shapes, data, one per claim).
    """
    from ..errors import InputError

    writer = _writer(output_format)
    if output is None:
        writer(sys.stdout.buffer, data_dir)
        return
    partial = output.with_name(f".{output.name}.partial")
    try:
        with open(partial, "wb") as out:
            writer(out, data_dir)
        partial.replace(output)
    except OSError as error:
        partial.unlink(missing_ok=True)
        raise InputError(f"cannot write {output}: {error.strerror}", file=str(output)) from None
    except BaseException:
        partial.unlink(missing_ok=True)
        raise


def _writer(output_format: str):
    """The function that writes ``output_format`` to a binary stream."""
    from ..errors import InputError

    if output_format in RDF:
        from ..release import export

        return lambda out, data_dir: export(output_format, out, data_dir=data_dir)
    try:
        if output_format == "fhir":
            from ..fhir import write_fhir

            return lambda out, data_dir: write_fhir(out, data_dir=data_dir)
        from ..tables import write_effect_table
    except ImportError:
        raise InputError(
            f"export format {output_format!r} is not available in this installation",
            hint="install a vitd-kg version that ships it",
        ) from None
    return lambda out, data_dir: write_effect_table(out, format=output_format, data_dir=data_dir)
