"""Typed Parquet columns are validated typed: the same problems, messages and loaded tables as their text."""

from __future__ import annotations

import datetime as dt
import io
import os
import threading

import polars as pl
import pytest

from altinn_analysis.catalogue import Catalogue
from altinn_analysis.inventory import InventoryError, RawTable, read_table_bytes
from altinn_analysis.inventory._validate import check_table, to_typed
from altinn_analysis.sources import _parquet


def parquet(frame: pl.DataFrame) -> bytes:
    buffer = io.BytesIO()
    frame.write_parquet(buffer)
    return buffer.getvalue()


def as_text(raw: RawTable) -> RawTable:
    """The same table with every column as text: what the reader gave before typed columns were kept."""
    return RawTable(raw.table, raw.file, raw.frame, raw.header_row, raw.sha256)


def consents(**columns: list[object]) -> pl.DataFrame:
    base: dict[str, list[object]] = {
        "platform": ["altinn2", "altinn2", "ALTINN3 ", "altinn2", "altinn2"],
        "service": ["4804:210607", "4804 / 210607", "ske-samtykke-sbl-inntekt", "4804:210607", "4804:210607"],
        "status": ["active", "Expired", "active", "active", "active"],
        "valid_from": [dt.date(2026, 5, 20), dt.date(2025, 1, 10), dt.date(2026, 6, 20), None, dt.date(2026, 5, 20)],
        "valid_to": [dt.date(2026, 5, 30), dt.date(2025, 1, 1), dt.date(2026, 6, 30), None, dt.date(2026, 5, 30)],
        "count": [12, 0, 7, 3, 12],
    }
    base.update(columns)
    return pl.DataFrame(base)


EPOCH = dt.date(1970, 1, 1)
YEAR_10000 = (dt.date(9999, 12, 31) - EPOCH).days + 1

CASES = {
    "dates and counts": consents(),
    "date-times": consents(
        valid_from=[dt.datetime(2026, 5, 20, 13, 45), dt.datetime(2025, 1, 10), None, None, dt.datetime(2026, 5, 20)]
    ),
    # Year 10000 is past what a Python date holds: built from days since 1970.
    "year 10000": consents().with_columns(
        pl.Series("valid_to", [YEAR_10000, None, None, None, (dt.date(2026, 5, 30) - EPOCH).days]).cast(pl.Date)
    ),
    "year 999": consents(valid_from=[dt.date(999, 5, 20), None, None, None, dt.date(2026, 5, 20)]),
    "an 11-digit count": consents(count=[12, 0, 7, 12345678901, 12]),
    "small unsigned counts": consents().with_columns(pl.col("count").cast(pl.UInt8)),
}


@pytest.mark.parametrize("case", CASES)
def test_typed_parquet_gives_the_same_problems_and_table_as_its_text(case: str, embedded: Catalogue) -> None:
    raw = read_table_bytes(parquet(CASES[case]), "consents.parquet", "consents")
    typed, text = check_table(raw, catalogue=embedded), check_table(as_text(raw), catalogue=embedded)
    assert typed.problems == text.problems
    assert typed.problems  # each case holds mistakes: a zero count, valid_to before valid_from, a duplicate, …
    valid = pl.col("__row__").is_in([4])
    assert to_typed("consents", typed.frame.filter(valid)).equals(to_typed("consents", text.frame.filter(valid)))


def test_only_values_that_pass_as_typed_stay_typed() -> None:
    def schema(case: str) -> dict[str, pl.DataType]:
        return dict(read_table_bytes(parquet(CASES[case]), "consents.parquet", "consents").source.schema)

    assert schema("dates and counts")["valid_from"] == pl.Date and schema("dates and counts")["count"] == pl.Int64
    assert schema("date-times")["valid_from"] == pl.Date
    # Outside what a typed check would see exactly as text: read as text, checked as text.
    assert schema("year 10000")["valid_to"] == pl.String and schema("year 10000")["valid_from"] == pl.Date
    assert schema("year 999")["valid_from"] == pl.String
    assert schema("an 11-digit count")["count"] == pl.String


def test_a_duplicate_and_a_bad_count_are_found_on_typed_columns(embedded: Catalogue) -> None:
    raw = read_table_bytes(parquet(CASES["dates and counts"]), "consents.parquet", "consents")
    found = {(p.row, p.column, p.message.split(";")[0]) for p in check_table(raw, catalogue=embedded).problems}
    assert (3, "count", "count is 0") in found
    assert (6, None, "exact duplicate of row 2: rows are counted, so a repeated row would count twice") in found
    assert (3, "valid_to", "valid_to 2025-01-01 is before valid_from 2025-01-10") in found


@pytest.mark.parametrize("case", sorted(CASES))
def test_both_parquet_decoders_give_the_same_table(case: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """polars decodes first and pyarrow only where polars cannot: on a good file they must agree."""
    data = parquet(CASES[case])
    fast = read_table_bytes(data, "consents.parquet", "consents").source
    monkeypatch.setattr(_parquet, "_decode_fast", lambda *args: None)
    exact = read_table_bytes(data, "consents.parquet", "consents").source
    assert fast.schema == exact.schema
    assert fast.equals(exact)


def test_a_rust_panic_message_never_reaches_stderr(capfd: pytest.CaptureFixture[str]) -> None:
    """A panic inside polars is printed by Rust straight to file descriptor 2; the reader holds it for the call."""
    with _parquet._stderr_held():
        os.write(2, b"thread panicked at decode.rs\n")
    os.write(2, b"after\n")
    assert capfd.readouterr().err == "after\n"


def test_overlapping_quiet_windows_of_reading_threads_restore_stderr(capfd: pytest.CaptureFixture[str]) -> None:
    """Folders are read by threads: their quiet windows overlap, and stderr comes back when the last one ends."""
    both_inside, first_out = threading.Barrier(2, timeout=10), threading.Event()
    finished: list[bool] = []

    def read(leaves_first: bool) -> None:
        with _parquet._stderr_held():
            both_inside.wait()
            os.write(2, b"thread panicked at decode.rs\n")
            if not leaves_first:
                first_out.wait(10)
                os.write(2, b"still quiet\n")
        if leaves_first:
            first_out.set()
        finished.append(leaves_first)

    threads = [threading.Thread(target=read, args=(first,)) for first in (True, False)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(20)
    os.write(2, b"after\n")
    assert sorted(finished) == [False, True]  # both were inside at once (no window waits for another)
    assert capfd.readouterr().err == "after\n"


def test_a_damaged_parquet_file_is_one_located_error() -> None:
    data = bytearray(parquet(CASES["dates and counts"]))
    middle = len(data) // 2
    data[middle : middle + 16] = b"\xff" * 16
    with pytest.raises(InventoryError) as caught:
        read_table_bytes(bytes(data), "consents.parquet", "consents")
    assert [p.file for p in caught.value.problems] == ["consents.parquet"]
    assert "Parquet" in caught.value.problems[0].message
