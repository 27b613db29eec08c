"""Errors that carry a file, a place in it and a fix, rendered once by the CLI."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class VitdKgError(Exception):
    """A problem with input that a user can fix.

    ``exit_code`` follows the CLI's contract: 2 for input that cannot be read or
    parsed (and usage errors), 1 for data that is readable but invalid.
    """

    message: str
    file: str | None = None
    line: int | None = None
    column: int | None = None
    hint: str | None = None
    exit_code: int = 2

    def __str__(self) -> str:
        where = ""
        if self.file:
            where = self.file
            if self.line is not None:
                where += f":{self.line}"
                if self.column is not None:
                    where += f":{self.column}"
            where += ": "
        text = f"{where}{self.message}"
        if self.hint:
            text += f"\n  how to fix: {self.hint}"
        return text


class InputError(VitdKgError):
    """Input that cannot be read or parsed (exit code 2)."""
