"""The rules, as data: when each fires, the statuses it gives, why, from what source, and its action text.

Each area's evaluator (`_roles`, `_rights`, `_consents`, `_integrations`, `_prerequisites`) decides which rule
applies from a small decision table and fills in the facts; everything a reviewer needs to judge a rule is here,
and `docs/rules.md` is generated from this table. Action texts are `str.format` templates with the fields
`subject`, `target`, `count`, `holders`, `deadline` and `detail`.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from altinn_analysis.impact._context import BOUNDARY_MILESTONE

__all__ = ["INTEGRATION_COUNTERPARTS", "RULES", "Rule", "rule", "rules_table"]

LAST_SENDING_DAY = "altinn2-last-submission-day"
_DSOP = "data/dsop (dependencies, role_successors, policies)"


@dataclass(frozen=True, kw_only=True)
class Rule:
    rule_id: str
    area: str
    kind: str  # which evaluator runs it
    when: str  # when it fires
    statuses: tuple[str, ...]  # what it can give
    target: str  # what Altinn 3 counterpart makes it done
    milestone: str | None  # deadline milestone id in the DSOP catalogue
    blocking: bool  # does a DSOP service stop without it (only when the finding names a service in use)
    reason: str  # the domain reason
    source: str
    action_nb: str
    action_en: str

    def action(self, language: str, **fields: object) -> str:
        template = self.action_nb if language == "nb" else self.action_en
        return template.format(**fields)

    @property
    def matches(self) -> str:
        return self.when


def _r(**kw: object) -> Rule:
    return Rule(**kw)  # type: ignore[arg-type]


RULES: tuple[Rule, ...] = (
    # -- roles (one finding per Altinn 2 role, source and holder type) ---------------------------------------
    _r(
        rule_id="roles.review",
        area="roles",
        kind="roles",
        when="an Altinn 2 role that policies.csv marks `review`: unchanged in Altinn 3 (Hovedadministrator) or "
        "discontinued (SISKD)",
        statuses=("action",),
        target="nothing to delegate: verify the holders",
        milestone=None,
        blocking=False,
        reason="Delegating the most powerful access again is unsafe; the right step is to check who holds it.",
        source="policies.csv (DSOP: Hovedadministrator is not affected)",
        action_nb="{subject} ({holders} innehaver(e)): {detail}",
        action_en="{subject} ({holders} holder(s)): {detail}",
    ),
    _r(
        rule_id="roles.er_auto",
        area="roles",
        kind="roles",
        when="an ER role (or an Altinn 2 role it gave) for which the ER role gives access packages automatically "
        "for this organisation form",
        statuses=("done",),
        target="the packages the ER role gives automatically",
        milestone=BOUNDARY_MILESTONE,
        blocking=False,
        reason="Altinn 3 gives ER roles their packages from the Central Coordinating Register; nothing to delegate.",
        source="catalogue role_packages; er_role_grants.csv",
        action_nb="Kontroller at {holders} innehaver(e) av {subject} har det de trenger ({target}).",
        action_en="Check that the {holders} holder(s) of {subject} have what they need ({target}).",
    ),
    _r(
        rule_id="roles.er_by_design",
        area="roles",
        kind="roles",
        when="an ER role that Altinn 3 gives no packages on purpose (board members, deputies, observers), or one "
        "that gave no Altinn 2 role either",
        statuses=("not_applicable",),
        target="none",
        milestone=None,
        blocking=False,
        reason="Information, not an instruction: board members act through the board, not in Altinn.",
        source="policies.csv; catalogue role_packages",
        action_nb="{detail}",
        action_en="{detail}",
    ),
    _r(
        rule_id="roles.er_loses_access",
        area="roles",
        kind="roles",
        when="an ER role that gave Altinn 2 roles but gives no access package for this organisation form",
        statuses=("action",),
        target="access packages delegated explicitly to the holders who need them",
        milestone=BOUNDARY_MILESTONE,
        blocking=False,
        reason="The holders lost what the ER role gave in Altinn 2; only those who need it should get it back.",
        source="catalogue role_packages; er_role_grants.csv",
        action_nb="{subject} gir ingen tilgangspakke for denne organisasjonsformen. Deleger tilgangspakker til de "
        "av {holders} innehaver(e) som trenger dem. {detail}",
        action_en="{subject} gives no access package for this organisation form. Delegate access packages to "
        "those of the {holders} holder(s) who need them. {detail}",
    ),
    _r(
        rule_id="roles.per_service",
        area="roles",
        kind="roles",
        when="an Altinn 2 role that a DSOP service the institution uses documents, with the Altinn 3 access that "
        "service needs (UTINN for DSVE → kv_dsve; A0236/A0286 for control letters → confidential mail)",
        statuses=("done", "action", "at_risk", "unknown"),
        target="the access the service needs (dependencies.csv), held by the same holder",
        milestone=BOUNDARY_MILESTONE,
        blocking=True,
        reason="A broad Altinn 2 role is mapped by the service it was used for, not by its name.",
        source=_DSOP,
        action_nb="{subject} ({holders} innehaver(e) uten {target}): {detail}",
        action_en="{subject} ({holders} holder(s) without {target}): {detail}",
    ),
    _r(
        rule_id="roles.converted",
        area="roles",
        kind="roles",
        when="an Altinn 2 role Altinn converts to a package automatically (accountant and auditor roles)",
        statuses=("done",),
        target="the converted package",
        milestone=BOUNDARY_MILESTONE,
        blocking=False,
        reason="Digdir converts these roles; nothing to delegate.",
        source="role_successors.csv (successor_type converted_1to1)",
        action_nb="Kontroller at {subject} ble konvertert ({target}).",
        action_en="Check that {subject} was converted ({target}).",
    ),
    _r(
        rule_id="roles.successor",
        area="roles",
        kind="roles",
        when="an Altinn 2 role with a primary successor package",
        statuses=("done", "action"),
        target="the primary package(s), held by each holder",
        milestone=BOUNDARY_MILESTONE,
        blocking=True,
        reason="Done only when every holder has the package marked primary for the role; any candidate is not enough.",
        source="role_successors.csv (primary)",
        action_nb="Deleger {target} til {holders} innehaver(e) som hadde Altinn 2-rollen {subject}.",
        action_en="Delegate {target} to the {holders} holder(s) who had the Altinn 2 role {subject}.",
    ),
    _r(
        rule_id="roles.choose",
        area="roles",
        kind="roles",
        when="an Altinn 2 role whose successors split over several packages, none primary",
        statuses=("action",),
        target="the packages each holder actually needs, chosen among the candidates",
        milestone=BOUNDARY_MILESTONE,
        blocking=True,
        reason="A low-confidence split cannot be resolved by a rule: the institution must choose per holder.",
        source="role_successors.csv (split_1ton, related)",
        action_nb="Altinn 2-rollen {subject} er delt på flere tilgangspakker: velg for hver av {holders} "
        "innehaver(e) det de trenger ({target}). {detail}",
        action_en="The Altinn 2 role {subject} is split over several access packages: choose for each of the "
        "{holders} holder(s) what they need ({target}). {detail}",
    ),
    _r(
        rule_id="roles.no_successor",
        area="roles",
        kind="roles",
        when="an Altinn 2 role with no access-package successor and no service that documents it",
        statuses=("at_risk",),
        target="none known",
        milestone=BOUNDARY_MILESTONE,
        blocking=True,
        reason="Nothing replaces it; the service owner decides how access is given now.",
        source="role_successors.csv (successor_type none)",
        action_nb="Altinn 2-rollen {subject} har ingen etterfølger i Altinn 3 ({holders} innehaver(e)). Avklar "
        "med tjenesteeieren hvordan tilgangen gis nå.",
        action_en="The Altinn 2 role {subject} has no Altinn 3 successor ({holders} holder(s)). Ask the service "
        "owner how access is given now.",
    ),
    _r(
        rule_id="roles.enterprise_user",
        area="roles",
        kind="roles",
        when="an Altinn 2 role held by an enterprise user",
        statuses=("done", "action", "unknown"),
        target="a system user with the rights of the same service",
        milestone=BOUNDARY_MILESTONE,
        blocking=True,
        reason="Enterprise users are replaced by system users; packages meant for persons are never the answer.",
        source="DSOP: system user replaces the enterprise user; dependencies.csv",
        action_nb="{subject}: gi systembrukeren som erstatter virksomhetsbrukeren det tjenesten trenger ({target}). "
        "{detail}",
        action_en="{subject}: give the system user that replaces the enterprise user what the service needs "
        "({target}). {detail}",
    ),
    _r(
        rule_id="roles.organisation",
        area="roles",
        kind="roles",
        when="an Altinn 2 role held by an organisation (vendor, accountant)",
        statuses=("done", "action", "unknown"),
        target="client delegation, or the vendor's system user, with the same access",
        milestone=BOUNDARY_MILESTONE,
        blocking=True,
        reason="Organisations act through client delegation or their own system user in Altinn 3.",
        source="Digdir: client relationships move to Altinn 3 (2026-03-01)",
        action_nb="Sørg for at {holders} virksomhet(er) med {subject} får {target} gjennom klientdelegering eller "
        "sin systembruker. {detail}",
        action_en="Make sure the {holders} organisation(s) with {subject} get {target} through client delegation "
        "or their system user. {detail}",
    ),
    _r(
        rule_id="roles.unknown",
        area="roles",
        kind="roles",
        when="a role code neither the catalogue nor data/dsop knows",
        statuses=("unknown",),
        target="unknown",
        milestone=BOUNDARY_MILESTONE,
        blocking=False,
        reason="Unknown codes are not guessed at.",
        source="catalogue roles; data/dsop",
        action_nb="Ukjent rollekode {subject} ({holders} innehaver(e)): kontroller koden i inventaret.",
        action_en="Unknown role code {subject} ({holders} holder(s)): check the code in the inventory.",
    ),
    # -- single-service rights ------------------------------------------------------------------------------
    _r(
        rule_id="service.single_right",
        area="service",
        kind="single_right",
        when="an Altinn 2 single-service right (code:edition) held by persons, with an Altinn 3 resource",
        statuses=("done", "action"),
        target="the resource (altinn2_service_map, test resources excluded), or a package its policy requires",
        milestone=BOUNDARY_MILESTONE,
        blocking=True,
        reason="The right moves to the resource that replaced the service.",
        source="catalogue altinn2_service_map, resource_subjects; dependencies.csv",
        action_nb="Deleger {target} til {holders} innehaver(e) av enkeltrettigheten {subject}.",
        action_en="Delegate {target} to the {holders} holder(s) of the single-service right {subject}.",
    ),
    _r(
        rule_id="service.single_right_consent",
        area="service",
        kind="single_right",
        when="an Altinn 2 single-service right on a consent service",
        statuses=("not_applicable",),
        target="none: consent resources are not delegated",
        milestone=None,
        blocking=False,
        reason="In Altinn 3 the institution's system asks for consent with its Maskinporten token; staff get no "
        "right on a consent resource.",
        source="Altinn consent guide for system vendors; dependencies.csv (consent_service)",
        action_nb="{detail}",
        action_en="{detail}",
    ),
    _r(
        rule_id="service.single_right_holder",
        area="service",
        kind="single_right",
        when="an Altinn 2 single-service right held by an enterprise user or an organisation",
        statuses=("done", "action"),
        target="the resource, held by a system user (enterprise user) or by the same organisation",
        milestone=BOUNDARY_MILESTONE,
        blocking=True,
        reason="Machines get rights through system users, organisations through client delegation.",
        source="catalogue altinn2_service_map; DSOP: system user replaces the enterprise user",
        action_nb="Gi {target} til systembrukeren eller virksomheten som erstatter innehaveren av {subject}. {detail}",
        action_en="Give {target} to the system user or organisation that replaces the holder of {subject}. {detail}",
    ),
    _r(
        rule_id="service.single_right_unknown",
        area="service",
        kind="single_right",
        when="an Altinn 2 single-service right with no Altinn 3 resource (none mapped, or only test resources)",
        statuses=("at_risk", "unknown"),
        target="unknown",
        milestone=BOUNDARY_MILESTONE,
        blocking=True,
        reason="Without a known successor the right cannot be moved; the service owner must say.",
        source="catalogue altinn2_service_map; dependencies.csv",
        action_nb="Ingen kjent Altinn 3-ressurs for enkeltrettigheten {subject} ({holders} innehaver(e)): avklar "
        "med tjenesteeieren.",
        action_en="No known Altinn 3 resource for the single-service right {subject} ({holders} holder(s)): ask "
        "the service owner.",
    ),
    # -- consents -------------------------------------------------------------------------------------------
    _r(
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
    _r(
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
    _r(
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
    _r(
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
    _r(
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
    # -- integrations (one finding per Altinn 2 integration and service) -------------------------------------
    *(
        _r(
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
    # -- service prerequisites ------------------------------------------------------------------------------
    _r(
        rule_id="service.prerequisite",
        area="service",
        kind="prerequisite",
        when="a data/dsop dependency of a service in the profile that no inventory artefact covers",
        statuses=("done", "action", "at_risk", "unknown", "not_applicable"),
        target="the Altinn 3 prerequisite the dependency names",
        milestone=BOUNDARY_MILESTONE,
        blocking=True,
        reason="What the service needs in Altinn 3 whatever the inventory shows.",
        source=_DSOP,
        action_nb="{subject}: {detail}",
        action_en="{subject}: {detail}",
    ),
    _r(
        rule_id="service.vendor_prerequisite",
        area="service",
        kind="prerequisite",
        when="a vendor-side dependency (delegation to a vendor) of a service a vendor runs (vendors[].runs)",
        statuses=("done", "action", "unknown", "not_applicable"),
        target="the delegation to the vendor that runs the service",
        milestone=BOUNDARY_MILESTONE,
        blocking=True,
        reason="Delegations to a vendor matter only where a vendor runs the service; no vendor, no finding.",
        source=_DSOP + "; profile vendors[].runs",
        action_nb="{subject}: {detail}",
        action_en="{subject}: {detail}",
    ),
)

_BY_ID = {r.rule_id: r for r in RULES}

# Altinn 2 integration kind → (rule, Altinn 3 kinds that replace it, DSOP artefact type it implements).
INTEGRATION_COUNTERPARTS: dict[str, tuple[str, tuple[str, ...], str]] = {
    "api_key": ("integration.api_key", ("maskinporten_client", "system_user"), "altinn_api_key"),
    "enterprise_user": ("integration.enterprise_user", ("system_user",), "enterprise_user"),
    "consent_api": ("integration.consent_api", ("consent_api",), "maskinporten_scope"),
    "message_box": ("messaging.message_box", ("dialogporten",), "correspondence_inbox"),
    "broker": ("broker.kv_dsve", ("broker",), "broker_service"),
}


def rule(rule_id: str) -> Rule:
    return _BY_ID[rule_id]


def rules_table(language: str = "nb") -> pl.DataFrame:
    """The rules as a table (for reports and docs/rules.md)."""
    return pl.DataFrame(
        [
            {
                "rule_id": r.rule_id,
                "area": r.area,
                "when": r.when,
                "statuses": ", ".join(r.statuses),
                "altinn3_target": r.target,
                "milestone": r.milestone,
                "blocking": r.blocking,
                "reason": r.reason,
                "source": r.source,
                "action": r.action_nb if language == "nb" else r.action_en,
            }
            for r in RULES
        ]
    )
