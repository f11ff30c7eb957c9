"""The single-service rights rules: Altinn 2 rights on one service (`code:edition`) and the Altinn 3 resource
that replaced it (evaluated by `_rights`).
"""

from __future__ import annotations

from altinn_analysis.impact._context import BOUNDARY_MILESTONE
from altinn_analysis.impact._rule import Rule

__all__ = ["RIGHT_RULES"]

RIGHT_RULES: tuple[Rule, ...] = (
    Rule(
        rule_id="service.single_right",
        area="service",
        kind="single_right",
        when="an Altinn 2 single-service right (code:edition) held by persons, with an Altinn 3 resource",
        statuses=("done", "action"),
        target="the resource (altinn2_service_map, test resources excluded), or a package its policy requires",
        milestone=BOUNDARY_MILESTONE,
        blocking=True,
        reason="The right moves to the resource that replaced the service.",
        source="catalogue altinn2_service_map, resource_subjects; dependencies.csv",
        action_nb="Deleger {target} til {holders} innehaver(e) av enkeltrettigheten {subject}.",
        action_en="Delegate {target} to the {holders} holder(s) of the single-service right {subject}.",
    ),
    Rule(
        rule_id="service.single_right_consent",
        area="service",
        kind="single_right",
        when="an Altinn 2 single-service right on a consent service",
        statuses=("not_applicable",),
        target="none: consent resources are not delegated",
        milestone=None,
        blocking=False,
        reason="In Altinn 3 the institution's system asks for consent with its Maskinporten token; staff get no "
        "right on a consent resource.",
        source="Altinn consent guide for system vendors; dependencies.csv (consent_service)",
        action_nb="{detail}",
        action_en="{detail}",
    ),
    Rule(
        rule_id="service.single_right_holder",
        area="service",
        kind="single_right",
        when="an Altinn 2 single-service right held by an enterprise user or an organisation",
        statuses=("done", "action"),
        target="the resource, held by a system user (enterprise user) or by the same organisation",
        milestone=BOUNDARY_MILESTONE,
        blocking=True,
        reason="Machines get rights through system users, organisations through client delegation.",
        source="catalogue altinn2_service_map; DSOP: system user replaces the enterprise user",
        action_nb="Gi {target} til systembrukeren eller virksomheten som erstatter innehaveren av {subject}. {detail}",
        action_en="Give {target} to the system user or organisation that replaces the holder of {subject}. {detail}",
    ),
    Rule(
        rule_id="service.single_right_unknown",
        area="service",
        kind="single_right",
        when="an Altinn 2 single-service right with no Altinn 3 resource (none mapped, or only test resources)",
        statuses=("at_risk", "unknown"),
        target="unknown",
        milestone=BOUNDARY_MILESTONE,
        blocking=True,
        reason="Without a known successor the right cannot be moved; the service owner must say.",
        source="catalogue altinn2_service_map; dependencies.csv",
        action_nb="Ingen kjent Altinn 3-ressurs for enkeltrettigheten {subject} ({holders} innehaver(e)): avklar "
        "med tjenesteeieren.",
        action_en="No known Altinn 3 resource for the single-service right {subject} ({holders} holder(s)): ask "
        "the service owner.",
    ),
)
