"""What the action list workbook says and how it is laid out, as tables: columns (order, width cap, wrap), headers,
coded values, sheet notes and fixed texts in both languages. Written by `actions`, read back by `_tracking`."""

from __future__ import annotations

import re

from altinn_analysis.report._texts import AREA_NAMES, CERTAINTY_LABELS, SEVERITY_LABELS, STATUS_LABELS, pick

CREATOR = "altinn-analysis"
DATE_FORMAT = "yyyy-mm-dd"
MAX_CELL = 32_767  # Excel's limit on characters in one cell

# The columns, in sheet order: (column, width cap, wrap). The first page of a printout holds what a colleague
# works from (what, what to do, by when, and the tracking columns); the reference columns print on the next.
COLUMNS: tuple[tuple[str, int, bool], ...] = (
    ("severity", 12, False),
    ("status", 11, False),
    ("subject", 32, True),
    ("action", 56, True),
    ("deadline", 11, False),
    ("days_left", 9, True),
    ("owner", 16, True),
    ("progress", 14, True),
    ("comment", 30, True),
    ("area", 14, False),
    ("service_id", 16, False),
    ("holders", 11, True),
    ("altinn3_target", 30, True),
    ("certainty", 12, False),
    ("detail", 44, True),
    ("finding_id", 18, False),
)
# Filled in by people, not by the workbench: carried over from the previous workbook, matched by finding id.
TRACKING = ("owner", "progress", "comment")
PRINT_SPLIT = 9  # a printed page break after this many columns (the tracking columns end the first page)
PRINT_SCALE = 70  # per cent: the first page's columns fit an A4 landscape page at this scale
LINE_HEIGHT = 15.0  # points per wrapped line, for the row heights
CODED = ("severity", "status", "area", "certainty")  # shown through VALUES, not as stored

# Column headers (worded as in the HTML report, so the two read alike).
HEADERS: dict[str, tuple[str, str]] = {
    "severity": ("Alvorlighet", "Severity"),
    "status": ("Status", "Status"),
    "deadline": ("Frist", "Deadline"),
    "days_left": ("Dager igjen", "Days left"),
    "area": ("Område", "Area"),
    "service_id": ("DSOP-tjeneste", "DSOP service"),
    "subject": ("Gjelder", "Subject"),
    "holders": ("Antall", "Count"),
    "owner": ("Ansvarlig", "Owner"),
    "progress": ("Framdrift", "Progress"),
    "comment": ("Kommentar", "Comment"),
    "altinn3_target": ("Altinn 3-mål", "Altinn 3 target"),
    "action": ("Tiltak", "Action"),
    "certainty": ("Sikkerhet", "Certainty"),
    "detail": ("Detaljer", "Detail"),
    "finding_id": ("Funn-id", "Finding id"),
}

# What the count column counts, per area sheet (a consent finding counts consents, a role finding holders).
COUNT_HEADERS: dict[str, tuple[str, str]] = {
    "roles": ("Innehavere", "Holders"),
    "consent": ("Samtykker", "Consents"),
    "service": ("Innehavere", "Holders"),
    "integration": ("Antall", "Count"),
    "messaging": ("Antall", "Count"),
    "broker": ("Antall", "Count"),
}

# Coded values as the reader sees them, per column; a value missing here is shown as stored.
VALUES: dict[str, dict[str, tuple[str, str]]] = {
    "severity": SEVERITY_LABELS,
    "status": STATUS_LABELS,
    "certainty": CERTAINTY_LABELS,
    "area": AREA_NAMES,
}

# What each area sheet holds, for the summary's list of sheets.
AREA_NOTES: dict[str, tuple[str, str]] = {
    "roles": (
        "Altinn 2-roller som må bli tilgangspakker i Altinn 3",
        "Altinn 2 roles that must become access packages",
    ),
    "consent": ("Samtykker som må innhentes på nytt i Altinn 3", "Consents to obtain again in Altinn 3"),
    "integration": (
        "API-nøkler, virksomhetsbrukere og samtykke-API som må erstattes",
        "API keys, enterprise users and consent APIs to replace",
    ),
    "messaging": ("Meldinger som nå går gjennom Dialogporten", "Messages that now go through Dialogporten"),
    "broker": ("Formidlingstjenester som må over på Altinn 3", "Broker services to move to Altinn 3"),
    "service": (
        "Enkelttjenesterettigheter og forutsetninger for DSOP-tjenestene",
        "Single-service rights and DSOP service prerequisites",
    ),
}

TEXTS: dict[str, tuple[str, str]] = {
    "summary_sheet": ("Sammendrag", "Summary"),
    "all_sheet": ("Alle tiltak", "All actions"),
    "title": ("Tiltaksliste for overgangen til Altinn 3", "Action list for the Altinn 3 transition"),
    "institution": ("Institusjon", "Institution"),
    "org_number": ("Organisasjonsnummer", "Organisation number"),
    "as_of": ("Per dato", "As of"),
    "score": ("Beredskap (0–100)", "Readiness (0–100)"),
    "open": ("Åpne funn", "Open findings"),
    "overdue": ("Forfalt", "Overdue"),
    "no_open": (
        "Ingen åpne funn: ingenting å følge opp per denne datoen.",
        "No open findings: nothing to follow up as of this date.",
    ),
    "by_area": ("Åpne funn etter område og alvorlighet", "Open findings by area and severity"),
    "by_status": ("Åpne funn etter status", "Open findings by status"),
    "total": ("Sum", "Total"),
    "count": ("Antall", "Count"),
    "sheets": ("Arkene", "The sheets"),
    "all_note": (
        "Alle åpne funn (tiltak, risiko, ukjent), de mest alvorlige først, deretter etter dager igjen",
        "Every open finding (action, at risk, unknown), most severe first, then by days left",
    ),
    "note_overdue": (
        "Negative «Dager igjen» betyr at fristen er passert (vist i rødt).",
        "Negative “Days left” means the deadline has passed (shown in red).",
    ),
    "note_id": (
        "Funn-id er den samme som i rapporten, så en rad kan kobles til funnet der.",
        "The finding id is the same as in the report, so a row can be matched to its finding there.",
    ),
    "note_score": (
        "Beredskap = 100 × andel ferdige funn av de relevante; blokkerende funn teller tre ganger.",
        "Readiness = 100 × the share of applicable findings that are done; blocking findings count three times.",
    ),
    "doc_title": ("Tiltaksliste", "Action list"),
    "note_tracking": (
        "Ansvarlig, Framdrift og Kommentar fylles ut av dere; de følger med til neste kjøring (koblet på funn-id).",
        "Owner, Progress and Comment are yours to fill in; they carry over to the next run (matched by finding id).",
    ),
    "provenance": ("Datagrunnlag", "Data provenance"),
}

# Severity cell fills (RGB) and the severities whose text is white and bold on them.
SEVERITY_FILL: dict[str, str] = {"critical": "C00000", "high": "F4B183", "medium": "FFE699", "low": "BDD7EE"}
SEVERITY_WHITE = ("critical",)
HEADER_FILL = "1F4E78"
OVERDUE_RED = "C00000"
LINK_BLUE = "0563C1"

# Characters an XLSX file cannot hold (the C0 controls but tab, newline and carriage return).
_ILLEGAL = re.compile(r"[\000-\010]|[\013-\014]|[\016-\037]")


def text(key: str, language: str) -> str:
    return pick(TEXTS[key], language)


def value_label(column: str, value: str, language: str) -> str:
    pair = VALUES[column].get(value)
    return pick(pair, language) if pair else value


def area_sheet(area: str, language: str) -> str:
    return pick(VALUES["area"][area], language)


def clean(value: str) -> str:
    """Control characters are not allowed in XLSX; a cell holds at most 32 767 characters."""
    value = _ILLEGAL.sub("\ufffd", value)
    return value if len(value) <= MAX_CELL else value[: MAX_CELL - 1] + "…"
