"""Errors as types, each carrying a file, a place in it and a fix.

The library raises these and never decides an exit code: the command line maps each
type to its code in one table (:data:`vitd_kg.cli.exit_codes.EXIT_CODES`) and renders
the message once.

>>> str(InputError("Turtle syntax error", file="data/x.ttl", line=3, column=7, hint="close the string"))
'data/x.ttl:3:7: Turtle syntax error\\n  how to fix: close the string'
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class VitdKgError(Exception):
    """A problem the user can act on, with where it is and how to fix it."""

    message: str
    file: str | None = None
    line: int | None = None
    column: int | None = None
    hint: str | None = None

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

    def __reduce__(self):  # dataclass exceptions do not pickle by default (query workers send them)
        return (type(self), (self.message, self.file, self.line, self.column, self.hint))


class InputError(VitdKgError):
    """Input that cannot be read or parsed, or a wrong option (CLI exit code 2)."""


class MissingExtraError(VitdKgError, ImportError):
    """An optional dependency (an extra, Graphviz, Java) is not installed (exit code 2)."""


class InvalidDataError(VitdKgError):
    """The data can be read but breaks the model: a claim without a required part (exit code 1)."""


class EngineFailure(VitdKgError):
    """An engine (SPARQL worker, SHACL engine, reasoner) failed where it should not: a bug (exit code 3)."""


class QueryTimeout(VitdKgError):
    """A query ran longer than its time limit and was stopped (exit code 4)."""


@dataclass
class EndpointUnreachable(VitdKgError):
    """The SPARQL server cannot be reached, or stopped answering (exit code 4)."""

    #: False when the last attempt failed before the request left (connection refused),
    #: so the server cannot have acted on it
    request_sent: bool = True
    #: True when the answer did not come in time, or a gateway answered 502-504 to a write: the
    #: server may still be working on the request
    timed_out: bool = False


class AuthenticationRefused(VitdKgError):
    """The server refused the credentials (exit code 5)."""


class VerificationFailed(VitdKgError):
    """Triple counts differ from what was sent (exit code 6): in staging graphs, and the targets
    were left untouched; or in the targets after the load (another client writing them)."""


class RequestRejected(VitdKgError):
    """The server rejected a request (a 4xx/5xx other than authentication) (exit code 7)."""


class OutcomeUnknown(VitdKgError):
    """The final swap, or a first load's one POST, was sent but its outcome could not be confirmed (exit code 8)."""
