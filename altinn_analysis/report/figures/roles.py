"""The roles → access packages Sankey."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import plotly.graph_objects as go
import polars as pl

from altinn_analysis.impact import STATUSES, delegation_groups
from altinn_analysis.report.figures._common import (
    _ALPHA,
    _BOTTOM_LEGEND,
    _CERTAINTY_RANK,
    _STATUS_RANK,
    _STATUS_RGB,
    Chart,
    Plot,
    _esc,
    _hex,
    _names_list,
    _rgba,
    as_figure,
)

if TYPE_CHECKING:
    from collections.abc import Mapping

    from altinn_analysis.catalogue import DsopCatalogue

MAX_CANDIDATES = 5  # candidate packages shown per role in the Sankey; the rest become one "+k more" node

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


_SUCCESSORS: list[tuple[pl.DataFrame, dict[str, list[dict[str, Any]]]]] = []  # the last table's, while in use


def successors_by_code(successors: pl.DataFrame) -> dict[str, list[dict[str, Any]]]:
    """The successor rows per upper-cased Altinn 2 role code, in table order: made once per table (the DSOP
    catalogue's, the same in every report of a run). Read only."""
    if _SUCCESSORS and _SUCCESSORS[0][0] is successors:
        return _SUCCESSORS[0][1]
    out: dict[str, list[dict[str, Any]]] = {}
    columns = ["altinn2_role_code", "role_name_nb", "role_name_en", "package_urn", "package_name_nb", "certainty"]
    for row in successors.select(columns).iter_rows(named=True):
        code = row["altinn2_role_code"]
        if code is not None:  # a row without a code is never any role's
            out.setdefault(str(code).upper(), []).append(row)
    _SUCCESSORS[:] = [(successors, out)]
    return out


def role_holders(delegations: pl.DataFrame) -> tuple[list[tuple[str, int]], frozenset[str]]:
    """The Altinn 2 role codes (trimmed, upper case) with their distinct holders, most held first, then by code;
    and the access packages delegated in Altinn 3. From the delegations as `impact.assess` grouped them for this
    report (`impact.delegation_groups`: one query, shared)."""
    grouped = delegation_groups(delegations)
    held_by: dict[str, set[str]] = {}
    for code, _via_er, _holder_type, holder_ids in grouped.roles:
        held_by.setdefault(code, set()).update(holder_ids)
    roles = sorted(((c, len(h)) for c, h in held_by.items()), key=lambda r: (-r[1], r[0] is not None, r[0] or ""))
    return roles, grouped.a3_packages


def roles_sankey(
    findings: pl.DataFrame,
    delegations: pl.DataFrame,
    dsop: DsopCatalogue,
    language: str = "nb",
    package_names: Mapping[str, str] | None = None,
) -> go.Figure:
    """Altinn 2 roles (left) → candidate access packages (right), one left node per role code the inventory holds.

    Right nodes: the candidate packages from `dsop.role_successors` (by name), at most `MAX_CANDIDATES` per role
    (packages already delegated in Altinn 3 first, then the table's order) and one "+k more" node for the rest;
    plus "no successor", "unknown role code", "automatic from the ER" (ER roles whose packages come by
    themselves) and "needs explicit delegation" (ER roles that give no package). A role's holders are shared
    equally over its candidates, so its node is as wide as its holder count. Links are coloured by the role
    finding's status, lighter when the mapping is inferred; hovers say so. `package_names` (package urn → name
    in `language`, from the Altinn 3 catalogue) names the packages; without it, the DSOP table's bokmål names.
    """
    return as_figure(roles_sankey_spec(findings, delegations, dsop, language, package_names))


def roles_sankey_spec(
    findings: pl.DataFrame,
    delegations: pl.DataFrame,
    dsop: DsopCatalogue,
    language: str = "nb",
    package_names: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """`roles_sankey` as plotly JSON (its `to_plotly_json()`), without building the go.Figure."""
    chart = Chart.start("roles_sankey", language, "sankey_title")
    lang = chart.lang
    roles, held_a3 = role_holders(delegations)
    if not roles:
        return chart.empty()
    role_info = _role_findings(findings)
    succ_by_code = successors_by_code(dsop.role_successors)

    nodes = _Nodes()
    links: list[_Link] = []
    special = {
        "no_successor": ("node_no_successor", _hex(_STATUS_RGB["at_risk"])),
        "unknown": ("node_unknown", _hex(_STATUS_RGB["unknown"])),
        "er_auto": ("node_er_auto", _hex(_STATUS_RGB["done"])),
        "explicit": ("node_explicit", _hex(_STATUS_RGB["action"])),
    }
    for code, holders in roles:
        info = role_info.get(code, {"status": "unknown", "rules": [], "certainty": "unknown", "details": []})
        status: str = info["status"]
        rows = succ_by_code.get(code, [])
        role_name = ""
        if rows:
            role_name = str(rows[0]["role_name_nb" if lang == "nb" else "role_name_en"] or "")
        head = f"<b>{_esc(code)}</b>" + (f" – {_esc(role_name)}" if role_name else "")
        lines = [head, chart.t("holders", n=chart.num(holders)), chart.t("status_line", status=chart.code(status))]
        lines += [_esc(d) for d in info["details"][:2]]
        left = nodes.add(
            f"role:{code}", _esc(code), _hex(_STATUS_RGB.get(status, _STATUS_RGB["unknown"])), "<br>".join(lines)
        )

        seen: set[str] = set()
        candidates: list[tuple[str, str, str]] = []
        for urn, pkg_name, certainty in ((r["package_urn"], r["package_name_nb"], r["certainty"]) for r in rows):
            if urn and urn not in seen:
                seen.add(urn)
                shown_name = (package_names or {}).get(str(urn)) or pkg_name or urn
                candidates.append((str(urn), str(shown_name), str(certainty or "unknown")))
        # What is already delegated in Altinn 3 is what the reader most needs to see; the sort is stable.
        candidates.sort(key=lambda c: c[0] not in held_a3)

        role_line = f"{_esc(code)} → "
        if candidates:
            k = len(candidates)
            shown = candidates[:MAX_CANDIDATES]
            for i, (urn, pkg_name, certainty) in enumerate(shown, start=1):
                pkg_hover = [f"<b>{_esc(pkg_name)}</b>", _esc(urn)] + (
                    [chart.t("held_in_a3")] if urn in held_a3 else []
                )
                target = nodes.add(f"pkg:{urn}", _esc(pkg_name), "#4c78a8", "<br>".join(pkg_hover))
                nodes.roles.setdefault(f"pkg:{urn}", []).append(code)
                hover = [
                    role_line + _esc(pkg_name),
                    chart.t("holders", n=chart.num(holders)),
                    chart.t("status_line", status=chart.code(status)),
                    chart.t("mapping", certainty=chart.code(certainty)),
                ]
                if k > 1:
                    hover.append(chart.t("candidate_share", i=i, k=k, n=chart.num(holders)))
                links.append(_Link(left, target, holders / k, status, certainty, "<br>".join(hover)))
            rest = candidates[len(shown) :]
            if rest:
                label = chart.t("node_more", k=len(rest))
                more_hover = f"<b>{_esc(code)}: {label}</b><br>" + "<br>".join(_esc(c[1]) for c in rest)
                target = nodes.add(f"more:{code}", label, "#9ecae9", more_hover)
                certainty = "documented" if all(c[2] == "documented" for c in rest) else "inferred"
                hover = [
                    role_line + label,
                    chart.t("holders", n=chart.num(holders)),
                    chart.t("group_share", m=len(rest), k=k),
                    chart.t("mapping", certainty=chart.code(certainty)),
                ]
                links.append(_Link(left, target, holders * len(rest) / k, status, certainty, "<br>".join(hover)))
            continue

        rules: list[str] = info["rules"]
        if rows:
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
        label = chart.t(key)
        target = nodes.add(f"special:{kind}", label, colour, f"<b>{label}</b>")
        nodes.roles.setdefault(f"special:{kind}", []).append(code)
        certainty = "documented" if kind in ("er_auto", "explicit") else str(info["certainty"] or "unknown")
        hover = [
            role_line + label,
            chart.t("holders", n=chart.num(holders)),
            chart.t("status_line", status=chart.code(status)),
        ]
        links.append(_Link(left, target, float(holders), status, certainty, "<br>".join(hover)))

    hovers = list(nodes.hovers)
    for key, codes in nodes.roles.items():
        i = nodes.index[key]
        hovers[i] += "<br>" + chart.t("from_roles", roles=_names_list(codes, lang))
    plot = Plot()
    plot.trace(
        "sankey",
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
    # The Sankey has no legend of its own: empty marker traces name the link colours.
    present = {lk.status for lk in links}
    for status in STATUSES:
        if status in present:
            _legend_entry(plot, chart.code(status), _rgba(_STATUS_RGB[status], 0.8))
    if any(lk.certainty != "documented" for lk in links):
        _legend_entry(plot, chart.t("legend_inferred"), _rgba(_STATUS_RGB["unknown"], 0.28))
    plot.axes("x", visible=False)
    plot.axes("y", visible=False)
    plot.update(legend=_BOTTOM_LEGEND)
    right = len(nodes.labels) - len(roles)
    height = max(420, 28 * max(len(roles), right) + 180)
    return chart.finish(plot, height, subtitle=chart.t("sankey_subtitle"), bottom=70)


def _legend_entry(plot: Plot, label: str, colour: str) -> None:
    plot.trace(
        "scatter",
        x=[None],
        y=[None],
        mode="markers",
        marker={"size": 12, "color": colour, "symbol": "square"},
        name=label,
        hoverinfo="skip",
        showlegend=True,
    )
