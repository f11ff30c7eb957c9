"""The rules, as data: what each one matches, its Altinn 3 target, its deadline and its action text.

The engine (`_engine.py`) has one evaluator per `kind`; everything else a rule needs is in this table, so a
reviewer can read the whole policy here. Action texts are `str.format` templates; the fields they may use are
`subject`, `target`, `count`, `holders`, `deadline` and `detail`.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

__all__ = ["INTEGRATION_COUNTERPARTS", "RULES", "Rule", "rule", "rules_table"]

BOUNDARY_MILESTONE = "altinn2-closed"


@dataclass(frozen=True)
class Rule:
    rule_id: str
    area: str
    kind: str  # which evaluator runs it
    matches: str  # what Altinn 2 artefacts it looks at
    target: str  # what Altinn 3 counterpart makes it done
    milestone: str | None  # deadline milestone id in the DSOP catalogue
    blocking: bool  # does the service stop without it (feeds severity and score weight)
    action_nb: str
    action_en: str

    def action(self, language: str, **fields: object) -> str:
        template = self.action_nb if language == "nb" else self.action_en
        return template.format(**fields)


RULES: tuple[Rule, ...] = (
    Rule(
        "roles.successor",
        "roles",
        "roles",
        "delegations: platform altinn2, grant_type role, a role with candidate access packages",
        "a candidate access package held by the same holder in Altinn 3",
        BOUNDARY_MILESTONE,
        True,
        "Deleger tilgangspakke ({target}) til {holders} innehaver(e) som hadde Altinn 2-rollen {subject}.",
        "Delegate an access package ({target}) to the {holders} holder(s) who had the Altinn 2 role {subject}.",
    ),
    Rule(
        "roles.no_successor",
        "roles",
        "roles",
        "delegations: platform altinn2, grant_type role, a role with no access-package successor",
        "none known",
        BOUNDARY_MILESTONE,
        True,
        "Altinn 2-rollen {subject} har ingen etterfølger i Altinn 3 ({holders} innehaver(e)). Avklar med "
        "tjenesteeieren hvordan tilgangen gis nå, og deleger enkeltrettighet til ressursen når den finnes.",
        "The Altinn 2 role {subject} has no Altinn 3 successor ({holders} holder(s)). Ask the service owner how "
        "access is given now, and delegate a resource right when one exists.",
    ),
    Rule(
        "roles.er_auto",
        "roles",
        "roles",
        "delegations: platform altinn2, grant_type role, source er",
        "the access packages the ER role gives this organisation form automatically",
        BOUNDARY_MILESTONE,
        False,
        "ER-rollen gir tilgangspakker automatisk; kontroller at {holders} innehaver(e) av {subject} har det de "
        "trenger ({target}).",
        "The ER role gives access packages automatically; check that the {holders} holder(s) of {subject} have "
        "what they need ({target}).",
    ),
    Rule(
        "roles.er_loses_access",
        "roles",
        "roles",
        "delegations: platform altinn2, grant_type role, source er, where the ER role gives no access package "
        "for this organisation form",
        "an access package delegated explicitly",
        BOUNDARY_MILESTONE,
        True,
        "{subject} ga tilgang i Altinn 2 gjennom Enhetsregisteret, men gir ingen tilgangspakke for denne "
        "organisasjonsformen. Deleger tilgangspakker eksplisitt til {holders} innehaver(e).",
        "{subject} gave access in Altinn 2 through the Central Coordinating Register but gives no access package "
        "for this organisation form. Delegate access packages explicitly to {holders} holder(s).",
    ),
    Rule(
        "roles.unknown",
        "roles",
        "roles",
        "delegations: platform altinn2, grant_type role, a code neither the catalogue nor the successor table knows",
        "unknown",
        BOUNDARY_MILESTONE,
        False,
        "Ukjent rollekode {subject} ({holders} innehaver(e)): kontroller koden i inventaret.",
        "Unknown role code {subject} ({holders} holder(s)): check the code in the inventory.",
    ),
    Rule(
        "service.single_right",
        "service",
        "single_right",
        "delegations: platform altinn2, grant_type service (code:edition)",
        "the Altinn 3 resource (altinn2_service_map), or an access package its policy requires, held by the "
        "same holder",
        BOUNDARY_MILESTONE,
        True,
        "Deleger {target} til {holders} innehaver(e) av enkeltrettigheten {subject}.",
        "Delegate {target} to the {holders} holder(s) of the single-service right {subject}.",
    ),
    Rule(
        "service.single_right_unknown",
        "service",
        "single_right",
        "delegations: platform altinn2, grant_type service, a code:edition with no Altinn 3 resource",
        "unknown",
        BOUNDARY_MILESTONE,
        True,
        "Ingen kjent Altinn 3-ressurs for enkeltrettigheten {subject} ({holders} innehaver(e)): avklar med "
        "tjenesteeieren.",
        "No known Altinn 3 resource for the single-service right {subject} ({holders} holder(s)): ask the "
        "service owner.",
    ),
    Rule(
        "consent.reobtain",
        "consent",
        "consent",
        "consents: platform altinn2, status active, valid after 2026-06-19 (and still valid at as_of)",
        "as many active Altinn 3 consents on the successor consent resource",
        BOUNDARY_MILESTONE,
        True,
        "Innhent {count} samtykker på nytt i Altinn 3 ({target}). {detail}",
        "Re-obtain {count} consents in Altinn 3 ({target}). {detail}",
    ),
    Rule(
        "consent.no_successor",
        "consent",
        "consent",
        "consents: platform altinn2, status active, valid after 2026-06-19, for a service with no known Altinn 3 "
        "consent resource",
        "none known",
        BOUNDARY_MILESTONE,
        True,
        "{count} samtykker på {subject} gjelder etter 2026-06-19, men ingen Altinn 3-samtykkeressurs er kjent. "
        "Avklar med tjenesteeieren. {detail}",
        "{count} consents on {subject} are valid after 2026-06-19, but no Altinn 3 consent resource is known. "
        "Ask the service owner. {detail}",
    ),
    Rule(
        "consent.unknown",
        "consent",
        "consent",
        "consents: platform altinn2, a service code the catalogue does not know",
        "unknown",
        BOUNDARY_MILESTONE,
        False,
        "Ukjent samtykketjeneste {subject} ({count} samtykker): kontroller koden i inventaret.",
        "Unknown consent service {subject} ({count} consents): check the code in the inventory.",
    ),
    Rule(
        "consent.ended",
        "consent",
        "consent",
        "consents: platform altinn2 that end by 2026-06-19 (or before as_of)",
        "nothing",
        None,
        False,
        "Ingen tiltak: {count} samtykker på {subject} utløper før Altinn 2 stenges.",
        "No action: {count} consents on {subject} end before Altinn 2 closed.",
    ),
    Rule(
        "integration.api_key",
        "integration",
        "integration",
        "integrations: platform altinn2, kind api_key",
        "an active Maskinporten client (or system user) in Altinn 3",
        BOUNDARY_MILESTONE,
        True,
        "Erstatt API-nøkkelen «{subject}» med Maskinporten-klient/systembruker. {detail}",
        "Replace the API key “{subject}” with a Maskinporten client / system user. {detail}",
    ),
    Rule(
        "integration.enterprise_user",
        "integration",
        "integration",
        "integrations: platform altinn2, kind enterprise_user",
        "an active system user in Altinn 3",
        BOUNDARY_MILESTONE,
        True,
        "Erstatt virksomhetsbrukeren «{subject}» med en godkjent systembruker. {detail}",
        "Replace the enterprise user “{subject}” with an approved system user. {detail}",
    ),
    Rule(
        "integration.consent_api",
        "integration",
        "integration",
        "integrations: platform altinn2, kind consent_api",
        "an active Altinn 3 consent API integration",
        BOUNDARY_MILESTONE,
        True,
        "Flytt samtykkeintegrasjonen «{subject}» til Altinn 3s samtykkeløsning (samtykket i Maskinporten-token). "
        "{detail}",
        "Move the consent integration “{subject}” to the Altinn 3 consent solution (consent inside the "
        "Maskinporten token). {detail}",
    ),
    Rule(
        "messaging.message_box",
        "messaging",
        "integration",
        "integrations: platform altinn2, kind message_box",
        "an active Dialogporten integration",
        "altinn2-last-submission-day",
        True,
        "Flytt meldingsboksintegrasjonen «{subject}» til Dialogporten / ny innboks. {detail}",
        "Move the message-box integration “{subject}” to Dialogporten / the new inbox. {detail}",
    ),
    Rule(
        "broker.kv_dsve",
        "broker",
        "integration",
        "integrations: platform altinn2, kind broker (formidlingstjeneste 4752)",
        "an active Altinn 3 broker integration on kv_dsve",
        "altinn2-last-submission-day",
        True,
        "Flytt formidlingsintegrasjonen «{subject}» til Altinn 3-ressursen kv_dsve. {detail}",
        "Move the broker integration “{subject}” to the Altinn 3 resource kv_dsve. {detail}",
    ),
    Rule(
        "service.prerequisite",
        "service",
        "prerequisite",
        "dsop dependencies of every service in the profile that no inventory artefact covers",
        "the Altinn 3 prerequisite named by the dependency",
        BOUNDARY_MILESTONE,
        True,
        "{subject}: {detail}",
        "{subject}: {detail}",
    ),
)

_BY_ID = {r.rule_id: r for r in RULES}

# Altinn 2 integration kind → (rule, Altinn 3 kinds that replace it).
INTEGRATION_COUNTERPARTS: dict[str, tuple[str, tuple[str, ...]]] = {
    "api_key": ("integration.api_key", ("maskinporten_client", "system_user")),
    "enterprise_user": ("integration.enterprise_user", ("system_user",)),
    "consent_api": ("integration.consent_api", ("consent_api",)),
    "message_box": ("messaging.message_box", ("dialogporten",)),
    "broker": ("broker.kv_dsve", ("broker",)),
}


def rule(rule_id: str) -> Rule:
    return _BY_ID[rule_id]


def rules_table(language: str = "nb") -> pl.DataFrame:
    """The rules as a table (for the report and the docs)."""
    return pl.DataFrame(
        [
            {
                "rule_id": r.rule_id,
                "area": r.area,
                "matches": r.matches,
                "altinn3_target": r.target,
                "milestone": r.milestone,
                "blocking": r.blocking,
                "action": r.action_nb if language == "nb" else r.action_en,
            }
            for r in RULES
        ]
    )


# Supplementary texts for the `detail` column (and the generic action of finished findings), per language.
TEXTS: dict[str, tuple[str, str]] = {
    "auto_packages": ("{n} tilgangspakke(r) gis automatisk", "{n} package(s) given automatically"),
    "auto_candidates": (
        "{n} kandidatpakke(r) gis automatisk",
        "{n} candidate package(s) given automatically",
    ),
    "er_gave_nothing": (
        "ga ingen Altinn 2-rolle og gir ingen tilgangspakke",
        "gave no Altinn 2 role and gives no access package",
    ),
    "er_gave": ("I Altinn 2 ga den {roles}", "In Altinn 2 it gave {roles}"),
    "holders_with_package": (
        "{have} av {n} innehaver(e) har en kandidatpakke; sikkerhet i koblingen: {confidence}",
        "{have} of {n} holder(s) have a candidate package; mapping confidence {confidence}",
    ),
    "holders_with_right": (
        "{have} av {n} innehaver(e) har den i Altinn 3",
        "{have} of {n} holder(s) have it in Altinn 3",
    ),
    "consents_lapsed": (
        "{n} utløp mellom 2026-06-19 og {as_of}.",
        "{n} ended between 2026-06-19 and {as_of}.",
    ),
    "consents_ended": ("{n} samtykker utløper senest 2026-06-19.", "{n} consents end by 2026-06-19."),
    "consents_held": (
        "{need} Altinn 2-samtykker gjelder etter 2026-06-19; {held} aktive i Altinn 3 på {resources}.",
        "{need} Altinn 2 consents valid after 2026-06-19; {held} active in Altinn 3 on {resources}.",
    ),
    "or_package": ("eller pakke {packages}", "or package {packages}"),
    "retired": ("avviklet i Altinn 2", "retired in Altinn 2"),
    "replaced_by": ("erstattet av {names}", "replaced by {names}"),
    "planned": ("planlagt: {names}", "planned: {names}"),
    "no_counterpart": ("ingen Altinn 3-motpart i inventaret", "no Altinn 3 counterpart in the inventory"),
    "no_vendor": ("ingen leverandør drifter denne tjenesten", "no vendor runs this service"),
    "no_dependency": ("ingen Altinn 2-avhengighet", "no Altinn 2 dependency"),
    "done": ("Ingen tiltak: ferdig", "No action: done"),
    "not_applicable": ("Ingen tiltak: ikke relevant", "No action: not applicable"),
}


def text(key: str, language: str, **fields: object) -> str:
    nb, en = TEXTS[key]
    return (nb if language == "nb" else en).format(**fields)
