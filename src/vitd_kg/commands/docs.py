"""``vitd-kg docs OUTDIR``: build the documentation site (or the README's pictures)."""

from __future__ import annotations

from pathlib import Path

import click

from ..cli_options import data_option


@click.command("docs")
@click.argument("outdir", type=click.Path(path_type=Path))
@data_option
@click.option("--force", is_flag=True, help="Replace the contents of a non-empty OUTDIR.")
@click.option(
    "--readme-pictures",
    is_flag=True,
    help="Write only the pictures the README shows (model.svg/.png and one evidence map) into OUTDIR, "
    "replacing those files; used to refresh docs/.",
)
def command(outdir: Path, data_dir, force: bool, readme_pictures: bool) -> None:
    """Build the static documentation site into OUTDIR: the ontology reference, the
    model diagram, the SHACL shapes, the bundled queries, the dataset description and
    one evidence map per claim. Needs Graphviz (`dot`) and the docs extra
    (pip install 'vitd-kg[docs]'). The site is built aside and moved into place."""
    if readme_pictures:
        from ..site import write_readme_pictures

        for path in write_readme_pictures(outdir, data_dir=data_dir):
            click.echo(f"wrote {path}")
        return
    from ..site import build_site

    report = build_site(outdir, data_dir=data_dir, force=force)
    click.echo(f"built {len(report.pages)} pages in {report.folder}; open {report.folder / 'index.html'}")
