"""`altinn-analysis assess DIR`, `verdicts DIR` and `sector DIR…`: findings and a verdict per DSOP service for one
institution, and the sector."""

from __future__ import annotations

import enum
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from altinn_analysis.cli import app
from altinn_analysis.cli._common import Format, FormatOpt, ReferenceDir, emit, fail, load_catalogue

if TYPE_CHECKING:
    from altinn_analysis.catalogue import DsopCatalogue

__all__ = ["expand_institution_dirs", "parse_as_of"]


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
        from altinn_analysis.report import institution_dirs  # the one folder rule, shared with the runner

        children = institution_dirs(path)
        if not children:
            fail(f"{path}: neither an inventory folder (no profile.yaml) nor a folder of inventories")
        out.extend(children)
    return out


def _load_dsop(dsop_dir: Path | None) -> DsopCatalogue:
    from altinn_analysis.catalogue import DsopCatalogueError, load_dsop

    try:
        return load_dsop(dsop_dir)
    except DsopCatalogueError as exc:
        fail(str(exc))


@app.command()
def assess(
    directory: Annotated[Path, typer.Argument(metavar="DIR", help="One institution's inventory folder.")],
    as_of: AsOf = "today",
    language: LanguageOpt = Language.nb,
    fmt: FormatOpt = Format.table,
    reference_dir: ReferenceDir = None,
    dsop_dir: DsopDir = None,
) -> None:
    """The findings for one institution: what has an Altinn 3 replacement, what is missing, and what to do."""
    from altinn_analysis.impact import assess as run_assess
    from altinn_analysis.impact import readiness
    from altinn_analysis.inventory import InventoryError, load_inventory

    day = parse_as_of(as_of)
    catalogue, dsop = load_catalogue(reference_dir), _load_dsop(dsop_dir)
    try:
        inventory = load_inventory(directory, catalogue=catalogue, known_services=dsop.service_ids)
    except InventoryError as exc:
        fail(str(exc))
    findings = run_assess(catalogue, dsop, inventory, day, language=language.value)
    if fmt is Format.table:
        score = readiness(findings)["score"][0]
        title = f"{inventory.profile.name} ({inventory.org_number}) as of {day}: readiness {score}/100"
        shown = findings.select("severity", "status", "area", "subject", "holders", "days_left", "action")
        emit(shown, fmt, title=title, max_width=70)
    else:
        emit(findings, fmt)


@app.command()
def verdicts(
    directory: Annotated[Path, typer.Argument(metavar="DIR", help="One institution's inventory folder.")],
    as_of: AsOf = "today",
    language: LanguageOpt = Language.nb,
    fmt: FormatOpt = Format.table,
    reference_dir: ReferenceDir = None,
    dsop_dir: DsopDir = None,
) -> None:
    """Can we run each DSOP service today? One row per service in the profile: ready, at_risk, blocked or unknown,
    with the reason and the ids of the findings that decide it (JSON: a list of objects)."""
    import polars as pl

    from altinn_analysis.impact import assess as run_assess
    from altinn_analysis.impact import verdicts as service_verdicts
    from altinn_analysis.inventory import InventoryError, load_inventory

    day = parse_as_of(as_of)
    catalogue, dsop = load_catalogue(reference_dir), _load_dsop(dsop_dir)
    try:
        inventory = load_inventory(directory, catalogue=catalogue, known_services=dsop.service_ids)
    except InventoryError as exc:
        fail(str(exc))
    findings = run_assess(catalogue, dsop, inventory, day, language=language.value)
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
        list[Path],
        typer.Argument(metavar="DIR", help="Inventory folders, or folders of them (e.g. data/institutions)."),
    ],
    as_of: AsOf = "today",
    language: LanguageOpt = Language.nb,
    fmt: FormatOpt = Format.table,
    reference_dir: ReferenceDir = None,
    dsop_dir: DsopDir = None,
) -> None:
    """Every institution side by side: readiness score, open work by severity, rank and percentile.

    An institution whose inventory is invalid is reported on stderr and left out; the others are still
    ranked, and the exit code is 1.
    """
    import polars as pl

    from altinn_analysis.impact import assess_many, sector_summary
    from altinn_analysis.inventory import InventoryError, load_inventory

    day = parse_as_of(as_of)
    catalogue, dsop = load_catalogue(reference_dir), _load_dsop(dsop_dir)
    inventories, failed = [], 0
    for path in expand_institution_dirs(directories):
        try:
            inventories.append(load_inventory(path, catalogue=catalogue, known_services=dsop.service_ids))
        except InventoryError as exc:
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
        },
        schema={"org_number": pl.String, "name": pl.String, "institution_type": pl.String},
    )
    table = sector_summary(findings, institutions)
    if fmt is Format.table:
        table = table.select(
            "rank", "name", "institution_type", "score", "open", "critical", "high", "overdue", "percentile"
        )
    emit(table, fmt, title=f"Sector readiness as of {day}")
    if failed:
        raise typer.Exit(1)
