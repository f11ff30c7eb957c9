"""The Parquet reader's work after decoding (names, row numbers, ranges, blank rows, the longest cell) done without a
query per file must give what the plain polars way gives: the same table, the same refusals at the same cells."""

from __future__ import annotations

import datetime as dt
import io
import sys

import polars as pl
import pytest

from altinn_analysis.sources import Limits, TableLayout, read_table_bytes
from altinn_analysis.sources import _parquet as parquet_reader
from altinn_analysis.sources._raw_table import ROW, as_text, longest_cell_at_most, normalise_header, text_expr

LAYOUT = TableLayout("consents", typed={"valid_from": "date", "valid_to": "date", "count": "count"})
EPOCH = dt.date(1970, 1, 1)


def parquet(frame: pl.DataFrame, row_group_size: int | None = None) -> bytes:
    buffer = io.BytesIO()
    frame.write_parquet(buffer, row_group_size=row_group_size)
    return buffer.getvalue()


def days(*values: int | None) -> pl.Series:
    return pl.Series(values, dtype=pl.Int32).cast(pl.Date)


def reference(data: bytes, layout: TableLayout) -> pl.DataFrame:
    """The table the plain way: every column through its expression in one select with the row numbers, then
    queries for the blank rows and the ranges."""
    frame = pl.read_parquet(data)
    exprs = []
    for name, dtype in frame.schema.items():
        expr = parquet_reader._typed_expr(name, dtype, layout.typed.get(normalise_header(name)))
        expr = expr if expr is not None else text_expr(name, dtype)
        assert expr is not None
        exprs.append(expr.alias(name))
    out = frame.select(pl.int_range(2, frame.height + 2, dtype=pl.Int64).alias(ROW), *exprs)
    out = out.filter(~pl.all_horizontal(pl.exclude(ROW).is_null()))
    first, last = (dt.date(1000, 1, 1) - EPOCH).days, (dt.date(9999, 12, 31) - EPOCH).days
    back = [
        n
        for n, t in out.schema.items()
        if (t == pl.Date and not out[n].cast(pl.Int32).drop_nulls().is_between(first, last).all())
        or (t == pl.Int64 and n != ROW and not (out[n].drop_nulls().abs() < 10**10).all())
    ]
    return out.with_columns(as_text(n, out.schema[n]) for n in back)


FRAMES = {
    "text, dates and counts": pl.DataFrame(
        {
            "platform": ["altinn2", None, "altinn3"],
            "service": ["4804:210607", None, "ske-samtykke-sbl-inntekt-med-et-langt-navn"],
            "valid_from": [dt.date(2026, 5, 20), None, dt.date(2025, 1, 10)],
            "count": [1, None, 7],
        }
    ),
    "renamed headers and a date that is not a date column": pl.DataFrame(
        {" Platform ": ["altinn2"], "Status": ["active"], "noted": [dt.date(2026, 1, 1)], "count": [3]}
    ),
    "far dates and a big count go back to text": pl.DataFrame(
        {"valid_from": days(-400_000, 3, None), "valid_to": days(3_000_000, 4, 5), "count": [10**10, 1, None]}
    ),
    "date-times, small counts, floats and booleans": pl.DataFrame(
        {
            "valid_from": [dt.datetime(2026, 5, 20, 13, 45), None],
            "count": pl.Series([3, None], dtype=pl.UInt8),
            "amount": [1.0, 2.5],
            "flag": [True, None],
            "other flag": [None, False],
        }
    ),
    "no blank row possible": pl.DataFrame({"platform": ["a", "b"], "status": [None, "x"]}),
    "only blank rows": pl.DataFrame({"platform": [None, None]}, schema={"platform": pl.String}),
    "no rows": pl.DataFrame(schema={"platform": pl.String, "valid_from": pl.Date}),
}


@pytest.mark.parametrize("row_group_size", [None, 1])
@pytest.mark.parametrize("case", sorted(FRAMES))
def test_the_table_is_what_the_plain_way_gives(case: str, row_group_size: int | None) -> None:
    frame = FRAMES[case]
    data = parquet(frame, row_group_size)
    read = read_table_bytes(data, "consents.parquet", LAYOUT).source
    expected = reference(data, LAYOUT).rename(lambda n: n if n == ROW else normalise_header(n))
    assert read.schema == expected.schema
    assert read.equals(expected)


def longest(series: pl.Series) -> int:
    value = series.str.len_bytes().max()
    assert value is None or isinstance(value, int)
    return value or 0


SERIES = {
    "short values only": pl.Series(["altinn2", "P-00001", None] * 1000),
    "one long value among short ones": pl.Series(["a"] * 5000 + ["x" * 40_000] + ["b"] * 5000),
    "many distinct long values": pl.Series([f"{i:013d}-{'y' * 30}" for i in range(3000)]),
    "non-ASCII": pl.Series(["ø" * 20_000, "å"]),
    "all null": pl.Series([None, None], dtype=pl.String),
    "empty": pl.Series([], dtype=pl.String),
}


@pytest.mark.parametrize("pyarrow_loaded", [True, False])
@pytest.mark.parametrize("case", sorted(SERIES))
def test_the_bound_on_the_longest_cell_is_never_below_it(
    case: str, pyarrow_loaded: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """However the column was made: built, decoded from Parquet (dictionary-coded or not, several row groups),
    sliced or filtered; from the string view's buffers (pyarrow loaded) or from its estimated size (not)."""
    import pyarrow  # noqa: F401  (loaded: the buffers are looked at)

    if not pyarrow_loaded:
        monkeypatch.delitem(sys.modules, "pyarrow")
    series = SERIES[case].alias("c")
    frame = series.to_frame()
    versions = [
        series,
        pl.read_parquet(parquet(frame))["c"],
        pl.read_parquet(parquet(frame, row_group_size=1000))["c"],
        series.slice(1),
        series.slice(0, max(1, series.len() // 2)),
        frame.filter(pl.int_range(pl.len()) % 3 != 1)["c"],
        pl.concat([series, series], rechunk=False),
    ]
    for version in versions:
        assert longest_cell_at_most(version) >= longest(version), case


@pytest.mark.parametrize("row_group_size", [None, 1000])
def test_a_long_cell_is_refused_at_its_row_and_column(row_group_size: int | None) -> None:
    rows = 3000
    frame = pl.DataFrame(
        {
            "platform": ["altinn2"] * rows,
            "service": [f"4804:{i:06d}" for i in range(rows)],
            "status": ["active"] * (rows - 1) + ["x" * 200],
        }
    )
    data = parquet(frame, row_group_size)
    with pytest.raises(Exception) as caught:
        read_table_bytes(data, "consents.parquet", LAYOUT, Limits(cell_chars=100))
    problem = caught.value.problems[0]  # type: ignore[attr-defined]
    assert (problem.row, problem.column) == (rows + 1, "status")
    assert "cell_chars" in problem.message
    # Just at the limit: read.
    assert read_table_bytes(data, "consents.parquet", LAYOUT, Limits(cell_chars=200)).source.height == rows


def test_a_schema_read_before_gives_the_same_table_and_the_same_refusals() -> None:
    """What the reader made of a schema is kept for the next file with it: the table and every refusal (with its
    own file) are the same as the first time, and the number kept is bounded."""
    parquet_reader._PLANS.clear()
    frame = FRAMES["date-times, small counts, floats and booleans"]
    first = read_table_bytes(parquet(frame), "a.parquet", LAYOUT).source
    again = read_table_bytes(parquet(frame), "b.parquet", LAYOUT).source
    assert first.equals(again) and first.schema == again.schema
    same_column = pl.DataFrame({"Status": ["a"], "status ": ["b"]})
    for file in ("a.parquet", "b.parquet"):
        with pytest.raises(Exception) as caught:
            read_table_bytes(parquet(same_column), file, LAYOUT)
        assert [(p.file, p.column) for p in caught.value.problems] == [(file, "status")]  # type: ignore[attr-defined]
    for index in range(parquet_reader._PLANS_KEPT + 10):
        read_table_bytes(parquet(pl.DataFrame({f"column_{index}": ["x"]})), "c.parquet", LAYOUT)
    assert len(parquet_reader._PLANS) <= parquet_reader._PLANS_KEPT
