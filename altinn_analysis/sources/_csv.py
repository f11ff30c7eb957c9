"""CSV tables: UTF-8 (with or without BOM), `;` or `,` between columns (whichever the header fits), quoted
values as Excel writes them. Row numbers are records as a spreadsheet shows them (a quoted value spanning lines
is one row)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Sequence

from altinn_analysis.sources._limits import Limits
from altinn_analysis.sources._raw_table import RawTable, TableLayout, normalise_header, table_from_records
from altinn_analysis.sources._read_common import cell_too_long, decode_utf8, read_error, sha256_hex, why

__all__ = ["read_csv"]

_SEPARATORS = {";": "semicolon", ",": "comma", "\t": "tab"}


def _sniff_separator(text: str, file: str, known_columns: Sequence[str]) -> str:
    """`;` or `,`, whichever splits the header line into more known column names (Norwegian Excel writes `;`)."""
    header = next((ln for ln in text.splitlines() if ln.strip()), "")
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
    if not text.strip():
        raise read_error(file, "the file is empty; expected at least a header line with the column names")
    sep = _sniff_separator(text, file, layout.columns)
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

    return table_from_records(records(), file, layout.name, sha256_hex(data), limits)
