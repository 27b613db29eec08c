"""Options shared by several CLI commands."""

from __future__ import annotations

import contextlib
import os
import sys
from pathlib import Path
from typing import BinaryIO, Iterator

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


@contextlib.contextmanager
def standard_output() -> Iterator[BinaryIO]:
    """Standard output's bytes; a reader that goes away (``| head``) ends the command quietly.

    Click would turn the broken pipe into exit 1, and Python's last flush would fail again.
    """
    try:
        yield sys.stdout.buffer
        sys.stdout.buffer.flush()
    except BrokenPipeError:
        silence_standard_output()


def silence_standard_output() -> None:
    """Point standard output at /dev/null, so that nothing written to it later fails."""
    try:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):  # not a real file (a test's capture)
        pass
