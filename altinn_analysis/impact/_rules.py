"""The rules, as data: every area's table gathered in one order, looked up by id, and shown as a table.

Each area's evaluator (`_roles`, `_rights`, `_consents`, `_integrations`, `_prerequisites`) decides which rule
applies from a small decision table and fills in the facts; the rules it can give are in its `_rules_<area>`
module, one `Rule` (`_rule`) each, with everything a reviewer needs to judge it. `docs/rules.md` is generated
from `RULES`.
"""

from __future__ import annotations

import polars as pl

from altinn_analysis.impact._rule import Rule
from altinn_analysis.impact._rules_consents import CONSENT_RULES
from altinn_analysis.impact._rules_integrations import INTEGRATION_RULES
from altinn_analysis.impact._rules_prerequisites import PREREQUISITE_RULES
from altinn_analysis.impact._rules_rights import RIGHT_RULES
from altinn_analysis.impact._rules_roles import ROLE_RULES

__all__ = ["RULES", "Rule", "rule", "rules_table"]

RULES: tuple[Rule, ...] = (*ROLE_RULES, *RIGHT_RULES, *CONSENT_RULES, *INTEGRATION_RULES, *PREREQUISITE_RULES)

_BY_ID = {r.rule_id: r for r in RULES}


def rule(rule_id: str) -> Rule:
    return _BY_ID[rule_id]


def rules_table(language: str = "nb") -> pl.DataFrame:
    """The rules as a table (for reports and docs/rules.md)."""
    return pl.DataFrame(
        [
            {
                "rule_id": r.rule_id,
                "area": r.area,
                "when": r.when,
                "statuses": ", ".join(r.statuses),
                "altinn3_target": r.target,
                "milestone": r.milestone,
                "blocking": r.blocking,
                "reason": r.reason,
                "source": r.source,
                "action": r.action_nb if language == "nb" else r.action_en,
            }
            for r in RULES
        ]
    )
