"""Catalogue tables and lookups, on the fixture replay (every endpoint parsed) and on the embedded snapshot."""

from __future__ import annotations

import pandas as pd
import polars as pl
import pytest

from altinn_analysis.catalogue import SCHEMAS, TABLES, Catalogue, parse_service

# -- every endpoint, parsed from the fixture replay ---------------------------------------------------------


def test_every_table_has_its_schema(fixture_catalogue: Catalogue) -> None:
    for name in TABLES:
        frame = fixture_catalogue.table(name)
        assert dict(frame.schema) == {k: (v() if isinstance(v, type) else v) for k, v in SCHEMAS[name].items()}
        assert isinstance(fixture_catalogue.table(name, pandas=True), pd.DataFrame)


def test_export_gives_groups_areas_packages_in_two_languages(fixture_catalogue: Catalogue) -> None:
    cat = fixture_catalogue
    assert cat.area_groups.height == 2 and cat.areas.height == 3 and cat.access_packages.height == 4
    package = cat.package("urn:altinn:accesspackage:skattegrunnlag")
    assert package is not None
    assert (package["code"], package["name_nb"], package["name_en"]) == ("skattegrunnlag", "Skattegrunnlag", "Tax base")
    assert package["area_id"] == "a-skatt"
    assert cat.package("klientadministrator")["is_delegable"] is False  # type: ignore[index]
    empty_area = cat.areas.filter(pl.col("id") == "a-tom").row(0, named=True)
    assert (empty_area["group_id"], empty_area["name_en"]) == ("g-bransje", "Empty area")


def test_roles_with_legacy_codes(fixture_catalogue: Catalogue) -> None:
    cat = fixture_catalogue
    assert cat.role("DAGL")["code"] == "daglig-leder"  # type: ignore[index]
    assert cat.role("dagl") == cat.role("daglig-leder") == cat.role("urn:altinn:rolecode:dagl")
    assert cat.role("UTINN")["legacy_code"] == "UTINN"  # type: ignore[index]
    assert cat.role("A0294")["provider_code"] == "sys-altinn2"  # type: ignore[index]
    assert cat.role("hovedadministrator")["legacy_code"] is None  # type: ignore[index]
    assert cat.role("nope") is None
    assert cat.role("LEDE")["name_en"] == "Chair of the Board"  # type: ignore[index]


def test_role_packages_per_org_form(fixture_catalogue: Catalogue) -> None:
    cat = fixture_catalogue
    assert sorted(cat.packages_for_role("DAGL", "ASA")["code"]) == ["klientadministrator", "skattegrunnlag"]
    assert cat.packages_for_role("daglig-leder", "nuf")["code"].to_list() == ["klientadministrator"]
    assert cat.packages_for_role("UTINN", "ASA").height == 0
    assert cat.packages_for_role("unknown", "ASA").height == 0
    assert cat.variants == ["ASA", "NUF"]
    assert set(cat.role_packages["legacy_code"].drop_nulls()) == {"DAGL", "LEDE"}


def test_resources_references_and_service_map(fixture_catalogue: Catalogue) -> None:
    cat = fixture_catalogue
    inntekt = cat.resource("ske-samtykke-sbl-inntekt")
    assert inntekt is not None
    assert (inntekt["resource_type"], inntekt["owner_org_code"], inntekt["title_nb"]) == (
        "Consent",
        "skd",
        "Income (nb)",
    )
    assert inntekt["available_for_type"] == ["PrivatePerson"]
    assert cat.resource("skd-maskinportenschemaid-8")["owner_org_code"] == "skd"  # type: ignore[index]
    mapping = {
        (r["service_code"], r["service_edition_code"]): (r["identifier"], r["match"])
        for r in cat.altinn2_service_map.iter_rows(named=True)
    }
    assert mapping[("4804", "210607")] == ("ske-samtykke-sbl-inntekt", "reference")
    assert mapping[("5929", "202301")] == ("ske-samtykke-krav-og-betalinger", "reference")
    assert mapping[("4223", "160201")] == ("app_skd_a2-4223-160201", "app_id_pattern")
    assert mapping[("2772", "140313")] == ("skd-migratedcorrespondence-2772-140313", "correspondence_id_pattern")
    # "AppId:8" names a delegation scheme, not an Altinn 2 service: it stays in the references only.
    assert not any(code.startswith("AppId") for code, _ in mapping)
    refs = cat.resource_references.filter(pl.col("identifier") == "skd-maskinportenschemaid-8")
    assert "AppId:8" in refs["reference"].to_list()


def test_subjects_only_for_dsop_agencies_and_404_is_empty(fixture_catalogue: Catalogue) -> None:
    cat = fixture_catalogue
    kv = cat.subjects("kv_dsve")
    assert sorted(kv["subject_urn"]) == [
        "urn:altinn:accesspackage:regnskapsforer-med-signeringsrettighet",
        "urn:altinn:rolecode:utinn",
    ]
    assert set(kv["subject_type"]) == {"urn:altinn:rolecode", "urn:altinn:accesspackage"}
    assert cat.subjects("skd-migrert-4628-1").height == 0  # recorded 404: nothing indexed
    assert cat.subjects("ttd-test-resource").height == 0  # not a DSOP agency: not fetched
    assert cat.manifest.notes[-1] == "no policy subjects indexed for: skd-migrert-4628-1"
    assert any("not fetched from production" in note for note in cat.manifest.notes)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("4804:210607", ("4804", "210607")),
        ("4804_210607", ("4804", "210607")),
        ("4804", ("4804", None)),
        (" 4752 : 1 ", ("4752", "1")),
    ],
)
def test_parse_service(text: str, expected: tuple[str, str | None]) -> None:
    assert parse_service(text) == expected


def test_resources_for_a_code_without_edition(fixture_catalogue: Catalogue) -> None:
    assert fixture_catalogue.resources_for_service("4752")["identifier"].to_list() == ["kv_dsve"]
    assert fixture_catalogue.resources_for_service("4752", 2).height == 0
    assert fixture_catalogue.resources_for_service("9999:1").height == 0


def test_unknown_table_is_a_clear_error(fixture_catalogue: Catalogue) -> None:
    with pytest.raises(KeyError, match="no catalogue table 'nope'"):
        fixture_catalogue.table("nope")


# -- the embedded snapshot (data/reference/) ----------------------------------------------------------------


def test_embedded_counts(embedded: Catalogue) -> None:
    s = embedded.summary()
    assert (s["access_packages"], s["areas"], s["area_groups"], s["roles"]) == (223, 49, 5, 148)
    assert s["source"] == "replay" and s["environment"] == "prod"
    assert s["base_url"] == "https://platform.altinn.no"
    assert s["org_forms"] == ["AS", "ASA", "FLI", "GFS", "NUF", "PK", "SA", "SPA"]
    assert embedded.manifest.tables["role_packages"].rows == s["role_packages"] > 1000


@pytest.mark.parametrize(
    ("service", "identifier", "match"),
    [
        ("4804:210607", "ske-samtykke-sbl-inntekt", "reference"),
        ("4628:210607", "ske-samtykke-sbl-summert-skattegrunnlag", "reference"),
        ("4752:1", "kv_dsve", "reference"),
        ("4223:160201", "app_skd_a2-4223-160201", "app_id_pattern"),
        ("3770:1", "brg-migratedcorrespondence-3770-1", "correspondence_id_pattern"),
    ],
)
def test_embedded_service_map(embedded: Catalogue, service: str, identifier: str, match: str) -> None:
    rows = embedded.resources_for_service(service)
    assert rows.select("identifier", "match").rows() == [(identifier, match)]


def test_embedded_lookups(embedded: Catalogue) -> None:
    assert embedded.role("A0294")["name_nb"] == "Transportløyvegaranti"  # type: ignore[index]
    assert embedded.packages_for_role("A0294", "AS").height == 0  # an Altinn 2 role gives no packages
    dagl = embedded.packages_for_role("DAGL", "ASA")
    assert "urn:altinn:accesspackage:klientadministrator" in dagl["urn"].to_list()
    assert embedded.package("skattegrunnlag")["urn"] == "urn:altinn:accesspackage:skattegrunnlag"  # type: ignore[index]
    assert "urn:altinn:accesspackage:eiendomsmegler" in embedded.subjects("kv_dsve")["subject_urn"].to_list()


def test_test_resources_are_flagged_and_never_mapped() -> None:
    cat = Catalogue.load()
    flagged = cat.resources.filter(pl.col("is_test"))
    assert flagged.height >= 35 and flagged["test_reason"].null_count() == 0
    assert "skd-migrert-4628-1" in flagged["identifier"].to_list()
    assert cat.resources_for_service("4628:1").height == 0  # the test consent resource is not a successor
    assert cat.resources_for_service("4804:210607")["identifier"].to_list() == ["ske-samtykke-sbl-inntekt"]
    assert set(cat.altinn2_service_map["certainty"]) == {"inferred"}  # a recording: mappings are inferred


def test_role_packages_carry_the_package_flags() -> None:
    rp = Catalogue.load().role_packages
    assert rp["can_delegate"].null_count() == 0 and rp["has_access"].null_count() == 0
    assert rp["package_is_delegable"].null_count() == 0
