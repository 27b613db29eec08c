"""The input files of a graph, each opened once: hashed, and parsed into a store when needed.

A command that may answer from the cache needs the files' content hashes before it
knows whether to parse them; a command that parses needs the hashes too, to keep what
it computes. :class:`Inputs` does both with one ``open`` per file: a file parsed for
the first time is hashed *while* Oxigraph parses it (through a
:class:`~vitd_kg.storage.hashing.HashingReader`); a file hashed first (to check the
cache) is parsed, if it must be, from the same open file, rewound.

Parsing follows :mod:`vitd_kg.rdf.reading` to the letter: Turtle and N-Triples are
streamed by Oxigraph, and anything it refuses is parsed again by
:func:`~vitd_kg.rdf.reading.parse_source` from the bytes already read, which accepts a
byte order mark and otherwise raises the error with its file, line and column; other
formats go through :func:`~vitd_kg.rdf.reading.parse_source` from their bytes.

>>> import pyoxigraph as ox
>>> from vitd_kg.rdf.sources import data_sources
>>> inputs = Inputs(data_sources(None)[:2])
>>> [len(d) for d in inputs.digests()]
[64, 64]
>>> store = ox.Store(); inputs.parse_into(store); len(store) > 100
True
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import pyoxigraph as ox

from vitd_kg.errors import InputError
from vitd_kg.rdf.filling import fill
from vitd_kg.rdf.reading import STREAMED_FORMATS, parse_source
from vitd_kg.rdf.sources import SourceFile
from vitd_kg.storage.hashing import HashingReader, sha256_of



@dataclass(frozen=True)
class _Loaded:
    """Bytes already read, in the place of a file (what :class:`SourceFile` reads from)."""

    data: bytes

    def read_bytes(self) -> bytes:
        return self.data


@dataclass(frozen=True)
class Fingerprint:
    """What the file system says about a file: a hint that it is unchanged, never a proof."""

    path: str
    size: int
    mtime_ns: int
    ctime_ns: int
    inode: int
    device: int

    @classmethod
    def of(cls, path: Path) -> "Fingerprint":
        info = os.stat(path)
        return cls(str(path.resolve()), info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino, info.st_dev)


class Inputs:
    """The files of one graph; each is opened at most once, hashed once, parsed at most once per store."""

    def __init__(self, files: list[SourceFile]) -> None:
        self.files = list(files)
        self._digests: list[str | None] = [None] * len(self.files)
        self._handles: list[BinaryIO | None] = [None] * len(self.files)
        self._bytes: list[bytes | None] = [None] * len(self.files)

    # --- what the file system says --------------------------------------------------

    def fingerprints(self) -> list[Fingerprint] | None:
        """The fingerprint of every file, or ``None`` if one is not a plain file on disk."""
        found = []
        for file in self.files:
            if file.path is None:
                return None
            try:
                found.append(Fingerprint.of(file.path))
            except OSError:
                return None
        return found

    def total_size(self) -> int:
        """Bytes of the files on disk (files inside a zip count 0)."""
        total = 0
        for file in self.files:
            if file.path is not None:
                try:
                    total += file.path.stat().st_size
                except OSError:
                    pass
        return total

    # --- content ----------------------------------------------------------------------

    def digests(self) -> list[str]:
        """The SHA-256 of every file's content (reading the files not hashed yet)."""
        for index in range(len(self.files)):
            if self._digests[index] is None:
                self._digests[index] = sha256_of(self._rewound(index))
        return list(self._digests)  # type: ignore[arg-type]

    def known_digests(self) -> list[str] | None:
        """The digests, if every file has been hashed (by :meth:`digests` or while parsed)."""
        return None if None in self._digests else list(self._digests)  # type: ignore[arg-type]

    def read_bytes(self, index: int) -> bytes:
        """The whole content of one file (read once, kept, and hashed on the way)."""
        data = self._bytes[index]
        if data is None:
            data = self._bytes[index] = self._rewound(index).read()
            if self._digests[index] is None:
                import hashlib

                self._digests[index] = hashlib.sha256(data).hexdigest()
        return data

    def parse_into(self, store: ox.Store, *, bulk: bool = False, skip: int = 0) -> None:
        """Parse every file (but the first ``skip``) into the default graph of ``store``.

        ``bulk`` uses Oxigraph's bulk loader (for an on-disk store). Raises
        :class:`~vitd_kg.errors.InputError` with the file, line and column of a syntax error.
        """
        for index in range(skip, len(self.files)):
            self._parse_one(index, store, bulk)

    def close(self) -> None:
        for index, handle in enumerate(self._handles):
            if handle is not None:
                handle.close()
                self._handles[index] = None

    # --- one file ---------------------------------------------------------------------

    def _rewound(self, index: int) -> BinaryIO:
        """The file's one open handle, at its start."""
        handle = self._handles[index]
        if handle is None:
            file = self.files[index]
            try:
                handle = open(file.path, "rb") if file.path is not None else file.entry.open("rb")  # noqa: SIM115
            except OSError as error:
                raise InputError(f"cannot read file: {error.strerror or error}", file=file.name) from None
            self._handles[index] = handle
        handle.seek(0)
        return handle

    def _parse_one(self, index: int, store: ox.Store, bulk: bool) -> None:
        file = self.files[index]
        load = store.bulk_load if bulk else store.load
        if file.format in STREAMED_FORMATS and self._bytes[index] is None:
            handle = self._rewound(index)
            reader = HashingReader(handle) if self._digests[index] is None else handle
            try:
                load(input=reader, format=file.format, to_graph=ox.DefaultGraph())
                if isinstance(reader, HashingReader):
                    reader.drain()
                    self._digests[index] = reader.hexdigest()
                return
            except (SyntaxError, OSError):
                pass  # parse_source below says why, in the terms of rdf.reading, or accepts a BOM
        _, quads = parse_source(SourceFile(file.name, _Loaded(self.read_bytes(index))))  # type: ignore[arg-type]
        triples = (ox.Quad(q.subject, q.predicate, q.object, ox.DefaultGraph()) for q in quads)
        if bulk:
            store.bulk_extend(triples)
        else:
            fill(store, triples)

    def __del__(self) -> None:
        try:
            self.close()
        except Exception:  # noqa: BLE001 - interpreter shutdown
            pass
