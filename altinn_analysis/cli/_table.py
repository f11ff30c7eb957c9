"""A table for the terminal as plain aligned text: columns separated by `│`, long cells wrapped within their column.

Plain text rather than rich: importing and laying out a rich table costs ~0.3 s, more than the rules that make the
findings. Values are printed literally: control characters (terminal escapes) removed by `strip_control`, nothing is
read as markup, tabs become spaces and line breaks in a value start a new line inside its cell.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence

from altinn_analysis.sources import strip_control

__all__ = ["display_width", "render_table", "wrap"]

SEPARATOR = " │ "
RULE, CROSS = "─", "─┼─"
MIN_WIDTH = 6  # a column is never squeezed narrower than this (or its header, if shorter)


def _char_width(char: str) -> int:
    if unicodedata.combining(char):
        return 0
    return 2 if unicodedata.east_asian_width(char) in "WF" else 1


def display_width(text: str) -> int:
    """Terminal columns `text` takes: wide (CJK) characters count two, combining marks none."""
    if text.isascii():
        return len(text)
    return sum(_char_width(c) for c in text)


def _fold(word: str, width: int) -> list[str]:
    """A word longer than the column, cut into pieces that fit."""
    pieces, piece, used = [], "", 0
    for char in word:
        w = _char_width(char)
        if used + w > width and piece:
            pieces.append(piece)
            piece, used = "", 0
        piece, used = piece + char, used + w
    return [*pieces, piece]


def wrap(text: str, width: int) -> list[str]:
    """`text` as lines of at most `width` columns: broken between words, a word longer than a line cut."""
    lines: list[str] = []
    for paragraph in text.split("\n"):
        line, used = "", 0
        for word in paragraph.split():
            w = display_width(word)
            if w > width:
                if line:
                    lines.append(line)
                *full, line = _fold(word, width)
                lines.extend(full)
                used = display_width(line)
            elif not line:
                line, used = word, w
            elif used + 1 + w <= width:
                line, used = f"{line} {word}", used + 1 + w
            else:
                lines.append(line)
                line, used = word, w
        lines.append(line)
    return lines


def _clean(value: object) -> str:
    text = "" if value is None else str(value)
    return strip_control(text).replace("\r\n", "\n").replace("\r", "\n").replace("\t", " ")


def _fit(widths: list[int], floors: list[int], room: int) -> list[int]:
    """Narrow the widest columns, one column at a time, until the row fits in `room` (or nothing can give)."""
    widths = list(widths)
    while sum(widths) > room:
        widest = max(range(len(widths)), key=lambda i: (widths[i] - floors[i], widths[i]))
        if widths[widest] <= floors[widest]:
            break
        widths[widest] -= 1
    return widths


def render_table(
    columns: Sequence[str], rows: Sequence[Sequence[object]], *, max_width: int = 60, total_width: int = 160
) -> str:
    """The lines of a table: header, rule, one block per row; no column wider than `max_width`, and the whole
    table within `total_width` columns when the columns can be narrowed that far."""
    header = [_clean(c) for c in columns]
    cells = [[_clean(v) for v in row] for row in rows]
    widths = []
    for i, name in enumerate(header):
        longest = max((display_width(line) for row in cells for line in row[i].split("\n")), default=0)
        widths.append(max(1, min(max_width, max(display_width(name), longest))))
    floors = [min(w, max(MIN_WIDTH, min(display_width(h), max_width))) for w, h in zip(widths, header, strict=True)]
    widths = _fit(widths, floors, total_width - len(SEPARATOR) * (len(widths) - 1))

    def block(values: Sequence[str]) -> list[str]:
        wrapped = [wrap(v, w) for v, w in zip(values, widths, strict=True)]
        height = max((len(lines) for lines in wrapped), default=1)
        out = []
        for n in range(height):
            parts = []
            for lines, w in zip(wrapped, widths, strict=True):
                text = lines[n] if n < len(lines) else ""
                parts.append(text + " " * (w - display_width(text)))
            out.append(SEPARATOR.join(parts).rstrip())
        return out

    rule = CROSS.join(RULE * w for w in widths)
    return "\n".join([*block(header), rule, *(line for row in cells for line in block(row))])
