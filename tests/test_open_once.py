"""Every command reads each file of the graph once: the graph is opened once and shared.

Counted by the kernel (``strace -e trace=openat``), so opens inside Oxigraph's Rust code
count too. The test runs the installed ``vitd-kg`` command on a copy of the data.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from data_folders import copy_data

STRACE = shutil.which("strace")
pytestmark = pytest.mark.skipif(STRACE is None, reason="strace is not installed (.ci/apt-packages.txt installs it)")

COMMANDS = {
    "claims": ["claims", "--format", "json"],
    "claims --id --map": ["claims", "--id", "ma-strength", "--map", "{out}/map.svg"],
    "audit": ["audit"],
    "stats": ["stats"],
    "export turtle": ["export", "--format", "turtle", "-o", "{out}/graph.ttl"],
    "export fhir": ["export", "--format", "fhir", "-o", "{out}/fhir.json"],
    "export csv": ["export", "--format", "csv", "-o", "{out}/effects.csv"],
    "dist": ["dist", "{out}/release"],
    "docs": ["docs", "{out}/site"],
    "query": ["query", "claims/claim"],
    "validate": ["validate"],
}


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_each_data_file_is_opened_once(name, tmp_path):
    data = copy_data(tmp_path)
    out = tmp_path / "out"
    out.mkdir()
    args = [a.format(out=out) for a in COMMANDS[name]]
    trace = tmp_path / "trace.txt"
    command = [Path(sys.executable).with_name("vitd-kg"), *args, "--data", str(data)]
    result = subprocess.run(
        [STRACE, "-f", "-e", "trace=openat", "-o", str(trace), *map(str, command)],
        capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    opened = Counter(re.findall(r'openat\([^"]*"([^"]+)"', trace.read_text()))
    data_files = sorted(p for p in data.glob("*.ttl"))
    assert data_files
    counts = {p.name: opened[str(p)] for p in data_files}
    assert set(counts.values()) == {1}, counts
