"""`altinn-analysis template`: an empty inventory that, filled in, validates and gives findings.

The loop an analyst runs: `template` → fill in → `validate` → `assess`. Here the filling is done in code (openpyxl
for the workbooks, keeping their validations), with a fictional institution.
"""

from __future__ import annotations

import csv
from datetime import date
from io import BytesIO
from pathlib import Path
from typing import Any

import openpyxl
import polars as pl
import pytest
import yaml
from typer.testing import CliRunner

from altinn_analysis.catalogue import Catalogue, DsopCatalogue, load_dsop
from altinn_analysis.cli import app
from altinn_analysis.impact import assess, readiness
from altinn_analysis.inventory import (
    PROFILE_FIELDS,
    PROFILE_FILE,
    TABLE_SPECS,
    ColumnSpec,
    TableSpec,
    TemplateExistsError,
    load_inventory,
    org_number_check_digit,
    validate_inventory,
    write_template,
)
from altinn_analysis.inventory._column_help import COLUMN_HELP
from altinn_analysis.inventory._help import Help
from altinn_analysis.inventory._template import DATE_FORMAT, INSTRUCTIONS_SHEET, plain, xlsx_template_bytes

AS_OF = date(2026, 11, 28)
runner = CliRunner()


def org_number(first8: str) -> str:
    """The first valid organisation number from `first8` up (fictional: nobody's)."""
    number = int(first8)
    while (check := org_number_check_digit(str(number))) is None:
        number += 1
    return f"{number}{check}"


ORG = org_number("31880000")  # 31… like the demo institutions
VENDOR = org_number("39880000")  # 39… like the demo vendors

PROFILE = f"""\
org_number: "{ORG}"
name: Testvik Sparebank (fiktiv)
org_form: SPA
institution_type: savings_bank
dsop_services: [sbl, saldo-studielan]
vendors:
  - org_number: "{VENDOR}"
    name: Eksempel Bankdata AS (fiktiv)
    runs: [sbl]
"""

# One fictional institution, half-way through the move. Values as an analyst would type them.
ROWS: dict[str, list[dict[str, Any]]] = {
    "delegations": [
        {"platform": "altinn2", "holder_type": "person", "holder_id": "P-0001", "grant_type": "role", "grant": "UTINN",
         "granted_at": date(2019, 5, 2), "source": "delegated"},
        {"platform": "altinn2", "holder_type": "person", "holder_id": "P-0002", "grant_type": "role", "grant": "REGNA",
         "granted_at": date(2023, 4, 17), "source": "delegated"},
        {"platform": "altinn3", "holder_type": "person", "holder_id": "P-0002", "grant_type": "access_package",
         "grant": "urn:altinn:accesspackage:skattegrunnlag", "granted_at": date(2026, 2, 1), "source": "delegated"},
        {"platform": "altinn2", "holder_type": "person", "holder_id": "P-0003", "grant_type": "role", "grant": "DAGL",
         "source": "er"},
    ],
    "consents": [
        {"platform": "altinn2", "service": "4804:210607", "status": "expired", "valid_from": date(2025, 1, 6),
         "valid_to": date(2025, 1, 15), "count": 40},
        {"platform": "altinn2", "service": "4804:210607", "status": "active", "valid_from": date(2026, 3, 2),
         "valid_to": date(2026, 12, 31), "count": 12},
        {"platform": "altinn3", "service": "ske-samtykke-sbl-inntekt", "status": "active",
         "valid_from": date(2026, 7, 1), "valid_to": date(2027, 6, 30), "count": 8},
    ],
    "integrations": [
        {"platform": "altinn2", "kind": "api_key", "name": "API-nøkkel SBL", "operated_by": VENDOR,
         "status": "retired", "last_used": date(2026, 6, 18)},
        {"platform": "altinn2", "kind": "consent_api", "name": "Samtykke Altinn 2",
         "scopes": "altinn:consentrequests.read altinn:consentrequests.write", "operated_by": VENDOR,
         "status": "active", "last_used": date(2026, 5, 28)},
        {"platform": "altinn3", "kind": "maskinporten_client", "name": "SBL Maskinporten",
         "scopes": "altinn:consentrequests.read skatteetaten:inntekt", "operated_by": VENDOR, "status": "active",
         "last_used": date(2026, 11, 1)},
        {"platform": "altinn3", "kind": "system_user", "name": "SBL systembruker", "operated_by": "self",
         "status": "planned"},
    ],
}  # fmt: skip


@pytest.fixture(scope="module")
def catalogue() -> Catalogue:
    return Catalogue.load()


@pytest.fixture(scope="module")
def dsop() -> DsopCatalogue:
    return load_dsop()


def fill_csv(directory: Path) -> None:
    for table, rows in ROWS.items():
        path = directory / f"{table}.csv"
        with path.open(encoding="utf-8", newline="") as handle:
            header = next(csv.reader(handle))
        with path.open("a", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            for row in rows:
                writer.writerow(["" if row.get(c) is None else str(row[c]) for c in header])


def fill_xlsx(directory: Path) -> None:
    """Type the rows into the template's data sheets, as Excel would store them (dates as date cells)."""
    for table, rows in ROWS.items():
        path = directory / f"{table}.xlsx"
        workbook = openpyxl.load_workbook(path)
        sheet = workbook[table]
        header = [cell.value for cell in sheet[1]]
        for offset, row in enumerate(rows, start=2):
            for index, column in enumerate(header, start=1):
                if row.get(column) is not None:
                    cell = sheet.cell(row=offset, column=index, value=row[column])
                    if isinstance(row[column], date):
                        cell.number_format = DATE_FORMAT
        workbook.save(path)


def fill(directory: Path, fmt: str) -> None:
    (directory / PROFILE_FILE).write_text(PROFILE, encoding="utf-8")
    fill_xlsx(directory) if fmt == "xlsx" else fill_csv(directory)


def list_validations(sheet: Any) -> dict[str, list[str]]:
    """Column name → the values of the drop-down list on it."""
    header = {cell.column_letter: cell.value for cell in sheet[1]}
    out: dict[str, list[str]] = {}
    for validation in sheet.data_validations.dataValidation:
        if validation.type != "list":
            continue
        formula = validation.formula1
        if formula.startswith('"'):
            values = formula.strip('"').split(",")
        else:  # a range on the hidden lists sheet
            ref_sheet, ref = formula.split("!")
            values = [c.value for (c,) in sheet.parent[ref_sheet][ref.replace("$", "")]]
        for cells in validation.sqref.ranges:
            assert cells.min_row == 2 and cells.max_row == 1_048_576, cells  # the whole column below the header
            out[header[openpyxl.utils.get_column_letter(cells.min_col)]] = values
    return out


def validations_of(sheet: Any, kind: str) -> dict[str, Any]:
    header = {cell.column_letter: cell.value for cell in sheet[1]}
    return {
        header[openpyxl.utils.get_column_letter(cells.min_col)]: v
        for v in sheet.data_validations.dataValidation
        if v.type == kind
        for cells in v.sqref.ranges
    }


# -- the loop ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_filled_template_validates_and_gives_findings(
    tmp_path: Path, fmt: str, catalogue: Catalogue, dsop: DsopCatalogue
) -> None:
    directory = tmp_path / ORG
    result = write_template(directory, fmt=fmt)
    assert sorted(p.name for p in result.written) == sorted([PROFILE_FILE, *(f"{t}.{fmt}" for t in TABLE_SPECS)])
    fill(directory, fmt)

    problems = validate_inventory(directory, catalogue=catalogue, known_services=dsop.service_ids)
    assert [str(p) for p in problems] == []  # no errors, and no warnings either

    inventory = load_inventory(directory, catalogue=catalogue, known_services=dsop.service_ids)
    assert inventory.profile.name == "Testvik Sparebank (fiktiv)"
    assert {name: inventory.table(name).height for name in TABLE_SPECS} == {t: len(r) for t, r in ROWS.items()}
    assert inventory.consents["valid_to"].to_list()[1] == date(2026, 12, 31)  # a date cell read as a date
    assert inventory.consents["count"].to_list() == [40, 12, 8]

    findings = assess(catalogue, dsop, inventory, AS_OF, language="en")
    assert findings.height > 0
    assert set(findings["org_number"]) == {ORG}
    by_subject = {(r["rule_id"], r["subject"]): r["status"] for r in findings.iter_rows(named=True)}
    assert by_subject[("roles.no_successor", "UTINN")] == "at_risk"  # UTINN has no access package
    assert ("consent.reobtain", "4804:210607") in by_subject  # 12 Altinn 2 consents outlive the close
    assert 0 <= readiness(findings)["score"][0] <= 100


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_the_empty_template_fails_validation_on_the_profile_only(
    tmp_path: Path, fmt: str, catalogue: Catalogue, dsop: DsopCatalogue
) -> None:
    write_template(tmp_path / "new", fmt=fmt)
    problems = validate_inventory(tmp_path / "new", catalogue=catalogue, known_services=dsop.service_ids)
    assert {p.file for p in problems} == {PROFILE_FILE}  # the header-only tables are valid, empty tables
    assert all(p.is_error for p in problems)
    required = [f.name for f in PROFILE_FIELDS if f.required]
    assert [p.column for p in problems] == required
    assert all("is required" in p.message for p in problems)


def test_xlsx_keeps_its_validations_when_filled_in(tmp_path: Path) -> None:
    write_template(tmp_path, fmt="xlsx")
    fill(tmp_path, "xlsx")
    for spec in TABLE_SPECS.values():
        sheet = openpyxl.load_workbook(tmp_path / f"{spec.name}.xlsx")[spec.name]
        assert list_validations(sheet) == {c.name: list(c.allowed) for c in spec.columns if c.allowed}


# -- the profile ------------------------------------------------------------------------------------------------


def test_profile_has_every_key_with_its_comment(tmp_path: Path) -> None:
    write_template(tmp_path, fmt="csv", services={"sbl": "Samtykkebasert lånesøknad"})
    text = (tmp_path / PROFILE_FILE).read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    assert list(data) == [f.name for f in PROFILE_FIELDS]
    comments = " ".join(line.lstrip("# ").strip() for line in text.splitlines() if line.startswith("#"))
    for field in PROFILE_FIELDS:
        assert field.description in comments, field.name
        assert f"Example / eksempel: {field.name}: {field.example}" in comments
        for value in field.allowed or ():
            assert value in comments
    assert "sbl: Samtykkebasert lånesøknad" in comments
    # Nothing filled in: every required value is empty, so `validate` points at each one.
    assert data["org_number"] == "" and data["dsop_services"] is None and data["vendors"] == []


def test_org_number_is_filled_in_and_checked(tmp_path: Path) -> None:
    grouped = f"{ORG[:3]} {ORG[3:6]} {ORG[6:]}"
    write_template(tmp_path / "a", fmt="csv", org_number=grouped)
    assert yaml.safe_load((tmp_path / "a" / PROFILE_FILE).read_text(encoding="utf-8"))["org_number"] == ORG
    bad = ORG[:8] + str((int(ORG[8]) + 1) % 10)
    with pytest.raises(ValueError, match="check digit"):
        write_template(tmp_path / "b", fmt="csv", org_number=bad)
    assert not (tmp_path / "b").exists()


# -- the workbooks ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("table", list(TABLE_SPECS))
def test_xlsx_layout(tmp_path: Path, table: str) -> None:
    write_template(tmp_path, fmt="xlsx")
    spec = TABLE_SPECS[table]
    workbook = openpyxl.load_workbook(tmp_path / f"{table}.xlsx")
    assert workbook.sheetnames[:2] == [table, INSTRUCTIONS_SHEET]  # the reader takes the sheet named after the table
    sheet = workbook[table]
    assert [c.value for c in sheet[1]] == list(spec.column_names)
    assert sheet.max_row == 1  # header only: `append` fills from row 2
    assert sheet.freeze_panes == "A2"

    # Every enumerated column has a drop-down list with exactly the code's values, in the code's order.
    assert list_validations(sheet) == {c.name: list(c.allowed) for c in spec.columns if c.kind == "enum" and c.allowed}
    dates = validations_of(sheet, "date")
    counts = validations_of(sheet, "whole")
    for col in spec.columns:
        letter = openpyxl.utils.get_column_letter(spec.column_names.index(col.name) + 1)
        dimension = sheet.column_dimensions[letter]
        assert dimension.width >= len(col.name)
        if col.kind == "date":
            assert dimension.number_format == DATE_FORMAT
            assert dates[col.name].operator == "between"
        elif col.kind == "count":
            assert (counts[col.name].operator, counts[col.name].formula1) == ("greaterThanOrEqual", "1")
        else:
            assert dimension.number_format == "@"  # typed as text: 4804:210607 is not a time
    assert set(dates) == {c.name for c in spec.columns if c.kind == "date"}
    assert set(counts) == {c.name for c in spec.columns if c.kind == "count"}
    for validation in sheet.data_validations.dataValidation:
        assert validation.showErrorMessage and validation.errorStyle == "stop"
        assert len(validation.error) <= 255 and len(validation.prompt) <= 255

    # The instructions: the table and every column, in Norwegian and English.
    text = "\n".join(
        str(value) for row in workbook[INSTRUCTIONS_SHEET].iter_rows(values_only=True) for value in row if value
    )
    assert "Norsk" in text and "English" in text and plain(spec.description) in text
    assert "`" not in text  # Markdown's code marks are left out of the workbook
    for col in spec.columns:
        help_ = COLUMN_HELP[table][col.name]
        for needle in (col.name, col.description, col.example, help_.nb, help_.where_nb, help_.where_en):
            assert plain(needle) in text, (col.name, needle)
        for value in col.allowed or ():
            assert value in text


def test_a_long_enumeration_goes_to_a_hidden_sheet(monkeypatch: pytest.MonkeyPatch) -> None:
    values = tuple(f"value_number_{i:02d}" for i in range(30))  # 30 × 16 characters: too long for an inline list
    spec = TableSpec(
        "delegations",
        "A table with a long list.",
        (
            ColumnSpec("platform", pl.String(), "enum", True, "short", "altinn2", ("altinn2", "altinn3")),
            ColumnSpec("long", pl.String(), "enum", True, "long", values[0], values),
        ),
    )
    monkeypatch.setitem(COLUMN_HELP["delegations"], "long", Help("lang", "here", "her"))
    workbook = openpyxl.load_workbook(BytesIO(xlsx_template_bytes(spec)))
    assert list_validations(workbook["delegations"]) == {"platform": ["altinn2", "altinn3"], "long": list(values)}
    assert workbook["lists"].sheet_state == "hidden"
    assert workbook.sheetnames[0] == "delegations"


def test_csv_is_a_utf8_comma_header(tmp_path: Path) -> None:
    write_template(tmp_path, fmt="csv")
    for spec in TABLE_SPECS.values():
        data = (tmp_path / f"{spec.name}.csv").read_bytes()
        assert data == (",".join(spec.column_names) + "\n").encode("utf-8")


# -- overwriting ------------------------------------------------------------------------------------------------


def test_refuses_to_overwrite_and_writes_nothing(tmp_path: Path) -> None:
    write_template(tmp_path, fmt="csv", org_number=ORG)
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    with pytest.raises(TemplateExistsError) as caught:
        write_template(tmp_path, fmt="xlsx")
    assert sorted(p.name for p in caught.value.paths) == sorted(before)
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == before  # untouched, no xlsx beside the csv


def test_refuses_when_any_one_file_is_there(tmp_path: Path) -> None:
    (tmp_path / "Consents.parquet").write_bytes(b"PAR1")  # any format, any letter case: the reader would take it
    with pytest.raises(TemplateExistsError, match="Consents.parquet"):
        write_template(tmp_path, fmt="csv")
    assert [p.name for p in tmp_path.iterdir()] == ["Consents.parquet"]


def test_force_replaces_and_removes_other_formats(tmp_path: Path, catalogue: Catalogue, dsop: DsopCatalogue) -> None:
    write_template(tmp_path, fmt="csv")
    fill(tmp_path, "csv")
    (tmp_path / "notes.txt").write_text("mine", encoding="utf-8")
    result = write_template(tmp_path, fmt="xlsx", force=True)
    assert sorted(p.name for p in result.removed) == sorted(f"{t}.csv" for t in TABLE_SPECS)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        ["notes.txt", PROFILE_FILE, *(f"{t}.xlsx" for t in TABLE_SPECS)]
    )
    assert (tmp_path / "notes.txt").read_text(encoding="utf-8") == "mine"  # not an inventory file: left alone
    # One file per table again, so the readers accept the folder (only the emptied profile is wrong).
    problems = validate_inventory(tmp_path, catalogue=catalogue, known_services=dsop.service_ids)
    assert {p.file for p in problems} == {PROFILE_FILE, "notes.txt"}
    assert [p.severity for p in problems if p.file == "notes.txt"] == ["warning"]  # listed as ignored


def test_no_temporary_files_are_left(tmp_path: Path) -> None:
    write_template(tmp_path, fmt="xlsx")
    write_template(tmp_path, fmt="xlsx", force=True)
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


def test_a_file_in_the_way_of_the_folder(tmp_path: Path) -> None:
    (tmp_path / "inv").write_text("", encoding="utf-8")
    with pytest.raises(NotADirectoryError):
        write_template(tmp_path / "inv")


# -- the command line -------------------------------------------------------------------------------------------


def invoke(*args: str | Path) -> tuple[int, str, str]:
    result = runner.invoke(app, [str(a) for a in args])
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_cli_template_validate_assess(tmp_path: Path, fmt: str) -> None:
    directory = tmp_path / ORG
    code, out, _ = invoke("template", directory, "--format", fmt, "--org-number", ORG)
    assert code == 0, out
    assert f"altinn-analysis validate {directory}" in out
    for table in TABLE_SPECS:
        assert f"{directory / table}.{fmt}" in out
    assert yaml.safe_load((directory / PROFILE_FILE).read_text(encoding="utf-8"))["org_number"] == ORG

    code, out, _ = invoke("validate", directory)
    assert code == 1 and "name is required" in out  # the empty template: fill it in first

    fill(directory, fmt)
    code, out, _ = invoke("validate", directory)
    assert (code, out.strip()) == (0, f"{directory}: valid")
    code, out, err = invoke("assess", directory, "--as-of", AS_OF.isoformat(), "--language", "en", "--format", "csv")
    assert code == 0, err
    findings = pl.read_csv(out.encode("utf-8"))
    assert findings.height > 0 and set(findings["org_number"].cast(pl.String)) == {ORG}


def test_cli_refuses_then_forces(tmp_path: Path) -> None:
    assert invoke("template", tmp_path, "--format", "csv")[0] == 0
    code, out, err = invoke("template", tmp_path, "--format", "csv")
    assert code == 1 and out == ""
    assert "already holds profile.yaml" in err and "--force" in err
    code, out, _ = invoke("template", tmp_path, "--format", "xlsx", "--force")
    assert code == 0
    assert "removed" in out and (tmp_path / "delegations.xlsx").exists()
    assert not (tmp_path / "delegations.csv").exists()


def test_cli_rejects_a_bad_org_number(tmp_path: Path) -> None:
    code, _, err = invoke("template", tmp_path / "x", "--org-number", "123")
    assert code == 2
    assert "--org-number" in err and "9 digits" in err
    assert not (tmp_path / "x").exists()
