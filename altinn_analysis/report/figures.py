"""The report's plotly figures, built from tables (findings, inventory tables, the DSOP catalogue) — never in notebooks.

Every function is pure: the same tables give the same figure JSON. Each figure has `layout.meta = {"figure": name,
"language": …, "empty": …}` so a test or a browser check can find it, a small house template with plotly_white's
look, an explicit height, and nothing loaded from the network (no web fonts, no map tiles). Tables are aggregated
in polars before
plotting: a point per month, area, deadline or role, never one per consent row. An empty input gives a figure
with the note "Ingen data" / "No data". Every title, axis label, legend entry and hover text comes from `TEXTS`
(bokmål `nb`, the default, or English `en`).

```python
from altinn_analysis.report.figures import roles_sankey, readiness_by_area
roles_sankey(findings, inventory.delegations, load_dsop(), language="en")
readiness_by_area(findings)
```
"""

from __future__ import annotations

import functools
import html
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from itertools import pairwise
from typing import TYPE_CHECKING, Any

import plotly.graph_objects as go
import polars as pl
from plotly.subplots import make_subplots

from altinn_analysis.impact import AREAS, OPEN_STATUSES, SEVERITIES, STATUSES, readiness
from altinn_analysis.report._texts import AREA_NAMES, CERTAINTY_LABELS, SEVERITY_LABELS, STATUS_LABELS

if TYPE_CHECKING:
    from altinn_analysis.catalogue import DsopCatalogue

__all__ = [
    "ALTINN2_CLOSED",
    "FIGURES",
    "LANGUAGES",
    "MAX_CANDIDATES",
    "TEXTS",
    "consent_expiry",
    "deadline_timeline",
    "readiness_by_area",
    "roles_sankey",
    "score_distribution",
    "sector_heatmap",
]

LANGUAGES: tuple[str, ...] = ("nb", "en")
ALTINN2_CLOSED = date(2026, 6, 19)  # the milestone `altinn2-closed`; consents valid after it must be re-obtained
MAX_CANDIDATES = 5  # candidate packages shown per role in the Sankey; the rest become one "+k more" node
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
# Legends sit at the bottom of the figure (not of the plot), below the x-axis title, whatever the height.
_BOTTOM_LEGEND: dict[str, Any] = {"orientation": "h", "yref": "container", "y": 0.01, "yanchor": "bottom", "x": 0}


# -- helpers -------------------------------------------------------------------------------------------------


def _lang(language: str) -> str:
    if language not in LANGUAGES:
        raise ValueError(f"language must be one of {', '.join(LANGUAGES)}, not {language!r}")
    return language


def _t(key: str, language: str, **fields: object) -> str:
    nb, en = TEXTS[key]
    return (nb if language == "nb" else en).format(**fields)


def _code(value: str, language: str) -> str:
    pair = _CODES.get(value)
    return (pair[0] if language == "nb" else pair[1]) if pair else value


def _num(n: float, language: str) -> str:
    """Whole numbers with the language's thousands separator (a no-break space in bokmål)."""
    text = f"{round(n):,}"
    return text.replace(",", "\u00a0") if language == "nb" else text


def _esc(value: object) -> str:
    # Data goes into plotly's HTML-like labels: escape it so a name with "<" cannot break the chart.
    return html.escape(str(value), quote=False)


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


@functools.cache
def _house_template() -> go.layout.Template:
    """plotly_white's page look, without its per-trace defaults: plotly validates and deep-copies the whole
    template into every figure, which cost more than the figures themselves (and 7 KB of JSON each)."""
    return go.layout.Template(
        layout={
            "font": {"color": "#2a3f5f"},
            "paper_bgcolor": "white",
            "plot_bgcolor": "white",
            "colorway": ["#636efa", "#EF553B", "#00cc96", "#ab63fa", "#FFA15A", "#19d3f3", "#FF6692"],
            "xaxis": _AXIS_STYLE,
            "yaxis": _AXIS_STYLE,
        }
    )


def _finish(
    fig: go.Figure,
    name: str,
    language: str,
    title: str,
    height: int,
    subtitle: str | None = None,
    *,
    empty: bool = False,
    bottom: int = 40,
) -> go.Figure:
    title_spec: dict[str, Any] = {"text": title, "x": 0.01, "xanchor": "left"}
    if subtitle:
        title_spec["subtitle"] = {"text": subtitle}
    fig.update_layout(
        template=_house_template(),
        height=height,
        title=title_spec,
        meta={"figure": name, "language": language, "empty": empty},
        separators=_SEPARATORS[language],
        margin={"l": 20, "r": 20, "t": 90 if subtitle else 60, "b": bottom},
        hoverlabel={"align": "left"},
    )
    return fig


def _empty(name: str, language: str, title: str, height: int = 320) -> go.Figure:
    fig = go.Figure()
    fig.add_annotation(
        text=_t("no_data", language), x=0.5, y=0.5, xref="paper", yref="paper", showarrow=False, font={"size": 18}
    )
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    return _finish(fig, name, language, title, height, empty=True)


def _vline(fig: go.Figure, day: date, text: str, colour: str, dash: str, xanchor: str, y: float = 1.0) -> None:
    # A shape plus an annotation rather than add_vline: add_vline's annotation is unreliable on date axes.
    fig.add_shape(
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
    fig.add_annotation(
        x=day.isoformat(),
        y=y,
        xref="x",
        yref="paper",
        text=text,
        showarrow=False,
        xanchor=xanchor,
        yanchor="bottom",
        font={"color": colour, "size": 12},
    )


def _open() -> pl.Expr:
    return pl.col("status").is_in(list(OPEN_STATUSES))


# -- 1. roles → access packages ------------------------------------------------------------------------------


@dataclass
class _Nodes:
    """Sankey nodes in first-use order, so the same input always gives the same indices."""

    index: dict[str, int] = field(default_factory=dict)
    labels: list[str] = field(default_factory=list)
    colours: list[str] = field(default_factory=list)
    hovers: list[str] = field(default_factory=list)
    roles: dict[str, list[str]] = field(default_factory=dict)  # right node → the roles that point at it

    def add(self, key: str, label: str, colour: str, hover: str) -> int:
        if key not in self.index:
            self.index[key] = len(self.labels)
            self.labels.append(label)
            self.colours.append(colour)
            self.hovers.append(hover)
        return self.index[key]


@dataclass(frozen=True)
class _Link:
    source: int
    target: int
    value: float
    status: str
    certainty: str
    hover: str


def _role_findings(findings: pl.DataFrame) -> dict[str, dict[str, Any]]:
    """Role code → worst status, the rules that fired, certainty and a detail line (from the role findings)."""
    out: dict[str, dict[str, Any]] = {}
    rows = findings.filter(pl.col("area") == "roles").select("subject", "rule_id", "status", "certainty", "detail")
    for subject, rule_id, status, certainty, detail in rows.iter_rows():
        code = str(subject).strip().upper()
        entry = out.setdefault(code, {"status": status, "rules": [], "certainty": certainty, "details": []})
        if _STATUS_RANK.get(status, 9) < _STATUS_RANK.get(entry["status"], 9):
            entry["status"] = status
        if _CERTAINTY_RANK.get(certainty, 2) > _CERTAINTY_RANK.get(entry["certainty"], 2):
            entry["certainty"] = certainty  # the weakest certainty wins
        entry["rules"].append(rule_id)
        if detail:
            entry["details"].append(str(detail))
    return out


def roles_sankey(
    findings: pl.DataFrame, delegations: pl.DataFrame, dsop: DsopCatalogue, language: str = "nb"
) -> go.Figure:
    """Altinn 2 roles (left) → candidate access packages (right), one left node per role code the inventory holds.

    Right nodes: the candidate packages from `dsop.role_successors` (by name), at most `MAX_CANDIDATES` per role
    (packages already delegated in Altinn 3 first, then the table's order) and one "+k more" node for the rest;
    plus "no successor", "unknown role code", "automatic from the ER" (ER roles whose packages come by
    themselves) and "needs explicit delegation" (ER roles that give no package). A role's holders are shared
    equally over its candidates, so its node is as wide as its holder count. Links are coloured by the role
    finding's status, lighter when the mapping is inferred; hovers say so.
    """
    lang = _lang(language)
    name, title = "roles_sankey", _t("sankey_title", lang)
    roles = (
        delegations.filter((pl.col("platform") == "altinn2") & (pl.col("grant_type") == "role"))
        .with_columns(pl.col("grant").str.strip_chars().str.to_uppercase().alias("code"))
        .group_by("code")
        .agg(pl.col("holder_id").n_unique().alias("holders"))
        .sort(["holders", "code"], descending=[True, False])
    )
    if roles.height == 0:
        return _empty(name, lang, title)
    held_a3 = set(
        delegations.filter((pl.col("platform") == "altinn3") & (pl.col("grant_type") == "access_package"))["grant"]
    )
    role_info = _role_findings(findings)
    succ = dsop.role_successors.with_columns(pl.col("altinn2_role_code").str.to_uppercase().alias("_code"))
    succ_by_code = {str(code): group for (code,), group in succ.group_by("_code", maintain_order=True)}

    nodes = _Nodes()
    links: list[_Link] = []
    special = {
        "no_successor": ("node_no_successor", _hex(_STATUS_RGB["at_risk"])),
        "unknown": ("node_unknown", _hex(_STATUS_RGB["unknown"])),
        "er_auto": ("node_er_auto", _hex(_STATUS_RGB["done"])),
        "explicit": ("node_explicit", _hex(_STATUS_RGB["action"])),
    }
    for code, holders in roles.iter_rows():
        info = role_info.get(code, {"status": "unknown", "rules": [], "certainty": "unknown", "details": []})
        status: str = info["status"]
        rows = succ_by_code.get(code, succ.clear())
        role_name = ""
        if rows.height:
            role_name = str(rows["role_name_nb" if lang == "nb" else "role_name_en"][0] or "")
        head = f"<b>{_esc(code)}</b>" + (f" – {_esc(role_name)}" if role_name else "")
        lines = [head, _t("holders", lang, n=_num(holders, lang)), _t("status_line", lang, status=_code(status, lang))]
        lines += [_esc(d) for d in info["details"][:2]]
        left = nodes.add(
            f"role:{code}", _esc(code), _hex(_STATUS_RGB.get(status, _STATUS_RGB["unknown"])), "<br>".join(lines)
        )

        seen: set[str] = set()
        candidates: list[tuple[str, str, str]] = []
        for urn, pkg_name, certainty in rows.select("package_urn", "package_name_nb", "certainty").iter_rows():
            if urn and urn not in seen:
                seen.add(urn)
                candidates.append((str(urn), str(pkg_name or urn), str(certainty or "unknown")))
        # What is already delegated in Altinn 3 is what the reader most needs to see; the sort is stable.
        candidates.sort(key=lambda c: c[0] not in held_a3)

        role_line = f"{_esc(code)} → "
        if candidates:
            k = len(candidates)
            shown = candidates[:MAX_CANDIDATES]
            for i, (urn, pkg_name, certainty) in enumerate(shown, start=1):
                pkg_hover = [f"<b>{_esc(pkg_name)}</b>", _esc(urn)] + (
                    [_t("held_in_a3", lang)] if urn in held_a3 else []
                )
                target = nodes.add(f"pkg:{urn}", _esc(pkg_name), "#4c78a8", "<br>".join(pkg_hover))
                nodes.roles.setdefault(f"pkg:{urn}", []).append(code)
                hover = [
                    role_line + _esc(pkg_name),
                    _t("holders", lang, n=_num(holders, lang)),
                    _t("status_line", lang, status=_code(status, lang)),
                    _t("mapping", lang, certainty=_code(certainty, lang)),
                ]
                if k > 1:
                    hover.append(_t("candidate_share", lang, i=i, k=k, n=_num(holders, lang)))
                links.append(_Link(left, target, holders / k, status, certainty, "<br>".join(hover)))
            rest = candidates[len(shown) :]
            if rest:
                label = _t("node_more", lang, k=len(rest))
                more_hover = f"<b>{_esc(code)}: {label}</b><br>" + "<br>".join(_esc(c[1]) for c in rest)
                target = nodes.add(f"more:{code}", label, "#9ecae9", more_hover)
                certainty = "documented" if all(c[2] == "documented" for c in rest) else "inferred"
                hover = [
                    role_line + label,
                    _t("holders", lang, n=_num(holders, lang)),
                    _t("group_share", lang, m=len(rest), k=k),
                    _t("mapping", lang, certainty=_code(certainty, lang)),
                ]
                links.append(_Link(left, target, holders * len(rest) / k, status, certainty, "<br>".join(hover)))
            continue

        rules: list[str] = info["rules"]
        if rows.height:
            kind = "no_successor"
        elif "roles.unknown" in rules or not rules:
            kind = "unknown"
        elif "roles.er_loses_access" in rules:
            kind = "explicit"
        elif status == "done":
            kind = "er_auto"
        else:
            kind = "no_successor"  # an ER role that neither gave nor gives anything: nothing to move
        key, colour = special[kind]
        label = _t(key, lang)
        target = nodes.add(f"special:{kind}", label, colour, f"<b>{label}</b>")
        nodes.roles.setdefault(f"special:{kind}", []).append(code)
        certainty = "documented" if kind in ("er_auto", "explicit") else str(info["certainty"] or "unknown")
        hover = [
            role_line + label,
            _t("holders", lang, n=_num(holders, lang)),
            _t("status_line", lang, status=_code(status, lang)),
        ]
        links.append(_Link(left, target, float(holders), status, certainty, "<br>".join(hover)))

    hovers = list(nodes.hovers)
    for key, codes in nodes.roles.items():
        i = nodes.index[key]
        hovers[i] += "<br>" + _t("from_roles", lang, roles=_names_list(codes, lang))
    fig = go.Figure(
        go.Sankey(
            arrangement="snap",
            node={
                "label": nodes.labels,
                "color": nodes.colours,
                "customdata": hovers,
                "hovertemplate": "%{customdata}<extra></extra>",
                "pad": 10,
                "thickness": 16,
                "line": {"width": 0},
            },
            link={
                "source": [lk.source for lk in links],
                "target": [lk.target for lk in links],
                "value": [round(lk.value, 4) for lk in links],
                "color": [
                    _rgba(_STATUS_RGB.get(lk.status, _STATUS_RGB["unknown"]), _ALPHA.get(lk.certainty, 0.28))
                    for lk in links
                ],
                "customdata": [lk.hover for lk in links],
                "hovertemplate": "%{customdata}<extra></extra>",
            },
        )
    )
    # The Sankey has no legend of its own: empty marker traces name the link colours.
    present = {lk.status for lk in links}
    for status in STATUSES:
        if status in present:
            fig.add_trace(_legend_entry(_code(status, lang), _rgba(_STATUS_RGB[status], 0.8)))
    if any(lk.certainty != "documented" for lk in links):
        fig.add_trace(_legend_entry(_t("legend_inferred", lang), _rgba(_STATUS_RGB["unknown"], 0.28)))
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    fig.update_layout(legend=_BOTTOM_LEGEND)
    right = len(nodes.labels) - roles.height
    height = max(420, 28 * max(roles.height, right) + 180)
    return _finish(fig, name, lang, title, height, subtitle=_t("sankey_subtitle", lang), bottom=70)


def _legend_entry(label: str, colour: str) -> go.Scatter:
    return go.Scatter(
        x=[None],
        y=[None],
        mode="markers",
        marker={"size": 12, "color": colour, "symbol": "square"},
        name=label,
        hoverinfo="skip",
        showlegend=True,
    )


# -- 2. deadline timeline ------------------------------------------------------------------------------------


def deadline_timeline(milestones: pl.DataFrame, findings: pl.DataFrame, as_of: date, language: str = "nb") -> go.Figure:
    """The DSOP milestones on a date axis (one row each, coloured by kind), and below them the open findings
    (action, at risk, unknown) per deadline as bars: red where the deadline has passed at `as_of`, amber where
    it is still ahead — a plan before the deadlines, an overdue list after them. A dotted line marks `as_of`."""
    lang = _lang(language)
    name, title = "deadline_timeline", _t("timeline_title", lang)
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
        return _empty(name, lang, title)

    fig = make_subplots(rows=2, cols=1, shared_xaxes=True, row_heights=[0.62, 0.38], vertical_spacing=0.06)
    # One y row per milestone, labelled with its (wrapped) name; duplicates get their date so none collapse.
    labels: list[str] = []
    for mid, day, _kind, ms_name, _ in ms.iter_rows():
        label = _wrap(str(ms_name or mid), 38)
        labels.append(label if label not in labels else f"{label} ({day.isoformat()})")
    ms = ms.with_columns(pl.Series("label", labels, dtype=pl.String))
    milestone_names = {day: str(n) for day, n in ms.select("date", "name").iter_rows()}
    for kind in ("deadline", "availability", "event", "other"):
        part = ms.filter(
            pl.col("kind") == kind if kind != "other" else ~pl.col("kind").is_in(["deadline", "availability", "event"])
        )
        if part.height == 0:
            continue
        symbol, colour = _KIND_STYLE[kind]
        fig.add_trace(
            go.Scatter(
                x=[d.isoformat() for d in part["date"]],
                y=part["label"].to_list(),
                mode="markers+text",
                text=[d.isoformat() for d in part["date"]],
                textposition="middle right",
                textfont={"size": 11, "color": "#555555"},
                marker={"symbol": symbol, "size": 13, "color": colour, "line": {"width": 2, "color": colour}},
                name=_t(f"kind_{kind}", lang),
                hovertext=[
                    f"<b>{_esc(n)}</b><br>{d.isoformat()}<br>{_wrap(str(desc or ''), 60)}"
                    for d, n, desc in part.select("date", "name", "description").iter_rows()
                ],
                hovertemplate="%{hovertext}<extra></extra>",
                cliponaxis=False,
            ),
            row=1,
            col=1,
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
            head = _t("open_on_deadline", lang, n=_num(row["n"], lang), date=day.isoformat())
            ms_name = milestone_names.get(day)
            severities = " · ".join(f"{_code(s, lang)} {row[s]}" for s in SEVERITIES[:4] if row[s])
            hovers.append("<br>".join(filter(None, [f"<b>{head}</b>", _esc(ms_name) if ms_name else "", severities])))
        fig.add_trace(
            go.Bar(
                x=[d.isoformat() for d in part["deadline"]],
                y=part["n"].to_list(),
                width=[bar_width] * part.height,
                marker={"color": _hex(_STATUS_RGB["at_risk"] if overdue else _STATUS_RGB["action"])},
                name=_t("bars_overdue" if overdue else "bars_ahead", lang),
                text=part["n"].to_list(),
                textposition="outside",
                hovertext=hovers,
                hovertemplate="%{hovertext}<extra></extra>",
                cliponaxis=False,
            ),
            row=2,
            col=1,
        )
    if per_deadline.height == 0:
        fig.add_annotation(
            text=_t("no_open_with_deadline", lang), x=0.5, y=0.5, xref="x domain", yref="y2 domain", showarrow=False
        )

    days = [*ms["date"].to_list(), *per_deadline["deadline"].to_list(), as_of]
    lo, hi = min(days) - timedelta(days=45), max(days) + timedelta(days=75)
    fig.update_xaxes(range=[lo.isoformat(), hi.isoformat()], type="date", tickformat="%Y-%m", showgrid=True)
    fig.update_xaxes(title_text=_t("date_axis", lang), row=2, col=1)
    fig.update_yaxes(categoryorder="array", categoryarray=labels, autorange="reversed", automargin=True, row=1, col=1)
    max_n = max(per_deadline["n"].to_list(), default=0)
    fig.update_yaxes(
        title_text=_t("open_findings", lang), rangemode="tozero", range=[0, max(1, max_n) * 1.25], row=2, col=1
    )
    _vline(fig, as_of, _t("as_of", lang, date=as_of.isoformat()), "#444444", "dot", "left")
    fig.update_layout(bargap=0.1, legend=_BOTTOM_LEGEND, xaxis_showticklabels=True)
    subtitle = _t(
        "timeline_subtitle",
        lang,
        overdue=_num(overdue_n, lang),
        ahead=_num(ahead_n, lang),
        as_of=as_of.isoformat(),
        none=_num(without, lang),
    )
    height = max(460, 30 * ms.height + 360)
    return _finish(fig, name, lang, title, height, subtitle=subtitle, bottom=110)


# -- 3. consents by expiry -----------------------------------------------------------------------------------


def consent_expiry(
    consents: pl.DataFrame | pl.LazyFrame, as_of: date, boundary: date = ALTINN2_CLOSED, language: str = "nb"
) -> go.Figure:
    """Active consents (sum of `count`) by the month they end, stacked: Altinn 2 ending by `boundary`, Altinn 2
    valid after it (highlighted: to be obtained again in Altinn 3), and Altinn 3. Lines mark `boundary` and
    `as_of`. Aggregated lazily in polars, so millions of consent rows give a few dozen bars."""
    lang = _lang(language)
    name, title = "consent_expiry", _t("consent_title", lang)
    series = (
        pl.when(pl.col("platform") == "altinn3")
        .then(pl.lit("a3"))
        .when(pl.col("valid_to") > boundary)
        .then(pl.lit("a2_after"))
        .otherwise(pl.lit("a2_by"))
    )
    agg = (
        consents.lazy()
        .filter(
            (pl.col("status") == "active")
            & pl.col("platform").is_in(["altinn2", "altinn3"])
            & pl.col("valid_to").is_not_null()
        )
        .group_by(
            series.alias("series"),
            pl.col("valid_to").dt.truncate("1mo").alias("month"),
            (pl.col("valid_to") >= as_of).alias("still"),
        )
        .agg(pl.col("count").sum().alias("n"))
        .collect()
    )
    if agg.height == 0 or int(agg["n"].sum()) == 0:
        return _empty(name, lang, title)
    to_reobtain = int(agg.filter((pl.col("series") == "a2_after") & pl.col("still"))["n"].sum())
    bars = agg.group_by("series", "month").agg(pl.col("n").sum()).sort("series", "month")
    fig = go.Figure()
    styles = {
        "a2_by": ("consent_a2_by", "#9ecae9"),
        "a2_after": ("consent_a2_after", _hex(_STATUS_RGB["at_risk"])),
        "a3": ("consent_a3", _hex(_STATUS_RGB["done"])),
    }
    for key, (text_key, colour) in styles.items():
        part = bars.filter(pl.col("series") == key)
        if part.height == 0:
            continue
        label = _t(text_key, lang, boundary=boundary.isoformat())
        fig.add_trace(
            go.Bar(
                x=[m.isoformat() for m in part["month"]],
                y=part["n"].to_list(),
                name=label,
                marker={"color": colour},
                xperiod="M1",
                xperiodalignment="middle",
                hovertext=[
                    _t("consent_hover", lang, series=_esc(label), month=m.strftime("%Y-%m"), n=_num(n, lang))
                    for m, n in part.select("month", "n").iter_rows()
                ],
                hovertemplate="%{hovertext}<extra></extra>",
            )
        )
    months = bars["month"].to_list()
    lo = min([*months, boundary, as_of]) - timedelta(days=31)
    hi = max([*months, boundary, as_of]) + timedelta(days=62)
    fig.update_xaxes(
        range=[lo.isoformat(), hi.isoformat()], type="date", tickformat="%Y-%m", title_text=_t("consent_x", lang)
    )
    fig.update_yaxes(title_text=_t("consent_y", lang), rangemode="tozero")
    _vline(
        fig, boundary, _t("boundary", lang, date=boundary.isoformat()), _hex(_STATUS_RGB["at_risk"]), "dash", "right"
    )
    _vline(fig, as_of, _t("as_of", lang, date=as_of.isoformat()), "#444444", "dot", "left")
    fig.update_layout(barmode="stack", bargap=0.15, legend=_BOTTOM_LEGEND)
    subtitle = _t(
        "consent_subtitle", lang, n=_num(to_reobtain, lang), boundary=boundary.isoformat(), as_of=as_of.isoformat()
    )
    return _finish(fig, name, lang, title, 480, subtitle=subtitle, bottom=120)


# -- 4. readiness by area ------------------------------------------------------------------------------------


def readiness_by_area(findings: pl.DataFrame, language: str = "nb") -> go.Figure:
    """Readiness 0–100 per area (`readiness(findings, by=["area"])`) as horizontal bars in `AREAS` order, coloured
    on the red–green scale; an area with no applicable finding shows "n/a". The hover counts the open findings
    by severity."""
    lang = _lang(language)
    name, title = "readiness_by_area", _t("area_title", lang)
    if findings.height == 0:
        return _empty(name, lang, title)
    scores = {
        a: (s, n) for a, n, s in readiness(findings, by=["area"]).select("area", "applicable", "score").iter_rows()
    }
    open_counts = {
        row["area"]: row
        for row in findings.filter(_open())
        .group_by("area")
        .agg(pl.len().alias("open"), *[(pl.col("severity") == s).sum().alias(s) for s in SEVERITIES[:4]])
        .iter_rows(named=True)
    }
    areas = [*AREAS, *sorted(set(scores) - set(AREAS))]
    ys, xs, texts, colours, hovers = [], [], [], [], []
    for area in areas:
        label = _code(area, lang)
        ys.append(label)
        if area not in scores:
            xs.append(0)
            texts.append(_t("not_applicable_short", lang))
            colours.append(_NULL_GREY)
            hovers.append(_t("area_hover_na", lang, area=_esc(label)))
            continue
        score, applicable = scores[area]
        counts = open_counts.get(area, {})
        severities = " · ".join(f"{_code(s, lang)} {counts.get(s, 0)}" for s in SEVERITIES[:4])
        xs.append(score)
        texts.append(str(score))
        colours.append(_score_colour(score))
        hovers.append(
            _t(
                "area_hover",
                lang,
                area=_esc(label),
                score=score,
                applicable=_num(applicable, lang),
                open=_num(counts.get("open", 0), lang),
                severities=severities,
            )
        )
    fig = go.Figure(
        go.Bar(
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
    )
    fig.update_xaxes(range=[0, 108], title_text=_t("score_axis", lang), tickvals=[0, 25, 50, 75, 100])
    fig.update_yaxes(autorange="reversed", automargin=True)
    overall = readiness(findings)["score"]
    subtitle = _t("area_subtitle", lang, score=overall[0]) if overall.len() else None
    return _finish(fig, name, lang, title, 80 + 44 * len(areas) + 80, subtitle=subtitle)


# -- 5. sector heatmap ---------------------------------------------------------------------------------------


def sector_heatmap(area_scores: pl.DataFrame, names: pl.DataFrame | None = None, language: str = "nb") -> go.Figure:
    """Institution × area readiness (`impact.area_scores`): 0 red … 100 green, grey with "–" where an area does
    not apply. `names` maps org_number → name; when it also has a `score` column (e.g. `sector_summary`), an
    "Overall" column is added and the rows are sorted by it, most ready first (else by name)."""
    lang = _lang(language)
    name, title = "sector_heatmap", _t("heatmap_title", lang)
    if area_scores.height == 0:
        return _empty(name, lang, title)
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
    areas = [*AREAS, *sorted(set(area_scores["area"]) - set(AREAS))]
    cells = {
        (o, a): (s, op, cr)
        for o, a, s, op, cr in area_scores.select("org_number", "area", "score", "open", "critical").iter_rows()
    }
    columns = ([_t("overall", lang)] if has_score else []) + [_code(a, lang) for a in areas]
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
            hr.append(_t("heatmap_hover_overall", lang, name=label, score="–" if total is None else total))
        for area in areas:
            score, n_open, n_crit = cells.get((org, area), (None, 0, 0))
            zr.append(score)
            tr.append("–" if score is None else str(score))
            hr.append(
                _t(
                    "heatmap_hover",
                    lang,
                    name=label,
                    area=_code(area, lang),
                    score=_t("not_applicable_short", lang) if score is None else score,
                    open=_num(n_open or 0, lang),
                    critical=_num(n_crit or 0, lang),
                )
            )
        z.append(zr)
        text.append(tr)
        hover.append(hr)
    fig = go.Figure(
        go.Heatmap(
            z=z,
            x=columns,
            y=row_labels,
            text=text,
            texttemplate="%{text}",
            hovertext=hover,
            hovertemplate="%{hovertext}<extra></extra>",
            colorscale=_colourscale(),
            zmin=0,
            zmax=100,
            xgap=2,
            ygap=2,
            colorbar={"title": {"text": _t("score_axis", lang)}, "thickness": 14},
        )
    )
    fig.update_yaxes(autorange="reversed", automargin=True, showgrid=False)
    fig.update_xaxes(side="top", showgrid=False)
    fig.update_layout(plot_bgcolor=_NULL_GREY)  # null cells are transparent: the grey behind them shows "n/a"
    return _finish(fig, name, lang, title, max(320, 26 * orgs.height + 160))


# -- 6. score distribution -----------------------------------------------------------------------------------


def score_distribution(summary: pl.DataFrame, language: str = "nb") -> go.Figure:
    """How readiness is spread over the institutions (`sector_summary`): bins of 10 (the last is 90–100), the
    institutions' names in each bin's hover, and a line at the median."""
    lang = _lang(language)
    name, title = "score_distribution", _t("distribution_title", lang)
    scored = summary.filter(pl.col("score").is_not_null())
    if scored.height == 0:
        return _empty(name, lang, title)
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
        head = _t("bin_hover", lang, lo=lo, hi=hi, n=len(members))
        hovers.append(f"<b>{head}</b>" + ("<br>" + _names_list(members, lang) if members else ""))
    fig = go.Figure(
        go.Bar(
            x=xs,
            y=ys,
            width=[9.6] * 10,
            marker={"color": [_score_colour(x) for x in xs], "line": {"width": 1, "color": "#888888"}},
            hovertext=hovers,
            hovertemplate="%{hovertext}<extra></extra>",
            showlegend=False,
        )
    )
    median = float(scored.select(pl.col("score").median()).item())
    median_text = (
        f"{median:.0f}" if median == int(median) else f"{median:.1f}".replace(".", "," if lang == "nb" else ".")
    )
    fig.add_shape(
        type="line", x0=median, x1=median, xref="x", yref="paper", y0=0, y1=1, line={"color": "#444444", "dash": "dash"}
    )
    fig.add_annotation(
        x=median,
        y=1,
        xref="x",
        yref="paper",
        text=_t("median", lang, value=median_text),
        showarrow=False,
        xanchor="left",
        yanchor="bottom",
    )
    fig.update_xaxes(range=[0, 100], tickvals=list(range(0, 101, 10)), title_text=_t("score_axis", lang))
    fig.update_yaxes(title_text=_t("institutions_axis", lang), rangemode="tozero", dtick=1 if max(ys) <= 10 else None)
    subtitle = _t("distribution_subtitle", lang, n=_num(scored.height, lang), median=median_text)
    return _finish(fig, name, lang, title, 380, subtitle=subtitle)
