"""Each impact rule on its own, with hand-built inventories — one small inventory per principle and edge."""

from __future__ import annotations

import random
from datetime import date

import polars as pl
import pytest
from impact_support import (
    AFTER,
    BEFORE,
    VENDOR,
    consent,
    delegation,
    findings,
    integration,
    inventory,
    one,
    package,
)

from altinn_analysis.impact import (
    FINDINGS_SCHEMA,
    RULES,
    SEVERITY_POLICY,
    readiness,
    rules_table,
    severity_for,
)
from altinn_analysis.inventory import Vendor

DESIGN_COLUMNS = [
    "org_number",
    "finding_id",
    "service_id",
    "area",
    "subject",
    "holders",
    "altinn3_target",
    "status",
    "severity",
    "deadline",
    "days_left",
    "action",
    "certainty",
    "evidence",
]


def system_user_grant(grant: str, holder: str = "SU-1", grant_type: str = "resource") -> dict[str, object]:
    return delegation(grant, holder, platform="altinn3", grant_type=grant_type, holder_type="system_user")


# -- principle 1: per holder type ----------------------------------------------------------------------------


def test_enterprise_user_right_is_answered_by_the_system_user_that_holds_it() -> None:
    eu = delegation("4752:1", "EU-01", grant_type="service", holder_type="enterprise_user")
    services = ("digital-eiendomshandel",)
    f = one(findings(inventory(delegations=[eu], services=services)), rule_id="service.single_right_holder")
    assert f["status"] == "action" and "kv_dsve" in f["altinn3_target"]
    assert "system" in f["action"] and "EU-01" not in f["action"]  # never "delegate kv_dsve to EU-01"
    f = one(
        findings(inventory(delegations=[eu, system_user_grant("kv_dsve")], services=services)),
        rule_id="service.single_right_holder",
    )
    assert f["status"] == "done"


def test_enterprise_user_role_never_gets_a_package_meant_for_persons() -> None:
    eu = delegation("APIADM", "EU-01", holder_type="enterprise_user")
    f = one(findings(inventory(delegations=[eu])), rule_id="roles.enterprise_user")
    assert f["status"] == "unknown" and f["altinn3_target"] is None
    assert "system user gets the rights its system requests" in f["action"]


def test_documented_enterprise_user_role_is_not_unknown() -> None:
    # Principle 8 too: ECKEYROLE is documented by data/dsop for DSVE, so it is never an unknown code.
    eu = delegation("ECKEYROLE", "EU-01", holder_type="enterprise_user")
    su = integration("system_user", "SU DSVE", platform="altinn3", services=["digital-eiendomshandel"])
    f = one(
        findings(inventory(delegations=[eu], integrations=[su], services=("digital-eiendomshandel",))),
        subject="ECKEYROLE (enterprise user)",
    )
    assert f["rule_id"] == "roles.enterprise_user" and f["status"] == "done"


def test_organisation_holder_is_answered_by_its_own_access() -> None:
    org = delegation("UTINN", VENDOR, holder_type="organisation")
    services = ("digital-eiendomshandel",)
    f = one(findings(inventory(delegations=[org], services=services)), rule_id="roles.organisation")
    assert f["status"] == "action" and f["altinn3_target"] == "kv_dsve"
    held = delegation("kv_dsve", VENDOR, platform="altinn3", grant_type="resource", holder_type="organisation")
    f = one(findings(inventory(delegations=[org, held], services=services)), rule_id="roles.organisation")
    assert f["status"] == "done"


# -- principle 2: same service, or not done ------------------------------------------------------------------


def test_counterpart_for_another_service_does_not_count() -> None:
    eu = integration("enterprise_user", "EU-03 krav", services=["fi-krav-og-betalinger"])
    su = integration("system_user", "SU-sbl", platform="altinn3", services=["sbl"])
    inv = inventory(integrations=[eu, su], services=("sbl", "fi-krav-og-betalinger"))
    f = one(findings(inv), rule_id="integration.enterprise_user")
    assert f["status"] == "action" and f["service_id"] == "fi-krav-og-betalinger"
    assert f["severity"] == "critical" and f["certainty"] == "documented"


def test_counterpart_for_the_same_service_is_done() -> None:
    eu = integration("enterprise_user", "EU-03 krav", services=["fi-krav-og-betalinger"])
    su = integration("system_user", "SU-krav", platform="altinn3", services=["fi-krav-og-betalinger"])
    inv = inventory(integrations=[eu, su], services=("fi-krav-og-betalinger",))
    assert one(findings(inv), rule_id="integration.enterprise_user")["status"] == "done"


def test_without_services_the_attribution_is_inferred_and_said() -> None:
    key = integration("api_key", "API key", status="retired")
    client = integration("maskinporten_client", "MP", platform="altinn3")
    f = one(findings(inventory(integrations=[key, client], services=("sbl",))), rule_id="integration.api_key")
    assert f["status"] == "done" and f["certainty"] == "inferred" and f["service_id"] == "sbl"
    assert "inferred" in f["detail"]


def test_unnamed_counterpart_of_another_operator_does_not_count() -> None:
    eu = integration("enterprise_user", "EU", services=["sbl"])
    su = integration("system_user", "SU vendor", platform="altinn3", operated_by=VENDOR)
    vendors = (Vendor(VENDOR, "Leverandør AS", ("sbl",)),)
    f = one(
        findings(inventory(integrations=[eu, su], services=("sbl",), vendors=vendors)),
        rule_id="integration.enterprise_user",
    )
    assert f["status"] == "action"


def test_one_finding_per_service_an_integration_serves() -> None:
    api = integration("consent_api", "Samtykke A2", status="retired", services=["sbl", "ssu"])
    a3 = integration("consent_api", "Samtykke A3 SBL", platform="altinn3", services=["sbl"])
    planned = integration("consent_api", "Samtykke A3 SSU", platform="altinn3", status="planned", services=["ssu"])
    f = findings(inventory(integrations=[api, a3, planned], services=("sbl", "ssu")))
    assert one(f, rule_id="integration.consent_api", service_id="sbl")["status"] == "done"
    ssu = one(f, rule_id="integration.consent_api", service_id="ssu")
    # Principle 8: a retired Altinn 2 consent API with only a planned Altinn 3 one cannot take new consents.
    assert ssu["status"] == "action" and "cannot take new consents" in ssu["action"]


# -- principle 3: roles by what they are ---------------------------------------------------------------------


def test_hovedadministrator_is_a_review_never_a_delegation() -> None:
    inv = inventory(delegations=[delegation("HADM", "P-1"), delegation("HADM", "P-2")], services=("sbl",))
    f = one(findings(inv), subject="HADM")
    assert f["rule_id"] == "roles.review" and f["status"] == "action"
    assert f["severity"] in ("low", "medium") and "Verify who holds it" in f["action"]
    assert "Delegate" not in f["action"] and f["altinn3_target"] is None


@pytest.mark.parametrize("code", ["MEDL", "NEST", "VARA"])
def test_board_members_are_information(code: str) -> None:
    f = one(findings(inventory(delegations=[delegation(code, source="er")])), subject=code)
    assert f["rule_id"] == "roles.er_by_design" and f["status"] == "not_applicable" and f["severity"] == "info"


def test_split_role_lists_candidates_and_stays_open() -> None:
    holders = [delegation("REGNA", "P-1"), package("skatt-naering", "P-1")]
    f = one(findings(inventory(delegations=holders)), subject="REGNA")
    assert f["rule_id"] == "roles.choose" and f["status"] == "action"  # one low-confidence candidate is not done
    assert "choose" in f["action"]


def test_auditor_packages_are_never_suggested_to_staff() -> None:
    frame = findings(inventory(delegations=[delegation("REGNA")]))
    target = one(frame, subject="REGNA")["altinn3_target"]
    assert "revisorattesterer" not in target


def test_apiadm_maps_to_the_administration_package() -> None:
    f = one(findings(inventory(delegations=[delegation("APIADM")])), subject="APIADM")
    assert f["rule_id"] == "roles.successor" and f["altinn3_target"] == "maskinporten-administrator"
    done = findings(inventory(delegations=[delegation("APIADM"), package("maskinporten-administrator")]))
    assert one(done, subject="APIADM")["status"] == "done"


def test_primary_successor_needed_by_every_holder() -> None:
    rows = [delegation("ADMAI", "P-1"), delegation("ADMAI", "P-2"), package("tilgangsstyrer", "P-1")]
    f = one(findings(inventory(delegations=rows)), subject="ADMAI")
    assert f["status"] == "action" and f["holders"] == 1
    rows.append(package("tilgangsstyrer", "P-2"))
    assert one(findings(inventory(delegations=rows)), subject="ADMAI")["status"] == "done"


def test_role_mapped_per_service_used() -> None:
    rows = [delegation("UTINN", "P-1")]
    f = one(findings(inventory(delegations=rows, services=("digital-eiendomshandel",))), subject="UTINN")
    assert f["rule_id"] == "roles.per_service" and f["altinn3_target"] == "kv_dsve" and f["status"] == "action"
    rows.append(delegation("kv_dsve", "P-1", platform="altinn3", grant_type="resource"))
    f = one(findings(inventory(delegations=rows, services=("digital-eiendomshandel",))), subject="UTINN")
    assert f["status"] == "done"
    # Without a service that uses it there is no successor: at risk, but housekeeping (never above medium).
    f = one(findings(inventory(delegations=[delegation("UTINN")])), subject="UTINN")
    assert f["rule_id"] == "roles.no_successor" and f["severity"] == "medium"


def test_confidential_letters_need_the_confidential_mail_package() -> None:
    rows = [delegation("A0236"), package("ordinaer-post-til-virksomheten")]
    f = one(findings(inventory(delegations=rows, services=("kontrollinformasjon",))), subject="A0236")
    assert f["status"] == "action" and f["altinn3_target"] == "post-til-virksomheten-med-taushetsbelagt-innhold"
    # Outside the control services ordinary mail is the successor.
    f = one(findings(inventory(delegations=rows)), subject="A0236")
    assert f["status"] == "done" and f["altinn3_target"] == "ordinaer-post-til-virksomheten"


def test_er_role_that_gives_packages_is_done() -> None:
    f = one(findings(inventory(delegations=[delegation("DAGL", source="er")])), subject="DAGL")
    assert f["rule_id"] == "roles.er_auto" and f["status"] == "done" and f["certainty"] == "documented"


def test_accountant_role_converted_automatically() -> None:
    f = one(findings(inventory(delegations=[delegation("A0239")])), subject="A0239")
    assert f["rule_id"] == "roles.converted" and f["status"] == "done"


def test_unknown_role_code() -> None:
    f = one(findings(inventory(delegations=[delegation("XYZ99")])), subject="XYZ99")
    assert f["rule_id"] == "roles.unknown" and f["status"] == "unknown" and f["certainty"] == "unknown"


def test_role_codes_are_case_insensitive() -> None:
    f = findings(inventory(delegations=[delegation("admai", "P-1"), delegation("ADMAI", "P-2")]))
    assert one(f, subject="ADMAI")["holders"] == 2


# -- principle 4: consents -----------------------------------------------------------------------------------


def test_altinn3_count_never_offsets_altinn2_consents() -> None:
    cons = [
        consent("4804:210607", date(2027, 1, 1), 30),
        consent("ske-samtykke-sbl-inntekt", date(2027, 1, 1), 500, platform="altinn3"),
    ]
    f = one(findings(inventory(consents=cons, services=("sbl",))), rule_id="consent.reobtain")
    assert f["status"] == "action" and f["holders"] == 30 and "500" in f["detail"]


def test_consents_ending_by_the_boundary_or_before_as_of_need_nothing() -> None:
    cons = [consent("4804:210607", date(2026, 6, 19), 7), consent("4628:210607", date(2026, 8, 1), 3)]
    f = findings(inventory(consents=cons, services=("sbl",)))
    assert one(f, subject="4804:210607")["status"] == "not_applicable"
    assert one(f, subject="4628:210607")["status"] == "not_applicable"  # lapsed before AFTER


def test_owner_may_have_migrated_consents() -> None:
    f = one(
        findings(inventory(consents=[consent("5252:2", date(2028, 1, 1), 40)], services=("ssu",))), subject="5252:2"
    )
    assert f["rule_id"] == "consent.confirm_migration" and f["certainty"] == "inferred" and f["holders"] == 40
    assert "confirm with the service owner" in f["action"].lower()


def test_single_rights_on_consent_services_are_not_applicable() -> None:
    rows = [delegation("4804:210607", grant_type="service"), delegation("5928:202301", "P-2", grant_type="service")]
    f = findings(inventory(delegations=rows, services=("sbl",)))
    for subject in ("4804:210607", "5928:202301"):
        row = one(f, subject=subject)
        assert row["rule_id"] == "service.single_right_consent" and row["status"] == "not_applicable"
        assert "regnskapsforer" not in (row["action"] + str(row["altinn3_target"]))


def test_test_resources_are_never_a_successor() -> None:
    f = one(findings(inventory(delegations=[delegation("4628:1", grant_type="service")])), subject="4628:1")
    assert "skd-migrert" not in str(f["altinn3_target"]) + f["action"]


def test_unknown_consent_service() -> None:
    f = one(findings(inventory(consents=[consent("9999:1", date(2028, 1, 1), 2)])), subject="9999:1")
    assert f["status"] == "unknown" and f["rule_id"] == "consent.unknown"


# -- principle 5: vendors only where a vendor runs the service ----------------------------------------------


def test_no_vendor_no_vendor_advice() -> None:
    f = findings(inventory(services=("sbl",)))
    assert f.filter(pl.col("rule_id") == "service.vendor_prerequisite").height == 0
    assert not any("vendor" in a.lower() for a in f["action"].to_list())


def test_vendor_prerequisites_fire_for_the_services_the_vendor_runs() -> None:
    vendors = (Vendor(VENDOR, "Leverandør AS", ("sbl",)),)
    f = findings(inventory(services=("sbl", "saldo-studielan"), vendors=vendors))
    vendor = f.filter(pl.col("rule_id") == "service.vendor_prerequisite")
    assert vendor.height > 0 and set(vendor["service_id"]) == {"sbl"}
    client = integration(
        "maskinporten_client",
        "MP",
        platform="altinn3",
        operated_by=VENDOR,
        scopes=["altinn:consentrequests.write", "skatteetaten:summertskattegrunnlag", "skatteetaten:inntekt"],
        services=["sbl"],
    )
    f = findings(inventory(integrations=[client], services=("sbl",), vendors=vendors))
    # Either spelling of the tax-base scope is accepted.
    tax = f.filter(pl.col("subject").str.contains("tax base"))
    assert tax["status"].to_list() == ["done"]


# -- principle 6: credit for what was done -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "counterpart", "rule_id", "service"),
    [
        ("api_key", "maskinporten_client", "integration.api_key", "sbl"),
        ("enterprise_user", "system_user", "integration.enterprise_user", "sbl"),
        ("consent_api", "consent_api", "integration.consent_api", "sbl"),
        ("message_box", "dialogporten", "messaging.message_box", "kontrollinformasjon"),
        ("broker", "broker", "broker.kv_dsve", "digital-eiendomshandel"),
    ],
)
def test_retired_artefact_with_active_counterpart_earns_credit(
    kind: str, counterpart: str, rule_id: str, service: str
) -> None:
    old = integration(kind, "old", status="retired", services=[service])
    new = integration(counterpart, "new", platform="altinn3", services=[service])
    f = findings(inventory(integrations=[old, new], services=(service,)))
    row = one(f, rule_id=rule_id)
    assert row["status"] == "done" and row["blocking"]
    assert (
        readiness(f)["score"][0] > readiness(findings(inventory(integrations=[old], services=(service,))))["score"][0]
    )


def test_retired_artefact_without_counterpart_is_questioned() -> None:
    old = integration("message_box", "old", status="retired", services=["kontrollinformasjon"])
    row = one(
        findings(inventory(integrations=[old], services=("kontrollinformasjon",))), rule_id="messaging.message_box"
    )
    assert row["status"] == "unknown" and "confirm" in row["action"]


# -- principle 7: severity from consequence, capped by certainty --------------------------------------------


def test_severity_policy_and_caps() -> None:
    assert severity_for("action", -1, blocking=True) == "critical"
    assert severity_for("action", -1, blocking=False) == "medium"  # housekeeping: at most medium
    assert severity_for("at_risk", -1, blocking=True, certainty="inferred") == "high"
    assert severity_for("at_risk", -1, blocking=True, certainty="unknown") == "high"
    assert severity_for("action", -1, blocking=True, certainty="observed") == "critical"
    assert severity_for("at_risk", 100, blocking=True) == "high"
    assert severity_for("action", None, blocking=True) == "low"
    assert severity_for("done", -100, blocking=True) == "info"
    assert {r.severity for r in SEVERITY_POLICY} == {"critical", "high", "medium", "low", "info"}


def test_critical_only_when_a_service_in_use_stops() -> None:
    old = integration("message_box", "box", services=["kontrollinformasjon"])
    used = one(
        findings(inventory(integrations=[old], services=("kontrollinformasjon",))), rule_id="messaging.message_box"
    )
    unused = one(findings(inventory(integrations=[old])), rule_id="messaging.message_box")
    assert used["blocking"] and not unused["blocking"]
    assert unused["severity"] in ("medium", "low")


def test_inferred_mapping_is_never_shown_as_documented() -> None:
    f = findings(inventory(delegations=[delegation("2772:140313", grant_type="service")]))
    assert one(f, subject="2772:140313")["certainty"] == "inferred"  # id pattern, in a recorded snapshot


@pytest.mark.parametrize(
    ("as_of", "severity"),
    [(date(2025, 6, 1), "low"), (date(2026, 4, 1), "medium"), (date(2026, 6, 1), "high"), (AFTER, "critical")],
)
def test_severity_follows_the_deadline(as_of: date, severity: str) -> None:
    eu = integration("enterprise_user", "EU", services=["sbl"])
    assert one(findings(inventory(integrations=[eu], services=("sbl",)), as_of=as_of), subject="EU")["severity"] == (
        severity
    )


# -- prerequisites, ids, language, score, table ---------------------------------------------------------------


def test_service_with_no_altinn2_dependency() -> None:
    f = one(findings(inventory(services=("skatt-kontroll",))), service_id="skatt-kontroll")
    assert f["status"] == "not_applicable"


def test_days_left_before_and_after_the_deadline() -> None:
    inv = inventory(delegations=[delegation("A0236")])
    assert one(findings(inv, as_of=date(2026, 6, 9)), subject="A0236")["days_left"] == 10
    assert one(findings(inv, as_of=BEFORE), subject="A0236")["days_left"] > 0
    assert one(findings(inv, as_of=date(2026, 6, 29)), subject="A0236")["days_left"] == -10


def test_finding_ids_are_stable_and_independent_of_row_order_and_language() -> None:
    rows = [delegation("REGNA", f"P-{i}") for i in range(5)] + [delegation("UTINN", "P-1"), delegation("A0236", "P-2")]
    cons = [consent("4804:210607", date(2027, 1, 1), i + 1) for i in range(4)]
    first = findings(inventory(delegations=rows, consents=cons, services=("sbl",)))
    random.Random(3).shuffle(rows)
    random.Random(4).shuffle(cons)
    again = findings(inventory(delegations=rows, consents=cons, services=("sbl",)))
    assert first.equals(again)
    norsk = findings(inventory(delegations=rows, consents=cons, services=("sbl",)), language="nb")
    assert norsk["finding_id"].to_list() == first["finding_id"].to_list()
    assert norsk["action"].to_list() != first["action"].to_list()
    assert first["finding_id"].is_unique().all()


def test_columns_and_types() -> None:
    f = findings(inventory(delegations=[delegation("A0236")], services=("sbl",)))
    assert dict(f.schema) == FINDINGS_SCHEMA
    assert f.columns[: len(DESIGN_COLUMNS) + 1] == [*DESIGN_COLUMNS[:2], "rule_id", *DESIGN_COLUMNS[2:]]
    assert set(f["status"]) <= {"done", "action", "at_risk", "unknown", "not_applicable"}
    assert set(f["certainty"]) <= {"documented", "observed", "inferred", "unknown"}
    with pytest.raises(ValueError, match="language must be"):
        findings(inventory(), language="de")


def test_one_language_per_output() -> None:
    inv = inventory(
        delegations=[delegation("HADM"), delegation("A0236", "P-2"), delegation("4804:210607", grant_type="service")],
        integrations=[integration("api_key", "Nøkkel", operated_by=VENDOR, services=["sbl"])],
        services=("sbl", "saldo-studielan"),
        vendors=(Vendor(VENDOR, "Leverandør AS", ("saldo-studielan",)),),
    )
    nb = " ".join(findings(inv, language="nb")["action"].to_list())
    en = " ".join(findings(inv, language="en")["action"].to_list())
    for english in ("Delegate", "holder", "operated by", "vendor:", "No action", "Right to manage"):
        assert english not in nb, english
    for norsk in ("Deleger", "innehaver", "drives av", "leverandør:", "Ingen tiltak", "Rett til"):
        assert norsk not in en, norsk


def test_readiness_formula() -> None:
    frame = pl.DataFrame(
        {
            "area": ["roles", "roles", "consent", "service"],
            "status": ["done", "action", "done", "not_applicable"],
            "blocking": [True, False, False, True],
        }
    )
    assert readiness(frame).row(0, named=True) == {"applicable": 3, "score": 80}
    by_area = {r["area"]: r["score"] for r in readiness(frame, by=["area"]).iter_rows(named=True)}
    assert by_area == {"roles": 75, "consent": 100}
    assert readiness(frame.filter(pl.col("status") == "not_applicable"))["score"][0] == 100


def test_rules_are_a_table() -> None:
    table = rules_table("en")
    assert table.height == len(RULES) and table["rule_id"].is_unique().all()
    assert set(table["area"]) == {"roles", "consent", "integration", "messaging", "broker", "service"}
    for rule in RULES:
        assert rule.action_nb and rule.action_en and rule.when and rule.reason and rule.source and rule.statuses
