"""Running recursive third-party code (parsers, serializers) on deep input without crashing.

rdflib's SPARQL parser, its JSON-LD writer, ``json`` and Oxigraph's query planner recurse
once or more per level of nesting. On the main thread's 8 MB stack, deep input ends in a
``RecursionError`` at best and a segmentation fault at worst (Oxigraph is native code:
no recursion limit stops it). :func:`call_deep` runs such work on a thread with a large
stack and a recursion limit to match, so input within the package's limits (nesting
depth, query size) is handled, and input beyond them fails with a ``RecursionError``
the caller turns into a clear message, never a crash.

>>> call_deep(lambda: sum(range(10)))
45
"""

from __future__ import annotations

import sys
import threading
from typing import Callable, TypeVar

T = TypeVar("T")

#: Stack of the thread deep work runs on (reserved, not used, until the work needs it).
DEEP_STACK_BYTES = 512 * 1024 * 1024
#: Python frames allowed on that stack (well under what 512 MB holds).
DEEP_RECURSION_LIMIT = 100_000

_lock = threading.Lock()


def call_deep(work: Callable[[], T]) -> T:
    """Return ``work()``, computed on a thread with a 512 MB stack and a high recursion limit.

    Exceptions raised by ``work`` are raised again here. Where such a thread cannot be
    made (a system that refuses the stack), ``work`` runs here instead.
    """
    if threading.current_thread().name == "vitd-kg-deep":
        return work()
    box: dict[str, object] = {}

    def target() -> None:
        try:
            box["result"] = work()
        except BaseException as error:  # noqa: BLE001 - handed to the caller
            box["error"] = error

    with _lock:  # the stack size and the recursion limit are process-wide settings
        previous_stack = threading.stack_size()
        previous_limit = sys.getrecursionlimit()
        try:
            threading.stack_size(DEEP_STACK_BYTES)
            thread = threading.Thread(target=target, name="vitd-kg-deep", daemon=True)
            sys.setrecursionlimit(max(previous_limit, DEEP_RECURSION_LIMIT))
            thread.start()
        except (RuntimeError, ValueError, MemoryError):
            threading.stack_size(previous_stack)
            sys.setrecursionlimit(previous_limit)
            return work()
        finally:
            threading.stack_size(previous_stack)
        try:
            thread.join()
        finally:
            sys.setrecursionlimit(previous_limit)
    if "error" in box:
        raise box["error"]  # type: ignore[misc]
    return box["result"]  # type: ignore[return-value]
