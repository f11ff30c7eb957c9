"""The input-format reference (`docs/inventory.md`), generated from the schema in `_schema.py`.

The schema says what each column is; what it does not say lives here, as data, next to nothing else: the
Norwegian description of every table, column and profile key (for the XLSX templates' instructions sheet) and
where an institution typically finds the information, in English and Norwegian. `check_help()` fails when a
column has no entry here or an entry names a column that does not exist, so the docs cannot drift from the code.

`tests/test_inventory_docs.py` checks that the committed file equals the generated text; after changing the schema
or this module, regenerate it with

    .venv/bin/pytest tests/test_inventory_docs.py --update-golden
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields
from typing import get_args

from altinn_analysis.inventory._limits import LIMITS_HELP, Limits
from altinn_analysis.inventory._schema import (
    PROFILE_FIELDS,
    PROFILE_FILE,
    TABLE_SPECS,
    TABLE_SUFFIXES,
    ColumnKind,
    ColumnSpec,
    ProfileField,
    TableSpec,
)
from altinn_analysis.inventory._validate import _GRANT_ONLY_ON, _HOLDER_ONLY_ON, _KIND_ONLY_ON, DEFAULT_LIMIT

__all__ = [
    "COLUMN_HELP",
    "KIND_TEXT",
    "PROFILE_HELP",
    "TABLE_HELP",
    "Help",
    "check_help",
    "column_help",
    "kind_text",
    "render_inventory_reference",
]


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
_ORIGIN_HELP = Help(
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
_KIND_RULES: dict[str, str] = {
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

COLUMN_HELP: dict[str, dict[str, Help]] = {
    "delegations": {
        "platform": Help(
            nb="Hvor rettigheten er: Altinn 2 eller Altinn 3.",
            where_en="Which source the row comes from: an Altinn 2 export or record is `altinn2`; Altinn 3's access "
            "management or system user overview is `altinn3`.",
            where_nb="Hvilken kilde raden kommer fra: et uttrekk eller register fra Altinn 2 er `altinn2`; "
            "tilgangsstyringen eller systembrukeroversikten i Altinn 3 er `altinn3`.",
        ),
        "holder_type": Help(
            nb="Hva slags innehaver: en person, en virksomhetsbruker i Altinn 2, en organisasjon (f.eks. en "
            "leverandør gjennom klientdelegering) eller en systembruker i Altinn 3.",
            where_en="A named employee is `person`; the Altinn 2 enterprise user list (virksomhetsbrukere) gives "
            "`enterprise_user`; rights given to another organisation (a vendor, an accountant) are `organisation`; "
            "Altinn 3's system user overview gives `system_user`.",
            where_nb="En navngitt ansatt er `person`; listen over virksomhetsbrukere i Altinn 2 gir "
            "`enterprise_user`; rettigheter gitt til en annen organisasjon (leverandør, regnskapsfører) er "
            "`organisation`; systembrukeroversikten i Altinn 3 gir `system_user`.",
        ),
        "holder_id": Help(
            nb="En pseudonym id for innehaveren, lik på alle rader for samme innehaver. Aldri et fødselsnummer: "
            "et inventar som inneholder et, avvises.",
            where_en="Made by the institution: a pseudonym from the HR or IAM system (e.g. an employee number mapped "
            "to `P-0042`, with the key kept internally), the enterprise user's or system user's name, or the "
            "organisation number of an organisation. Use the same id for the same holder on altinn2 and altinn3 "
            "rows: that is how a role counts as moved (the holder has the successor package).",
            where_nb="Lages av institusjonen: et pseudonym fra HR- eller IAM-systemet (f.eks. ansattnummer oversatt "
            "til `P-0042`, med nøkkelen internt), navnet på virksomhetsbrukeren eller systembrukeren, eller "
            "organisasjonsnummeret til en organisasjon. Bruk samme id for samme innehaver på altinn2- og "
            "altinn3-rader: slik ser verktøyet at en rolle er flyttet (innehaveren har etterfølgerpakken).",
        ),
        "grant_type": Help(
            nb="Hva `grant` er: en rolle i Altinn eller Enhetsregisteret, en enkeltrettighet i Altinn 2, en "
            "tilgangspakke i Altinn 3 eller en ressursrettighet i Altinn 3.",
            where_en="From the list the row comes from: role lists give `role`, Altinn 2 single-right lists "
            "(enkeltrettigheter) give `service`, Altinn 3 access packages (tilgangspakker) give `access_package`, "
            "Altinn 3 single rights on a resource give `resource`.",
            where_nb="Fra listen raden kommer fra: rollelister gir `role`, enkeltrettigheter i Altinn 2 gir "
            "`service`, tilgangspakker i Altinn 3 gir `access_package`, enkeltrettigheter på en ressurs i Altinn 3 "
            "gir `resource`.",
        ),
        "grant": Help(
            nb="Selve rettigheten: en rollekode (UTINN, DAGL), en Altinn 2-tjeneste som kode:utgave (4804:210607), "
            "en tilgangspakke-urn (urn:altinn:accesspackage:skattegrunnlag) eller en ressurs-id (kv_dsve).",
            where_en="The code in the export: the role code, the single right's service code and edition "
            "(ServiceCode:ServiceEditionCode), the package urn or the resource id. `altinn-analysis catalogue roles`, "
            "`catalogue packages` and `catalogue resources` list the codes the catalogue knows.",
            where_nb="Koden i uttrekket: rollekoden, enkeltrettighetens tjenestekode og utgave "
            "(ServiceCode:ServiceEditionCode), pakke-urn eller ressurs-id. `altinn-analysis catalogue roles`, "
            "`catalogue packages` og `catalogue resources` viser kodene katalogen kjenner.",
        ),
        "granted_at": Help(
            nb="Når rettigheten ble gitt (ÅÅÅÅ-MM-DD).",
            where_en="The delegation date in the export or the access-request ticket; leave empty when unknown.",
            where_nb="Delegeringsdatoen i uttrekket eller tilgangsbestillingen; la stå tom når den er ukjent.",
        ),
        "source": Help(
            nb="Hvordan innehaveren fikk den: fra Enhetsregisteret (ER), delegert i Altinn, eller ved "
            "klientdelegering.",
            where_en="Roles registered in Enhetsregisteret (daglig leder, styreleder, …) are `er`; rights someone "
            "delegated in Altinn are `delegated`; rights a vendor or accountant holds through a client relationship "
            "(klientdelegering, see the vendor agreements and Altinn 3's client administration) are "
            "`client_delegation`.",
            where_nb="Roller registrert i Enhetsregisteret (daglig leder, styreleder, …) er `er`; rettigheter noen "
            "har delegert i Altinn er `delegated`; rettigheter en leverandør eller regnskapsfører har gjennom et "
            "kundeforhold (klientdelegering, se leverandøravtalene og klientadministrasjonen i Altinn 3) er "
            "`client_delegation`.",
        ),
        "origin": _ORIGIN_HELP,
    },
    "consents": {
        "platform": Help(
            nb="Hvor samtykket er: Altinn 2 eller Altinn 3.",
            where_en="Which consent solution issued it: Altinn 2's consent API (service codes such as 4804, 4628, "
            "5252, 5498) is `altinn2`; Altinn 3's consent solution (consent resources) is `altinn3`.",
            where_nb="Hvilken samtykkeløsning som ga det: samtykke-API-et i Altinn 2 (tjenestekoder som 4804, 4628, "
            "5252, 5498) er `altinn2`; samtykkeløsningen i Altinn 3 (samtykkeressurser) er `altinn3`.",
        ),
        "service": Help(
            nb="I Altinn 2 samtykketjenesten som kode:utgave (4804:210607); i Altinn 3 samtykkeressursens id "
            "(ske-samtykke-sbl-inntekt).",
            where_en="The consent request in the log: its service code and edition on Altinn 2, its resource id on "
            "Altinn 3. `altinn-analysis catalogue service-map` and `catalogue resources --type Consent` list them.",
            where_nb="Samtykkeforespørselen i loggen: tjenestekode og utgave i Altinn 2, ressurs-id i Altinn 3. "
            "`altinn-analysis catalogue service-map` og `catalogue resources --type Consent` viser dem.",
        ),
        "status": Help(
            nb="Tilstanden til samtykket/samtykkene.",
            where_en="The log's status, mapped: given and still valid → `active`; past its end → `expired`; withdrawn "
            "by the customer → `revoked`; declined → `rejected`; asked for and not yet answered → `pending`.",
            where_nb="Statusen i loggen, oversatt: gitt og fortsatt gyldig → `active`; utløpt → `expired`; trukket "
            "tilbake av kunden → `revoked`; avslått → `rejected`; forespurt og ikke besvart → `pending`.",
        ),
        "valid_from": Help(
            nb="Første dag samtykket gjelder (ÅÅÅÅ-MM-DD).",
            where_en="The consent's validity start as stored with the consent (ValidFrom in the consent request).",
            where_nb="Gyldig fra-datoen som er lagret med samtykket (ValidFrom i samtykkeforespørselen).",
        ),
        "valid_to": Help(
            nb="Siste dag samtykket gjelder (ÅÅÅÅ-MM-DD); ikke før valid_from.",
            where_en="The consent's validity end as stored with the consent (ValidTo in the consent request). It "
            "decides whether an Altinn 2 consent outlived Altinn 2 (2026-06-19) and must be obtained again.",
            where_nb="Gyldig til-datoen som er lagret med samtykket (ValidTo i samtykkeforespørselen). Den avgjør om "
            "et Altinn 2-samtykke varer lenger enn Altinn 2 (2026-06-19) og må innhentes på nytt.",
        ),
        "count": Help(
            nb="Hvor mange samtykker raden står for (1 eller flere).",
            where_en="The number of log entries grouped into the row; 1 when the export has one row per consent.",
            where_nb="Antall loggrader som er slått sammen i raden; 1 når uttrekket har én rad per samtykke.",
        ),
        "origin": _ORIGIN_HELP,
    },
    "integrations": {
        "platform": Help(
            nb="Hvor integrasjonen er: Altinn 2 eller Altinn 3.",
            where_en="Which Altinn it talks to: API keys, enterprise users, the Altinn 2 consent API, the message box "
            "(CorrespondenceWS) and Altinn 2 broker services are `altinn2`; system users, Maskinporten clients for "
            "Altinn 3 APIs, the Altinn 3 consent solution and Dialogporten are `altinn3`.",
            where_nb="Hvilken Altinn den snakker med: API-nøkler, virksomhetsbrukere, samtykke-API-et i Altinn 2, "
            "meldingsboksen (CorrespondenceWS) og formidlingstjenester i Altinn 2 er `altinn2`; systembrukere, "
            "Maskinporten-klienter for Altinn 3-API-er, samtykkeløsningen i Altinn 3 og Dialogporten er `altinn3`.",
        ),
        "kind": Help(
            nb="Hva slags integrasjon.",
            where_en="The register it is found in: the Altinn 2 API key agreement (`api_key`), the enterprise user "
            "list with its certificate (`enterprise_user`), Altinn 3's system user overview (`system_user`), "
            "Samarbeidsportalen's client list (`maskinporten_client`), the loan system's consent integration "
            "(`consent_api`), the archive or inbox integration that fetches Altinn messages (`message_box`), Altinn "
            "broker file transfer such as digital real-estate trading (`broker`), a Dialogporten integration "
            "(`dialogporten`).",
            where_nb="Registeret den står i: avtalen om API-nøkkel i Altinn 2 (`api_key`), listen over "
            "virksomhetsbrukere med sertifikat (`enterprise_user`), systembrukeroversikten i Altinn 3 "
            "(`system_user`), klientlisten i Samarbeidsportalen (`maskinporten_client`), samtykkeintegrasjonen i "
            "lånesystemet (`consent_api`), arkiv- eller innboksintegrasjonen som henter meldinger fra Altinn "
            "(`message_box`), formidlingstjenesten i Altinn, f.eks. digital eiendomshandel (`broker`), en "
            "integrasjon mot Dialogporten (`dialogporten`).",
        ),
        "name": Help(
            nb="Institusjonens eget navn på den.",
            where_en="The name in the integration register, or the client's name in Samarbeidsportalen.",
            where_nb="Navnet i integrasjonsoversikten, eller klientens navn i Samarbeidsportalen.",
        ),
        "scopes": Help(
            nb="Maskinporten-/Altinn-scopes den bruker, skilt med mellomrom eller semikolon.",
            where_en="The client's scopes in Samarbeidsportalen; for a system user the rights in its request; "
            "otherwise the vendor's documentation.",
            where_nb="Klientens scopes i Samarbeidsportalen; for en systembruker rettighetene i forespørselen; ellers "
            "leverandørens dokumentasjon.",
        ),
        "operated_by": Help(
            nb="`self`, eller organisasjonsnummeret til leverandøren som drifter den (oppført under `vendors` i "
            "profile.yaml).",
            where_en="The vendor agreements (who runs what), the owner of the client in Samarbeidsportalen, or the "
            "vendor of the system a system user belongs to (Altinn 3's system register).",
            where_nb="Leverandøravtalene (hvem drifter hva), eieren av klienten i Samarbeidsportalen, eller "
            "leverandøren av systemet en systembruker hører til (systemregisteret i Altinn 3).",
        ),
        "status": Help(
            nb="Tilstanden til integrasjonen.",
            where_en="The integration register and Samarbeidsportalen: in production → `active`; ordered or being "
            "built → `planned`; switched off but still there → `disabled`; removed → `retired`.",
            where_nb="Integrasjonsoversikten og Samarbeidsportalen: i produksjon → `active`; bestilt eller under "
            "arbeid → `planned`; slått av, men finnes → `disabled`; fjernet → `retired`.",
        ),
        "last_used": Help(
            nb="Når den sist ble brukt (ÅÅÅÅ-MM-DD).",
            where_en="The integration's own logs (last successful call to Altinn), or the vendor's report; leave empty "
            "when unknown.",
            where_nb="Integrasjonens egne logger (siste vellykkede kall mot Altinn), eller leverandørens rapport; la "
            "stå tom når den er ukjent.",
        ),
        "services": Help(
            nb="DSOP-tjenestene den betjener, som tjeneste-id-er fra profilens dsop_services, skilt med mellomrom "
            "eller semikolon. Uten den utledes tjenesten (og det sies).",
            where_en="The integration's purpose in the vendor agreement or the integration register (which DSOP "
            "service it carries).",
            where_nb="Formålet med integrasjonen i leverandøravtalen eller integrasjonsoversikten (hvilken "
            "DSOP-tjeneste den bærer).",
        ),
        "origin": _ORIGIN_HELP,
    },
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


def check_help(
    table_specs: Mapping[str, TableSpec] = TABLE_SPECS,
    profile_fields: Sequence[ProfileField] = PROFILE_FIELDS,
    *,
    table_help: Mapping[str, Help] = TABLE_HELP,
    column_help: Mapping[str, Mapping[str, Help]] = COLUMN_HELP,
    profile_help: Mapping[str, Help] = PROFILE_HELP,
) -> None:
    """Raise `ValueError` listing every table, column or profile key without help, and every help entry for
    something the schema does not have."""
    problems: list[str] = []

    def compare(what: str, declared: Sequence[str], helped: Sequence[str]) -> None:
        problems.extend(f"{what} {name!r} has no help entry in _docs.py" for name in declared if name not in helped)
        problems.extend(
            f"help entry for {what} {name!r} in _docs.py, but the schema has no such {what.split()[-1]}"
            for name in helped
            if name not in declared
        )

    compare("table", list(table_specs), list(table_help))
    compare("table", list(table_specs), list(column_help))
    for table, spec in table_specs.items():
        compare(f"{table} column", list(spec.column_names), list(column_help.get(table, {})))
    compare("profile key", [f.name for f in profile_fields], list(profile_help))
    kinds = list(get_args(ColumnKind))
    compare("column kind", kinds, list(KIND_TEXT))
    compare("column kind", kinds, list(_KIND_RULES))
    if problems:
        raise ValueError("the inventory docs do not match the schema:\n  " + "\n  ".join(dict.fromkeys(problems)))


def column_help(table: str, column: str) -> Help:
    return COLUMN_HELP[table][column]


def kind_text(column: ColumnSpec, language: str = "en") -> str:
    """`date YYYY-MM-DD`, `one of the allowed values`, …"""
    en, nb = KIND_TEXT[column.kind]
    return nb if language == "nb" else en


# -- rendering ----------------------------------------------------------------------------------------------


def _cell(text: str) -> str:
    """Text for a Markdown table cell."""
    return text.replace("|", "\\|").replace("\n", " ")


def _allowed(values: Sequence[str] | None) -> str:
    return ", ".join(f"`{v}`" for v in values) if values else ""


def _code(text: str) -> str:
    return f"`{text}`" if text else ""


def _table_section(spec: TableSpec) -> list[str]:
    help_ = TABLE_HELP[spec.name]
    files = ", ".join(f"`{spec.name}{s}`" for s in TABLE_SUFFIXES)
    out = [
        f"## `{spec.name}`",
        "",
        f"{spec.description} File: one of {files}.",
        "",
        f"**Where to find it.** {help_.where_en}",
        "",
        "| column | type | required | allowed values | example |",
        "|---|---|---|---|---|",
    ]
    for col in spec.columns:
        required = "yes" if col.required else "no"
        out.append(
            f"| `{col.name}` | {_cell(kind_text(col))} | {required} | {_cell(_allowed(col.allowed))} | "
            f"{_cell(_code(col.example))} |"
        )
    out.append("")
    for col in spec.columns:
        where = COLUMN_HELP[spec.name][col.name].where_en
        out.append(f"- **`{col.name}`**: {col.description} *Where to find it:* {where}")
    out.append("")
    checks = _TABLE_CHECKS.get(spec.name, [])
    if checks:
        out.append("Checks across columns:")
        out.append("")
        out.extend(f"- {check}" for check in checks)
        out.append("")
    return out


def _only_on_text(only_on: Mapping[str, str], column: str) -> str:
    return ", ".join(f"`{column}` `{value}` only on `{platform}`" for value, platform in only_on.items())


_TABLE_CHECKS: dict[str, list[str]] = {
    "delegations": [
        "With `grant_type` `service`, `grant` must be `code:edition` (error); `4804_210607` and `4804 / 210607` are "
        "read as `4804:210607`.",
        "Codes the catalogue does not know (a role code, a service with no Altinn 3 successor in the service map, an "
        "access package, a resource id) are warnings, not errors: the rows are kept, and `assess"
        "` judges them from the DSOP catalogue where it documents the code, else as "
        "`unknown`. An "
        "access package given by its short code (`skattegrunnlag`) is stored as its urn.",
        "What exists on one platform only gives a warning on the other: "
        f"{_only_on_text(_GRANT_ONLY_ON, 'grant_type')}; {_only_on_text(_HOLDER_ONLY_ON, 'holder_type')}.",
    ],
    "consents": [
        "On `altinn2` `service` must be `code:edition`; on `altinn3` it must be a resource id, not a code (errors).",
        "`valid_to` must not be before `valid_from` (error).",
        "An Altinn 2 consent service with no known Altinn 3 consent resource, or an Altinn 3 resource the catalogue "
        "does not know, is a warning; the rows are kept.",
    ],
    "integrations": [
        f"What exists on one platform only gives a warning on the other: {_only_on_text(_KIND_ONLY_ON, 'kind')}.",
        "A vendor in `operated_by` that is not listed under `vendors` in profile.yaml is a warning.",
    ],
}


def _profile_section() -> list[str]:
    out = [
        f"## `{PROFILE_FILE}`",
        "",
        "The institution itself, as YAML (UTF-8, with or without BOM; safe YAML only). Unknown keys give a warning. "
        "`altinn-analysis template` writes it with every key and a comment explaining it.",
        "",
        "| key | type | required | allowed values | example |",
        "|---|---|---|---|---|",
    ]
    for field in PROFILE_FIELDS:
        required = "yes" if field.required else "no"
        allowed = _allowed(field.allowed)
        if field.name == "dsop_services":
            allowed = "service ids of the DSOP catalogue (`altinn-analysis catalogue services`)"
        elif field.name == "org_form":
            allowed = "the catalogue's variants (`altinn-analysis catalogue summary`, `org_forms`)"
        out.append(
            f"| `{field.name}` | {_cell(field.type)} | {required} | {_cell(allowed)} | {_cell(_code(field.example))} |"
        )
    out.append("")
    for field in PROFILE_FIELDS:
        out.append(f"- **`{field.name}`**: {field.description} *Where to find it:* {PROFILE_HELP[field.name].where_en}")
    out.extend(
        [
            "",
            "A folder named with digits that differ from `org_number` gives a warning: name the folder after the "
            "organisation number (`data/institutions/<org_number>/`).",
            "",
        ]
    )
    return out


def render_inventory_reference() -> str:
    """The text of `docs/inventory.md`: every file and column of an inventory, generated from the schema."""
    check_help()
    tables = list(TABLE_SPECS.values())
    out = [
        "# Inventory input format",
        "",
        "<!-- Generated from altinn_analysis/inventory/_schema.py and _docs.py by render_inventory_reference(); do "
        "not edit by hand.",
        "     Regenerate: .venv/bin/pytest tests/test_inventory_docs.py --update-golden -->",
        "",
        "An inventory is what one institution knows about its own Altinn footprint: its Altinn 2 roles, rights, "
        "consents and integrations (from its own records and exports: Altinn 2 can no longer be asked) and what it "
        "has set up in Altinn 3 so far. It is a folder, by convention `data/institutions/<org_number>/`, holding "
        f"four files: `{PROFILE_FILE}` and one table each for " + ", ".join(f"`{t.name}`" for t in tables) + ".",
        "",
        "```bash",
        "altinn-analysis template my-bank/          # an empty inventory: profile.yaml + three XLSX tables",
        "altinn-analysis validate my-bank/          # every problem as file:row:column",
        "altinn-analysis assess my-bank/ --language en",
        "```",
        "",
        "`docs/walkthrough.md` goes through that loop step by step. This page is the reference: every file, every "
        "column, and where an institution typically finds the information.",
        "",
        "| file | what it holds | required columns |",
        "|---|---|---|",
        f"| `{PROFILE_FILE}` | the institution: organisation number, name, form, type, DSOP services, vendors | "
        + ", ".join(f"`{f.name}`" for f in PROFILE_FIELDS if f.required)
        + " |",
    ]
    for spec in tables:
        out.append(
            f"| `{spec.name}` | {_cell(spec.description)} | {', '.join(f'`{c}`' for c in spec.required_columns)} |"
        )
    out.extend(
        [
            "",
            "## File formats",
            "",
            "- **One file per table**, named after it: `<table>.csv`, `<table>.xlsx` or `<table>.parquet` (letter "
            "case of the name does not matter). Two files for one table are an error; so is a missing table: a table "
            "with no rows is a file with only the header line. Excel's lock files (`~$…`) and hidden files are "
            "ignored. The formats can be mixed within one folder.",
            "- **CSV**: UTF-8, with or without BOM (Excel's “CSV UTF-8”). UTF-16 (“Unicode Text”) and "
            "Windows-1252/Latin-1 are refused, with a message saying how to save as UTF-8. The separator is `;` or "
            "`,`, detected from the header line (Norwegian Excel writes `;`); tab-separated files are refused. Values "
            'are quoted with `"`; a quoted value may hold the separator and line breaks. Line endings do not matter.',
            "- **XLSX**: the sheet named after the table (`delegations`), or else the first sheet; other sheets are "
            "ignored (the templates' instructions sheet, for example). Excel date cells are read as dates whatever "
            "their display format, and `3.0` as `3`. Old `.xls`, `.ods` and password-protected workbooks are refused: "
            "save as an unprotected `.xlsx`.",
            "- **Parquet**: columns may be text or typed (dates, date-times, numbers, booleans, lists of strings); a "
            "list column is read as its items separated by spaces.",
            "- **Header**: the first non-blank row. Letter case, surrounding spaces and hyphens do not matter "
            "(`Holder ID` and `holder-id` are `holder_id`). Column order does not matter. A column the format does "
            "not know is ignored with a warning (with a suggestion when it looks like a known one); optional columns "
            "may be left out; a required column that is missing is an error.",
            "- **Cells**: leading and trailing spaces are removed; an empty cell is a missing value. Blank rows are "
            "skipped. A row with more values than the header has columns is an error.",
            "- **Duplicates**: a row that is an exact copy of an earlier one is an error, because rows are counted "
            "(holders, consents). Put an aggregate in one row (`count`).",
            f"- `{PROFILE_FILE}`: UTF-8 YAML (safe YAML only: no tags, no anchors or aliases, no duplicate keys; "
            "each is refused with its line).",
            "- **Only regular files**: a table or profile that is a symbolic link or a special file (pipe, device) "
            "is refused, never followed. Other files in the folder are ignored, never read or hashed; `validate` "
            "lists them as warnings.",
            "",
            "### How values are read",
            "",
            "| type | rule |",
            "|---|---|",
        ]
    )
    for kind, (label, _) in KIND_TEXT.items():
        out.append(f"| {_cell(label)} | {_cell(_KIND_RULES[kind])} |")
    out.extend(
        [
            "",
            "## Personal data",
            "",
            "Inventories are **pseudonymous**. A national identity number (fødselsnummer, D-number, H-number or "
            "synthetic test number: 11 digits with valid check digits, also when written with a space, dot or "
            "hyphen after the sixth digit) anywhere in "
            "a table, a header or profile.yaml is an error naming the file, row and column, and the whole inventory "
            "is refused until it is gone. The number itself is never printed: error messages show "
            "`[11 digits removed]` instead, and nothing from a refused inventory reaches a report.",
            "",
            "Identify holders with pseudonymous ids (`P-0042` for a person, `EU-01` for an enterprise user, "
            "`SU-sbl-01` for a system user, an organisation's own organisation number), the same id for the same "
            "holder on every row and on both platforms. Keep the key from pseudonym to person inside the institution. "
            "Names of people do not belong in an inventory either.",
            "",
            "## Error messages",
            "",
            "`altinn-analysis validate DIR` lists every problem, one per line, as `file:row:column: severity: "
            "message`, for example:",
            "",
            "```text",
            "consents.csv:7:valid_to: error: valid_to 2026-01-01 is before valid_from 2026-02-01",
            "profile.yaml:3:org_form: error: 'XYZ' is not an organisation form the catalogue knows; expected one of …",
            "```",
            "",
            "- **file** is the file's name in the folder; a bare table name (`consents`) when its file is missing.",
            "- **row** is the row as you see it in Excel or a text editor: the header is row 1, so the first data row "
            "is row 2. Blank rows above count, as they do in Excel. In a CSV file a quoted value that spans lines is "
            "one row. Parquet files are numbered as if they had a header row (the first data row is 2). In "
            "profile.yaml it is the line number. No row: the problem is with the whole file or column.",
            "- **column** is the column's normalised name (`valid_to`); in profile.yaml the key, such as "
            "`vendors[0].org_number`.",
            "- **severity**: an `error` makes the inventory unusable (exit code 1; `assess` refuses it); a `warning` "
            "is worth a look but does not stop anything (unknown codes, for example, are judged from the "
            "DSOP catalogue where it documents them, else as `unknown`).",
            f"- A check that fails on many rows lists the first {DEFAULT_LIMIT} and then one line counting the rest. "
            "`--format json` gives the same problems as a list of objects.",
            "",
        ]
    )
    out.extend(_limits_section())
    out.extend(_profile_section())
    for spec in tables:
        out.extend(_table_section(spec))
    return "\n".join(out).rstrip("\n") + "\n"


def _limits_section() -> list[str]:
    defaults = Limits()
    out = [
        "## Limits",
        "",
        "What one file may make the workbench do. Each limit is checked before the file is parsed (from the file "
        "size, the XLSX zip directory, the Parquet metadata) or while it is streamed, so a file over a limit is "
        "an error naming the file (and the row when known) in bounded time and memory. A big institution raises a "
        "limit for a run with `--limit name=N` (`validate`) or the environment variable "
        "`ALTINN_ANALYSIS_LIMIT_<NAME>` (for every command), e.g. `ALTINN_ANALYSIS_LIMIT_TABLE_ROWS=50000000`.",
        "",
        "| limit | default | what it bounds |",
        "|---|---|---|",
    ]
    for field in fields(Limits):
        out.append(f"| `{field.name}` | {getattr(defaults, field.name):,} | {_cell(LIMITS_HELP[field.name])} |")
    out.append("")
    return out
