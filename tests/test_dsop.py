"""The curated DSOP catalogue: its content against the embedded snapshot, the loader's checks, and the CLI."""

from __future__ import annotations

import csv
import datetime as dt
import json
import shutil
from pathlib import Path
from typing import Any

import pandas as pd
import polars as pl
import pytest
from typer.testing import CliRunner

from altinn_analysis.catalogue import Catalogue, DsopCatalogue, DsopCatalogueError, default_dsop_dir, load_dsop
from altinn_analysis.catalogue._dsop_schema import DSOP_SCHEMAS, DSOP_TABLES, KEYS
from altinn_analysis.cli import app

CERTAINTIES = {"documented", "inferred", "unknown"}


@pytest.fixture(scope="module")
def dsop() -> DsopCatalogue:
    return load_dsop()


# -- the curated content ---------------------------------------------------------------------------------------


def test_seventeen_services_with_one_normalised_fi_role(dsop: DsopCatalogue) -> None:
    assert dsop.services.height == 17
    assert len(set(dsop.service_ids)) == 17
    assert set(dsop.services["fi_role"]) <= {"consumer", "provider", "reporter", "sender"}
    roles = dict(dsop.services.select("service_id", "fi_role").iter_rows())
    assert roles["sbl"] == "consumer"
    assert roles["skatt-kontroll"] == "provider"
    assert roles["kundeforholdsregister"] == "reporter"
    assert roles["digital-eiendomshandel"] == "sender"


@pytest.mark.parametrize("table", DSOP_TABLES)
def test_every_row_has_a_source_and_a_valid_certainty(dsop: DsopCatalogue, table: str) -> None:
    frame: pl.DataFrame = dsop.table(table)
    assert frame.height > 0
    assert frame["source"].null_count() == 0
    assert (frame["source"].str.strip_chars().str.len_chars() > 0).all()
    assert set(frame["certainty"]) <= CERTAINTIES


@pytest.mark.parametrize("table", DSOP_TABLES)
def test_ids_are_unique(dsop: DsopCatalogue, table: str) -> None:
    frame: pl.DataFrame = dsop.table(table)
    keys = list(KEYS[table])
    assert frame.select(keys).is_duplicated().sum() == 0


@pytest.mark.parametrize("table", DSOP_TABLES)
def test_tables_have_the_documented_schema(dsop: DsopCatalogue, table: str) -> None:
    assert dsop.table(table).schema == pl.Schema(DSOP_SCHEMAS[table])
    assert isinstance(dsop.table(table, pandas=True), pd.DataFrame)


def test_named_targets_exist_in_the_embedded_snapshot_or_are_unknown(embedded: Catalogue, dsop: DsopCatalogue) -> None:
    missing = []
    for row in dsop.dependencies.iter_rows(named=True):
        target, kind = row["altinn3_target"], row["altinn3_target_type"]
        if kind == "resource" and target and embedded.resource(target) is None:
            missing.append((row["dependency_id"], target, row["certainty"]))
        if kind == "access_package" and target and embedded.package(target) is None:
            missing.append((row["dependency_id"], target, row["certainty"]))
    for row in dsop.role_successors.iter_rows(named=True):
        if row["package_urn"] and embedded.package(row["package_urn"]) is None:
            missing.append((row["altinn2_role_code"], row["package_urn"], row["certainty"]))
    assert [m for m in missing if m[2] != "unknown"] == []
    # The loader's own check agrees.
    unresolved = dsop.unresolved(embedded)
    assert unresolved.filter(pl.col("certainty") != "unknown").is_empty()


def test_role_codes_exist_in_the_embedded_snapshot(embedded: Catalogue, dsop: DsopCatalogue) -> None:
    for code in dsop.role_successors["altinn2_role_code"].unique():
        role = embedded.role(code)
        assert role is not None and role["provider_code"] == "sys-altinn2", code
    for er_code, legacy, a2 in dsop.er_role_grants.select("er_role_code", "er_legacy_code", "altinn2_role_code").rows():
        er = embedded.role(er_code)
        assert er is not None and er["provider_code"] == "sys-ccr" and str(er["legacy_code"]).upper() == legacy
        assert embedded.role(a2) is not None, a2
    # Every Altinn 2 role in the snapshot has successor rows, and so every role an ER role gives.
    altinn2 = embedded.roles.filter(pl.col("provider_code") == "sys-altinn2")["legacy_code"].str.to_uppercase()
    assert set(dsop.role_successors["altinn2_role_code"]) == set(altinn2)
    assert set(dsop.er_role_grants["altinn2_role_code"]) <= set(dsop.role_successors["altinn2_role_code"])


def test_consent_services_without_a_known_altinn3_resource_stay_unknown(dsop: DsopCatalogue) -> None:
    rows = dsop.dependencies.filter(pl.col("artefact_type") == "consent_service")
    by_code = {f"{r['altinn2_code']}:{r['altinn2_edition']}": r for r in rows.iter_rows(named=True)}
    for code in ("5252:2", "5498:1"):
        assert by_code[code]["altinn3_target"] is None
        assert by_code[code]["certainty"] == "unknown"
        assert by_code[code]["successor_status"] == "not_found"
    assert by_code["4804:210607"]["altinn3_target"] == "ske-samtykke-sbl-inntekt"
    assert by_code["4628:210607"]["altinn3_target"] == "ske-samtykke-sbl-summert-skattegrunnlag"
    for code in ("4804:170223", "4628:170223", "4628:1"):  # retired editions are kept, marked
        assert by_code[code]["successor_status"] == "not_applicable"
        assert by_code[code]["altinn3_target_type"] == "none"


def test_broker_and_no_successor_role(dsop: DsopCatalogue) -> None:
    broker = dsop.dependencies.filter(pl.col("artefact_type") == "broker_service").row(0, named=True)
    assert (broker["altinn2_code"], broker["altinn2_edition"], broker["altinn3_target"]) == ("4752", "1", "kv_dsve")
    a0294 = dsop.successors("a0294")
    assert a0294.height == 1
    assert a0294["successor_type"][0] == "none" and a0294["package_urn"][0] is None


def test_milestones_have_dates_and_sources(dsop: DsopCatalogue) -> None:
    m = dsop.milestones
    assert m["date"].null_count() == 0 and m["source"].null_count() == 0
    dates = set(m["date"])
    for needed in ("2025-12-01", "2026-03-01", "2026-05-31", "2026-06-19"):
        assert dt.date.fromisoformat(needed) in dates
    assert dsop.milestone_date("altinn2-closed") == dt.date(2026, 6, 19)
    assert dsop.milestone_date("altinn2-last-submission-day") == dt.date(2026, 5, 31)
    with pytest.raises(KeyError, match="altinn2-closed"):
        dsop.milestone_date("no-such-milestone")


def test_every_service_has_dependency_rows_and_references_resolve(dsop: DsopCatalogue) -> None:
    assert set(dsop.dependencies["service_id"]) == set(dsop.service_ids)
    assert set(dsop.dependencies["deadline_milestone"].drop_nulls()) <= set(dsop.milestones["milestone_id"])
    assert set(dsop.services["builds_on"].drop_nulls()) <= set(dsop.service_ids)


def test_lookups(dsop: DsopCatalogue) -> None:
    assert dsop.successors("utinn")["successor_type"].to_list() == ["none"]
    assert dsop.successors("REGNA").height == 10  # without the auditor-attestation packages
    assert dsop.successors("NOPE").is_empty()
    sbl = dsop.dependencies_for("sbl")
    assert sbl.height > 0 and set(sbl["service_id"]) == {"sbl"}
    assert dsop.dependencies_for("nope").is_empty()
    assert dsop.service("ssu") is not None and dsop.service("nope") is None
    with pytest.raises(KeyError, match="services"):
        dsop.table("nope")


# -- the loader's errors, on small catalogues built in code ----------------------------------------------------

MINIMAL: dict[str, list[dict[str, str]]] = {
    "services": [
        {
            "service_id": "sbl",
            "name_nb": "Samtykkebasert lånesøknad",
            "name_en": "Consent-based loan application",
            "status": "production",
            "fi_role": "consumer",
            "counterparty_org_number": "974761076",
            "certainty": "documented",
            "source": "test",
        },
        {
            "service_id": "kfr",
            "name_nb": "Kundeforholdsregister",
            "name_en": "Customer relationship register",
            "status": "production",
            "fi_role": "reporter",
            "certainty": "documented",
            "source": "test",
        },
    ],
    "dependencies": [
        {
            "dependency_id": "sbl/consent-4804-210607",
            "service_id": "sbl",
            "artefact_key": "consent-4804-210607",
            "area": "consent",
            "artefact_type": "consent_service",
            "altinn2_code": "4804",
            "altinn2_edition": "210607",
            "altinn3_target_type": "resource",
            "altinn3_target": "ske-samtykke-sbl-inntekt",
            "subject_nb": "Samtykke inntekt",
            "subject_en": "Consent income",
            "successor_status": "available",
            "deadline_milestone": "altinn2-closed",
            "action_nb": "Flytt.",
            "action_en": "Move.",
            "certainty": "documented",
            "source": "test",
        },
        {
            "dependency_id": "kfr/none",
            "service_id": "kfr",
            "artefact_key": "none",
            "area": "service",
            "artefact_type": "none",
            "altinn3_target_type": "none",
            "subject_nb": "ingen",
            "subject_en": "none",
            "successor_status": "not_applicable",
            "action_nb": "Ingen.",
            "action_en": "None.",
            "certainty": "documented",
            "source": "test",
        },
    ],
    "role_successors": [
        {
            "altinn2_role_code": "A0294",
            "role_name_nb": "Transportløyvegaranti",
            "successor_type": "none",
            "confidence": "medium",
            "certainty": "inferred",
            "source": "test",
        },
        {
            "altinn2_role_code": "HADM",
            "role_name_nb": "Hovedadministrator",
            "successor_type": "equivalent_1to1",
            "package_urn": "urn:altinn:accesspackage:hovedadministrator",
            "confidence": "medium",
            "certainty": "documented",
            "source": "test",
        },
    ],
    "er_role_grants": [
        {
            "er_legacy_code": "DAGL",
            "er_role_code": "daglig-leder",
            "altinn2_role_code": "A0294",
            "certainty": "documented",
            "source": "test",
        }
    ],
    "policies": [
        {
            "subject_type": "altinn2_role",
            "subject": "HADM",
            "policy": "review",
            "reason_nb": "Kontroller.",
            "reason_en": "Verify.",
            "certainty": "documented",
            "source": "test",
        }
    ],
    "milestones": [
        {
            "milestone_id": "altinn2-closed",
            "date": "2026-06-19",
            "kind": "deadline",
            "areas": "roles;consent",
            "name_nb": "Altinn II stenges",
            "name_en": "Altinn II closes",
            "certainty": "documented",
            "source": "test",
        }
    ],
}


def write_catalogue(directory: Path, tables: dict[str, list[dict[str, str]]] | None = None) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    for table, rows in (tables or MINIMAL).items():
        with (directory / f"{table}.csv").open("w", encoding="utf-8", newline="") as fh:
            writer = csv.DictWriter(fh, fieldnames=list(DSOP_SCHEMAS[table]))
            writer.writeheader()
            writer.writerows(rows)
    return directory


def broken(table: str, row: int, **changes: str) -> dict[str, list[dict[str, str]]]:
    """MINIMAL with `changes` applied to data row `row` (1-based) of `table`."""
    tables = {t: [dict(r) for r in rows] for t, rows in MINIMAL.items()}
    tables[table][row - 1].update(changes)
    return tables


def error_of(directory: Path) -> DsopCatalogueError:
    with pytest.raises(DsopCatalogueError) as info:
        load_dsop(directory)
    return info.value


def test_minimal_catalogue_loads(tmp_path: Path) -> None:
    dsop = load_dsop(write_catalogue(tmp_path))
    assert dsop.service_ids == ["sbl", "kfr"]
    assert dsop.milestone_date("altinn2-closed") == dt.date(2026, 6, 19)
    assert dsop.milestones.schema["date"] == pl.Date
    assert dsop.dependencies["altinn2_fi_action"].null_count() == 2  # empty cells are nulls
    assert dsop.directory == tmp_path


@pytest.mark.parametrize(
    ("table", "row", "changes", "column", "expected"),
    [
        ("milestones", 1, {"date": "19.06.2026"}, "date", "ISO date"),
        ("milestones", 1, {"date": "2026-02-30"}, "date", "ISO date"),
        ("milestones", 1, {"date": "20260619"}, "date", "ISO date"),
        ("milestones", 1, {"date": ""}, "date", "required"),
        ("dependencies", 2, {"certainty": "maybe"}, "certainty", "documented, inferred, unknown"),
        ("services", 2, {"certainty": ""}, "certainty", "required"),
        ("services", 1, {"source": " "}, "source", "required"),
        ("services", 2, {"service_id": "sbl"}, "service_id", "duplicate"),
        ("services", 1, {"fi_role": "consumer/provider"}, "fi_role", "consumer, provider, reporter, sender"),
        ("services", 1, {"counterparty_org_number": "974761077"}, "counterparty_org_number", "check digit"),
        ("milestones", 1, {"areas": "roles;banking"}, "areas", "'banking'"),
        ("dependencies", 1, {"dependency_id": "kfr/consent"}, "dependency_id", "sbl/<artefact_key>"),
        ("dependencies", 2, {"altinn3_target": "kv_dsve"}, "altinn3_target", "must be empty"),
        ("dependencies", 1, {"altinn3_target_type": "access_package"}, "altinn3_target", "access package urn"),
        ("dependencies", 1, {"deadline_milestone": "soon"}, "deadline_milestone", "milestones.csv"),
        ("dependencies", 2, {"service_id": "nope", "dependency_id": "nope/none"}, "service_id", "services.csv"),
        ("role_successors", 1, {"altinn2_role_code": "a0294"}, "altinn2_role_code", "upper-case"),
        ("role_successors", 1, {"package_urn": "urn:altinn:accesspackage:x"}, "package_urn", "successor_type 'none'"),
        ("role_successors", 2, {"package_urn": "hovedadministrator"}, "package_urn", "access package urn"),
    ],
)
def test_errors_name_file_row_and_column(
    tmp_path: Path, table: str, row: int, changes: dict[str, str], column: str, expected: str
) -> None:
    err = error_of(write_catalogue(tmp_path, broken(table, row, **changes)))
    assert (err.file, err.row, err.column) == (f"{table}.csv", row + 1, column)  # header = row 1
    assert expected in str(err)
    assert f"{table}.csv:{row + 1}:{column}: error: " in str(err)


def test_duplicate_role_successor_pair(tmp_path: Path) -> None:
    tables = broken("role_successors", 1)
    tables["role_successors"].append(dict(tables["role_successors"][1]))
    err = error_of(write_catalogue(tmp_path, tables))
    assert (err.file, err.row) == ("role_successors.csv", 4)
    assert "duplicate" in str(err) and "first seen in row 3" in str(err)


def test_missing_file(tmp_path: Path) -> None:
    write_catalogue(tmp_path)
    (tmp_path / "milestones.csv").unlink()
    err = error_of(tmp_path)
    assert err.file == "milestones.csv" and err.row is None
    assert "not found" in str(err)


def test_missing_column(tmp_path: Path) -> None:
    write_catalogue(tmp_path)
    path = tmp_path / "services.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[0] = lines[0].replace("certainty", "certanity")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    err = error_of(tmp_path)
    assert (err.file, err.row, err.column) == ("services.csv", None, "certainty")
    assert "missing column" in str(err)


def test_ragged_row_and_bad_encoding(tmp_path: Path) -> None:
    write_catalogue(tmp_path)
    path = tmp_path / "milestones.csv"
    path.write_text(path.read_text(encoding="utf-8") + "extra,2026-01-01,deadline\n", encoding="utf-8")
    err = error_of(tmp_path)
    assert (err.file, err.row) == ("milestones.csv", 3)
    assert "row has 3 values but the header has" in str(err)  # short rows are refused, not padded

    path.write_bytes(b"milestone_id,date\n" + "Stengt ø".encode("latin-1") + b"\n")
    err = error_of(tmp_path)
    assert err.file == "milestones.csv" and "UTF-8" in str(err)


def test_blank_lines_bom_and_quoted_newlines_are_fine(tmp_path: Path) -> None:
    tables = broken("services", 1, notes="line one\nline two")
    write_catalogue(tmp_path, tables)
    path = tmp_path / "services.csv"
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes() + b"\n\n")
    dsop = load_dsop(tmp_path)
    assert dsop.service("sbl")["notes"] == "line one\nline two"  # type: ignore[index]


def test_environment_variable_points_at_another_catalogue(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ALTINN_ANALYSIS_DSOP_DIR", str(write_catalogue(tmp_path)))
    assert default_dsop_dir() == tmp_path
    assert load_dsop().service_ids == ["sbl", "kfr"]


def test_a_broken_copy_of_the_real_catalogue(tmp_path: Path) -> None:
    copy = tmp_path / "dsop"
    shutil.copytree(default_dsop_dir(), copy)
    path = copy / "dependencies.csv"
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    rows[4]["certainty"] = "probably"
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    err = error_of(copy)
    assert (err.file, err.row, err.column) == ("dependencies.csv", 6, "certainty")


# -- the command line ------------------------------------------------------------------------------------------

runner = CliRunner()


def run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_cli_services_table(dsop: DsopCatalogue) -> None:
    code, out, err = run("catalogue", "services")
    assert code == 0, err
    for text in ("digital-eiendomshandel", "kv_dsve", "ske-samtykke-sbl-inntekt", "A0294", "certainty", "FI role"):
        assert text in out
    assert f"{dsop.dependencies.height} rows" in out


def test_cli_services_json_has_every_column(dsop: DsopCatalogue) -> None:
    code, out, err = run("catalogue", "services", "--format", "json")
    assert code == 0, err
    rows: list[dict[str, Any]] = json.loads(out)
    assert len(rows) == dsop.dependencies.height
    assert {"dependency_id", "service_certainty", "action_nb", "altinn3_target", "counterparty"} <= set(rows[0])
    code, out, _ = run("catalogue", "services", "--format", "json", "--service", "ssu")
    rows = json.loads(out)
    assert code == 0 and rows and {r["service_id"] for r in rows} == {"ssu"}


def test_cli_services_csv_and_errors(tmp_path: Path) -> None:
    code, out, _ = run("catalogue", "services", "--format", "csv", "--service", "transportloyvegaranti")
    assert code == 0
    header, *lines = out.splitlines()
    assert "dependency_id" in header.split(",") and len(lines) == 2

    code, _, err = run("catalogue", "services", "--service", "nope")
    assert code == 1 and "unknown DSOP service 'nope'" in err

    write_catalogue(tmp_path, broken("milestones", 1, date="soon"))
    code, _, err = run("catalogue", "services", "--dsop-dir", str(tmp_path))
    assert code == 1
    assert "milestones.csv:2:date: error:" in err

    write_catalogue(tmp_path)
    code, out, _ = run("catalogue", "services", "--dsop-dir", str(tmp_path), "--format", "json")
    assert code == 0 and len(json.loads(out)) == 2
