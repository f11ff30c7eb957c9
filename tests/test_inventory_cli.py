"""`altinn-analysis validate`: exit codes, text and JSON output, many folders, and no identity numbers in output."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from inventory_support import MINIMAL, SEMICOLON_BOM, SYNTHETIC_DNR, SYNTHETIC_FNR, build_case

if TYPE_CHECKING:
    from conftest import Cli


def test_valid_folder_exits_0(cli: Cli) -> None:
    code, out, _ = cli("validate", MINIMAL)
    assert code == 0
    assert out.strip() == f"{MINIMAL}: valid"


def test_valid_folders_as_json_give_an_empty_list(cli: Cli) -> None:
    code, out, _ = cli("validate", MINIMAL, SEMICOLON_BOM, "--format", "json")
    assert code == 0
    assert json.loads(out) == []


def test_warnings_alone_exit_0(cli: Cli, tmp_path: Path) -> None:
    directory = build_case("unknown_codes_warn", tmp_path / "inv")
    code, out, _ = cli("validate", directory)
    assert code == 0
    assert out.splitlines()[0] == f"{directory}: valid (5 warnings)"
    assert "  delegations.csv:7:grant: warning: unknown role code 'XYZZY'" in out


def test_bad_folder_exits_1_with_file_row_column(cli: Cli, tmp_path: Path) -> None:
    directory = build_case("valid_from_after_valid_to", tmp_path / "inv")
    code, out, _ = cli("validate", directory)
    assert code == 1
    assert out.splitlines() == [
        f"{directory}: invalid (1 error, 0 warnings)",
        "  consents.csv:3:valid_to: error: valid_to 2025-01-20 is before valid_from 2025-02-10",
    ]


def test_one_bad_folder_among_several(cli: Cli, tmp_path: Path) -> None:
    bad = build_case("cp1252_encoding", tmp_path / "bad")
    missing = tmp_path / "missing"
    code, out, _ = cli("validate", MINIMAL, bad, missing, SEMICOLON_BOM, "--format", "json")
    assert code == 1
    rows = json.loads(out)
    assert [(r["directory"], r["file"], r["row"], r["column"], r["severity"]) for r in rows] == [
        (str(bad), "integrations.csv", 2, None, "error"),
        (str(missing), ".", None, None, "error"),
    ]
    for row in rows:
        assert set(row) == {"directory", "file", "row", "column", "message", "severity"}
    assert "Windows-1252" in rows[0]["message"]

    code, out, _ = cli("validate", MINIMAL, bad, missing, SEMICOLON_BOM)
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
def test_identity_numbers_never_reach_the_output(cli: Cli, case: str, number: str, fmt: str, tmp_path: Path) -> None:
    directory = build_case(case, tmp_path / "inv")
    code, out, err = cli("validate", directory, "--format", fmt)
    assert code == 1
    assert "national identity number" in out
    assert number not in out + err
    assert f"{number[:6]} {number[6:]}" not in out + err
    assert number[:6] not in out + err  # not even the date part


def test_unknown_reference_dir_fails_clearly(cli: Cli, tmp_path: Path) -> None:
    code, _, err = cli("validate", MINIMAL, "--reference-dir", tmp_path)
    assert code == 1
    assert err.startswith("error: ")


def test_help(cli: Cli) -> None:
    code, out, _ = cli("validate", "--help")
    assert code == 0
    assert "--format" in out and "--reference-dir" in out


def test_many_folders_print_what_each_prints_alone(cli: Cli, tmp_path: Path) -> None:
    """Folders checked together (one call) print, folder by folder, exactly what each prints on its own."""
    cases = ["valid_from_after_valid_to", "unknown_codes_warn", "broken_parquet", "duplicate_row", "ragged_row"]
    folders = [build_case(case, tmp_path / case) for case in cases]
    folders[2:2] = [MINIMAL, tmp_path / "missing"]
    code, out, _ = cli("validate", *folders)
    assert code == 1
    alone = [cli("validate", folder).out for folder in folders]
    assert out == "".join(alone) + f"{len(folders)} folders checked: 2 valid, 5 invalid\n"
    _, as_json, _ = cli("validate", *folders, "--format", "json")
    assert json.loads(as_json) == [row for f in folders for row in json.loads(cli("validate", f, "-f", "json").out)]
