"""The action list workbook: layout, formatting, content limited to the findings, determinism, atomic write."""

from __future__ import annotations

import zipfile
from collections import Counter
from datetime import date, datetime
from pathlib import Path
from typing import Any, BinaryIO

import openpyxl
import polars as pl
import pytest
from openpyxl.utils import get_column_letter

from altinn_analysis.catalogue import Catalogue, load_dsop
from altinn_analysis.impact import AREAS, FINDINGS_SCHEMA, OPEN_STATUSES, SEVERITIES, assess, readiness
from altinn_analysis.inventory import load_inventory
from altinn_analysis.report import _actions_layout as layout
from altinn_analysis.report import _xlsx_zip, actions
from altinn_analysis.report.actions import write_actions_xlsx

ROOT = Path(__file__).resolve().parents[1]
DEMO = "313182657"
AS_OF = date(2026, 11, 28)
SHEETS = {
    "nb": (
        "Sammendrag",
        "Alle tiltak",
        ["Roller", "Samtykke", "Integrasjoner", "Meldinger", "Formidling", "Tjenester"],
    ),
    "en": ("Summary", "All actions", ["Roles", "Consent", "Integrations", "Messaging", "Broker", "Services"]),
}
AREA_SHEET = {lang: dict(zip(AREAS, names, strict=True)) for lang, (_, _, names) in SHEETS.items()}
COLUMNS = [c for c, _, _ in layout.COLUMNS]
FINDING_COLUMNS = [c for c in COLUMNS if c not in actions.TRACKING]


@pytest.fixture(scope="module")
def demo() -> dict[str, tuple[pl.DataFrame, str, int]]:
    """Findings, institution name and score for the demo institution, per language."""
    cat, dsop = Catalogue.load(), load_dsop()
    inventory = load_inventory(ROOT / "data" / "institutions" / DEMO)
    out = {}
    for language in ("nb", "en"):
        findings = assess(cat, dsop, inventory, AS_OF, language=language)
        out[language] = (findings, inventory.profile.name, int(readiness(findings)["score"][0]))
    return out


def write(findings: pl.DataFrame, path: str | Path, language: str = "nb", **kw: Any) -> Path:
    args: dict[str, Any] = {"institution": "Testbanken ASA", "org_number": "310426172", "as_of": AS_OF, "score": 40}
    args.update(kw)
    return write_actions_xlsx(findings, path, language=language, **args)


def write_demo(demo: dict[str, tuple[pl.DataFrame, str, int]], path: Path, language: str) -> Path:
    findings, name, score = demo[language]
    return write(findings, path, language, institution=name, org_number=DEMO, score=score)


def finding(**kw: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "org_number": "310426172",
        "finding_id": "F-000000000001",
        "rule_id": "roles.successor",
        "service_id": None,
        "area": "roles",
        "subject": "UTINN",
        "holders": 2,
        "altinn3_target": "skattegrunnlag",
        "status": "action",
        "severity": "high",
        "deadline": date(2026, 6, 19),
        "days_left": -162,
        "action": "Deleger tilgangspakken.",
        "certainty": "inferred",
        "evidence": "role_successors",
        "detail": "0 av 2 innehaver(e) har en kandidatpakke",
        "blocking": True,
    }
    row.update(kw)
    return row


def frame(*rows: dict[str, Any]) -> pl.DataFrame:
    return pl.DataFrame(list(rows), schema=FINDINGS_SCHEMA) if rows else pl.DataFrame(schema=FINDINGS_SCHEMA)


def data_rows(ws: Any) -> list[tuple[Any, ...]]:
    return list(ws.iter_rows(min_row=2, values_only=True))


def col(name: str) -> int:
    """1-based column of `name` in every findings sheet."""
    return COLUMNS.index(name) + 1


def open_of(findings: pl.DataFrame) -> pl.DataFrame:
    return findings.filter(pl.col("status").is_in(OPEN_STATUSES))


# --- layout ---


@pytest.mark.parametrize("language", ["nb", "en"])
def test_sheet_names_per_language(demo: dict[str, Any], tmp_path: Path, language: str) -> None:
    path = write_demo(demo, tmp_path / "actions.xlsx", language)
    summary, all_actions, area_names = SHEETS[language]
    open_areas = set(open_of(demo[language][0])["area"])
    expected = [summary, all_actions] + [n for a, n in zip(AREAS, area_names, strict=True) if a in open_areas]
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == expected
    assert wb.active.title == summary  # opens on the summary


@pytest.mark.parametrize("language", ["nb", "en"])
def test_rows_per_sheet_are_the_open_findings_per_area(demo: dict[str, Any], tmp_path: Path, language: str) -> None:
    findings = demo[language][0]
    wb = openpyxl.load_workbook(write_demo(demo, tmp_path / "actions.xlsx", language))
    opened = open_of(findings)
    assert opened.height > 0  # the demo institution has work left
    id_col = col("finding_id") - 1
    all_rows = data_rows(wb[SHEETS[language][1]])
    assert len(all_rows) == opened.height
    assert sorted(r[id_col] for r in all_rows) == sorted(opened["finding_id"])
    for area in AREAS:
        in_area = opened.filter(pl.col("area") == area)
        name = AREA_SHEET[language][area]
        if in_area.is_empty():
            assert name not in wb.sheetnames
            continue
        rows = data_rows(wb[name])
        assert len(rows) == in_area.height
        assert sorted(r[id_col] for r in rows) == sorted(in_area["finding_id"])


def test_rows_sorted_by_severity_then_days_left_area_subject(tmp_path: Path) -> None:
    rows = [
        finding(finding_id="F-low", severity="low", days_left=200, deadline=date(2027, 6, 16)),
        finding(finding_id="F-crit-later", severity="critical", days_left=-10),
        finding(finding_id="F-crit-first", severity="critical", days_left=-162),
        finding(finding_id="F-high-nodate", severity="high", days_left=None, deadline=None),
        finding(finding_id="F-high-b", severity="high", days_left=5, area="integration", subject="A"),
        finding(finding_id="F-high-a", severity="high", days_left=5, area="roles", subject="Z"),
        finding(finding_id="F-high-c", severity="high", days_left=5, area="integration", subject="B"),
        finding(finding_id="F-medium", severity="medium", status="unknown", days_left=-300),
        finding(finding_id="F-done", status="done", severity="info"),
        finding(finding_id="F-na", status="not_applicable", severity="info"),
    ]
    wb = openpyxl.load_workbook(write(frame(*rows), tmp_path / "a.xlsx"))
    ids = [r[col("finding_id") - 1] for r in data_rows(wb["Alle tiltak"])]
    assert ids == [
        "F-crit-first",
        "F-crit-later",
        "F-high-a",  # roles before integration (the areas' own order), then subject
        "F-high-b",
        "F-high-c",
        "F-high-nodate",  # no deadline last within its severity
        "F-medium",
        "F-low",
    ]


def test_header_frozen_filter_widths_row_heights_and_print_settings(demo: dict[str, Any], tmp_path: Path) -> None:
    wb = openpyxl.load_workbook(write_demo(demo, tmp_path / "actions.xlsx", "nb"))
    headers = ["Alvorlighet", "Status", "Gjelder", "Tiltak", "Frist", "Dager igjen", "Ansvarlig", "Framdrift"]
    headers += ["Kommentar", "Område", "DSOP-tjeneste", "Antall", "Altinn 3-mål", "Sikkerhet", "Detaljer", "Funn-id"]
    count_header = {"Alle tiltak": "Antall", "Roller": "Innehavere", "Samtykke": "Samtykker", "Tjenester": "Innehavere"}
    for ws in wb.worksheets[1:]:
        expected = list(headers)
        expected[headers.index("Antall")] = count_header.get(ws.title, "Antall")
        assert [c.value for c in ws[1]] == expected, ws.title
        assert ws.freeze_panes == "A2"
        assert ws.auto_filter.ref == f"A1:P{ws.max_row}"
        assert ws.max_row == len(data_rows(ws)) + 1
        for cell in ws[1]:
            assert cell.font.b
            assert cell.fill.fill_type == "solid"
        for i, (name, cap, wrap) in enumerate(layout.COLUMNS, start=1):
            width = ws.column_dimensions[get_column_letter(i)].width
            assert 8 <= width <= cap, name
            if wrap:
                assert all(ws.cell(r, i).alignment.wrap_text for r in range(2, ws.max_row + 1)), name
        assert ws.column_dimensions["D"].width > ws.column_dimensions["A"].width  # action is wide
        # Every row is as tall as its longest wrapped cell: an action of 200 characters in a 56-wide column
        # needs four lines, so its row is at least four lines high.
        action_width = ws.column_dimensions["D"].width
        for r in range(2, ws.max_row + 1):
            text = str(ws.cell(r, 4).value or "")
            needed = -(-len(text) // (int(action_width) - 1))
            assert ws.row_dimensions[r].height >= 15 * needed, (ws.title, r)
        # Two readable pages across (work columns, then reference columns) instead of sixteen tiny columns.
        assert ws.page_setup.orientation == "landscape"
        assert not ws.sheet_properties.pageSetUpPr.fitToPage
        assert 50 <= ws.page_setup.scale <= 100
        assert [b.id for b in ws.col_breaks.brk] == [9]
        assert ws.print_title_rows == "$1:$1"


def test_summary_counts_match_the_findings(demo: dict[str, Any], tmp_path: Path) -> None:
    findings, name, score = demo["en"]
    wb = openpyxl.load_workbook(write_demo(demo, tmp_path / "actions.xlsx", "en"))
    rows = [r for r in wb["Summary"].iter_rows(values_only=True) if any(v is not None for v in r)]
    facts = {r[0]: r[1] for r in rows}
    opened = open_of(findings)
    assert facts["Institution"] == name
    assert facts["Organisation number"] == DEMO
    assert facts["As of"] == datetime(2026, 11, 28)
    assert facts["Readiness (0–100)"] == score
    assert facts["Open findings"] == opened.height
    assert facts["Overdue"] == opened.filter(pl.col("days_left") < 0).height
    header = next(r for r in rows if r[0] == "Area")
    assert list(header[1:5]) == ["critical", "high", "medium", "low"]
    by_area = {r[0]: r for r in rows[rows.index(header) + 1 :][: len(AREAS)]}
    for area, sheet in AREA_SHEET["en"].items():
        in_area = opened.filter(pl.col("area") == area)
        expected = [in_area.filter(pl.col("severity") == s).height for s in ("critical", "high", "medium", "low")]
        assert list(by_area[sheet][1:6]) == [*expected, in_area.height]
    status_header = rows.index(next(r for r in rows if r[0] == "Status"))
    counts = Counter(opened["status"])
    assert {r[0]: r[1] for r in rows[status_header + 1 : status_header + 4]} == {
        "action": counts["action"],
        "at risk": counts["at_risk"],
        "unknown": counts["unknown"],
    }
    assert "No open findings: nothing to follow up as of this date." not in facts


# --- formatting ---


def test_severity_fills_overdue_font_and_localised_values(tmp_path: Path) -> None:
    rows = [
        finding(finding_id="F-c", severity="critical", certainty="documented"),
        finding(finding_id="F-h", severity="high", status="at_risk", days_left=10, deadline=date(2026, 12, 8)),
        finding(finding_id="F-m", severity="medium", status="unknown", certainty="unknown", days_left=0),
        finding(finding_id="F-l", severity="low", days_left=400, deadline=date(2028, 1, 2)),
    ]
    wb = openpyxl.load_workbook(write(frame(*rows), tmp_path / "a.xlsx"))
    ws = wb["Alle tiltak"]
    fills = {}
    for r in range(2, ws.max_row + 1):
        sev = ws.cell(r, col("severity"))
        fills[sev.value] = sev.fill.fgColor.rgb[-6:]
        assert sev.fill.fill_type == "solid"
        days = ws.cell(r, col("days_left"))
        red = days.font.color is not None and str(days.font.color.rgb).endswith("C00000")
        assert red == (days.value < 0)
    assert fills == {"kritisk": "C00000", "høy": "F4B183", "middels": "FFE699", "lav": "BDD7EE"}
    values = data_rows(ws)
    assert [r[col("status") - 1] for r in values] == ["tiltak", "risiko", "ukjent", "tiltak"]
    assert [r[col("certainty") - 1] for r in values] == ["dokumentert", "utledet", "ukjent", "utledet"]
    assert [r[col("area") - 1] for r in values] == ["Roller"] * 4
    assert [r[col("finding_id") - 1] for r in values] == ["F-c", "F-h", "F-m", "F-l"]  # untouched


def test_dates_are_real_excel_dates(demo: dict[str, Any], tmp_path: Path) -> None:
    wb = openpyxl.load_workbook(write_demo(demo, tmp_path / "actions.xlsx", "nb"))
    ws = wb["Alle tiltak"]
    deadlines = dict(zip(demo["nb"][0]["finding_id"], demo["nb"][0]["deadline"], strict=True))
    seen = 0
    for r in range(2, ws.max_row + 1):
        cell = ws.cell(r, col("deadline"))
        expected = deadlines[ws.cell(r, col("finding_id")).value]
        if expected is None:
            assert cell.value is None
            continue
        assert cell.is_date and cell.number_format == "yyyy-mm-dd"
        assert cell.value == datetime.combine(expected, datetime.min.time())
        seen += 1
    assert seen
    as_of = next(c for c in wb["Sammendrag"]["B"] if c.is_date)
    assert as_of.value == datetime(2026, 11, 28) and as_of.number_format == "yyyy-mm-dd"


def test_norwegian_letters_survive(tmp_path: Path) -> None:
    text = "Ærlig økonomi på Åsgårdstrand: «særskilt» tilgang – æøå ÆØÅ"
    findings = frame(finding(subject=text, action=f"Gjør {text}", detail="høy sikkerhet"))
    wb = openpyxl.load_workbook(write(findings, tmp_path / "a.xlsx", institution="Blåbær Sparebank Øst"))
    (row,) = data_rows(wb["Alle tiltak"])
    assert row[col("subject") - 1] == text
    assert row[col("action") - 1] == f"Gjør {text}"
    assert row[col("detail") - 1] == "høy sikkerhet"
    assert wb["Sammendrag"]["B3"].value == "Blåbær Sparebank Øst"
    assert wb.properties.title == "Tiltaksliste – Blåbær Sparebank Øst"


@pytest.mark.parametrize("rows", [[], [finding(status="done", severity="info")]], ids=["empty", "all-done"])
@pytest.mark.parametrize("language", ["nb", "en"])
def test_no_open_findings(tmp_path: Path, language: str, rows: list[dict[str, Any]]) -> None:
    wb = openpyxl.load_workbook(write(frame(*rows), tmp_path / "a.xlsx", language, score=100))
    summary, all_actions, _ = SHEETS[language]
    assert wb.sheetnames == [summary, all_actions]
    ws = wb[all_actions]
    assert ws.max_row == 1 and data_rows(ws) == []
    assert ws.auto_filter.ref == "A1:P1" and ws.freeze_panes == "A2"
    texts = {c.value for row in wb[summary].iter_rows() for c in row}
    assert layout.pick(layout.TEXTS["no_open"], language) in texts


def test_text_is_never_a_formula_and_control_characters_are_dropped(tmp_path: Path) -> None:
    findings = frame(finding(subject='=HYPERLINK("http://example.invalid","x")', detail="a\x00b\x07c", action="+1"))
    path = write(findings, tmp_path / "a.xlsx", institution="=1+1")
    wb = openpyxl.load_workbook(path)
    (row,) = wb["Alle tiltak"].iter_rows(min_row=2)
    subject = row[col("subject") - 1]
    assert subject.data_type == "s" and subject.value.startswith("=HYPERLINK")
    assert row[col("detail") - 1].value == "a\ufffdb\ufffdc"
    assert wb["Sammendrag"]["B3"].data_type == "s"
    for ws in wb:
        assert all(c.data_type != "f" for r in ws.iter_rows() for c in r)


# --- content: nothing but the findings and the fixed texts ---


def fixed_texts(language: str) -> set[str]:
    pick = layout.pick
    out = {pick(p, language) for p in layout.TEXTS.values()}
    out |= {pick(p, language) for p in layout.HEADERS.values()}
    out |= {pick(p, language) for p in layout.AREA_NOTES.values()}
    out |= {pick(p, language) for values in layout.VALUES.values() for p in values.values()}
    return out


@pytest.mark.parametrize("language", ["nb", "en"])
def test_workbook_holds_only_finding_values_and_fixed_texts(
    demo: dict[str, Any], tmp_path: Path, language: str
) -> None:
    findings, name, score = demo[language]
    wb = openpyxl.load_workbook(write_demo(demo, tmp_path / "actions.xlsx", language))

    # Every findings row is exactly one open finding, shown through the fixed value labels.
    def shown(row: dict[str, Any]) -> tuple[Any, ...]:
        out = []
        for col in COLUMNS:
            value = row.get(col)  # the tracking columns start empty
            if col in layout.CODED and value is not None:
                value = layout.pick(layout.VALUES[col][value], language)
            elif isinstance(value, date):
                value = datetime.combine(value, datetime.min.time())
            out.append(value)
        return tuple(out)

    expected = Counter(shown(r) for r in open_of(findings).iter_rows(named=True))
    for ws in wb.worksheets[1:]:
        rows = Counter(data_rows(ws))
        assert not rows - expected, ws.title  # nothing that is not a finding
    assert Counter(data_rows(wb.worksheets[1])) == expected

    # The summary: fixed texts, the arguments, counts and the date.
    allowed = fixed_texts(language) | {name, DEMO}
    for row in wb.worksheets[0].iter_rows(values_only=True):
        for value in row:
            if value is None:
                continue
            if isinstance(value, str):
                assert value in allowed, value
            elif isinstance(value, datetime):
                assert value == datetime(2026, 11, 28)
            else:
                assert isinstance(value, int) and 0 <= value <= max(findings.height, score), value

    # No national identity number (11 digits) nor a secret-looking token anywhere.
    every = [str(v) for ws in wb for row in ws.iter_rows(values_only=True) for v in row if v is not None]
    assert not [v for v in every if any(len(tok) == 11 and tok.isdigit() for tok in v.replace("-", " ").split())]
    assert not [v for v in every if any(k in v.lower() for k in ("password", "passord", "secret", "bearer "))]


# --- determinism and metadata ---


def test_same_input_gives_the_same_bytes_and_fixed_metadata(demo: dict[str, Any], tmp_path: Path) -> None:
    first = write_demo(demo, tmp_path / "one.xlsx", "nb").read_bytes()
    second = write_demo(demo, tmp_path / "two.xlsx", "nb").read_bytes()
    assert first == second
    wb = openpyxl.load_workbook(tmp_path / "one.xlsx")
    assert wb.properties.created == wb.properties.modified == datetime(2026, 11, 28)
    assert wb.properties.creator == wb.properties.lastModifiedBy == "altinn-analysis"
    with zipfile.ZipFile(tmp_path / "one.xlsx") as archive:  # no clock in the zip entries either
        assert {i.date_time for i in archive.infolist()} == {(2026, 11, 28, 0, 0, 0)}


# --- atomic write ---


def test_failure_half_way_leaves_the_existing_file_and_no_temp(
    demo: dict[str, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "actions.xlsx"
    target.write_bytes(b"the workbook from the last good run")
    real_rezip = _xlsx_zip.rezip

    def half_then_fail(workbook: bytes, fh: BinaryIO, stamp: Any) -> None:
        import io

        buffer = io.BytesIO()
        real_rezip(workbook, buffer, stamp)
        fh.write(buffer.getvalue()[: len(buffer.getvalue()) // 2])
        fh.flush()
        raise OSError("disk full")

    monkeypatch.setattr(_xlsx_zip, "rezip", half_then_fail)
    monkeypatch.setattr(_xlsx_zip, "restamped", lambda workbook, stamp: None)  # the zip rewritten, not restamped
    with pytest.raises(OSError, match="disk full"):
        write_demo(demo, target, "nb")
    assert target.read_bytes() == b"the workbook from the last good run"
    assert [p.name for p in tmp_path.iterdir()] == ["actions.xlsx"]


@pytest.mark.parametrize("error", [RuntimeError("boom"), KeyboardInterrupt()])
def test_failure_inside_the_xlsx_writer_leaves_nothing_behind(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, error: BaseException
) -> None:
    import xlsxwriter

    def fail(*args: Any, **kwargs: Any) -> None:
        raise error

    monkeypatch.setattr(xlsxwriter.Workbook, "close", fail)
    with pytest.raises(type(error)):
        write(frame(finding()), tmp_path / "new" / "actions.xlsx")
    # The workbook is built in memory: nothing is on disk until it is complete (no target, no temp).
    assert not (tmp_path / "new").exists() or list((tmp_path / "new").iterdir()) == []


def test_success_replaces_the_old_file_and_leaves_no_temp(tmp_path: Path) -> None:
    target = tmp_path / "actions.xlsx"
    target.write_bytes(b"old")
    assert write(frame(finding()), str(target)) == target
    assert openpyxl.load_workbook(target).sheetnames == ["Sammendrag", "Alle tiltak", "Roller"]
    assert [p.name for p in tmp_path.iterdir()] == ["actions.xlsx"]


# --- bad input ---


def test_rejects_bad_input(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="language"):
        write(frame(finding()), tmp_path / "a.xlsx", language="sv")
    with pytest.raises(ValueError, match="also hold rows for 399999998"):
        write(frame(finding(), finding(org_number="399999998")), tmp_path / "a.xlsx")
    with pytest.raises(ValueError, match="severity"):
        write(frame(finding(severity="urgent")), tmp_path / "a.xlsx")
    with pytest.raises(ValueError, match="detail"):
        write(frame(finding()).drop("detail"), tmp_path / "a.xlsx")
    assert not list(tmp_path.iterdir())


def test_severity_order_is_the_policy_order() -> None:
    assert SEVERITIES[:4] == ("critical", "high", "medium", "low")  # the sort and the fills rely on it


# --- tracking carried over between runs ---


def _fill_tracking(path: Path, values: dict[str, tuple[str, str, str]], *, area_sheet: bool = False) -> None:
    """Type owner/progress/comment into the workbook as a colleague would (on "All actions", or on the area
    sheet that holds the finding), and save it."""
    wb = openpyxl.load_workbook(path)
    for ws in wb.worksheets[2:] if area_sheet else wb.worksheets[1:2]:
        for r in range(2, ws.max_row + 1):
            fid = ws.cell(r, col("finding_id")).value
            if fid in values:
                for name, value in zip(actions.TRACKING, values[fid], strict=True):
                    ws.cell(r, col(name)).value = value
    wb.save(path)


def _tracking(path: Path) -> dict[str, tuple[Any, ...]]:
    wb = openpyxl.load_workbook(path)
    out = {}
    for ws in wb.worksheets[1:]:
        for row in data_rows(ws):
            kept = tuple(row[col(n) - 1] for n in actions.TRACKING)
            assert out.setdefault(row[col("finding_id") - 1], kept) == kept, ws.title  # every sheet alike
    return out


@pytest.mark.parametrize("language", ["nb", "en"])
def test_owner_progress_comment_survive_a_rerun(demo: dict[str, Any], tmp_path: Path, language: str) -> None:
    path = write_demo(demo, tmp_path / "actions.xlsx", language)
    ids = sorted(_tracking(path))
    assert len(ids) >= 3 and all(v == (None, None, None) for v in _tracking(path).values())
    typed = {
        ids[0]: ("Kari", "i arbeid", "venter på leverandøren"),
        ids[1]: ("Ola", "ferdig", '=HYPERLINK("http://x","klikk")'),  # typed text that looks like a formula
    }
    _fill_tracking(path, {ids[0]: typed[ids[0]]})
    _fill_tracking(path, {ids[1]: typed[ids[1]]}, area_sheet=True)  # typed on an area sheet: carried over too

    # The next run (the other language, rows in another order): matched by finding id, not by row.
    findings, name, score = demo[language]
    other = "en" if language == "nb" else "nb"
    write(findings.reverse(), path, other, institution=name, org_number=DEMO, score=score)
    after = _tracking(path)
    assert {fid: after[fid] for fid in typed} == typed
    assert all(v == (None, None, None) for fid, v in after.items() if fid not in typed)
    ws = openpyxl.load_workbook(path).worksheets[1]
    comments = [ws.cell(r, col("comment")) for r in range(2, ws.max_row + 1)]
    formula = [c for c in comments if c.value == typed[ids[1]][2]]
    assert formula and all(c.data_type == "s" for c in formula)  # still text, never a formula

    # A finding that is gone takes its tracking with it; a broken previous file starts the tracking afresh.
    write(findings.filter(pl.col("finding_id") != ids[0]), path, language, institution=name, org_number=DEMO)
    assert ids[0] not in _tracking(path) and _tracking(path)[ids[1]] == typed[ids[1]]
    (tmp_path / "broken.xlsx").write_bytes(b"not a workbook")
    fresh = write(findings, tmp_path / "new.xlsx", language, previous=tmp_path / "broken.xlsx", org_number=DEMO)
    assert all(v == (None, None, None) for v in _tracking(fresh).values())


def test_previous_workbook_is_the_latest_up_to_the_report_date(tmp_path: Path) -> None:
    for day in ("2026-10-01", "2026-11-01", "2026-12-24", "notes"):
        (tmp_path / day / DEMO).mkdir(parents=True)
        (tmp_path / day / DEMO / "actions.xlsx").write_bytes(day.encode())
    latest = tmp_path / "2026-11-01" / DEMO / "actions.xlsx"
    assert actions.previous_workbook(tmp_path, date(2026, 11, 28), DEMO) == latest
    assert actions.previous_workbook(tmp_path, date(2026, 9, 1), DEMO) is None
    assert actions.previous_workbook(tmp_path, date(2026, 11, 28), "310426172") is None
    target = tmp_path / "tmp"
    target.mkdir()
    actions.seed_tracking(tmp_path, date(2026, 11, 28), DEMO, target)
    assert (target / "actions.xlsx").read_bytes() == b"2026-11-01"


def test_an_earlier_workbook_is_read_under_the_inventory_guards(
    demo: dict[str, tuple[pl.DataFrame, str, int]], tmp_path: Path
) -> None:
    """The previous action list is a file people edit and pass around: a link put in its place is neither copied
    nor followed, and a zip bomb is refused from its directory; the run starts the tracking afresh either way."""
    secret = tmp_path / "elsewhere.txt"
    secret.write_text("not for the report folder")
    run = tmp_path / "reports" / "2026-11-01" / DEMO
    run.mkdir(parents=True)
    (run / "actions.xlsx").symlink_to(secret)
    target = tmp_path / "tmp"
    target.mkdir()
    actions.seed_tracking(tmp_path / "reports", date(2026, 11, 28), DEMO, target)
    assert not (target / "actions.xlsx").exists()
    assert actions.read_tracking(run / "actions.xlsx") == {}

    # A workbook whose sheet unpacks to more than the limit: refused before openpyxl parses it.
    bomb = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"<row>" + b" " * (300 * 1024 * 1024) + b"</row>")
    assert bomb.stat().st_size < 2 * 1024 * 1024
    assert actions.read_tracking(bomb) == {}

    # An ordinary earlier workbook is still carried over through the seeded copy.
    findings, name, score = demo["nb"]
    real = tmp_path / "reports" / "2026-11-02" / DEMO
    real.mkdir(parents=True)
    write(findings, real / "actions.xlsx", "nb", institution=name, org_number=DEMO, score=score)
    actions.seed_tracking(tmp_path / "reports", date(2026, 11, 28), DEMO, target)
    assert (target / "actions.xlsx").read_bytes() == (real / "actions.xlsx").read_bytes()
