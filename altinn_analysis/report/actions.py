"""The action list workbook (`actions.xlsx`): every open finding, for an analyst to forward to colleagues.

```python
from altinn_analysis.report.actions import write_actions_xlsx
write_actions_xlsx(findings, "reports/2026-11-28/313182657/actions.xlsx", language="nb",
                   institution="Multebær Finans AS", org_number="313182657", as_of=date(2026, 11, 28), score=12)
```

Sheets: a summary (key figures, open findings by area × severity and by status, what the sheets are, where the
data comes from), then "All actions", then one sheet per area with open findings. Every findings sheet has the
same columns, sorted most severe first, then by days left; rows are as tall as their wrapped text, and a printout
is two readable pages across (the work columns, then the reference columns). The finding id is written untouched
so a row can be matched to the report, and so the `owner`, `progress` and `comment` columns people fill in are
carried over to the next run's workbook (`read_tracking`, `seed_tracking`).

The workbook holds only values from the findings frame, the arguments, the carried-over tracking and the fixed
texts below: nothing from the inventory that `assess` did not already put in a finding, and no timestamp of the
run. Its document
properties and zip entry times derive from `as_of`, so the same input gives the same bytes.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any, BinaryIO

import polars as pl
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.hyperlink import Hyperlink
from openpyxl.worksheet.pagebreak import Break
from openpyxl.writer.excel import ExcelWriter

from altinn_analysis.impact import AREAS, OPEN_STATUSES, SEVERITIES, STATUSES
from altinn_analysis.report._texts import AREA_NAMES, CERTAINTY_LABELS, SEVERITY_LABELS, STATUS_LABELS

__all__ = ["TRACKING", "previous_workbook", "read_tracking", "seed_tracking", "write_actions_xlsx"]

_LANGUAGES = ("nb", "en")
_CREATOR = "altinn-analysis"
_DATE_FORMAT = "yyyy-mm-dd"
_MAX_CELL = 32_767  # Excel's limit on characters in one cell

# The columns, in sheet order: (column, width cap, wrap). The first page of a printout holds what a colleague
# works from (what, what to do, by when, and the tracking columns); the reference columns print on the next.
_COLUMNS: tuple[tuple[str, int, bool], ...] = (
    ("severity", 12, False),
    ("status", 11, False),
    ("subject", 32, True),
    ("action", 56, True),
    ("deadline", 11, False),
    ("days_left", 9, True),
    ("owner", 16, True),
    ("progress", 14, True),
    ("comment", 30, True),
    ("area", 14, False),
    ("service_id", 16, False),
    ("holders", 11, True),
    ("altinn3_target", 30, True),
    ("certainty", 12, False),
    ("detail", 44, True),
    ("finding_id", 18, False),
)
# Filled in by people, not by the workbench: carried over from the previous workbook, matched by finding id.
TRACKING = ("owner", "progress", "comment")
_PRINT_SPLIT = 9  # a printed page break after this many columns (the tracking columns end the first page)
_PRINT_SCALE = 70  # per cent: the first page's columns fit an A4 landscape page at this scale
_LINE_HEIGHT = 15.0  # points per wrapped line, for the row heights
_CODED = ("severity", "status", "area", "certainty")  # shown through _VALUES, not as stored

# Column headers (worded as in the HTML report, so the two read alike).
_HEADERS: dict[str, tuple[str, str]] = {
    "severity": ("Alvorlighet", "Severity"),
    "status": ("Status", "Status"),
    "deadline": ("Frist", "Deadline"),
    "days_left": ("Dager igjen", "Days left"),
    "area": ("Område", "Area"),
    "service_id": ("DSOP-tjeneste", "DSOP service"),
    "subject": ("Gjelder", "Subject"),
    "holders": ("Antall", "Count"),
    "owner": ("Ansvarlig", "Owner"),
    "progress": ("Framdrift", "Progress"),
    "comment": ("Kommentar", "Comment"),
    "altinn3_target": ("Altinn 3-mål", "Altinn 3 target"),
    "action": ("Tiltak", "Action"),
    "certainty": ("Sikkerhet", "Certainty"),
    "detail": ("Detaljer", "Detail"),
    "finding_id": ("Funn-id", "Finding id"),
}

# What the count column counts, per area sheet (a consent finding counts consents, a role finding holders).
_COUNT_HEADERS: dict[str, tuple[str, str]] = {
    "roles": ("Innehavere", "Holders"),
    "consent": ("Samtykker", "Consents"),
    "service": ("Innehavere", "Holders"),
    "integration": ("Antall", "Count"),
    "messaging": ("Antall", "Count"),
    "broker": ("Antall", "Count"),
}

# Coded values as the reader sees them, per column; a value missing here is shown as stored.
_VALUES: dict[str, dict[str, tuple[str, str]]] = {
    "severity": SEVERITY_LABELS,
    "status": STATUS_LABELS,
    "certainty": CERTAINTY_LABELS,
    "area": AREA_NAMES,
}

# What each area sheet holds, for the summary's list of sheets.
_AREA_NOTES: dict[str, tuple[str, str]] = {
    "roles": (
        "Altinn 2-roller som må bli tilgangspakker i Altinn 3",
        "Altinn 2 roles that must become access packages",
    ),
    "consent": ("Samtykker som må innhentes på nytt i Altinn 3", "Consents to obtain again in Altinn 3"),
    "integration": (
        "API-nøkler, virksomhetsbrukere og samtykke-API som må erstattes",
        "API keys, enterprise users and consent APIs to replace",
    ),
    "messaging": ("Meldinger som nå går gjennom Dialogporten", "Messages that now go through Dialogporten"),
    "broker": ("Formidlingstjenester som må over på Altinn 3", "Broker services to move to Altinn 3"),
    "service": (
        "Enkelttjenesterettigheter og forutsetninger for DSOP-tjenestene",
        "Single-service rights and DSOP service prerequisites",
    ),
}

_TEXTS: dict[str, tuple[str, str]] = {
    "summary_sheet": ("Sammendrag", "Summary"),
    "all_sheet": ("Alle tiltak", "All actions"),
    "title": ("Tiltaksliste for overgangen til Altinn 3", "Action list for the Altinn 3 transition"),
    "institution": ("Institusjon", "Institution"),
    "org_number": ("Organisasjonsnummer", "Organisation number"),
    "as_of": ("Per dato", "As of"),
    "score": ("Beredskap (0–100)", "Readiness (0–100)"),
    "open": ("Åpne funn", "Open findings"),
    "overdue": ("Forfalt", "Overdue"),
    "no_open": (
        "Ingen åpne funn: ingenting å følge opp per denne datoen.",
        "No open findings: nothing to follow up as of this date.",
    ),
    "by_area": ("Åpne funn etter område og alvorlighet", "Open findings by area and severity"),
    "by_status": ("Åpne funn etter status", "Open findings by status"),
    "total": ("Sum", "Total"),
    "count": ("Antall", "Count"),
    "sheets": ("Arkene", "The sheets"),
    "all_note": (
        "Alle åpne funn (tiltak, risiko, ukjent), de mest alvorlige først, deretter etter dager igjen",
        "Every open finding (action, at risk, unknown), most severe first, then by days left",
    ),
    "note_overdue": (
        "Negative «Dager igjen» betyr at fristen er passert (vist i rødt).",
        "Negative “Days left” means the deadline has passed (shown in red).",
    ),
    "note_id": (
        "Funn-id er den samme som i rapporten, så en rad kan kobles til funnet der.",
        "The finding id is the same as in the report, so a row can be matched to its finding there.",
    ),
    "note_score": (
        "Beredskap = 100 × andel ferdige funn av de relevante; blokkerende funn teller tre ganger.",
        "Readiness = 100 × the share of applicable findings that are done; blocking findings count three times.",
    ),
    "doc_title": ("Tiltaksliste", "Action list"),
    "note_tracking": (
        "Ansvarlig, Framdrift og Kommentar fylles ut av dere; de følger med til neste kjøring (koblet på funn-id).",
        "Owner, Progress and Comment are yours to fill in; they carry over to the next run (matched by finding id).",
    ),
    "provenance": ("Datagrunnlag", "Data provenance"),
}

# Severity cell fills (ARGB without alpha) and the font that stays readable on them.
_SEVERITY_FILL: dict[str, str] = {"critical": "C00000", "high": "F4B183", "medium": "FFE699", "low": "BDD7EE"}
_SEVERITY_FONT: dict[str, Font] = {"critical": Font(bold=True, color="FFFFFF")}
_HEADER_FILL = PatternFill(fill_type="solid", start_color="1F4E78", end_color="1F4E78")
_HEADER_FONT = Font(bold=True, color="FFFFFF")
_TITLE_FONT = Font(bold=True, size=14)
_BOLD = Font(bold=True)
_OVERDUE_FONT = Font(bold=True, color="C00000")
_LINK_FONT = Font(color="0563C1", underline="single")
_TOP = Alignment(vertical="top")
_WRAP = Alignment(vertical="top", wrap_text=True)
_HEAD_ALIGN = Alignment(vertical="center", wrap_text=True)


def _pick(pair: tuple[str, str], language: str) -> str:
    return pair[0] if language == "nb" else pair[1]


def _t(key: str, language: str) -> str:
    return _pick(_TEXTS[key], language)


def _value_label(column: str, value: str, language: str) -> str:
    pair = _VALUES[column].get(value)
    return _pick(pair, language) if pair else value


def _area_sheet(area: str, language: str) -> str:
    return _pick(_VALUES["area"][area], language)


def _clean(text: str) -> str:
    # Control characters are not allowed in XLSX; a cell holds at most 32 767 characters.
    text = ILLEGAL_CHARACTERS_RE.sub("\ufffd", text)
    return text if len(text) <= _MAX_CELL else text[: _MAX_CELL - 1] + "…"


def _put(ws: Any, row: int, col: int, value: object) -> Any:
    """Write one cell. Text is always stored as text: a subject starting with "=" must never become a formula."""
    cell = ws.cell(row=row, column=col)
    if value is None:
        return cell
    if isinstance(value, str):
        cell.value = _clean(value)
        cell.data_type = "s"
    elif isinstance(value, datetime | date):
        cell.value = value
        cell.number_format = _DATE_FORMAT
    else:
        cell.value = value
    return cell


def _sheet_link(cell: Any, sheet: str) -> None:
    cell.hyperlink = Hyperlink(ref=cell.coordinate, location=f"'{sheet}'!A1")
    cell.font = _LINK_FONT


def _header_row(ws: Any, row: int, labels: Sequence[str]) -> None:
    for col, text in enumerate(labels, start=1):
        cell = _put(ws, row, col, text)
        cell.font = _HEADER_FONT
        cell.fill = _HEADER_FILL
        cell.alignment = _HEAD_ALIGN


def _print_setup(ws: Any, *, landscape: bool, title_row: bool, fit_width: bool = True) -> None:
    ws.page_setup.orientation = "landscape" if landscape else "portrait"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    if fit_width:
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 0  # as many pages down as it takes
        ws.sheet_properties.pageSetUpPr.fitToPage = True
    else:  # a fixed scale and a column break: fitting to the page would shrink every column to nothing
        ws.page_setup.scale = _PRINT_SCALE
        ws.sheet_properties.pageSetUpPr.fitToPage = False
        ws.print_options.gridLines = True
    ws.page_margins.left = ws.page_margins.right = 0.4
    if title_row:
        ws.print_title_rows = "1:1"
    ws.oddFooter.left.text = "&A"
    ws.oddFooter.right.text = "&P / &N"


def _display(column: str, value: object, language: str) -> object:
    if value is None:
        return None
    if column in _CODED:
        return _value_label(column, str(value), language)
    return value


def _width(value: object) -> int:
    if value is None:
        return 0
    if isinstance(value, datetime | date):
        return 10
    return max((len(line) for line in str(value).splitlines()), default=0)


def _lines(text: object, width: float) -> int:
    """How many lines `text` wraps to in a column `width` characters wide."""
    if text is None:
        return 1
    chars = max(1, int(width) - 1)
    return sum(max(1, -(-len(part) // chars)) for part in str(text).splitlines() or [""])


def _findings_sheet(
    ws: Any,
    rows: Sequence[Mapping[str, Any]],
    language: str,
    *,
    area: str | None = None,
    tracking: Mapping[str, Mapping[str, str]] | None = None,
) -> None:
    """Header, one row per finding, and what a colleague expects: frozen header, filter, widths, colours, rows
    as tall as their wrapped text, and a print layout of two readable pages across instead of one tiny one."""
    names = [c for c, _, _ in _COLUMNS]
    headers = [_pick(_HEADERS[c], language) for c in names]
    if area is not None:
        headers[names.index("holders")] = _pick(_COUNT_HEADERS[area], language)
    _header_row(ws, 1, headers)
    widths = [len(h) + 3 for h in headers]  # room for the filter button
    values: list[list[object]] = []
    for r, finding in enumerate(rows, start=2):
        kept = (tracking or {}).get(str(finding["finding_id"]), {})
        shown_row: list[object] = []
        for i, (column, _cap, wrap) in enumerate(_COLUMNS):
            shown = kept.get(column) if column in TRACKING else _display(column, finding[column], language)
            shown_row.append(shown)
            cell = _put(ws, r, i + 1, shown)
            cell.alignment = _WRAP if wrap else _TOP
            widths[i] = max(widths[i], _width(shown) + 2)
            severity = finding["severity"]
            if column == "severity" and severity in _SEVERITY_FILL:
                colour = _SEVERITY_FILL[severity]
                cell.fill = PatternFill(fill_type="solid", start_color=colour, end_color=colour)
                if severity in _SEVERITY_FONT:
                    cell.font = _SEVERITY_FONT[severity]
            elif column == "days_left" and isinstance(shown, int) and shown < 0:
                cell.font = _OVERDUE_FONT
        values.append(shown_row)
    final = [max(min(cap, widths[i]), 8) for i, (_c, cap, _w) in enumerate(_COLUMNS)]
    for i, width in enumerate(final):
        ws.column_dimensions[get_column_letter(i + 1)].width = width
    # Excel does not grow a row for wrapped text written by a program: set each row's height from its text.
    ws.row_dimensions[1].height = _LINE_HEIGHT * max(_lines(h, w) for h, w in zip(headers, final, strict=True))
    for r, shown_row in enumerate(values, start=2):
        lines = max(_lines(v, w) for v, w in zip(shown_row, final, strict=True))
        ws.row_dimensions[r].height = _LINE_HEIGHT * lines
    last = get_column_letter(len(_COLUMNS))
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:{last}{len(rows) + 1}"
    _print_setup(ws, landscape=True, title_row=True, fit_width=False)
    ws.col_breaks.append(Break(id=_PRINT_SPLIT))


def _summary_sheet(
    ws: Any,
    open_rows: Sequence[Mapping[str, Any]],
    *,
    language: str,
    institution: str,
    org_number: str,
    as_of: date,
    score: int,
    area_sheets: Mapping[str, str],
    provenance: Sequence[tuple[str, str]] = (),
) -> None:
    _put(ws, 1, 1, _t("title", language)).font = _TITLE_FONT
    overdue = sum(1 for f in open_rows if f["days_left"] is not None and f["days_left"] < 0)
    facts: list[tuple[str, object]] = [
        ("institution", institution),
        ("org_number", org_number),  # text: an org number is an identifier, not a quantity
        ("as_of", as_of),
        ("score", score),
        ("open", len(open_rows)),
        ("overdue", overdue),
    ]
    row = 3
    for key, value in facts:
        _put(ws, row, 1, _t(key, language)).font = _BOLD
        cell = _put(ws, row, 2, value)
        cell.alignment = Alignment(horizontal="left")
        if key == "overdue" and overdue:
            cell.font = _OVERDUE_FONT
        row += 1
    if not open_rows:
        row += 1
        _put(ws, row, 1, _t("no_open", language)).font = _BOLD
        row += 1

    # Area × severity; the info column only when an open finding has that severity (the policy never gives it).
    severities = [s for s in SEVERITIES if s != "info" or any(f["severity"] == "info" for f in open_rows)]
    row += 1
    _put(ws, row, 1, _t("by_area", language)).font = _BOLD
    row += 1
    _header_row(
        ws,
        row,
        [_pick(_HEADERS["area"], language)]
        + [_value_label("severity", s, language) for s in severities]
        + [_t("total", language)],
    )
    for area in AREAS:
        row += 1
        in_area = [f for f in open_rows if f["area"] == area]
        cell = _put(ws, row, 1, _area_sheet(area, language))
        if area in area_sheets:
            _sheet_link(cell, area_sheets[area])
        for j, severity in enumerate(severities, start=2):
            _put(ws, row, j, sum(1 for f in in_area if f["severity"] == severity))
        _put(ws, row, len(severities) + 2, len(in_area))
    row += 1
    _put(ws, row, 1, _t("total", language)).font = _BOLD
    for j, severity in enumerate(severities, start=2):
        _put(ws, row, j, sum(1 for f in open_rows if f["severity"] == severity)).font = _BOLD
    _put(ws, row, len(severities) + 2, len(open_rows)).font = _BOLD

    row += 2
    _put(ws, row, 1, _t("by_status", language)).font = _BOLD
    row += 1
    _header_row(ws, row, [_pick(_HEADERS["status"], language), _t("count", language)])
    for status in OPEN_STATUSES:
        row += 1
        _put(ws, row, 1, _value_label("status", status, language))
        _put(ws, row, 2, sum(1 for f in open_rows if f["status"] == status))

    row += 2
    _put(ws, row, 1, _t("sheets", language)).font = _BOLD
    all_name = _t("all_sheet", language)
    for sheet, note in [(all_name, _t("all_note", language))] + [
        (name, _pick(_AREA_NOTES[area], language)) for area, name in area_sheets.items()
    ]:
        row += 1
        _sheet_link(_put(ws, row, 1, sheet), sheet)
        _put(ws, row, 2, note)
    row += 1
    for key in ("note_overdue", "note_id", "note_tracking", "note_score"):
        row += 1
        _put(ws, row, 1, _t(key, language))
    if provenance:
        row += 2
        _put(ws, row, 1, _t("provenance", language)).font = _BOLD
        for item, value in provenance:
            row += 1
            _put(ws, row, 1, item).font = _BOLD
            cell = _put(ws, row, 2, value)
            cell.alignment = _WRAP
            ws.row_dimensions[row].height = _LINE_HEIGHT * _lines(value, 60)

    ws.column_dimensions["A"].width = max(len(_t(k, language)) for k in ("org_number", "score", "institution")) + 12
    for col in range(2, len(severities) + 3):
        ws.column_dimensions[get_column_letter(col)].width = 12
    ws.column_dimensions["B"].width = max(ws.column_dimensions["B"].width or 0, 12)
    _print_setup(ws, landscape=False, title_row=False)


_TRACKING_LIMIT = 20 * 1024 * 1024  # bytes: a previous workbook larger than this is not read for tracking


def read_tracking(path: str | Path) -> dict[str, dict[str, str]]:
    """Owner, progress and comment per finding id from an earlier action workbook (either language), read from
    every findings sheet; the first non-empty value wins. A missing, unreadable or oversized file gives {}."""
    source = Path(path)
    try:
        if not source.is_file() or source.stat().st_size > _TRACKING_LIMIT:
            return {}
        from openpyxl import load_workbook

        wb = load_workbook(source, read_only=True, data_only=False)
    except Exception:  # an earlier file someone broke must not stop this run: start the tracking afresh
        return {}
    wanted = {h: c for c in ("finding_id", *TRACKING) for h in _HEADERS[c]}
    out: dict[str, dict[str, str]] = {}
    try:
        for ws in wb.worksheets[1:]:
            rows = ws.iter_rows(values_only=True)
            header = next(rows, None) or ()
            where = {wanted[str(h)]: i for i, h in enumerate(header) if h is not None and str(h) in wanted}
            if "finding_id" not in where or not set(TRACKING) & set(where):
                continue
            for row in rows:
                fid = row[where["finding_id"]] if where["finding_id"] < len(row) else None
                if fid is None:
                    continue
                kept = out.setdefault(str(fid), {})
                for column in TRACKING:
                    i = where.get(column)
                    value = row[i] if i is not None and i < len(row) else None
                    if value not in (None, "") and column not in kept:
                        kept[column] = _clean(str(value))
    finally:
        wb.close()
    return {fid: kept for fid, kept in out.items() if kept}


def _open_findings(findings: pl.DataFrame, org_number: str) -> list[dict[str, Any]]:
    """The open findings as rows, checked and in the order of the sheets."""
    needed = {c for c, _, _ in _COLUMNS if c not in TRACKING} | {"org_number"}
    missing = sorted(needed - set(findings.columns))
    if missing:
        raise ValueError(f"findings lack the column(s) {', '.join(missing)}")
    for column, allowed in (("status", STATUSES), ("severity", SEVERITIES), ("area", AREAS)):
        bad = sorted(set(findings[column].drop_nulls().unique()) - set(allowed))
        if bad or findings[column].null_count():
            raise ValueError(f"findings have {column} values outside {', '.join(allowed)}: {bad or ['null']}")
    # A sector-wide frame must not leak another institution's findings into this one's workbook.
    others = sorted(set(findings["org_number"].drop_nulls().unique()) - {org_number})
    if others:
        raise ValueError(f"findings for {org_number} also hold rows for {', '.join(others)}")
    rank = {s: i for i, s in enumerate(SEVERITIES)}
    area_rank = {a: i for i, a in enumerate(AREAS)}
    ordered = (
        findings.filter(pl.col("status").is_in(OPEN_STATUSES))
        .with_columns(
            pl.col("severity").replace_strict(rank, return_dtype=pl.Int64).alias("_severity"),
            pl.col("area").replace_strict(area_rank, return_dtype=pl.Int64).alias("_area"),
        )
        .sort(["_severity", "days_left", "_area", "subject", "finding_id"], nulls_last=True)
    )
    return ordered.select([c for c, _, _ in _COLUMNS if c not in TRACKING]).to_dicts()


def _zip_time(as_of: date) -> tuple[int, int, int, int, int, int]:
    day = max(as_of, date(1980, 1, 1))  # the earliest time a zip entry can carry
    return (day.year, day.month, day.day, 0, 0, 0)


def _save(wb: Any, fh: BinaryIO, stamp: tuple[int, int, int, int, int, int]) -> None:
    """Save `wb` into `fh`, re-zipped with fixed entry times (openpyxl stamps each entry with the clock).

    `ExcelWriter` rather than `wb.save`: the latter overwrites the document's modified time with the clock.
    """
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, allowZip64=True) as archive:
        ExcelWriter(wb, archive).save()
    with zipfile.ZipFile(buffer) as src, zipfile.ZipFile(fh, "w", zipfile.ZIP_DEFLATED) as out:
        for info in src.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=stamp)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.create_system = 0  # the same bytes on every platform
            entry.external_attr = 0
            out.writestr(entry, src.read(info.filename))


def _write_atomically(wb: Any, target: Path, stamp: tuple[int, int, int, int, int, int]) -> None:
    from altinn_analysis.sources import atomic_file

    with atomic_file(target) as fh:
        _save(wb, fh, stamp)


def write_actions_xlsx(
    findings: pl.DataFrame,
    path: str | Path,
    *,
    language: str = "nb",
    institution: str,
    org_number: str,
    as_of: date,
    score: int,
    provenance: Sequence[tuple[str, str]] = (),
    previous: str | Path | None = None,
) -> Path:
    """Write the action list workbook for one institution's `findings` (from `impact.assess`) to `path`.

    `score` is the institution's readiness (`impact.readiness`). `provenance` is a list of (item, value) lines
    for the summary, in the workbook's language. Owner, progress and comment are carried over by finding id
    from `previous` (default: the workbook at `path` that this one replaces). Raises ValueError when `findings` lacks a
    column, holds an unknown status, severity or area, or holds rows of another organisation number. The file
    is replaced atomically: on any failure an existing workbook at `path` is left as it was.
    """
    if language not in _LANGUAGES:
        raise ValueError(f"language must be 'nb' or 'en', not {language!r}")
    target = Path(path)
    open_rows = _open_findings(findings, org_number)
    tracking = read_tracking(previous if previous is not None else target)

    wb = Workbook()
    summary = wb.active
    summary.title = _t("summary_sheet", language)
    all_sheet = wb.create_sheet(_t("all_sheet", language))
    _findings_sheet(all_sheet, open_rows, language, tracking=tracking)
    area_sheets: dict[str, str] = {}
    for area in AREAS:
        in_area = [f for f in open_rows if f["area"] == area]
        if in_area:
            area_sheets[area] = _area_sheet(area, language)
            _findings_sheet(wb.create_sheet(area_sheets[area]), in_area, language, area=area, tracking=tracking)
    _summary_sheet(
        summary,
        open_rows,
        language=language,
        institution=institution,
        org_number=org_number,
        as_of=as_of,
        score=score,
        area_sheets=area_sheets,
        provenance=provenance,
    )

    # Fixed metadata: openpyxl would stamp the creation time, which makes two runs differ.
    stamp = datetime(as_of.year, as_of.month, as_of.day)
    props = wb.properties
    props.created = props.modified = stamp
    props.creator = props.lastModifiedBy = _CREATOR
    props.title = _clean(f"{_t('doc_title', language)} – {institution}")
    props.language = "nb-NO" if language == "nb" else "en"
    wb.active = 0
    _write_atomically(wb, target, _zip_time(as_of))
    return target


def previous_workbook(out_root: Path, as_of: date, org_number: str) -> Path | None:
    """The institution's latest earlier action workbook under a report root (`<out_root>/<date>/<org>/`): the
    one for `as_of` itself if there is one, else the newest from an earlier date."""
    folders = []
    for run in out_root.iterdir() if out_root.is_dir() else ():
        try:
            day = date.fromisoformat(run.name)
        except ValueError:
            continue
        if day <= as_of and (run / org_number / "actions.xlsx").is_file():
            folders.append((day, run / org_number / "actions.xlsx"))
    return max(folders)[1] if folders else None


def seed_tracking(out_root: Path, as_of: date, org_number: str, folder: Path) -> None:
    """Copy the previous workbook into `folder` (where the new one is written), so its owner, progress and
    comment columns are carried over when the report replaces it."""
    import shutil

    source = previous_workbook(out_root, as_of, org_number)
    if source is not None:
        shutil.copyfile(source, folder / "actions.xlsx")
