"""The command line for refresh and catalogue, as a user runs it."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from conftest import Cli


def test_summary_json_on_the_embedded_snapshot(cli: Cli) -> None:
    code, out, _ = cli("catalogue", "summary", "--format", "json")
    assert code == 0
    summary = json.loads(out)
    expected = {"access_packages": 223, "areas": 49, "area_groups": 5, "roles": 148}
    assert {k: summary[k] for k in expected} == expected
    for key in ("resources", "role_packages", "altinn2_service_map"):
        assert isinstance(summary[key], int) and summary[key] > 0
    assert summary["source"] == "replay"
    assert summary["environment"] == "prod"
    assert summary["fetched_at"].endswith("Z")


def test_summary_table(cli: Cli) -> None:
    code, out, _ = cli("catalogue", "summary")
    assert code == 0
    assert "access_packages" in out and "223" in out


@pytest.mark.parametrize("fmt", ["table", "csv", "json"])
@pytest.mark.parametrize(
    "command",
    [
        ["catalogue", "packages"],
        ["catalogue", "roles"],
        ["catalogue", "resources"],
        ["catalogue", "service-map"],
        ["catalogue", "role-packages", "DAGL", "ASA"],
    ],
)
def test_every_catalogue_command_in_every_format(cli: Cli, command: list[str], fmt: str) -> None:
    code, out, err = cli(*command, "--format", fmt)
    assert code == 0, err
    if fmt == "json":
        assert isinstance(json.loads(out), list) and json.loads(out)
    elif fmt == "csv":
        assert out.count("\n") > 1 and "," in out.splitlines()[0]


def test_filters(cli: Cli) -> None:
    code, out, _ = cli("catalogue", "resources", "--type", "consent", "--format", "json")
    assert code == 0
    assert {r["resource_type"] for r in json.loads(out)} == {"Consent"}
    code, out, _ = cli("catalogue", "service-map", "--service", "4752:1", "--format", "json")
    assert [r["identifier"] for r in json.loads(out)] == ["kv_dsve"]
    code, out, _ = cli("catalogue", "roles", "--provider", "sys-altinn2", "--format", "json")
    assert len(json.loads(out)) == 38
    code, out, _ = cli("catalogue", "packages", "--area", "skatt", "--format", "json")
    assert json.loads(out) and all("skatt" in r["area"].lower() for r in json.loads(out))


def test_unknown_role_and_org_form_are_errors(cli: Cli) -> None:
    code, _, err = cli("catalogue", "role-packages", "NOPE", "ASA")
    assert code == 1 and "unknown role 'NOPE'" in err
    code, _, err = cli("catalogue", "role-packages", "DAGL", "XYZ")
    assert code == 1 and "unknown organisation form 'XYZ'" in err


def test_missing_snapshot_is_a_clear_error(cli: Cli, tmp_path: Path) -> None:
    code, _, err = cli("catalogue", "summary", "--reference-dir", str(tmp_path))
    assert code == 1
    assert "manifest.json missing" in err and "altinn-analysis refresh" in err


def test_damaged_snapshot_is_refused(cli: Cli, tmp_path: Path) -> None:
    from altinn_analysis.catalogue import default_reference_dir

    target = tmp_path / "reference"
    shutil.copytree(default_reference_dir(), target)
    with (target / "roles.parquet").open("r+b") as fh:
        fh.seek(100)
        byte = fh.read(1)
        fh.seek(100)
        fh.write(bytes([byte[0] ^ 0xFF]))
    code, _, err = cli("catalogue", "summary", "--reference-dir", str(target))
    assert code == 1 and "roles.parquet: sha256" in err and "refusing" in err


def test_refresh_from_a_replay(cli: Cli, replay_dir: Path, tmp_path: Path) -> None:
    # The fixture replay records ASA and NUF only; the CLI asks for every finance org form, so it must fail
    # cleanly, naming the missing request and keeping the old snapshot.
    target = tmp_path / "reference"
    code, _out, err = cli("refresh", "--replay", str(replay_dir), "--out", str(target))
    assert code == 1
    assert "no recorded response for GET" in err and "previous snapshot" in err
    assert not target.exists()


def test_refresh_cli_writes_a_snapshot(cli: Cli, tmp_path: Path) -> None:
    """Against a replay holding every request the CLI makes: build one from the embedded snapshot's answers."""
    from replay_fixture import write_replay

    from altinn_analysis.catalogue import FINANCE_ORG_FORMS

    replay = write_replay(tmp_path / "replay")
    index = json.loads((replay / "index.json").read_text(encoding="utf-8"))
    template = next(e for e in index if e["path"].endswith("/roles/packages") and e["query"]["variant"] == "ASA")
    have = {(e["query"].get("role"), e["query"].get("variant")) for e in index if e["path"].endswith("/packages")}
    roles = {r for r, _ in have if r != "does-not-exist"}
    extra = [
        {**template, "query": {"role": role, "variant": v}, "body_file": "am/role-packages/_empty.json"}
        for role in roles
        for v in FINANCE_ORG_FORMS
        if (role, v) not in have
    ]
    (replay / "am/role-packages/_empty.json").write_text("[]", encoding="utf-8")
    (replay / "index.json").write_text(json.dumps(index + extra), encoding="utf-8")
    target = tmp_path / "reference"
    code, out, err = cli("refresh", "--replay", str(replay), "--out", str(target))
    assert code == 0, err
    assert "snapshot written to" in out and "access_packages 4" in out
    code, out, _ = cli("catalogue", "summary", "--reference-dir", str(target), "--format", "json")
    assert json.loads(out)["org_forms"] == sorted(FINANCE_ORG_FORMS)


def test_version_and_help(cli: Cli) -> None:
    code, out, _ = cli("--version")
    assert code == 0 and out.startswith("altinn-analysis ")
    for args in (["--help"], ["refresh", "--help"], ["catalogue", "--help"], ["catalogue", "summary", "--help"]):
        code, out, _ = cli(*args)
        assert code == 0 and "Usage" in out


def test_help_does_not_import_heavy_libraries() -> None:
    probe = (
        "import sys\n"
        "from altinn_analysis.cli import app\n"
        "from typer.testing import CliRunner\n"
        "assert CliRunner().invoke(app, ['--help']).exit_code == 0\n"
        "heavy = [m for m in ('polars', 'pandas', 'httpx', 'pyarrow', 'plotly', 'nbformat') if m in sys.modules]\n"
        "print(','.join(heavy))\n"
    )
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == ""
