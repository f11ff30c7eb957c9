"""A report run works notebooks on several threads of one process: nothing may move the process's working
directory meanwhile, or a relative folder resolved on one thread would point elsewhere on another (papermill
changes it for the whole process when given a `cwd`)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.kernel  # report runs on real Jupyter kernels

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "data" / "institutions"
CLI = Path(sys.executable).parent / "altinn-analysis"


def test_relative_folders_hold_on_every_worker(tmp_path: Path) -> None:
    # A process of its own: the working directory is the user's, as when the command is typed.
    orgs = sorted(p.name for p in DEMO.iterdir() if (p / "profile.yaml").is_file())
    for org in orgs:
        shutil.copytree(DEMO / org, tmp_path / "institutions" / org)
    reference = os.path.relpath(ROOT / "data" / "reference", tmp_path)
    out = f"reports-{tmp_path.name}"  # a name no other run uses, to look for it in the wrong place too
    args = ["report", "--all", "--as-of", "2026-11-28", "--workers", "2", "--out", out]
    args += ["--inventory-dir", "institutions", "--reference-dir", reference]
    done = subprocess.run([str(CLI), *args], cwd=tmp_path, capture_output=True, text=True, timeout=600, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    record = json.loads((tmp_path / out / "2026-11-28" / "run.json").read_text(encoding="utf-8"))
    assert {org: e["status"] for org, e in record["institutions"].items()} == dict.fromkeys(orgs, "ok")
    assert all((tmp_path / out / "2026-11-28" / org / "report.html").is_file() for org in orgs)
    assert not (ROOT / "notebooks" / out).exists()  # nothing written relative to the notebooks folder
