"""Publishing a folder or a file all at once: the reader sees the old one or the new one, never half.

Everything is written into a staging name beside the target and moved into place by
a rename. A folder that replaces another is swapped in one step where the system can
(Linux ``renameat2(RENAME_EXCHANGE)``), so no crash leaves the target missing; where
it cannot, the old folder is renamed aside first and put back if the second rename
fails. Publishers into one folder take turns (a lock on the folder), so a second run
sees the first one's result and refuses to replace it without ``force``; staging
folders left by a killed run are removed by the next one.

>>> import tempfile, pathlib
>>> target = pathlib.Path(tempfile.mkdtemp()) / "out"
>>> publish_folder(target, lambda folder: (folder / "a.txt").write_text("new"))
3
>>> (target / "a.txt").read_text(), sorted(p.name for p in target.parent.iterdir())
('new', ['out'])
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import errno
import os
import shutil
import sys
import tempfile
from pathlib import Path
from typing import IO, Callable, Iterator, TypeVar

from vitd_kg.errors import InputError

T = TypeVar("T")

_STAGING = ".{name}.tmp-"
_ASIDE = ".{name}.old-"


def publish_folder(target: Path | str, build: Callable[[Path], T], *, force: bool = False) -> T:
    """Run ``build(staging)`` in a new folder beside ``target``, then put it in ``target``'s place.

    ``target`` must be new, an empty folder, or (with ``force``) a folder to replace.
    Raises :class:`InputError` naming the path for anything the file system refuses.
    """
    target = Path(target).absolute()
    parent = target.parent
    with _os_errors(target):
        parent.mkdir(parents=True, exist_ok=True)
    with _lock(target):
        _refuse_existing(target, force=force)
        _remove_leftovers(target)
        with _os_errors(target):
            staging = Path(tempfile.mkdtemp(prefix=_STAGING.format(name=target.name), dir=parent))
            staging.chmod(0o777 & ~_umask())  # mkdtemp makes 0700; a release is for everyone to read
        try:
            result = build(staging)
            with _os_errors(target):
                _swap_in(staging, target)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
    return result


def publish_file(target: Path | str, write: Callable[[IO[bytes]], None]) -> None:
    """Run ``write(stream)`` on a new file beside ``target``, then rename it onto ``target``."""
    target = Path(target).absolute()
    with _os_errors(target):
        handle, name = tempfile.mkstemp(prefix=_STAGING.format(name=target.name), dir=target.parent)
    partial = Path(name)
    try:
        with os.fdopen(handle, "wb") as stream:
            write(stream)
        with _os_errors(target):
            partial.chmod(0o666 & ~_umask())
            os.replace(partial, target)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise


def _refuse_existing(target: Path, *, force: bool) -> None:
    if target.is_symlink() or (target.exists() and not target.is_dir()):
        raise InputError("exists and is not a folder", file=str(target), hint="choose a new folder")
    with _os_errors(target):
        occupied = target.is_dir() and any(target.iterdir())
    if occupied and not force:
        raise InputError(
            "the folder is not empty",
            file=str(target),
            hint="choose an empty or new folder, or pass --force to replace its contents",
        )


def _swap_in(staging: Path, target: Path) -> None:
    if not target.exists():
        os.rename(staging, target)
        return
    if _exchange(staging, target):  # target now holds the new folder, staging the old one
        shutil.rmtree(staging, ignore_errors=True)
        return
    aside = Path(tempfile.mkdtemp(prefix=_ASIDE.format(name=target.name), dir=target.parent))
    os.rename(target, aside / "old")
    try:
        os.rename(staging, target)
    except BaseException:
        os.rename(aside / "old", target)
        raise
    finally:
        shutil.rmtree(aside, ignore_errors=True)


def _exchange(first: Path, second: Path) -> bool:
    """Swap two paths in one step with Linux's ``renameat2``; False where it is not available."""
    if not sys.platform.startswith("linux"):
        return False
    libc_name = ctypes.util.find_library("c")
    try:
        libc = ctypes.CDLL(libc_name, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError, TypeError):
        return False
    at_fdcwd, rename_exchange = -100, 2
    result = renameat2(at_fdcwd, os.fsencode(first), at_fdcwd, os.fsencode(second), rename_exchange)
    if result == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP):
        return False  # an old kernel or a file system without exchange: rename in two steps
    raise OSError(code, os.strerror(code), str(second))


def _remove_leftovers(target: Path) -> None:
    """Staging and aside folders of earlier runs that were killed (we hold the lock: none is live)."""
    for pattern in (_STAGING, _ASIDE):
        for stale in target.parent.glob(pattern.format(name=target.name) + "*"):
            if stale.is_dir() and not stale.is_symlink():
                shutil.rmtree(stale, ignore_errors=True)


@contextlib.contextmanager
def _lock(target: Path) -> Iterator[None]:
    """Hold an exclusive ``flock`` on the target's parent folder (no file is left behind).

    Publishers into one folder take turns; where ``flock`` is missing (Windows) this
    does nothing.
    """
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows
        yield
        return
    with _os_errors(target):
        handle = os.open(target.parent, os.O_RDONLY)
    try:
        fcntl.flock(handle, fcntl.LOCK_EX)
        yield
    finally:
        os.close(handle)


@contextlib.contextmanager
def _os_errors(target: Path) -> Iterator[None]:
    """Turn the file system's refusals into an :class:`InputError` naming the path and the reason."""
    try:
        yield
    except OSError as error:
        reason = error.strerror or str(error)
        raise InputError(
            f"cannot write here: {reason}",
            file=str(error.filename or target),
            hint=_HINTS.get(error.errno, "check the path and its permissions"),
        ) from None


_HINTS = {
    errno.EACCES: "choose a folder you may write to, or change its permissions",
    errno.EPERM: "the folder is protected (immutable or owned by another user); choose another",
    errno.EROFS: "the file system is read-only; choose a folder on a writable one",
    errno.ENOSPC: "free some disk space, or write elsewhere",
    errno.ENAMETOOLONG: "choose a shorter name",
    errno.EEXIST: "choose a new name",
}


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
