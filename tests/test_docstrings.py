"""Every example in every module's docstrings runs: one runner for the whole package.

Adding a module adds its examples here; the modules people start from must carry some.
"""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import vitd_kg

MODULES = sorted(m.name for m in pkgutil.walk_packages(vitd_kg.__path__, "vitd_kg."))

#: Modules a newcomer reads first: each shows at least one example that runs.
WITH_EXAMPLES = {
    "vitd_kg",
    "vitd_kg.api",
    "vitd_kg.knowledge_graph",
    "vitd_kg.namespaces",
    "vitd_kg.atomic",
    "vitd_kg.errors",
    "vitd_kg.evidence.model",
    "vitd_kg.evidence.reconstruct",
    "vitd_kg.evidence.audit",
    "vitd_kg.evidence.chain",
    "vitd_kg.sparql.engines",
    "vitd_kg.sparql.queries",
    "vitd_kg.sparql.bindings",
    "vitd_kg.exports.rdf",
    "vitd_kg.exports.fhir",
    "vitd_kg.exports.tables",
    "vitd_kg.publishing.release",
    "vitd_kg.publishing.void",
    "vitd_kg.publishing.sparql_client",
    "vitd_kg.site.diagram",
    "vitd_kg.site.evidence_map",
}


@pytest.mark.parametrize("module", ["vitd_kg", *MODULES])
def test_docstring_examples_run(module):
    result = doctest.testmod(importlib.import_module(module), optionflags=doctest.ELLIPSIS)
    assert result.failed == 0
    if module in WITH_EXAMPLES:
        assert result.attempted > 0, f"{module} should show an example"
