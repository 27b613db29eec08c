"""Every claim as a nanopublication that the `nanopub` package accepts and whose trusty URI verifies."""

from __future__ import annotations

import socket
import warnings
from base64 import encodebytes
from pathlib import Path

import pytest
from rdflib import URIRef

from vitd_kg import nanopubs
from vitd_kg.namespaces import VITD

warnings.filterwarnings("ignore", category=DeprecationWarning)


@pytest.fixture(autouse=True)
def no_network(monkeypatch):
    """Verification must happen offline: any connection attempt fails the test."""

    def refuse(*args, **kwargs):
        raise AssertionError("a nanopublication check tried to reach the network")

    monkeypatch.setattr(socket.socket, "connect", refuse)


@pytest.fixture(scope="module")
def written(tmp_path_factory) -> dict[str, nanopubs.ClaimNanopub]:
    folder = tmp_path_factory.mktemp("np")
    return {n.claim: n for n in nanopubs.write_nanopubs(folder)}


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
    again = {n.claim: n.uri for n in nanopubs.write_nanopubs(tmp_path)}
    assert again == {claim: n.uri for claim, n in written.items()}


def test_signing_with_a_user_key_gives_a_valid_signature_and_trusty_uri(tmp_path):
    from Crypto.PublicKey import RSA

    key = RSA.generate(2048)
    key_file = tmp_path / "id_rsa"
    key_file.write_text(encodebytes(key.export_key(format="DER")).decode().replace("\n", ""))
    signed = nanopubs.write_nanopubs(tmp_path / "signed", sign_key=key_file, signer="https://orcid.org/0000-0002-1825-0097")
    for item in signed[:3]:
        publication = load(item.path)
        assert publication.is_valid
        assert publication.has_valid_signature
        assert publication.has_valid_trusty
        assert item.uri.startswith(nanopubs.NP_BASE + "RA")
