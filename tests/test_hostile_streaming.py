"""Issue 14, case 10: `vitd-kg query` holds no rows; its memory stays flat with the row count.

Rows went from the engine into a list, through a pipe as one pickle, into another list,
then into one string (10 M rows: 3.8 GB). They now stream from the engine, through the
worker's pipe in chunks, to the writer. The peak memory of the whole command (the
worker included: Linux keeps the largest of a process and the children it waited for)
is measured at two row counts ten times apart.
"""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys

import pytest

import vitd_kg
from vitd_kg.sparql.queries import read_query
from vitd_kg.sparql.results import format_result, write_results

#: Every pair of triples of the bundled graph (about 1,900 triples): millions of rows.
CROSS = "SELECT ?s ?p ?o ?t WHERE { ?s ?p ?o . ?t a ?c } LIMIT {limit}"

PEAK = """
import resource, subprocess, sys
done = subprocess.run([sys.executable, "-m", "vitd_kg", *sys.argv[1:]], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
if done.returncode:
    sys.exit(done.stderr.decode())
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
"""


def peak_kb(*args: str) -> int:
    result = subprocess.run([sys.executable, "-c", PEAK, *args], capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr
    return int(result.stdout)


@pytest.mark.parametrize("output_format", ["json", "csv", "table"])
def test_peak_memory_does_not_grow_with_the_rows(output_format):
    small = peak_kb("query", CROSS.replace("{limit}", "20000"), "--format", output_format, "--timeout", "300")
    large = peak_kb("query", CROSS.replace("{limit}", "200000"), "--format", output_format, "--timeout", "300")
    # Before: 200,000 rows took about 300 MB more than 20,000 (JSON: 600 MB more).
    assert large - small < 40_000, (small, large)


@pytest.mark.parametrize("engine", ["oxigraph", "rdflib"])
def test_streamed_output_is_complete_in_every_format(engine):
    graph = vitd_kg.open()
    target = graph.store if engine == "oxigraph" else graph.rdflib_graph
    query = read_query(CROSS.replace("{limit}", "3000"))
    outputs = {}
    for fmt in ("json", "csv", "tsv", "table"):
        out = io.BytesIO()
        assert write_results(query, target, out, fmt, timeout=60) == 3000
        outputs[fmt] = out.getvalue().decode("utf-8")
    assert len(json.loads(outputs["json"])["results"]["bindings"]) == 3000
    assert len(list(csv.DictReader(io.StringIO(outputs["csv"])))) == 3000
    assert len(outputs["tsv"].splitlines()) == 3001
    assert outputs["table"].rstrip().endswith("(3000 rows)")


def test_whole_results_are_written_as_before():
    result = vitd_kg.open().execute("questions/null-outcomes")
    assert format_result(result, "tsv").splitlines()[1].startswith('<https://w3id.org/vitd-kg/id/concept/muscle-mass>\t"muscle mass"')
    payload = json.loads(format_result(result, "json"))
    assert payload["head"]["vars"][0] == "outcome" and len(payload["results"]["bindings"]) == 2


def test_a_literal_with_a_line_break_stays_on_one_tsv_line():
    result = vitd_kg.open().execute('SELECT ?x WHERE { BIND("two\\nlines" AS ?x) }', engine="rdflib")
    assert format_result(result, "tsv") == '?x\n"two\\nlines"\n'


def test_the_table_sizes_its_columns_from_the_first_rows_and_counts_them_all():
    out = io.BytesIO()
    query = read_query("SELECT ?n WHERE { VALUES ?n { 1 22 333 } }")
    write_results(query, vitd_kg.open().store, out, "table")
    assert out.getvalue().decode().splitlines() == ["n", "---", "1", "22", "333", "(3 rows)"]
