"""Sector view: many institutions' findings side by side — scores, counts, rank, and what is commonly open."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import TYPE_CHECKING

import polars as pl

from altinn_analysis.impact._context import Lookups
from altinn_analysis.impact._engine import FINDINGS_SCHEMA, assess
from altinn_analysis.impact._policy import AREAS, OPEN_STATUSES, SEVERITIES, readiness

if TYPE_CHECKING:
    from altinn_analysis.catalogue import Catalogue, DsopCatalogue
    from altinn_analysis.inventory import Inventory

__all__ = ["area_scores", "assess_many", "common_findings", "sector_summary"]


def assess_many(
    catalogue: Catalogue,
    dsop: DsopCatalogue,
    inventories: Iterable[Inventory],
    as_of: date,
    *,
    language: str = "nb",
) -> pl.DataFrame:
    """Findings for every inventory, stacked."""
    lookups = Lookups(catalogue, dsop)
    frames = [assess(catalogue, dsop, inv, as_of, language=language, lookups=lookups) for inv in inventories]
    return pl.concat(frames, how="vertical") if frames else pl.DataFrame(schema=FINDINGS_SCHEMA)


def _open() -> pl.Expr:
    return pl.col("status").is_in(list(OPEN_STATUSES))


def sector_summary(findings: pl.DataFrame, institutions: pl.DataFrame | None = None) -> pl.DataFrame:
    """One row per institution: score, counts by status and severity, overdue, rank (1 = most ready) and
    percentile (share of institutions scoring the same or lower).

    `institutions` (optional) adds columns such as name and institution_type, joined on org_number; an
    institution with no findings at all scores 100.
    """
    orgs = findings.select("org_number").unique()
    if institutions is not None:
        orgs = institutions.select("org_number").vstack(orgs).unique()
    score = readiness(findings, by=["org_number"]).select("org_number", "score")
    counts = findings.group_by("org_number").agg(
        pl.len().alias("findings"),
        *[(pl.col("status") == s).sum().alias(s) for s in ("done", "action", "at_risk", "unknown")],
        _open().sum().alias("open"),
        *[((pl.col("severity") == s) & _open()).sum().alias(s) for s in SEVERITIES[:4]],
        (_open() & (pl.col("days_left") < 0)).sum().alias("overdue"),
    )
    table = (
        orgs.join(score, on="org_number", how="left")
        .join(counts, on="org_number", how="left")
        .with_columns(pl.col("score").fill_null(100))
        .fill_null(0)
    )
    # Demo institutions (a `demo` column that is true) are fictional: ranked among themselves, never with real ones.
    demo = institutions is not None and "demo" in institutions.columns
    if demo:
        assert institutions is not None
        flags = institutions.select("org_number", pl.col("demo").fill_null(False))
        table = table.join(flags, on="org_number", how="left").with_columns(pl.col("demo").fill_null(False))
    group = ["demo"] if demo else [pl.lit(True)]
    table = table.with_columns(
        pl.col("score").rank("min", descending=True).over(group).cast(pl.Int64).alias("rank"),
        (100 * pl.col("score").rank("max") / pl.len()).over(group).round(0).cast(pl.Int64).alias("percentile"),
    )
    if institutions is not None:
        table = institutions.join(table.drop("demo", strict=False), on="org_number", how="right")
    return table.sort(["demo", "rank", "org_number"] if demo else ["rank", "org_number"])


def area_scores(findings: pl.DataFrame) -> pl.DataFrame:
    """Institution × area: score and open counts (long format, every area present; for the sector heatmap)."""
    scores = readiness(findings, by=["org_number", "area"]).select("org_number", "area", "score", "applicable")
    counts = findings.group_by("org_number", "area").agg(
        _open().sum().alias("open"),
        ((pl.col("severity") == "critical") & _open()).sum().alias("critical"),
    )
    grid = findings.select("org_number").unique().join(pl.DataFrame({"area": list(AREAS)}), how="cross")
    return (
        grid.join(scores, on=["org_number", "area"], how="left")
        .join(counts, on=["org_number", "area"], how="left")
        .with_columns(pl.col("applicable", "open", "critical").fill_null(0).cast(pl.Int64))
        .sort("org_number", "area")
    )


def common_findings(findings: pl.DataFrame, top: int = 10) -> pl.DataFrame:
    """The open findings most institutions share: by rule and subject, with how many institutions and the
    worst severity among them."""
    rank = pl.col("severity").replace_strict(SEVERITIES, list(range(len(SEVERITIES))), return_dtype=pl.Int8)
    return (
        findings.filter(_open())
        .with_columns(rank.alias("_rank"))
        .group_by("rule_id", "area", "subject")
        .agg(
            pl.col("org_number").n_unique().alias("institutions"),
            pl.col("holders").sum().alias("holders"),
            pl.col("_rank").min().alias("_worst"),
            pl.col("action").first().alias("example_action"),
        )
        .with_columns(pl.col("_worst").replace_strict(list(range(len(SEVERITIES))), SEVERITIES).alias("worst_severity"))
        .sort(["institutions", "_worst", "holders", "subject"], descending=[True, False, True, False])
        .drop("_worst")
        .head(top)
    )
