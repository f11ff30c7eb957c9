"""`altinn-analysis template DIR`: an empty inventory for a new institution, to fill in and `validate`."""

from __future__ import annotations

import enum
from pathlib import Path
from typing import Annotated

import typer

from altinn_analysis.cli import app
from altinn_analysis.cli._common import WORKSPACE_DIR, InventoryDir, fail


class TemplateFormat(enum.StrEnum):
    xlsx = "xlsx"
    csv = "csv"


@app.command()
def template(
    directory: Annotated[
        Path | None,
        typer.Argument(
            metavar="DIR",
            help="Folder to write (created). Default: INVENTORY_DIR/ORG_NUMBER, where INVENTORY_DIR is "
            "--inventory-dir, else $ALTINN_ANALYSIS_INVENTORY_DIR, else the workspace folder workspace/institutions "
            "(git-ignored).",
            show_default=False,
        ),
    ] = None,
    fmt: Annotated[
        TemplateFormat,
        typer.Option(
            "--format",
            "-f",
            help="xlsx: one workbook per table with drop-down lists and instructions (nb/en); csv: header rows.",
        ),
    ] = TemplateFormat.xlsx,
    org_number: Annotated[
        str | None, typer.Option("--org-number", help="Fill in org_number in profile.yaml (9 digits).")
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Overwrite an inventory that is already there.")] = False,
    inventory_dir: InventoryDir = None,
) -> None:
    """Write an empty inventory: profile.yaml with every key explained, and one file per table.

    Fill it in, then run `altinn-analysis validate DIR`. Existing files are left alone unless --force.
    """
    from altinn_analysis.inventory import TemplateExistsError, org_number_problem, write_template

    if org_number is not None and (why := org_number_problem("".join(org_number.split()))) is not None:
        raise typer.BadParameter(why, param_hint="--org-number")
    if directory is None:
        if org_number is None:
            fail("say where: DIR, or --org-number N to write INVENTORY_DIR/N (see --help)", 2)
        # Never the demo set: an analyst's institutions go to their workspace.
        directory = (inventory_dir or WORKSPACE_DIR) / "".join(org_number.split())
    try:
        result = write_template(directory, fmt=fmt.value, org_number=org_number, force=force)
    except TemplateExistsError as exc:
        names = ", ".join(p.name for p in exc.paths)
        fail(f"{directory} already holds {names}; nothing was written. Use --force to overwrite.")
    except OSError as exc:
        fail(f"{directory}: {exc}")
    typer.echo(f"wrote an empty inventory to {directory}:")
    for path in result.written:
        typer.echo(f"  {path}")
    for path in result.removed:
        typer.echo(f"  removed {path} (replaced by the {fmt.value} template)")
    typer.echo(
        "next: fill in profile.yaml and the tables (docs/inventory.md says what goes where), then run\n"
        f"  altinn-analysis validate {directory}"
    )
