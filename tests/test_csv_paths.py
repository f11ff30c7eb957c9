"""The two CSV paths give one result: polars' reader (the common file) and the record-by-record path (everything
else, and the exact wording of every error). Each case is read both ways, forced, and compared: the problems of
the whole check (file, row, column, message) and the normalised table."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
from inventory_support import BAD_INPUTS, MINIMAL, SEMICOLON_BOM

from altinn_analysis.catalogue import Catalogue
from altinn_analysis.inventory import InventoryError, Limits, read_table_bytes
from altinn_analysis.inventory._validate import check_table
from altinn_analysis.sources import _csv

HEADER = "platform;service;status;valid_from;valid_to;count"
GOOD = "altinn2;4804:210607;active;2026-01-01;2026-12-31;3"

# Crafted files: every way the fast path must either agree or step aside.
CRAFTED: dict[str, str] = {
    "plain": f"{HEADER}\n{GOOD}\n",
    "crlf": f"{HEADER}\r\n{GOOD}\r\n{GOOD.replace('3', '4')}\r\n",
    "blank lines inside and after": f"{HEADER}\n{GOOD}\n\n   \n;;;;;\n{GOOD.replace(';3', ';5')}\n\n\n",
    "leading blank line": f"\n{HEADER}\n{GOOD}\n",
    "short row": f"{HEADER}\naltinn2;4804:210607;active\n",
    "ragged row": f"{HEADER}\n{GOOD};extra\n",
    "ragged row, blank extras": f"{HEADER}\n{GOOD};;\n",
    "unnamed column with values": f"{HEADER};\n{GOOD};x\n",
    "unnamed column, empty": f"{HEADER};\n{GOOD};\n",
    "repeated column": f"{HEADER};status\n{GOOD};active\n",
    "comma separated": f"{HEADER.replace(';', ',')}\n{GOOD.replace(';', ',')}\n",
    "quoted": f'{HEADER}\n"altinn2";"4804:210607";active;2026-01-01;2026-12-31;"1"\n',
    "quoted line break": f'{HEADER}\naltinn2;"4804:\n210607";active;2026-01-01;2026-12-31;1\n{GOOD}\n',
    "lone CR": f"{HEADER}\r{GOOD}\r",
    "NUL": f"{HEADER}\n{GOOD}\x00\n",
    "unit separator as space": f"{HEADER}\n{GOOD}\n\x1f;\x1f;;;;\n",
    "dirty values": f"{HEADER}\n Altinn2 ; 4804_210607 ;ACTIVE;01.02.2026;2026-12-31;1 000\n",
    "errors": f"{HEADER}\naltinn9;4804:210607;actve;2026-13-01;2026-12-31;0\n{GOOD}\n{GOOD}\n",
    "identity number": f"{HEADER}\naltinn2;15838510075;active;2026-01-01;2026-12-31;1\n",
    "unicode": f"{HEADER}\naltinn3;ske-samtykke-sbl-inntekt;active;2026-01-01;2026-12-31;1\n".replace(
        "inntekt", "inntekt-æøå"
    ),
    "header only": f"{HEADER}\n",
    "empty": "\n\n",
    "tab separated": f"{HEADER.replace(';', chr(9))}\n{GOOD.replace(';', chr(9))}\n",
}


def _fixture_files() -> list[tuple[str, str, bytes]]:
    found: list[tuple[str, str, bytes]] = []
    for folder in [MINIMAL, SEMICOLON_BOM, *sorted(p for p in BAD_INPUTS.iterdir() if p.is_dir())]:
        for path in sorted(folder.glob("*.csv")):
            found.append((f"{folder.name}/{path.name}", path.stem, path.read_bytes()))
    return found


CASES = [(name, "consents", text.encode()) for name, text in CRAFTED.items()] + _fixture_files()


def _outcome(data: bytes, table: str, catalogue: Catalogue, limits: Limits) -> object:
    try:
        raw = read_table_bytes(data, f"{table}.csv", table, limits)
    except InventoryError as exc:
        return [str(p) for p in exc.problems]
    checked = check_table(raw, catalogue=catalogue, vendors=(), own_org_number=None)
    # An empty cell is "" on one path and null on the other; normalising makes both null, so compare the
    # normalised table (and the raw one with "" as null).
    raw_frame = raw.frame.with_columns(pl.col(pl.String).replace("", None))
    return [str(p) for p in checked.problems], checked.frame.to_dicts(), raw_frame.to_dicts(), raw.header_row


@pytest.mark.parametrize(("name", "table", "data"), CASES, ids=[c[0] for c in CASES])
def test_fast_and_exact_csv_paths_agree(
    name: str, table: str, data: bytes, catalogue: Catalogue, monkeypatch: pytest.MonkeyPatch
) -> None:
    limits = Limits()
    fast = _outcome(data, table, catalogue, limits)
    monkeypatch.setattr(_csv, "_read_plain", lambda *args: None)
    exact = _outcome(data, table, catalogue, limits)
    assert fast == exact


def test_the_fast_path_takes_the_common_file_and_steps_aside_for_the_rest() -> None:
    """So the comparison above really compares two paths, and the exact one still gets what only it can word."""
    limits = Limits()
    layout = _csv.TableLayout("consents", tuple(HEADER.split(";")))

    def fast(text: str) -> bool:
        return _csv._read_plain(text.encode(), "consents.csv", ";", layout, limits) is not None

    for name in ("plain", "crlf", "blank lines inside and after", "short row", "dirty values", "errors"):
        assert fast(CRAFTED[name]), name
    for name in ("leading blank line", "ragged row", "unnamed column with values", "repeated column", "quoted"):
        assert not fast(CRAFTED[name]), name
    for name in ("lone CR", "NUL", "unit separator as space"):
        assert not fast(CRAFTED[name]), name
    long_cell = f"{HEADER}\naltinn2;{'x' * 40};active;2026-01-01;2026-12-31;1\n"
    assert _csv._read_plain(long_cell.encode(), "consents.csv", ";", layout, Limits(cell_chars=30)) is None
    many = f"{HEADER}\n" + f"{GOOD}\n" * 3
    assert _csv._read_plain(many.encode(), "consents.csv", ";", layout, Limits(table_rows=2)) is None


def test_row_numbers_are_records_on_the_fast_path(catalogue: Catalogue) -> None:
    text = f"{HEADER}\n{GOOD}\n\n;;;;;\naltinn2;4804:210607;active;2026-01-01;2026-12-31;0\n"
    raw = read_table_bytes(text.encode(), "consents.csv", "consents")
    assert raw.source.get_column("__row__").to_list() == [2, 5]
    problems = check_table(raw, catalogue=catalogue).problems
    assert [(p.row, p.column) for p in problems if p.is_error] == [(5, "count")]


def test_big_csv_reads_fast_path_with_every_row(tmp_path: Path) -> None:
    rows = 50_000
    text = HEADER + "\n" + "\n".join(GOOD.replace(";3", f";{i + 1}") for i in range(rows)) + "\n"
    raw = read_table_bytes(text.encode(), "consents.csv", "consents")
    assert raw.source.height == rows
    assert raw.source.get_column("count").cast(pl.Int64).sum() == rows * (rows + 1) // 2
    assert raw.source.get_column("__row__").to_list()[-1] == rows + 1


def test_exact_width_refuses_short_rows_that_are_otherwise_padded() -> None:
    from altinn_analysis.sources import FileReadError, TableLayout, read_table_bytes

    data = f"{HEADER}\n{GOOD}\naltinn2;4804:210607;active\n".encode()
    columns = tuple(HEADER.split(";"))
    padded = read_table_bytes(data, "consents.csv", TableLayout("consents", columns))
    assert padded.frame.height == 2 and padded.frame["count"].to_list() == ["3", None]
    with pytest.raises(FileReadError) as raised:
        read_table_bytes(data, "consents.csv", TableLayout("consents", columns, exact_width=True))
    [problem] = raised.value.problems
    assert (problem.file, problem.row) == ("consents.csv", 3)
    assert problem.message == "row has 3 values but the header has 6 columns"


def test_the_exact_path_refuses_a_cell_over_the_limit_counting_characters() -> None:
    """A quoted file takes the record-by-record path; there the limit counts characters, as on the fast path: a
    cell of exactly `cell_chars` non-ASCII characters (more bytes) passes, one more is refused at its row and
    column."""
    limits = Limits(cell_chars=30)
    for cell, refused in (("ø" * 30, False), ("ø" * 31, True), ("x" * 31, True)):
        text = f'{HEADER}\n{GOOD}\n"altinn2";"{cell}";active;2026-01-01;2026-12-31;1\n'
        if not refused:
            raw = read_table_bytes(text.encode(), "consents.csv", "consents", limits)
            assert raw.source.get_column("service").to_list() == ["4804:210607", cell]
            continue
        with pytest.raises(InventoryError) as caught:
            read_table_bytes(text.encode(), "consents.csv", "consents", limits)
        (problem,) = caught.value.problems
        assert (problem.row, problem.column) == (3, "service") and "cell_chars" in problem.message
