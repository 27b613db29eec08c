"""Checking a user's query before it runs: the one place that decides what may reach the network.

A query from a file or from inline text is refused when it is an update (``INSERT``,
``LOAD``...), calls a ``SERVICE`` or names a dataset (``FROM``, ``FROM NAMED``: some
engines fetch those IRIs). Bundled queries are reviewed files and skip the check.

Three layers, so that no single parser's quirk lets a ``SERVICE`` through:

1. the text is made unambiguous: larger than ``max_bytes``, not Unicode, or holding a
   ``\\u`` escape that parsers read differently is refused, and SPARQL's codepoint escapes
   are expanded here, once; the expanded text is what the engine runs (rdflib reads
   ``\\u00000022`` as one 8-digit escape, Oxigraph as a 4-digit one and four digits);
2. a scan of the text (comments, strings and IRIs set aside as the SPARQL grammar says:
   a comment ends at a carriage return too) refuses the keywords ``SERVICE`` and
   ``FROM`` wherever they stand;
3. rdflib's SPARQL 1.1 parser reads the query, and its parse tree is searched for
   ``SERVICE`` and dataset clauses at any depth.

And the command line runs queries in a worker that cannot open a network socket
(:func:`deny_network`, Linux), so a query that got past all three still reaches no host.
"""

from __future__ import annotations

import re
from typing import Any

from vitd_kg.errors import InputError
from vitd_kg.sparql.queries import Query

#: Default limit on a user's query text, in bytes (``--max-query-size`` changes it).
DEFAULT_MAX_QUERY_BYTES = 10_000_000

#: SPARQL codepoint escapes, as the grammar defines them (SPARQL 1.1, section 19.2).
_CODEPOINT = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")
#: What rdflib (or another parser) would still read as an escape after expansion.
_ESCAPE_LEFT = re.compile(r"\\[uU][0-9A-Fa-f]{4}")
#: The parts of a query that are not code: comments, strings, IRIs (in this order of
#: precedence at one place; a comment ends at LF or CR, as the SPARQL grammar says).
_NOT_CODE = re.compile(
    r"""\#[^\r\n]*
      | '''(?:[^'\\]|\\.|'(?!''))*'''
      | \"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"
      | '(?:[^'\\\r\n]|\\.)*'
      | "(?:[^"\\\r\n]|\\.)*"
      | <[^<>"{}|^`\\\x00-\x20]*>""",
    re.VERBOSE | re.DOTALL,
)
#: Keywords refused wherever they stand in code (not in a name: ``ex:from``, ``?service``).
_REFUSED_KEYWORD = re.compile(r"(?<![\w:?$@.\-\\])(SERVICE|FROM)(?![\w:\-])", re.IGNORECASE)


def prepare_query(query: Query, *, max_bytes: int = DEFAULT_MAX_QUERY_BYTES) -> Query:
    """The query to run: a bundled one as it is, a user's one checked, escapes expanded.

    Raises :class:`InputError` for anything :func:`check_query` refuses.

    >>> prepare_query(Query("q", "SELECT ?s WHERE { ?s ?p \\"caf\\\\u00e9\\" }", bundled=False)).text
    'SELECT ?s WHERE { ?s ?p "café" }'
    """
    if query.bundled:
        return query
    text, _ = _checked(query, max_bytes)
    return query if text == query.text else Query(query.name, text, bundled=False)


def check_query(query: Query, *, max_bytes: int = DEFAULT_MAX_QUERY_BYTES) -> str:
    """Check a query as a user's query and return its form.

    Returns ``SELECT``, ``ASK``, ``CONSTRUCT`` or ``DESCRIBE``. Raises
    :class:`InputError` for a query larger than ``max_bytes``, a syntax error (with line
    and column), an update (``INSERT``, ``DELETE``, ``LOAD``, ``CLEAR``...), a
    ``SERVICE`` call or a ``FROM`` / ``FROM NAMED`` clause (the graph has one default
    graph, and some engines fetch ``FROM`` IRIs over the network).

    >>> check_query(Query("q", "SELECT * WHERE { ?s ?p ?o }"))
    'SELECT'
    """
    return _checked(query, max_bytes)[1]


def _checked(query: Query, max_bytes: int) -> tuple[str, str]:
    text = _plain_text(query, max_bytes)
    _refuse_keywords(query, text)
    return text, _parsed_form(query, text)


def _plain_text(query: Query, max_bytes: int) -> str:
    """The query text with codepoint escapes expanded; refusals for size, encoding, escapes."""
    text = query.text
    if len(text) > max_bytes or len(text.encode("utf-8", "surrogatepass")) > max_bytes:
        raise InputError(
            f"the query is {len(text.encode('utf-8', 'surrogatepass')):,} bytes, more than the limit of {max_bytes:,}",
            file=query.name,
            hint="make the query smaller (a VALUES block of thousands of values is better a data file), "
            "or raise the limit with --max-query-size MB (max_query_bytes=... in Python)",
        )
    _refuse_surrogates(query, text)
    if "\\u" in text or "\\U" in text:
        text = _expand_codepoints(query, text)
    return text


def _refuse_surrogates(query: Query, text: str) -> None:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as error:
        line, column = _place(text, error.start)
        raise InputError(
            "the query is not UTF-8 text (a byte that is not UTF-8, or a lone surrogate)",
            file=query.name,
            line=line,
            column=column,
            hint="save the query as UTF-8",
        ) from None


def _expand_codepoints(query: Query, text: str) -> str:
    def expand(match: re.Match[str]) -> str:
        code = int(match.group(1) or match.group(2), 16)
        if code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
            line, column = _place(text, match.start())
            raise InputError(
                f"{match.group(0)} is not a Unicode character",
                file=query.name,
                line=line,
                column=column,
                hint="write the character itself, or a \\uXXXX / \\UXXXXXXXX escape of a real one",
            )
        return chr(code)

    expanded = _CODEPOINT.sub(expand, text)
    left = _ESCAPE_LEFT.search(expanded)
    if left:
        original = _ESCAPE_LEFT.search(text) or left
        line, column = _place(text, original.start())
        raise InputError(
            "this \\u or \\U escape is refused: SPARQL parsers read it differently "
            "(\\U needs 8 hex digits, and an escape may not write another one)",
            file=query.name,
            line=line,
            column=column,
            hint="write the character itself (the query is UTF-8 text)",
        )
    return expanded


def _refuse_keywords(query: Query, text: str) -> None:
    """Refuse SERVICE and FROM found in the code (outside comments, strings and IRIs)."""
    code = _NOT_CODE.sub(lambda m: " " * len(m.group(0)), text)
    if not code.strip():
        raise InputError(
            "the query is empty (only comments or white space)",
            file=query.name,
            hint="write a SELECT, ASK, CONSTRUCT or DESCRIBE query",
        )
    match = _REFUSED_KEYWORD.search(code)
    if match:
        line, column = _place(text, match.start())
        raise (_service_refused if match.group(1).upper() == "SERVICE" else _from_refused)(query, line, column)


def _service_refused(query: Query, line: int | None = None, column: int | None = None) -> InputError:
    return InputError(
        "SERVICE is refused: vitd-kg does not query remote endpoints",
        file=query.name,
        line=line,
        column=column,
        hint="remove the SERVICE block; the bundled graph is queried locally",
    )


def _from_refused(query: Query, line: int | None = None, column: int | None = None) -> InputError:
    return InputError(
        "FROM and FROM NAMED are refused: the graph is the default graph, and "
        "some engines would fetch the named IRI over the network",
        file=query.name,
        line=line,
        column=column,
        hint="remove the FROM clause",
    )


def _parsed_form(query: Query, text: str) -> str:
    """Parse with rdflib; refuse updates, SERVICE and dataset clauses; return the form."""
    from pyparsing import ParseException
    from rdflib.plugins.sparql.parser import parseQuery, parseUpdate

    # A comment ends at a carriage return as at a line feed (the grammar's EOL); rdflib's
    # ends only at a line feed, so it is given line feeds (strings keep their meaning).
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    try:
        parsed = parseQuery(text)
    except RecursionError:
        raise InputError(
            "the query nests too deeply (groups, sub-queries or brackets) to be checked",
            file=query.name,
            hint="flatten the query: fewer nested { } groups or brackets",
        ) from None
    except ParseException as error:
        try:
            update = parseUpdate(text)
        except (ParseException, RecursionError, ValueError):
            raise InputError(
                f"SPARQL syntax error: {error.msg}",
                file=query.name,
                line=error.lineno,
                column=error.col,
                hint="correct the query at that place (SPARQL 1.1 query syntax)",
            ) from None
        if not update.get("request"):
            raise InputError("the query is empty", file=query.name, hint="write a SELECT, ASK, CONSTRUCT or DESCRIBE query") from None
        raise InputError(
            "SPARQL updates (INSERT, DELETE, LOAD, CLEAR, CREATE, DROP, ...) are refused: "
            "vitd-kg only reads the graph",
            file=query.name,
            hint="write a SELECT, ASK, CONSTRUCT or DESCRIBE query",
        ) from None
    except Exception as error:  # noqa: BLE001 - rdflib's parse actions raise plain errors for odd input
        raise InputError(
            f"SPARQL syntax error: {type(error).__name__}: {error}",
            file=query.name,
            hint="correct the query (SPARQL 1.1 query syntax)",
        ) from None
    body = parsed[1]
    for node in _walk(body):
        name = getattr(node, "name", None)
        if name == "ServiceGraphPattern":
            raise _service_refused(query)
        if name == "DatasetClause":
            raise _from_refused(query)
    return {
        "SelectQuery": "SELECT",
        "AskQuery": "ASK",
        "ConstructQuery": "CONSTRUCT",
        "DescribeQuery": "DESCRIBE",
    }.get(body.name, body.name)


def _walk(node: Any):
    """Every node of a pyparsing/rdflib parse tree, depth first."""
    stack = [node]
    while stack:  # no cap: a check that gives up part-way would let SERVICE through
        current = stack.pop()
        yield current
        if isinstance(current, dict):
            stack.extend(current.values())
        elif isinstance(current, (list, tuple)) or type(current).__name__ == "ParseResults":
            stack.extend(list(current))


def _place(text: str, offset: int) -> tuple[int, int]:
    """Line and column (1-based) of an offset in ``text``."""
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


# --------------------------------------------------------------------------- the worker's sandbox

#: Linux syscall numbers of socket(2), by machine (the filter allows everything else).
_SOCKET_SYSCALLS = {"x86_64": (0xC000003E, 41), "aarch64": (0xC00000B7, 198)}


def deny_network() -> bool:
    """Forbid this process, for the rest of its life, to open a network socket.

    Installs a seccomp filter (Linux, x86-64 and ARM64) under which ``socket(AF_INET,
    ...)``, ``socket(AF_INET6, ...)`` and ``socket(AF_UNIX, ...)`` (name lookups go
    through local daemons) fail with ``EACCES``: query workers call it before they run
    a query, so whatever the checks missed cannot reach a host. Returns False where it
    cannot be installed; the checks above still hold there.
    """
    import ctypes
    import platform
    import struct
    import sys

    machine = platform.machine().lower()
    if not sys.platform.startswith("linux") or machine not in _SOCKET_SYSCALLS:
        return False
    arch, socket_nr = _SOCKET_SYSCALLS[machine]
    ld_w_abs, jeq_k, ret_k = 0x20, 0x15, 0x06
    allow, deny = 0x7FFF0000, 0x00050000 | 13  # SECCOMP_RET_ALLOW, SECCOMP_RET_ERRNO | EACCES
    program = [
        (ld_w_abs, 0, 0, 4),  # A = seccomp_data.arch
        (jeq_k, 1, 0, arch),
        (ret_k, 0, 0, allow),  # another ABI: not ours to judge
        (ld_w_abs, 0, 0, 0),  # A = seccomp_data.nr
        (jeq_k, 2, 0, socket_nr),
        (jeq_k, 1, 0, socket_nr | 0x40000000),  # x32 socket(2) on x86-64
        (ret_k, 0, 0, allow),
        (ld_w_abs, 0, 0, 16),  # A = low word of args[0], the address family
        (jeq_k, 3, 0, 2),  # AF_INET
        (jeq_k, 2, 0, 10),  # AF_INET6
        (jeq_k, 1, 0, 1),  # AF_UNIX
        (ret_k, 0, 0, allow),
        (ret_k, 0, 0, deny),
    ]
    filters = b"".join(struct.pack("HBBI", *instruction) for instruction in program)
    buffer = ctypes.create_string_buffer(filters)
    fprog = struct.pack("HxxxxxxP", len(program), ctypes.addressof(buffer))
    fprog_buffer = ctypes.create_string_buffer(fprog)
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        prctl = libc.prctl
        prctl.argtypes = [ctypes.c_int, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong]
        pr_set_no_new_privs, pr_set_seccomp, seccomp_mode_filter = 38, 22, 2
        if prctl(pr_set_no_new_privs, 1, 0, 0, 0) != 0:
            return False
        return prctl(pr_set_seccomp, seccomp_mode_filter, ctypes.addressof(fprog_buffer), 0, 0) == 0
    except (OSError, AttributeError):  # pragma: no cover - no libc or no prctl
        return False
