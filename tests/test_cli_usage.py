"""The command line's rough edges: usage errors exit 2 in plain words, hints instead of internals, workspaces."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
import yaml
from demo_set import DEMO_DIR, DEMO_ORGS

if TYPE_CHECKING:
    from conftest import Cli

ROOT = Path(__file__).resolve().parents[1]
ONE = str(DEMO_DIR / DEMO_ORGS[0])
INTERNALS = ("Value error", "{DIR}", "<list[", "<str>", "Input should", "%Y-%m-%d", "Traceback", "pydantic")

USAGE_ERRORS = [
    ["assess"],
    ["assess", ONE, "--as-of", "2026-13-01"],
    ["assess", ONE, "--as-of", "28.11.2026"],
    ["assess", ONE, "--format", "bad"],
    ["assess", ONE, "--language", "de"],
    ["assess", ONE, "--no-such-option"],
    ["assess", str(DEMO_DIR)],  # the parent folder
    ["assess", str(ROOT / "Makefile")],  # a file
    ["assess", "123456785"],  # an org number that is not in the inventory folder
    ["assess", str(ROOT / "no-such-folder")],
    ["sector", "--as-of", "yesterday"],
    ["report", "--all", "--workers", "0"],
    ["report", "--all", "--workers", "many"],
    ["report"],
    ["report", "--all", "--org", DEMO_ORGS[0]],
    ["report", "--all", "--inventory-dir", str(ROOT / "Makefile")],
    ["demo", "generate", "--out", "x", "--as-of", "2026-13-01"],
    ["demo", "generate", "--out", "x", "--institutions", "0"],
    ["template"],
    ["validate", "--reference-dir", str(ROOT / "Makefile")],
    ["no-such-command"],
]


@pytest.mark.parametrize("argv", USAGE_ERRORS, ids=[" ".join(a)[-60:] for a in USAGE_ERRORS])
def test_every_usage_error_exits_2_in_plain_words(cli: Cli, argv: list[str]) -> None:
    code, out, err = cli(*argv)
    assert code == 2, (code, out, err)
    message = out + err
    assert message.strip(), "says what is wrong"
    assert not [word for word in INTERNALS if word in message], message


def test_assess_on_the_parent_folder_names_an_institution_and_sector(cli: Cli) -> None:
    _, _, err = cli("assess", DEMO_DIR, "--as-of", "2026-11-28")
    assert f"folder of {len(DEMO_ORGS)} institutions" in err
    assert f"altinn-analysis assess {DEMO_DIR / DEMO_ORGS[0]}" in err and f"altinn-analysis sector {DEMO_DIR}" in err


def test_no_stray_location_for_a_folder_problem(cli: Cli, tmp_path: Path) -> None:
    code, out, _ = cli("validate", tmp_path / "missing")
    assert code == 1
    assert ".:" not in out and "error: " in out


def test_help_has_no_python_types_and_language_switches_everything(cli: Cli) -> None:
    for command in (["assess"], ["sector"], ["validate"], ["report"], ["template"], ["demo", "generate"]):
        code, out, _ = cli(*command, "--help")
        assert code == 0 and not [word for word in INTERNALS if word in out], (command, out)
    _, out, _ = cli("assess", "--help")
    assert "whole output" in " ".join(out.split())


def test_an_org_number_is_found_in_the_inventory_dir_flag_or_environment(cli: Cli) -> None:
    org = DEMO_ORGS[0]
    by_flag = cli("assess", org, "--inventory-dir", DEMO_DIR, "--as-of", "2026-11-28", "-f", "csv")
    by_env = cli(
        "assess", org, "--as-of", "2026-11-28", "-f", "csv", env={"ALTINN_ANALYSIS_INVENTORY_DIR": str(DEMO_DIR)}
    )
    assert by_flag.code == by_env.code == 0 and by_flag.out == by_env.out and org in by_flag.out


def _workspace(tmp_path: Path) -> Path:
    """Two demo institutions copied, one of them turned into a 'real' one (no demo key)."""
    root = tmp_path / "institutions"
    for org in DEMO_ORGS[:3]:
        shutil.copytree(DEMO_DIR / org, root / org)
    profile = root / DEMO_ORGS[0] / "profile.yaml"
    data = yaml.safe_load(profile.read_text(encoding="utf-8"))
    del data["demo"]
    profile.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return root


def test_demo_institutions_are_never_ranked_with_real_ones(cli: Cli, tmp_path: Path) -> None:
    root = _workspace(tmp_path)
    code, out, err = cli(
        "sector", "--as-of", "2026-11-28", "-f", "json", env={"ALTINN_ANALYSIS_INVENTORY_DIR": str(root)}
    )
    assert code == 0, err
    rows = yaml.safe_load(out)
    real = [r for r in rows if not r["demo"]]
    demo = [r for r in rows if r["demo"]]
    assert [r["org_number"] for r in real] == [DEMO_ORGS[0]] and real[0]["rank"] == 1
    assert sorted(r["rank"] for r in demo)[0] == 1 and len(demo) == 2
    assert rows[: len(real)] == real, "real institutions first"


def test_validate_and_sector_default_to_every_institution_in_the_workspace(cli: Cli, tmp_path: Path) -> None:
    root = _workspace(tmp_path)
    code, out, _ = cli("validate", "--inventory-dir", root)
    assert code == 0 and "3 folders checked: 3 valid" in out
    empty = tmp_path / "empty"
    empty.mkdir()
    code, _, err = cli("sector", "--inventory-dir", empty)
    assert code == 1 and "no institutions here" in err


def test_demo_flag_must_be_a_boolean(cli: Cli, tmp_path: Path) -> None:
    folder = tmp_path / DEMO_ORGS[0]
    shutil.copytree(DEMO_DIR / DEMO_ORGS[0], folder)
    profile = folder / "profile.yaml"
    profile.write_text(profile.read_text(encoding="utf-8").replace("demo: true", "demo: yes please"), encoding="utf-8")
    code, out, _ = cli("validate", folder)
    assert code == 1 and "demo must be true or false" in out


def test_template_without_a_folder_writes_to_the_workspace_never_the_demo_set(cli: Cli, tmp_path: Path) -> None:
    root = tmp_path / "ws"
    code, _, err = cli("template", "--org-number", "318800006", "--format", "csv", "--inventory-dir", root)
    assert code == 0, err
    assert (root / "318800006" / "profile.yaml").is_file()
    assert not (DEMO_DIR / "318800006").exists()


def test_the_default_workspace_is_git_ignored() -> None:
    lines = (ROOT / ".gitignore").read_text(encoding="utf-8").splitlines()
    assert "/workspace/" in lines
