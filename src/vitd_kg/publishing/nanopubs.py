"""Each claim as a nanopublication with a trusty URI (module RA).

A claim's nanopublication has the four graphs that the nanopublication schema
(``http://www.nanopub.org/nschema#``) requires:

* **Head**: ``this: a np:Nanopublication`` pointing to the other three;
* **assertion**: the claim's own triples (its release graph, ``graph/claim/<id>``)
  plus the source sentence and its quote and position selectors, so the verbatim
  text travels with the claim;
* **provenance**: the assertion ``prov:wasDerivedFrom`` the source document and
  ``prov:hadPrimarySource`` each publication the claim cites;
* **pubinfo**: creation date (the release date, not the clock), creator, license,
  the dataset the claim belongs to.

The URI is ``https://w3id.org/vitd-kg/np/RA...``: the hash is computed by the
``nanopub`` package's own trusty-URI code (``nanopub.trustyuri``), offline, over the
nanopublication written with a temporary URI; verification with
``nanopub.Nanopub(rdf=path).has_valid_trusty`` recomputes it. Signing is optional
and needs a private RSA key the user provides (never one in the repository).
"""

from __future__ import annotations

import warnings
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import pyoxigraph as ox

from vitd_kg.evidence.reconstruct import refuse_unnamed_claims
from vitd_kg.namespaces import BASE, OA, PREFIXES, PROJECT_AGENT, VITD

NP_BASE = BASE + "np/"
NP = "http://www.nanopub.org/nschema#"
NPX = "http://purl.org/nanopub/x/"
PROV = "http://www.w3.org/ns/prov#"
DCTERMS = "http://purl.org/dc/terms/"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
GRAPH_NAMES = ("Head", "assertion", "provenance", "pubinfo")


@dataclass(frozen=True)
class ClaimNanopub:
    """One written nanopublication: the claim, its trusty URI and its file."""

    claim: str
    uri: str
    path: Path


def _temp_uri(claim: str) -> str:
    # nanopub-py derives the namespace of an unsigned nanopub from a URI ending in "#"
    return f"{NP_BASE}{claim.rsplit('/', 1)[-1]}#"


def claim_nanopub_quads(store: ox.Store, claim: ox.NamedNode, np_uri: str, issued: str) -> list[ox.Quad]:
    """The quads of a claim's nanopublication, with ``np_uri`` as its URI.

    ``np_uri`` ending in ``#`` is a temporary URI (``...#assertion`` etc.);
    otherwise graph names are ``np_uri + "#assertion"``.
    """
    this = ox.NamedNode(np_uri)
    sub = np_uri if np_uri.endswith("#") else np_uri + "#"
    head, assertion, provenance, pubinfo = (ox.NamedNode(sub + name) for name in GRAPH_NAMES)

    def q(s, p: str, o, g) -> ox.Quad:
        return ox.Quad(s, ox.NamedNode(p), o, g)

    quads = [
        q(this, RDF_TYPE, ox.NamedNode(NP + "Nanopublication"), head),
        q(this, NP + "hasAssertion", assertion, head),
        q(this, NP + "hasProvenance", provenance, head),
        q(this, NP + "hasPublicationInfo", pubinfo, head),
    ]
    own = [qd.triple for qd in store.quads_for_pattern(claim, None, None, ox.DefaultGraph())]
    sentences = [t.object for t in own if t.predicate.value == str(VITD.sourceSentence)]
    for sentence in sentences:
        own += [qd.triple for qd in store.quads_for_pattern(sentence, None, None, ox.DefaultGraph())]
        for sel in store.quads_for_pattern(sentence, ox.NamedNode(str(OA.hasSelector)), None, ox.DefaultGraph()):
            own += [qd.triple for qd in store.quads_for_pattern(sel.object, None, None, ox.DefaultGraph())]
    quads += [ox.Quad(t.subject, t.predicate, t.object, assertion) for t in own]
    for sentence in sentences:
        for source in store.quads_for_pattern(sentence, ox.NamedNode(str(OA.hasSource)), None, ox.DefaultGraph()):
            quads.append(q(assertion, PROV + "wasDerivedFrom", source.object, provenance))
    for publication in store.quads_for_pattern(claim, ox.NamedNode(str(VITD.publication)), None, ox.DefaultGraph()):
        quads.append(q(assertion, PROV + "hadPrimarySource", publication.object, provenance))
    quads += [
        q(this, DCTERMS + "created", ox.Literal(f"{issued}T00:00:00Z", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#dateTime")), pubinfo),
        q(this, DCTERMS + "creator", ox.NamedNode(PROJECT_AGENT), pubinfo),
        q(this, DCTERMS + "license", ox.NamedNode("https://creativecommons.org/licenses/by/4.0/"), pubinfo),
        q(this, DCTERMS + "isPartOf", ox.NamedNode(BASE + "dataset"), pubinfo),
        q(this, DCTERMS + "subject", claim, pubinfo),
    ]
    return sorted(set(quads), key=lambda x: (str(x.graph_name), str(x.subject), str(x.predicate), str(x.object)))


def _to_conjunctive(quads: list[ox.Quad]):
    from rdflib import ConjunctiveGraph

    from vitd_kg.rdf.terms import to_rdflib

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        graph = ConjunctiveGraph()
    for qd in quads:
        graph.get_context(to_rdflib(qd.graph_name)).add(
            (to_rdflib(qd.subject), to_rdflib(qd.predicate), to_rdflib(qd.object))
        )
    return graph


def _from_conjunctive(graph) -> list[ox.Quad]:
    from vitd_kg.rdf.terms import to_oxigraph

    return [
        ox.Quad(to_oxigraph(s), to_oxigraph(p), to_oxigraph(o), to_oxigraph(c.identifier))
        for s, p, o, c in graph.quads((None, None, None))
    ]


@contextmanager
def _exact_literals() -> Iterator[None]:
    """Keep literals' exact lexical forms in rdflib while ``nanopub`` hashes them.

    Trusty URIs hash exact lexical forms, and ``nanopub`` relies on the process-wide
    ``rdflib.NORMALIZE_LITERALS = False`` that it sets on import; other libraries
    (pyshacl) switch it back on, which would change the hash. The setting found on
    entry is put back on exit.
    """
    import rdflib

    saved = rdflib.NORMALIZE_LITERALS
    rdflib.NORMALIZE_LITERALS = False
    try:
        yield
    finally:
        rdflib.NORMALIZE_LITERALS = saved


def trusty_artifact_code(quads: list[ox.Quad], temp_uri: str) -> str:
    """The RA artifact code of a nanopublication written with ``temp_uri`` (``...#``).

    Computed by the ``nanopub`` package's trusty-URI code (no network). Note that
    importing ``nanopub`` sets ``rdflib.NORMALIZE_LITERALS = False`` for the whole
    process (its trusty-URI hashing needs exact lexical forms, and its own verification
    relies on the setting), so later rdflib parses in the same process keep literals'
    lexical forms ("1"^^xsd:boolean stays "1").
    """
    from nanopub.trustyuri.rdf import RdfHasher, RdfUtils

    with _exact_literals():
        return RdfHasher.make_hash(RdfUtils.get_quads(_to_conjunctive(quads)), baseuri=temp_uri, hashstr=" ")


def _sign(quads: list[ox.Quad], sign_key: Path, signer: str | None) -> list[ox.Quad]:
    """Sign with the user's RSA key through the ``nanopub`` package (adds signature, trusty URI)."""
    from nanopub import Nanopub, NanopubConf, Profile

    from vitd_kg.errors import InputError

    if not signer:
        raise InputError("signing needs the signer's ORCID IRI", hint="pass --signer https://orcid.org/XXXX-XXXX-XXXX-XXXX")
    try:
        profile = Profile(orcid_id=signer, name=signer, private_key=Path(sign_key))
    except (ValueError, IndexError, TypeError) as error:
        raise InputError(
            f"cannot read the RSA private key: {error}", file=str(sign_key),
            hint="give the key as `np setup` writes it (~/.nanopub/id_rsa: base64 of the DER key, no PEM header)",
        ) from None
    with warnings.catch_warnings(), _exact_literals():
        warnings.simplefilter("ignore", DeprecationWarning)
        publication = Nanopub(rdf=_to_conjunctive(quads), conf=NanopubConf(profile=profile))
        publication.sign()
        return _from_conjunctive(publication.rdf)


def write_nanopubs(
    store: ox.Store, folder: Path, *, issued: str, sign_key: Path | None = None, signer: str | None = None
) -> list[ClaimNanopub]:
    """Write one TriG nanopublication per claim of ``store`` into ``folder`` and an ``index.tsv``.

    Each file is named for the claim (``cs-symptom-improvement.trig``); the index maps
    claim IRIs to trusty nanopublication URIs. ``issued`` is the release date.
    """
    claims = sorted(
        {qd.subject for qd in store.quads_for_pattern(None, ox.NamedNode(str(VITD.sourceSentence)), None, ox.DefaultGraph())},
        key=str,
    )
    refuse_unnamed_claims(store)
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for claim in claims:
        temp = _temp_uri(claim.value)
        quads = claim_nanopub_quads(store, claim, temp, issued)
        if sign_key is not None:
            final = _sign(quads, sign_key, signer)
            uri = next(qd.subject.value for qd in final if qd.predicate.value == RDF_TYPE and qd.object.value == NP + "Nanopublication")
        else:
            uri = NP_BASE + trusty_artifact_code(quads, temp)
            final = claim_nanopub_quads(store, claim, uri, issued)
        path = folder / f"{claim.value.rsplit('/', 1)[-1]}.trig"
        prefixes = {**PREFIXES, "this": uri, "sub": uri + "#", "np": NP, "npx": NPX}
        ox.serialize(
            sorted(final, key=lambda x: (str(x.graph_name), str(x.subject), str(x.predicate), str(x.object))),
            str(path),
            ox.RdfFormat.TRIG,
            prefixes=prefixes,
        )
        written.append(ClaimNanopub(claim.value, uri, path))
    (folder / "index.tsv").write_text(
        "claim\tnanopublication\tfile\n" + "".join(f"{n.claim}\t{n.uri}\t{n.path.name}\n" for n in written),
        encoding="utf-8",
    )
    return written
