"""Every claim as a nanopublication that the `nanopub` package accepts and whose trusty URI verifies."""

from __future__ import annotations

import socket
import warnings
from base64 import encodebytes
from pathlib import Path

import pytest
from rdflib import URIRef

import vitd_kg
from vitd_kg.publishing import nanopubs
from vitd_kg.namespaces import VITD

warnings.filterwarnings("ignore", category=DeprecationWarning)


@pytest.fixture(autouse=True)
def no_network(monkeypatch):
    """Verification must happen offline: any connection attempt fails the test."""

    def refuse(*args, **kwargs):
        raise AssertionError("a nanopublication check tried to reach the network")

    monkeypatch.setattr(socket.socket, "connect", refuse)


@pytest.fixture(autouse=True)
def nanopub_literal_mode(monkeypatch):
    """The ``nanopub`` package verifies trusty URIs only with rdflib's process-wide
    ``NORMALIZE_LITERALS = False`` (it sets it on import); pyshacl, run by other tests in
    the same process, switches it back on. Give nanopub the setting it relies on."""
    import rdflib

    monkeypatch.setattr(rdflib, "NORMALIZE_LITERALS", False)


@pytest.fixture(scope="module")
def written(tmp_path_factory) -> dict[str, nanopubs.ClaimNanopub]:
    folder = tmp_path_factory.mktemp("np")
    return {n.claim: n for n in vitd_kg.write_nanopubs(folder)}


def load(path: Path):
    from nanopub import Nanopub

    return Nanopub(rdf=path)


def claim_iris(graph) -> list[str]:
    return sorted(str(c) for c in set(graph.subjects(VITD.sourceSentence, None)))


def test_one_nanopublication_per_claim(written, graph):
    assert sorted(written) == claim_iris(graph)
    index = (next(iter(written.values())).path.parent / "index.tsv").read_text(encoding="utf-8").splitlines()
    assert len(index) == 1 + len(written)


@pytest.mark.parametrize("claim", claim_iris(__import__("vitd_kg").load()))
def test_each_nanopublication_is_valid_and_its_trusty_uri_verifies(written, graph, claim):
    item = written[claim]
    publication = load(item.path)
    assert publication.is_valid
    assert publication.source_uri == item.uri
    assert item.uri.startswith(nanopubs.NP_BASE + "RA")
    assert publication.has_valid_trusty
    # the assertion carries the claim's own statement, as in the graph
    assert set(publication.assertion.triples((URIRef(claim), None, None))) == set(graph.triples((URIRef(claim), None, None)))
    # the provenance is about the assertion graph
    assert any(s == publication.assertion.identifier for s, _, _ in publication.provenance)


def test_a_one_character_change_to_an_assertion_breaks_verification(written, tmp_path):
    from nanopub.utils import MalformedNanopubError

    item = written[str(next(iter(sorted(written))))]
    text = item.path.read_text(encoding="utf-8")
    label_start = text.index("rdfs:label \"", text.index("sub:assertion {")) + len("rdfs:label \"")
    tampered = text[:label_start] + ("X" if text[label_start] != "X" else "Y") + text[label_start + 1:]
    assert len(tampered) == len(text) and tampered != text
    path = tmp_path / "tampered.trig"
    path.write_text(tampered, encoding="utf-8")
    publication = load(path)
    assert publication.is_valid  # still well formed ...
    with pytest.raises(MalformedNanopubError):
        publication.has_valid_trusty  # ... but no longer what was hashed


def test_untouched_copy_still_verifies(written, tmp_path):
    item = next(iter(written.values()))
    path = tmp_path / "copy.trig"
    path.write_bytes(item.path.read_bytes())
    assert load(path).has_valid_trusty


def test_trusty_uris_are_reproducible(written, tmp_path):
    again = {n.claim: n.uri for n in vitd_kg.write_nanopubs(tmp_path)}
    assert again == {claim: n.uri for claim, n in written.items()}


def test_signing_with_a_user_key_gives_a_valid_signature_and_trusty_uri(tmp_path):
    from Crypto.PublicKey import RSA

    key = RSA.generate(2048)
    key_file = tmp_path / "id_rsa"
    key_file.write_text(encodebytes(key.export_key(format="DER")).decode().replace("\n", ""))
    signed = vitd_kg.write_nanopubs(tmp_path / "signed", sign_key=key_file, signer="https://orcid.org/0000-0002-1825-0097")
    for item in signed[:3]:
        publication = load(item.path)
        assert publication.is_valid
        assert publication.has_valid_signature
        assert publication.has_valid_trusty
        assert item.uri.startswith(nanopubs.NP_BASE + "RA")


def independent_ra_hash(path: Path, uri: str) -> str:
    """The RA artifact code recomputed from the TriG file by a second, independent reading
    of the trusty-URI spec (trustyuri-java's RdfHasher), on Oxigraph's exact lexical forms."""
    import base64
    import hashlib

    import pyoxigraph as ox

    code = uri.rsplit("/", 1)[-1]

    def iri(term) -> str:
        return term.value.replace(code, " ")

    def key(term):  # IRIs sort before literals; literals by label, then datatype, then language
        if isinstance(term, ox.Literal):
            return (1, term.value, "" if term.language else term.datatype.value, term.language or "")
        return (0, iri(term), "", "")

    def text(term) -> str:
        if isinstance(term, ox.Literal):
            escaped = term.value.replace("\\", "\\\\").replace("\n", "\\n")
            if term.language:
                return f"@{term.language.lower()} {escaped}\n"
            return f"^{term.datatype.value} {escaped}\n"
        return iri(term) + "\n"

    quads = list(ox.parse(path=str(path), format=ox.RdfFormat.TRIG))
    quads.sort(key=lambda q: (key(q.graph_name), key(q.subject), key(q.predicate), key(q.object)))
    normalized = "".join(text(q.graph_name) + text(q.subject) + text(q.predicate) + text(q.object) for q in quads)
    digest = hashlib.sha256(normalized.encode("utf-8")).digest()
    return "RA" + base64.urlsafe_b64encode(digest).decode().rstrip("=")


def test_trusty_uris_agree_with_an_independent_implementation_of_the_spec(written):
    for item in written.values():
        assert independent_ra_hash(item.path, item.uri) == item.uri.rsplit("/", 1)[-1], item.claim


def test_each_nanopublication_has_exactly_the_four_graphs_and_a_minimal_head(written):
    import pyoxigraph as ox

    for item in written.values():
        quads = list(ox.parse(path=str(item.path), format=ox.RdfFormat.TRIG))
        assert not [q for q in quads if q.graph_name == ox.DefaultGraph()], "no triple may sit outside the four graphs"
        names = {q.graph_name.value for q in quads}
        assert names == {f"{item.uri}#{g}" for g in nanopubs.GRAPH_NAMES}
        head = [q for q in quads if q.graph_name.value.endswith("#Head")]
        assert len(head) == 4 and all(q.subject.value == item.uri for q in head)


def test_signing_without_a_signer_or_with_a_bad_key_is_a_clear_error(tmp_path, capsys):
    from vitd_kg.cli import main

    key = tmp_path / "id_rsa"
    key.write_text("not a key")
    assert main(["dist", str(tmp_path / "a"), "--sign-key", str(key)]) == 2
    assert "ORCID" in capsys.readouterr().err
    assert main(["dist", str(tmp_path / "b"), "--sign-key", str(key), "--signer", "https://orcid.org/0000-0002-1825-0097"]) == 2
    assert "id_rsa" in capsys.readouterr().err
    assert not (tmp_path / "a").exists() and not (tmp_path / "b").exists()
