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
from vitd_kg.rdf.reading import parse_source
from vitd_kg.rdf.sources import SourceFile
from vitd_kg.namespaces import PREFIXES, VITD
from vitd_kg.rdf.turtle_lines import LineIndex, line_starts_of, subject_lines
from vitd_kg.validation.report import VIOLATION, WARNING, ValidationResult, compact

#: Default limit on the total size of the input, in bytes (``--max-size`` raises it).
DEFAULT_MAX_BYTES = 50 * 1024 * 1024

XSD = "http://www.w3.org/2001/XMLSchema#"
OWL_IMPORTS = "http://www.w3.org/2002/07/owl#imports"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
Triple = tuple[ox.NamedNode | ox.BlankNode, ox.NamedNode, ox.NamedNode | ox.BlankNode | ox.Literal]


@dataclass
class ParsedFile:
    """One input file, read, parsed and indexed by line."""

    name: str
    triples: list[Triple]
    lines: LineIndex = field(default_factory=LineIndex)
    text: str = ""
    is_turtle: bool = True

    def line_of(self, iri: str) -> int | None:
        """Line where ``iri`` is defined (Turtle) or first written (other formats)."""
        if self.is_turtle:
            return self.lines.line_of(iri)
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
    """Read, sniff and strictly parse one file into triples, indexed by line."""
    text, quads = parse_source(source)
    rdf_format = source.format
    named = [q for q in quads if not isinstance(q.graph_name, ox.DefaultGraph)]
    if named:
        raise InputError("file holds named graphs", file=source.name, hint="put all statements in the default graph")
    if not quads:
        raise InputError(
            "file yields no triples (only comments or prefixes?)",
            file=source.name,
            hint="add statements, or leave the file out",
        )
    is_turtle = rdf_format in (ox.RdfFormat.TURTLE, ox.RdfFormat.N_TRIPLES)
    return ParsedFile(
        name=source.name,
        triples=[(q.subject, q.predicate, q.object) for q in quads],
        lines=subject_lines(text) if is_turtle else LineIndex(),
        text=text,
        is_turtle=is_turtle,
    )


# --------------------------------------------------------------------------- data checks

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
        s.value
        for s, p, o in ontology.triples
        if p.value == "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
        and o == ox.NamedNode("http://www.w3.org/2002/07/owl#DatatypeProperty")
    }
    return frozenset(declared) | ANNOTATION_LITERAL_PROPERTIES


def check_literals(
    parsed: ParsedFile, literal_only: frozenset[str] = frozenset()
) -> tuple[list[Triple], list[ValidationResult]]:
    """Split a file's triples into those fit for SHACL and results for the rest.

    Left out (and reported): ill-typed literals, and nodes given as values of
    properties that take literals (``vitd:value [ ... ]``), which SHACL engines
    cannot compare.
    """
    kept: list[Triple] = []
    results: list[ValidationResult] = []
    for triple in parsed.triples:
        subject, predicate, obj = triple

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
    return {s.value for s, _, _ in ontology.triples if isinstance(s, ox.NamedNode) and s.value.startswith(str(VITD))}


def check_terms(parsed: ParsedFile, defined: set[str]) -> list[ValidationResult]:
    """Results for ``vitd:`` terms the ontology does not define, and for CURIE-like IRIs."""
    results: list[ValidationResult] = []
    namespace = str(VITD)
    known_locals = sorted(term[len(namespace):] for term in defined)
    for subject, predicate, obj in parsed.triples:
        for position, term in (("subject", subject), ("property", predicate), ("object", obj)):
            if not isinstance(term, ox.NamedNode):
                continue
            iri = term.value
            problem = None
            if iri.startswith(namespace) and iri not in defined:
                guess = difflib.get_close_matches(iri[len(namespace):], known_locals, n=1)
                problem = (
                    f"vitd:{iri[len(namespace):]} (the {position}) is not defined by the ontology"
                    + (f": did you mean vitd:{guess[0]}?" if guess else ": use a term of ontology/vitd.ttl")
                )
                source = "gate:undefined-term"
            elif iri.split(":", 1)[0] in PREFIXES and not iri.startswith(tuple(PREFIXES.values())):
                problem = (
                    f"<{iri}> (the {position}) looks like a CURIE written as an IRI: write it without angle "
                    "brackets and declare its prefix with @prefix"
                )
                source = "gate:curie-as-iri"
            if problem:
                results.append(
                    ValidationResult(
                        file=parsed.name,
                        line=parsed.line_of(subject.value) if isinstance(subject, ox.NamedNode) else None,
                        focus_node=_node_id(subject),
                        path=predicate.value,
                        value=str(obj) if position != "property" else None,
                        message=problem,
                        source=source,
                    )
                )
    return results


def check_duplicate_subjects(files: Sequence[ParsedFile]) -> list[ValidationResult]:
    """Results for an IRI that is the subject of statements in more than one file."""
    first_file: dict[str, ParsedFile] = {}
    results: list[ValidationResult] = []
    for parsed in files:
        subjects = sorted({s.value for s, _, _ in parsed.triples if isinstance(s, ox.NamedNode)})
        for iri in subjects:
            earlier = first_file.setdefault(iri, parsed)
            if earlier is parsed:
                continue
            where = f"{earlier.name}:{earlier.line_of(iri)}" if earlier.line_of(iri) else earlier.name
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
    return results


def check_imports(parsed: ParsedFile) -> list[ValidationResult]:
    """A warning for each owl:imports: it is never fetched, only the given files count."""
    return [
        ValidationResult(
            file=parsed.name,
            line=parsed.line_of(s.value) if isinstance(s, ox.NamedNode) else None,
            focus_node=_node_id(s),
            path=OWL_IMPORTS,
            value=str(o),
            message="owl:imports is ignored (vitd-kg never fetches from the network): "
            "pass the imported file as a path if it should be validated too",
            severity=WARNING,
            source="gate:owl-imports",
        )
        for s, p, o in parsed.triples
        if p.value == OWL_IMPORTS
    ]


__all__ = [
    "DEFAULT_MAX_BYTES",
    "ParsedFile",
    "VIOLATION",
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
