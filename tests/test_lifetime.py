"""The console script ends without freeing what a command retired (vitd_kg.lifetime), and
says all it had to say first; library callers get their objects freed as usual."""

from __future__ import annotations

import gc
import json
import os
import subprocess
import sys
import weakref
from pathlib import Path

import pytest
from rdflib import Graph
from rdflib.compare import isomorphic

from vitd_kg import lifetime
from vitd_kg.cli import main

DATA = Path(__file__).parent / "data"

#: the environment of a user's shell: output to a pipe is buffered (this machine's shell sets
#: PYTHONUNBUFFERED, under which a lost flush would go unseen)
BUFFERED = {name: value for name, value in os.environ.items() if name != "PYTHONUNBUFFERED"}

ENDING = """
import atexit, sys
from vitd_kg import lifetime
atexit.register(lambda: print("exit handler ran", file=sys.stderr))
lifetime.keep_until_exit()
if sys.argv[1] == "retire":
    lifetime.retire(list(range(10)))
sys.stdout.write("written, not yet flushed")
lifetime.end(int(sys.argv[2]))
"""


@pytest.mark.parametrize("code", [0, 1, 3])
@pytest.mark.parametrize("retiring", ["retire", "keep"])
def test_end_exits_with_its_code_flushed_output_and_exit_handlers_run(retiring, code):
    done = subprocess.run([sys.executable, "-c", ENDING, retiring, str(code)], capture_output=True, text=True,
                          env=BUFFERED)
    assert (done.returncode, done.stdout, done.stderr) == (code, "written, not yet flushed", "exit handler ran\n")


def test_end_after_retiring_frees_nothing():
    """Nothing retired is freed: a finalizer of a retired object never runs (it does when
    nothing was retired, at the interpreter's teardown)."""
    script = """
import sys
from vitd_kg import lifetime
class Loud:
    def __del__(self):
        print("freed", flush=True)
lifetime.keep_until_exit()
held = Loud()
if sys.argv[1] == "retire":
    lifetime.retire(held)
del held
lifetime.end(0)
"""
    retired = subprocess.run([sys.executable, "-c", script, "retire"], capture_output=True, text=True, env=BUFFERED)
    kept = subprocess.run([sys.executable, "-c", script, "keep"], capture_output=True, text=True, env=BUFFERED)
    assert (retired.returncode, retired.stdout, kept.stdout) == (0, "", "freed\n")


def test_library_callers_get_retired_objects_freed(monkeypatch):
    monkeypatch.setattr(lifetime, "_kept", None)

    class Held:
        pass

    held = Held()
    gone = weakref.ref(held)
    lifetime.retire(held)
    del held
    gc.collect()
    assert gone() is None


def test_validate_frees_its_parse_before_a_large_report_is_written(monkeypatch):
    """With more results than ``RETIRE_UP_TO_RESULTS``, nothing is retired: the report's
    rendering should not add its memory to the parse's."""
    from vitd_kg.validation import pipeline

    retired: list = []
    monkeypatch.setattr(lifetime, "_kept", retired)
    monkeypatch.setattr(gc, "freeze", lambda: None)
    invalid = sorted((DATA / "shacl-invalid").glob("*.ttl"))[0]
    monkeypatch.setattr(pipeline, "RETIRE_UP_TO_RESULTS", 0)
    assert pipeline.validate([DATA / "context.ttl", invalid]).results
    assert retired == []
    monkeypatch.setattr(pipeline, "RETIRE_UP_TO_RESULTS", 1000)
    pipeline.validate([DATA / "context.ttl", invalid])
    assert retired


def test_validate_retires_its_parse_under_the_console_script(monkeypatch):
    """What ``validate`` is done with is handed to :func:`lifetime.retire` (kept only under
    the console script), and its store with it."""
    retired: list = []
    monkeypatch.setattr(lifetime, "_kept", retired)
    monkeypatch.setattr(gc, "freeze", lambda: None)
    import vitd_kg

    vitd_kg.validate([DATA / "context.ttl"])
    kinds = {type(x).__name__ for x in retired}
    assert {"list", "Store"} <= kinds
    parsed = next(x for x in retired if isinstance(x, list) and x and type(x[0]).__name__ == "ParsedFile")
    assert [Path(p.name).name for p in parsed] == ["vitd.ttl", "context.ttl"]


@pytest.mark.parametrize("output_format", ["text", "json", "turtle"])
def test_the_console_script_says_what_main_says(output_format, capsys):
    """Ended at once after ``validate``, the process has written the whole report, with the
    exit code ``main`` returns in process."""
    invalid = sorted((DATA / "shacl-invalid").glob("*.ttl"))[0]
    args = ["validate", "--format", output_format, str(DATA / "context.ttl"), str(invalid)]
    code = main(args)
    expected = capsys.readouterr()
    done = subprocess.run([sys.executable, "-m", "vitd_kg", *args], capture_output=True, text=True, env=BUFFERED)
    assert (done.returncode, code) == (1, 1)
    assert done.stderr == expected.err
    if output_format == "json":
        assert json.loads(done.stdout) == json.loads(expected.out)
    elif output_format == "turtle":  # a graph: its blank nodes and their order differ from run to run
        assert isomorphic(Graph().parse(data=done.stdout, format="turtle"),
                          Graph().parse(data=expected.out, format="turtle"))
    else:
        assert done.stdout == expected.out


@pytest.mark.parametrize("output_format", ["ntriples", "nquads", "csv", "fhir"])
def test_export_to_standard_output_is_whole_when_the_process_ends_at_once(output_format, capsysbinary):
    """``export`` retires its graph; the console script ends at once, after the last byte."""
    args = ["export", "--format", output_format]  # the bundled graph
    assert main(args) == 0
    expected = capsysbinary.readouterr().out
    done = subprocess.run([sys.executable, "-m", "vitd_kg", *args], capture_output=True, env=BUFFERED)
    assert done.returncode == 0, done.stderr
    assert len(done.stdout) > 1000 and done.stdout == expected


def test_export_retires_its_graph_under_the_console_script(monkeypatch, tmp_path):
    retired: list = []
    monkeypatch.setattr(lifetime, "_kept", retired)
    monkeypatch.setattr(gc, "freeze", lambda: None)
    assert main(["export", "--format", "ntriples", "-o", str(tmp_path / "out.nt")]) == 0
    assert [type(x).__name__ for x in retired] == ["KnowledgeGraph"]
    assert (tmp_path / "out.nt").stat().st_size > 1000
