"""Inventory folders, good and bad: every rule in tests/bad_inputs/<case>/expected.json, and the loaded tables."""

from __future__ import annotations

import datetime as dt
import hashlib
import shutil
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from inventory_support import (
    CASES,
    KNOWN_SERVICES,
    MINIMAL,
    SEMICOLON_BOM,
    SYNTHETIC_FNR,
    build_case,
    expected,
)

import altinn_analysis.inventory as inventory
from altinn_analysis.catalogue import Catalogue
from altinn_analysis.inventory import (
    SCHEMAS,
    TABLE_SPECS,
    Inventory,
    InventoryError,
    Problem,
    load_inventory,
    validate_inventory,
)


def check(directory: Path, catalogue: Catalogue, **kwargs: Any) -> list[Problem]:
    return validate_inventory(directory, catalogue=catalogue, known_services=KNOWN_SERVICES, **kwargs)


def load(directory: Path, catalogue: Catalogue) -> Inventory:
    return load_inventory(directory, catalogue=catalogue, known_services=KNOWN_SERVICES)


def key(item: dict[str, Any] | Problem) -> tuple[str, int | None, str | None]:
    if isinstance(item, Problem):
        return (item.file, item.row, item.column)
    return (item["file"], item["row"], item["column"])


def test_public_api() -> None:
    """Every exported name loads (the list itself is checked against the package's imports for every package in
    tests/test_cli_imports.py, not copied here)."""
    for name in inventory.__all__:
        assert hasattr(inventory, name), name


def test_the_format_is_declared_as_data() -> None:
    assert list(TABLE_SPECS) == ["delegations", "consents", "integrations"]
    for spec in TABLE_SPECS.values():
        for column in spec.columns:
            assert column.description and column.example, column.name
            assert (column.kind == "enum") == (column.allowed is not None), column.name
            if column.allowed:
                assert column.example in column.allowed
    assert TABLE_SPECS["consents"].column("count").dtype == pl.Int64()
    assert TABLE_SPECS["delegations"].required_columns == (
        "platform",
        "holder_type",
        "holder_id",
        "grant_type",
        "grant",
        "source",
    )


# -- good inputs -----------------------------------------------------------------------------------------


def test_minimal_inventory_is_clean(embedded: Catalogue) -> None:
    assert check(MINIMAL, embedded) == []


def test_minimal_inventory_loads_typed(embedded: Catalogue) -> None:
    inv = load(MINIMAL, embedded)
    assert inv.org_number == "998877660"
    assert inv.profile.name == "Fjordøy Sparebank (fiktiv)"
    assert inv.profile.org_form == "SPA"
    assert inv.profile.dsop_services == ("sbl", "saldo-studielan", "kontrollinformasjon")
    assert [v.org_number for v in inv.profile.vendors] == ["922334455"]
    for name, schema in SCHEMAS.items():
        assert dict(inv.table(name).schema) == schema, name
    assert inv.consents["count"].to_list() == [12, 40, 7]
    assert inv.consents["valid_to"][0] == dt.date(2026, 5, 30)
    assert inv.integrations["scopes"][2].to_list() == ["skatteetaten:inntekt", "altinn:consentrequests.write"]
    assert inv.integrations["scopes"][0] is None
    assert inv.delegations["granted_at"][1] is None
    assert inv.warnings == ()
    assert inv.profile.to_dict()["vendors"][0]["runs"] == ["sbl", "saldo-studielan"]


def test_file_hashes_are_the_sha256_of_each_file_read(embedded: Catalogue) -> None:
    inv = load(MINIMAL, embedded)
    assert set(inv.file_hashes) == {"profile.yaml", "delegations.csv", "consents.csv", "integrations.csv"}
    for name, digest in inv.file_hashes.items():
        assert digest == hashlib.sha256((MINIMAL / name).read_bytes()).hexdigest()


def test_pandas_on_request(embedded: Catalogue) -> None:
    inv = load(MINIMAL, embedded)
    frames = inv.to_pandas()
    assert set(frames) == {"delegations", "consents", "integrations"}
    assert list(inv.table("consents", pandas=True).columns) == list(SCHEMAS["consents"])
    with pytest.raises(KeyError):
        inv.table("roles")


def test_semicolon_bom_crlf_and_loose_spelling_give_the_same_tables(embedded: Catalogue) -> None:
    """`;`, a BOM, CRLF, `Holder type` headers, `Altinn2`, `Self`, `922 334 455`, `4804_210607`, a package code,
    blank and separator-only rows: all normalised to what the minimal inventory holds."""
    assert check(SEMICOLON_BOM, embedded) == []
    a, b = load(MINIMAL, embedded), load(SEMICOLON_BOM, embedded)
    for name in SCHEMAS:
        assert b.table(name).equals(a.table(name)), name


def test_norwegian_letters_survive(embedded: Catalogue) -> None:
    inv = load(SEMICOLON_BOM, embedded)
    assert "SBL API-nøkkel" in inv.integrations["name"].to_list()


# -- bad inputs ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("case", CASES)
def test_bad_input(case: str, tmp_path: Path, embedded: Catalogue) -> None:
    spec = expected(case)
    directory = build_case(case, tmp_path / "inventory")
    problems = check(directory, embedded)
    errors = [p for p in problems if p.is_error]
    warnings = [p for p in problems if not p.is_error]

    assert sorted(map(key, errors), key=str) == sorted(map(key, spec["errors"]), key=str), [str(p) for p in problems]
    for want in spec["errors"]:
        match = [p for p in errors if key(p) == key(want)]
        assert any(want["contains"] in p.message for p in match), (want, [str(p) for p in match])
    for want in spec["warnings"]:
        match = [p for p in warnings if key(p) == key(want)]
        assert any(want["contains"] in p.message for p in match), (want, [str(p) for p in problems])

    if spec["errors"]:
        with pytest.raises(InventoryError) as raised:
            load(directory, embedded)
        assert raised.value.problems == problems
        assert raised.value.directory == directory
    else:
        assert load(directory, embedded).warnings == tuple(warnings)


def test_cases_cover_the_rules() -> None:
    required = {
        "org_number_check_digit",
        "unknown_org_form",
        "unknown_institution_type",
        "unknown_dsop_service",
        "bad_enum_platform",
        "bad_date",
        "valid_from_after_valid_to",
        "count_zero",
        "missing_required_column",
        "duplicate_row",
        "identity_number_in_holder_id",
        "cp1252_encoding",
        "broken_xlsx",
        "two_files_for_one_table",
        "missing_profile",
        "missing_table",
        "wrong_header",
    }
    assert required <= set(CASES)


def test_all_problems_are_collected_not_just_the_first(tmp_path: Path, embedded: Catalogue) -> None:
    directory = shutil.copytree(MINIMAL, tmp_path / "inv")
    (directory / "profile.yaml").write_text(
        (MINIMAL / "profile.yaml").read_text(encoding="utf-8").replace("SPA", "XYZ"), encoding="utf-8"
    )
    (directory / "consents.csv").write_text(
        "platform,service,status,valid_from,valid_to,count\naltinn9,4804:210607,active,2026-13-01,2026-05-30,0\n",
        encoding="utf-8",
    )
    (directory / "integrations.csv").unlink()
    with pytest.raises(InventoryError) as raised:
        load(directory, embedded)
    got = {key(p) for p in raised.value.errors}
    assert got == {
        ("profile.yaml", 4, "org_form"),
        ("consents.csv", 2, "platform"),
        ("consents.csv", 2, "valid_from"),
        ("consents.csv", 2, "count"),
        ("integrations", None, None),
    }
    assert "invalid inventory (5 errors)" in str(raised.value)


def test_many_bad_rows_are_summarised(tmp_path: Path, embedded: Catalogue) -> None:
    directory = shutil.copytree(MINIMAL, tmp_path / "inv")
    rows = "".join(f"altinn2,4804:210607,active,2026-05-{d:02d},2026-05-30,0\n" for d in range(1, 29))
    (directory / "consents.csv").write_text("platform,service,status,valid_from,valid_to,count\n" + rows)
    problems = [p for p in check(directory, embedded, limit=5) if p.column == "count"]
    assert [p.row for p in problems] == [2, 3, 4, 5, 6, None]
    assert problems[-1].message.startswith("23 more rows:")


def test_a_duplicate_is_found_after_normalisation(tmp_path: Path, embedded: Catalogue) -> None:
    directory = shutil.copytree(MINIMAL, tmp_path / "inv")
    text = (MINIMAL / "consents.csv").read_text(encoding="utf-8")
    (directory / "consents.csv").write_text(text + "ALTINN2, 4804_210607 ,Active,2026-05-20,2026-05-30,12\n")
    errors = [p for p in check(directory, embedded) if p.is_error]
    assert [(p.row, p.message.split(":")[0]) for p in errors] == [(5, "exact duplicate of row 2")]


def test_a_skipped_service_check_is_a_warning_not_a_pass(embedded: Catalogue) -> None:
    problems = validate_inventory(MINIMAL, catalogue=embedded, known_services=None)
    # The default finds the DSOP catalogue when the build has one; without it the check says it was skipped.
    if inventory.default_known_services() is None:
        assert [(p.column, p.severity) for p in problems] == [("dsop_services", "warning")]
    else:
        assert problems == []


def test_identity_number_message_never_holds_the_digits(tmp_path: Path, embedded: Catalogue) -> None:
    directory = build_case("identity_number_in_holder_id", tmp_path / "inv")
    with pytest.raises(InventoryError) as raised:
        load(directory, embedded)
    assert SYNTHETIC_FNR not in str(raised.value)
    assert SYNTHETIC_FNR not in repr(raised.value.problems)


def test_identity_number_echoed_by_another_check_is_masked(tmp_path: Path, embedded: Catalogue) -> None:
    """A role 'code' that is an identity number would be echoed by the unknown-role warning: it is masked."""
    directory = shutil.copytree(MINIMAL, tmp_path / "inv")
    text = (MINIMAL / "delegations.csv").read_text(encoding="utf-8")
    (directory / "delegations.csv").write_text(text + f"altinn2,person,person-0009,role,{SYNTHETIC_FNR},,er\n")
    problems = check(directory, embedded)
    assert {(p.row, p.column, p.severity) for p in problems} == {(7, "grant", "error"), (7, "grant", "warning")}
    assert all(SYNTHETIC_FNR not in str(p) for p in problems)


def test_not_a_folder(tmp_path: Path, embedded: Catalogue) -> None:
    problems = check(tmp_path / "nope", embedded)
    assert [(p.file, p.severity) for p in problems] == [(".", "error")]
    assert "does not exist" in problems[0].message


def test_folder_name_differing_from_org_number_is_a_warning(tmp_path: Path, embedded: Catalogue) -> None:
    directory = shutil.copytree(MINIMAL, tmp_path / "922334455")
    problems = check(directory, embedded)
    assert [(p.file, p.column, p.severity) for p in problems] == [("profile.yaml", "org_number", "warning")]


def test_unquoted_org_number_is_accepted_with_a_warning(tmp_path: Path, embedded: Catalogue) -> None:
    directory = shutil.copytree(MINIMAL, tmp_path / "inv")
    text = (MINIMAL / "profile.yaml").read_text(encoding="utf-8")
    (directory / "profile.yaml").write_text(text.replace('"998877660"', "998877660"), encoding="utf-8")
    inv = load(directory, embedded)
    assert inv.org_number == "998877660"
    assert [(p.row, p.column, p.severity) for p in inv.warnings] == [(2, "org_number", "warning")]


def test_problem_location_and_dict() -> None:
    assert str(Problem("consents.csv", 7, "valid_to", "bad")) == "consents.csv:7:valid_to: error: bad"
    assert Problem("consents.csv", None, None, "x", "warning").location() == "consents.csv"
    assert Problem("profile.yaml", None, "name", "x").location() == "profile.yaml::name"
    assert Problem("a.csv", 3, None, "m").to_dict() == {
        "file": "a.csv",
        "row": 3,
        "column": None,
        "message": "m",
        "severity": "error",
    }


def test_identity_number_in_a_header_cell(tmp_path: Path, embedded: Catalogue) -> None:
    directory = shutil.copytree(MINIMAL, tmp_path / "inv")
    text = (MINIMAL / "consents.csv").read_text(encoding="utf-8")
    header, rest = text.split("\n", 1)
    (directory / "consents.csv").write_text(f"{header},{SYNTHETIC_FNR}\n{rest}", encoding="utf-8")
    problems = check(directory, embedded)
    assert [(p.row, p.severity) for p in problems if p.is_error] == [(1, "error")]
    assert all(SYNTHETIC_FNR not in str(p) for p in problems)
