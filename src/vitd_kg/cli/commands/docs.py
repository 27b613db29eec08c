"""``vitd-kg docs OUTDIR``: build the documentation site (or the README's pictures)."""

from __future__ import annotations

from pathlib import Path

import click

from vitd_kg.cli.options import data_option, open_graph


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
def command(outdir: Path, data, force: bool, readme_pictures: bool) -> None:
    """Build the static documentation site into OUTDIR: the ontology reference, the
    model diagram, the SHACL shapes, the bundled queries, the dataset description and
    one evidence map per claim. Needs Graphviz (`dot`) and the docs extra
    (pip install 'vitd-kg[docs]'). The site is built aside and moved into place."""
    graph = open_graph(data)
    if readme_pictures:
        for path in graph.write_readme_pictures(outdir):
            click.echo(f"wrote {path}")
        return
    report = graph.build_site(outdir, force=force)
    click.echo(f"built {len(report.pages)} pages in {report.folder}; open {report.folder / 'index.html'}")
