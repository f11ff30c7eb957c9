"""How readiness is spread over the sector."""

from __future__ import annotations

from typing import Any

import plotly.graph_objects as go
import polars as pl

from altinn_analysis.report.figures._common import (
    Chart,
    Plot,
    _names_list,
    _score_colour,
    as_figure,
)

# -- 6. score distribution -----------------------------------------------------------------------------------


def score_distribution(summary: pl.DataFrame, language: str = "nb") -> go.Figure:
    """How readiness is spread over the institutions (`sector_summary`): bins of 10 (the last is 90–100), the
    institutions' names in each bin's hover, and a line at the median."""
    return as_figure(score_distribution_spec(summary, language))


def score_distribution_spec(summary: pl.DataFrame, language: str = "nb") -> dict[str, Any]:
    """`score_distribution` as plotly JSON (its `to_plotly_json()`), without building the go.Figure."""
    chart = Chart.start("score_distribution", language, "distribution_title")
    lang = chart.lang
    scored = summary.filter(pl.col("score").is_not_null())
    if scored.height == 0:
        return chart.empty()
    label_col = "name" if "name" in scored.columns else "org_number"
    scored = scored.with_columns(
        pl.col(label_col).fill_null(pl.col("org_number")).alias("_label"),
        (pl.col("score").clip(0, 100) // 10).clip(0, 9).cast(pl.Int64).alias("_bin"),
    )
    bins = {
        b: names
        for b, names in scored.sort("score", "_label", descending=[True, False])
        .group_by("_bin", maintain_order=True)
        .agg(pl.col("_label"))
        .iter_rows()
    }
    xs, ys, hovers = [], [], []
    for b in range(10):
        members = [str(m) for m in bins.get(b, [])]
        lo, hi = 10 * b, 10 * b + (10 if b == 9 else 9)
        xs.append(10 * b + 5)
        ys.append(len(members))
        head = chart.t("bin_hover", lo=lo, hi=hi, n=len(members))
        hovers.append(f"<b>{head}</b>" + ("<br>" + _names_list(members, lang) if members else ""))
    plot = Plot()
    plot.trace(
        "bar",
        x=xs,
        y=ys,
        width=[9.6] * 10,
        marker={"color": [_score_colour(x) for x in xs], "line": {"width": 1, "color": "#888888"}},
        hovertext=hovers,
        hovertemplate="%{hovertext}<extra></extra>",
        showlegend=False,
    )
    median = float(scored.select(pl.col("score").median()).item())
    median_text = (
        f"{median:.0f}" if median == int(median) else f"{median:.1f}".replace(".", "," if lang == "nb" else ".")
    )
    plot.shape(
        type="line", x0=median, x1=median, xref="x", yref="paper", y0=0, y1=1, line={"color": "#444444", "dash": "dash"}
    )
    plot.annotation(
        x=median,
        y=1,
        xref="x",
        yref="paper",
        text=chart.t("median", value=median_text),
        showarrow=False,
        xanchor="left",
        yanchor="bottom",
    )
    plot.axes("x", range=[0, 100], tickvals=list(range(0, 101, 10)), title={"text": chart.t("score_axis")})
    plot.axes("y", title={"text": chart.t("institutions_axis")}, rangemode="tozero", dtick=1 if max(ys) <= 10 else None)
    subtitle = chart.t("distribution_subtitle", n=chart.num(scored.height), median=median_text)
    return chart.finish(plot, 380, subtitle=subtitle)
