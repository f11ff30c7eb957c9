"""The sector heatmap: institution × area readiness."""

from __future__ import annotations

import textwrap
from typing import Any

import plotly.graph_objects as go
import polars as pl

from altinn_analysis.impact import AREAS
from altinn_analysis.report.figures._common import (
    _NULL_GREY,
    Chart,
    Plot,
    _colourscale,
    _esc,
    as_figure,
)

# -- 5. sector heatmap ---------------------------------------------------------------------------------------


def _wrap_label(label: str, width: int = 22) -> str:
    # `label` is already escaped: wrap on its spaces only.
    return "<br>".join(textwrap.wrap(label, width, break_long_words=False)) or label


def sector_heatmap(area_scores: pl.DataFrame, names: pl.DataFrame | None = None, language: str = "nb") -> go.Figure:
    """Institution × area readiness (`impact.area_scores`): 0 red … 100 green, grey with "–" where an area does
    not apply. `names` maps org_number → name; when it also has a `score` column (e.g. `sector_summary`), an
    "Overall" column is added and the rows are sorted by it, most ready first (else by name)."""
    return as_figure(sector_heatmap_spec(area_scores, names, language))


def sector_heatmap_spec(
    area_scores: pl.DataFrame, names: pl.DataFrame | None = None, language: str = "nb"
) -> dict[str, Any]:
    """`sector_heatmap` as plotly JSON (its `to_plotly_json()`), without building the go.Figure."""
    chart = Chart.start("sector_heatmap", language, "heatmap_title")
    if area_scores.height == 0:
        return chart.empty()
    orgs = area_scores.select("org_number").unique()
    has_score = names is not None and "score" in names.columns
    if names is not None:
        keep = ["org_number", *[c for c in ("name", "score") if c in names.columns]]
        orgs = orgs.join(names.select(keep).unique("org_number", keep="first"), on="org_number", how="left")
    if "name" not in orgs.columns:
        orgs = orgs.with_columns(pl.col("org_number").alias("name"))
    orgs = orgs.with_columns(pl.col("name").cast(pl.String).fill_null(pl.col("org_number")))
    orgs = orgs.select("org_number", "name", *(["score"] if has_score else []))
    if has_score:
        orgs = orgs.sort(["score", "name", "org_number"], descending=[True, False, False], nulls_last=True)
    else:
        orgs = orgs.sort("name", "org_number")
    # Rows are labelled by name; two institutions with the same name get their org number too.
    dup = set(orgs.filter(pl.col("name").is_duplicated())["org_number"])
    row_labels = [_esc(f"{n} ({o})" if o in dup else n) for o, n in orgs.select("org_number", "name").iter_rows()]
    # Long names wrap on the axis (a phone has no room for 40 characters); the hover keeps them whole.
    axis_labels = [_wrap_label(label) for label in row_labels]
    areas = [*AREAS, *sorted(set(area_scores["area"]) - set(AREAS))]
    cells = {
        (o, a): (s, op, cr)
        for o, a, s, op, cr in area_scores.select("org_number", "area", "score", "open", "critical").iter_rows()
    }
    columns = ([chart.t("overall")] if has_score else []) + [chart.code(a) for a in areas]
    z: list[list[float | None]] = []
    text: list[list[str]] = []
    hover: list[list[str]] = []
    for (org, _name, *rest), label in zip(orgs.iter_rows(), row_labels, strict=True):
        zr: list[float | None] = []
        tr: list[str] = []
        hr: list[str] = []
        if has_score:
            total = rest[-1]
            zr.append(total)
            tr.append("–" if total is None else str(total))
            hr.append(chart.t("heatmap_hover_overall", name=label, score="–" if total is None else total))
        for area in areas:
            score, n_open, n_crit = cells.get((org, area), (None, 0, 0))
            zr.append(score)
            tr.append("–" if score is None else str(score))
            hr.append(
                chart.t(
                    "heatmap_hover",
                    name=label,
                    area=chart.code(area),
                    score=chart.t("not_applicable_short") if score is None else score,
                    open=chart.num(n_open or 0),
                    critical=chart.num(n_crit or 0),
                )
            )
        z.append(zr)
        text.append(tr)
        hover.append(hr)
    plot = Plot()
    plot.trace(
        "heatmap",
        z=z,
        x=columns,
        y=axis_labels,
        text=text,
        texttemplate="%{text}",
        hovertext=hover,
        hovertemplate="%{hovertext}<extra></extra>",
        colorscale=_colourscale(),
        zmin=0,
        zmax=100,
        xgap=2,
        ygap=2,
        # Under the grid, not beside it: on a phone the grid keeps the width.
        colorbar={
            # No title: the chart's title says what the colours are, and a horizontal bar's title overlaps it.
            "orientation": "h",
            "thickness": 10,
            "len": 0.9,
            "lenmode": "fraction",
            "x": 0,
            "xanchor": "left",
            "yref": "container",
            "y": 0.01,
            "yanchor": "bottom",
        },
    )
    plot.axes("y", autorange="reversed", automargin=True, showgrid=False)
    plot.axes("x", showgrid=False, automargin=True)
    plot.update(plot_bgcolor=_NULL_GREY)  # null cells are transparent: the grey behind them shows "n/a"
    lines = max((label.count("<br>") + 1 for label in axis_labels), default=1)
    height = max(340, (14 * lines + 14) * orgs.height + 220)
    return chart.finish(plot, height, bottom=100)
