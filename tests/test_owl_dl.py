"""The shipped ontology is OWL 2 DL: HermiT reads it as it is, with nothing left out.

What OWL tools (Protégé, ROBOT, the OWL API, owlready2) get from the package:

- the ontology in Turtle and in the release's RDF/XML (``vitd-kg dist OUT`` writes
  ``OUT/ontology/vitd.rdf`` with Oxigraph) loads into owlready2 and HermiT classifies
  it, with no class unsatisfiable;
- the ontology with the bundled data is consistent under HermiT, every triple given to it;
- every IRI the ontology and the data use is declared (a class, an object, datatype or
  annotation property, an individual) or is OWL, RDF(S) or XSD vocabulary, no property
  is used as two kinds, and the literals OWL reasons over use datatypes of the OWL 2
  datatype map (annotations, which reasoners skip, may carry xsd:date or xsd:gYear);
- the OWL API's own OWL 2 DL profile checker (shipped inside owlready2's HermiT.jar)
  finds no violation;
- the Turtle files parse with two independent parsers, Raptor's ``rapper`` and Jena's ``riot``.

The tests that need Java skip when it is absent, and those that need ``rapper`` or a
working Jena skip when they are not installed.
"""

from __future__ import annotations

import contextlib
import io
import shutil
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

import pytest
from rdflib import Graph, Literal, Namespace, URIRef

# Plain namespaces: rdflib's defined ones warn when pytest looks up attributes on them.
OWL = Namespace("http://www.w3.org/2002/07/owl#")
RDF = Namespace("http://www.w3.org/1999/02/22-rdf-syntax-ns#")
RDFS = Namespace("http://www.w3.org/2000/01/rdf-schema#")
XSD = Namespace("http://www.w3.org/2001/XMLSchema#")

import vitd_kg
from vitd_kg import resources

owlready2 = pytest.importorskip("owlready2")

JAVA = shutil.which("java")
needs_java = pytest.mark.skipif(JAVA is None, reason="HermiT and the OWL API need Java")

#: The OWL 2 datatype map (OWL 2 Structural Specification, section 4), plus rdfs:Literal.
OWL2_DATATYPES = frozenset(
    [XSD[name] for name in (
        "string normalizedString token language Name NCName NMTOKEN decimal integer long int short byte "
        "nonNegativeInteger nonPositiveInteger positiveInteger negativeInteger unsignedLong unsignedInt "
        "unsignedShort unsignedByte double float boolean hexBinary base64Binary anyURI dateTime dateTimeStamp"
    ).split()]
    + [RDF.PlainLiteral, RDF.XMLLiteral, RDF.langString, RDFS.Literal, OWL.real, OWL.rational]
)
BUILT_IN_NAMESPACES = (str(OWL), str(RDF), str(RDFS), str(XSD))
#: Predicates of the RDF mapping of OWL 2 that are not declared entities themselves.
STRUCTURAL = {
    RDF.type, RDF.first, RDF.rest, RDFS.subClassOf, RDFS.subPropertyOf, RDFS.domain, RDFS.range,
    OWL.members, OWL.versionIRI, OWL.imports, OWL.disjointWith, OWL.equivalentClass, OWL.inverseOf,
}
#: OWL 2 built-in annotation properties (Structural Specification, section 5.5).
BUILT_IN_ANNOTATIONS = {
    RDFS.label, RDFS.comment, RDFS.seeAlso, RDFS.isDefinedBy, OWL.deprecated, OWL.versionInfo,
    OWL.priorVersion, OWL.backwardCompatibleWith, OWL.incompatibleWith,
}
#: What the OWL 2 RDF mapping lets rdf:type point to besides a declared class.
OWL_TYPES = {
    OWL.Ontology, OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty,
    OWL.NamedIndividual, OWL.FunctionalProperty, OWL.AllDisjointClasses, RDFS.Datatype,
}


# --------------------------------------------------------------------------- inputs


def ontology_graph() -> Graph:
    return Graph().parse(data=resources.ontology_file().read_text(encoding="utf-8"), format="turtle")


@pytest.fixture(scope="module")
def release_rdfxml(tmp_path_factory) -> Path:
    """The RDF/XML ontology as the release writes it (``vitd-kg dist OUT``)."""
    out = tmp_path_factory.mktemp("release")
    done = subprocess.run([sys.executable, "-m", "vitd_kg", "dist", str(out)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return out / "ontology" / "vitd.rdf"


def turtle_files() -> list[Path]:
    """Every Turtle file of ontology/ and data/ as they sit in the source tree."""
    folders = [Path(str(resources.ontology_dir())), Path(str(resources.data_dir()))]
    return sorted(path for folder in folders for path in folder.glob("*.ttl"))


# --------------------------------------------------------------------------- HermiT


def hermit(triples: bytes, rdf_format: str) -> "owlready2.World":
    """Load triples into a fresh owlready2 world and run HermiT on it (raises on inconsistency).

    owlready2 parses RDF/XML and N-Triples itself; it has no Turtle parser, so Turtle is
    handed to it as the N-Triples rdflib writes from it, triple for triple.
    """
    world = owlready2.World()
    ontology = world.get_ontology("https://w3id.org/vitd-kg/ontology")
    ontology.load(fileobj=io.BytesIO(triples), format=rdf_format)
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        owlready2.sync_reasoner_hermit(world, infer_property_values=False, debug=0)
    return world


def assert_classified(world: "owlready2.World", expected_triples: int) -> None:
    vitd = "https://w3id.org/vitd-kg/ontology#"
    assert len(world.graph) >= expected_triples  # nothing was dropped on the way in
    assert list(world.inconsistent_classes()) == []
    finding = world.search_one(iri=vitd + "ConclusionClaim")
    assert {c.iri for c in finding.ancestors()} >= {vitd + "SynthesisClaim", vitd + "Claim", "http://www.w3.org/ns/prov#Entity"}


@needs_java
def test_hermit_classifies_the_turtle_ontology_with_nothing_left_out():
    graph = ontology_graph()
    world = hermit(graph.serialize(format="nt", encoding="utf-8"), "ntriples")
    assert_classified(world, len(graph))


@needs_java
def test_hermit_classifies_the_rdfxml_ontology_of_the_release(release_rdfxml):
    reparsed = Graph().parse(release_rdfxml, format="xml")
    assert len(reparsed) == len(ontology_graph())
    world = hermit(release_rdfxml.read_bytes(), "rdfxml")
    assert_classified(world, len(reparsed))


@needs_java
def test_ontology_and_bundled_data_are_consistent_with_nothing_left_out(graph):
    hermit(graph.serialize(format="nt", encoding="utf-8"), "ntriples")  # raises if inconsistent


@needs_java
def test_hermit_still_finds_an_inconsistency(graph):
    """The check above can fail: a claim that is also a study contradicts the disjointness axiom."""
    broken = Graph() + graph
    broken.add((URIRef("https://w3id.org/vitd-kg/id/claim/ma-strength"), RDF.type, URIRef("https://w3id.org/vitd-kg/ontology#Study")))
    with pytest.raises(owlready2.OwlReadyInconsistentOntologyError):
        hermit(broken.serialize(format="nt", encoding="utf-8"), "ntriples")


# --------------------------------------------------------------------------- declarations


class Declarations:
    """The entities a graph declares, by kind."""

    def __init__(self, graph: Graph) -> None:
        self.graph = graph
        kinds = {
            "class": OWL.Class, "object": OWL.ObjectProperty, "datatype": OWL.DatatypeProperty,
            "annotation": OWL.AnnotationProperty,
        }
        self.of_kind = {name: set(graph.subjects(RDF.type, iri)) for name, iri in kinds.items()}
        self.classes = self.of_kind["class"]
        self.individuals = set(graph.subjects(RDF.type, OWL.NamedIndividual)) | {
            s for s, cls in graph.subject_objects(RDF.type) if cls in self.classes
        }
        self.entities = set().union(*self.of_kind.values()) | self.individuals

    def kind_of(self, prop: URIRef) -> set[str]:
        found = {name for name in ("object", "datatype", "annotation") if prop in self.of_kind[name]}
        if prop in BUILT_IN_ANNOTATIONS:
            found.add("annotation")
        return found


def declaration_problems(graph: Graph) -> list[str]:
    """Every use of an IRI that OWL 2 DL would not accept as declared and typed."""
    declared = Declarations(graph)
    problems: list[str] = []

    def is_class(term) -> bool:
        return term in declared.classes or term == OWL.Thing

    for prop in set().union(*(declared.of_kind[k] for k in ("object", "datatype", "annotation"))):
        if len(declared.kind_of(prop)) > 1:
            problems.append(f"{prop} is declared as {sorted(declared.kind_of(prop))} properties (illegal punning)")
    for cls in declared.classes:
        if str(cls).startswith(BUILT_IN_NAMESPACES):
            problems.append(f"{cls} is reserved vocabulary declared as a class")

    for s, p, o in graph:
        if p in STRUCTURAL:
            if p == RDF.type and not (o in OWL_TYPES or is_class(o)):
                problems.append(f"{s} is typed with {o}, which is not a declared class")
            if p in (RDFS.subClassOf, OWL.members, OWL.disjointWith) and isinstance(o, URIRef) and not is_class(o):
                problems.append(f"{s} {p} {o}: {o} is not a declared class")
            if p == RDFS.subPropertyOf and declared.kind_of(s) != declared.kind_of(o):
                problems.append(f"{s} is a sub-property of {o} of another kind")
            if p in (RDFS.domain, RDFS.range) and declared.kind_of(s) != {"annotation"}:
                is_data_range = p == RDFS.range and declared.kind_of(s) == {"datatype"}
                if is_data_range and o not in OWL2_DATATYPES:
                    problems.append(f"{s} has range {o}, outside the OWL 2 datatype map")
                if not is_data_range and not is_class(o):
                    problems.append(f"{s} {p} {o}: {o} is not a declared class")
            continue
        kinds = declared.kind_of(p)
        if not kinds:
            problems.append(f"{p} is used as a property but not declared as one")
            continue
        if kinds == {"object"}:
            if isinstance(o, Literal):
                problems.append(f"object property {p} has a literal value on {s}")
            elif isinstance(o, URIRef) and o not in declared.entities:
                problems.append(f"{o}, the value of {p} on {s}, is not a declared individual")
        if kinds == {"datatype"}:
            if not isinstance(o, Literal):
                problems.append(f"datatype property {p} has a non-literal value on {s}")
            elif (o.datatype or XSD.string) not in OWL2_DATATYPES:
                problems.append(f"{p} on {s} has a {o.datatype} literal, outside the OWL 2 datatype map")
        if isinstance(s, URIRef) and kinds != {"annotation"} and s not in declared.entities:
            problems.append(f"{s} states {p} but is not a declared individual")
    return problems


def test_every_iri_of_the_ontology_and_data_is_declared(graph):
    assert declaration_problems(graph) == []


def test_the_ontology_alone_declares_what_it_uses():
    assert declaration_problems(ontology_graph()) == []


@pytest.mark.parametrize(
    "triple, problem",
    [
        ((URIRef("https://w3id.org/vitd-kg/id/claim/ma-strength"), URIRef("http://example.org/undeclared"), Literal("x")),
         "is used as a property but not declared"),
        ((URIRef("https://w3id.org/vitd-kg/ontology#Weekly"), URIRef("https://w3id.org/vitd-kg/ontology#periodValue"),
          Literal("P7D", datatype=XSD.duration)), "outside the OWL 2 datatype map"),
        ((URIRef("https://w3id.org/vitd-kg/ontology#cue"), RDF.type, OWL.ObjectProperty), "illegal punning"),
        ((URIRef("https://w3id.org/vitd-kg/id/claim/ma-strength"), RDF.type, URIRef("http://example.org/Undeclared")),
         "not a declared class"),
        ((URIRef("https://w3id.org/vitd-kg/id/claim/ma-strength"), URIRef("https://w3id.org/vitd-kg/ontology#subject"),
          URIRef("http://example.org/nowhere")), "not a declared individual"),
    ],
    ids=["undeclared-property", "duration-in-logical-triple", "object-and-datatype-property", "undeclared-class",
         "untyped-individual"],
)
def test_the_declaration_check_catches(graph, triple, problem):
    broken = Graph() + graph
    broken.add(triple)
    assert any(problem in line for line in declaration_problems(broken))


def test_properties_are_used_as_the_kind_they_are_declared():
    """No IRI is both an object and a datatype property, in declarations or in use."""
    graph = vitd_kg.load()
    declared = Declarations(graph)
    used: dict[URIRef, set[str]] = defaultdict(set)
    for _, p, o in graph:
        used[p].add("literal" if isinstance(o, Literal) else "resource")
    for prop in declared.of_kind["object"]:
        assert used[prop] <= {"resource"}, prop
    for prop in declared.of_kind["datatype"]:
        assert used[prop] <= {"literal"}, prop


# --------------------------------------------------------------------------- OWL API profile checker

PROFILE_CHECK = """
import java.io.File;
import org.semanticweb.owlapi.apibinding.OWLManager;
import org.semanticweb.owlapi.model.*;
import org.semanticweb.owlapi.profiles.*;

public class ProfileCheck {
    public static void main(String[] args) throws Exception {
        int violations = 0;
        for (String path : args) {
            OWLOntologyManager manager = OWLManager.createOWLOntologyManager();
            OWLOntology ontology = manager.loadOntologyFromOntologyDocument(new File(path));
            for (OWLProfileViolation v : new OWL2DLProfile().checkOntology(ontology).getViolations()) {
                System.out.println(path + ": " + v.toString().replace('\\n', ' '));
                violations++;
            }
        }
        System.exit(violations == 0 ? 0 : 1);
    }
}
"""


def owl_api_jar() -> Path:
    return Path(owlready2.__file__).parent / "hermit" / "HermiT.jar"


@needs_java
def test_owl_api_finds_no_owl2_dl_profile_violation(tmp_path, graph, release_rdfxml):
    source = tmp_path / "ProfileCheck.java"
    source.write_text(PROFILE_CHECK, encoding="utf-8")
    whole = tmp_path / "ontology-and-data.nt"
    whole.write_bytes(graph.serialize(format="nt", encoding="utf-8"))
    run = subprocess.run(
        [JAVA, "-cp", str(owl_api_jar()), str(source), str(release_rdfxml), str(whole)],
        capture_output=True, text=True, timeout=300,
    )
    if run.returncode != 0 and "ProfileCheck.java" in run.stderr and "error:" in run.stderr:
        pytest.skip("this Java cannot run a source file (a JRE without the compiler)")
    assert run.returncode == 0, run.stdout + run.stderr[-2000:]


# --------------------------------------------------------------------------- independent parsers


@pytest.mark.skipif(shutil.which("rapper") is None, reason="Raptor's rapper is not installed")
@pytest.mark.parametrize("path", turtle_files(), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_rapper_parses_the_turtle(path):
    run = subprocess.run(["rapper", "-q", "-i", "turtle", "-c", str(path)], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert "Error" not in run.stderr and "Warning" not in run.stderr, run.stderr


def jena_classpaths() -> dict[str, str]:
    """Jena installations to run ``riot`` from: Debian's, and the one owlready2 bundles for Pellet."""
    found = {}
    debian = Path("/usr/share/java")
    if (debian / "jena-cmds.jar").is_file():
        # Debian ships several slf4j bindings; riot needs exactly one.
        jars = [j for j in sorted(debian.glob("*.jar")) if not j.name.startswith(
            ("log4j-over-slf4j", "slf4j-log4j12", "slf4j-jcl", "slf4j-jdk14", "slf4j-nop", "maven3-slf4j"))]
        found["jena-debian"] = ":".join(map(str, jars))
    pellet = Path(owlready2.__file__).parent / "pellet"
    if list(pellet.glob("jena-arq*.jar")):
        found["jena-owlready2"] = ":".join(str(j) for j in sorted(pellet.glob("*.jar")))
    return found


@needs_java
@pytest.mark.parametrize("installation", sorted(jena_classpaths()))
def test_jena_riot_validates_the_turtle(tmp_path, installation):
    classpath = jena_classpaths()[installation]
    trivial = tmp_path / "trivial.ttl"
    trivial.write_text("<http://example.org/s> <http://example.org/p> 1 .\n", encoding="utf-8")

    def riot(*paths: Path) -> subprocess.CompletedProcess:
        return subprocess.run([JAVA, "-cp", classpath, "riotcmd.riot", "--validate", *map(str, paths)],
                              capture_output=True, text=True, timeout=300)

    if riot(trivial).returncode != 0:
        pytest.skip(f"{installation}: riot does not start on this machine (it fails on a one-line file)")
    run = riot(*turtle_files())
    problems = [line for line in run.stderr.splitlines() if " ERROR " in line or " WARN " in line]
    assert run.returncode == 0 and not problems, run.stderr[-3000:]
