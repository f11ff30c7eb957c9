"""`docs/rules.md`, generated from the rule, policy and verdict tables so that it cannot drift from the code."""

from __future__ import annotations

from typing import TYPE_CHECKING

from altinn_analysis.impact._consents import CONSENT_DECISIONS
from altinn_analysis.impact._integrations import INTEGRATION_DECISIONS
from altinn_analysis.impact._policy import SCORE_FORMULA, SEVERITY_CAPS, SEVERITY_POLICY
from altinn_analysis.impact._rights import RIGHT_DECISIONS
from altinn_analysis.impact._roles import ROLE_DECISIONS
from altinn_analysis.impact._rules import RULES, Rule
from altinn_analysis.impact._verdicts import VERDICT_POLICY

if TYPE_CHECKING:
    from altinn_analysis.catalogue import DsopCatalogue

__all__ = ["rules_markdown"]


def _cell(value: object) -> str:
    text = "" if value is None else str(value)
    return text.replace("|", "\\|").replace("\n", " ")


def _order(decisions: tuple[tuple[object, str], ...]) -> str:
    return " → ".join(f"`{rule_id}`" for _, rule_id in decisions)


def _severity_range(rule: Rule) -> str:
    if set(rule.statuses) <= {"done", "not_applicable"}:
        return "info"
    if rule.blocking:
        return "info … critical (critical only for a service in use, documented or observed)"
    return "info … medium (housekeeping)"


def rules_markdown(dsop: DsopCatalogue) -> str:
    """The whole rule book as Markdown: every rule (when it fires, status, severity, reason, source), the order in
    which each area's decision table tries them, the policy rows from data/dsop, severity and verdicts."""
    out = [
        "# Impact rules",
        "",
        "Generated from `altinn_analysis.impact` and `data/dsop/policies.csv` (`make docs`); a test fails when this "
        "file and the tables differ. A finding's severity comes from the severity policy below (consequence), then "
        "the caps (certainty); `blocking` counts only where the finding names a DSOP service the institution uses.",
        "",
        "## Rules",
        "",
        "| rule | area | fires when | status | severity | deadline | reason | source |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in RULES:
        out.append(
            f"| `{r.rule_id}` | {r.area} | {_cell(r.when)} | {', '.join(r.statuses)} | {_severity_range(r)} | "
            f"{r.milestone or '—'} | {_cell(r.reason)} | {_cell(r.source)} |"
        )
    out += [
        "",
        "## Decision order per area",
        "",
        "Each area's evaluator tries its rules in this order; the first that fits decides.",
        "",
        f"- roles: {_order(ROLE_DECISIONS)}",
        f"- single-service rights: {_order(RIGHT_DECISIONS)}",
        f"- consents: {_order(CONSENT_DECISIONS)}",
        "- integrations (Altinn 2 side retired?, Altinn 3 counterpart for the same service) → status: "
        + "; ".join(
            f"({'retired' if retired else 'in use'}, {state}) → {status}"
            for (retired, state), (status, _) in INTEGRATION_DECISIONS.items()
        ),
        "- service prerequisites: every data/dsop dependency of the profile's services that no other area judges; "
        "vendor-side ones only for services a vendor runs (`vendors[].runs`).",
        "",
        "## Policies (data/dsop/policies.csv)",
        "",
        "| subject type | subject | policy | reason | certainty | source |",
        "|---|---|---|---|---|---|",
    ]
    for p in dsop.policies.iter_rows(named=True):
        out.append(
            f"| {p['subject_type']} | `{p['subject']}` | {p['policy']} | {_cell(p['reason_en'])} | "
            f"{p['certainty']} | {_cell(p['source'])} |"
        )
    out += [
        "",
        "## Severity",
        "",
        "First matching row wins (empty = any; `within` = days left up to that number).",
        "",
        "| status | overdue | blocking | within | severity | why |",
        "|---|---|---|---|---|---|",
    ]

    def show(value: object) -> str:
        return "" if value is None else ("yes" if value is True else "no" if value is False else str(value))

    for s in SEVERITY_POLICY:
        out.append(
            f"| {show(s.status)} | {show(s.overdue)} | {show(s.blocking)} | {show(s.within)} | {s.severity} | "
            f"{_cell(s.why)} |"
        )
    out += ["", "Then capped:", "", "| when | is | at most | why |", "|---|---|---|---|"]
    for what, value, highest, why in SEVERITY_CAPS:
        out.append(f"| {what} | {show(value)} | {highest} | {_cell(why)} |")
    out += [
        "",
        "## Verdict per DSOP service",
        "",
        "From the open findings of each service in the profile; the first row that finds any decides.",
        "",
        "| verdict | when | reason (en) |",
        "|---|---|---|",
    ]
    for verdict, when, _, _, en in VERDICT_POLICY:
        out.append(f"| {verdict} | {_cell(when)} | {_cell(en)} |")
    out += ["", "## Readiness score", "", SCORE_FORMULA, ""]
    return "\n".join(out)
