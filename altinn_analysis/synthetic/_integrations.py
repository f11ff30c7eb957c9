"""Integrations of one synthetic institution: the Altinn 2 clients it had and the Altinn 3 ones it set up."""

from __future__ import annotations

from datetime import date
from typing import Final

import numpy as np
import polars as pl

from altinn_analysis.synthetic._consents import CONSENT_DSOP, CONSENT_SERVICES
from altinn_analysis.synthetic._world import ALTINN2_CLOSED, DSOP_SERVICE_IDS, INTEGRATION_SCHEMA, Plan

__all__ = ["integration_rows"]

_CONSENT_SCOPES: Final = "altinn:consentrequests.write altinn:consentrequests.read"
_DIALOG_SCOPES: Final = "digdir:dialogporten altinn:correspondence.read"
_CONTROL_SCOPES: Final = "bits:kundeforhold bits:kontoinformasjon"
_OTP_SCOPES: Final = (
    "skatteetaten:inntekt skatteetaten:inntektsmottakere skatteetaten:tjenestepensjonsavtale "
    "nav:aareg/v1/arbeidsforhold/otp"
)


def integration_rows(plan: Plan, rng: np.random.Generator, as_of: date) -> pl.DataFrame:
    services = set(plan.services)
    runs = {s: org for org, _name, vs in plan.vendors for s in vs}
    rows: list[tuple[str, str, str, str | None, str, str, date | None]] = []
    closed = ALTINN2_CLOSED

    def moved(extra: float = 0.0) -> bool:
        return bool(rng.random() < plan.progress + extra)

    def used(lo: date, hi: date) -> date | None:
        if rng.random() < 0.1:
            return None
        return date.fromordinal(lo.toordinal() + int(rng.integers(0, max(1, (hi - lo).days))))

    def add(platform: str, kind: str, name: str, scopes: str | None, by: str, status: str, lo: date, hi: date) -> None:
        rows.append((platform, kind, name, scopes, by, status, None if status == "planned" else used(lo, hi)))

    jan, sep, oct_ = date(2026, 1, 1), date(2026, 9, 1), date(2026, 10, 1)
    for dsop in sorted(services & CONSENT_DSOP, key=DSOP_SERVICE_IDS.index):
        by = runs.get(dsop, "self")
        resource = next((c.altinn3 for c in CONSENT_SERVICES if c.dsop == dsop and c.altinn3), None)
        codes = " ".join(c.altinn2 for c in CONSENT_SERVICES if c.dsop == dsop)
        # An Altinn 2 key still marked active in the institution's records is a finding, not a typo.
        old = "active" if rng.random() < 0.15 * (1 - plan.progress) else "retired" if moved(0.2) else "disabled"
        add("altinn2", "api_key", f"API-nøkkel samtykke {dsop}", None, by, old, jan, closed)
        add("altinn2", "consent_api", f"Samtykke Altinn 2 {dsop} ({codes})", _CONSENT_SCOPES, by, old, jan, closed)
        # Without a known Altinn 3 consent resource the new integration can only be planned.
        new = "active" if resource is not None and moved() else "planned"
        add("altinn3", "consent_api", f"Samtykke Altinn 3 {resource or dsop}", _CONSENT_SCOPES, by, new, closed, as_of)
        add("altinn3", "maskinporten_client", f"Maskinporten samtykke {dsop}", _CONSENT_SCOPES, by, new, closed, as_of)
    if services & {"kontrollinformasjon-fellesstandard", "kontrollinformasjon"}:
        by = runs.get("kontrollinformasjon-fellesstandard", "self")
        old, new = ("retired", "active") if moved() else ("active", "planned")
        add("altinn2", "message_box", "Meldingsboks-API digitale brev", None, by, old, jan, closed)
        add("altinn3", "dialogporten", "Dialogporten digitale brev", _DIALOG_SCOPES, by, new, closed, as_of)
        add("altinn3", "maskinporten_client", "Maskinporten DSOP kontroll", _CONTROL_SCOPES, by, "active", sep, as_of)
    if "digital-eiendomshandel" in services:
        by = runs.get("digital-eiendomshandel", "self")
        old, new = ("retired", "active") if moved(0.1) else ("disabled", "planned")
        add(
            "altinn2", "broker", "Formidlingstjeneste 4752:1 (DSVE)", None, by, old, date(2026, 3, 1), date(2026, 5, 31)
        )
        add("altinn2", "enterprise_user", "Virksomhetsbruker DSVE maskinell kontroll", None, by, old, jan, closed)
        add("altinn3", "broker", "kv_dsve", "altinn:broker.read altinn:broker.write", by, new, closed, as_of)
    if "ajourhold-otp" in services:
        by = runs.get("ajourhold-otp", "self")
        add("altinn3", "maskinporten_client", "Maskinporten ajourhold OTP", _OTP_SCOPES, by, "active", oct_, as_of)
    if "kundeforholdsregister" in services:
        by = runs.get("kundeforholdsregister", "self")
        add("altinn3", "maskinporten_client", "Maskinporten KFR", "bits:kundeforhold.write", by, "active", oct_, as_of)
    for org, vendor, _runs in plan.vendors:
        old, new = ("retired", "active") if moved() else ("disabled", "planned")
        add("altinn2", "enterprise_user", f"Virksomhetsbruker {vendor}", None, org, old, date(2025, 6, 1), closed)
        add("altinn3", "system_user", f"Systembruker {vendor}", None, org, new, closed, as_of)
    return pl.DataFrame(rows, schema=INTEGRATION_SCHEMA, orient="row")
