"""Options shared by several CLI commands."""

from __future__ import annotations

import contextlib
import os
import sys
from dataclasses import dataclass
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


@dataclass(frozen=True)
class GraphOptions:
    """The global options that say where a command's graph comes from (``vitd-kg --help``)."""

    cache_mode: str | None = None
    cache_dir: Path | None = None
    endpoint: str | None = None
    user: str | None = None
    auth_scheme: str = "basic"
    default_graphs: tuple[str, ...] = ()
    connect_timeout: float = 5.0
    read_timeout: float = 60.0


def graph_options() -> GraphOptions:
    """The global options of the running command (the defaults outside a command)."""
    ctx = click.get_current_context(silent=True)
    found = ctx.find_root().obj if ctx is not None else None
    return found if isinstance(found, GraphOptions) else GraphOptions()


def open_graph(data: Path | None):
    """The graph a command works on: the bundled data, ``--data``, or the global ``--endpoint``.

    The global ``--cache`` and ``--cache-dir`` say whether and where ``--data`` is cached.
    """
    import vitd_kg
    from vitd_kg.storage.cache import CacheSettings

    options = graph_options()
    if options.endpoint is not None:
        if data is not None:
            from vitd_kg.errors import InputError

            raise InputError("give --data or --endpoint, not both", hint="the graph comes either from files or from a server")
        return vitd_kg.open(
            endpoint=options.endpoint, user=options.user, auth_scheme=options.auth_scheme,
            default_graphs=options.default_graphs, connect_timeout=options.connect_timeout,
            read_timeout=options.read_timeout,
        )
    if data is None:
        return vitd_kg.open()
    return vitd_kg.open(data, cache=CacheSettings.from_environment(options.cache_mode, options.cache_dir))


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
