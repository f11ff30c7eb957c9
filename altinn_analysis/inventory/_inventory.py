"""`Inventory`, `load_inventory` and `validate_inventory`: one institution's folder, read and checked."""

from __future__ import annotations

import importlib
import math
from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import polars as pl

from altinn_analysis.checks import excerpt
from altinn_analysis.inventory._problem import InventoryError, Problem
from altinn_analysis.inventory._profile import Profile, check_profile
from altinn_analysis.inventory._readers import find_table_file, other_files, read_profile, read_table
from altinn_analysis.inventory._schema import PROFILE_FILE, TABLES
from altinn_analysis.inventory._validate import DEFAULT_LIMIT, CatalogueLookups, check_table, to_typed
from altinn_analysis.sources import PULL_RECORD, Limits, read_json_record

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["Inventory", "default_known_services", "load_inventory", "validate_inventory"]


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


def _check(
    directory: Path,
    catalogue: CatalogueLookups | None,
    known_services: Collection[str] | None,
    limit: int,
    limits: Limits,
) -> tuple[list[Problem], Inventory | None]:
    if not directory.is_dir():
        what = "does not exist" if not directory.exists() else "is not a folder"
        return [Problem(".", None, None, f"{directory} {what}; expected an inventory folder")], None
    problems: list[Problem] = []
    hashes: dict[str, str] = {}
    order: dict[str, int] = {PROFILE_FILE: 0}

    profile: Profile | None = None
    try:
        raw_profile = read_profile(directory / PROFILE_FILE, limits)
    except InventoryError as exc:
        problems.extend(exc.problems)
    else:
        hashes[raw_profile.file] = raw_profile.sha256
        order[raw_profile.file] = 0
        profile, found = check_profile(
            raw_profile,
            org_forms=None if catalogue is None else catalogue.variants,
            known_services=known_services,
            directory_name=directory.name,
        )
        problems.extend(found)

    frames: dict[str, pl.DataFrame] = {}
    for index, table in enumerate(TABLES, start=1):
        order[table] = index
        try:
            raw = read_table(find_table_file(directory, table), table, limits)
        except InventoryError as exc:
            for problem in exc.problems:
                order.setdefault(problem.file, index)
            problems.extend(exc.problems)
            continue
        order[raw.file] = index
        hashes[raw.file] = raw.sha256
        checked = check_table(
            raw,
            catalogue=catalogue,
            vendors=None if profile is None else profile.vendor_org_numbers,
            own_org_number=None if profile is None else profile.org_number,
            limit=limit,
            services=None if profile is None else profile.dsop_services,
        )
        problems.extend(checked.problems)
        frames[table] = checked.frame

    problems.sort(key=_sort_key(order))
    if profile is None or any(p.is_error for p in problems) or len(frames) != len(TABLES):
        return problems, None
    typed = {name: to_typed(name, frames[name]) for name in TABLES}
    inventory = Inventory(
        directory=directory,
        profile=profile,
        delegations=typed["delegations"],
        consents=typed["consents"],
        integrations=typed["integrations"],
        file_hashes=hashes,
        warnings=tuple(problems),
        pulled=read_json_record(directory / PULL_RECORD, limits.file_bytes),
    )
    return problems, inventory


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
    cat = catalogue if catalogue is not None else _default_catalogue()
    services = known_services if known_services is not None else default_known_services()
    directory = Path(directory)
    problems = _check(directory, cat, services, limit, limits or Limits.from_env())[0]
    for path in other_files(directory) if directory.is_dir() else []:
        problems.append(
            Problem(
                excerpt(path.name, 80).strip("'\""),
                None,
                None,
                "not part of the inventory: ignored (neither read nor hashed); move it elsewhere to silence this",
                "warning",
            )
        )
    return problems


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
    cat = catalogue if catalogue is not None else _default_catalogue()
    services = known_services if known_services is not None else default_known_services()
    problems, inventory = _check(directory, cat, services, limit, limits or Limits.from_env())
    if inventory is None:
        raise InventoryError(problems, directory)
    return inventory
