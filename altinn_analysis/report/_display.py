"""How report pieces show up in a notebook: HTML fragments, and plotly figures that survive nbconvert.

A figure is displayed as one bundle with two representations: `application/vnd.plotly.v1+json` (JupyterLab
renders it with its plotly extension) and `text/html` holding a `<div>` plus the `Plotly.newPlot` call, *without*
plotly.js. nbconvert's HTML export picks `text/html`; the exported page loads plotly.js once, from the run
folder. plotly ≥ 6's default renderer drops charts from nbconvert HTML, so this is set explicitly.
"""

from __future__ import annotations

import functools
import hashlib
import html
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from altinn_analysis.report._texts import label

if TYPE_CHECKING:
    from pathlib import Path

    import plotly.graph_objects as go
    import polars as pl

__all__ = ["FACTS_MIME", "FIGURE_CLASS", "Figure", "Html", "Saved", "cards", "code_label", "facts_in", "table_html"]

FIGURE_CLASS = "aa-figure"  # every chart container carries it, so a browser test can find them all
# The report's key facts, as the output of the notebook's last cell: the batch runner reads them from the
# executed notebook it already holds (for run.json and the sector page). JupyterLab shows the text instead.
FACTS_MIME = "application/vnd.altinn-analysis.facts+json"
_CODED = (
    "status",
    "severity",
    "worst_severity",
    "area",
    "certainty",
    "institution_type",
    "verdict",
)  # through the label table
# A finding that needs nothing done has no days left to count and no action to take: those cells stay empty.
_SETTLED = ("done", "not_applicable")
_SETTLED_BLANK = ("days_left", "action")
_SEVERITY_CLASS = {"critical": "sev-critical", "high": "sev-high", "medium": "sev-medium", "low": "sev-low"}
_HEADING = re.compile(r"<h[1-6][^>]*>([^<]*)</h[1-6]>")


@dataclass(frozen=True)
class Html:
    """An HTML fragment that notebooks and nbconvert both show as HTML."""

    body: str

    def _repr_html_(self) -> str:
        return self.body

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:
        # The plain-text form is what a console shows (a notebook and the page show the HTML): the fragment's
        # first heading, not the whole fragment again as a repr, which doubled every report notebook's outputs
        # and the kernel's messages. One bundle is also one formatter call instead of two.
        found = _HEADING.search(self.body)
        return {"text/html": self.body, "text/plain": html.unescape(found[1]) if found else "…"}

    def __add__(self, other: Html) -> Html:
        return Html(self.body + other.body)


@dataclass(frozen=True)
class Figure:
    """A plotly figure with an explicit, nbconvert-safe representation (see module docstring).

    `source` is a `go.Figure`, or its plotly JSON (`figures.*_spec`): the report's charts come as JSON, which is
    all a notebook shows, and `figure` makes the go.Figure only when someone asks for it."""

    source: go.Figure | dict[str, Any]
    name: str
    omitted: str = ""  # the sentence shown instead of an empty figure

    @functools.cached_property
    def spec(self) -> dict[str, Any]:
        """The figure's plotly JSON, made once: the notebook output, the digest and the HTML all come from it."""
        return self.source if isinstance(self.source, dict) else self.source.to_plotly_json()

    @functools.cached_property
    def figure(self) -> go.Figure:
        if isinstance(self.source, dict):
            import plotly.graph_objects as go

            return go.Figure(self.source, _validate=False)
        return self.source

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:
        if self.empty:
            return {"text/html": self.html(), "text/plain": self.omitted}
        spec = self.spec
        return {
            "application/vnd.plotly.v1+json": spec,
            "text/html": self._chart(spec),
            "text/plain": f"<figure {self.name}>",
        }

    @property
    def empty(self) -> bool:
        meta = self.spec.get("layout", {}).get("meta")
        return bool(isinstance(meta, dict) and meta.get("empty"))

    def html(self) -> str:
        if self.empty:  # no chart that only says "no data": one sentence takes its place
            return f'<p class="aa-nofigure" data-figure="{html.escape(self.name)}">{html.escape(self.omitted)}</p>'
        return self._chart(self.spec)

    def _chart(self, spec: dict[str, Any]) -> str:
        import plotly.io as pio

        # plotly writes JSON with orjson when it is installed (it is, for the kernels' messages): its compact form
        # would change every page's bytes and the ids hashed from it, for ~1 ms a report. The stdlib engine keeps them.
        pio.json.config.default_engine = "json"
        # A stable div id (from the name and the figure itself) keeps re-runs byte-identical.
        digest = hashlib.sha256(pio.to_json(spec, validate=False).encode()).hexdigest()[:10]
        div = pio.to_html(
            spec,
            validate=False,
            full_html=False,
            include_plotlyjs=False,
            div_id=f"fig-{self.name}-{digest}",
            config={"displaylogo": False, "responsive": True},
        )
        return f'<div class="{FIGURE_CLASS}" data-figure="{html.escape(self.name)}">{div}</div>'


class Saved(Mapping[str, "Path"]):
    """The files `InstitutionReport.save` wrote (name → path), and the report's key facts."""

    def __init__(self, files: Mapping[str, Path], facts: Mapping[str, Any]) -> None:
        self.files = dict(files)
        self.facts = dict(facts)

    def __getitem__(self, name: str) -> Path:
        return self.files[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self.files)

    def __len__(self) -> int:
        return len(self.files)

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:
        # File names only: the folder is the output_dir parameter (a batch run writes into a temporary one first).
        text = ("written: " + ", ".join(self.files)) if self.files else "no output_dir: nothing written"
        return {FACTS_MIME: self.facts, "text/plain": text}


def facts_in(notebook: Mapping[str, Any]) -> dict[str, Any]:
    """The key facts an executed report notebook displayed (`Saved`), or {} when it displayed none."""
    for cell in reversed(notebook.get("cells", [])):
        for output in cell.get("outputs", []):
            facts = output.get("data", {}).get(FACTS_MIME)
            if isinstance(facts, dict):
                return dict(facts)
    return {}


def code_label(value: object, language: str) -> str:
    """Statuses, severities, areas and certainty values in the report language."""
    if value is None:
        return ""
    text = str(value)
    return label("action_status" if text == "action" else text, language)


def _cell(column: str, value: Any, language: str) -> str:
    if value is None:
        return '<td class="empty"></td>'
    if column in _CODED:
        css = _SEVERITY_CLASS.get(str(value), "") if column.endswith("severity") else ""
        css = css or (f"cert-{value}" if column == "certainty" else "")
        css = css or (f"verdict-{value}" if column == "verdict" else "")
        return f'<td class="{css}">{html.escape(code_label(value, language))}</td>'
    if column == "days_left" and isinstance(value, int) and value < 0:
        return f'<td class="num overdue">{value}</td>'
    if isinstance(value, int | float) and not isinstance(value, bool):
        return f'<td class="num">{value}</td>'
    if isinstance(value, date):
        return f"<td>{value.isoformat()}</td>"
    if isinstance(value, Html):
        return f"<td>{value.body}</td>"
    return f"<td>{html.escape(str(value))}</td>"


def table_html(
    frame: pl.DataFrame,
    language: str,
    *,
    columns: Sequence[str] | None = None,
    css: str = "findings",
    links: Mapping[str, Mapping[Any, str]] | None = None,
    caption: str | None = None,
    link_by: str | None = None,
) -> Html:
    """An escaped HTML table with localised headers; `links[column][key]` turns a cell into a link, where `key`
    is the cell's value, or the row's `link_by` column (e.g. the organisation number, never the name)."""
    cols = list(columns or frame.columns)
    select = list(
        dict.fromkeys([*cols, *([link_by] if link_by else []), *(["status"] if "status" in frame.columns else [])])
    )
    # data-col names the column for scripts and checks (e.g. which cells hold findings prose).
    head = "".join(f'<th data-col="{html.escape(c)}">{html.escape(label(c, language))}</th>' for c in cols)
    # Column by column as Python lists (one conversion each, not a dict per row); a coded value's cell is made
    # once per table, as it repeats down the column.
    data = {c: frame[c].to_list() for c in select}
    statuses = data.get("status")
    keys = data[link_by] if link_by else None
    columns_data: list[tuple[str, list[Any], Mapping[Any, str], bool, dict[Any, str] | None]] = [
        (c, data[c], (links or {}).get(c, {}), c in _SETTLED_BLANK, {} if c in _CODED else None) for c in cols
    ]
    rows = []
    for i in range(frame.height):
        settled = statuses is not None and statuses[i] in _SETTLED
        cells = []
        for c, values, column_links, blank_when_settled, made in columns_data:
            value = values[i]
            if blank_when_settled and settled:
                cells.append('<td class="settled">–</td>')
                continue
            href = column_links.get(keys[i] if keys is not None else value) if column_links else None
            if href is not None:
                text = html.escape(code_label(value, language) if c in _CODED else str(value))
                cells.append(f'<td><a href="{html.escape(href)}">{text}</a></td>')
            elif made is not None:
                cell = made.get(value)
                if cell is None:
                    cell = made[value] = _cell(c, value, language)
                cells.append(cell)
            else:
                cells.append(_cell(c, value, language))
        rows.append("<tr>" + "".join(cells) + "</tr>")
    cap = f"<caption>{html.escape(caption)}</caption>" if caption else ""
    table = f'<table class="{css}">{cap}<thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>'
    # The container scrolls sideways on a narrow screen, so the page itself never runs wider than the window.
    return Html(f'<div class="table-scroll">{table}</div>')


def cards(items: Iterable[tuple[str, object, str]]) -> Html:
    """Key figures as cards: (label, value, css class)."""
    parts = [
        f'<div class="card {html.escape(css)}"><div class="value">{html.escape(str(value))}</div>'
        f'<div class="label">{html.escape(text)}</div></div>'
        for text, value, css in items
    ]
    return Html(f'<div class="cards">{"".join(parts)}</div>')


def heading(text: str, level: int = 2, css: str = "") -> Html:
    attr = f' class="{html.escape(css)}"' if css else ""
    return Html(f"<h{level}{attr}>{html.escape(text)}</h{level}>")


def paragraph(text: str) -> Html:
    return Html(f"<p>{html.escape(text)}</p>")
