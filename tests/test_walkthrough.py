"""docs/walkthrough.md, followed as a new analyst would: a workspace outside the repository, the commands exactly as
the page shows them (in order), and the outputs it shows. Nothing is written into the checkout."""

from __future__ import annotations

import re
import shlex
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
import yaml

if TYPE_CHECKING:
    from conftest import Cli

ROOT = Path(__file__).resolve().parents[1]
WALKTHROUGH = ROOT / "docs" / "walkthrough.md"
ORG = "318800006"


def blocks(kind: str) -> list[str]:
    return re.findall(rf"```{kind}\n(.*?)```", WALKTHROUGH.read_text(encoding="utf-8"), flags=re.S)


def commands() -> list[list[str]]:
    """The `altinn-analysis …` lines of the bash blocks, in order, split as the shell would (comments dropped)."""
    out = []
    for block in blocks("bash"):
        for line in block.splitlines():
            argv = shlex.split(line, comments=True)
            if argv and argv[0] == "altinn-analysis":
                out.append(argv[1:])
    return out


def test_the_walkthrough_runs_in_a_workspace_outside_the_repository(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = tmp_path / "home"
    workspace = home / "altinn-workspace" / "institutions"
    # the set-up block: export ALTINN_ANALYSIS_INVENTORY_DIR=~/altinn-workspace/institutions, mkdir -p
    setup = next(b for b in blocks("bash") if "export ALTINN_ANALYSIS_INVENTORY_DIR" in b)
    assert "~/altinn-workspace/institutions" in setup
    workspace.mkdir(parents=True)
    env = {"ALTINN_ANALYSIS_INVENTORY_DIR": str(workspace)}
    before = sorted(p.name for p in (ROOT / "data" / "institutions").iterdir())

    def show(text: str) -> str:
        return text.replace(str(home), "~")

    steps = {argv[0]: argv for argv in commands() if argv[0] in ("template", "validate", "assess", "sector")}
    assert list(steps) == ["template", "validate", "assess", "sector"], "the page's order"

    # 1. template, without a folder: into the workspace
    code, out, err = cli(*steps["template"], env=env)
    assert code == 0, err
    shown = next(b for b in blocks("text") if b.startswith("wrote an empty inventory"))
    assert show(out) == shown
    folder = workspace / ORG
    assert (folder / "profile.yaml").is_file()

    # 3. validate right after template: the four errors the page shows
    code, out, _ = cli(*steps["validate"], env=env)
    expected = next(b for b in blocks("text") if "invalid (4 errors" in b)
    assert code == 1 and show(out) == expected

    # 2. fill it in: the page's profile, tables as header rows (a table with nothing in it stays header only)
    profile = next(b for b in blocks("yaml") if f'org_number: "{ORG}"' in b)
    assert cli("template", folder, "--format", "csv", "--org-number", ORG, "--force", env=env).code == 0
    (folder / "profile.yaml").write_text(profile, encoding="utf-8")
    assert yaml.safe_load(profile).get("demo") is None, "a real institution is not marked demo"
    code, out, err = cli(*steps["validate"], env=env)
    assert code == 0, out + err
    assert show(out).startswith(f"~/altinn-workspace/institutions/{ORG}: valid")

    # 4. assess by organisation number
    code, out, err = cli(*steps["assess"], env=env)
    assert code == 0, err
    assert f"Testvik Sparebank (fiktiv) ({ORG}) as of 2026-11-28" in out

    # 5. sector: the workspace only, never the demo institutions
    code, out, err = cli(*steps["sector"], "--format", "json", env=env)
    assert code == 0, err
    assert [row["org_number"] for row in yaml.safe_load(out)] == [ORG]

    # 7. report: the command line parses against the real options (building it is the runner's end-to-end test)
    report = next(argv for argv in commands() if argv[0] == "report")
    assert cli(*report, "--help").code == 0
    assert {"--org", "--as-of", "--out"} <= {a for a in report if a.startswith("--")}

    assert sorted(p.name for p in (ROOT / "data" / "institutions").iterdir()) == before, "nothing in the demo set"
