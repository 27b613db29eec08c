"""The result of a validation as users read it: typed, sorted, placed in files and lines,
and rendered as text, JSON, or (its SHACL part) a standard SHACL report in Turtle.

Results are normalised (full IRIs, N-Triples values, sorted) so that two SHACL
engines can be compared with ``report.comparable() == other.comparable()``. The SHACL
engines' own report, without files and lines, is
:class:`vitd_kg.validation.shacl_report.ShaclReport`.
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

from vitd_kg.namespaces import PREFIXES, curie

if TYPE_CHECKING:
    from vitd_kg.validation.shacl_report import ShaclReport

VIOLATION = "Violation"
WARNING = "Warning"
INFO = "Info"


@dataclass(frozen=True)
class ValidationResult:
    """One problem: where it is, what node and property it is about, and how to fix it.

    ``focus_node``, ``path`` are full IRIs (or ``_:`` blank node labels); ``value`` is
    the offending term in N-Triples form; ``source`` names the check that found it
    (``shacl:<shape>``, ``gate:<check>`` or ``owl:consistency``).
    """

    file: str | None
    line: int | None
    focus_node: str | None
    path: str | None
    value: str | None
    message: str
    severity: str = VIOLATION
    source: str = ""

    def sort_key(self) -> tuple:
        return (
            self.file or "",
            self.line or 0,
            self.focus_node or "",
            self.path or "",
            self.value or "",
            self.message,
            self.source,
        )


@dataclass
class ValidationReport:
    """What :func:`vitd_kg.validate` found.

    ``conforms`` is true when no result is a violation (warnings do not fail it).
    ``notes`` says what was checked and what was left out (e.g. literals the OWL
    reasoner does not support, or that pySHACL validated what the fast engine does
    not compile). ``shacl`` is the SHACL engine's own report (SHACL results only, no
    files or lines) and ``shapes`` the shapes graph it used: :meth:`to_turtle` writes them
    as a standard ``sh:ValidationReport``.
    """

    files: list[str]
    results: list[ValidationResult] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    engine: str = "pyshacl"
    reasoned: bool = False
    shacl: ShaclReport | None = field(default=None, repr=False, compare=False)
    shapes: Any = field(default=None, repr=False, compare=False)

    def __post_init__(self) -> None:
        self.results = sorted(set(self.results), key=ValidationResult.sort_key)

    @property
    def conforms(self) -> bool:
        return not self.violations

    @property
    def violations(self) -> list[ValidationResult]:
        return [r for r in self.results if r.severity == VIOLATION]

    @property
    def warnings(self) -> list[ValidationResult]:
        return [r for r in self.results if r.severity != VIOLATION]

    def comparable(self) -> list[tuple]:
        """Engine-independent form of the results: (focus node, path, value, severity), sorted.

        Messages are left out because engines word them differently.
        """
        return sorted({(r.focus_node or "", r.path or "", r.value or "", r.severity) for r in self.results})

    def to_dict(self) -> dict:
        return {
            "conforms": self.conforms,
            "engine": self.engine,
            "reasoned": self.reasoned,
            "files": self.files,
            "violations": len(self.violations),
            "warnings": len(self.warnings),
            "results": [asdict(r) for r in self.results],
            "notes": self.notes,
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2, ensure_ascii=False)

    def to_turtle(self) -> str:
        """The SHACL results as a standard ``sh:ValidationReport`` in Turtle, which pySHACL,
        Jena and TopBraid read. The input gate's and the reasoner's results are not SHACL
        results and are not in it (:attr:`other_results`)."""
        from vitd_kg.validation.shacl_report import ShaclReport

        shacl = self.shacl if self.shacl is not None else ShaclReport(conforms=True)
        return shacl.turtle(self.shapes)

    @property
    def other_results(self) -> list[ValidationResult]:
        """The results that are not SHACL results: the input gate's and the OWL reasoner's."""
        return [r for r in self.results if not r.source.startswith("shacl:")]

    def to_text(self) -> str:
        """A report grouped by file, one block per problem, with file:line first."""
        out: list[str] = []
        by_file: dict[str, list[ValidationResult]] = {}
        for result in self.results:
            by_file.setdefault(result.file or "(no file)", []).append(result)
        for name, results in by_file.items():
            out.append(f"== {name} ({_plural(len(results), 'problem')})")
            for r in results:
                where = f"{r.file}:{r.line}" if r.file and r.line else (r.file or "(graph)")
                out.append(f"{where}: {r.severity}: {compact(r.focus_node) if r.focus_node else '(whole graph)'}")
                if r.path:
                    out.append(f"    property: {compact(r.path)}")
                if r.value:
                    out.append(f"    value:    {compact_term(r.value)}")
                out.append(f"    {compact_text(r.message)}")
            out.append("")
        for note in self.notes:
            out.append(f"note: {note}")
        verdict = "conforms" if self.conforms else "does not conform"
        out.append(
            f"{verdict}: {_plural(len(self.violations), 'violation')}, {_plural(len(self.warnings), 'warning')}"
            f" in {_plural(len(self.files), 'file')} (engine {self.engine}{', OWL reasoning' if self.reasoned else ''})"
        )
        return "\n".join(out)


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def compact(iri: str) -> str:
    """``https://w3id.org/vitd-kg/id/claim/x`` -> ``claim:x``; other IRIs in <...>."""
    return curie(iri, brackets=True)


def compact_term(term: str) -> str:
    """Compact an N-Triples term: IRIs to CURIEs, datatypes of literals too."""
    if term.startswith("<") and term.endswith(">"):
        return compact(term[1:-1])
    if "^^<" in term and term.endswith(">"):
        lexical, _, datatype = term.rpartition("^^<")
        datatype = compact(datatype[:-1])
        bare = lexical[1:-1]
        if datatype in _BARE and _BARE[datatype].fullmatch(bare):
            return bare  # written as Turtle writes it: 0.17, 30, true
        return f"{lexical}^^{datatype}"
    return term


_BARE = {
    "xsd:integer": re.compile(r"[+-]?\d+"),
    "xsd:decimal": re.compile(r"[+-]?\d*\.\d+"),
    "xsd:boolean": re.compile(r"true|false"),
}


def compact_text(text: str) -> str:
    """Replace full IRIs of known namespaces in a message with their CURIEs."""

    def replace(match: re.Match[str]) -> str:
        iri = match.group(1) or match.group(2)
        return compact(iri) if iri.startswith(_KNOWN) else match.group(0)

    return _IRI_IN_TEXT.sub(replace, text)


_KNOWN = tuple(PREFIXES.values())
_IRI_IN_TEXT = re.compile(r"<(https?://[^<>\s]+)>|(https?://[^\s<>\"',)]+[^\s<>\"',.:;)])")
