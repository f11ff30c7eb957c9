"""What every file reader shares: the located read error, reading a regular file under a size limit, UTF-8 text.

A reader on untrusted bytes raises only `FileReadError`, with a problem that says which file, what was found and
what is expected; no other exception escapes, whatever the bytes. The layer above (the inventory) translates it
into its own error type.
"""

from __future__ import annotations

import codecs
import hashlib
import os
import stat
from pathlib import Path

from altinn_analysis.checks import LocatedError, Problem
from altinn_analysis.secret_guard import scrub
from altinn_analysis.sources._limits import Limits

__all__ = [
    "FileReadError",
    "cell_too_long",
    "decode_utf8",
    "file_kind",
    "is_hidden",
    "list_folder",
    "not_regular",
    "read_error",
    "read_file",
    "sha256_hex",
    "too_big",
    "why",
]


class FileReadError(LocatedError):
    """A file that cannot be read as what it should be. `problems` holds every problem found, each located."""

    what = "unreadable file"


def read_error(file: str, message: str, row: int | None = None, column: str | None = None) -> FileReadError:
    return FileReadError([Problem(file, row, column, message)])


def why(exc: BaseException) -> str:
    """A third-party parser's exception, short and scrubbed: its text can quote file content (and it goes through
    Problem's redaction anyway)."""
    text = str(exc)[:400].strip()
    text = scrub(text.splitlines()[0]) if text else ""
    text = text if len(text) <= 120 else text[:117] + "…"
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def too_big(file: str, found: str, limit: str, name: str, row: int | None = None) -> FileReadError:
    return read_error(
        file,
        f"over the limit: {found}, the limit is {limit} ({name}); raise it for a big institution with "
        f"--limit {name}=N or ALTINN_ANALYSIS_LIMIT_{name.upper()}",
        row=row,
    )


def cell_too_long(file: str, limits: Limits, row: int | None = None, column: str | None = None) -> FileReadError:
    return read_error(
        file,
        f"a cell holds more than {limits.cell_chars:,} characters (cell_chars); an inventory cell is a code, "
        "a date, a number or a short name — raise the limit with --limit cell_chars=N if this is intended",
        row=row,
        column=column,
    )


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# -- files and folders --------------------------------------------------------------------------------------


def is_hidden(name: str) -> bool:
    """Excel's lock files (~$x.xlsx) and hidden files are not the user's data."""
    return name.startswith(("~$", "."))


def list_folder(directory: Path, what: str) -> list[Path]:
    """The folder's entries, sorted; `what` names the problem's file when the folder cannot be listed."""
    try:
        return sorted(directory.iterdir())
    except OSError as exc:
        raise read_error(what, f"cannot list the inventory folder: {why(exc)}") from None


def file_kind(path: Path) -> str | None:
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


def not_regular(path: Path, kind: str) -> FileReadError:
    return read_error(
        path.name,
        f"{path.name} is {kind}; an inventory reads only regular files inside its own folder and never follows "
        "links: copy the file itself into the folder",
    )


def read_file(path: Path, max_bytes: int, what: str = "file_bytes") -> bytes:
    """The bytes of a regular file, refusing links and special files (not followed, not blocked on) and files
    over `max_bytes` (checked before reading). Raises `FileReadError`, or `FileNotFoundError` for a missing file
    (the caller knows what a missing file means)."""
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(path, flags)
    except FileNotFoundError:
        raise
    except OSError as exc:
        kind = file_kind(path)
        if kind is not None:
            raise not_regular(path, kind) from None
        raise read_error(path.name, f"cannot read the file: {why(exc)}") from None
    with os.fdopen(fd, "rb") as fh:
        info = os.fstat(fh.fileno())
        if not stat.S_ISREG(info.st_mode):
            raise not_regular(path, file_kind(path) or "not a regular file")
        if info.st_size > max_bytes:
            raise too_big(path.name, f"{info.st_size:,} bytes", f"{max_bytes:,} bytes", what)
        # The size fstat gave and a byte more, where a file that grew shows: a read of the whole limit at once
        # would allocate all of it first (0.15 ms a file at 512 MiB).
        data = fh.read(info.st_size + 1)
        if len(data) > info.st_size:
            data += fh.read(max_bytes + 1 - len(data))
    if len(data) > max_bytes:  # grew while being read
        raise too_big(path.name, f"over {max_bytes:,} bytes", f"{max_bytes:,} bytes", what)
    return data


# -- text ---------------------------------------------------------------------------------------------------


def decode_utf8(data: bytes, file: str) -> str:
    """UTF-8 with or without BOM; anything else is a clear error."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise read_error(
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
        raise read_error(
            file,
            f"{found}. Expected UTF-8 (with or without BOM): in Excel use Save As → 'CSV UTF-8 (Comma "
            f"delimited)', or re-encode the file as UTF-8",
            row=line,
        ) from None
