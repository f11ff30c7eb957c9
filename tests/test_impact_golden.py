"""Golden findings for every demo institution: the engine's output, normalised, compared to reviewed files.

Regenerate with `.venv/bin/pytest tests/test_impact_golden.py --update-golden` and read the diff before
committing: every changed line is a changed finding for a (fictional) institution.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import polars as pl
import pytest

from altinn_analysis.catalogue import Catalogue, load_dsop
from altinn_analysis.impact import assess, readiness
from altinn_analysis.inventory import load_inventory

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "data" / "institutions"
GOLDEN = Path(__file__).parent / "golden" / "findings"
AS_OF = date(2026, 11, 28)
INSTITUTIONS = sorted(p.name for p in DEMO.iterdir() if (p / "profile.yaml").exists())


def normalised(frame: pl.DataFrame) -> str:
    return frame.sort("finding_id").write_csv()


def test_there_are_demo_institutions() -> None:
    assert len(INSTITUTIONS) >= 6


@pytest.mark.parametrize("org", INSTITUTIONS)
def test_golden_findings(org: str, update_golden: bool) -> None:
    catalogue, dsop = Catalogue.load(), load_dsop()
    inventory = load_inventory(DEMO / org, catalogue=catalogue, known_services=dsop.service_ids)
    findings = assess(catalogue, dsop, inventory, AS_OF, language="en")
    text = normalised(findings)
    path = GOLDEN / f"{org}.csv"
    if update_golden:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    assert path.exists(), f"no golden file for {org}: run pytest --update-golden"
    assert text == path.read_text(encoding="utf-8"), f"findings for {org} changed; see --update-golden"


def test_demo_institutions_differ() -> None:
    catalogue, dsop = Catalogue.load(), load_dsop()
    scores = {}
    for org in INSTITUTIONS:
        inventory = load_inventory(DEMO / org, catalogue=catalogue, known_services=dsop.service_ids)
        scores[org] = readiness(assess(catalogue, dsop, inventory, AS_OF))["score"][0]
    assert len(set(scores.values())) >= len(scores) - 2, scores  # the demo set spans the range
    assert max(scores.values()) - min(scores.values()) >= 30, scores
