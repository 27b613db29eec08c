"""The namespaces of vitd-kg, declared once.

Every module, query binding and serializer takes its prefixes from here, so an IRI
base changes in one place.

>>> str(VITD.Claim)
'https://w3id.org/vitd-kg/ontology#Claim'
>>> str(ID["claim/ma-strength"])
'https://w3id.org/vitd-kg/id/claim/ma-strength'
"""

from __future__ import annotations

from rdflib import Namespace
from rdflib.namespace import DCTERMS, OWL, PROV, RDF, RDFS, SKOS, XSD

BASE = "https://w3id.org/vitd-kg/"
ONTOLOGY_IRI = BASE + "ontology"
VITD = Namespace(ONTOLOGY_IRI + "#")
ID = Namespace(BASE + "id/")
OA = Namespace("http://www.w3.org/ns/oa#")
BIBO = Namespace("http://purl.org/ontology/bibo/")
OBO = Namespace("http://purl.obolibrary.org/obo/")

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
    "vitd": str(VITD),
    **{kind: f"{ID}{kind}/" for kind in ID_KINDS},
    "doc": f"{ID}document/",  # the source document itself
    "rdf": str(RDF),
    "rdfs": str(RDFS),
    "owl": str(OWL),
    "xsd": str(XSD),
    "skos": str(SKOS),
    "dcterms": str(DCTERMS),
    "prov": str(PROV),
    "oa": str(OA),
    "bibo": str(BIBO),
    "obo": str(OBO),
}


def claim_iri(claim_id: str) -> str:
    """Return the IRI of a claim from its short id (``ma-strength``) or its IRI.

    >>> claim_iri("ma-strength")
    'https://w3id.org/vitd-kg/id/claim/ma-strength'
    """
    return claim_id if "://" in claim_id else f"{ID}claim/{claim_id}"


def claim_id(iri: str) -> str:
    """Return the short id of a claim IRI (the inverse of :func:`claim_iri`)."""
    prefix = f"{ID}claim/"
    return iri[len(prefix):] if iri.startswith(prefix) else iri
