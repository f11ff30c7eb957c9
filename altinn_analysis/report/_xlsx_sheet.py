"""The action list's worksheets with a shorter inner loop: each formatted text, number, date or blank cell written
as the one XML element xlsxwriter writes for it, without building and escaping its attribute list cell by cell
(a cell reference and a format index never need escaping). Every other cell, and every cell when the installed
xlsxwriter is not the version this was checked against, is written by xlsxwriter itself: same bytes either way
(`tests/test_report_cells.py` compares them)."""

from __future__ import annotations

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

__all__ = ["SHEET_CLASS", "FastSheet"]

# The xlsxwriter versions whose cell XML `FastSheet` was compared with, byte for byte.
CHECKED_VERSIONS = frozenset({"3.3.1"})


class FastSheet(Worksheet):  # type: ignore[misc]  # xlsxwriter has no type information
    """A worksheet that writes its common cells in one step (see the module doc)."""

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
