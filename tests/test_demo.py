"""The synthetic sector generator (`altinn_analysis.synthetic`), its command, and the demo institutions in data/."""

from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
import sys
from datetime import date
from pathlib import Path

import polars as pl
import pytest
import yaml
from demo_set import DEMO_DIR, DEMO_ORGS
from typer.testing import CliRunner

from altinn_analysis.catalogue import FINANCE_ORG_FORMS, Catalogue, load_dsop
from altinn_analysis.checks import is_valid_org_number, org_number_check_digit
from altinn_analysis.cli import app
from altinn_analysis.inventory import INSTITUTION_TYPES, INTEGRATION_KINDS, TABLE_SPECS
from altinn_analysis.synthetic import (
    ALTINN2_CLOSED,
    AS_OF,
    CONSENT_SCHEMA,
    DELEGATION_SCHEMA,
    INTEGRATION_SCHEMA,
    DemoInstitution,
    generate_sector,
    org_numbers,
    write_sector,
)

# The DSOP catalogue's service ids (data/dsop/services.csv): the only list of them.
DSOP_SERVICE_IDS = tuple(load_dsop().service_ids)
SMALL = {"institutions": 8, "seed": 11, "consents_per_institution": 3_000, "delegations_per_institution": 250}
# Eleven digits in a row could be a national identity number: none may appear anywhere.
ELEVEN_DIGITS = re.compile(r"(?<!\d)\d{11}(?!\d)")
# The codes the demo data carries on purpose although no catalogue knows them (they become `unknown` findings),
# and the consent services whose Altinn 3 resource is unknown.
PLANTED_UNKNOWN = ("ØKADM", "ECKEYROLE", "5701:1", "5252:2", "5498:1")


@pytest.fixture(scope="module")
def sector() -> list[DemoInstitution]:
    return list(generate_sector(**SMALL))


@pytest.fixture(scope="module")
def catalogue() -> Catalogue:
    return Catalogue.load()


def tree_hashes(root: Path) -> dict[str, str]:
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


# -- org numbers ------------------------------------------------------------------------------------------


def test_org_number_check_digit() -> None:
    # Skatteetaten, 974761076: 3*9+2*7+7*4+6*7+5*6+4*1+3*0+2*7 = 159; 159 % 11 = 5; 11 - 5 = 6
    assert org_number_check_digit("97476107") == 6
    assert is_valid_org_number("974761076")
    assert not is_valid_org_number("974761077")
    assert not is_valid_org_number("97476107")
    assert not is_valid_org_number("97476107a")
    assert org_number_check_digit("39318602") is None  # remainder 10: no valid number with these 8 digits
    with pytest.raises(ValueError):
        org_number_check_digit("1234")


def test_org_numbers_are_valid_and_skip_bases_without_check_digit() -> None:
    numbers = org_numbers(39_318_600, 5)
    assert len(numbers) == len(set(numbers)) == 5
    assert all(is_valid_org_number(n) for n in numbers)
    assert not any(n.startswith("39318602") for n in numbers)


# -- determinism ------------------------------------------------------------------------------------------


def test_same_seed_gives_identical_bytes(tmp_path: Path) -> None:
    write_sector(tmp_path / "a", generate_sector(**SMALL))
    write_sector(tmp_path / "b", generate_sector(**SMALL))
    a, b = tree_hashes(tmp_path / "a"), tree_hashes(tmp_path / "b")
    assert len(a) == SMALL["institutions"] * 4
    assert a == b


def test_different_seed_gives_different_data(tmp_path: Path) -> None:
    write_sector(tmp_path / "a", generate_sector(**SMALL))
    write_sector(tmp_path / "b", generate_sector(**{**SMALL, "seed": SMALL["seed"] + 1}))
    a, b = tree_hashes(tmp_path / "a"), tree_hashes(tmp_path / "b")
    assert a.keys() == b.keys()  # org numbers are a sequence; the content differs
    assert sum(a[k] != b[k] for k in a) >= len(a) // 2


def test_rewriting_replaces_the_institution_folders(tmp_path: Path) -> None:
    write_sector(tmp_path, generate_sector(**{**SMALL, "seed": 1}))
    write_sector(tmp_path, generate_sector(**SMALL))
    assert all(p.is_dir() and is_valid_org_number(p.name) for p in tmp_path.iterdir())  # no temp folders left
    fresh = tmp_path.parent / "fresh"
    write_sector(fresh, generate_sector(**SMALL))
    assert tree_hashes(tmp_path) == tree_hashes(fresh)


def test_generation_in_memory_is_repeatable(sector: list[DemoInstitution]) -> None:
    again = list(generate_sector(**SMALL))
    for x, y in zip(sector, again, strict=True):
        assert x.profile == y.profile
        for name, frame in x.tables().items():
            assert frame.equals(y.tables()[name])


# A small seeded sector pinned by content (profiles as JSON, tables as CSV: independent of the Parquet writer's
# version). A change here changes every generated sector and benchmark input: make it on purpose, never by accident.
PINNED = {"institutions": 5, "seed": 21, "consents_per_institution": 600, "delegations_per_institution": 80}
PINNED_DIGEST = "64b544d56c1a6378d14a5c1f008e0f1f93c97821833ec42fe9ac567742eb74cd"
PINNED_ROWS = [  # org number, type, delegation rows, consent rows, integration rows, consents counted
    ("350000003", "branch", 38, 287, 15, 646),
    ("350000011", "bank", 128, 963, 19, 2184),
    ("350000038", "finance_company", 33, 248, 6, 511),
    ("350000046", "savings_bank", 74, 553, 18, 1192),
    ("350000054", "finance_company", 127, 949, 9, 2170),
]


def test_seeded_generation_is_pinned() -> None:
    sector = list(generate_sector(**PINNED))
    rows = [
        (
            i.org_number,
            i.profile["institution_type"],
            i.delegations.height,
            i.consents.height,
            i.integrations.height,
            int(i.consents["count"].sum()),
        )
        for i in sector
    ]
    assert rows == PINNED_ROWS
    digest = hashlib.sha256()
    for inst in sector:
        digest.update(json.dumps(inst.profile, sort_keys=True, ensure_ascii=False).encode())
        for name, frame in inst.tables().items():
            digest.update(name.encode())
            digest.update(frame.write_csv().encode())
    assert digest.hexdigest() == PINNED_DIGEST


def test_closing_day_and_services_come_from_the_dsop_catalogue() -> None:
    dsop = load_dsop()
    assert dsop.milestone_date("altinn2-closed") == ALTINN2_CLOSED
    services = {s for inst in generate_sector(40, 2, 10, 10) for s in inst.profile["dsop_services"]}
    assert services <= set(dsop.service_ids) and len(services) > 10


# -- sizes and shape --------------------------------------------------------------------------------------


def test_totals_are_exact(sector: list[DemoInstitution]) -> None:
    n = SMALL["institutions"]
    assert len(sector) == n
    assert sum(i.consents.height for i in sector) == n * SMALL["consents_per_institution"]
    assert sum(i.delegations.height for i in sector) == n * SMALL["delegations_per_institution"]
    assert all(i.integrations.height > 0 for i in sector)


def test_write_sector_summary_and_progress(tmp_path: Path) -> None:
    calls: list[tuple[str, int, int]] = []
    summary = write_sector(tmp_path, generate_sector(**SMALL, progress=lambda *a: calls.append(a)))
    n = SMALL["institutions"]
    assert calls[0] == ("institutions", 0, n) and calls[-1] == ("institutions", n, n)
    assert [c[1] for c in calls] == list(range(n + 1))
    assert summary.institutions == n == len(summary.org_numbers) == sum(summary.by_type.values())
    assert summary.rows["consents"] == n * SMALL["consents_per_institution"]
    assert summary.consents_counted > summary.rows["consents"]
    for org in summary.org_numbers:
        folder = tmp_path / org
        assert sorted(p.name for p in folder.iterdir()) == [
            "consents.parquet",
            "delegations.parquet",
            "integrations.parquet",
            "profile.yaml",
        ]
        assert pl.read_parquet(folder / "consents.parquet").schema == CONSENT_SCHEMA
        assert yaml.safe_load((folder / "profile.yaml").read_text(encoding="utf-8"))["org_number"] == org


def test_schemas_and_enumerations(sector: list[DemoInstitution]) -> None:
    for inst in sector:
        d, c, i = inst.delegations, inst.consents, inst.integrations
        assert d.schema == DELEGATION_SCHEMA and c.schema == CONSENT_SCHEMA and i.schema == INTEGRATION_SCHEMA
        checked = 0
        for table, frame in (("delegations", d), ("consents", c), ("integrations", i)):
            for column in TABLE_SPECS[table].columns:  # every enumeration the inventory schema declares
                if column.allowed is None or column.name not in frame.columns:
                    continue
                values = frame[column.name] if column.required else frame[column.name].drop_nulls()
                assert set(values.unique()) <= set(column.allowed), (inst.org_number, table, column.name)
                checked += 1
        assert checked >= 9
        for frame, required in [
            (d, ["platform", "holder_type", "holder_id", "grant_type", "grant", "source"]),
            (c, list(CONSENT_SCHEMA)),
            (i, ["platform", "kind", "name", "operated_by", "status"]),
        ]:
            assert frame.select(pl.col(required).null_count()).sum_horizontal().item() == 0


def test_profiles(sector: list[DemoInstitution]) -> None:
    orgs = [i.org_number for i in sector]
    assert len(set(orgs)) == len(orgs)
    for inst in sector:
        p = inst.profile
        assert list(p) == ["org_number", "name", "org_form", "institution_type", "dsop_services", "vendors", "demo"]
        assert p["demo"] is True, "generated institutions are fictional: never ranked with real ones"
        assert is_valid_org_number(p["org_number"])
        assert p["org_form"] in FINANCE_ORG_FORMS and p["institution_type"] in INSTITUTION_TYPES
        assert p["dsop_services"] and set(p["dsop_services"]) <= set(DSOP_SERVICE_IDS)
        assert (p["org_form"] == "NUF") == (p["institution_type"] == "branch")
        for vendor in p["vendors"]:
            assert is_valid_org_number(vendor["org_number"])
            assert vendor["runs"] and set(vendor["runs"]) <= set(p["dsop_services"])
        operators = set(inst.integrations["operated_by"])
        assert operators <= {"self"} | {v["org_number"] for v in p["vendors"]}


def test_rows_make_sense(sector: list[DemoInstitution]) -> None:
    closed = ALTINN2_CLOSED
    for inst in sector:
        d, c = inst.delegations, inst.consents
        assert d.select("platform", "holder_type", "holder_id", "grant").is_duplicated().sum() == 0
        assert c.is_duplicated().sum() == 0  # aggregates: the same row twice would count twice
        if c.height:
            assert (c["valid_to"] >= c["valid_from"]).all() and (c["count"] >= 1).all()
            a2 = c.filter(pl.col("platform") == "altinn2")
            assert a2.height == 0 or a2["valid_from"].max() < closed  # Altinn 2 took no consent after it closed
            assert c["valid_from"].max() <= AS_OF
            assert c.filter(pl.col("platform") == "altinn3")["service"].str.contains(":").sum() == 0
            assert a2["service"].str.contains(r"^\d+:\d+$").all()
            # Expired means the consent ran out before the as-of date; active means it did not.
            assert (c.filter(pl.col("status") == "expired")["valid_to"] < AS_OF).all()
            assert (c.filter(pl.col("status") == "active")["valid_to"] >= AS_OF).all()
        assert d.filter(pl.col("source") == "er")["platform"].unique().to_list() == ["altinn2"]
        assert d.filter(pl.col("holder_type") == "system_user")["platform"].unique().to_list() in ([], ["altinn3"])
        assert d.filter(pl.col("holder_type") == "enterprise_user")["platform"].unique().to_list() == ["altinn2"]
        types = dict(zip(["access_package", "service"], [r"^urn:altinn:accesspackage:", r"^\d+:\d+$"], strict=True))
        for grant_type, pattern in types.items():
            assert d.filter(pl.col("grant_type") == grant_type)["grant"].str.contains(pattern).all()
        ids = d["holder_id"]
        assert ids.str.contains(r"^(P-\d{5,}|EU-\d{2,}|SU-[a-z]+-\d{2}|\d{9})$").all()


def test_generated_codes_are_in_the_catalogue(sector: list[DemoInstitution], catalogue: Catalogue) -> None:
    """Apart from the planted unknown codes, every package, resource and role exists in the embedded snapshot."""
    for inst in sector:
        for grant_type, grant in inst.delegations.select("grant_type", "grant").unique().iter_rows():
            if grant in PLANTED_UNKNOWN:
                continue
            if grant_type == "access_package":
                assert catalogue.package(grant) is not None, grant
            elif grant_type == "resource":
                assert catalogue.resource(grant) is not None, grant
            elif grant_type == "role":
                assert catalogue.role(grant) is not None, grant
        for service in inst.consents.filter(pl.col("platform") == "altinn3")["service"].unique():
            assert catalogue.resource(service) is not None, service


def test_mixes_follow_the_institution(sector: list[DemoInstitution]) -> None:
    big = list(generate_sector(60, 3, 200, 200))
    kinds = {i.profile["institution_type"] for i in big}
    assert {"savings_bank", "bank", "finance_company"} <= kinds
    for inst in big:
        services = set(inst.profile["dsop_services"])
        grants = set(inst.delegations["grant"])
        if "transportloyvegaranti" not in services:
            assert "A0294" not in grants
        if "sbl" not in services:
            assert not {"4804:210607", "ske-samtykke-sbl-inntekt"} & set(inst.consents["service"])
        if not services & {"sbl", "ssu", "saldo-studielan", "fi-krav-og-betalinger"}:
            assert inst.consents.height == 0
        if inst.profile["institution_type"] == "pension":
            assert "ajourhold-otp" in services


def test_no_eleven_digit_numbers_anywhere(tmp_path: Path) -> None:
    write_sector(tmp_path, generate_sector(**SMALL))
    for path in tmp_path.rglob("*"):
        if path.suffix == ".parquet":
            frame = pl.read_parquet(path)
            for column in frame.columns:
                text = frame[column].cast(pl.String)
                assert not text.str.contains(r"(?:^|\D)\d{11}(?:\D|$)").any(), (path, column)
        elif path.is_file():
            assert not ELEVEN_DIGITS.search(path.read_text(encoding="utf-8")), path


def test_tiny_and_empty_sizes() -> None:
    tiny = list(generate_sector(4, 2, 0, 3))
    assert all(i.consents.height == 0 and i.consents.schema == CONSENT_SCHEMA for i in tiny)
    assert sum(i.delegations.height for i in tiny) <= 12
    assert list(generate_sector(0, 1)) == []
    with pytest.raises(ValueError):
        list(generate_sector(-1, 1))


def test_as_of_moves_the_world() -> None:
    early = next(generate_sector(1, 4, 2_000, 100, as_of=date(2026, 3, 15)))
    assert early.consents["valid_from"].max() <= date(2026, 3, 15)


# -- the command ------------------------------------------------------------------------------------------


def test_cli_demo_generate(tmp_path: Path) -> None:
    out = tmp_path / "sector"
    args = ["demo", "generate", "--institutions", "3", "--seed", "9", "--out", str(out)]
    args += ["--consents-per-institution", "400", "--delegations-per-institution", "60"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "3 institutions written" in result.output
    assert "consents 1,200" in result.output
    assert len([p for p in out.iterdir() if p.is_dir()]) == 3
    again = CliRunner().invoke(app, [*args[:-4], "--out", str(tmp_path / "again"), *args[-4:]])
    assert again.exit_code == 0, again.output
    assert tree_hashes(out) == tree_hashes(tmp_path / "again")


def test_cli_demo_help_and_bad_input(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["demo", "generate", "--help"])
    assert result.exit_code == 0
    assert "--consents-per-institution" in result.output
    bad = CliRunner().invoke(app, ["demo", "generate", "--institutions", "0", "--out", str(tmp_path)])
    assert bad.exit_code != 0
    blocked = tmp_path / "file"
    blocked.write_text("not a folder")
    result = CliRunner().invoke(app, ["demo", "generate", "-n", "1", "--out", str(blocked / "x")])
    assert result.exit_code == 1
    assert "error:" in result.output


def test_cli_demo_generate_without_a_dsop_catalogue(tmp_path: Path) -> None:
    """The generator reads the DSOP catalogue when it loads: a missing one is a located error, nothing written."""
    out = tmp_path / "sector"
    env = {**os.environ, "ALTINN_ANALYSIS_DSOP_DIR": str(tmp_path / "no-dsop")}
    args = ["demo", "generate", "-n", "1", "--out", str(out)]
    result = subprocess.run(
        [sys.executable, "-c", "from altinn_analysis.cli import main; main()", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 1, result.stderr
    assert "services.csv" in result.stderr and "Traceback" not in result.stderr
    assert not out.exists()


# -- the demo institutions in data/institutions/ ----------------------------------------------------------


def test_demo_institutions_cover_the_cases() -> None:
    assert len(DEMO_ORGS) >= 6
    profiles = {org: yaml.safe_load((DEMO_DIR / org / "profile.yaml").read_text(encoding="utf-8")) for org in DEMO_ORGS}
    for org, profile in profiles.items():
        assert is_valid_org_number(org) and profile["org_number"] == org
        assert org.startswith("3")  # fictional range
        assert profile["institution_type"] in INSTITUTION_TYPES and profile["org_form"] in FINANCE_ORG_FORMS
        assert set(profile["dsop_services"]) <= set(DSOP_SERVICE_IDS)
        assert all(is_valid_org_number(v["org_number"]) for v in profile["vendors"])
    assert {p["institution_type"] for p in profiles.values()} == set(INSTITUTION_TYPES)
    assert {"ASA", "AS", "SPA", "NUF", "GFS"} <= {p["org_form"] for p in profiles.values()}
    files = [p.name for org in DEMO_ORGS for p in (DEMO_DIR / org).iterdir()]
    assert "integrations.xlsx" in files
    boms = [p for p in DEMO_DIR.rglob("*.csv") if p.read_bytes().startswith(b"\xef\xbb\xbf")]
    assert boms and all(p.read_text(encoding="utf-8-sig").splitlines()[0].count(";") >= 5 for p in boms)


def test_demo_institutions_hold_no_identity_numbers() -> None:
    for path in DEMO_DIR.rglob("*"):
        if path.suffix in {".csv", ".yaml", ".md"}:
            assert not ELEVEN_DIGITS.search(path.read_text(encoding="utf-8-sig")), path


@pytest.mark.parametrize("org", DEMO_ORGS)
def test_demo_institution_loads_and_validates(org: str, catalogue: Catalogue) -> None:
    from altinn_analysis.inventory import load_inventory, validate_inventory

    problems = validate_inventory(DEMO_DIR / org, catalogue=catalogue, known_services=DSOP_SERVICE_IDS)
    assert [str(p) for p in problems if p.is_error] == []
    for warning in problems:  # only the deliberate unknowns
        assert any(code in warning.message for code in PLANTED_UNKNOWN), str(warning)
    inventory = load_inventory(DEMO_DIR / org, catalogue=catalogue, known_services=DSOP_SERVICE_IDS)
    assert inventory.org_number == org
    assert inventory.delegations.height >= 20 and inventory.consents.height >= 50
    assert inventory.integrations.height >= 5


def test_demo_institutions_tell_different_stories(catalogue: Catalogue) -> None:
    from altinn_analysis.inventory import load_inventory

    inv = {
        org: load_inventory(DEMO_DIR / org, catalogue=catalogue, known_services=DSOP_SERVICE_IDS) for org in DEMO_ORGS
    }
    consents = pl.concat([i.consents.with_columns(org=pl.lit(o)) for o, i in inv.items()], how="diagonal_relaxed")
    a2 = consents.filter(pl.col("platform") == "altinn2")
    assert (a2["valid_to"] < ALTINN2_CLOSED).any()
    assert (a2["valid_to"] == ALTINN2_CLOSED).any()
    assert (a2["valid_to"] > ALTINN2_CLOSED).any()
    assert consents.filter(pl.col("platform") == "altinn3")["service"].str.starts_with("ske-samtykke-sbl-").any()
    grants = pl.concat([i.delegations for i in inv.values()])["grant"]
    assert {"UTINN", "A0294", "DAGL", "REGNA", "HADM", "4752:1", "4804:210607", "kv_dsve"} <= set(grants)
    assert {"ØKADM", "ECKEYROLE", "5701:1"} <= set(grants)
    kinds = pl.concat([i.integrations for i in inv.values()])["kind"]
    assert set(kinds) == set(INTEGRATION_KINDS)
    # Some are far along, some are not: the Altinn 3 share of delegations differs widely.
    shares = [(i.delegations["platform"] == "altinn3").mean() for i in inv.values()]
    assert min(shares) < 0.1 and max(shares) > 0.4


def test_generated_institutions_load_and_validate(tmp_path: Path, catalogue: Catalogue) -> None:
    from altinn_analysis.inventory import load_inventory, validate_inventory

    summary = write_sector(tmp_path, generate_sector(4, 21, 2_000, 300))
    for org in summary.org_numbers:
        problems = validate_inventory(tmp_path / org, catalogue=catalogue, known_services=DSOP_SERVICE_IDS)
        assert [str(p) for p in problems if p.is_error] == []
        assert all(any(code in p.message for code in PLANTED_UNKNOWN) for p in problems)
        inventory = load_inventory(tmp_path / org, catalogue=catalogue, known_services=DSOP_SERVICE_IDS)
        assert inventory.consents.height + inventory.delegations.height > 0
