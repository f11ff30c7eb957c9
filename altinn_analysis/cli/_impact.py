"""`altinn-analysis assess DIR`, `verdicts DIR` and `sector DIR…`: findings and a verdict per DSOP service for one
institution, and the sector."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from altinn_analysis.cli import app
from altinn_analysis.cli._common import (
    AsOf,
    DsopDir,
    Format,
    FormatOpt,
    Institution,
    InventoryDir,
    Language,
    LanguageOpt,
    ReferenceDir,
    as_of_flag,
    emit,
    expand_institution_dirs,
    fail,
    load_catalogue,
    load_dsop_catalogue,
    parent_folder_hint,
    problem_text,
    resolve_institution,
)

if TYPE_CHECKING:
    from datetime import date

    import polars as pl

    from altinn_analysis.catalogue import Catalogue, DsopCatalogue
    from altinn_analysis.inventory import Inventory


def _load_one(
    directory: str, command: str, reference_dir: Path | None, dsop_dir: Path | None, inventory_dir: Path | None
) -> tuple[Catalogue, DsopCatalogue, Inventory]:
    """The catalogues and one institution's inventory; an invalid inventory exits 1 listing every problem."""
    from altinn_analysis.inventory import InventoryError, load_inventory

    path = resolve_institution(directory, inventory_dir)
    parent_folder_hint(path, command)
    catalogue, dsop = load_catalogue(reference_dir), load_dsop_catalogue(dsop_dir)
    try:
        inventory = load_inventory(path, catalogue=catalogue, known_services=dsop.service_ids)
    except InventoryError as exc:
        errors = sum(p.is_error for p in exc.problems)
        lines = [f"{path}: invalid inventory ({errors} error{'' if errors == 1 else 's'})"]
        fail("\n".join([*lines, *(f"  {problem_text(p)}" for p in exc.problems)]))
    return catalogue, dsop, inventory


def _assessed(
    directory: str,
    command: str,
    as_of: str,
    language: Language,
    reference_dir: Path | None,
    dsop_dir: Path | None,
    inventory_dir: Path | None,
) -> tuple[date, DsopCatalogue, Inventory, pl.DataFrame]:
    """What `assess` and `verdicts` share: the day, the DSOP catalogue, the inventory and its findings."""
    from altinn_analysis.impact import assess as run_assess

    day = as_of_flag(as_of)
    catalogue, dsop, inventory = _load_one(directory, command, reference_dir, dsop_dir, inventory_dir)
    return day, dsop, inventory, run_assess(catalogue, dsop, inventory, day, language=language.value)


@app.command()
def assess(
    directory: Institution,
    as_of: AsOf = "today",
    language: LanguageOpt = Language.nb,
    fmt: FormatOpt = Format.table,
    reference_dir: ReferenceDir = None,
    dsop_dir: DsopDir = None,
    inventory_dir: InventoryDir = None,
) -> None:
    """The findings for one institution: what has an Altinn 3 replacement, what is missing, and what to do."""
    from altinn_analysis.impact import readiness

    day, _, inventory, findings = _assessed(
        directory, "assess", as_of, language, reference_dir, dsop_dir, inventory_dir
    )
    if fmt is Format.table:
        score = readiness(findings)["score"][0]
        title = f"{inventory.profile.name} ({inventory.org_number}) as of {day}: readiness {score}/100"
        shown = findings.select("severity", "status", "area", "subject", "holders", "days_left", "action")
        emit(shown, fmt, title=title, max_width=70)
    else:
        emit(findings, fmt)


@app.command()
def verdicts(
    directory: Institution,
    as_of: AsOf = "today",
    language: LanguageOpt = Language.nb,
    fmt: FormatOpt = Format.table,
    reference_dir: ReferenceDir = None,
    dsop_dir: DsopDir = None,
    inventory_dir: InventoryDir = None,
) -> None:
    """Can we run each DSOP service today? One row per service in the profile: ready, at_risk, blocked or unknown,
    with the reason and the ids of the findings that decide it (JSON: a list of objects)."""
    import polars as pl

    from altinn_analysis.impact import verdicts as service_verdicts

    day, dsop, inventory, findings = _assessed(
        directory, "verdicts", as_of, language, reference_dir, dsop_dir, inventory_dir
    )
    table = service_verdicts(findings, dsop, inventory.profile.dsop_services, language=language.value)
    if fmt is Format.json:
        emit(table, fmt)
        return
    flat = table.with_columns(pl.col("blocking_findings").list.join(" "))
    title = f"{inventory.profile.name} ({inventory.org_number}) as of {day}" if fmt is Format.table else None
    emit(flat, fmt, title=title, max_width=60)


@app.command()
def sector(
    directories: Annotated[
        list[Path] | None,
        typer.Argument(
            metavar="DIR",
            help="Inventory folders, or folders of them (default: every institution in --inventory-dir).",
            show_default=False,
        ),
    ] = None,
    as_of: AsOf = "today",
    language: LanguageOpt = Language.nb,
    fmt: FormatOpt = Format.table,
    reference_dir: ReferenceDir = None,
    dsop_dir: DsopDir = None,
    inventory_dir: InventoryDir = None,
) -> None:
    """Every institution side by side: readiness score, open work by severity, rank and percentile.

    An institution whose inventory is invalid is reported on stderr and left out; the others are still
    ranked, and the exit code is 1. Demo institutions (`demo: true`) are ranked among themselves, never with
    real ones.
    """
    import polars as pl

    from altinn_analysis.impact import assess_many, sector_summary
    from altinn_analysis.inventory import InventoryError, load_inventories

    day = as_of_flag(as_of)
    catalogue, dsop = load_catalogue(reference_dir), load_dsop_catalogue(dsop_dir)
    inventories, failed = [], 0
    paths = expand_institution_dirs(directories, inventory_dir)
    loaded = load_inventories(paths, catalogue=catalogue, known_services=dsop.service_ids)  # checked together
    for path, exc in zip(paths, loaded, strict=True):
        if not isinstance(exc, InventoryError):
            inventories.append(exc)
        else:
            failed += 1
            typer.echo(
                f"error: {path}: skipped, invalid inventory ({len(exc.problems)} problem(s)); "
                f"run `altinn-analysis validate {path}`",
                err=True,
            )
    findings = assess_many(catalogue, dsop, inventories, day, language=language.value)
    institutions = pl.DataFrame(
        {
            "org_number": [i.org_number for i in inventories],
            "name": [i.profile.name for i in inventories],
            "institution_type": [i.profile.institution_type for i in inventories],
            "demo": [i.profile.demo for i in inventories],
        },
        schema={"org_number": pl.String, "name": pl.String, "institution_type": pl.String, "demo": pl.Boolean},
    )
    table = sector_summary(findings, institutions)
    if fmt is Format.table:
        table = table.select(
            "rank", "name", "institution_type", "demo", "score", "open", "critical", "high", "overdue", "percentile"
        )
    emit(table, fmt, title=f"Sector readiness as of {day}")
    if failed:
        raise typer.Exit(1)
