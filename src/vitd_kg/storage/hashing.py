"""Binary streams that hash what goes through them: a file is hashed while it is parsed, or
while it is written.

>>> import io
>>> reader = HashingReader(io.BytesIO(b"<a> <b> <c> ."))
>>> reader.read(3), reader.hexdigest()[:12]
(b'<a>', 'bee81bf20092')
>>> reader.drain(); reader.hexdigest() == hashlib.sha256(b"<a> <b> <c> .").hexdigest()
True
"""

from __future__ import annotations

import hashlib
import io
from typing import BinaryIO

#: Bytes read at a time when a file is hashed without being parsed.
CHUNK = 1 << 20


class HashingReader(io.RawIOBase):
    """Reads from ``raw`` and feeds every byte read to a SHA-256."""

    def __init__(self, raw: BinaryIO) -> None:
        super().__init__()
        self._raw = raw
        self._hash = hashlib.sha256()
        #: bytes read so far
        self.size = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:  # type: ignore[override]
        count = self._raw.readinto(buffer)
        if count:
            self._hash.update(memoryview(buffer)[:count])
            self.size += count
        return count or 0

    def drain(self) -> None:
        """Hash whatever the reader's user left unread (a parser may stop before the end)."""
        for chunk in iter(lambda: self._raw.read(CHUNK), b""):
            self._hash.update(chunk)
            self.size += len(chunk)

    def hexdigest(self) -> str:
        return self._hash.hexdigest()


class HashingWriter:
    """Writes to ``raw`` and feeds every byte written to a SHA-256 (``pickle.dump`` needs
    only ``write``).

    >>> writer = HashingWriter(io.BytesIO())
    >>> writer.write(b"<a> <b> <c> ."), writer.size
    (13, 13)
    >>> writer.digest() == hashlib.sha256(b"<a> <b> <c> .").digest()
    True
    """

    def __init__(self, raw: BinaryIO) -> None:
        self._raw = raw
        self._hash = hashlib.sha256()
        #: bytes written so far
        self.size = 0

    def write(self, data) -> int:
        self._hash.update(data)
        self.size += len(data)
        return self._raw.write(data)

    def digest(self) -> bytes:
        return self._hash.digest()


def sha256_of(stream: BinaryIO) -> str:
    """The SHA-256 of the rest of a binary stream."""
    reader = HashingReader(stream)
    reader.drain()
    return reader.hexdigest()
