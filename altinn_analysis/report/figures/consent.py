"""Active consents by expiry month, against the day Altinn 2 closed."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import plotly.graph_objects as go
import polars as pl

from altinn_analysis.impact import consent_summary
from altinn_analysis.report.figures._common import (
    _BOTTOM_LEGEND,
    _STATUS_RGB,
    Chart,
    Plot,
    _esc,
    _hex,
    _vline,
    as_figure,
)

# -- 3. consents by expiry -----------------------------------------------------------------------------------


def consent_expiry(
    consents: pl.DataFrame | pl.LazyFrame, as_of: date, boundary: date, language: str = "nb"
) -> go.Figure:
    """Active consents (sum of `count`) by the month they end, stacked: Altinn 2 ending by `boundary`, Altinn 2
    valid after it (highlighted: to be obtained again in Altinn 3), and Altinn 3. Lines mark `boundary` (the
    milestone `altinn2-closed`, from the DSOP catalogue) and `as_of`. Aggregated lazily in polars, so millions of
    consent rows give a few dozen bars."""
    return as_figure(consent_expiry_spec(consents, as_of, boundary, language))


def consent_expiry_spec(
    consents: pl.DataFrame | pl.LazyFrame, as_of: date, boundary: date, language: str = "nb"
) -> dict[str, Any]:
    """`consent_expiry` as plotly JSON (its `to_plotly_json()`), without building the go.Figure."""
    chart = Chart.start("consent_expiry", language, "consent_title")
    groups = consent_groups(consents, as_of, boundary)
    if not groups or sum(n for *_, n in groups) == 0:
        return chart.empty()
    to_reobtain, ordered = consent_bars(groups)
    plot = Plot()
    styles = {
        "a2_by": ("consent_a2_by", "#9ecae9"),
        "a2_after": ("consent_a2_after", _hex(_STATUS_RGB["at_risk"])),
        "a3": ("consent_a3", _hex(_STATUS_RGB["done"])),
    }
    for key, (text_key, colour) in styles.items():
        part = [(month, n) for (series, month), n in ordered if series == key]
        if not part:
            continue
        label = chart.t(text_key, boundary=boundary.isoformat())
        plot.trace(
            "bar",
            x=[m.isoformat() for m, _ in part],
            y=[n for _, n in part],
            name=label,
            marker={"color": colour},
            xperiod="M1",
            xperiodalignment="middle",
            hovertext=[
                chart.t("consent_hover", series=_esc(label), month=m.strftime("%Y-%m"), n=chart.num(n)) for m, n in part
            ],
            hovertemplate="%{hovertext}<extra></extra>",
        )
    months = [month for (_series, month), _ in ordered]
    lo = min([*months, boundary, as_of]) - timedelta(days=31)
    hi = max([*months, boundary, as_of]) + timedelta(days=62)
    plot.axes(
        "x",
        range=[lo.isoformat(), hi.isoformat()],
        type="date",
        tickformat="%Y-%m",
        title={"text": chart.t("consent_x")},
    )
    plot.axes("y", title={"text": chart.t("consent_y")}, rangemode="tozero")
    span = (lo, hi)
    _vline(plot, boundary, chart.t("boundary", date=boundary.isoformat()), _hex(_STATUS_RGB["at_risk"]), "dash", span)
    _vline(plot, as_of, chart.t("as_of", date=as_of.isoformat()), "#444444", "dot", span, inside=True)
    plot.update(barmode="stack", bargap=0.15, legend=_BOTTOM_LEGEND)
    subtitle = chart.t(
        "consent_subtitle", n=chart.num(to_reobtain), boundary=boundary.isoformat(), as_of=as_of.isoformat()
    )
    return chart.finish(plot, 480, subtitle=subtitle, bottom=120)


def consent_groups(
    consents: pl.DataFrame | pl.LazyFrame, as_of: date, boundary: date
) -> list[tuple[str, date, bool, int]]:
    """Active consents summed by (series, month they end, still valid at `as_of`): series `a3`, `a2_after` (an
    Altinn 2 consent valid after `boundary`) or `a2_by`; consents without an end left out. From the few hundred
    rows of `impact.consent_summary` (aggregated once per report, shared with the assessment), in any order."""
    out: dict[tuple[str, date, bool], int] = {}
    for platform, _service, month, beyond, still, n in consent_summary(consents, as_of, boundary):
        if month is None:
            continue
        key = ("a3" if platform == "altinn3" else "a2_after" if beyond else "a2_by", month, still)
        out[key] = out.get(key, 0) + n
    return [(*key, n) for key, n in out.items()]


def consent_bars(groups: list[tuple[str, date, bool, int]]) -> tuple[int, list[tuple[tuple[str, date], int]]]:
    """From `consent_groups`: the consents to obtain again (Altinn 2, valid after the boundary and at `as_of`),
    and the bars, ((series, month), sum) ordered by series and month. A few dozen groups: summed up in plain
    Python (a query per step costs more than the sums)."""
    to_reobtain = sum(n for key, _month, still, n in groups if key == "a2_after" and still)
    bars: dict[tuple[str, date], int] = {}
    for key, month, _still, n in groups:
        bars[(key, month)] = bars.get((key, month), 0) + n
    return to_reobtain, sorted(bars.items())
