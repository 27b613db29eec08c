"""Convert RDF terms between pyoxigraph (the engine) and rdflib (the public API)."""

from __future__ import annotations

import pyoxigraph as ox
from rdflib import BNode, Literal, URIRef
from rdflib.term import Identifier

RdflibTerm = URIRef | BNode | Literal


#: rdflib datatype IRIs by IRI string, made once: most literals share a few datatypes.
_DATATYPES: dict[str, URIRef] = {}
_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
_XSD_INTEGER = "http://www.w3.org/2001/XMLSchema#integer"
_SLOTS = ("_language", "_datatype", "_value", "_ill_typed")


def _datatype(iri: str) -> URIRef:
    found = _DATATYPES.get(iri)
    if found is None:
        found = _DATATYPES[iri] = URIRef(iri)
    return found


def _prebuilt(lexical: str, datatype: URIRef | None, value: object, ill_typed: bool | None) -> Literal:
    """A Literal built without ``Literal.__new__``'s parsing and normalising, for the two
    kinds whose result is known: plain strings and canonical integers (most of what
    queries return). :func:`_prebuilt_is_exact` checks it against rdflib at import."""
    literal = str.__new__(Literal, lexical)
    literal._language = None
    literal._datatype = datatype
    literal._value = value
    literal._ill_typed = ill_typed
    return literal


def _prebuilt_is_exact() -> bool:
    """True if this rdflib's Literal has the slots _prebuilt fills, with the same values."""
    if getattr(Literal, "__slots__", None) != _SLOTS:
        return False
    integer = _datatype(_XSD_INTEGER)
    pairs = ((_prebuilt("a b", None, "a b", None), Literal("a b")), (_prebuilt("12", integer, 12, False), Literal("12", datatype=integer)))
    return all(
        fast == slow and hash(fast) == hash(slow) and all(getattr(fast, s) == getattr(slow, s) for s in _SLOTS)
        for fast, slow in pairs
    )


_FAST_LITERALS = _prebuilt_is_exact()


def to_rdflib(term: ox.NamedNode | ox.BlankNode | ox.Literal) -> RdflibTerm:
    """Return the rdflib term equal to a pyoxigraph term.

    >>> to_rdflib(ox.Literal("12", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")))
    rdflib.term.Literal('12', datatype=rdflib.term.URIRef('http://www.w3.org/2001/XMLSchema#integer'))
    """
    if isinstance(term, ox.NamedNode):
        # Oxigraph has already checked the IRI: skip URIRef's check (a third of the cost).
        return str.__new__(URIRef, term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        lexical, datatype = term.value, term.datatype.value
        if datatype == _XSD_STRING:
            return _prebuilt(lexical, None, lexical, None) if _FAST_LITERALS else Literal(lexical)
        if _FAST_LITERALS and datatype == _XSD_INTEGER and lexical.isascii() and lexical.isdigit() and (
            lexical == "0" or lexical[0] != "0"
        ):
            return _prebuilt(lexical, _datatype(datatype), int(lexical), False)
        return Literal(lexical, datatype=_datatype(datatype))
    if isinstance(term, ox.BlankNode):
        return str.__new__(BNode, term.value)
    raise TypeError(f"not an RDF term: {term!r}")


def to_oxigraph(term: Identifier) -> ox.NamedNode | ox.BlankNode | ox.Literal:
    """Return the pyoxigraph term equal to an rdflib term."""
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype is not None:
            return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
        return ox.Literal(str(term))
    raise TypeError(f"not an RDF term: {term!r}")
