"""Integrations: one finding per Altinn 2 integration and DSOP service it serves.

An Altinn 3 counterpart replaces an Altinn 2 integration only for the same service: the `services` column names
it; without it the service is inferred from data/dsop (and the finding says so). `INTEGRATION_DECISIONS` maps
(is the Altinn 2 side still in use, is there an active / planned counterpart) to a status.
"""

from __future__ import annotations

from typing import Any

from altinn_analysis.impact._context import Context, Draft, short, weakest
from altinn_analysis.impact._rules_integrations import INTEGRATION_COUNTERPARTS

__all__ = ["INTEGRATION_DECISIONS", "evaluate_integrations"]

_RETIRED = ("retired", "disabled")

# (Altinn 2 side retired, counterpart state) → (status, detail key). Counterpart state: active | planned | none.
INTEGRATION_DECISIONS: dict[tuple[bool, str], tuple[str, str]] = {
    (False, "active"): ("done", "replaced_by"),
    (False, "planned"): ("action", "planned"),
    (False, "none"): ("action", "no_counterpart"),
    (True, "active"): ("done", "replaced_by"),  # credit for a completed migration
    (True, "planned"): ("action", "planned"),
    (True, "none"): ("unknown", "retired_no_counterpart"),
}


def _services(ctx: Context, row: dict[str, Any], artefact_type: str) -> tuple[list[str | None], bool]:
    """The services the integration serves, and whether that is inferred."""
    named = [s for s in (row.get("services") or []) if s]
    if named:
        return list(named), False
    target_type = "consent_api" if artefact_type == "maskinporten_scope" else None
    deps = [
        d
        for d in ctx.deps
        if d["artefact_type"] == artefact_type and (target_type is None or d["altinn3_target_type"] == target_type)
    ]
    found = sorted({d["service_id"] for d in deps})
    return (list(found) if found else [None]), True


def _counterpart(
    ctx: Context, kinds: tuple[str, ...], service: str | None, operator: str
) -> tuple[str, list[dict[str, Any]], bool]:
    for status in ("active", "planned"):
        rows, inferred = ctx.a3_counterparts(kinds, status, service)
        if inferred:
            # Rows that do not say which service they serve count only when the same party runs them.
            rows = [r for r in rows if r["operated_by"] == operator]
        if rows:
            return status, rows, inferred
    return "none", [], False


def evaluate_integrations(ctx: Context) -> list[Draft]:
    out: list[Draft] = []
    for row in ctx.a2_integrations:
        if row["kind"] not in INTEGRATION_COUNTERPARTS:
            continue
        rule_id, kinds, artefact_type = INTEGRATION_COUNTERPARTS[row["kind"]]
        services, service_inferred = _services(ctx, row, artefact_type)
        operator = row["operated_by"]
        subject = row["name"] + ("" if operator == "self" else f" ({ctx.text('operated_by', org=operator)})")
        retired = row["status"] in _RETIRED
        for service in services:
            state, rows, counterpart_inferred = _counterpart(ctx, kinds, service, operator)
            status, detail_key = INTEGRATION_DECISIONS[(retired, state)]
            detail = ctx.text(detail_key, names=short([r["name"] for r in rows], 2)) if rows else ctx.text(detail_key)
            if row["kind"] == "consent_api" and retired and state == "planned":
                detail += "; " + ctx.text("no_new_consents")
            if service_inferred:
                detail += "; " + ctx.text("service_inferred")
            observed = bool(row["observed"]) and all(r["observed"] for r in rows)
            certainty = weakest(
                "observed" if observed else "documented",
                "inferred" if service_inferred or counterpart_inferred else None,
            )
            out.append(
                Draft(
                    rule_id=rule_id,
                    key=f"{row['kind']}|{row['name']}|{operator}" + (f"|{service}" if service else ""),
                    subject=subject,
                    status=status,
                    certainty=certainty,
                    evidence=f"integrations: {row['kind']} ({row['status']}) → {' / '.join(kinds)}",
                    service_id=service,
                    holders=0 if status == "done" else 1,
                    target=" / ".join(kinds),
                    detail=detail,
                )
            )
    return out
