"""`load_inventories`: many institutions' folders at once, spread over worker processes.

Loading one folder is mostly polars queries on small tables and the Python that plans them, so one process uses
one core; a sector of folders on a machine with idle cores can be loaded by several processes, each with its own
catalogue. The answers come back in the order asked, one per folder: an `Inventory` or the `InventoryError`
with its problems — one bad folder never stops the others.
"""

from __future__ import annotations

import multiprocessing
import os
import pickle
from collections.abc import Collection, Sequence
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from altinn_analysis.inventory._inventory import Inventory, _default_catalogue, default_known_services, load_inventory
from altinn_analysis.inventory._problem import InventoryError, Problem
from altinn_analysis.inventory._validate import DEFAULT_LIMIT, CatalogueLookups
from altinn_analysis.sources import Limits

__all__ = ["load_inventories"]

_Settings = tuple[CatalogueLookups | None, Collection[str] | None, int, Limits]
_settings: _Settings | None = None


def _start_worker(payload: bytes) -> None:
    # One polars thread per worker: the workers are the parallelism. Set before polars is imported (by unpickling).
    os.environ["POLARS_MAX_THREADS"] = "1"
    global _settings
    catalogue, services, limit, limits = pickle.loads(payload)
    # The defaults once per worker, not once per folder.
    catalogue = catalogue if catalogue is not None else _default_catalogue()
    services = services if services is not None else default_known_services()
    _settings = (catalogue, services, limit, limits)


def _load_one(directory: Path) -> tuple[Inventory | None, list[Problem]]:
    assert _settings is not None, "worker started without settings"
    catalogue, services, limit, limits = _settings
    try:
        return load_inventory(directory, catalogue=catalogue, known_services=services, limit=limit, limits=limits), []
    except InventoryError as exc:  # sent back as its problems: the exception itself does not pickle faithfully
        return None, exc.problems


def load_inventories(
    directories: Sequence[str | Path],
    *,
    catalogue: CatalogueLookups | None = None,
    known_services: Collection[str] | None = None,
    limit: int = DEFAULT_LIMIT,
    limits: Limits | None = None,
    workers: int = 1,
) -> list[Inventory | InventoryError]:
    """`load_inventory` on each folder, in order; an `InventoryError` in the place of a folder that cannot be used.

    `workers` > 1 spreads the folders over that many worker processes, which pays on an otherwise idle machine
    with several cores and many folders (each worker costs ~0.5 s to start; on a busy machine it is slower). A
    `catalogue` passed in is sent to each worker, so it must pickle; without one, each worker loads the embedded
    snapshot. As with any multiprocessing, a script calling this with workers must guard its entry point
    (`if __name__ == "__main__":`).
    """
    folders = [Path(d) for d in directories]
    limits = limits or Limits.from_env()
    count = max(1, min(workers, len(folders)))
    if count == 1:
        cat = catalogue if catalogue is not None else _default_catalogue()
        services = known_services if known_services is not None else default_known_services()
        return [_load_here(folder, cat, services, limit, limits) for folder in folders]
    payload = pickle.dumps((catalogue, None if known_services is None else list(known_services), limit, limits))
    # spawn, not fork: a forked child of a process whose polars threads have run can deadlock.
    context = multiprocessing.get_context("spawn")
    chunk = max(1, len(folders) // (count * 4))
    out: list[Inventory | InventoryError] = []
    with ProcessPoolExecutor(count, mp_context=context, initializer=_start_worker, initargs=(payload,)) as pool:
        for folder, (inventory, problems) in zip(folders, pool.map(_load_one, folders, chunksize=chunk), strict=True):
            out.append(inventory if inventory is not None else InventoryError(problems, folder))
    return out


def _load_here(
    folder: Path, catalogue: CatalogueLookups, services: Collection[str] | None, limit: int, limits: Limits
) -> Inventory | InventoryError:
    try:
        return load_inventory(folder, catalogue=catalogue, known_services=services, limit=limit, limits=limits)
    except InventoryError as exc:
        return exc
