"""Which files of an inventory folder are the inventory: the profile and one file per table. Kept apart from the
schema (which needs polars for its column types) so that a fingerprint of an unchanged folder imports no polars."""

from __future__ import annotations

from pathlib import Path

from altinn_analysis.sources import file_kind, is_hidden

__all__ = ["PROFILE_FILE", "TABLES", "TABLE_SUFFIXES", "inventory_files", "is_table_name"]

PROFILE_FILE = "profile.yaml"
TABLE_SUFFIXES: tuple[str, ...] = (".csv", ".xlsx", ".parquet")
# The tables, in the order the schema declares them (`_schema.TABLE_SPECS` is checked against this at import).
TABLES: tuple[str, ...] = ("delegations", "consents", "integrations")


def is_table_name(path: Path) -> bool:
    """`path` is named as one of the tables (`<table>.<any suffix>`, any letter case) and is not hidden."""
    return path.stem.lower() in TABLES and not is_hidden(path.name)


def inventory_files(directory: str | Path) -> list[Path]:
    """The files an inventory folder's tables and profile are read from (regular files only, never through a
    link): what a fingerprint must hash. Everything else in the folder is ignored (`other_files`)."""
    directory = Path(directory)
    try:
        entries = sorted(directory.iterdir())
    except OSError:
        return []
    return [p for p in entries if (p.name == PROFILE_FILE or is_table_name(p)) and file_kind(p) is None]
