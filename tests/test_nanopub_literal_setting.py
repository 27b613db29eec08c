"""Trusty URIs do not depend on rdflib's process-wide literal setting."""

from __future__ import annotations

import nanopub  # noqa: F401  (its import sets rdflib.NORMALIZE_LITERALS = False, as in real use)
import rdflib

import vitd_kg
from vitd_kg.publishing import nanopubs


def test_trusty_uris_are_the_same_whatever_normalize_literals_is(tmp_path, monkeypatch):
    monkeypatch.setattr(rdflib, "NORMALIZE_LITERALS", False)
    exact = {n.claim: n.uri for n in vitd_kg.write_nanopubs(tmp_path / "a")}
    monkeypatch.setattr(rdflib, "NORMALIZE_LITERALS", True)  # as pyshacl leaves it
    normalised = {n.claim: n.uri for n in vitd_kg.write_nanopubs(tmp_path / "b")}
    assert exact == normalised
    assert rdflib.NORMALIZE_LITERALS is True  # the caller's setting is put back
