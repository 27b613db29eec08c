"""The ``vitd-kg`` command line: a thin layer over the library.

Commands live one per module in :mod:`vitd_kg.commands` and are imported only when
needed. Errors are rendered here, once: a :class:`~vitd_kg.errors.VitdKgError`
prints its file, place and fix and exits with the code that
:mod:`vitd_kg.cli.exit_codes` gives its type; nothing prints a traceback unless
``VITD_KG_DEBUG=1`` is set.
"""

from __future__ import annotations

import importlib
import os
import pkgutil
import sys
from pathlib import Path

import click

from vitd_kg import __version__


class CommandFolder(click.Group):
    """A click group whose commands are the modules of :mod:`vitd_kg.cli.commands`."""

    #: Old names that still work: ``load`` is ``upload`` (reading local files is "open").
    ALIASES = {"load": "upload"}

    def list_commands(self, ctx: click.Context) -> list[str]:
        from vitd_kg.cli import commands

        return sorted(m.name.replace("_", "-") for m in pkgutil.iter_modules(commands.__path__))

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        name = self.ALIASES.get(name, name)
        if name not in self.list_commands(ctx):
            return None
        module = importlib.import_module(f"{__package__}.commands.{name.replace('-', '_')}")
        return module.command


#: Commands that read local files only, for which --endpoint means nothing.
LOCAL_ONLY = {"validate", "synth", "cache"}


@click.group(cls=CommandFolder, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="vitd-kg")
@click.option("--cache", "cache_mode", type=click.Choice(["auto", "on", "off"]), default=None,
              help="Keep an on-disk store and computed results of --data for later commands: auto (the default, "
                   "or $VITD_KG_CACHE) for inputs of 4 MB or more, on, or off. See `vitd-kg cache --help`.")
@click.option("--cache-dir", type=click.Path(path_type=Path, file_okay=False), default=None,
              help="Where the cache lives (default $VITD_KG_CACHE_DIR, else ~/.cache/vitd-kg).")
@click.option("--endpoint", default=None, metavar="URL",
              help="Read the graph from this SPARQL endpoint instead of --data: every query runs on the server "
                   "(e.g. http://127.0.0.1:7878/query). Before the command: vitd-kg --endpoint URL claims.")
@click.option("--user", default=None, help="User name for --endpoint; the password is read from VITD_KG_PASSWORD.")
@click.option("--auth", "auth_scheme", type=click.Choice(["basic", "digest"]), default="basic", show_default=True,
              help="HTTP authentication scheme for --endpoint.")
@click.option("--default-graph", "default_graphs", multiple=True, metavar="IRI",
              help="Query these graphs of --endpoint as the default graph (repeatable; default: the server's default graph).")
@click.option("--connect-timeout", type=click.FloatRange(min=0, min_open=True), default=5.0, show_default=True,
              help="Seconds to wait for a connection to --endpoint.")
@click.option("--read-timeout", type=click.FloatRange(min=0, min_open=True), default=60.0, show_default=True,
              help="Seconds to wait for each answer of --endpoint (its whole answer, not one byte).")
@click.pass_context
def cli(ctx: click.Context, cache_mode, cache_dir, endpoint, user, auth_scheme, default_graphs, connect_timeout,
        read_timeout) -> None:
    """vitd-kg: the claims, studies and evidence of a research summary on vitamin D
    and muscle spasm, as an RDF knowledge graph."""
    from vitd_kg.cli.options import GraphOptions
    from vitd_kg.errors import InputError

    if endpoint is not None and ctx.invoked_subcommand in LOCAL_ONLY:
        raise InputError(f"`vitd-kg {ctx.invoked_subcommand}` reads local files; --endpoint does not apply to it",
                         hint=f"drop --endpoint, or use --data with `vitd-kg {ctx.invoked_subcommand}`")
    ctx.obj = GraphOptions(cache_mode=cache_mode, cache_dir=cache_dir, endpoint=endpoint, user=user,
                           auth_scheme=auth_scheme, default_graphs=tuple(default_graphs),
                           connect_timeout=connect_timeout, read_timeout=read_timeout)


def main(argv: list[str] | None = None) -> int:
    """Run the CLI and return its exit code (:mod:`vitd_kg.cli.exit_codes`)."""
    from vitd_kg.cli.exit_codes import INTERNAL_ERROR, INTERRUPTED, exit_code_of
    from vitd_kg.errors import VitdKgError

    try:
        # Without standalone mode click returns ctx.exit()'s code instead of exiting.
        returned = cli.main(args=argv, prog_name="vitd-kg", standalone_mode=False)
        sys.stdout.flush()  # a reader that went away (`| head`) shows here, not as Python exits
    except (click.exceptions.Abort, KeyboardInterrupt):
        click.echo("aborted", err=True)
        return INTERRUPTED
    except click.ClickException as error:
        error.show()
        return 2 if error.exit_code not in (0, 1) else error.exit_code
    except click.exceptions.Exit as exit_:
        return exit_.exit_code
    except VitdKgError as error:
        click.echo(f"error: {error}", err=True)
        return exit_code_of(error)
    except BrokenPipeError:  # the reader went away: done, not an error
        from vitd_kg.cli.options import silence_standard_output

        silence_standard_output()
        return 0
    except Exception as error:  # the last line of defence: no traceback for users
        if os.environ.get("VITD_KG_DEBUG"):
            raise
        click.echo(
            f"internal error: {type(error).__name__}: {error}\n"
            "  this is a bug in vitd-kg; rerun with VITD_KG_DEBUG=1 for the traceback and report it",
            err=True,
        )
        return INTERNAL_ERROR
    return returned if isinstance(returned, int) else 0


def entry_point() -> None:
    """Console-script entry point: the process ends with the command, without freeing what
    the command retired (:mod:`vitd_kg.lifetime`)."""
    from vitd_kg import lifetime

    lifetime.keep_until_exit()
    lifetime.end(main())
