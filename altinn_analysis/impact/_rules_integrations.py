"""The integration rules: one finding per Altinn 2 integration and DSOP service it serves (evaluated by
`_integrations`), and which Altinn 3 kinds replace each Altinn 2 kind.
"""

from __future__ import annotations

from altinn_analysis.impact._context import BOUNDARY_MILESTONE
from altinn_analysis.impact._rule import Rule

__all__ = ["INTEGRATION_COUNTERPARTS", "INTEGRATION_RULES"]

LAST_SENDING_DAY = "altinn2-last-submission-day"

INTEGRATION_RULES: tuple[Rule, ...] = (
    *(
        Rule(
            rule_id=rule_id,
            area=area,
            kind="integration",
            when=f"an Altinn 2 integration of kind {kind}, per DSOP service it serves (the services column; "
            "inferred from data/dsop when empty)",
            statuses=("done", "action", "unknown"),
            target=target,
            milestone=milestone,
            blocking=True,
            reason="An Altinn 3 counterpart replaces it only for the service(s) it serves; a retired artefact with "
            "an active counterpart earns credit.",
            source="DESIGN table Altinn 2 → Altinn 3; dependencies.csv",
            action_nb=nb,
            action_en=en,
        )
        for rule_id, area, kind, target, milestone, nb, en in (
            (
                "integration.api_key",
                "integration",
                "api_key",
                "an active Maskinporten client (or system user) for the same service",
                BOUNDARY_MILESTONE,
                "Erstatt API-nøkkelen «{subject}» med Maskinporten-klient/systembruker. {detail}",
                "Replace the API key “{subject}” with a Maskinporten client / system user. {detail}",
            ),
            (
                "integration.enterprise_user",
                "integration",
                "enterprise_user",
                "an active system user for the same service",
                BOUNDARY_MILESTONE,
                "Erstatt virksomhetsbrukeren «{subject}» med en godkjent systembruker. {detail}",
                "Replace the enterprise user “{subject}” with an approved system user. {detail}",
            ),
            (
                "integration.consent_api",
                "integration",
                "consent_api",
                "an active Altinn 3 consent integration for the same service",
                BOUNDARY_MILESTONE,
                "Flytt samtykkeintegrasjonen «{subject}» til Altinn 3s samtykkeløsning. {detail}",
                "Move the consent integration “{subject}” to the Altinn 3 consent solution. {detail}",
            ),
            (
                "messaging.message_box",
                "messaging",
                "message_box",
                "an active Dialogporten integration for the same service",
                BOUNDARY_MILESTONE,
                "Flytt meldingsboksintegrasjonen «{subject}» til Dialogporten / ny innboks. {detail}",
                "Move the message-box integration “{subject}” to Dialogporten / the new inbox. {detail}",
            ),
            (
                "broker.kv_dsve",
                "broker",
                "broker",
                "an active Altinn 3 broker integration on kv_dsve",
                LAST_SENDING_DAY,
                "Flytt formidlingsintegrasjonen «{subject}» til Altinn 3-ressursen kv_dsve. {detail}",
                "Move the broker integration “{subject}” to the Altinn 3 resource kv_dsve. {detail}",
            ),
        )
    ),
)

# Altinn 2 integration kind → (rule, Altinn 3 kinds that replace it, DSOP artefact type it implements).
INTEGRATION_COUNTERPARTS: dict[str, tuple[str, tuple[str, ...], str]] = {
    "api_key": ("integration.api_key", ("maskinporten_client", "system_user"), "altinn_api_key"),
    "enterprise_user": ("integration.enterprise_user", ("system_user",), "enterprise_user"),
    "consent_api": ("integration.consent_api", ("consent_api",), "maskinporten_scope"),
    "message_box": ("messaging.message_box", ("dialogporten",), "correspondence_inbox"),
    "broker": ("broker.kv_dsve", ("broker",), "broker_service"),
}
