"""Running something under a time limit: in a forked worker that is killed when time is up.

A SPARQL engine cannot be interrupted from Python, so work with a limit runs in a
child process; where processes cannot fork (Windows), a thread waits instead and late
work is abandoned, not stopped.
"""

from __future__ import annotations

import sys
from typing import Any, Callable, TypeVar

from vitd_kg.errors import EngineFailure, InputError, QueryTimeout, VitdKgError

T = TypeVar("T")


def run_with_time_limit(run: Callable[[], T], timeout: float, *, name: str) -> T:
    """Return ``run()``, computed in a forked worker that is killed after ``timeout`` seconds.

    ``name`` (a query's name or path) goes into the :class:`QueryTimeout` raised then.
    Errors of this package raised by ``run`` are raised again here, with their type.

    >>> run_with_time_limit(lambda: 6 * 7, 10, name="answer")
    42
    """
    import multiprocessing

    if timeout <= 0:
        raise InputError("the time limit must be a positive number of seconds", hint="pass --timeout 30")
    if "fork" not in multiprocessing.get_all_start_methods():  # pragma: no cover - Windows
        return _run_in_thread(run, timeout, name)
    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)
    worker = context.Process(target=_worker, args=(run, sender), daemon=True)
    worker.start()
    sender.close()
    try:
        if not receiver.poll(timeout):
            raise timeout_error(timeout, name)
        try:
            status, payload = receiver.recv()
        except EOFError:
            raise EngineFailure(f"the query worker stopped without an answer (exit code {worker.exitcode})", file=name) from None
    finally:
        receiver.close()
        if worker.is_alive():
            worker.kill()
        worker.join(5)
    if status == "ok":
        return payload
    if status == "vitd-error":
        raise payload
    raise EngineFailure(f"the query failed: {payload}", file=name)


def _worker(run: Callable[[], Any], sender) -> None:  # pragma: no cover - runs in the child
    try:
        sender.send(("ok", run()))
    except VitdKgError as error:
        sender.send(("vitd-error", error))
    except Exception as error:  # noqa: BLE001 - reported to the parent as text
        sender.send(("error", f"{type(error).__name__}: {error}"))
    finally:
        sender.close()
        sys.stdout.flush()


def _run_in_thread(run: Callable[[], T], timeout: float, name: str) -> T:  # pragma: no cover
    """Where processes cannot fork, wait for a thread; late work is abandoned, not stopped."""
    import threading

    box: dict[str, Any] = {}

    def target() -> None:
        try:
            box["result"] = run()
        except BaseException as error:  # noqa: BLE001
            box["error"] = error

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    thread.join(timeout)
    if thread.is_alive():
        raise timeout_error(timeout, name)
    if "error" in box:
        raise box["error"]
    return box["result"]


def timeout_error(timeout: float, name: str) -> QueryTimeout:
    """The error for work that ran past its limit."""
    return QueryTimeout(
        f"the query ran longer than its time limit of {timeout:g} s and was stopped",
        file=name,
        hint="make the query more selective, or raise the limit with --timeout SECONDS",
    )
