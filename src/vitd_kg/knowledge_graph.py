"""The opened graph: the ontology and the data parsed once, and everything computed from them.

A :class:`KnowledgeGraph` is made once per command or Python session, by :func:`open`,
from the bundled data, a data folder, files, or a list of them. It parses each file
once, into one Oxigraph store, and offers what the package computes from it: claims,
queries, the evidence audit, counts, exports, releases, the site and pictures. Results
that several callers need (claims, the audit) are computed once per graph.

>>> import vitd_kg
>>> kg = vitd_kg.open()
>>> kg.stats().count("vitd:Claim")
30
>>> kg.claim("ma-strength").evidence_level.label
'meta-analysis of randomized controlled trials'
>>> [str(r["outcomeLabel"]) for r in kg.query("questions/null-outcomes")]
['muscle mass', 'muscle power']
>>> rows = kg.query("SELECT * WHERE { ?c vitd:participants ?n }", bind={"c": "study:beaudart-2014-meta-analysis"})
>>> int(rows[0]["n"])
5615

The module-level functions of :mod:`vitd_kg` (``claims()``, ``query()``...) are this
class's methods on ``open(source)``.
"""

from __future__ import annotations

from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO, Iterable, Mapping

import pyoxigraph as ox

from vitd_kg.errors import InputError
from vitd_kg.rdf.reading import load_data, parse_source
from vitd_kg.rdf.sources import Source, SourceFile, data_sources, ontology_source

if TYPE_CHECKING:
    from rdflib import Graph

    from vitd_kg.evidence.audit import Finding
    from vitd_kg.evidence.chain import EvidenceChain
    from vitd_kg.evidence.model import Claim
    from vitd_kg.evidence.stats import Stats
    from vitd_kg.exports.rdf import ReleaseDataset
    from vitd_kg.publishing.release import ReleaseFile
    from vitd_kg.publishing.nanopubs import ClaimNanopub
    from vitd_kg.site.build import SiteReport
    from vitd_kg.sparql.engines import QueryResult
    from vitd_kg.sparql.rows import Row


class KnowledgeGraph:
    """The ontology plus data in one Oxigraph store, with what the package computes from it."""

    def __init__(
        self, store: ox.Store, *, ontology: list[ox.Triple], files: list[SourceFile], ontology_turtle: bytes
    ) -> None:
        self.store = store
        #: The ontology's own triples (the release puts them in their own named graph).
        self.ontology = ontology
        #: The ontology file as it was read (the site offers it for download).
        self.ontology_turtle = ontology_turtle
        #: The files the graph was read from, ontology first.
        self.files = files

    @classmethod
    def open(cls, source: Source = None) -> "KnowledgeGraph":
        """Parse the bundled ontology and the data of ``source`` (the bundled data for ``None``).

        ``source`` is a data file or folder, or a list of them (folders are searched
        for .ttl, .nt, .jsonld, .rdf and .owl files), or a release folder built by
        ``vitd-kg dist`` (read from its checked N-Quads dump, with its own ontology).
        Raises :class:`~vitd_kg.errors.InputError` naming the file, line and column of
        anything that cannot be read.
        """
        if isinstance(source, (str, Path)) and Path(source).is_dir():
            from vitd_kg.publishing.release import is_release

            if is_release(Path(source)):
                return cls._open_release(Path(source))
        files = [ontology_source(), *data_sources(source)]
        store = ox.Store()
        ontology_text, quads = parse_source(files[0])
        ontology = [quad.triple for quad in quads]
        store.extend(ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph()) for t in ontology)
        load_data(store, files[1:], ontology=ontology)  # also refuses deep nesting and a restated ontology
        return cls(store, ontology=ontology, files=files, ontology_turtle=ontology_text.encode("utf-8"))

    @classmethod
    def _open_release(cls, folder: Path) -> "KnowledgeGraph":
        from vitd_kg.exports.rdf import ONTOLOGY_GRAPH, SHAPES_GRAPH
        from vitd_kg.namespaces import PREFIXES
        from vitd_kg.publishing.release import QUADS_DUMP, read_release

        graphs = read_release(folder)
        ontology = graphs.get(ONTOLOGY_GRAPH, [])
        store = ox.Store()
        store.extend(
            ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph())
            for name, triples in graphs.items()
            if name != SHAPES_GRAPH
            for t in triples
        )
        turtle = ox.serialize(ontology, format=ox.RdfFormat.TURTLE, prefixes=dict(PREFIXES))
        return cls(store, ontology=ontology, files=[SourceFile(str(folder / QUADS_DUMP), folder / QUADS_DUMP)], ontology_turtle=turtle)

    def __repr__(self) -> str:
        data = [f.name for f in self.files[1:]]
        shown = ", ".join(data[:3]) + (f", ... ({len(data)} files)" if len(data) > 3 else "")
        return f"<KnowledgeGraph of {shown}>"

    def __len__(self) -> int:
        """The number of triples (ontology and data)."""
        return len(self.store)

    # --- SPARQL -------------------------------------------------------------------------

    def execute(
        self,
        query: str | Path,
        *,
        bind: Mapping[str, Any] | None = None,
        engine: str = "oxigraph",
        timeout: float | None = None,
    ) -> "QueryResult":
        """Run a bundled query by name, a ``.rq`` file or inline SPARQL; return the whole result.

        ``bind`` maps variable names to values (IRIs, CURIEs, rdflib terms or Python
        values), handed to the engine as bindings. ``engine`` is ``oxigraph`` or
        ``rdflib``; ``timeout`` stops the query after that many seconds.
        """
        from vitd_kg.sparql.engines import ENGINES, execute
        from vitd_kg.sparql.queries import read_query

        if engine not in ENGINES:
            raise InputError(f"unknown engine {engine!r}", hint=f"use one of: {', '.join(ENGINES)}")
        target = self.store if engine == "oxigraph" else self.rdflib_graph
        return execute(read_query(query), target, bindings=bind, timeout=timeout)

    def query(
        self,
        query: str | Path,
        *,
        bind: Mapping[str, Any] | None = None,
        engine: str = "oxigraph",
        timeout: float | None = None,
    ) -> list["Row"]:
        """Rows of a query (see :meth:`execute`): variable name -> rdflib term.

        An ASK query gives one row ``{"boolean": Literal(True or False)}``; a CONSTRUCT
        one row per triple (``subject``, ``predicate``, ``object``).
        """
        result = self.execute(query, bind=bind, engine=engine, timeout=timeout)
        if result.boolean is not None:
            from rdflib import Literal

            return [{"boolean": Literal(result.boolean)}]
        return result.rows

    def query_frame(
        self,
        query: str | Path,
        *,
        bind: Mapping[str, Any] | None = None,
        engine: str = "oxigraph",
        timeout: float | None = None,
    ):
        """Like :meth:`query`, as a ``pandas.DataFrame`` of Python values (missing cells are ``pd.NA``).

        Needs pandas (``pip install 'vitd-kg[pandas]'``).
        """
        from vitd_kg.sparql.results import result_frame

        return result_frame(self.execute(query, bind=bind, engine=engine, timeout=timeout))

    @cached_property
    def rdflib_graph(self) -> "Graph":
        """The graph as an ``rdflib.Graph`` (made on first use, then kept)."""
        from vitd_kg.rdf.serialize import store_to_graph

        return store_to_graph(self.store)

    # --- evidence -----------------------------------------------------------------------

    @cached_property
    def _claims(self) -> list["Claim"]:
        from vitd_kg.evidence.reconstruct import reconstruct_claims

        return reconstruct_claims(self.store)

    def claims(self, ids: Iterable[str] | None = None) -> list["Claim"]:
        """Every claim rebuilt from the graph, in document order; or the claims with these ids.

        Ids are short (``ma-strength``), CURIEs (``claim:ma-strength``) or IRIs; an
        unknown id raises :class:`~vitd_kg.errors.InputError`.
        """
        if ids is None:
            return list(self._claims)
        from vitd_kg.namespaces import claim_id

        wanted = [claim_id(i).removeprefix("claim:") for i in ids]
        by_id = {c.id: c for c in self._claims}
        missing = [i for i in wanted if i not in by_id]
        if missing:
            raise InputError(f"no claim with id {', '.join(missing)}", hint="run `vitd-kg claims` to see every claim id")
        return [by_id[i] for i in dict.fromkeys(wanted)]

    def claim(self, claim_id: str) -> "Claim":
        """One claim by its id, CURIE or IRI."""
        return self.claims([claim_id])[0]

    @cached_property
    def _findings(self) -> list["Finding"]:
        from vitd_kg.evidence.audit import run_audit

        return run_audit(self.store)

    def audit(self) -> list["Finding"]:
        """The evidence audit's findings, most severe first (rules in ``queries/audit/``)."""
        return list(self._findings)

    @cached_property
    def _stats(self) -> "Stats":
        from vitd_kg.evidence.stats import graph_stats

        return graph_stats(self.store)

    def stats(self) -> "Stats":
        """How many triples, and how many resources of each class."""
        return self._stats

    def evidence_chain(self, claim_id: str) -> "EvidenceChain":
        """The chain of evidence under one claim, with the audit's findings marked."""
        from vitd_kg.evidence.chain import evidence_chain

        return evidence_chain(self.store, claim_id, findings=self._findings)

    # --- exports ------------------------------------------------------------------------

    @cached_property
    def release_dataset(self) -> "ReleaseDataset":
        """The graph split into the release's named graphs (ontology, data, one per claim; the shapes ship as files beside the dumps)."""
        from vitd_kg.exports.rdf import release_dataset

        return release_dataset(self.store, self.ontology)

    def export(self, output_format: str, out: BinaryIO) -> None:
        """Write the graph to a binary stream as an RDF serialization, ``fhir``, ``csv`` or ``parquet``."""
        from vitd_kg.exports import write_export

        write_export(self.store, lambda: self.release_dataset, output_format, out)

    def effect_table(self) -> list[dict[str, Any]]:
        """One dict per effect estimate (or effect without one): the tidy effect table."""
        from vitd_kg.exports.tables import effect_table

        return effect_table(self.store)

    def effect_dataframe(self):
        """The tidy effect table as a pandas DataFrame (nullable dtypes: missing is ``<NA>``)."""
        from vitd_kg.exports.tables import effect_dataframe

        return effect_dataframe(self.store)

    def fhir_bundle(self) -> dict[str, Any]:
        """The effects and publications as a FHIR R5 Bundle of Evidence and Citation resources."""
        from vitd_kg.exports.fhir import fhir_bundle

        return fhir_bundle(self.store)

    # --- publishing and pictures ----------------------------------------------------------

    def dist(
        self,
        outdir: str | Path,
        *,
        force: bool = False,
        sign_key: Path | None = None,
        signer: str | None = None,
    ) -> list["ReleaseFile"]:
        """Build a release in ``outdir`` (dumps, nanopublications, VoID/DCAT, checksums), atomically."""
        from vitd_kg.publishing.release import dist

        return dist(self.release_dataset, self.store, Path(outdir), force=force, sign_key=sign_key, signer=signer)

    def write_nanopubs(self, folder: str | Path, *, sign_key: Path | None = None, signer: str | None = None) -> list["ClaimNanopub"]:
        """One nanopublication per claim (TriG, trusty URIs) and an ``index.tsv`` in ``folder``."""
        from vitd_kg.publishing.nanopubs import write_nanopubs
        from vitd_kg.publishing.release import release_issued

        return write_nanopubs(self.store, Path(folder), issued=release_issued(self.ontology), sign_key=sign_key, signer=signer)

    def build_site(self, outdir: str | Path, *, force: bool = False) -> "SiteReport":
        """Build the documentation site into ``outdir``, atomically."""
        from vitd_kg.site.build import build_site

        return build_site(Path(outdir), self._site_inputs(), force=force)

    def write_readme_pictures(self, folder: str | Path) -> list[Path]:
        """The model diagram and one evidence map, as the README shows them."""
        from vitd_kg.site.build import write_readme_pictures

        return write_readme_pictures(Path(folder), self._site_inputs())

    def write_evidence_map(self, claim_id: str, path: str | Path) -> None:
        """Draw the evidence map of one claim (SVG, PNG or DOT by the file's suffix)."""
        from vitd_kg.site.evidence_map import write_evidence_map
        from vitd_kg.site.graphviz_output import picture_format

        picture_format(Path(path))  # a bad file name fails before any work is done
        write_evidence_map(self.evidence_chain(claim_id), Path(path))

    def write_model_diagram(self, path: str | Path) -> None:
        """Draw the ontology's classes and properties (SVG, PNG or DOT by the file's suffix)."""
        from vitd_kg.site.diagram import write_model_diagram
        from vitd_kg.site.graphviz_output import picture_format

        picture_format(Path(path))
        write_model_diagram(self.store, Path(path))

    def _site_inputs(self):
        from vitd_kg.site.build import SiteInputs

        return SiteInputs(
            store=self.store,
            stats=self.stats(),
            findings=self.audit(),
            chain=self.evidence_chain,
            dataset=self.release_dataset,
            ontology=self.ontology,
            ontology_turtle=self.ontology_turtle,
            claims=self.claims(),
        )


#: The graph of the bundled data, opened on first use by :func:`open` and kept.
_BUNDLED: KnowledgeGraph | None = None


def open(source: "Source | KnowledgeGraph" = None) -> KnowledgeGraph:  # noqa: A001 - the package's verb
    """Open a graph: the bundled data (``None``, opened once per process), files or folders.

    A :class:`KnowledgeGraph` passes through unchanged, so every function of the
    package accepts an opened graph wherever it accepts a source.

    >>> import vitd_kg
    >>> vitd_kg.open() is vitd_kg.open()
    True
    """
    global _BUNDLED
    if isinstance(source, KnowledgeGraph):
        return source
    if source is None:
        if _BUNDLED is None:
            _BUNDLED = KnowledgeGraph.open()
        return _BUNDLED
    return KnowledgeGraph.open(source)
