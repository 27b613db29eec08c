"""Python's garbage collector paused while threads validate side by side.

pyoxigraph's query results (``QuerySolutions``) belong to the thread that made them: a
collection run by another thread that frees one is refused, with an error on stderr, and the
result is leaked. Freed by reference counting, each is freed where it was made; only the
collector's passes over reference cycles can free one elsewhere, so they are paused while
threads run queries (:mod:`vitd_kg.validation.ahead`, :class:`~vitd_kg.validation.fast_shacl.ShapeWork`).
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_lock = threading.Lock()
_pauses = 0
_was_collecting = False


@contextmanager
def collector_paused() -> Iterator[None]:
    """The collector off while any caller is inside: process-wide, so two validations at
    once keep it off until both are done; then back as it was."""
    global _pauses, _was_collecting
    with _lock:
        if _pauses == 0:
            _was_collecting = gc.isenabled()
            gc.disable()
        _pauses += 1
    try:
        yield
    finally:
        with _lock:
            _pauses -= 1
            if _pauses == 0 and _was_collecting:
                gc.enable()


__all__ = ["collector_paused"]
