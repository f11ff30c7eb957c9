"""Severity policy and readiness score: tables and one formula, documented here and shown in reports."""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from altinn_analysis.catalogue import AREAS  # the finding areas are the DSOP catalogue's

__all__ = [
    "AREAS",
    "OPEN_STATUSES",
    "SCORE_FORMULA",
    "SEVERITIES",
    "SEVERITY_CAPS",
    "SEVERITY_POLICY",
    "STATUSES",
    "SeverityRule",
    "readiness",
    "severity_for",
]

STATUSES: tuple[str, ...] = ("done", "action", "at_risk", "unknown", "not_applicable")
OPEN_STATUSES: tuple[str, ...] = ("action", "at_risk", "unknown")
SEVERITIES: tuple[str, ...] = ("critical", "high", "medium", "low", "info")

# Days before a deadline from which open work counts as urgent / near.
URGENT_DAYS = 30
NEAR_DAYS = 90


@dataclass(frozen=True)
class SeverityRule:
    """First matching row wins. `None` matches anything; `within` means 0 ≤ days_left ≤ within."""

    status: str | None
    overdue: bool | None
    blocking: bool | None
    within: int | None
    severity: str
    why: str


SEVERITY_POLICY: tuple[SeverityRule, ...] = (
    SeverityRule("done", None, None, None, "info", "nothing left to do"),
    SeverityRule("not_applicable", None, None, None, "info", "does not apply"),
    SeverityRule("at_risk", True, None, None, "critical", "no known replacement and Altinn 2 is already gone"),
    SeverityRule("action", True, True, None, "critical", "overdue, and the service stops without it"),
    SeverityRule("action", True, False, None, "high", "overdue, but the service goes on"),
    SeverityRule("at_risk", None, None, None, "high", "no known replacement before the deadline"),
    SeverityRule("unknown", True, True, None, "high", "cannot tell, and it would block the service"),
    SeverityRule("unknown", None, None, None, "medium", "cannot tell from the inventory and the catalogue"),
    SeverityRule("action", False, True, URGENT_DAYS, "high", f"blocking, and the deadline is {URGENT_DAYS} days away"),
    SeverityRule("action", False, None, NEAR_DAYS, "medium", f"the deadline is within {NEAR_DAYS} days"),
    SeverityRule("action", None, None, None, "low", "open, with time left (or no deadline)"),
)


# Caps applied after the policy: severity follows consequence, capped by certainty. (what, value, highest, why)
SEVERITY_CAPS: tuple[tuple[str, object, str, str], ...] = (
    ("blocking", False, "medium", "housekeeping without a DSOP service that stops is at most medium"),
    ("certainty", "inferred", "high", "an inferred mapping is never presented as firm as a documented one"),
    ("certainty", "unknown", "high", "what is not known is never presented as certain"),
)


def severity_for(status: str, days_left: int | None, blocking: bool, certainty: str = "documented") -> str:
    """Apply `SEVERITY_POLICY`, then `SEVERITY_CAPS`. `days_left` None means no deadline (never overdue).

    `blocking` means a DSOP service the institution uses stops (or a legal duty is missed) without it: only then
    can a finding be critical.
    """
    severity = _policy_severity(status, days_left, blocking)
    facts = {"blocking": blocking, "certainty": certainty}
    for what, value, highest, _ in SEVERITY_CAPS:
        if facts[what] == value and SEVERITIES.index(severity) < SEVERITIES.index(highest):
            severity = highest
    return severity


def _policy_severity(status: str, days_left: int | None, blocking: bool) -> str:
    overdue = days_left is not None and days_left < 0
    for rule in SEVERITY_POLICY:
        if rule.status is not None and rule.status != status:
            continue
        if rule.overdue is not None and rule.overdue != overdue:
            continue
        if rule.blocking is not None and rule.blocking != blocking:
            continue
        if rule.within is not None and (days_left is None or not 0 <= days_left <= rule.within):
            continue
        return rule.severity
    raise ValueError(f"no severity rule for status {status!r}")  # the last rule catches every open status


SCORE_FORMULA = (
    "Readiness = 100 × Σ weight(done findings) / Σ weight(applicable findings), rounded to a whole number. "
    "Applicable = every finding except not_applicable. weight = 3 for findings whose rule is blocking (the "
    "service stops without it: consents, integrations, message box, broker, roles staff need), 1 otherwise. "
    "Only done earns credit: action, at_risk and unknown earn none, because an unverified item is not ready. "
    "With no applicable findings the score is 100. The same formula gives the score per area."
)


def readiness(findings: pl.DataFrame, by: list[str] | None = None) -> pl.DataFrame:
    """Readiness score (see `SCORE_FORMULA`) overall, or per group (`by=["area"]`, `by=["org_number"]`, …).

    Needs the columns `status` and `blocking`.
    """
    weight = pl.when(pl.col("blocking")).then(3).otherwise(1)
    applicable = findings.filter(pl.col("status") != "not_applicable").with_columns(weight.alias("_w"))
    exprs = [
        pl.col("_w").sum().alias("_total"),
        pl.col("_w").filter(pl.col("status") == "done").sum().alias("_done"),
        pl.len().alias("applicable"),
    ]
    agg = applicable.group_by(by, maintain_order=True).agg(exprs) if by else applicable.select(exprs)
    return agg.with_columns(
        pl.when(pl.col("_total") > 0)
        .then((100 * pl.col("_done") / pl.col("_total")).round(0))
        .otherwise(100.0)
        .cast(pl.Int64)
        .alias("score")
    ).drop("_total", "_done")
