"""Issue 14, case 5: publishing leaves no state behind, whatever happens.

Crashes are real: a child process that dies (``os._exit``, ``SIGKILL``) at the worst
moment, then a second run that must find the folder whole and clean up after the first.
"""

from __future__ import annotations

import hashlib
import os
import signal
import stat
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from vitd_kg import atomic
from vitd_kg.cli import main
from vitd_kg.errors import InputError


def run_cli(*args: str, cwd: Path | None = None, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "vitd_kg", *args], capture_output=True, text=True, timeout=timeout, cwd=cwd)


def run_python(code: str, *, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, timeout=timeout)


def old_release(parent: Path) -> Path:
    """A folder that stands for a previous release: two files and a subfolder."""
    out = parent / "out"
    (out / "sub").mkdir(parents=True)
    (out / "OLD").write_text("old release\n")
    (out / "sub" / "x.txt").write_text("old\n")
    return out


def siblings(out: Path) -> list[str]:
    return sorted(p.name for p in out.parent.iterdir() if p.name != out.name)


def verify_checksums(out: Path) -> None:
    for line in (out / "SHA256SUMS").read_text().splitlines():
        digest, name = line.split("  ", 1)
        assert hashlib.sha256((out / name).read_bytes()).hexdigest() == digest, name


# --------------------------------------------------------------------------- crashes in the swap


def test_a_crash_just_after_the_exchange_leaves_the_new_folder_whole(tmp_path):
    out = old_release(tmp_path)
    crashed = run_python(f"""
        import os
        from vitd_kg import atomic
        real = atomic._exchange
        def exchange_then_die(first, second):
            real(first, second)
            os._exit(137)
        atomic._exchange = exchange_then_die
        atomic.publish_folder({str(out)!r}, lambda f: (f / "NEW").write_text("new"), force=True)
    """)
    assert crashed.returncode == 137, crashed.stderr
    assert sorted(p.name for p in out.iterdir()) == ["NEW"]  # never missing, never half
    assert len(siblings(out)) == 1  # the old folder, under the staging name
    atomic.publish_folder(out, lambda f: (f / "NEWER").write_text("x"), force=True)
    assert sorted(p.name for p in out.iterdir()) == ["NEWER"] and siblings(out) == []


def test_a_crash_between_the_two_renames_is_repaired_by_the_next_run(tmp_path):
    """Where the swap takes two renames (no renameat2), dying between them left OUT gone
    and only .OUT.old-PID behind; the next run now puts the old folder back first."""
    out = old_release(tmp_path)
    crashed = run_python(f"""
        import os
        from vitd_kg import atomic
        atomic._exchange = lambda first, second: False
        real = os.rename
        def rename_once_then_die(source, target):
            real(source, target)
            os._exit(137)
        atomic.os.rename = rename_once_then_die
        atomic.publish_folder({str(out)!r}, lambda f: (f / "NEW").write_text("new"), force=True)
    """)
    assert crashed.returncode == 137, crashed.stderr
    assert not out.exists()  # the window the two-step swap cannot close
    with pytest.raises(InputError, match="not empty"):  # the old release is back, so not replaced unasked
        atomic.publish_folder(out, lambda f: (f / "NEW").write_text("new"))
    assert (out / "OLD").read_text() == "old release\n" and (out / "sub" / "x.txt").exists()
    assert siblings(out) == []


def test_a_failed_second_rename_puts_the_old_folder_back(tmp_path, monkeypatch):
    out = old_release(tmp_path)
    monkeypatch.setattr(atomic, "_exchange", lambda first, second: False)
    real = os.rename
    calls = []

    def second_rename_fails(source, target):
        calls.append(source)
        if len(calls) == 2:
            raise OSError(28, "No space left on device", str(target))
        real(source, target)

    monkeypatch.setattr(atomic.os, "rename", second_rename_fails)
    with pytest.raises(InputError, match="No space left on device") as refused:
        atomic.publish_folder(out, lambda f: (f / "NEW").write_text("new"), force=True)
    assert refused.value.file == str(out)
    assert (out / "OLD").exists() and siblings(out) == []


def test_a_failure_while_building_leaves_the_old_folder_and_nothing_else(tmp_path):
    out = old_release(tmp_path)

    def build(folder: Path) -> None:
        (folder / "half").write_text("half")
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        atomic.publish_folder(out, build, force=True)
    assert (out / "OLD").exists() and siblings(out) == []


def test_a_run_that_refuses_a_full_folder_still_removes_what_killed_runs_left(tmp_path):
    """`dist OUT` without --force after a killed run: refused, and the killed run's staging gone."""
    out = old_release(tmp_path)
    (tmp_path / ".out.tmp-killed").mkdir()
    (tmp_path / ".out.tmp-killed" / "half").write_text("half")
    (tmp_path / ".out.tmp-file").write_text("half")
    with pytest.raises(InputError, match="--force|not empty"):
        atomic.publish_folder(out, lambda folder: None)
    assert (out / "OLD").exists() and siblings(out) == []


# --------------------------------------------------------------------------- real processes


def wait_for(predicate, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("timed out")
        time.sleep(0.02)


def writing_started(parent: Path) -> bool:
    """Whether a temporary release folder in ``parent`` holds a file yet (False once it is gone)."""
    try:
        return any(f.is_file() for d in parent.glob(".release.tmp-*") for f in d.rglob("*"))
    except OSError:
        return False


def test_kill_9_during_dist_leaves_the_release_as_it_was_and_the_next_run_cleans_up(tmp_path):
    out = tmp_path / "release"
    assert main(["dist", str(out)]) == 0
    before = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    process = subprocess.Popen([sys.executable, "-m", "vitd_kg", "dist", str(out), "--force"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        # killed once the first files are in the temporary folder, in the middle of writing the
        # release (a fixed pause after the folder appeared let a fast machine finish first)
        wait_for(lambda: writing_started(tmp_path) or process.poll() is not None)
        process.send_signal(signal.SIGKILL)
        process.wait(30)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == -signal.SIGKILL
    after = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    assert after == before
    verify_checksums(out)
    leftovers = siblings(out)
    assert all(name.startswith(".release.tmp-") for name in leftovers)
    result = run_cli("dist", str(out), "--force")
    assert result.returncode == 0, result.stderr
    assert siblings(out) == []
    verify_checksums(out)


def test_two_dist_runs_into_one_folder_take_turns_and_the_second_refuses(tmp_path):
    out = tmp_path / "release"
    runs = [subprocess.Popen([sys.executable, "-m", "vitd_kg", "dist", str(out)],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(2)]
    results = [(run.wait(300), run.stderr.read()) for run in runs]
    codes = sorted(code for code, _ in results)
    assert codes == [0, 2], results
    refusal = next(err for code, err in results if code == 2)
    assert "the folder is not empty" in refusal and str(out) in refusal
    verify_checksums(out)
    assert siblings(out) == []


@pytest.mark.parametrize(("mask", "folder", "file"), [(0o022, 0o755, 0o644), (0o027, 0o750, 0o640)])
def test_the_release_root_has_the_same_permissions_as_its_subfolders(tmp_path, mask, folder, file):
    out = tmp_path / "release"
    result = subprocess.run([sys.executable, "-c", f"import os; os.umask({mask}); from vitd_kg.cli import main; raise SystemExit(main(['dist', {str(out)!r}]))"],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    modes = {stat.S_IMODE(p.stat().st_mode) for p in [out, *out.rglob("*")] if p.is_dir()}
    assert modes == {folder}
    assert {stat.S_IMODE(p.stat().st_mode) for p in out.rglob("*") if p.is_file()} == {file}


# --------------------------------------------------------------------------- export -o FILE


def test_export_that_fails_half_way_leaves_the_old_file_and_no_partial_one(tmp_path, monkeypatch, capsys):
    import vitd_kg.knowledge_graph as kg

    target = tmp_path / "graph.ttl"
    target.write_text("old\n")

    def half_then_fail(self, output_format, out):
        out.write(b"@prefix half: <http://e/> .\n")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(kg.KnowledgeGraph, "export", half_then_fail)
    assert main(["export", "--format", "turtle", "-o", str(target)]) == 2
    assert "No space left on device" in capsys.readouterr().err
    assert target.read_text() == "old\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["graph.ttl"]


def test_kill_9_during_export_leaves_the_old_file_and_the_next_export_cleans_up(tmp_path):
    target = tmp_path / "graph.nt"
    target.write_text("old\n")
    slow = f"""
        import time, vitd_kg.knowledge_graph as kg
        def slow(self, output_format, out):
            out.write(b"partial")
            out.flush()
            time.sleep(60)
        kg.KnowledgeGraph.export = slow
        from vitd_kg.cli import main
        main(["export", "--format", "ntriples", "-o", {str(target)!r}])
    """
    process = subprocess.Popen([sys.executable, "-c", textwrap.dedent(slow)])
    try:
        wait_for(lambda: any(p.name.startswith(".graph.nt.tmp-") and p.stat().st_size for p in tmp_path.iterdir()))
        process.send_signal(signal.SIGKILL)
        process.wait(30)
    finally:
        if process.poll() is None:
            process.kill()
    assert target.read_text() == "old\n"
    assert len(list(tmp_path.iterdir())) == 2  # the killed run's staging file, hidden
    assert main(["export", "--format", "ntriples", "-o", str(target)]) == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["graph.nt"]
    assert target.read_text().count("\n") > 1000


def test_a_live_writers_staging_file_is_not_removed_by_another_export(tmp_path):
    import fcntl
    import tempfile

    target = tmp_path / "graph.nt"
    handle, name = tempfile.mkstemp(prefix=".graph.nt.tmp-", dir=tmp_path)
    fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)  # as a live writer holds it
    try:
        assert main(["export", "--format", "ntriples", "-o", str(target)]) == 0
        assert Path(name).exists()
    finally:
        os.close(handle)
    assert main(["export", "--format", "ntriples", "-o", str(target)]) == 0
    assert not Path(name).exists()


def test_export_follows_a_link_keeps_the_mode_and_writes_a_pipe_in_place(tmp_path):
    real = tmp_path / "real.ttl"
    real.write_text("old\n")
    real.chmod(0o600)
    link = tmp_path / "link.ttl"
    link.symlink_to(real.name)
    assert main(["export", "--format", "turtle", "-o", str(link)]) == 0
    assert link.is_symlink() and real.read_text().startswith("@prefix")
    assert stat.S_IMODE(real.stat().st_mode) == 0o600

    pipe = tmp_path / "pipe"
    os.mkfifo(pipe)
    received = tmp_path / "received"
    with open(received, "wb") as sink:
        reader = subprocess.Popen(["cat", str(pipe)], stdout=sink)
        assert main(["export", "--format", "ntriples", "-o", str(pipe)]) == 0
        assert reader.wait(60) == 0
    assert received.read_bytes().count(b"\n") > 1000
    assert stat.S_ISFIFO(pipe.stat().st_mode)  # not replaced by a regular file
    assert sorted(p.name for p in tmp_path.iterdir()) == ["link.ttl", "pipe", "real.ttl", "received"]


@pytest.mark.skipif(os.geteuid() != 0, reason="making a device node needs root")
def test_export_onto_a_device_writes_to_it_and_never_replaces_it(tmp_path):
    device = tmp_path / "null"
    os.mknod(device, stat.S_IFCHR | 0o666, os.makedev(1, 3))
    assert main(["export", "--format", "ntriples", "-o", str(device)]) == 0
    assert stat.S_ISCHR(device.stat().st_mode)
