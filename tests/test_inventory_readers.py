"""Reading tables from CSV, XLSX and Parquet: the same table whatever the format, and never a crash on junk."""

from __future__ import annotations

import codecs
import datetime as dt
import io
import shutil
from pathlib import Path

import openpyxl
import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from inventory_support import KNOWN_SERVICES, MINIMAL

from altinn_analysis.catalogue import Catalogue
from altinn_analysis.inventory import InventoryError, RawTable, load_inventory, read_table_bytes
from altinn_analysis.inventory._profile import check_profile
from altinn_analysis.inventory._readers import read_profile_bytes
from altinn_analysis.inventory._validate import check_table
from altinn_analysis.sources import ROW, normalise_header

FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def minimal_csv(table: str) -> str:
    return (MINIMAL / f"{table}.csv").read_text(encoding="utf-8")


def as_rows(text: str) -> list[list[str]]:
    return [line.split(",") for line in text.splitlines()]


def xlsx_bytes(sheets: dict[str, list[list[object]]]) -> bytes:
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for title, rows in sheets.items():
        sheet = workbook.create_sheet(title)
        for row in rows:
            sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def typed_cell(value: str) -> object:
    """What Excel would store: dates as date-times, counts as numbers, empty as nothing."""
    if not value:
        return None
    if len(value) == 10 and value[4] == "-" and value[7] == "-":
        return dt.datetime.fromisoformat(value)
    return int(value) if value.isdigit() and len(value) < 9 else value


def loaded(directory: Path, catalogue: Catalogue) -> dict[str, pl.DataFrame]:
    inv = load_inventory(directory, catalogue=catalogue, known_services=KNOWN_SERVICES)
    assert inv.warnings == ()
    return {name: inv.table(name) for name in ("delegations", "consents", "integrations")}


@pytest.fixture(scope="module")
def reference(embedded: Catalogue) -> dict[str, pl.DataFrame]:
    return loaded(MINIMAL, embedded)


def test_xlsx_gives_the_same_tables(tmp_path: Path, embedded: Catalogue, reference: dict[str, pl.DataFrame]) -> None:
    directory = shutil.copytree(MINIMAL, tmp_path / "inv")
    for table in reference:
        (directory / f"{table}.csv").unlink()
        rows = [[typed_cell(v) for v in row] for row in as_rows(minimal_csv(table))]
        # A note sheet first and the table on a sheet named like it: the named sheet wins.
        (directory / f"{table}.xlsx").write_bytes(xlsx_bytes({"Notes": [["about"]], table.capitalize(): rows}))
    got = loaded(directory, embedded)
    for table, frame in reference.items():
        assert got[table].equals(frame), table


def test_xlsx_first_sheet_and_rows_as_excel_numbers_them() -> None:
    rows: list[list[object]] = [
        [],
        ["platform", "service", "status", "valid_from", "valid_to", "count"],
        ["altinn2", "4804:210607", "active", dt.datetime(2026, 5, 20), dt.date(2026, 5, 30), 12.0],
        [],
        ["altinn9", "4804:210607", "active", "2026-05-20", "2026-05-30", 3],
    ]
    raw = read_table_bytes(xlsx_bytes({"Ark1": rows}), "consents.xlsx", "consents")
    assert raw.header_row == 2
    assert raw.frame[ROW].to_list() == [3, 5]
    assert raw.frame.row(0, named=True) == {
        ROW: 3,
        "platform": "altinn2",
        "service": "4804:210607",
        "status": "active",
        "valid_from": "2026-05-20",
        "valid_to": "2026-05-30",
        "count": "12",
    }
    problems = check_table(raw).problems
    assert [(p.row, p.column) for p in problems] == [(5, "platform")]


def test_parquet_with_typed_columns_gives_the_same_tables(
    tmp_path: Path, embedded: Catalogue, reference: dict[str, pl.DataFrame]
) -> None:
    directory = shutil.copytree(MINIMAL, tmp_path / "inv")
    for table, frame in reference.items():
        (directory / f"{table}.csv").unlink()
        # Parquet as a generator writes it: real dates and integers, scopes as a list or as text.
        out = frame.with_columns(pl.col("scopes").list.join(" ")) if table == "integrations" else frame
        out.write_parquet(directory / f"{table}.parquet")
    got = loaded(directory, embedded)
    for table, frame in reference.items():
        assert got[table].equals(frame), table


def test_parquet_list_scopes_and_float_counts() -> None:
    frame = pl.DataFrame(
        {
            "platform": ["altinn3"],
            "kind": ["system_user"],
            "name": ["x"],
            "scopes": [["a:b", "c:d"]],
            "operated_by": ["self"],
            "status": ["active"],
            "last_used": [dt.datetime(2026, 1, 2, 13, 45)],
        }
    )
    buffer = io.BytesIO()
    frame.write_parquet(buffer)
    raw = read_table_bytes(buffer.getvalue(), "integrations.parquet", "integrations")
    assert raw.frame.row(0, named=True)["scopes"] == "a:b c:d"
    assert raw.frame.row(0, named=True)["last_used"] == "2026-01-02"
    assert raw.frame[ROW].to_list() == [2]


def test_parquet_with_a_nested_column_is_refused_clearly() -> None:
    buffer = io.BytesIO()
    pl.DataFrame({"platform": ["altinn2"], "extra": [{"a": 1}]}).write_parquet(buffer)
    with pytest.raises(InventoryError) as raised:
        read_table_bytes(buffer.getvalue(), "consents.parquet", "consents")
    assert [(p.row, p.column) for p in raised.value.problems] == [(1, "extra")]


@pytest.mark.parametrize("bom", [b"", codecs.BOM_UTF8])
@pytest.mark.parametrize("sep", [",", ";"])
@pytest.mark.parametrize("newline", ["\n", "\r\n"])
def test_csv_separator_bom_and_newlines(bom: bytes, sep: str, newline: str) -> None:
    text = newline.join(
        ["platform;service;status;valid_from;valid_to;count", "altinn2;5252:2;active;2026-01-01;2026-12-31;2"]
    )
    raw = read_table_bytes(bom + text.replace(";", sep).encode(), "consents.csv", "consents")
    assert raw.columns == ["platform", "service", "status", "valid_from", "valid_to", "count"]
    assert raw.frame.row(0, named=True)["count"] == "2"


def test_sniffing_uses_the_header_not_the_values() -> None:
    # Values full of commas in a `;` file (and the other way round).
    text = 'platform;kind;name;scopes;operated_by;status\naltinn3;system_user;"a, b, c";x,y,z;self;active\n'
    raw = read_table_bytes(text.encode(), "integrations.csv", "integrations")
    assert raw.frame.row(0, named=True)["name"] == "a, b, c"
    assert raw.frame.row(0, named=True)["scopes"] == "x,y,z"


def test_a_quoted_value_over_two_lines_is_one_row() -> None:
    text = (
        'platform,kind,name,operated_by,status\naltinn2,api_key,"two\nlines",self,active\naltinn2,api_key,x,self,bad\n'
    )
    raw = read_table_bytes(text.encode(), "integrations.csv", "integrations")
    assert raw.frame[ROW].to_list() == [2, 3]
    assert [(p.row, p.column) for p in check_table(raw).problems] == [(3, "status")]


@pytest.mark.parametrize(
    ("name", "expected"),
    [(" Holder ID ", "holder_id"), ("\ufeffplatform", "platform"), ("Grant-Type", "grant_type"), ("__row__", "row")],
)
def test_header_normalisation(name: str, expected: str) -> None:
    assert normalise_header(name) == expected


def test_profile_lines_are_found() -> None:
    raw = read_profile_bytes((MINIMAL / "profile.yaml").read_bytes())
    assert raw.line_of("org_number") == 2
    assert raw.line_of("vendors[0].name") == 12
    assert raw.path_at(8) == "dsop_services[1]"


# -- never another exception ----------------------------------------------------------------------------

TABLES = ("delegations", "consents", "integrations")


def _read_and_check(data: bytes, file: str, table: str, catalogue: Catalogue) -> None:
    try:
        raw = read_table_bytes(data, file, table)
    except InventoryError as exc:
        assert exc.problems and all(p.is_error for p in exc.problems)
        return
    assert isinstance(raw, RawTable)
    check_table(raw, catalogue=catalogue, vendors={"922334455"}, own_org_number="998877660")


@pytest.mark.scenario("fuzz-inventory-csv")
@pytest.mark.scenario("fuzz-inventory-xlsx")
@FUZZ
@given(
    data=st.binary(max_size=3000), table=st.sampled_from(TABLES), suffix=st.sampled_from([".csv", ".xlsx", ".parquet"])
)
def test_random_bytes_give_a_table_or_an_inventory_error(
    data: bytes, table: str, suffix: str, embedded: Catalogue
) -> None:
    _read_and_check(data, f"{table}{suffix}", table, embedded)


edits = st.lists(
    st.tuples(
        st.integers(0, 10_000),
        st.integers(0, 5),
        st.text(alphabet=st.sampled_from(list(',;"\n\r\t \x00æøåÆØÅ0123456789-:_.abcxyz\ufeff')), max_size=12),
    ),
    max_size=8,
)


@pytest.mark.scenario("fuzz-inventory-csv")
@FUZZ
@given(
    table=st.sampled_from(TABLES), changes=edits, encoding=st.sampled_from(["utf-8", "utf-8-sig", "cp1252", "utf-16"])
)
def test_mutated_csv_gives_a_table_or_an_inventory_error(
    table: str, changes: list[tuple[int, int, str]], encoding: str, embedded: Catalogue
) -> None:
    text = minimal_csv(table)
    for at, cut, insert in changes:
        at %= len(text) + 1
        text = text[:at] + insert + text[at + cut :]
    _read_and_check(text.encode(encoding, errors="replace"), f"{table}.csv", table, embedded)


@pytest.fixture(scope="module")
def sample_binaries() -> dict[str, bytes]:
    rows = [[typed_cell(v) for v in row] for row in as_rows(minimal_csv("consents"))]
    buffer = io.BytesIO()
    pl.read_csv(MINIMAL / "consents.csv").write_parquet(buffer)
    return {".xlsx": xlsx_bytes({"consents": rows}), ".parquet": buffer.getvalue()}


@pytest.mark.scenario("fuzz-inventory-xlsx")
@FUZZ
@given(
    suffix=st.sampled_from([".xlsx", ".parquet"]),
    flips=st.lists(st.tuples(st.integers(0, 1 << 20), st.integers(0, 255)), min_size=1, max_size=6),
    cut=st.one_of(st.none(), st.integers(0, 1 << 20)),
)
def test_damaged_workbooks_and_parquet_give_a_table_or_an_inventory_error(
    suffix: str, flips: list[tuple[int, int]], cut: int | None, sample_binaries: dict[str, bytes], embedded: Catalogue
) -> None:
    data = bytearray(sample_binaries[suffix])
    for at, byte in flips:
        data[at % len(data)] = byte
    if cut is not None:
        data = data[: cut % len(data)]
    _read_and_check(bytes(data), f"consents{suffix}", "consents", embedded)


@pytest.mark.scenario("fuzz-profile-yaml")
@FUZZ
@given(text=st.text(max_size=400))
def test_any_profile_text_gives_a_profile_or_an_inventory_error(text: str) -> None:
    try:
        raw = read_profile_bytes(text.encode("utf-8", errors="surrogatepass"))
    except InventoryError as exc:
        assert exc.problems
        return
    check_profile(raw, org_forms=["AS", "ASA", "SPA"], known_services=KNOWN_SERVICES, directory_name="998877660")


@pytest.mark.scenario("fuzz-profile-yaml")
@FUZZ
@given(
    value=st.recursive(
        st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20) | st.dates(),
        lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4),
        max_leaves=20,
    ),
    key=st.sampled_from(["org_number", "name", "org_form", "institution_type", "dsop_services", "vendors", "x"]),
)
def test_any_yaml_value_under_any_profile_key_is_checked_without_crashing(value: object, key: str) -> None:
    import yaml

    data = yaml.safe_load((MINIMAL / "profile.yaml").read_text(encoding="utf-8"))
    data[key] = value
    raw = read_profile_bytes(yaml.safe_dump(data, allow_unicode=True).encode())
    profile, problems = check_profile(raw, org_forms=["SPA"], known_services=KNOWN_SERVICES)
    assert (profile is None) == any(p.is_error for p in problems)
