"""Reading a table from CSV, XLSX or Parquet (the file's suffix picks the format), under the limits."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from altinn_analysis.sources._csv import read_csv
from altinn_analysis.sources._limits import Limits
from altinn_analysis.sources._parquet import read_parquet
from altinn_analysis.sources._raw_table import RawTable, TableLayout
from altinn_analysis.sources._read_common import read_error, read_file, too_big
from altinn_analysis.sources._xlsx import read_xlsx

__all__ = ["TABLE_FORMATS", "read_table", "read_table_bytes"]

_READERS: dict[str, Callable[[bytes, str, TableLayout, Limits], RawTable]] = {
    ".csv": read_csv,
    ".xlsx": read_xlsx,
    ".parquet": read_parquet,
}
TABLE_FORMATS: tuple[str, ...] = tuple(_READERS)


def read_table_bytes(data: bytes, file: str, layout: TableLayout, limits: Limits | None = None) -> RawTable:
    """Read the table `layout` describes from the bytes of `file`. Raises only `FileReadError`."""
    limits = limits or Limits.from_env()
    reader = _READERS.get(Path(file).suffix.lower())
    if reader is None:
        raise read_error(file, f"unsupported file type; expected {', '.join(TABLE_FORMATS)}")
    if len(data) > limits.file_bytes:
        raise too_big(file, f"{len(data):,} bytes", f"{limits.file_bytes:,} bytes", "file_bytes")
    return reader(data, file, layout, limits)


def read_table(path: Path, layout: TableLayout, limits: Limits | None = None) -> RawTable:
    """`read_table_bytes` on a regular file (never through a link); `FileNotFoundError` when it is gone."""
    limits = limits or Limits.from_env()
    return read_table_bytes(read_file(path, limits.file_bytes), path.name, layout, limits)
