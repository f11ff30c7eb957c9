"""The report's plotly figures: what they show, localisation, determinism, empty inputs and size."""

from __future__ import annotations

import json
import re
import time
from datetime import date
from pathlib import Path
from typing import Any

import plotly.graph_objects as go
import polars as pl
import pytest
from demo_set import DEMO_ORGS

from altinn_analysis.catalogue import Catalogue, DsopCatalogue, load_dsop
from altinn_analysis.impact import AREAS, FINDINGS_SCHEMA, area_scores, assess, assess_many, readiness, sector_summary
from altinn_analysis.inventory import Inventory, load_inventory
from altinn_analysis.report import figures as fg

INSTITUTIONS = Path(__file__).resolve().parents[1] / "data" / "institutions"
AS_OF = date(2026, 11, 28)
BOUNDARY = date(2026, 6, 19)
DEMO = "310426172"  # Nordlys Bank: REGNA (12 candidates), roles with no successor, ER roles, Altinn 2 consents
KB = 1024


@pytest.fixture(scope="module")
def dsop() -> DsopCatalogue:
    return load_dsop()


@pytest.fixture(scope="module")
def inventories() -> dict[str, Inventory]:
    return {p.name: load_inventory(p) for p in sorted(INSTITUTIONS.iterdir()) if p.is_dir()}


@pytest.fixture(scope="module")
def inventory(inventories: dict[str, Inventory]) -> Inventory:
    return inventories[DEMO]


@pytest.fixture(scope="module")
def findings(embedded: Catalogue, dsop: DsopCatalogue, inventory: Inventory) -> pl.DataFrame:
    return assess(embedded, dsop, inventory, AS_OF)


@pytest.fixture(scope="module")
def sector(
    embedded: Catalogue, dsop: DsopCatalogue, inventories: dict[str, Inventory]
) -> tuple[pl.DataFrame, pl.DataFrame]:
    invs = list(inventories.values())
    all_findings = assess_many(embedded, dsop, invs, AS_OF)
    names = pl.DataFrame({"org_number": [i.profile.org_number for i in invs], "name": [i.profile.name for i in invs]})
    return all_findings, sector_summary(all_findings, names)


def _all_figures(
    findings: pl.DataFrame,
    inventory: Inventory,
    dsop: DsopCatalogue,
    sector: tuple[pl.DataFrame, pl.DataFrame],
    language: str,
) -> dict[str, go.Figure]:
    all_findings, summary = sector
    return {
        "roles_sankey": fg.roles_sankey(findings, inventory.delegations, dsop, language),
        "deadline_timeline": fg.deadline_timeline(dsop.milestones, findings, AS_OF, language),
        "consent_expiry": fg.consent_expiry(inventory.consents, AS_OF, BOUNDARY, language),
        "readiness_by_area": fg.readiness_by_area(findings, language),
        "sector_heatmap": fg.sector_heatmap(area_scores(all_findings), summary, language),
        "score_distribution": fg.score_distribution(summary, language),
    }


def _role_holders(inventory: Inventory) -> dict[str, int]:
    roles = (
        inventory.delegations.filter((pl.col("platform") == "altinn2") & (pl.col("grant_type") == "role"))
        .group_by(pl.col("grant").str.strip_chars().str.to_uppercase().alias("code"))
        .agg(pl.col("holder_id").n_unique())
    )
    return dict(roles.iter_rows())


def _outgoing(sankey: Any) -> dict[str, float]:
    out: dict[str, float] = {}
    for s, v in zip(sankey.link.source, sankey.link.value, strict=True):
        out[sankey.node.label[s]] = out.get(sankey.node.label[s], 0.0) + v
    return out


def _alpha(rgba: str) -> float:
    m = re.fullmatch(r"rgba\(\d+,\d+,\d+,([0-9.]+)\)", rgba)
    assert m, rgba
    return float(m.group(1))


# -- every figure ----------------------------------------------------------------------------------------------


def test_every_figure_is_identified_typed_sized_and_offline(
    findings: pl.DataFrame, inventory: Inventory, dsop: DsopCatalogue, sector: tuple[pl.DataFrame, pl.DataFrame]
) -> None:
    figs = _all_figures(findings, inventory, dsop, sector, "nb")
    assert tuple(figs) == fg.FIGURES
    for name, fig in figs.items():
        assert isinstance(fig, go.Figure)
        assert fig.layout.meta == {"figure": name, "language": "nb", "empty": False}
        assert fig.layout.title.text
        assert isinstance(fig.layout.height, int) and fig.layout.height >= 300
        assert fig.layout.template.layout.paper_bgcolor == "white"  # plotly_white
        text = fig.to_json()
        assert len(text) < 100 * KB, (name, len(text))
        assert "mapbox" not in text and "http" not in text  # nothing to fetch: no tiles, fonts or links


def test_figures_are_deterministic(
    embedded: Catalogue, dsop: DsopCatalogue, inventory: Inventory, sector: tuple[pl.DataFrame, pl.DataFrame]
) -> None:
    first = _all_figures(assess(embedded, dsop, inventory, AS_OF), inventory, dsop, sector, "en")
    second = _all_figures(assess(embedded, dsop, inventory, AS_OF), inventory, dsop, sector, "en")
    for name in fg.FIGURES:
        assert first[name].to_json() == second[name].to_json(), name


def test_localised_titles_and_labels(
    findings: pl.DataFrame, inventory: Inventory, dsop: DsopCatalogue, sector: tuple[pl.DataFrame, pl.DataFrame]
) -> None:
    nb = _all_figures(findings, inventory, dsop, sector, "nb")
    en = _all_figures(findings, inventory, dsop, sector, "en")
    for name in fg.FIGURES:
        assert nb[name].layout.title.text != en[name].layout.title.text, name
        assert en[name].layout.meta["language"] == "en"
    assert nb["readiness_by_area"].data[0].y[0] == "Roller"
    assert en["readiness_by_area"].data[0].y[0] == "Roles"
    assert nb["consent_expiry"].layout.yaxis.title.text == "Antall samtykker"
    assert en["consent_expiry"].layout.yaxis.title.text == "Number of consents"
    assert "innehaver" in nb["roles_sankey"].data[0].link.customdata[0]
    assert "holder" in en["roles_sankey"].data[0].link.customdata[0]
    assert nb["roles_sankey"].layout.separators == ", " and en["roles_sankey"].layout.separators == ".,"


def test_unknown_language_is_refused(findings: pl.DataFrame) -> None:
    with pytest.raises(ValueError, match="language"):
        fg.readiness_by_area(findings, "de")


def test_every_text_has_both_languages() -> None:
    for key, pair in fg.TEXTS.items():
        assert len(pair) == 2 and all(pair), key
        assert sorted(re.findall(r"{(\w+)}", pair[0])) == sorted(re.findall(r"{(\w+)}", pair[1])), key


@pytest.mark.parametrize("language", ["nb", "en"])
def test_empty_inputs_give_a_no_data_figure(dsop: DsopCatalogue, language: str) -> None:
    empty_findings = pl.DataFrame(schema=FINDINGS_SCHEMA)
    inv = load_inventory(INSTITUTIONS / DEMO)
    figs = {
        "roles_sankey": fg.roles_sankey(empty_findings, inv.delegations.clear(), dsop, language),
        "deadline_timeline": fg.deadline_timeline(dsop.milestones.clear(), empty_findings, AS_OF, language),
        "consent_expiry": fg.consent_expiry(inv.consents.clear(), AS_OF, BOUNDARY, language),
        "readiness_by_area": fg.readiness_by_area(empty_findings, language),
        "sector_heatmap": fg.sector_heatmap(area_scores(empty_findings), None, language),
        "score_distribution": fg.score_distribution(
            pl.DataFrame(schema={"org_number": pl.String, "score": pl.Int64}), language
        ),
    }
    no_data = "Ingen data" if language == "nb" else "No data"
    for name, fig in figs.items():
        assert fig.layout.meta["figure"] == name
        assert fig.layout.meta["empty"] is True
        assert len(fig.data) == 0
        assert [a.text for a in fig.layout.annotations] == [no_data], name
        assert fig.layout.height > 0


@pytest.mark.parametrize("language", ["nb", "en"])
def test_figures_are_what_plotly_validation_makes_of_them(
    dsop: DsopCatalogue, inventories: dict[str, Inventory], sector: tuple[pl.DataFrame, pl.DataFrame], language: str
) -> None:
    """The figures are built unvalidated (for speed): every property must still pass plotly's validators and come
    out of them unchanged (names, types, None for unset, text as strings)."""
    embedded = Catalogue.load()
    empty = pl.DataFrame(schema=FINDINGS_SCHEMA)
    for org, inv in inventories.items():
        findings = assess(embedded, dsop, inv, AS_OF)
        figs = _all_figures(findings, inv, dsop, sector, language)
        figs["timeline_before"] = fg.deadline_timeline(dsop.milestones, findings, date(2025, 3, 1), language)
        figs["consent_before"] = fg.consent_expiry(inv.consents, date(2025, 3, 1), BOUNDARY, language)
        figs["empty_timeline"] = fg.deadline_timeline(dsop.milestones, empty, AS_OF, language)
        figs["empty_roles"] = fg.roles_sankey(empty, inv.delegations.clear(), dsop, language)
        for name, fig in figs.items():
            assert fg.validate_figure(fig).to_plotly_json() == fig.to_plotly_json(), (org, name)


def _specs(findings: pl.DataFrame, inv: Inventory, dsop: DsopCatalogue, language: str) -> dict[str, dict[str, Any]]:
    empty = pl.DataFrame(schema=FINDINGS_SCHEMA)
    before = date(2025, 3, 1)
    return {
        "roles": fg.roles_sankey_spec(findings, inv.delegations, dsop, language, {"urn:x": "x"}),
        "timeline": fg.deadline_timeline_spec(dsop.milestones, findings, AS_OF, language),
        "consent": fg.consent_expiry_spec(inv.consents, AS_OF, BOUNDARY, language),
        "readiness": fg.readiness_by_area_spec(findings, language),
        "timeline_before": fg.deadline_timeline_spec(dsop.milestones, findings, before, language),
        "consent_before": fg.consent_expiry_spec(inv.consents, before, BOUNDARY, language),
        "empty_timeline": fg.deadline_timeline_spec(dsop.milestones, empty, AS_OF, language),
        "empty_roles": fg.roles_sankey_spec(empty, inv.delegations.clear(), dsop, language),
    }


@pytest.mark.parametrize("language", ["nb", "en"])
def test_specs_are_the_figures_plotly_json_key_order_included(
    dsop: DsopCatalogue, inventories: dict[str, Inventory], language: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A report chart's JSON, HTML and stable id are made from `*_spec` instead of `go.Figure(...).to_plotly_json()`:
    the two must agree to the order of the keys. The old way is the figure dicts handed to plotly unordered."""
    from altinn_analysis.report.figures import _common

    embedded = Catalogue.load()
    for inv in inventories.values():
        findings = assess(embedded, dsop, inv, AS_OF, language=language)
        specs = _specs(findings, inv, dsop, language)
        with monkeypatch.context() as m:
            m.setattr(_common, "plotly_json", lambda data, layout: {"data": data, "layout": layout})
            raw = _specs(findings, inv, dsop, language)
        for name, spec in specs.items():
            old = go.Figure(raw[name], _validate=False).to_plotly_json()
            assert json.dumps(spec) == json.dumps(old), (inv.profile.org_number, name)
            assert json.dumps(go.Figure(spec, _validate=False).to_plotly_json()) == json.dumps(spec)


@pytest.mark.parametrize("language", ["nb", "en"])
def test_sector_specs_are_the_sector_figures_plotly_json(
    sector: tuple[pl.DataFrame, pl.DataFrame], language: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The sector page's charts come as JSON too (`sector_heatmap_spec`, `score_distribution_spec`): what plotly
    makes of the figure dicts, to the order of the keys, empty ones included."""
    from altinn_analysis.report.figures import _common

    all_findings, summary = sector
    cases = {
        "heatmap": lambda: fg.sector_heatmap_spec(area_scores(all_findings), summary, language),
        "heatmap_unnamed": lambda: fg.sector_heatmap_spec(area_scores(all_findings), None, language),
        "heatmap_empty": lambda: fg.sector_heatmap_spec(area_scores(all_findings.clear()), None, language),
        "scores": lambda: fg.score_distribution_spec(summary, language),
        "scores_empty": lambda: fg.score_distribution_spec(summary.clear(), language),
    }
    for name, make in cases.items():
        spec = make()
        with monkeypatch.context() as m:
            m.setattr(_common, "plotly_json", lambda data, layout: {"data": data, "layout": layout})
            old = go.Figure(make(), _validate=False).to_plotly_json()
        assert json.dumps(spec) == json.dumps(old), name
    assert fg.sector_heatmap(area_scores(all_findings), summary, language).to_plotly_json() == cases["heatmap"]()


def test_house_template_is_plotlys_own() -> None:
    """Every chart carries the house template as plotly writes it: the same dicts, in the same key order, as a
    validated `go.layout.Template` of the house layout gives (the figures make it without plotly)."""
    from altinn_analysis.report.figures import _common

    made = go.layout.Template(layout=_common._HOUSE_LAYOUT).to_plotly_json()
    assert json.dumps(_common._HOUSE_TEMPLATE) == json.dumps(made)


# -- 1. roles → packages ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("org", DEMO_ORGS)
def test_sankey_has_a_left_node_per_role_as_wide_as_its_holders(
    embedded: Catalogue, dsop: DsopCatalogue, inventories: dict[str, Inventory], org: str
) -> None:
    inv = inventories[org]
    fig = fg.roles_sankey(assess(embedded, dsop, inv, AS_OF), inv.delegations, dsop)
    sankey = fig.data[0]
    assert sankey.type == "sankey"
    assert {t.type for t in fig.data[1:]} <= {"scatter"}  # legend entries only
    holders = _role_holders(inv)
    sources = set(sankey.link.source)
    targets = set(sankey.link.target)
    assert not sources & targets  # two columns: roles → targets
    assert len(sources) == len(holders)
    assert len(sankey.node.label) == len(sources) + len(targets)
    assert _outgoing(sankey) == pytest.approx({code: float(n) for code, n in holders.items()}, abs=1e-3)
    # At most MAX_CANDIDATES packages per role, plus one "+k more" node.
    per_role: dict[int, int] = {}
    for s in sankey.link.source:
        per_role[s] = per_role.get(s, 0) + 1
    assert max(per_role.values()) <= fg.MAX_CANDIDATES + 1


def test_sankey_groups_many_candidates_and_marks_inferred_mappings(
    findings: pl.DataFrame, inventory: Inventory, dsop: DsopCatalogue
) -> None:
    fig = fg.roles_sankey(findings, inventory.delegations, dsop, "en")
    sankey = fig.data[0]
    labels = list(sankey.node.label)
    regna = labels.index("REGNA")
    regna_links = [i for i, s in enumerate(sankey.link.source) if s == regna]
    assert len(regna_links) == fg.MAX_CANDIDATES + 1  # REGNA: 10 candidates, 5 shown, "+5 more"
    assert "+5 more" in [labels[sankey.link.target[i]] for i in regna_links]
    assert not any(label.startswith("urn:") for label in labels)  # package names, not urns
    # REGNA's mapping is inferred: lighter links, said so in the hover; HADM's is documented.
    for i in regna_links:
        assert _alpha(sankey.link.color[i]) < 0.5
        assert "inferred" in sankey.link.customdata[i]
    hadm = labels.index("HADM")
    (hadm_link,) = [i for i, s in enumerate(sankey.link.source) if s == hadm]
    assert _alpha(sankey.link.color[hadm_link]) > 0.5
    assert labels[sankey.link.target[hadm_link]] == "Hovedadministrator"
    # Roles with no successor meet in one node, coloured at risk (red).
    no_successor = labels.index("No successor")
    into = {labels[s] for s, t in zip(sankey.link.source, sankey.link.target, strict=True) if t == no_successor}
    assert {"UTINN", "HVASK", "SISKD"} <= into
    (utinn_link,) = [i for i, s in enumerate(sankey.link.source) if labels[s] == "UTINN"]
    assert sankey.link.color[utinn_link].startswith("rgba(214,39,40,")
    # ER roles: DAGL's packages come automatically; board members (MEDL) get none by design: information only.
    targets = {labels[s]: labels[t] for s, t in zip(sankey.link.source, sankey.link.target, strict=True)}
    assert targets["DAGL"] == "Automatic from the Central Coordinating Register"
    assert targets["MEDL"] == "No successor"
    (medl_link,) = [i for i, s in enumerate(sankey.link.source) if labels[s] == "MEDL"]
    assert not sankey.link.color[medl_link].startswith("rgba(214,39,40,")  # not coloured at risk
    legend = [t.name for t in fig.data[1:]]
    assert "at risk" in legend and "Lighter: inferred mapping" in legend


def test_sankey_on_hand_built_frames(dsop: DsopCatalogue) -> None:
    delegations = pl.DataFrame(
        {
            "platform": ["altinn2", "altinn2", "altinn2", "altinn2", "altinn2", "altinn3", "altinn2"],
            "holder_type": ["person"] * 7,
            "holder_id": ["P1", "P2", "P2", "P3", "P4", "P1", "P5"],
            "grant_type": ["role", "role", "role", "role", "role", "access_package", "service"],
            "grant": [" hadm ", "HADM", "UTINN", "ZZTOP", "<B>", "urn:altinn:accesspackage:hovedadministrator", "1:1"],
            "granted_at": [None] * 7,
            "source": ["delegated"] * 7,
        },
        schema_overrides={"granted_at": pl.Date},
    )
    findings = pl.DataFrame(
        {
            "area": ["roles", "roles", "roles"],
            "subject": ["HADM", "UTINN", "ZZTOP"],
            "rule_id": ["roles.successor", "roles.no_successor", "roles.unknown"],
            "status": ["action", "at_risk", "unknown"],
            "certainty": ["documented", "inferred", "unknown"],
            "detail": [None, None, None],
        }
    )
    sankey = fg.roles_sankey(findings, delegations, dsop, "nb").data[0]
    labels = list(sankey.node.label)
    assert labels[:1] == ["HADM"]  # most holders first; " hadm " and "HADM" are one role
    assert {"HADM", "UTINN", "ZZTOP", "&lt;B&gt;"} <= set(labels)  # codes are escaped, not HTML
    assert {"Ingen etterfølger", "Ukjent rollekode", "Hovedadministrator"} <= set(labels)
    assert _outgoing(sankey) == {"HADM": 2.0, "UTINN": 1.0, "ZZTOP": 1.0, "&lt;B&gt;": 1.0}
    # The package already delegated in Altinn 3 says so.
    assert "Delegert i Altinn 3" in sankey.node.customdata[labels.index("Hovedadministrator")]


# -- 2. deadlines ----------------------------------------------------------------------------------------------


def test_timeline_counts_open_findings_per_deadline(findings: pl.DataFrame, dsop: DsopCatalogue) -> None:
    fig = fg.deadline_timeline(dsop.milestones, findings, AS_OF, "en")
    kinds = [t.type for t in fig.data]
    assert "scatter" in kinds and "bar" in kinds
    markers = [t for t in fig.data if t.type == "scatter"]
    assert sum(len(t.x) for t in markers) == dsop.milestones.height
    bars = [t for t in fig.data if t.type == "bar"]
    open_with_deadline = findings.filter(
        pl.col("status").is_in(["action", "at_risk", "unknown"]) & pl.col("deadline").is_not_null()
    )
    assert sum(sum(t.y) for t in bars) == open_with_deadline.height
    # On 2026-11-28 every deadline has passed: the bars read as overdue.
    assert [t.name for t in bars] == ["Open findings, past the deadline"]
    assert any(s.x0 == AS_OF.isoformat() for s in fig.layout.shapes)
    assert any(a.text == "as of 2026-11-28" for a in fig.layout.annotations)


def test_timeline_before_the_deadlines_is_a_plan(
    embedded: Catalogue, dsop: DsopCatalogue, inventory: Inventory
) -> None:
    early = date(2026, 1, 15)
    fig = fg.deadline_timeline(dsop.milestones, assess(embedded, dsop, inventory, early), early, "nb")
    bars = [t for t in fig.data if t.type == "bar"]
    assert [t.name for t in bars] == ["Åpne funn, fristen gjenstår"]
    assert any(a.text == "per 2026-01-15" for a in fig.layout.annotations)


# -- 3. consents -----------------------------------------------------------------------------------------------


def test_consent_expiry_sums_active_consents_and_highlights_altinn2_after_the_boundary(inventory: Inventory) -> None:
    fig = fg.consent_expiry(inventory.consents, AS_OF, BOUNDARY, "en")
    assert {t.type for t in fig.data} == {"bar"}
    assert fig.layout.barmode == "stack"
    active = inventory.consents.filter(pl.col("status") == "active")
    assert sum(sum(t.y) for t in fig.data) == active["count"].sum()
    (after,) = [t for t in fig.data if "obtain again" in t.name]
    expected = active.filter((pl.col("platform") == "altinn2") & (pl.col("valid_to") > BOUNDARY))["count"].sum()
    assert sum(after.y) == expected
    assert {s.x0 for s in fig.layout.shapes} == {BOUNDARY.isoformat(), AS_OF.isoformat()}
    assert "Altinn 2 closed 2026-06-19" in [a.text for a in fig.layout.annotations]


def test_consent_expiry_on_hand_built_frame() -> None:
    consents = pl.DataFrame(
        {
            "platform": ["altinn2", "altinn2", "altinn2", "altinn3", "altinn2"],
            "service": ["4804:210607"] * 4 + ["x"],
            "status": ["active", "active", "active", "active", "expired"],
            "valid_from": [date(2025, 1, 1)] * 5,
            "valid_to": [date(2026, 6, 1), date(2026, 6, 25), date(2027, 1, 31), date(2027, 1, 2), date(2027, 1, 2)],
            "count": [10, 20, 30, 40, 1000],
        }
    )
    fig = fg.consent_expiry(consents, AS_OF, BOUNDARY, "nb")
    series = {t.name: dict(zip(t.x, t.y, strict=True)) for t in fig.data}
    assert series == {
        "Altinn 2, utløper senest 2026-06-19": {"2026-06-01": 10},
        "Altinn 2, gjelder etter 2026-06-19: innhentes på nytt": {"2026-06-01": 20, "2027-01-01": 30},
        "Altinn 3": {"2027-01-01": 40},
    }
    # 20 lapsed before as_of; only the 30 still valid must be obtained again.
    assert fig.layout.title.subtitle.text.replace("<br>", " ").startswith("30 Altinn 2-samtykker")
    assert all(len(line) <= 58 for line in fig.layout.title.subtitle.text.split("<br>"))  # fits a phone


def test_consent_expiry_aggregates_millions_of_rows_fast_and_small() -> None:
    n = 2_000_000
    idx = pl.int_range(0, n, eager=True)
    consents = pl.DataFrame({"i": idx}).select(
        pl.when(pl.col("i") % 3 == 0).then(pl.lit("altinn3")).otherwise(pl.lit("altinn2")).alias("platform"),
        pl.lit("4804:210607").alias("service"),
        pl.when(pl.col("i") % 7 == 0).then(pl.lit("expired")).otherwise(pl.lit("active")).alias("status"),
        pl.lit(date(2025, 1, 1)).alias("valid_from"),
        (pl.lit(date(2025, 6, 1)) + pl.duration(days=pl.col("i") % 1500)).alias("valid_to"),
        (pl.col("i") % 5 + 1).cast(pl.Int64).alias("count"),
    )
    assert consents.height == n
    start = time.perf_counter()
    fig = fg.consent_expiry(consents, AS_OF, BOUNDARY)
    text = fig.to_json()
    elapsed = time.perf_counter() - start
    assert elapsed < 5, elapsed
    assert len(text) < 60 * KB, len(text)
    points = sum(len(t.x) for t in fig.data)
    assert points <= 3 * 51  # a bar per platform group and month, never per row
    active = consents.filter(pl.col("status") == "active")["count"].sum()
    assert sum(sum(t.y) for t in fig.data) == active
    # Lazy frames work too, with the same result.
    assert fg.consent_expiry(consents.lazy(), AS_OF, BOUNDARY).to_json() == text


# -- 4. readiness by area --------------------------------------------------------------------------------------


def test_readiness_by_area_matches_the_scores(findings: pl.DataFrame) -> None:
    fig = fg.readiness_by_area(findings, "en")
    (bar,) = fig.data
    assert bar.type == "bar" and bar.orientation == "h"
    assert len(bar.y) == len(AREAS)
    scores = dict(readiness(findings, by=["area"]).select("area", "score").iter_rows())
    for i, area in enumerate(AREAS):
        if area in scores:
            assert bar.x[i] == scores[area] and bar.text[i] == str(scores[area])
        else:
            assert bar.text[i] == "n/a" and bar.x[i] == 0
    assert "n/a" in bar.text  # the demo bank has no broker finding
    roles = list(AREAS).index("roles")
    assert "critical" in bar.hovertext[roles] and "open" in bar.hovertext[roles]
    overall = readiness(findings)["score"][0]
    assert fig.layout.title.subtitle.text == f"Overall readiness: {overall} of 100"


# -- 5. and 6. sector ------------------------------------------------------------------------------------------


def test_sector_heatmap_sorted_by_overall_score(sector: tuple[pl.DataFrame, pl.DataFrame]) -> None:
    all_findings, summary = sector
    fig = fg.sector_heatmap(area_scores(all_findings), summary, "nb")
    (heat,) = fig.data
    assert heat.type == "heatmap"
    assert list(heat.x) == ["Samlet", "Roller", "Samtykke", "Integrasjoner", "Meldinger", "Formidling", "Tjenester"]
    assert len(heat.y) == summary.height
    overall = [row[0] for row in heat.z]
    assert overall == sorted(overall, reverse=True)
    assert heat.y[0] == summary.sort("score", descending=True)["name"][0]
    # Areas that do not apply are blank (grey) with a dash.
    cells = [(z, t) for zr, tr in zip(heat.z, heat.text, strict=True) for z, t in zip(zr, tr, strict=True)]
    assert any(z is None and t == "–" for z, t in cells)
    assert all((z is None) == (t == "–") for z, t in cells)
    assert (heat.zmin, heat.zmax) == (0, 100)


def test_sector_heatmap_without_scores_or_names() -> None:
    scores = pl.DataFrame(
        {
            "org_number": ["2", "2", "1"],
            "area": ["roles", "consent", "roles"],
            "score": [50, None, 100],
            "applicable": [2, 0, 1],
            "open": [1, 0, 0],
            "critical": [1, 0, 0],
        }
    )
    bare = fg.sector_heatmap(scores, None, "en").data[0]
    assert list(bare.y) == ["1", "2"]
    assert list(bare.x) == ["Roles", "Consent", "Integrations", "Messaging", "Broker", "Services"]
    names = pl.DataFrame({"org_number": ["1", "2"], "name": ["Same <Bank>", "Same <Bank>"]})
    named = fg.sector_heatmap(scores, names, "en").data[0]
    assert list(named.y) == ["Same &lt;Bank&gt; (1)", "Same &lt;Bank&gt; (2)"]  # duplicates told apart, escaped


def test_score_distribution(sector: tuple[pl.DataFrame, pl.DataFrame]) -> None:
    _, summary = sector
    fig = fg.score_distribution(summary, "en")
    (bar,) = fig.data
    assert bar.type == "bar" and len(bar.x) == 10
    assert sum(bar.y) == summary.height
    median = summary["score"].median()
    assert fig.layout.shapes[0].x0 == median
    assert fig.layout.annotations[0].text.startswith("median")
    hovers = " ".join(bar.hovertext)
    assert all(name in hovers for name in summary["name"])
    # A score of 100 lands in the last bin (90–100), 0 in the first.
    edge = fg.score_distribution(pl.DataFrame({"org_number": ["1", "2", "3"], "score": [0, 100, 95]}))
    assert list(edge.data[0].y) == [1, 0, 0, 0, 0, 0, 0, 0, 0, 2]


def test_figure_json_is_valid_json(
    findings: pl.DataFrame, inventory: Inventory, dsop: DsopCatalogue, sector: tuple[pl.DataFrame, pl.DataFrame]
) -> None:
    for fig in _all_figures(findings, inventory, dsop, sector, "nb").values():
        json.loads(fig.to_json())
