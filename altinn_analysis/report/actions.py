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
carried over to the next run's workbook (`read_tracking`, `seed_tracking`, in `_tracking`). The layout and the
texts are tables in `_actions_layout`, the cells are written by `_xlsx_cells`; this module lays the sheets out
(with xlsxwriter, which writes a workbook several times faster than openpyxl; openpyxl still reads the previous
workbook).

The workbook holds only values from the findings frame, the arguments, the carried-over tracking and the fixed
texts below: nothing from the inventory that `assess` did not already put in a finding, and no timestamp of the
run. Its document
properties and zip entry times derive from `as_of`, so the same input gives the same bytes.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any

import polars as pl

from altinn_analysis.impact import AREAS, OPEN_STATUSES, SEVERITIES, STATUSES
from altinn_analysis.report import _xlsx_zip
from altinn_analysis.report._actions_layout import (
    AREA_NOTES,
    CODED,
    COLUMNS,
    COUNT_HEADERS,
    CREATOR,
    DATE_FORMAT,
    HEADERS,
    LINE_HEIGHT,
    PRINT_SPLIT,
    SEVERITY_FILL,
    SEVERITY_WHITE,
    TRACKING,
    area_sheet,
    clean,
    text,
    value_label,
)
from altinn_analysis.report._params import LANGUAGES
from altinn_analysis.report._texts import pick
from altinn_analysis.report._tracking import previous_workbook, read_tracking, seed_tracking
from altinn_analysis.report._xlsx_cells import (
    BOLD,
    OVERDUE,
    TITLE,
    TOP,
    WRAP,
    Styles,
    cell_kind,
    header_row,
    part_lengths,
    print_setup,
    put,
    set_width,
    sheet_link,
    store_cell,
    text_width,
    wrapped,
    wrapped_lines,
)

__all__ = ["TRACKING", "previous_workbook", "read_tracking", "seed_tracking", "write_actions_xlsx"]


def _display(column: str, value: object, language: str) -> object:
    if value is None:
        return None
    if column in CODED:
        return value_label(column, str(value), language)
    return value


class _Row:
    """One open finding as its sheet row: the values shown, how each is written, its width and its look."""

    __slots__ = ("cells", "parts", "shown", "variants", "widths")

    def __init__(self, finding: Mapping[str, Any], language: str, kept: Mapping[str, str]) -> None:
        severity = finding["severity"]
        self.shown: list[object] = []
        self.variants: list[str] = []
        for column, _cap, _wrap in COLUMNS:
            shown = kept.get(column) if column in TRACKING else _display(column, finding[column], language)
            self.shown.append(shown)
            variant = ""
            if column == "severity" and severity in SEVERITY_FILL:
                variant = severity
            elif column == "days_left" and isinstance(shown, int) and shown < 0:
                variant = "overdue"
            self.variants.append(variant)
        self.cells = [cell_kind(v) for v in self.shown]
        self.widths = [text_width(v) + 2 for v in self.shown]
        self.parts = [part_lengths(v) for v in self.shown]  # for the row height, whatever the column widths


def _findings_sheet(
    ws: Any,
    styles: Styles,
    rows: Sequence[_Row],
    language: str,
    *,
    area: str | None = None,
) -> None:
    """Header, one row per finding, and what a colleague expects: frozen header, filter, widths, colours, rows
    as tall as their wrapped text, and a print layout of two readable pages across instead of one tiny one."""
    names = [c for c, _, _ in COLUMNS]
    headers = [pick(HEADERS[c], language) for c in names]
    if area is not None:
        headers[names.index("holders")] = pick(COUNT_HEADERS[area], language)
    header_row(ws, styles, 1, headers)
    widths = [len(h) + 3 for h in headers]  # room for the filter button
    looks: dict[tuple[int, str], tuple[Any, Any]] = {}  # (column, variant) -> (format, date format)
    wraps = [wrap for _c, _cap, wrap in COLUMNS]

    def style(i: int, variant: str) -> tuple[Any, Any]:
        if (i, variant) not in looks:
            look = dict(WRAP if wraps[i] else TOP)
            if variant in SEVERITY_FILL:
                look.update(bg_color=f"#{SEVERITY_FILL[variant]}", pattern=1)
                if variant in SEVERITY_WHITE:
                    look.update(bold=True, font_color="#FFFFFF")
            elif variant == "overdue":
                look.update(OVERDUE)
            looks[i, variant] = (styles(**look), styles(**look, num_format=DATE_FORMAT))
        return looks[i, variant]

    for r, row in enumerate(rows, start=1):
        for i, (kind, value) in enumerate(row.cells):
            store_cell(ws, r, i, kind, value, *style(i, row.variants[i]))
            if row.widths[i] > widths[i]:
                widths[i] = row.widths[i]
    final = [max(min(cap, widths[i]), 8) for i, (_c, cap, _w) in enumerate(COLUMNS)]
    for i, width in enumerate(final):
        set_width(ws, i + 1, width)
    # Excel does not grow a row for wrapped text written by a program: set each row's height from its text.
    ws.set_row(0, LINE_HEIGHT * max(wrapped_lines(h, w) for h, w in zip(headers, final, strict=True)))
    for r, row in enumerate(rows, start=1):
        ws.set_row(r, LINE_HEIGHT * max(map(wrapped, row.parts, final)))
    ws.freeze_panes(1, 0)
    ws.autofilter(0, 0, len(rows), len(COLUMNS) - 1)
    print_setup(ws, landscape=True, title_row=True, fit_width=False)
    ws.set_v_pagebreaks([PRINT_SPLIT])


def _summary_sheet(
    ws: Any,
    styles: Styles,
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
    put(ws, styles, 1, 1, text("title", language), **TITLE)
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
        put(ws, styles, row, 1, text(key, language), **BOLD)
        put(ws, styles, row, 2, value, align="left", **(OVERDUE if key == "overdue" and overdue else {}))
        row += 1
    if not open_rows:
        row += 1
        put(ws, styles, row, 1, text("no_open", language), **BOLD)
        row += 1

    # Area × severity; the info column only when an open finding has that severity (the policy never gives it).
    severities = [s for s in SEVERITIES if s != "info" or any(f["severity"] == "info" for f in open_rows)]
    row += 1
    put(ws, styles, row, 1, text("by_area", language), **BOLD)
    row += 1
    header_row(
        ws,
        styles,
        row,
        [pick(HEADERS["area"], language)]
        + [value_label("severity", s, language) for s in severities]
        + [text("total", language)],
    )
    for area in AREAS:
        row += 1
        in_area = [f for f in open_rows if f["area"] == area]
        if area in area_sheets:
            sheet_link(ws, styles, row, 1, area_sheet(area, language), area_sheets[area])
        else:
            put(ws, styles, row, 1, area_sheet(area, language))
        for j, severity in enumerate(severities, start=2):
            put(ws, styles, row, j, sum(1 for f in in_area if f["severity"] == severity))
        put(ws, styles, row, len(severities) + 2, len(in_area))
    row += 1
    put(ws, styles, row, 1, text("total", language), **BOLD)
    for j, severity in enumerate(severities, start=2):
        put(ws, styles, row, j, sum(1 for f in open_rows if f["severity"] == severity), **BOLD)
    put(ws, styles, row, len(severities) + 2, len(open_rows), **BOLD)

    row += 2
    put(ws, styles, row, 1, text("by_status", language), **BOLD)
    row += 1
    header_row(ws, styles, row, [pick(HEADERS["status"], language), text("count", language)])
    for status in OPEN_STATUSES:
        row += 1
        put(ws, styles, row, 1, value_label("status", status, language))
        put(ws, styles, row, 2, sum(1 for f in open_rows if f["status"] == status))

    row += 2
    put(ws, styles, row, 1, text("sheets", language), **BOLD)
    all_name = text("all_sheet", language)
    for sheet, note in [(all_name, text("all_note", language))] + [
        (name, pick(AREA_NOTES[area], language)) for area, name in area_sheets.items()
    ]:
        row += 1
        sheet_link(ws, styles, row, 1, sheet, sheet)
        put(ws, styles, row, 2, note)
    row += 1
    for key in ("note_overdue", "note_id", "note_tracking", "note_score"):
        row += 1
        put(ws, styles, row, 1, text(key, language))
    if provenance:
        row += 2
        put(ws, styles, row, 1, text("provenance", language), **BOLD)
        for item, value in provenance:
            row += 1
            put(ws, styles, row, 1, item, **BOLD)
            put(ws, styles, row, 2, value, **WRAP)
            ws.set_row(row - 1, LINE_HEIGHT * wrapped_lines(value, 60))

    set_width(ws, 1, max(len(text(k, language)) for k in ("org_number", "score", "institution")) + 12)
    set_width(ws, 2, 12)
    for col in range(3, len(severities) + 3):
        set_width(ws, col, 12)
    print_setup(ws, landscape=False, title_row=False)


def _open_findings(findings: pl.DataFrame, org_number: str) -> list[dict[str, Any]]:
    """The open findings as rows, checked and in the order of the sheets."""
    needed = {c for c, _, _ in COLUMNS if c not in TRACKING} | {"org_number"}
    missing = sorted(needed - set(findings.columns))
    if missing:
        raise ValueError(f"findings lack the column(s) {', '.join(missing)}")
    # A few dozen rows: checked and ordered in plain Python (a query per check cost more than the work).
    names = [c for c, _, _ in COLUMNS if c not in TRACKING]
    columns = [findings[c].to_list() for c in names]
    rows = [dict(zip(names, values, strict=True)) for values in zip(*columns, strict=True)]
    orgs = findings["org_number"].to_list()
    for column, allowed in (("status", STATUSES), ("severity", SEVERITIES), ("area", AREAS)):
        values = [row[column] for row in rows]
        bad = sorted({v for v in values if v is not None} - set(allowed))
        if bad or None in values:
            raise ValueError(f"findings have {column} values outside {', '.join(allowed)}: {bad or ['null']}")
    # A sector-wide frame must not leak another institution's findings into this one's workbook.
    others = sorted({o for o in orgs if o is not None} - {org_number})
    if others:
        raise ValueError(f"findings for {org_number} also hold rows for {', '.join(others)}")
    rank = {s: i for i, s in enumerate(SEVERITIES)}
    area_rank = {a: i for i, a in enumerate(AREAS)}

    def order(row: dict[str, Any]) -> tuple[Any, ...]:
        # As polars sorts (severity, days_left, area, subject, finding_id) with nulls last; str order is the
        # order of their UTF-8 bytes.
        days, subject, fid = row["days_left"], row["subject"], row["finding_id"]
        return (
            rank[row["severity"]],
            days is None,
            days or 0,
            area_rank[row["area"]],
            subject is None,
            subject or "",
            fid is None,
            fid or "",
        )

    return sorted((row for row in rows if row["status"] in OPEN_STATUSES), key=order)


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
    import xlsxwriter

    from altinn_analysis.report._xlsx_sheet import SHEET_CLASS

    if language not in LANGUAGES:
        raise ValueError(f"language must be 'nb' or 'en', not {language!r}")
    target = Path(path)
    open_rows = _open_findings(findings, org_number)
    tracking = read_tracking(previous if previous is not None else target)

    buffer = io.BytesIO()
    # Only what is written as a formula is one: no string is ever turned into a formula, number or link.
    wb = xlsxwriter.Workbook(
        buffer, {"in_memory": True, "strings_to_formulas": False, "strings_to_numbers": False, "strings_to_urls": False}
    )
    styles = Styles(wb)
    summary = wb.add_worksheet(text("summary_sheet", language), worksheet_class=SHEET_CLASS)
    # Each open finding prepared once: it is a row of "All actions" and of its area's sheet.
    rows = [_Row(f, language, tracking.get(str(f["finding_id"]), {})) for f in open_rows]
    _findings_sheet(wb.add_worksheet(text("all_sheet", language), worksheet_class=SHEET_CLASS), styles, rows, language)
    area_sheets: dict[str, str] = {}
    for area in AREAS:
        in_area = [row for f, row in zip(open_rows, rows, strict=True) if f["area"] == area]
        if in_area:
            area_sheets[area] = area_sheet(area, language)
            ws = wb.add_worksheet(area_sheets[area], worksheet_class=SHEET_CLASS)
            _findings_sheet(ws, styles, in_area, language, area=area)
    _summary_sheet(
        summary,
        styles,
        open_rows,
        language=language,
        institution=institution,
        org_number=org_number,
        as_of=as_of,
        score=score,
        area_sheets=area_sheets,
        provenance=provenance,
    )
    # Fixed metadata (created = modified = as_of): two runs on the same input give the same bytes.
    wb.set_properties(
        {
            "title": clean(f"{text('doc_title', language)} – {institution}"),
            "author": CREATOR,
            "created": datetime(as_of.year, as_of.month, as_of.day),
        }
    )
    summary.activate()
    wb.close()

    from altinn_analysis.sources import atomic_file

    stamp = _xlsx_zip.zip_time(as_of)
    data = _xlsx_zip.restamped(buffer.getvalue(), stamp)
    with atomic_file(target) as fh:
        if data is None:
            _xlsx_zip.rezip(buffer.getvalue(), fh, stamp)
        else:
            fh.write(data)
    return target
