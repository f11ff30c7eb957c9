"""Limits on what an input file (an inventory table, profile.yaml) may make the workbench do, as data.

Every reader checks these before it parses (from the file size, the XLSX zip directory, the Parquet metadata)
or while it streams, so a small hostile file (a YAML alias bomb, a zip bomb, a dictionary-encoded Parquet file)
is refused with a located error in bounded memory and time, instead of taking the machine down. A big
institution raises a limit with an environment variable (`ALTINN_ANALYSIS_LIMIT_TABLE_ROWS=50000000`) or the
`--limit table_rows=50000000` option of `validate`, `assess` and `report`.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields, replace

__all__ = ["ENV_PREFIX", "LIMITS_HELP", "Limits"]

ENV_PREFIX = "ALTINN_ANALYSIS_LIMIT_"
_MIB = 1 << 20


@dataclass(frozen=True)
class Limits:
    """The limits (see `LIMITS_HELP`); `Limits.from_env()` applies the environment's overrides."""

    file_bytes: int = 512 * _MIB
    table_rows: int = 10_000_000
    cell_chars: int = 32_767  # Excel's own limit for one cell
    xlsx_unpacked_bytes: int = 256 * _MIB
    xlsx_rows: int = 1_048_576  # Excel's own limit for one sheet
    parquet_uncompressed_bytes: int = 1024 * _MIB
    yaml_bytes: int = 1 * _MIB
    yaml_depth: int = 20

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Limits:
        env = os.environ if env is None else env
        overrides = {
            f.name: env[ENV_PREFIX + f.name.upper()] for f in fields(cls) if ENV_PREFIX + f.name.upper() in env
        }
        return cls().with_overrides(overrides.items(), source="environment")

    def with_overrides(self, pairs: Iterable[tuple[str, str | int]], *, source: str = "option") -> Limits:
        """These limits with `(name, value)` pairs applied; a clear `ValueError` for an unknown name or a value
        that is not a positive whole number."""
        names = [f.name for f in fields(self)]
        changes: dict[str, int] = {}
        for name, value in pairs:
            key = name.strip().lower()
            if key not in names:
                raise ValueError(f"unknown limit {name!r} ({source}); limits: {', '.join(names)}")
            try:
                number = int(str(value).replace("_", "").strip())
            except ValueError:
                number = 0
            if number < 1:
                raise ValueError(f"limit {key} ({source}) must be a positive whole number, got {str(value)[:30]!r}")
            changes[key] = number
        return replace(self, **changes)

    @classmethod
    def parse(cls, specs: Iterable[str], base: Limits | None = None) -> Limits:
        """`["table_rows=50000000", …]` (the `--limit` option) applied to `base` (default: from the environment)."""
        pairs = []
        for spec in specs:
            name, sep, value = spec.partition("=")
            if not sep:
                raise ValueError(f"--limit expects name=value, got {spec[:40]!r}")
            pairs.append((name, value))
        return (base or cls.from_env()).with_overrides(pairs)


LIMITS_HELP: dict[str, str] = {
    "file_bytes": "bytes per inventory file (CSV, XLSX, Parquet), checked before it is read",
    "table_rows": "rows per table",
    "cell_chars": "characters in one cell (longer values are refused before any hint is computed)",
    "xlsx_unpacked_bytes": "bytes of an .xlsx workbook's parts once unpacked, from the zip directory and while "
    "unpacking",
    "xlsx_rows": "rows in the sheet of an .xlsx workbook, counted before the sheet is parsed",
    "parquet_uncompressed_bytes": "uncompressed bytes of a Parquet file, from its metadata before reading",
    "yaml_bytes": "bytes of profile.yaml",
    "yaml_depth": "nesting depth of profile.yaml (aliases, anchors and duplicate keys are always refused)",
}
