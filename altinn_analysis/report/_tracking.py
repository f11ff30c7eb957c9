"""The columns people fill in on the action list (owner, progress, comment), carried over to the next run's
workbook: read from the previous workbook by finding id, in either language, from every findings sheet."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from altinn_analysis.report._actions_layout import HEADERS, TRACKING, clean
from altinn_analysis.sources import (
    UNREAD,
    FileReadError,
    Limits,
    TextSheet,
    atomic_file,
    open_workbook,
    read_file,
    read_xlsx_text,
)

__all__ = ["previous_workbook", "read_tracking", "seed_tracking"]

# An earlier workbook is a file people edit and pass around: read under the inventory's guards (regular file, no
# link followed, zip-bomb checks), with a smaller size cap than an inventory file.
_TRACKING_LIMITS = Limits(file_bytes=20 * 1024 * 1024)


def read_tracking(path: str | Path) -> dict[str, dict[str, str]]:
    """Owner, progress and comment per finding id from an earlier action workbook (either language), read from
    every findings sheet; the first non-empty value wins. A missing, unreadable or oversized file gives {}.

    The workbook's text is read straight from its XML (`read_xlsx_text`); openpyxl reads it instead when a
    cell that matters holds something other than text (a number, a date, a formula), so both give the same."""
    try:
        # Only the columns read below, and not the summary sheet in front (no findings there).
        sheets = read_xlsx_text(Path(path), _TRACKING_LIMITS, _HEADERS, skip=1)
    except (FileReadError, OSError):  # an earlier file someone broke must not stop this run: start afresh
        return {}
    fast = _from_text(sheets) if sheets is not None else None
    return fast if fast is not None else _read_with_openpyxl(path)


_WANTED = {h: c for c in ("finding_id", *TRACKING) for h in HEADERS[c]}
_HEADERS = frozenset(_WANTED)


def _from_text(sheets: list[TextSheet]) -> dict[str, dict[str, str]] | None:
    """As `_read_with_openpyxl` on the sheets' text, or None when a cell that matters is not text."""
    out: dict[str, dict[str, str]] = {}
    for ws in sheets:
        header = ws.rows.get(1, {})
        where = {_WANTED[h]: i for i, h in sorted(header.items()) if isinstance(h, str) and h in _WANTED}
        if "finding_id" not in where or not set(TRACKING) & set(where):
            continue
        for number in sorted(ws.rows):
            if number == 1:
                continue
            row = ws.rows[number]
            fid = row.get(where["finding_id"])
            if fid is UNREAD:
                return None
            if fid is None:
                continue
            kept = out.setdefault(str(fid), {})
            for column in TRACKING:
                i = where.get(column)
                value = row.get(i) if i is not None else None
                if value is UNREAD:
                    return None
                if value not in (None, "") and column not in kept:
                    kept[column] = clean(str(value))
    return {fid: kept for fid, kept in out.items() if kept}


def _read_with_openpyxl(path: str | Path) -> dict[str, dict[str, str]]:
    try:
        wb = open_workbook(Path(path), _TRACKING_LIMITS, formulas=True)
    except (FileReadError, OSError):
        return {}
    wanted = _WANTED
    out: dict[str, dict[str, str]] = {}
    try:
        for ws in wb.worksheets[1:]:
            rows = ws.iter_rows(values_only=True)
            header = next(rows, None) or ()
            where = {wanted[str(h)]: i for i, h in enumerate(header) if h is not None and str(h) in wanted}
            if "finding_id" not in where or not set(TRACKING) & set(where):
                continue
            for row in rows:
                fid = row[where["finding_id"]] if where["finding_id"] < len(row) else None
                if fid is None:
                    continue
                kept = out.setdefault(str(fid), {})
                for column in TRACKING:
                    i = where.get(column)
                    value = row[i] if i is not None and i < len(row) else None
                    if value not in (None, "") and column not in kept:
                        kept[column] = clean(str(value))
    finally:
        wb.close()
    return {fid: kept for fid, kept in out.items() if kept}


def previous_workbook(out_root: Path, as_of: date, org_number: str) -> Path | None:
    """The institution's latest earlier action workbook under a report root (`<out_root>/<date>/<org>/`): the
    one for `as_of` itself if there is one, else the newest from an earlier date."""
    folders = []
    for run in out_root.iterdir() if out_root.is_dir() else ():
        try:
            day = date.fromisoformat(run.name)
        except ValueError:
            continue
        if day <= as_of and (run / org_number / "actions.xlsx").is_file():
            folders.append((day, run / org_number / "actions.xlsx"))
    return max(folders)[1] if folders else None


def seed_tracking(out_root: Path, as_of: date, org_number: str, folder: Path) -> None:
    """Copy the previous workbook into `folder` (where the new one is written), so its owner, progress and
    comment columns are carried over when the report replaces it."""
    source = previous_workbook(out_root, as_of, org_number)
    if source is None:
        return
    try:
        data = read_file(source, _TRACKING_LIMITS.file_bytes)  # never through a link someone put there
    except (FileReadError, OSError):
        return
    with atomic_file(folder / "actions.xlsx") as fh:
        fh.write(data)
