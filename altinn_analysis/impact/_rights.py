"""Single-service rights: one finding per Altinn 2 `code:edition` right and holder type."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from altinn_analysis.catalogue import parse_service
from altinn_analysis.impact._context import Context, Draft, short, weakest

__all__ = ["RIGHT_DECISIONS", "RightFacts", "evaluate_rights"]


@dataclass(frozen=True)
class RightFacts:
    subject: str
    holder_type: str
    holders: tuple[str, ...]
    dep: dict[str, Any] | None
    is_consent: bool
    identifiers: tuple[str, ...]  # Altinn 3 resources (never test resources)
    packages: tuple[str, ...]  # packages the resources' policies accept (client-only removed for staff)
    mapping_certainty: str
    services: str | None

    @property
    def n(self) -> int:
        return len(self.holders)


RIGHT_DECISIONS: tuple[tuple[Callable[[RightFacts], bool], str], ...] = (
    (lambda f: f.is_consent, "service.single_right_consent"),
    (lambda f: not f.identifiers, "service.single_right_unknown"),
    (lambda f: f.holder_type in ("enterprise_user", "organisation"), "service.single_right_holder"),
    (lambda _: True, "service.single_right"),
)


def right_facts(ctx: Context, grant: str, holder_type: str, holders: tuple[str, ...]) -> RightFacts:
    lk = ctx.lookups
    code, edition = parse_service(grant)
    subject = f"{code}:{edition}" if edition else code
    mapped = lk.mapped(code, edition)
    deps = lk.dependencies(("delegated_right", "broker_service", "consent_service"), code, edition)
    dep = deps[0] if deps else None
    identifiers = list(mapped.identifiers)
    fallback = dep["altinn3_target"] if dep and dep["altinn3_target_type"] == "resource" else None
    if not identifiers and fallback and fallback not in lk.test_resources:
        identifiers = [fallback]
    is_consent = any(d["artefact_type"] == "consent_service" for d in deps) or "Consent" in mapped.types
    client_only = lk.client_only
    packages = sorted({u for i in identifiers for u in lk.subject_packages.get(i, [])} - client_only)
    mapping = weakest(*mapped.certainties) if mapped.rows else None
    return RightFacts(
        subject=subject,
        holder_type=holder_type,
        holders=holders,
        dep=dep,
        is_consent=is_consent,
        identifiers=tuple(identifiers),
        packages=tuple(packages),
        mapping_certainty=weakest(mapping, dep["certainty"] if dep else None),
        services=ctx.services_of(deps),
    )


def _base(ctx: Context, f: RightFacts, rule_id: str, evidence: str, certainty: str) -> dict[str, Any]:
    key = f.subject + ("" if f.holder_type == "person" else f"|{f.holder_type}")
    return {
        "rule_id": rule_id,
        "key": key,
        "subject": f.subject + ("" if f.holder_type == "person" else f" ({ctx.text('holder_' + f.holder_type)})"),
        "certainty": certainty,
        "evidence": evidence,
        "service_id": f.services,
    }


def _consent(ctx: Context, f: RightFacts) -> Draft:
    return Draft(
        **_base(ctx, f, "service.single_right_consent", "dependencies.csv: consent service", f.mapping_certainty),
        status="not_applicable",
        holders=f.n,
        detail=ctx.text("consent_right"),
    )


def _unknown(ctx: Context, f: RightFacts) -> Draft:
    found = f.dep is not None and f.dep["successor_status"] == "not_found"
    return Draft(
        **_base(
            ctx,
            f,
            "service.single_right_unknown",
            "altinn2_service_map: no resource (test resources excluded)",
            f.dep["certainty"] if f.dep else "unknown",
        ),
        status="at_risk" if found else "unknown",
        holders=f.n,
    )


def _holder(ctx: Context, f: RightFacts) -> Draft:
    wanted = set(f.identifiers)
    if f.holder_type == "enterprise_user":
        have = f.n if wanted & ctx.system_user_grants else 0
        detail = ctx.text("system_user_holds" if have else "system_user_lacks", target=short(f.identifiers))
    else:
        have = sum(1 for org in set(f.holders) if ctx.a3_grants.get(org, set()) & (wanted | set(f.packages)))
        detail = ctx.text("organisation_holds", have=have, n=f.n)
    return Draft(
        **_base(
            ctx,
            f,
            "service.single_right_holder",
            f"altinn2_service_map; holder type {f.holder_type}",
            weakest(f.mapping_certainty, "inferred"),
        ),
        status="done" if have == f.n else "action",
        holders=f.n - have,
        target=" / ".join(f.identifiers),
        detail=detail,
    )


def _person(ctx: Context, f: RightFacts) -> Draft:
    accepted = set(f.identifiers) | set(f.packages)
    have = ctx.holders_with_any(f.holders, accepted)
    target = " / ".join(f.identifiers) + (
        " (" + ctx.text("or_package", packages=short(f.packages, 2)) + ")" if f.packages else ""
    )
    return Draft(
        **_base(ctx, f, "service.single_right", "altinn2_service_map; resource_subjects", f.mapping_certainty),
        status="done" if have == f.n else "action",
        holders=f.n - have,
        target=target,
        detail=ctx.text("holders_done", have=have, n=f.n),
    )


_OUTCOMES: dict[str, Callable[[Context, RightFacts], Draft]] = {
    "service.single_right_consent": _consent,
    "service.single_right_unknown": _unknown,
    "service.single_right_holder": _holder,
    "service.single_right": _person,
}


def evaluate_rights(ctx: Context) -> list[Draft]:
    out: list[Draft] = []
    for grant, holder_type, holders in ctx.delegations.rights:
        facts = right_facts(ctx, str(grant), str(holder_type), holders)
        rule_id = next(r for test, r in RIGHT_DECISIONS if test(facts))
        out.append(_OUTCOMES[rule_id](ctx, facts))
    return out
