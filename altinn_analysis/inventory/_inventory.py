"""`Inventory`, and loading and validating inventory folders: one (`load_inventory`, `validate_inventory`) or a
whole sector (`load_inventories`, `validate_inventories`). Both are one path: every folder is read as it would be
on its own (guarded readers, one bad file never touches another folder; for many folders, by two threads ahead of
the checks, in groups whose Parquet files of one schema are decoded together), then the tables of many
institutions are checked together (`check_tables`; for many folders, in chunks, two at once in threads), then each
folder's problems are sorted and its inventory typed."""

from __future__ import annotations

import collections
import contextlib
import functools
import importlib
import math
import threading
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from concurrent.futures import Executor, Future, InvalidStateError, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import polars as pl

from altinn_analysis.checks import excerpt
from altinn_analysis.inventory._folders import Folder, read_folders
from altinn_analysis.inventory._folders import read_folder as _read_folder
from altinn_analysis.inventory._problem import InventoryError, Problem
from altinn_analysis.inventory._profile import Profile
from altinn_analysis.inventory._readers import other_files
from altinn_analysis.inventory._schema import TABLES
from altinn_analysis.inventory._validate import (
    DEFAULT_LIMIT,
    CatalogueLookups,
    TableCheck,
    TableContext,
    check_tables,
    to_typed,
)
from altinn_analysis.sources import PULL_RECORD, Limits, read_json_record

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "Inventory",
    "default_known_services",
    "load_inventories",
    "load_inventory",
    "validate_inventories",
    "validate_inventory",
]


@dataclass(frozen=True)
class Inventory:
    """One institution's inventory: its profile and three typed polars tables (schemas: `SCHEMAS`).

    `file_hashes` maps each file read to its sha256 (provenance for reports); `warnings` are the problems that
    did not stop loading. `inventory.table(name, pandas=True)` or `to_pandas()` give pandas.
    """

    directory: Path
    profile: Profile
    delegations: pl.DataFrame
    consents: pl.DataFrame
    integrations: pl.DataFrame
    file_hashes: dict[str, str] = field(default_factory=dict)
    warnings: tuple[Problem, ...] = ()
    # `pull.json` of the last `pull` (dialog counts, suppliers, when and from where), or None.
    pulled: dict[str, Any] | None = None

    @property
    def org_number(self) -> str:
        return self.profile.org_number

    def table(self, name: str, *, pandas: bool = False) -> Any:
        if name not in TABLES:
            raise KeyError(f"no inventory table {name!r}; tables: {', '.join(TABLES)}")
        frame: pl.DataFrame = getattr(self, name)
        return frame.to_pandas() if pandas else frame

    def to_pandas(self) -> dict[str, pd.DataFrame]:
        return {name: self.table(name, pandas=True) for name in TABLES}

    def __repr__(self) -> str:
        counts = ", ".join(f"{n}={getattr(self, n).height}" for n in TABLES)
        return f"<Inventory {self.org_number} {self.profile.name!r}: {counts}, {len(self.warnings)} warnings>"


def default_known_services() -> list[str] | None:
    """The DSOP catalogue's service ids, or None when this build has no DSOP catalogue yet."""
    # Looked up by name: `load_dsop` arrives with the DSOP catalogue (DESIGN §4); until then the check is skipped
    # with a warning rather than failing every inventory.
    catalogue_module = importlib.import_module("altinn_analysis.catalogue")
    load_dsop = getattr(catalogue_module, "load_dsop", None)
    if load_dsop is None:
        return None
    return [str(s) for s in load_dsop().service_ids]


def _default_catalogue() -> CatalogueLookups:
    from altinn_analysis.catalogue import Catalogue

    return Catalogue.load()


def _sort_key(order: dict[str, int]) -> Any:
    def key(p: Problem) -> tuple[int, int, float]:
        whole_file = p.row is None and p.column is None
        # Within a file: problems with the whole file, then by row ("N more rows" lines, without one, last);
        # the sort is stable, so problems on one row keep the order of the checks.
        return (order.get(p.file, len(order)), 0 if whole_file else 1, p.row or math.inf)

    return key


def _context(profile: Profile | None) -> TableContext:
    if profile is None:
        return TableContext()
    return TableContext(profile.vendor_org_numbers, profile.org_number, profile.dsop_services)


def _check_tables(
    folders: Sequence[Folder], catalogue: CatalogueLookups | None, limit: int, typed: bool
) -> list[dict[str, TableCheck]]:
    """Every table of every folder, checked together (see `check_tables`)."""
    keys = [(i, table) for i, folder in enumerate(folders) for table in folder.raws]
    checks = check_tables(
        [folders[i].raws[t] for i, t in keys],
        [_context(folders[i].profile) for i, _ in keys],
        catalogue=catalogue,
        limit=limit,
        typed=typed,
    )
    out: list[dict[str, TableCheck]] = [{} for _ in folders]
    for (i, table), check in zip(keys, checks, strict=True):
        out[i][table] = check
    return out


def _assemble(folder: Folder, checks: dict[str, TableCheck], limits: Limits) -> tuple[list[Problem], Inventory | None]:
    problems = list(folder.problems)
    if not folder.is_folder:
        return problems, None
    for table in TABLES:
        problems.extend(checks[table].problems if table in checks else folder.by_table.get(table, []))
    problems.sort(key=_sort_key(folder.order))
    profile = folder.profile
    if profile is None or any(p.is_error for p in problems) or len(checks) != len(TABLES):
        return problems, None
    typed = {
        name: check.typed if check.typed is not None else to_typed(name, check.frame) for name, check in checks.items()
    }
    inventory = Inventory(
        directory=folder.directory,
        profile=profile,
        delegations=typed["delegations"],
        consents=typed["consents"],
        integrations=typed["integrations"],
        file_hashes=folder.hashes,
        warnings=tuple(problems),
        pulled=read_json_record(folder.directory / PULL_RECORD, limits.file_bytes),
    )
    return problems, inventory


@dataclass(frozen=True)
class _Outcome:
    directory: Path
    problems: list[Problem]
    inventory: Inventory | None


# Institutions whose tables are checked together: about this many rows at a time (more only when one institution
# alone has more), so that memory stays bounded whatever the number of institutions. Each chunk costs one set of
# queries: 130 generated institutions (5.7 M rows) load in 0.82-0.86 s wall at 1 M rows a chunk against 0.89-0.96 s
# at 0.5 M, for a peak of 446-461 MiB against 379-386 MiB when validating (~610 MiB when loading, which keeps every
# table) (benchmarks/results/bench_inventory.txt).
CHUNK_ROWS = 1_000_000


def _outcomes(
    directories: Iterable[str | Path],
    catalogue: CatalogueLookups | None,
    known_services: Collection[str] | None,
    limit: int,
    limits: Limits | None,
    *,
    typed: bool,
    contain: bool,
) -> Iterator[_Outcome]:
    """Each folder's problems and inventory, in order, its tables checked with those of the folders around it.
    `contain`: an unexpected failure on one folder becomes that folder's problem instead of stopping the rest.
    Without a catalogue, known services or limits: the embedded catalogues' and the environment's."""
    catalogue = catalogue if catalogue is not None else _default_catalogue()
    known_services = known_services if known_services is not None else default_known_services()
    limits = limits or Limits.from_env()
    chunk: list[Folder] = []
    rows = 0
    read = functools.partial(_read_folder, catalogue=catalogue, known_services=known_services, limits=limits)
    group = functools.partial(read_folders, catalogue=catalogue, known_services=known_services, limits=limits)
    check = functools.partial(_flush, catalogue=catalogue, limit=limit, limits=limits, typed=typed, contain=contain)
    paths = [Path(d) for d in directories]
    handed = seen = 0  # chunks handed over; rows read so far
    with _check_ahead(check, len(paths) > 1) as checked:
        for index, (directory, read_folder) in enumerate(_read_ahead(paths, read, group)):
            try:
                folder = read_folder()
            except Exception as exc:
                if not contain:
                    raise
                yield from checked(chunk, last=True)
                chunk, rows = [], 0
                yield _Outcome(directory, [_internal_error(exc)], None)
                continue
            chunk.append(folder)
            rows += folder.rows
            seen += folder.rows
            left = rows + seen * (len(paths) - index - 1) / (index + 1)  # this chunk's rows and those to come
            if rows >= _chunk_rows(handed, left):
                yield from checked(chunk)
                chunk, rows = [], 0
                handed += 1
        yield from checked(chunk, last=True)


def _chunk_rows(handed: int, left: float) -> float:
    """The rows at which the chunk being gathered is handed over: `CHUNK_ROWS`, less for the first chunks (the
    checks start while reading has barely begun: 1/4, then 1/2) and for the last ones (the rows still to come,
    `left` with this chunk's, shared between the checking threads so that they finish together; at least 1/8)."""
    start = CHUNK_ROWS / (1 << max(0, _FIRST_CHUNKS - handed))
    return min(start, max(CHUNK_ROWS / 8, left / max(CHECK_THREADS, 1)))


# Each smaller chunk costs a set of queries (~10-20 ms of CPU): two at the start, a few at the end.
_FIRST_CHUNKS = 2


# Folders read ahead while the tables of those before them are checked: polars and pyarrow release the GIL while
# they decode, so reading uses the second core. Bounded: `READ_THREADS` groups of folders being read (each thread
# holding about `GROUP_ROWS` rows before it hands them over), and folders read but not yet taken up to about one
# chunk of rows (`CHUNK_ROWS`) and at most `READ_AHEAD` folders. Results come back in the order given, each folder
# read as it would be on its own, so nothing depends on timing.
READ_THREADS = 2
READ_AHEAD = 32
# up to `_GROUP_FILES` (16) Parquet files of a table decoded in one call: 130 generated folders read in 0.03-0.07 s
# less CPU than in groups of 8 (250 k rows a turn), peak RSS the same (benchmarks/results/bench_inventory.txt)
GROUP_FOLDERS = 16

_ReadGroup = Callable[[Sequence[Path]], Iterator["Folder | Exception"]]


class _ReadAhead:
    """Reading threads that start the next group of folders as soon as one is read (not only when the checks ask
    for one), within the bounds above. Each folder has its own future, set as soon as its turn is read."""

    def __init__(self, directories: Sequence[Path], read: _ReadGroup, pool: Executor) -> None:
        self._directories, self._read, self._pool = directories, read, pool
        self._next = 0
        self._running = 0
        self._closed = False
        self._lock = threading.RLock()
        self.pending: collections.deque[tuple[Path, Future[Folder]]] = collections.deque()

    def fill(self) -> None:
        with self._lock:
            while not self._closed and self._next < len(self._directories) and len(self.pending) < READ_AHEAD:
                if self._running >= READ_THREADS:
                    return
                done = [f for _, f in self.pending if f.done() and not f.cancelled()]
                if sum(f.result().rows for f in done if f.exception() is None) >= CHUNK_ROWS:
                    return
                # the first groups smaller: the first chunks' folders (see `_chunk_rows`) come sooner
                small = max(1, GROUP_FOLDERS // 4)
                first = self._next < READ_THREADS * small
                size = min(small if first else GROUP_FOLDERS, READ_AHEAD - len(self.pending))
                group = self._directories[self._next : self._next + size]
                self._next += len(group)
                futures: list[Future[Folder]] = [Future() for _ in group]
                self.pending.extend(zip(group, futures, strict=True))
                self._running += 1
                self._pool.submit(self._run, group, futures)

    def _run(self, group: Sequence[Path], futures: list[Future[Folder]]) -> None:
        try:
            results = self._read(group)
            for future in futures:
                if self._closed:
                    break
                result = next(results)
                with contextlib.suppress(InvalidStateError):  # cancelled: the caller stopped
                    if isinstance(result, Exception):
                        future.set_exception(result)
                    else:
                        future.set_result(result)
        except BaseException as exc:  # a failure outside any one folder: each folder not yet read gets it
            for future in futures:
                with contextlib.suppress(InvalidStateError):
                    future.set_exception(exc)
        finally:
            for future in futures:  # never left waiting (the caller stopped, or the group ran short)
                if not future.done():
                    future.cancel()
            with self._lock:
                self._running -= 1
            self.fill()

    def take(self) -> tuple[Path, Future[Folder]] | None:
        with self._lock:
            self.fill()
            return self.pending.popleft() if self.pending else None

    def close(self) -> None:
        with self._lock:
            self._closed = True
            for _, future in self.pending:
                future.cancel()


def _read_ahead(
    directories: Sequence[Path], read: Callable[[Path], Folder], read_group: _ReadGroup
) -> Iterator[tuple[Path, Callable[[], Folder]]]:
    """Each directory with a call that gives its folder as read (or raises what reading it raised), in order:
    one folder by `read`, many in groups by `read_group`."""
    if len(directories) <= 1 or READ_THREADS < 1:  # one folder: nothing to overlap
        for directory in directories:
            yield directory, functools.partial(read, directory)
        return
    with ThreadPoolExecutor(READ_THREADS, thread_name_prefix="inventory-read") as pool:
        ahead = _ReadAhead(directories, read_group, pool)
        try:
            while (taken := ahead.take()) is not None:
                yield taken[0], taken[1].result
        finally:  # the caller stopped early (or failed): nothing more is read
            ahead.close()


# Chunks checked in threads while the next one is read and gathered: polars releases the GIL in its queries, so
# the queries of two chunks share the two cores, where one chunk's many small queries leave one idle. At most
# `CHECK_THREADS` chunks are checked at once; their outcomes come back in order, so nothing depends on timing.
CHECK_THREADS = 2

_Check = Callable[[list[Folder]], Iterator[_Outcome]]
_Checked = Callable[..., Iterator[_Outcome]]


@contextlib.contextmanager
def _check_ahead(check: _Check, many: bool) -> Iterator[_Checked]:
    """`checked(chunk, last=False)`: the chunk handed to `check`, and the outcomes of the chunks handed over
    before it as soon as they are due (all of them when `last`). One folder, or `CHECK_THREADS` < 2: checked at
    once, in this thread."""
    if not many or CHECK_THREADS < 2:

        def at_once(chunk: list[Folder], last: bool = False) -> Iterator[_Outcome]:
            return check(chunk)

        yield at_once
        return
    pending: collections.deque[Future[list[_Outcome]]] = collections.deque()

    def run(chunk: list[Folder]) -> list[_Outcome]:
        return list(check(chunk))

    with ThreadPoolExecutor(CHECK_THREADS, thread_name_prefix="inventory-check") as pool:

        def checked(chunk: list[Folder], last: bool = False) -> Iterator[_Outcome]:
            if chunk:
                pending.append(pool.submit(run, list(chunk)))
            # never more chunks handed over than threads to check them: a caller that stops early leaves none
            # waiting (those being checked finish before the pool closes)
            while pending and (last or len(pending) >= CHECK_THREADS or pending[0].done()):
                yield from pending.popleft().result()

        yield checked


def _flush(
    chunk: list[Folder],
    catalogue: CatalogueLookups | None,
    limit: int,
    limits: Limits,
    typed: bool,
    contain: bool,
) -> Iterator[_Outcome]:
    if not chunk:
        return
    try:
        checks = _check_tables(chunk, catalogue, limit, typed)
    except Exception as exc:
        if not contain:
            raise
        if len(chunk) == 1:
            yield _Outcome(chunk[0].directory, [_internal_error(exc)], None)
            return
        # Something in one folder broke the shared queries: each folder on its own, so the others are unharmed.
        for folder in chunk:
            yield from _flush([folder], catalogue, limit, limits, typed, contain)
        return
    for folder, found in zip(chunk, checks, strict=True):
        try:
            problems, inventory = _assemble(folder, found, limits)
        except Exception as exc:
            if not contain:
                raise
            problems, inventory = [_internal_error(exc)], None
        yield _Outcome(folder.directory, problems, inventory)


def _internal_error(exc: Exception) -> Problem:
    return Problem(".", None, None, f"internal error while checking this folder: {type(exc).__name__}")


def _ignored(directory: Path) -> list[Problem]:
    return [
        Problem(
            excerpt(path.name, 80).strip("'\""),
            None,
            None,
            "not part of the inventory: ignored (neither read nor hashed); move it elsewhere to silence this",
            "warning",
        )
        for path in (other_files(directory) if directory.is_dir() else [])
    ]


def validate_inventories(
    directories: Iterable[str | Path],
    *,
    catalogue: CatalogueLookups | None = None,
    known_services: Collection[str] | None = None,
    limit: int = DEFAULT_LIMIT,
    limits: Limits | None = None,
) -> list[list[Problem]]:
    """`validate_inventory` for many folders, in the order given: the same problems for each, with every
    institution's tables checked in one set of queries (chunks of about `CHUNK_ROWS` rows). A folder that fails
    unexpectedly gets one problem saying so; the others are checked as usual."""
    # typed: each chunk's tables cast once, not each folder's on its own when its (unused) inventory is built
    found = _outcomes(directories, catalogue, known_services, limit, limits, typed=True, contain=True)
    return [outcome.problems + _ignored(outcome.directory) for outcome in found]


def load_inventories(
    directories: Iterable[str | Path],
    *,
    catalogue: CatalogueLookups | None = None,
    known_services: Collection[str] | None = None,
    limit: int = DEFAULT_LIMIT,
    limits: Limits | None = None,
) -> list[Inventory | InventoryError]:
    """`load_inventory` for many folders, in the order given: each folder's `Inventory`, or the `InventoryError`
    loading it alone raises (returned, not raised: one invalid institution never stops the others). Checked as
    in `validate_inventories`."""
    found = _outcomes(directories, catalogue, known_services, limit, limits, typed=True, contain=True)
    return [o.inventory or InventoryError(o.problems, o.directory) for o in found]


def validate_inventory(
    directory: str | Path,
    *,
    catalogue: CatalogueLookups | None = None,
    known_services: Collection[str] | None = None,
    limit: int = DEFAULT_LIMIT,
    limits: Limits | None = None,
) -> list[Problem]:
    """Every problem in an inventory folder (errors and warnings); an empty list means clean.

    `catalogue` defaults to the embedded snapshot (`Catalogue.load()`) and `known_services` to the DSOP
    catalogue's service ids; pass them when checking many folders. `limit` caps the rows listed per check;
    `limits` (default `Limits.from_env()`) bound what a file may cost. Files in the folder that the inventory
    does not read are listed as warnings (they are ignored). Never raises for bad content.
    """
    directory = Path(directory)
    found = _outcomes([directory], catalogue, known_services, limit, limits, typed=False, contain=False)
    return next(found).problems + _ignored(directory)


def load_inventory(
    directory: str | Path,
    *,
    catalogue: CatalogueLookups | None = None,
    known_services: Collection[str] | None = None,
    limit: int = DEFAULT_LIMIT,
    limits: Limits | None = None,
) -> Inventory:
    """Load an inventory folder into typed tables, or raise `InventoryError` with every problem found.

    Defaults as for `validate_inventory`. Warnings do not stop loading: they are on `Inventory.warnings`.
    """
    directory = Path(directory)
    outcome = next(_outcomes([directory], catalogue, known_services, limit, limits, typed=True, contain=False))
    if outcome.inventory is None:
        raise InventoryError(outcome.problems, directory)
    return outcome.inventory
