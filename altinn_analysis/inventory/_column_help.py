"""The help for every column of the inventory tables: its Norwegian description (for the XLSX templates'
instructions sheet) and where an institution typically finds the information, in English and Norwegian.

`_docs.check_help()` fails when a column of the schema has no entry here, or an entry names a column that does not
exist, so the docs and templates cannot drift from the schema.
"""

from __future__ import annotations

from altinn_analysis.inventory._help import ORIGIN_HELP, Help

__all__ = ["COLUMN_HELP", "column_help"]

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
        "origin": ORIGIN_HELP,
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
        "origin": ORIGIN_HELP,
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
        "origin": ORIGIN_HELP,
    },
}


def column_help(table: str, column: str) -> Help:
    return COLUMN_HELP[table][column]
