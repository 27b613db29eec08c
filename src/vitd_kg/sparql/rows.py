"""Query rows without rdflib: IRIs, literals and blank nodes as tagged strings.

The package's own commands read rows of these (rdflib takes longer to import than
``vitd-kg claims`` takes to run); the public :func:`vitd_kg.query` hands out rdflib
terms instead.

>>> literal = Lit("12", "http://www.w3.org/2001/XMLSchema#integer")
>>> literal == "12", literal.datatype.endswith("#integer")
(True, True)
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any


class Iri(str):
    """An IRI in a light row: the string is the IRI."""

    __slots__ = ()


class Lit(str):
    """A literal in a light row: the string is its lexical form."""

    datatype: str | None
    language: str | None

    def __new__(cls, value: str, datatype: str | None = None, language: str | None = None) -> "Lit":
        literal = super().__new__(cls, value)
        literal.datatype = datatype
        literal.language = language
        return literal


class Blank(str):
    """A blank node in a light row: the string is its label."""

    __slots__ = ()


#: A row: variable name -> term (unbound variables are left out).
LightRow = dict[str, str]
#: A row of rdflib terms, as :func:`vitd_kg.query` returns them.
Row = dict[str, Any]


def light_term(term: Any) -> str:
    """A pyoxigraph term as an :class:`Iri`, :class:`Lit` or :class:`Blank`."""
    import pyoxigraph as ox

    if isinstance(term, ox.NamedNode):
        return Iri(term.value)
    if isinstance(term, ox.Literal):
        return Lit(term.value, term.datatype.value if not term.language else None, term.language)
    return Blank(term.value)


def python_value(term: Any) -> Any:
    """An rdflib term as a plain Python value (IRIs as strings, numbers as numbers, ``None`` stays).

    >>> from rdflib import Literal
    >>> python_value(Literal("0.17", datatype="http://www.w3.org/2001/XMLSchema#decimal"))
    0.17
    """
    if term is None:
        return None
    if type(term).__name__ == "Literal":
        value = term.toPython()
        if isinstance(value, Decimal):
            return float(value)
        return value if isinstance(value, (int, float, bool, str)) else str(term)
    return str(term)
