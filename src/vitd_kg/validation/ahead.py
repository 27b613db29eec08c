"""SHACL ahead of the gate: the files streamed into a store and validated on a second thread.

``validate`` reads every file two ways: the input gate parses it in Python (to check what
shapes cannot see, and to give lines), and the SHACL engine needs it in an Oxigraph store.
One after the other, at a million triples, the parse and the store's fill take as long as
SHACL itself. :class:`ShaclAhead` does the second on another thread while the gate does the
first: Oxigraph parses Turtle into its store, and evaluates SHACL's queries, without holding
Python's GIL, so the two use both cores. The gate then asks that same store its questions,
and once it is done its thread validates shapes beside the thread ahead
(:class:`~vitd_kg.validation.fast_shacl.ShapeWork`).

Its report is made to be the one the gate's data gives:

* Oxigraph stores some literals in another form than written (``"0.50"^^xsd:decimal`` as
  ``"0.5"``), which the fast engine checks as written once the gate has listed them
  (:class:`~vitd_kg.validation.fast_shacl.StoreData`). The thread cannot wait for that list,
  so it records, shape by shape, what its results rest on
  (:class:`~vitd_kg.validation.fast_shacl.ShapeRun`); the shapes that read such a literal
  are validated again (:func:`~vitd_kg.validation.fast_shacl.revalidate`).
* Oxigraph names the blank nodes it streams otherwise than the gate's parse, so the gate
  uses the store only while it need not match them, or remove a triple
  (:func:`~vitd_kg.validation.gate.check`'s ``streamed``); and a result on a blank node no
  triple refers to, which only the parse can place in its file, sends the pipeline back to a
  store of its own (:mod:`vitd_kg.validation.pipeline`).
"""

from __future__ import annotations

import threading
import traceback
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

import pyoxigraph as ox
from rdflib import Graph

from vitd_kg.rdf.reading import BOM, STREAMED_FORMATS
from vitd_kg.rdf.sources import SourceFile
from vitd_kg.validation import fast_shacl
from vitd_kg.validation.collector import collector_paused
from vitd_kg.validation.shacl_engine import ShaclReport, fast_engine_shapes



class _ReadTwice:
    """A file's bytes for two readers (the thread and the gate) from one read of the file:
    the first reader reads it, the second gets the same bytes, and then they are let go."""

    def __init__(self, entry) -> None:
        self._entry = entry
        self._lock = threading.Lock()
        self._data: bytes | None = None
        self._readers = 2

    def read_bytes(self) -> bytes:
        with self._lock:
            self._readers -= 1
            if self._data is not None:
                data, self._data = self._data, None
                return data
            data = self._entry.read_bytes()
            if self._readers > 0:
                self._data = data
            return data

    def forgo(self) -> None:
        """One reader will not read (the thread stopped): the other's read is not kept."""
        with self._lock:
            self._readers -= 1
            self._data = None


class ShaclAhead:
    """A thread that loads ``files`` into a new store and validates it with the fast engine,
    taking every literal as written, and recording what each shape's results rest on. The
    gate's thread joins the validation once it is done (:meth:`report`)."""

    def __init__(self, files: Sequence[SourceFile], shapes: Graph) -> None:
        #: the files, each read once from disk for the thread and the gate (parse these)
        self.files = list(files)
        self._loaded = threading.Event()
        #: set once SHACL may start (the shapes' SPARQL is parsed), or the run is stopped
        self._go = threading.Event()
        #: set once the shapes' work is there to share, or never will be
        self._shared = threading.Event()
        self._stop = threading.Event()
        self._store: ox.Store | None = None
        self._shapes = shapes
        self._work: fast_shacl.ShapeWork | None = None
        self._thread = threading.Thread(
            target=self._run, args=(self.files,), name="vitd-kg-shacl-ahead", daemon=True
        )
        self._thread.start()

    @classmethod
    @contextmanager
    def started(cls, files: Sequence[SourceFile], shapes: Graph, engine: str) -> Iterator[ShaclAhead | None]:
        """One running, if its report can be used (else None): the fast engine may run
        (``engine``), the files are all Turtle or N-Triples, and the fast engine validates
        ``shapes``. On leaving, the run is stopped and waited for.

        The thread starts loading at once; meanwhile this one parses the shapes' SPARQL with
        rdflib (:func:`~vitd_kg.validation.fast_shacl.parse_sparql_constraints`, about 1 s),
        before any large data is held, and SHACL starts once both are done.

        Python's garbage collector is off meanwhile
        (:func:`~vitd_kg.validation.collector.collector_paused`): pyoxigraph's query results
        belong to the thread that made them. It also spares the parse of a large file the
        collector's passes over every new object (about 2 s at a million triples).
        """
        if engine not in ("auto", "fast") or not files or any(f.format not in STREAMED_FORMATS for f in files):
            yield None
            return
        compiled = fast_engine_shapes(shapes)
        if compiled is None:
            yield None
            return
        compiled.namespace_manager  # noqa: B018 - made now: rdflib makes it on first use, and both threads use it
        with collector_paused():
            ahead = cls([SourceFile(file.name, _ReadTwice(file.entry)) for file in files], compiled)
            try:
                fast_shacl.parse_sparql_constraints(compiled)  # now, while no large data is held (fast_shacl._algebra)
                ahead._go.set()
                yield ahead
            finally:
                ahead.stop()
                ahead._thread.join()

    def _run(self, files: list[SourceFile]) -> None:
        try:
            store = self._load(files)
            if store is None:
                return
            self._go.wait()
            if self._stop.is_set():
                return
            self._work = fast_shacl.ShapeWork(fast_shacl.StoreData(store=store), self._shapes, stop=self._stop,
                                              record=True)
        except BaseException as error:  # noqa: BLE001 - the pipeline validates again, and raises what is to be raised
            traceback.clear_frames(error.__traceback__)
            return
        finally:
            self._shared.set()
        self._work.work()

    def _load(self, files: list[SourceFile]) -> ox.Store | None:
        read = 0
        try:
            store = ox.Store()
            for file in files:
                if self._stop.is_set():
                    return None
                data = file.read_bytes().removeprefix(BOM)
                read += 1
                if b"_:" in data:
                    # a blank-node label: the gate's parse keeps it (results name it as written,
                    # and one label in two files is one node), Oxigraph's loader renames it
                    return None
                # lenient: the gate's own parse is strict, and refuses what this would let in
                # (for what it accepts, both give the same triples); about 10% faster
                store.load(data, format=file.format, to_graph=ox.DefaultGraph(), lenient=True)
            self._store = store
            return store
        except BaseException:  # noqa: BLE001 - the gate reads the same files, and says what is wrong with them
            return None
        finally:
            for unread in files[read:]:
                unread.entry.forgo()
            self._loaded.set()

    def store(self) -> ox.Store | None:
        """The store, once loaded; None if Oxigraph refused a file or the run was stopped."""
        self._loaded.wait()
        return self._store

    def report(self, prepared: fast_shacl.StoreData) -> ShaclReport | None:
        """The fast engine's report on ``prepared`` (the gate's data in :meth:`store`): this
        run's results, and the shapes whose results may differ where the store rewrote a
        literal validated again (:func:`~vitd_kg.validation.fast_shacl.revalidate`). This
        thread validates the shapes not yet handed out meanwhile. None if the run failed or
        was stopped, or if the engine refuses the data."""
        if prepared.store is not self._store:
            self.stop()
            return None
        self._shared.wait()
        if self._work is not None:
            self._work.work()
        self._thread.join()
        if self._work is None:
            return None
        shape_runs: list[fast_shacl.ShapeRun] = []
        try:
            self._work.report(shape_runs)
        except Exception:  # noqa: BLE001 - the pipeline validates again, and raises what is to be raised
            return None
        try:
            return fast_shacl.revalidate(shape_runs, prepared, self._shapes)
        except fast_shacl.UnsupportedShapes:
            return None

    def stop(self) -> None:
        """End the run at the next file or shape (a file being loaded is loaded first)."""
        self._stop.set()
        self._go.set()


__all__ = ["ShaclAhead"]
