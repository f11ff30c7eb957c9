"""Service prerequisites: what each DSOP service in the profile needs in Altinn 3 (data/dsop dependencies) that no
inventory artefact already answers. Vendor-side prerequisites fire only for services a vendor runs."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from altinn_analysis.impact._context import Context, Draft

__all__ = ["TARGET_CHECKS", "evaluate_prerequisites"]

# Dependency types the inventory-artefact evaluators (roles, consents, integrations) already judge.
_JUDGED_ELSEWHERE = frozenset(
    {
        "consent_service",
        "altinn_role",
        "altinn_api_key",
        "enterprise_user",
        "maskinporten_scope",
        "correspondence_inbox",
        "broker_service",
    }
)
_MACHINE_KINDS = ("maskinporten_client", "system_user", "consent_api")


def vendor_side(dep: dict[str, Any]) -> bool:
    """A delegation the institution gives a vendor (nothing to do when it runs the service itself)."""
    kind = dep["artefact_type"]
    return kind in ("maskinporten_delegation", "delegable_api") or (
        kind == "delegated_right" and not dep["altinn2_code"]
    )


def _scopes(target: str | None) -> list[set[str]]:
    """`a;b|c` → [{a}, {b, c}]: every item is needed; `|` lists spellings that each satisfy it."""
    items = [i.strip() for i in (target or "").split(";") if i.strip()]
    return [{alt.strip() for alt in item.split("|") if alt.strip()} for item in items]


def _integrations(ctx: Context, kinds: tuple[str, ...], service: str, vendors: list[str]) -> list[dict[str, Any]]:
    rows, _ = ctx.a3_counterparts(kinds, "active", service)
    return [r for r in rows if r["operated_by"] in vendors] if vendors else rows


def _system_user(ctx: Context, dep: dict[str, Any], vendors: list[str]) -> str:
    return "done" if _integrations(ctx, ("system_user",), dep["service_id"], vendors) else "action"


def _maskinporten(ctx: Context, dep: dict[str, Any], vendors: list[str]) -> str:
    kinds = ("consent_api",) if dep["altinn3_target_type"] == "consent_api" else _MACHINE_KINDS
    found = _integrations(ctx, kinds, dep["service_id"], vendors)
    needed = _scopes(dep["altinn3_target"])
    if not needed or dep["altinn3_target_type"] == "consent_api":
        return "done" if found else "action"
    have = {scope for r in found for scope in (r["scopes"] or [])}
    return "done" if all(item & have for item in needed) else "action"


def _package(ctx: Context, dep: dict[str, Any], vendors: list[str]) -> str:
    return "done" if (dep["altinn3_target"] or "") in ctx.a3_package_urns else "action"


def _dialogporten(ctx: Context, dep: dict[str, Any], vendors: list[str]) -> str:
    return "done" if _integrations(ctx, ("dialogporten",), dep["service_id"], []) else "action"


def _resource(ctx: Context, dep: dict[str, Any], vendors: list[str]) -> str:
    if dep["artefact_type"] == "service_owner_registration":
        return "unknown"  # an access list the service owner keeps: the inventory cannot show it
    return "done" if (dep["altinn3_target"] or "") in ctx.a3_package_urns else "action"


TARGET_CHECKS: dict[str, Callable[[Context, dict[str, Any], list[str]], str]] = {
    "system_user": _system_user,
    "maskinporten": _maskinporten,
    "consent_api": _maskinporten,
    "access_package": _package,
    "dialogporten": _dialogporten,
    "resource": _resource,
}


def _prerequisite(ctx: Context, dep: dict[str, Any]) -> Draft | None:
    service = dep["service_id"]
    vendors = sorted(org for org, runs in ctx.vendor_runs.items() if service in runs)
    is_vendor_side = vendor_side(dep)
    if is_vendor_side and not vendors:
        return None  # the institution runs the service itself: nothing to delegate
    target_type, target = dep["altinn3_target_type"], dep["altinn3_target"]
    if dep["successor_status"] == "not_applicable" or target_type == "none":
        status = "not_applicable"
    elif dep["successor_status"] in ("not_found", "unknown") or target_type == "unknown":
        status = "at_risk" if dep["successor_status"] == "not_found" else "unknown"
    else:
        status = TARGET_CHECKS[target_type](ctx, dep, vendors)
    # Done needs no instruction: the detail then only names the vendor.
    detail = "" if status == "done" else dep[f"action_{ctx.language}"]
    if is_vendor_side:
        detail += (
            (" (" if detail else "") + ctx.text("vendor_runs", vendors=", ".join(vendors)) + (")" if detail else "")
        )
    return Draft(
        rule_id="service.vendor_prerequisite" if is_vendor_side else "service.prerequisite",
        key=dep["dependency_id"],
        subject=f"{service}: {dep[f'subject_{ctx.language}']}",
        status=status,
        certainty=dep["certainty"],
        evidence=f"dsop dependency {dep['dependency_id']}",
        service_id=service,
        target=target or target_type,
        milestone=dep["deadline_milestone"],
        blocking=dep["successor_status"] != "unchanged",
        detail=detail,
    )


def evaluate_prerequisites(ctx: Context) -> list[Draft]:
    drafts = (_prerequisite(ctx, dep) for dep in ctx.deps if dep["artefact_type"] not in _JUDGED_ELSEWHERE)
    return [d for d in drafts if d is not None]
