"""JSON-LD for JSON users: the graph as plain JSON keys and values, and back, with nothing fetched.

The bundled ``@context`` (``ontology/context.jsonld``) gives every vitd class and
property a plain key (``"forPopulation"``, not ``"vitd:forPopulation"``), makes links
strings (``"forPopulation": "population:cai-2019-patients"``, and vocabulary values
by their local name: ``"modality": "Asserted"``), and types literals so that they come
back as the same RDF terms:

- integers and booleans are JSON numbers and booleans (JSON-LD maps them to
  ``xsd:integer`` and ``xsd:boolean``);
- decimals (estimates, p-values, confidence bounds) are strings such as ``"0.17"``
  under keys typed ``xsd:decimal``, because JSON-LD turns a JSON number with a
  fraction into an ``xsd:double`` and the figures are exact decimals; the one
  property that holds both, ``vitd:value``, is ``"value"`` for decimals and
  ``"integerValue"`` for integers;
- dates and years are strings under keys typed ``xsd:date`` / ``xsd:gYear``.

Five vitd properties share their local name with a data prefix (``population:``,
``criterion:``, ``intervention:``, ``comparator:``, ``estimate:``), so their keys
are ``hasPopulation``, ``hasCriterion``, ``hasIntervention``, ``hasComparator`` and
``hasEstimate``.

Every function here resolves contexts with a document loader that refuses every URL:
a document that names a remote ``@context`` is an error, never a download.

>>> nt = b'<https://w3id.org/vitd-kg/id/effect/x> <https://w3id.org/vitd-kg/ontology#magnitudeValue> "70"^^<http://www.w3.org/2001/XMLSchema#integer> .\\n'
>>> document = compact(nt)
>>> document["@graph"][0]
{'@id': 'effect:x', 'magnitudeValue': 70}
>>> to_nquads(document) == nt
True
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from pyld import jsonld

from . import resources

XSD = "http://www.w3.org/2001/XMLSchema#"
_CANONICAL_INTEGER = re.compile(r"-?(0|[1-9][0-9]*)")

JsonLdError = jsonld.JsonLdError


class RemoteDocumentRefused(JsonLdError):
    """A JSON-LD document or context named a URL; nothing is fetched at run time."""

    def __init__(self, url: str) -> None:
        super().__init__(
            f"refused to fetch {url}: vitd-kg fetches no remote JSON-LD document or context; "
            "embed the @context object in the document instead",
            "jsonld.LoadDocumentError",
            {"url": url},
            code="loading document failed",
        )


def refuse_remote_documents(url: str, options: Mapping[str, Any] | None = None) -> dict:
    """A pyld document loader that refuses every URL (raises :class:`RemoteDocumentRefused`)."""
    raise RemoteDocumentRefused(url)


def bundled_context() -> dict[str, Any]:
    """The bundled ``@context`` object: prefixes, ``@vocab`` and a term for every vitd class and property.

    >>> bundled_context()["forPopulation"]
    {'@id': 'vitd:forPopulation', '@type': '@id'}
    """
    document = json.loads(resources.context_file().read_text(encoding="utf-8"))
    return document["@context"]


def compact(rdf: bytes | str, *, context: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """N-Triples or N-Quads as a compacted JSON-LD document with the bundled context embedded.

    Integers and booleans in their canonical form become JSON numbers and booleans;
    every other literal keeps its datatype (through the context's coercions, or as a
    ``{"@value", "@type"}`` object where no key is typed for it), so :func:`to_nquads`
    gives back the same triples. Nodes of ``@graph`` are sorted by ``@id``.
    """
    text = rdf.decode("utf-8") if isinstance(rdf, bytes) else rdf
    options = {"format": "application/n-quads", "useNativeTypes": False}
    expanded = jsonld.from_rdf(text, options)
    _use_native_numbers_and_booleans(expanded)
    active = dict(context) if context is not None else bundled_context()
    document = jsonld.compact(
        expanded, {"@context": active}, {"documentLoader": refuse_remote_documents, "base": ""}
    )
    if "@graph" not in document:  # a single node is compacted to the top level
        node = {k: v for k, v in document.items() if k != "@context"}
        document = {"@context": document["@context"], "@graph": [node] if node else []}
    document["@graph"] = sorted(document["@graph"], key=lambda node: str(node.get("@id", "")))
    return document


def expand(document: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The expanded form of a JSON-LD document (full IRIs, explicit types), fetching nothing."""
    return jsonld.expand(dict(document), {"documentLoader": refuse_remote_documents, "base": ""})


def to_nquads(document: Mapping[str, Any]) -> bytes:
    """A JSON-LD document (compacted with the bundled context, or any other) as N-Quads.

    A document without named graphs gives N-Triples (N-Quads with no graph name).
    Raises :class:`RemoteDocumentRefused` if the document names a remote context.
    """
    text = jsonld.to_rdf(
        dict(document),
        {"format": "application/n-quads", "documentLoader": refuse_remote_documents, "base": ""},
    )
    return text.encode("utf-8")


def _use_native_numbers_and_booleans(value: Any) -> None:
    """In expanded JSON-LD, turn canonical xsd:integer and xsd:boolean values into JSON ones, in place.

    Only canonical lexical forms are turned ("12", not "012"; "true", not "1"), so the
    conversion back to RDF writes the same literal.
    """
    if isinstance(value, list):
        for item in value:
            _use_native_numbers_and_booleans(item)
    elif isinstance(value, dict):
        if "@value" in value:
            datatype, lexical = value.get("@type"), value["@value"]
            if datatype == XSD + "integer" and isinstance(lexical, str) and _CANONICAL_INTEGER.fullmatch(lexical):
                if lexical != "-0":
                    value["@value"] = int(lexical)
                    del value["@type"]
            elif datatype == XSD + "boolean" and lexical in ("true", "false"):
                value["@value"] = lexical == "true"
                del value["@type"]
            return
        for item in value.values():
            _use_native_numbers_and_booleans(item)
