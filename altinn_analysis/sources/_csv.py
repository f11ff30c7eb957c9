"""CSV tables: UTF-8 (with or without BOM), `;` or `,` between columns (whichever the header fits), quoted
values as Excel writes them. Row numbers are records as a spreadsheet shows them (a quoted value spanning lines
is one row).

Two paths, one result. polars' reader takes the common file (no quotes, no NUL, the header on the first line,
no row wider than the header, no cell over the limit) at tens of millions of cells a second; anything else,
and every file it cannot read, goes through Python's csv module record by record, which is what says exactly
which row is wrong and why. The numbering is the same on both: record index, header = row 1.
"""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Iterator, Sequence

import polars as pl

from altinn_analysis.sources._limits import Limits
from altinn_analysis.sources._raw_table import (
    ROW,
    RawTable,
    TableLayout,
    longest_cell_at_most,
    normalise_header,
    table_from_records,
)
from altinn_analysis.sources._read_common import cell_too_long, decode_utf8, read_error, sha256_hex, why

__all__ = ["read_csv"]

_SEPARATORS = {";": "semicolon", ",": "comma", "\t": "tab"}
_UNUSUAL = (b'"', b"\x00", b"\x0b", b"\x0c", b"\x1c", b"\x1d", b"\x1e", b"\x1f")


def _first_line(text: str, probe: int = 1 << 16) -> str:
    """The first non-blank line, looking at the start of the text first (a big file is not split whole)."""
    lines = text[:probe].splitlines()
    for index, line in enumerate(lines):
        if line.strip() and (index < len(lines) - 1 or len(text) <= probe):
            return line
    return next((ln for ln in text.splitlines() if ln.strip()), "")


def _sniff_separator(text: str, file: str, known_columns: Sequence[str]) -> str:
    """`;` or `,`, whichever splits the header line into more known column names (Norwegian Excel writes `;`)."""
    header = _first_line(text)
    known = set(known_columns)

    def score(sep: str) -> tuple[int, int]:
        try:
            fields = next(csv.reader([header], delimiter=sep), [])
        except csv.Error:
            return (0, 0)
        return (sum(normalise_header(f) in known for f in fields), len(fields))

    # max() keeps the first of equals, so `;` wins a tie.
    best = max(_SEPARATORS, key=score)
    if best == "\t":
        raise read_error(
            file, "the file is tab-separated; expected ';' or ',' between columns (save as CSV, not as text)", row=1
        )
    return best


def read_csv(data: bytes, file: str, layout: TableLayout, limits: Limits) -> RawTable:
    text = decode_utf8(data, file)
    if not text or text.isspace():  # isspace stops at the first character that is not: no copy of the text
        raise read_error(file, "the file is empty; expected at least a header line with the column names")
    sep = _sniff_separator(text, file, layout.columns)
    # polars pads a short row with nulls: a table that must have exact widths takes the exact path.
    fast = None if layout.exact_width else _read_plain(data, file, sep, layout, limits)
    if fast is not None:
        return fast
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sep, quotechar='"', doublequote=True, strict=False)

    def records() -> Iterator[tuple[int, Sequence[str | None]]]:
        # One record is one spreadsheet row, also when a quoted value spans lines, so count records, not lines.
        row = 0
        try:
            for row, fields in enumerate(reader, start=1):
                yield row, fields
        except csv.Error as exc:
            if "field larger than field limit" in str(exc):  # the csv module's own cap (128 KiB)
                raise cell_too_long(file, limits, row + 1) from None
            raise read_error(file, f"not readable as CSV near line {reader.line_num}: {why(exc)}") from None

    return table_from_records(records(), file, layout.name, sha256_hex(data), limits, exact_width=layout.exact_width)


def _read_plain(data: bytes, file: str, sep: str, layout: TableLayout, limits: Limits) -> RawTable | None:
    """The table by polars' reader, or None where only the record-by-record path gives the same answer."""
    body = data[len(codecs.BOM_UTF8) :] if data.startswith(codecs.BOM_UTF8) else data
    # Quotes (Python's lenient quoting), NUL (an error there), a lone CR (a line break there), control characters
    # Python counts as white space and Rust does not: the exact path.
    if any(byte in body for byte in _UNUSUAL):  # memchr each: a regex would scan 30 times slower
        return None
    if b"\r" in body and body.count(b"\r") != body.count(b"\r\n"):
        return None
    try:
        cells = pl.read_csv(io.BytesIO(body), has_header=False, infer_schema=False, separator=sep, quote_char=None)
    except (Exception, pl.exceptions.PanicException):  # e.g. a row wider than the header: the exact path says so
        return None
    if cells.height == 0 or cells.height - 1 > limits.table_rows:
        return None
    header = [normalise_header(v) for v in cells.row(0)]
    if any(v is None or not v.strip() for v in cells.row(0)) or len(set(header)) != len(header) or not all(header):
        return None  # a blank first record, an unnamed or a repeated column: the exact path words it
    texts = [pl.col(c) for c in cells.columns]
    # Every cell read in a query only where a column's memory could hold one over the limit.
    long = [pl.col(c.name) for c in cells.get_columns() if longest_cell_at_most(c) > limits.cell_chars]
    longest = cells.select(pl.max_horizontal(c.str.len_bytes().max() for c in long)).item() if long else None
    if longest is not None and longest > limits.cell_chars:
        return None
    # Record i (0-based, the header is 0) is row i + 1; blank records are skipped, as on the exact path. Only a
    # row whose first cell is blank can be blank, so the other cells are looked at on those rows only.
    frame = cells.with_row_index(ROW, offset=1).slice(1)
    first = texts[0]
    maybe = frame.filter(first.is_null() | (first.str.strip_chars() == ""))
    if maybe.height:
        blank = maybe.filter(pl.all_horizontal((c.is_null() | (c.str.strip_chars() == "")) for c in texts[1:]))
        if blank.height:
            frame = frame.filter(~pl.col(ROW).is_in(blank.get_column(ROW).implode()))
    frame = frame.rename(dict(zip(cells.columns, header, strict=True)))  # no value touched: no query
    frame.replace_column(0, frame.get_column(ROW).cast(pl.Int64))
    if frame.height > limits.table_rows:
        return None
    return RawTable(layout.name, file, frame, 1, sha256_hex(data))
