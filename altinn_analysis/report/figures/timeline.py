"""The deadline timeline: milestones above, open findings per deadline below."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from itertools import pairwise
from typing import Any

import plotly.graph_objects as go
import polars as pl

from altinn_analysis.impact import OPEN_STATUSES, SEVERITIES
from altinn_analysis.report.figures._common import (
    _BOTTOM_LEGEND,
    _DAY_MS,
    _KIND_STYLE,
    _STATUS_RGB,
    Chart,
    Plot,
    _esc,
    _hex,
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
    ms = milestone_rows(milestones, chart.lang)
    per_deadline, without = open_per_deadline(findings)
    if not ms.labels and not per_deadline:
        return chart.empty()

    days = [*ms.dates, *per_deadline, as_of]
    lo, hi = min(days) - timedelta(days=45), max(days) + timedelta(days=75)
    middle = lo + (hi - lo) / 2
    # Each milestone row is tall enough for its wrapped label, so labels never touch their neighbours; the
    # findings bars below get a fixed height.
    lines = max((label.count("<br>") + 1 for label in ms.labels), default=1)
    top_px, bottom_px = max(1, len(ms.labels)) * (16 * lines + 14), 200
    plot = Plot()
    _stacked_rows(
        plot,
        top_px / (top_px + bottom_px),
        bottom_px / (top_px + bottom_px),
        spacing=40 / (top_px + bottom_px + 40),
    )
    for kind, dates, labels, hovers in ms.kinds:
        symbol, colour = _KIND_STYLE[kind]
        plot.trace(
            "scatter",
            x=[d.isoformat() for d in dates],
            y=list(labels),
            mode="markers+text",
            text=[d.isoformat() for d in dates],
            # The date on the side of the marker with room, so it is never cut at the figure's edge.
            textposition=["middle right" if d <= middle else "middle left" for d in dates],
            textfont={"size": 11, "color": "#555555"},
            marker={"symbol": symbol, "size": 13, "color": colour, "line": {"width": 2, "color": colour}},
            name=chart.t(f"kind_{kind}"),
            hovertext=list(hovers),
            hovertemplate="%{hovertext}<extra></extra>",
            cliponaxis=False,
            xaxis="x",
            yaxis="y",
        )
    # Bars as wide as the deadlines allow: 80 % of the smallest gap between two, between 4 and 20 days.
    bar_days = sorted(per_deadline)
    gaps = [(b - a).days for a, b in pairwise(bar_days)]
    bar_width = min(max(0.8 * min(gaps, default=25), 4), 20) * _DAY_MS
    overdue_n = ahead_n = 0
    for overdue in (True, False):
        part = [(day, counts) for day, counts in per_deadline.items() if (day < as_of) == overdue]
        if not part:
            continue
        total = sum(counts[0] for _, counts in part)
        overdue_n, ahead_n = (total, ahead_n) if overdue else (overdue_n, total)
        bar_hovers: list[str] = []
        for day, counts in part:
            head = chart.t("open_on_deadline", n=chart.num(counts[0]), date=day.isoformat())
            ms_name = ms.names.get(day)
            severities = " · ".join(
                f"{chart.code(s)} {n}" for s, n in zip(SEVERITIES[:4], counts[1:], strict=True) if n
            )
            bar_hovers.append(
                "<br>".join(filter(None, [f"<b>{head}</b>", _esc(ms_name) if ms_name else "", severities]))
            )
        plot.trace(
            "bar",
            x=[day.isoformat() for day, _ in part],
            y=[counts[0] for _, counts in part],
            width=[bar_width] * len(part),
            marker={"color": _hex(_STATUS_RGB["at_risk"] if overdue else _STATUS_RGB["action"])},
            name=chart.t("bars_overdue" if overdue else "bars_ahead"),
            text=[str(counts[0]) for _, counts in part],  # plotly shows text as strings
            textposition="outside",
            hovertext=bar_hovers,
            hovertemplate="%{hovertext}<extra></extra>",
            cliponaxis=False,
            xaxis="x2",
            yaxis="y2",
        )
    if not per_deadline:
        plot.annotation(
            text=chart.t("no_open_with_deadline"), x=0.5, y=0.5, xref="x domain", yref="y2 domain", showarrow=False
        )

    plot.axes("x", range=[lo.isoformat(), hi.isoformat()], type="date", tickformat="%Y-%m", showgrid=True)
    plot.axes("x", title={"text": chart.t("date_axis")}, row=2)
    plot.axes("y", categoryorder="array", categoryarray=list(ms.labels), autorange="reversed", automargin=True, row=1)
    max_n = max((counts[0] for counts in per_deadline.values()), default=0)
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


@dataclass(frozen=True)
class _Milestones:
    """The milestone rows of the chart in one language: the same in every report of a run."""

    labels: tuple[str, ...]  # one y row per milestone, in date order
    dates: tuple[date, ...]
    names: dict[date, str]  # a deadline's milestone name, for the bars' hover
    kinds: tuple[tuple[str, tuple[date, ...], tuple[str, ...], tuple[str, ...]], ...]  # kind, dates, labels, hovers


_MILESTONES: dict[tuple[int, str], tuple[pl.DataFrame, _Milestones]] = {}


def milestone_rows(milestones: pl.DataFrame, language: str) -> _Milestones:
    """The milestone rows for `milestones` (a DSOP catalogue's table, kept by the catalogue cache) in `language`,
    made once per table and language: a warm kernel draws them for every report."""
    key = (id(milestones), language)
    kept = _MILESTONES.get(key)
    if kept is not None and kept[0] is milestones:
        return kept[1]
    if len(_MILESTONES) >= 8:  # old catalogues' tables: let them go
        _MILESTONES.clear()
    name_col = "name_nb" if language == "nb" else "name_en"
    ms = milestones.select("milestone_id", "date", "kind", pl.col(name_col).alias("name"), "description").sort(
        "date", "milestone_id"
    )
    # Labelled with the (wrapped) name; duplicates get their date so none collapse.
    labels: list[str] = []
    for mid, day, _kind, ms_name, _ in ms.iter_rows():
        label = _wrap(str(ms_name or mid), LABEL_WIDTH)
        labels.append(label if label not in labels else f"{label} ({day.isoformat()})")
    ms = ms.with_columns(pl.Series("label", labels, dtype=pl.String))
    kinds = []
    for kind in ("deadline", "availability", "event", "other"):
        part = ms.filter(
            pl.col("kind") == kind if kind != "other" else ~pl.col("kind").is_in(["deadline", "availability", "event"])
        )
        if part.height == 0:
            continue
        hovers = tuple(
            f"<b>{_esc(n)}</b><br>{d.isoformat()}<br>{_wrap(str(desc or ''), 60)}"
            for d, n, desc in part.select("date", "name", "description").iter_rows()
        )
        kinds.append((kind, tuple(part["date"].to_list()), tuple(part["label"].to_list()), hovers))
    made = _Milestones(
        labels=tuple(labels),
        dates=tuple(ms["date"].to_list()),
        names={day: str(n) for day, n in ms.select("date", "name").iter_rows()},
        kinds=tuple(kinds),
    )
    _MILESTONES[key] = (milestones, made)
    return made


def open_per_deadline(findings: pl.DataFrame) -> tuple[dict[date, list[int]], int]:
    """Open findings per deadline in date order, as [n, then one count per severity of `SEVERITIES[:4]`], and
    how many open findings have no deadline. A report has a few dozen findings: plain Python beats a query."""
    per: dict[date, list[int]] = {}
    without = 0
    rank = {s: i + 1 for i, s in enumerate(SEVERITIES[:4])}
    columns = (findings[c].to_list() for c in ("status", "deadline", "severity"))
    for status, deadline, severity in zip(*columns, strict=True):
        if status not in OPEN_STATUSES:
            continue
        if deadline is None:
            without += 1
            continue
        counts = per.setdefault(deadline, [0] * (len(rank) + 1))
        counts[0] += 1
        if severity in rank:
            counts[rank[severity]] += 1
    return {day: per[day] for day in sorted(per)}, without
