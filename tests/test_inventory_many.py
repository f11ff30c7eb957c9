"""`load_inventories`: the same answers as `load_inventory` folder by folder, in order, from worker processes too."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from inventory_support import KNOWN_SERVICES, MINIMAL, SEMICOLON_BOM, build_case

from altinn_analysis.catalogue import Catalogue
from altinn_analysis.inventory import Inventory, InventoryError, load_inventories, load_inventory


def _summary(item: Inventory | InventoryError) -> object:
    if isinstance(item, InventoryError):
        return ("error", [str(p) for p in item.problems])
    return (
        "ok",
        item.org_number,
        [str(p) for p in item.warnings],
        {n: item.table(n).to_dicts() for n in ("delegations", "consents", "integrations")},
    )


@pytest.mark.parametrize("workers", [1, 2])
def test_many_folders_load_as_one_by_one(tmp_path: Path, catalogue: Catalogue, workers: int) -> None:
    folders = [
        shutil.copytree(MINIMAL, tmp_path / "a"),
        build_case("duplicate_row", tmp_path / "b"),
        shutil.copytree(SEMICOLON_BOM, tmp_path / "c"),
        tmp_path / "missing",
    ]
    got = load_inventories(folders, catalogue=catalogue, known_services=KNOWN_SERVICES, workers=workers)
    expected: list[Inventory | InventoryError] = []
    for folder in folders:
        try:
            expected.append(load_inventory(folder, catalogue=catalogue, known_services=KNOWN_SERVICES))
        except InventoryError as exc:
            expected.append(exc)
    assert [_summary(g) for g in got] == [_summary(e) for e in expected]
    assert [type(g) for g in got] == [Inventory, InventoryError, Inventory, InventoryError]
    error = got[1]
    assert isinstance(error, InventoryError) and error.directory == folders[1]
