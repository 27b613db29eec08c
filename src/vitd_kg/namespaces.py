"""The namespaces of vitd-kg, declared once.

Every module, query binding and serializer takes its prefixes from here, so an IRI
base changes in one place. The IRIs are plain strings; the ``rdflib.Namespace``
objects (``VITD``, ``ID``, ``OA``, ...) are made on first use, so code that only
needs strings (the ``vitd-kg claims`` command) does not import rdflib.

>>> from vitd_kg.namespaces import ID, VITD
>>> str(VITD.Claim)
'https://w3id.org/vitd-kg/ontology#Claim'
>>> str(ID["claim/ma-strength"])
'https://w3id.org/vitd-kg/id/claim/ma-strength'
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Mapping

if TYPE_CHECKING:  # pragma: no cover
    from rdflib import Namespace

    VITD: Namespace
    ID: Namespace
    OA: Namespace
    BIBO: Namespace
    OBO: Namespace

BASE = "https://w3id.org/vitd-kg/"
ONTOLOGY_IRI = BASE + "ontology"
#: The ontology namespace and the namespace of the data's resources, as strings.
VITD_IRI = ONTOLOGY_IRI + "#"
ID_IRI = BASE + "id/"
#: The project, as the agent that creates the ontology and the data (never a person's name).
PROJECT_AGENT = ID_IRI + "agent/vitd-kg-project"

#: Kinds of resource under ``ID``; each gets its own prefix (``claim:``, ``study:``...).
ID_KINDS = (
    "claim",
    "study",
    "population",
    "criterion",
    "intervention",
    "comparator",
    "effect",
    "estimate",
    "concept",
    "sentence",
    "section",
    "agent",
    "difference",  # subgroup difference tests (issue 15)
)

#: Prefix -> namespace IRI for every prefix the package writes or reads.
PREFIXES: dict[str, str] = {
    "vitd": VITD_IRI,
    **{kind: f"{ID_IRI}{kind}/" for kind in ID_KINDS},
    "doc": f"{ID_IRI}document/",  # the source document itself
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "dcterms": "http://purl.org/dc/terms/",
    "prov": "http://www.w3.org/ns/prov#",
    "oa": "http://www.w3.org/ns/oa#",
    "bibo": "http://purl.org/ontology/bibo/",
    "obo": "http://purl.obolibrary.org/obo/",
}

#: The rdflib.Namespace objects this module offers, by name -> namespace IRI.
_NAMESPACES = {
    "VITD": VITD_IRI,
    "ID": ID_IRI,
    "OA": PREFIXES["oa"],
    "BIBO": PREFIXES["bibo"],
    "OBO": PREFIXES["obo"],
}


def __getattr__(name: str) -> Any:
    """Make ``VITD``, ``ID``, ``OA``, ``BIBO`` and ``OBO`` on first use (and hand out
    rdflib's ``RDF``, ``RDFS``, ``OWL``, ``XSD``, ``SKOS``, ``DCTERMS``, ``PROV``)."""
    if name in ("RDF", "RDFS", "OWL", "XSD", "SKOS", "DCTERMS", "PROV"):
        from rdflib import namespace

        return getattr(namespace, name)
    if name in _NAMESPACES:
        from rdflib import Namespace

        value = Namespace(_NAMESPACES[name])
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def claim_iri(claim_id: str) -> str:
    """Return the IRI of a claim from its short id (``ma-strength``) or its IRI.

    >>> claim_iri("ma-strength")
    'https://w3id.org/vitd-kg/id/claim/ma-strength'
    """
    return claim_id if "://" in claim_id else f"{ID_IRI}claim/{claim_id}"


def claim_id(iri: str) -> str:
    """Return the short id of a claim IRI (the inverse of :func:`claim_iri`)."""
    prefix = f"{ID_IRI}claim/"
    return iri[len(prefix):] if iri.startswith(prefix) else iri


#: A local name that Turtle and SPARQL accept after ``prefix:`` without escapes.
_LOCAL_NAME = re.compile(r"[A-Za-z0-9_](?:[A-Za-z0-9_.-]*[A-Za-z0-9_-])?|")


@lru_cache(maxsize=8)
def _longest_first(prefixes: tuple[tuple[str, str], ...]) -> tuple[tuple[str, str], ...]:
    return tuple(sorted(prefixes, key=lambda item: -len(item[1])))


def curie(iri: str, *, brackets: bool = False, prefixes: Mapping[str, str] = PREFIXES) -> str:
    """The CURIE of an IRI under the longest namespace of ``prefixes`` that fits, else the IRI.

    The one place that shortens IRIs for people (tables, pages, pictures, reports). A
    local part that is not a plain name (it holds ``/``, ``#``...) is not shortened;
    ``brackets=True`` writes an IRI that stays long as ``<iri>`` (blank nodes ``_:b``
    pass unchanged). A hand-written longest-prefix match, not the ``curies`` package:
    that one imports pydantic, which costs more than a whole ``vitd-kg claims`` run.

    >>> curie("https://w3id.org/vitd-kg/id/claim/ma-strength")
    'claim:ma-strength'
    >>> curie("http://purl.obolibrary.org/obo/CHEBI_27300")
    'obo:CHEBI_27300'
    >>> curie("https://example.org/x", brackets=True)
    '<https://example.org/x>'
    """
    if prefixes is PREFIXES:
        return _package_curie(iri, brackets)
    return _curie(iri, brackets, _longest_first(tuple(prefixes.items())))


def _curie(iri: str, brackets: bool, ordered: tuple[tuple[str, str], ...]) -> str:
    for prefix, namespace in ordered:
        if iri.startswith(namespace) and _LOCAL_NAME.fullmatch(iri[len(namespace):]):
            return f"{prefix}:{iri[len(namespace):]}"
    if brackets and not iri.startswith("_:"):
        return f"<{iri}>"
    return iri


@lru_cache(maxsize=1 << 16)
def _package_curie(iri: str, brackets: bool) -> str:
    """:func:`curie` under the package's prefixes, kept per IRI (a claim table asks for the
    same IRIs over and over)."""
    return _curie(iri, brackets, _longest_first(tuple(PREFIXES.items())))


def expand(text: str, *, prefixes: Mapping[str, str] = PREFIXES) -> str | None:
    """The IRI of a CURIE with a known prefix (``claim:ma-strength``), else ``None``.

    >>> expand("claim:ma-strength")
    'https://w3id.org/vitd-kg/id/claim/ma-strength'
    >>> expand("nope:x") is None
    True
    """
    prefix, sep, local = text.partition(":")
    if sep and prefix in prefixes and not local.startswith("//"):
        return prefixes[prefix] + local
    return None
