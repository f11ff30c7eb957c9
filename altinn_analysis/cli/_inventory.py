"""`altinn-analysis validate DIR …`: check institution inventories (DESIGN §5)."""

from __future__ import annotations

import enum
import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from altinn_analysis.cli import app
from altinn_analysis.cli._common import (
    InventoryDir,
    ReferenceDir,
    expand_institution_dirs,
    fail,
    load_catalogue,
    problem_text,
    resolve_institution,
)

if TYPE_CHECKING:
    from altinn_analysis.inventory import Problem


class OutputFormat(enum.StrEnum):
    text = "text"
    json = "json"


@app.command()
def validate(
    directories: Annotated[
        list[Path] | None,
        typer.Argument(
            metavar="DIR",
            help="Inventory folders, organisation numbers in --inventory-dir, or folders of inventories (default: "
            "every institution in --inventory-dir).",
            show_default=False,
        ),
    ] = None,
    fmt: Annotated[
        OutputFormat,
        typer.Option("--format", "-f", help="text: grouped per folder; json: a list of problems."),
    ] = OutputFormat.text,
    reference_dir: ReferenceDir = None,
    limit: Annotated[
        list[str] | None,
        typer.Option(
            "--limit",
            metavar="NAME=N",
            help="Raise a file limit for this run (e.g. table_rows=50000000; see docs/inventory.md#limits). "
            "Also ALTINN_ANALYSIS_LIMIT_<NAME>.",
        ),
    ] = None,
    inventory_dir: InventoryDir = None,
) -> None:
    """Check inventory folders and list every problem as file:row:column (row 1 is the header).

    Exit 0 when every folder is valid (warnings allowed), 1 when any folder has an error.
    """
    from altinn_analysis.inventory import Limits, default_known_services, validate_inventories

    try:
        limits = Limits.parse(limit or [])
    except ValueError as exc:
        fail(str(exc))

    catalogue = load_catalogue(reference_dir)
    try:
        known_services = default_known_services()
    except Exception as exc:  # the DSOP catalogue's own error names its file and row
        fail(f"the DSOP catalogue could not be loaded: {exc}")

    # Every folder's tables checked together; a failure in one folder is its own problem, never the others'.
    folders = _folders(directories, inventory_dir)
    found = validate_inventories(folders, catalogue=catalogue, known_services=known_services, limits=limits)
    results: list[tuple[Path, list[Problem]]] = list(zip(folders, found, strict=True))

    if fmt is OutputFormat.json:
        rows = [{"directory": str(d), **p.to_dict()} for d, problems in results for p in problems]
        typer.echo(json.dumps(rows, ensure_ascii=False, indent=2))
    else:
        for directory, problems in results:
            typer.echo(_verdict(directory, problems))
            for problem in problems:
                typer.echo(f"  {problem_text(problem)}")
        if len(results) > 1:
            bad = sum(any(p.is_error for p in problems) for _, problems in results)
            typer.echo(f"{len(results)} folders checked: {len(results) - bad} valid, {bad} invalid")
    if any(p.is_error for _, problems in results for p in problems):
        raise typer.Exit(1)


def _folders(directories: list[Path] | None, inventory_dir: Path | None) -> list[Path]:
    """The folders to check: as given (one that does not exist is reported like any other problem), an
    organisation number inside the inventory folder, the inventories inside a folder of them, or every one."""
    if not directories:
        return expand_institution_dirs(None, inventory_dir)
    out: list[Path] = []
    for path in directories:
        if not path.exists() and str(path).isdigit() and len(str(path)) == 9:
            path = resolve_institution(str(path), inventory_dir)
        inside = sorted(p.parent for p in path.glob("*/profile.yaml")) if path.is_dir() else []
        if inside and not (path / "profile.yaml").exists():
            out.extend(inside)
        else:
            out.append(path)
    return out


def _verdict(directory: Path, problems: list[Problem]) -> str:
    errors = sum(p.is_error for p in problems)
    warnings = len(problems) - errors

    def count(n: int, word: str) -> str:
        return f"{n} {word}{'' if n == 1 else 's'}"

    if errors:
        return f"{directory}: invalid ({count(errors, 'error')}, {count(warnings, 'warning')})"
    return f"{directory}: valid" + (f" ({count(warnings, 'warning')})" if warnings else "")
