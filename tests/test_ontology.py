"""The ontology is documented and carries release metadata."""

from __future__ import annotations

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS

from vitd_kg import resources
from vitd_kg.namespaces import ONTOLOGY_IRI, VITD

ONTOLOGY = Graph().parse(data=resources.ontology_file().read_text(encoding="utf-8"), format="turtle")
TERMS = sorted(
    {
        s
        for kind in (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty, OWL.NamedIndividual)
        for s in ONTOLOGY.subjects(RDF.type, kind)
        if isinstance(s, URIRef) and str(s).startswith(str(VITD))
    }
)


@pytest.mark.parametrize("term", TERMS, ids=[str(t)[len(str(VITD)):] for t in TERMS])
def test_every_term_has_a_label_and_a_definition(term):
    assert ONTOLOGY.value(term, RDFS.label) is not None
    assert ONTOLOGY.value(term, SKOS.definition) is not None


def test_ontology_header():
    iri = URIRef(ONTOLOGY_IRI)
    assert (iri, RDF.type, OWL.Ontology) in ONTOLOGY
    for prop in (OWL.versionIRI, DCTERMS.license, DCTERMS.title, DCTERMS.description, OWL.versionInfo):
        assert ONTOLOGY.value(iri, prop) is not None, prop
    assert str(ONTOLOGY.value(iri, OWL.versionIRI)).startswith(ONTOLOGY_IRI + "/")


def test_no_owl_imports():
    """Nothing is fetched at load time."""
    assert not list(ONTOLOGY.objects(None, OWL.imports))


def test_every_vitd_term_used_in_the_data_is_defined(graph):
    used = {t for triple in graph for t in triple if isinstance(t, URIRef) and str(t).startswith(str(VITD))}
    undefined = sorted(str(t) for t in used if (t, None, None) not in ONTOLOGY)
    assert not undefined
