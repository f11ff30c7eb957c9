"""Parquet tables: size and rows from the footer before a page is decoded, typed dates and counts kept typed
where their text would pass the same checks, everything else as the text a CSV would hold.

Two decoders, one result. polars decodes about four times faster than pyarrow (with its conversion to polars),
but on a damaged file it can panic (a Rust panic, printed to stderr, then raised as a BaseException) or, rarely,
return rows the footer does not promise. So polars reads first, with stderr held for that call and its row count
checked against the footer; whatever it cannot read is decoded by pyarrow, whose error is the one a user sees.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import os
import sys
import threading
from collections.abc import Iterator
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
    normalise_header,
    text_expr,
)
from altinn_analysis.sources._read_common import FileReadError, read_error, sha256_hex, too_big, why

__all__ = ["read_parquet"]

_PARQUET_MAGIC = b"PAR1"


def _check_parquet_size(data: bytes, file: str, limits: Limits) -> Any:
    """Rows and size from the footer metadata, before a single page is decoded. Dictionary encoding makes a
    600 KB file of 30 M rows possible, so the size in memory is estimated from rows × columns as well. Returns
    the metadata (parsed once: the reader reuses it)."""
    import pyarrow.parquet as pq

    try:
        meta = pq.read_metadata(io.BytesIO(data))
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


def read_parquet(data: bytes, file: str, layout: TableLayout, limits: Limits) -> RawTable:
    if len(data) < 12 or not (data.startswith(_PARQUET_MAGIC) and data.endswith(_PARQUET_MAGIC)):
        raise read_error(file, "not a Parquet file (it does not begin and end with 'PAR1'); expected a .parquet file")
    meta = _check_parquet_size(data, file, limits)
    frame = _decode_fast(data, meta.num_rows)
    if frame is None:
        frame = _decode_exact(data, file, meta)
    problems: list[Problem] = []
    exprs: list[pl.Expr] = []
    seen: dict[str, str] = {}
    kinds = layout.typed
    for name, dtype in frame.schema.items():
        norm = normalise_header(name)
        typed = _typed_expr(name, dtype, kinds.get(norm))
        expr = typed if typed is not None else text_expr(name, dtype)
        if not norm:
            problems.append(Problem(file, 1, name, "column name is empty after normalisation; give it a name"))
        elif norm in seen:
            problems.append(Problem(file, 1, norm, f"columns {seen[norm]!r} and {name!r} are the same column"))
        elif expr is None:
            problems.append(
                Problem(file, 1, norm, f"column type {dtype} cannot be read; expected text, a date or a number")
            )
        else:
            seen[norm] = name
            exprs.append(expr.alias(norm))
    if problems:
        raise FileReadError(problems)
    try:
        with _stderr_held():  # an out-of-range date in a damaged file panics in the cast to text
            out = frame.select(pl.int_range(2, frame.height + 2, dtype=pl.Int64).alias(ROW), *exprs)
            out, longest = _tidy(out)
    except (Exception, pl.exceptions.PanicException) as exc:
        raise read_error(file, f"Parquet columns could not be read as text ({why(exc)})") from None
    check_cells(out, file, limits, longest)
    return RawTable(layout.name, file, out, 1, sha256_hex(data))


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
            frame = pl.read_parquet(io.BytesIO(data))
    except (Exception, pl.exceptions.PanicException):
        return None
    return frame if frame.height == rows else None


def _decode_exact(data: bytes, file: str, meta: Any) -> pl.DataFrame:
    """The table by pyarrow, whose errors on a damaged file are plain exceptions with a useful message."""
    import pyarrow.parquet as pq

    try:
        # ParquetFile.read, not pq.read_table: the dataset layer costs ~0.2 s CPU per call, the file reader ~3 ms.
        arrow = pq.ParquetFile(io.BytesIO(data), metadata=meta).read(use_threads=False)
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


def _tidy(frame: pl.DataFrame) -> tuple[pl.DataFrame, int | None]:
    """One pass over a Parquet table: typed columns holding values outside `_TYPED_YEARS` / `_TYPED_INT_BELOW`
    go back to text, rows with no value at all (spreadsheet leftovers, as in CSV and Excel) are dropped — the
    filter copies every column, so only when there are some — and the longest text cell in bytes."""
    if frame.height == 0 or frame.width == 1:
        return frame, None
    schema = frame.schema
    dates = [n for n, t in schema.items() if isinstance(t, pl.Date)]
    ints = [n for n, t in schema.items() if t == pl.Int64 and n != ROW]
    texts = [n for n, t in schema.items() if t == pl.String]
    lo, hi = _TYPED_YEARS
    first, last = dt.date(lo, 1, 1), dt.date(hi, 12, 31)
    # A row can be blank only if every column has a null somewhere (null counts are known without a pass).
    nulls = frame.null_count().row(0, named=True)
    maybe_blank = all(count for name, count in nulls.items() if name != ROW)
    blank = pl.all_horizontal(pl.exclude(ROW).is_null())
    # Ranges from min and max (nulls aside): no per-row year or absolute value to compute.
    stats = frame.select(
        *(((pl.col(n).min() >= first) & (pl.col(n).max() <= last)).fill_null(True).alias(n) for n in dates),
        *(
            ((pl.col(n).min() > -_TYPED_INT_BELOW) & (pl.col(n).max() < _TYPED_INT_BELOW)).fill_null(True).alias(n)
            for n in ints
        ),
        (blank.any() if maybe_blank else pl.lit(False)).alias(ROW),
        *([pl.max_horizontal(pl.col(c).str.len_bytes().max() for c in texts).alias("")] if texts else []),
    ).row(0, named=True)
    if stats.pop(ROW):
        frame = frame.filter(~blank)
    longest = stats.pop("", None)
    unusual = [n for n, ok in stats.items() if not ok]
    if unusual:
        frame = frame.with_columns(as_text(n, schema[n]) for n in unusual)
        longest = None  # measured again with the new text columns
    return frame, longest
