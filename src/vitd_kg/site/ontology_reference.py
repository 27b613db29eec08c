"""The ontology reference page, made by pyLODE (``pip install 'vitd-kg[docs]'``).

pyLODE's OntPub profile lists every class and property with its label, definition
(``skos:definition``), domain, range, super- and subclasses. Two things it leaves out
are added here:

* mappings to external terms: ``skos:exactMatch``, ``skos:closeMatch`` and
  ``skos:broadMatch`` rows are shown on each class and property (pyLODE prints the
  properties of a fixed list; the three are appended to it for the duration of one
  call);
* the named individuals (study designs, evidence levels, modalities, relations, ...),
  which the site lists on its own vocabularies page.

pyLODE 3.4.1 cannot be imported from a wheel (it reads its own pyproject.toml,
upstream issue RDFLib/pyLODE#256), so the ``docs`` extra pins ``pylode>=3.3,<3.4``.
"""

from __future__ import annotations

import json
import logging
import re
from contextlib import contextmanager
from typing import Iterator

from rdflib import Graph
from rdflib.namespace import SKOS

from vitd_kg.errors import MissingExtraError

#: The SKOS mapping properties shown on every class and property, with the row title
#: and tooltip pyLODE prints for each.
MAPPINGS = {
    SKOS.exactMatch: ("exact match", "The same concept in another vocabulary"),
    SKOS.closeMatch: ("close match", "A concept of another vocabulary close enough to use in some applications"),
    SKOS.broadMatch: ("broad match", "A broader concept of another vocabulary"),
}


@contextmanager
def _with_mapping_rows() -> Iterator[None]:
    """Let pyLODE print the SKOS mapping properties, and restore its lists afterwards."""
    from pylode import rdf_elements

    lists = (rdf_elements.CLASS_PROPS, rdf_elements.PROP_PROPS)
    added = [(props, m) for props in lists for m in MAPPINGS if m not in props]
    for props, mapping in added:
        props.append(mapping)
    try:
        yield
    finally:
        for props, mapping in added:
            props.remove(mapping)


def ontology_reference_html(ontology: Graph) -> str:
    """Return pyLODE's HTML reference of ``ontology`` (an rdflib graph of the OWL file).

    Raises :class:`MissingExtraError` with an install hint where pyLODE is missing.
    """
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    try:
        from pylode import OntPub
    except ImportError as error:
        raise MissingExtraError(
            f"the ontology reference needs pyLODE, which cannot be imported ({error})",
            hint="install the documentation extra: pip install 'vitd-kg[docs]'",
        ) from None
    finally:  # pyLODE sets up the root logger at DEBUG on import: undo that
        for handler in root.handlers[:]:
            if handler not in handlers:
                root.removeHandler(handler)
        root.setLevel(level)
    copy = Graph()
    for prefix, namespace in ontology.namespaces():
        copy.bind(prefix, namespace)
    for triple in ontology:  # pyLODE adds its own inferences to the graph it is given
        copy.add(triple)
    with _with_mapping_rows():
        publication = OntPub(ontology=copy, sort_subjects=True)
        for mapping, (title, description) in MAPPINGS.items():
            publication.props_labeled.setdefault(
                mapping, {"title": title, "description": description, "ont_title": "SKOS"}
            )
        return _sorted_markup(publication.make_html())


_MARKUP = re.compile(r'(<script id="schema.org" type="application/ld\+json">\n)(.*?)(\n\s*</script>)', re.DOTALL)


def _sorted_markup(html: str) -> str:
    r"""pyLODE's schema.org JSON-LD with its nodes sorted by ``@id``: rdflib lists them in an
    order that changes with the Python hash seed, so two builds of one ontology differed.

    >>> page = '<script id="schema.org" type="application/ld+json">\n[{"@id": "b"}, {"@id": "a"}]\n</script>'
    >>> print(_sorted_markup(page))
    <script id="schema.org" type="application/ld+json">
    [
      {
        "@id": "a"
      },
      {
        "@id": "b"
      }
    ]
    </script>
    """

    def ordered(match: re.Match[str]) -> str:
        try:
            nodes = json.loads(match.group(2))
        except ValueError:
            return match.group(0)  # not JSON pyLODE wrote: left as it is
        if isinstance(nodes, list):
            nodes.sort(key=lambda node: json.dumps(node, sort_keys=True))
            nodes.sort(key=lambda node: str(node.get("@id", "")) if isinstance(node, dict) else "")
        return match.group(1) + json.dumps(nodes, indent=2, ensure_ascii=False) + match.group(3)

    return _MARKUP.sub(ordered, html, count=1)
