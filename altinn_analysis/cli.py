"""`altinn-analysis`: a thin typer front end. Heavy libraries are imported inside the commands so that
`--help` starts fast."""

from __future__ import annotations

import enum
import json
import logging
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer

from altinn_analysis._version import __version__

if TYPE_CHECKING:
    import polars as pl

    from altinn_analysis.catalogue import Catalogue

__all__ = ["app", "main"]

app = typer.Typer(
    name="altinn-analysis",
    help="Altinn 3 transition workbench: what the move from Altinn 2 means for a DSOP finance institution.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
catalogue_app = typer.Typer(help="Look at the Altinn 3 reference catalogue (the embedded or a refreshed snapshot).")
app.add_typer(catalogue_app, name="catalogue")


class Env(enum.StrEnum):
    prod = "prod"
    tt02 = "tt02"


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


def _fail(message: str, code: int = 1) -> NoReturn:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"altinn-analysis {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Log what happens (to stderr).")] = False,
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit.")
    ] = False,
) -> None:
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )


# -- output -------------------------------------------------------------------------------------------------


def _emit(frame: pl.DataFrame, fmt: Format, *, title: str | None = None, max_width: int = 60) -> None:
    if fmt is Format.json:
        typer.echo(json.dumps(frame.to_dicts(), ensure_ascii=False, indent=2, default=str))
    elif fmt is Format.csv:
        sys.stdout.write(frame.write_csv())
    else:
        from rich.console import Console
        from rich.table import Table

        table = Table(title=title, show_lines=False)
        for col in frame.columns:
            table.add_column(col, overflow="fold", max_width=max_width)
        for row in frame.iter_rows():
            table.add_row(*("" if v is None else str(v) for v in row))
        Console(width=max(160, 20 * len(frame.columns))).print(table)
        typer.echo(f"{frame.height} rows")


def _load(reference_dir: Path | None) -> Catalogue:
    from altinn_analysis.catalogue import Catalogue
    from altinn_analysis.sources import SnapshotError

    try:
        return Catalogue.load(reference_dir)
    except SnapshotError as exc:
        _fail(str(exc))


# -- refresh ------------------------------------------------------------------------------------------------


@app.command()
def refresh(
    env: Annotated[Env, typer.Option("--env", help="Altinn environment to fetch from.")] = Env.prod,
    replay: Annotated[
        Path | None,
        typer.Option(
            "--replay",
            help="Serve requests from a recorded-response folder instead of the network.",
            exists=True,
            file_okay=False,
        ),
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option("--out", help="Snapshot folder to write (default: the one the catalogue reads).", file_okay=False),
    ] = None,
    concurrency: Annotated[
        int,
        typer.Option("--concurrency", min=1, max=32, help="Requests in flight for the role-package fan-out."),
    ] = 8,
) -> None:
    """Fetch the Altinn 3 catalogue and write a new snapshot. A failed refresh keeps the previous one."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from altinn_analysis.catalogue import default_reference_dir
    from altinn_analysis.catalogue import refresh as do_refresh
    from altinn_analysis.sources import AltinnAPIError, ReplayMissError, SnapshotError

    target = out or default_reference_dir()
    tasks: dict[str, Any] = {}
    with Progress(
        TextColumn("{task.description:<16}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        transient=False,
        console=None,
    ) as bar:

        def progress(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = bar.add_task(stage, total=total)
            bar.update(tasks[stage], completed=done, total=total)

        try:
            manifest = do_refresh(
                target,
                environment=env.value,
                replay_dir=replay,
                max_concurrency=concurrency,
                progress=progress,
            )
        except (AltinnAPIError, ReplayMissError, SnapshotError, OSError) as exc:
            bar.stop()
            _fail(f"{exc}\nrefresh failed; the previous snapshot in {target} is unchanged")
    rows = ", ".join(f"{name} {info.rows}" for name, info in manifest.tables.items())
    typer.echo(f"snapshot written to {target} (source {manifest.source}, {manifest.base_url}): {rows}")
    for note in manifest.notes:
        typer.echo(f"note: {note}")


# -- catalogue ----------------------------------------------------------------------------------------------


@catalogue_app.command("summary")
def catalogue_summary(reference_dir: ReferenceDir = None, fmt: FormatOpt = Format.table) -> None:
    """Row counts per table and where the snapshot came from."""
    summary = _load(reference_dir).summary()
    if fmt is Format.json:
        typer.echo(json.dumps(summary, ensure_ascii=False, indent=2))
        return
    import polars as pl

    frame = pl.DataFrame({"item": list(summary), "value": [_plain(v) for v in summary.values()]})
    _emit(frame, fmt, title="Altinn 3 catalogue", max_width=100)


def _plain(value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(map(str, value))
    if isinstance(value, dict):
        return ", ".join(f"{k} {v}" for k, v in value.items())
    return "" if value is None else str(value)


@catalogue_app.command("packages")
def catalogue_packages(
    reference_dir: ReferenceDir = None,
    fmt: FormatOpt = Format.table,
    area: Annotated[str | None, typer.Option("--area", help="Only areas whose name contains this text.")] = None,
) -> None:
    """Access packages with their area and area group."""
    import polars as pl

    cat = _load(reference_dir)
    frame = (
        cat.access_packages.join(
            cat.areas.select(pl.col("id").alias("area_id"), pl.col("name_nb").alias("area"), "group_id"),
            on="area_id",
            how="left",
        )
        .join(
            cat.area_groups.select(pl.col("id").alias("group_id"), pl.col("name_nb").alias("group")),
            on="group_id",
        )
        .sort("group", "area", "code")
    )
    if area:
        frame = frame.filter(pl.col("area").str.to_lowercase().str.contains(area.lower(), literal=True))
    columns = ["code", "name_nb", "area", "group", "is_delegable"] if fmt is Format.table else frame.columns
    _emit(frame.select(columns), fmt, title="Access packages")


@catalogue_app.command("roles")
def catalogue_roles(
    reference_dir: ReferenceDir = None,
    fmt: FormatOpt = Format.table,
    provider: Annotated[
        str | None,
        typer.Option("--provider", help="Only one provider: sys-ccr, sys-altinn2, sys-altinn3, sys-cra."),
    ] = None,
) -> None:
    """Roles, with their Altinn 2 (legacy) code."""
    import polars as pl

    frame = _load(reference_dir).roles.sort("provider_code", "code")
    if provider:
        frame = frame.filter(pl.col("provider_code") == provider)
    columns = ["code", "legacy_code", "name_nb", "provider_code"] if fmt is Format.table else frame.columns
    _emit(frame.select(columns), fmt, title="Roles")


@catalogue_app.command("role-packages")
def catalogue_role_packages(
    role: Annotated[str, typer.Argument(help="Role code (daglig-leder) or Altinn 2 code (DAGL, UTINN).")],
    org_form: Annotated[str, typer.Argument(help="Organisation form: ASA, AS, SPA, NUF, …")],
    reference_dir: ReferenceDir = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """The access packages a role gives for an organisation form."""
    cat = _load(reference_dir)
    if cat.role(role) is None:
        _fail(f"unknown role {role!r}")
    if org_form.upper() not in {v.upper() for v in cat.variants}:
        _fail(f"unknown organisation form {org_form!r}; the snapshot knows {', '.join(cat.variants)}")
    frame = cat.packages_for_role(role, org_form)
    columns = ["code", "name_nb", "is_delegable"] if fmt is Format.table else frame.columns
    _emit(frame.select(columns), fmt, title=f"{role} ({org_form})")


@catalogue_app.command("resources")
def catalogue_resources(
    reference_dir: ReferenceDir = None,
    fmt: FormatOpt = Format.table,
    resource_type: Annotated[str | None, typer.Option("--type", help="Only one resource type (Consent, …).")] = None,
    owner: Annotated[str | None, typer.Option("--owner", help="Only one owner org code (skd, kv, …).")] = None,
) -> None:
    """Resources in the Resource Registry."""
    import polars as pl

    frame = _load(reference_dir).resources
    if resource_type:
        frame = frame.filter(pl.col("resource_type").str.to_lowercase() == resource_type.lower())
    if owner:
        frame = frame.filter(pl.col("owner_org_code") == owner.lower())
    if fmt is Format.table:
        frame = frame.select("identifier", "title_nb", "resource_type", "owner_org_code", "status")
    elif fmt is Format.csv:
        frame = frame.with_columns(pl.col("available_for_type").list.join(";"))
    _emit(frame, fmt, title="Resources")


@catalogue_app.command("service-map")
def catalogue_service_map(
    reference_dir: ReferenceDir = None,
    fmt: FormatOpt = Format.table,
    service: Annotated[
        str | None, typer.Option("--service", help="Only one Altinn 2 service: code or code:edition.")
    ] = None,
) -> None:
    """Altinn 2 services (code:edition) and the Altinn 3 resources that replace them."""
    cat = _load(reference_dir)
    frame = (
        cat.resources_for_service(service)
        if service
        else cat.altinn2_service_map.join(cat.resources, on="identifier", how="left")
    )
    frame = frame.select("service_code", "service_edition_code", "identifier", "match", "resource_type", "title_nb")
    _emit(frame, fmt, title="Altinn 2 service → Altinn 3 resource")


def main() -> None:
    app()
