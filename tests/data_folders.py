"""Copies of the bundled data folder for tests that change the data."""

from __future__ import annotations

from pathlib import Path

from vitd_kg import resources


def copy_data(tmp_path: Path) -> Path:
    """Copy the bundled data's Turtle files into ``tmp_path/data`` and return that folder."""
    target = tmp_path / "data"
    target.mkdir()
    for entry in resources.data_files():
        (target / entry.name).write_bytes(entry.read_bytes())
    return target
