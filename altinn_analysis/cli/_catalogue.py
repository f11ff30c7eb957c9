"""`altinn-analysis catalogue …`: look at the reference catalogue."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

from altinn_analysis.cli import app
from altinn_analysis.cli._common import Format, FormatOpt, ReferenceDir, emit, fail, load_catalogue

catalogue_app = typer.Typer(
    help="Look at the Altinn 3 reference catalogue (the embedded or a refreshed snapshot).", rich_markup_mode=None
)
app.add_typer(catalogue_app, name="catalogue")

DsopDir = Annotated[
    Path | None,
    typer.Option(
        "--dsop-dir",
        help="DSOP catalogue folder to read (default: $ALTINN_ANALYSIS_DSOP_DIR or the embedded data/dsop).",
        file_okay=False,
    ),
]


@catalogue_app.command("summary")
def catalogue_summary(reference_dir: ReferenceDir = None, fmt: FormatOpt = Format.table) -> None:
    """Row counts per table and where the snapshot came from."""
    summary = load_catalogue(reference_dir).summary()
    if fmt is Format.json:
        typer.echo(json.dumps(summary, ensure_ascii=False, indent=2))
        return
    import polars as pl

    frame = pl.DataFrame({"item": list(summary), "value": [_plain(v) for v in summary.values()]})
    emit(frame, fmt, title="Altinn 3 catalogue", max_width=100)


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

    cat = load_catalogue(reference_dir)
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
    emit(frame.select(columns), fmt, title="Access packages")


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

    frame = load_catalogue(reference_dir).roles.sort("provider_code", "code")
    if provider:
        frame = frame.filter(pl.col("provider_code") == provider)
    columns = ["code", "legacy_code", "name_nb", "provider_code"] if fmt is Format.table else frame.columns
    emit(frame.select(columns), fmt, title="Roles")


@catalogue_app.command("role-packages")
def catalogue_role_packages(
    role: Annotated[str, typer.Argument(help="Role code (daglig-leder) or Altinn 2 code (DAGL, UTINN).")],
    org_form: Annotated[str, typer.Argument(help="Organisation form: ASA, AS, SPA, NUF, …")],
    reference_dir: ReferenceDir = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """The access packages a role gives for an organisation form."""
    cat = load_catalogue(reference_dir)
    if cat.role(role) is None:
        fail(f"unknown role {role!r}")
    if org_form.upper() not in {v.upper() for v in cat.variants}:
        fail(f"unknown organisation form {org_form!r}; the snapshot knows {', '.join(cat.variants)}")
    frame = cat.packages_for_role(role, org_form)
    columns = ["code", "name_nb", "is_delegable"] if fmt is Format.table else frame.columns
    emit(frame.select(columns), fmt, title=f"{role} ({org_form})")


@catalogue_app.command("resources")
def catalogue_resources(
    reference_dir: ReferenceDir = None,
    fmt: FormatOpt = Format.table,
    resource_type: Annotated[str | None, typer.Option("--type", help="Only one resource type (Consent, …).")] = None,
    owner: Annotated[str | None, typer.Option("--owner", help="Only one owner org code (skd, kv, …).")] = None,
) -> None:
    """Resources in the Resource Registry."""
    import polars as pl

    frame = load_catalogue(reference_dir).resources
    if resource_type:
        frame = frame.filter(pl.col("resource_type").str.to_lowercase() == resource_type.lower())
    if owner:
        frame = frame.filter(pl.col("owner_org_code") == owner.lower())
    if fmt is Format.table:
        frame = frame.select("identifier", "title_nb", "resource_type", "owner_org_code", "status")
    elif fmt is Format.csv:
        frame = frame.with_columns(pl.col("available_for_type").list.join(";"))
    emit(frame, fmt, title="Resources")


@catalogue_app.command("service-map")
def catalogue_service_map(
    reference_dir: ReferenceDir = None,
    fmt: FormatOpt = Format.table,
    service: Annotated[
        str | None, typer.Option("--service", help="Only one Altinn 2 service: code or code:edition.")
    ] = None,
) -> None:
    """Altinn 2 services (code:edition) and the Altinn 3 resources that replace them."""
    cat = load_catalogue(reference_dir)
    frame = (
        cat.resources_for_service(service)
        if service
        else cat.altinn2_service_map.join(cat.resources, on="identifier", how="left")
    )
    frame = frame.select("service_code", "service_edition_code", "identifier", "match", "resource_type", "title_nb")
    emit(frame, fmt, title="Altinn 2 service → Altinn 3 resource")


@catalogue_app.command("services")
def catalogue_services(
    dsop_dir: DsopDir = None,
    fmt: FormatOpt = Format.table,
    service: Annotated[str | None, typer.Option("--service", help="Only one DSOP service id (sbl, ssu, …).")] = None,
) -> None:
    """The DSOP services with their Altinn 2 dependencies and Altinn 3 successors (csv/json: every column)."""
    import polars as pl

    from altinn_analysis.catalogue import DsopCatalogueError, load_dsop

    try:
        dsop = load_dsop(dsop_dir)
    except DsopCatalogueError as exc:
        fail(str(exc))
    services = dsop.services
    if service:
        if service not in dsop.service_ids:
            fail(f"unknown DSOP service {service!r}; the catalogue has {', '.join(dsop.service_ids)}")
        services = services.filter(pl.col("service_id") == service)
    # Both tables have notes, certainty and source: the service's get a prefix, the dependency's keep the name.
    frame = services.rename({c: f"service_{c}" for c in ("notes", "certainty", "source")}).join(
        dsop.dependencies, on="service_id", how="left", maintain_order="left"
    )
    if fmt is not Format.table:
        emit(frame, fmt)
        return
    edition = pl.when(pl.col("altinn2_edition").is_not_null()).then(pl.lit(":") + pl.col("altinn2_edition"))
    code = pl.coalesce(pl.col("altinn2_code") + edition.otherwise(pl.lit("")), "altinn2_name")
    # The target kind alone ("resource") would read as found: say when the successor is not simply available.
    # (Parentheses, not brackets: rich would take "[not found]" for markup.)
    target = pl.concat_str(
        "altinn3_target_type",
        pl.when(pl.col("altinn3_target").is_not_null()).then(pl.lit(" ") + pl.col("altinn3_target")),
        pl.when(pl.col("successor_status") != "available").then(
            pl.lit(" (") + pl.col("successor_status").str.replace("_", " ") + pl.lit(")")
        ),
        ignore_nulls=True,
    )
    table = frame.select(
        pl.col("service_id").alias("service"),
        pl.col("name_nb").alias("name"),
        pl.col("fi_role").alias("FI role"),
        pl.col("artefact_type").alias("artefact"),
        code.alias("Altinn 2 code"),
        target.alias("Altinn 3 target"),
        pl.coalesce("certainty", "service_certainty").alias("certainty"),
    )
    emit(table, fmt, title="DSOP services and their Altinn 2 dependencies", max_width=50)
