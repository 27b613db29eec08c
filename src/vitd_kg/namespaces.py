"""The namespaces of vitd-kg, declared once.

Every module, query binding and serializer takes its prefixes from here, so an IRI
base changes in one place.

>>> from vitd_kg.namespaces import ID, VITD
>>> str(VITD.Claim)
'https://w3id.org/vitd-kg/ontology#Claim'
>>> str(ID["claim/ma-strength"])
'https://w3id.org/vitd-kg/id/claim/ma-strength'
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rdflib import Namespace

BASE = "https://w3id.org/vitd-kg/"
ONTOLOGY_IRI = BASE + "ontology"

#: The IRIs of the namespaces, as strings; the rdflib ``Namespace`` objects below
#: (``VITD``, ``ID``...) are made from these on first use, so that commands which never
#: touch rdflib (``vitd-kg stats``) do not pay for importing it.
_NAMESPACE_IRIS = {
    "VITD": ONTOLOGY_IRI + "#",
    "ID": BASE + "id/",
    "OA": "http://www.w3.org/ns/oa#",
    "BIBO": "http://purl.org/ontology/bibo/",
    "OBO": "http://purl.obolibrary.org/obo/",
}
VITD: Namespace
ID: Namespace
OA: Namespace
BIBO: Namespace
OBO: Namespace


def __getattr__(name: str) -> Namespace:
    """Make ``VITD``, ``ID``, ``OA``, ``BIBO`` and ``OBO`` on first use (PEP 562)."""
    if name not in _NAMESPACE_IRIS:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from rdflib import Namespace

    namespace = Namespace(_NAMESPACE_IRIS[name])
    globals()[name] = namespace
    return namespace


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
)

#: Prefix -> namespace IRI for every prefix the package writes or reads.
PREFIXES: dict[str, str] = {
    "vitd": _NAMESPACE_IRIS["VITD"],
    **{kind: f"{_NAMESPACE_IRIS['ID']}{kind}/" for kind in ID_KINDS},
    "doc": f"{_NAMESPACE_IRIS['ID']}document/",  # the source document itself
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "dcterms": "http://purl.org/dc/terms/",
    "prov": "http://www.w3.org/ns/prov#",
    "oa": _NAMESPACE_IRIS["OA"],
    "bibo": _NAMESPACE_IRIS["BIBO"],
    "obo": _NAMESPACE_IRIS["OBO"],
}


def claim_iri(claim_id: str) -> str:
    """Return the IRI of a claim from its short id (``ma-strength``) or its IRI.

    >>> claim_iri("ma-strength")
    'https://w3id.org/vitd-kg/id/claim/ma-strength'
    """
    return claim_id if "://" in claim_id else f"{PREFIXES['claim']}{claim_id}"


def claim_id(iri: str) -> str:
    """Return the short id of a claim IRI (the inverse of :func:`claim_iri`)."""
    prefix = PREFIXES["claim"]
    return iri[len(prefix):] if iri.startswith(prefix) else iri
