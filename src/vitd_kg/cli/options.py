"""Options shared by several CLI commands."""

from __future__ import annotations

from pathlib import Path

import click

data_option = click.option(
    "--data",
    "data",
    type=click.Path(path_type=Path),
    default=None,
    help="A data file or folder to use instead of the bundled data (folders are searched for .ttl, .nt, .jsonld, .rdf files).",
)


def open_graph(data: Path | None):
    """The graph a command works on: the bundled data, or ``--data``."""
    import vitd_kg

    return vitd_kg.open(data)


def format_option(*choices: str, default: str | None = None):
    """A ``--format`` option with the given choices (the first is the default)."""
    return click.option(
        "--format",
        "output_format",
        type=click.Choice(choices),
        default=default or choices[0],
        show_default=True,
        help="Output format.",
    )
