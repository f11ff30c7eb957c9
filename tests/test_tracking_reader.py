"""The tracking columns read straight from the workbook's XML give what openpyxl gives, for every kind of cell
people type in; the XML path is the one taken for an action list as written and filled in with text."""

from __future__ import annotations

import shutil
import zipfile
from datetime import date, datetime
from pathlib import Path

import openpyxl
import polars as pl
import pytest

from altinn_analysis.catalogue import Catalogue, load_dsop
from altinn_analysis.impact import assess, readiness
from altinn_analysis.inventory import load_inventory
from altinn_analysis.report import _tracking as tracking
from altinn_analysis.report._actions_layout import HEADERS, TRACKING
from altinn_analysis.report.actions import write_actions_xlsx
from altinn_analysis.sources import UNREAD, Limits, read_xlsx_text

ROOT = Path(__file__).resolve().parents[1]
AS_OF = date(2026, 11, 28)
DEMOS = ("310426172", "313182657")
TRACKED = {h for c in TRACKING for h in HEADERS[c]}


@pytest.fixture(scope="module")
def workbooks(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """The action list of two demo institutions, in both languages, as written."""
    cat, dsop = Catalogue.load(), load_dsop()
    folder = tmp_path_factory.mktemp("actions")
    out = []
    for org in DEMOS:
        inventory = load_inventory(ROOT / "data" / "institutions" / org)
        for language in ("nb", "en"):
            findings = assess(cat, dsop, inventory, AS_OF, language=language)
            score = int(readiness(findings)["score"][0])
            path = folder / f"{org}-{language}.xlsx"
            name = inventory.profile.name
            write_actions_xlsx(
                findings, path, language=language, institution=name, org_number=org, as_of=AS_OF, score=score
            )
            out.append(path)
    return out


def _fill(path: Path, values: list[object]) -> None:
    """Owner, progress and comment on the findings sheets filled with `values` in turn, as a colleague would."""
    wb = openpyxl.load_workbook(path)
    k = 0
    for ws in wb.worksheets[1:]:
        header = [c.value for c in ws[1]]
        columns = [
            i + 1
            for i, h in enumerate(header)
            if h in ("Ansvarlig", "Owner", "Fremdrift", "Progress", "Kommentar", "Comment")
        ]
        for r in range(2, ws.max_row + 1):
            for col in columns:
                if (r + col) % 2:
                    ws.cell(r, col, values[k % len(values)])
                    k += 1
    wb.save(path)


def _both(path: Path) -> tuple[dict[str, dict[str, str]], dict[str, dict[str, str]]]:
    return tracking.read_tracking(path), tracking._read_with_openpyxl(path)


def _fast_path_taken(path: Path) -> bool:
    sheets = read_xlsx_text(path, Limits())
    return sheets is not None and tracking._from_text(sheets[1:]) is not None


TEXTS: list[object] = [
    "Kari Nordmann",
    "  leading and trailing  ",
    "linje 1\nlinje 2",
    "æøå ÆØÅ – “quotes” & <tags>",
    "_x000D_ and _x005F_x000D_",
    "",
    "40 %",
]


def test_written_workbooks_read_by_the_fast_path(workbooks: list[Path]) -> None:
    for path in workbooks:
        fast, slow = _both(path)
        assert fast == slow == {}
        assert _fast_path_taken(path)


def test_text_typed_in_is_read_as_openpyxl_reads_it(workbooks: list[Path], tmp_path: Path) -> None:
    for path in workbooks:
        copy = tmp_path / path.name
        shutil.copy(path, copy)
        _fill(copy, TEXTS)
        fast, slow = _both(copy)
        assert fast == slow and fast, path.name
        assert _fast_path_taken(copy)


@pytest.mark.parametrize(
    "values",
    [
        [40, 12.5, 1e-7, True, False, 0],  # plain numbers and booleans: read as text the same way
        [datetime(2026, 12, 1, 9, 30), date(2026, 12, 2)],  # dates: openpyxl reads these
        ["=1+1", "=SUM(A1:A2)"],  # formulas: openpyxl reads these
        ["tekst", 3, datetime(2027, 1, 1), "=A1"],
    ],
)
def test_other_values_give_the_same_tracking(workbooks: list[Path], tmp_path: Path, values: list[object]) -> None:
    copy = tmp_path / "filled.xlsx"
    shutil.copy(workbooks[0], copy)
    _fill(copy, values)
    fast, slow = _both(copy)
    assert fast == slow and fast


def test_a_number_in_a_date_format_is_left_to_openpyxl(workbooks: list[Path], tmp_path: Path) -> None:
    copy = tmp_path / "dated.xlsx"
    shutil.copy(workbooks[0], copy)
    _fill(copy, [datetime(2026, 12, 1)])
    sheets = read_xlsx_text(copy, Limits())
    assert sheets is not None
    assert any(v is UNREAD for ws in sheets[1:] for row in ws.rows.values() for v in row.values())
    assert tracking._from_text(sheets[1:]) is None  # so read_tracking asks openpyxl
    assert tracking.read_tracking(copy) == tracking._read_with_openpyxl(copy)


def test_a_workbook_saved_by_another_program_gives_the_same(tmp_path: Path) -> None:
    """openpyxl's own layout (inline strings off, its own styles), a chart-free second sheet, rows with gaps."""
    wb = openpyxl.Workbook()
    wb.active.title = "Sammendrag"
    ws = wb.create_sheet("Alle tiltak")
    ws.append(["Funn-id", "Ansvarlig", "Framdrift", "Kommentar"])
    ws.append(["F-1", "Ola", 50, None])
    ws.append([None, "ingen id", None, None])
    ws.cell(6, 1, "F-2")
    ws.cell(6, 4, "sjekk\nigjen")
    other = wb.create_sheet("Annet")
    other.append(["Noe", "Annet"])
    path = tmp_path / "other.xlsx"
    wb.save(path)
    fast, slow = _both(path)
    assert fast == slow == {"F-1": {"owner": "Ola", "progress": "50"}, "F-2": {"comment": "sjekk\nigjen"}}


def test_broken_or_unusual_xml_falls_back_or_starts_afresh(workbooks: list[Path], tmp_path: Path) -> None:
    source = workbooks[0]
    # A sheet without a dimension: openpyxl reads it.
    undimensioned = tmp_path / "nodim.xlsx"
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(undimensioned, "w") as out:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename.startswith("xl/worksheets/"):
                start = data.find(b"<dimension")
                data = data[:start] + data[data.find(b"/>", start) + 2 :]
            out.writestr(info, data)
    assert read_xlsx_text(undimensioned, Limits()) is None
    assert tracking.read_tracking(undimensioned) == tracking._read_with_openpyxl(undimensioned)
    # Not a workbook at all: nothing carried over, as before.
    garbage = tmp_path / "garbage.xlsx"
    garbage.write_bytes(b"PK\x03\x04 not really a zip")
    assert tracking.read_tracking(garbage) == {}
    assert tracking.read_tracking(tmp_path / "missing.xlsx") == {}


def test_a_dtd_in_a_utf16_part_is_left_to_openpyxl(workbooks: list[Path], tmp_path: Path) -> None:
    """A sheet re-encoded as UTF-16 with an entity-expanding DTD: its bytes show no `<!DOCTYPE`, yet the fast
    reader must not parse it (no entity expansion there); the workbook goes to openpyxl's own rules."""
    source = workbooks[0]
    laughs = tmp_path / "utf16.xlsx"
    dtd = '<!DOCTYPE worksheet [<!ENTITY a "ha"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>'
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(laughs, "w") as out:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename.startswith("xl/worksheets/"):
                text = data.decode("utf-8").replace('encoding="UTF-8"', 'encoding="UTF-16"', 1)
                head, _, body = text.partition("?>")
                data = (head + "?>" + dtd + body).encode("utf-16")
            out.writestr(info, data)
    assert b"<!DOCTYPE" not in zipfile.ZipFile(laughs).read("xl/worksheets/sheet1.xml")
    assert read_xlsx_text(laughs, Limits()) is None


def test_the_previous_workbook_carries_over_through_the_fast_path(workbooks: list[Path], tmp_path: Path) -> None:
    """Written, filled in, written again from the same findings: the owner, progress and comment come back."""
    path = tmp_path / "actions.xlsx"
    shutil.copy(workbooks[0], path)
    _fill(path, TEXTS[:4])
    before = tracking.read_tracking(path)
    cat, dsop = Catalogue.load(), load_dsop()
    inventory = load_inventory(ROOT / "data" / "institutions" / DEMOS[0])
    findings = assess(cat, dsop, inventory, AS_OF, language="nb")
    write_actions_xlsx(findings, path, language="nb", institution="x", org_number=DEMOS[0], as_of=AS_OF, score=1)
    open_ids = set(findings.filter(pl.col("status").is_in(["action", "at_risk", "unknown"]))["finding_id"])
    assert tracking.read_tracking(path) == {k: v for k, v in before.items() if k in open_ids}
    assert _fast_path_taken(path)


def test_a_large_part_is_left_to_openpyxl(
    workbooks: list[Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from altinn_analysis.sources import _xlsx_text

    copy = tmp_path / "big.xlsx"
    shutil.copy(workbooks[0], copy)
    _fill(copy, TEXTS)
    monkeypatch.setattr(_xlsx_text, "_TREE_BYTES", 1000)  # every sheet counts as large
    assert read_xlsx_text(copy, Limits()) is None
    assert tracking.read_tracking(copy) == tracking._read_with_openpyxl(copy) != {}


def test_reading_only_named_columns_keeps_their_cells(workbooks: list[Path]) -> None:
    """`read_xlsx_text(..., headers)` reads below the first row only the columns those headers name: their cells
    are the ones the full read gives, the first row is whole, and the tracking read from it is unchanged."""
    names = frozenset(h for c in ("finding_id", *TRACKING) for h in HEADERS[c])
    for path in workbooks:
        full = read_xlsx_text(path, Limits())
        some = read_xlsx_text(path, Limits(), names)
        assert full is not None and some is not None
        for a, b in zip(full, some, strict=True):
            assert b.rows.get(1) == a.rows.get(1)
            kept = {i for i, h in a.rows.get(1, {}).items() if isinstance(h, str) and h in names}
            for number, cells in a.rows.items():
                expected = cells if number == 1 else {i: v for i, v in cells.items() if i in kept}
                assert b.rows[number] == expected, (path.name, a.name, number)
        assert tracking._from_text(some[1:]) == tracking._from_text(full[1:])


def test_skipped_sheets_are_the_ones_left_out(workbooks: list[Path]) -> None:
    """`read_xlsx_text(..., skip=n)` gives the sheets after the first n worksheets, as the full read does; a chart
    sheet is not counted (openpyxl's `worksheets[n:]`); the tracking read skips the summary sheet this way."""
    for path in workbooks:
        full = read_xlsx_text(path, Limits())
        assert full is not None
        for n in (0, 1, 2, len(full), len(full) + 1):
            assert read_xlsx_text(path, Limits(), skip=n) == full[n:], (path.name, n)
        assert tracking.read_tracking(path) == tracking._read_with_openpyxl(path)
