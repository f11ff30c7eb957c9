"""The service prerequisite rules: what a DSOP service in the profile needs in Altinn 3 whatever the inventory
shows (evaluated by `_prerequisites`).
"""

from __future__ import annotations

from altinn_analysis.impact._context import BOUNDARY_MILESTONE
from altinn_analysis.impact._rule import DSOP_SOURCE, Rule

__all__ = ["PREREQUISITE_RULES"]

PREREQUISITE_RULES: tuple[Rule, ...] = (
    Rule(
        rule_id="service.prerequisite",
        area="service",
        kind="prerequisite",
        when="a data/dsop dependency of a service in the profile that no inventory artefact covers",
        statuses=("done", "action", "at_risk", "unknown", "not_applicable"),
        target="the Altinn 3 prerequisite the dependency names",
        milestone=BOUNDARY_MILESTONE,
        blocking=True,
        reason="What the service needs in Altinn 3 whatever the inventory shows.",
        source=DSOP_SOURCE,
        action_nb="{subject}: {detail}",
        action_en="{subject}: {detail}",
    ),
    Rule(
        rule_id="service.vendor_prerequisite",
        area="service",
        kind="prerequisite",
        when="a vendor-side dependency (delegation to a vendor) of a service a vendor runs (vendors[].runs)",
        statuses=("done", "action", "unknown", "not_applicable"),
        target="the delegation to the vendor that runs the service",
        milestone=BOUNDARY_MILESTONE,
        blocking=True,
        reason="Delegations to a vendor matter only where a vendor runs the service; no vendor, no finding.",
        source=DSOP_SOURCE + "; profile vendors[].runs",
        action_nb="{subject}: {detail}",
        action_en="{subject}: {detail}",
    ),
)
