"""Impact: pure rules `(catalogue, dsop, inventory, as_of) -> findings`, readiness scores, the sector view.

```python
from altinn_analysis.impact import assess, readiness
findings = assess(Catalogue.load(), load_dsop(), load_inventory(path), date(2026, 11, 28), language="en")
readiness(findings), readiness(findings, by=["area"])
```
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from altinn_analysis._lazy import lazy_exports

# Exports are listed once, here, and load on first use (see altinn_analysis._lazy).
if TYPE_CHECKING:
    from altinn_analysis.impact._engine import FINDINGS_SCHEMA, assess
    from altinn_analysis.impact._policy import (
        AREAS,
        OPEN_STATUSES,
        SCORE_FORMULA,
        SEVERITIES,
        SEVERITY_POLICY,
        STATUSES,
        readiness,
        severity_for,
    )
    from altinn_analysis.impact._rules import RULES, Rule, rules_table
    from altinn_analysis.impact._sector import area_scores, assess_many, common_findings, sector_summary


__all__ = [
    "AREAS",
    "FINDINGS_SCHEMA",
    "OPEN_STATUSES",
    "RULES",
    "SCORE_FORMULA",
    "SEVERITIES",
    "SEVERITY_POLICY",
    "STATUSES",
    "Rule",
    "area_scores",
    "assess",
    "assess_many",
    "common_findings",
    "readiness",
    "rules_table",
    "sector_summary",
    "severity_for",
]

__getattr__, __dir__ = lazy_exports(__name__, __file__)
