"""Short texts the rules put into `detail` (and the action of finished findings), one per language."""

from __future__ import annotations

__all__ = ["TEXTS", "text"]

TEXTS: dict[str, tuple[str, str]] = {
    "auto_packages": ("{n} tilgangspakke(r) gis automatisk", "{n} package(s) given automatically"),
    "auto_candidates": ("{n} kandidatpakke(r) gis automatisk", "{n} candidate package(s) given automatically"),
    "er_gave_nothing": (
        "ga ingen Altinn 2-rolle og gir ingen tilgangspakke",
        "gave no Altinn 2 role and gives no access package",
    ),
    "er_gave": ("I Altinn 2 ga den {roles}", "In Altinn 2 it gave {roles}"),
    "holders_done": ("{have} av {n} innehaver(e) har det i Altinn 3", "{have} of {n} holder(s) have it in Altinn 3"),
    "holders_any": (
        "{have} av {n} innehaver(e) har en av kandidatene; sikkerhet i koblingen: {confidence}",
        "{have} of {n} holder(s) have one of the candidates; mapping confidence {confidence}",
    ),
    "converted": ("Altinn konverterer rollen automatisk", "Altinn converts the role automatically"),
    "system_user_holds": ("en systembruker har {target}", "a system user holds {target}"),
    "system_user_lacks": ("ingen systembruker har {target}", "no system user holds {target}"),
    "system_user_rights": (
        "en systembruker får rettighetene systemet ber om, ikke pakker ment for personer: kontroller at "
        "systembrukeren som erstatter den har det tjenesten trenger",
        "a system user gets the rights its system requests, not packages meant for persons: check that the system "
        "user that replaces it has what the service needs",
    ),
    "organisation_unknown": (
        "hvilken tilgang virksomheten trenger er ikke dokumentert for tjenestene dere bruker: avklar med den",
        "which access the organisation needs is not documented for the services in use: ask it",
    ),
    "organisation_holds": ("{have} av {n} virksomhet(er) har det", "{have} of {n} organisation(s) have it"),
    "consents_lapsed": ("{n} utløp mellom {boundary} og {as_of}.", "{n} ended between {boundary} and {as_of}."),
    "consents_ended": ("{n} samtykker utløper senest {boundary}.", "{n} consents end by {boundary}."),
    "consents_a3": (
        "{held} aktive Altinn 3-samtykker på {resources} (nye kunder teller ikke som fornyede samtykker).",
        "{held} active Altinn 3 consents on {resources} (new customers do not count as re-obtained consents).",
    ),
    "consent_right": (
        "samtykkeressurser delegeres ikke til ansatte: virksomhetens system ber om samtykke med sitt "
        "Maskinporten-token",
        "consent resources are not delegated to staff: the institution's system requests consent with its "
        "Maskinporten token",
    ),
    "retired": ("avviklet i Altinn 2", "retired in Altinn 2"),
    "replaced_by": ("erstattet av {names}", "replaced by {names}"),
    "planned": ("planlagt: {names}", "planned: {names}"),
    "no_counterpart": ("ingen Altinn 3-motpart i inventaret", "no Altinn 3 counterpart in the inventory"),
    "retired_no_counterpart": (
        "avviklet i Altinn 2 uten Altinn 3-motpart i inventaret: bekreft at tjenesten ikke lenger trenger den",
        "retired in Altinn 2 with no Altinn 3 counterpart in the inventory: confirm the service no longer needs it",
    ),
    "no_new_consents": (
        "tjenesten kan ikke ta imot nye samtykker før Altinn 3-integrasjonen er i drift",
        "the service cannot take new consents until the Altinn 3 integration is live",
    ),
    "service_inferred": (
        "hvilken tjeneste den betjener er utledet (fyll ut kolonnen services)",
        "which service it serves is inferred (fill in the services column)",
    ),
    "holder_enterprise_user": ("virksomhetsbruker", "enterprise user"),
    "holder_organisation": ("virksomhet", "organisation"),
    "holder_system_user": ("systembruker", "system user"),
    "operated_by": ("drives av {org}", "operated by {org}"),
    "vendor_runs": ("leverandør: {vendors}", "vendor: {vendors}"),
    "or_package": ("eller pakke {packages}", "or package {packages}"),
    "choose": ("velg blant {packages}", "choose among {packages}"),
    "done": ("Ingen tiltak: ferdig", "No action: done"),
    "not_applicable": ("Ingen tiltak: ikke relevant", "No action: not applicable"),
}


def text(key: str, language: str, **fields: object) -> str:
    nb, en = TEXTS[key]
    return (nb if language == "nb" else en).format(**fields)
