"""XLSX workbooks: the sheet named as the table (else the first), cells as the text a user would type. Zip bombs,
huge sheets and huge cells are refused from the zip directory and a capped stream before openpyxl parses."""

from __future__ import annotations

import datetime as dt
import io
import re
import threading
import warnings
import zipfile
import zlib
from pathlib import Path
from typing import Any

from altinn_analysis.sources._limits import Limits
from altinn_analysis.sources._raw_table import RawTable, TableLayout, table_from_records
from altinn_analysis.sources._read_common import (
    FileReadError,
    cell_too_long,
    read_error,
    read_file,
    sha256_hex,
    too_big,
    why,
)

__all__ = ["open_workbook", "read_xlsx"]

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


_WARNING_FILTERS = threading.Lock()


def _cell_text(value: object) -> str | None:
    """An Excel cell as the text a user would type: dates as YYYY-MM-DD, 3.0 as 3."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        # Excel stores every date as a date-time; the inventory's dates are calendar days.
        return value.date().isoformat()
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


_XLSX_PARTS = re.compile(r"^xl/(worksheets/sheet[0-9]*\.xml|sharedStrings\.xml)$", re.IGNORECASE)
# In sheet XML, a cell's text is the run between `>` and `<`; escaped, one character takes at most 10 bytes
# (`&#x10FFFF;`), so a longer run without `<` is a cell over the limit.
_XML_BYTES_PER_CHAR = 10


def _check_xlsx_size(data: bytes, file: str, limits: Limits) -> None:
    """Refuse a zip bomb from the zip directory, then by streaming the sheet parts with a byte cap (the directory
    can lie): unpacked bytes, rows (`<row` elements) and the longest cell text, all before openpyxl parses."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
            declared = sum(m.file_size for m in members)
            if declared > limits.xlsx_unpacked_bytes:
                raise too_big(
                    file, f"{declared:,} bytes unpacked", f"{limits.xlsx_unpacked_bytes:,} bytes", "xlsx_unpacked_bytes"
                )
            budget = limits.xlsx_unpacked_bytes
            max_rows = min(limits.xlsx_rows, limits.table_rows)
            max_run = limits.cell_chars * _XML_BYTES_PER_CHAR
            long_run = re.compile(rb"[^<]{%d}" % (max_run + 1))
            for member in members:
                if not _XLSX_PARTS.match(member.filename):
                    continue
                rows = run = 0
                is_sheet = "worksheets" in member.filename.lower()
                with archive.open(member) as fh:
                    while chunk := fh.read(1 << 20):
                        budget -= len(chunk)
                        if budget < 0:
                            raise too_big(
                                file,
                                "more bytes unpacked than the zip directory says",
                                f"{limits.xlsx_unpacked_bytes:,} bytes",
                                "xlsx_unpacked_bytes",
                            )
                        if is_sheet:
                            rows += chunk.count(b"<row")
                            if rows > max_rows + 1:  # + the header row
                                name = "xlsx_rows" if max_rows == limits.xlsx_rows else "table_rows"
                                raise too_big(file, f"over {max_rows:,} rows", f"{max_rows:,} rows", name)
                        # The text run carried over from the last chunk, then any run inside this one.
                        first = chunk.find(b"<")
                        run += len(chunk) if first < 0 else first
                        if run > max_run or long_run.search(chunk):
                            raise cell_too_long(file, limits)
                        if first >= 0:
                            run = len(chunk) - chunk.rfind(b"<") - 1
    except FileReadError:
        raise
    except (zipfile.BadZipFile, zlib.error, OSError, EOFError, NotImplementedError, RuntimeError, ValueError) as exc:
        raise read_error(
            file, f"not a readable .xlsx workbook ({why(exc)}); expected a workbook saved by Excel"
        ) from None


def _load_workbook(data: bytes, file: str, limits: Limits, *, data_only: bool = True) -> Any:
    """openpyxl's read-only workbook over bytes that passed the zip-bomb checks; any parser failure is a
    `FileReadError` naming the file."""
    if data.startswith(_OLE_MAGIC):
        raise read_error(
            file,
            "not an .xlsx workbook: this is an old-style .xls file or a password-protected workbook; expected "
            "an unprotected workbook saved as .xlsx",
        )
    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise read_error(
            file, "not an .xlsx workbook (an .xlsx file is a zip archive, this one is not); expected .xlsx"
        )
    _check_xlsx_size(data, file, limits)
    import openpyxl

    try:
        # The warning filters are the process's: one thread at a time changes and restores them (folders are
        # read by threads).
        with _WARNING_FILTERS, warnings.catch_warnings():
            # openpyxl warns about workbook features it drops (data validation, styles): not our concern.
            warnings.simplefilter("ignore")
            return openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=data_only)
    except Exception as exc:  # a third-party parser on untrusted bytes: any failure means "not a workbook"
        raise read_error(
            file, f"not a readable .xlsx workbook ({why(exc)}); expected a workbook saved by Excel"
        ) from None


def open_workbook(path: Path, limits: Limits | None = None, *, formulas: bool = False) -> Any:
    """A workbook someone may have edited (e.g. last run's action list), opened read-only under the same guards
    as an inventory workbook: a regular file, no link followed, size and zip-bomb limits. `formulas` keeps a
    formula as its text instead of the value Excel cached. The caller closes it. Raises `FileReadError`, or
    `FileNotFoundError` for a missing file."""
    limits = limits or Limits.from_env()
    return _load_workbook(read_file(path, limits.file_bytes), path.name, limits, data_only=not formulas)


def read_xlsx(data: bytes, file: str, layout: TableLayout, limits: Limits) -> RawTable:
    workbook = _load_workbook(data, file, limits)
    try:
        sheets = list(workbook.worksheets)
        if not sheets:
            raise read_error(file, "the workbook has no worksheet; expected the table on the first sheet")
        named = [ws for ws in sheets if str(ws.title).strip().lower() == layout.name]
        sheet = named[0] if named else sheets[0]
        # The dimension recorded in the file can be wrong (some writers never set it); read what is there.
        sheet.reset_dimensions()
        try:
            rows = [
                (row, [_cell_text(v) for v in values])
                for row, values in enumerate(sheet.iter_rows(min_row=1, values_only=True), start=1)
            ]
        except Exception as exc:  # as above: broken sheet XML surfaces as anything
            raise read_error(file, f"sheet {sheet.title!r} is not readable ({why(exc)})") from None
    finally:
        workbook.close()
    return table_from_records(rows, file, layout.name, sha256_hex(data), limits)
