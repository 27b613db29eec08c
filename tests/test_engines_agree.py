"""The fast SHACL engine (the default) reports exactly what pySHACL, the reference, reports.

Both engines run on the bundled data and on every fixture of tests/data/invalid and
tests/data/valid (validated with tests/data/context.ttl, as tests/test_validate_fixtures.py
runs them), against the bundled shapes (ontology/shapes.ttl + shapes-sparql.ttl):

* on the very same parsed input, the engines' results agree field for field: focus
  node, path, value (as written in the data), source shape, constraint component,
  severity and message, counted with repeats;
* through :func:`vitd_kg.validate`, the whole reports (file, line, node, path, value,
  message, severity, source) are equal, blank node labels aside (each run parses the
  files anew, and Oxigraph labels blank nodes at random).

A fixture that the input gate refuses (exit 2) is refused with the same error by both.
"""

from __future__ import annotations

import re
import shlex
from collections import Counter
from pathlib import Path

import pyshacl
import pytest
from rdflib.namespace import SH

import vitd_kg
from vitd_kg.errors import InputError
from vitd_kg.validation.fast_shacl import report_from_pyshacl, unsupported_features, validate_store
from vitd_kg.validation.pipeline import SHACL_ENGINES, _as_written, fast_engine, pyshacl_engine, shapes_graph
from vitd_kg.validation.report import ValidationReport

DATA = Path(__file__).parent / "data"
CONTEXT = DATA / "context.ttl"
FIXTURES = sorted(
    p for folder in ("invalid", "valid") for p in (DATA / folder).iterdir() if p.suffix != ".expect"
)
CASES = [None, *FIXTURES]
IDS = ["bundled-data", *(f"{f.parent.name}/{f.name}" for f in FIXTURES)]
BLANK = re.compile(r"_:[A-Za-z0-9]+")


def paths_of(case: Path | None) -> list[Path] | None:
    return None if case is None else [CONTEXT, case]


def max_bytes_of(case: Path | None) -> dict:
    """The fixture's own --max-size, so that it fails (or passes) the gate as it is meant to."""
    if case is None:
        return {}
    text = case.read_bytes().decode("utf-8", errors="replace")
    match = re.search(r"^\s*#\s*args:\s*(.*)$", text, flags=re.MULTILINE)
    args = shlex.split(match.group(1)) if match else []
    if "--max-size" in args:
        return {"max_bytes": int(float(args[args.index("--max-size") + 1]) * 1024 * 1024)}
    return {}


def without_blank_labels(report: ValidationReport) -> list[tuple]:
    return sorted(
        tuple("" if field is None else BLANK.sub("_:b", str(field)) for field in vars(r).values())
        for r in report.results
    )


def test_the_fast_engine_compiles_every_bundled_shape():
    assert unsupported_features(shapes_graph()) == []


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_engines_agree_on_the_same_input(case, monkeypatch):
    seen: list[tuple] = []

    def both(data_graph, shapes, store):
        reference = pyshacl_engine(data_graph, shapes)
        fast = fast_engine(data_graph, shapes, store=store)
        seen.append((data_graph, shapes, store, reference, fast))
        return fast

    monkeypatch.setitem(SHACL_ENGINES, "fast", both)
    try:
        vitd_kg.validate(paths_of(case), engine="fast", **max_bytes_of(case))
    except InputError as error:
        with pytest.raises(InputError) as reference_error:
            vitd_kg.validate(paths_of(case), engine="pyshacl", **max_bytes_of(case))
        assert str(reference_error.value) == str(error)
        assert not seen  # refused before SHACL
        return
    (data_graph, shapes, store, reference, fast), = seen
    assert Counter(fast) == Counter(reference)

    # the same, one level down: constraint components and shape nodes too
    _, results_graph, _ = pyshacl.validate(
        data_graph, shacl_graph=shapes, inference="none", advanced=False, allow_warnings=True
    )
    expected = report_from_pyshacl(results_graph)
    got = validate_store(store, shapes)
    assert got.conforms == expected.conforms

    def key(r):
        value = _as_written(data_graph, r.focus_node, r.result_path, r.value)
        return (r.focus_node, r.result_path, value, r.source_shape, r.constraint_component, r.severity, r.messages)

    assert Counter(map(key, got.results)) == Counter(map(key, expected.results))


WHOLE = [None] + [
    DATA / "invalid" / name
    for name in (
        "EffectEstimate-node-as-value.ttl",
        "EffectEstimate-value-above-ci.ttl",
        "Publication-issued-not-a-year.ttl",
        "SourceSentence-quote-length-mismatch.ttl",
        "SourceSentence-without-position-selector.ttl",
        "Study-participants-as-decimal.ttl",
        "TextPositionSelector-start-after-end.ttl",
    )
]


@pytest.mark.parametrize("case", WHOLE, ids=lambda c: "bundled-data" if c is None else c.name)
def test_whole_reports_agree(case):
    """Through vitd_kg.validate, as users run it: files, lines, messages, sources."""
    reference = vitd_kg.validate(paths_of(case), engine="pyshacl")
    fast = vitd_kg.validate(paths_of(case), engine="fast")
    assert (fast.engine, reference.engine) == ("fast", "pyshacl")
    assert without_blank_labels(fast) == without_blank_labels(reference)
    assert fast.conforms == reference.conforms


def test_the_new_features_are_exercised_by_the_fixtures(monkeypatch):
    """Each constraint the fast engine compiles for the bundled shapes beyond plain
    SHACL Core counts and values is triggered by some fixture (so the agreement above means something)."""
    found = set()

    def capture(data_graph, shapes, store):
        found.update(r.constraint_component for r in validate_store(store, shapes).results)
        return []

    monkeypatch.setitem(SHACL_ENGINES, "fast", capture)
    for case in FIXTURES:
        try:
            vitd_kg.validate(paths_of(case), engine="fast", **max_bytes_of(case))
        except InputError:
            continue
    for component in (
        "OrConstraintComponent",
        "LessThanConstraintComponent",
        "LessThanOrEqualsConstraintComponent",
        "QualifiedMinCountConstraintComponent",
        "SPARQLConstraintComponent",
    ):
        assert SH[component] in found, component
