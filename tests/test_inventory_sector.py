"""Many institutions checked together (`validate_inventories`, `load_inventories`) give each institution exactly
what checking its folder alone gives: a differential test over generated institutions with injected faults of
every kind the validator reports, in CSV, XLSX and Parquet, plus the committed bad-input cases, all in one call."""

from __future__ import annotations

import functools
import io
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import hostile_support as hs
import openpyxl
import polars as pl
import pytest
from inventory_support import CASES, KNOWN_SERVICES, SYNTHETIC_FNR, build_case

from altinn_analysis.catalogue import Catalogue
from altinn_analysis.inventory import (
    Inventory,
    InventoryError,
    load_inventories,
    load_inventory,
    validate_inventories,
    validate_inventory,
)
from altinn_analysis.inventory import _collect as collect_module  # the package's own tests may use its modules
from altinn_analysis.inventory import _duplicates as duplicates_module
from altinn_analysis.inventory import _folders as folders_module
from altinn_analysis.inventory import _inventory as inventory_module
from altinn_analysis.inventory import _value_check as value_check_module
from altinn_analysis.sources import Limits
from altinn_analysis.synthetic import generate_sector, write_sector

Edit = Callable[[Path], object]


def _frame(folder: Path, table: str) -> pl.DataFrame:
    return pl.read_parquet(folder / f"{table}.parquet")


def _as_csv(folder: Path, table: str, edit: Callable[[pl.DataFrame], pl.DataFrame] = lambda f: f) -> None:
    """The generated table rewritten as the CSV an analyst would export (`;`, ISO dates), after `edit`."""
    frame = _frame(folder, table).with_columns(pl.col(pl.List(pl.String)).list.join(" "))
    frame = edit(frame.with_columns(pl.all().cast(pl.String)))
    frame.write_csv(folder / f"{table}.csv", separator=";")
    (folder / f"{table}.parquet").unlink()


def _as_xlsx(folder: Path, table: str, edit: Callable[[pl.DataFrame], pl.DataFrame] = lambda f: f) -> None:
    frame = edit(_frame(folder, table).with_columns(pl.col(pl.List(pl.String)).list.join(" ")))
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = table
    sheet.append(frame.columns)
    for row in frame.iter_rows():
        sheet.append(list(row))
    buffer = io.BytesIO()
    book.save(buffer)
    (folder / f"{table}.xlsx").write_bytes(buffer.getvalue())
    (folder / f"{table}.parquet").unlink()


def _parquet(folder: Path, table: str, edit: Callable[[pl.DataFrame], pl.DataFrame]) -> None:
    edit(_frame(folder, table)).write_parquet(folder / f"{table}.parquet")


def _set(column: str, rows: list[int], value: object) -> Callable[[pl.DataFrame], pl.DataFrame]:
    """`value` in `column` on the given (0-based) data rows, as text where the column is text."""

    def edit(frame: pl.DataFrame) -> pl.DataFrame:
        dtype = frame.schema[column]
        index = pl.int_range(pl.len())
        lit = pl.lit(value, dtype=dtype) if value is None else pl.lit(value)
        return frame.with_columns(pl.when(index.is_in(rows)).then(lit).otherwise(pl.col(column)).alias(column))

    return edit


def _profile(folder: Path, old: str, new: str) -> None:
    path = folder / "profile.yaml"
    text = path.read_text(encoding="utf-8")
    assert old in text, (old, text)
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _link(folder: Path) -> None:
    target = folder.parent / "elsewhere.parquet"
    (folder / "integrations.parquet").rename(target)
    (folder / "integrations.parquet").symlink_to(target)


# One fault (or a few) per institution; institutions without a fault stay clean and share their queries with the
# faulty ones. Each entry: a name (for the assertion message) and what to do to the generated folder.
FAULTS: list[tuple[str, Edit]] = [
    ("clean parquet", lambda d: None),
    ("bad dates in CSV", lambda d: _as_csv(d, "consents", _set("valid_from", [0, 3], "31.12.2025"))),
    ("impossible date in CSV", lambda d: _as_csv(d, "delegations", _set("granted_at", [1], "2026-02-30"))),
    ("many bad dates (over the limit)", lambda d: _as_csv(d, "consents", _set("valid_to", list(range(40)), "snart"))),
    ("unknown enum values", lambda d: _parquet(d, "consents", _set("status", [2, 5], "Aktiv"))),
    ("mixed case enum, cleaned", lambda d: _parquet(d, "delegations", _set("platform", [0], " Altinn2 "))),
    ("identity number in holder_id", lambda d: _parquet(d, "delegations", _set("holder_id", [4], SYNTHETIC_FNR))),
    ("credential in a name", lambda d: _parquet(d, "integrations", _set("name", [0], "-----BEGIN PRIVATE KEY-----"))),
    ("duplicate rows", lambda d: _parquet(d, "delegations", lambda f: pl.concat([f, f.head(3)]))),
    ("missing required column", lambda d: _parquet(d, "consents", lambda f: f.drop("status"))),
    ("unknown column", lambda d: _parquet(d, "delegations", lambda f: f.with_columns(pl.lit("x").alias("sorce")))),
    ("missing file", lambda d: (d / "integrations.parquet").unlink()),
    ("count as text", lambda d: _parquet(d, "consents", lambda f: f.with_columns(pl.col("count").cast(pl.String)))),
    ("bad count text", lambda d: _as_csv(d, "consents", _set("count", [0, 1], "mange"))),
    ("count zero", lambda d: _parquet(d, "consents", _set("count", [7], 0))),
    ("valid_to before valid_from", lambda d: _as_csv(d, "consents", _set("valid_to", [2], "2001-01-01"))),
    ("required value missing", lambda d: _parquet(d, "delegations", _set("holder_id", [3, 9], None))),
    ("service grant not code:edition", lambda d: _parquet(d, "delegations", _set("grant_type", [0], "service"))),
    ("unknown role", lambda d: _as_xlsx(d, "delegations", _set("grant", [0], "NOSUCHROLE"))),
    ("loose service code", lambda d: _as_csv(d, "consents", _set("service", [0], "4804 / 210607"))),
    ("vendor not listed", lambda d: _parquet(d, "integrations", _set("operated_by", [0], "920000002"))),
    ("operated_by not an org number", lambda d: _parquet(d, "integrations", _set("operated_by", [1], "12345"))),
    (
        "service not in profile",
        lambda d: _parquet(
            d, "integrations", lambda f: f.with_columns(pl.lit("sbl no-such-service").alias("services"))
        ),
    ),
    ("platform mismatch", lambda d: _parquet(d, "integrations", _set("kind", [0, 1], "system_user"))),
    (
        "access package by its code",  # kept, stored as its urn
        lambda d: _parquet(
            d,
            "delegations",
            lambda f: _set("grant", [0, 2], "skattegrunnlag")(_set("grant_type", [0, 2], "access_package")(f)),
        ),
    ),
    ("xlsx clean", lambda d: _as_xlsx(d, "integrations")),
    ("xlsx consents with a bad date", lambda d: _as_xlsx(d, "consents", _set("valid_from", [1], "i går"))),
    ("profile: bad org number", lambda d: _profile(d, "org_number: '", "org_number: '1")),
    ("profile missing", lambda d: (d / "profile.yaml").unlink()),
    ("profile: unknown service", lambda d: _profile(d, "dsop_services:", "dsop_services:\n- no-such-service")),
    ("broken parquet", lambda d: (d / "consents.parquet").write_bytes(b"PAR1" + b"\x00" * 64 + b"PAR1")),
    ("a link in place of a table", _link),
    ("a Parquet bomb", lambda d: hs.parquet_dictionary_rows(d / "consents.parquet", 11_000_000)),
    (
        "identity number in a CSV header",
        lambda d: _as_csv(d, "integrations", lambda f: f.rename({"name": SYNTHETIC_FNR})),
    ),
    ("an ignored file", lambda d: (d / "notes.txt").write_bytes(b"x")),
    ("clean CSV", lambda d: _as_csv(d, "delegations")),
    # Faults that only checking institutions together could get wrong: a second institution over the row limit in
    # the same layout (the limit is per institution), and the very rows of another institution (not duplicates).
    ("many bad dates again", lambda d: _as_csv(d, "consents", _set("valid_to", list(range(30)), "snart"))),
    ("the rows of another institution", lambda d: _copy(sorted(d.parent.iterdir())[0], d, "delegations.parquet")),
    ("duplicate rows again", lambda d: _parquet(d, "delegations", lambda f: pl.concat([f.head(30), f]))),
]


def _copy(source: Path, target: Path, name: str) -> None:
    (target / name).write_bytes((source / name).read_bytes())


@pytest.fixture(scope="module")
def sector(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    root = tmp_path_factory.mktemp("sector")
    generated = root / "generated"
    write_sector(generated, generate_sector(len(FAULTS), 7, 400, 80))
    folders = sorted(p for p in generated.iterdir() if p.is_dir())
    for folder, (_, fault) in zip(folders, FAULTS, strict=True):
        fault(folder)
    cases = [build_case(case, root / "cases" / case) for case in CASES]
    # The bad-input cases between the generated institutions, and a folder that does not exist among them.
    return [*folders[:10], *cases, root / "no-such-folder", *folders[10:]]


def _names(folders: list[Path]) -> Iterator[str]:
    faults = dict(zip(sorted(p.name for p in folders if p.parent.name == "generated"), FAULTS, strict=False))
    for folder in folders:
        yield faults[folder.name][0] if folder.name in faults else folder.name


def _alone(folder: Path, catalogue: Catalogue) -> Inventory | InventoryError:
    try:
        return load_inventory(folder, catalogue=catalogue, known_services=KNOWN_SERVICES)
    except InventoryError as exc:
        return exc


def _same(together: Inventory | InventoryError, alone: Inventory | InventoryError, name: str) -> None:
    if isinstance(alone, InventoryError):
        assert isinstance(together, InventoryError), name
        assert together.problems == alone.problems, name
        assert together.directory == alone.directory, name
        return
    assert isinstance(together, Inventory), (name, together)
    assert together.profile == alone.profile, name
    assert together.file_hashes == alone.file_hashes, name
    assert together.warnings == alone.warnings, name
    assert together.pulled == alone.pulled, name
    for table in ("delegations", "consents", "integrations"):
        assert together.table(table).equals(alone.table(table)), (name, table)
        assert together.table(table).schema == alone.table(table).schema, (name, table)


def test_the_faults_are_found(sector: list[Path], embedded: Catalogue) -> None:
    """The injected faults really are faults (else the comparison below would prove little)."""
    problems = validate_inventories(sector, catalogue=embedded, known_services=KNOWN_SERVICES)
    found = {name: found for name, found in zip(_names(sector), problems, strict=True)}
    assert found["clean parquet"] == [] or all(p.severity == "warning" for p in found["clean parquet"])
    for name, _ in FAULTS:
        if name.startswith(("clean", "xlsx clean", "the rows of another")):
            continue
        assert found[name], name
    assert "'31.12.2025' looks like dd.mm.yyyy" in " ".join(p.message for p in found["bad dates in CSV"])
    assert any("more rows" in p.message for p in found["many bad dates (over the limit)"])
    assert any("exact duplicate of row" in p.message for p in found["duplicate rows"])
    assert any("more rows: exact duplicates" in p.message for p in found["duplicate rows again"])
    assert not any("exact duplicate" in p.message for p in found["the rows of another institution"])
    assert any("not listed under vendors" in p.message for p in found["vendor not listed"])
    assert any("credential" in p.message for p in found["credential in a name"])
    assert any("national identity number" in p.message for p in found["identity number in holder_id"])
    assert any("over the limit" in p.message for p in found["a Parquet bomb"])
    assert any("symbolic link" in p.message for p in found["a link in place of a table"])


def test_a_package_by_its_code_is_loaded_as_its_urn(sector: list[Path], embedded: Catalogue) -> None:
    names = list(_names(sector))
    folder = sector[names.index("access package by its code")]
    (loaded,) = load_inventories([folder], catalogue=embedded, known_services=KNOWN_SERVICES)
    assert isinstance(loaded, Inventory), loaded
    grants = loaded.delegations.get_column("grant").to_list()
    assert grants[0] == grants[2] == "urn:altinn:accesspackage:skattegrunnlag"
    assert "skattegrunnlag" not in grants


def test_checking_together_gives_each_institution_what_it_gets_alone(sector: list[Path], embedded: Catalogue) -> None:
    together = validate_inventories(sector, catalogue=embedded, known_services=KNOWN_SERVICES)
    for folder, name, problems in zip(sector, _names(sector), together, strict=True):
        assert problems == validate_inventory(folder, catalogue=embedded, known_services=KNOWN_SERVICES), name


@pytest.mark.parametrize(
    ("module", "setting", "value"),
    [
        (collect_module, "_MIN_ROWS_FOR_COMBINATIONS", 1),  # conditions and bad values decided on combinations
        (value_check_module, "MAX_COMPARISONS", 0),  # every set of values as a hashed look-up
        (value_check_module, "MAX_COMPARISONS", 64),  # every set as comparisons, bad values' rows by combinations
    ],
)
def test_the_short_cuts_give_the_same_problems(
    sector: list[Path],
    embedded: Catalogue,
    monkeypatch: pytest.MonkeyPatch,
    module: object,
    setting: str,
    value: int,
) -> None:
    """The ways the checks save passes over the rows (tried on the distinct values first; a few values by
    comparisons) change nothing found: each taken everywhere (the sector above is too small for some of them)
    against the default choices."""
    expected = validate_inventories(sector, catalogue=embedded, known_services=KNOWN_SERVICES)
    monkeypatch.setattr(module, setting, value)
    got = validate_inventories(sector, catalogue=embedded, known_services=KNOWN_SERVICES)
    for name, a, b in zip(_names(sector), expected, got, strict=True):
        assert b == a, name


@pytest.mark.parametrize("numpy_rows", [0, 10**9], ids=["numpy", "polars"])
def test_rows_whose_hashes_collide_are_checked_exactly(
    sector: list[Path], embedded: Catalogue, monkeypatch: pytest.MonkeyPatch, numpy_rows: int
) -> None:
    """Exact duplicates are decided on row hashes first (their upper 32 bits, sorted in numpy, in a sector's
    chunk; the whole hashes in polars for a few institutions): with only 16 hash values in all (most rows then
    suspects, each checked exactly), nothing found changes, on either path."""
    monkeypatch.setattr(duplicates_module, "_NUMPY_ROWS", numpy_rows)
    expected = validate_inventories(sector, catalogue=embedded, known_services=KNOWN_SERVICES)
    hash_rows = pl.DataFrame.hash_rows
    monkeypatch.setattr(pl.DataFrame, "hash_rows", lambda self: (hash_rows(self) & 0xF) * (1 << 32))
    got = validate_inventories(sector, catalogue=embedded, known_services=KNOWN_SERVICES)
    for name, a, b in zip(_names(sector), expected, got, strict=True):
        assert b == a, name
    assert any("exact duplicate of row" in p.message for problems in got for p in problems)


@pytest.mark.slow
def test_loading_together_gives_each_institution_what_it_gets_alone(sector: list[Path], embedded: Catalogue) -> None:
    together = load_inventories(sector, catalogue=embedded, known_services=KNOWN_SERVICES)
    assert len(together) == len(sector)
    for folder, name, result in zip(sector, _names(sector), together, strict=True):
        _same(result, _alone(folder, embedded), name)


@pytest.mark.slow
def test_chunks_give_the_same_result(sector: list[Path], embedded: Catalogue, monkeypatch: pytest.MonkeyPatch) -> None:
    whole = load_inventories(sector, catalogue=embedded, known_services=KNOWN_SERVICES)
    monkeypatch.setattr(inventory_module, "CHUNK_ROWS", 1_500)  # a few institutions per chunk
    chunked = load_inventories(sector, catalogue=embedded, known_services=KNOWN_SERVICES)
    for name, a, b in zip(_names(sector), whole, chunked, strict=True):
        _same(b, a, name)


@pytest.mark.slow
def test_a_failure_in_one_folder_leaves_the_others_alone(
    sector: list[Path], embedded: Catalogue, monkeypatch: pytest.MonkeyPatch
) -> None:
    expected = validate_inventories(sector, catalogue=embedded, known_services=KNOWN_SERVICES)
    poisoned = sector[3]
    real = inventory_module.check_tables  # type: ignore[attr-defined]

    def failing(raws, contexts, **kwargs):  # type: ignore[no-untyped-def]
        hashes = {raw.sha256 for raw in raws}
        if any(h in hashes for h in _hashes(poisoned)):
            raise RuntimeError("a bug")
        return real(raws, contexts, **kwargs)

    monkeypatch.setattr(inventory_module, "check_tables", failing)
    got = validate_inventories(sector, catalogue=embedded, known_services=KNOWN_SERVICES)
    for index, (name, a, b) in enumerate(zip(_names(sector), expected, got, strict=True)):
        if index == 3:
            assert [p.message for p in b] == ["internal error while checking this folder: RuntimeError"], name
        else:
            assert a == b, name


def _hashes(folder: Path) -> set[str]:
    import hashlib

    return {hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.iterdir() if p.is_file()}


def test_a_missing_folder_among_good_ones(tmp_path: Path, embedded: Catalogue) -> None:
    folder = hs.inventory_with(tmp_path / "inv")
    problems = validate_inventories([folder, tmp_path / "missing"], catalogue=embedded, known_services=KNOWN_SERVICES)
    assert problems[0] == validate_inventory(folder, catalogue=embedded, known_services=KNOWN_SERVICES)
    assert "does not exist" in problems[1][0].message


def test_reading_ahead_gives_the_same_result_whatever_the_timing(
    sector: list[Path], embedded: Catalogue, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Folders are read by threads ahead of the checks; which one finishes first must not matter: each folder
    delayed by a different amount (later ones first) gives what reading one at a time gives."""
    monkeypatch.setattr(inventory_module, "READ_THREADS", 0)
    one_by_one = load_inventories(sector, catalogue=embedded, known_services=KNOWN_SERVICES)
    monkeypatch.setattr(inventory_module, "READ_THREADS", 2)
    real = folders_module.open_folder
    in_flight = {"now": 0, "most": 0}
    lock = threading.Lock()
    delays = {folder: 0.002 * ((len(sector) - i) % 5) for i, folder in enumerate(sector)}

    def slow(directory: Path, *args: object) -> object:
        with lock:
            in_flight["now"] += 1
            in_flight["most"] = max(in_flight["most"], in_flight["now"])
        time.sleep(delays.get(directory, 0))
        try:
            return real(directory, *args)  # type: ignore[arg-type]
        finally:
            with lock:
                in_flight["now"] -= 1

    monkeypatch.setattr(folders_module, "open_folder", slow)
    monkeypatch.setattr(inventory_module, "CHUNK_ROWS", 3_000)
    monkeypatch.setattr(inventory_module, "GROUP_FOLDERS", 3)
    monkeypatch.setattr(folders_module, "GROUP_ROWS", 1_000)
    ahead = load_inventories(sector, catalogue=embedded, known_services=KNOWN_SERVICES)
    for name, a, b in zip(_names(sector), one_by_one, ahead, strict=True):
        _same(b, a, name)
    assert in_flight["most"] == 2  # both threads read; never more than READ_THREADS at once


@pytest.mark.parametrize(("chunk_rows", "ahead"), [(1, 32), (10**9, 3)])
def test_reading_ahead_is_bounded(
    tmp_path: Path, embedded: Catalogue, monkeypatch: pytest.MonkeyPatch, chunk_rows: int, ahead: int
) -> None:
    """However many folders are given, the threads read ahead of the checks only up to about a chunk of rows
    (`CHUNK_ROWS`; here one row: one folder) and at most `READ_AHEAD` folders, plus those being read (a group of
    `GROUP_FOLDERS` a thread)."""
    folders = [hs.inventory_with(tmp_path / f"inv{i}") for i in range(12)]
    read: list[Path] = []
    real = folders_module.open_folder

    def counted(directory: Path, *args: Any) -> Any:
        read.append(directory)
        return real(directory, *args)

    group = 2
    monkeypatch.setattr(inventory_module, "CHUNK_ROWS", chunk_rows)
    monkeypatch.setattr(inventory_module, "READ_AHEAD", ahead)
    monkeypatch.setattr(inventory_module, "GROUP_FOLDERS", group)
    monkeypatch.setattr(folders_module, "open_folder", counted)
    kwargs: dict[str, Any] = {"catalogue": embedded, "known_services": KNOWN_SERVICES, "limits": Limits()}
    read_one = functools.partial(folders_module.read_folder, **kwargs)
    read_group = functools.partial(folders_module.read_folders, **kwargs)
    found = inventory_module._read_ahead(folders, read_one, read_group)
    first, result = next(found)
    time.sleep(0.5)  # the threads read what they may
    assert first == folders[0] and result().directory == folders[0]
    threads = inventory_module.READ_THREADS
    assert len(read) <= (threads * group if chunk_rows == 1 else 1 + ahead)
    assert len(read) > 1  # they did read ahead
    rest = [(directory, result().directory) for directory, result in found]
    assert rest == [(folder, folder) for folder in folders[1:]]
    assert sorted(read) == sorted(folders)


def _counted_checks(monkeypatch: pytest.MonkeyPatch, delay: Callable[[int], float]) -> dict[str, int]:
    """`check_tables` replaced by itself after `delay(calls)` seconds, counting the calls, how many run now and
    the most that ran at once (the dict returned, updated as the checks run)."""
    real = inventory_module.check_tables  # type: ignore[attr-defined]
    counts = {"now": 0, "most": 0, "calls": 0}
    lock = threading.Lock()

    def counted(raws, contexts, **kwargs):  # type: ignore[no-untyped-def]
        with lock:
            counts["now"] += 1
            counts["calls"] += 1
            counts["most"] = max(counts["most"], counts["now"])
            wait = delay(counts["calls"])
        time.sleep(wait)
        try:
            return real(raws, contexts, **kwargs)
        finally:
            with lock:
                counts["now"] -= 1

    monkeypatch.setattr(inventory_module, "check_tables", counted)
    return counts


def test_checking_ahead_gives_the_same_result_whatever_the_timing(
    sector: list[Path], embedded: Catalogue, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Chunks are checked by threads while the next ones are read; which chunk finishes first must not matter:
    each chunk delayed by a different amount (later ones first) gives what checking one chunk at a time gives,
    in the order given, with two chunks checked at once and never more."""
    monkeypatch.setattr(inventory_module, "CHUNK_ROWS", 3_000)
    monkeypatch.setattr(inventory_module, "CHECK_THREADS", 0)
    one_at_a_time = load_inventories(sector, catalogue=embedded, known_services=KNOWN_SERVICES)
    monkeypatch.setattr(inventory_module, "CHECK_THREADS", 2)
    # every other chunk slow: later ones finish first
    in_flight = _counted_checks(monkeypatch, lambda calls: 0.03 if calls % 2 else 0.0)
    ahead = load_inventories(sector, catalogue=embedded, known_services=KNOWN_SERVICES)
    assert len(ahead) == len(sector)
    for name, a, b in zip(_names(sector), one_at_a_time, ahead, strict=True):
        _same(b, a, name)
    assert in_flight["calls"] > 2
    assert in_flight["most"] == 2  # two chunks at once; never more than CHECK_THREADS


def test_stopping_early_leaves_no_check_running(
    tmp_path: Path, embedded: Catalogue, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A caller that takes one folder's outcome and stops: no more chunks are handed over than there are threads
    to check them, and nothing is still being checked once the generator is closed."""
    folders = [hs.inventory_with(tmp_path / f"inv{i}") for i in range(8)]
    monkeypatch.setattr(inventory_module, "CHUNK_ROWS", 1)  # one folder a chunk
    running = _counted_checks(monkeypatch, lambda calls: 0.05)
    found = inventory_module._outcomes(  # type: ignore[attr-defined]
        folders, embedded, KNOWN_SERVICES, 20, Limits(), typed=False, contain=True
    )
    first = next(found)
    handed = running["calls"]  # before validate_inventory below checks a folder too
    assert first.directory == folders[0] and first.problems == validate_inventory(
        folders[0], catalogue=embedded, known_services=KNOWN_SERVICES
    )
    found.close()
    assert running["now"] == 0
    assert handed <= inventory_module.CHECK_THREADS  # no more chunks handed over than threads to check them


def test_first_and_last_chunks_are_smaller(
    tmp_path: Path, embedded: Catalogue, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The checks start before a whole chunk is read (the first chunk a quarter of `CHUNK_ROWS`, the second half),
    and the last rows are shared out in smaller chunks (at least an eighth) so that the checking threads finish
    together; the result is the same as in one chunk. Fails when every chunk waits for `CHUNK_ROWS` rows."""
    folders = [hs.inventory_with(tmp_path / f"inv{i:02}") for i in range(40)]
    whole = load_inventories(folders, catalogue=embedded, known_services=KNOWN_SERVICES)
    rows = {i.delegations.height + i.consents.height + i.integrations.height for i in whole}  # type: ignore[union-attr]
    assert len(rows) == 1  # folders alike: the chunks' sizes in folders show the rule
    monkeypatch.setattr(inventory_module, "CHUNK_ROWS", 8 * rows.pop())
    sizes: list[int] = []
    real = inventory_module.check_tables  # type: ignore[attr-defined]

    def counted(raws, contexts, **kwargs):  # type: ignore[no-untyped-def]
        sizes.append(len(raws))  # tables handed over at once
        return real(raws, contexts, **kwargs)

    monkeypatch.setattr(inventory_module, "check_tables", counted)
    chunked = load_inventories(folders, catalogue=embedded, known_services=KNOWN_SERVICES)
    for folder, a, b in zip(folders, whole, chunked, strict=True):
        _same(b, a, folder.name)
    tables = len(whole[0].file_hashes) - 1  # type: ignore[union-attr]  # (profile.yaml is not a table)
    # in folders: 2, 4, then 8 while many are still to come, then half of those left, down to 1
    assert [n // tables for n in sizes] == [2, 4, 8, 8, 8, 5, 3, 1, 1]
