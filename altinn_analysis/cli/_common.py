"""Shared pieces of the command line: output formats, errors, catalogue loading."""

from __future__ import annotations

import enum
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer

if TYPE_CHECKING:
    import polars as pl

    from altinn_analysis.catalogue import Catalogue

__all__ = ["Format", "FormatOpt", "ReferenceDir", "emit", "fail", "load_catalogue"]


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
        from altinn_analysis.sources import neutralise_frame

        # A spreadsheet opening this must not evaluate a value as a formula (`=HYPERLINK(…)`, `+1+2`, `@…`).
        sys.stdout.write(neutralise_frame(frame).write_csv())
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
