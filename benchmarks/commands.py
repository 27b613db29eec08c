#!/usr/bin/env python
"""The commands people run, as whole processes, at growing sizes, against a baseline install.

For each size (in triples) a synthetic corpus is generated once (``vitd-kg synth``) and each
command runs as its own process under ``/usr/bin/time -v`` (wall clock and peak RSS of that
process alone), once with this tree's ``vitd-kg`` and once with a baseline's (``--baseline
PATH/TO/vitd-kg``, e.g. main's install), side by side, so the ratios come from one run:

* ``stats --data DIR`` (parse and count: the floor of every command);
* ``claims --data DIR --format json``; ``claims --data DIR --id X --format json``;
* ``audit --data DIR --format json``; ``validate --data DIR``;
* ``export --data DIR --format csv`` and ``--format fhir``; ``--format ntriples``,
  ``turtle`` and ``nquads`` (the release's sorted, canonically labelled dataset);
* ``dist --data DIR --force OUT`` (the whole release) and ``docs --data DIR --force OUT``
  (the site; needs Graphviz and the docs extra).

With ``--endpoint``, the read commands also run against an ``oxigraph serve`` holding the
ontology and the corpus (bulk-loaded by ``oxigraph load`` beforehand, not timed):
``vitd-kg --endpoint URL claims ...``, the variant "endpoint", so that the server as the
engine is measured beside the local parse.

Below ``--repeat-below`` triples each command runs ``--repeat`` times and the median is
kept. Each run gets a fresh, empty cache folder (``VITD_KG_CACHE_DIR``), so a row is a first
command on the data; ``--warm`` adds rows for a second command on unchanged data (its
cache filled by a first, untimed run). A command that runs longer than ``--timeout`` is
stopped and not run at larger sizes. Growth per decade is the slope of log time on log
size between successive sizes: 1 is linear. The load average is kept next to every run.

    python benchmarks/commands.py --baseline /work/main/.venv/bin/vitd-kg --timeout 180

Writes ``results-commands.json`` and ``results-commands.md`` in ``--out``.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests"))  # servers.py: the test suite's oxigraph serve
#: Triples per synthetic claim (about); used to aim at a size.
TRIPLES_PER_CLAIM = 36.7
#: The claim the lookups ask for (every synthetic corpus has it).
LOOKUP_CLAIM = "synth-1-finding-1"


@dataclass
class Measurement:
    step: str
    variant: str
    triples: int
    seconds: float | None  # None: stopped at the time limit, or failed
    max_rss_mb: float | None
    load_average: float
    note: str = ""


@dataclass
class Results:
    measurements: list[Measurement] = field(default_factory=list)
    machine: dict = field(default_factory=dict)


def corpus(work: Path, triples: int, vitd_kg: str, reuse: list[Path]) -> tuple[Path, int]:
    """A synthetic data folder of about ``triples`` triples (an existing one of that size, or made once)."""
    for folder in reuse:
        count = folder / "triples.txt"
        if count.is_file() and 0.8 < int(count.read_text()) / triples < 1.25:
            return folder, int(count.read_text())
    claims = max(4, round(triples / TRIPLES_PER_CLAIM))
    folder = work / f"synth-{claims}"
    done = folder / "triples.txt"
    if not done.is_file():
        folder.mkdir(parents=True, exist_ok=True)
        out = subprocess.run([vitd_kg, "synth", "--claims", str(claims), "-o", str(folder / "data.ttl")],
                             check=True, capture_output=True, text=True)
        match = re.search(r"\((\d+) triples", out.stdout + out.stderr)
        done.write_text(match.group(1) if match else str(triples))
    return folder, int(done.read_text())


def timed(command: list[str], env: dict[str, str], timeout: float) -> tuple[float | None, float | None, str]:
    """Run under ``/usr/bin/time -v``: wall seconds, peak RSS (MB), a note if it failed or was stopped."""
    with tempfile.NamedTemporaryFile("r+", suffix=".time") as report:
        process = subprocess.Popen(["/usr/bin/time", "-v", "-o", report.name, *command],
                                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env, start_new_session=True)
        try:
            _, err = process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)  # the process group this run started
            process.communicate()
            return None, None, f"stopped after {timeout:g} s"
        text = report.read()
    wall = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (\S+)", text)
    rss = re.search(r"Maximum resident set size \(kbytes\): (\d+)", text)
    seconds = sum(float(p) * 60 ** i for i, p in enumerate(reversed(wall.group(1).split(":")))) if wall else None
    if process.returncode not in (0, 1):  # 1: validate/audit findings
        lines = err.decode(errors="replace").strip().splitlines()
        return None, None, (lines[-1][:200] if lines else f"exit code {process.returncode}")
    return seconds, (int(rss.group(1)) / 1024 if rss else None), ""


#: The commands that read the graph, which ``--endpoint`` can serve (validate reads files).
ENDPOINT_STEPS = ("stats", "claims", "claims --id", "audit", "export csv", "export fhir")


def on_endpoint(command_args: list[str], url: str) -> list[str]:
    """A command's arguments with ``--data DIR`` replaced by the global ``--endpoint URL``."""
    at = command_args.index("--data")
    return ["--endpoint", url, *command_args[:at], *command_args[at + 2:]]


def served(data: Path, location: Path):
    """An ``oxigraph serve`` (tests/servers.py) over the bundled ontology and the corpus,
    bulk-loaded into its default graph first."""
    from servers import OxigraphServer, oxigraph_load

    from vitd_kg import resources

    oxigraph_load(location, Path(str(resources.ontology_dir() / "vitd.ttl")), *sorted(data.glob("*.ttl")))
    return OxigraphServer(location).start()


def steps(data: Path, out: Path) -> list[tuple[str, list[str]]]:
    d = ["--data", str(data)]
    return [
        ("stats", ["stats", *d]),
        ("claims", ["claims", *d, "--format", "json"]),
        ("claims --id", ["claims", *d, "--id", LOOKUP_CLAIM, "--format", "json"]),
        ("audit", ["audit", *d, "--format", "json"]),
        ("validate", ["validate", *d]),
        ("export csv", ["export", *d, "--format", "csv", "-o", str(out / "export.csv")]),
        ("export fhir", ["export", *d, "--format", "fhir", "-o", str(out / "export.json")]),
        ("export ntriples", ["export", *d, "--format", "ntriples", "-o", str(out / "export.nt")]),
        ("export turtle", ["export", *d, "--format", "turtle", "-o", str(out / "export.ttl")]),
        ("export nquads", ["export", *d, "--format", "nquads", "-o", str(out / "export.nq")]),
        ("dist", ["dist", *d, "--force", str(out / "release")]),
        ("docs", ["docs", *d, "--force", str(out / "site")]),
    ]


def growth(a: tuple[int, float], b: tuple[int, float]) -> float:
    return math.log(b[1] / a[1]) / math.log(b[0] / a[0])


def markdown(results: Results) -> str:
    sizes = sorted({m.triples for m in results.measurements})
    keys = list(dict.fromkeys((m.step, m.variant) for m in results.measurements))
    found = {(m.step, m.variant, m.triples): m for m in results.measurements}
    variants = list(dict.fromkeys(v for _, v in keys))
    m = results.machine
    lines = [
        f"Whole processes (`/usr/bin/time -v`), {m.get('cpus')} CPUs shared with other work; load average "
        f"{m.get('load_before')} before, {m.get('load_after')} after (each run's own in the JSON). `{m.get('command')}`",
        "",
        "Seconds (peak RSS MB); growth per decade = slope of log time on log triples between successive sizes (1 = linear).",
        "",
        "| command | variant | " + " | ".join(f"{n:,}" for n in sizes) + " | growth per decade |",
        "|---|---|" + "---:|" * len(sizes) + "---|",
    ]
    for step, variant in keys:
        cells, points = [], []
        for n in sizes:
            x = found.get((step, variant, n))
            if x is None:
                cells.append("")
            elif x.seconds is not None:
                cells.append(f"{x.seconds:.2f} ({x.max_rss_mb:.0f})")
                points.append((n, max(x.seconds, 0.01)))
            else:
                cells.append("> " + x.note.split()[-2] + " s" if x.note.startswith("stopped") else "failed")
        per = ", ".join(f"{growth(a, b):.2f}" for a, b in zip(points, points[1:]))
        lines.append(f"| {step} | {variant} | " + " | ".join(cells) + f" | {per} |")
    if len(variants) > 1:
        here, base = variants[0], variants[1]
        lines += ["", f"Ratio {here} / {base} (time; peak RSS):", "",
                  "| command | " + " | ".join(f"{n:,}" for n in sizes) + " |", "|---|" + "---:|" * len(sizes)]
        for step in dict.fromkeys(s for s, _ in keys):
            cells = []
            for n in sizes:
                a, b = found.get((step, here, n)), found.get((step, base, n))
                if a and b and a.seconds and b.seconds:
                    cells.append(f"{a.seconds / b.seconds:.2f}; {a.max_rss_mb / b.max_rss_mb:.2f}")
                elif a and a.seconds and b and b.seconds is None:
                    cells.append("baseline stopped")
                else:
                    cells.append("")
            lines.append(f"| {step} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 10_000, 100_000, 1_000_000])
    parser.add_argument("--vitd-kg", default=str(Path(sys.executable).parent / "vitd-kg"), help="this tree's command")
    parser.add_argument("--baseline", metavar="PATH", help="the baseline's vitd-kg command, run side by side")
    parser.add_argument("--timeout", type=float, default=180.0, help="seconds before a command is stopped")
    parser.add_argument("--repeat", type=int, default=3, help="runs per measurement below --repeat-below (median kept)")
    parser.add_argument("--repeat-below", type=int, default=100_000, metavar="TRIPLES")
    parser.add_argument("--warm", action="store_true", help="also time a second command on unchanged data")
    parser.add_argument("--endpoint", action="store_true",
                        help="also time the read commands against an oxigraph serve holding the corpus")
    parser.add_argument("--only", nargs="+", help="only commands whose name contains one of these")
    parser.add_argument("--reuse", type=Path, nargs="*", default=[], help="existing corpora (folders with triples.txt)")
    parser.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "vitd-kg-bench-commands")
    parser.add_argument("--out", type=Path, default=HERE)
    args = parser.parse_args(argv)
    args.work.mkdir(parents=True, exist_ok=True)
    variants = [("this tree", args.vitd_kg)] + ([("baseline", args.baseline)] if args.baseline else [])
    results = Results(machine={
        "cpus": os.cpu_count(), "load_before": round(os.getloadavg()[0], 2),
        "command": " ".join(["python", "benchmarks/commands.py", *(argv if argv is not None else sys.argv[1:])]),
        "variants": dict(variants),
    })
    stopped: set[tuple[str, str]] = set()
    scratch = Path(tempfile.mkdtemp(prefix="bench-", dir=args.work))

    def measure(step: str, variant: str, command: list[str], triples: int, warm: bool) -> None:
        cache = Path(tempfile.mkdtemp(prefix="cache-", dir=scratch))
        env = dict(os.environ, VITD_KG_CACHE_DIR=str(cache))
        if warm:
            subprocess.run(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=args.timeout)
        load = os.getloadavg()[0]
        runs = []
        for _ in range(args.repeat if triples < args.repeat_below else 1):
            if not warm:
                shutil.rmtree(cache, ignore_errors=True)
            runs.append(timed(command, env, args.timeout))
            if runs[-1][0] is None:
                break
        finished = sorted((r for r in runs if r[0] is not None), key=lambda r: r[0])
        seconds, rss, note = finished[len(finished) // 2] if len(finished) == len(runs) else runs[-1]
        shutil.rmtree(cache, ignore_errors=True)
        results.measurements.append(Measurement(step, variant, triples, seconds, rss, round(load, 2), note))
        if seconds is None:
            stopped.add((step, variant))
        shown = f"{seconds:.2f} s, {rss:.0f} MB" if seconds is not None else note
        print(f"{triples:>9,} {step:<22} {variant:<10} {shown}  (load {load:.2f})", flush=True)
        write(results)  # after every run, so a stopped benchmark keeps what it measured

    def write(found: Results) -> None:
        args.out.mkdir(parents=True, exist_ok=True)
        (args.out / "results-commands.json").write_text(json.dumps(asdict(found), indent=1) + "\n")
        (args.out / "results-commands.md").write_text(markdown(found))

    try:
        for size in args.sizes:
            data, triples = corpus(args.work, size, args.vitd_kg, args.reuse)
            chosen = [(step, command_args) for step, command_args in steps(data, scratch)
                      if not args.only or any(o in step for o in args.only)]
            for step, command_args in chosen:
                for variant, program in variants:
                    if (step, variant) not in stopped:
                        measure(step, variant, [program, *command_args], triples, False)
                    if args.warm and variant == "this tree" and step.startswith("claims") \
                            and (step + ", second run", variant) not in stopped:
                        measure(step + ", second run", variant, [program, *command_args], triples, True)
            wanted = [(step, command_args) for step, command_args in chosen if step in ENDPOINT_STEPS]
            if args.endpoint and wanted:
                server = served(data, Path(tempfile.mkdtemp(prefix="oxigraph-", dir=scratch)) / "store")
                try:
                    for step, command_args in wanted:
                        if (step, "endpoint") not in stopped:
                            measure(step, "endpoint", [args.vitd_kg, *on_endpoint(command_args, server.query_url)],
                                    triples, False)
                finally:
                    server.stop()
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    results.machine["load_after"] = round(os.getloadavg()[0], 2)
    write(results)
    print(markdown(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
