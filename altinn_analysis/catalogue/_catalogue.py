"""`Catalogue`: the Altinn 3 reference catalogue as typed polars tables, with the lookups the rules need."""

from __future__ import annotations

from collections.abc import Iterator
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

import polars as pl

from altinn_analysis.catalogue._build import PACKAGE_URN_PREFIX, SCHEMAS
from altinn_analysis.catalogue._once import load_once
from altinn_analysis.catalogue._paths import default_reference_dir
from altinn_analysis.sources import Manifest, read_snapshot

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["TABLES", "Catalogue", "parse_service"]

TABLES: tuple[str, ...] = tuple(SCHEMAS)


def parse_service(service: str, edition: str | int | None = None) -> tuple[str, str | None]:
    """`"4804:210607"` → `("4804", "210607")`; also accepts `4804_210607` and a separate edition."""
    text = str(service).strip()
    for sep in (":", "_", "/"):
        if sep in text:
            code, _, ed = text.partition(sep)
            return code.strip(), ed.strip() or None
    return text, None if edition is None else str(edition).strip()


class Catalogue:
    """The reference catalogue loaded from a verified snapshot.

    Tables are polars DataFrames (`catalogue.access_packages`, …); `catalogue.table(name, pandas=True)` gives
    pandas. Lookups are case-insensitive where Altinn itself is (role codes, org forms).
    """

    def __init__(self, tables: dict[str, pl.DataFrame], manifest: Manifest, directory: Path | None = None):
        missing = [t for t in TABLES if t not in tables]
        if missing:
            raise ValueError(f"catalogue tables missing: {', '.join(missing)}")
        self._tables = tables
        self.manifest = manifest
        self.directory = directory

    @classmethod
    def load(cls, directory: str | Path | None = None) -> Catalogue:
        """Load and verify a snapshot (default: the embedded one); once per process for the same files."""
        path = Path(directory) if directory is not None else default_reference_dir()

        def read(folder: Path) -> Catalogue:
            manifest, tables = read_snapshot(folder, TABLES)
            return cls(tables, manifest, folder)

        # The files read_snapshot reads: the manifest and one Parquet file per table.
        return load_once(cls.__qualname__, path, ("manifest.json", *(f"{t}.parquet" for t in TABLES)), read)

    def __repr__(self) -> str:
        counts = ", ".join(f"{n}={t.height}" for n, t in self._tables.items())
        return f"<Catalogue {self.manifest.source}/{self.manifest.environment} {self.manifest.fetched_at}: {counts}>"

    # -- tables -----------------------------------------------------------------------------------------

    def table(self, name: str, *, pandas: bool = False) -> Any:
        try:
            frame = self._tables[name]
        except KeyError:
            raise KeyError(f"no catalogue table {name!r}; tables: {', '.join(TABLES)}") from None
        return frame.to_pandas() if pandas else frame

    def to_pandas(self, name: str) -> pd.DataFrame:
        return self._tables[name].to_pandas()

    def __iter__(self) -> Iterator[str]:
        return iter(TABLES)

    @property
    def area_groups(self) -> pl.DataFrame:
        return self._tables["area_groups"]

    @property
    def areas(self) -> pl.DataFrame:
        return self._tables["areas"]

    @property
    def access_packages(self) -> pl.DataFrame:
        return self._tables["access_packages"]

    @property
    def roles(self) -> pl.DataFrame:
        return self._tables["roles"]

    @property
    def variants(self) -> list[str]:
        return self._tables["variants"]["variant"].to_list()

    @property
    def role_packages(self) -> pl.DataFrame:
        return self._tables["role_packages"]

    @property
    def resources(self) -> pl.DataFrame:
        return self._tables["resources"]

    @property
    def resource_references(self) -> pl.DataFrame:
        return self._tables["resource_references"]

    @property
    def altinn2_service_map(self) -> pl.DataFrame:
        return self._tables["altinn2_service_map"]

    @property
    def resource_subjects(self) -> pl.DataFrame:
        return self._tables["resource_subjects"]

    # -- lookups ----------------------------------------------------------------------------------------

    @cached_property
    def _packages_by_key(self) -> dict[str, dict[str, Any]]:
        out: dict[str, dict[str, Any]] = {}
        for row in self.access_packages.iter_rows(named=True):
            out[row["urn"]] = row
            out[row["code"]] = row
            out[str(row["id"]).lower()] = row
        return out

    @cached_property
    def _roles_by_key(self) -> dict[str, dict[str, Any]]:
        out: dict[str, dict[str, Any]] = {}
        # Role codes win over legacy codes when both could match.
        for row in self.roles.iter_rows(named=True):
            for key in (row["legacy_code"], row["legacy_urn"]):
                if key:
                    out.setdefault(str(key).lower(), row)
        for row in self.roles.iter_rows(named=True):
            out[str(row["code"]).lower()] = row
            if row["urn"]:
                out[str(row["urn"]).lower()] = row
        return out

    def package(self, key: str) -> dict[str, Any] | None:
        """An access package by urn (`urn:altinn:accesspackage:x`), code (`x`) or id; None if unknown."""
        key = key.strip()
        return self._packages_by_key.get(key) or self._packages_by_key.get(key.lower())

    def role(self, key: str) -> dict[str, Any] | None:
        """A role by Altinn 3 code (`daglig-leder`), urn, or Altinn 2 legacy code (`DAGL`, `A0294`)."""
        return self._roles_by_key.get(key.strip().lower())

    def packages_for_role(self, role: str, org_form: str) -> pl.DataFrame:
        """The access packages a role gives for an organisation form, joined with package details.

        Empty when the role or org form is unknown or the role gives no packages.
        """
        found = self.role(role)
        if found is None:
            return self.access_packages.clear()
        rows = self.role_packages.filter(
            (pl.col("role_code") == found["code"]) & (pl.col("variant").str.to_uppercase() == org_form.upper())
        )
        return (
            rows.select("package_urn", "has_access", "can_delegate")
            .join(self.access_packages, left_on="package_urn", right_on="urn", how="left")
            .rename({"package_urn": "urn"})
            .select(*self.access_packages.columns, "has_access", "can_delegate")
        )

    def resources_for_service(self, service: str, edition: str | int | None = None) -> pl.DataFrame:
        """Altinn 3 resource(s) for an Altinn 2 service (`"4804:210607"`, or code and edition).

        Without an edition, every edition of the code matches. Columns: the service map plus the resource.
        Test resources (`is_test`) are never a mapping.
        """
        code, ed = parse_service(service, edition)
        cond = (pl.col("service_code") == code) & ~pl.col("is_test")
        if ed is not None:
            cond &= pl.col("service_edition_code") == ed
        resources = self.resources.drop("is_test")
        return self.altinn2_service_map.filter(cond).join(resources, on="identifier", how="left")

    def resource(self, identifier: str) -> dict[str, Any] | None:
        rows = self.resources.filter(pl.col("identifier") == identifier)
        return rows.row(0, named=True) if rows.height else None

    def subjects(self, identifier: str) -> pl.DataFrame:
        """The roles and access packages a resource's policy requires (empty if none indexed)."""
        return self.resource_subjects.filter(pl.col("identifier") == identifier)

    def package_urn(self, key: str) -> str:
        """Normalise a package reference to its urn (unknown codes get the urn prefix too)."""
        found = self.package(key)
        if found:
            return str(found["urn"])
        return key if key.startswith(PACKAGE_URN_PREFIX) else PACKAGE_URN_PREFIX + key

    # -- summary ----------------------------------------------------------------------------------------

    def summary(self) -> dict[str, Any]:
        """Row counts and where the snapshot came from."""
        counts: dict[str, Any] = {name: self._tables[name].height for name in TABLES}
        counts["org_forms"] = self.variants
        counts["resource_types"] = dict(
            self.resources.group_by("resource_type").len().sort("resource_type").iter_rows()
        )
        return {
            **counts,
            "source": self.manifest.source,
            "environment": self.manifest.environment,
            "base_url": self.manifest.base_url,
            "fetched_at": self.manifest.fetched_at,
            "tool_version": self.manifest.tool_version,
            "schema_version": self.manifest.schema_version,
            "directory": str(self.directory) if self.directory else None,
        }
