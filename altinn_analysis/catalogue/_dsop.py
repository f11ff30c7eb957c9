"""The curated DSOP catalogue (`data/dsop/*.csv`, DESIGN §4) as typed polars tables with lookups.

Every row carries a `source` and a `certainty`. The tables' contract is `_dsop_schema.py`; reading and checking the
files is `_dsop_files.py`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import polars as pl

from altinn_analysis.catalogue._dsop_files import read_dsop_tables
from altinn_analysis.catalogue._dsop_schema import DSOP_TABLES
from altinn_analysis.catalogue._once import load_once
from altinn_analysis.catalogue._paths import default_dsop_dir

if TYPE_CHECKING:
    from altinn_analysis.catalogue._catalogue import Catalogue

__all__ = ["DsopCatalogue", "load_dsop"]


@dataclass(frozen=True, eq=False)
class DsopCatalogue:
    """The DSOP catalogue: six polars tables and the lookups the impact rules need.

    `table(name, pandas=True)` gives any table as pandas.
    """

    services: pl.DataFrame
    dependencies: pl.DataFrame
    role_successors: pl.DataFrame
    er_role_grants: pl.DataFrame
    policies: pl.DataFrame
    milestones: pl.DataFrame
    directory: Path | None = None

    def __repr__(self) -> str:
        counts = ", ".join(f"{name}={self.table(name).height}" for name in DSOP_TABLES)
        return f"<DsopCatalogue {self.directory}: {counts}>"

    def table(self, name: str, *, pandas: bool = False) -> Any:
        if name not in DSOP_TABLES:
            raise KeyError(f"no DSOP table {name!r}; tables: {', '.join(DSOP_TABLES)}")
        frame: pl.DataFrame = getattr(self, name)
        return frame.to_pandas() if pandas else frame

    @property
    def service_ids(self) -> list[str]:
        return self.services["service_id"].to_list()

    def service(self, service_id: str) -> dict[str, Any] | None:
        rows = self.services.filter(pl.col("service_id") == service_id)
        return rows.row(0, named=True) if rows.height else None

    def milestone_date(self, milestone_id: str) -> dt.date:
        rows = self.milestones.filter(pl.col("milestone_id") == milestone_id)
        if not rows.height:
            known = ", ".join(self.milestones["milestone_id"].to_list())
            raise KeyError(f"no milestone {milestone_id!r}; milestones: {known}")
        date: dt.date = rows["date"][0]
        return date

    def successors(self, altinn2_role_code: str) -> pl.DataFrame:
        """Candidate access packages for an Altinn 2 role (`UTINN`, `a0294`); empty if the role is not listed."""
        return self.role_successors.filter(pl.col("altinn2_role_code") == altinn2_role_code.strip().upper())

    def dependencies_for(self, service_id: str) -> pl.DataFrame:
        """A service's Altinn 2 artefacts and their Altinn 3 successors; empty for an unknown service."""
        return self.dependencies.filter(pl.col("service_id") == service_id)

    def unresolved(self, catalogue: Catalogue) -> pl.DataFrame:
        """Package urns, resource ids and role codes named here that the reference catalogue does not know.

        After a `refresh` this is how to see which curated rows point at something Altinn no longer has.
        Columns: table, id, column, value, certainty.
        """
        out: list[dict[str, str]] = []

        def add(table: str, row_id: str, column: str, value: str, certainty: str) -> None:
            out.append({"table": table, "id": row_id, "column": column, "value": value, "certainty": certainty})

        for row in self.dependencies.iter_rows(named=True):
            target, kind = row["altinn3_target"], row["altinn3_target_type"]
            if target and (
                (kind == "resource" and catalogue.resource(target) is None)
                or (kind == "access_package" and catalogue.package(target) is None)
            ):
                add("dependencies", row["dependency_id"], "altinn3_target", target, row["certainty"])
        for row in self.role_successors.iter_rows(named=True):
            row_id = f"{row['altinn2_role_code']}→{row['package_urn'] or ''}"
            if row["package_urn"] and catalogue.package(row["package_urn"]) is None:
                add("role_successors", row_id, "package_urn", row["package_urn"], row["certainty"])
            if catalogue.role(row["altinn2_role_code"]) is None:
                add("role_successors", row_id, "altinn2_role_code", row["altinn2_role_code"], row["certainty"])
        for row in self.er_role_grants.iter_rows(named=True):
            row_id = f"{row['er_role_code']}→{row['altinn2_role_code']}"
            for col in ("er_role_code", "altinn2_role_code"):
                if catalogue.role(row[col]) is None:
                    add("er_role_grants", row_id, col, row[col], row["certainty"])
        schema = dict.fromkeys(("table", "id", "column", "value", "certainty"), pl.String)
        return pl.DataFrame(out, schema=schema)


def load_dsop(directory: str | Path | None = None) -> DsopCatalogue:
    """Load and check the DSOP catalogue (default: `$ALTINN_ANALYSIS_DSOP_DIR` or the embedded `data/dsop/`).

    Raises `DsopCatalogueError` naming file, row and column for a missing file or column, a bad date, a value
    outside its vocabulary, a duplicate id or a reference to an unknown service or milestone.
    """
    path = Path(directory) if directory is not None else default_dsop_dir()
    return load_once(
        "DsopCatalogue",
        path,
        (f"{t}.csv" for t in DSOP_TABLES),
        lambda folder: DsopCatalogue(directory=folder, **read_dsop_tables(folder)),
    )
