"""Values bound to query variables: given as a mapping, handed to the engine as bindings.

Values are never pasted into the query text. A value is an rdflib term, an IRI string
(``https://...``), a CURIE with a known prefix (``claim:ma-strength``), or a Python
value that becomes a typed literal; on the command line, ``VAR=VALUE`` text.
"""

from __future__ import annotations

import datetime
from decimal import Decimal, InvalidOperation
from typing import Any, Mapping

from vitd_kg.errors import InputError
from vitd_kg.namespaces import expand


def as_term(value: Any):
    """Turn a binding value into an RDF term.

    rdflib terms pass through; ``http(s)://`` strings and known CURIEs
    (``claim:ma-strength``) become IRIs; other values become typed literals.

    >>> as_term("claim:ma-strength")
    rdflib.term.URIRef('https://w3id.org/vitd-kg/id/claim/ma-strength')
    >>> as_term(30)
    rdflib.term.Literal('30', datatype=rdflib.term.URIRef('http://www.w3.org/2001/XMLSchema#integer'))
    """
    from rdflib import BNode, Literal, URIRef

    if isinstance(value, (URIRef, Literal, BNode)):
        _refuse_surrogates(str(value))
        return checked_iri(str(value)) if isinstance(value, URIRef) else value
    if isinstance(value, str):
        _refuse_surrogates(value)
        if value.startswith(("http://", "https://", "urn:")):
            return checked_iri(value)
        iri = expand(value)
        if iri is not None:
            return checked_iri(iri)
        return Literal(value)
    if not isinstance(value, _LITERAL_TYPES):
        raise InputError(
            f"cannot bind a {type(value).__name__} value: {value!r:.60}",
            hint="bind a string, a number, a boolean, a date or an rdflib term",
        )
    return Literal(value)


#: Python values that become typed literals.
_LITERAL_TYPES = (bool, int, float, Decimal, datetime.date, datetime.datetime, datetime.time, datetime.timedelta)


def _refuse_surrogates(text: str) -> None:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise InputError(
            f"the value {text!r:.60} is not UTF-8 text (a byte that is not UTF-8, or a lone surrogate)",
            hint="bind UTF-8 text",
        ) from None


def as_terms(bindings: Mapping[str, Any] | None) -> dict[str, Any]:
    """Every binding of a mapping as an RDF term, with its variable name checked.

    >>> sorted(as_terms({"claim": "claim:ma-strength", "n": 3}))
    ['claim', 'n']
    """
    terms: dict[str, Any] = {}
    for name, value in (bindings or {}).items():
        variable = str(name).lstrip("?$")
        if not variable or not variable.replace("_", "a").isalnum():
            raise InputError(f"{name!r} is not a SPARQL variable name", hint="bind names such as claim or study_id")
        terms[variable] = as_term(value)
    return terms


def checked_iri(text: str):
    """An rdflib ``URIRef`` for an absolute IRI that Oxigraph accepts; :class:`InputError` otherwise."""
    import pyoxigraph as ox
    from rdflib import URIRef

    try:
        ox.NamedNode(text)
    except ValueError as error:
        raise InputError(f"not a valid IRI: <{text}> ({error})", hint="bind an absolute IRI, e.g. <https://w3id.org/vitd-kg/id/claim/ma-strength>") from None
    if ":" not in text:
        raise InputError(f"not an absolute IRI: <{text}>", hint="bind an absolute IRI or a CURIE such as claim:ma-strength")
    return URIRef(text)


def parse_binding(text: str) -> tuple[str, Any]:
    """Parse a command-line binding ``VAR=VALUE`` into a name and an RDF term.

    VALUE is ``<iri>``, a CURIE with a known prefix (``claim:ma-strength``), an
    integer, a decimal, ``true``/``false``, or text (quotes optional).

    >>> parse_binding("claim=claim:ma-strength")[1]
    rdflib.term.URIRef('https://w3id.org/vitd-kg/id/claim/ma-strength')
    >>> parse_binding("n=12")[1]
    rdflib.term.Literal('12', datatype=rdflib.term.URIRef('http://www.w3.org/2001/XMLSchema#integer'))
    """
    from rdflib import Literal
    from rdflib.namespace import XSD

    name, sep, value = text.partition("=")
    _refuse_surrogates(text)
    name = name.strip().lstrip("?$")
    if not sep or not name or not name.replace("_", "a").isalnum():
        raise InputError(
            f"cannot read binding {text!r}",
            hint="write --bind VAR=VALUE, for example --bind claim=claim:ma-strength",
        )
    if value.startswith("<") and value.endswith(">"):
        return name, checked_iri(value[1:-1])
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
        return name, Literal(value[1:-1])
    if value in ("true", "false"):
        return name, Literal(value, datatype=XSD.boolean)
    if value.lstrip("+-").isdigit():
        return name, Literal(value, datatype=XSD.integer)
    try:
        Decimal(value)
        if any(ch.isdigit() for ch in value) and "." in value:
            return name, Literal(value, datatype=XSD.decimal)
    except InvalidOperation:
        pass
    return name, as_term(value)
