"""The impact engine: `(catalogue, dsop, inventory, as_of) -> findings`, pure and deterministic.

One evaluator per rule `kind` (roles, single_right, consent, integration, prerequisite). Each turns inventory
rows into draft findings; `_finalise` adds deadline, days_left, severity, the action text and a stable id.
Large tables (consents, delegations) are aggregated in polars first, so Python only loops over distinct
codes, not rows.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

import polars as pl

from altinn_analysis.catalogue import PACKAGE_URN_PREFIX, parse_service
from altinn_analysis.impact._observed import apply_observed
from altinn_analysis.impact._policy import SEVERITIES, STATUSES, severity_for
from altinn_analysis.impact._rules import BOUNDARY_MILESTONE, INTEGRATION_COUNTERPARTS, Rule, rule, text

if TYPE_CHECKING:
    from altinn_analysis.catalogue import Catalogue, DsopCatalogue
    from altinn_analysis.inventory import Inventory

__all__ = ["FINDINGS_SCHEMA", "assess"]

FINDINGS_SCHEMA: dict[str, pl.DataType] = {
    "org_number": pl.String(),
    "finding_id": pl.String(),
    "rule_id": pl.String(),
    "service_id": pl.String(),
    "area": pl.String(),
    "subject": pl.String(),
    "holders": pl.Int64(),
    "altinn3_target": pl.String(),
    "status": pl.String(),
    "severity": pl.String(),
    "deadline": pl.Date(),
    "days_left": pl.Int64(),
    "action": pl.String(),
    "certainty": pl.String(),
    "evidence": pl.String(),
    "detail": pl.String(),
    "blocking": pl.Boolean(),
}

_CERTAINTY_ORDER = {"documented": 0, "inferred": 1, "unknown": 2}
# Altinn 2 integration kind → the DSOP dependency (artefact type, Altinn 3 target type) it implements, to name
# the services it serves.
_ARTEFACT_OF_KIND: dict[str, tuple[str, str | None]] = {
    "api_key": ("altinn_api_key", None),
    "enterprise_user": ("enterprise_user", None),
    "consent_api": ("maskinporten_scope", "consent_api"),
    "message_box": ("correspondence_inbox", None),
    "broker": ("broker_service", None),
}
# Dependency types the inventory-artefact rules already judge; the prerequisite rule leaves them alone.
_ARTEFACT_TYPES = frozenset({*(a for a, _ in _ARTEFACT_OF_KIND.values()), "consent_service", "altinn_role"})
_A3_MACHINE_KINDS = ("maskinporten_client", "system_user", "consent_api")


@dataclass
class _Draft:
    rule: Rule
    key: str  # what makes the finding unique within its rule, for the stable id
    subject: str
    status: str
    certainty: str
    evidence: str
    service_id: str | None = None
    holders: int = 0
    target: str | None = None
    detail: str = ""
    count: int = 0
    milestone: str | None = None
    blocking: bool | None = None
    fields: dict[str, object] = field(default_factory=dict)


def _weakest(*certainties: str | None) -> str:
    known = [c for c in certainties if c]
    return max(known, key=lambda c: _CERTAINTY_ORDER.get(c, 2)) if known else "unknown"


def _package_urn(grant: pl.Expr) -> pl.Expr:
    return pl.when(grant.str.starts_with("urn:")).then(grant).otherwise(pl.lit(PACKAGE_URN_PREFIX) + grant)


def _short(items: Iterable[str], limit: int = 3) -> str:
    names = [i.removeprefix(PACKAGE_URN_PREFIX) for i in items]
    return ", ".join(names[:limit]) + (f" (+{len(names) - limit})" if len(names) > limit else "")


class _Lookups:
    """The catalogues as plain dicts, built once and shared by every institution of a run (polars filters on
    tiny tables cost more in call overhead than the work they do)."""

    def __init__(self, catalogue: Catalogue, dsop: DsopCatalogue) -> None:
        self.catalogue = catalogue
        self.dsop = dsop
        self.deps: list[dict[str, Any]] = [
            {**row, "code_upper": (row["altinn2_code"] or "").upper()}
            for row in dsop.dependencies.iter_rows(named=True)
        ]
        self.milestones: dict[str, date] = dict(
            zip(dsop.milestones["milestone_id"], dsop.milestones["date"], strict=True)
        )
        self.successors: dict[str, pl.DataFrame] = {
            str(code): group for (code,), group in dsop.role_successors.group_by("altinn2_role_code")
        }
        grants = dsop.er_role_grants
        self.er_gave: dict[str, list[str]] = {
            str(k): sorted(set(g["altinn2_role_code"])) for (k,), g in grants.group_by("er_legacy_code")
        }
        self.er_roles_giving: dict[str, list[str]] = {
            str(k): sorted(set(g["er_role_code"])) for (k,), g in grants.group_by("altinn2_role_code")
        }
        subjects = catalogue.resource_subjects.filter(pl.col("subject_type") == "urn:altinn:accesspackage")
        self.subject_packages: dict[str, list[str]] = {
            str(k): sorted(g["subject_urn"]) for (k,), g in subjects.group_by("identifier")
        }
        self._role_packages: dict[tuple[str, str], list[str]] = {}
        self._services: dict[tuple[str, str | None], pl.DataFrame] = {}

    def milestone_date(self, milestone_id: str) -> date:
        return self.milestones[milestone_id]

    def packages_for_role(self, role: str, org_form: str) -> list[str]:
        key = (role, org_form.upper())
        if key not in self._role_packages:
            self._role_packages[key] = sorted(self.catalogue.packages_for_role(role, org_form)["urn"])
        return self._role_packages[key]

    def resources_for_service(self, code: str, edition: str | None) -> pl.DataFrame:
        key = (code, edition)
        if key not in self._services:
            self._services[key] = self.catalogue.resources_for_service(code, edition)
        return self._services[key]

    def successors_of(self, code: str) -> pl.DataFrame:
        found = self.successors.get(code)
        return found if found is not None else self.dsop.role_successors.clear()


class _Context:
    def __init__(self, lookups: _Lookups, inventory: Inventory, as_of: date, language: str) -> None:
        self.lookups = lookups
        self.catalogue = lookups.catalogue
        self.dsop = lookups.dsop
        self.language = language
        self.inventory = inventory
        self.profile = inventory.profile
        self.as_of = as_of
        self.services = set(self.profile.dsop_services)
        self.boundary = lookups.milestone_date(BOUNDARY_MILESTONE)
        self.deps = [row for row in lookups.deps if row["service_id"] in self.services]
        d = inventory.delegations.filter(pl.col("platform") == "altinn3")
        a3 = d.filter(pl.col("grant_type").is_in(["access_package", "resource"])).select(
            "holder_id",
            pl.when(pl.col("grant_type") == "access_package")
            .then(_package_urn(pl.col("grant")))
            .otherwise(pl.col("grant"))
            .alias("grant"),
        )
        # holder → every package urn and resource id it holds in Altinn 3
        self.a3_grants: dict[str, set[str]] = {}
        for holder, grant in a3.iter_rows():
            self.a3_grants.setdefault(holder, set()).add(grant)
        self.a3_package_urns = set(a3["grant"])
        self.a3_integrations = inventory.integrations.filter(pl.col("platform") == "altinn3")

    def text(self, key: str, **fields: object) -> str:
        return text(key, self.language, **fields)

    def services_for(
        self, artefact_type: str, code: str | None = None, edition: str | None = None, target_type: str | None = None
    ) -> str | None:
        """The profile's DSOP services that depend on this kind of Altinn 2 artefact (`;`-joined)."""

        def match(row: dict[str, Any]) -> bool:
            return (
                row["artefact_type"] == artefact_type
                and (target_type is None or row["altinn3_target_type"] == target_type)
                and (code is None or row["code_upper"] == code.upper())
                and (edition is None or row["altinn2_edition"] == edition)
            )

        found = sorted({row["service_id"] for row in self.deps if match(row)})
        if not found and code is not None:
            # Not in the profile's services: still say which DSOP service it belongs to, if any.
            found = sorted({row["service_id"] for row in self.lookups.deps if match(row)})
        return ";".join(found) or None

    def dependency(self, artefact_type: str, code: str, edition: str | None = None) -> dict[str, Any] | None:
        for row in self.lookups.deps:
            if (
                row["artefact_type"] == artefact_type
                and row["code_upper"] == code.upper()
                and (edition is None or row["altinn2_edition"] == edition)
            ):
                return row
        return None

    def holders_lacking(self, holders: pl.Series, packages: Sequence[str], resources: Sequence[str] = ()) -> int:
        """How many of `holders` have none of `packages` (and none of `resources`) in Altinn 3."""
        wanted = set(packages) | set(resources)
        return sum(1 for h in holders.unique() if not (self.a3_grants.get(h, set()) & wanted))

    def active_a3(self, kinds: Sequence[str]) -> pl.DataFrame:
        return self.a3_integrations.filter(pl.col("kind").is_in(list(kinds)) & (pl.col("status") == "active"))

    def planned_a3(self, kinds: Sequence[str]) -> pl.DataFrame:
        return self.a3_integrations.filter(pl.col("kind").is_in(list(kinds)) & (pl.col("status") == "planned"))


# -- roles ---------------------------------------------------------------------------------------------------


def _roles(ctx: _Context) -> list[_Draft]:
    d = ctx.inventory.delegations.filter((pl.col("platform") == "altinn2") & (pl.col("grant_type") == "role"))
    if d.height == 0:
        return []
    d = d.with_columns(pl.col("grant").str.strip_chars().str.to_uppercase().alias("code"), pl.col("source") == "er")
    out: list[_Draft] = []
    for (code, via_er), group in d.group_by("code", "source", maintain_order=True):
        out.append(_role_finding(ctx, str(code), bool(via_er), group["holder_id"]))
    return out


def _role_finding(ctx: _Context, code: str, via_er: bool, holders: pl.Series) -> _Draft:
    cat = ctx.catalogue
    n = holders.n_unique()
    role = cat.role(code)
    successors = ctx.lookups.successors_of(code)
    candidates = [u for u in successors["package_urn"].to_list() if u]
    certainty = _weakest(*successors["certainty"].to_list()) if successors.height else "unknown"
    evidence = "role_successors: " + (successors["source"][0] if successors.height else "no row")
    service = ctx.services_for("altinn_role", code)
    suffix = "er" if via_er else "delegated"
    is_er_role = role is not None and role["provider_code"] == "sys-ccr"
    if role is None and successors.height == 0:
        return _Draft(
            rule("roles.unknown"),
            f"{code}|{suffix}",
            code,
            "unknown",
            "unknown",
            "catalogue roles: no such code",
            service,
            n,
        )
    if is_er_role and role is not None:
        # ER roles give packages automatically; one that gave Altinn 2 roles but gives no package for this
        # organisation form leaves its holders without that access unless it is delegated explicitly.
        auto = ctx.lookups.packages_for_role(str(role["code"]), ctx.profile.org_form)
        evidence = f"role_packages: {role['code']} ({ctx.profile.org_form})"
        if auto:
            return _Draft(
                rule("roles.er_auto"),
                f"{code}|{suffix}",
                code,
                "done",
                "documented",
                evidence,
                service,
                n,
                _short(auto),
                detail=ctx.text("auto_packages", n=len(auto)),
            )
        gave = ctx.lookups.er_gave.get(code, [])
        if not gave:
            return _Draft(
                rule("roles.er_auto"),
                f"{code}|{suffix}",
                code,
                "not_applicable",
                "documented",
                evidence,
                service,
                0,
                None,
                detail=ctx.text("er_gave_nothing"),
            )
        return _Draft(
            rule("roles.er_loses_access"),
            f"{code}|{suffix}",
            code,
            "action",
            "documented",
            f"{evidence}; er_role_grants",
            service,
            n,
            "explicit delegation",
            detail=ctx.text("er_gave", roles=_short(gave, 6)),
        )
    if via_er:
        # An Altinn 2 role held through an ER role survives only if an ER role that gave it also gives one of
        # its candidate packages for this organisation form.
        er_roles = ctx.lookups.er_roles_giving.get(code, [])
        auto_set = {u for r in er_roles for u in ctx.lookups.packages_for_role(r, ctx.profile.org_form)}
        covered = auto_set & set(candidates)
        if covered:
            return _Draft(
                rule("roles.er_auto"),
                f"{code}|{suffix}",
                code,
                "done",
                _weakest(certainty, "inferred"),
                f"role_packages for {_short(er_roles)} ({ctx.profile.org_form}); {evidence}",
                service,
                n,
                _short(sorted(covered)),
                detail=ctx.text("auto_candidates", n=len(covered)),
            )
        lacking = ctx.holders_lacking(holders, candidates)
        status = ("done" if lacking == 0 else "action") if candidates else "at_risk"
        return _Draft(
            rule("roles.er_loses_access"),
            f"{code}|{suffix}",
            code,
            status,
            certainty,
            f"role_packages: {_short(er_roles) or 'no ER role'} give no candidate for "
            f"{ctx.profile.org_form}; {evidence}",
            service,
            lacking if candidates else n,
            _short(candidates) or None,
        )
    if successors.height == 0:
        return _Draft(
            rule("roles.unknown"),
            f"{code}|{suffix}",
            code,
            "unknown",
            "unknown",
            "role_successors: no successor mapping for this role",
            service,
            n,
        )
    if not candidates:
        return _Draft(
            rule("roles.no_successor"), f"{code}|{suffix}", code, "at_risk", certainty, evidence, service, n, None
        )
    lacking = ctx.holders_lacking(holders, candidates)
    confidence = successors["confidence"][0]
    return _Draft(
        rule("roles.successor"),
        f"{code}|{suffix}",
        code,
        "done" if lacking == 0 else "action",
        certainty,
        evidence,
        service,
        lacking,
        _short(candidates),
        detail=ctx.text("holders_with_package", have=n - lacking, n=n, confidence=confidence),
    )


# -- single-service rights -----------------------------------------------------------------------------------


def _single_rights(ctx: _Context) -> list[_Draft]:
    d = ctx.inventory.delegations.filter((pl.col("platform") == "altinn2") & (pl.col("grant_type") == "service"))
    out: list[_Draft] = []
    for (grant,), group in d.group_by("grant", maintain_order=True):
        code, edition = parse_service(str(grant))
        subject = f"{code}:{edition}" if edition else code
        holders = group["holder_id"]
        n = holders.n_unique()
        mapped = ctx.lookups.resources_for_service(code, edition)
        dep = (
            ctx.dependency("delegated_right", code, edition)
            or ctx.dependency("broker_service", code, edition)
            or ctx.dependency("consent_service", code, edition)
        )
        identifiers = sorted(set(mapped["identifier"]))
        if not identifiers and dep and dep["altinn3_target_type"] == "resource" and dep["altinn3_target"]:
            identifiers = [dep["altinn3_target"]]
        service = ctx.services_for("delegated_right", code, edition) or ctx.services_for("broker_service", code)
        if not identifiers:
            status = "at_risk" if dep and dep["successor_status"] == "not_found" else "unknown"
            return_draft = _Draft(
                rule("service.single_right_unknown"),
                subject,
                subject,
                status,
                dep["certainty"] if dep else "unknown",
                "altinn2_service_map: no resource",
                service,
                n,
            )
            out.append(return_draft)
            continue
        packages = sorted({u for i in identifiers for u in ctx.lookups.subject_packages.get(i, [])})
        lacking = ctx.holders_lacking(holders, packages, identifiers)
        matches = set(mapped["match"]) or {"dsop"}
        certainty = _weakest(
            "documented" if matches == {"reference"} else "inferred", dep["certainty"] if dep else None
        )
        target = " / ".join(identifiers) + (
            " (" + ctx.text("or_package", packages=_short(packages, 2)) + ")" if packages else ""
        )
        out.append(
            _Draft(
                rule("service.single_right"),
                subject,
                subject,
                "done" if lacking == 0 else "action",
                certainty,
                f"altinn2_service_map ({', '.join(sorted(matches))}); resource_subjects",
                service,
                lacking,
                target,
                detail=ctx.text("holders_with_right", have=n - lacking, n=n),
            )
        )
    return out


# -- consents ------------------------------------------------------------------------------------------------


def _consents(ctx: _Context) -> list[_Draft]:
    c = ctx.inventory.consents
    a2 = c.filter((pl.col("platform") == "altinn2") & (pl.col("status") == "active"))
    if a2.height == 0:
        return []
    beyond = pl.col("valid_to") > ctx.boundary
    still = pl.col("valid_to") >= ctx.as_of
    agg = (
        a2.group_by("service")
        .agg(
            pl.col("count").sum().alias("total"),
            pl.col("count").filter(beyond & still).sum().alias("reobtain"),
            pl.col("count").filter(beyond & ~still).sum().alias("lapsed"),
        )
        .sort("service")
    )
    a3 = (
        c.filter((pl.col("platform") == "altinn3") & (pl.col("status") == "active") & still)
        .group_by("service")
        .agg(pl.col("count").sum())
    )
    a3_held = dict(zip(a3["service"], a3["count"], strict=True))
    out: list[_Draft] = []
    for row in agg.iter_rows(named=True):
        code, edition = parse_service(row["service"])
        subject = f"{code}:{edition}" if edition else code
        dep = ctx.dependency("consent_service", code, edition)
        mapped = ctx.lookups.resources_for_service(code, edition)
        consent_resources = sorted(set(mapped.filter(pl.col("resource_type") == "Consent")["identifier"]))
        if not consent_resources and dep and dep["altinn3_target_type"] == "resource" and dep["altinn3_target"]:
            consent_resources = [dep["altinn3_target"]]
        service = ctx.services_for("consent_service", code, edition)
        total, need, lapsed = int(row["total"]), int(row["reobtain"] or 0), int(row["lapsed"] or 0)
        lapsed_note = ctx.text("consents_lapsed", n=lapsed, as_of=ctx.as_of) if lapsed else ""
        certainty = dep["certainty"] if dep else ("inferred" if consent_resources else "unknown")
        evidence = f"dsop dependency {dep['dependency_id']}" if dep else "altinn2_service_map"
        if dep is None and mapped.height == 0:
            out.append(
                _Draft(
                    rule("consent.unknown"),
                    subject,
                    subject,
                    "unknown",
                    "unknown",
                    "no catalogue or DSOP entry",
                    service,
                    total,
                    count=total,
                )
            )
        elif need == 0 or (dep and dep["successor_status"] == "not_applicable"):
            out.append(
                _Draft(
                    rule("consent.ended"),
                    subject,
                    subject,
                    "not_applicable",
                    certainty,
                    evidence,
                    service,
                    0,
                    ", ".join(consent_resources) or None,
                    detail=" ".join(filter(None, [ctx.text("consents_ended", n=total - lapsed), lapsed_note])),
                    count=total,
                )
            )
        elif not consent_resources:
            out.append(
                _Draft(
                    rule("consent.no_successor"),
                    subject,
                    subject,
                    "at_risk",
                    certainty,
                    evidence,
                    service,
                    need,
                    None,
                    detail=lapsed_note,
                    count=need,
                )
            )
        else:
            held = sum(int(a3_held.get(r, 0)) for r in consent_resources)
            missing = max(need - held, 0)
            detail = ctx.text("consents_held", need=need, held=held, resources=", ".join(consent_resources)) + (
                " " + lapsed_note if lapsed_note else ""
            )
            out.append(
                _Draft(
                    rule("consent.reobtain"),
                    subject,
                    subject,
                    "done" if missing == 0 else "action",
                    certainty,
                    evidence,
                    service,
                    missing,
                    ", ".join(consent_resources),
                    detail=detail,
                    count=missing,
                )
            )
    return out


# -- integrations --------------------------------------------------------------------------------------------


def _integrations(ctx: _Context) -> list[_Draft]:
    a2 = ctx.inventory.integrations.filter(pl.col("platform") == "altinn2")
    out: list[_Draft] = []
    for row in a2.iter_rows(named=True):
        if row["kind"] not in INTEGRATION_COUNTERPARTS:
            continue
        rule_id, kinds = INTEGRATION_COUNTERPARTS[row["kind"]]
        artefact_type, target_type = _ARTEFACT_OF_KIND[row["kind"]]
        service = ctx.services_for(artefact_type, target_type=target_type)
        key = f"{row['kind']}|{row['name']}|{row['operated_by']}"
        if row["status"] == "retired":
            out.append(
                _Draft(
                    rule(rule_id),
                    key,
                    row["name"],
                    "not_applicable",
                    "documented",
                    "integrations: status retired",
                    service,
                    0,
                    detail=ctx.text("retired"),
                )
            )
            continue
        active = ctx.active_a3(kinds)
        same_operator = active.filter(pl.col("operated_by") == row["operated_by"])
        chosen = same_operator if same_operator.height else active
        planned = ctx.planned_a3(kinds)
        if chosen.height:
            detail = ctx.text("replaced_by", names=_short(chosen["name"].to_list(), 2))
        elif planned.height:
            detail = ctx.text("planned", names=_short(planned["name"].to_list(), 2))
        else:
            detail = ctx.text("no_counterpart")
        operator = "" if row["operated_by"] == "self" else f" (operated by {row['operated_by']})"
        out.append(
            _Draft(
                rule(rule_id),
                key,
                row["name"] + operator,
                "done" if chosen.height else "action",
                "documented",
                f"integrations: {row['kind']} → {' / '.join(kinds)}",
                service,
                1,
                " / ".join(kinds),
                detail=detail,
            )
        )
    return out


# -- DSOP service prerequisites ------------------------------------------------------------------------------


def _prerequisites(ctx: _Context) -> list[_Draft]:
    out: list[_Draft] = []
    runs_by_vendor = {v.org_number: set(v.runs) for v in ctx.profile.vendors}
    for dep in ctx.deps:
        if dep["artefact_type"] in _ARTEFACT_TYPES:
            continue
        out.append(_prerequisite(ctx, dep, runs_by_vendor))
    return out


def _prerequisite(ctx: _Context, dep: dict[str, Any], runs_by_vendor: dict[str, set[str]]) -> _Draft:
    service = dep["service_id"]
    name = dep["altinn2_name"] or dep["altinn2_code"] or (ctx.text("no_dependency"))
    subject = f"{service}: {name}"
    target_type, target = dep["altinn3_target_type"], dep["altinn3_target"]
    base = {
        "rule": rule("service.prerequisite"),
        "key": dep["dependency_id"],
        "subject": subject,
        "certainty": dep["certainty"],
        "evidence": f"dsop dependency {dep['dependency_id']}",
        "service_id": service,
        "target": target or target_type,
        "milestone": dep["deadline_milestone"],
    }
    lang_action = dep[f"action_{ctx.language}"]
    if dep["successor_status"] == "not_applicable" or target_type == "none":
        return _Draft(status="not_applicable", detail=lang_action, **base)
    if dep["successor_status"] in ("not_found", "unknown") or target_type == "unknown":
        status = "at_risk" if dep["successor_status"] == "not_found" else "unknown"
        return _Draft(status=status, detail=lang_action, **base)
    vendors = [org for org, runs in runs_by_vendor.items() if service in runs]
    if dep["artefact_type"] == "maskinporten_delegation" and not vendors:
        return _Draft(status="not_applicable", detail=ctx.text("no_vendor"), **base)
    blocking = dep["successor_status"] != "unchanged"
    if target_type == "system_user":
        found = ctx.active_a3(("system_user",))
        if vendors:
            found = found.filter(pl.col("operated_by").is_in(vendors))
        status = "done" if found.height else "action"
    elif target_type in ("maskinporten", "consent_api"):
        scopes = [s.strip() for s in (target or "").replace(" ", ";").split(";") if s.strip()]
        kinds = ("consent_api",) if target_type == "consent_api" else _A3_MACHINE_KINDS
        found = ctx.active_a3(kinds)
        if scopes and target_type == "maskinporten":
            have = set(found.select(pl.col("scopes").explode())["scopes"].drop_nulls())
            status = "done" if set(scopes) <= have else "action"
        else:
            status = "done" if found.height else "action"
    elif target_type == "access_package":
        urn = target or ""
        status = "done" if urn in ctx.a3_package_urns else "action"
    elif target_type == "dialogporten":
        status = "done" if ctx.active_a3(("dialogporten",)).height else "action"
    else:
        # e.g. being on a resource's access list: the inventory cannot show it, so it must be confirmed.
        return _Draft(status="unknown", detail=lang_action, **base)
    return _Draft(status=status, detail=lang_action, blocking=blocking, **base)


# -- assembling ----------------------------------------------------------------------------------------------

_EVALUATORS = (_roles, _single_rights, _consents, _integrations, _prerequisites)


def _finding_id(org_number: str, rule_id: str, key: str) -> str:
    return "F-" + hashlib.sha256(f"{org_number}|{rule_id}|{key}".encode()).hexdigest()[:12]


def _finalise(ctx: _Context, drafts: list[_Draft]) -> pl.DataFrame:
    org = ctx.profile.org_number
    rows = []
    for d in drafts:
        milestone = d.milestone if d.milestone is not None else d.rule.milestone
        deadline = ctx.lookups.milestone_date(milestone) if milestone and d.status != "not_applicable" else None
        days_left = (deadline - ctx.as_of).days if deadline else None
        blocking = d.rule.blocking if d.blocking is None else d.blocking
        action = d.rule.action(
            ctx.language,
            subject=d.subject,
            target=d.target or "—",
            count=d.count,
            holders=d.holders,
            deadline=deadline.isoformat() if deadline else "—",
            detail=d.detail,
        ).strip()
        if d.status in ("done", "not_applicable"):
            action = ctx.text(d.status) + (f" ({d.detail.rstrip('.')})" if d.detail else "")
        rows.append(
            {
                "org_number": org,
                "finding_id": _finding_id(org, d.rule.rule_id, d.key),
                "rule_id": d.rule.rule_id,
                "service_id": d.service_id,
                "area": d.rule.area,
                "subject": d.subject,
                "holders": d.holders,
                "altinn3_target": d.target,
                "status": d.status,
                "severity": severity_for(d.status, days_left, blocking),
                "deadline": deadline,
                "days_left": days_left,
                "action": action,
                "certainty": d.certainty,
                "evidence": d.evidence,
                "detail": d.detail or None,
                "blocking": blocking,
            }
        )
    frame = pl.DataFrame(rows, schema=FINDINGS_SCHEMA) if rows else pl.DataFrame(schema=FINDINGS_SCHEMA)
    order_sev = pl.col("severity").replace_strict(SEVERITIES, list(range(len(SEVERITIES))), return_dtype=pl.Int8)
    order_status = pl.col("status").replace_strict(STATUSES, list(range(len(STATUSES))), return_dtype=pl.Int8)
    return frame.sort([order_sev, order_status, "days_left", "area", "subject", "finding_id"], nulls_last=True)


def assess(
    catalogue: Catalogue,
    dsop: DsopCatalogue,
    inventory: Inventory,
    as_of: date,
    *,
    language: str = "nb",
    _lookups: _Lookups | None = None,
) -> pl.DataFrame:
    """Every finding for one institution at `as_of` (DESIGN §6 columns plus rule_id, detail, blocking)."""
    if language not in ("nb", "en"):
        raise ValueError(f"language must be 'nb' or 'en', not {language!r}")
    ctx = _Context(_lookups or _Lookups(catalogue, dsop), inventory, as_of, language)
    drafts = [draft for evaluate in _EVALUATORS for draft in evaluate(ctx)]
    return apply_observed(_finalise(ctx, drafts), inventory, language=language)
