"""Reports: what the notebooks show (`InstitutionReport`, `SectorReport`), plotly figures (`figures`), the
action-list workbook (`actions`), the offline HTML export, and the batch runner.

```python
from altinn_analysis.report import InstitutionReport, check_report_parameters
params = check_report_parameters(org_number="310426172", as_of="2026-11-28", inventory_dir="data/institutions")
r = InstitutionReport.build(params)
r.summary(); r.figure("roles"); r.area("consent"); r.actions(); r.save("out/")
```
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from altinn_analysis._lazy import lazy_exports

# Exports are listed once, here, and load on first use (see altinn_analysis._lazy).
if TYPE_CHECKING:
    from altinn_analysis.report._display import FIGURE_CLASS, Figure, Html
    from altinn_analysis.report._html import notebook_to_html, write_plotly_js
    from altinn_analysis.report._institution import InstitutionReport
    from altinn_analysis.report._params import ReportParameterError, ReportParameters, check_report_parameters
    from altinn_analysis.report._plan import discover_institutions, institution_dirs, safe_org_label
    from altinn_analysis.report._runner import RunOptions, RunResult, run_reports
    from altinn_analysis.report._sector import SectorReport
    from altinn_analysis.report._shared import load_catalogues, prepare_kernel


__all__ = [
    "FIGURE_CLASS",
    "Figure",
    "Html",
    "InstitutionReport",
    "ReportParameterError",
    "ReportParameters",
    "RunOptions",
    "RunResult",
    "SectorReport",
    "check_report_parameters",
    "discover_institutions",
    "institution_dirs",
    "load_catalogues",
    "notebook_to_html",
    "prepare_kernel",
    "run_reports",
    "safe_org_label",
    "write_plotly_js",
]

__getattr__, __dir__ = lazy_exports(__name__, __file__)
