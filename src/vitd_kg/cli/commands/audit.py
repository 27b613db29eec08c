"""``vitd-kg audit``: where claims are worded more strongly than the evidence under them."""

from __future__ import annotations

import click

from vitd_kg.cli.options import data_option, format_option, open_graph


@click.command("audit")
@data_option
@format_option("text", "json")
@click.option("--fail-on-findings", is_flag=True,
              help="Exit with code 1 when there is any finding (for CI); by default findings exit 0.")
def command(data, output_format: str, fail_on_findings: bool) -> None:
    """Compare each claim's wording and modality with the evidence under it.

    The rules are the SPARQL files in queries/audit/ (one per kind of finding; a rule
    with zero rows has nothing to report). Each finding names the claims and studies
    involved. Exit code 0 even with findings, unless --fail-on-findings is given.
    """
    from vitd_kg.evidence.audit import findings_to_text

    findings = open_graph(data).audit()
    if output_format == "json":
        import json

        click.echo(json.dumps([f.to_dict() for f in findings], indent=2, ensure_ascii=False))
    else:
        click.echo(findings_to_text(findings))
    if fail_on_findings and findings:
        from vitd_kg.cli.exit_codes import Findings

        raise Findings(f"the audit reported {len(findings)} finding{'s' if len(findings) != 1 else ''} (--fail-on-findings)")
