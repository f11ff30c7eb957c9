"""The snapshot store: one Parquet file per table plus `manifest.json`.

Written atomically: everything goes to a temporary sibling folder, which replaces the old snapshot only when
complete. Verified on load: a table whose bytes do not match the manifest's sha256 is refused.
"""

from __future__ import annotations

import hashlib
import io
import json
import shutil
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal

import polars as pl

from altinn_analysis._version import __version__
from altinn_analysis.sources._files import make_temp_dir, recover_dir, replace_dir, sha256_file

__all__ = [
    "SCHEMA_VERSION",
    "Manifest",
    "SnapshotError",
    "SnapshotIntegrityError",
    "TableInfo",
    "read_manifest",
    "read_snapshot",
    "write_snapshot",
]

SCHEMA_VERSION = 1
MANIFEST = "manifest.json"


class SnapshotError(Exception):
    """A snapshot is missing, incomplete or unreadable."""


class SnapshotIntegrityError(SnapshotError):
    """A table's bytes do not match the hash in the manifest."""


@dataclass(frozen=True)
class TableInfo:
    rows: int
    sha256: str


@dataclass(frozen=True)
class Manifest:
    source: Literal["live", "replay"]
    environment: str
    base_url: str
    fetched_at: str
    tables: dict[str, TableInfo]
    schema_version: int = SCHEMA_VERSION
    tool_version: str = __version__
    notes: list[str] = field(default_factory=list)

    def to_json(self) -> str:
        data = asdict(self)
        ordered = {k: data[k] for k in ("schema_version", "source", "environment", "base_url", "fetched_at")}
        ordered |= {"tool_version": self.tool_version, "tables": data["tables"], "notes": self.notes}
        return json.dumps(ordered, indent=2, ensure_ascii=False, sort_keys=False) + "\n"

    @classmethod
    def from_json(cls, text: str, where: Path) -> Manifest:
        try:
            data: dict[str, Any] = json.loads(text)
            if data.get("schema_version") != SCHEMA_VERSION:
                raise SnapshotError(
                    f"{where}: schema_version {data.get('schema_version')!r} is not supported "
                    f"(this tool reads {SCHEMA_VERSION}); run `altinn-analysis refresh`"
                )
            return cls(
                schema_version=data["schema_version"],
                source=data["source"],
                environment=data["environment"],
                base_url=data["base_url"],
                fetched_at=data["fetched_at"],
                tool_version=data["tool_version"],
                tables={k: TableInfo(int(v["rows"]), str(v["sha256"])) for k, v in data["tables"].items()},
                notes=list(data.get("notes", [])),
            )
        except SnapshotError:
            raise
        except (json.JSONDecodeError, KeyError, TypeError, ValueError, AttributeError) as exc:
            raise SnapshotError(f"{where}: corrupt manifest ({type(exc).__name__}: {exc})") from exc


def write_snapshot(
    directory: str | Path,
    tables: Mapping[str, pl.DataFrame],
    *,
    source: Literal["live", "replay"],
    environment: str,
    base_url: str,
    fetched_at: str,
    notes: Iterable[str] = (),
) -> Manifest:
    """Write `tables` as a snapshot in `directory`, replacing the old one only when everything is on disk."""
    directory = Path(directory)
    recover_dir(directory)
    tmp = make_temp_dir(directory.parent, directory.name)
    try:
        infos: dict[str, TableInfo] = {}
        for name in sorted(tables):
            path = tmp / f"{name}.parquet"
            # Fixed settings so that the same table always gives the same bytes (and hash).
            tables[name].write_parquet(path, compression="zstd", compression_level=3, statistics=False)
            infos[name] = TableInfo(rows=tables[name].height, sha256=sha256_file(path))
        manifest = Manifest(
            source=source,
            environment=environment,
            base_url=base_url,
            fetched_at=fetched_at,
            tables=infos,
            notes=list(notes),
        )
        (tmp / MANIFEST).write_text(manifest.to_json(), encoding="utf-8")
        replace_dir(tmp, directory)
        return manifest
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        recover_dir(directory)
        raise


def read_manifest(directory: str | Path) -> Manifest:
    directory = Path(directory)
    recover_dir(directory)
    path = directory / MANIFEST
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SnapshotError(
            f"{path}: no snapshot here (manifest.json missing); run `altinn-analysis refresh`"
        ) from None
    return Manifest.from_json(text, path)


def read_snapshot(
    directory: str | Path, names: Iterable[str] | None = None
) -> tuple[Manifest, dict[str, pl.DataFrame]]:
    """Load tables after checking each file's sha256 against the manifest."""
    directory = Path(directory)
    manifest = read_manifest(directory)
    wanted = list(manifest.tables) if names is None else list(names)
    out: dict[str, pl.DataFrame] = {}
    for name in wanted:
        info = manifest.tables.get(name)
        if info is None:
            raise SnapshotError(f"{directory / MANIFEST}: the snapshot has no table {name!r}")
        path = directory / f"{name}.parquet"
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            raise SnapshotError(f"{path}: table file missing from the snapshot") from None
        actual = hashlib.sha256(data).hexdigest()
        if actual != info.sha256:
            raise SnapshotIntegrityError(
                f"{path}: sha256 {actual[:12]}… does not match the manifest ({info.sha256[:12]}…); "
                "the snapshot was changed or damaged; refusing to use it (run `altinn-analysis refresh`)"
            )
        try:
            frame = pl.read_parquet(io.BytesIO(data))
        except Exception as exc:  # polars raises several error types for broken Parquet
            raise SnapshotError(f"{path}: unreadable Parquet ({exc})") from exc
        if frame.height != info.rows:
            raise SnapshotIntegrityError(f"{path}: {frame.height} rows, the manifest says {info.rows}")
        out[name] = frame
    return manifest, out
