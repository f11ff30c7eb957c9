"""The action list's zip with fixed entry dates: xlsxwriter dates every entry 1980-01-01, and the workbook's bytes
must depend on the input alone (`as_of`), never on the run, so two runs on the same input give the same file."""

from __future__ import annotations

import io
import struct
import zipfile
from datetime import date
from typing import BinaryIO

__all__ = ["restamped", "rezip", "zip_time"]


def zip_time(as_of: date) -> tuple[int, int, int, int, int, int]:
    day = max(as_of, date(1980, 1, 1))  # the earliest time a zip entry can carry
    return (day.year, day.month, day.day, 0, 0, 0)


def rezip(workbook: bytes, fh: BinaryIO, stamp: tuple[int, int, int, int, int, int]) -> None:
    """Copy the workbook's zip into `fh` with every entry dated `stamp` (xlsxwriter dates them 1980-01-01)."""
    with zipfile.ZipFile(io.BytesIO(workbook)) as src, zipfile.ZipFile(fh, "w", zipfile.ZIP_DEFLATED) as out:
        for info in src.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=stamp)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.create_system = 0  # the same bytes on every platform
            entry.external_attr = 0
            out.writestr(entry, src.read(info.filename))


def restamped(workbook: bytes, stamp: tuple[int, int, int, int, int, int]) -> bytes | None:
    """The bytes `rezip` makes of `workbook`, made by setting each entry's date (and its "made on" system, which
    `rezip` sets to 0) in place: both zips come from the same zipfile deflate of the same data, so nothing else
    differs. None when the zip is not laid out as xlsxwriter writes it (then `rezip` does the work)."""
    end = len(workbook) - 22  # the end record, with no comment
    if end < 0 or workbook[end : end + 4] != b"PK\x05\x06":
        return None
    entries, _size, offset = struct.unpack_from("<HII", workbook, end + 10)
    year, month, day = stamp[:3]
    dos_date = (year - 1980) << 9 | month << 5 | day
    out = bytearray(workbook)
    pos = offset
    for _ in range(entries):
        if workbook[pos : pos + 4] != b"PK\x01\x02":
            return None
        made_by, _needed, flags = struct.unpack_from("<HHH", workbook, pos + 4)
        names, extra, comment = struct.unpack_from("<HHH", workbook, pos + 28)
        (local,) = struct.unpack_from("<I", workbook, pos + 42)
        if flags & 0x08 or stamp[3:] != (0, 0, 0) or workbook[local : local + 4] != b"PK\x03\x04":
            return None  # a data descriptor, or a time of day: let zipfile write it
        struct.pack_into("<HHH", out, pos + 4, made_by & 0xFF, _needed, flags)
        struct.pack_into("<HH", out, pos + 12, 0, dos_date)
        struct.pack_into("<HH", out, local + 10, 0, dos_date)
        pos += 46 + names + extra + comment
    return bytes(out) if pos == end else None
