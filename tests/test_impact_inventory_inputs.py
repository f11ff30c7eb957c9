"""The two inventory inputs the rules rely on: `integrations.services` and `vendors[].runs`."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from altinn_analysis.catalogue import load_dsop
from altinn_analysis.inventory import InventoryError, load_inventory, validate_inventory

DEMO = Path(__file__).resolve().parents[1] / "data" / "institutions" / "312450380"  # Tindeby: sbl, control


@pytest.fixture
def inv_dir(tmp_path: Path) -> Path:
    target = tmp_path / "inv"
    shutil.copytree(DEMO, target)
    return target


def test_services_outside_the_profile_are_a_located_error(inv_dir: Path) -> None:
    path = inv_dir / "integrations.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[2] = lines[2].rsplit(",", 1)[0] + ",sbl;ssu"  # Tindeby does not take part in SSU
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(InventoryError) as caught:
        load_inventory(inv_dir, known_services=load_dsop().service_ids)
    (problem,) = caught.value.errors
    assert problem.file == "integrations.csv" and problem.column == "services" and "ssu" in problem.message
    assert "dsop_services" in problem.message


def test_services_are_read_as_a_list(inv_dir: Path) -> None:
    inv = load_inventory(inv_dir, known_services=load_dsop().service_ids)
    assert inv.integrations["services"].to_list()[0] == ["sbl"]


def test_vendor_runs_as_a_comma_separated_string_with_a_note(inv_dir: Path) -> None:
    profile = inv_dir / "profile.yaml"
    text = profile.read_text(encoding="utf-8").replace(
        "vendors: []",
        "vendors:\n- org_number: '392348174'\n  name: Nordavind Systemer AS\n  runs: sbl, drift av nettbank",
    )
    profile.write_text(text, encoding="utf-8")
    problems = validate_inventory(inv_dir, known_services=load_dsop().service_ids)
    assert any(p.severity == "warning" and "drift av nettbank" in p.message for p in problems)
    inv = load_inventory(inv_dir, known_services=load_dsop().service_ids)
    (vendor,) = inv.profile.vendors
    assert vendor.runs == ("sbl",) and vendor.notes == ("drift av nettbank",)
