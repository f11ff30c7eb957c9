"""The snapshot store: atomic writes, verified reads, and refresh failures that leave the old snapshot alone."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import httpx
import polars as pl
import pytest
from replay_fixture import VARIANTS

from altinn_analysis.catalogue import Catalogue, refresh
from altinn_analysis.sources import (
    AltinnClient,
    AltinnUnavailableError,
    ReplayMissError,
    RetryPolicy,
    SnapshotError,
    SnapshotIntegrityError,
    read_manifest,
    read_snapshot,
    write_snapshot,
)

TABLES = {"a": pl.DataFrame({"x": [1, 2, 3]}), "b": pl.DataFrame({"y": ["æ", "ø", "å"]})}
META = {"source": "replay", "environment": "prod", "base_url": "https://platform.altinn.no", "fetched_at": "t"}


def hashes(directory: Path) -> dict[str, str]:
    return {name: info.sha256 for name, info in read_manifest(directory).tables.items()}


def leftovers(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.parent.iterdir() if p.name.startswith("."))


def test_round_trip(tmp_path: Path) -> None:
    manifest = write_snapshot(tmp_path / "snap", TABLES, **META)  # type: ignore[arg-type]
    assert manifest.tables["a"].rows == 3
    loaded_manifest, tables = read_snapshot(tmp_path / "snap")
    assert loaded_manifest == manifest
    assert tables["b"]["y"].to_list() == ["æ", "ø", "å"]
    data = json.loads((tmp_path / "snap" / "manifest.json").read_text(encoding="utf-8"))
    assert list(data)[:7] == [
        "schema_version",
        "source",
        "environment",
        "base_url",
        "fetched_at",
        "tool_version",
        "tables",
    ]


@pytest.mark.scenario("disk-corrupted-snapshot")
def test_a_changed_byte_is_refused(tmp_path: Path) -> None:
    write_snapshot(tmp_path / "snap", TABLES, **META)  # type: ignore[arg-type]
    path = tmp_path / "snap" / "a.parquet"
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    path.write_bytes(bytes(data))
    with pytest.raises(SnapshotIntegrityError, match=r"a\.parquet: sha256 .* does not match the manifest"):
        read_snapshot(tmp_path / "snap")
    read_snapshot(tmp_path / "snap", ["b"])  # the untouched table is still fine


@pytest.mark.scenario("disk-corrupted-manifest")
@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (lambda d: (d / "manifest.json").unlink(), "manifest.json missing"),
        (lambda d: (d / "manifest.json").write_text("{", encoding="utf-8"), "corrupt manifest"),
        (lambda d: (d / "manifest.json").write_text('{"schema_version": 99}', encoding="utf-8"), "schema_version 99"),
        (lambda d: (d / "b.parquet").unlink(), "table file missing"),
    ],
)
def test_damaged_snapshots_give_clear_errors(tmp_path: Path, damage, message: str) -> None:  # type: ignore[no-untyped-def]
    write_snapshot(tmp_path / "snap", TABLES, **META)  # type: ignore[arg-type]
    damage(tmp_path / "snap")
    with pytest.raises(SnapshotError, match=message):
        read_snapshot(tmp_path / "snap")


@pytest.mark.scenario("disk-full")
def test_crash_while_writing_keeps_the_previous_snapshot(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "snap"
    write_snapshot(target, TABLES, **META)  # type: ignore[arg-type]
    before = hashes(target)
    written: list[str] = []
    original = pl.DataFrame.write_parquet

    def crash_on_second(self: pl.DataFrame, file: Path, **kw: object) -> None:
        written.append(str(file))
        if len(written) == 2:
            raise OSError(28, "No space left on device")
        original(self, file, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(pl.DataFrame, "write_parquet", crash_on_second)
    new = {"a": pl.DataFrame({"x": [9]}), "b": pl.DataFrame({"y": ["z"]})}
    with pytest.raises(OSError, match="No space left"):
        write_snapshot(target, new, **META)  # type: ignore[arg-type]
    monkeypatch.undo()
    assert hashes(target) == before
    assert read_snapshot(target)[1]["a"]["x"].to_list() == [1, 2, 3]
    assert leftovers(target) == []


@pytest.mark.scenario("disk-killed-during-write")
def test_interrupted_swap_is_recovered(tmp_path: Path) -> None:
    target = tmp_path / "snap"
    write_snapshot(target, TABLES, **META)  # type: ignore[arg-type]
    # A crash between the two renames leaves only the backup: the next reader puts it back.
    target.rename(tmp_path / ".snap.previous")
    assert read_manifest(target).tables["a"].rows == 3
    assert leftovers(target) == []


def test_snapshot_folder_is_not_private(tmp_path: Path) -> None:
    write_snapshot(tmp_path / "snap", TABLES, **META)  # type: ignore[arg-type]
    assert (tmp_path / "snap").stat().st_mode & 0o055  # group/others may read, as with any folder


def test_refresh_is_deterministic(replay_dir: Path, fixture_snapshot: Path, tmp_path: Path) -> None:
    # Different concurrency gives a different completion order; the bytes must not change.
    refresh(tmp_path / "again", replay_dir=replay_dir, variants=VARIANTS, max_concurrency=1)
    assert hashes(tmp_path / "again") == hashes(fixture_snapshot)


def test_loaded_tables_rewrite_to_the_same_hashes(tmp_path: Path) -> None:
    manifest, tables = read_snapshot(Catalogue.load().directory)  # type: ignore[arg-type]
    rewritten = write_snapshot(tmp_path / "copy", tables, **META)  # type: ignore[arg-type]
    assert {k: v.sha256 for k, v in rewritten.tables.items()} == {k: v.sha256 for k, v in manifest.tables.items()}


def copy_snapshot(source: Path, tmp_path: Path) -> Path:
    target = tmp_path / "reference"
    shutil.copytree(source, target)
    return target


def test_failed_refresh_leaves_the_old_snapshot(fixture_snapshot: Path, tmp_path: Path) -> None:
    target = copy_snapshot(fixture_snapshot, tmp_path)
    before = (target / "manifest.json").read_text(encoding="utf-8")

    def always_500(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/resourcelist"):
            return httpx.Response(500)
        return httpx.Response(200, json=[])

    client = AltinnClient(
        transport=httpx.MockTransport(always_500), retry=RetryPolicy(attempts=3), sleep=lambda s: None
    )
    with pytest.raises(AltinnUnavailableError, match=r"resourcelist\?.*: HTTP 500"):
        refresh(target, client=client, variants=VARIANTS)
    assert (target / "manifest.json").read_text(encoding="utf-8") == before
    Catalogue.load(target)
    assert leftovers(target) == []


def test_refresh_against_a_replay_without_the_recording(
    fixture_snapshot: Path, replay_dir: Path, tmp_path: Path
) -> None:
    target = copy_snapshot(fixture_snapshot, tmp_path)
    before = hashes(target)
    with pytest.raises(ReplayMissError, match="variant=SPA"):
        refresh(target, replay_dir=replay_dir, variants=("ASA", "SPA"))
    assert hashes(target) == before
