"""Readers for an inventory's files: CSV, XLSX and Parquet tables, and `profile.yaml`. The I/O edge.

A reader turns bytes into a `RawTable`: every column as text, header names normalised, plus the row number a user
sees for each row. Checking the values is `_validate`'s job. Anything a reader cannot read raises
`InventoryError` with a problem that says which file, what was found and what is expected; no other exception
escapes, whatever the bytes.
"""

from __future__ import annotations

import bisect
import codecs
import csv
import datetime as dt
import hashlib
import io
import os
import re
import stat
import warnings
import zipfile
import zlib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import polars as pl
import yaml

from altinn_analysis.checks import excerpt
from altinn_analysis.inventory._limits import Limits
from altinn_analysis.inventory._problem import InventoryError, Problem
from altinn_analysis.inventory._schema import PROFILE_FILE, TABLE_SPECS, TABLE_SUFFIXES, TABLES
from altinn_analysis.secret_guard import scrub

__all__ = [
    "ROW",
    "RawProfile",
    "RawTable",
    "find_table_file",
    "inventory_files",
    "normalise_header",
    "other_files",
    "read_file",
    "read_profile",
    "read_profile_bytes",
    "read_table",
    "read_table_bytes",
]

# Column holding the user-visible row number in a raw frame. Header names are normalised to [a-z0-9_], so a
# user's column can never be called this.
ROW = "__row__"

# Row-level read errors (ragged rows) worth listing before the reader gives up on the file.
_MAX_READ_ERRORS = 20
_SEPARATORS = {";": "semicolon", ",": "comma", "\t": "tab"}
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_PARQUET_MAGIC = b"PAR1"


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
        return [c for c in self.source.columns if c != ROW]

    @cached_property
    def frame(self) -> pl.DataFrame:
        return self.source.select(pl.col(ROW), *(_as_text(n, t) for n, t in self.source.schema.items() if n != ROW))


@dataclass(frozen=True)
class RawProfile:
    """`profile.yaml` as parsed, with the line each key or list item starts on."""

    file: str
    data: Any
    text: str
    lines: tuple[tuple[int, str], ...]  # (line, key path) in document order, e.g. (7, "vendors[0].org_number")
    sha256: str

    def line_of(self, path: str) -> int | None:
        for line, key in self.lines:
            if key == path:
                return line
        return None

    def path_at(self, line: int) -> str | None:
        """The innermost key or list item that starts on or before `line`."""
        starts = [ln for ln, _ in self.lines]
        i = bisect.bisect_right(starts, line)
        return self.lines[i - 1][1] if i else None


def _error(file: str, message: str, row: int | None = None, column: str | None = None) -> InventoryError:
    return InventoryError([Problem(file, row, column, message)])


def _why(exc: BaseException) -> str:
    # The exception text of a third-party parser can quote file content; keep it short and it goes through
    # Problem's redaction anyway.
    text = str(exc)[:400].strip()
    text = scrub(text.splitlines()[0]) if text else ""
    text = text if len(text) <= 120 else text[:117] + "…"
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def normalise_header(name: object) -> str:
    """`" Holder ID "` → `holder_id`: lower case, spaces and hyphens as `_`, other characters outside [a-z0-9æøå_]
    dropped, no leading or trailing `_`."""
    text = "" if name is None else str(name)
    text = text.replace("\ufeff", "").strip().lower()
    text = re.sub(r"[\s\-]+", "_", text)
    return re.sub(r"[^0-9a-zæøå_]", "", text).strip("_")


# -- finding files ------------------------------------------------------------------------------------------


def _is_hidden(name: str) -> bool:
    # Excel's lock files (~$x.xlsx) and hidden files are not the user's data.
    return name.startswith(("~$", "."))


def _entries(directory: Path, what: str) -> list[Path]:
    try:
        return sorted(directory.iterdir())
    except OSError as exc:
        raise _error(what, f"cannot list the inventory folder: {_why(exc)}") from None


def _kind(path: Path) -> str | None:
    """None for a regular file; else what it is (never following a symbolic link)."""
    try:
        mode = path.lstat().st_mode
    except OSError:
        return "unreadable"
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISLNK(mode):
        return "a symbolic link"
    if stat.S_ISDIR(mode):
        return "a folder"
    return "a special file (device, pipe or socket)"


def _not_regular(path: Path, kind: str) -> InventoryError:
    return _error(
        path.name,
        f"{path.name} is {kind}; an inventory reads only regular files inside its own folder and never follows "
        "links: copy the file itself into the folder",
    )


def _is_table_name(path: Path) -> bool:
    return path.stem.lower() in TABLES and not _is_hidden(path.name)


def inventory_files(directory: str | Path) -> list[Path]:
    """The files an inventory folder's tables and profile are read from (regular files only, never through a
    link): what a fingerprint must hash. Everything else in the folder is ignored (`other_files`)."""
    directory = Path(directory)
    try:
        entries = sorted(directory.iterdir())
    except OSError:
        return []
    return [p for p in entries if (p.name == PROFILE_FILE or _is_table_name(p)) and _kind(p) is None]


def other_files(directory: str | Path) -> list[Path]:
    """Entries of an inventory folder that no table or profile reads (they are ignored; `validate` lists them)."""
    directory = Path(directory)
    try:
        entries = sorted(directory.iterdir())
    except OSError:
        return []
    used = set(inventory_files(directory))
    return [p for p in entries if p not in used and not _is_hidden(p.name) and not _is_table_name(p)]


def find_table_file(directory: Path, table: str) -> Path:
    """The one file holding `table` (`<table>.csv|.xlsx|.parquet`, any letter case). A link or special file
    with that name is refused, never followed."""
    expected = ", ".join(f"{table}{s}" for s in TABLE_SUFFIXES)
    candidates = [p for p in _entries(directory, table) if p.stem.lower() == table and not _is_hidden(p.name)]
    for path in candidates:
        if (kind := _kind(path)) is not None and path.suffix.lower() in TABLE_SUFFIXES:
            raise _not_regular(path, kind)
    found = [p for p in candidates if p.suffix.lower() in TABLE_SUFFIXES]
    if len(found) > 1:
        names = " and ".join(p.name for p in found)
        raise _error(table, f"{len(found)} files for table {table!r} ({names}); keep exactly one")
    if found:
        return found[0]
    if candidates:
        names = ", ".join(p.name for p in candidates)
        raise _error(
            candidates[0].name, f"unsupported file type ({names}); expected one of {expected} (save .xls/.ods as .xlsx)"
        )
    raise _error(table, f"table {table!r} is missing: expected one of {expected} (a header-only file if empty)")


def read_file(path: Path, max_bytes: int, what: str = "file_bytes") -> bytes:
    """The bytes of a regular file, refusing links and special files (not followed, not blocked on) and files
    over `max_bytes` (checked before reading). Raises only `InventoryError`."""
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(path, flags)
    except FileNotFoundError:
        raise
    except OSError as exc:
        kind = _kind(path)
        if kind is not None:
            raise _not_regular(path, kind) from None
        raise _error(path.name, f"cannot read the file: {_why(exc)}") from None
    with os.fdopen(fd, "rb") as fh:
        info = os.fstat(fh.fileno())
        if not stat.S_ISREG(info.st_mode):
            raise _not_regular(path, _kind(path) or "not a regular file")
        if info.st_size > max_bytes:
            raise _too_big(path.name, f"{info.st_size:,} bytes", f"{max_bytes:,} bytes", what)
        data = fh.read(max_bytes + 1)
    if len(data) > max_bytes:  # grew while being read
        raise _too_big(path.name, f"over {max_bytes:,} bytes", f"{max_bytes:,} bytes", what)
    return data


def _too_big(file: str, found: str, limit: str, name: str, row: int | None = None) -> InventoryError:
    return _error(
        file,
        f"over the limit: {found}, the limit is {limit} ({name}); raise it for a big institution with "
        f"--limit {name}=N or ALTINN_ANALYSIS_LIMIT_{name.upper()}",
        row=row,
    )


# -- text ---------------------------------------------------------------------------------------------------


def _decode(data: bytes, file: str) -> str:
    """UTF-8 with or without BOM; anything else is a clear error."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise _error(
            file,
            "the file is UTF-16 (Excel's 'Unicode Text'); expected UTF-8 — in Excel use Save As → "
            "'CSV UTF-8 (Comma delimited)'",
        )
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        found = f"byte 0x{data[exc.start]:02X} on line {line} is not valid UTF-8"
        try:
            char = data[exc.start : exc.start + 1].decode("cp1252")
            data.decode("cp1252")
            found += f"; the file looks like Windows-1252/Latin-1 (that byte would be {char!r} there)"
        except UnicodeDecodeError:
            pass
        raise _error(
            file,
            f"{found}. Expected UTF-8 (with or without BOM): in Excel use Save As → 'CSV UTF-8 (Comma "
            f"delimited)', or re-encode the file as UTF-8",
            row=line,
        ) from None


def _sniff_separator(text: str, file: str, table: str) -> str:
    """`;` or `,`, whichever splits the header line into more known column names (Norwegian Excel writes `;`)."""
    header = next((ln for ln in text.splitlines() if ln.strip()), "")
    known = set(TABLE_SPECS[table].column_names)

    def score(sep: str) -> tuple[int, int]:
        try:
            fields = next(csv.reader([header], delimiter=sep), [])
        except csv.Error:
            return (0, 0)
        return (sum(normalise_header(f) in known for f in fields), len(fields))

    # max() keeps the first of equals, so `;` wins a tie.
    best = max(_SEPARATORS, key=score)
    if best == "\t":
        raise _error(
            file, "the file is tab-separated; expected ';' or ',' between columns (save as CSV, not as text)", row=1
        )
    return best


def _read_csv(data: bytes, file: str, table: str, limits: Limits) -> RawTable:
    text = _decode(data, file)
    if not text.strip():
        raise _error(file, "the file is empty; expected at least a header line with the column names")
    sep = _sniff_separator(text, file, table)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sep, quotechar='"', doublequote=True, strict=False)

    def records() -> Iterator[tuple[int, Sequence[str | None]]]:
        # One record is one spreadsheet row, also when a quoted value spans lines, so count records, not lines.
        row = 0
        try:
            for row, fields in enumerate(reader, start=1):
                yield row, fields
        except csv.Error as exc:
            if "field larger than field limit" in str(exc):  # the csv module's own cap (128 KiB)
                raise _cell_too_long(file, limits, row + 1) from None
            raise _error(file, f"not readable as CSV near line {reader.line_num}: {_why(exc)}") from None

    return _table_from_records(records(), file, table, _sha256(data), limits)


# -- Excel --------------------------------------------------------------------------------------------------


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
                raise _too_big(
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
                            raise _too_big(
                                file,
                                "more bytes unpacked than the zip directory says",
                                f"{limits.xlsx_unpacked_bytes:,} bytes",
                                "xlsx_unpacked_bytes",
                            )
                        if is_sheet:
                            rows += chunk.count(b"<row")
                            if rows > max_rows + 1:  # + the header row
                                name = "xlsx_rows" if max_rows == limits.xlsx_rows else "table_rows"
                                raise _too_big(file, f"over {max_rows:,} rows", f"{max_rows:,} rows", name)
                        # The text run carried over from the last chunk, then any run inside this one.
                        first = chunk.find(b"<")
                        run += len(chunk) if first < 0 else first
                        if run > max_run or long_run.search(chunk):
                            raise _cell_too_long(file, limits)
                        if first >= 0:
                            run = len(chunk) - chunk.rfind(b"<") - 1
    except InventoryError:
        raise
    except (zipfile.BadZipFile, zlib.error, OSError, EOFError, NotImplementedError, RuntimeError, ValueError) as exc:
        raise _error(file, f"not a readable .xlsx workbook ({_why(exc)}); expected a workbook saved by Excel") from None


def _cell_too_long(file: str, limits: Limits, row: int | None = None, column: str | None = None) -> InventoryError:
    return InventoryError(
        [
            Problem(
                file,
                row,
                column,
                f"a cell holds more than {limits.cell_chars:,} characters (cell_chars); an inventory cell is a code, "
                "a date, a number or a short name — raise the limit with --limit cell_chars=N if this is intended",
            )
        ]
    )


def _read_xlsx(data: bytes, file: str, table: str, limits: Limits) -> RawTable:
    if data.startswith(_OLE_MAGIC):
        raise _error(
            file,
            "not an .xlsx workbook: this is an old-style .xls file or a password-protected workbook; expected "
            "an unprotected workbook saved as .xlsx",
        )
    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise _error(file, "not an .xlsx workbook (an .xlsx file is a zip archive, this one is not); expected .xlsx")
    _check_xlsx_size(data, file, limits)
    import openpyxl

    try:
        with warnings.catch_warnings():
            # openpyxl warns about workbook features it drops (data validation, styles): not our concern.
            warnings.simplefilter("ignore")
            workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # a third-party parser on untrusted bytes: any failure means "not a workbook"
        raise _error(file, f"not a readable .xlsx workbook ({_why(exc)}); expected a workbook saved by Excel") from None
    try:
        sheets = list(workbook.worksheets)
        if not sheets:
            raise _error(file, "the workbook has no worksheet; expected the table on the first sheet")
        named = [ws for ws in sheets if str(ws.title).strip().lower() == table]
        sheet = named[0] if named else sheets[0]
        # The dimension recorded in the file can be wrong (some writers never set it); read what is there.
        sheet.reset_dimensions()
        try:
            rows = [
                (row, [_cell_text(v) for v in values])
                for row, values in enumerate(sheet.iter_rows(min_row=1, values_only=True), start=1)
            ]
        except Exception as exc:  # as above: broken sheet XML surfaces as anything
            raise _error(file, f"sheet {sheet.title!r} is not readable ({_why(exc)})") from None
    finally:
        workbook.close()
    return _table_from_records(rows, file, table, _sha256(data), limits)


# -- Parquet ------------------------------------------------------------------------------------------------


def _text_expr(name: str, dtype: pl.DataType) -> pl.Expr | None:
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


def _as_text(name: str, dtype: pl.DataType) -> pl.Expr:
    """A kept-typed column (a date or a whole number) as text, named as it is."""
    expr = None if dtype == pl.String else _text_expr(name, dtype)
    return pl.col(name) if expr is None else expr.alias(name)


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
        raise _error(file, f"broken Parquet file ({_why(exc)}); expected a readable .parquet file") from None
    if rows > limits.table_rows:
        raise _too_big(file, f"{rows:,} rows", f"{limits.table_rows:,} rows", "table_rows")
    # 16 bytes a value is what a text cell costs in memory at the least (polars' string view).
    estimate = max(stored, rows * columns * 16)
    if estimate > limits.parquet_uncompressed_bytes:
        raise _too_big(
            file,
            f"about {estimate:,} bytes uncompressed",
            f"{limits.parquet_uncompressed_bytes:,} bytes",
            "parquet_uncompressed_bytes",
        )
    return meta


def _read_parquet(data: bytes, file: str, table: str, limits: Limits) -> RawTable:
    if len(data) < 12 or not (data.startswith(_PARQUET_MAGIC) and data.endswith(_PARQUET_MAGIC)):
        raise _error(file, "not a Parquet file (it does not begin and end with 'PAR1'); expected a .parquet file")
    meta = _check_parquet_size(data, file, limits)
    import pyarrow.parquet as pq

    # pyarrow, not polars, decodes the bytes: on a damaged file polars' reader can panic (and print a Rust
    # backtrace) where pyarrow raises a plain error.
    try:
        # ParquetFile.read, not pq.read_table: the dataset layer costs ~0.2 s CPU per call, the file reader ~3 ms.
        arrow = pq.ParquetFile(io.BytesIO(data), metadata=meta).read(use_threads=False)
        arrow.validate(full=True)  # e.g. text that is not UTF-8, which pyarrow's reader lets through
        converted = pl.from_arrow(arrow)
    except (Exception, pl.exceptions.PanicException) as exc:  # a parser on untrusted bytes: any failure is "broken"
        raise _error(file, f"broken Parquet file ({_why(exc)}); expected a readable .parquet file") from None
    if not isinstance(converted, pl.DataFrame):
        raise _error(file, "the Parquet file holds no table; expected one table with named columns")
    frame = converted
    problems: list[Problem] = []
    exprs: list[pl.Expr] = []
    seen: dict[str, str] = {}
    kinds = {c.name: c.kind for c in TABLE_SPECS[table].columns}
    for name, dtype in frame.schema.items():
        norm = normalise_header(name)
        typed = _typed_expr(name, dtype, kinds.get(norm))
        expr = typed if typed is not None else _text_expr(name, dtype)
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
        raise InventoryError(problems)
    try:
        out = frame.select(pl.int_range(2, frame.height + 2, dtype=pl.Int64).alias(ROW), *exprs)
        out, longest = _tidy(out)
    except (Exception, pl.exceptions.PanicException) as exc:
        raise _error(file, f"Parquet columns could not be read as text ({_why(exc)})") from None
    _check_cells(out, file, limits, longest)
    return RawTable(table, file, out, 1, _sha256(data))


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
    blank = pl.all_horizontal(pl.exclude(ROW).is_null())
    stats = frame.select(
        *((pl.col(n).dt.year().is_between(lo, hi) | pl.col(n).is_null()).all().alias(n) for n in dates),
        *(((pl.col(n).abs() < _TYPED_INT_BELOW) | pl.col(n).is_null()).all().alias(n) for n in ints),
        blank.any().alias(ROW),
        *([pl.max_horizontal(pl.col(c).str.len_bytes().max() for c in texts).alias("")] if texts else []),
    ).row(0, named=True)
    if stats.pop(ROW):
        frame = frame.filter(~blank)
    longest = stats.pop("", None)
    unusual = [n for n, ok in stats.items() if not ok]
    if unusual:
        frame = frame.with_columns(_as_text(n, schema[n]) for n in unusual)
        longest = None  # measured again with the new text columns
    return frame, longest


def _check_cells(frame: pl.DataFrame, file: str, limits: Limits, longest: int | None = None) -> None:
    """Cells over `cell_chars` are refused (vectorised) before any check quotes or compares them. `longest`:
    the longest cell in bytes where already known."""
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
            raise _cell_too_long(file, limits, long.item(0, 0), name)


# -- shared ------------------------------------------------------------------------------------------------


def _table_from_records(
    records: Iterable[tuple[int, Sequence[str | None]]], file: str, table: str, sha256: str, limits: Limits
) -> RawTable:
    """Header = the first non-blank record; then data rows, skipping blank ones, checked for their width."""
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
        if len(values) > len(header):
            extra = values[len(header) :]
            if any(v is not None and v.strip() for v in extra):
                if len(problems) < _MAX_READ_ERRORS:
                    problems.append(
                        Problem(
                            file, row, None, f"row has {len(values)} values but the header has {len(header)} columns"
                        )
                    )
                continue
            values = values[: len(header)]
        values.extend([None] * (len(header) - len(values)))
        if len(rows) >= limits.table_rows:
            raise _too_big(file, f"over {limits.table_rows:,} rows", f"{limits.table_rows:,} rows", "table_rows", row)
        for col, value in zip(columns, values, strict=True):
            col.append(value)
        rows.append(row)
    if header is None:
        raise _error(file, "the file has no header line; expected the column names on the first line")

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
        raise InventoryError(problems)
    frame = pl.DataFrame(
        {ROW: rows, **data}, schema={ROW: pl.Int64(), **{name: pl.String() for name in data}}, strict=False
    )
    _check_cells(frame, file, limits)
    return RawTable(table, file, frame, header_row, sha256)


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


_READERS = {".csv": _read_csv, ".xlsx": _read_xlsx, ".parquet": _read_parquet}


def read_table_bytes(data: bytes, file: str, table: str, limits: Limits | None = None) -> RawTable:
    """Read `table` from the bytes of `file` (its suffix picks the format). Raises only `InventoryError`."""
    if table not in TABLE_SPECS:
        raise ValueError(f"unknown table {table!r}")
    limits = limits or Limits.from_env()
    reader = _READERS.get(Path(file).suffix.lower())
    if reader is None:
        raise _error(file, f"unsupported file type; expected {', '.join(TABLE_SUFFIXES)}")
    if len(data) > limits.file_bytes:
        raise _too_big(file, f"{len(data):,} bytes", f"{limits.file_bytes:,} bytes", "file_bytes")
    return reader(data, file, table, limits)


def read_table(path: Path, table: str, limits: Limits | None = None) -> RawTable:
    limits = limits or Limits.from_env()
    try:
        data = read_file(path, limits.file_bytes)
    except FileNotFoundError:
        raise _error(path.name, "the file disappeared while the folder was read") from None
    return read_table_bytes(data, path.name, table, limits)


# -- profile.yaml -------------------------------------------------------------------------------------------


def _key_lines(node: yaml.Node, path: str, out: list[tuple[int, str]]) -> None:
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            name = str(key.value) if isinstance(key, yaml.ScalarNode) else "?"
            sub = f"{path}.{name}" if path else name
            out.append((key.start_mark.line + 1, sub))
            _key_lines(value, sub, out)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            sub = f"{path}[{index}]"
            out.append((item.start_mark.line + 1, sub))
            _key_lines(item, sub, out)


class _YamlRefusedError(Exception):
    def __init__(self, line: int | None, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


def _strict_loader(max_depth: int) -> type[yaml.SafeLoader]:
    """A safe loader that refuses aliases and anchors (no "billion laughs": nothing is ever expanded), duplicate
    keys (no silent last-one-wins) and nesting deeper than `max_depth`, each with its line."""

    class StrictLoader(yaml.SafeLoader):
        depth = 0

        def compose_node(self, parent: yaml.Node | None, index: int) -> yaml.Node | None:
            event = self.peek_event()  # type: ignore[no-untyped-call]
            line = event.start_mark.line + 1 if event.start_mark else None
            if isinstance(event, yaml.AliasEvent):
                raise _YamlRefusedError(line, "YAML aliases (*name) are not allowed; write the value out")
            if getattr(event, "anchor", None):
                raise _YamlRefusedError(line, "YAML anchors (&name) are not allowed; write the values out")
            self.depth += 1
            try:
                if self.depth > max_depth:
                    raise _YamlRefusedError(line, f"nested deeper than {max_depth} levels (yaml_depth)")
                node = super().compose_node(parent, index)
            finally:
                self.depth -= 1
            if isinstance(node, yaml.MappingNode):
                seen: dict[str, int] = {}
                for key, _ in node.value:
                    name = str(key.value) if isinstance(key, yaml.ScalarNode) else "?"
                    if name in seen:
                        raise _YamlRefusedError(
                            key.start_mark.line + 1,
                            f"duplicate key {excerpt(name, 40)} (first on line {seen[name]}); "
                            "YAML would silently keep only the last one",
                        )
                    seen[name] = key.start_mark.line + 1
            return node

    return StrictLoader


def read_profile_bytes(data: bytes, file: str = PROFILE_FILE, limits: Limits | None = None) -> RawProfile:
    """Parse `profile.yaml` (safe YAML, no aliases, anchors or duplicate keys). Raises only `InventoryError`."""
    limits = limits or Limits.from_env()
    if len(data) > limits.yaml_bytes:
        raise _too_big(file, f"{len(data):,} bytes", f"{limits.yaml_bytes:,} bytes", "yaml_bytes")
    text = _decode(data, file)
    loader: yaml.SafeLoader | None = None
    try:
        loader = _strict_loader(limits.yaml_depth)(text)  # its reader refuses control characters at once
        node = loader.get_single_node()
        value = loader.construct_document(node) if node is not None else None
        lines: list[tuple[int, str]] = []
        if node is not None:
            _key_lines(node, "", lines)
    except _YamlRefusedError as exc:
        raise _error(file, exc.message, row=exc.line) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        what = " ".join(str(p) for p in (exc.context, exc.problem) if p)
        raise _error(
            file, f"not valid YAML: {scrub(what)[:200] or 'syntax error'}", row=None if mark is None else mark.line + 1
        ) from None
    except (yaml.YAMLError, ValueError, TypeError, OverflowError, RecursionError) as exc:
        # e.g. `2024-13-45` is a YAML date that does not exist (ValueError)
        raise _error(file, f"not valid YAML ({_why(exc)})") from None
    finally:
        if loader is not None:
            loader.dispose()
    lines.sort(key=lambda item: item[0])  # stable: a key and its first item on one line keep their order
    return RawProfile(file, value, text, tuple(lines), _sha256(data))


def read_profile(path: Path, limits: Limits | None = None) -> RawProfile:
    limits = limits or Limits.from_env()
    try:
        data = read_file(path, limits.yaml_bytes, "yaml_bytes")
    except FileNotFoundError:
        raise _error(
            PROFILE_FILE,
            "profile.yaml is missing; expected org_number, name, org_form, institution_type, dsop_services, vendors",
        ) from None
    return read_profile_bytes(data, path.name, limits)
