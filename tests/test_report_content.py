"""What the institution report and the sector page say: wording, dates, provenance, vendors, omitted charts."""

from __future__ import annotations

import copy
import dataclasses
import json
import re
import shutil
from datetime import date
from pathlib import Path

import polars as pl
import pytest

from altinn_analysis.report import InstitutionReport, SectorReport, check_report_parameters
from altinn_analysis.report import _institution as institution_module
from altinn_analysis.report._provenance import catalogue_recorded

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "data" / "institutions"
AS_OF = date(2026, 11, 28)
BANK = "310426172"  # Nordlys Bank: vendors that operate integrations, done and open findings


@pytest.fixture(scope="module")
def report() -> InstitutionReport:
    return InstitutionReport.build(check_report_parameters(org_number=BANK, as_of=AS_OF, inventory_dir=DEMO))


@pytest.fixture(scope="module")
def report_en() -> InstitutionReport:
    return InstitutionReport.build(
        check_report_parameters(org_number=BANK, as_of=AS_OF, inventory_dir=DEMO, language="en")
    )


def _rows(html: str) -> list[str]:
    return re.findall(r"<tr>(.*?)</tr>", html, re.S)


def test_done_rows_show_no_days_left_and_no_action(report: InstitutionReport) -> None:
    done = report.findings.filter(pl.col("status") == "done")
    assert done.height and done["days_left"].is_not_null().any()  # the engine counts days on done rows too
    for area in done["area"].unique():
        for row in _rows(report.area(area).body):
            if ">ferdig<" in row:
                assert 'class="num overdue"' not in row and "Ingen tiltak" not in row, row
                assert row.count('class="settled"') == 2  # days left and action left empty
    html = "".join(report.area(a).body for a in ("roles", "consent", "integration", "service"))
    assert "Ingen tiltak: ferdig" not in html


def test_vendor_names_instead_of_bare_numbers(report: InstitutionReport) -> None:
    vendor = {v.org_number: v.name for v in report.inventory.profile.vendors}
    raw = " ".join(report.findings["subject"].to_list())
    numbers = [n for n in vendor if n in raw]
    assert numbers, "the demo bank's findings name a vendor by number"
    html = report.area("messaging").body + report.actions().body
    for number in numbers:
        assert f"{vendor[number]} ({number})" in html
        assert re.search(rf"(?<!\()\b{number}\b(?!\))", html) is None  # never the number alone
    assert all(f"{vendor[n]} ({n})" not in raw for n in numbers)  # the findings themselves keep the number


def test_dates_in_prose_come_from_the_milestones(report: InstitutionReport) -> None:
    header = report.header().body
    assert "2026-06-19" in header and "2026-05-31" in header
    moved = report.dsop.milestones.with_columns(
        pl.when(pl.col("milestone_id") == "altinn2-closed")
        .then(pl.lit(date(2026, 7, 1)))
        .otherwise(pl.col("date"))
        .alias("date")
    )
    other = dataclasses.replace(report, dsop=dataclasses.replace(report.dsop, milestones=moved))
    assert "2026-07-01" in other.header().body and "2026-06-19" not in other.header().body
    assert "2026-07-01" in other.area("consent").body


def test_provenance_in_plain_words_with_an_age_warning(report: InstitutionReport, report_en: InstitutionReport) -> None:
    recorded, shown = catalogue_recorded(report.catalogue.manifest)
    age = (AS_OF - recorded).days
    text = report_en.provenance().body
    assert "replay" not in text.lower() or "recording" in text
    assert shown in text and f"{age} days before the report date" in text
    assert ("older than 90 days" in text) == (age > 90)
    late = dataclasses.replace(
        report_en, params=dataclasses.replace(report_en.params, as_of=recorded.replace(year=recorded.year + 1))
    )
    assert "Warning: the catalogue is older than 90 days" in late.provenance().body
    fresh = dataclasses.replace(report, params=dataclasses.replace(report.params, as_of=recorded))
    assert 'class="warning"' not in fresh.provenance().body and "0 dager før rapportdatoen" in fresh.provenance().body


def test_the_recording_date_comes_from_the_snapshot_notes(report: InstitutionReport) -> None:
    """A snapshot built from a recording of 2026-08 is as old as the recording, not as the day it was built."""
    manifest = report.catalogue.manifest
    note = "embedded snapshot: built by refresh from a constructed recording of Altinn's metadata APIs (2026-08)"
    recorded = dataclasses.replace(manifest, fetched_at="2026-11-30T16:57:43Z", notes=[note, "other"])
    assert catalogue_recorded(recorded) == (date(2026, 8, 1), "2026-08")
    fetched = dataclasses.replace(manifest, fetched_at="2026-11-30T16:57:43Z", notes=["no date here"])
    assert catalogue_recorded(fetched) == (date(2026, 11, 30), "2026-11-30")
    catalogue = copy.copy(report.catalogue)
    catalogue.manifest = recorded
    page = dataclasses.replace(report, catalogue=catalogue).provenance().body
    assert "innholdet er fra 2026-08, 119 dager før rapportdatoen" in page
    assert "Advarsel: katalogen er eldre enn 90 dager" in page
    assert "constructed recording" not in page  # the notes are read, never shown (they are in English)


def test_an_empty_chart_is_one_sentence(tmp_path: Path, report: InstitutionReport) -> None:
    no_consents = dataclasses.replace(
        report, inventory=dataclasses.replace(report.inventory, consents=report.inventory.consents.clear())
    )
    figure = no_consents.figure("consent")
    assert figure.empty
    html = figure.html()
    assert html.startswith('<p class="aa-nofigure"') and "ingen data å vise" in html and "aa-figure" not in html
    assert "application/vnd.plotly.v1+json" not in figure._repr_mimebundle_()
    assert not report.figure("consent").empty


def test_sections_above_the_findings_can_be_added(report: InstitutionReport, monkeypatch: pytest.MonkeyPatch) -> None:
    from altinn_analysis.report import Html

    assert report.top().body.startswith("<h2>Kan vi kjøre DSOP-tjenestene i dag?</h2>")  # the verdicts come first
    monkeypatch.setattr(institution_module, "TOP_SECTIONS", [lambda r: Html(f"<h2>Dom {r.params.org_number}</h2>")])
    assert report.top().body == f"<h2>Dom {BANK}</h2>"


def test_sector_page_shows_what_is_in_the_run_folder(tmp_path: Path, report: InstitutionReport) -> None:
    """Only institutions with a report in the folder; none called invalid for not being in the run."""
    run = tmp_path / "2026-11-28"
    (run / BANK).mkdir(parents=True)
    report.findings.write_parquet(run / BANK / "findings.parquet")
    (run / BANK / "report.pdf").write_bytes(b"%PDF-1.4")
    # The run record names what the run folder holds (this run's and earlier runs' reports).
    record = {
        "institutions": {BANK: {"status": "ok", "facts": {"name": "Nordlys Bank ASA", "institution_type": "bank"}}}
    }
    (run / "run.json").write_text(json.dumps(record), encoding="utf-8")
    sector = SectorReport.build(inventory_dir=DEMO, as_of=AS_OF, language="nb", report_links=True, findings_dir=run)
    assert sector.summary_table["org_number"].to_list() == [BANK]
    header, table = sector.header().body, sector.table().body
    assert "ugyldig" not in header and "kunne ikke vurderes" not in header
    assert f'href="{BANK}/report.html"' in table and f'href="{BANK}/report.pdf"' in table
    assert ">Åpne<" in table and ">open<" not in table and ">bank<" in table


@pytest.mark.parametrize("language", ["nb", "en"])
def test_sector_page_names_what_it_left_out_in_its_language(
    tmp_path: Path, report: InstitutionReport, language: str
) -> None:
    """A failed report, a damaged findings file and a link in place of one: each left out with its reason in the
    page's language, the others still shown; the link is never followed."""
    failed, damaged, linked = "316537200", "313182657", "315293847"
    run = tmp_path / "2026-11-28"
    for org in (BANK, damaged, linked):
        (run / org).mkdir(parents=True)
    report.findings.write_parquet(run / BANK / "findings.parquet")
    (run / damaged / "findings.parquet").write_bytes(b"PAR1 not really parquet PAR1")
    (run / linked / "findings.parquet").symlink_to(run / BANK / "findings.parquet")
    ok = {"status": "ok", "facts": {"name": "Nordlys Bank ASA", "institution_type": "bank"}}
    record = {"institutions": {BANK: ok, failed: {"status": "failed"}, damaged: ok, linked: ok}}
    (run / "run.json").write_text(json.dumps(record), encoding="utf-8")
    sector = SectorReport.build(inventory_dir=DEMO, as_of=AS_OF, language=language, findings_dir=run)
    assert sector.summary_table["org_number"].to_list() == [BANK]
    header = sector.header().body
    reasons = {
        "nb": ("ingen rapport i denne kjøringen", "funnfilen kan ikke leses"),
        "en": ("no report in this run", "the findings file cannot be read"),
    }[language]
    assert f"{failed} ({reasons[0]})" in header
    assert f"{damaged} ({reasons[1]})" in header and f"{linked} ({reasons[1]})" in header
    other = {"nb": ("no report", "error(s)", "cannot be read"), "en": ("ingen rapport", "feil", "kan ikke")}[language]
    assert not any(word in header for word in other)


def test_sector_page_from_inventories_names_an_invalid_one_in_norwegian(tmp_path: Path) -> None:
    shutil.copytree(DEMO / BANK, tmp_path / BANK)
    (tmp_path / "316537200").mkdir()
    (tmp_path / "316537200" / "profile.yaml").write_text("org_number: [\n", encoding="utf-8")
    sector = SectorReport.build(inventory_dir=tmp_path, as_of=AS_OF, language="nb")
    assert sector.summary_table["org_number"].to_list() == [BANK]
    header = sector.header().body
    assert re.search(r"316537200 \(ugyldig inventar, [0-9]+ feil\)", header) and "error" not in header


def test_findings_frame_for_jupyterlab(report: InstitutionReport, report_en: InstitutionReport) -> None:
    frame = report.findings_frame()
    assert frame.height == report.findings.height
    assert {"Funn-id", "Status", "Alvorlighet", "Tiltak"} <= set(frame.columns)
    assert set(frame["Status"].to_list()) <= {"ferdig", "tiltak", "risiko", "ukjent", "ikke relevant"}
    assert set(report_en.findings_frame()["Status"].to_list()) <= {
        "done",
        "action",
        "at risk",
        "unknown",
        "not applicable",
    }
    assert "<style>" in report.styles().body and ".table-scroll" in report.styles().body


def test_the_report_opens_with_a_verdict_per_dsop_service(
    report: InstitutionReport, report_en: InstitutionReport
) -> None:
    """ "Can we run SBL today?" first: one row per service in the profile, with its verdict and reason."""
    table = report.service_verdicts
    assert table["service_id"].to_list() == list(report.inventory.profile.dsop_services)
    assert set(table["verdict"]) <= {"ready", "at_risk", "blocked", "unknown"}
    blocked = table.filter(pl.col("verdict") == "blocked")
    assert not blocked.is_empty()  # Nordlys has services that cannot run (e.g. krav og betalinger: EU-03)
    open_ids = set(report.open_findings["finding_id"])
    assert all(set(ids) <= open_ids and ids for ids in blocked["blocking_findings"].to_list())
    nb, en = report.verdicts().body, report_en.verdicts().body
    assert ">stoppet<" in nb and ">klar<" in nb and ">blocked<" not in nb
    assert ">blocked<" in en and ">ready<" in en and ">stoppet<" not in en
    # The reason names the vendor, not only its number (as the findings tables do).
    assert "392348174" not in nb or "(392348174)" in nb
    assert report.facts()["verdicts"] == dict(table.select("service_id", "verdict").iter_rows())


def test_sector_page_shows_services_by_institution(report: InstitutionReport) -> None:
    sector = SectorReport.build(inventory_dir=DEMO, as_of=AS_OF, language="nb")
    given = sector.service_verdicts
    assert given[BANK] == report.facts()["verdicts"]
    body = sector.verdicts().body
    assert body.startswith("<h2>DSOP-tjenester per institusjon</h2>")
    assert body.count("<tr>") == len(given) + 1  # one row per institution and the header
    assert "verdict-blocked" in body and ">stoppet<" in body and ">blocked<" not in body
