#!/usr/bin/env python
"""Benchmarks at scale: vitd-kg's path against the plain way and the raw engine, side by side.

For each size (in triples) a synthetic corpus is generated (``vitd-kg synth``), then every
step is measured for every engine, each measurement in its own subprocess so that peak
memory (max RSS) belongs to that measurement alone:

=============  ======================================  ==================================
step           vitd-kg                                  baselines
=============  ======================================  ==================================
load           ``vitd_kg.rdf.parsing.load_store`` (and        rdflib ``Graph.parse``; raw
               ``vitd_kg.load`` -> rdflib.Graph)        pyoxigraph ``Store.load``
validate       ``vitd_kg.validation.fast_shacl.validate_store``    pySHACL ``validate`` (defaults)
reconstruct    every query of ``--queries`` through     rdflib ``Graph.query``; raw
               ``vitd_kg.sparql.engines.run_query``             pyoxigraph ``Store.query``
lookup         one claim by ``?claim`` binding          the same with rdflib initBindings
                                                        and pyoxigraph substitutions
export-ttl/nt  ``vitd_kg.rdf.serialize.serialize``              rdflib ``serialize``; raw ``dump``
http           strict local parse, N-Triples, one       rdflib parse + N-Triples + the same
               Graph Store POST (httpx)                 POST; raw POST of the Turtle files
=============  ======================================  ==================================

Setup (parsing the graph a query step needs) is not timed. Times are medians of
``--repeat`` runs (more for steps under a second, fewer when runs are long: see
``--budget``); a measurement that takes
longer than ``--timeout`` is reported as such. Results go to ``results.json``,
``results.md`` and ``results.png`` in ``--out``.

    python benchmarks/run.py                      # 1e3 .. 1e6 triples, 3 repeats
    python benchmarks/run.py --quick              # 1e3 only, 1 repeat (CI)
    python benchmarks/run.py --sizes 1000 100000 --queries queries/claims
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import resource
import shlex
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Callable

HERE = Path(__file__).resolve().parent
BENCH_GRAPH = "urn:vitd-kg:benchmark"

#: step -> engines, ours first; the engine named in BASELINE / RAW is what ours is compared with.
STEPS: dict[str, list[str]] = {
    "load": ["vitd-kg", "vitd-kg -> rdflib.Graph", "rdflib", "pyoxigraph"],
    "validate": ["vitd-kg", "pyshacl"],
    "reconstruct": ["vitd-kg", "rdflib", "pyoxigraph"],
    "lookup": ["vitd-kg", "rdflib", "pyoxigraph"],
    "export-ttl": ["vitd-kg", "rdflib", "pyoxigraph"],
    "export-nt": ["vitd-kg", "rdflib", "pyoxigraph"],
    "http": ["vitd-kg", "rdflib", "raw POST"],
}
BASELINE = {step: ("pyshacl" if step == "validate" else "rdflib") for step in STEPS}
RAW = {step: ("raw POST" if step == "http" else "pyoxigraph") for step in STEPS if step != "validate"}
LOOKUPS = 50


# --- one measurement (runs in a subprocess) -----------------------------------------------


@dataclass
class Action:
    """A timed action, with untimed work before each run and an untimed check after it."""

    run: Callable[[], int]
    before: Callable[[], None] | None = None
    check: Callable[[], int] | None = None
    units: int = 1  # operations per run (lookups), to report the time of one


@dataclass
class Context:
    """What a measurement needs: the data folder and the bench's parameters."""

    data_dir: Path
    queries: list[Path]
    lookup_query: Path
    shapes: list[Path]

    @property
    def files(self) -> list[Path]:
        from vitd_kg import resources

        return [Path(str(resources.ontology_file()))] + sorted(self.data_dir.glob("*.ttl"))


def _ox_store(ctx: Context):
    import pyoxigraph as ox

    store = ox.Store()
    for file in ctx.files:
        store.load(path=str(file), format=ox.RdfFormat.TURTLE)
    return store


def _rdflib_graph(ctx: Context):
    from rdflib import Graph

    graph = Graph()
    for file in ctx.files:
        graph.parse(file, format="turtle")
    return graph


def _lookup_ids(ctx: Context) -> list[str]:
    """A fixed sample of claim IRIs to look up, spread over the corpus."""
    store = _ox_store(ctx)
    claims = sorted(
        s["c"].value
        for s in store.query("SELECT DISTINCT ?c WHERE { ?c <https://w3id.org/vitd-kg/ontology#sourceSentence> ?s }")
    )
    step = max(1, len(claims) // LOOKUPS)
    return claims[::step][:LOOKUPS]


def prepare(step: str, engine: str, ctx: Context) -> Callable[[], int] | Action:
    """Do the untimed setup of one measurement; return the timed action (it returns a count
    that must agree between engines, as a check that they did the same work)."""
    if step == "load":
        if engine == "vitd-kg":
            from vitd_kg.rdf.parsing import load_store

            return lambda: len(load_store(ctx.data_dir))
        if engine == "vitd-kg -> rdflib.Graph":
            from vitd_kg import load

            return lambda: len(load(ctx.data_dir))
        if engine == "rdflib":
            return lambda: len(_rdflib_graph(ctx))
        return lambda: len(_ox_store(ctx))

    if step == "validate":
        from rdflib import Graph

        shapes = Graph()
        for shapes_file in ctx.shapes:
            shapes.parse(shapes_file, format="turtle")
        if engine == "vitd-kg":
            from vitd_kg.validation.fast_shacl import validate_store
            from vitd_kg.rdf.parsing import load_store

            store = load_store(ctx.data_dir)
            return lambda: len(validate_store(store, shapes).results)
        import pyshacl

        graph = _rdflib_graph(ctx)

        def plain() -> int:
            conforms, results_graph, _ = pyshacl.validate(graph, shacl_graph=shapes)
            from rdflib.namespace import SH

            return len(set(results_graph.subjects(None, SH.ValidationResult)))

        return plain

    if step in ("reconstruct", "lookup"):
        texts = [q.read_text(encoding="utf-8") for q in ctx.queries] if step == "reconstruct" else None
        lookup_text = ctx.lookup_query.read_text(encoding="utf-8")
        ids = _lookup_ids(ctx) if step == "lookup" else []
        if engine == "vitd-kg":
            import vitd_kg.rdf.terms  # noqa: F401  (imports rdflib, as the baselines' setup does)
            from vitd_kg.rdf.parsing import load_store
            from vitd_kg.sparql.engines import run_query
            from vitd_kg.sparql.queries import read_query

            store = load_store(ctx.data_dir)
            if step == "reconstruct":
                queries = [read_query(q) for q in ctx.queries]
                return lambda: sum(len(run_query(store, q)) for q in queries)
            query = read_query(ctx.lookup_query)
            return Action(lambda: sum(len(run_query(store, query, {"claim": i})) for i in ids), units=len(ids))
        if engine == "rdflib":
            from rdflib import URIRef

            graph = _rdflib_graph(ctx)
            if step == "reconstruct":
                return lambda: sum(len(list(graph.query(t))) for t in texts)
            return Action(
                lambda: sum(len(list(graph.query(lookup_text, initBindings={"claim": URIRef(i)}))) for i in ids),
                units=len(ids),
            )
        import pyoxigraph as ox

        store = _ox_store(ctx)

        def rows(text: str, substitutions=None) -> int:
            solutions = store.query(text, substitutions=substitutions)
            count = len(solutions.variables)
            n = 0
            for solution in solutions:  # materialise every value, as the others do
                for index in range(count):
                    solution[index]
                n += 1
            return n

        if step == "reconstruct":
            return lambda: sum(rows(t) for t in texts)
        claim = ox.Variable("claim")
        return Action(lambda: sum(rows(lookup_text, {claim: ox.NamedNode(i)}) for i in ids), units=len(ids))

    if step.startswith("export"):
        kind = step.split("-")[1]
        if engine == "vitd-kg":
            from vitd_kg.rdf.parsing import load_store
            from vitd_kg.rdf.serialize import serialize

            store = load_store(ctx.data_dir)
            return lambda: len(serialize(store, "turtle" if kind == "ttl" else "nt"))
        if engine == "rdflib":
            graph = _rdflib_graph(ctx)
            return lambda: len(graph.serialize(format="turtle" if kind == "ttl" else "nt", encoding="utf-8"))
        import pyoxigraph as ox

        store = _ox_store(ctx)
        fmt = ox.RdfFormat.TURTLE if kind == "ttl" else ox.RdfFormat.N_TRIPLES
        return lambda: len(store.dump(format=fmt, from_graph=ox.DefaultGraph()))

    if step == "http":
        return _prepare_http(engine, ctx)
    raise ValueError(f"unknown step {step}")


class OxigraphServer:
    """A local ``oxigraph serve`` on a free port of 127.0.0.1, in a temporary folder."""

    def __init__(self) -> None:
        binary = shutil.which("oxigraph") or str(Path(sys.executable).parent / "oxigraph")
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.folder = tempfile.mkdtemp(prefix="vitd-kg-bench-oxigraph-")
        self.url = f"http://127.0.0.1:{self.port}"
        self.process = subprocess.Popen(
            [binary, "serve", "--location", self.folder, "--bind", f"127.0.0.1:{self.port}"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        import httpx

        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                httpx.get(f"{self.url}/query", params={"query": "ASK {}"}, timeout=1)
                return
            except httpx.TransportError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError("oxigraph serve did not start within 30 s")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
        shutil.rmtree(self.folder, ignore_errors=True)


def _prepare_http(engine: str, ctx: Context) -> Action:
    import atexit

    import httpx

    server = OxigraphServer()
    atexit.register(server.stop)
    client = httpx.Client(timeout=3600)
    store_url = f"{server.url}/store"

    def count() -> int:
        answer = client.get(
            f"{server.url}/query",
            params={"query": f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{BENCH_GRAPH}> {{ ?s ?p ?o }} }}"},
            headers={"Accept": "application/sparql-results+json"},
        )
        return int(answer.json()["results"]["bindings"][0]["n"]["value"])

    def clear() -> None:
        """Each run loads into an empty graph."""
        client.post(f"{server.url}/update", content=f"DROP SILENT GRAPH <{BENCH_GRAPH}>",
                    headers={"Content-Type": "application/sparql-update"}).raise_for_status()

    if engine == "vitd-kg":
        from vitd_kg.rdf.parsing import load_store
        from vitd_kg.rdf.serialize import serialize

        def action() -> int:
            body = serialize(load_store(ctx.data_dir), "nt")
            client.post(store_url, params={"graph": BENCH_GRAPH}, content=body,
                        headers={"Content-Type": "application/n-triples"}).raise_for_status()
            return 0
    elif engine == "raw POST":
        def action() -> int:
            for file in ctx.files:
                client.post(store_url, params={"graph": BENCH_GRAPH}, content=file.read_bytes(),
                            headers={"Content-Type": "text/turtle"}).raise_for_status()
            return 0
    else:
        # The plain rdflib way. rdflib's SPARQLUpdateStore refuses blank nodes (the ontology
        # has some), so rdflib parses, writes N-Triples and the same POST sends them.
        def action() -> int:
            body = _rdflib_graph(ctx).serialize(format="nt", encoding="utf-8")
            client.post(store_url, params={"graph": BENCH_GRAPH}, content=body,
                        headers={"Content-Type": "application/n-triples"}).raise_for_status()
            return 0

    return Action(action, before=clear, check=count)


def measure(step: str, engine: str, ctx: Context, repeat: int, budget: float) -> dict:
    """Time one step for one engine: setup once, then up to ``repeat`` timed runs."""
    prepared = prepare(step, engine, ctx)
    action = prepared if isinstance(prepared, Action) else Action(prepared)
    times: list[float] = []
    check = None
    started = time.perf_counter()
    # At least `repeat` runs; short steps run on (up to 100 runs, 1 s) so that the median
    # is not one burst of another process on a shared machine; long ones stop at `budget`.
    while len(times) < repeat or (time.perf_counter() - started < 1.0 and len(times) < 100):
        if action.before:
            action.before()
        begin = time.perf_counter()
        check = action.run()
        times.append((time.perf_counter() - begin) / action.units)
        if action.check:
            check = action.check()
        if time.perf_counter() - started > budget:
            break
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"times": times, "peak_rss_mib": round(peak_mib, 1), "check": check}


# --- the driver ------------------------------------------------------------------------------


@dataclass
class Row:
    step: str
    engine: str
    size: int
    triples: int
    times: list[float] = field(default_factory=list)
    peak_rss_mib: float | None = None
    check: int | None = None
    error: str | None = None

    @property
    def median(self) -> float | None:
        return statistics.median(self.times) if self.times else None


def run_measurement(step: str, engine: str, data_dir: Path, args: argparse.Namespace) -> dict:
    command = [
        sys.executable, str(Path(__file__).resolve()), "--measure", step, engine, "--data", str(data_dir),
        "--repeat", str(args.repeat), "--budget", str(args.budget), "--shapes", *map(str, args.shapes),
        "--lookup-query", str(args.lookup_query), "--queries", *map(str, args.queries),
    ]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=args.timeout)
    except subprocess.TimeoutExpired:
        return {"error": f"> {args.timeout:.0f} s"}
    if done.returncode != 0:
        return {"error": "failed: " + (done.stderr.strip().splitlines() or ["?"])[-1][:120]}
    return json.loads(done.stdout.strip().splitlines()[-1])


def query_files(folders: list[Path]) -> list[Path]:
    files: list[Path] = []
    for folder in folders:
        files.extend(sorted(folder.glob("*.rq")) if folder.is_dir() else [folder])
    return files


def machine() -> dict[str, str]:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        ram = next(line for line in Path("/proc/meminfo").read_text().splitlines() if line.startswith("MemTotal"))
        ram_gib = f"{int(ram.split()[1]) / 1024 / 1024:.1f} GiB"
    except (OSError, StopIteration):
        ram_gib = "unknown"
    versions = {}
    for package in ("vitd-kg", "pyoxigraph", "oxigraph", "rdflib", "pyshacl", "httpx"):
        try:
            versions[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            versions[package] = "not installed"
    return {
        "cpu": cpu,
        "cores": str(os.cpu_count()),
        "ram": ram_gib,
        "os": platform.platform(),
        "python": platform.python_version(),
        **versions,
    }


def growth_exponent(points: list[tuple[int, float]]) -> float | None:
    """Least-squares slope of log(time) against log(triples): 1 is linear."""
    if len(points) < 2:
        return None
    xs = [math.log(x) for x, _ in points]
    ys = [math.log(y) for _, y in points]
    mx, my = statistics.fmean(xs), statistics.fmean(ys)
    den = sum((x - mx) ** 2 for x in xs)
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / den if den else None


def seconds(value: float | None) -> str:
    if value is None:
        return "-"
    if value < 1e-3:
        return f"{value * 1e6:.0f} µs"
    if value < 1:
        return f"{value * 1e3:.1f} ms"
    return f"{value:.2f} s"


def size_label(size: int) -> str:
    exponent = math.log10(size)
    return f"1e{exponent:.0f}" if exponent == int(exponent) else f"{size:,}"


def write_markdown(
    rows: list[Row], sizes: list[int], info: dict, args: argparse.Namespace, cold: list[dict], warnings: list[str], path: Path
) -> str:
    by_key = {(r.step, r.engine, r.size): r for r in rows}
    triples = {r.size: r.triples for r in rows}
    header = ["step", "engine"] + [f"{size_label(s)} ({triples.get(s, 0):,} triples)" for s in sizes]
    header += ["growth", "peak RSS (largest)"]
    lines = [
        "# Benchmarks",
        "",
        "Generated by " + ", then ".join(f"`{c}`" for c in args.commands) + f" (finished {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}).",
        "Times are medians (of one lookup for `lookup`); growth is the log-log slope of time against triples",
        "(1.0 = linear); peak RSS is the measuring process's maximum resident memory, graph included.",
        "",
        "| " + " | ".join(header) + " |",
        "|" + "---|" * len(header),
    ]
    for step, engines in STEPS.items():
        for engine in engines:
            cells = [step, engine]
            points = []
            last = None
            for size in sizes:
                row = by_key.get((step, engine, size))
                if row is None:
                    cells.append("")
                    continue
                value = row.median
                if row.error:
                    cells.append(row.error)
                else:
                    cells.append(seconds(value))
                    points.append((row.triples, value))
                    last = row
            slope = growth_exponent(points)
            cells.append(f"{slope:.2f}" if slope is not None else "-")
            cells.append(f"{last.peak_rss_mib:.0f} MiB" if last else "-")
            lines.append("| " + " | ".join(cells) + " |")
    lines += ["", "## Ratios", "", "How many times faster vitd-kg is than the plain way, and its time over the raw engine's",
              "(1.00 = no overhead).", ""]
    ratio_header = ["step", "compared with"] + [size_label(s) for s in sizes]
    lines += ["| " + " | ".join(ratio_header) + " |", "|" + "---|" * len(ratio_header)]
    for step in STEPS:
        for label, other, invert in (("x faster than " + BASELINE[step], BASELINE[step], False),
                                     ("time / " + RAW.get(step, ""), RAW.get(step), True)):
            if other is None:
                continue
            cells = [step, label]
            for size in sizes:
                ours, theirs = by_key.get((step, "vitd-kg", size)), by_key.get((step, other, size))
                if not ours or not theirs or ours.median is None:
                    cells.append("")
                elif theirs.error and theirs.error.startswith(">") and not invert:
                    cells.append(f"> {args.timeout / ours.median:.0f}x")
                elif theirs.error:
                    cells.append(theirs.error)
                elif invert:
                    cells.append(f"{ours.median / theirs.median:.2f}")
                else:
                    cells.append(f"{theirs.median / ours.median:.1f}x")
            lines.append("| " + " | ".join(cells) + " |")
    if cold:
        lines += ["", "## Cold start (hyperfine, bundled data)", "", "| command | mean | ± |", "|---|---|---|"]
        for entry in cold:
            lines.append(f"| `{entry['command']}` | {seconds(entry['mean'])} | {seconds(entry['stddev'])} |")
    if warnings:
        lines += ["", "## Warnings", ""] + [f"- {w}" for w in warnings]
    lines += ["", "## Machine", ""] + [f"- {key}: {value}" for key, value in info.items()]
    lines += ["", f"Queries: {', '.join(q.name for q in args.queries)}; lookup: {args.lookup_query.name} "
              f"({LOOKUPS} claims); shapes: {', '.join(p.name for p in args.shapes)}.", ""]
    text = "\n".join(lines)
    path.write_text(text, encoding="utf-8")
    return text


def write_plot(rows: list[Row], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    steps = list(STEPS)
    columns = 4
    figure, axes = plt.subplots(math.ceil(len(steps) / columns), columns, figsize=(16, 8), squeeze=False)
    for ax, step in zip(axes.flat, steps):
        for engine in STEPS[step]:
            points = sorted((r.triples, r.median) for r in rows if r.step == step and r.engine == engine and r.median)
            if points:
                ax.plot(*zip(*points), marker="o", label=engine)
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_title(step + (" (one claim)" if step == "lookup" else ""))
        ax.set_xlabel("triples")
        ax.set_ylabel("seconds")
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize=7)
    for ax in list(axes.flat)[len(steps):]:
        ax.axis("off")
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)


def cold_start() -> list[dict]:
    """Cold start of the CLI with hyperfine, if it is installed."""
    hyperfine = shutil.which("hyperfine")
    bin_dir = Path(sys.executable).parent
    cli = shutil.which("vitd-kg") or str(bin_dir / "vitd-kg")
    if not hyperfine or not Path(cli).exists():
        return []
    commands = [f"{cli} stats", f"{sys.executable} -c 'import pyoxigraph'", f"{sys.executable} -c 'import rdflib'"]
    with tempfile.NamedTemporaryFile(suffix=".json") as out:
        subprocess.run([hyperfine, "--warmup", "2", "--runs", "10", "--export-json", out.name, "--style", "none", *commands],
                       check=True, capture_output=True)
        results = json.loads(Path(out.name).read_text())["results"]
    return [{"command": r["command"].replace(str(bin_dir) + "/", ""), "mean": r["mean"], "stddev": r["stddev"]} for r in results]


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=float, nargs="+", default=[1e3, 1e4, 1e5, 1e6], help="graph sizes in triples")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs per measurement (median reported)")
    parser.add_argument("--budget", type=float, default=60.0, help="stop repeating once a measurement has run this long (s)")
    parser.add_argument("--timeout", type=float, default=900.0, help="give up on one measurement after this long (s)")
    parser.add_argument("--quick", action="store_true", help="smallest size, one run, no cold start (CI)")
    parser.add_argument("--steps", nargs="+", choices=list(STEPS), default=list(STEPS))
    parser.add_argument("--engines", nargs="+", default=None, help="measure only these engines (default: all)")
    parser.add_argument("--queries", type=Path, nargs="+", default=None,
                        help="folders (or .rq files) of the reconstruction queries; default: queries/stats and benchmarks/queries")
    parser.add_argument("--lookup-query", type=Path, default=HERE / "queries" / "claims.rq",
                        help="query run once per looked-up claim, with ?claim bound")
    parser.add_argument("--shapes", type=Path, nargs="+", default=None,
                        help="SHACL shapes files; default: the bundled shapes (what `vitd-kg validate` checks) if the fast engine compiles them, else the test shapes")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, default=HERE, help="folder for results.md/.json/.png")
    parser.add_argument("--keep", type=Path, default=None,
                        help="an earlier results.json whose rows (step, engine, size) not measured now join this run's table")
    parser.add_argument("--measure", nargs=2, metavar=("STEP", "ENGINE"), help=argparse.SUPPRESS)
    parser.add_argument("--data", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    args.argv = argv
    from vitd_kg import resources

    if args.queries is None:
        args.queries = [Path(str(resources.queries_dir() / "stats")), HERE / "queries"]
    args.queries = query_files(args.queries)
    if args.shapes is None:
        args.shapes = default_shapes()
    if args.quick:
        args.sizes, args.repeat = [min(args.sizes)], 1
    args.sizes = sorted(int(s) for s in args.sizes)
    return args


def default_shapes() -> list[Path]:
    """The bundled shapes files (what ``vitd-kg validate`` checks) where the fast engine
    compiles all of them, else the test shapes.

    Both engines must validate the same shapes for the comparison to mean anything, and
    the fast engine refuses shapes with features it cannot compile.
    """
    from rdflib import Graph

    from vitd_kg import resources
    from vitd_kg.validation.fast_shacl import unsupported_features

    bundled = sorted(
        Path(str(entry)) for entry in resources.ontology_dir().iterdir()
        if entry.name.startswith("shapes") and entry.name.endswith(".ttl")
    )
    shapes = Graph()
    for path in bundled:
        shapes.parse(path, format="turtle")
    if bundled and not unsupported_features(shapes):
        return bundled
    return [HERE.parent / "tests" / "data" / "shapes" / "claims-shapes.ttl"]


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    args = parse_args(argv)
    if args.measure:
        ctx = Context(args.data, args.queries, args.lookup_query, args.shapes)
        print(json.dumps(measure(*args.measure, ctx, args.repeat, args.budget)))
        return 0
    from vitd_kg.synth import claims_for_triples, generate

    rows: list[Row] = []
    warnings: list[str] = []
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="vitd-kg-bench-") as tmp:
        for size in args.sizes:
            data_dir = Path(tmp) / f"size-{size}"
            corpus = generate(claims_for_triples(size), seed=args.seed)
            corpus.write(data_dir / "synthetic.ttl")
            from vitd_kg.rdf.parsing import load_store

            triples = len(load_store(data_dir))
            del corpus
            print(f"size {size_label(size)}: {triples:,} triples (ontology included)", file=sys.stderr)
            for step in args.steps:
                checks = {}
                for engine in STEPS[step]:
                    if args.engines and engine not in args.engines:
                        continue
                    result = run_measurement(step, engine, data_dir, args)
                    row = Row(step, engine, size, triples, result.get("times", []), result.get("peak_rss_mib"),
                              result.get("check"), result.get("error"))
                    rows.append(row)
                    if row.check is not None:
                        checks[engine] = row.check
                    print(f"  {step:<12} {engine:<24} {row.error or seconds(row.median):>12}", file=sys.stderr)
                if not step.startswith("export") and len(set(checks.values())) > 1:
                    warnings.append(f"{step} at {size_label(size)}: engines disagree on the count of results: {checks}")
                    print(f"  warning: {warnings[-1]}", file=sys.stderr)
    args.commands = [shlex.join(["python", "benchmarks/run.py", *args.argv])]
    if args.keep:
        earlier = json.loads(args.keep.read_text(encoding="utf-8"))
        args.commands = earlier.get("commands", ["(an earlier run)"]) + args.commands
        measured = {(row.step, row.engine, row.size) for row in rows}
        kept = [Row(**row) for row in earlier["rows"] if (row["step"], row["engine"], row["size"]) not in measured]
        rows = kept + rows
        warnings = [w for w in earlier.get("warnings", []) if not any(f"{r.step} at {size_label(r.size)}" in w for r in rows if (r.step, r.engine, r.size) in measured)] + warnings
        args.sizes = sorted({row.size for row in rows})
    cold = [] if args.quick else cold_start()
    (args.out / "results.json").write_text(
        json.dumps({"machine": machine(), "commands": args.commands, "rows": [r.__dict__ for r in rows], "cold_start": cold,
                    "warnings": warnings}, indent=1),
        encoding="utf-8",
    )
    text = write_markdown(rows, args.sizes, machine(), args, cold, warnings, args.out / "results.md")
    write_plot(rows, args.out / "results.png")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
