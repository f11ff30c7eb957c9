"""Sector aggregation: scores, counts, rank and percentile, the heatmap grid, the common open findings."""

from __future__ import annotations

from datetime import date

import polars as pl
from impact_support import catalogues, consent, delegation, inventory

from altinn_analysis.impact import AREAS, FINDINGS_SCHEMA, area_scores, assess_many, common_findings, sector_summary
from altinn_analysis.inventory import Inventory, Profile


def with_org(inv: Inventory, org: str) -> Inventory:
    p = inv.profile
    profile = Profile(org, f"Bank {org}", p.org_form, p.institution_type, p.dsop_services, p.vendors)
    return Inventory(inv.directory, profile, inv.delegations, inv.consents, inv.integrations)


def sector() -> pl.DataFrame:
    cat, dsop = catalogues()
    ready = with_org(
        inventory(
            delegations=[
                delegation("A0236"),
                {**delegation("ordinaer-post-til-virksomheten"), "platform": "altinn3", "grant_type": "access_package"},
            ]
        ),
        "910000001",
    )
    behind = with_org(
        inventory(
            delegations=[delegation("A0236"), delegation("UTINN")], consents=[consent("5252:2", date(2028, 1, 1), 40)]
        ),
        "910000002",
    )
    post = {**delegation("ordinaer-post-til-virksomheten"), "platform": "altinn3", "grant_type": "access_package"}
    middling = with_org(inventory(delegations=[delegation("A0236"), post, delegation("UTINN", "P-2")]), "910000003")
    empty = with_org(inventory(), "910000004")
    return assess_many(cat, dsop, [ready, behind, middling, empty], date(2026, 11, 28), language="en")


def test_summary_scores_rank_and_percentile() -> None:
    findings = sector()
    names = pl.DataFrame(
        {
            "org_number": ["910000001", "910000002", "910000003", "910000004"],
            "name": ["Ready", "Behind", "Middling", "Empty"],
        }
    )
    table = sector_summary(findings, names)
    rows = {r["name"]: r for r in table.iter_rows(named=True)}
    assert rows["Ready"]["score"] == 100 and rows["Empty"]["score"] == 100  # nothing applicable counts as ready
    assert rows["Behind"]["score"] == 0 and rows["Middling"]["score"] == 50
    assert rows["Ready"]["rank"] == 1 and rows["Empty"]["rank"] == 1  # ties share the better rank
    assert rows["Behind"]["rank"] == 4 and rows["Behind"]["percentile"] == 25
    assert rows["Behind"]["open"] == 3 and rows["Behind"]["overdue"] == 3
    assert rows["Behind"]["critical"] == 0  # no DSOP service in its profile stops: housekeeping is never critical
    assert rows["Ready"]["open"] == 0 and rows["Empty"]["findings"] == 0
    assert table["rank"].to_list() == sorted(table["rank"].to_list())


def test_area_scores_cover_every_area() -> None:
    grid = area_scores(sector())
    assert set(grid["area"]) == set(AREAS)
    assert grid.height == 3 * len(AREAS)  # institutions with findings × areas
    behind = {r["area"]: r for r in grid.filter(pl.col("org_number") == "910000002").iter_rows(named=True)}
    assert behind["consent"]["score"] == 0 and behind["consent"]["open"] == 1
    assert behind["broker"]["score"] is None and behind["broker"]["applicable"] == 0


def test_common_findings_counts_institutions() -> None:
    common = common_findings(sector(), top=3)
    first = common.row(0, named=True)
    assert (first["subject"], first["institutions"]) in {("UTINN", 2), ("A0236", 2)}
    assert common["institutions"].to_list() == sorted(common["institutions"].to_list(), reverse=True)
    assert set(common.columns) >= {"rule_id", "area", "subject", "institutions", "holders", "worst_severity"}


def test_empty_sector() -> None:
    empty = pl.DataFrame(schema=FINDINGS_SCHEMA)
    assert sector_summary(empty).height == 0
    assert common_findings(empty).height == 0
