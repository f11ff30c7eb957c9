"""Roles: one finding per Altinn 2 role, source (ER or delegated) and holder type.

`ROLE_DECISIONS` picks the rule from the role's facts (first match wins); `_OUTCOMES` turns the facts into the
finding for that rule. Both are small pure functions over `RoleFacts`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from altinn_analysis.impact._context import Context, Draft, short, weakest

__all__ = ["ROLE_DECISIONS", "RoleFacts", "evaluate_roles", "role_facts"]

# What a role's holder needs per service: dependency target types that name something to hold.
_HOLDABLE = ("access_package", "resource")


@dataclass(frozen=True)
class RoleFacts:
    code: str
    via_er: bool
    holder_type: str
    holders: tuple[str, ...]
    known: bool  # the catalogue or data/dsop knows the code
    is_er_role: bool
    er_role_code: str | None
    policy: dict[str, Any] | None
    auto_packages: tuple[str, ...] = ()  # an ER role's packages for this organisation form
    er_gave: tuple[str, ...] = ()  # Altinn 2 roles an ER role gave
    auto_covered: tuple[str, ...] = ()  # candidates an ER role giving this Altinn 2 role gives automatically
    er_roles: tuple[str, ...] = ()
    service_deps: tuple[dict[str, Any], ...] = ()  # dependency rows of the profile's services for this code
    successors: tuple[dict[str, Any], ...] = ()
    primary: tuple[str, ...] = ()  # primary packages (client-only packages removed)
    candidates: tuple[str, ...] = ()  # every candidate package (client-only packages removed)
    converted: bool = False
    services: str | None = None

    @property
    def policy_kind(self) -> str | None:
        return self.policy["policy"] if self.policy else None

    @property
    def n(self) -> int:
        return len(self.holders)


ROLE_DECISIONS: tuple[tuple[Callable[[RoleFacts], bool], str], ...] = (
    (lambda f: f.holder_type == "enterprise_user", "roles.enterprise_user"),
    (lambda f: f.holder_type == "organisation", "roles.organisation"),
    (lambda f: f.policy_kind == "review", "roles.review"),
    (
        lambda f: f.is_er_role and (f.policy_kind == "no_packages_by_design" or not (f.auto_packages or f.er_gave)),
        "roles.er_by_design",
    ),
    (lambda f: f.is_er_role and bool(f.auto_packages), "roles.er_auto"),
    (lambda f: f.is_er_role, "roles.er_loses_access"),
    (lambda f: bool(f.service_deps), "roles.per_service"),
    (lambda f: f.via_er and bool(f.auto_covered), "roles.er_auto"),
    (lambda f: f.converted, "roles.converted"),
    (lambda f: bool(f.primary), "roles.successor"),
    (lambda f: bool(f.candidates), "roles.choose"),
    (lambda f: f.known, "roles.no_successor"),
    (lambda _: True, "roles.unknown"),
)


def decide(facts: RoleFacts) -> str:
    return next(rule_id for test, rule_id in ROLE_DECISIONS if test(facts))


def role_facts(ctx: Context, code: str, via_er: bool, holder_type: str, holders: tuple[str, ...]) -> RoleFacts:
    lk = ctx.lookups
    role = lk.catalogue.role(code)
    is_er = role is not None and role["provider_code"] == "sys-ccr"
    successors = tuple(lk.successors_of(code))
    client_only = lk.client_only
    in_house = holder_type == "person"

    def allowed(urns: list[str]) -> tuple[str, ...]:
        return tuple(u for u in urns if not (in_house and u in client_only))

    deps = lk.dependencies(("altinn_role", "enterprise_user"), code)
    mine = tuple(d for d in deps if d["service_id"] in ctx.services and d["successor_status"] != "unchanged")
    er_roles = tuple(lk.er_roles_giving.get(code, []))
    auto_set = {u for r in er_roles for u in lk.packages_for_role(r, ctx.profile.org_form)} if via_er else set()
    candidates = [s["package_urn"] for s in successors if s["package_urn"]]
    return RoleFacts(
        code=code,
        via_er=via_er,
        holder_type=holder_type,
        holders=holders,
        known=role is not None or bool(successors) or bool(deps),
        is_er_role=is_er,
        er_role_code=str(role["code"]) if is_er and role else None,
        policy=lk.policy("er_role" if is_er else "altinn2_role", code),
        auto_packages=tuple(lk.packages_for_role(str(role["code"]), ctx.profile.org_form)) if is_er and role else (),
        er_gave=tuple(lk.er_gave.get(code, [])) if is_er else (),
        auto_covered=tuple(sorted(auto_set & set(candidates))),
        er_roles=er_roles,
        service_deps=mine,
        successors=successors,
        primary=allowed([s["package_urn"] for s in successors if s["primary"] == "yes" and s["package_urn"]]),
        candidates=allowed(candidates),
        converted=any(s["successor_type"] == "converted_1to1" for s in successors),
        # Only the profile's services: a role a service documents says nothing about services not in use.
        services=ctx.services_of(d for d in deps if d["service_id"] in ctx.services),
    )


def _base(ctx: Context, f: RoleFacts, rule_id: str, evidence: str, certainty: str) -> dict[str, Any]:
    suffix = "er" if f.via_er else "delegated"
    key = f"{f.code}|{suffix}" + ("" if f.holder_type == "person" else f"|{f.holder_type}")
    return {
        "rule_id": rule_id,
        "key": key,
        "subject": f.code + ("" if f.holder_type == "person" else f" ({ctx.text('holder_' + f.holder_type)})"),
        "certainty": certainty,
        "evidence": evidence,
        "service_id": f.services,
    }


def _successor_certainty(f: RoleFacts) -> str:
    return weakest(*(s["certainty"] for s in f.successors)) if f.successors else "unknown"


def _targets(f: RoleFacts) -> tuple[set[str], str]:
    """What a holder needs per service (dependency targets), and the weakest certainty of those rows."""
    rows = [d for d in f.service_deps if d["altinn3_target_type"] in _HOLDABLE and d["altinn3_target"]]
    return {str(d["altinn3_target"]) for d in rows}, weakest(*(d["certainty"] for d in rows))


def _review(ctx: Context, f: RoleFacts) -> Draft:
    assert f.policy is not None
    return Draft(
        **_base(ctx, f, "roles.review", "policies.csv: " + f.policy["source"], f.policy["certainty"]),
        status="action",
        holders=f.n,
        detail=f.policy[f"reason_{ctx.language}"],
    )


def _er_auto(ctx: Context, f: RoleFacts) -> Draft:
    if f.is_er_role:
        return Draft(
            **_base(
                ctx,
                f,
                "roles.er_auto",
                f"role_packages: {f.er_role_code} ({ctx.profile.org_form})",
                "documented",
            ),
            status="done",
            holders=f.n,
            target=short(f.auto_packages),
            detail=ctx.text("auto_packages", n=len(f.auto_packages)),
        )
    return Draft(
        **_base(
            ctx,
            f,
            "roles.er_auto",
            f"role_packages for {short(f.er_roles)} ({ctx.profile.org_form}); role_successors",
            weakest(_successor_certainty(f), "inferred"),
        ),
        status="done",
        holders=f.n,
        target=short(f.auto_covered),
        detail=ctx.text("auto_candidates", n=len(f.auto_covered)),
    )


def _er_by_design(ctx: Context, f: RoleFacts) -> Draft:
    reason = f.policy[f"reason_{ctx.language}"] if f.policy else ctx.text("er_gave_nothing")
    certainty = f.policy["certainty"] if f.policy else "documented"
    return Draft(
        **_base(
            ctx,
            f,
            "roles.er_by_design",
            f"role_packages: {f.er_role_code} ({ctx.profile.org_form})",
            certainty,
        ),
        status="not_applicable",
        holders=f.n,
        detail=reason,
    )


def _er_loses_access(ctx: Context, f: RoleFacts) -> Draft:
    return Draft(
        **_base(ctx, f, "roles.er_loses_access", "role_packages; er_role_grants", "documented"),
        status="action",
        holders=f.n,
        detail=ctx.text("er_gave", roles=short(f.er_gave, 6)),
    )


def _per_service(ctx: Context, f: RoleFacts) -> Draft:
    targets, certainty = _targets(f)
    evidence = "dsop dependency " + ", ".join(d["dependency_id"] for d in f.service_deps)
    if not targets:
        found = any(d["successor_status"] == "not_found" for d in f.service_deps)
        return Draft(
            **_base(ctx, f, "roles.per_service", evidence, weakest(*(d["certainty"] for d in f.service_deps))),
            status="at_risk" if found else "unknown",
            holders=f.n,
            detail=" ".join(d[f"action_{ctx.language}"] for d in f.service_deps),
        )
    lacking = ctx.holders_lacking(f.holders, targets)
    why = " ".join(dict.fromkeys(d[f"action_{ctx.language}"] for d in f.service_deps if d["altinn3_target"]))
    return Draft(
        **_base(ctx, f, "roles.per_service", evidence, certainty),
        status="done" if lacking == 0 else "action",
        holders=lacking,
        target=short(sorted(targets)),
        detail=why + " " + ctx.text("holders_done", have=f.n - lacking, n=f.n),
    )


def _converted(ctx: Context, f: RoleFacts) -> Draft:
    return Draft(
        **_base(ctx, f, "roles.converted", "role_successors: converted_1to1", _successor_certainty(f)),
        status="done",
        holders=f.n,
        target=short(f.primary or f.candidates),
        detail=ctx.text("converted"),
    )


def _successor(ctx: Context, f: RoleFacts) -> Draft:
    lacking = ctx.holders_lacking(f.holders, f.primary)
    rows = [s for s in f.successors if s["package_urn"] in f.primary]
    return Draft(
        **_base(ctx, f, "roles.successor", "role_successors (primary)", weakest(*(s["certainty"] for s in rows))),
        status="done" if lacking == 0 else "action",
        holders=lacking,
        target=short(f.primary),
        detail=ctx.text("holders_done", have=f.n - lacking, n=f.n),
    )


# How sure the successor table is of a role → package mapping, in the finding's language.
_CONFIDENCE = {"high": ("høy", "high"), "medium": ("middels", "medium"), "low": ("lav", "low")}


def _confidence(value: object, language: str) -> str:
    pair = _CONFIDENCE.get(str(value))
    return (pair[0] if language == "nb" else pair[1]) if pair else str(value)


def _choose(ctx: Context, f: RoleFacts) -> Draft:
    have = ctx.holders_with_any(f.holders, f.candidates)
    confidence = ", ".join(sorted({_confidence(s["confidence"], ctx.language) for s in f.successors}))
    return Draft(
        **_base(ctx, f, "roles.choose", "role_successors (no primary)", weakest(_successor_certainty(f), "inferred")),
        status="action",
        holders=f.n,
        target=short(f.candidates, 4),
        detail=ctx.text("holders_any", have=have, n=f.n, confidence=confidence),
    )


def _no_successor(ctx: Context, f: RoleFacts) -> Draft:
    return Draft(
        **_base(ctx, f, "roles.no_successor", "role_successors: none", _successor_certainty(f)),
        status="at_risk",
        holders=f.n,
    )


def _machine_targets(f: RoleFacts, ctx: Context) -> tuple[set[str], str]:
    # Only what a service documents: packages meant for persons are never the answer for a machine. An
    # organisation (vendor, accountant) may hold packages, so it falls back to the role's primary successors.
    targets, certainty = _targets(f)
    if not targets and f.holder_type == "organisation" and f.primary:
        rows = [s for s in f.successors if s["package_urn"] in f.primary]
        return set(f.primary), weakest(*(s["certainty"] for s in rows))
    return targets, certainty


def _enterprise_user(ctx: Context, f: RoleFacts) -> Draft:
    targets, certainty = _machine_targets(f, ctx)
    evidence = "holder type enterprise_user; system users in Altinn 3 delegations"
    if not targets:
        # A documented enterprise-user role (ECKEYROLE for DSVE) is replaced by the service's system user.
        rows = [d for d in f.service_deps if d["altinn3_target_type"] == "system_user"]
        service = rows[0]["service_id"] if rows else None
        found = ctx.a3_counterparts(("system_user",), "active", service)[0] if rows else []
        if not rows:
            detail = ctx.text("system_user_rights")
        elif found:
            detail = ctx.text("replaced_by", names=short([r["name"] for r in found], 2))
        else:
            detail = ctx.text("no_counterpart")
        return Draft(
            **_base(ctx, f, "roles.enterprise_user", evidence, weakest(*(d["certainty"] for d in rows), "inferred")),
            status=("done" if found else "action") if rows else "unknown",
            holders=0 if found else f.n,
            target="system_user" if rows else None,
            detail=detail,
        )
    held = targets <= ctx.system_user_grants
    name = short(sorted(targets))
    return Draft(
        **_base(ctx, f, "roles.enterprise_user", evidence, weakest(certainty, "inferred")),
        status="done" if held else "action",
        holders=0 if held else f.n,
        target=name,
        detail=ctx.text("system_user_holds" if held else "system_user_lacks", target=name),
    )


def _organisation(ctx: Context, f: RoleFacts) -> Draft:
    targets, certainty = _machine_targets(f, ctx)
    evidence = "holder type organisation; Altinn 3 delegations"
    if not targets:
        return Draft(
            **_base(ctx, f, "roles.organisation", evidence, "unknown"),
            status="unknown",
            holders=f.n,
            detail=ctx.text("organisation_unknown"),
        )
    vendors_with_su = {
        r["operated_by"] for r in ctx.a3_integrations if r["kind"] == "system_user" and r["status"] == "active"
    }
    have = sum(
        1
        for org in set(f.holders)
        if targets <= ctx.a3_grants.get(org, set()) or (org in vendors_with_su and targets <= ctx.system_user_grants)
    )
    return Draft(
        **_base(ctx, f, "roles.organisation", evidence, weakest(certainty, "inferred")),
        status="done" if have == f.n else "action",
        holders=f.n - have,
        target=short(sorted(targets)),
        detail=ctx.text("organisation_holds", have=have, n=f.n),
    )


def _unknown(ctx: Context, f: RoleFacts) -> Draft:
    return Draft(
        **_base(ctx, f, "roles.unknown", "catalogue roles and data/dsop: no such code", "unknown"),
        status="unknown",
        holders=f.n,
    )


_OUTCOMES: dict[str, Callable[[Context, RoleFacts], Draft]] = {
    "roles.enterprise_user": _enterprise_user,
    "roles.organisation": _organisation,
    "roles.review": _review,
    "roles.er_by_design": _er_by_design,
    "roles.er_auto": _er_auto,
    "roles.er_loses_access": _er_loses_access,
    "roles.per_service": _per_service,
    "roles.converted": _converted,
    "roles.successor": _successor,
    "roles.choose": _choose,
    "roles.no_successor": _no_successor,
    "roles.unknown": _unknown,
}


def evaluate_roles(ctx: Context) -> list[Draft]:
    out: list[Draft] = []
    for code, via_er, holder_type, holders in ctx.delegations.roles:
        facts = role_facts(ctx, str(code), bool(via_er), str(holder_type), holders)
        out.append(_OUTCOMES[decide(facts)](ctx, facts))
    return out
