"""The consent rules: Altinn 2 consents and the Altinn 3 consent solution (evaluated by `_consents`)."""

from __future__ import annotations

from altinn_analysis.impact._context import BOUNDARY_MILESTONE
from altinn_analysis.impact._rule import Rule

__all__ = ["CONSENT_RULES"]

CONSENT_RULES: tuple[Rule, ...] = (
    Rule(
        rule_id="consent.reobtain",
        area="consent",
        kind="consent",
        when="active Altinn 2 consents valid after Altinn II closed and still valid at as_of, with a known Altinn 3 "
        "consent resource",
        statuses=("action",),
        target="new consents on the Altinn 3 consent resource",
        milestone=BOUNDARY_MILESTONE,
        blocking=True,
        reason="Consents valid beyond 2026-06-19 must be obtained again in Altinn 3; an Altinn 3 count never "
        "offsets them (new customers are not re-consents). Open until they are re-obtained or expire.",
        source="Digdir shutdown notice; dependencies.csv (consent_service)",
        action_nb="Innhent {count} samtykker på nytt i Altinn 3 ({target}). {detail}",
        action_en="Re-obtain {count} consents in Altinn 3 ({target}). {detail}",
    ),
    Rule(
        rule_id="consent.confirm_migration",
        area="consent",
        kind="consent",
        when="such consents on a service whose owner may have migrated them (policies.csv owner_may_migrate)",
        statuses=("at_risk",),
        target="confirmation from the service owner",
        milestone=BOUNDARY_MILESTONE,
        blocking=True,
        reason="Collecting consents again that the owner already migrated would trouble customers for nothing.",
        source="policies.csv (owner_may_migrate)",
        action_nb="{count} samtykker på {subject} gjelder etter at Altinn II stengte. {detail}",
        action_en="{count} consents on {subject} are valid after Altinn II closed. {detail}",
    ),
    Rule(
        rule_id="consent.no_successor",
        area="consent",
        kind="consent",
        when="such consents on a service with no known Altinn 3 consent resource",
        statuses=("at_risk",),
        target="none known",
        milestone=BOUNDARY_MILESTONE,
        blocking=True,
        reason="The consents cannot be re-obtained until the owner publishes a consent resource.",
        source="dependencies.csv (successor_status not_found)",
        action_nb="{count} samtykker på {subject} gjelder etter at Altinn II stengte, men ingen Altinn "
        "3-samtykkeressurs er kjent. Avklar med tjenesteeieren. {detail}",
        action_en="{count} consents on {subject} are valid after Altinn II closed, but no Altinn 3 consent "
        "resource is known. Ask the service owner. {detail}",
    ),
    Rule(
        rule_id="consent.ended",
        area="consent",
        kind="consent",
        when="Altinn 2 consents that end by 2026-06-19 (or before as_of), or on a retired edition",
        statuses=("not_applicable",),
        target="nothing",
        milestone=None,
        blocking=False,
        reason="Nothing to move.",
        source="inventory consents; dependencies.csv",
        action_nb="Ingen tiltak: {detail}",
        action_en="No action: {detail}",
    ),
    Rule(
        rule_id="consent.unknown",
        area="consent",
        kind="consent",
        when="Altinn 2 consents on a service code neither the catalogue nor data/dsop knows",
        statuses=("unknown",),
        target="unknown",
        milestone=BOUNDARY_MILESTONE,
        blocking=False,
        reason="Unknown codes are not guessed at.",
        source="catalogue altinn2_service_map; dependencies.csv",
        action_nb="Ukjent samtykketjeneste {subject} ({count} samtykker): kontroller koden i inventaret.",
        action_en="Unknown consent service {subject} ({count} consents): check the code in the inventory.",
    ),
)
