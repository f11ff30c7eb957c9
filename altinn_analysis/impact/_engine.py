"""The impact engine: `(catalogue, dsop, inventory, as_of) -> findings`, pure and deterministic.

One evaluator per area (roles, single rights, consents, integrations, prerequisites), each in its own module
with its own decision table. Each turns inventory rows into `Draft`s; `_finalise` adds deadline, days_left,
severity (consequence capped by certainty), the action text and a stable id.
"""

from __future__ import annotations

import hashlib
from datetime import date
from typing import TYPE_CHECKING

import polars as pl

from altinn_analysis.impact._consents import evaluate_consents
from altinn_analysis.impact._context import Context, Draft, Lookups
from altinn_analysis.impact._integrations import evaluate_integrations
from altinn_analysis.impact._observed import apply_observed
from altinn_analysis.impact._policy import SEVERITIES, STATUSES, severity_for
from altinn_analysis.impact._prerequisites import evaluate_prerequisites
from altinn_analysis.impact._rights import evaluate_rights
from altinn_analysis.impact._roles import evaluate_roles
from altinn_analysis.impact._rules import rule

if TYPE_CHECKING:
    from altinn_analysis.catalogue import Catalogue, DsopCatalogue
    from altinn_analysis.inventory import Inventory

__all__ = ["EVALUATORS", "FINDINGS_SCHEMA", "assess"]

FINDINGS_SCHEMA: dict[str, pl.DataType] = {
    "org_number": pl.String(),
    "finding_id": pl.String(),
    "rule_id": pl.String(),
    "service_id": pl.String(),
    "area": pl.String(),
    "subject": pl.String(),
    "holders": pl.Int64(),
    "altinn3_target": pl.String(),
    "status": pl.String(),
    "severity": pl.String(),
    "deadline": pl.Date(),
    "days_left": pl.Int64(),
    "action": pl.String(),
    "certainty": pl.String(),
    "evidence": pl.String(),
    "detail": pl.String(),
    "blocking": pl.Boolean(),
}

EVALUATORS = (evaluate_roles, evaluate_rights, evaluate_consents, evaluate_integrations, evaluate_prerequisites)


def _finding_id(org_number: str, rule_id: str, key: str) -> str:
    return "F-" + hashlib.sha256(f"{org_number}|{rule_id}|{key}".encode()).hexdigest()[:12]


def _row(ctx: Context, d: Draft) -> dict[str, object]:
    r = rule(d.rule_id)
    org = ctx.profile.org_number
    milestone = d.milestone if d.milestone is not None else r.milestone
    deadline = ctx.lookups.milestone_date(milestone) if milestone and d.status != "not_applicable" else None
    days_left = (deadline - ctx.as_of).days if deadline else None
    # Blocking only where a DSOP service the institution uses stops without it.
    blocking = (r.blocking if d.blocking is None else d.blocking) and ctx.linked(d.service_id)
    if d.status in ("done", "not_applicable"):
        action = ctx.text(d.status) + (f" ({d.detail.rstrip('.')})" if d.detail else "")
    else:
        action = r.action(
            ctx.language,
            subject=d.subject,
            target=d.target or "—",
            count=d.count,
            holders=d.holders,
            deadline=deadline.isoformat() if deadline else "—",
            detail=d.detail,
        ).strip()
    return {
        "org_number": org,
        "finding_id": _finding_id(org, d.rule_id, d.key),
        "rule_id": d.rule_id,
        "service_id": d.service_id,
        "area": r.area,
        "subject": d.subject,
        "holders": d.holders,
        "altinn3_target": d.target,
        "status": d.status,
        "severity": severity_for(d.status, days_left, blocking, d.certainty),
        "deadline": deadline,
        "days_left": days_left,
        "action": action,
        "certainty": d.certainty,
        "evidence": d.evidence,
        "detail": d.detail or None,
        "blocking": blocking,
    }


def _order(row: dict[str, object]) -> tuple[object, ...]:
    """`_finalise`'s order: severity, status (in their tables' order), days left, area, subject, finding id; nulls
    last. A str sorts by its code points, as polars sorts by UTF-8 bytes."""
    key = (
        _SEVERITY_RANK.get(str(row["severity"])),
        _STATUS_RANK.get(str(row["status"])),
        row["days_left"],
        row["area"],
        row["subject"],
        row["finding_id"],
    )
    return tuple(part for value in key for part in (value is None, value))


_SEVERITY_RANK = {s: i for i, s in enumerate(SEVERITIES)}
_STATUS_RANK = {s: i for i, s in enumerate(STATUSES)}


def _finalise(ctx: Context, drafts: list[Draft]) -> pl.DataFrame:
    # A few dozen rows: ordered in Python before the one frame is made (cheaper than sorting it in polars).
    rows = sorted((_row(ctx, d) for d in drafts), key=_order)
    return pl.DataFrame(rows, schema=FINDINGS_SCHEMA) if rows else pl.DataFrame(schema=FINDINGS_SCHEMA)


def assess(
    catalogue: Catalogue,
    dsop: DsopCatalogue,
    inventory: Inventory,
    as_of: date,
    *,
    language: str = "nb",
    lookups: Lookups | None = None,
) -> pl.DataFrame:
    """Every finding for one institution at `as_of` (DESIGN §6 columns plus rule_id, detail, blocking).

    `lookups` (from `Lookups(catalogue, dsop)`) lets many institutions share the catalogue lookups.
    """
    if language not in ("nb", "en"):
        raise ValueError(f"language must be 'nb' or 'en', not {language!r}")
    ctx = Context(lookups or Lookups(catalogue, dsop), inventory, as_of, language)
    drafts = [draft for evaluate in EVALUATORS for draft in evaluate(ctx)]
    return apply_observed(_finalise(ctx, drafts), inventory, language=language)
