"""The report's small computations as they were before they were done in plain Python or shared within a report:
the reference the differential tests in test_report_cells compare with. Only the replaced computation is kept here,
never a second copy of the code around it."""

from __future__ import annotations

from datetime import date
from typing import Any

import polars as pl

from altinn_analysis.impact import AREAS, OPEN_STATUSES, SEVERITIES, STATUSES
from altinn_analysis.report._actions_layout import COLUMNS, TRACKING


def open_per_deadline(findings: pl.DataFrame) -> tuple[dict[date, list[int]], int]:
    """The timeline's open findings per deadline (n, then one count per severity) and those without one, the
    polars way the chart queried them."""
    open_findings = findings.filter(pl.col("status").is_in(list(OPEN_STATUSES)))
    per_deadline = (
        open_findings.filter(pl.col("deadline").is_not_null())
        .group_by("deadline")
        .agg(pl.len().alias("n"), *[(pl.col("severity") == s).sum().alias(s) for s in SEVERITIES[:4]])
        .sort("deadline")
    )
    without = open_findings.filter(pl.col("deadline").is_null()).height
    return {row[0]: list(row[1:]) for row in per_deadline.rows()}, without


def consent_bars(groups: list[tuple[str, date, bool, int]]) -> tuple[int, list[tuple[tuple[str, date], int]]]:
    """The consent chart's sums, the polars way: what to obtain again, and the bars by series and month."""
    agg = pl.DataFrame(groups, schema=["series", "month", "still", "n"], orient="row")
    to_reobtain = int(agg.filter((pl.col("series") == "a2_after") & pl.col("still"))["n"].sum())
    bars = agg.group_by("series", "month").agg(pl.col("n").sum()).sort("series", "month")
    return to_reobtain, [((key, month), n) for key, month, n in bars.rows()]


def open_by_area(findings: pl.DataFrame) -> dict[str, dict[str, int]]:
    """The readiness chart's open findings per area and severity, the polars way."""
    return {
        row.pop("area"): row
        for row in findings.filter(pl.col("status").is_in(list(OPEN_STATUSES)))
        .group_by("area")
        .agg(pl.len().alias("open"), *[(pl.col("severity") == s).sum().alias(s) for s in SEVERITIES[:4]])
        .iter_rows(named=True)
    }


def _open_findings(findings: pl.DataFrame, org_number: str) -> list[dict[str, Any]]:
    """The open findings as rows, checked and in the order of the sheets."""
    needed = {c for c, _, _ in COLUMNS if c not in TRACKING} | {"org_number"}
    missing = sorted(needed - set(findings.columns))
    if missing:
        raise ValueError(f"findings lack the column(s) {', '.join(missing)}")
    for column, allowed in (("status", STATUSES), ("severity", SEVERITIES), ("area", AREAS)):
        bad = sorted(set(findings[column].drop_nulls().unique()) - set(allowed))
        if bad or findings[column].null_count():
            raise ValueError(f"findings have {column} values outside {', '.join(allowed)}: {bad or ['null']}")
    # A sector-wide frame must not leak another institution's findings into this one's workbook.
    others = sorted(set(findings["org_number"].drop_nulls().unique()) - {org_number})
    if others:
        raise ValueError(f"findings for {org_number} also hold rows for {', '.join(others)}")
    rank = {s: i for i, s in enumerate(SEVERITIES)}
    area_rank = {a: i for i, a in enumerate(AREAS)}
    ordered = (
        findings.filter(pl.col("status").is_in(OPEN_STATUSES))
        .with_columns(
            pl.col("severity").replace_strict(rank, return_dtype=pl.Int64).alias("_severity"),
            pl.col("area").replace_strict(area_rank, return_dtype=pl.Int64).alias("_area"),
        )
        .sort(["_severity", "days_left", "_area", "subject", "finding_id"], nulls_last=True)
    )
    return ordered.select([c for c, _, _ in COLUMNS if c not in TRACKING]).to_dicts()


def severity_grid(findings: pl.DataFrame) -> pl.DataFrame:
    """The summary's area × severity grid as it was made: a polars join of the open findings' counts."""
    open_ = findings.filter(pl.col("status").is_in(list(OPEN_STATUSES)))
    return (
        pl.DataFrame({"area": list(AREAS)})
        .join(
            open_.group_by("area").agg([(pl.col("severity") == s).sum().alias(s) for s in SEVERITIES[:4]]),
            on="area",
            how="left",
        )
        .fill_null(0)
    )


def finalise_order(frame: pl.DataFrame) -> pl.DataFrame:
    """`impact._finalise`'s order as it was: a polars sort of the finished frame."""
    order_sev = pl.col("severity").replace_strict(SEVERITIES, list(range(len(SEVERITIES))), return_dtype=pl.Int8)
    order_status = pl.col("status").replace_strict(STATUSES, list(range(len(STATUSES))), return_dtype=pl.Int8)
    return frame.sort([order_sev, order_status, "days_left", "area", "subject", "finding_id"], nulls_last=True)


def findings_frame(report: Any) -> pl.DataFrame:
    """`InstitutionReport.findings_frame` as it was: coded values mapped by polars' `replace_strict`."""
    from altinn_analysis.report._display import code_label
    from altinn_analysis.report._institution import AREA_COLUMNS
    from altinn_analysis.report._texts import label

    lang = report.language
    columns = ["finding_id", "service_id", *AREA_COLUMNS[:1], "area", *AREA_COLUMNS[1:], "deadline", "detail"]
    frame: pl.DataFrame = report.shown_findings.select(list(dict.fromkeys(columns)))
    coded = [c for c in ("status", "severity", "area", "certainty") if c in frame.columns]
    frame = frame.with_columns(
        pl.col(c).replace_strict({v: code_label(v, lang) for v in frame[c].drop_nulls().unique()}, default=None)
        for c in coded
    )
    return frame.rename({c: label(c, lang) for c in frame.columns})


def context_grants(a3: pl.DataFrame) -> tuple[dict[str, set[str]], set[str], set[str]]:
    """`impact.Context`'s Altinn 3 grants as they were made: a tuple per row of (holder, holder type, grant)."""
    grants: dict[str, set[str]] = {}
    system_user: set[str] = set()
    for holder, holder_type, grant in a3.iter_rows():
        grants.setdefault(holder, set()).add(grant)
        if holder_type == "system_user":
            system_user.add(grant)
    return grants, system_user, set(a3["grant"])


def provenance_tables(report: Any) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The provenance section's file hashes and findings per certainty, as polars made them."""
    hashes = pl.DataFrame(
        {"file": list(report.inventory.file_hashes), "sha256": list(report.inventory.file_hashes.values())},
        schema={"file": pl.String, "sha256": pl.String},
    ).sort("file")
    findings: pl.DataFrame = report.findings
    certainty = findings.group_by("certainty").len().sort("certainty").rename({"len": "count"})
    return hashes, certainty


def role_groups(delegations: pl.DataFrame) -> list[tuple[Any, ...]]:
    """The Altinn 2 role groups as `impact.evaluate_roles` queried them: (code, source is "er", holder type,
    holders)."""
    d = delegations.filter((pl.col("platform") == "altinn2") & (pl.col("grant_type") == "role"))
    d = d.with_columns(pl.col("grant").str.strip_chars().str.to_uppercase().alias("code"), pl.col("source") == "er")
    groups = d.group_by("code", "source", "holder_type", maintain_order=True).agg(pl.col("holder_id").unique().sort())
    return [(code, via_er, holder_type, tuple(h)) for code, via_er, holder_type, h in groups.iter_rows()]


def right_groups(delegations: pl.DataFrame) -> list[tuple[Any, ...]]:
    """The Altinn 2 single-right groups as `impact.evaluate_rights` queried them: (grant, holder type, holders)."""
    d = delegations.filter((pl.col("platform") == "altinn2") & (pl.col("grant_type") == "service"))
    groups = d.group_by("grant", "holder_type", maintain_order=True).agg(pl.col("holder_id").unique().sort())
    return [(grant, holder_type, tuple(h)) for grant, holder_type, h in groups.iter_rows()]


def role_holders(delegations: pl.DataFrame) -> tuple[list[tuple[Any, ...]], set[Any]]:
    """The roles chart's role codes with their holder counts, and the Altinn 3 packages, as it queried them."""
    roles = (
        delegations.filter((pl.col("platform") == "altinn2") & (pl.col("grant_type") == "role"))
        .with_columns(pl.col("grant").str.strip_chars().str.to_uppercase().alias("code"))
        .group_by("code")
        .agg(pl.col("holder_id").n_unique().alias("holders"))
        .sort(["holders", "code"], descending=[True, False])
    )
    held_a3 = set(
        delegations.filter((pl.col("platform") == "altinn3") & (pl.col("grant_type") == "access_package"))["grant"]
    )
    return roles.rows(), held_a3


def open_by_service(findings: pl.DataFrame, services: Any = None) -> list[tuple[str, list[dict[str, Any]]]]:
    """The open findings per service as `impact.verdicts` split them: exploded per service and filtered in polars."""
    exploded = findings.with_columns(pl.col("service_id").str.split(";").alias("_service")).explode("_service")
    wanted = list(services) if services is not None else sorted(set(exploded["_service"].drop_nulls()))
    by_service: dict[str, list[dict[str, Any]]] = {}
    for row in exploded.filter(pl.col("status").is_in(list(OPEN_STATUSES))).iter_rows(named=True):
        by_service.setdefault(str(row["_service"]), []).append(row)
    return [(service, by_service.get(service, [])) for service in wanted]


def named_findings(report: Any) -> pl.DataFrame:
    """The findings as shown, with vendor names after their numbers, as polars' map_elements made them."""
    import re

    vendors = {v.org_number: v.name for v in report.inventory.profile.vendors if v.name}
    findings: pl.DataFrame = report.findings
    if not vendors:
        return findings
    pattern = r"\b(" + "|".join(sorted(vendors)) + r")\b"

    def named(text: str | None) -> str | None:
        if text is None:
            return None
        return re.sub(pattern, lambda m: f"{vendors[m[1]]} ({m[1]})", text)

    columns = [c for c in ("subject", "action", "detail", "altinn3_target") if c in findings.columns]
    return findings.with_columns(
        pl.col(c).map_elements(named, return_dtype=pl.String, skip_nulls=True) for c in columns
    )


def consent_sums(consents: pl.DataFrame, as_of: date, boundary: date) -> tuple[list[tuple[Any, ...]], dict[Any, int]]:
    """The per-service consent sums as `impact.evaluate_consents` queried them: two aggregations of the table."""
    a2 = consents.filter((pl.col("platform") == "altinn2") & (pl.col("status") == "active"))
    beyond = pl.col("valid_to") > boundary
    still = pl.col("valid_to") >= as_of
    agg = (
        a2.group_by("service")
        .agg(
            pl.col("count").sum().alias("total"),
            pl.col("count").filter(beyond & still).sum().alias("need"),
            pl.col("count").filter(beyond & ~still).sum().alias("lapsed"),
        )
        .sort("service")
    )
    a3 = (
        consents.filter((pl.col("platform") == "altinn3") & (pl.col("status") == "active") & still)
        .group_by("service")
        .agg(pl.col("count").sum())
    )
    rows = [(service, int(total), int(need or 0), int(lapsed or 0)) for service, total, need, lapsed in agg.rows()]
    return rows, dict(zip(a3["service"], a3["count"], strict=True))


def consent_groups(consents: pl.DataFrame, as_of: date, boundary: date) -> list[tuple[Any, ...]]:
    """The consent chart's groups as it queried them."""
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
    return agg.rows()
