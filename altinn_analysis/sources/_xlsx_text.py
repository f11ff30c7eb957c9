"""The cells of a workbook's sheets as text, read straight from its XML: for the simple workbooks this project
writes and people fill in (an action list with owner, progress and comment typed in), several times faster than
openpyxl. A cell holds the text `str()` gives of the value openpyxl reads (`data_only=False`): a string, a number
in a format that is not a date, a boolean; None for an empty cell; or `UNREAD` for what openpyxl turns into its
own types (a formula, a date, an error). The caller reads the workbook with openpyxl instead when a cell it
needs is `UNREAD`, and when this returns None (a sheet without a dimension starting at A1, a cell outside it,
a DTD, XML this reader does not expect).

The file is read under the same guards as `open_workbook` (regular file, no link, size and zip-bomb limits)."""

from __future__ import annotations

import io
import posixpath
import re
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Final
from xml.etree import ElementTree as ET

from altinn_analysis.sources._limits import Limits
from altinn_analysis.sources._read_common import read_error, read_file, why
from altinn_analysis.sources._xlsx import _check_xlsx_size

__all__ = ["UNREAD", "TextSheet", "read_xlsx_text"]


class _Unread:
    def __repr__(self) -> str:
        return "UNREAD"


UNREAD: Final = _Unread()  # a cell with a value that is not text

_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_CT = "{http://schemas.openxmlformats.org/package/2006/content-types}"
_WORKSHEET = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet"
_STYLES = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles"
_SHARED_STRINGS_CT = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"
# Built-in number formats that are not dates ("General", "0", "0.00", "#,##0", "#,##0.00", "0%", "0.00%"):
# a number in one of these is the int or float openpyxl gives; any other format may make it a date.
_PLAIN_NUMBER_FORMATS = frozenset({"0", "1", "2", "3", "4", "9", "10"})
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_C, _F, _V, _IS = f"{_MAIN}c", f"{_MAIN}f", f"{_MAIN}v", f"{_MAIN}is"
_TREE_BYTES = 8 * 1024 * 1024  # a part larger than this is left to openpyxl's streaming reader


class _NotSimpleError(Exception):
    """The workbook holds something this reader leaves to openpyxl."""


@dataclass(frozen=True)
class TextSheet:
    """One worksheet: its name and rows (row number → {column number → text | None | UNREAD}), from 1."""

    name: str
    rows: dict[int, dict[int, str | _Unread | None]]
    max_row: int
    max_column: int


def read_xlsx_text(
    path: Path, limits: Limits, headers: frozenset[str] | None = None, *, skip: int = 0
) -> list[TextSheet] | None:
    """The worksheets of the workbook at `path` in workbook order (chart sheets left out, as openpyxl's
    `worksheets`), or None when the workbook is not one this reader reads exactly as openpyxl would. Raises
    `FileReadError` (not a workbook, too big, a zip bomb) or `FileNotFoundError`, as `open_workbook` does.

    With `headers`, below a sheet's first row only the columns whose first-row text is one of `headers` are
    read (the others are left out of `rows`): a caller that needs a few columns by name skips the rest. The
    first `skip` worksheets are left out unread (openpyxl's `worksheets[skip:]`)."""
    data = read_file(path, limits.file_bytes)
    if data.startswith(_OLE_MAGIC) or not zipfile.is_zipfile(io.BytesIO(data)):
        raise read_error(path.name, "not an .xlsx workbook")
    _check_xlsx_size(data, path.name, limits)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return _sheets(archive, headers, skip)
    except _NotSimpleError:
        return None
    except (ET.ParseError, KeyError, ValueError, zipfile.BadZipFile, zlib.error, EOFError) as exc:
        del exc  # openpyxl decides what a broken part means
        return None
    except OSError as exc:
        raise read_error(path.name, f"not a readable .xlsx workbook ({why(exc)})") from None


def _xml(archive: zipfile.ZipFile, name: str) -> bytes:
    """A part to parse as a whole: small (a tree of a large part would not be; openpyxl streams it) and without
    a DTD (no entity expansion here: openpyxl's rules apply). Only single-byte-ASCII-compatible text is looked
    at: in UTF-16 or UTF-32 (a NUL in every ASCII character) a DTD would not show as these bytes."""
    if archive.getinfo(name).file_size > _TREE_BYTES:
        raise _NotSimpleError(f"{name} is large")
    data = archive.read(name)
    if len(data) > _TREE_BYTES or b"\x00" in data or b"<!DOCTYPE" in data or b"<!ENTITY" in data:
        raise _NotSimpleError(name)
    return data


def _rels(archive: zipfile.ZipFile, name: str) -> dict[str, tuple[str, str]]:
    """Relationship id → (type, part name) for the part `name`, targets resolved as openpyxl resolves them."""
    folder, base = posixpath.split(name)
    rels_name = posixpath.join(folder, "_rels", base + ".rels")
    out = {}
    for rel in ET.fromstring(_xml(archive, rels_name)).iter(f"{_PKG_REL}Relationship"):
        target = rel.get("Target", "")
        if rel.get("TargetMode") == "External":
            continue
        part = target[1:] if target.startswith("/") else posixpath.normpath(posixpath.join(folder, target))
        out[rel.get("Id", "")] = (rel.get("Type", ""), part)
    return out


def _text(node: ET.Element) -> str:
    """A string item's text as openpyxl's `Text.content`: the plain `t`, then each rich-text run's `t`."""
    plain = node.findall(f"{_MAIN}t")
    if len(plain) > 1:
        raise _NotSimpleError("two plain texts in one string")
    snippets = [plain[0].text] if plain and plain[0].text is not None else []
    for run in node.findall(f"{_MAIN}r"):
        t = run.find(f"{_MAIN}t")
        if t is not None and t.text is not None:
            snippets.append(t.text)
    return "".join(snippets)


def _sheets(archive: zipfile.ZipFile, headers: frozenset[str] | None, skip: int = 0) -> list[TextSheet]:
    names = set(archive.namelist())
    if "xl/workbook.xml" not in names:
        raise _NotSimpleError("no xl/workbook.xml")
    types = ET.fromstring(_xml(archive, "[Content_Types].xml"))
    shared_parts = [
        str(o.get("PartName", "")).lstrip("/")
        for o in types.iter(f"{_CT}Override")
        if o.get("ContentType") == _SHARED_STRINGS_CT
    ]
    if len(shared_parts) > 1:
        raise _NotSimpleError("several shared-string parts")
    shared: list[str] = []
    if shared_parts:
        root = ET.fromstring(_xml(archive, shared_parts[0]))
        shared = [_text(si).replace("x005F_", "") for si in root.iter(f"{_MAIN}si")]
    rels = _rels(archive, "xl/workbook.xml")
    plain = _plain_styles(archive, [part for kind, part in rels.values() if kind == _STYLES])
    book = ET.fromstring(_xml(archive, "xl/workbook.xml"))
    out = []
    worksheets = 0
    for sheet in book.iter(f"{_MAIN}sheet"):
        kind, part = rels.get(sheet.get(f"{_REL}id", ""), ("", ""))
        if kind != _WORKSHEET:
            if kind.endswith("/chartsheet"):
                continue
            raise _NotSimpleError(f"sheet {sheet.get('name')!r} of type {kind!r}")
        worksheets += 1
        if worksheets > skip:  # a sheet the caller does not read is not parsed either
            out.append(_sheet(str(sheet.get("name", "")), _xml(archive, part), shared, plain, headers))
    return out


def _plain_styles(archive: zipfile.ZipFile, parts: list[str]) -> frozenset[int]:
    """The cell style indices whose number format is a plain built-in one (never a date)."""
    if len(parts) != 1:
        return frozenset()
    xfs = ET.fromstring(_xml(archive, parts[0])).find(f"{_MAIN}cellXfs")
    if xfs is None:
        return frozenset()
    found = xfs.findall(f"{_MAIN}xf")
    return frozenset(i for i, xf in enumerate(found) if xf.get("numFmtId", "0") in _PLAIN_NUMBER_FORMATS)


_CELL_REF = re.compile(r"([A-Z]{1,3})([1-9][0-9]{0,6})")
_COLUMNS: dict[str, int] = {}


def _column(letters: str) -> int:
    number = _COLUMNS.get(letters)
    if number is None:
        number = 0
        for ch in letters:
            number = number * 26 + (ord(ch) - 64)
        _COLUMNS[letters] = number
    return number


_REFS: dict[str, tuple[int, int]] = {}  # the references seen: every workbook names the same first cells


def _coordinate(ref: str) -> tuple[int, int]:
    """ "K12" → (12, 11)."""
    known = _REFS.get(ref)
    if known is not None:
        return known
    found = _CELL_REF.fullmatch(ref)
    if found is None:
        raise _NotSimpleError(f"cell reference {ref!r}")
    made = int(found[2]), _column(found[1])
    if len(_REFS) < 200_000:  # bounded: a few MB at most
        _REFS[ref] = made
    return made


def _sheet(
    name: str, data: bytes, shared: list[str], plain: frozenset[int], headers: frozenset[str] | None = None
) -> TextSheet:
    root = ET.fromstring(data)
    dim = root.find(f"{_MAIN}dimension")
    if dim is None:
        raise _NotSimpleError("no dimension")
    ref = str(dim.get("ref", ""))
    first, _, last = ref.partition(":")
    if _coordinate(first) != (1, 1):
        raise _NotSimpleError(f"dimension {ref!r}")
    max_row, max_column = _coordinate(last or first)
    rows: dict[int, dict[int, str | _Unread | None]] = {}
    last_row = 0
    keep: set[int] | None = None  # with `headers`: the columns read below the first row, once it is read
    for el in root.iterfind(f"{_MAIN}sheetData/{_MAIN}row"):
        number = int(el.get("r") or "0")
        if number <= last_row or number > max_row:
            raise _NotSimpleError(f"row {number}")
        cells: dict[int, str | _Unread | None] = {}
        last_column = 0
        for c in el:
            row, column = _coordinate(str(c.get("r", "")))
            if row != number or column <= last_column or column > max_column or c.tag != _C:
                raise _NotSimpleError(f"cell {c.get('r')!r}")
            last_column = column
            if keep is None or column in keep:
                cells[column] = _value(c, shared, plain)
        rows[number] = cells
        last_row = number
        if headers is not None and keep is None:
            header = rows.get(1, {})
            keep = {column for column, value in header.items() if isinstance(value, str) and value in headers}
    return TextSheet(name, rows, max_row, max_column)


def _value(c: ET.Element, shared: list[str], plain: frozenset[int]) -> str | _Unread | None:
    """`str()` of the cell's value as openpyxl reads it (`data_only=False`), or None, or UNREAD."""
    if not len(c):
        return None  # a styled empty cell: most cells of a sheet written with formats
    if c.find(_F) is not None:
        return UNREAD  # openpyxl gives "=" + the formula
    kind = c.get("t", "n")
    if kind == "inlineStr":
        inline = c.find(_IS)
        return None if inline is None else _text(inline)
    value = c.findtext(_V) or None
    if value is None:
        return None
    if kind == "s":
        index = int(value)
        return shared[index] if 0 <= index < len(shared) else UNREAD
    if kind == "str":
        return value
    if kind == "n" and int(c.get("s") or 0) in plain:
        return str(float(value) if ("." in value or "E" in value or "e" in value) else int(value))
    if kind == "b":
        return str(bool(int(value)))
    return UNREAD
