"""Each impact rule on its own, with hand-built inventories — including the edges."""

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

from altinn_analysis.impact import FINDINGS_SCHEMA, RULES, SEVERITY_POLICY, readiness, rules_table, severity_for
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


# -- roles → access packages ---------------------------------------------------------------------------------


def test_role_with_candidate_packages_per_holder() -> None:
    inv = inventory(
        delegations=[delegation("REGNA", "P-1"), delegation("REGNA", "P-2"), package("skattegrunnlag", "P-1")]
    )
    f = one(findings(inv), rule_id="roles.successor", subject="REGNA")
    assert (f["status"], f["holders"], f["area"]) == ("action", 1, "roles")
    assert "1 of 2 holder(s)" in f["detail"]
    assert f["certainty"] == "inferred"  # the role → package table is a derivation, and says so


def test_holder_who_already_has_the_package_is_done() -> None:
    inv = inventory(delegations=[delegation("A0236", "P-1"), package("ordinaer-post-til-virksomheten", "P-1")])
    f = one(findings(inv), subject="A0236")
    assert (f["status"], f["holders"], f["severity"]) == ("done", 0, "info")


def test_package_held_by_another_holder_does_not_count() -> None:
    inv = inventory(delegations=[delegation("A0236", "P-1"), package("ordinaer-post-til-virksomheten", "P-9")])
    assert one(findings(inv), subject="A0236")["status"] == "action"


def test_package_codes_without_urn_prefix_count() -> None:
    grant = delegation("ordinaer-post-til-virksomheten", "P-1", platform="altinn3", grant_type="access_package")
    inv = inventory(delegations=[delegation("A0236", "P-1"), grant])
    assert one(findings(inv), subject="A0236")["status"] == "done"


@pytest.mark.parametrize("code", ["A0294", "UTINN"])
def test_role_without_successor_is_at_risk(code: str) -> None:
    f = one(findings(inventory(delegations=[delegation(code, "P-1"), delegation(code, "P-2")])), subject=code)
    assert (f["rule_id"], f["status"], f["holders"], f["altinn3_target"]) == ("roles.no_successor", "at_risk", 2, None)
    assert f["severity"] == "critical"  # at risk after the deadline


def test_unknown_role_code() -> None:
    f = one(findings(inventory(delegations=[delegation("ØKADM")])), subject="ØKADM")
    assert (f["rule_id"], f["status"], f["certainty"]) == ("roles.unknown", "unknown", "unknown")


def test_role_codes_are_case_insensitive() -> None:
    f = one(findings(inventory(delegations=[delegation("utinn")])), subject="UTINN")
    assert f["rule_id"] == "roles.no_successor"


def test_er_role_that_gives_packages_is_done() -> None:
    f = one(findings(inventory(delegations=[delegation("DAGL", source="er")])), subject="DAGL")
    assert (f["rule_id"], f["status"], f["certainty"]) == ("roles.er_auto", "done", "documented")


def test_er_role_that_gave_altinn2_roles_but_gives_no_packages_is_flagged() -> None:
    f = one(findings(inventory(delegations=[delegation("MEDL", "P-1", source="er")])), subject="MEDL")
    assert (f["rule_id"], f["status"], f["holders"]) == ("roles.er_loses_access", "action", 1)
    assert f["detail"].startswith("In Altinn 2 it gave")


def test_altinn2_role_held_through_er_is_covered_when_the_er_role_gives_a_candidate() -> None:
    # A0236 (post/arkiv) came with DAGL; DAGL gives ordinaer-post-til-virksomheten automatically in Altinn 3.
    f = one(findings(inventory(delegations=[delegation("A0236", source="er")])), subject="A0236")
    assert (f["rule_id"], f["status"]) == ("roles.er_auto", "done")


def test_altinn2_role_held_through_er_without_successor() -> None:
    f = one(findings(inventory(delegations=[delegation("UTINN", source="er")])), subject="UTINN")
    assert (f["rule_id"], f["status"]) == ("roles.er_loses_access", "at_risk")


# -- single-service rights → resource ------------------------------------------------------------------------


def test_single_right_maps_to_resource_and_checks_each_holder() -> None:
    rows = [
        delegation("4804:210607", "P-1", grant_type="service"),
        delegation("4804:210607", "P-2", grant_type="service"),
        delegation("4804:210607", "P-3", grant_type="service"),
        delegation("ske-samtykke-sbl-inntekt", "P-1", platform="altinn3", grant_type="resource"),
        package("regnskapsforer-lonn", "P-2"),  # a package the resource's policy accepts
    ]
    f = one(findings(inventory(delegations=rows)), rule_id="service.single_right")
    assert (f["subject"], f["status"], f["holders"]) == ("4804:210607", "action", 1)
    assert f["altinn3_target"].startswith("ske-samtykke-sbl-inntekt")
    assert f["certainty"] == "documented"  # mapped by the registry's own reference and DSOP docs


def test_single_right_by_id_pattern_is_inferred() -> None:
    f = one(findings(inventory(delegations=[delegation("3770:1", grant_type="service")])), subject="3770:1")
    assert f["altinn3_target"].startswith("brg-migratedcorrespondence-3770-1")
    assert f["certainty"] == "inferred"


def test_single_right_with_no_resource() -> None:
    f = one(findings(inventory(delegations=[delegation("9999:1", grant_type="service")])), subject="9999:1")
    assert (f["rule_id"], f["status"]) == ("service.single_right_unknown", "unknown")


def test_single_right_whose_successor_dsop_says_is_missing_is_at_risk() -> None:
    f = one(findings(inventory(delegations=[delegation("5252:2", grant_type="service")])), subject="5252:2")
    assert (f["rule_id"], f["status"]) == ("service.single_right_unknown", "at_risk")


# -- consents ------------------------------------------------------------------------------------------------


def test_consents_valid_past_the_boundary_are_counted_per_service() -> None:
    rows = [
        consent("4804:210607", date(2026, 9, 1), 30),
        consent("4804:210607", date(2026, 12, 1), 12),
        consent("4804:210607", date(2026, 5, 1), 100),  # ends before the boundary: nothing to do
        consent("4804:210607", date(2026, 9, 1), 7, status="revoked"),
        consent("ske-samtykke-sbl-inntekt", date(2026, 10, 1), 5, platform="altinn3"),
    ]
    f = one(findings(inventory(consents=rows), as_of=BEFORE), rule_id="consent.reobtain")
    assert (f["subject"], f["status"], f["holders"]) == ("4804:210607", "action", 37)
    assert f["altinn3_target"] == "ske-samtykke-sbl-inntekt"
    assert "42 Altinn 2 consents valid after 2026-06-19; 5 active in Altinn 3" in f["detail"]
    assert f["deadline"] == date(2026, 6, 19)


def test_consent_ending_exactly_on_the_boundary_needs_nothing() -> None:
    f = one(
        findings(inventory(consents=[consent("4804:210607", date(2026, 6, 19), 9)]), as_of=BEFORE),
        subject="4804:210607",
    )
    assert (f["rule_id"], f["status"], f["severity"]) == ("consent.ended", "not_applicable", "info")
    f = one(
        findings(inventory(consents=[consent("4804:210607", date(2026, 6, 20), 9)]), as_of=BEFORE),
        subject="4804:210607",
    )
    assert (f["rule_id"], f["holders"]) == ("consent.reobtain", 9)


def test_consents_that_lapsed_before_as_of_need_nothing_now() -> None:
    f = one(
        findings(inventory(consents=[consent("4804:210607", date(2026, 8, 1), 4)]), as_of=AFTER), subject="4804:210607"
    )
    assert f["status"] == "not_applicable"
    assert "4 ended between 2026-06-19 and 2026-11-28" in f["detail"]


def test_enough_altinn3_consents_make_it_done() -> None:
    rows = [
        consent("4628:210607", date(2027, 1, 1), 10),
        consent("ske-samtykke-sbl-summert-skattegrunnlag", date(2027, 1, 1), 10, platform="altinn3"),
    ]
    f = one(findings(inventory(consents=rows)), rule_id="consent.reobtain")
    assert (f["status"], f["holders"]) == ("done", 0)


def test_consent_service_without_altinn3_resource_is_at_risk() -> None:
    f = one(findings(inventory(consents=[consent("5252:2", date(2028, 1, 1), 250)])), subject="5252:2")
    assert (f["rule_id"], f["status"], f["holders"], f["certainty"]) == (
        "consent.no_successor",
        "at_risk",
        250,
        "unknown",
    )


def test_unknown_consent_service() -> None:
    f = one(findings(inventory(consents=[consent("7777:1", date(2028, 1, 1))])), subject="7777:1")
    assert (f["rule_id"], f["status"]) == ("consent.unknown", "unknown")


# -- integrations --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "counterpart", "rule_id", "deadline"),
    [
        ("api_key", "maskinporten_client", "integration.api_key", date(2026, 6, 19)),
        ("enterprise_user", "system_user", "integration.enterprise_user", date(2026, 6, 19)),
        ("consent_api", "consent_api", "integration.consent_api", date(2026, 6, 19)),
        ("message_box", "dialogporten", "messaging.message_box", date(2026, 5, 31)),
        ("broker", "broker", "broker.kv_dsve", date(2026, 5, 31)),
    ],
)
def test_integration_is_done_only_with_an_active_counterpart(
    kind: str, counterpart: str, rule_id: str, deadline: date
) -> None:
    alone = one(findings(inventory(integrations=[integration(kind, "old")])), rule_id=rule_id)
    assert (alone["status"], alone["deadline"], alone["severity"]) == ("action", deadline, "critical")
    planned = [integration(kind, "old"), integration(counterpart, "new", platform="altinn3", status="planned")]
    assert one(findings(inventory(integrations=planned)), rule_id=rule_id)["detail"] == "planned: new"
    active = [integration(kind, "old"), integration(counterpart, "new", platform="altinn3")]
    done = one(findings(inventory(integrations=active)), rule_id=rule_id)
    assert (done["status"], done["detail"]) == ("done", "replaced by new")


def test_retired_altinn2_integration_is_not_applicable() -> None:
    f = one(findings(inventory(integrations=[integration("api_key", status="retired")])), rule_id="integration.api_key")
    assert (f["status"], f["deadline"]) == ("not_applicable", None)


# -- DSOP service prerequisites ------------------------------------------------------------------------------


def test_vendor_run_service_needs_the_vendors_system_user() -> None:
    vendors = (Vendor(VENDOR, "Leverandør AS", ("sbl",)),)
    inv = inventory(services=("sbl",), vendors=vendors)
    f = one(
        findings(inv), rule_id="service.prerequisite", subject="sbl: " + _dep_name("sbl/maskinporten-vendor-delegation")
    )
    assert f["status"] == "action"
    inv = inventory(
        services=("sbl",),
        vendors=vendors,
        integrations=[integration("system_user", platform="altinn3", operated_by=VENDOR)],
    )
    f = one(
        findings(inv), rule_id="service.prerequisite", subject="sbl: " + _dep_name("sbl/maskinporten-vendor-delegation")
    )
    assert f["status"] == "done"


def test_vendor_delegation_without_a_vendor_does_not_apply() -> None:
    f = one(
        findings(inventory(services=("sbl",))),
        rule_id="service.prerequisite",
        subject="sbl: " + _dep_name("sbl/maskinporten-vendor-delegation"),
    )
    assert f["status"] == "not_applicable"


def test_service_with_no_altinn2_dependency() -> None:
    f = one(findings(inventory(services=("konkursbehandling",))), service_id="konkursbehandling")
    assert (f["status"], f["subject"]) == ("not_applicable", "konkursbehandling: no Altinn 2 dependency")


def test_prerequisites_only_for_the_profiles_services() -> None:
    assert findings(inventory(services=())).height == 0
    f = findings(inventory(services=("ssu",)))
    assert set(f["service_id"]) == {"ssu"}


def _dep_name(dependency_id: str) -> str:
    from impact_support import catalogues

    deps = catalogues()[1].dependencies
    row = deps.filter(pl.col("dependency_id") == dependency_id).row(0, named=True)
    return str(row["altinn2_name"] or row["altinn2_code"])


# -- as_of, severity, determinism, language ------------------------------------------------------------------


def test_days_left_before_and_after_the_deadline() -> None:
    inv = inventory(delegations=[delegation("A0236")])
    assert one(findings(inv, as_of=date(2026, 6, 9)), subject="A0236")["days_left"] == 10
    assert one(findings(inv, as_of=date(2026, 6, 19)), subject="A0236")["days_left"] == 0
    assert one(findings(inv, as_of=date(2026, 6, 29)), subject="A0236")["days_left"] == -10


@pytest.mark.parametrize(
    ("as_of", "severity"),
    [
        (date(2025, 6, 1), "low"),
        (date(2026, 4, 1), "medium"),
        (date(2026, 6, 1), "high"),
        (date(2026, 6, 20), "critical"),
    ],
)
def test_severity_follows_the_deadline(as_of: date, severity: str) -> None:
    inv = inventory(delegations=[delegation("A0236")])
    assert one(findings(inv, as_of=as_of), subject="A0236")["severity"] == severity


def test_severity_policy_table() -> None:
    assert severity_for("action", -1, blocking=True) == "critical"
    assert severity_for("action", -1, blocking=False) == "high"
    assert severity_for("at_risk", 100, blocking=True) == "high"
    assert severity_for("unknown", 100, blocking=False) == "medium"
    assert severity_for("action", None, blocking=True) == "low"
    assert severity_for("done", -100, blocking=True) == "info"
    assert {r.severity for r in SEVERITY_POLICY} == {"critical", "high", "medium", "low", "info"}


def test_finding_ids_are_stable_and_independent_of_row_order_and_language() -> None:
    rows = [delegation("REGNA", f"P-{i}") for i in range(5)] + [delegation("UTINN", "P-1"), delegation("A0236", "P-2")]
    cons = [consent("4804:210607", date(2027, 1, 1), i + 1) for i in range(4)]
    first = findings(inventory(delegations=rows, consents=cons))
    random.Random(3).shuffle(rows)
    random.Random(4).shuffle(cons)
    again = findings(inventory(delegations=rows, consents=cons))
    assert first.equals(again)
    norsk = findings(inventory(delegations=rows, consents=cons), language="nb")
    assert norsk["finding_id"].to_list() == first["finding_id"].to_list()
    assert norsk["action"].to_list() != first["action"].to_list()
    assert first["finding_id"].is_unique().all()


def test_columns_and_types() -> None:
    f = findings(inventory(delegations=[delegation("A0236")], services=("sbl",)))
    assert dict(f.schema) == FINDINGS_SCHEMA
    assert f.columns[: len(DESIGN_COLUMNS) + 1] == [*DESIGN_COLUMNS[:2], "rule_id", *DESIGN_COLUMNS[2:]]
    assert set(f["status"]) <= {"done", "action", "at_risk", "unknown", "not_applicable"}
    with pytest.raises(ValueError, match="language must be"):
        findings(inventory(), language="de")


def test_action_text_in_both_languages() -> None:
    inv = inventory(delegations=[delegation("A0236", "P-1"), delegation("A0236", "P-2")])
    assert "Deleger tilgangspakke" in one(findings(inv, language="nb"), subject="A0236")["action"]
    assert "Delegate an access package" in one(findings(inv, language="en"), subject="A0236")["action"]


# -- readiness score -----------------------------------------------------------------------------------------


def test_readiness_formula() -> None:
    frame = pl.DataFrame(
        {
            "area": ["roles", "roles", "consent", "service"],
            "status": ["done", "action", "done", "not_applicable"],
            "blocking": [True, False, False, True],
        }
    )
    # done: roles (blocking, 3) + consent (1); applicable: 3 + 1 (roles, not blocking) + 1 = 5 → 80
    assert readiness(frame).row(0, named=True) == {"applicable": 3, "score": 80}
    by_area = {r["area"]: r["score"] for r in readiness(frame, by=["area"]).iter_rows(named=True)}
    assert by_area == {"roles": 75, "consent": 100}
    empty = frame.filter(pl.col("status") == "not_applicable")
    assert readiness(empty)["score"][0] == 100


def test_rules_are_a_table() -> None:
    table = rules_table("en")
    assert table.height == len(RULES) and table["rule_id"].is_unique().all()
    assert set(table["area"]) == {"roles", "consent", "integration", "messaging", "broker", "service"}
    for rule in RULES:
        assert rule.action_nb and rule.action_en and rule.matches and rule.target
