"""An inventory folder's files: which file holds which table, and reading them as the inventory's schema says.

The formats themselves (CSV, XLSX, Parquet, strict YAML) and the limits are read in `sources`; here the schema
adds what a reader needs to know (column names, which columns are dates and counts) and its `FileReadError`
becomes an `InventoryError` with the same problems.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Literal

from altinn_analysis.inventory._files import PROFILE_FILE, TABLE_SUFFIXES, inventory_files, is_table_name
from altinn_analysis.inventory._problem import InventoryError, Problem
from altinn_analysis.inventory._schema import TABLE_SPECS
from altinn_analysis.sources import (
    FileReadError,
    Limits,
    ParquetFile,
    RawTable,
    TableLayout,
    YamlDocument,
    file_kind,
    is_hidden,
    list_folder,
    not_regular,
    open_parquet,
    read_parquet_group,
    read_yaml,
    read_yaml_bytes,
)
from altinn_analysis.sources import (
    read_table as read_any_table,
)
from altinn_analysis.sources import (
    read_table_bytes as read_any_table_bytes,
)

__all__ = [
    "LAYOUTS",
    "find_table_file",
    "folder_entries",
    "open_parquet_table",
    "other_files",
    "read_parquet_tables",
    "read_profile",
    "read_profile_bytes",
    "read_table",
    "read_table_bytes",
]


def _typed_kinds(table: str) -> dict[str, Literal["date", "count"]]:
    kinds: dict[str, Literal["date", "count"]] = {}
    for column in TABLE_SPECS[table].columns:
        if column.kind == "date" or column.kind == "count":
            kinds[column.name] = column.kind
    return kinds


# What each table's reader is told: its column names and which of them are dates and counts.
LAYOUTS: dict[str, TableLayout] = {
    name: TableLayout(name, spec.column_names, _typed_kinds(name)) for name, spec in TABLE_SPECS.items()
}


@contextlib.contextmanager
def _as_inventory_error() -> Iterator[None]:
    try:
        yield
    except FileReadError as exc:
        raise InventoryError(exc.problems) from None


def _error(file: str, message: str) -> InventoryError:
    return InventoryError([Problem(file, None, None, message)])


# -- finding files ------------------------------------------------------------------------------------------


def other_files(directory: str | Path) -> list[Path]:
    """Entries of an inventory folder that no table or profile reads (they are ignored; `validate` lists them)."""
    directory = Path(directory)
    try:
        entries = sorted(directory.iterdir())
    except OSError:
        return []
    used = set(inventory_files(directory))
    return [p for p in entries if p not in used and not is_hidden(p.name) and not is_table_name(p)]


def folder_entries(directory: Path) -> list[Path] | None:
    """The folder's entries, sorted, to find every table in one listing; None when it cannot be listed (then
    `find_table_file` lists it again and says why, for each table)."""
    try:
        return list_folder(directory, PROFILE_FILE)
    except FileReadError:
        return None


def find_table_file(directory: Path, table: str, entries: Sequence[Path] | None = None) -> Path:
    """The one file holding `table` (`<table>.csv|.xlsx|.parquet`, any letter case). A link or special file
    with that name is refused, never followed. `entries`: the folder as `folder_entries` listed it."""
    expected = ", ".join(f"{table}{s}" for s in TABLE_SUFFIXES)
    if entries is None:
        with _as_inventory_error():
            entries = list_folder(directory, table)
    candidates = [p for p in entries if p.stem.lower() == table and not is_hidden(p.name)]
    for path in candidates:
        if (kind := file_kind(path)) is not None and path.suffix.lower() in TABLE_SUFFIXES:
            raise InventoryError(not_regular(path, kind).problems)
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


# -- reading ------------------------------------------------------------------------------------------------


def read_table_bytes(data: bytes, file: str, table: str, limits: Limits | None = None) -> RawTable:
    """Read `table` from the bytes of `file` (its suffix picks the format). Raises only `InventoryError`."""
    if table not in TABLE_SPECS:
        raise ValueError(f"unknown table {table!r}")
    with _as_inventory_error():
        return read_any_table_bytes(data, file, LAYOUTS[table], limits)


def open_parquet_table(data: bytes, file: str, limits: Limits) -> ParquetFile:
    """A table's Parquet file, its footer read, for `read_parquet_tables`."""
    return open_parquet(data, file, limits)


def read_parquet_tables(files: Sequence[ParquetFile], table: str, limits: Limits) -> list[RawTable | None]:
    """Many Parquet files of `table`, those of one schema decoded together: each file's table, or None where it
    must be read on its own (`read_table_bytes`, whose problems it then gets). Never raises for bad content."""
    if table not in TABLE_SPECS:
        raise ValueError(f"unknown table {table!r}")
    return read_parquet_group(files, LAYOUTS[table], limits)


def read_table(path: Path, table: str, limits: Limits | None = None) -> RawTable:
    if table not in TABLE_SPECS:
        raise ValueError(f"unknown table {table!r}")
    try:
        with _as_inventory_error():
            return read_any_table(path, LAYOUTS[table], limits)
    except FileNotFoundError:
        raise _error(path.name, "the file disappeared while the folder was read") from None


def read_profile_bytes(data: bytes, file: str = PROFILE_FILE, limits: Limits | None = None) -> YamlDocument:
    """Parse `profile.yaml` (safe YAML, no aliases, anchors or duplicate keys). Raises only `InventoryError`."""
    with _as_inventory_error():
        return read_yaml_bytes(data, file, limits)


def read_profile(path: Path, limits: Limits | None = None) -> YamlDocument:
    try:
        with _as_inventory_error():
            return read_yaml(path, limits)
    except FileNotFoundError:
        raise _error(
            PROFILE_FILE,
            "profile.yaml is missing; expected org_number, name, org_form, institution_type, dsop_services, vendors",
        ) from None
