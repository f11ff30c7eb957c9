"""A table as read from any format: every column named by its normalised header, plus the row a user sees.

`RawTable` is what every table reader returns and what validation works on; `TableLayout` is what a reader may
know about the table it reads (the column names, for guessing a CSV separator; which columns are dates or counts,
so a Parquet file's typed values can stay typed). Checking the values is the caller's job.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Literal

import polars as pl

from altinn_analysis.checks import Problem
from altinn_analysis.sources._limits import Limits
from altinn_analysis.sources._read_common import FileReadError, cell_too_long, read_error, too_big

__all__ = [
    "MAX_READ_ERRORS",
    "ROW",
    "RawTable",
    "TableLayout",
    "as_text",
    "check_cells",
    "longest_cell_at_most",
    "longest_cells_at_most",
    "normalise_header",
    "table_from_records",
    "text_expr",
]

# Column holding the user-visible row number in a raw frame. Header names are normalised to [a-z0-9_], so a
# user's column can never be called this.
ROW = "__row__"

# Row-level read errors (ragged rows) worth listing before the reader gives up on the file.
MAX_READ_ERRORS = 20


@dataclass(frozen=True)
class TableLayout:
    """What a reader knows of the table it reads: its name (an XLSX sheet of that name is preferred), its
    column names (a CSV separator is guessed from how many it finds) and which columns hold dates or counts
    (a Parquet file's typed values there stay typed). `exact_width`: a row with fewer values than the header is
    refused too, not padded (for files written by hand and reviewed, such as the DSOP catalogue)."""

    name: str
    columns: tuple[str, ...] = ()
    typed: Mapping[str, Literal["date", "count"]] = field(default_factory=dict)
    exact_width: bool = False


@dataclass(frozen=True)
class RawTable:
    """A table as read, columns named by the normalised header, plus `ROW` (the row a user sees).

    `source` is what validation works on: text columns, except that a Parquet file's typed dates (date columns)
    and whole numbers (count columns) stay typed where their text would pass the same checks — no text round
    trip for them. `frame` is every column as text, as a CSV would hold it (computed on first use)."""

    table: str
    file: str
    source: pl.DataFrame
    header_row: int
    sha256: str

    @property
    def columns(self) -> list[str]:
        # `__name__` columns are bookkeeping (ROW, and a caller's own, e.g. the institution of a row when many
        # are checked together): a normalised header name never starts with `_`.
        return [c for c in self.source.columns if not c.startswith("__")]

    @cached_property
    def frame(self) -> pl.DataFrame:
        return self.source.select(pl.col(ROW), *(as_text(n, t) for n, t in self.source.schema.items() if n != ROW))


def normalise_header(name: object) -> str:
    """`" Holder ID "` → `holder_id`: lower case, spaces and hyphens as `_`, other characters outside [a-z0-9æøå_]
    dropped, no leading or trailing `_`."""
    text = "" if name is None else str(name)
    text = text.replace("\ufeff", "").strip().lower()
    text = re.sub(r"[\s\-]+", "_", text)
    return re.sub(r"[^0-9a-zæøå_]", "", text).strip("_")


def text_expr(name: str, dtype: pl.DataType) -> pl.Expr | None:
    """An expression turning a typed Parquet column into the text a CSV would hold, or None if it cannot."""
    col = pl.col(name)
    # A date cast to text is ISO (YYYY-MM-DD), and many times faster than formatting with a pattern.
    if isinstance(dtype, pl.Datetime):
        return col.dt.date().cast(pl.String)
    if isinstance(dtype, pl.Date):
        return col.cast(pl.String)
    if isinstance(dtype, pl.Boolean):
        return pl.when(col).then(pl.lit("true")).when(col.not_()).then(pl.lit("false")).otherwise(None)
    if dtype.is_float():
        integral = col.is_finite() & (col == col.round(0))
        return pl.when(integral).then(col.cast(pl.Int64, strict=False).cast(pl.String)).otherwise(col.cast(pl.String))
    if isinstance(dtype, pl.List | pl.Array):
        inner = dtype.inner
        if inner is not None and not inner.is_nested():
            return col.cast(pl.List(pl.String), strict=False).list.join(" ")
        return None
    if dtype.is_nested() or isinstance(dtype, pl.Binary | pl.Object):
        return None
    return col.cast(pl.String, strict=False)


def as_text(name: str, dtype: pl.DataType) -> pl.Expr:
    """A kept-typed column (a date or a whole number) as text, named as it is."""
    expr = None if dtype == pl.String else text_expr(name, dtype)
    return pl.col(name) if expr is None else expr.alias(name)


# Text longer than this is stored outside its view in Arrow's string view layout (polars' String).
_INLINE_BYTES = 12


def longest_cell_at_most(series: pl.Series) -> int:
    """An upper bound on the bytes of the column's longest cell, from the sizes of its memory, not from its values
    (nor from the file's statistics, which its writer chose). A column that is one string view array: its longest
    inline value or its out-of-line bytes together (each cell longer than `_INLINE_BYTES` lies whole inside one of
    its data buffers), seen through pyarrow where it is loaded already (the Parquet reader loads it; a command
    reading CSV alone never pays for importing it); otherwise all its values together (`estimated_size`, which
    may count them). Reading every value would cost a query."""
    pa = sys.modules.get("pyarrow")
    if pa is not None and series.n_chunks() == 1:
        array = series.to_arrow(compat_level=pl.CompatLevel.newest())  # one chunk: shared, not copied
        if isinstance(array, pa.StringViewArray):
            stored: int = sum(buffer.size for buffer in array.buffers()[2:] if buffer is not None)
            return max(_INLINE_BYTES, stored)
    return int(series.estimated_size())


def longest_cells_at_most(frame: pl.DataFrame) -> list[int]:
    """`longest_cell_at_most` of each column of a frame of text columns, where each chunk (e.g. each file of a
    group decoded together) is bounded on its own: the largest of its chunks' bounds. pyarrow must be loaded."""
    import pyarrow as pa

    if frame.width == 0:
        return []
    table = frame.to_arrow(compat_level=pl.CompatLevel.newest())  # one record batch a chunk: shared, not copied
    bounds: list[int] = []
    for column in table.columns:
        bound = 0
        for array in column.chunks:
            if not isinstance(array, pa.StringViewArray):
                return [int(s.estimated_size()) for s in frame.get_columns()]
            stored: int = sum(buffer.size for buffer in array.buffers()[2:] if buffer is not None)
            bound = max(bound, _INLINE_BYTES, stored)
        bounds.append(bound)
    return bounds


def check_cells(frame: pl.DataFrame, file: str, limits: Limits, longest: int | None = None) -> None:
    """Cells over `cell_chars` are refused (vectorised) before any check quotes or compares them. `longest`:
    where already known, the longest cell in bytes or a bound above it (over the limit, each column is searched)."""
    columns = [c for c, t in frame.schema.items() if c != ROW and t == pl.String]
    if not columns or frame.height == 0:
        return
    if longest is None:
        longest = frame.select(pl.max_horizontal(pl.col(c).str.len_bytes().max() for c in columns)).item()
    if longest is None or longest <= limits.cell_chars:
        return
    for name in columns:
        long = frame.filter(pl.col(name).str.len_chars() > limits.cell_chars).select(ROW)
        if long.height:
            raise cell_too_long(file, limits, long.item(0, 0), name)


def table_from_records(
    records: Iterable[tuple[int, Sequence[str | None]]],
    file: str,
    table: str,
    sha256: str,
    limits: Limits,
    *,
    exact_width: bool = False,
) -> RawTable:
    """Header = the first non-blank record; then data rows, skipping blank ones, checked for their width (a short
    row is padded with empty values unless `exact_width`)."""
    header: list[str] | None = None
    header_row = 1
    columns: list[list[str | None]] = []
    rows: list[int] = []
    problems: list[Problem] = []
    for row, fields in records:
        blank = all(f is None or not str(f).strip() for f in fields)
        if header is None:
            if not blank:
                header = [normalise_header(f) for f in fields]
                header_row = row
                columns = [[] for _ in header]
            continue
        if blank:
            continue
        values = [None if f is None else str(f) for f in fields]
        if exact_width and len(values) < len(header):
            if len(problems) < MAX_READ_ERRORS:
                problems.append(
                    Problem(file, row, None, f"row has {len(values)} values but the header has {len(header)} columns")
                )
            continue
        if len(values) > len(header):
            extra = values[len(header) :]
            if any(v is not None and v.strip() for v in extra):
                if len(problems) < MAX_READ_ERRORS:
                    problems.append(
                        Problem(
                            file, row, None, f"row has {len(values)} values but the header has {len(header)} columns"
                        )
                    )
                continue
            values = values[: len(header)]
        values.extend([None] * (len(header) - len(values)))
        if len(rows) >= limits.table_rows:
            raise too_big(file, f"over {limits.table_rows:,} rows", f"{limits.table_rows:,} rows", "table_rows", row)
        for col, value in zip(columns, values, strict=True):
            col.append(value)
        rows.append(row)
    if header is None:
        raise read_error(file, "the file has no header line; expected the column names on the first line")

    data: dict[str, list[str | None]] = {}
    for index, (name, values) in enumerate(zip(header, columns, strict=True), start=1):
        if not name:
            if any(v is not None and v.strip() for v in values):
                problems.append(
                    Problem(file, header_row, None, f"column {index} has values but no name in the header row")
                )
            continue
        if name in data:
            problems.append(Problem(file, header_row, name, f"column {name!r} appears more than once in the header"))
            continue
        data[name] = values
    if problems:
        raise FileReadError(problems)
    frame = pl.DataFrame(
        {ROW: rows, **data}, schema={ROW: pl.Int64(), **{name: pl.String() for name in data}}, strict=False
    )
    # The values are in hand: their longest length (in characters, what the limit counts) spares a query.
    longest = max((len(v) for values in data.values() for v in values if v is not None), default=0)
    check_cells(frame, file, limits, longest)
    return RawTable(table, file, frame, header_row, sha256)
