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

__all__ = [
    "AsOf",
    "DsopDir",
    "Format",
    "FormatOpt",
    "Language",
    "LanguageOpt",
    "ReferenceDir",
    "emit",
    "expand_institution_dirs",
    "fail",
    "load_catalogue",
    "load_dsop_catalogue",
    "parse_as_of",
]


class Format(enum.StrEnum):
    table = "table"
    csv = "csv"
    json = "json"


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
    """Print a table as a terminal table, CSV or JSON (a list of objects)."""
    if fmt is Format.json:
        typer.echo(json.dumps(frame.to_dicts(), ensure_ascii=False, indent=2, default=str))
    elif fmt is Format.csv:
        sys.stdout.write(frame.write_csv())
    else:
        from rich.console import Console
        from rich.table import Table
        from rich.text import Text

        table = Table(title=title, show_lines=False)
        for col in frame.columns:
            table.add_column(col, overflow="fold", max_width=max_width)
        for row in frame.iter_rows():
            # Text, not str: data such as "[optional]" must not be read as rich markup.
            table.add_row(*(Text("" if v is None else str(v)) for v in row))
        Console(width=max(160, 20 * len(frame.columns))).print(table)
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
    typer.Option("--as-of", help="Date the analysis is for: YYYY-MM-DD or 'today'. Deadlines count from it."),
]
LanguageOpt = Annotated[Language, typer.Option("--language", "-l", help="Language of the action texts.")]
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
        fail(f"--as-of {value!r} is not a date: expected YYYY-MM-DD or 'today'")


def expand_institution_dirs(paths: list[Path]) -> list[Path]:
    """Institution folders as given, or the institution folders inside a parent folder (e.g. data/institutions)."""
    out: list[Path] = []
    for path in paths:
        if not path.is_dir():
            fail(f"{path}: not a folder")
        if (path / "profile.yaml").exists():
            out.append(path)
            continue
        children = sorted(p for p in path.iterdir() if p.is_dir() and (p / "profile.yaml").exists())
        if not children:
            fail(f"{path}: neither an inventory folder (no profile.yaml) nor a folder of inventories")
        out.extend(children)
    return out


def load_dsop_catalogue(dsop_dir: Path | None) -> DsopCatalogue:
    """The DSOP catalogue, or a clear error and exit 1."""
    from altinn_analysis.catalogue import DsopCatalogueError, load_dsop

    try:
        return load_dsop(dsop_dir)
    except DsopCatalogueError as exc:
        fail(str(exc))
