"""The curated DSOP catalogue's CSV files, read by the CSV reader in `sources` and checked strictly against
`_dsop_schema.py`.

The files are reviewed by hand, so every problem is one `DsopCatalogueError` that says exactly where it is: file,
the row as a spreadsheet shows it (header = row 1), column and what was expected.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import polars as pl

from altinn_analysis.catalogue._build import PACKAGE_URN_PREFIX
from altinn_analysis.catalogue._dsop_schema import (
    ALLOWED,
    CERTAINTIES,
    DSOP_SCHEMAS,
    DSOP_TABLES,
    FORMATS,
    KEYS,
    LIST_COLUMNS,
    REFERENCES,
    REQUIRED,
)
from altinn_analysis.checks import LocatedError, Problem
from altinn_analysis.sources import ROW, FileReadError, TableLayout, read_table

__all__ = ["DsopCatalogueError", "read_dsop_tables"]

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


def _items(table: str, column: str, value: str | None) -> list[str]:
    """The values of a cell to check: none when empty, each item of a `;`-separated list column."""
    if value is None:
        return []
    if (table, column) in LIST_COLUMNS:
        return [item.strip() for item in value.split(";") if item.strip()]
    return [value]


Row = dict[str, str | None]
Rows = list[tuple[int, Row]]  # (row as a spreadsheet shows it, header = 1; values)


def _read_csv(path: Path, table: str) -> Rows:
    """Rows as dicts of stripped strings (empty → None), read by the one CSV reader (`sources`, under its limits);
    its first problem becomes the `DsopCatalogueError`, located the same way (header = row 1)."""
    name = path.name
    columns = tuple(DSOP_SCHEMAS[table])
    try:
        raw = read_table(path, TableLayout(table, columns, exact_width=True))
    except FileNotFoundError:
        raise DsopCatalogueError(f"file not found in {path.parent}", file=name) from None
    except FileReadError as exc:
        first = exc.problems[0]
        raise DsopCatalogueError(first.message, file=name, row=first.row, column=first.column) from None
    missing = [c for c in columns if c not in raw.columns]
    if missing:
        raise DsopCatalogueError(
            f"missing column(s) {', '.join(missing)}; expected {', '.join(columns)}", file=name, column=missing[0]
        )
    # Column by column (no row-by-row conversion out of polars), then one dict per row for the checks. A CSV's
    # columns are text as read: its `frame` (every column as text) would be one more query for the same columns.
    texts = all(dtype == pl.String for name, dtype in raw.source.schema.items() if name != ROW)
    frame = raw.source if texts else raw.frame
    cells = [[None if v is None else (v.strip() or None) for v in frame.get_column(c).to_list()] for c in columns]
    return [
        (row_no, dict(zip(columns, values, strict=True)))
        for row_no, *values in zip(frame.get_column(ROW).to_list(), *cells, strict=True)
    ]


def _check_rows(table: str, name: str, rows: Rows) -> None:
    keys = KEYS[table]
    required = (*dict.fromkeys((*keys, *REQUIRED[table], "certainty", "source")),)
    # Role successors without a successor have an empty package urn: the key then allows one empty value.
    optional_keys = {"package_urn"} if table == "role_successors" else set()
    allowed = ALLOWED[table].items()
    formats = [(col, test, expected) for (t, col), (test, expected) in FORMATS.items() if t == table]
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
        for col, vocabulary in allowed:
            for item in _items(table, col, row[col]):
                if item not in vocabulary:
                    raise DsopCatalogueError(
                        f"expected one of {', '.join(vocabulary)}; got {item!r}", file=name, row=row_no, column=col
                    )
        for col, test, expected in formats:
            value = row.get(col)
            if not all(test(item) for item in _items(table, col, value)):
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
    columns: dict[str, list[Any]] = {col: [row[col] for _, row in rows] for col in schema}
    dates = [col for col, dtype in schema.items() if dtype == pl.Date]
    for index, (row_no, row) in enumerate(rows if dates else ()):  # row by row: the first bad date is reported
        for col in dates:
            value = row[col]
            if value is not None:
                columns[col][index] = _iso_date(value, name, row_no, col)
    return pl.DataFrame(columns, schema=schema)


def _iso_date(value: str, name: str, row_no: int, col: str) -> dt.date:
    try:
        if not _ISO_DATE.match(value):
            raise ValueError(value)
        return dt.date.fromisoformat(value)
    except ValueError:
        raise DsopCatalogueError(
            f"expected an ISO date (YYYY-MM-DD); got {value!r}", file=name, row=row_no, column=col
        ) from None


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


def read_dsop_tables(directory: Path) -> dict[str, pl.DataFrame]:
    """Every DSOP table of `directory` as a typed frame, after every check; the first problem raises
    `DsopCatalogueError`."""
    rows: dict[str, Rows] = {}
    tables: dict[str, pl.DataFrame] = {}
    for table in DSOP_TABLES:
        name = f"{table}.csv"
        rows[table] = _read_csv(directory / name, table)
        _check_rows(table, name, rows[table])
        tables[table] = _to_frame(table, name, rows[table])
    _check_references(tables, rows)
    return tables
