"""Shared pieces of the command line: output formats, errors, catalogue loading."""

from __future__ import annotations

import enum
import json
import sys
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
    "emit",
    "expand_institution_dirs",
    "fail",
    "inventory_root",
    "load_catalogue",
    "load_dsop_catalogue",
    "parent_folder_hint",
    "parse_as_of",
    "problem_text",
    "resolve_institution",
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
    """Print a table as aligned text (cli._table), CSV or JSON (a list of objects)."""
    if fmt is Format.json:
        typer.echo(json.dumps(frame.to_dicts(), ensure_ascii=False, indent=2, default=str))
    elif fmt is Format.csv:
        from altinn_analysis.sources import neutralise_frame

        # A spreadsheet opening this must not evaluate a value as a formula (`=HYPERLINK(…)`, `+1+2`, `@…`).
        sys.stdout.write(neutralise_frame(frame).write_csv())
    else:
        from altinn_analysis.cli._table import render_table
        from altinn_analysis.sources import strip_control

        if title:
            typer.echo(strip_control(title))
        width = max(160, 20 * len(frame.columns))
        typer.echo(render_table(frame.columns, frame.rows(), max_width=max_width, total_width=width))
        typer.echo(f"{frame.height} rows")


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


def parse_as_of(value: str) -> date:
    """`today` or an ISO date; anything else is a clear error."""
    if value.strip().lower() == "today":
        return date.today()
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        fail(f"--as-of {value!r} is not a date: expected YYYY-MM-DD or 'today'", 2)


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
