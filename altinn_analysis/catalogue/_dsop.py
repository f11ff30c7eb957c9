"""The curated DSOP catalogue (`data/dsop/*.csv`, DESIGN §4) as typed polars tables with lookups.

The files are reviewed by hand, so the loader checks them strictly and says exactly where a problem is: file,
the row as a spreadsheet shows it (header = row 1), column and what was expected. Every row carries a `source`
and a `certainty`.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import polars as pl

from altinn_analysis.catalogue._build import PACKAGE_URN_PREFIX
from altinn_analysis.checks import LocatedError, Problem, is_valid_org_number

if TYPE_CHECKING:
    from altinn_analysis.catalogue._catalogue import Catalogue

__all__ = [
    "ALLOWED",
    "CERTAINTIES",
    "DSOP_SCHEMAS",
    "DSOP_TABLES",
    "KEYS",
    "DsopCatalogue",
    "DsopCatalogueError",
    "default_dsop_dir",
    "load_dsop",
]

ENV_DSOP_DIR = "ALTINN_ANALYSIS_DSOP_DIR"

CERTAINTIES: tuple[str, ...] = ("documented", "inferred", "unknown")
AREAS: tuple[str, ...] = ("roles", "consent", "integration", "messaging", "broker", "service")

Dtype = type[pl.DataType] | pl.DataType

DSOP_SCHEMAS: dict[str, dict[str, Dtype]] = {
    "services": {
        "service_id": pl.String,
        "name_nb": pl.String,
        "name_en": pl.String,
        "status": pl.String,
        "fi_role": pl.String,
        "builds_on": pl.String,
        "counterparty": pl.String,
        "counterparty_org_number": pl.String,  # `;`-separated when there are several
        "data_flow": pl.String,
        "api_standard": pl.String,
        "maskinporten_scopes": pl.String,
        "legal_basis": pl.String,
        "lookback_or_validity": pl.String,
        "altinn2_summary": pl.String,
        "altinn3_impact": pl.String,
        "notes": pl.String,
        "certainty": pl.String,
        "source": pl.String,
    },
    "dependencies": {
        "dependency_id": pl.String,
        "service_id": pl.String,
        "artefact_key": pl.String,  # the same artefact shared by several services (one API key) has one key
        "area": pl.String,
        "artefact_type": pl.String,
        "altinn2_code": pl.String,
        "altinn2_edition": pl.String,
        "altinn2_name": pl.String,  # as the sources name it (their language)
        "subject_nb": pl.String,  # the artefact as reports name it, per language
        "subject_en": pl.String,
        "altinn2_fi_action": pl.String,
        "altinn3_target_type": pl.String,
        "altinn3_target": pl.String,
        "altinn3_description": pl.String,
        "successor_status": pl.String,
        "deadline_milestone": pl.String,
        "action_nb": pl.String,
        "action_en": pl.String,
        "notes": pl.String,
        "certainty": pl.String,
        "source": pl.String,
    },
    "role_successors": {
        "altinn2_role_code": pl.String,
        "role_name_nb": pl.String,
        "role_name_en": pl.String,
        "successor_type": pl.String,
        "package_urn": pl.String,
        "package_name_nb": pl.String,
        "confidence": pl.String,
        "primary": pl.String,  # "yes": the package a holder of the role needs; the role is moved when it is held
        "basis": pl.String,
        "certainty": pl.String,
        "source": pl.String,
    },
    "er_role_grants": {
        "er_legacy_code": pl.String,
        "er_role_code": pl.String,
        "er_role_name_nb": pl.String,
        "altinn2_role_code": pl.String,
        "altinn2_role_name_nb": pl.String,
        "certainty": pl.String,
        "source": pl.String,
    },
    "policies": {
        "subject_type": pl.String,
        "subject": pl.String,
        "policy": pl.String,
        "reason_nb": pl.String,
        "reason_en": pl.String,
        "certainty": pl.String,
        "source": pl.String,
    },
    "milestones": {
        "milestone_id": pl.String,
        "date": pl.Date,
        "kind": pl.String,
        "areas": pl.String,  # `;`-separated finding areas the milestone governs
        "name_nb": pl.String,
        "name_en": pl.String,
        "description": pl.String,
        "certainty": pl.String,
        "source": pl.String,
    },
}

DSOP_TABLES: tuple[str, ...] = tuple(DSOP_SCHEMAS)

# Columns that identify a row; together they must be unique.
KEYS: dict[str, tuple[str, ...]] = {
    "services": ("service_id",),
    "dependencies": ("dependency_id",),
    "role_successors": ("altinn2_role_code", "package_urn"),
    "er_role_grants": ("er_role_code", "altinn2_role_code"),
    "policies": ("subject_type", "subject"),
    "milestones": ("milestone_id",),
}

# Columns that may not be empty (besides the keys, certainty and source).
REQUIRED: dict[str, tuple[str, ...]] = {
    "services": ("name_nb", "name_en", "status", "fi_role"),
    "dependencies": (
        "service_id",
        "artefact_key",
        "area",
        "artefact_type",
        "altinn3_target_type",
        "successor_status",
        "subject_nb",
        "subject_en",
        "action_nb",
        "action_en",
    ),
    "role_successors": ("altinn2_role_code", "role_name_nb", "successor_type", "confidence"),
    "er_role_grants": ("er_legacy_code", "er_role_code", "altinn2_role_code"),
    "policies": ("policy", "reason_nb", "reason_en"),
    "milestones": ("date", "kind", "name_nb", "name_en"),
}

# Closed vocabularies. A `;`-separated column lists each item against the same set.
ALLOWED: dict[str, dict[str, tuple[str, ...]]] = {
    "services": {
        "status": ("production", "pilot", "beta", "under_development", "placeholder"),
        "fi_role": ("consumer", "provider", "reporter", "sender"),
    },
    "dependencies": {
        "area": AREAS,
        "artefact_type": (
            "consent_service",
            "altinn_api_key",
            "maskinporten_scope",
            "maskinporten_delegation",
            "delegated_right",
            "delegable_api",
            "correspondence_inbox",
            "altinn_role",
            "broker_service",
            "enterprise_user",
            "service_owner_registration",
            "none",
        ),
        "altinn3_target_type": (
            "resource",
            "access_package",
            "system_user",
            "maskinporten",
            "consent_api",
            "dialogporten",
            "none",
            "unknown",
        ),
        "successor_status": ("available", "not_found", "unchanged", "not_applicable", "unknown"),
    },
    "role_successors": {
        "successor_type": (
            "converted_1to1",
            "equivalent_1to1",
            "equivalent_1ton",
            "split_1ton",
            "related",
            "none",
        ),
        "confidence": ("high", "medium", "low"),
        "primary": ("yes",),
    },
    "er_role_grants": {},
    "policies": {
        "subject_type": ("altinn2_role", "er_role", "access_package", "consent_service"),
        "policy": ("review", "no_packages_by_design", "client_only", "owner_may_migrate"),
    },
    "milestones": {
        "kind": ("deadline", "availability", "event"),
        "areas": AREAS,
    },
}
LIST_COLUMNS: frozenset[tuple[str, str]] = frozenset({("milestones", "areas"), ("services", "counterparty_org_number")})

# (table, column) -> (table, column) the value must exist in.
REFERENCES: dict[tuple[str, str], tuple[str, str]] = {
    ("services", "builds_on"): ("services", "service_id"),
    ("dependencies", "service_id"): ("services", "service_id"),
    ("dependencies", "deadline_milestone"): ("milestones", "milestone_id"),
}

_ID = re.compile(r"^[a-z0-9][a-z0-9-]*$")
_DEPENDENCY_ID = re.compile(r"^[a-z0-9][a-z0-9-]*/[a-z0-9][a-z0-9-]*$")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")  # fromisoformat alone also takes 20260619


class DsopCatalogueError(LocatedError, ValueError):
    """A DSOP catalogue file is missing or wrong: one located problem (file, row as a spreadsheet shows it, with
    the header as row 1, and column)."""

    what = "invalid DSOP catalogue"

    def __init__(self, message: str, *, file: str | None = None, row: int | None = None, column: str | None = None):
        self.file = file
        self.row = row
        self.column = column
        self.reason = message
        super().__init__([Problem(file or "data/dsop", row, column, message)])


def default_dsop_dir() -> Path:
    """`$ALTINN_ANALYSIS_DSOP_DIR`, else `data/dsop/` of this checkout (next to the embedded snapshot)."""
    if env := os.environ.get(ENV_DSOP_DIR):
        return Path(env)
    return Path(__file__).resolve().parents[2] / "data" / "dsop"


def _matches(pattern: re.Pattern[str]) -> Callable[[str], bool]:
    return lambda value: pattern.match(value) is not None


# Per-column format checks: (table, column) -> (test, what was expected).
_FORMATS: dict[tuple[str, str], tuple[Callable[[str], bool], str]] = {
    ("services", "service_id"): (_matches(_ID), "a lower-case id (a-z, 0-9, -)"),
    ("milestones", "milestone_id"): (_matches(_ID), "a lower-case id (a-z, 0-9, -)"),
    ("dependencies", "dependency_id"): (_matches(_DEPENDENCY_ID), "'<service_id>/<artefact_key>' in lower case"),
    ("services", "counterparty_org_number"): (
        is_valid_org_number,
        "9-digit organisation numbers with a valid check digit",
    ),
    ("role_successors", "altinn2_role_code"): (str.isupper, "an upper-case Altinn 2 role code (UTINN, A0294)"),
    ("role_successors", "package_urn"): (
        lambda v: v.startswith(PACKAGE_URN_PREFIX),
        f"an access package urn ({PACKAGE_URN_PREFIX}…)",
    ),
    ("er_role_grants", "er_legacy_code"): (str.isupper, "an upper-case ER role code (DAGL)"),
    ("er_role_grants", "altinn2_role_code"): (str.isupper, "an upper-case Altinn 2 role code (UTINN)"),
}


def _split(value: str) -> list[str]:
    return [item.strip() for item in value.split(";") if item.strip()]


Row = dict[str, str | None]
Rows = list[tuple[int, Row]]  # (row as a spreadsheet shows it, header = 1; values)


def _read_csv(path: Path, table: str) -> Rows:
    """Rows as dicts of stripped strings (empty → None); errors name the file and row."""
    name = path.name
    if not path.is_file():
        raise DsopCatalogueError(f"file not found in {path.parent}", file=name)
    try:
        text = path.read_text(encoding="utf-8-sig")  # tolerate the BOM spreadsheet programs write
    except UnicodeDecodeError as exc:
        raise DsopCatalogueError(f"not UTF-8 ({exc.reason} at byte {exc.start})", file=name) from None
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = [h.strip() for h in next(reader)]
    except StopIteration:
        raise DsopCatalogueError("empty file; expected a header row", file=name) from None
    except csv.Error as exc:
        raise DsopCatalogueError(f"bad CSV in the header: {exc}", file=name) from None
    missing = [c for c in DSOP_SCHEMAS[table] if c not in header]
    if missing:
        raise DsopCatalogueError(
            f"missing column(s) {', '.join(missing)}; expected {', '.join(DSOP_SCHEMAS[table])}",
            file=name,
            column=missing[0],
        )
    rows: Rows = []
    row_no = 1  # the header
    while True:
        try:
            values = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            raise DsopCatalogueError(f"bad CSV: {exc}", file=name, row=row_no + 1) from None
        row_no += 1
        if not any(v.strip() for v in values):
            continue  # a blank line is not a row to check
        if len(values) != len(header):
            raise DsopCatalogueError(
                f"{len(values)} fields, expected {len(header)} (as the header)", file=name, row=row_no
            )
        rows.append((row_no, {h: (v.strip() or None) for h, v in zip(header, values, strict=True)}))
    return rows


def _check_rows(table: str, name: str, rows: Rows) -> None:
    keys = KEYS[table]
    required = (*dict.fromkeys((*keys, *REQUIRED[table], "certainty", "source")),)
    # Role successors without a successor have an empty package urn: the key then allows one empty value.
    optional_keys = {"package_urn"} if table == "role_successors" else set()
    seen: dict[tuple[str | None, ...], int] = {}
    for row_no, row in rows:
        for col in required:
            if row[col] is None and col not in optional_keys:
                raise DsopCatalogueError("empty; a value is required", file=name, row=row_no, column=col)
        cert = row["certainty"]
        if cert not in CERTAINTIES:
            raise DsopCatalogueError(
                f"expected one of {', '.join(CERTAINTIES)}; got {cert!r}", file=name, row=row_no, column="certainty"
            )
        for col, allowed in ALLOWED[table].items():
            value = row[col]
            if value is None:
                continue
            items = _split(value) if (table, col) in LIST_COLUMNS else [value]
            for item in items:
                if item not in allowed:
                    raise DsopCatalogueError(
                        f"expected one of {', '.join(allowed)}; got {item!r}", file=name, row=row_no, column=col
                    )
        for (t, col), (test, expected) in _FORMATS.items():
            value = row.get(col) if t == table else None
            if value is None:
                continue
            items = _split(value) if (table, col) in LIST_COLUMNS else [value]
            if not all(test(item) for item in items):
                raise DsopCatalogueError(f"expected {expected}; got {value!r}", file=name, row=row_no, column=col)
        key = tuple(row[c] for c in keys)
        if key in seen:
            what = ", ".join(f"{c}={row[c] or ''!r}" for c in keys)
            raise DsopCatalogueError(
                f"duplicate id ({what}); first seen in row {seen[key]}", file=name, row=row_no, column=keys[0]
            )
        seen[key] = row_no
        if table == "dependencies":
            _check_dependency(name, row_no, row)
        if table == "role_successors":
            no_package = row["package_urn"] is None
            if no_package != (row["successor_type"] == "none"):
                raise DsopCatalogueError(
                    "successor_type 'none' goes with an empty package_urn, and only with it",
                    file=name,
                    row=row_no,
                    column="package_urn",
                )


def _check_dependency(name: str, row_no: int, row: Row) -> None:
    dependency_id, service_id = row["dependency_id"] or "", row["service_id"] or ""
    if not dependency_id.startswith(f"{service_id}/"):
        raise DsopCatalogueError(
            f"expected '{service_id}/<artefact_key>'; got {dependency_id!r}",
            file=name,
            row=row_no,
            column="dependency_id",
        )
    target_type, target = row["altinn3_target_type"], row["altinn3_target"]
    if target_type in ("resource", "access_package") and target is not None and ";" in target:
        raise DsopCatalogueError(
            f"one {target_type} per row; got {target!r}", file=name, row=row_no, column="altinn3_target"
        )
    if target_type == "access_package" and target is not None and not target.startswith(PACKAGE_URN_PREFIX):
        raise DsopCatalogueError(
            f"expected an access package urn ({PACKAGE_URN_PREFIX}…); got {target!r}",
            file=name,
            row=row_no,
            column="altinn3_target",
        )
    if target_type in ("none", "unknown") and target is not None:
        raise DsopCatalogueError(
            f"altinn3_target_type is {target_type!r}, so altinn3_target must be empty; got {target!r}",
            file=name,
            row=row_no,
            column="altinn3_target",
        )


def _to_frame(table: str, name: str, rows: Rows) -> pl.DataFrame:
    schema = DSOP_SCHEMAS[table]
    columns: dict[str, list[Any]] = {col: [] for col in schema}
    for row_no, row in rows:
        for col, dtype in schema.items():
            value = row[col]
            if dtype == pl.Date and value is not None:
                try:
                    if not _ISO_DATE.match(value):
                        raise ValueError(value)
                    columns[col].append(dt.date.fromisoformat(value))
                except ValueError:
                    raise DsopCatalogueError(
                        f"expected an ISO date (YYYY-MM-DD); got {value!r}",
                        file=name,
                        row=row_no,
                        column=col,
                    ) from None
            else:
                columns[col].append(value)
    return pl.DataFrame(columns, schema=schema)


def _check_references(tables: Mapping[str, pl.DataFrame], rows: Mapping[str, Rows]) -> None:
    for (table, col), (target_table, target_col) in REFERENCES.items():
        known = set(tables[target_table][target_col].to_list())
        for row_no, row in rows[table]:
            value = row[col]
            if value is not None and value not in known:
                raise DsopCatalogueError(
                    f"{value!r} is not a {target_col} in {target_table}.csv",
                    file=f"{table}.csv",
                    row=row_no,
                    column=col,
                )


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
    rows: dict[str, Rows] = {}
    tables: dict[str, pl.DataFrame] = {}
    for table in DSOP_TABLES:
        name = f"{table}.csv"
        rows[table] = _read_csv(path / name, table)
        _check_rows(table, name, rows[table])
        tables[table] = _to_frame(table, name, rows[table])
    _check_references(tables, rows)
    return DsopCatalogue(directory=path, **tables)
