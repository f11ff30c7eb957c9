"""Writing the action list's cells with xlsxwriter: one format per distinct look, a value stored by its kind (text
always as text, so a subject starting with "=" never becomes a formula), links, header rows, column widths, the
print set-up, and how many lines a text wraps to in a column (for the row heights). `actions` lays the sheets out
with these."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from altinn_analysis.report._actions_layout import DATE_FORMAT, HEADER_FILL, LINK_BLUE, OVERDUE_RED, PRINT_SCALE, clean

__all__ = [
    "BLANK",
    "BOLD",
    "BOOL",
    "DATE",
    "LINK",
    "NUMBER",
    "OVERDUE",
    "STRING",
    "TITLE",
    "TOP",
    "WRAP",
    "Styles",
    "cell_kind",
    "header_row",
    "part_lengths",
    "print_setup",
    "put",
    "set_width",
    "sheet_link",
    "store_cell",
    "text_width",
    "wrapped",
    "wrapped_lines",
    "write_cell",
]

_A4 = 9  # xlsxwriter's paper code for A4


class Styles:
    """One xlsxwriter format per distinct look, made on first use (a workbook holds each once)."""

    def __init__(self, wb: Any) -> None:
        self.wb = wb
        self.made: dict[tuple[tuple[str, object], ...], Any] = {}

    def __call__(self, **props: object) -> Any:
        key = tuple(sorted(props.items()))
        if key not in self.made:
            self.made[key] = self.wb.add_format(dict(props))
        return self.made[key]

    def header(self) -> Any:
        return self(
            bold=True, font_color="#FFFFFF", bg_color=f"#{HEADER_FILL}", pattern=1, valign="vcenter", text_wrap=True
        )


TOP: dict[str, object] = {"valign": "top"}
WRAP: dict[str, object] = {"valign": "top", "text_wrap": True}
BOLD: dict[str, object] = {"bold": True}
TITLE: dict[str, object] = {"bold": True, "font_size": 14}
OVERDUE: dict[str, object] = {"bold": True, "font_color": f"#{OVERDUE_RED}"}
LINK: dict[str, object] = {"font_color": f"#{LINK_BLUE}", "underline": 1}


def write_cell(ws: Any, r: int, c: int, value: object, style: Any, date_style: Any) -> None:
    """Write one cell (counted from 0). Text is always stored as text: a subject starting with "=" must never
    become a formula."""
    store_cell(ws, r, c, *cell_kind(value), style, date_style)


BLANK, STRING, DATE, BOOL, NUMBER = range(5)


def cell_kind(value: object) -> tuple[int, object]:
    """How a value is stored: (kind, what is written), so a row shown on two sheets is prepared once."""
    if value is None:
        return BLANK, None
    if isinstance(value, str):
        return STRING, clean(value)
    if isinstance(value, datetime | date):
        return DATE, value
    if isinstance(value, bool):
        return BOOL, value
    if isinstance(value, int | float):
        return NUMBER, value
    return STRING, clean(str(value))


def store_cell(ws: Any, r: int, c: int, kind: int, value: Any, style: Any, date_style: Any) -> None:
    if kind == STRING:
        ws.write_string(r, c, value, style)
    elif kind == BLANK:
        if style is not None:
            ws.write_blank(r, c, None, style)
    elif kind == NUMBER:
        ws.write_number(r, c, value, style)
    elif kind == DATE:
        ws.write_datetime(r, c, value, date_style)
    else:
        ws.write_boolean(r, c, value, style)


def put(ws: Any, styles: Styles, row: int, col: int, value: object, **look: object) -> None:
    """Write one cell, counted from 1 as a reader counts, with the look given (a date gets the date format too)."""
    date_style = styles(**look, num_format=DATE_FORMAT) if isinstance(value, datetime | date) else None
    write_cell(ws, row - 1, col - 1, value, styles(**look) if look else None, date_style)


def sheet_link(ws: Any, styles: Styles, row: int, col: int, label: str, sheet: str) -> None:
    ws.write_url(row - 1, col - 1, f"internal:'{sheet}'!A1", styles(**LINK), string=clean(label))


def header_row(ws: Any, styles: Styles, row: int, labels: Sequence[str]) -> None:
    for col, label in enumerate(labels, start=1):
        ws.write_string(row - 1, col - 1, clean(label), styles.header())


def set_width(ws: Any, col: int, width: float) -> None:
    """A column `width` characters wide, stored as given (xlsxwriter's `set_column` adds the cell padding)."""
    ws.set_column_pixels(col - 1, col - 1, round(width * 7))


def print_setup(ws: Any, *, landscape: bool, title_row: bool, fit_width: bool = True) -> None:
    if landscape:
        ws.set_landscape()
    else:
        ws.set_portrait()
    ws.set_paper(_A4)
    if fit_width:
        ws.fit_to_pages(1, 0)  # one page wide, as many pages down as it takes
    else:  # a fixed scale and a column break: fitting to the page would shrink every column to nothing
        ws.set_print_scale(PRINT_SCALE)
        ws.hide_gridlines(0)  # printed gridlines
    ws.set_margins(left=0.4, right=0.4)
    if title_row:
        ws.repeat_rows(0)
    ws.set_footer("&L&A&R&P / &N")


def text_width(value: object) -> int:
    if value is None:
        return 0
    if isinstance(value, datetime | date):
        return 10
    return max((len(line) for line in str(value).splitlines()), default=0)


def wrapped_lines(value: object, width: float) -> int:
    """How many lines `value` wraps to in a column `width` characters wide."""
    return wrapped(part_lengths(value), width)


# What str.splitlines breaks a line at.
_LINE_BREAK = re.compile("[\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029]")


def part_lengths(value: object) -> tuple[int, ...]:
    """The lengths of `value`'s lines (one empty line for no value): all `wrapped_lines` needs, at any width."""
    if value is None:
        return (0,)
    text = value if isinstance(value, str) else str(value)
    if _LINE_BREAK.search(text) is None:  # most cells: one line
        return (len(text),)
    return tuple(len(part) for part in text.splitlines()) or (0,)


def wrapped(parts: tuple[int, ...], width: float) -> int:
    chars = max(1, int(width) - 1)
    if len(parts) == 1:  # most cells: one line, often short
        return 1 if parts[0] <= chars else -(-parts[0] // chars)
    return sum(max(1, -(-n // chars)) for n in parts)
