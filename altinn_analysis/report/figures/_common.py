"""What every chart shares: texts, colours, the house template, and the small helpers that build titles,
empty figures and date lines. Private to the figures package."""

from __future__ import annotations

import copy
import functools
import html
import inspect
import re
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from itertools import pairwise
from typing import Any

import plotly.graph_objects as go
import polars as pl

from altinn_analysis.impact import OPEN_STATUSES
from altinn_analysis.report._params import LANGUAGES
from altinn_analysis.report._texts import AREA_NAMES, CERTAINTY_LABELS, SEVERITY_LABELS, STATUS_LABELS, pick

FIGURES: tuple[str, ...] = (
    "roles_sankey",
    "deadline_timeline",
    "consent_expiry",
    "readiness_by_area",
    "sector_heatmap",
    "score_distribution",
)

# (bokmål, English). Placeholders are filled with str.format.
TEXTS: dict[str, tuple[str, str]] = {
    "no_data": ("Ingen data", "No data"),
    "as_of": ("per {date}", "as of {date}"),
    "more_names": ("… og {k} til", "… and {k} more"),
    # roles → packages
    "sankey_title": ("Altinn 2-roller → tilgangspakker", "Altinn 2 roles → access packages"),
    "sankey_subtitle": (
        "Bredde = innehavere (delt likt på kandidatpakkene); farge = rollens status; lysere = utledet kobling",
        "Width = holders (shared equally over the candidate packages); colour = the role's status; "
        "lighter = inferred mapping",
    ),
    "node_no_successor": ("Ingen etterfølger", "No successor"),
    "node_unknown": ("Ukjent rollekode", "Unknown role code"),
    "node_er_auto": ("Automatisk fra Enhetsregisteret", "Automatic from the Central Coordinating Register"),
    "node_explicit": ("Må delegeres eksplisitt", "Needs explicit delegation"),
    "node_more": ("+{k} flere", "+{k} more"),
    "holders": ("{n} innehaver(e)", "{n} holder(s)"),
    "status_line": ("Status: {status}", "Status: {status}"),
    "candidate_share": (
        "kandidat {i} av {k}; bredden er {n} ÷ {k}",
        "candidate {i} of {k}; the width is {n} ÷ {k}",
    ),
    "group_share": ("{m} av {k} kandidater", "{m} of {k} candidates"),
    "from_roles": ("Fra rollene: {roles}", "From the roles: {roles}"),
    "held_in_a3": ("Delegert i Altinn 3 i dag", "Delegated in Altinn 3 today"),
    "mapping": ("Kobling: {certainty}", "Mapping: {certainty}"),
    "legend_inferred": ("Lysere: utledet kobling", "Lighter: inferred mapping"),
    # deadlines
    "timeline_title": ("Frister og åpne funn", "Deadlines and open findings"),
    "timeline_subtitle": (
        "{overdue} åpne funn har passert fristen, {ahead} har frist etter {as_of}; {none} uten frist",
        "{overdue} open findings are past their deadline, {ahead} are due after {as_of}; {none} without a deadline",
    ),
    "kind_deadline": ("Frist", "Deadline"),
    "kind_availability": ("Tilgjengelig", "Available"),
    "kind_event": ("Hendelse", "Event"),
    "kind_other": ("Annet", "Other"),
    "bars_overdue": ("Åpne funn, fristen passert", "Open findings, past the deadline"),
    "bars_ahead": ("Åpne funn, fristen gjenstår", "Open findings, deadline ahead"),
    "open_findings": ("Åpne funn", "Open findings"),
    "open_on_deadline": ("{n} åpne funn med frist {date}", "{n} open findings due {date}"),
    "no_open_with_deadline": ("Ingen åpne funn med frist", "No open findings with a deadline"),
    "date_axis": ("Dato", "Date"),
    # consents
    "consent_title": ("Aktive samtykker etter utløpsmåned", "Active consents by expiry month"),
    "consent_subtitle": (
        "{n} Altinn 2-samtykker gjelder etter {boundary} og fortsatt {as_of}: de må innhentes på nytt i Altinn 3",
        "{n} Altinn 2 consents are valid after {boundary} and still on {as_of}: they must be obtained again "
        "in Altinn 3",
    ),
    "consent_a2_by": ("Altinn 2, utløper senest {boundary}", "Altinn 2, ends by {boundary}"),
    "consent_a2_after": (
        "Altinn 2, gjelder etter {boundary}: innhentes på nytt",
        "Altinn 2, valid after {boundary}: obtain again",
    ),
    "consent_a3": ("Altinn 3", "Altinn 3"),
    "consent_y": ("Antall samtykker", "Number of consents"),
    "consent_x": ("Gyldig til (måned)", "Valid to (month)"),
    "consent_hover": ("{series}<br>Utløper {month}: {n} samtykker", "{series}<br>Ends {month}: {n} consents"),
    "boundary": ("Altinn 2 stengt {date}", "Altinn 2 closed {date}"),
    # readiness by area
    "area_title": ("Beredskap per område", "Readiness by area"),
    "area_subtitle": ("Samlet beredskap: {score} av 100", "Overall readiness: {score} of 100"),
    "score_axis": ("Beredskap (0–100)", "Readiness (0–100)"),
    "not_applicable_short": ("i.r.", "n/a"),
    "area_hover_na": ("{area}: ingen relevante funn", "{area}: no applicable findings"),
    "area_hover": (
        "{area}: {score} av 100<br>{applicable} relevante funn, {open} åpne<br>{severities}",
        "{area}: {score} of 100<br>{applicable} applicable findings, {open} open<br>{severities}",
    ),
    # sector
    "heatmap_title": ("Beredskap per institusjon og område", "Readiness by institution and area"),
    "overall": ("Samlet", "Overall"),
    "heatmap_hover": (
        "{name}<br>{area}: {score}<br>{open} åpne funn, {critical} kritiske",
        "{name}<br>{area}: {score}<br>{open} open findings, {critical} critical",
    ),
    "heatmap_hover_overall": ("{name}<br>Samlet beredskap: {score}", "{name}<br>Overall readiness: {score}"),
    "distribution_title": ("Fordeling av beredskap i sektoren", "Distribution of readiness across the sector"),
    "distribution_subtitle": (
        "{n} institusjoner; median {median}",
        "{n} institutions; median {median}",
    ),
    "institutions_axis": ("Antall institusjoner", "Number of institutions"),
    "bin_hover": ("Beredskap {lo}–{hi}: {n} institusjon(er)", "Readiness {lo}–{hi}: {n} institution(s)"),
    "median": ("median {value}", "median {value}"),
}

# Coded values as the reader sees them (bokmål, English): the report's one table of them.
_CODES: dict[str, tuple[str, str]] = {**STATUS_LABELS, **SEVERITY_LABELS, **CERTAINTY_LABELS, **AREA_NAMES}

_STATUS_RGB: dict[str, tuple[int, int, int]] = {
    "done": (44, 160, 44),
    "action": (230, 145, 0),
    "at_risk": (214, 39, 40),
    "unknown": (127, 127, 127),
    "not_applicable": (189, 189, 189),
}
# Worst first: a role with several findings (held directly and through the ER) takes the worst status.
_STATUS_RANK = {"at_risk": 0, "unknown": 1, "action": 2, "done": 3, "not_applicable": 4}
_CERTAINTY_RANK = {"documented": 0, "inferred": 1, "unknown": 2}
_ALPHA = {"documented": 0.65, "inferred": 0.28, "unknown": 0.28}  # inferred mappings are drawn lighter
_SCORE_STOPS: tuple[tuple[float, tuple[int, int, int]], ...] = (
    (0.0, (215, 48, 39)),
    (0.5, (254, 224, 139)),
    (1.0, (26, 152, 80)),
)
_NULL_GREY = "#d9d9d9"
_SEPARATORS = {"nb": ", ", "en": ".,"}  # decimal then thousands separator
_KIND_STYLE: dict[str, tuple[str, str]] = {
    "deadline": ("diamond", "#d62728"),
    "availability": ("circle", "#2ca02c"),
    "event": ("circle-open", "#7f7f7f"),
    "other": ("square-open", "#7f7f7f"),
}
_DAY_MS = 86_400_000
SUBTITLE_WIDTH = 58  # characters per subtitle line: what a 400 px wide chart shows without cutting
# Legends sit at the bottom of the figure (not of the plot), below the x-axis title, whatever the height.
_BOTTOM_LEGEND: dict[str, Any] = {"orientation": "h", "yref": "container", "y": 0.01, "yanchor": "bottom", "x": 0}


# -- helpers -------------------------------------------------------------------------------------------------


def _lang(language: str) -> str:
    if language not in LANGUAGES:
        raise ValueError(f"language must be one of {', '.join(LANGUAGES)}, not {language!r}")
    return language


def _t(key: str, language: str, **fields: object) -> str:
    return pick(TEXTS[key], language).format(**fields)


def _code(value: str, language: str) -> str:
    pair = _CODES.get(value)
    return pick(pair, language) if pair else value


def _num(n: float, language: str) -> str:
    """Whole numbers with the language's thousands separator (a no-break space in bokmål)."""
    text = f"{round(n):,}"
    return text.replace(",", "\u00a0") if language == "nb" else text


def _esc(value: object) -> str:
    # Data goes into plotly's HTML-like labels: escape it so a name with "<" cannot break the chart.
    return html.escape(str(value), quote=False)


@functools.lru_cache(maxsize=4096)  # the milestone names and descriptions come back in every report
def _wrap(text: str, width: int = 32) -> str:
    return "<br>".join(_esc(line) for line in textwrap.wrap(text, width)) or _esc(text)


def _names_list(names: Sequence[str], language: str, limit: int = 10) -> str:
    shown = ", ".join(_esc(n) for n in names[:limit])
    return shown + (" " + _t("more_names", language, k=len(names) - limit) if len(names) > limit else "")


def _rgba(rgb: tuple[int, int, int], alpha: float) -> str:
    return f"rgba({rgb[0]},{rgb[1]},{rgb[2]},{alpha})"


def _hex(rgb: Sequence[int]) -> str:
    return "#" + "".join(f"{c:02x}" for c in rgb)


def _score_colour(score: float) -> str:
    """The heatmap's colour scale at `score` (0 red … 50 yellow … 100 green), for bars coloured one by one."""
    x = min(max(score / 100, 0.0), 1.0)
    for (x0, c0), (x1, c1) in pairwise(_SCORE_STOPS):
        if x <= x1:
            f = (x - x0) / (x1 - x0)
            return _hex(tuple(round(a + f * (b - a)) for a, b in zip(c0, c1, strict=True)))
    return _hex(_SCORE_STOPS[-1][1])


def _colourscale() -> list[list[Any]]:
    return [[x, _hex(rgb)] for x, rgb in _SCORE_STOPS]


_AXIS_STYLE = {
    "gridcolor": "#EBF0F8",
    "linecolor": "#EBF0F8",
    "zerolinecolor": "#EBF0F8",
    "zerolinewidth": 2,
    "ticks": "",
    "automargin": True,
    "title": {"standoff": 15},
}


# plotly_white's page look, without its per-trace defaults: plotly validates and deep-copies the whole template
# into every figure, which cost more than the figures themselves (and 7 KB of JSON each).
_HOUSE_LAYOUT: dict[str, Any] = {
    "font": {"color": "#2a3f5f"},
    "paper_bgcolor": "white",
    "plot_bgcolor": "white",
    "colorway": ["#636efa", "#EF553B", "#00cc96", "#ab63fa", "#FFA15A", "#19d3f3", "#FF6692"],
    "xaxis": _AXIS_STYLE,
    "yaxis": _AXIS_STYLE,
}


def _sorted(value: Any) -> Any:
    return {k: _sorted(value[k]) for k in sorted(value)} if isinstance(value, dict) else value


# The template as plotly writes it (`go.layout.Template(layout=_HOUSE_LAYOUT).to_plotly_json()`: plotly's layout
# classes set their properties in alphabetical order), made without plotly: building a validated Template loaded
# plotly's validator tables (~0.1 s per process) only to give back these dicts. A test checks they are plotly's.
_HOUSE_TEMPLATE: dict[str, Any] = {"layout": _sorted(_HOUSE_LAYOUT)}


@dataclass(frozen=True)
class Chart:
    """One chart in the making: its name, language and title, and its texts, coded values and numbers in that
    language. A chart starts with `Chart.start`, is drawn on a `Plot`, and ends with `finish` (or `empty` when
    there is nothing to draw)."""

    name: str
    lang: str
    title: str

    @classmethod
    def start(cls, name: str, language: str, title_key: str) -> Chart:
        lang = _lang(language)
        return cls(name, lang, _t(title_key, lang))

    def t(self, key: str, **fields: object) -> str:
        return _t(key, self.lang, **fields)

    def code(self, value: str) -> str:
        return _code(value, self.lang)

    def num(self, n: float) -> str:
        return _num(n, self.lang)

    def empty(self) -> dict[str, Any]:
        return _empty(self.name, self.lang, self.title)

    def finish(self, plot: Plot, height: int, subtitle: str | None = None, *, bottom: int = 40) -> dict[str, Any]:
        return _finish(plot, self.name, self.lang, self.title, height, subtitle, bottom=bottom)


class Plot:
    """A figure being built as plain dicts; `_finish` makes its plotly JSON, `as_figure` a go.Figure of that.

    plotly validates every `add_trace`, `update_layout` and `update_xaxes` call on a `go.Figure` path by path;
    building the same figure through those calls cost ~5× more than validating the finished dict in one go."""

    def __init__(self) -> None:
        self.data: list[dict[str, Any]] = []
        self.layout: dict[str, Any] = {}

    def trace(self, kind: str, **props: Any) -> None:
        trace: dict[str, Any] = {"type": kind}
        _merge(trace, props)
        self.data.append(trace)

    def update(self, **props: Any) -> None:
        """Merge `props` into the layout; nested dicts merge key by key, as plotly's `update_layout` does."""
        _merge(self.layout, props)

    def axes(self, letter: str, *, row: int | None = None, **props: Any) -> None:
        """Like `update_xaxes` / `update_yaxes`: every axis of `letter` ("x" or "y"), or the one of subplot `row`."""
        names = [k for k in self.layout if re.fullmatch(rf"{letter}axis\d*", k)] or [f"{letter}axis"]
        for axis in [f"{letter}axis{row if row and row > 1 else ''}"] if row else names:
            _merge(self.layout.setdefault(axis, {}), props)

    def shape(self, **props: Any) -> None:
        shape: dict[str, Any] = {}
        _merge(shape, props)
        self.layout.setdefault("shapes", []).append(shape)

    def annotation(self, **props: Any) -> None:
        annotation: dict[str, Any] = {}
        _merge(annotation, props)
        self.layout.setdefault("annotations", []).append(annotation)


def _merge(target: dict[str, Any], props: dict[str, Any]) -> None:
    """`props` into `target` as plotly stores them: None leaves a property unset."""
    for key, value in props.items():
        if value is None:
            continue
        if isinstance(value, dict):  # merged into a dict of the figure's own, so a shared constant never changes
            if not isinstance(target.get(key), dict):
                target[key] = {}
            _merge(target[key], value)
        else:
            target[key] = value


def _stacked_rows(plot: Plot, top: float, bottom: float, spacing: float) -> None:
    """Two rows sharing one date axis, as `make_subplots(rows=2, cols=1, shared_xaxes=True, row_heights=[top,
    bottom], vertical_spacing=spacing)` lays them out (the same domains, to the last digit)."""
    total = float(top + bottom)
    upper, lower = (1.0 - spacing) * (top / total), (1.0 - spacing) * (bottom / total)
    y_end = lower + spacing + upper
    plot.update(
        xaxis={"anchor": "y", "domain": [0.0, 1.0], "matches": "x2", "showticklabels": False},
        yaxis={"anchor": "x", "domain": [lower + spacing, 1.0 if 1.0 < y_end < 1.01 else y_end]},
        xaxis2={"anchor": "y2", "domain": [0.0, 1.0]},
        yaxis2={"anchor": "x2", "domain": [0.0, lower]},
    )


def _finish(
    plot: Plot,
    name: str,
    language: str,
    title: str,
    height: int,
    subtitle: str | None = None,
    *,
    empty: bool = False,
    bottom: int = 40,
) -> dict[str, Any]:
    """The finished figure as plotly JSON (see `plotly_json`)."""
    title_spec: dict[str, Any] = {"text": title, "x": 0.01, "xanchor": "left"}
    extra = 0
    if subtitle:
        # plotly never wraps a subtitle: broken into short lines it fits a phone's width instead of being cut.
        lines = textwrap.wrap(subtitle, SUBTITLE_WIDTH, break_long_words=False) or [subtitle]
        title_spec["subtitle"] = {"text": "<br>".join(lines)}
        extra = 16 * (len(lines) - 1)
    plot.update(
        height=height + extra,
        title=title_spec,
        meta={"figure": name, "language": language, "empty": empty},
        separators=_SEPARATORS[language],
        margin={"l": 20, "r": 20, "t": (90 + extra) if subtitle else 60, "b": bottom},
        hoverlabel={"align": "left"},
    )
    plot.layout["template"] = copy.deepcopy(_HOUSE_TEMPLATE)
    return plotly_json(plot.data, plot.layout)


def as_figure(spec: dict[str, Any]) -> go.Figure:
    """A `go.Figure` of plotly JSON from this package. Not validated again: the dicts come from this package's own
    code, and the tests validate every figure (`validate_figure`), which costs more than building it."""
    return go.Figure(spec, _validate=False)


@functools.cache
def _init_order(cls: type) -> dict[str, int]:
    """The order in which a plotly class's constructor sets its properties (its signature's order)."""
    return {p: i for i, p in enumerate(inspect.signature(cls).parameters)}


def _in_order(props: dict[str, Any], cls: type, extra: re.Pattern[str] | None = None) -> dict[str, Any] | None:
    """`props` in the order `cls`'s constructor sets them, then the keys `extra` matches in their own order;
    None if a key is neither (plotly would decide where it goes)."""
    order = _init_order(cls)
    known = sorted((k for k in props if k in order), key=order.__getitem__)
    rest = [k for k in props if k not in order]
    if rest and (extra is None or not all(extra.fullmatch(k) for k in rest)):
        return None
    return {k: props[k] for k in [*known, *rest]}


def plotly_json(data: list[dict[str, Any]], layout: dict[str, Any]) -> dict[str, Any]:
    """`go.Figure({"data": data, "layout": layout}, _validate=False).to_plotly_json()`, to the order of the keys
    (which the chart's HTML and its stable id are made from), without building the figure: plotly's constructors
    set a trace's and the layout's own properties in their signature's order and keep nested dicts as given; a
    trace's type comes last; a numbered axis (xaxis2) comes after the layout's own properties, its keys in its
    class's order (plotly builds it as an axis object)."""
    traces = []
    for trace in data:
        ordered = _in_order({k: v for k, v in trace.items() if k != "type"}, _TRACE_CLASSES[trace["type"]])
        if ordered is None:
            return _through_plotly(data, layout)
        ordered["type"] = trace["type"]
        traces.append(ordered)
    ordered_layout = _in_order(layout, go.Layout, _SUBPLOT_ID)
    if ordered_layout is None:
        return _through_plotly(data, layout)
    for key in ordered_layout:
        if _SUBPLOT_ID.fullmatch(key):
            axis = _in_order(layout[key], go.layout.XAxis if key[0] == "x" else go.layout.YAxis)
            if axis is None:
                return _through_plotly(data, layout)
            ordered_layout[key] = axis
    return {"data": traces, "layout": ordered_layout}


def _through_plotly(data: list[dict[str, Any]], layout: dict[str, Any]) -> dict[str, Any]:
    """What plotly makes of dicts this module does not order itself."""
    return dict(as_figure({"data": data, "layout": layout}).to_plotly_json())


_TRACE_CLASSES: dict[str, type] = {
    "bar": go.Bar,
    "scatter": go.Scatter,
    "sankey": go.Sankey,
    "heatmap": go.Heatmap,
    "histogram": go.Histogram,
}
_SUBPLOT_ID = re.compile(r"[xy]axis[2-9]\d*")


def validate_figure(fig: go.Figure) -> go.Figure:
    """`fig` checked by plotly's validators (every property name and value): raises ValueError if one is wrong."""
    return go.Figure(fig.to_plotly_json())


def _empty(name: str, language: str, title: str, height: int = 320) -> dict[str, Any]:
    plot = Plot()
    plot.annotation(
        text=_t("no_data", language), x=0.5, y=0.5, xref="paper", yref="paper", showarrow=False, font={"size": 18}
    )
    plot.axes("x", visible=False)
    plot.axes("y", visible=False)
    return _finish(plot, name, language, title, height, empty=True)


def _vline(
    plot: Plot, day: date, text: str, colour: str, dash: str, span: tuple[date, date], *, inside: bool = False
) -> None:
    """A dated vertical line with its label. The label sits on the side of the line with more room (so it is never
    cut at the figure's edge, at any width); `inside` puts it just inside the plot's top instead of above it, so two
    lines close together do not write over each other."""
    # A shape plus an annotation rather than add_vline: add_vline's annotation is unreliable on date axes.
    plot.shape(
        type="line",
        x0=day.isoformat(),
        x1=day.isoformat(),
        xref="x",
        yref="paper",
        y0=0,
        y1=1,
        line={"color": colour, "width": 2, "dash": dash},
        layer="above",
    )
    lo, hi = span
    left_half = (day - lo).days <= (hi - lo).days / 2
    plot.annotation(
        x=day.isoformat(),
        y=1,
        xref="x",
        yref="paper",
        text=text,
        showarrow=False,
        xanchor="left" if left_half else "right",
        yanchor="top" if inside else "bottom",
        xshift=4 if left_half else -4,
        bgcolor="rgba(255,255,255,0.85)" if inside else None,
        font={"color": colour, "size": 12},
    )


def _open() -> pl.Expr:
    return pl.col("status").is_in(list(OPEN_STATUSES))


def is_empty(fig: go.Figure) -> bool:
    """True for a figure built from no data: the report says so in a sentence instead of drawing it."""
    meta = fig.layout.meta
    return bool(isinstance(meta, dict) and meta.get("empty"))
