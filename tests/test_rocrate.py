"""Every release is an RO-Crate 1.1: read back, and written again, by the ``rocrate`` package.

The crate's root ``Dataset`` says what the VoID says (name, description, version,
dates, license, the project agent as creator), is based on the source document, cites
the three publications of shared/SOURCES.md by DOI and nothing else, and has every
file of the release with its media type, size and SHA-256.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

import vitd_kg
from vitd_kg.cli import main
from vitd_kg.namespaces import PROJECT_AGENT
from vitd_kg.publishing import release
from vitd_kg.publishing import void as void_meta
from vitd_kg.publishing.schema_org import CRATE_FILE, RO_CRATE_CONTEXT, RO_CRATE_SPEC, media_type

rocrate = pytest.importorskip("rocrate.rocrate", reason="the rocrate package is in the test extra")

#: The three DOIs that shared/SOURCES.md verifies: the only publications the crate may cite.
SOURCE_DOIS = {"10.7812/TPP/18.241", "10.1210/er.2012-1012", "10.1210/jc.2014-1742"}
SOURCE_DOCUMENT = "https://w3id.org/vitd-kg/id/document/vitamin-d-muscle-spasm"


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("release") / "out"
    assert main(["dist", str(out)]) == 0
    return out


@pytest.fixture(scope="module")
def metadata(built) -> dict:
    return json.loads((built / CRATE_FILE).read_text(encoding="utf-8"))


def entities(metadata) -> dict[str, dict]:
    return {e["@id"]: e for e in metadata["@graph"]}


def test_the_metadata_file_is_a_flat_rocrate_1_1_document(metadata):
    assert metadata["@context"] == RO_CRATE_CONTEXT
    graph = entities(metadata)
    descriptor = graph[CRATE_FILE]
    assert descriptor["@type"] == "CreativeWork"
    assert descriptor["conformsTo"] == {"@id": RO_CRATE_SPEC}
    assert descriptor["about"] == {"@id": "./"}
    for entity in metadata["@graph"]:  # flattened: every reference is {"@id": ...}, nothing nested
        for value in entity.values():
            for item in value if isinstance(value, list) else [value]:
                assert not isinstance(item, dict) or set(item) == {"@id"}, (entity["@id"], item)
    assert len(graph) == len(metadata["@graph"]), "each entity once"


def test_rocrate_reads_the_root_dataset_back(built):
    crate = rocrate.ROCrate(built)
    root = crate.root_dataset
    assert root["name"] == void_meta.DATASET_TITLE
    assert root["description"] == void_meta.DATASET_DESCRIPTION
    assert root["version"] == vitd_kg.__version__
    assert root["datePublished"] == release.release_issued(vitd_kg.open().ontology)
    assert root["license"].id == void_meta.DATA_LICENSE
    assert root["creator"].id == PROJECT_AGENT
    assert crate.get(PROJECT_AGENT)["name"] == "vitd-kg project"
    assert root["isBasedOn"].id == SOURCE_DOCUMENT
    assert crate.get(SOURCE_DOCUMENT)["name"] == "The Role of Vitamin D in Muscle Spasm Relief"


def test_the_crate_cites_the_three_source_dois_and_nothing_else(built):
    crate = rocrate.ROCrate(built)
    cited = crate.root_dataset["citation"]
    assert {c.id for c in cited} == {f"https://doi.org/{doi}" for doi in SOURCE_DOIS}
    assert {c["identifier"] for c in cited} == {f"doi:{doi}" for doi in SOURCE_DOIS}
    text = (built / CRATE_FILE).read_text(encoding="utf-8")
    dois = {part.split('"')[0] for part in text.split("doi.org/")[1:]} | {part.split('"')[0] for part in text.split('"doi:')[1:]}
    assert dois == SOURCE_DOIS, "no DOI but the sources' (the dataset has none)"


def test_every_file_is_a_part_with_media_type_size_and_sha256(built):
    crate = rocrate.ROCrate(built)
    parts = {e.id: e for e in crate.root_dataset["hasPart"]}
    on_disk = {p.relative_to(built).as_posix() for p in built.rglob("*") if p.is_file()}
    assert set(parts) == on_disk - {CRATE_FILE, release.CHECKSUM_FILE}
    for path, entity in parts.items():
        content = (built / path).read_bytes()
        assert entity.type == "File", path
        assert entity["encodingFormat"] == media_type(path), path
        assert int(entity["contentSize"]) == len(content), path
        assert entity["sha256"] == hashlib.sha256(content).hexdigest(), path
    assert parts["vitd-kg.nq"]["encodingFormat"] == "application/n-quads"
    assert parts["ontology/shapes.ttl"]["encodingFormat"] == "text/turtle"


def test_sha256sums_covers_the_crate(built):
    sums = (built / release.CHECKSUM_FILE).read_text(encoding="utf-8")
    digest = hashlib.sha256((built / CRATE_FILE).read_bytes()).hexdigest()
    assert f"{digest}  {CRATE_FILE}\n" in sums


def test_rocrate_writes_the_crate_again_and_reads_it_back_unchanged(built, tmp_path):
    crate = rocrate.ROCrate(built)
    copy = tmp_path / "copy"
    crate.write(copy)
    again = rocrate.ROCrate(copy)
    for key in ("name", "description", "version", "datePublished", "dateModified"):
        assert again.root_dataset[key] == crate.root_dataset[key], key
    assert {e.id for e in again.root_dataset["hasPart"]} == {e.id for e in crate.root_dataset["hasPart"]}
    assert {e.id: e["sha256"] for e in again.data_entities} == {e.id: e["sha256"] for e in crate.data_entities}
    assert (copy / "vitd-kg.nq").read_bytes() == (built / "vitd-kg.nq").read_bytes()


def test_the_crate_is_json_ld_that_expands_to_schema_org(metadata):
    """pyld expands the crate with the RO-Crate context that the rocrate package ships (no network)."""
    from importlib import resources as importlib_resources

    from pyld import jsonld

    shipped = json.loads(importlib_resources.files("rocrate").joinpath("data/ro-crate.jsonld").read_text(encoding="utf-8"))

    def loader(url, options=None):
        assert url == RO_CRATE_CONTEXT, f"only the RO-Crate context may be looked up, not {url}"
        return {"contextUrl": None, "documentUrl": url, "document": {"@context": shipped["@context"]}}

    expanded = jsonld.expand(metadata, {"documentLoader": loader, "base": "https://w3id.org/vitd-kg/release/"})
    root = next(e for e in expanded if e["@id"] == "https://w3id.org/vitd-kg/release/")
    schema = "http://schema.org/"
    assert root["@type"] == [schema + "Dataset"]
    for key in ("name", "description", "version", "datePublished", "license", "creator", "isBasedOn", "citation", "hasPart"):
        assert schema + key in root, key


def test_two_builds_write_the_same_crate(built, tmp_path):
    vitd_kg.dist(tmp_path / "again")
    assert (tmp_path / "again" / CRATE_FILE).read_bytes() == (built / CRATE_FILE).read_bytes()
