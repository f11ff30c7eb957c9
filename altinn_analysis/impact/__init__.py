"""Impact: pure rules `(catalogue, dsop, inventory, as_of) -> findings`, readiness scores, the sector view.

```python
from altinn_analysis.impact import assess, readiness
findings = assess(Catalogue.load(), load_dsop(), load_inventory(path), date(2026, 11, 28), language="en")
readiness(findings), readiness(findings, by=["area"])
verdicts(findings, load_dsop(), inventory.profile.dsop_services, language="en")  # can we run SBL today?
```
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from altinn_analysis._lazy import lazy_exports

# Exports are listed once, here, and load on first use (see altinn_analysis._lazy).
if TYPE_CHECKING:
    from altinn_analysis.impact._consents import (
        consent_summary,
    )
    from altinn_analysis.impact._context import (
        CERTAINTIES,
        DelegationGroups,
        Lookups,
        delegation_groups,
    )
    from altinn_analysis.impact._docs import (
        rules_markdown,
    )
    from altinn_analysis.impact._engine import (
        FINDINGS_SCHEMA,
        assess,
    )
    from altinn_analysis.impact._observed import (
        observed_vs_reported,
    )
    from altinn_analysis.impact._policy import (
        AREAS,
        OPEN_STATUSES,
        SCORE_FORMULA,
        SEVERITIES,
        SEVERITY_CAPS,
        SEVERITY_POLICY,
        STATUSES,
        readiness,
        severity_for,
    )
    from altinn_analysis.impact._rules import (
        RULES,
        Rule,
        rules_table,
    )
    from altinn_analysis.impact._sector import (
        area_scores,
        assess_many,
        common_findings,
        sector_summary,
    )
    from altinn_analysis.impact._verdicts import (
        VERDICT_POLICY,
        VERDICTS,
        VERDICTS_SCHEMA,
        open_by_service,
        verdicts,
    )


__all__ = [
    "AREAS",
    "CERTAINTIES",
    "FINDINGS_SCHEMA",
    "OPEN_STATUSES",
    "RULES",
    "SCORE_FORMULA",
    "SEVERITIES",
    "SEVERITY_CAPS",
    "SEVERITY_POLICY",
    "STATUSES",
    "VERDICTS",
    "VERDICTS_SCHEMA",
    "VERDICT_POLICY",
    "DelegationGroups",
    "Lookups",
    "Rule",
    "area_scores",
    "assess",
    "assess_many",
    "common_findings",
    "consent_summary",
    "delegation_groups",
    "observed_vs_reported",
    "open_by_service",
    "readiness",
    "rules_markdown",
    "rules_table",
    "sector_summary",
    "severity_for",
    "verdicts",
]

__getattr__, __dir__ = lazy_exports(__name__, __file__)
