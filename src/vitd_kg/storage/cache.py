"""The cache: per set of input files (by content), an on-disk Oxigraph store and computed results.

Layout of the cache folder (``~/.cache/vitd-kg`` unless ``VITD_KG_CACHE_DIR`` or the
CLI's ``--cache-dir`` says otherwise; created readable by its owner only)::

    graphs/<key>/meta.json       what the entry was built from (file names, sizes, SHA-256)
    graphs/<key>/store/          an Oxigraph (RocksDB) store of the graph, if one was built
    graphs/<key>/results/<code>/ results computed from the graph (claims, findings, stats),
                                 for one version of the package and its bundled queries
    sources/<id>.json            the last key seen for a set of paths, with their fingerprints

``<key>`` is the SHA-256 of the inputs' content (each file's format and SHA-256, in any
order, and the layout version), so an entry is found again for the same content under
any path, and an edit to any input gives a new key: nothing served from the cache is
ever stale. A source's fingerprints (size, times, inode) only tell which key to *try*;
the content is hashed before an entry is used. When a source's content changes, the
entry it had is removed (unless another source still uses it), so the cache holds one
entry per data folder.

Results are stored with :mod:`pickle`; the folder must belong to the user and be
writable by nobody else (checked each time it is opened), as ``~/.cache`` is.

>>> import tempfile
>>> cache = Cache.at(Path(tempfile.mkdtemp()) / "cache")
>>> entry = cache.entry(input_key([("turtle", "ab" * 32)]))
>>> entry.save("answer", {"n": 42}); entry.load("answer")
{'n': 42}
>>> [e.key == entry.key for e in cache.entries()]
[True]
"""

from __future__ import annotations

import errno
import fcntl
import hashlib
import json
import os
import pickle
import shutil
import stat
import struct
import sys
import time
import uuid
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, BinaryIO, Iterable, Iterator

from vitd_kg.errors import InputError
from vitd_kg.storage.hashing import CHUNK, HashingWriter

#: Environment variable: ``auto`` (the default), ``on`` or ``off``.
MODE_ENV = "VITD_KG_CACHE"
#: Environment variable: the cache folder.
DIR_ENV = "VITD_KG_CACHE_DIR"
MODES = ("auto", "on", "off")
#: In ``auto`` mode, inputs smaller than this are parsed every time (it takes well under a second).
AUTO_MIN_BYTES = 4 * 1024 * 1024
#: Version of the layout above; part of every key.
LAYOUT = 1


@dataclass(frozen=True)
class CacheSettings:
    """Whether to use the cache, and where it is."""

    mode: str = "auto"
    folder: Path | None = None
    min_bytes: int = AUTO_MIN_BYTES

    @classmethod
    def from_environment(cls, mode: str | None = None, folder: str | Path | None = None) -> "CacheSettings":
        """Settings from the arguments, else ``VITD_KG_CACHE`` / ``VITD_KG_CACHE_DIR``, else the defaults."""
        mode = (mode or os.environ.get(MODE_ENV) or "auto").strip().lower()
        if mode not in MODES:
            raise InputError(f"unknown cache mode {mode!r}", hint=f"use one of: {', '.join(MODES)} ({MODE_ENV})")
        folder = folder or os.environ.get(DIR_ENV) or None
        return cls(mode, Path(folder).expanduser() if folder else None)

    @property
    def location(self) -> Path:
        """The cache folder: the one given, else ``$XDG_CACHE_HOME/vitd-kg``, else ``~/.cache/vitd-kg``."""
        if self.folder is not None:
            return self.folder
        base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
        return Path(base) / "vitd-kg"

    def applies_to(self, size: int) -> bool:
        """Whether inputs of ``size`` bytes go through the cache."""
        return self.mode == "on" or (self.mode == "auto" and size >= self.min_bytes)


def input_key(inputs: Iterable[tuple[str, str]]) -> str:
    """The key of a set of inputs, from each one's (format, SHA-256); order does not matter."""
    text = json.dumps({"layout": LAYOUT, "inputs": sorted(f"{fmt}:{digest}" for fmt, digest in inputs)})
    return hashlib.sha256(text.encode()).hexdigest()


_CODE_KEY: str | None = None


#: The end of a result file (:meth:`Entry.save`, :meth:`Entry.save_items`): the SHA-256 of
#: the pickles before it, and their length in bytes.
_TRAILER = struct.Struct(">32sQ")


def _checked_length(file: BinaryIO) -> int:
    """The length of the pickles in a file of items, once their digest is checked; the file
    is left at its start. Raises ``ValueError`` saying what does not hold."""
    size = os.fstat(file.fileno()).st_size
    if size < _TRAILER.size:
        raise ValueError("it is cut short")
    file.seek(size - _TRAILER.size)
    expected, length = _TRAILER.unpack(file.read(_TRAILER.size))
    if length != size - _TRAILER.size:
        raise ValueError("its length does not match its trailer")
    file.seek(0)
    digest, left = hashlib.sha256(), length
    while left:
        chunk = file.read(min(left, CHUNK))
        if not chunk:
            raise ValueError("it is cut short")
        digest.update(chunk)
        left -= len(chunk)
    if digest.digest() != expected:
        raise ValueError("its SHA-256 does not match")
    file.seek(0)
    return length


def code_key() -> str:
    """What computed results depend on besides the data: the package's code and bundled queries.

    The SHA-256 of the package version, the Python version (results are pickled), and
    every ``.py`` file of the package and ``.rq`` file of the bundled queries.
    """
    global _CODE_KEY
    if _CODE_KEY is None:
        import vitd_kg
        from vitd_kg import resources

        digest = hashlib.sha256(f"{vitd_kg.__version__}|{sys.version_info[:2]}".encode())
        package = Path(vitd_kg.__file__).parent
        for path in sorted(package.rglob("*.py")):
            digest.update(path.relative_to(package).as_posix().encode())
            digest.update(path.read_bytes())
        for entry in sorted(_query_files(resources.queries_dir()), key=lambda pair: pair[0]):
            digest.update(entry[0].encode())
            digest.update(entry[1])
        _CODE_KEY = digest.hexdigest()[:32]
    return _CODE_KEY


def _query_files(folder, prefix: str = "") -> list[tuple[str, bytes]]:
    found = []
    for entry in folder.iterdir():
        if entry.is_dir():
            found += _query_files(entry, f"{prefix}{entry.name}/")
        elif entry.name.endswith(".rq"):
            found.append((prefix + entry.name, entry.read_bytes()))
    return found


@dataclass
class EntryInfo:
    """What ``vitd-kg cache info`` shows about one entry."""

    key: str
    folder: Path
    bytes: int
    has_store: bool
    results: list[str]
    inputs: list[dict[str, Any]] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    created: float | None = None
    used: float | None = None

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["folder"] = str(self.folder)
        return data


class Cache:
    """A cache folder (see the module's description)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    @classmethod
    def at(cls, folder: Path, *, create: bool = True) -> "Cache":
        """The cache in ``folder`` (made, readable by its owner only, if missing and ``create``).

        Raises :class:`InputError` for a folder that another user owns or others may
        write to (its results are unpickled, so only its owner may write them).
        """
        folder = Path(folder)
        if create:
            try:
                folder.mkdir(mode=0o700, parents=True, exist_ok=True)
                for sub in ("graphs", "sources", "tmp"):
                    (folder / sub).mkdir(mode=0o700, exist_ok=True)
            except OSError as error:
                raise InputError(
                    f"cannot create the cache folder: {error.strerror or error}", file=str(folder),
                    hint=f"set {DIR_ENV} (or --cache-dir) to a folder you can write, or turn the cache off ({MODE_ENV}=off)",
                ) from None
        if folder.exists():
            info = folder.stat()
            if info.st_uid != os.getuid() or info.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
                raise InputError(
                    "the cache folder belongs to another user or others may write to it",
                    file=str(folder),
                    hint=f"chmod 700 it if it is yours, or point {DIR_ENV} (or --cache-dir) at a folder of your own",
                )
        return cls(folder)

    # --- entries ---------------------------------------------------------------------

    def entry(self, key: str) -> "Entry":
        return Entry(self, key)

    def entries(self) -> list[EntryInfo]:
        graphs = self.folder / "graphs"
        found = []
        for folder in sorted(graphs.iterdir()) if graphs.is_dir() else []:
            entry = Entry(self, folder.name)
            meta = entry.meta()
            results = sorted({p.stem for pattern in ("*/*.pickle", "*/*.pickles") for p in (folder / "results").glob(pattern)})
            found.append(EntryInfo(
                key=folder.name, folder=folder, bytes=_size_of(folder), has_store=entry.store_folder.is_dir(),
                results=results, inputs=meta.get("inputs", []), sources=meta.get("sources", []),
                created=meta.get("created"), used=_mtime(entry.meta_file),
            ))
        return found

    def clear(self, keys: Iterable[str] | None = None) -> tuple[list[str], list[str]]:
        """Remove entries (every one for ``None``); return (removed keys, keys in use and kept)."""
        wanted = [e.key for e in self.entries()] if keys is None else list(keys)
        removed, busy = [], []
        for key in wanted:
            (removed if self.entry(key).remove() else busy).append(key)
        gone = set(removed)
        for record in (self.folder / "sources").glob("*.json"):
            if _read_json(record).get("key") in gone or keys is None and not busy:
                record.unlink(missing_ok=True)
        if keys is None and not busy:
            shutil.rmtree(self.folder / "tmp", ignore_errors=True)
            (self.folder / "tmp").mkdir(mode=0o700, exist_ok=True)
        return removed, busy

    # --- which key a set of files had last time ----------------------------------------

    @staticmethod
    def source_id(paths: Iterable[str]) -> str:
        return hashlib.sha256("\n".join(sorted(paths)).encode()).hexdigest()[:32]

    def hint(self, fingerprints: list[Any]) -> str | None:
        """The key these files had when their fingerprints were last recorded, if unchanged since."""
        record = _read_json(self._source_file(fingerprints))
        if record.get("fingerprints") == [asdict(f) for f in fingerprints]:
            return record.get("key")
        return None

    def remember(self, fingerprints: list[Any], key: str) -> None:
        """Record that these files have ``key``; drop the entry they had before, if nothing else uses it."""
        path = self._source_file(fingerprints)
        record = _read_json(path)
        previous = record.get("key")
        if previous == key and record.get("fingerprints") == [asdict(f) for f in fingerprints]:
            return
        _write_json(path, {"key": key, "fingerprints": [asdict(f) for f in fingerprints]})
        if previous and previous != key:
            still_used = any(_read_json(p).get("key") == previous for p in (self.folder / "sources").glob("*.json"))
            if not still_used:
                self.entry(previous).remove()

    def _source_file(self, fingerprints: list[Any]) -> Path:
        return self.folder / "sources" / f"{self.source_id(f.path for f in fingerprints)}.json"

    def scratch(self) -> Path:
        """A new folder name in the cache's ``tmp/`` (not created), for building a store aside."""
        return self.folder / "tmp" / f"{os.getpid()}-{uuid.uuid4().hex[:12]}"


class Entry:
    """The cache entry of one set of inputs."""

    def __init__(self, cache: Cache, key: str) -> None:
        self.cache = cache
        self.key = key
        self.folder = cache.folder / "graphs" / key
        self._lock: Any = None

    @property
    def store_folder(self) -> Path:
        return self.folder / "store"

    @property
    def meta_file(self) -> Path:
        return self.folder / "meta.json"

    def meta(self) -> dict[str, Any]:
        return _read_json(self.meta_file)

    def exists(self) -> bool:
        return self.meta_file.is_file()

    def create(self, inputs: list[dict[str, Any]], sources: list[str]) -> None:
        """Make the entry's folder and description (kept if it exists)."""
        self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        if not self.meta_file.is_file():
            import pyoxigraph

            import vitd_kg

            _write_json(self.meta_file, {
                "key": self.key, "created": time.time(), "inputs": inputs, "sources": sources,
                "vitd_kg": vitd_kg.__version__, "pyoxigraph": pyoxigraph.__version__,
            })
        self.touch()

    def touch(self) -> None:
        """Mark the entry as used now (``vitd-kg cache info`` shows it)."""
        try:
            os.utime(self.meta_file)
        except OSError:
            pass

    # --- the on-disk store -------------------------------------------------------------

    def open_store(self):
        """The entry's store, read-only, or ``None`` if it has none (or it cannot be opened)."""
        if not self.store_folder.is_dir():
            return None
        import pyoxigraph as ox

        self.hold()
        try:
            return ox.Store.read_only(str(self.store_folder))
        except OSError:
            return None

    def adopt_store(self, built: Path) -> None:
        """Move a store built aside (in :meth:`Cache.scratch`) into the entry; keep an existing one."""
        self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        try:
            os.rename(built, self.store_folder)
        except OSError as error:
            if error.errno not in (errno.EEXIST, errno.ENOTEMPTY):
                raise
            shutil.rmtree(built, ignore_errors=True)  # another process built it first

    # --- computed results --------------------------------------------------------------

    def _result_file(self, name: str, suffix: str = ".pickle") -> Path:
        return self.folder / "results" / code_key() / f"{name}{suffix}"

    def load(self, name: str) -> Any | None:
        """A result saved by :meth:`save` for this version of the package, or ``None``."""
        path = self._result_file(name)
        try:
            with open(path, "rb") as file:
                _checked_length(file)
                return pickle.load(file)  # noqa: S301 - the folder is the user's own (checked in Cache.at)
        except FileNotFoundError:
            return None
        except Exception:  # noqa: BLE001 - a damaged or foreign result is computed again
            path.unlink(missing_ok=True)
            return None

    def save(self, name: str, value: Any) -> None:
        """Keep a result, followed by its SHA-256 (:data:`_TRAILER`), so that a damaged file is
        computed again rather than read (written aside, then renamed: readers never see half a
        file)."""
        path = self._result_file(name)
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        partial = path.with_name(f".{path.name}.{os.getpid()}.partial")
        with open(partial, "wb") as file:
            writer = HashingWriter(file)  # pickled straight to the file, never whole in memory
            pickle.dump(value, writer, protocol=pickle.HIGHEST_PROTOCOL)
            file.write(_TRAILER.pack(writer.digest(), writer.size))
        os.replace(partial, path)

    def load_items(self, name: str) -> Iterator[Any] | None:
        """The items saved by :meth:`save_items`, read one at a time, or ``None``.

        The file is checked against its digest before the first item is handed on, so a
        damaged file raises :class:`InputError` before any of it has been used (a command
        never writes half of its output from it)."""
        path = self._result_file(name, ".pickles")
        try:
            file = open(path, "rb")  # noqa: SIM115 - closed by _read_items
        except FileNotFoundError:
            return None
        try:
            end = _checked_length(file)
        except (ValueError, OSError) as error:
            file.close()
            path.unlink(missing_ok=True)
            reason = error if isinstance(error, ValueError) else f"it cannot be read: {error.strerror or error}"
            raise InputError(
                f"the cached result {path} is damaged ({reason}); it has been removed",
                hint="run the command again: the result is computed afresh",
            ) from None
        return self._read_items(file, path, end)

    @staticmethod
    def _read_items(file: BinaryIO, path: Path, end: int) -> Iterator[Any]:
        with file:
            while file.tell() < end:
                try:
                    item = pickle.load(file)  # noqa: S301 - the folder is the user's own (checked in Cache.at)
                except Exception as error:  # noqa: BLE001 - its digest held, yet it does not unpickle: drop it
                    path.unlink(missing_ok=True)
                    raise InputError(
                        f"the cached result {path} is damaged ({error}); it has been removed",
                        hint="run the command again: the result is computed afresh",
                    ) from None
                yield item

    def save_items(self, name: str, items: Iterable[Any]) -> Iterator[Any]:
        """Hand on ``items`` while keeping them, one pickle each, then the SHA-256 and length
        of those pickles (:data:`_TRAILER`); the result exists only once every item has
        passed (a consumer that stops early leaves nothing)."""
        path = self._result_file(name, ".pickles")
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        partial = path.with_name(f".{path.name}.{os.getpid()}.partial")
        try:
            with open(partial, "wb") as file:
                writer = HashingWriter(file)
                for item in items:
                    pickle.dump(item, writer, protocol=pickle.HIGHEST_PROTOCOL)
                    yield item
                file.write(_TRAILER.pack(writer.digest(), writer.size))
            os.replace(partial, path)
        finally:
            partial.unlink(missing_ok=True)

    # --- use and removal ---------------------------------------------------------------

    def hold(self) -> None:
        """Take a shared lock on the entry for the life of the process (``clear`` skips it)."""
        if self._lock is None and self.folder.is_dir():
            self._lock = open(self.folder / "lock", "a+b")  # noqa: SIM115 - held until exit
            fcntl.flock(self._lock, fcntl.LOCK_SH)

    def remove(self) -> bool:
        """Delete the entry unless another process holds it; return whether it is gone."""
        if not self.folder.is_dir():
            return True
        if self._lock is not None:
            self._lock.close()
            self._lock = None
        try:
            with open(self.folder / "lock", "a+b") as lock:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
                aside = self.cache.scratch()
                os.rename(self.folder, aside)  # gone from graphs/ at once; deleted below
        except BlockingIOError:
            return False
        except FileNotFoundError:
            return True
        shutil.rmtree(aside, ignore_errors=True)
        return True


def _read_json(path: Path) -> dict[str, Any]:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def _write_json(path: Path, value: Any) -> None:
    partial = path.with_name(f".{path.name}.{os.getpid()}.partial")
    partial.write_text(json.dumps(value, indent=1), encoding="utf-8")
    os.replace(partial, path)


def _size_of(folder: Path) -> int:
    total = 0
    for current, _, names in os.walk(folder):
        for name in names:
            try:
                total += os.lstat(os.path.join(current, name)).st_size
            except OSError:
                pass
    return total


def _mtime(path: Path) -> float | None:
    try:
        return path.stat().st_mtime
    except OSError:
        return None
