"""Reports: what the notebooks show (`InstitutionReport`, `SectorReport`), plotly figures (`figures`), the
action-list workbook (`actions`), the offline HTML export, and the batch runner.

```python
from altinn_analysis.report import InstitutionReport
r = InstitutionReport.build(org_number="310426172", as_of="2026-11-28", inventory_dir="data/institutions")
r.summary(); r.figure("roles"); r.area("consent"); r.actions(); r.save("out/")
```
"""

from altinn_analysis.report._display import FIGURE_CLASS, Figure, Html
from altinn_analysis.report._html import notebook_to_html, write_plotly_js
from altinn_analysis.report._institution import InstitutionReport, load_catalogues
from altinn_analysis.report._params import ReportParameterError, ReportParameters, check_report_parameters
from altinn_analysis.report._sector import SectorReport, institution_dirs

__all__ = [
    "FIGURE_CLASS",
    "Figure",
    "Html",
    "InstitutionReport",
    "ReportParameterError",
    "ReportParameters",
    "SectorReport",
    "check_report_parameters",
    "institution_dirs",
    "load_catalogues",
    "notebook_to_html",
    "write_plotly_js",
]
