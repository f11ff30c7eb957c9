"""Small inventories built in code for the impact rules, one artefact at a time."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import polars as pl

from altinn_analysis.catalogue import Catalogue, DsopCatalogue, load_dsop
from altinn_analysis.impact import assess
from altinn_analysis.inventory import SCHEMAS, Inventory, Profile, Vendor

ORG = "310426172"
VENDOR = "399999998"
AFTER = date(2026, 11, 28)  # gap analysis: Altinn 2 is closed
BEFORE = date(2026, 3, 1)  # plan: before every deadline

_CATALOGUE: Catalogue | None = None
_DSOP: DsopCatalogue | None = None


def catalogues() -> tuple[Catalogue, DsopCatalogue]:
    global _CATALOGUE, _DSOP
    if _CATALOGUE is None or _DSOP is None:
        _CATALOGUE, _DSOP = Catalogue.load(), load_dsop()
    return _CATALOGUE, _DSOP


def _table(name: str, rows: list[dict[str, Any]]) -> pl.DataFrame:
    schema = SCHEMAS[name]
    full = [{col: row.get(col) for col in schema} for row in rows]
    return pl.DataFrame(full, schema=schema) if full else pl.DataFrame(schema=schema)


def delegation(
    grant: str,
    holder: str = "P-1",
    *,
    platform: str = "altinn2",
    grant_type: str = "role",
    source: str = "delegated",
    holder_type: str = "person",
) -> dict[str, Any]:
    return {
        "platform": platform,
        "holder_type": holder_type,
        "holder_id": holder,
        "grant_type": grant_type,
        "grant": grant,
        "source": source,
    }


def package(code: str, holder: str = "P-1") -> dict[str, Any]:
    return delegation(f"urn:altinn:accesspackage:{code}", holder, platform="altinn3", grant_type="access_package")


def consent(
    service: str,
    valid_to: date,
    count: int = 1,
    *,
    platform: str = "altinn2",
    status: str = "active",
    valid_from: date = date(2026, 1, 1),
) -> dict[str, Any]:
    return {
        "platform": platform,
        "service": service,
        "status": status,
        "valid_from": valid_from,
        "valid_to": valid_to,
        "count": count,
    }


def integration(
    kind: str,
    name: str | None = None,
    *,
    platform: str = "altinn2",
    status: str = "active",
    operated_by: str = "self",
    scopes: list[str] | None = None,
    services: list[str] | None = None,
) -> dict[str, Any]:
    return {
        "platform": platform,
        "kind": kind,
        "name": name or f"{platform} {kind}",
        "scopes": scopes,
        "operated_by": operated_by,
        "status": status,
        "services": services,
    }


def inventory(
    *,
    delegations: list[dict[str, Any]] = (),
    consents: list[dict[str, Any]] = (),  # type: ignore[assignment]
    integrations: list[dict[str, Any]] = (),
    services: tuple[str, ...] = (),  # type: ignore[assignment]
    org_form: str = "ASA",
    vendors: tuple[Vendor, ...] = (),
) -> Inventory:
    profile = Profile(ORG, "Testbank ASA", org_form, "bank", services, vendors)
    return Inventory(
        Path(),
        profile,
        _table("delegations", list(delegations)),
        _table("consents", list(consents)),
        _table("integrations", list(integrations)),
    )


def findings(inv: Inventory, as_of: date = AFTER, language: str = "en") -> pl.DataFrame:
    cat, dsop = catalogues()
    return assess(cat, dsop, inv, as_of, language=language)


def one(frame: pl.DataFrame, **where: Any) -> dict[str, Any]:
    """The single finding matching `where` (rule_id=…, subject=…)."""
    rows = frame
    for col, value in where.items():
        rows = rows.filter(pl.col(col) == value)
    assert rows.height == 1, f"expected one finding for {where}, got {rows.height}:\n{frame}"
    return rows.row(0, named=True)
