"""Issue 14, case 9: every command reads the same input the same way.

A byte order mark, a folder named with ``..`` or under a hidden folder, a link that
leads out of a data folder, a string path given to the Python API, a data folder that
carries its own copy of the ontology: each is accepted or refused alike everywhere, and
a refusal shows nothing of a file it did not read.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import vitd_kg
from vitd_kg import resources
from vitd_kg.errors import InputError, InvalidDataError

COMMANDS = [["stats"], ["claims"], ["validate"], ["query", "stats/triple-count"], ["export", "--format", "ntriples"]]
REPO = Path(__file__).resolve().parent.parent


def run_cli(*args: str, cwd: Path | None = None, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "vitd_kg", *args], capture_output=True, text=True, timeout=timeout, cwd=cwd)


def copy_of_data(folder: Path) -> Path:
    folder.mkdir(parents=True)
    for entry in resources.data_files():
        (folder / entry.name).write_bytes(entry.read_bytes())
    return folder


def test_a_byte_order_mark_is_read_the_same_by_every_command(tmp_path):
    data = copy_of_data(tmp_path / "data")
    first = sorted(data.glob("*.ttl"))[0]
    first.write_bytes(b"\xef\xbb\xbf" + first.read_bytes())
    for command in COMMANDS:
        result = run_cli(*command, "--data", str(data))
        assert result.returncode == 0, (command, result.stderr)
    assert run_cli("validate", str(first), "--with-bundled-data").returncode in (0, 1)  # read, not refused


@pytest.mark.parametrize("where", ["dot-dot", "under-hidden"])
def test_a_folder_given_with_dot_dot_or_under_a_hidden_folder_is_read_by_every_command(tmp_path, where):
    if where == "dot-dot":
        data = copy_of_data(tmp_path / "data")
        cwd, name = tmp_path / "elsewhere", "../data"
        cwd.mkdir()
    else:
        data = copy_of_data(tmp_path / ".hidden" / "data")
        cwd, name = tmp_path, ".hidden/data"
    assert data.is_dir()
    for command in COMMANDS:
        result = run_cli(*command, "--data", name, cwd=cwd)
        assert result.returncode == 0, (command, result.stderr)
        assert "holds no RDF files" not in result.stderr
    assert run_cli("validate", name, cwd=cwd).returncode == 0


def test_a_hidden_folder_inside_the_data_folder_is_skipped(tmp_path):
    data = copy_of_data(tmp_path / "data")
    (data / ".git").mkdir()
    (data / ".git" / "broken.ttl").write_text("this is not turtle")
    assert run_cli("stats", "--data", str(data)).returncode == 0


def test_a_link_out_of_the_data_folder_is_refused_and_nothing_of_its_target_is_shown(tmp_path):
    secret = tmp_path / "shadow"
    secret.write_text("vitdsecretuser:$6$SECRETHASH:19000:0:99999:7:::\n")  # shaped like /etc/shadow
    data = copy_of_data(tmp_path / "data")
    (data / "passwords.ttl").symlink_to(secret)
    for command in COMMANDS:
        result = run_cli(*command, "--data", str(data))
        assert result.returncode == 2, (command, result.stderr)
        assert "leads out of it" in result.stderr and "passwords.ttl" in result.stderr
        assert "vitdsecretuser" not in result.stderr and "SECRETHASH" not in result.stderr


def test_a_link_inside_the_data_folder_is_followed(tmp_path):
    data = copy_of_data(tmp_path / "data")
    (data / "sub").mkdir()
    (data / "concepts.ttl").rename(data / "sub" / "concepts.ttl")
    (data / "concepts-link.ttl").symlink_to(Path("sub") / "concepts.ttl")
    assert run_cli("stats", "--data", str(data)).returncode == 0


def test_a_string_is_one_path_for_the_python_api(tmp_path):
    data = copy_of_data(tmp_path / "data")
    one = str(data / "concepts.ttl")
    report = vitd_kg.validate(one)  # used to be read as a list of one-character paths
    assert report.files[-1] == one and len(report.files) == 2  # the ontology, then the file
    assert len(vitd_kg.open(str(data))) == len(vitd_kg.open(data))
    with pytest.raises(InputError, match="no such file or folder"):
        vitd_kg.open(str(tmp_path / "missing.ttl"))


def claims_json(*args: str) -> list[dict]:
    result = run_cli("claims", "--format", "json", *args)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_a_word_for_word_copy_of_the_ontology_in_the_data_folder_changes_nothing(tmp_path):
    data = copy_of_data(tmp_path / "data")
    shutil.copy(resources.ontology_file(), data / "vitd.ttl")
    assert claims_json("--data", str(data)) == claims_json()


def test_a_data_folder_may_not_redefine_the_ontology(tmp_path):
    """An older ontology in the data folder gave each evidence level two labels and two
    ranks: claims() exited 0 with every rests-on entry twice."""
    data = copy_of_data(tmp_path / "data")
    ontology = Path(resources.ontology_file()).read_text(encoding="utf-8")
    changed = ontology.replace('rdfs:label "narrative review"@en', 'rdfs:label "narrative literature review"@en')
    assert changed != ontology
    (data / "vitd.ttl").write_text(changed, encoding="utf-8")
    line = changed[: changed.index("narrative literature review")].count("\n") + 1
    result = run_cli("claims", "--data", str(data))
    assert result.returncode == 1, result.stderr
    assert "vitd:NarrativeReview" in result.stderr and "narrative literature review" in result.stderr
    assert f"{data / 'vitd.ttl'}:" in result.stderr and "not redefine them" in result.stderr
    reported = int(result.stderr.split(f"{data / 'vitd.ttl'}:")[1].split(":")[0])
    assert reported <= line  # the line of the term's block
    with pytest.raises(InvalidDataError):
        vitd_kg.claims(data)


def test_an_export_of_the_whole_graph_can_be_read_back_as_data(tmp_path):
    """The export holds the ontology too: restating it is allowed, even its blank nodes."""
    folder = tmp_path / "data"
    folder.mkdir()
    assert run_cli("export", "--format", "turtle", "-o", str(folder / "all.ttl")).returncode == 0
    assert claims_json("--data", str(folder)) == claims_json()


def test_a_jsonld_import_of_a_remote_context_is_refused_and_nothing_is_fetched(tmp_path):
    import socket

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    listener.settimeout(0.5)
    url = f"http://127.0.0.1:{listener.getsockname()[1]}/context.jsonld"
    data = tmp_path / "data"
    data.mkdir()
    (data / "doc.jsonld").write_text(json.dumps({"@context": {"@import": url, "e": "http://e/"}, "@id": "e:s", "e:p": 1}))
    try:
        result = run_cli("stats", "--data", str(data))
        assert result.returncode == 2, result.stderr
        assert "is never fetched" in result.stderr
        with pytest.raises(socket.timeout):
            listener.accept()
    finally:
        listener.close()


TRIPLE_TERM = """VERSION "1.2"
@prefix ex: <http://example.org/> .
ex:d ex:q << ex:e ex:says ex:f >> .
"""
#: two literals the fast engine's store keeps as one ("0" and "-0"), which send auto to pySHACL
MERGED = """@prefix ex: <http://example.org/> .
ex:h ex:q 0, -0 .
"""


@pytest.mark.parametrize("engine", ["auto", "pyshacl"])
def test_a_triple_term_pyshacl_would_have_to_read_is_refused_clearly(tmp_path, engine):
    """pySHACL reads RDF 1.1 only: data with an RDF 1.2 triple term that only pySHACL could
    validate is refused with exit 2 and why, not an internal error."""
    (tmp_path / "term.ttl").write_text(TRIPLE_TERM, encoding="utf-8")
    files = [str(tmp_path / "term.ttl")]
    if engine == "auto":
        (tmp_path / "merged.ttl").write_text(MERGED, encoding="utf-8")
        files.append(str(tmp_path / "merged.ttl"))
    result = run_cli("validate", "--engine", engine, *files)
    assert result.returncode == 2, result.stderr
    assert "internal error" not in result.stderr
    assert "RDF 1.2 triple term" in result.stderr and "pySHACL cannot read" in result.stderr
    assert ("keeps as one" in result.stderr) == (engine == "auto")


def test_a_triple_term_is_validated_by_the_fast_engine(tmp_path):
    (tmp_path / "term.ttl").write_text(TRIPLE_TERM, encoding="utf-8")
    assert run_cli("validate", str(tmp_path / "term.ttl")).returncode == 0


UNNAMED_CLAIM = """@prefix vitd: <https://w3id.org/vitd-kg/ontology#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
[] a vitd:FindingClaim ; rdfs:label "an unnamed claim" ;
   vitd:sourceSentence <https://w3id.org/vitd-kg/id/sentence/s01> ;
   vitd:subject <https://w3id.org/vitd-kg/id/concept/vitamin-d> ;
   vitd:relation vitd:improves ; vitd:object <https://w3id.org/vitd-kg/id/concept/muscle-spasm> ;
   vitd:modality vitd:Asserted ; vitd:evidenceLevel vitd:NoCitedEvidence .
"""


def data_with_an_unnamed_claim(tmp_path: Path) -> Path:
    data = copy_of_data(tmp_path / "data")
    (data / "unnamed.ttl").write_text(UNNAMED_CLAIM, encoding="utf-8")
    return data


@pytest.mark.parametrize("command", [["claims"], ["claims", "--format", "json"], ["dist", "OUT"], ["docs", "OUT"]])
def test_a_claim_written_as_a_blank_node_is_refused_clearly_and_nothing_is_written(tmp_path, command):
    """Its label differs on every load: the release named a graph, a nanopublication and a
    page after it, and ``claims`` crashed (exit 3) putting it in a VALUES clause."""
    data = data_with_an_unnamed_claim(tmp_path)
    out = tmp_path / "out"
    done = run_cli(*[str(out) if part == "OUT" else part for part in command], "--data", str(data))
    assert done.returncode == 1, done.stderr
    assert '1 claim(s) written as a blank node ("an unnamed claim")' in done.stderr
    assert "name each claim by an IRI" in done.stderr
    assert done.stdout == ""
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data"]  # no release, no site, no staging


def test_validate_names_the_file_of_a_claim_written_as_a_blank_node(tmp_path):
    data = data_with_an_unnamed_claim(tmp_path)
    done = run_cli("validate", "--data", str(data))
    assert done.returncode == 1
    report = done.stdout + done.stderr
    assert f"{data / 'unnamed.ttl'}: Violation: _:" in report
    assert "a claim must be named by an IRI (claim:...), not a blank node" in report


def test_the_python_api_refuses_an_unnamed_claim_on_every_engine(tmp_path):
    from rdflib import Graph

    from vitd_kg.evidence.reconstruct import reconstruct_claims

    data = data_with_an_unnamed_claim(tmp_path)
    with pytest.raises(InvalidDataError, match="written as a blank node"):
        vitd_kg.open(data, cache="off").claims()
    graph = Graph()
    for path in sorted(data.glob("*.ttl")):
        graph.parse(path, format="turtle")
    with pytest.raises(InvalidDataError, match="written as a blank node"):
        reconstruct_claims(graph)
