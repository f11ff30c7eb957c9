"""Every sentence a report shows, in bokmål and English: prose is data, so the notebooks stay thin."""

from __future__ import annotations

__all__ = [
    "AREA_NAMES",
    "CERTAINTY_LABELS",
    "INSTITUTION_TYPE_LABELS",
    "LABELS",
    "SEVERITY_LABELS",
    "STATUS_LABELS",
    "TEXTS",
    "VERDICT_LABELS",
    "label",
    "pick",
    "t",
]

# Coded values as the reader sees them: one table for the report page, the figures and the action workbook.
STATUS_LABELS: dict[str, tuple[str, str]] = {
    "done": ("ferdig", "done"),
    "action": ("tiltak", "action"),
    "at_risk": ("risiko", "at risk"),
    "unknown": ("ukjent", "unknown"),
    "not_applicable": ("ikke relevant", "not applicable"),
}
SEVERITY_LABELS: dict[str, tuple[str, str]] = {
    "critical": ("kritisk", "critical"),
    "high": ("høy", "high"),
    "medium": ("middels", "medium"),
    "low": ("lav", "low"),
    "info": ("info", "info"),
}
CERTAINTY_LABELS: dict[str, tuple[str, str]] = {
    "documented": ("dokumentert", "documented"),
    "inferred": ("utledet", "inferred"),
    "unknown": ("ukjent", "unknown"),
    "observed": ("observert", "observed"),  # read from Altinn by `pull`
}
INSTITUTION_TYPE_LABELS: dict[str, tuple[str, str]] = {
    "bank": ("bank", "bank"),
    "savings_bank": ("sparebank", "savings bank"),
    "finance_company": ("finansieringsforetak", "finance company"),
    "branch": ("filial", "branch"),
    "insurer": ("forsikringsselskap", "insurer"),
    "pension": ("pensjonsforetak", "pension company"),
}
# Can the institution run a DSOP service today? (impact.verdicts)
VERDICT_LABELS: dict[str, tuple[str, str]] = {
    "ready": ("klar", "ready"),
    "at_risk": ("risiko", "at risk"),
    "blocked": ("stoppet", "blocked"),
    "unknown": ("ukjent", "unknown"),
}
# Area names as headings and sheet names (capitalised); in running text and tables they are lower case.
AREA_NAMES: dict[str, tuple[str, str]] = {
    "roles": ("Roller", "Roles"),
    "consent": ("Samtykke", "Consent"),
    "integration": ("Integrasjoner", "Integrations"),
    "messaging": ("Meldinger", "Messaging"),
    "broker": ("Formidling", "Broker"),
    "service": ("Tjenester", "Services"),
}

TEXTS: dict[str, tuple[str, str]] = {
    "title": ("Altinn 3-overgangen for {name}", "The Altinn 3 transition for {name}"),
    "subtitle": (
        "Organisasjonsnummer {org_number} · {org_form} · per {as_of}",
        "Organisation number {org_number} · {org_form} · as of {as_of}",
    ),
    "intro": (
        "Altinn 2 er stengt: siste dag for innsending, meldinger og formidling var {last_submission}, og Altinn 2 "
        "ble slått av {closed}. Denne rapporten viser hvilke av virksomhetens Altinn 2-avhengigheter som har en "
        "virkende erstatning i Altinn 3, hva som mangler, hvor haster det, og hva som må gjøres. Før fristene er "
        "den en plan; etter fristene er den en gapanalyse.",
        "Altinn 2 is closed: the last day for submission, messaging and broker services was {last_submission}, and "
        "Altinn 2 was switched off on {closed}. This report shows which of the institution's Altinn 2 dependencies "
        "have a working Altinn 3 replacement, what is still missing, how urgent it is, and what to do. Before the "
        "deadlines it is a plan; after them it is a gap analysis.",
    ),
    "summary": ("Sammendrag", "Summary"),
    "summary_intro": (
        "Beredskapsgraden (0–100) måler hvor stor del av de relevante funnene som er ferdige; blokkerende funn "
        "teller tre ganger. Bare «ferdig» gir uttelling: et funn som ikke kan bekreftes, regnes ikke som klart.",
        "Readiness (0–100) measures how much of the applicable findings are done; blocking findings count three "
        "times. Only “done” earns credit: a finding that cannot be confirmed does not count as ready.",
    ),
    "score": ("Beredskap", "Readiness"),
    "open": ("Åpne funn", "Open findings"),
    "overdue": ("Forfalt", "Overdue"),
    "critical": ("Kritiske", "Critical"),
    "next_deadlines": ("Neste frister", "Next deadlines"),
    "no_next_deadlines": (
        "Ingen frister gjenstår etter {as_of}; åpne funn er forfalt.",
        "No deadlines remain after {as_of}; open findings are overdue.",
    ),
    "by_status": ("Funn etter status", "Findings by status"),
    "by_severity": ("Åpne funn etter alvorlighet og område", "Open findings by severity and area"),
    "timeline": ("Frister", "Deadlines"),
    "area_roles": ("Roller og tilgangspakker", "Roles and access packages"),
    "area_roles_intro": (
        "Altinn 2-roller blir tilgangspakker i Altinn 3. ER-roller (som daglig leder) får pakker automatisk; "
        "Altinn-roller (som UTINN og REGNA) gjør det ikke og må delegeres på nytt. En rolle uten etterfølger er en "
        "risiko. Koblingen rolle → pakke er delvis utledet (se sikkerhet), så kontroller forslagene.",
        "Altinn 2 roles become access packages in Altinn 3. ER roles (such as managing director) get packages "
        "automatically; Altinn roles (such as UTINN and REGNA) do not and must be delegated again. A role with no "
        "successor is a risk. The role → package mapping is partly inferred (see certainty), so check the proposals.",
    ),
    "area_consent": ("Samtykker", "Consents"),
    "area_consent_intro": (
        "Samtykker gitt i Altinn 2 som gjelder etter {closed}, må innhentes på nytt i Altinn 3s nye "
        "samtykkeløsning, der samtykket følger med Maskinporten-tokenet.",
        "Consents given in Altinn 2 that are valid after {closed} must be obtained again in the new Altinn 3 "
        "consent solution, where the consent rides inside the Maskinporten token.",
    ),
    "area_integration": ("Integrasjoner", "Integrations"),
    "area_integration_intro": (
        "API-nøkler erstattes av Maskinporten, virksomhetsbrukere av systembrukere, og Altinn 2s samtykke-API av "
        "Altinn 3s. Et funn er ferdig når motparten i Altinn 3 finnes og er aktiv.",
        "API keys are replaced by Maskinporten, enterprise users by system users, and the Altinn 2 consent API by "
        "Altinn 3's. A finding is done when the Altinn 3 counterpart exists and is active.",
    ),
    "area_messaging": ("Meldinger", "Messaging"),
    "area_messaging_intro": (
        "Etatenes «digitale brev» kommer nå gjennom Dialogporten og den nye innboksen.",
        "The agencies' “digital letters” now arrive through Dialogporten and the new inbox.",
    ),
    "area_broker": ("Formidling", "Broker"),
    "area_broker_intro": (
        "Formidlingstjenesten 4752 (digital eiendomshandel) er erstattet av Altinn 3-ressursen kv_dsve.",
        "The broker service 4752 (digital real-estate transactions) is replaced by the Altinn 3 resource kv_dsve.",
    ),
    "area_service": ("Tjenester og forutsetninger", "Services and prerequisites"),
    "area_service_intro": (
        "Enkelttjenesterettigheter og det hver DSOP-tjeneste virksomheten deltar i krever i Altinn 3.",
        "Single-service rights, and what each DSOP service the institution takes part in requires in Altinn 3.",
    ),
    "area_empty": ("Ingen funn i dette området.", "No findings in this area."),
    "consent_figure": ("Samtykker etter utløp", "Consents by expiry"),
    "actions": ("Tiltaksliste", "Action list"),
    "actions_intro": (
        "Alle åpne funn, de mest alvorlige først. Den samme listen finnes i actions.xlsx for videresending.",
        "Every open finding, most severe first. The same list is in actions.xlsx for forwarding.",
    ),
    "no_actions": ("Ingen åpne funn.", "No open findings."),
    "provenance": ("Datagrunnlag", "Data provenance"),
    "provenance_intro": (
        "Hvor tallene kommer fra. «Utledet» betyr at koblingen er resonnert fram fra offentlige kilder, ikke "
        "bekreftet av Altinn eller tjenesteeieren; «ukjent» at ingen kilde er funnet.",
        "Where the numbers come from. “Inferred” means the mapping was reasoned from public sources, not confirmed "
        "by Altinn or the service owner; “unknown” that no source was found.",
    ),
    "sector_title": ("Sektoroversikt per {as_of}", "Sector overview as of {as_of}"),
    "sector_intro": (
        "Alle institusjoner side om side: beredskapsgrad, åpne funn og rangering. Klikk på et navn for rapporten.",
        "Every institution side by side: readiness, open findings and rank. Click a name for its report.",
    ),
    "sector_common": ("Vanligste åpne funn i sektoren", "Most common open findings in the sector"),
    "sector_heatmap": ("Beredskap per område", "Readiness by area"),
    "verdicts_heading": ("Kan vi kjøre DSOP-tjenestene i dag?", "Can we run our DSOP services today?"),
    "verdicts_intro": (
        "Én vurdering per DSOP-tjeneste i profilen, utledet fra funnene nedenfor: klar, risiko, stoppet eller ukjent.",
        "One verdict per DSOP service in the profile, derived from the findings below: ready, at risk, blocked or "
        "unknown.",
    ),
    "verdicts_none": ("Profilen nevner ingen DSOP-tjenester.", "The profile names no DSOP services."),
    "sector_verdicts_heading": ("DSOP-tjenester per institusjon", "DSOP services per institution"),
    "sector_verdicts_intro": (
        "Kan institusjonen kjøre tjenesten i dag? Tom celle: tjenesten er ikke i profilen.",
        "Can the institution run the service today? Empty cell: the service is not in its profile.",
    ),
    "sector_failed": (
        "{n} institusjon(er) er ikke med i oversikten: {orgs}.",
        "{n} institution(s) are left out of the overview: {orgs}.",
    ),
    "sector_reason_invalid": ("ugyldig inventar, {n} feil", "invalid inventory, {n} error(s)"),
    "sector_reason_no_report": ("ingen rapport i denne kjøringen", "no report in this run"),
    "sector_reason_unreadable": ("funnfilen kan ikke leses", "the findings file cannot be read"),
    "sector_pdf": ("PDF", "PDF"),
    "figure_omitted": ("{title}: ingen data å vise.", "{title}: no data to show."),
    # Shown when report.html is opened without the run folder's plotly.js; a script hides it once plotly loads.
    "charts_missing": (
        "Diagrammene vises ikke: filen {plotly_js} fra rapportmappen ble ikke funnet (siden er trolig sendt videre "
        "alene). Den komplette rapporten med diagrammer ligger i rapportmappen {location}, og som report.pdf "
        "der PDF er laget. Tabellene på denne siden er fullstendige.",
        "The charts are not shown: the file {plotly_js} from the report folder was not found (the page was probably "
        "forwarded on its own). The complete report with charts is in the report folder {location}, and as "
        "report.pdf where a PDF was made. The tables on this page are complete.",
    ),
    "charts_missing_page": (
        "Diagrammene vises ikke: filen {plotly_js} fra rapportmappen ble ikke funnet (siden er trolig sendt videre "
        "alene). Åpne siden i rapportmappen den ble laget i for å se diagrammene. Tabellene på denne siden er "
        "fullstendige.",
        "The charts are not shown: the file {plotly_js} from the report folder was not found (the page was probably "
        "forwarded on its own). Open the page in the report folder it was made in to see the charts. The tables on "
        "this page are complete.",
    ),
    # Provenance in plain words.
    "catalogue_what": (
        "Altinn 3-katalogen er en kopi av Altinns offentlige oversikt over roller, tilgangspakker og tjenester "
        "(ressurser), som rapporten sammenligner virksomhetens Altinn 2-oppsett med.",
        "The Altinn 3 catalogue is a copy of Altinn's public list of roles, access packages and services "
        "(resources), which the report compares the institution's Altinn 2 set-up with.",
    ),
    "catalogue_live": (
        "Katalogen ble hentet direkte fra Altinn ({base_url}) {recorded}, {age} dager før rapportdatoen.",
        "The catalogue was fetched directly from Altinn ({base_url}) on {recorded}, {age} days before the report date.",
    ),
    "catalogue_replay": (
        "Katalogen er bygget fra et lagret opptak av Altinns svar, ikke hentet direkte: innholdet er fra "
        "{recorded}, {age} dager før rapportdatoen.",
        "The catalogue was built from a stored recording of Altinn's answers, not fetched directly: its content is "
        "from {recorded}, {age} days before the report date.",
    ),
    "catalogue_old": (
        "Advarsel: katalogen er eldre enn {limit} dager. Oppdater den (altinn-analysis refresh) før rapporten "
        "brukes som grunnlag for beslutninger.",
        "Warning: the catalogue is older than {limit} days. Update it (altinn-analysis refresh) before the report "
        "is used for decisions.",
    ),
    "dsop_what": (
        "DSOP-katalogen (tjenester, avhengigheter, rolleetterfølgere og frister) er kuratert av prosjektet fra "
        "offentlige kilder; hver rad har kilde og sikkerhet.",
        "The DSOP catalogue (services, dependencies, role successors and deadlines) is curated by the project from "
        "public sources; every row has a source and a certainty.",
    ),
    "inventory_what": (
        "Virksomhetens egne opplysninger (inventaret) er lest fra filene under; sjekksummen viser hvilken versjon "
        "som ble brukt.",
        "The institution's own records (the inventory) were read from the files below; the checksum shows which "
        "version was used.",
    ),
}

# Column headers and coded values, as the reader sees them.
LABELS: dict[str, tuple[str, str]] = {
    "severity": ("Alvorlighet", "Severity"),
    "status": ("Status", "Status"),
    "area": ("Område", "Area"),
    "service_id": ("DSOP-tjeneste", "DSOP service"),
    "subject": ("Gjelder", "Subject"),
    "holders": ("Antall", "Count"),
    "altinn3_target": ("Altinn 3-mål", "Altinn 3 target"),
    "deadline": ("Frist", "Deadline"),
    "days_left": ("Dager igjen", "Days left"),
    "action": ("Tiltak", "Action"),
    "certainty": ("Sikkerhet", "Certainty"),
    "detail": ("Detaljer", "Detail"),
    "finding_id": ("Funn-id", "Finding id"),
    "name": ("Navn", "Name"),
    "institution_type": ("Type", "Type"),
    "score": ("Beredskap", "Readiness"),
    "rank": ("Rang", "Rank"),
    "percentile": ("Persentil", "Percentile"),
    "institutions": ("Institusjoner", "Institutions"),
    "worst_severity": ("Verste alvorlighet", "Worst severity"),
    "milestone": ("Milepæl", "Milestone"),
    "date": ("Dato", "Date"),
    "item": ("Hva", "Item"),
    "value": ("Verdi", "Value"),
    "verdict": ("Vurdering", "Verdict"),
    "reason": ("Begrunnelse", "Reason"),
    "count": ("Antall", "Count"),
    "file": ("Fil", "File"),
    "sha256": ("SHA-256", "SHA-256"),
    # statuses, severities, certainty and areas: from the tables above
    **{("action_status" if k == "action" else k): v for k, v in STATUS_LABELS.items()},
    **SEVERITY_LABELS,
    **{k: v for k, v in CERTAINTY_LABELS.items() if k != "unknown"},
    **{k: v for k, v in VERDICT_LABELS.items() if k in ("ready", "blocked")},
    **{k: (nb.lower(), en.lower()) for k, (nb, en) in AREA_NAMES.items()},
    # provenance items
    "snapshot_source": ("Katalog (kilde)", "Catalogue (source)"),
    "snapshot_fetched": ("Katalog hentet", "Catalogue fetched"),
    "snapshot_url": ("Katalog-URL", "Catalogue URL"),
    "as_of": ("Per dato", "As of"),
    "tool_version": ("Verktøyversjon", "Tool version"),
    "language": ("Språk", "Language"),
    "dsop_services": ("DSOP-tjenester", "DSOP services"),
    "catalogue_recorded": ("Katalogens innhold fra", "Catalogue content from"),
    "catalogue_source": ("Katalogens kilde", "Catalogue source"),
    "catalogue_age": ("Katalogens alder (dager)", "Catalogue age (days)"),
    "catalogue_description": ("Om katalogen", "About the catalogue"),
    # sector table
    "open": ("Åpne", "Open"),
    "overdue": ("Forfalt", "Overdue"),
    "critical_count": ("Kritiske", "Critical"),
    "high_count": ("Høye", "High"),
    "org_number": ("Organisasjonsnummer", "Organisation number"),
    "pdf": ("PDF", "PDF"),
    **INSTITUTION_TYPE_LABELS,
}


def pick(pair: tuple[str, str], language: str) -> str:
    """The half of an (nb, en) pair for the language: the one lookup every text table of the report uses."""
    return pair[0] if language == "nb" else pair[1]


def t(key: str, language: str, **fields: object) -> str:
    """A sentence in the report language."""
    return pick(TEXTS[key], language).format(**fields)


def label(key: str, language: str) -> str:
    """A column header or coded value in the report language (the key itself if there is no label)."""
    if key == "action":
        return pick(LABELS["action"], language)
    pair = LABELS.get(key)
    return pick(pair, language) if pair else key
