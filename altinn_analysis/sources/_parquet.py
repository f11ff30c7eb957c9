"""Parquet tables: size and rows from the footer before a page is decoded, typed dates and counts kept typed
where their text would pass the same checks, everything else as the text a CSV would hold.

Two decoders, one result. polars decodes about four times faster than pyarrow (with its conversion to polars),
but on a damaged file it can panic (a Rust panic, printed to stderr, then raised as a BaseException) or, rarely,
return rows the footer does not promise. So polars reads first, with stderr held for that call and its row count
checked against the footer; whatever it cannot read is decoded by pyarrow, whose error is the one a user sees.

After decoding, a file costs no pass over its values unless it needs one: a polars query costs ~0.1-0.3 ms
however small the table, more than decoding a small file. Columns already of their type are kept as they are (the
row numbers inserted, names renamed); ranges, null counts and a bound on the longest cell come from each column
itself; a query runs only for a column to convert, a text column that could hold a cell over the limit, or a
possible blank row.

Many small files (a sector's folders) cost polars ~0.4 ms a call each whatever their size: `read_parquet_group`
decodes files of one exact schema in one call, finishes them together and splits the result back by the rows each
footer promised, each file's rows checked to be whole chunks of the result; whatever does not fit goes through
`read_parquet`.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import itertools
import os
import sys
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import polars as pl

from altinn_analysis.checks import Problem
from altinn_analysis.sources._limits import Limits
from altinn_analysis.sources._raw_table import (
    ROW,
    RawTable,
    TableLayout,
    as_text,
    check_cells,
    longest_cell_at_most,
    longest_cells_at_most,
    normalise_header,
    text_expr,
)
from altinn_analysis.sources._read_common import FileReadError, read_error, sha256_hex, too_big, why

__all__ = ["ParquetFile", "open_parquet", "read_parquet", "read_parquet_group"]

_PARQUET_MAGIC = b"PAR1"


def _check_parquet_size(data: bytes, file: str, limits: Limits) -> Any:
    """Rows and size from the footer metadata, before a single page is decoded. Dictionary encoding makes a
    600 KB file of 30 M rows possible, so the size in memory is estimated from rows × columns as well. Returns
    the metadata (parsed once: the reader reuses it)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        # The bytes themselves, not a Python file object; the footer alone (`pq.read_metadata` opens the same reader
        # inside a ParquetFile, whose set-up costs as much again).
        reader = pq.ParquetReader()
        reader.open(pa.BufferReader(data))
        meta = reader.metadata
        rows, columns = meta.num_rows, meta.num_columns
        stored = sum(meta.row_group(i).total_byte_size for i in range(meta.num_row_groups))
    except Exception as exc:  # a parser on untrusted bytes: any failure is "broken"
        raise read_error(file, f"broken Parquet file ({why(exc)}); expected a readable .parquet file") from None
    if rows > limits.table_rows:
        raise too_big(file, f"{rows:,} rows", f"{limits.table_rows:,} rows", "table_rows")
    # 16 bytes a value is what a text cell costs in memory at the least (polars' string view).
    estimate = max(stored, rows * columns * 16)
    if estimate > limits.parquet_uncompressed_bytes:
        raise too_big(
            file,
            f"about {estimate:,} bytes uncompressed",
            f"{limits.parquet_uncompressed_bytes:,} bytes",
            "parquet_uncompressed_bytes",
        )
    return meta


def _footer(data: bytes, file: str, limits: Limits) -> Any:
    if len(data) < 12 or not (data.startswith(_PARQUET_MAGIC) and data.endswith(_PARQUET_MAGIC)):
        raise read_error(file, "not a Parquet file (it does not begin and end with 'PAR1'); expected a .parquet file")
    return _check_parquet_size(data, file, limits)


def read_parquet(data: bytes, file: str, layout: TableLayout, limits: Limits) -> RawTable:
    meta = _footer(data, file, limits)
    frame = _decode_fast(data, meta.num_rows)
    if frame is None:
        frame = _decode_exact(data, file, meta)
    return _finish(frame, data, file, layout, limits)


# Files decoded in one polars call (`read_parquet_group`): polars costs ~0.4 ms a call whatever the file's size,
# more than decoding a small file. A group holds files of one exact schema (the footer's, and its key-value metadata).
_GROUP_FILES = 16


@dataclass(frozen=True)
class ParquetFile:
    """A Parquet file's bytes with its footer read and its guards passed (`meta`), or None where something in
    them is wrong (then it is read on its own, which says what)."""

    data: bytes
    file: str
    meta: Any

    @property
    def rows(self) -> int:
        return 0 if self.meta is None else int(self.meta.num_rows)


def open_parquet(data: bytes, file: str, limits: Limits) -> ParquetFile:
    """The footer of a file `read_parquet_group` may decode with others (guards as `read_parquet`'s)."""
    if len(data) > limits.file_bytes:
        return ParquetFile(data, file, None)
    try:
        return ParquetFile(data, file, _footer(data, file, limits))
    except FileReadError:
        return ParquetFile(data, file, None)


def read_parquet_group(files: Sequence[ParquetFile], layout: TableLayout, limits: Limits) -> list[RawTable | None]:
    """`read_parquet` for many files of one table, those sharing an exact schema decoded together and split back
    by the rows each footer promised. None for each file that must be read on its own (`read_parquet`): any
    surprise (a guard tripped, no rows, the decoded pieces not those the footers promised, a decode or conversion
    error), so that its problems are word for word those of reading it alone."""
    out: list[RawTable | None] = [None] * len(files)
    groups: dict[tuple[object, ...], list[int]] = {}
    for i, opened in enumerate(files):
        meta = opened.meta
        if meta is None or meta.num_rows == 0:
            continue
        # The footer's schema in full, and its key-value metadata: with them, Arrow's schema (made from both) too.
        key = (str(meta.schema).partition("\n")[2], tuple(sorted((meta.metadata or {}).items())))
        groups.setdefault(key, []).append(i)
    for members in groups.values():
        for start in range(0, len(members), _GROUP_FILES):
            indices = members[start : start + _GROUP_FILES]
            if len(indices) < 2:
                continue
            part = [files[i] for i in indices]
            rows = [f.rows for f in part]
            frame = _decode_group([f.data for f in part], rows)
            if frame is None:
                continue
            raws: Sequence[RawTable | None] | None = _finish_group(frame, part, layout, limits)
            if raws is None:  # something to look at file by file: each file's rows finished on their own
                raws = [
                    _finish_or_none(piece, f, layout, limits)
                    for piece, f in zip(_pieces(frame, rows), part, strict=True)
                ]
            for i, raw in zip(indices, raws, strict=True):
                out[i] = raw
    return out


def _decode_group(datas: list[bytes], rows: list[int]) -> pl.DataFrame | None:
    """The files decoded in one call, or None when each file's rows are not whole chunks of the result (in every
    column) of exactly the rows its footer promised: polars keeps one file's rows in chunks of their own (a big
    file in several), so chunk ends that fall on the footers' file ends say each file's rows are where the split
    takes them."""
    try:
        with _stderr_held():
            frame = pl.read_parquet(datas, parallel="none")
    except (Exception, pl.exceptions.PanicException):
        return None
    ends = set(itertools.accumulate(rows))
    if frame.height != sum(rows) or any(
        not ends <= set(itertools.accumulate(s.chunk_lengths())) for s in frame.get_columns()
    ):
        return None
    return frame


def _pieces(frame: pl.DataFrame, rows: list[int]) -> list[pl.DataFrame]:
    offsets = itertools.accumulate(rows, initial=0)
    return [frame.slice(offset, n) for offset, n in zip(offsets, rows, strict=False)]


def _finish_or_none(frame: pl.DataFrame, opened: ParquetFile, layout: TableLayout, limits: Limits) -> RawTable | None:
    try:
        return _finish(frame, opened.data, opened.file, layout, limits)
    except FileReadError:
        return None


def _finish_group(
    frame: pl.DataFrame, files: Sequence[ParquetFile], layout: TableLayout, limits: Limits
) -> list[RawTable] | None:
    """`_finish` of every file of a decoded group at once, split back by the footers' rows; None where any file's
    own `_finish` could differ from its share of the group's (a column refused or whose conversion fails, a cell
    that may be over the limit, a possible blank row, a typed value out of range): those are finished file by
    file. One plan and one conversion for the group, its checks from the columns themselves (no query on the
    group's frame of many chunks: polars would copy them), instead of each of them for every file."""
    try:
        columns = _columns(frame, files[0].file, layout)
    except FileReadError:
        return None
    rows = [f.rows for f in files]
    # each file's row numbers from 2 (its header is row 1): one chunk a file, so each piece holds one, each a slice
    # of the same numbers (made once for the group's longest file, not once a file)
    longest = pl.int_range(2, max(rows) + 2, dtype=pl.Int64, eager=True).alias(ROW)
    numbers = pl.concat([longest.slice(0, n) for n in rows])
    try:
        converts = any(expr is not None for _, _, expr in columns)
        with _stderr_held() if converts else contextlib.nullcontext():
            out = _as_read(frame.clone(), columns, numbers)  # a clone: the group's frame stays as decoded
        if not _surely_tidy(out, limits.cell_chars):
            return None
    except (Exception, pl.exceptions.PanicException):
        return None
    return [
        RawTable(layout.name, f.file, piece, 1, sha256_hex(f.data))
        for f, piece in zip(files, _pieces(out, rows), strict=True)
    ]


def _surely_tidy(frame: pl.DataFrame, cell_chars: int) -> bool:
    """Whether `_tidy` and `check_cells` would leave each file's rows of `frame` as they are: no text cell over
    `cell_chars` bytes, no typed value outside `_TYPED_YEARS` / `_TYPED_INT_BELOW` and no row without a value, in
    the whole group. As in `_tidy`, from the columns themselves (a query only for a text column that could hold a
    cell over the limit, or a possible blank row)."""
    if frame.width == 1:
        return True
    texts: list[str] = []
    maybe_blank = True  # a row can be blank only if every column has a null somewhere
    for series in frame.get_columns()[1:]:  # ROW first
        maybe_blank = maybe_blank and series.null_count() > 0
        dtype = series.dtype
        if dtype == pl.String:
            texts.append(series.name)
        elif dtype == pl.Date:
            days = series.cast(pl.Int32)  # the day numbers (a cast, not a query)
            low, high = days.min(), days.max()
            if low is not None and (low < _FIRST_DAY or high > _LAST_DAY):  # type: ignore[operator]
                return False
        elif dtype == pl.Int64:
            low, high = series.min(), series.max()
            if low is not None and (low <= -_TYPED_INT_BELOW or high >= _TYPED_INT_BELOW):  # type: ignore[operator]
                return False
    long = [
        name
        for name, bound in zip(
            texts, longest_cells_at_most(pl.DataFrame([frame.get_column(n) for n in texts])), strict=True
        )
        if bound > cell_chars
    ]
    exprs = [pl.col(name).str.len_bytes().max().fill_null(0) <= cell_chars for name in long]
    if maybe_blank:
        exprs.append(~pl.all_horizontal(pl.exclude(ROW).is_null()).any())
    return not exprs or all(frame.select(exprs).row(0))


def _finish(frame: pl.DataFrame, data: bytes, file: str, layout: TableLayout, limits: Limits) -> RawTable:
    columns = _columns(frame, file, layout)
    try:
        converts = any(expr is not None for _, _, expr in columns)
        # An out-of-range date in a damaged file panics in the cast to text: stderr held for every cast.
        with _stderr_held() if converts else contextlib.nullcontext():
            out = _as_read(frame, columns)
        out, longest, unusual = _tidy(out, limits.cell_chars)
        if unusual:
            with _stderr_held():
                out = out.with_columns(as_text(n, out.schema[n]) for n in unusual)
            longest = None  # measured again with the new text columns
    except (Exception, pl.exceptions.PanicException) as exc:
        raise read_error(file, f"Parquet columns could not be read as text ({why(exc)})") from None
    check_cells(out, file, limits, longest)
    return RawTable(layout.name, file, out, 1, sha256_hex(data))


# What `_columns` made of each schema seen (files of one institution, and of many, share theirs): names and types
# as text (types by repr, so no two types that compare equal loosely share a plan), for short names only, and a
# bounded number of them.
_PLANS: dict[tuple[object, ...], list[tuple[str, str, pl.Expr | None]]] = {}
_PLAN_NAMES_CHARS = 2000
_PLANS_KEPT = 64


def _columns(frame: pl.DataFrame, file: str, layout: TableLayout) -> list[tuple[str, str, pl.Expr | None]]:
    """(name in the file, normalised name, the expression that converts it or None when it is read as it is)
    for each column; a nameless, repeated or unreadable column is refused (every one of them listed)."""
    schema = frame.schema
    key = (layout.name, tuple(layout.typed.items()), *(f"{name}\x00{dtype!r}" for name, dtype in schema.items()))
    if (plan := _PLANS.get(key)) is not None:
        return plan
    plan = _plan(schema, file, layout)
    if sum(len(name) for name in schema) <= _PLAN_NAMES_CHARS:
        if len(_PLANS) >= _PLANS_KEPT:
            _PLANS.clear()
        _PLANS[key] = plan
    return plan


def _plan(schema: pl.Schema, file: str, layout: TableLayout) -> list[tuple[str, str, pl.Expr | None]]:
    problems: list[Problem] = []
    columns: list[tuple[str, str, pl.Expr | None]] = []
    seen: dict[str, str] = {}
    kinds = layout.typed
    for name, dtype in schema.items():
        norm = normalise_header(name)
        kind = kinds.get(norm)
        # Already what the checks read (text, or a typed date or count): no expression, no pass over the values.
        same = dtype == pl.String or (kind == "date" and dtype == pl.Date) or (kind == "count" and dtype == pl.Int64)
        typed = None if same else _typed_expr(name, dtype, kind)
        expr = typed if same or typed is not None else text_expr(name, dtype)
        if not norm:
            problems.append(Problem(file, 1, name, "column name is empty after normalisation; give it a name"))
        elif norm in seen:
            problems.append(Problem(file, 1, norm, f"columns {seen[norm]!r} and {name!r} are the same column"))
        elif not same and expr is None:
            problems.append(
                Problem(file, 1, norm, f"column type {dtype} cannot be read; expected text, a date or a number")
            )
        else:
            seen[norm] = name
            columns.append((name, norm, None if same else expr))
    if problems:
        raise FileReadError(problems)
    return columns


def _as_read(
    frame: pl.DataFrame, columns: list[tuple[str, str, pl.Expr | None]], numbers: pl.Series | None = None
) -> pl.DataFrame:
    """The decoded frame with its columns named and converted as `_columns` says, and the row numbers first (a
    file's from 2, or `numbers`). A query only where a column needs converting; renaming and adding the row
    numbers touch no value. The frame given may be changed."""
    if any(expr is not None for _, _, expr in columns):
        frame = frame.select((pl.col(name) if expr is None else expr).alias(norm) for name, norm, expr in columns)
    elif renames := {name: norm for name, norm, _ in columns if name != norm}:
        frame = frame.rename(renames)
    if numbers is None:
        numbers = pl.int_range(2, frame.height + 2, dtype=pl.Int64, eager=True).alias(ROW)
    frame.insert_column(0, numbers)
    return frame


# One quiet window for every thread inside one: stderr is the process's, so the first thread in points it at the
# null device and the last one out restores it (windows that saved and restored it each on their own could
# overlap and lose it for good; one window at a time would serialise the decoding of folders read in parallel).
# What any thread writes to descriptor 2 inside a window is lost too; the windows hold only decoding (milliseconds).
_QUIET = threading.Lock()
_quiet: dict[str, int] = {"depth": 0, "saved": -1, "null": -1}


def _quiet_enter() -> bool:
    with _QUIET:
        if _quiet["depth"] == 0:
            if sys.stderr is not None:  # None under pythonw
                sys.stderr.flush()
            try:
                null = os.open(os.devnull, os.O_WRONLY)
            except OSError:
                return False
            try:
                saved = os.dup(2)
            except OSError:  # no descriptor 2 to hold (e.g. a service without one): nothing to keep quiet
                os.close(null)
                return False
            os.dup2(null, 2)
            _quiet.update(saved=saved, null=null)
        _quiet["depth"] += 1
        return True


def _quiet_exit() -> None:
    with _QUIET:
        _quiet["depth"] -= 1
        if _quiet["depth"] == 0:
            os.dup2(_quiet["saved"], 2)
            os.close(_quiet["saved"])
            os.close(_quiet["null"])


@contextlib.contextmanager
def _stderr_held() -> Iterator[None]:
    """stderr (the file descriptor, where Rust prints a panic) pointed at the null device for the block."""
    if not _quiet_enter():
        yield
        return
    try:
        yield
    finally:
        _quiet_exit()


def _decode_fast(data: bytes, rows: int) -> pl.DataFrame | None:
    """The table by polars' decoder, or None when it fails or disagrees with the footer's row count."""
    try:
        with _stderr_held():
            frame = pl.read_parquet(data, parallel="none")
    except (Exception, pl.exceptions.PanicException):
        return None
    return frame if frame.height == rows else None


def _decode_exact(data: bytes, file: str, meta: Any) -> pl.DataFrame:
    """The table by pyarrow, whose errors on a damaged file are plain exceptions with a useful message."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        # ParquetFile.read, not pq.read_table: the dataset layer costs ~0.2 s CPU per call, the file reader ~3 ms.
        arrow = pq.ParquetFile(pa.BufferReader(data), metadata=meta).read(use_threads=False)
        arrow.validate(full=True)  # e.g. text that is not UTF-8, which pyarrow's reader lets through
        with _stderr_held():
            converted = pl.from_arrow(arrow)
    except (Exception, pl.exceptions.PanicException) as exc:  # a parser on untrusted bytes: any failure is "broken"
        raise read_error(file, f"broken Parquet file ({why(exc)}); expected a readable .parquet file") from None
    if not isinstance(converted, pl.DataFrame):
        raise read_error(file, "the Parquet file holds no table; expected one table with named columns")
    return converted


# Typed Parquet columns that stay typed: their text would be a valid ISO date or count, so validating the typed
# value directly gives the same result without a text round trip. Outside these ranges (year 10000, an 11-digit
# "count" that might be an identity number) the column is read as text and checked as text.
_TYPED_YEARS = (1000, 9999)
_TYPED_INT_BELOW = 10**10
_TYPED_INTS = (pl.Int8, pl.Int16, pl.Int32, pl.Int64, pl.UInt8, pl.UInt16, pl.UInt32)


def _typed_expr(name: str, dtype: pl.DataType, kind: str | None) -> pl.Expr | None:
    """A typed Parquet column kept typed for a date or count column, or None (read it as text)."""
    if kind == "date" and isinstance(dtype, pl.Datetime):
        return pl.col(name).dt.date()
    if kind == "date" and isinstance(dtype, pl.Date):
        return pl.col(name)
    if kind == "count" and any(dtype == t for t in _TYPED_INTS):
        return pl.col(name).cast(pl.Int64)
    return None


# The ranges as day numbers (a Date's physical value): min and max compared without making a Python date, which
# a damaged file's out-of-range day could not be.
_FIRST_DAY = (dt.date(_TYPED_YEARS[0], 1, 1) - dt.date(1970, 1, 1)).days
_LAST_DAY = (dt.date(_TYPED_YEARS[1], 12, 31) - dt.date(1970, 1, 1)).days


def _tidy(frame: pl.DataFrame, cell_chars: int) -> tuple[pl.DataFrame, int | None, list[str]]:
    """Rows with no value at all (spreadsheet leftovers, as in CSV and Excel) dropped — the filter copies every
    column, so only when there are some —, at least the longest text cell in bytes (exact where over
    `cell_chars`), and the typed columns holding values outside `_TYPED_YEARS` / `_TYPED_INT_BELOW` (the caller
    makes them text again).

    Each column's minimum, maximum, null count and a bound on its longest cell come from the column itself,
    without a query (a query costs ~0.1-0.3 ms however small the table); a query runs only where a text column
    could hold a cell over `cell_chars` (its exact longest cell) and where a blank row is possible."""
    if frame.height == 0 or frame.width == 1:
        return frame, None, []
    unusual: list[str] = []
    bounds: list[int] = []
    long: list[str] = []
    maybe_blank = True  # a row can be blank only if every column has a null somewhere
    for series in frame.get_columns()[1:]:  # ROW first
        dtype, name = series.dtype, series.name
        maybe_blank = maybe_blank and series.null_count() > 0
        if dtype == pl.String:
            bound = longest_cell_at_most(series)
            if bound <= cell_chars:
                bounds.append(bound)
            else:
                long.append(name)
        elif dtype == pl.Date:
            days = series.cast(pl.Int32)
            low, high = days.min(), days.max()
            if low is not None and (low < _FIRST_DAY or high > _LAST_DAY):  # type: ignore[operator]
                unusual.append(name)
        elif dtype == pl.Int64:
            low, high = series.min(), series.max()
            if low is not None and (low <= -_TYPED_INT_BELOW or high >= _TYPED_INT_BELOW):  # type: ignore[operator]
                unusual.append(name)
    blank = pl.all_horizontal(pl.exclude(ROW).is_null())
    exprs = [pl.col(name).str.len_bytes().max() for name in long]
    if maybe_blank:
        exprs.append(blank.any().alias(ROW))
    found = frame.select(exprs).row(0) if exprs else ()
    if maybe_blank and found[-1]:
        frame = frame.filter(~blank)
    bounds.extend(v for v in found[: len(long)] if v is not None)
    return frame, max(bounds, default=None), unusual
