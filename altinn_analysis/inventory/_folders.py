"""Reading inventory folders, before their tables are checked: one folder (`read_folder`), or many (`read_folders`,
the many-folders path) with the Parquet files of several folders that share a schema decoded together. Either way
each folder is what reading it alone gives: the same tables, the same problems word for word."""

from __future__ import annotations

import functools
from collections.abc import Callable, Collection, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from altinn_analysis.inventory._problem import InventoryError, Problem
from altinn_analysis.inventory._profile import Profile, check_profile
from altinn_analysis.inventory._readers import (
    find_table_file,
    folder_entries,
    open_parquet_table,
    read_parquet_tables,
    read_profile,
    read_table,
    read_table_bytes,
)
from altinn_analysis.inventory._schema import PROFILE_FILE, TABLES
from altinn_analysis.inventory._validate import CatalogueLookups
from altinn_analysis.sources import Limits, ParquetFile, RawTable, read_file

__all__ = ["GROUP_ROWS", "Folder", "open_folder", "read_folder", "read_folders"]


@dataclass
class Folder:
    """One folder as read, before its tables are checked: the profile's problems, the tables read (`raws`) and
    the reading problems of each table that could not be read (`by_table`); `order` ranks the files for sorting."""

    directory: Path
    problems: list[Problem]
    order: dict[str, int]
    hashes: dict[str, str] = field(default_factory=dict)
    profile: Profile | None = None
    raws: dict[str, RawTable] = field(default_factory=dict)
    by_table: dict[str, list[Problem]] = field(default_factory=dict)
    is_folder: bool = True

    @property
    def rows(self) -> int:
        return sum(raw.source.height for raw in self.raws.values())


def open_folder(
    directory: Path, catalogue: CatalogueLookups | None, known_services: Collection[str] | None, limits: Limits
) -> tuple[Folder, list[Path | InventoryError]]:
    """The folder with its profile read and checked, and each table's file (or why there is none), in order."""
    if not directory.is_dir():
        what = "does not exist" if not directory.exists() else "is not a folder"
        problem = Problem(".", None, None, f"{directory} {what}; expected an inventory folder")
        return Folder(directory, [problem], {}, is_folder=False), []
    folder = Folder(directory, [], {PROFILE_FILE: 0})
    try:
        raw_profile = read_profile(directory / PROFILE_FILE, limits)
    except InventoryError as exc:
        folder.problems.extend(exc.problems)
    else:
        folder.hashes[raw_profile.file] = raw_profile.sha256
        folder.order[raw_profile.file] = 0
        folder.profile, found = check_profile(
            raw_profile,
            org_forms=None if catalogue is None else catalogue.variants,
            known_services=known_services,
            directory_name=directory.name,
        )
        folder.problems.extend(found)
    entries = folder_entries(directory)
    paths: list[Path | InventoryError] = []
    for table in TABLES:
        try:
            paths.append(find_table_file(directory, table, entries))
        except InventoryError as exc:
            paths.append(exc)
    return folder, paths


def _add_tables(
    folder: Folder, paths: Sequence[Path | InventoryError], read: Callable[[str, Path | InventoryError], RawTable]
) -> Folder:
    """Each table read (`read`) into the folder, or its problems, in the order of `TABLES`."""
    for index, (table, path) in enumerate(zip(TABLES, paths, strict=True), start=1):
        folder.order[table] = index
        try:
            raw = read(table, path)
        except InventoryError as exc:
            for problem in exc.problems:
                folder.order.setdefault(problem.file, index)
            folder.by_table[table] = list(exc.problems)
            continue
        folder.order[raw.file] = index
        folder.hashes[raw.file] = raw.sha256
        folder.raws[table] = raw
    return folder


def read_folder(
    directory: Path, catalogue: CatalogueLookups | None, known_services: Collection[str] | None, limits: Limits
) -> Folder:
    folder, paths = open_folder(directory, catalogue, known_services, limits)
    if not folder.is_folder:
        return folder
    return _add_tables(folder, paths, functools.partial(_read_one, limits=limits))


def _read_one(table: str, path: Path | InventoryError, limits: Limits) -> RawTable:
    if isinstance(path, InventoryError):
        raise path
    return read_table(path, table, limits)


# Folders read together (`read_folders`, many folders only) are taken in turns of about `GROUP_ROWS` rows (the
# footers' count), so that what one reading thread holds stays bounded.
GROUP_ROWS = 500_000


def read_folders(
    directories: Sequence[Path],
    catalogue: CatalogueLookups | None,
    known_services: Collection[str] | None,
    limits: Limits,
) -> Iterator[Folder | Exception]:
    """Each folder as `read_folder` reads it (or the exception it raises), in order, their Parquet tables of one
    schema decoded in one call for several folders (polars' fixed cost a call is more than decoding a small file).
    A file that cannot be decoded that way is read on its own, so every problem is the same."""
    turn: list[tuple[Folder, list[Path | InventoryError]] | Exception] = []
    files: dict[tuple[int, str], ParquetFile] = {}
    rows = 0
    for directory in directories:
        try:
            opened = open_folder(directory, catalogue, known_services, limits)
        except Exception as exc:
            turn.append(exc)
            continue
        for table, path in zip(TABLES, opened[1], strict=False):  # none for a missing folder
            if isinstance(path, Path) and path.suffix.lower() == ".parquet":
                try:
                    data = read_file(path, limits.file_bytes)
                except Exception:  # read on its own, which says why
                    continue
                files[len(turn), table] = found = open_parquet_table(data, path.name, limits)
                rows += found.rows
        turn.append(opened)
        if rows >= GROUP_ROWS:
            yield from _read_turn(turn, files, limits)
            turn, files, rows = [], {}, 0
    yield from _read_turn(turn, files, limits)


def _read_turn(
    turn: list[tuple[Folder, list[Path | InventoryError]] | Exception],
    files: dict[tuple[int, str], ParquetFile],
    limits: Limits,
) -> Iterator[Folder | Exception]:
    decoded: dict[tuple[int, str], RawTable] = {}
    for table in TABLES:
        keys = [key for key in files if key[1] == table]
        try:
            found = read_parquet_tables([files[key] for key in keys], table, limits)
        except Exception:  # each file read on its own, as if never grouped
            continue
        decoded.update((key, raw) for key, raw in zip(keys, found, strict=True) if raw is not None)

    def read(i: int, table: str, path: Path | InventoryError) -> RawTable:
        if (raw := decoded.get((i, table))) is not None:
            return raw
        if (opened := files.get((i, table))) is not None and isinstance(path, Path):
            return read_table_bytes(opened.data, path.name, table, limits)
        return _read_one(table, path, limits)

    for i, item in enumerate(turn):
        if isinstance(item, Exception):
            yield item
            continue
        folder, paths = item
        try:
            yield _add_tables(folder, paths, functools.partial(read, i)) if folder.is_folder else folder
        except Exception as exc:
            yield exc
