"""Write a pulled inventory folder: every table in the format it already has, plus `pull.json`, atomically.

All files are first written beside their targets under temporary names and only then renamed into place, so a
failure while writing leaves the previous files as they were (a failing source never gets this far).
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import polars as pl

__all__ = ["PULL_RECORD", "write_pulled_inventory"]

PULL_RECORD = "pull.json"
_SUFFIXES = (".csv", ".xlsx", ".parquet")


def _existing(directory: Path, table: str) -> Path:
    for path in sorted(directory.glob("*")):
        if path.stem.lower() == table and path.suffix.lower() in _SUFFIXES and not path.name.startswith(("~$", ".")):
            return path
    return directory / f"{table}.csv"


def _as_text(frame: pl.DataFrame) -> pl.DataFrame:
    out = []
    for name, dtype in frame.schema.items():
        col = pl.col(name)
        if isinstance(dtype, pl.List):
            out.append(col.list.join(" ").alias(name))
        elif isinstance(dtype, pl.Date):
            out.append(col.dt.to_string("%Y-%m-%d").alias(name))
        else:
            out.append(col.cast(pl.String).alias(name))
    return frame.select(out)


def _write(frame: pl.DataFrame, target: Path, temp: Path) -> None:
    suffix = target.suffix.lower()
    if suffix == ".parquet":
        frame.write_parquet(temp)
    elif suffix == ".xlsx":
        from openpyxl import Workbook

        book = Workbook()
        sheet = book.active
        text = _as_text(frame)
        sheet.append(text.columns)
        for row in text.iter_rows():
            sheet.append(list(row))
        book.save(temp)
    else:
        _as_text(frame).write_csv(temp)


def write_pulled_inventory(
    directory: str | Path,
    tables: Mapping[str, pl.DataFrame],
    record: Mapping[str, Any],
    *,
    profile_yaml: str | None = None,
) -> list[Path]:
    """Replace the tables (and `profile.yaml` when given) and `pull.json` in `directory`; returns the paths."""
    folder = Path(directory)
    folder.mkdir(parents=True, exist_ok=True)
    staged: list[tuple[Path, Path]] = []
    try:
        for table, frame in tables.items():
            target = _existing(folder, table)
            fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=target.suffix, dir=folder)
            os.close(fd)
            _write(frame, target, Path(name))
            staged.append((Path(name), target))
        extra = {PULL_RECORD: json.dumps(record, indent=2, ensure_ascii=False) + "\n"}
        if profile_yaml is not None:
            extra["profile.yaml"] = profile_yaml
        for file, text in extra.items():
            fd, name = tempfile.mkstemp(prefix=f".{file}.", dir=folder)
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(text)
                handle.flush()
                os.fsync(handle.fileno())
            staged.append((Path(name), folder / file))
    except BaseException:
        for temp, _ in staged:
            with contextlib.suppress(OSError):
                temp.unlink()
        raise
    for temp, target in staged:
        temp.replace(target)
    return [target for _, target in staged]
