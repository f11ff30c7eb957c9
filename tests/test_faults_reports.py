"""Fault scenarios around report outputs: disk problems, and a full run scanned for secrets and personal data."""

from __future__ import annotations

import errno
import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from maskinporten_support import make_keys
from typer.testing import CliRunner

from altinn_analysis.cli import app
from altinn_analysis.inventory import national_id_check_digits
from altinn_analysis.report import _publish
from altinn_analysis.report._runner import OUTPUTS, RunOptions, run_reports
from altinn_analysis.secret_guard import scan_path, scan_text

pytestmark = pytest.mark.kernel  # report runs on real Jupyter kernels

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "data" / "institutions"
AS_OF = date(2026, 11, 28)
ORG = "312450380"


@pytest.mark.scenario("disk-read-only-output")
def test_unwritable_output_folder_is_a_clear_error() -> None:
    # /proc refuses new folders even for root, unlike a chmod-ed folder.
    result = CliRunner().invoke(app, ["report", "--org", ORG, "--as-of", "2026-11-28", "--out", "/proc/aa-reports"])
    assert result.exit_code == 1
    assert "/proc/aa-reports" in result.stderr


@pytest.mark.scenario("disk-read-only-output")
def test_a_report_that_cannot_be_moved_into_place_keeps_the_old_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = run_reports(RunOptions(out_root=tmp_path, as_of=AS_OF, inventory_dir=DEMO, workers=1), [ORG])
    before = {name: (first.run_dir / ORG / name).read_bytes() for name in OUTPUTS}

    def refuse(tmp: Path, final: Path) -> None:
        raise PermissionError(errno.EACCES, "Permission denied", str(final))

    monkeypatch.setattr(_publish, "swap_into_place", refuse)
    second = run_reports(RunOptions(out_root=tmp_path, as_of=AS_OF, inventory_dir=DEMO, workers=1, force=True), [ORG])
    assert second.failed == [ORG]
    assert "Permission denied" in second.institutions[ORG].error["message"]  # type: ignore[index]
    assert {name: (first.run_dir / ORG / name).read_bytes() for name in OUTPUTS} == before
    assert not [p for p in first.run_dir.iterdir() if p.name.startswith(".")]


@pytest.mark.scenario("disk-full")
def test_disk_full_while_writing_the_html_keeps_the_old_report(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    first = run_reports(RunOptions(out_root=tmp_path, as_of=AS_OF, inventory_dir=DEMO, workers=1), [ORG])
    before = (first.run_dir / ORG / "report.html").read_bytes()
    from altinn_analysis.report import _html

    real = _html.write_text_atomic

    def full(path: Path, text: str) -> Path:
        if path.name == "report.html":
            real(path, text[: len(text) // 2])  # half of it reaches the disk, then the disk is full
            raise OSError(errno.ENOSPC, "No space left on device", str(path))
        return real(path, text)

    monkeypatch.setattr(_html, "write_text_atomic", full)
    second = run_reports(RunOptions(out_root=tmp_path, as_of=AS_OF, inventory_dir=DEMO, workers=1, force=True), [ORG])
    assert second.failed == [ORG]
    assert "No space left on device" in second.institutions[ORG].error["message"]  # type: ignore[index]
    assert (first.run_dir / ORG / "report.html").read_bytes() == before
    assert not [p for p in first.run_dir.iterdir() if p.name.startswith(".")]


@pytest.mark.scenario("secrets-report-run-clean")
def test_a_full_report_run_leaks_no_secret_and_no_identity_number(tmp_path: Path) -> None:
    keys = make_keys(tmp_path)
    env = {
        **os.environ,
        "MASKINPORTEN_CLIENT_ID": "3f0a6c1e-5b1d-4a5e-9f0e-0c2b7b7c9d11",
        "MASKINPORTEN_KEY_PATH": str(keys.p12),
        "MASKINPORTEN_KEY_PASSWORD": keys.password,
        "MASKINPORTEN_ENV": "test",
    }
    out = tmp_path / "reports"
    exe = Path(sys.executable).parent / "altinn-analysis"
    done = subprocess.run(
        [
            str(exe),
            "--verbose",
            "report",
            "--org",
            ORG,
            "--org",
            "313182657",
            "--as-of",
            "2026-11-28",
            "--out",
            str(out),
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    log = tmp_path / "run.log"
    log.write_text(done.stdout + done.stderr, encoding="utf-8")
    pem_body = "".join(keys.encrypted_pem.read_text().splitlines()[1:-1])
    secrets = [keys.password, pem_body[:64]]
    produced = sorted(p for p in out.rglob("*") if p.is_file() and not p.name.startswith("plotly-"))
    assert {p.name for p in produced} >= {
        "report.html",
        "report.ipynb",
        "actions.xlsx",
        "findings.parquet",
        "index.html",
        "run.json",
    }
    findings = [f for p in [*produced, log] for f in scan_path(p, known_secrets=secrets)]
    assert findings == []


def test_the_scan_would_see_a_leak(tmp_path: Path) -> None:
    """The scanner used above finds the same kinds of leak when they are there."""
    keys = make_keys(tmp_path)
    leaked = tmp_path / "report.html"
    first9 = next(f"010190{n:03d}" for n in range(500, 999) if national_id_check_digits(f"010190{n:03d}"))
    k1, k2 = national_id_check_digits(first9)  # type: ignore[misc]
    leaked.write_text(f"<p>{keys.password}</p><p>{first9}{k1}{k2}</p>", encoding="utf-8")
    kinds = {f.kind for f in scan_path(leaked, known_secrets=[keys.password])}
    assert kinds == {"known_secret", "national_identity_number"}
    assert scan_text(keys.pem_text())
