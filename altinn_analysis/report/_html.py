"""Executed notebook → a small, offline HTML page with no code cells.

nbconvert's `basic` template gives just the cells; we wrap them in a page with a short stylesheet and one
`<script src>` for plotly.js, which `write_plotly_js` puts once in the run folder (`reports/<as_of>/`). So a
report is tens of kilobytes instead of the ~5 MB a self-contained export weighs, and opens from file:// with
no network.
"""

from __future__ import annotations

import html
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from nbformat import NotebookNode

__all__ = [
    "PLOTLY_JS",
    "REMOVE_TAG",
    "charts_notice",
    "exporter",
    "notebook_to_html",
    "write_plotly_js",
    "write_text_atomic",
]

REMOVE_TAG = "remove_cell"  # cells meant for JupyterLab users only (e.g. "how to use this notebook")
_PLOTLY_MIME = "application/vnd.plotly.v1+json"  # what JupyterLab draws a chart from; the page uses text/html


def _plotly_js_name() -> str:
    import plotly

    return f"plotly-{plotly.__version__}.min.js"


PLOTLY_JS = "plotly.min.js"  # logical name; the file on disk carries the plotly version (see write_plotly_js)

CSS = """
:root { --fg: #1d2733; --muted: #5b6775; --line: #d9dee5; --bg: #ffffff; --accent: #1f5fa8; }
* { box-sizing: border-box; }
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif; color: var(--fg);
       background: var(--bg); margin: 0 auto; max-width: 1180px; padding: 24px 32px 64px; line-height: 1.45; }
h1 { font-size: 1.7rem; margin: 0.2em 0 0.1em; } h2 { font-size: 1.3rem; margin-top: 2em;
     border-bottom: 2px solid var(--line); padding-bottom: 0.2em; } h3 { font-size: 1.05rem; }
p { max-width: 80ch; } a { color: var(--accent); }
.cards { display: flex; gap: 12px; flex-wrap: wrap; margin: 12px 0 20px; }
.card { border: 1px solid var(--line); border-radius: 8px; padding: 10px 16px; min-width: 150px; }
.card .value { font-size: 1.6rem; font-weight: 600; } .card .label { color: var(--muted); font-size: 0.85rem; }
.card.overdue .value, .card.critical .value { color: #b42318; }
table { border-collapse: collapse; margin: 10px 0 18px; font-size: 0.86rem; width: 100%; }
table.compact { width: auto; min-width: 360px; }
caption { text-align: left; font-weight: 600; padding: 4px 0; }
th, td { border-bottom: 1px solid var(--line); padding: 5px 8px; text-align: left; vertical-align: top; }
th { background: #f3f5f8; position: sticky; top: 0; }
td.num { text-align: right; font-variant-numeric: tabular-nums; } td.overdue { color: #b42318; font-weight: 600; }
td.verdict-blocked { background: #fde2e1; font-weight: 600; } td.verdict-at_risk { background: #fdebd3; }
td.verdict-ready { background: #e3f4e1; } td.verdict-unknown { background: #eeeeee; }
td.sev-critical { background: #fde2e1; font-weight: 600; } td.sev-high { background: #fdebd3; }
td.sev-medium { background: #fdf6cf; } td.sev-low { background: #e3eefb; }
td.cert-inferred { font-style: italic; } td.cert-unknown { color: var(--muted); font-style: italic; }
table.hashes td { font-family: ui-monospace, monospace; font-size: 0.78rem; }
.aa-figure { margin: 8px 0 24px; min-height: 120px; max-width: 100%; overflow: hidden; }
.aa-nofigure { color: var(--muted); font-style: italic; }
.table-scroll { max-width: 100%; overflow-x: auto; -webkit-overflow-scrolling: touch; margin: 10px 0 18px; }
.table-scroll table { margin: 0; }
td.settled { color: var(--muted); }
.warning, .charts-missing { border-left: 4px solid #b42318; background: #fdecea; padding: 8px 12px; max-width: 80ch; }
/* Until plotly.js has loaded, the charts are hidden (no blank space) and the notice says why. */
html:not(.plotly-ok) .aa-figure { display: none; }
html.plotly-ok .charts-missing { display: none; }
footer { margin-top: 48px; color: var(--muted); font-size: 0.8rem; }
@media (max-width: 600px) {
  body { padding: 12px 10px 40px; } h1 { font-size: 1.35rem; } h2 { font-size: 1.12rem; }
  .card { min-width: 0; flex: 1 1 40%; padding: 8px 10px; } .card .value { font-size: 1.3rem; }
  table { font-size: 0.8rem; } table.compact { min-width: 0; } th, td { padding: 4px 5px; }
  /* Wide finding tables keep readable columns and scroll sideways in their container instead of squeezing. */
  table.findings { min-width: 760px; }
  th { position: static; }
}
@page { size: A4; margin: 12mm; }
@media print {
  body { max-width: none; padding: 0; } th { position: static; }
  h2 { break-before: page; } h2.lead { break-before: auto; }
  .aa-figure, tr, .card { break-inside: avoid; } h2, h3, caption { break-after: avoid; }
  .table-scroll { overflow: visible; } a { color: inherit; text-decoration: none; }
}
"""

PAGE = """<!DOCTYPE html>
<html lang="{lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>{css}</style>
<script src="{plotly_js}" charset="utf-8"></script>
<script>if (window.Plotly) document.documentElement.classList.add("plotly-ok");</script>
</head>
<body>
<main>
{notice}{body}
</main>
<footer>{footer}</footer>
</body>
</html>
"""


def write_text_atomic(path: Path, text: str) -> Path:
    """Write via the one atomic-write helper, so a reader never sees half a file."""
    from altinn_analysis.sources import write_atomic

    return write_atomic(path, text)


def write_plotly_js(folder: Path) -> str:
    """Put plotly.js into `folder` once (it is ~4.8 MB); return its file name for `<script src>`."""
    name = _plotly_js_name()
    target = folder / name
    if not target.exists():
        from plotly.offline import get_plotlyjs

        write_text_atomic(target, get_plotlyjs())
    return name


def _exporter() -> Any:
    from nbconvert import HTMLExporter
    from nbconvert.exporters.templateexporter import TemplateExporter
    from nbconvert.filters.highlight import Highlight2HTML
    from nbconvert.filters.widgetsdatatypefilter import WidgetsDataTypeFilter
    from nbconvert.preprocessors import TagRemovePreprocessor

    class OutputsExporter(HTMLExporter):
        """HTMLExporter without its closing BeautifulSoup pass, which re-parses the whole page only to add alt texts
        to images and tab stops to input cells (these pages have neither): ~85% of the export time per report."""

        def from_notebook_node(self: Any, nb: Any, resources: Any = None, **kw: Any) -> Any:
            lang = nb.metadata.get("language_info", {})
            lexer = lang.get("pygments_lexer", lang.get("name", None))
            highlight = self.filters.get("highlight_code") or Highlight2HTML(pygments_lexer=lexer, parent=self)  # type: ignore[no-untyped-call]
            self.register_filter("highlight_code", highlight)
            resources = self._init_resources(resources)
            data_types = WidgetsDataTypeFilter(notebook_metadata=self._nb_metadata, parent=self, resources=resources)  # type: ignore[no-untyped-call]
            self.register_filter("filter_data_type", data_types)
            return TemplateExporter.from_notebook_node(self, nb, resources, **kw)

    from traitlets.config import Config

    exporter = OutputsExporter(  # type: ignore[no-untyped-call]
        # The pygments stylesheet this preprocessor makes for every page goes to `resources["inlining"]`, which
        # only the full-page templates read, not `basic`: ~1 ms a page for nothing.
        config=Config({"CSSHTMLHeaderPreprocessor": {"enabled": False}}),
        template_name="basic",
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        optimistic_validation=True,  # validate once, not after each of the 13 preprocessors (~0.1 s per page)
    )
    remove = TagRemovePreprocessor(remove_cell_tags={REMOVE_TAG}, enabled=True)  # type: ignore[no-untyped-call]
    exporter.register_preprocessor(remove, enabled=True)  # type: ignore[no-untyped-call]
    return exporter


_EXPORTER: Any = None


def exporter() -> Any:
    """The page exporter, built once a process (nbconvert's templates and filters take ~0.5 s to set up)."""
    global _EXPORTER
    if _EXPORTER is None:
        _EXPORTER = _exporter()
    return _EXPORTER


def charts_notice(language: str, plotly_js: str, location: str = "") -> str:
    """The notice a page shows when its charts cannot be drawn (plotly.js not beside it: a forwarded file).

    A script in the page's head hides it as soon as plotly.js has loaded; without it the charts are hidden too,
    so the reader sees this sentence instead of blank space."""
    from altinn_analysis.report._texts import t

    name = Path(plotly_js).name
    if location:
        text = t("charts_missing", language, plotly_js=name, location=location)
    else:  # a page that is not one institution's report (the sector page): no PDF to point to
        text = t("charts_missing_page", language, plotly_js=name)
    return f'<p class="charts-missing" role="note">{html.escape(text)}</p>\n'


def _page_node() -> Any:
    from nbformat import NotebookNode, from_dict

    class ExporterCopy(NotebookNode):
        """The exporter's own copy of a page notebook, which nobody else holds: nbconvert's second and third deep
        copies of it (before preprocessing, before normalising) are the copy itself."""

        def __deepcopy__(self, memo: Any) -> Any:
            return self

    class PageNotebook(NotebookNode):
        """nbconvert deep-copies the notebook it exports three times (exporter, preprocessing, normalisation), each
        time to protect the caller's notebook from what follows. The first copy does that; the other two copy a
        copy only the exporter has. And a notebook is a tree of dicts, lists and scalars: `from_dict` copies it
        without `copy.deepcopy`'s memo and per-node dispatch."""

        def __deepcopy__(self, memo: Any) -> Any:
            return ExporterCopy(from_dict(dict(self)))  # type: ignore[no-untyped-call]

    return PageNotebook


_PAGE_NODE: Any = None


def _page_notebook(nb: NotebookNode) -> NotebookNode:
    """What the page is made from: `nb` without stderr (warnings and progress chatter are for the log, not for
    the reader) and without the outputs' plotly JSON (the page draws each chart from its `text/html`). A new
    outer structure sharing the unchanged parts: `nb` itself is never changed, and the exporter, which copies
    the notebook it gets, copies a third of it."""
    from nbformat import NotebookNode

    node: Any = NotebookNode  # a dict with attribute access, as the exporter expects

    def output(o: Any) -> Any:
        if _PLOTLY_MIME not in o.get("data", {}):
            return o
        return node({**o, "data": node({k: v for k, v in o["data"].items() if k != _PLOTLY_MIME})})

    def cell(c: Any) -> Any:
        if c.get("cell_type") != "code":
            return c
        return node({**c, "outputs": [output(o) for o in c.get("outputs", []) if o.get("name") != "stderr"]})

    global _PAGE_NODE
    if _PAGE_NODE is None:
        _PAGE_NODE = _page_node()
    page: NotebookNode = _PAGE_NODE({**nb, "cells": [cell(c) for c in nb.cells]})
    return page


def notebook_to_html(
    nb: NotebookNode, *, title: str, language: str, plotly_js: str, footer: str = "", location: str = ""
) -> str:
    """The page for an executed notebook: outputs only, stderr dropped, plotly.js from `plotly_js` (a URL).

    `location` says where the complete report lives (e.g. `reports/2026-11-28/310426172/`), for the notice a
    forwarded copy shows when its charts cannot load."""
    body, _ = exporter().from_notebook_node(_page_notebook(nb))
    from altinn_analysis.sources import strip_control

    body = strip_control(body)  # a NUL or ESC from an inventory value has no place in a page

    from altinn_analysis.report._display import FIGURE_CLASS

    notice = charts_notice(language, plotly_js, location) if FIGURE_CLASS in body else ""
    return PAGE.format(
        notice=notice,
        lang=html.escape(language),
        title=html.escape(title),
        css=CSS,
        plotly_js=html.escape(plotly_js),
        body=body,
        footer=html.escape(footer),
    )
