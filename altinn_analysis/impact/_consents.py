"""Consents: one finding per Altinn 2 consent service. Large tables are aggregated in polars first."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

import polars as pl

from altinn_analysis.catalogue import parse_service
from altinn_analysis.impact._context import Context, Draft

__all__ = ["CONSENT_DECISIONS", "ConsentFacts", "consent_summary", "consent_sums", "evaluate_consents"]


@dataclass(frozen=True)
class ConsentFacts:
    subject: str
    total: int  # active Altinn 2 consents
    need: int  # valid after Altinn II closed and still valid at as_of
    lapsed: int  # valid after Altinn II closed, but ended before as_of
    dep: dict[str, Any] | None
    known: bool
    resources: tuple[str, ...]  # Altinn 3 consent resources (never test resources)
    policy: dict[str, Any] | None
    held_a3: int
    services: str | None


CONSENT_DECISIONS: tuple[tuple[Callable[[ConsentFacts], bool], str], ...] = (
    (lambda f: not f.known, "consent.unknown"),
    (lambda f: f.need == 0 or (f.dep is not None and f.dep["successor_status"] == "not_applicable"), "consent.ended"),
    (lambda f: f.policy is not None and f.policy["policy"] == "owner_may_migrate", "consent.confirm_migration"),
    (lambda f: not f.resources, "consent.no_successor"),
    (lambda _: True, "consent.reobtain"),
)


def _base(f: ConsentFacts, rule_id: str, certainty: str) -> dict[str, Any]:
    evidence = f"dsop dependency {f.dep['dependency_id']}" if f.dep else "altinn2_service_map"
    return {
        "rule_id": rule_id,
        "key": f.subject,
        "subject": f.subject,
        "certainty": certainty,
        "evidence": evidence,
        "service_id": f.services,
    }


def _certainty(f: ConsentFacts) -> str:
    return str(f.dep["certainty"]) if f.dep else ("inferred" if f.resources else "unknown")


def _lapsed(ctx: Context, f: ConsentFacts) -> str:
    return ctx.text("consents_lapsed", n=f.lapsed, boundary=ctx.boundary, as_of=ctx.as_of) if f.lapsed else ""


def _unknown(ctx: Context, f: ConsentFacts) -> Draft:
    return Draft(**_base(f, "consent.unknown", "unknown"), status="unknown", holders=f.total, count=f.total)


def _ended(ctx: Context, f: ConsentFacts) -> Draft:
    detail = " ".join(
        filter(None, [ctx.text("consents_ended", n=f.total - f.lapsed, boundary=ctx.boundary), _lapsed(ctx, f)])
    )
    return Draft(
        **_base(f, "consent.ended", _certainty(f)),
        status="not_applicable",
        target=", ".join(f.resources) or None,
        detail=detail,
        count=f.total,
    )


def _confirm(ctx: Context, f: ConsentFacts) -> Draft:
    assert f.policy is not None
    return Draft(
        **_base(f, "consent.confirm_migration", "inferred"),
        status="at_risk",
        holders=f.need,
        target=", ".join(f.resources) or None,
        detail=" ".join(filter(None, [f.policy[f"reason_{ctx.language}"], _lapsed(ctx, f)])),
        count=f.need,
    )


def _no_successor(ctx: Context, f: ConsentFacts) -> Draft:
    return Draft(
        **_base(f, "consent.no_successor", _certainty(f)),
        status="at_risk",
        holders=f.need,
        detail=_lapsed(ctx, f),
        count=f.need,
    )


def _reobtain(ctx: Context, f: ConsentFacts) -> Draft:
    names = ", ".join(f.resources)
    detail = " ".join(filter(None, [ctx.text("consents_a3", held=f.held_a3, resources=names), _lapsed(ctx, f)]))
    return Draft(
        **_base(f, "consent.reobtain", _certainty(f)),
        status="action",
        holders=f.need,
        target=names,
        detail=detail,
        count=f.need,
    )


_OUTCOMES: dict[str, Callable[[Context, ConsentFacts], Draft]] = {
    "consent.unknown": _unknown,
    "consent.ended": _ended,
    "consent.confirm_migration": _confirm,
    "consent.no_successor": _no_successor,
    "consent.reobtain": _reobtain,
}


# The last table's summary, while its report is made: one tuple, read and replaced whole (safe across threads).
_summary: tuple[pl.DataFrame, date, date, list[tuple[Any, ...]]] | None = None


def consent_summary(consents: pl.DataFrame | pl.LazyFrame, as_of: date, boundary: date) -> list[tuple[Any, ...]]:
    """The active Altinn 2 and Altinn 3 consents summed by (platform, service, month they end, valid after
    `boundary`, still valid at `as_of`), the last three None for a consent without an end: a few hundred rows
    from tens of thousands, made once per table and dates for every reader of a report (`evaluate_consents` and
    the consent chart). Read only."""
    global _summary
    kept = _summary
    if kept is not None and kept[0] is consents and kept[1:3] == (as_of, boundary):
        return kept[3]
    made = (
        consents.lazy()
        .filter((pl.col("status") == "active") & pl.col("platform").is_in(["altinn2", "altinn3"]))
        .group_by(
            "platform",
            "service",
            pl.col("valid_to").dt.truncate("1mo").alias("month"),
            (pl.col("valid_to") > boundary).alias("beyond"),
            (pl.col("valid_to") >= as_of).alias("still"),
        )
        .agg(pl.col("count").sum())
        .collect()
        .rows()
    )
    if isinstance(consents, pl.DataFrame):
        _summary = (consents, as_of, boundary, made)
    return made


def consent_sums(
    consents: pl.DataFrame, as_of: date, boundary: date
) -> tuple[list[tuple[Any, int, int, int]], dict[str | None, int]]:
    """Per service, sorted (a missing service first): the active Altinn 2 consents in all, those valid after the
    boundary and still valid (need), those valid after it but ended (lapsed); and per service the active Altinn 3
    consents still valid (held)."""
    sums: dict[Any, list[int]] = {}  # service → [total, need, lapsed]
    a3_held: dict[str | None, int] = {}
    for platform, service, _month, beyond, still, n in consent_summary(consents, as_of, boundary):
        if platform == "altinn2":
            entry = sums.setdefault(service, [0, 0, 0])
            entry[0] += n
            if beyond:  # never for a consent without an end
                entry[1 if still else 2] += n
        elif still:
            a3_held[service] = a3_held.get(service, 0) + n
    ordered = sorted(sums, key=lambda s: (s is not None, s or ""))
    return [(service, *sums[service]) for service in ordered], a3_held


def evaluate_consents(ctx: Context) -> list[Draft]:
    rows, a3_held = consent_sums(ctx.inventory.consents, ctx.as_of, ctx.boundary)
    lk = ctx.lookups
    out: list[Draft] = []
    for service, total, need, lapsed in rows:
        code, edition = parse_service(service)
        subject = f"{code}:{edition}" if edition else code
        deps = lk.dependencies(("consent_service",), code, edition)
        dep = deps[0] if deps else None
        mapped = lk.mapped(code, edition)
        resources = list(mapped.consent_identifiers)
        if not resources and dep and dep["altinn3_target_type"] == "resource" and dep["altinn3_target"]:
            resources = [dep["altinn3_target"]]
        facts = ConsentFacts(
            subject=subject,
            total=total,
            need=need,
            lapsed=lapsed,
            dep=dep,
            known=dep is not None or mapped.rows > 0,
            resources=tuple(resources),
            policy=lk.policy("consent_service", subject),
            held_a3=sum(int(a3_held.get(r, 0)) for r in resources),
            services=ctx.services_of(deps),
        )
        rule_id = next(r for test, r in CONSENT_DECISIONS if test(facts))
        out.append(_OUTCOMES[rule_id](ctx, facts))
    return out
