"""Running something under a time limit: in a forked worker that is killed when time is up.

A SPARQL engine cannot be interrupted from Python, so work with a limit runs in a
child process; where processes cannot fork (Windows), a thread waits instead and late
work is abandoned, not stopped. Work that writes output (query results) writes it
into the pipe to this process, in chunks, and this process copies them to the real
output as they come: the worker never holds the whole output, and output goes where
the caller's stream goes even when that is not a file (a test's capture, a notebook).
The work runs on a thread with a large stack (:func:`vitd_kg.rdf.recursion.call_deep`),
so a deeply nested query ends in a clear error or at the time limit, never in a crash.
"""

from __future__ import annotations

import math
import signal
import sys
import time
from typing import IO, Any, Callable, TypeVar

from vitd_kg.errors import EngineFailure, InputError, QueryTimeout, VitdKgError

T = TypeVar("T")

#: The longest time limit accepted, in seconds (a week).
MAX_TIMEOUT = 7 * 24 * 3600.0
#: Bytes of output the worker gathers before it hands them over.
_CHUNK = 1 << 16


def checked_timeout(timeout: float) -> float:
    """``timeout`` if it is a positive, finite number of seconds up to :data:`MAX_TIMEOUT`.

    >>> checked_timeout(5)
    5.0
    """
    try:
        value = float(timeout)
    except (TypeError, ValueError):
        value = math.nan
    if not (0 < value <= MAX_TIMEOUT):  # also refuses NaN
        raise InputError(
            f"the time limit must be a positive number of seconds up to {MAX_TIMEOUT:g}, not {timeout!r}",
            hint="pass --timeout 30",
        )
    return value


def run_with_time_limit(run: Callable[[], T], timeout: float, *, name: str) -> T:
    """Return ``run()``, computed in a forked worker that is killed after ``timeout`` seconds.

    ``name`` (a query's name or path) goes into the :class:`QueryTimeout` raised then.
    Errors of this package raised by ``run`` are raised again here, with their type.

    >>> run_with_time_limit(lambda: 6 * 7, 10, name="answer")
    42
    """
    return _limited(lambda _out: run(), timeout, name, None)


def write_with_time_limit(run: Callable[[IO[bytes]], T], out: IO[bytes], timeout: float, *, name: str) -> T:
    """Return ``run(stream)``, computed in a forked worker; what it writes to ``stream`` reaches ``out``.

    The limit covers the writing too. If ``out``'s reader goes away (``| head``), the
    worker is stopped and :class:`BrokenPipeError` is raised.

    >>> import io
    >>> out = io.BytesIO()
    >>> write_with_time_limit(lambda stream: stream.write(b"rows"), out, 10, name="q")
    4
    >>> out.getvalue()
    b'rows'
    """
    return _limited(run, timeout, name, out)


def _limited(run: Callable[[Any], T], timeout: float, name: str, out: IO[bytes] | None) -> T:
    import multiprocessing

    timeout = checked_timeout(timeout)
    if "fork" not in multiprocessing.get_all_start_methods():  # pragma: no cover - Windows
        return _run_in_thread(lambda: run(out), timeout, name)
    context = multiprocessing.get_context("fork")
    for stream in (sys.stdout, sys.stderr):  # nothing buffered here may be written twice
        try:
            stream.flush()
        except (OSError, ValueError):
            pass
    receiver, sender = context.Pipe(duplex=False)
    worker = context.Process(target=_worker, args=(run, sender, out is not None), daemon=True)
    deadline = time.monotonic() + timeout
    worker.start()
    sender.close()
    try:
        while True:
            if not receiver.poll(max(0.0, deadline - time.monotonic())):
                raise timeout_error(timeout, name)
            try:
                status, payload = receiver.recv()
            except EOFError:
                worker.join(5)
                raise _worker_died(worker.exitcode, name) from None
            if status != "chunk":
                break
            assert out is not None
            out.write(payload)  # BrokenPipeError here ends the worker below
    finally:
        receiver.close()
        if worker.is_alive():
            worker.kill()
        worker.join(5)
    if status == "ok":
        return payload
    if status == "vitd-error":
        raise payload
    if status == "broken-pipe":
        raise BrokenPipeError("the reader of the output went away")
    raise EngineFailure(f"the query failed: {payload}", file=name)


class _PipeWriter:
    """A binary stream whose bytes go to the parent process in chunks."""

    def __init__(self, sender) -> None:
        self.sender = sender
        self.parts: list[bytes] = []
        self.size = 0

    def write(self, data: bytes) -> int:
        self.parts.append(bytes(data))
        self.size += len(data)
        if self.size >= _CHUNK:
            self.flush()
        return len(data)

    def flush(self) -> None:
        if self.parts:
            self.sender.send(("chunk", b"".join(self.parts)))
            self.parts.clear()
            self.size = 0


def _worker(run: Callable[[Any], Any], sender, writes: bool) -> None:  # pragma: no cover - runs in the child
    from vitd_kg.rdf.recursion import call_deep

    stream = _PipeWriter(sender) if writes else None
    try:
        result = call_deep(lambda: run(stream))
        if stream is not None:
            stream.flush()
        sender.send(("ok", result))
    except BrokenPipeError:  # the parent stopped reading
        _send(sender, ("broken-pipe", None))
    except VitdKgError as error:
        _send(sender, ("vitd-error", error))
    except Exception as error:  # noqa: BLE001 - reported to the parent as text
        _send(sender, ("error", f"{type(error).__name__}: {error}"))
    finally:
        sender.close()


def _send(sender, message: tuple[str, Any]) -> None:
    try:
        sender.send(message)
    except (BrokenPipeError, OSError):  # pragma: no cover - the parent is gone
        pass


def _worker_died(exitcode: int | None, name: str) -> EngineFailure:
    """The error for a worker that ended without an answer (killed, or crashed)."""
    if exitcode is not None and exitcode < 0:
        try:
            how = f"was killed by {signal.Signals(-exitcode).name}"
        except ValueError:
            how = f"was killed by signal {-exitcode}"
    else:
        how = f"stopped with exit code {exitcode}"
    return EngineFailure(
        f"the query worker {how} before it answered",
        file=name,
        hint="if it ran out of memory, make the query more selective; otherwise report it as a bug",
    )


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
