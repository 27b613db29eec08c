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
from typing import TYPE_CHECKING, Any, BinaryIO, Callable, Iterable, Iterator, Mapping

import pyoxigraph as ox

from vitd_kg.errors import InputError
from vitd_kg.rdf.filling import fill
from vitd_kg.rdf.reading import check_loaded_data
from vitd_kg.rdf.sources import Source, SourceFile, data_sources, ontology_source

if TYPE_CHECKING:
    from rdflib import Graph

    from vitd_kg.evidence.audit import Finding
    from vitd_kg.evidence.chain import EvidenceChain
    from vitd_kg.evidence.model import Claim
    from vitd_kg.evidence.stats import Stats
    from vitd_kg.exports.rdf import ReleaseDataset
    from vitd_kg.site.build import SiteInputs
    from vitd_kg.publishing.release import ReleaseFile
    from vitd_kg.publishing.nanopubs import ClaimNanopub
    from vitd_kg.site.build import SiteReport
    from vitd_kg.sparql.endpoint import EndpointEngine
    from vitd_kg.sparql.engines import QueryResult, Target
    from vitd_kg.sparql.rows import Row
    from vitd_kg.storage.cache import CacheSettings


# --- where the graph comes from ------------------------------------------------------------
#
# A graph is backed by one of three things, each of which says where queries of three kinds
# run: *scans* (every claim, the audit, counts, exports: fastest on an in-memory store),
# *lookups* (one claim and what lies under it: at index speed on any store, so an on-disk
# store kept in the cache saves parsing), and the user's *queries* (an existing on-disk store
# if there is one, else memory). ``memory()`` is the whole graph in an in-memory store, for
# what needs the raw triples (release dumps, nanopublications, rdflib).


class _Parsed:
    """A store someone already filled (``KnowledgeGraph(store, ...)``)."""

    cache_entry = None

    def __init__(self, store: ox.Store, ontology: list[ox.Triple], ontology_turtle: bytes) -> None:
        self._store, self._ontology, self._turtle = store, ontology, ontology_turtle

    def memory(self) -> ox.Store:
        return self._store

    def parsed(self) -> bool:
        return True

    scan = lookup = query = memory

    def ontology(self) -> tuple[list[ox.Triple], bytes]:
        return self._ontology, self._turtle

    def result(self, name: str, compute: Callable[[], Any]) -> Any:
        return compute()

    def result_items(self, name: str, compute: Callable[[], Iterable[Any]]) -> Iterable[Any]:
        return compute()

    def cached(self, name: str) -> Any | None:
        return None


class _Local:
    """Data files or a release folder, parsed on first need, through the cache when it applies.

    Opening hashes nothing unless the cache applies and a source's fingerprints match a
    recorded key: then the files are hashed (each opened once) and, if the content is
    that key's, the cached store and results are used and nothing is parsed. Otherwise
    the files are hashed while they are parsed, and what is computed is kept under the
    key their content gives.
    """

    def __init__(self, files: list[SourceFile], *, release: Path | None, settings: "CacheSettings | None") -> None:
        from vitd_kg.storage.inputs import Inputs

        self.files = files
        self.release = release
        self.inputs = Inputs(files)
        self.cache = None
        self.cache_entry = None
        self._memory: ox.Store | None = None
        self._disk: ox.Store | None = None
        self._ontology: tuple[list[ox.Triple], bytes] | None = None
        self._fingerprints = None
        if settings is not None and settings.applies_to(self.inputs.total_size()):
            from vitd_kg.storage.cache import Cache

            self.cache = Cache.at(settings.location)
            self._fingerprints = self.inputs.fingerprints()
            self._find_entry()

    # --- the cache -----------------------------------------------------------------------

    def _formats(self) -> list[str]:
        return ["release-nquads"] if self.release else [f.format.file_extension for f in self.files]

    def _key(self, digests: list[str]) -> str:
        from vitd_kg.storage.cache import input_key

        return input_key(zip(self._formats(), digests))

    def _listed_digest(self) -> str | None:
        """The dump's SHA-256 as the release's SHA256SUMS lists it."""
        from vitd_kg.publishing.release import CHECKSUM_FILE, QUADS_DUMP

        try:
            for line in (self.release / CHECKSUM_FILE).read_text(encoding="utf-8").splitlines():
                digest, _, name = line.partition("  ")
                if name == QUADS_DUMP:
                    return digest
        except OSError:
            pass
        return None

    def _find_entry(self) -> None:
        """Use the entry of these inputs if their content is a recorded key's (hashing them once)."""
        if self.release is not None:
            listed = self._listed_digest()
            hint = self._key([listed]) if listed else None
        else:
            hint = self.cache.hint(self._fingerprints) if self._fingerprints else None
        if hint is None or not self.cache.entry(hint).exists():
            return  # hashed while parsed, later
        if self._key(self.inputs.digests()) == hint:
            self._settle()

    def _settle(self) -> None:
        """Once every file is hashed: find or make the entry of this content, and record it."""
        if self.cache is None or self.cache_entry is not None:
            return
        digests = self.inputs.known_digests()
        if digests is None:
            return
        key = self._key(digests)
        entry = self.cache.entry(key)
        entry.create(
            inputs=[{"name": f.name, "sha256": d, "bytes": _size(f)} for f, d in zip(self.files, digests)],
            sources=[str(f.path.resolve()) if f.path is not None else f.name for f in self.files[0 if self.release else 1:]],
        )
        entry.hold()
        if self._fingerprints:
            self.cache.remember(self._fingerprints, key)
        self.cache_entry = entry

    def cached(self, name: str) -> Any | None:
        return self.cache_entry.load(name) if self.cache_entry is not None else None

    def result(self, name: str, compute: Callable[[], Any]) -> Any:
        """A result of the cache entry, else computed (and kept, once the entry is known)."""
        found = self.cached(name)
        if found is not None:
            return found
        value = compute()
        self._settle()
        if self.cache_entry is not None:
            self.cache_entry.save(name, value)
        return value

    def result_items(self, name: str, compute: Callable[[], Iterable[Any]]) -> Iterator[Any]:
        """A result made of many items, read from the cache entry or computed, one at a time
        (and kept as they come). ``compute`` opens the store it reads when called, so the
        entry's key is known once it returns; the items may come lazily."""
        found = self.cache_entry.load_items(name) if self.cache_entry is not None else None
        if found is not None:
            yield from found
            return
        items = compute()
        self._settle()
        yield from items if self.cache_entry is None else self.cache_entry.save_items(name, items)

    # --- stores --------------------------------------------------------------------------

    def parsed(self) -> bool:
        return self._memory is not None

    def memory(self) -> ox.Store:
        if self._memory is None:
            self._memory = self._parse()
            self._settle()
        return self._memory

    def scan(self) -> ox.Store:
        return self.memory()

    def lookup(self) -> ox.Store:
        """Memory if parsed; else the cache's on-disk store (built now if the cache applies); else memory."""
        if self._memory is not None:
            return self._memory
        if self._disk is None and self.cache is not None:
            if self.cache_entry is not None:
                self._disk = self.cache_entry.open_store()
            if self._disk is None:
                self._disk = self._build_disk_store()
        return self._disk if self._disk is not None else self.memory()

    def query(self) -> ox.Store:
        """Memory if parsed; else an on-disk store the cache already has; else memory."""
        if self._memory is None and self._disk is None and self.cache_entry is not None:
            self._disk = self.cache_entry.open_store()
        return self._memory or self._disk or self.memory()

    def ontology(self) -> tuple[list[ox.Triple], bytes]:
        if self._ontology is None:
            if self.release is not None:
                from vitd_kg.exports.rdf import ONTOLOGY_GRAPH
                from vitd_kg.namespaces import PREFIXES

                if self._memory is None and self._disk is not None:
                    triples = [q.triple for q in self._disk.quads_for_pattern(None, None, None, ox.NamedNode(ONTOLOGY_GRAPH))]
                else:
                    self.memory()
                    triples = self._release_ontology
                turtle = ox.serialize(triples, format=ox.RdfFormat.TURTLE, prefixes=dict(PREFIXES))
                self._ontology = (triples, turtle)
            else:
                from vitd_kg.rdf.reading import parse_source
                from vitd_kg.storage.inputs import _Loaded

                data = self.inputs.read_bytes(0)
                text, quads = parse_source(SourceFile(self.files[0].name, _Loaded(data)))  # type: ignore[arg-type]
                self._ontology = ([q.triple for q in quads], text.encode("utf-8"))
        return self._ontology

    def _parse(self) -> ox.Store:
        store = ox.Store()
        if self.release is not None:
            from vitd_kg.exports.rdf import ONTOLOGY_GRAPH, SHAPES_GRAPH
            from vitd_kg.publishing.release import read_release

            graphs = read_release(self.release)  # hashed while parsed, and checked against SHA256SUMS
            self.inputs._digests[0] = self._listed_digest()
            self._release_ontology = graphs.get(ONTOLOGY_GRAPH, [])
            fill(
                store,
                (
                    ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph())
                    for name, triples in graphs.items()
                    if name != SHAPES_GRAPH
                    for t in triples
                ),
            )
            return store
        triples, _ = self.ontology()
        fill(store, (ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph()) for t in triples))
        self.inputs.parse_into(store, skip=1)
        check_loaded_data(store, self.files[1:], ontology=triples)  # deep nesting, a restated ontology
        return store

    def _build_disk_store(self) -> ox.Store | None:
        """Bulk-load the inputs into a new on-disk store, hashing them on the way; keep it in the cache."""
        import shutil

        folder = self.cache.scratch()
        try:
            disk = ox.Store(str(folder))
            if self.release is not None:
                self._bulk_load_release(disk)
            else:
                triples, _ = self.ontology()
                disk.bulk_extend(ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph()) for t in triples)
                self.inputs.parse_into(disk, bulk=True, skip=1)
                check_loaded_data(disk, self.files[1:], ontology=triples)
            disk.flush()
            del disk  # closed before it is moved
            self._settle()
            if self.cache_entry is None:
                raise RuntimeError("inputs were not hashed while loaded")  # pragma: no cover - a bug
            self.cache_entry.adopt_store(folder)
        except BaseException:
            shutil.rmtree(folder, ignore_errors=True)
            raise
        return self.cache_entry.open_store()

    def _bulk_load_release(self, disk: ox.Store) -> None:
        """The release dump into ``disk``: every graph but the shapes in the default graph, the
        ontology also in its own graph; checked against SHA256SUMS as :func:`read_release` does."""
        from vitd_kg.exports.rdf import ONTOLOGY_GRAPH, SHAPES_GRAPH
        from vitd_kg.publishing.release import CHECKSUM_FILE, QUADS_DUMP
        from vitd_kg.storage.hashing import HashingReader

        listed = self._listed_digest()
        if listed is None:
            from vitd_kg.publishing.release import read_release

            read_release(self.release)  # raises the precise error about SHA256SUMS
        reader = HashingReader(self.inputs._rewound(0))
        default, ontology, shapes = ox.DefaultGraph(), ox.NamedNode(ONTOLOGY_GRAPH), ox.NamedNode(SHAPES_GRAPH)

        def quads():
            for quad in ox.parse(input=reader, format=ox.RdfFormat.N_QUADS):
                if quad.graph_name == shapes:
                    continue
                yield ox.Quad(quad.subject, quad.predicate, quad.object, default)
                if quad.graph_name == ontology:
                    yield quad

        dump = self.release / QUADS_DUMP
        try:
            disk.bulk_extend(quads())
            reader.drain()
        except SyntaxError as error:
            raise InputError(f"N-Quads syntax error: {error}", file=str(dump), hint="rebuild the release with `vitd-kg dist`") from None
        if reader.hexdigest() != listed:
            raise InputError(
                f"{QUADS_DUMP} does not match its checksum", file=str(self.release / CHECKSUM_FILE),
                hint="the release is damaged: download or build it again",
            )
        self.inputs._digests[0] = listed


class _Remote:
    """A SPARQL endpoint: every query runs on the server; raw triples are fetched with CONSTRUCT."""

    cache_entry = None

    def __init__(self, engine: "EndpointEngine") -> None:
        self.engine = engine
        self._memory: ox.Store | None = None
        self._ontology: tuple[list[ox.Triple], bytes] | None = None
        self._bundled: tuple[list[ox.Triple], bytes] | None = None

    def parsed(self) -> bool:
        return False

    def scan(self):
        return self.engine

    lookup = query = scan

    def memory(self) -> ox.Store:
        """The endpoint's graph copied into memory: every named graph but the shapes, in the
        default graph (as a release folder opens); the ontology graph, if there is one, is
        the ontology."""
        if self._memory is None:
            from vitd_kg.exports.rdf import ONTOLOGY_GRAPH, SHAPES_GRAPH

            store = ox.Store()
            default, shapes, ontology = ox.DefaultGraph(), ox.NamedNode(SHAPES_GRAPH), ox.NamedNode(ONTOLOGY_GRAPH)
            quads = self.engine.fetch_quads()
            fill(store, (ox.Quad(q.subject, q.predicate, q.object, default) for q in quads if q.graph_name != shapes))
            own = [q.triple for q in quads if q.graph_name == ontology]
            if not own:  # one graph holds all: the ontology is the part of it the bundled one matches
                own = _ontology_part((q.triple for q in quads if q.graph_name != shapes), self.ontology_bundled()[0])
            bundled, bundled_turtle = self.ontology_bundled()
            if own and len(own) == len(bundled) and {t for t in bundled if not _has_blank(t)} <= set(own):
                self._ontology = (own, bundled_turtle)  # the bundled ontology: offered as its file
            elif own:
                from vitd_kg.namespaces import PREFIXES

                self._ontology = (own, ox.serialize(own, format=ox.RdfFormat.TURTLE, prefixes=dict(PREFIXES)))
            self._memory = store
        return self._memory

    def ontology(self) -> tuple[list[ox.Triple], bytes]:
        """The ontology graph of the endpoint (fetched with the graph) if it has one, else the
        bundled ontology's triples as the endpoint holds them, else the bundled ontology (the
        server then holds data built on it)."""
        if self._ontology is None:
            self.memory()
        if self._ontology is None:
            self._ontology = self.ontology_bundled()
        return self._ontology

    def ontology_bundled(self) -> tuple[list[ox.Triple], bytes]:
        """The bundled ontology, parsed once."""
        if self._bundled is None:
            from vitd_kg.rdf.reading import parse_source

            text, quads = parse_source(ontology_source())
            self._bundled = ([q.triple for q in quads], text.encode("utf-8"))
        return self._bundled

    def result(self, name: str, compute: Callable[[], Any]) -> Any:
        return compute()

    def result_items(self, name: str, compute: Callable[[], Iterable[Any]]) -> Iterable[Any]:
        return compute()

    def cached(self, name: str) -> Any | None:
        return None


def _has_blank(triple: ox.Triple) -> bool:
    return isinstance(triple.subject, ox.BlankNode) or isinstance(triple.object, ox.BlankNode)


def _ontology_part(triples: Iterable[ox.Triple], ontology: list[ox.Triple]) -> list[ox.Triple]:
    """The triples of ``triples`` that are the ``ontology``'s, with the blank nodes they hold.

    A server's blank nodes are not the bundled file's, so each blank node is known by what
    it holds (its triples, with the blank nodes inside known the same way): a triple
    from an IRI matches the ontology's with the same key, a blank node nothing points to
    matches one of the ontology's with the same contents, and each brings its blank nodes.

    >>> a, b, n = ox.NamedNode("http://e/a"), ox.NamedNode("http://e/b"), ox.NamedNode("http://e/n")
    >>> x, y, r, q = ox.BlankNode(), ox.BlankNode(), ox.BlankNode(), ox.BlankNode()
    >>> owned = [ox.Triple(a, b, n), ox.Triple(a, n, x), ox.Triple(x, b, n), ox.Triple(r, b, a)]
    >>> held = [ox.Triple(a, b, n), ox.Triple(a, n, y), ox.Triple(y, b, n), ox.Triple(n, b, a), ox.Triple(q, b, a)]
    >>> len(_ontology_part(held, owned))
    4
    """
    def index(found: Iterable[ox.Triple]):
        by_blank: dict[ox.BlankNode, list[ox.Triple]] = {}
        pointed: set[ox.BlankNode] = set()
        named: list[ox.Triple] = []
        for triple in found:
            if isinstance(triple.subject, ox.BlankNode):
                by_blank.setdefault(triple.subject, []).append(triple)
            else:
                named.append(triple)
            if isinstance(triple.object, ox.BlankNode):
                pointed.add(triple.object)
        return by_blank, pointed, named

    def keyer(by_blank: dict[ox.BlankNode, list[ox.Triple]]):
        memo: dict[ox.BlankNode, str] = {}

        def key(term: Any) -> str:
            if not isinstance(term, ox.BlankNode):
                return str(term)
            if term not in memo:
                memo[term] = "_:cycle"  # a blank node inside itself
                memo[term] = "[" + " ".join(sorted(f"{t.predicate} {key(t.object)}" for t in by_blank.get(term, ()))) + "]"
            return memo[term]

        def safe(term: Any) -> str:
            try:
                return key(term)
            except RecursionError:  # a list too long to be the ontology's
                return "_:deep"
        return safe

    owned_blank, owned_pointed, owned_named = index(ontology)
    owned_key = keyer(owned_blank)
    wanted = {(str(t.subject), str(t.predicate), owned_key(t.object)) for t in owned_named}
    wanted_roots = {owned_key(b) for b in owned_blank if b not in owned_pointed}

    by_blank, pointed, named = index(triples)
    key = keyer(by_blank)
    found: list[ox.Triple] = []
    frontier = [b for b in by_blank if b not in pointed and key(b) in wanted_roots]
    for triple in named:
        if (str(triple.subject), str(triple.predicate), key(triple.object)) in wanted:
            found.append(triple)
            if isinstance(triple.object, ox.BlankNode):
                frontier.append(triple.object)
    seen = set()
    while frontier:
        node = frontier.pop()
        if node in seen:
            continue
        seen.add(node)
        for triple in by_blank.get(node, ()):
            found.append(triple)
            if isinstance(triple.object, ox.BlankNode):
                frontier.append(triple.object)
    return found


def _size(file: SourceFile) -> int | None:
    try:
        return file.path.stat().st_size if file.path is not None else None
    except OSError:
        return None


class KnowledgeGraph:
    """The ontology plus data in one Oxigraph store, with what the package computes from it."""

    def __init__(
        self,
        store: ox.Store | None = None,
        *,
        ontology: list[ox.Triple] | None = None,
        files: list[SourceFile],
        ontology_turtle: bytes | None = None,
        backing: Any = None,
    ) -> None:
        if backing is None:
            if store is None:
                raise TypeError("KnowledgeGraph needs a store (or use vitd_kg.open)")
            backing = _Parsed(store, list(ontology or []), ontology_turtle or b"")
        self._backing = backing
        #: The files the graph was read from, ontology first (empty for an endpoint).
        self.files = files

    @property
    def store(self) -> ox.Store:
        """The whole graph in an in-memory Oxigraph store (parsed, or fetched, on first use)."""
        return self._backing.memory()

    @property
    def ontology(self) -> list[ox.Triple]:
        """The ontology's own triples (the release puts them in their own named graph)."""
        return self._backing.ontology()[0]

    @property
    def ontology_turtle(self) -> bytes:
        """The ontology file as it was read (the site offers it for download)."""
        return self._backing.ontology()[1]

    @property
    def endpoint(self) -> str | None:
        """The SPARQL endpoint the graph is read from, or ``None`` for local data."""
        return self._backing.engine.url if isinstance(self._backing, _Remote) else None

    @property
    def cache_entry(self):
        """The cache entry this graph's content is kept under (:mod:`vitd_kg.storage.cache`), if any."""
        return getattr(self._backing, "cache_entry", None)

    @classmethod
    def open(cls, source: Source = None, *, cache: "CacheSettings | str | None" = None) -> "KnowledgeGraph":
        """Open the bundled ontology and the data of ``source`` (the bundled data for ``None``).

        ``source`` is a data file or folder, or a list of them (folders are searched
        for .ttl, .nt, .jsonld, .rdf and .owl files), or a release folder built by
        ``vitd-kg dist`` (read from its checked N-Quads dump, with its own ontology).
        Each file is opened once. ``cache`` is ``"auto"`` (the default, from
        ``VITD_KG_CACHE``: on for inputs of 4 MB or more), ``"on"``, ``"off"`` or
        :class:`~vitd_kg.storage.cache.CacheSettings` (the bundled data is never cached).
        Your files are parsed here, and :class:`~vitd_kg.errors.InputError` names the file,
        line and column of anything that cannot be read; where the cache applies they are
        parsed when first needed instead (an entry of the same content needs no parse: it
        was checked when it was made), and the error comes then.
        """
        from vitd_kg.storage.cache import CacheSettings

        settings = cache if isinstance(cache, CacheSettings) else CacheSettings.from_environment(cache)
        if source is None:
            settings = None
        if isinstance(source, (str, Path)) and (Path(source) / "SHA256SUMS").is_file():  # perhaps a release
            from vitd_kg.publishing.release import QUADS_DUMP, is_release

            if is_release(Path(source)):
                folder = Path(source)
                files = [SourceFile(str(folder / QUADS_DUMP), folder / QUADS_DUMP)]
                return cls._opened(files, _Local(files, release=folder, settings=settings))
        files = [ontology_source(), *data_sources(source)]
        backing = _Local(files, release=None, settings=settings)
        return cls(files=files, backing=backing) if source is None else cls._opened(files, backing)

    @classmethod
    def _opened(cls, files: list[SourceFile], backing: "_Local") -> "KnowledgeGraph":
        """A graph of the user's files, parsed now unless the cache will serve or load them."""
        if backing.cache is None:
            backing.memory()  # errors in the input surface at open(), as users expect
        return cls(files=files, backing=backing)

    @classmethod
    def open_endpoint(cls, endpoint: "EndpointEngine") -> "KnowledgeGraph":
        """A graph whose every query runs on a SPARQL endpoint (see :func:`open`)."""
        return cls(files=[], backing=_Remote(endpoint))

    def __repr__(self) -> str:
        if self.endpoint is not None:
            return f"<KnowledgeGraph at {self.endpoint}>"
        data = [f.name for f in self.files[1:]] or [f.name for f in self.files]
        shown = ", ".join(data[:3]) + (f", ... ({len(data)} files)" if len(data) > 3 else "")
        return f"<KnowledgeGraph of {shown}>"

    def __len__(self) -> int:
        """The number of triples (ontology and data)."""
        if self._backing.parsed():
            return len(self.store)
        return self.stats().triples

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
        ``rdflib``; ``timeout`` stops the query after that many seconds. A graph opened
        on an endpoint runs every query on the server.
        """
        from vitd_kg.sparql.engines import ENGINES, execute
        from vitd_kg.sparql.queries import read_query

        if engine not in ENGINES:
            raise InputError(f"unknown engine {engine!r}", hint=f"use one of: {', '.join(ENGINES)}")
        target = self._backing.query() if engine == "oxigraph" else self.rdflib_graph
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
        return list(self.iter_claims())

    def iter_claims(self) -> Iterator["Claim"]:
        """Every claim rebuilt from the graph, in document order, as :meth:`claims` gives
        them, but one batch at a time: for graphs whose claims do not fit in memory."""
        if "_claims" in self.__dict__:
            yield from self._claims
            return
        from vitd_kg.evidence.reconstruct import iter_claims

        yield from self._backing.result_items("claims", lambda: iter_claims(self._backing.scan()))

    def claims(self, ids: Iterable[str] | None = None) -> list["Claim"]:
        """Every claim rebuilt from the graph, in document order; or the claims with these ids.

        Ids are short (``ma-strength``), CURIEs (``claim:ma-strength``) or IRIs; an
        unknown id raises :class:`~vitd_kg.errors.InputError`. Claims asked for by id are
        rebuilt alone, by the bundled queries with ``?claim`` bound (at index speed),
        unless every claim is at hand already.
        """
        if ids is None:
            return list(self._claims)
        from vitd_kg.namespaces import claim_id

        wanted = list(dict.fromkeys(claim_id(i).removeprefix("claim:") for i in ids))
        every = self.__dict__.get("_claims")
        if every is not None:
            by_id = {c.id: c for c in every}
        else:
            from vitd_kg.evidence.reconstruct import lookup_claims

            by_id = lookup_claims(self._backing.lookup(), wanted)
        missing = [i for i in wanted if i not in by_id]
        if missing:
            raise InputError(f"no claim with id {', '.join(missing)}", hint="run `vitd-kg claims` to see every claim id")
        return [by_id[i] for i in wanted]

    def claim(self, claim_id: str) -> "Claim":
        """One claim by its id, CURIE or IRI."""
        return self.claims([claim_id])[0]

    @cached_property
    def _findings(self) -> list["Finding"]:
        from vitd_kg.evidence.audit import run_audit

        return self._backing.result("findings", lambda: run_audit(self._backing.scan()))

    def audit(self) -> list["Finding"]:
        """The evidence audit's findings, most severe first (rules in ``queries/audit/``)."""
        return list(self._findings)

    @cached_property
    def _stats(self) -> "Stats":
        from vitd_kg.evidence.stats import graph_stats

        return self._backing.result("stats", lambda: graph_stats(self._backing.scan()))

    def stats(self) -> "Stats":
        """How many triples, and how many resources of each class."""
        return self._stats

    def evidence_chain(self, claim_id: str) -> "EvidenceChain":
        """The chain of evidence under one claim, with the audit's findings marked.

        The chain is gathered with the claim bound (at index speed); the findings come
        from the audit of the whole graph (computed once, or kept in the cache).
        """
        from vitd_kg.evidence.chain import evidence_chain

        return evidence_chain(self._backing.lookup(), claim_id, findings=self._findings, marked=self._marked)

    def evidence_chains(self, claim_ids: "Iterable[str] | None" = None) -> "Iterator[EvidenceChain]":
        """The chains of evidence under these claims (every claim when ``None``), in that
        order, each as :meth:`evidence_chain` gives it, gathered a batch of claims at a time
        (:func:`vitd_kg.evidence.chain.evidence_chains`): for many claims, as the site draws.
        """
        from vitd_kg.evidence.chain import evidence_chains

        return evidence_chains(self._backing.lookup(), claim_ids, findings=self._findings, marked=self._marked)

    @cached_property
    def _marked(self):
        """The audit's findings by the claims they flag and cite (once per graph, for every chain)."""
        from vitd_kg.evidence.chain import flags_and_citations

        return flags_and_citations(self._findings)

    # --- exports ------------------------------------------------------------------------

    @cached_property
    def release_dataset(self) -> "ReleaseDataset":
        """The graph split into the release's named graphs (ontology, data, one per claim; the shapes ship as files beside the dumps)."""
        from vitd_kg.exports.rdf import release_dataset

        return release_dataset(self.store, self.ontology)

    def export(self, output_format: str, out: BinaryIO) -> None:
        """Write the graph to a binary stream as an RDF serialization, ``fhir``, ``csv`` or ``parquet``."""
        from vitd_kg.exports import write_export

        write_export(self._backing.scan(), lambda: self.release_dataset, output_format, out)

    def effect_table(self) -> list[dict[str, Any]]:
        """One dict per effect estimate (or effect without one): the tidy effect table."""
        from vitd_kg.exports.tables import effect_table

        return effect_table(self._backing.scan())

    def effect_dataframe(self):
        """The tidy effect table as a pandas DataFrame (nullable dtypes: missing is ``<NA>``)."""
        from vitd_kg.exports.tables import effect_dataframe

        return effect_dataframe(self._backing.scan())

    def fhir_bundle(self) -> dict[str, Any]:
        """The effects and publications as a FHIR R5 Bundle of Evidence and Citation resources."""
        from vitd_kg.exports.fhir import fhir_bundle

        return fhir_bundle(self._backing.scan())

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

        return build_site(Path(outdir), self.site_inputs(), force=force)

    def write_readme_pictures(self, folder: str | Path) -> list[Path]:
        """The model diagram and one evidence map, as the README shows them."""
        from vitd_kg.site.build import write_readme_pictures

        return write_readme_pictures(Path(folder), self.site_inputs())

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
        write_model_diagram(self._backing.scan(), Path(path))

    def site_inputs(self) -> "SiteInputs":
        """What the site is built from: the store, and the graph's stats, findings, claims and release metadata
        (each computed once per graph)."""
        from vitd_kg.site.build import SiteInputs

        return SiteInputs(
            store=self._backing.scan(),
            stats=self.stats(),
            findings=self.audit(),
            chain=self.evidence_chain,
            chains=self.evidence_chains,
            dataset=self.release_dataset,
            ontology=self.ontology,
            ontology_turtle=self.ontology_turtle,
            claims=self.claims(),
        )


#: The graph of the bundled data, opened on first use by :func:`open` and kept.
_BUNDLED: KnowledgeGraph | None = None


def open(  # noqa: A001 - the package's verb
    source: "Source | KnowledgeGraph" = None,
    *,
    cache: "CacheSettings | str | None" = None,
    endpoint: str | None = None,
    **endpoint_options: Any,
) -> KnowledgeGraph:
    """Open a graph: the bundled data (``None``, opened once per process), files or folders,
    a release folder, or (``endpoint=URL``) a SPARQL endpoint.

    A :class:`KnowledgeGraph` passes through unchanged, so every function of the
    package accepts an opened graph wherever it accepts a source. ``cache`` is
    ``"auto"``, ``"on"`` or ``"off"`` (see :meth:`KnowledgeGraph.open`).

    With ``endpoint``, the graph is what the server's SPARQL endpoint answers: claims,
    the audit, counts, exports and the site are computed by the server, with the
    bundled queries. ``endpoint_options`` are those of
    :class:`vitd_kg.sparql.endpoint.EndpointEngine` (``user``, with the password in
    ``VITD_KG_PASSWORD``; ``auth_scheme``, ``default_graphs``, ``connect_timeout``,
    ``read_timeout``, ``deadline``).

    >>> import vitd_kg
    >>> vitd_kg.open() is vitd_kg.open()
    True
    """
    global _BUNDLED
    if isinstance(source, KnowledgeGraph):
        return source
    if endpoint is not None:
        if source is not None:
            raise InputError("give data or an endpoint, not both", hint="drop --data, or drop --endpoint")
        from vitd_kg.sparql.endpoint import EndpointEngine

        return KnowledgeGraph.open_endpoint(EndpointEngine.connect(endpoint, **endpoint_options))
    if endpoint_options:
        raise TypeError(f"unexpected options without an endpoint: {', '.join(endpoint_options)}")
    if isinstance(source, str) and source.startswith(("http://", "https://")):
        raise InputError(
            f"{source} is a URL, not a data file or folder",
            hint="to read a SPARQL endpoint, pass endpoint=URL (on the command line: --endpoint URL)",
        )
    if source is None and cache in (None, "auto", "off"):
        if _BUNDLED is None:
            _BUNDLED = KnowledgeGraph.open()
        return _BUNDLED
    return KnowledgeGraph.open(source, cache=cache)
