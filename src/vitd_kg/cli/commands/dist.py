"""``vitd-kg dist OUTDIR``: build a release (dumps, nanopublications, VoID/DCAT, checksums)."""

from __future__ import annotations

import os
from pathlib import Path

import click

from vitd_kg.cli.options import data_option, open_graph


@click.command("dist")
@click.argument("outdir", type=click.Path(path_type=Path, file_okay=False))
@data_option
@click.option("--force", is_flag=True, help="Replace OUTDIR if it is not empty.")
@click.option(
    "--sign-key",
    type=click.Path(path_type=Path, dir_okay=False, exists=True),
    default=None,
    help="Sign the nanopublications with this RSA private key (base64 body, as `np setup` writes it). Optional.",
)
@click.option("--signer", default=None, help="ORCID IRI of the signer (with --sign-key).")
@click.option("--max-nesting", type=click.IntRange(min=1), default=None, metavar="N",
              help="Refuse data whose blank nodes nest deeper than N levels "
                   "[default: 256, or $VITD_KG_MAX_NESTING].")
def command(outdir: Path, data, force: bool, sign_key: Path | None, signer: str | None, max_nesting: int | None) -> None:
    """Build a release in OUTDIR: Turtle, N-Triples, N-Quads, TriG, JSON-LD, RDF/XML (ontology),
    one nanopublication per claim, void.ttl and SHA256SUMS.

    The release is written to a staging folder beside OUTDIR and swapped into place
    only when complete, so a failure or a kill leaves OUTDIR as it was (the next run
    removes the staging folder). OUTDIR must be empty or new unless --force is given;
    two runs into one OUTDIR take turns.
    """
    if max_nesting is not None:
        from vitd_kg.rdf.reading import NESTING_VARIABLE

        os.environ[NESTING_VARIABLE] = str(max_nesting)
    files = open_graph(data).dist(outdir, force=force, sign_key=sign_key, signer=signer)
    click.echo(f"wrote {len(files) + 1} files to {outdir} (checksums in {outdir}/SHA256SUMS)")
