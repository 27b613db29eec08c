"""The w3id redirect rules (docs/w3id/.htaccess), each checked against what `vitd-kg serve` answers.

The .htaccess is parsed (RewriteCond on the Accept header, RewriteRule with its
pattern, target and flags) and evaluated as mod_rewrite does in a per-directory
context: rules in order, the conditions before a rule ANDed, the first matching rule
with [L] wins. For every IRI kind the graph mints and every Accept header a client
sends, the rule's target (with the placeholder host swapped for a running `vitd-kg
serve`) must answer 200 with the media type the rule promises, and with the same
document `vitd-kg serve` gives for the IRI itself. Every rule must be used.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox
import pytest

import vitd_kg
from serve_process import Served
from vitd_kg.namespaces import BASE, ID_IRI, ID_KINDS
from vitd_kg.publishing.schema_org import media_type

HTACCESS = Path(__file__).resolve().parents[1] / "docs" / "w3id" / ".htaccess"
PLACEHOLDER = "https://vitd-kg.example.org"

ACCEPTS = {
    "turtle": "text/turtle",
    "jsonld": "application/ld+json",
    "ntriples": "application/n-triples",
    "rdfxml": "application/rdf+xml",
    "html": "text/html",
    "browser": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
    "any": "*/*",
}


@dataclass
class Rule:
    line: int
    pattern: re.Pattern
    target: str
    flags: set[str]
    conditions: list[tuple[re.Pattern, set[str]]] = field(default_factory=list)

    @property
    def status(self) -> int:
        (redirect,) = [f for f in self.flags if f.startswith("R=")]
        return int(redirect[2:])

    @property
    def promised_type(self) -> str | None:
        """The media type the rule's Accept condition names (None for a default rule)."""
        if not self.conditions:
            return None
        (condition, _), = self.conditions
        return condition.pattern.replace("\\+", "+")


def parse_htaccess(text: str) -> list[Rule]:
    rules, pending = [], []
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        parts = line.split()
        if parts[0] == "RewriteCond":
            assert parts[1] == "%{HTTP_ACCEPT}", f"line {number}: only Accept conditions are expected"
            flags = set(parts[3].strip("[]").split(",")) if len(parts) > 3 else set()
            assert flags <= {"NC", "OR"}, flags
            pending.append((re.compile(parts[2], re.I if "NC" in flags else 0), flags))
        elif parts[0] == "RewriteRule":
            flags = set(parts[3].strip("[]").split(","))
            rules.append(Rule(number, re.compile(parts[1]), parts[2], flags, pending))
            pending = []
        else:
            assert parts[0] in ("Options", "RewriteEngine"), f"line {number}: unexpected directive {parts[0]}"
    assert not pending, "a RewriteCond with no rule after it"
    return rules


def rewrite(rules: list[Rule], path: str, accept: str) -> tuple[Rule, str] | None:
    """The rule that fires for ``path`` (relative to /vitd-kg/) and its target, as mod_rewrite does."""
    for rule in rules:
        match = rule.pattern.search(path)
        if not match:
            continue
        ok = True
        for condition, flags in rule.conditions:  # all ANDed (no [OR] is used)
            ok = ok and bool(condition.search(accept))
        if not ok:
            continue
        target = re.sub(r"\$(\d)", lambda m: match.group(int(m.group(1))) or "", rule.target)
        assert "L" in rule.flags
        return rule, target
    return None


@pytest.fixture(scope="module")
def rules() -> list[Rule]:
    return parse_htaccess(HTACCESS.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def served():
    with Served() as server:
        yield server


def sample_paths() -> list[str]:
    """One IRI of every kind the graph and the release mint (relative to the namespace)."""
    kg = vitd_kg.open()
    subjects = sorted({q.subject.value for q in kg.store if isinstance(q.subject, ox.NamedNode)})
    paths = ["", "ontology", f"ontology/{vitd_kg.__version__}", "dataset", "software",
             "graph/ontology", "graph/data", "graph/claim/ma-strength", "query",
             f"release/{vitd_kg.__version__}/vitd-kg.nq", "release/latest/ontology/shapes.ttl",
             f"release/{vitd_kg.__version__}/ro-crate-metadata.json"]
    for kind in (*ID_KINDS, "document"):
        paths.append(next(s for s in subjects if s.startswith(f"{ID_IRI}{kind}/"))[len(BASE):])
    return paths


def test_every_rule_targets_the_one_host_and_is_a_redirect(rules):
    assert len(rules) > 20
    for rule in rules:
        assert rule.target.startswith(PLACEHOLDER + "/"), rule.line
        assert rule.status in (302, 303, 307), rule.line
        assert rule.promised_type is None or rule.target.endswith(
            {"text/turtle": ".ttl", "application/ld+json": ".jsonld", "application/n-triples": ".nt",
             "application/rdf+xml": ".rdf"}[rule.promised_type]), rule.line


def test_every_rule_answers_on_serve_with_the_media_type_it_promises(rules, served):
    fired: set[int] = set()
    kg = vitd_kg.open()
    index = served.get(f"/release/{vitd_kg.__version__}/nanopubs/index.tsv").text.splitlines()
    nanopub = index[1].split("\t")[1][len(BASE):]
    for path in [*sample_paths(), nanopub]:
        for name, accept in ACCEPTS.items():
            found = rewrite(rules, path, accept)
            direct_hops, direct = served.follow("/" + path, accept) if path != "query" else ([], served.get("/query", accept))
            if found is None:
                assert direct.status_code == 404, f"/{path} is answered by serve but no rule covers it"
                continue
            rule, target = found
            fired.add(rule.line)
            where = f"line {rule.line}: {path!r} with Accept {name} -> {target}"
            target_path = target[len(PLACEHOLDER):]
            hops, final = served.follow(target_path, accept)
            if rule.status in (302, 307):  # passed on to the host, which negotiates as serve does
                assert target_path == "/" + path, where
                assert (final.status_code, final.content) == (direct.status_code, direct.content), where
                continue
            assert final.status_code == 200, where
            got = final.headers["content-type"].split(";")[0]
            if rule.promised_type:
                assert got == rule.promised_type, where
            else:
                assert got == media_type(final.url.path), where
            if direct.status_code == 406:
                # serve weighs Accept properly and finds nothing; mod_rewrite cannot, and falls back
                assert name == "html" and got == "text/turtle", where
                continue
            assert direct.status_code == 200, where
            assert final.content == direct.content, f"{where}: not the document serve gives for the IRI itself"
            if path.startswith(("id/", "graph/", "ontology", "dataset", "software")) or path == "":
                assert direct_hops and direct_hops[0].status_code == 303 and rule.status == 303, where
    unused = [rule.line for rule in rules if rule.line not in fired]
    assert unused == [], f"rules never used by any IRI the graph mints: lines {unused}"


def test_every_iri_the_graph_mints_is_covered_by_a_rule(rules):
    kg = vitd_kg.open()
    iris = {t.value for q in kg.store for t in (q.subject, q.predicate, q.object)
            if isinstance(t, ox.NamedNode) and t.value.startswith(BASE)}
    iris |= set(kg.release_dataset.graphs)
    assert len(iris) > 300
    for iri in sorted(iris):
        path = iri[len(BASE):].split("#", 1)[0]
        for accept in ACCEPTS.values():
            assert rewrite(rules, path, accept) is not None, (iri, accept)


def test_the_ontology_version_iri_goes_to_that_release(rules):
    rule, target = rewrite(rules, "ontology/0.1.0", "text/turtle")
    assert target == f"{PLACEHOLDER}/release/0.1.0/ontology/vitd.ttl"
    rule, target = rewrite(rules, "ontology", "application/rdf+xml")
    assert target == f"{PLACEHOLDER}/release/latest/ontology/vitd.rdf"


def test_the_rules_are_documented_with_the_placeholder_flagged():
    readme = (HTACCESS.parent / "README.md").read_text(encoding="utf-8")
    assert PLACEHOLDER in readme and "placeholder" in readme.lower()
    assert "PLACEHOLDER" in HTACCESS.read_text(encoding="utf-8")
