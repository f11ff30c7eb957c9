"""`altinn-analysis validate`: exit codes, text and JSON output, many folders, and no identity numbers in output."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from inventory_support import MINIMAL, SEMICOLON_BOM, SYNTHETIC_DNR, SYNTHETIC_FNR, build_case
from typer.testing import CliRunner

from altinn_analysis.cli import app

runner = CliRunner()


def run(*args: str | Path) -> tuple[int, str, str]:
    result = runner.invoke(app, ["validate", *map(str, args)])
    return result.exit_code, result.stdout, result.stderr


def test_valid_folder_exits_0() -> None:
    code, out, _ = run(MINIMAL)
    assert code == 0
    assert out.strip() == f"{MINIMAL}: valid"


def test_valid_folders_as_json_give_an_empty_list() -> None:
    code, out, _ = run(MINIMAL, SEMICOLON_BOM, "--format", "json")
    assert code == 0
    assert json.loads(out) == []


def test_warnings_alone_exit_0(tmp_path: Path) -> None:
    directory = build_case("unknown_codes_warn", tmp_path / "inv")
    code, out, _ = run(directory)
    assert code == 0
    assert out.splitlines()[0] == f"{directory}: valid (5 warnings)"
    assert "  delegations.csv:7:grant: warning: unknown role code 'XYZZY'" in out


def test_bad_folder_exits_1_with_file_row_column(tmp_path: Path) -> None:
    directory = build_case("valid_from_after_valid_to", tmp_path / "inv")
    code, out, _ = run(directory)
    assert code == 1
    assert out.splitlines() == [
        f"{directory}: invalid (1 error, 0 warnings)",
        "  consents.csv:3:valid_to: error: valid_to 2025-01-20 is before valid_from 2025-02-10",
    ]


def test_one_bad_folder_among_several(tmp_path: Path) -> None:
    bad = build_case("cp1252_encoding", tmp_path / "bad")
    missing = tmp_path / "missing"
    code, out, _ = run(MINIMAL, bad, missing, SEMICOLON_BOM, "--format", "json")
    assert code == 1
    rows = json.loads(out)
    assert [(r["directory"], r["file"], r["row"], r["column"], r["severity"]) for r in rows] == [
        (str(bad), "integrations.csv", 2, None, "error"),
        (str(missing), ".", None, None, "error"),
    ]
    for row in rows:
        assert set(row) == {"directory", "file", "row", "column", "message", "severity"}
    assert "Windows-1252" in rows[0]["message"]

    code, out, _ = run(MINIMAL, bad, missing, SEMICOLON_BOM)
    assert code == 1
    lines = out.splitlines()
    assert lines[0] == f"{MINIMAL}: valid"
    assert lines[1] == f"{bad}: invalid (1 error, 0 warnings)"
    assert lines[2].startswith("  integrations.csv:2: error: byte 0xF8 on line 2 is not valid UTF-8")
    assert f"{SEMICOLON_BOM}: valid" in lines
    assert lines[-1] == "4 folders checked: 2 valid, 2 invalid"


@pytest.mark.parametrize("fmt", ["text", "json"])
@pytest.mark.parametrize(
    ("case", "number"),
    [
        ("identity_number_in_holder_id", SYNTHETIC_FNR),
        ("d_number_in_extra_column", SYNTHETIC_DNR),
        ("identity_number_in_profile", SYNTHETIC_FNR),
    ],
)
def test_identity_numbers_never_reach_the_output(case: str, number: str, fmt: str, tmp_path: Path) -> None:
    directory = build_case(case, tmp_path / "inv")
    code, out, err = run(directory, "--format", fmt)
    assert code == 1
    assert "national identity number" in out
    assert number not in out + err
    assert f"{number[:6]} {number[6:]}" not in out + err
    assert number[:6] not in out + err  # not even the date part


def test_unknown_reference_dir_fails_clearly(tmp_path: Path) -> None:
    code, _, err = run(MINIMAL, "--reference-dir", tmp_path)
    assert code == 1
    assert err.startswith("error: ")


def test_help() -> None:
    result = runner.invoke(app, ["validate", "--help"])
    assert result.exit_code == 0
    assert "--format" in result.stdout and "--reference-dir" in result.stdout
