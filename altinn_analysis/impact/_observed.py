"""Observed vs reported: what a pull read from Altinn outranks what the inventory only reports.

Pure. `apply_observed(findings, inventory)` runs after the rules:
- a `done` finding whose Altinn 3 target appears in pulled rows (those with an `origin`) is certain by
  observation: certainty `observed`, evidence = the endpoint and time;
- a `done` finding that rests on a reported Altinn 3 right the pull did not find is no longer done: the observed
  state wins (status `at_risk`, certainty `observed`), and one finding per contradiction names it;
- Dialogporten letters that lie unopened (from the pull record) become a finding.
Without pulled rows nothing changes.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Mapping
from typing import Any

import polars as pl

from altinn_analysis.impact._policy import severity_for

__all__ = ["OBSERVED", "apply_observed", "contradictions", "nothing_observed", "observed_vs_reported"]

OBSERVED = "observed"

_TEXT = {
    "contradiction": (
        "Inventaret oppgir {reported}, men Altinn viser {observed}. Rett inventaret eller tilgangene.",
        "The inventory reports {reported}, but Altinn shows {observed}. Correct the inventory or the access.",
    ),
    "counts": ("rapportert {reported}, observert {observed}", "reported {reported}, observed {observed}"),
    "unopened_detail": ("{unopened} av {dialogs} uåpnet", "{unopened} of {dialogs} unopened"),
    "missing": (
        "Finnes ikke i Altinn 3 ved siste henting: gi tilgangen på nytt.",
        "Not found in Altinn 3 by the last pull: grant the access again.",
    ),
    "unopened": (
        "{count} brev i {resource} er ikke åpnet (eldste fra {oldest}). Sørg for at noen leser innboksen.",
        "{count} letters in {resource} are unopened (oldest from {oldest}). Make sure someone reads the inbox.",
    ),
}


def _observed(frame: pl.DataFrame) -> pl.DataFrame:
    if "origin" not in frame.columns:
        return frame.clear()
    return frame.filter(pl.col("origin").is_not_null())


def _reported(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.filter(pl.col("origin").is_null()) if "origin" in frame.columns else frame


def _holder(row: Mapping[str, Any]) -> str:
    # Person holders are pseudonymous on both sides, under different keys: compare them by count only.
    if row["holder_type"] == "person":
        return "person"
    if row["holder_type"] == "system_user":
        return str(row["holder_id"]).split()[0]
    return str(row["holder_id"])


def observed_vs_reported(inventory: Any) -> pl.DataFrame:
    """Observed and reported Altinn 3 facts side by side: `table, what, reported, observed, agrees`.

    Delegations are counted per holder (persons together: their pseudonyms differ by design), grant and source;
    system users by name; consents per resource and status. Only scopes a pull has covered are listed.
    """
    rows: list[dict[str, Any]] = []
    deleg = inventory.delegations.filter(pl.col("platform") == "altinn3")
    seen = _observed(deleg)
    if seen.height:
        key = ("holder_type", "grant_type", "grant", "source")

        def count(frame: pl.DataFrame) -> Counter[tuple[str, ...]]:
            return Counter((_holder(r), *(str(r[k]) for k in key)) for r in frame.iter_rows(named=True))

        rep, obs = count(_reported(deleg)), count(seen)
        for item in sorted(set(rep) | set(obs)):
            holder, kind, grant_type, grant, source = item
            who = "" if holder == "person" else f" {holder}"
            what = f"{kind}{who} {grant_type} {grant} ({source})"
            row = _compare("delegations", what, grant, rep[item], obs[item], seen["origin"][0])
            rows.append({**row, "holder": "" if holder == "person" else holder})
    integ = inventory.integrations.filter((pl.col("platform") == "altinn3") & (pl.col("kind") == "system_user"))
    seen_i = _observed(integ)
    if seen_i.height:
        rep_names = Counter(str(n).split()[0] for n in _reported(integ)["name"])
        obs_names = Counter(str(n).split()[0] for n in seen_i["name"])
        for name in sorted(set(rep_names) | set(obs_names)):
            origin = seen_i["origin"][0]
            row = _compare("integrations", f"system_user {name}", name, rep_names[name], obs_names[name], origin)
            rows.append({**row, "holder": name})
    cons = inventory.consents.filter(pl.col("platform") == "altinn3")
    seen_c = _observed(cons)
    if seen_c.height:

        def totals(frame: pl.DataFrame) -> dict[tuple[str, str], int]:
            grouped = frame.group_by("service", "status").agg(pl.col("count").sum())
            return {(str(a), str(b)): int(c) for a, b, c in grouped.iter_rows()}

        rep_c, obs_c = totals(_reported(cons)), totals(seen_c)
        for service, status in sorted(set(rep_c) | set(obs_c)):
            what = f"{service} {status}"
            rows.append(
                _compare(
                    "consents",
                    what,
                    service,
                    rep_c.get((service, status), 0),
                    obs_c.get((service, status), 0),
                    seen_c["origin"][0],
                )
            )
    schema = {
        "table": pl.String(),
        "what": pl.String(),
        "target": pl.String(),
        "holder": pl.String(),
        "reported": pl.Int64(),
        "observed": pl.Int64(),
        "agrees": pl.Boolean(),
        "origin": pl.String(),
    }
    return pl.DataFrame(rows, schema=schema) if rows else pl.DataFrame(schema=schema)


def _compare(table: str, what: str, target: str, reported: int, observed: int, origin: str) -> dict[str, Any]:
    return {
        "table": table,
        "what": what,
        "target": target,
        "holder": "",
        "reported": reported,
        "observed": observed,
        "agrees": reported == observed,
        "origin": origin,
    }


def contradictions(inventory: Any) -> list[dict[str, Any]]:
    """Where pulled rights and system users disagree with reported ones. Consents are left out: a pull reads the
    whole feed, but an institution's own history usually reaches further back than Altinn 3 keeps requests."""
    frame = observed_vs_reported(inventory)
    return frame.filter(~pl.col("agrees") & (pl.col("table") != "consents")).to_dicts()


def _row(org: str, rule_id: str, key: str, language: str, **values: Any) -> dict[str, Any]:
    status = values["status"]
    return {
        "org_number": org,
        "finding_id": "F-" + hashlib.sha256(f"{org}|{rule_id}|{key}".encode()).hexdigest()[:12],
        "rule_id": rule_id,
        "service_id": None,
        "area": values["area"],
        "subject": values["subject"],
        "holders": values.get("holders", 0),
        "altinn3_target": values.get("target"),
        "status": status,
        "severity": severity_for(status, None, False),
        "deadline": None,
        "days_left": None,
        "action": values["action"],
        "certainty": OBSERVED,
        "evidence": values["evidence"],
        "detail": values.get("detail"),
        "blocking": False,
    }


def nothing_observed(inventory: Any) -> bool:
    """No pull record and no pulled row (one with an `origin`) in any table: `apply_observed` changes nothing
    then, and a report need not look further (most inventories are never pulled)."""
    if getattr(inventory, "pulled", None) is not None:
        return False
    for frame in (inventory.delegations, inventory.consents, inventory.integrations):
        if "origin" in frame.columns and frame["origin"].null_count() < frame.height:
            return False
    return True


def apply_observed(findings: pl.DataFrame, inventory: Any, *, language: str = "nb") -> pl.DataFrame:
    """The findings with observed facts applied (see the module doc). Pure."""
    lang = 0 if language == "nb" else 1
    if nothing_observed(inventory):
        return findings
    pulled = [
        _observed(inventory.delegations).filter(pl.col("platform") == "altinn3"),
        _observed(inventory.consents).rename({"service": "grant"}),
        _observed(inventory.integrations).rename({"name": "grant"}),
    ]
    observed_targets: dict[str, str] = {}
    for frame in pulled:
        for grant, origin in frame.select("grant", "origin").iter_rows():
            # Findings name a package by its code (`hovedadministrator`), pulled rows by its urn.
            for key in (str(grant), str(grant).rsplit(":", 1)[-1]):
                observed_targets.setdefault(key, str(origin))
    for kind, origin in _observed(inventory.integrations).select("kind", "origin").iter_rows():
        observed_targets.setdefault(str(kind), str(origin))
    if not observed_targets and getattr(inventory, "pulled", None) is None:
        return findings
    org = inventory.profile.org_number
    found = contradictions(inventory)
    missing = {c["target"]: c for c in found if c["table"] == "delegations" and c["observed"] < c["reported"]}
    pulled_access = bool(_observed(inventory.delegations).filter(pl.col("platform") == "altinn3").height)

    def judge(row: dict[str, Any]) -> dict[str, Any]:
        target = row.get("altinn3_target") or ""
        if row["status"] == "done" and target in observed_targets:
            row["certainty"], row["evidence"] = OBSERVED, observed_targets[target]
        elif row["status"] == "done" and pulled_access and target in missing:
            row["status"], row["certainty"] = "at_risk", OBSERVED
            row["action"] = _TEXT["missing"][lang]
            row["evidence"] = missing[target]["origin"]
            row["severity"] = severity_for("at_risk", row.get("days_left"), bool(row.get("blocking")))
        return row

    rows = [judge(dict(r)) for r in findings.iter_rows(named=True)]
    for c in found:
        rows.append(
            _row(
                org,
                "observed.contradiction",
                f"{c['table']}|{c['what']}",
                language,
                status="action",
                area="roles" if c["table"] == "delegations" else "integration",
                subject=c["target"] + (f" ({c['holder']})" if c["holder"] and c["holder"] != c["target"] else ""),
                target=c["target"],
                holders=int(c["observed"]),
                action=_TEXT["contradiction"][lang].format(reported=c["reported"], observed=c["observed"]),
                evidence=c["origin"],
                detail=_TEXT["counts"][lang].format(reported=c["reported"], observed=c["observed"]),
            )
        )
    record = getattr(inventory, "pulled", None) or {}
    for dialog in record.get("dialogs") or ():
        if dialog.get("unopened"):
            rows.append(
                _row(
                    org,
                    "observed.unopened_letters",
                    dialog["resource"],
                    language,
                    status="action",
                    area="messaging",
                    subject=dialog["resource"],
                    target=dialog["resource"],
                    holders=int(dialog["unopened"]),
                    action=_TEXT["unopened"][lang].format(
                        count=dialog["unopened"], resource=dialog["resource"], oldest=dialog.get("oldest_unopened")
                    ),
                    evidence=record.get("origins", {}).get("dialogs", "Dialogporten"),
                    detail=_TEXT["unopened_detail"][lang].format(**dialog),
                )
            )
    return pl.DataFrame(rows, schema=findings.schema)
