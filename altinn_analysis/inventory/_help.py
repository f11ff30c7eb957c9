"""What the inventory schema does not say about a table, a kind of cell or a profile key, as data.

The schema (`_schema.py`) says what each column is. Here: the Norwegian description of every table and profile key
(for the XLSX templates' instructions sheet), where an institution typically finds the information, in English and
Norwegian, and how each kind of cell is read. The per-column help is in `_column_help.py`; `_docs.check_help()`
fails when an entry is missing or names something the schema does not have.
"""

from __future__ import annotations

from dataclasses import dataclass

from altinn_analysis.inventory._schema import ColumnSpec

__all__ = ["KIND_RULES", "KIND_TEXT", "ORIGIN_HELP", "PROFILE_HELP", "TABLE_HELP", "Help", "kind_text"]


@dataclass(frozen=True)
class Help:
    """What the schema does not say about a table, column or profile key.

    `nb`: the description in Norwegian (the schema's `description` is the English one); `where_en` / `where_nb`:
    where an institution typically finds the information.
    """

    nb: str
    where_en: str
    where_nb: str


# Pulled rows carry `origin`; the same help for every table.
ORIGIN_HELP = Help(
    nb="Bare på rader skrevet av `altinn-analysis pull`: endepunktet og tidspunktet raden ble lest fra (slike rader "
    "er observerte fakta; rader uten er rapporterte). La feltet stå tomt på egne rader.",
    where_en="Written by `altinn-analysis pull` (docs/pull.md); never typed by hand.",
    where_nb="Skrives av `altinn-analysis pull` (docs/pull.md); fylles aldri ut for hånd.",
)

# How a cell of each kind is read, in English and Norwegian (short, for tables).
KIND_TEXT: dict[str, tuple[str, str]] = {
    "text": ("text", "tekst"),
    "enum": ("one of the allowed values", "en av de tillatte verdiene"),
    "date": ("date YYYY-MM-DD", "dato ÅÅÅÅ-MM-DD"),
    "count": ("whole number ≥ 1", "heltall ≥ 1"),
    "operator": ("`self` or an organisation number", "`self` eller et organisasjonsnummer"),
    "scopes": ("list of scopes", "liste med scopes"),
}

# The longer explanation of each kind, for the reference.
KIND_RULES: dict[str, str] = {
    "text": "Any text. Leading and trailing spaces are removed; an empty cell is a missing value.",
    "enum": "One of the listed values. Letter case does not matter (`Altinn2` is read as `altinn2`). In the XLSX "
    "template the cell has a drop-down list.",
    "date": "A calendar day written `YYYY-MM-DD` (`2026-06-19`). In XLSX a real Excel date cell works too, whatever "
    "its display format. `19.06.2026` is refused with a message that shows the ISO spelling.",
    "count": "A whole number of 1 or more. Spaces inside are removed (`1 000` is read as 1000).",
    "operator": "`self` (the institution runs it) or the 9-digit organisation number of the vendor that does, with a "
    "valid check digit; spaces inside are removed (`922 334 455`). A vendor number not listed under `vendors` in "
    "profile.yaml gives a warning.",
    "scopes": "Words separated by spaces, `;` or `,`; loaded as a list of strings. In Parquet a list column works too.",
}

TABLE_HELP: dict[str, Help] = {
    "delegations": Help(
        nb="Hvem som har hvilken rettighet på vegne av institusjonen: roller, enkeltrettigheter, tilgangspakker og "
        "ressursrettigheter. Én rad per innehaver og rettighet.",
        where_en="Altinn 2 can no longer be asked, so the Altinn 2 rows come from the institution's own records: the "
        "exports of Altinn 2's access management (“Andre med rettigheter til virksomheten”, the role and "
        "single-right lists per person) taken before the close, the IAM or access-request system, and the "
        "roles registered in the Central Coordinating Register (Enhetsregisteret, brreg.no). The Altinn 3 rows come "
        "from Altinn 3's access management (Tilgangsstyring: users, access packages, single rights) and its system "
        "user overview.",
        where_nb="Altinn 2 kan ikke lenger spørres, så Altinn 2-radene kommer fra institusjonens egne registre: "
        "uttrekk fra tilgangsstyringen i Altinn 2 («Andre med rettigheter til virksomheten», rolle- og "
        "enkeltrettighetslistene per person) tatt før nedstengingen, IAM- eller tilgangsbestillingssystemet, og "
        "rollene i Enhetsregisteret (brreg.no). Altinn 3-radene kommer fra tilgangsstyringen i Altinn 3 (brukere, "
        "tilgangspakker, enkeltrettigheter) og oversikten over systembrukere.",
    ),
    "consents": Help(
        nb="Kundesamtykker institusjonen har. En rad kan stå for mange samtykker (`count`).",
        where_en="The loan system's (or the DSOP integration's) consent log: every consent request with its service, "
        "status and validity. Group it by platform, service, status, valid_from and valid_to and count the rows; one "
        "row per consent works as well.",
        where_nb="Samtykkeloggen i lånesystemet (eller DSOP-integrasjonen): hver samtykkeforespørsel med tjeneste, "
        "status og gyldighet. Grupper på plattform, tjeneste, status, valid_from og valid_to og tell radene; én rad "
        "per samtykke går også.",
    ),
    "integrations": Help(
        nb="Institusjonens tekniske oppsett mot Altinn: API-nøkler, virksomhetsbrukere og systembrukere, "
        "Maskinporten-klienter, samtykke-, meldingsboks- og formidlingsintegrasjoner.",
        where_en="The integration register or CMDB; the Maskinporten client list in Samarbeidsportalen (Digdir's "
        "self-service portal); the system user overview in Altinn 3; the Altinn 2 API key and enterprise user "
        "records; and the vendor agreements, which say what each vendor runs on the institution's behalf.",
        where_nb="Integrasjonsoversikten eller CMDB; klientlisten for Maskinporten i Samarbeidsportalen (Digdirs "
        "selvbetjeningsportal); oversikten over systembrukere i Altinn 3; registreringene av API-nøkler og "
        "virksomhetsbrukere i Altinn 2; og leverandøravtalene, som sier hva hver leverandør drifter for "
        "institusjonen.",
    ),
}

PROFILE_HELP: dict[str, Help] = {
    "org_number": Help(
        nb="Organisasjonsnummer: 9 siffer med gyldig kontrollsiffer. Sett det i anførselstegn i YAML.",
        where_en="The institution's entry in Enhetsregisteret (brreg.no).",
        where_nb="Institusjonens oppføring i Enhetsregisteret (brreg.no).",
    ),
    "name": Help(
        nb="Institusjonens navn.",
        where_en="Enhetsregisteret (brreg.no).",
        where_nb="Enhetsregisteret (brreg.no).",
    ),
    "org_form": Help(
        nb="Organisasjonsform slik rollepakke-API-et i Altinn kjenner den (snapshotets varianter: ASA, AS, SPA, SA, "
        "NUF, GFS, PK, FLI).",
        where_en="“Organisasjonsform” in Enhetsregisteret; a Norwegian branch of a foreign bank is NUF.",
        where_nb="«Organisasjonsform» i Enhetsregisteret; en norsk filial av en utenlandsk bank er NUF.",
    ),
    "institution_type": Help(
        nb="Hva slags institusjon.",
        where_en="The institution's licence (Finanstilsynet's register of licensed institutions).",
        where_nb="Institusjonens konsesjon (Finanstilsynets konsesjonsregister).",
    ),
    "dsop_services": Help(
        nb="DSOP-tjenestene institusjonen er med i, som tjeneste-id-er fra DSOP-katalogen.",
        where_en="The institution's DSOP agreements (the services it has joined); `altinn-analysis catalogue "
        "services` lists the ids.",
        where_nb="Institusjonens DSOP-avtaler (tjenestene den er med i); `altinn-analysis catalogue services` viser "
        "id-ene.",
    ),
    "vendors": Help(
        nb="Leverandører som drifter integrasjoner: hver med `org_number` (9 siffer), `name` og `runs` (liste over "
        "hva de drifter). Kan være tom.",
        where_en="The vendor agreements (and data processing agreements); vendors' organisation numbers from "
        "Enhetsregisteret.",
        where_nb="Leverandøravtalene (og databehandleravtalene); leverandørenes organisasjonsnummer fra "
        "Enhetsregisteret.",
    ),
    "demo": Help(
        nb="true bare for prosjektets fiktive demoinstitusjoner: de holdes atskilt fra ekte institusjoner og rangeres "
        "aldri sammen med dem. Utelat den (eller false) for en ekte institusjon.",
        where_en="Nowhere: a real institution leaves it out.",
        where_nb="Ingen steder: en ekte institusjon utelater den.",
    ),
}


def kind_text(column: ColumnSpec, language: str = "en") -> str:
    """`date YYYY-MM-DD`, `one of the allowed values`, …"""
    en, nb = KIND_TEXT[column.kind]
    return nb if language == "nb" else en
