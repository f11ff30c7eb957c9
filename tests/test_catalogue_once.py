"""Each catalogue is read once per process for the same files, and read again when a file changes."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from altinn_analysis.catalogue import Catalogue, DsopCatalogueError, default_dsop_dir, default_reference_dir, load_dsop
from altinn_analysis.sources import SnapshotIntegrityError


def test_the_same_folder_is_loaded_once() -> None:
    assert load_dsop() is load_dsop()
    assert Catalogue.load() is Catalogue.load()
    assert Catalogue.load(default_reference_dir()) is Catalogue.load()


def test_an_edited_dsop_file_is_read_again_even_at_the_same_size(tmp_path: Path) -> None:
    folder = shutil.copytree(default_dsop_dir(), tmp_path / "dsop")
    first = load_dsop(folder)
    milestones = folder / "milestones.csv"
    text = milestones.read_text(encoding="utf-8")
    date = first.milestones["date"][0].isoformat()
    # One date made impossible, same length: size and (coarse) modification time may not tell the files apart.
    milestones.write_text(text.replace(date, date[:5] + "13" + date[7:], 1), encoding="utf-8")
    with pytest.raises(DsopCatalogueError, match="ISO date"):
        load_dsop(folder)
    milestones.write_text(text, encoding="utf-8")
    again = load_dsop(folder)
    assert again is first  # the same bytes as the first load


def test_a_changed_snapshot_file_is_checked_again(tmp_path: Path) -> None:
    folder = shutil.copytree(default_reference_dir(), tmp_path / "reference")
    assert Catalogue.load(folder).directory == folder
    table = folder / "variants.parquet"
    data = bytearray(table.read_bytes())
    data[-10] ^= 0xFF
    table.write_bytes(bytes(data))
    with pytest.raises(SnapshotIntegrityError):
        Catalogue.load(folder)


def test_the_path_as_given_is_kept(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = shutil.copytree(default_dsop_dir(), tmp_path / "dsop")
    monkeypatch.chdir(tmp_path)
    assert load_dsop(Path("dsop")).directory == Path("dsop")
    assert load_dsop(folder).directory == folder
