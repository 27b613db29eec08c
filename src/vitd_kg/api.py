"""The module-level functions of :mod:`vitd_kg`: each opens the graph (:func:`vitd_kg.open`) and asks it.

One convention for the data: ``source`` is ``None`` (the bundled data, opened once per
process), a data file or folder, a list of them, or an opened
:class:`~vitd_kg.knowledge_graph.KnowledgeGraph`. It is the first argument of the
functions that only read the graph (``claims(source)``) and a keyword elsewhere
(``query(text, source=...)``). Bindings are a mapping (``bind={"claim": ...}``).

>>> import vitd_kg
>>> [str(r["outcomeLabel"]) for r in vitd_kg.query("questions/null-outcomes")]
['muscle mass', 'muscle power']
>>> rows = vitd_kg.query("SELECT * WHERE { ?e vitd:pValue ?p }", bind={"e": "estimate:beaudart-2014-strength-smd"})
>>> [str(r["p"]) for r in rows]
['0.02']
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO, Iterable, Mapping

from vitd_kg.knowledge_graph import KnowledgeGraph, open
from vitd_kg.rdf.sources import Source

if TYPE_CHECKING:
    import pyoxigraph as ox
    from rdflib import Graph

    from vitd_kg.evidence.audit import Finding
    from vitd_kg.evidence.model import Claim
    from vitd_kg.evidence.stats import Stats
    from vitd_kg.publishing.nanopubs import ClaimNanopub
    from vitd_kg.publishing.release import ReleaseFile
    from vitd_kg.publishing.upload import LoadReport
    from vitd_kg.site.build import SiteReport
    from vitd_kg.sparql.rows import Row
    from vitd_kg.validation.report import ValidationReport



def load(source: Source | KnowledgeGraph = None) -> "Graph":
    """The ontology plus the data as a new ``rdflib.Graph``.

    >>> import vitd_kg
    >>> from vitd_kg.namespaces import VITD
    >>> len(set(vitd_kg.load().subjects(VITD.sourceSentence, None)))
    30
    """
    from vitd_kg.rdf.serialize import store_to_graph

    return store_to_graph(open(source).store)


def load_store(source: Source | KnowledgeGraph = None) -> "ox.Store":
    """The ontology plus the data in a new in-memory ``pyoxigraph.Store`` (yours to change)."""
    import pyoxigraph as ox

    from vitd_kg.rdf.filling import fill

    store = ox.Store()
    fill(store, open(source).store)
    return store


def claims(source: Source | KnowledgeGraph = None, *, ids: Iterable[str] | None = None) -> list["Claim"]:
    """Every claim rebuilt from the graph, in document order (or the claims with these ids).

    >>> import vitd_kg
    >>> claim = vitd_kg.claims(ids=["concl-alleviates-muscle-spasm"])[0]
    >>> claim.text
    'The evidence suggests that vitamin D can significantly alleviate muscle spasm, particularly in individuals with vitamin D deficiency.'
    """
    return open(source).claims(ids)


def query(
    query: str | Path,
    *,
    source: Source | KnowledgeGraph = None,
    bind: Mapping[str, Any] | None = None,
    engine: str = "oxigraph",
    timeout: float | None = None,
) -> list["Row"]:
    """Rows of a bundled query (``questions/null-outcomes``), a ``.rq`` file or SPARQL text.

    Rows map variable names to rdflib terms; ``bind`` maps variable names to values
    (IRIs, CURIEs such as ``claim:ma-strength``, rdflib terms or Python values),
    handed to the engine as bindings, never pasted into the text. Queries that are not
    bundled are checked first: updates, ``SERVICE`` and ``FROM`` are refused.
    """
    return open(source).query(query, bind=bind, engine=engine, timeout=timeout)


def query_frame(
    query: str | Path,
    *,
    source: Source | KnowledgeGraph = None,
    bind: Mapping[str, Any] | None = None,
    engine: str = "oxigraph",
    timeout: float | None = None,
):
    """Like :func:`query`, as a ``pandas.DataFrame`` (missing cells are ``<NA>``); needs pandas."""
    return open(source).query_frame(query, bind=bind, engine=engine, timeout=timeout)


def audit(source: Source | KnowledgeGraph = None) -> list["Finding"]:
    """The evidence audit's findings, most severe first.

    >>> import vitd_kg
    >>> sorted({f.kind for f in vitd_kg.audit()})[0]
    'hedge-dropped-from-publication'
    """
    return open(source).audit()


def stats(source: Source | KnowledgeGraph = None) -> "Stats":
    """Triples, and resources by class.

    >>> import vitd_kg
    >>> vitd_kg.stats().count("vitd:Claim")
    30
    """
    return open(source).stats()


def validate(
    source: Source = None,
    *,
    shapes: "Iterable[str | Path] | None" = None,
    with_bundled_shapes: bool = False,
    engine: str = "auto",
    reason: bool = False,
    with_bundled_data: bool = False,
    max_bytes: int | None = None,
) -> "ValidationReport":
    """Validate the bundled data, or a file, folder or list of them: input gate, SHACL, optionally OWL.

    ``shapes``: SHACL shapes files to validate against instead of the bundled shapes
    (``with_bundled_shapes=True`` adds them). ``engine``: ``auto``, ``fast`` or
    ``pyshacl``. ``report.to_turtle()`` gives the SHACL results as a standard
    ``sh:ValidationReport``. See :func:`vitd_kg.validation.pipeline.validate`.

    >>> import vitd_kg
    >>> vitd_kg.validate().conforms
    True
    """
    from vitd_kg.validation.pipeline import validate as run

    options: dict[str, Any] = {} if max_bytes is None else {"max_bytes": max_bytes}
    return run(
        source,
        shapes=None if shapes is None else list(shapes),
        with_bundled_shapes=with_bundled_shapes,
        engine=engine,
        reason=reason,
        with_bundled_data=with_bundled_data,
        **options,
    )


def effect_table(source: Source | KnowledgeGraph = None) -> list[dict[str, Any]]:
    """One dict per effect estimate (or effect without one): the tidy effect table.

    >>> import vitd_kg
    >>> len(vitd_kg.effect_table())
    10
    """
    return open(source).effect_table()


def effect_dataframe(source: Source | KnowledgeGraph = None):
    """The tidy effect table as a pandas DataFrame (missing values are ``<NA>``); needs pandas."""
    return open(source).effect_dataframe()


def fhir_bundle(source: Source | KnowledgeGraph = None) -> dict[str, Any]:
    """The effects and publications as a FHIR R5 Bundle (Evidence and Citation resources).

    >>> import vitd_kg
    >>> vitd_kg.fhir_bundle()["resourceType"]
    'Bundle'
    """
    return open(source).fhir_bundle()


def export(output_format: str, out: BinaryIO, *, source: Source | KnowledgeGraph = None) -> None:
    """Write the graph to a binary stream: an RDF serialization, ``fhir``, ``csv`` or ``parquet``."""
    open(source).export(output_format, out)


def dist(
    outdir: str | Path,
    *,
    source: Source | KnowledgeGraph = None,
    force: bool = False,
    sign_key: Path | None = None,
    signer: str | None = None,
) -> list["ReleaseFile"]:
    """Build a release (dumps, nanopublications, VoID/DCAT, checksums) in ``outdir``, atomically."""
    return open(source).dist(outdir, force=force, sign_key=sign_key, signer=signer)


def write_nanopubs(
    folder: str | Path,
    *,
    source: Source | KnowledgeGraph = None,
    sign_key: Path | None = None,
    signer: str | None = None,
) -> list["ClaimNanopub"]:
    """One nanopublication per claim (TriG, trusty URIs) and an ``index.tsv`` in ``folder``."""
    return open(source).write_nanopubs(folder, sign_key=sign_key, signer=signer)


def build_site(outdir: str | Path, *, source: Source | KnowledgeGraph = None, force: bool = False) -> "SiteReport":
    """Build the documentation site into ``outdir``, atomically."""
    return open(source).build_site(outdir, force=force)


def write_evidence_map(claim_id: str, path: str | Path, *, source: Source | KnowledgeGraph = None) -> None:
    """Draw one claim's evidence map (SVG, PNG or DOT by the file's suffix)."""
    open(source).write_evidence_map(claim_id, path)


def write_model_diagram(path: str | Path, *, source: Source | KnowledgeGraph = None) -> None:
    """Draw the model diagram (SVG, PNG or DOT by the file's suffix)."""
    open(source).write_model_diagram(path)


def upload(
    endpoint: str,
    *,
    source: Source | KnowledgeGraph = None,
    release: str | Path | None = None,
    graph: str | None = None,
    **options: Any,
) -> "LoadReport":
    """Put the release into a running SPARQL store, all or nothing (see :mod:`vitd_kg.publishing.upload`).

    The graphs come from ``release`` (a folder built by :func:`dist`, checked against
    its checksums) or from the graph of ``source``; ``graph`` puts everything but the
    shapes into that one named graph. Options: ``user`` (the password comes from
    ``VITD_KG_PASSWORD``), ``update_url``, ``store_url``, ``graph_param``,
    ``auth_scheme``, ``connect_timeout``, ``read_timeout``, ``method`` (``auto``, ``dataset``:
    many graphs per N-Quads POST, or ``graph``: one PUT each; ``auto`` makes a first load
    into Oxigraph one transactional POST without staging).
    """
    from vitd_kg.publishing import upload as uploading
    from vitd_kg.publishing.release import read_release
    from vitd_kg.publishing.sparql_client import checked_graph_iri

    if graph is not None:
        checked_graph_iri(graph)
    graphs = read_release(Path(release)) if release is not None else open(source).release_dataset.graphs
    if graph is not None:
        graphs = uploading.into_one_graph(graphs, graph)
    return uploading.upload(endpoint, graphs, **options)
