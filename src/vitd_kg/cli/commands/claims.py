"""``vitd-kg claims``: every claim as a sentence rebuilt from the graph, with its evidence."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from vitd_kg.cli.options import data_option, format_option, open_graph, silence_standard_output


@click.command("claims")
@data_option
@format_option("text", "json", "markdown")
@click.option("--id", "claim_ids", multiple=True, metavar="ID",
              help="Only this claim (its id, e.g. cs-symptom-improvement, claim:cs-symptom-improvement or its IRI); repeatable.")
@click.option("--map", "map_path", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="Also write an evidence map of the claim (needs exactly one --id) to this file.")
def command(data, output_format: str, claim_ids: tuple[str, ...], map_path: Path | None) -> None:
    """Render each claim as an English sentence built from the graph (never from the stored
    quote), with its evidence level, study, source section and offsets.

    JSON gives, per claim, id, text (the rendered sentence), quote (the verbatim source
    sentence) and the structured fields; Markdown gives a readable report.
    """
    from vitd_kg.errors import InputError

    if map_path is not None and len(claim_ids) != 1:
        raise InputError("--map needs exactly one --id", hint="vitd-kg claims --id concl-alleviates-muscle-spasm --map map.svg")
    if map_path is not None:
        from vitd_kg.site.graphviz_output import picture_format

        picture_format(map_path)  # a bad file name fails before any work is done
    graph = open_graph(data)
    from vitd_kg.evidence.render import write_claims

    found = graph.claims(claim_ids) if claim_ids else graph.iter_claims()  # every claim: one batch in memory at a time
    try:
        write_claims(found, output_format, sys.stdout)
        sys.stdout.flush()
    except BrokenPipeError:  # the reader went away (`| head`): done
        silence_standard_output()
        return
    if map_path is not None:
        graph.write_evidence_map(found[0].id, map_path)
        click.echo(f"evidence map of {found[0].id} written to {map_path}", err=True)
