"""Readiness 0–100 per area."""

from __future__ import annotations

from typing import Any

import plotly.graph_objects as go
import polars as pl

from altinn_analysis.impact import AREAS, OPEN_STATUSES, SEVERITIES, readiness
from altinn_analysis.report.figures._common import (
    _NULL_GREY,
    Chart,
    Plot,
    _esc,
    _score_colour,
    as_figure,
)

# -- 4. readiness by area ------------------------------------------------------------------------------------


def readiness_by_area(findings: pl.DataFrame, language: str = "nb") -> go.Figure:
    """Readiness 0–100 per area (`readiness(findings, by=["area"])`) as horizontal bars in `AREAS` order, coloured
    on the red–green scale; an area with no applicable finding shows "n/a". The hover counts the open findings
    by severity."""
    return as_figure(readiness_by_area_spec(findings, language))


def readiness_by_area_spec(
    findings: pl.DataFrame, language: str = "nb", *, overall: int | None = None
) -> dict[str, Any]:
    """`readiness_by_area` as plotly JSON (its `to_plotly_json()`), without building the go.Figure. `overall` is
    `readiness(findings)`'s score when the caller has it already (a report does: it shows it in the summary)."""
    chart = Chart.start("readiness_by_area", language, "area_title")
    if findings.height == 0:
        return chart.empty()
    scores = {
        a: (s, n) for a, n, s in readiness(findings, by=["area"]).select("area", "applicable", "score").iter_rows()
    }
    open_counts = open_by_area(findings)
    areas = [*AREAS, *sorted(set(scores) - set(AREAS))]
    ys, xs, texts, colours, hovers = [], [], [], [], []
    for area in areas:
        label = chart.code(area)
        ys.append(label)
        if area not in scores:
            xs.append(0)
            texts.append(chart.t("not_applicable_short"))
            colours.append(_NULL_GREY)
            hovers.append(chart.t("area_hover_na", area=_esc(label)))
            continue
        score, applicable = scores[area]
        counts = open_counts.get(area, {})
        severities = " · ".join(f"{chart.code(s)} {counts.get(s, 0)}" for s in SEVERITIES[:4])
        xs.append(score)
        texts.append(str(score))
        colours.append(_score_colour(score))
        hovers.append(
            chart.t(
                "area_hover",
                area=_esc(label),
                score=score,
                applicable=chart.num(applicable),
                open=chart.num(counts.get("open", 0)),
                severities=severities,
            )
        )
    plot = Plot()
    plot.trace(
        "bar",
        x=xs,
        y=ys,
        orientation="h",
        marker={"color": colours, "line": {"width": 1, "color": "#888888"}},
        text=texts,
        textposition="outside",
        hovertext=hovers,
        hovertemplate="%{hovertext}<extra></extra>",
        showlegend=False,
        cliponaxis=False,
    )
    plot.axes("x", range=[0, 108], title={"text": chart.t("score_axis")}, tickvals=[0, 25, 50, 75, 100])
    plot.axes("y", autorange="reversed", automargin=True)
    if overall is None:
        score = readiness(findings)["score"]
        overall = int(score[0]) if score.len() else None
    subtitle = chart.t("area_subtitle", score=overall) if overall is not None else None
    return chart.finish(plot, 80 + 44 * len(areas) + 80, subtitle=subtitle)


def open_by_area(findings: pl.DataFrame) -> dict[str, dict[str, int]]:
    """Open findings per area: {"open": n, severity: n for the first four severities}; an area with none open is
    left out. A few dozen rows, counted in plain Python (cheaper than a query)."""
    open_counts: dict[str, dict[str, int]] = {}
    for area, status, severity in zip(*(findings[c].to_list() for c in ("area", "status", "severity")), strict=True):
        if status in OPEN_STATUSES:
            counts = open_counts.setdefault(area, dict.fromkeys(("open", *SEVERITIES[:4]), 0))
            counts["open"] += 1
            if severity in counts and severity != "open":
                counts[severity] += 1
    return open_counts
