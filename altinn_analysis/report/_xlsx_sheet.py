"""The action list's worksheets with a shorter inner loop: each formatted text, number, date or blank cell written
as the one XML element xlsxwriter writes for it, without building and escaping its attribute list cell by cell
(a cell reference and a format index never need escaping). Every other cell, and every cell when the installed
xlsxwriter is not the version this was checked against, is written by xlsxwriter itself: same bytes either way
(`tests/test_report_cells.py` compares them)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import xlsxwriter
from xlsxwriter.utility import xl_rowcol_to_cell_fast
from xlsxwriter.worksheet import (
    CellBlankTuple,
    CellDatetimeTuple,
    CellNumberTuple,
    CellStringTuple,
    Worksheet,
)

from altinn_analysis.report._xlsx_cells import BLANK, STRING, store_cell

__all__ = ["SHEET_CLASS", "FastSheet"]

# The xlsxwriter versions whose cell XML `FastSheet` was compared with, byte for byte.
CHECKED_VERSIONS = frozenset({"3.3.1"})


class FastSheet(Worksheet):  # type: ignore[misc]  # xlsxwriter has no type information
    """A worksheet that writes its common cells in one step (see the module doc), walks only the rows and
    cells it holds rather than every row and column number of its dimension, and stores a row's text and
    formatted blank cells as `write_string` and `write_blank` store them, without their argument handling."""

    def store_row(self, row: int, cells: Sequence[tuple[int, Any, Any, Any]]) -> None:
        """`_xlsx_cells.store_row`: one row's cells from column 0, each (kind, value, style, date style)."""
        table, strings, half = self.table, self.str_table, self.xls_strmax // 2
        for col, (kind, value, style, date_style) in enumerate(cells):
            if self.constant_memory or (kind == STRING and len(value) > half) or kind not in (STRING, BLANK):
                store_cell(self, row, col, kind, value, style, date_style)  # xlsxwriter's own checks
            elif kind == BLANK:
                if style is not None and not self._check_dimensions(row, col):  # as `write_blank`
                    table[row][col] = CellBlankTuple(style)
            elif not self._check_dimensions(row, col):  # a short text, as `write_string`
                table[row][col] = CellStringTuple(strings._get_shared_string_index(value), style)

    def _write_rows(self) -> None:
        if self.comments or self.constant_memory:  # xlsxwriter's own walk, which also writes comment-only rows
            super()._write_rows()
            return
        lo, hi = self.dim_rowmin, self.dim_rowmax
        col_lo, col_hi = self.dim_colmin, self.dim_colmax
        table, row_info = self.table, self.row_info
        rows = sorted(r for r in {*row_info, *(r for r, cells in table.items() if cells)} if lo <= r <= hi)
        # The <row> spans: the first and last column with a cell in each block of 16 rows, counted from 1.
        blocks: dict[int, tuple[int, int]] = {}
        for r in rows:
            columns = [c for c in table.get(r, ()) if col_lo <= c <= col_hi]
            if columns:
                first, last = blocks.get(r // 16, (min(columns), max(columns)))
                blocks[r // 16] = (min(first, *columns), max(last, *columns))
        spans = {block: f"{first + 1}:{last + 1}" for block, (first, last) in blocks.items()}
        self.row_spans = spans
        for r in rows:
            span = spans.get(r // 16)
            cells = table.get(r)
            if cells:
                self._write_row(r, span, row_info.get(r))
                for c in sorted(cells):
                    if col_lo <= c <= col_hi:
                        self._write_cell(r, c, cells[c])
                self.fh.write("</row>")
            else:
                self._write_empty_row(r, span, row_info.get(r))

    def _write_cell(self, row: int, col: int, cell: Any) -> None:
        style = cell.format
        kind = type(cell)
        if style is None or self.constant_memory:  # a row's or column's format may apply: xlsxwriter decides
            super()._write_cell(row, col, cell)
        elif kind is CellStringTuple:  # `string` is the index into the shared strings
            ref, xf = xl_rowcol_to_cell_fast(row, col), style._get_xf_index()
            self.fh.write(f'<c r="{ref}" s="{xf}" t="s"><v>{cell.string}</v></c>')
        elif kind is CellNumberTuple or kind is CellDatetimeTuple:
            ref, xf = xl_rowcol_to_cell_fast(row, col), style._get_xf_index()
            self.fh.write(f'<c r="{ref}" s="{xf}"><v>{cell.number:.16G}</v></c>')
        elif kind is CellBlankTuple:
            ref, xf = xl_rowcol_to_cell_fast(row, col), style._get_xf_index()
            self.fh.write(f'<c r="{ref}" s="{xf}"/>')
        else:
            super()._write_cell(row, col, cell)


# The class the action list's sheets are made with: xlsxwriter's own when its version was not checked.
SHEET_CLASS: type[Worksheet] = FastSheet if xlsxwriter.__version__ in CHECKED_VERSIONS else Worksheet
