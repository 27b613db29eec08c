"""Every test of the W3C SHACL test suite (core and SHACL-SPARQL), through vitd_kg's engine.

The suite is vendored in tests/w3c-shacl/ (README there: source and licence). Each test runs
as the CLI runs user shapes: the data parsed by Oxigraph (as the input gate parses it), the
shapes read by :func:`vitd_kg.validation.shacl_engine.load_shapes`, both handed to
:func:`vitd_kg.validation.shacl_engine.validate_graphs`, and the report written as a standard
``sh:ValidationReport`` graph and compared with the expected one (results as a multiset of
focus node, path, value, source shape, constraint component and severity; blank nodes by
structure).

Each test must pass, or be refused with :class:`~vitd_kg.validation.shacl_engine.ShaclRefusal` where
the suite expects ``sht:Failure`` or the feature is declared unsupported below. A report
that differs from the expected one fails the test: there is no expected-failure marker.

The default engine (``auto``) is checked, and the compiled engine alone (``fast``): it must
pass or refuse, never answer wrongly, since ``auto`` trusts whatever it does not refuse.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

from vitd_kg.validation.shacl_engine import ShaclRefusal

SUITE_DIR = Path(__file__).parent / "w3c-shacl"
_spec = importlib.util.spec_from_file_location("w3c_shacl_suite", SUITE_DIR / "suite.py")
suite = importlib.util.module_from_spec(_spec)
sys.modules["w3c_shacl_suite"] = suite
_spec.loader.exec_module(suite)

TESTS = suite.load_tests()
IDS = [t.id if sum(u.id == t.id for u in TESTS) == 1 else f"{t.id}#{t.name}" for t in TESTS]

#: Features vitd-kg declares unsupported, by test: each must be refused, naming the feature.
UNSUPPORTED = {
    "sparql/pre-binding/shapesGraph-001.ttl": "$shapesGraph",
}


def test_the_suite_is_complete():
    core = [t for t in TESTS if t.id.startswith("core/")]
    sparql = [t for t in TESTS if t.id.startswith("sparql/")]
    assert (len(core), len(sparql)) == (98, 22)
    assert sum(t.expected == suite.FAILURE for t in sparql) == 7


def _check(test, engine: str) -> str:
    """Run one test; return its verdict (pass / refused), failing on a wrong report."""
    try:
        report = suite.run_vitd_kg(test, engine=engine)
    except ShaclRefusal as refusal:
        assert str(refusal), "a refusal says why"
        return "refused"
    if test.expected == suite.FAILURE:
        pytest.fail(f"{test.id}: a report where the suite expects the shapes to be refused")
    outcome = suite.classify(test, lambda _: report)
    assert outcome.verdict == "pass", f"{test.id}: {outcome.detail}"
    return "pass"


@pytest.mark.parametrize("test", TESTS, ids=IDS)
def test_default_engine(test):
    verdict = _check(test, "auto")
    if verdict == "refused":
        assert test.expected == suite.FAILURE or test.id in UNSUPPORTED, f"{test.id} was refused"


@pytest.mark.parametrize("test", TESTS, ids=IDS)
def test_fast_engine_passes_or_refuses(test):
    """The compiled engine alone: refusals are allowed (auto then runs pySHACL), wrong reports are not."""
    _check(test, "fast")


def test_refusals_name_the_shape_and_the_feature():
    test = next(t for t in TESTS if t.id == "core/node/xone-001.ttl")
    with pytest.raises(ShaclRefusal) as refusal:
        suite.run_vitd_kg(test, engine="fast")
    assert refusal.value.feature == "sh:xone"
    assert str(refusal.value.shape).endswith("XoneConstraintExampleShape")
    unsupported = next(t for t in TESTS if t.id in UNSUPPORTED)
    with pytest.raises(ShaclRefusal, match=UNSUPPORTED[unsupported.id].replace("$", r"\$")):
        suite.run_vitd_kg(unsupported)


def test_most_of_core_runs_on_the_fast_engine():
    """The compiled engine is worth keeping only if it handles most of SHACL Core itself."""
    passed = 0
    for test in TESTS:
        if test.id.startswith("core/"):
            try:
                suite.run_vitd_kg(test, engine="fast")
                passed += 1
            except ShaclRefusal:
                pass
    assert passed >= 77
