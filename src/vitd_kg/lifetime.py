"""Large objects a command is done with, left for the end of the process.

A ``vitd-kg validate`` of a million triples ends holding some four million Python objects
(the parse the input gate checks) and an Oxigraph store. Freeing them one by one, and then
the interpreter's own teardown, takes about a second. The console script
(:func:`vitd_kg.cli.entry_point`) therefore calls :func:`keep_until_exit` first, and ends
with :func:`end`, which ends the process without freeing anything if something was retired
(as mypy ends its runs), once the exit handlers have run and the output is flushed. What is
retired stays in memory until then: a caller retires only what outweighs the work left.

Library callers never call :func:`keep_until_exit`: for them :func:`retire` does nothing,
and the objects are freed as usual when the caller lets go of them.
"""

from __future__ import annotations

import atexit
import gc
import os
import sys
from typing import NoReturn

_kept: list[object] | None = None


def keep_until_exit() -> None:
    """From now on, :func:`retire` keeps what it is given until :func:`end`."""
    global _kept
    _kept = []


def retire(*objects: object) -> None:
    """``objects`` are no longer needed. Under :func:`keep_until_exit` they are kept, and
    the garbage collector no longer walks them (nor anything else made so far): the
    process is about to end. Otherwise nothing happens."""
    if _kept is not None:
        _kept.extend(objects)
        gc.freeze()


def end(code: int) -> NoReturn:
    """Exit with ``code``. When something was retired: run the exit handlers (temporary
    folders, logging), flush standard output and error, and end the process without
    freeing objects; else exit as usual. Unlike a normal exit, threads that are not
    daemons are not waited for: a command that retires must have joined its own."""
    if _kept:
        atexit._run_exitfuncs()  # CPython's, since 3.0: what a normal exit runs
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except (OSError, ValueError):  # a reader that went away, or a closed stream
                pass
        os._exit(code)
    sys.exit(code)


__all__ = ["end", "keep_until_exit", "retire"]
