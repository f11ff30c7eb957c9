"""The deadline timeline: milestones above, open findings per deadline below."""

from __future__ import annotations

from datetime import date, timedelta
from itertools import pairwise
from typing import Any

import plotly.graph_objects as go
import polars as pl

from altinn_analysis.impact import SEVERITIES
from altinn_analysis.report.figures._common import (
    _BOTTOM_LEGEND,
    _DAY_MS,
    _KIND_STYLE,
    _STATUS_RGB,
    Chart,
    Plot,
    _esc,
    _hex,
    _open,
    _stacked_rows,
    _vline,
    _wrap,
    as_figure,
)

# -- 2. deadline timeline ------------------------------------------------------------------------------------


LABEL_WIDTH = 30  # characters per line of a milestone name: narrow enough to leave the dates room on a phone


def deadline_timeline(milestones: pl.DataFrame, findings: pl.DataFrame, as_of: date, language: str = "nb") -> go.Figure:
    """The DSOP milestones on a date axis (one row each, coloured by kind), and below them the open findings
    (action, at risk, unknown) per deadline as bars: red where the deadline has passed at `as_of`, amber where
    it is still ahead — a plan before the deadlines, an overdue list after them. A dotted line marks `as_of`."""
    return as_figure(deadline_timeline_spec(milestones, findings, as_of, language))


def deadline_timeline_spec(
    milestones: pl.DataFrame, findings: pl.DataFrame, as_of: date, language: str = "nb"
) -> dict[str, Any]:
    """`deadline_timeline` as plotly JSON (its `to_plotly_json()`), without building the go.Figure."""
    chart = Chart.start("deadline_timeline", language, "timeline_title")
    lang = chart.lang
    name_col = "name_nb" if lang == "nb" else "name_en"
    ms = milestones.select("milestone_id", "date", "kind", pl.col(name_col).alias("name"), "description").sort(
        "date", "milestone_id"
    )
    open_findings = findings.filter(_open())
    per_deadline = (
        open_findings.filter(pl.col("deadline").is_not_null())
        .group_by("deadline")
        .agg(pl.len().alias("n"), *[(pl.col("severity") == s).sum().alias(s) for s in SEVERITIES[:4]])
        .sort("deadline")
    )
    without = open_findings.filter(pl.col("deadline").is_null()).height
    if ms.height == 0 and per_deadline.height == 0:
        return chart.empty()

    # One y row per milestone, labelled with its (wrapped) name; duplicates get their date so none collapse.
    labels: list[str] = []
    for mid, day, _kind, ms_name, _ in ms.iter_rows():
        label = _wrap(str(ms_name or mid), LABEL_WIDTH)
        labels.append(label if label not in labels else f"{label} ({day.isoformat()})")
    days = [*ms["date"].to_list(), *per_deadline["deadline"].to_list(), as_of]
    lo, hi = min(days) - timedelta(days=45), max(days) + timedelta(days=75)
    middle = lo + (hi - lo) / 2
    # Each milestone row is tall enough for its wrapped label, so labels never touch their neighbours; the
    # findings bars below get a fixed height.
    lines = max((label.count("<br>") + 1 for label in labels), default=1)
    top_px, bottom_px = max(1, ms.height) * (16 * lines + 14), 200
    plot = Plot()
    _stacked_rows(
        plot,
        top_px / (top_px + bottom_px),
        bottom_px / (top_px + bottom_px),
        spacing=40 / (top_px + bottom_px + 40),
    )
    ms = ms.with_columns(pl.Series("label", labels, dtype=pl.String))
    milestone_names = {day: str(n) for day, n in ms.select("date", "name").iter_rows()}
    for kind in ("deadline", "availability", "event", "other"):
        part = ms.filter(
            pl.col("kind") == kind if kind != "other" else ~pl.col("kind").is_in(["deadline", "availability", "event"])
        )
        if part.height == 0:
            continue
        symbol, colour = _KIND_STYLE[kind]
        plot.trace(
            "scatter",
            x=[d.isoformat() for d in part["date"]],
            y=part["label"].to_list(),
            mode="markers+text",
            text=[d.isoformat() for d in part["date"]],
            # The date on the side of the marker with room, so it is never cut at the figure's edge.
            textposition=["middle right" if d <= middle else "middle left" for d in part["date"]],
            textfont={"size": 11, "color": "#555555"},
            marker={"symbol": symbol, "size": 13, "color": colour, "line": {"width": 2, "color": colour}},
            name=chart.t(f"kind_{kind}"),
            hovertext=[
                f"<b>{_esc(n)}</b><br>{d.isoformat()}<br>{_wrap(str(desc or ''), 60)}"
                for d, n, desc in part.select("date", "name", "description").iter_rows()
            ],
            hovertemplate="%{hovertext}<extra></extra>",
            cliponaxis=False,
            xaxis="x",
            yaxis="y",
        )
    # Bars as wide as the deadlines allow: 80 % of the smallest gap between two, between 4 and 20 days.
    bar_days = sorted(per_deadline["deadline"].to_list())
    gaps = [(b - a).days for a, b in pairwise(bar_days)]
    bar_width = min(max(0.8 * min(gaps, default=25), 4), 20) * _DAY_MS
    overdue_n = ahead_n = 0
    for overdue in (True, False):
        part = per_deadline.filter((pl.col("deadline") < as_of) if overdue else (pl.col("deadline") >= as_of))
        if part.height == 0:
            continue
        total = int(part["n"].sum())
        overdue_n, ahead_n = (total, ahead_n) if overdue else (overdue_n, total)
        hovers = []
        for row in part.iter_rows(named=True):
            day = row["deadline"]
            head = chart.t("open_on_deadline", n=chart.num(row["n"]), date=day.isoformat())
            ms_name = milestone_names.get(day)
            severities = " · ".join(f"{chart.code(s)} {row[s]}" for s in SEVERITIES[:4] if row[s])
            hovers.append("<br>".join(filter(None, [f"<b>{head}</b>", _esc(ms_name) if ms_name else "", severities])))
        plot.trace(
            "bar",
            x=[d.isoformat() for d in part["deadline"]],
            y=part["n"].to_list(),
            width=[bar_width] * part.height,
            marker={"color": _hex(_STATUS_RGB["at_risk"] if overdue else _STATUS_RGB["action"])},
            name=chart.t("bars_overdue" if overdue else "bars_ahead"),
            text=[str(n) for n in part["n"]],  # plotly shows text as strings
            textposition="outside",
            hovertext=hovers,
            hovertemplate="%{hovertext}<extra></extra>",
            cliponaxis=False,
            xaxis="x2",
            yaxis="y2",
        )
    if per_deadline.height == 0:
        plot.annotation(
            text=chart.t("no_open_with_deadline"), x=0.5, y=0.5, xref="x domain", yref="y2 domain", showarrow=False
        )

    plot.axes("x", range=[lo.isoformat(), hi.isoformat()], type="date", tickformat="%Y-%m", showgrid=True)
    plot.axes("x", title={"text": chart.t("date_axis")}, row=2)
    plot.axes("y", categoryorder="array", categoryarray=labels, autorange="reversed", automargin=True, row=1)
    max_n = max(per_deadline["n"].to_list(), default=0)
    plot.axes("y", title={"text": chart.t("open_findings")}, rangemode="tozero", range=[0, max(1, max_n) * 1.25], row=2)
    _vline(plot, as_of, chart.t("as_of", date=as_of.isoformat()), "#444444", "dot", (lo, hi))
    plot.update(bargap=0.1, legend=_BOTTOM_LEGEND, xaxis={"showticklabels": True})
    subtitle = chart.t(
        "timeline_subtitle",
        overdue=chart.num(overdue_n),
        ahead=chart.num(ahead_n),
        as_of=as_of.isoformat(),
        none=chart.num(without),
    )
    height = top_px + bottom_px + 40 + 90 + 110  # plots, gap, title and legend margins
    return chart.finish(plot, height, subtitle=subtitle, bottom=110)
