"""How report pieces show up in a notebook: HTML fragments, and plotly figures that survive nbconvert.

A figure is displayed as one bundle with two representations: `application/vnd.plotly.v1+json` (JupyterLab
renders it with its plotly extension) and `text/html` holding a `<div>` plus the `Plotly.newPlot` call, *without*
plotly.js. nbconvert's HTML export picks `text/html`; the exported page loads plotly.js once, from the run
folder. plotly ≥ 6's default renderer drops charts from nbconvert HTML, so this is set explicitly.
"""

from __future__ import annotations

import hashlib
import html
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from altinn_analysis.report._texts import label

if TYPE_CHECKING:
    import plotly.graph_objects as go
    import polars as pl

__all__ = ["FIGURE_CLASS", "Figure", "Html", "cards", "code_label", "table_html"]

FIGURE_CLASS = "aa-figure"  # every chart container carries it, so a browser test can find them all
_SEVERITY_CLASS = {"critical": "sev-critical", "high": "sev-high", "medium": "sev-medium", "low": "sev-low"}


@dataclass(frozen=True)
class Html:
    """An HTML fragment that notebooks and nbconvert both show as HTML."""

    body: str

    def _repr_html_(self) -> str:
        return self.body

    def __add__(self, other: Html) -> Html:
        return Html(self.body + other.body)


@dataclass(frozen=True)
class Figure:
    """A plotly figure with an explicit, nbconvert-safe representation (see module docstring)."""

    figure: go.Figure
    name: str

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:
        return {
            "application/vnd.plotly.v1+json": self.figure.to_plotly_json(),
            "text/html": self.html(),
            "text/plain": f"<figure {self.name}>",
        }

    def html(self) -> str:
        # A stable div id (from the name and the figure itself) keeps re-runs byte-identical.
        digest = hashlib.sha256(self.figure.to_json().encode()).hexdigest()[:10]
        div = self.figure.to_html(
            full_html=False,
            include_plotlyjs=False,
            div_id=f"fig-{self.name}-{digest}",
            config={"displaylogo": False, "responsive": True},
        )
        return f'<div class="{FIGURE_CLASS}" data-figure="{html.escape(self.name)}">{div}</div>'


def code_label(value: object, language: str) -> str:
    """Statuses, severities, areas and certainty values in the report language."""
    if value is None:
        return ""
    text = str(value)
    return label("action_status" if text == "action" else text, language)


def _cell(column: str, value: Any, language: str) -> str:
    if value is None:
        return '<td class="empty"></td>'
    if column in ("status", "severity", "area", "certainty"):
        css = _SEVERITY_CLASS.get(str(value), "") if column == "severity" else ""
        css = css or (f"cert-{value}" if column == "certainty" else "")
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
) -> Html:
    """An escaped HTML table with localised headers; `links[column][value]` turns a cell into a link."""
    cols = list(columns or frame.columns)
    head = "".join(f"<th>{html.escape(label(c, language))}</th>" for c in cols)
    rows = []
    for row in frame.select(cols).iter_rows(named=True):
        cells = []
        for c in cols:
            href = (links or {}).get(c, {}).get(row[c])
            if href is not None:
                cells.append(f'<td><a href="{html.escape(href)}">{html.escape(str(row[c]))}</a></td>')
            else:
                cells.append(_cell(c, row[c], language))
        rows.append("<tr>" + "".join(cells) + "</tr>")
    cap = f"<caption>{html.escape(caption)}</caption>" if caption else ""
    return Html(f'<table class="{css}">{cap}<thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>')


def cards(items: Iterable[tuple[str, object, str]]) -> Html:
    """Key figures as cards: (label, value, css class)."""
    parts = [
        f'<div class="card {html.escape(css)}"><div class="value">{html.escape(str(value))}</div>'
        f'<div class="label">{html.escape(text)}</div></div>'
        for text, value, css in items
    ]
    return Html(f'<div class="cards">{"".join(parts)}</div>')


def heading(text: str, level: int = 2) -> Html:
    return Html(f"<h{level}>{html.escape(text)}</h{level}>")


def paragraph(text: str) -> Html:
    return Html(f"<p>{html.escape(text)}</p>")
