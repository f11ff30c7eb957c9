"""Parquet files of many folders decoded in one call and split back (`read_parquet_group`, `_read_folders`) must
give each file exactly what reading it alone gives: the same table, or the same problems word for word. A file
that does not fit the group (another schema, a footer that does not tell the truth, a damaged body, a guard) is
read on its own."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from typing import Any

import polars as pl
import pytest

from altinn_analysis.catalogue import Catalogue
from altinn_analysis.inventory import _folders as folders_module
from altinn_analysis.sources import (
    FileReadError,
    Limits,
    ParquetFile,
    RawTable,
    TableLayout,
    open_parquet,
    read_parquet_group,
)
from altinn_analysis.sources import _parquet as parquet_reader
from altinn_analysis.synthetic import generate_sector, write_sector

LAYOUT = TableLayout("consents", typed={"valid_from": "date", "count": "count"})
LIMITS = Limits()
KNOWN_SERVICES = None


def parquet(frame: pl.DataFrame, row_group_size: int | None = None) -> bytes:
    buffer = io.BytesIO()
    frame.write_parquet(buffer, row_group_size=row_group_size)
    return buffer.getvalue()


def consents(rows: int, seed: int) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "platform": [f"altinn{(i + seed) % 3}" if (i + seed) % 7 else None for i in range(rows)],
            "Service ": [f"svc-{seed}-{i}" for i in range(rows)],
            "valid_from": [dt.date(2020, 1, 1) + dt.timedelta(days=(i * seed) % 900) for i in range(rows)],
            "count": [(i * seed) % 50 for i in range(rows)],
        }
    )


def alone(data: bytes, file: str, layout: TableLayout = LAYOUT, limits: Limits = LIMITS) -> RawTable | list[str]:
    try:
        return parquet_reader.read_parquet(data, file, layout, limits)
    except FileReadError as exc:
        return [repr(p) for p in exc.problems]


def same_table(got: RawTable, expected: RawTable | list[str]) -> None:
    assert isinstance(expected, RawTable), expected
    assert (got.table, got.file, got.header_row, got.sha256) == (
        expected.table,
        expected.file,
        expected.header_row,
        expected.sha256,
    )
    assert got.source.schema == expected.source.schema and got.source.equals(expected.source)
    assert got.frame.schema == expected.frame.schema and got.frame.equals(expected.frame)
    # each file's own rows, no more: the slice holds whole chunks of exactly its rows
    assert all(sum(s.chunk_lengths()) == got.source.height for s in got.source.get_columns())


def damaged(data: bytes) -> bytes:
    """The file with bytes in the middle of its first page overwritten (the footer intact)."""
    middle = len(data) // 3
    return data[:middle] + bytes(64) + data[middle + 64 :]


def counted_group_decodes(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The number of files of each group decoded together, from now on."""
    calls: list[int] = []
    real = parquet_reader._decode_group

    def counted(datas: list[bytes], rows: list[int]) -> Any:
        calls.append(len(datas))
        return real(datas, rows)

    monkeypatch.setattr(parquet_reader, "_decode_group", counted)
    return calls


class LyingFooter:
    """A footer that promises other row counts than the file holds."""

    def __init__(self, meta: Any, rows: int) -> None:
        self._meta, self.num_rows = meta, rows

    def __getattr__(self, name: str) -> Any:
        return getattr(self._meta, name)


def test_files_of_one_schema_are_decoded_together_and_each_is_what_reading_it_alone_gives(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls = counted_group_decodes(monkeypatch)
    files = [(parquet(consents(rows, seed)), f"f{seed}.parquet") for seed, rows in enumerate([5, 40, 1, 17], 1)]
    got = read_parquet_group([open_parquet(d, f, LIMITS) for d, f in files], LAYOUT, LIMITS)
    assert calls == [4]
    for raw, (data, file) in zip(got, files, strict=True):
        assert raw is not None
        same_table(raw, alone(data, file))


def test_mixed_schemas_each_decoded_with_its_own_kind() -> None:
    other = consents(6, 3).with_columns(pl.col("count").cast(pl.String))  # same names, another type
    extra = consents(4, 5).with_columns(pl.lit("x").alias("note"))
    datas = [
        parquet(consents(3, 1)),
        parquet(other),
        parquet(consents(8, 2)),
        parquet(extra),
        parquet(other.reverse()),
        parquet(extra.head(2)),
    ]
    files = [(d, f"f{i}.parquet") for i, d in enumerate(datas)]
    got = read_parquet_group([open_parquet(d, f, LIMITS) for d, f in files], LAYOUT, LIMITS)
    for raw, (data, file) in zip(got, files, strict=True):
        assert raw is not None, file  # two of each schema: every one decoded in a group
        same_table(raw, alone(data, file))


def test_a_footer_that_does_not_tell_the_truth_sends_the_group_its_own_way() -> None:
    datas = [parquet(consents(n, n)) for n in (5, 9, 7)]
    opened = [open_parquet(d, f"f{i}.parquet", LIMITS) for i, d in enumerate(datas)]
    # one row moved from one file's promise to another's: the total is right, the split would be wrong
    opened[0] = ParquetFile(opened[0].data, opened[0].file, LyingFooter(opened[0].meta, 6))
    opened[1] = ParquetFile(opened[1].data, opened[1].file, LyingFooter(opened[1].meta, 8))
    assert read_parquet_group(opened, LAYOUT, LIMITS) == [None, None, None]
    # one promise too many: the total is wrong
    opened = [open_parquet(d, f"f{i}.parquet", LIMITS) for i, d in enumerate(datas)]
    opened[2] = ParquetFile(opened[2].data, opened[2].file, LyingFooter(opened[2].meta, 8))
    assert read_parquet_group(opened, LAYOUT, LIMITS) == [None, None, None]


def test_a_damaged_file_in_the_middle_of_a_group_is_read_on_its_own() -> None:
    good = [parquet(consents(300, seed)) for seed in range(1, 6)]
    bad = damaged(good[2])
    datas = [*good[:2], bad, *good[3:], b"PAR1 not really PAR1", good[0][:-20]]
    files = [(d, f"f{i}.parquet") for i, d in enumerate(datas)]
    got = read_parquet_group([open_parquet(d, f, LIMITS) for d, f in files], LAYOUT, LIMITS)
    for raw, (data, file) in zip(got, files, strict=True):
        if raw is not None:
            same_table(raw, alone(data, file))
    assert got[2] is None or isinstance(alone(bad, "f2.parquet"), RawTable)
    assert got[5:] == [None, None]  # read on its own, which says what is wrong
    assert isinstance(alone(datas[5], "f5.parquet"), list) and isinstance(alone(datas[6], "f6.parquet"), list)


def test_files_outside_what_the_split_checks_are_read_on_their_own() -> None:
    datas = [
        parquet(consents(0, 3)),  # no rows
        parquet(consents(0, 4)),
        parquet(consents(50, 5)),  # over the row limit below
        parquet(consents(60, 6)),
    ]
    limits = Limits(table_rows=40)
    opened = [open_parquet(d, f"f{i}.parquet", limits) for i, d in enumerate(datas)]
    assert [o.meta is None for o in opened] == [False, False, True, True]
    assert read_parquet_group(opened, LAYOUT, limits) == [None] * 4


def test_files_of_several_row_groups_are_decoded_with_the_others(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each file's rows are whole chunks of the group (a file of several row groups in several): split back."""
    calls = counted_group_decodes(monkeypatch)
    files = [
        (parquet(consents(10, 1), row_group_size=4), "f0.parquet"),  # three row groups
        (parquet(consents(7, 2)), "f1.parquet"),
        (parquet(consents(9, 3), row_group_size=2), "f2.parquet"),
    ]
    got = read_parquet_group([open_parquet(d, f, LIMITS) for d, f in files], LAYOUT, LIMITS)
    assert calls == [3]
    for raw, (data, file) in zip(got, files, strict=True):
        assert raw is not None
        same_table(raw, alone(data, file))


def test_files_a_group_cannot_finish_at_once_are_each_finished_as_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    """A blank row, a cell over the limit, a typed value outside the kept ranges, a column to convert: the group is
    still decoded once, each file then finished on its own rows (or read alone, for the refused one)."""
    calls = counted_group_decodes(monkeypatch)
    blank = consents(6, 1).with_columns(
        pl.when(pl.int_range(pl.len()) == 2).then(None).otherwise(pl.col(c)).alias(c) for c in consents(1, 1).columns
    )
    long = consents(5, 2).with_columns(pl.lit("x" * 40).alias("Service "))
    far = consents(5, 3).with_columns(pl.lit(dt.date(999, 12, 31), pl.Date).alias("valid_from"))
    big = consents(5, 4).with_columns(pl.lit(10**10).alias("count"))
    limits = Limits(cell_chars=30)
    for kind in (blank, long, far, big):
        files = [
            (parquet(consents(4, 9)), "a.parquet"),
            (parquet(kind), "b.parquet"),
            (parquet(consents(3, 8)), "c.parquet"),
        ]
        calls.clear()
        got = read_parquet_group([open_parquet(d, f, limits) for d, f in files], LAYOUT, limits)
        assert calls == [3]
        for raw, (data, file) in zip(got, files, strict=True):
            expected = alone(data, file, limits=limits)
            if raw is None:  # refused: read alone, which says why
                assert isinstance(expected, list) and kind is long
            else:
                same_table(raw, expected)
    converted = [
        consents(4, 5).with_columns(pl.col("count").cast(pl.Float64)),
        consents(3, 6).with_columns(pl.col("count").cast(pl.Float64)),
    ]
    files = [(parquet(f), f"f{i}.parquet") for i, f in enumerate(converted)]
    got = read_parquet_group([open_parquet(d, f, LIMITS) for d, f in files], LAYOUT, LIMITS)
    for raw, (data, file) in zip(got, files, strict=True):
        assert raw is not None
        same_table(raw, alone(data, file))


def test_a_file_refused_after_decoding_is_read_on_its_own() -> None:
    """Two columns with one normalised name: refused by name, in the file's own words."""
    frames = [
        pl.DataFrame({"Status": ["a", "b"], "status ": ["b", "c"]}),
        pl.DataFrame({"Status": ["x"], "status ": ["y"]}),
    ]
    files = [(parquet(f), f"f{i}.parquet") for i, f in enumerate(frames)]
    got = read_parquet_group([open_parquet(d, f, LIMITS) for d, f in files], LAYOUT, LIMITS)
    assert got == [None, None]
    expected = "columns 'Status' and 'status ' are the same column"
    for data, file in files:
        problems = alone(data, file)
        assert isinstance(problems, list) and file in problems[0] and expected in problems[0]


# -- whole folders --------------------------------------------------------------------------------------------


def _folder_state(folder: folders_module.Folder) -> tuple[object, ...]:
    raws = {
        table: (raw.file, raw.sha256, raw.header_row, raw.source.schema, raw.source.rows(), raw.frame.schema)
        for table, raw in folder.raws.items()
    }
    return (folder.directory, folder.problems, folder.order, folder.hashes, folder.profile, folder.by_table, raws)


@pytest.fixture(scope="module")
def folders(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    root = tmp_path_factory.mktemp("group")
    write_sector(root, generate_sector(9, 3, 300, 60))
    found = sorted(p for p in root.iterdir() if p.is_dir())
    # another schema in one folder, a damaged body in the middle of the group, a file cut short, a CSV table
    extra = pl.read_parquet(found[1] / "consents.parquet").with_columns(pl.lit("x").alias("note"))
    extra.write_parquet(found[1] / "consents.parquet")
    (found[4] / "consents.parquet").write_bytes(damaged((found[4] / "consents.parquet").read_bytes()))
    (found[5] / "delegations.parquet").write_bytes((found[5] / "delegations.parquet").read_bytes()[:-30])
    frame = pl.read_parquet(found[6] / "integrations.parquet")
    frame.with_columns(pl.col(pl.List(pl.String)).list.join(" ")).write_csv(found[6] / "integrations.csv")
    (found[6] / "integrations.parquet").unlink()
    return [*found[:3], root / "no-such-folder", *found[3:]]


def test_folders_read_together_are_each_what_reading_it_alone_gives(
    folders: list[Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    catalogue = Catalogue.load()
    calls = counted_group_decodes(monkeypatch)
    monkeypatch.setattr(folders_module, "GROUP_ROWS", 10**9)
    together = list(folders_module.read_folders(folders, catalogue, KNOWN_SERVICES, LIMITS))
    assert calls and max(calls) >= 6  # they were decoded together
    assert len(together) == len(folders)
    for directory, got in zip(folders, together, strict=True):
        assert isinstance(got, folders_module.Folder), got
        expected = folders_module.read_folder(directory, catalogue, KNOWN_SERVICES, LIMITS)
        assert _folder_state(got) == _folder_state(expected), directory.name
    assert any(
        isinstance(f, folders_module.Folder) and f.by_table for f in together
    )  # the file cut short at least: its own problems


def test_folders_read_in_turns_of_rows_give_the_same(folders: list[Path], monkeypatch: pytest.MonkeyPatch) -> None:
    catalogue = Catalogue.load()
    whole = [_folder_state(f) for f in folders_module.read_folders(folders, catalogue, None, LIMITS)]  # type: ignore[arg-type]
    monkeypatch.setattr(folders_module, "GROUP_ROWS", 1)  # each folder its own turn
    turns = [_folder_state(f) for f in folders_module.read_folders(folders, catalogue, None, LIMITS)]  # type: ignore[arg-type]
    assert whole == turns


def test_a_folder_failing_unexpectedly_leaves_the_others_of_its_group(
    folders: list[Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    catalogue = Catalogue.load()
    real = folders_module.open_folder

    def failing(directory: Path, *args: Any) -> Any:
        if directory == folders[2]:
            raise RuntimeError("boom")
        return real(directory, *args)

    monkeypatch.setattr(folders_module, "open_folder", failing)
    got = list(folders_module.read_folders(folders, catalogue, None, LIMITS))
    assert isinstance(got[2], RuntimeError)
    assert all(isinstance(f, folders_module.Folder) for i, f in enumerate(got) if i != 2)
