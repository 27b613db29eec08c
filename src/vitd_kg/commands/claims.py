"""``vitd-kg claims``: every claim as a sentence rebuilt from the graph, with its evidence."""

from __future__ import annotations

from pathlib import Path

import click

from ..cli_options import data_option, format_option


@click.command("claims")
@data_option
@format_option("text", "json", "markdown")
@click.option("--id", "claim_ids", multiple=True, metavar="ID",
              help="Only this claim (its id, e.g. cs-symptom-improvement, claim:cs-symptom-improvement or its IRI); repeatable.")
@click.option("--map", "map_path", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="Also write an evidence map of the claim (needs exactly one --id) to this file.")
def command(data_dir, output_format: str, claim_ids: tuple[str, ...], map_path: Path | None) -> None:
    """Render each claim as an English sentence built from the graph (never from the stored
    quote), with its evidence level, study, source section and offsets.

    JSON gives, per claim, id, text (the rendered sentence), quote (the verbatim source
    sentence) and the structured fields; Markdown gives a readable report.
    """
    from ..errors import InputError

    if map_path is not None and len(claim_ids) != 1:
        raise InputError("--map needs exactly one --id", hint="vitd-kg claims --id concl-alleviates-muscle-spasm --map map.svg")
    write_map = _map_writer() if map_path is not None else None
    from ..reconstruct import claims
    from ..namespaces import claim_id

    found = claims(data_dir)
    if claim_ids:
        wanted = [claim_id(i).removeprefix("claim:") for i in claim_ids]
        known = {c.id for c in found}
        missing = [i for i in wanted if i not in known]
        if missing:
            raise InputError(
                f"no claim with id {', '.join(missing)}",
                hint="run `vitd-kg claims` to see every claim id",
            )
        found = [c for c in found if c.id in wanted]
    if output_format == "json":
        import json

        click.echo(json.dumps([c.to_dict() for c in found], indent=2, ensure_ascii=False))
    elif output_format == "markdown":
        from ..render import claims_to_markdown

        click.echo(claims_to_markdown(found), nl=False)
    else:
        from ..render import claims_to_text

        click.echo(claims_to_text(found))
    if write_map is not None and map_path is not None:
        write_map(found[0].id, map_path, data_dir=data_dir)
        click.echo(f"evidence map of {found[0].id} written to {map_path}", err=True)


def _map_writer():
    """``vitd_kg.evidence_map.write_evidence_map``, imported only when --map is given."""
    from ..errors import InputError

    try:
        from ..evidence_map import write_evidence_map
    except ImportError as error:
        raise InputError(
            f"evidence maps are not available in this installation ({error})",
            hint="install a vitd-kg version that ships vitd_kg.evidence_map, or leave out --map",
        ) from None
    return write_evidence_map
