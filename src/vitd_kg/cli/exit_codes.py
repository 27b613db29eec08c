"""The command line's exit codes: the one place that maps error types to numbers.

==== ==========================================================================
0    done (the data conforms; the query ran)
1    the data is invalid, or the audit found something with --fail-on-findings
2    input that cannot be read or parsed, a usage error, a missing extra
3    an internal error: a bug in vitd-kg or in an engine it drives
4    a query ran past its time limit, or a server could not be reached
5    a server refused the credentials
6    triple counts after an upload differ from what was sent
7    a server rejected a request
8    the final swap of an upload was sent but could not be confirmed
130  interrupted (Ctrl-C)
==== ==========================================================================
"""

from __future__ import annotations

from vitd_kg.errors import (
    AuthenticationRefused,
    EndpointUnreachable,
    EngineFailure,
    InputError,
    InvalidDataError,
    MissingExtraError,
    OutcomeUnknown,
    QueryTimeout,
    RequestRejected,
    VerificationFailed,
    VitdKgError,
)

class Findings(VitdKgError):
    """A command's result that fails the run: invalid data, audit findings with --fail-on-findings."""


#: Error type -> exit code; the first entry whose type matches wins.
EXIT_CODES: list[tuple[type[VitdKgError], int]] = [
    (Findings, 1),
    (InvalidDataError, 1),
    (InputError, 2),
    (MissingExtraError, 2),
    (EngineFailure, 3),
    (QueryTimeout, 4),
    (EndpointUnreachable, 4),
    (AuthenticationRefused, 5),
    (VerificationFailed, 6),
    (RequestRejected, 7),
    (OutcomeUnknown, 8),
]
INTERNAL_ERROR = 3
INTERRUPTED = 130


def exit_code_of(error: VitdKgError) -> int:
    """The exit code for an error of the package (2 for one no entry names)."""
    for error_type, code in EXIT_CODES:
        if isinstance(error, error_type):
            return code
    return 2
