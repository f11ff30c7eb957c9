"""Pulled Altinn 3 state as inventory rows, and the merge of those rows into an institution's inventory.

Pure: `pulled_tables` turns a `PulledState` into the three inventory tables (each row with `origin`, the
endpoint and time it came from); `merge_pulled` replaces the rows of the sources pulled this time and keeps
everything else — above all the institution's own (reported) rows, which have no `origin`. Writing the result is
`sources.write_pulled_inventory` (atomic). Rules follow the pull contract (docs/pull.md).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from datetime import date
from typing import Any

import polars as pl

from altinn_analysis.inventory._schema import SCHEMAS, TABLES
from altinn_analysis.sources import PulledState

__all__ = ["ORIGIN", "merge_pulled", "pull_record", "pulled_tables", "source_of"]

ORIGIN = "origin"
RIGHTHOLDER, AGENT = "rettighetshaver", "agent"

RolePackages = Callable[[str, str], Iterable[str]]


def source_of(table: str, origin: str | None) -> str | None:
    """Which pull source wrote a row (None: a reported row)."""
    if not origin:
        return None
    if "data.brreg.no" in origin:
        return "brreg"
    if "/connections" in origin:
        return "systemusers" if table == "integrations" else "access"
    if "consentrequests" in origin:
        return "consents"
    if "/dialogporten/" in origin:
        return "dialogs"
    if "/systemuser" in origin:
        return "systemusers"
    return "unknown"


def _frame(table: str, rows: list[dict[str, Any]]) -> pl.DataFrame:
    schema = SCHEMAS[table]
    return pl.DataFrame(rows, schema=schema, orient="row") if rows else pl.DataFrame(schema=schema)


def _delegation_rows(state: PulledState, role_packages: RolePackages) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    if "brreg" in state.sources:
        origin = state.origins["brreg"]
        for role in state.er_roles:
            rows.append(_deleg("altinn2", role.holder_type, role.holder_id, "role", role.code, "er", origin))
    if "access" not in state.sources or state.party is None:
        return rows
    origin = state.origins["access"]
    variant = state.party.unit_type

    def grants(grantee: Any, source: str) -> None:
        if grantee.party_id == state.pulling_system_user:
            return
        implied: set[str] = set()
        for role in grantee.roles:
            if role not in (RIGHTHOLDER, AGENT):
                implied.update(role_packages(role, variant))
        holder = grantee.holder
        for package in grantee.packages:
            if package not in implied:
                rows.append(_deleg("altinn3", grantee.kind, holder, "access_package", package, source, origin))
        for resource in grantee.resources:
            rows.append(_deleg("altinn3", grantee.kind, holder, "resource", resource, source, origin))

    for grantee in state.grantees:
        # Only delegated rights are rows: ER-role holders get their packages from the role (reported from ER).
        if RIGHTHOLDER in grantee.roles or AGENT in grantee.roles:
            grants(grantee, "delegated")
        for agent in grantee.agents:
            grants(agent, "client_delegation")
    return rows


def _deleg(
    platform: str, kind: str, holder: str, grant_type: str, grant: str, source: str, origin: str
) -> dict[str, Any]:
    return {
        "platform": platform,
        "holder_type": kind,
        "holder_id": holder,
        "grant_type": grant_type,
        "grant": grant,
        "granted_at": None,  # no connections endpoint returns a delegation date
        "source": source,
        ORIGIN: origin,
    }


def _integration_rows(state: PulledState) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    if "systemusers" in state.sources:
        origin = state.origins["systemusers"]
        own = {u.id for u in state.own_system_users}
        seen: set[str] = set()

        def add(grantee: Any, vendor: str | None) -> None:
            if grantee.kind != "system_user" or grantee.party_id == state.pulling_system_user:
                return
            if grantee.party_id in seen:
                return
            seen.add(grantee.party_id)
            operated_by = vendor or "self"  # a top-level standard system user is the institution's own
            if grantee.party_id in own:
                operated_by = "self"
            rows.append(_integ("system_user", grantee.holder, operated_by, "active", None, origin))

        for grantee in state.grantees:
            add(grantee, None)
            for agent in grantee.agents:
                add(agent, grantee.holder if grantee.kind == "organisation" else None)
    if "dialogs" in state.sources:
        origin = state.origins["dialogs"]
        for summary in state.dialogs:
            status = "active" if summary.dialogs else "planned"
            rows.append(
                _integ("dialogporten", f"Dialogporten: {summary.resource}", "self", status, summary.latest, origin)
            )
    return rows


def _integ(kind: str, name: str, operated_by: str, status: str, last_used: date | None, origin: str) -> dict[str, Any]:
    return {
        "platform": "altinn3",
        "kind": kind,
        "name": name,
        "scopes": [],
        "operated_by": operated_by,
        "status": status,
        "last_used": last_used,
        ORIGIN: origin,
    }


def _consent_rows(state: PulledState) -> list[dict[str, Any]]:
    if "consents" not in state.sources:
        return []
    counts: Counter[tuple[str, str, date, date]] = Counter()
    for request in state.consents:
        if request.api_status == "deleted":
            continue  # a deleted request is no consent at all
        for service in request.resources:
            counts[(service, request.status, request.valid_from, request.valid_to)] += 1
    origin = state.origins["consents"]
    return [
        {
            "platform": "altinn3",
            "service": service,
            "status": status,
            "valid_from": valid_from,
            "valid_to": valid_to,
            "count": n,
            ORIGIN: origin,
        }
        for (service, status, valid_from, valid_to), n in sorted(counts.items())
    ]


def pulled_tables(state: PulledState, role_packages: RolePackages) -> dict[str, pl.DataFrame]:
    """The inventory rows a pull gives (`role_packages(role_code, variant)` → package urns the role implies)."""
    return {
        "delegations": _frame("delegations", _delegation_rows(state, role_packages)),
        "consents": _frame("consents", _consent_rows(state)),
        "integrations": _frame("integrations", _integration_rows(state)),
    }


def merge_pulled(
    existing: Mapping[str, pl.DataFrame], pulled: Mapping[str, pl.DataFrame], sources: Iterable[str]
) -> dict[str, pl.DataFrame]:
    """Each table: the existing rows minus those an earlier pull of one of `sources` wrote, plus the new rows.

    Reported rows (no origin) are never touched; rows of sources not pulled this time stay as they are.
    """
    replaced = set(sources)
    merged: dict[str, pl.DataFrame] = {}
    for table in TABLES:
        old = existing[table]
        if ORIGIN not in old.columns:
            old = old.with_columns(pl.lit(None, dtype=pl.String()).alias(ORIGIN))
        keep = [source_of(table, o) not in replaced for o in old.get_column(ORIGIN).to_list()]
        columns = list(SCHEMAS[table])
        merged[table] = pl.concat(
            [old.filter(pl.Series(keep, dtype=pl.Boolean)).select(columns), pulled[table].select(columns)],
            how="vertical_relaxed",
        )
    return merged


def pull_record(state: PulledState, profile: Mapping[str, Any] | None) -> dict[str, Any]:
    """`pull.json`: what was pulled, when, from where, and the observed facts that are not inventory rows."""
    record: dict[str, Any] = {
        "org_number": state.org_number,
        "environment": state.environment,
        "fetched_at": state.fetched_at.isoformat().replace("+00:00", "Z"),
        "as_of": state.as_of.isoformat(),
        "sources": list(state.sources),
        "origins": dict(state.origins),
        "requests": state.requests,
        "notes": list(state.notes),
    }
    if state.enhet is not None:
        enhet = state.enhet
        record["enhetsregisteret"] = {
            "name": enhet.name,
            "org_form": enhet.org_form,
            "industry_code": enhet.industry_code,
            "bankrupt": enhet.bankrupt,
            "under_liquidation": enhet.under_liquidation,
            "deleted_on": enhet.deleted_on.isoformat() if enhet.deleted_on else None,
            "profile_org_form": None if profile is None else profile.get("org_form"),
        }
    if state.party is not None:
        record["party_unit_type"] = state.party.unit_type
        record["pulling_system_user_packages"] = list(state.party.access_packages)
    if state.suppliers is not None:
        record["maskinporten_suppliers"] = list(state.suppliers)
    if "consents" in state.sources:
        record["consent_feed"] = {
            "events": state.consent_events,
            "pages": state.consent_pages,
            "requests": len(state.consents),
        }
    if state.dialogs:
        record["dialogs"] = [
            {
                "resource": d.resource,
                "dialogs": d.dialogs,
                "unopened": d.unopened,
                "pages": d.pages,
                "latest": d.latest.isoformat() if d.latest else None,
                "oldest_unopened": d.oldest_unopened.isoformat() if d.oldest_unopened else None,
            }
            for d in state.dialogs
        ]
    return record
