"""The input gate: what must hold before SHACL sees a file.

Two kinds of fault:

* input that cannot be read or parsed raises :class:`~vitd_kg.errors.InputError`
  (exit 2): missing paths, unknown file types, oversized input, non-UTF-8 bytes,
  empty files, JSON or XML under a Turtle name, syntax errors (with line and
  column, from Oxigraph's strict parsers), relative IRIs, XML with a DOCTYPE
  (entity expansion), JSON-LD with a remote ``@context`` (never fetched);
* readable data with faults that shapes cannot see becomes
  :class:`~vitd_kg.validation.report.ValidationResult` values (exit 1): ``vitd:``
  terms the ontology does not define, a resource defined in two files, ill-typed
  literals (``"NaN"^^xsd:decimal``, which crash or mislead engines), IRIs that are
  CURIEs in angle brackets; and a warning for ``owl:imports``, which is never
  followed.

How, at a million triples: each file is parsed once (:func:`parse_file`), and one pass
over its triples collects its subjects and its literals with their predicates. All files
go into one Oxigraph store (the one the SHACL engine then validates). :func:`check` asks
that store and the distinct literals which subjects *may* carry a fault (SPARQL with
``isLiteral``, the properties that take literals, the IRIs of the ``vitd:`` namespace and
CURIE-like ones, the distinct ill-typed literals); only the triples of those subjects go
through the rules below (:func:`check_literals`, :func:`check_terms`, :func:`check_imports`),
triple by triple, as they were written. The lines of results are computed for those
results only (:mod:`vitd_kg.validation.lines`).
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from importlib.resources.abc import Traversable
from pathlib import Path

import pyoxigraph as ox

from vitd_kg.errors import InputError
from vitd_kg.namespaces import PREFIXES, VITD_IRI
from vitd_kg.rdf.reading import check_nesting, parse_source
from vitd_kg.rdf.sources import SourceFile
from vitd_kg.rdf.turtle_lines import line_starts_of
from vitd_kg.validation.lines import TurtleLines
from vitd_kg.validation.report import VIOLATION, WARNING, ValidationResult, compact

#: Default limit on the total size of the input, in bytes (``--max-size`` raises it).
DEFAULT_MAX_BYTES = 50 * 1024 * 1024

XSD = "http://www.w3.org/2001/XMLSchema#"
OWL_IMPORTS = "http://www.w3.org/2002/07/owl#imports"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
Triple = tuple[ox.NamedNode | ox.BlankNode, ox.NamedNode, ox.NamedNode | ox.BlankNode | ox.Literal]
#: Formats whose files hold triples only (no named graphs to refuse).
_TRIPLE_FORMATS = (ox.RdfFormat.TURTLE, ox.RdfFormat.N_TRIPLES, ox.RdfFormat.RDF_XML)


@dataclass(eq=False)
class ParsedFile:
    """One input file, read and parsed: its quads (default graph) as written, its text, its
    subjects, and the (predicate, literal) pairs of its triples."""

    name: str
    quads: list[ox.Quad]
    text: str = ""
    is_turtle: bool = True
    subjects: set = field(default_factory=set)
    uses: set = field(default_factory=set)
    #: the subjects, predicates and object IRIs that may be undefined ``vitd:`` terms or
    #: CURIE-like (:func:`may_be_misnamed`)
    misnamed: set = field(default_factory=set)
    _lines: TurtleLines | None = field(default=None, repr=False)

    @property
    def lines(self) -> TurtleLines:
        if self._lines is None:
            self._lines = TurtleLines(self.text)
        return self._lines

    def is_subject(self, iri: str) -> bool:
        try:
            return ox.NamedNode(iri) in self.subjects
        except ValueError:
            return False

    def subject_line(self, iri: str) -> int | None:
        """Line of the first statement about ``iri`` (Turtle and N-Triples; None elsewhere)."""
        if not self.is_turtle or not self.is_subject(iri):
            return None
        return self.lines.subject_line(iri)

    def line_of(self, iri: str) -> int | None:
        """Line where ``iri`` is defined (Turtle) or first written (other formats)."""
        if self.is_turtle:
            return self.lines.line_of(iri, is_subject=self.is_subject(iri))
        return line_starts_of(self.text, iri)


# --------------------------------------------------------------------------- files


def _size(entry: Traversable | Path) -> int | None:
    if isinstance(entry, Path):
        return entry.stat().st_size
    return None


def check_sizes(files: Iterable[SourceFile], max_bytes: int) -> None:
    """Refuse user input above ``max_bytes`` in total before reading any of it."""
    total = 0
    for source in files:
        size = _size(source.entry)
        if size is None:
            continue
        total += size
        if total > max_bytes:
            raise InputError(
                f"input is larger than the limit of {max_bytes} bytes ({max_bytes / 1024 / 1024:.3g} MB) in total",
                file=source.name,
                hint="raise the limit with --max-size MB (or max_bytes=...) if the input is meant to be this big",
            )


# --------------------------------------------------------------------------- reading


def parse_file(source: SourceFile) -> ParsedFile:
    """Read, sniff and strictly parse one file; collect its subjects and literal uses."""
    text, quads = parse_source(source, check_depth=False)  # checked below, with the census's edges
    subjects, uses, edges, iris = _census(quads)
    check_nesting(source, quads, text, edges=edges)
    rdf_format = source.format
    if rdf_format not in _TRIPLE_FORMATS and any(not isinstance(q.graph_name, ox.DefaultGraph) for q in quads):
        raise InputError("file holds named graphs", file=source.name, hint="put all statements in the default graph")
    if not quads:
        raise InputError(
            "file yields no triples (only comments or prefixes?)",
            file=source.name,
            hint="add statements, or leave the file out",
        )
    return ParsedFile(
        name=source.name,
        quads=quads,
        text=text,
        is_turtle=rdf_format in (ox.RdfFormat.TURTLE, ox.RdfFormat.N_TRIPLES),
        subjects=subjects,
        uses=uses,
        misnamed={iri for found in (subjects, iris) for iri in found if may_be_misnamed(iri)},
    )


def _census(quads: list[ox.Quad]) -> tuple[set, set, list, set]:
    """The subjects of the quads, their (predicate, literal) pairs, the edges from a blank
    node to another (:func:`~vitd_kg.rdf.reading.blank_edges`), and the distinct predicates
    and object IRIs: one pass."""
    literal_type, blank_type, named_type = ox.Literal, ox.BlankNode, ox.NamedNode
    subjects: set = set()
    uses: set = set()
    edges: list = []
    iris: set = set()
    add_subject, add_use, add_edge, add_iri = subjects.add, uses.add, edges.append, iris.add
    for quad in quads:
        subject = quad.subject
        add_subject(subject)
        predicate = quad.predicate
        add_iri(predicate)
        value = quad.object
        kind = type(value)
        if kind is literal_type:
            add_use((predicate, value))
        elif kind is named_type:
            add_iri(value)
        elif kind is blank_type and type(subject) is blank_type:
            add_edge((subject, predicate.value, value))
    return subjects, uses, edges, iris


def may_be_misnamed(term) -> bool:
    """Whether ``term`` is an IRI that :func:`check_terms` may report: one of the ``vitd:``
    namespace, or not http(s) (a CURIE written as an IRI, such as ``<claim:x>``)."""
    return type(term) is ox.NamedNode and ((value := term.value).startswith(VITD_IRI) or not value.startswith("http"))


# --------------------------------------------------------------------------- the rules, triple by triple

_NUMBER = r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)"
_TZ = r"(?:Z|[+-]\d{2}:\d{2})?"
_LEXICAL: dict[str, re.Pattern[str]] = {
    "integer": re.compile(r"[+-]?\d+"),
    "nonNegativeInteger": re.compile(r"\+?\d+|-0+"),
    "positiveInteger": re.compile(r"\+?0*[1-9]\d*"),
    "decimal": re.compile(_NUMBER),
    "double": re.compile(rf"{_NUMBER}(?:[eE][+-]?\d+)?|[+-]?INF|NaN"),
    "float": re.compile(rf"{_NUMBER}(?:[eE][+-]?\d+)?|[+-]?INF|NaN"),
    "boolean": re.compile(r"true|false|1|0"),
    "gYear": re.compile(rf"-?\d{{4,}}{_TZ}"),
    "duration": re.compile(r"-?P(?=\d|T\d)(?:\d+Y)?(?:\d+M)?(?:\d+D)?(?:T(?=\d)(?:\d+H)?(?:\d+M)?(?:\d+(?:\.\d+)?S)?)?"),
    "date": re.compile(rf"-?\d{{4,}}-\d{{2}}-\d{{2}}{_TZ}"),
    "dateTime": re.compile(rf"-?\d{{4,}}-\d{{2}}-\d{{2}}T\d{{2}}:\d{{2}}:\d{{2}}(?:\.\d+)?{_TZ}"),
}


def is_well_typed(literal: ox.Literal) -> bool:
    """Whether a literal's text is a valid value of its XSD datatype (others are not checked)."""
    datatype = literal.datatype.value
    if not datatype.startswith(XSD):
        return True
    local = datatype[len(XSD):]
    pattern = _LEXICAL.get(local)
    if pattern is None:
        return True
    text = literal.value
    if not pattern.fullmatch(text):
        return False
    try:
        if local == "date":
            date.fromisoformat(text[:10])
        elif local == "dateTime":
            datetime.fromisoformat(text[:19])
    except ValueError:
        return False
    return True


def _node_id(term: ox.NamedNode | ox.BlankNode) -> str:
    return term.value if isinstance(term, ox.NamedNode) else f"_:{term.value}"


#: Properties outside the ontology whose values must be literals (the SHACL engine compares them).
ANNOTATION_LITERAL_PROPERTIES = frozenset(
    "http://www.w3.org/ns/oa#" + name for name in ("start", "end", "exact")
)


def literal_properties(ontology: ParsedFile) -> frozenset[str]:
    """The datatype properties of the ontology, plus the selector properties the shapes compare."""
    declared = {
        q.subject.value
        for q in ontology.quads
        if q.predicate.value == RDF_TYPE
        and q.object == ox.NamedNode("http://www.w3.org/2002/07/owl#DatatypeProperty")
    }
    return frozenset(declared) | ANNOTATION_LITERAL_PROPERTIES


def check_literals(
    parsed: ParsedFile, literal_only: frozenset[str] = frozenset(), triples: Iterable | None = None
) -> tuple[list[Triple], list[ValidationResult]]:
    """Split a file's triples (or the given ones of it) into those fit for SHACL and results for the rest.

    Left out (and reported): ill-typed literals, and nodes given as values of
    properties that take literals (``vitd:value [ ... ]``), which SHACL engines
    cannot compare.
    """
    kept: list[Triple] = []
    results: list[ValidationResult] = []
    for triple in parsed.quads if triples is None else triples:
        subject, predicate, obj = triple.subject, triple.predicate, triple.object

        def problem(value: str, message: str, source: str) -> ValidationResult:
            return ValidationResult(
                file=parsed.name,
                line=parsed.line_of(subject.value) if isinstance(subject, ox.NamedNode) else None,
                focus_node=_node_id(subject),
                path=predicate.value,
                value=value,
                message=message,
                source=source,
            )

        if predicate.value == RDF_TYPE and isinstance(obj, ox.Literal):
            results.append(problem(
                str(obj),
                "rdf:type (`a`) takes a class IRI, not a string: write `a vitd:Claim`, not `a \"Claim\"`",
                "gate:literal-type",
            ))
        elif predicate.value in literal_only and not isinstance(obj, ox.Literal):
            results.append(problem(
                f"<{obj.value}>" if isinstance(obj, ox.NamedNode) else f"_:{obj.value}",
                f"{compact(predicate.value)} takes a literal (a number, string, date...), "
                "not a resource: write the value itself",
                "gate:node-for-literal",
            ))
        elif isinstance(obj, ox.Literal) and not is_well_typed(obj):
            datatype = compact(obj.datatype.value)
            results.append(problem(
                str(obj),
                f"{obj.value!r} is not a valid {datatype} value: write a valid {datatype} "
                "(numbers unquoted, e.g. 0.17; NaN and INF are not decimals) or fix the datatype",
                "gate:ill-typed-literal",
            ))
        else:
            kept.append(triple)
    return kept, results


def ontology_terms(ontology: ParsedFile) -> set[str]:
    """Every ``vitd:`` IRI the ontology defines (is the subject of a statement)."""
    return {s.value for s in ontology.subjects if isinstance(s, ox.NamedNode) and s.value.startswith(VITD_IRI)}


def _term_problem(iri: str, position: str, defined: set[str], known_locals: list[str]) -> tuple[str, str] | None:
    """(message, source) if ``iri`` is an undefined ``vitd:`` term or a CURIE written as an IRI."""
    if iri.startswith(VITD_IRI) and iri not in defined:
        guess = difflib.get_close_matches(iri[len(VITD_IRI):], known_locals, n=1)
        return (
            f"vitd:{iri[len(VITD_IRI):]} (the {position}) is not defined by the ontology"
            + (f": did you mean vitd:{guess[0]}?" if guess else ": use a term of ontology/vitd.ttl"),
            "gate:undefined-term",
        )
    if iri.split(":", 1)[0] in PREFIXES and not iri.startswith(tuple(PREFIXES.values())):
        return (
            f"<{iri}> (the {position}) looks like a CURIE written as an IRI: write it without angle "
            "brackets and declare its prefix with @prefix",
            "gate:curie-as-iri",
        )
    return None


def check_terms(parsed: ParsedFile, defined: set[str], triples: Iterable | None = None) -> list[ValidationResult]:
    """Results for ``vitd:`` terms the ontology does not define, and for CURIE-like IRIs
    (in the file's triples, or the given ones of it)."""
    results: list[ValidationResult] = []
    known_locals = sorted(term[len(VITD_IRI):] for term in defined)
    for triple in parsed.quads if triples is None else triples:
        subject, predicate, obj = triple.subject, triple.predicate, triple.object
        for position, term in (("subject", subject), ("property", predicate), ("object", obj)):
            if not isinstance(term, ox.NamedNode):
                continue
            found = _term_problem(term.value, position, defined, known_locals)
            if found:
                message, source = found
                results.append(
                    ValidationResult(
                        file=parsed.name,
                        line=parsed.line_of(subject.value) if isinstance(subject, ox.NamedNode) else None,
                        focus_node=_node_id(subject),
                        path=predicate.value,
                        value=str(obj) if position != "property" else None,
                        message=message,
                        source=source,
                    )
                )
    return results


def check_duplicate_subjects(files: Sequence[ParsedFile]) -> list[ValidationResult]:
    """Results for an IRI that is the subject of statements in more than one file."""
    results: list[ValidationResult] = []
    earlier_subjects: set = set()
    for index, parsed in enumerate(files):
        for subject in parsed.subjects & earlier_subjects:
            if not isinstance(subject, ox.NamedNode):
                continue
            iri = subject.value
            earlier = next(f for f in files[:index] if subject in f.subjects)
            line = earlier.line_of(iri)
            where = f"{earlier.name}:{line}" if line else earlier.name
            results.append(
                ValidationResult(
                    file=parsed.name,
                    line=parsed.line_of(iri),
                    focus_node=iri,
                    path=None,
                    value=None,
                    message=f"{compact(iri)} is also defined in {where}: keep all statements about "
                    "one resource in one file (or give the new resource its own IRI)",
                    source="gate:defined-twice",
                )
            )
        earlier_subjects |= parsed.subjects
    return results


def check_imports(parsed: ParsedFile, triples: Iterable | None = None) -> list[ValidationResult]:
    """A warning for each owl:imports: it is never fetched, only the given files count."""
    return [
        ValidationResult(
            file=parsed.name,
            line=parsed.line_of(q.subject.value) if isinstance(q.subject, ox.NamedNode) else None,
            focus_node=_node_id(q.subject),
            path=OWL_IMPORTS,
            value=str(q.object),
            message="owl:imports is ignored (vitd-kg never fetches from the network): "
            "pass the imported file as a path if it should be validated too",
            severity=WARNING,
            source="gate:owl-imports",
        )
        for q in (parsed.quads if triples is None else triples)
        if q.predicate.value == OWL_IMPORTS
    ]


# --------------------------------------------------------------------------- all files at once


@dataclass
class GateReport:
    """What the gate found in the files: its results, the triples it kept out of SHACL (as
    written, already removed from the store), and the literal uses of the triples kept."""

    results: list[ValidationResult]
    removed: set[ox.Quad]
    uses: set


class StoreUnfit(Exception):
    """The store given to :func:`check` with ``streamed=True`` cannot serve: a check must
    match the files' blank nodes in it, or take triples out of it."""


def check(files: Sequence[ParsedFile], store: ox.Store, *, streamed: bool = False) -> GateReport:
    """Run every check of the gate on ``files`` (the ontology first), whose triples ``store``
    holds in its default graph; remove the triples kept out of SHACL from ``store``.

    ``streamed``: Oxigraph loaded ``store`` from the files itself, so its blank nodes are not
    the parse's, and another thread may be reading it: :class:`StoreUnfit` is raised, before
    anything is changed, when a subject to look at is a blank node or a triple must go."""
    ontology = files[0]
    defined = ontology_terms(ontology)
    literal_only = literal_properties(ontology)
    uses = set().union(*(f.uses for f in files))
    suspects = _suspects(files, store, uses, defined, literal_only)
    if streamed and any(isinstance(subject, ox.BlankNode) for subject in suspects):
        raise StoreUnfit("a blank node may break a rule")
    results: list[ValidationResult] = []
    removed: set[ox.Quad] = set()
    candidates: dict[int, list[ox.Quad]] = {}
    if suspects:
        for index, parsed in enumerate(files):
            mine = [q for q in parsed.quads if q.subject in suspects]
            candidates[index] = mine
            kept, faults = check_literals(parsed, literal_only, mine)
            results += faults
            if len(kept) < len(mine):
                kept_set = set(kept)
                removed.update(q for q in mine if q not in kept_set)
            if index > 0:
                results += check_terms(parsed, defined, mine)
            results += check_imports(parsed, mine)
    results += check_duplicate_subjects(files)
    if removed and streamed:
        raise StoreUnfit("triples must be kept out of SHACL")
    if removed:
        _remove(store, removed, [q for mine in candidates.values() for q in mine if q not in removed])
        uses = set().union(*(
            _census([q for q in f.quads if q not in removed])[1] if any(q in removed for q in candidates[i]) else f.uses
            for i, f in enumerate(files)
        ))
    return GateReport(results=results, removed=removed, uses=uses)


def _suspects(
    files: Sequence[ParsedFile], store: ox.Store, uses: set, defined: set[str], literal_only: frozenset[str]
) -> set:
    """Subjects whose triples may break a rule: a superset, found without visiting every triple."""
    suspects: set = set()

    def subjects(query: str) -> None:
        suspects.update(solution[0] for solution in store.query(query))

    subjects(f"SELECT DISTINCT ?s WHERE {{ ?s <{RDF_TYPE}> ?o FILTER(isLiteral(?o)) }}")
    if literal_only:
        values = " ".join(f"<{p}>" for p in sorted(literal_only))
        subjects(f"SELECT DISTINCT ?s WHERE {{ VALUES ?p {{ {values} }} ?s ?p ?o FILTER(!isLiteral(?o)) }}")
    subjects(f"SELECT DISTINCT ?s WHERE {{ ?s <{OWL_IMPORTS}> ?o }}")
    ill_typed = [literal for literal in {literal for _, literal in uses} if not is_well_typed(literal)]
    if ill_typed:
        from vitd_kg.validation.fast_shacl import stored_forms

        for stored in set(stored_forms(ill_typed).values()):
            suspects.update(q.subject for q in store.quads_for_pattern(None, None, stored))
    # Undefined vitd: terms and CURIE-like IRIs ("claim:x") among the distinct IRIs, which
    # each file's census narrowed to those of the vitd: namespace or not http(s) (of a
    # million triples, a few dozen distinct IRIs instead of a hundred thousand).
    found = set().union(*(f.misnamed for f in files))
    bad = {x for x in found if _term_problem(x.value, "", defined, []) is not None}
    for term in bad:
        suspects.add(term)
        suspects.update(q.subject for q in store.quads_for_pattern(None, term, None))
        suspects.update(q.subject for q in store.quads_for_pattern(None, None, term))
    return suspects


def _remove(store: ox.Store, removed: set[ox.Quad], kept: list[ox.Quad]) -> None:
    """Take the triples ``removed`` (as written) out of ``store``, which holds literals as it
    stores them: a literal the store rewrote is taken out in its stored form, unless a triple
    kept (of the same subjects, ``kept``) is stored as the same triple."""
    from vitd_kg.validation.fast_shacl import stored_forms

    literals = [q.object for q in [*removed, *kept] if isinstance(q.object, ox.Literal)]
    forms = stored_forms(literals) if literals else {}

    def stored(quad: ox.Quad) -> ox.Quad:
        return ox.Quad(quad.subject, quad.predicate, forms.get(quad.object, quad.object))

    still_there = {stored(q) for q in kept}
    for quad in removed:
        image = stored(quad)
        if image not in still_there:
            store.remove(image)


__all__ = [
    "DEFAULT_MAX_BYTES",
    "GateReport",
    "ParsedFile",
    "StoreUnfit",
    "VIOLATION",
    "check",
    "check_duplicate_subjects",
    "check_imports",
    "check_literals",
    "literal_properties",
    "check_sizes",
    "check_terms",
    "is_well_typed",
    "ontology_terms",
    "parse_file",
]
