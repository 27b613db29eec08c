"""The model diagram draws every class, subclass link and declared relation of the ontology."""

from __future__ import annotations

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import OWL, RDF, RDFS

from vitd_kg import resources
from vitd_kg import write_model_diagram
from vitd_kg.site.diagram import model_graph
from vitd_kg import load_store
from vitd_kg.namespaces import VITD

ONTOLOGY = Graph().parse(data=resources.ontology_file().read_text(encoding="utf-8"), format="turtle")
CLASSES = sorted(c for c in ONTOLOGY.subjects(RDF.type, OWL.Class) if str(c).startswith(str(VITD)))


def local(term: URIRef) -> str:
    return str(term)[len(str(VITD)):]


@pytest.fixture(scope="module")
def dot() -> str:
    return model_graph(load_store()).source


@pytest.mark.parametrize("cls", CLASSES, ids=local)
def test_every_class_is_a_box_with_its_label_and_datatype_properties(cls, dot):
    assert f"vitd__{local(cls)} [label=" in dot
    assert str(ONTOLOGY.value(cls, RDFS.label)) in dot
    for prop in ONTOLOGY.subjects(RDFS.domain, cls):
        if (prop, RDF.type, OWL.DatatypeProperty) in ONTOLOGY:
            assert local(prop) in dot


def test_every_subclass_link_is_drawn(dot):
    for sub, sup in ONTOLOGY.subject_objects(RDFS.subClassOf):
        if str(sub).startswith(str(VITD)) and isinstance(sup, URIRef):
            target = f"vitd__{local(sup)}" if str(sup).startswith(str(VITD)) else None
            if target:
                assert f"vitd__{local(sub)} -> {target} [arrowhead=onormal" in dot


def test_every_object_property_with_declared_domain_and_range_is_an_arrow(dot):
    for prop in ONTOLOGY.subjects(RDF.type, OWL.ObjectProperty):
        domain, rng = ONTOLOGY.value(prop, RDFS.domain), ONTOLOGY.value(prop, RDFS.range)
        if domain is None or rng is None or not str(rng).startswith(str(VITD)):
            continue
        assert f"vitd__{local(domain)} -> vitd__{local(rng)} [label={local(prop)} style=solid]" in dot


def test_a_range_only_property_is_drawn_dashed_from_the_classes_that_use_it(dot):
    assert "vitd__Study -> vitd__Intervention [label=intervention style=dashed]" in dot
    assert "vitd__Effect -> vitd__Outcome [label=outcome style=dashed]" in dot


@pytest.mark.parametrize("suffix, magic", [(".svg", b"<svg"), (".png", b"\x89PNG")])
def test_svg_and_png(tmp_path, suffix, magic):
    out = tmp_path / f"model{suffix}"
    write_model_diagram(out)
    assert magic in out.read_bytes()[:400]
