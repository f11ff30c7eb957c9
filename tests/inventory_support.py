"""Shared pieces of the inventory tests: the minimal valid inventory and the bad-input cases built from it."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

from altinn_analysis.catalogue import load_dsop

TESTS = Path(__file__).parent
MINIMAL = TESTS / "good_inputs" / "minimal"
SEMICOLON_BOM = TESTS / "good_inputs" / "semicolon_bom"
BAD_INPUTS = TESTS / "bad_inputs"

# The DSOP catalogue's service ids (data/dsop/services.csv), read from it rather than copied.
KNOWN_SERVICES = tuple(load_dsop().service_ids)

# Committed fixtures only hold *synthetic* identity numbers (Tenor style, month + 80), which belong to no one.
SYNTHETIC_FNR = "15838510075"
SYNTHETIC_DNR = "55838510069"

CASES = sorted(p.name for p in BAD_INPUTS.iterdir() if (p / "expected.json").is_file())


def expected(case: str) -> dict[str, Any]:
    spec: dict[str, Any] = json.loads((BAD_INPUTS / case / "expected.json").read_text(encoding="utf-8"))
    return spec


def build_case(case: str, target: Path) -> Path:
    """The minimal inventory with the case's files laid over it (and its `remove` list taken away)."""
    shutil.copytree(MINIMAL, target)
    for name in expected(case).get("remove", []):
        (target / name).unlink()
    for path in (BAD_INPUTS / case).iterdir():
        if path.name != "expected.json":
            shutil.copyfile(path, target / path.name)
    return target
