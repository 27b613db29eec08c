"""Publishing a folder or a file all at once: the reader sees the old one or the new one, never half.

Everything is written into a staging name beside the target and moved into place by
a rename. A folder that replaces another is swapped in one step where the system can
(Linux ``renameat2(RENAME_EXCHANGE)``), so no crash leaves the target missing; where
it cannot, the old folder is renamed aside first and put back if the second rename
fails (and, if the process died between the two, by the next run). Publishers into
one folder take turns (a lock on the folder), so a second run sees the first one's
result and refuses to replace it without ``force``; staging files and folders left by
a killed run are removed by the next one. What the file system refuses (a read-only
or immutable folder, a full disk, a name too long) becomes an :class:`InputError`
naming the path and the reason (:func:`os_errors`).

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
import stat
import sys
import tempfile
from pathlib import Path
from typing import IO, Callable, Iterator, TypeVar

from vitd_kg.errors import InputError

T = TypeVar("T")

_STAGING = ".{name}.tmp-"
_ASIDE = ".{name}.old-"
#: Characters of the target's name kept in staging names (a name near the system's
#: limit of 255 bytes must still leave room for the staging prefix and suffix).
_NAME_KEPT = 100


def publish_folder(target: Path | str, build: Callable[[Path], T], *, force: bool = False) -> T:
    """Run ``build(staging)`` in a new folder beside ``target``, then put it in ``target``'s place.

    ``target`` must be new, an empty folder, or (with ``force``) a folder to replace.
    Raises :class:`InputError` naming the path for anything the file system refuses.
    """
    target = _target_path(target)
    parent = target.parent
    with os_errors(target):
        parent.mkdir(parents=True, exist_ok=True)
    with _lock(target):
        _restore_aside(target)
        _remove_leftovers(target)
        _refuse_existing(target, force=force)
        with os_errors(target):
            staging = Path(tempfile.mkdtemp(prefix=_staging_prefix(target), dir=parent))
        try:
            with os_errors(target):
                staging.chmod(0o777 & ~_umask())  # mkdtemp makes 0700; a release is for everyone to read
            with os_errors(target, only=_ENVIRONMENT):
                result = build(staging)
            with os_errors(target):
                _swap_in(staging, target)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
    return result


def publish_file(target: Path | str, write: Callable[[IO[bytes]], None]) -> None:
    """Run ``write(stream)`` on a new file beside ``target``, then rename it onto ``target``.

    A link is followed (the file it names is replaced, the link stays); a target that
    is not a regular file (``/dev/null``, a named pipe) is written to directly, never
    replaced.
    """
    target = _target_path(target)
    with os_errors(target):
        if target.is_symlink():
            target = _target_path(target.resolve())
        mode = target.stat().st_mode if target.exists() else None
    if mode is not None and stat.S_ISDIR(mode):
        raise InputError("is a folder", file=str(target), hint="name a file to write")
    if mode is not None and not stat.S_ISREG(mode):
        with os_errors(target, only=_ENVIRONMENT), open(target, "wb") as stream:
            write(stream)
        return
    with _lock(target):  # held only while the staging file is made and claimed
        _remove_leftovers(target)
        with os_errors(target):
            handle, name = tempfile.mkstemp(prefix=_staging_prefix(target), dir=target.parent)
        _claim(handle)
    partial = Path(name)
    try:
        with os_errors(target, only=_ENVIRONMENT), os.fdopen(handle, "wb") as stream:
            write(stream)
        with os_errors(target):
            partial.chmod(stat.S_IMODE(mode) if mode is not None else 0o666 & ~_umask())
            os.replace(partial, target)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise


def _target_path(target: Path | str) -> Path:
    """The absolute target; ``.`` and ``..`` resolved (a staging name needs a real name)."""
    path = Path(target).absolute()
    if path.name in ("", ".", ".."):
        path = path.resolve()
    if not path.name:
        raise InputError("cannot publish to the root of the file system", file=str(path), hint="name a folder or file below it")
    if len(os.fsencode(path.name)) > 255:
        raise InputError(
            f"the name is {len(os.fsencode(path.name))} bytes long; file systems allow 255",
            file=str(path),
            hint="choose a shorter name",
        )
    return path


def _staging_prefix(target: Path) -> str:
    return _STAGING.format(name=target.name[:_NAME_KEPT])


def _refuse_existing(target: Path, *, force: bool) -> None:
    with os_errors(target):
        is_link = target.is_symlink()
        exists = target.exists()
        is_dir = target.is_dir()
        occupied = is_dir and not is_link and any(target.iterdir())
    if is_link:
        raise InputError("is a link", file=str(target), hint="name the folder itself, or choose a new folder")
    if exists and not is_dir:
        raise InputError("exists and is not a folder", file=str(target), hint="choose a new folder")
    if occupied and not force:
        raise InputError(
            "the folder is not empty",
            file=str(target),
            hint="choose an empty or new folder, or pass --force to replace its contents",
        )
    if occupied and _holds_working_folder(target):
        raise InputError(
            "will not replace the folder you are working in (or one that holds it)",
            file=str(target),
            hint="choose another folder, or run the command from outside this one",
        )


def _holds_working_folder(target: Path) -> bool:
    try:
        here = Path.cwd().resolve()
    except OSError:  # the working folder was removed
        return False
    real = target.resolve()
    return here == real or real in here.parents


def _swap_in(staging: Path, target: Path) -> None:
    if not target.exists():
        os.rename(staging, target)
        return
    if _exchange(staging, target):  # target now holds the new folder, staging the old one
        shutil.rmtree(staging, ignore_errors=True)
        return
    aside = Path(tempfile.mkdtemp(prefix=_ASIDE.format(name=target.name[:_NAME_KEPT]), dir=target.parent))
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


def _restore_aside(target: Path) -> None:
    """Put back an old folder that a killed run had moved aside but not yet replaced."""
    if target.exists() or target.is_symlink():
        return
    for aside in sorted(target.parent.glob(_ASIDE.format(name=target.name[:_NAME_KEPT]) + "*")):
        old = aside / "old"
        if old.is_dir() and not old.is_symlink():
            with os_errors(target):
                os.rename(old, target)
            return


def _remove_leftovers(target: Path) -> None:
    """Staging files and folders of earlier runs that were killed.

    Folders: the caller holds the folder lock, so none is in use. Files: one whose
    writer is alive is locked by it (:func:`_claim`) and is left alone.
    """
    for pattern in (_STAGING, _ASIDE):
        for stale in target.parent.glob(pattern.format(name=target.name[:_NAME_KEPT]) + "*"):
            if stale.is_symlink():
                continue
            if stale.is_dir():
                shutil.rmtree(stale, ignore_errors=True)
            elif stale.is_file() and _unclaimed(stale):
                stale.unlink(missing_ok=True)


def _claim(handle: int) -> None:
    """Mark a staging file as in use for as long as ``handle`` is open."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows
        return
    with contextlib.suppress(OSError):  # a fresh file: nobody else can hold it
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)


def _unclaimed(path: Path) -> bool:
    """True if no live writer holds ``path`` (its lock can be taken)."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows: leave files alone
        return False
    try:
        handle = os.open(path, os.O_RDONLY)
    except OSError:
        return False
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return True
    except OSError:
        return False
    finally:
        os.close(handle)


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
    with os_errors(target):
        handle = os.open(target.parent, os.O_RDONLY)
    try:
        fcntl.flock(handle, fcntl.LOCK_EX)
        yield
    finally:
        os.close(handle)


#: Refusals that come from where the output goes, not from the program: a build that
#: hits one of these is reported as the user's to fix (exit 2), any other error is not.
_ENVIRONMENT = frozenset(
    {errno.EACCES, errno.EPERM, errno.EROFS, errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.ENAMETOOLONG, errno.EIO, errno.EMLINK}
)


@contextlib.contextmanager
def os_errors(target: Path, *, only: frozenset[int] | None = None) -> Iterator[None]:
    """Turn the file system's refusals into an :class:`InputError` naming the path and the reason.

    ``only`` limits this to those ``errno`` values (other errors pass unchanged).

    >>> with os_errors(Path("/no/such/folder/out")):
    ...     open("/no/such/folder/out/x", "w")
    Traceback (most recent call last):
    vitd_kg.errors.InputError: /no/such/folder/out: cannot write it: No such file or directory (/no/such/folder/out/x)
      how to fix: check the path and its permissions
    """
    try:
        yield
    except OSError as error:
        if only is not None and error.errno not in only:
            raise
        reason = error.strerror or str(error)
        where = os.fsdecode(error.filename) if error.filename else None
        detail = f" ({where})" if where and where != str(target) else ""
        raise InputError(
            f"cannot write it: {reason}{detail}",
            file=str(target),
            hint=_HINTS.get(error.errno, "check the path and its permissions"),
        ) from None


_HINTS = {
    errno.EACCES: "choose a folder you may write to, or change its permissions",
    errno.EPERM: "the folder is protected (immutable, or owned by another user); choose another",
    errno.EROFS: "the file system is read-only; choose a folder on a writable one",
    errno.ENOSPC: "free some disk space, or write elsewhere",
    errno.EDQUOT: "your disk quota is used up: free some space, or write elsewhere",
    errno.ENAMETOOLONG: "choose a shorter name",
    errno.EEXIST: "choose a new name",
    errno.ENOTDIR: "a part of the path is a file, not a folder: check the path",
}


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
