"""The scheduled pull recipe: its command line runs against the real CLI, and the unit orders itself before the
report run."""

from __future__ import annotations

import configparser
import shlex
import shutil
import subprocess
from pathlib import Path

import pytest
from typer.testing import CliRunner

from altinn_analysis.cli import app
from altinn_analysis.demo_replay import write_demo_replay

ROOT = Path(__file__).resolve().parents[1]
UNIT = ROOT / "deploy" / "systemd" / "altinn-analysis-pull.service"
ORGS = ("316537200", "313182657")


def _unit() -> configparser.ConfigParser:
    parser = configparser.ConfigParser(interpolation=None, strict=False)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read(UNIT)
    return parser


def test_the_unit_runs_before_the_reports_and_reads_its_secrets_from_a_file() -> None:
    unit = _unit()
    assert unit["Unit"]["Before"] == "altinn-analysis-report.service"
    assert unit["Install"]["RequiredBy"] == "altinn-analysis-report.service"
    assert unit["Service"]["EnvironmentFile"].startswith("/etc/")
    assert "MASKINPORTEN" not in unit["Service"]["ExecStart"]


def test_the_unit_command_line_pulls(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    exec_start = _unit()["Service"]["ExecStart"]
    argv = shlex.split(exec_start.replace("${PULL_ORGS}", ",".join(ORGS)).replace("${PULL_OUT}", str(tmp_path / "inv")))
    assert argv[0].endswith("/altinn-analysis") and argv[1] == "pull"
    for org in ORGS:
        shutil.copytree(ROOT / "data" / "institutions" / org, tmp_path / "inv" / org)
        write_demo_replay(ROOT / "data" / "institutions" / org, tmp_path / "replay" / org)
    monkeypatch.setenv("ALTINN_ANALYSIS_PSEUDONYM_KEY", str(tmp_path / "key"))
    # The same command line, with recorded answers instead of the network.
    result = CliRunner().invoke(app, [*argv[1:], "--replay", str(tmp_path / "replay")])
    assert result.exit_code == 0, result.output
    for org in ORGS:
        assert (tmp_path / "inv" / org / "pull.json").is_file()


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze is not installed")
def test_systemd_accepts_the_unit(tmp_path: Path) -> None:
    text = UNIT.read_text().replace("/opt/altinn-analysis/.venv/bin/altinn-analysis", "/bin/true")
    text = text.replace("EnvironmentFile=/etc/altinn-analysis/pull.env", f"EnvironmentFile=-{tmp_path}/pull.env")
    text = text.replace("User=altinn", "User=root").replace("Group=altinn", "Group=root")
    copy = tmp_path / UNIT.name
    copy.write_text(text)
    done = subprocess.run(
        ["systemd-analyze", "verify", "--man=no", str(copy)], capture_output=True, text=True, check=False
    )
    problems = [line for line in done.stderr.splitlines() if UNIT.name in line and "report.service" not in line]
    assert problems == [], done.stderr
