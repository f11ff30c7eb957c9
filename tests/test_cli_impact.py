"""`assess` and `sector` on the command line."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from demo_set import DEMO_ORGS

from altinn_analysis.impact import FINDINGS_SCHEMA

if TYPE_CHECKING:
    from conftest import Cli

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "data" / "institutions"
BANK = DEMO / "313182657"


def test_assess_json_lists_findings_with_design_columns(cli: Cli) -> None:
    code, out, err = cli("assess", str(BANK), "--as-of", "2026-11-28", "--format", "json", "--language", "en")
    assert code == 0, err
    rows = json.loads(out)
    assert rows and set(rows[0]) == set(FINDINGS_SCHEMA)
    assert {r["org_number"] for r in rows} == {"313182657"}
    assert any(r["status"] == "action" and r["days_left"] < 0 for r in rows)


@pytest.mark.parametrize("fmt", ["table", "csv"])
def test_assess_other_formats(cli: Cli, fmt: str) -> None:
    code, out, err = cli("assess", str(BANK), "--as-of", "2026-06-01", "--format", fmt)
    assert code == 0, err
    assert ("readiness" in out) if fmt == "table" else out.startswith("org_number,finding_id")


def test_as_of_changes_days_left(cli: Cli) -> None:
    early = json.loads(cli("assess", str(BANK), "--as-of", "2026-06-09", "-f", "json")[1])
    late = json.loads(cli("assess", str(BANK), "--as-of", "2026-06-29", "-f", "json")[1])
    by_id = {r["finding_id"]: r for r in early}
    pairs = [(by_id[r["finding_id"]]["days_left"], r["days_left"]) for r in late if r["deadline"] == "2026-06-19"]
    assert pairs and all((a, b) == (10, -10) for a, b in pairs)


def test_bad_as_of_and_bad_inventory(cli: Cli, tmp_path: Path) -> None:
    code, _, err = cli("assess", str(BANK), "--as-of", "28.11.2026")
    assert code == 2 and "expected YYYY-MM-DD" in err  # a usage error
    broken = tmp_path / "313182657"
    shutil.copytree(BANK, broken)
    (broken / "profile.yaml").write_text(
        (BANK / "profile.yaml").read_text(encoding="utf-8").replace("313182657", "313182658"), encoding="utf-8"
    )
    code, _, err = cli("assess", str(broken))
    assert code == 1 and "invalid inventory" in err


def test_sector_over_the_demo_folder(cli: Cli) -> None:
    code, out, err = cli("sector", str(DEMO), "--as-of", "2026-11-28", "--format", "json")
    assert code == 0, err
    rows = json.loads(out)
    assert len(rows) == len(DEMO_ORGS) and all(r["demo"] for r in rows)
    assert rows[0]["rank"] == 1 and all("score" in r and "percentile" in r for r in rows)


def test_one_bad_institution_does_not_stop_the_sector(cli: Cli, tmp_path: Path) -> None:
    good = tmp_path / "312450380"
    shutil.copytree(DEMO / "312450380", good)
    bad = tmp_path / "313182657"
    shutil.copytree(BANK, bad)
    (bad / "consents.csv").write_text("platform,service\naltinn2\n", encoding="utf-8")
    code, out, err = cli("sector", str(tmp_path), "--as-of", "2026-11-28", "-f", "json")
    assert code == 1
    assert "313182657: skipped, invalid inventory" in err
    assert [r["org_number"] for r in json.loads(out)] == ["312450380"]


def test_verdicts_json_one_object_per_profile_service(cli: Cli) -> None:
    code, out, err = cli("verdicts", str(DEMO / "310426172"), "--as-of", "2026-11-30", "--format", "json", "-l", "en")
    assert code == 0, err
    rows = json.loads(out)
    assert [r["service_id"] for r in rows][:3] == ["sbl", "ssu", "saldo-studielan"]
    assert set(rows[0]) == {"service_id", "name", "verdict", "reason", "blocking_findings"}
    by_service = {r["service_id"]: r for r in rows}
    assert by_service["sbl"]["verdict"] == "ready" and by_service["sbl"]["blocking_findings"] == []
    assert by_service["fi-krav-og-betalinger"]["verdict"] == "blocked"
    findings = json.loads(cli("assess", str(DEMO / "310426172"), "--as-of", "2026-11-30", "-f", "json")[1])
    ids = {f["finding_id"] for f in findings}
    assert all(set(r["blocking_findings"]) <= ids for r in rows)


@pytest.mark.parametrize("fmt", ["table", "csv"])
def test_verdicts_other_formats(cli: Cli, fmt: str) -> None:
    code, out, err = cli("verdicts", str(BANK), "--as-of", "2026-11-30", "--format", fmt, "--language", "nb")
    assert code == 0, err
    assert "blocked" in out and ("kritisk" in out)
    if fmt == "csv":
        assert out.startswith("service_id,name,verdict,reason,blocking_findings")
