"""Shared pieces of the command line: output formats, errors, catalogue loading."""

from __future__ import annotations

import contextlib
import enum
import json
import sys
import unicodedata
from collections.abc import Callable, Iterator, Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer

if TYPE_CHECKING:
    import polars as pl

    from altinn_analysis.catalogue import Catalogue, DsopCatalogue
    from altinn_analysis.inventory import Problem

__all__ = [
    "DEMO_INVENTORY_DIR",
    "INVENTORY_ENV",
    "WORKSPACE_DIR",
    "AsOf",
    "DsopDir",
    "Format",
    "FormatOpt",
    "InventoryDir",
    "Language",
    "LanguageOpt",
    "ReferenceDir",
    "as_of_flag",
    "display_width",
    "emit",
    "expand_institution_dirs",
    "fail",
    "inventory_root",
    "load_catalogue",
    "load_dsop_catalogue",
    "parent_folder_hint",
    "problem_text",
    "render_table",
    "resolve_institution",
    "stage_progress",
    "wrap",
]


class Format(enum.StrEnum):
    table = "table"
    csv = "csv"
    json = "json"


ROOT = Path(__file__).resolve().parents[2]
PROFILE = "profile.yaml"
# The fictional demo institutions that ship with the project. An analyst's own institutions live in a workspace
# (default: workspace/institutions/ in the checkout, git-ignored; or any folder) named by --inventory-dir or
# ALTINN_ANALYSIS_INVENTORY_DIR, so they are never mixed with, or committed next to, the demo set.
DEMO_INVENTORY_DIR = ROOT / "data" / "institutions"
WORKSPACE_DIR = ROOT / "workspace" / "institutions"
INVENTORY_ENV = "ALTINN_ANALYSIS_INVENTORY_DIR"

# One institution, named by its folder or by its organisation number inside the inventory folder.
Institution = Annotated[
    str,
    typer.Argument(
        metavar="DIR",
        help="One institution: its inventory folder, or its organisation number inside --inventory-dir.",
    ),
]
InventoryDir = Annotated[
    Path | None,
    typer.Option(
        "--inventory-dir",
        envvar=INVENTORY_ENV,
        show_envvar=False,
        help=f"Folder of institutions, one sub-folder per organisation number (default: ${INVENTORY_ENV}, else the "
        "demo set data/institutions). Your own institutions belong in a workspace such as workspace/institutions.",
        file_okay=False,
    ),
]
ReferenceDir = Annotated[
    Path | None,
    typer.Option(
        "--reference-dir",
        help="Snapshot folder to read (default: $ALTINN_ANALYSIS_REFERENCE_DIR or the embedded data/reference).",
        file_okay=False,
    ),
]
FormatOpt = Annotated[Format, typer.Option("--format", "-f", help="Output format.")]


def fail(message: str, code: int = 1) -> NoReturn:
    """Print `error: message` to stderr and exit non-zero."""
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code)


def emit(frame: pl.DataFrame, fmt: Format, *, title: str | None = None, max_width: int = 60) -> None:
    """Print a table as aligned text (`render_table`), CSV or JSON (a list of objects)."""
    if fmt is Format.json:
        typer.echo(json.dumps(frame.to_dicts(), ensure_ascii=False, indent=2, default=str))
    elif fmt is Format.csv:
        from altinn_analysis.sources import neutralise_frame

        # A spreadsheet opening this must not evaluate a value as a formula (`=HYPERLINK(…)`, `+1+2`, `@…`).
        sys.stdout.write(neutralise_frame(frame).write_csv())
    else:
        if title:
            typer.echo(_clean(title))
        width = max(160, 20 * len(frame.columns))
        typer.echo(render_table(frame.columns, frame.rows(), max_width=max_width, total_width=width))
        typer.echo(f"{frame.height} rows")


@contextlib.contextmanager
def stage_progress() -> Iterator[tuple[Callable[[str, int, int], None], Callable[[], None]]]:
    """A progress bar per stage: yields the `progress(stage, done, total)` callback a long task takes, and `stop`
    (call it before printing an error, so the message is not drawn over)."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeElapsedColumn

    tasks: dict[str, TaskID] = {}
    with Progress(TextColumn("{task.description:<16}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn()) as bar:

        def progress(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = bar.add_task(stage, total=total)
            bar.update(tasks[stage], completed=done, total=total)

        yield progress, bar.stop


# -- the terminal table ----------------------------------------------------------------------------------------------
# Plain aligned text, columns separated by `│`, long cells wrapped within their column. Not rich: importing and laying
# out a rich table costs ~0.3 s, more than the rules that make the findings. Values are printed literally: control
# characters (terminal escapes) removed by `strip_control`, nothing read as markup, tabs as spaces, a line break in a
# value starts a new line inside its cell.

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
    # An ASCII character is one column: only the others are looked up (Norwegian text has a few per line).
    return len(text) + sum(_char_width(c) - 1 for c in text if c > "\x7f")


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
    from altinn_analysis.sources import strip_control

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


def load_catalogue(reference_dir: Path | None) -> Catalogue:
    """The verified snapshot, or a clear error and exit 1."""
    from altinn_analysis.catalogue import Catalogue
    from altinn_analysis.sources import SnapshotError

    try:
        return Catalogue.load(reference_dir)
    except SnapshotError as exc:
        fail(str(exc))


class Language(enum.StrEnum):
    nb = "nb"
    en = "en"


AsOf = Annotated[
    str,
    typer.Option(
        "--as-of", metavar="<date>", help="Date the analysis is for: YYYY-MM-DD or 'today'. Deadlines count from it."
    ),
]
LanguageOpt = Annotated[
    Language,
    typer.Option(
        "--language",
        "-l",
        help="Language of the whole output (nb: Norwegian bokmål, en: English): headings, labels, statuses, "
        "severities, areas, subjects and actions.",
    ),
]
DsopDir = Annotated[
    Path | None,
    typer.Option("--dsop-dir", help="DSOP catalogue folder (default: the project's data/dsop).", file_okay=False),
]


def as_of_flag(value: str) -> date:
    """`--as-of` read by the one parser (checks.parse_as_of); anything else is a usage error (exit 2)."""
    from altinn_analysis.checks import parse_as_of as read_as_of

    try:
        return read_as_of(value)
    except ValueError as exc:
        fail(f"--as-of {exc}", 2)


def problem_text(problem: Problem) -> str:
    """`file:row:column: severity: message`; a problem with the folder itself has no location prefix."""
    text = str(problem)
    return text[3:] if text.startswith(".: ") else text


def inventory_root(value: Path | None) -> Path:
    """The folder of institutions: --inventory-dir, else $ALTINN_ANALYSIS_INVENTORY_DIR, else the demo set."""
    root = value or DEMO_INVENTORY_DIR
    if not root.is_dir():
        fail(f"{root}: no such folder of institutions (set by --inventory-dir or ${INVENTORY_ENV})", 2)
    return root


def _institutions_in(folder: Path) -> list[Path]:
    from altinn_analysis.report import institution_dirs  # the one folder rule, shared with the runner

    return institution_dirs(folder)


def resolve_institution(arg: str | Path, inventory_dir: Path | None) -> Path:
    """An institution folder given as a path, or as an organisation number inside the inventory folder."""
    path = Path(arg)
    text = str(arg).strip()
    if not path.exists() and text.isdigit() and len(text) == 9:
        path = inventory_root(inventory_dir) / text
        if not path.is_dir():
            fail(f"no institution {text} in {path.parent} (an institution is a folder named after its org number)", 2)
    if not path.exists():
        fail(f"{path}: no such folder; expected an institution's inventory folder or its organisation number", 2)
    if not path.is_dir():
        fail(f"{path} is a file; expected an institution's inventory folder (the folder that holds {PROFILE})", 2)
    return path


def expand_institution_dirs(paths: list[Path] | None, inventory_dir: Path | None) -> list[Path]:
    """Institution folders as given, the institution folders inside a parent folder, or (no paths) every
    institution in the inventory folder."""
    if not paths:
        root = inventory_root(inventory_dir)
        found = _institutions_in(root)
        if not found:
            fail(f"{root}: no institutions here (no sub-folder with {PROFILE}); `altinn-analysis template` starts one")
        return found
    out: list[Path] = []
    for given in paths:
        path = resolve_institution(given, inventory_dir)
        if (path / PROFILE).exists():
            out.append(path)
            continue
        children = _institutions_in(path)
        if not children:
            fail(f"{path}: neither an inventory folder (no {PROFILE}) nor a folder of inventories", 2)
        out.extend(children)
    return out


def parent_folder_hint(path: Path, command: str) -> None:
    """Exit 2 with a hint when one institution was expected and `path` holds several."""
    if (path / PROFILE).exists():
        return
    children = _institutions_in(path)
    if children:
        fail(
            f"{path} is a folder of {len(children)} institutions, not one institution's inventory. {command} takes "
            f"one: e.g. `altinn-analysis {command} {children[0]}` (or just `{children[0].name}`); "
            f"`altinn-analysis sector {path}` compares them all",
            2,
        )


def load_dsop_catalogue(dsop_dir: Path | None) -> DsopCatalogue:
    """The DSOP catalogue, or a clear error and exit 1."""
    from altinn_analysis.catalogue import DsopCatalogueError, load_dsop

    try:
        return load_dsop(dsop_dir)
    except DsopCatalogueError as exc:
        fail(str(exc))
