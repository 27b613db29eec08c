"""Options shared by several CLI commands."""

from __future__ import annotations

from pathlib import Path

import click

data_option = click.option(
    "--data",
    "data_dir",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    help="Folder of Turtle files to use instead of the bundled data (same layout as data/).",
)


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
