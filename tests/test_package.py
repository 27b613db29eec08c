"""The installed package finds its resources through importlib.resources."""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest

import vitd_kg
from vitd_kg import resources


def test_resources_ship_inside_the_package():
    package_dir = resources.package_root()
    if Path(str(package_dir)).parent.name == "src":
        pytest.skip("an editable install reads the checkout's folders; .ci/run installs the wheel")
    assert (package_dir / "ontology" / "vitd.ttl").is_file()
    assert (package_dir / "data" / "source" / "vitamin-d-muscle-spasm.txt").is_file()
    assert resources.query_names()
    assert len(resources.data_files()) >= 7


def test_source_text_is_the_document():
    text = resources.source_text()
    assert text.startswith("Muscle spasm vitamin d")
    assert "50,000 IU of oral vitamin D weekly for 12 weeks" in text



def test_load_with_a_data_dir_replaces_the_bundled_data(tmp_path):
    (tmp_path / "one.ttl").write_text(
        "@prefix vitd: <https://w3id.org/vitd-kg/ontology#> .\n"
        "<https://example.org/c> a vitd:Study .\n",
        encoding="utf-8",
    )
    graph = vitd_kg.load(tmp_path)
    bundled = vitd_kg.load()
    assert len(graph) < len(bundled)
    assert vitd_kg.stats(tmp_path).count("vitd:Study") == 1


def test_no_symlinks_in_the_source_tree():
    """Package data comes from the build backend, not from links that break on Windows checkouts."""
    src = Path(__file__).resolve().parents[1] / "src"
    if src.is_dir():
        assert [p for p in src.rglob("*") if p.is_symlink()] == []
