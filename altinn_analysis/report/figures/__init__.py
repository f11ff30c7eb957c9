"""The report's plotly figures, one module per chart, built from tables (findings, inventory tables, the DSOP
catalogue) — never in notebooks.

Every function is pure: the same tables give the same figure JSON. Each figure has `layout.meta = {"figure": name,
"language": …, "empty": …}` so a test or a browser check can find it, a small house template with plotly_white's
look, an explicit height, and nothing loaded from the network (no web fonts, no map tiles). Tables are aggregated
in polars before plotting: a point per month, area, deadline or role, never one per consent row. An empty input
gives a figure marked `empty`, which the report replaces by a sentence instead of drawing it. Every title, axis
label, legend entry and hover text comes from `TEXTS` (bokmål `nb`, the default, or English `en`).

```python
from altinn_analysis.report.figures import roles_sankey, readiness_by_area
roles_sankey(findings, inventory.delegations, load_dsop(), language="en")
readiness_by_area(findings)
```

Each chart also comes as `*_spec`: the same figure as plotly JSON (what `to_plotly_json()` gives,
key order included), for the reports, which show the JSON and never need the go.Figure.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from altinn_analysis.report._params import LANGUAGES
from altinn_analysis.report.figures._common import FIGURES, TEXTS, is_empty, validate_figure
from altinn_analysis.report.figures.consent import consent_expiry, consent_expiry_spec
from altinn_analysis.report.figures.distribution import score_distribution, score_distribution_spec
from altinn_analysis.report.figures.heatmap import sector_heatmap, sector_heatmap_spec
from altinn_analysis.report.figures.readiness import readiness_by_area, readiness_by_area_spec
from altinn_analysis.report.figures.roles import MAX_CANDIDATES, roles_sankey, roles_sankey_spec, successors_by_code
from altinn_analysis.report.figures.timeline import deadline_timeline, deadline_timeline_spec, milestone_rows

if TYPE_CHECKING:
    from collections.abc import Iterable

    from altinn_analysis.catalogue import DsopCatalogue

__all__ = [
    "FIGURES",
    "LANGUAGES",
    "MAX_CANDIDATES",
    "TEXTS",
    "consent_expiry",
    "consent_expiry_spec",
    "deadline_timeline",
    "deadline_timeline_spec",
    "is_empty",
    "prepare_figures",
    "readiness_by_area",
    "readiness_by_area_spec",
    "roles_sankey",
    "roles_sankey_spec",
    "score_distribution",
    "score_distribution_spec",
    "sector_heatmap",
    "sector_heatmap_spec",
    "validate_figure",
]


def prepare_figures(dsop: DsopCatalogue, languages: Iterable[str] = LANGUAGES) -> None:
    """Make what the institution charts take from the DSOP catalogue (the timeline's milestone rows, the role
    successors by code) once, ahead of the reports: a warm kernel's first report then costs what the others do."""
    successors_by_code(dsop.role_successors)
    for language in languages:
        milestone_rows(dsop.milestones, language)
