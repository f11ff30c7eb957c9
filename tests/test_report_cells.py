"""The report's faster code paths give what the plain ones gave: on generated institutions and the demo ones, in
both languages, with a previous action list carrying tracking columns. Each test runs the old way (kept here, or
still in the package as the fallback) beside the new one."""

from __future__ import annotations

import dataclasses
import io
import json
import shutil
from datetime import date
from pathlib import Path
from typing import Any

import openpyxl
import polars as pl
import pytest

from altinn_analysis.impact import AREAS, OPEN_STATUSES, STATUSES, assess, readiness
from altinn_analysis.report import (
    InstitutionReport,
    _tracking,
    _xlsx_cells,
    _xlsx_zip,
    actions,
    check_report_parameters,
)
from altinn_analysis.report import _display as display
from altinn_analysis.report._actions_layout import HEADERS, TRACKING
from altinn_analysis.report._institution import AREA_COLUMNS
from altinn_analysis.synthetic import generate_sector, write_sector

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "data" / "institutions"
AS_OF = date(2026, 11, 28)


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("generated")
    write_sector(folder, generate_sector(4, 3, 3000, 400))
    return folder


def _reports(folder: Path, language: str, out: Path | None = None) -> list[InstitutionReport]:
    orgs = sorted(p.name for p in folder.iterdir() if p.is_dir())
    return [
        InstitutionReport.build(
            check_report_parameters(
                org_number=org,
                as_of=AS_OF,
                inventory_dir=folder,
                language=language,
                output_dir=str(out / org) if out else "",
            )
        )
        for org in orgs
    ]


def _old_key_figures(report: InstitutionReport) -> dict[str, Any]:
    """`key_figures` as it was: a filter per number."""
    f = report.findings
    open_ = f.filter(pl.col("status").is_in(list(OPEN_STATUSES)))
    return {
        "score": int(readiness(f)["score"][0]),
        "findings": f.height,
        "open": open_.height,
        "overdue": open_.filter(pl.col("days_left") < 0).height,
        "critical": open_.filter(pl.col("severity") == "critical").height,
        "by_status": {s: f.filter(pl.col("status") == s).height for s in STATUSES},
    }


@pytest.mark.parametrize("language", ["nb", "en"])
def test_shared_lookups_and_kept_numbers_change_nothing(generated: Path, language: str) -> None:
    """Reports built one after another in one process share the catalogue lookups; each report keeps its key
    figures, dates and findings per area. Same findings as a fresh assessment, same numbers and sections."""
    for folder in (generated, DEMO):
        for report in _reports(folder, language):
            fresh = assess(report.catalogue, report.dsop, report.inventory, AS_OF, language=language)
            assert report.findings.equals(fresh), report.params.org_number
            assert report.key_figures() == _old_key_figures(report)
            report.key_figures()["by_status"]["done"] = -1  # a caller's copy: the report's own stays
            assert report.key_figures() == _old_key_figures(report)
            for area in AREAS:
                rows = report.shown_findings.filter(pl.col("area") == area)  # the old way: a filter per area
                if rows.height:
                    assert display.table_html(rows, language, columns=AREA_COLUMNS).body in report.area(area).body
                else:
                    assert "<table" not in report.area(area).body


def _fill_tracking(path: Path) -> None:
    wb = openpyxl.load_workbook(path)
    wanted = {h for c in TRACKING for h in HEADERS[c]}
    for s, ws in enumerate(wb.worksheets[1:]):
        columns = [i + 1 for i, c in enumerate(ws[1]) if c.value in wanted]
        for r in range(2, ws.max_row + 1):
            for col in columns:
                if (r + col + s) % 3 == 0:
                    ws.cell(r, col, f"Kari {r}" if col % 2 else 25 + r)
    wb.save(path)


@pytest.mark.parametrize("language", ["nb", "en"])
def test_action_list_bytes_as_before(generated: Path, tmp_path: Path, language: str) -> None:
    """The workbook's zip stamped in place is the zip `_rezip` rewrote; a previous list's tracking is carried
    over (read from the XML) as openpyxl reads it; writing twice gives the same bytes."""
    out = tmp_path / "out"
    for report in _reports(generated, language, out):
        report.save()
        path = out / report.params.org_number / "actions.xlsx"
        _fill_tracking(path)
        kept = actions.read_tracking(path)
        assert kept == _tracking._read_with_openpyxl(path)
        report.save()
        assert actions.read_tracking(path) == {k: v for k, v in kept.items() if k in set(report.findings["finding_id"])}
        first = path.read_bytes()
        report.save()
        assert path.read_bytes() == first
        # The bytes as `_rezip` made them: xlsxwriter's own zip (1980 dates) rewritten entry by entry.
        with io.BytesIO() as rewritten:
            _xlsx_zip.rezip(first, rewritten, _xlsx_zip.zip_time(AS_OF))
            assert rewritten.getvalue() == first
        shutil.copy(path, tmp_path / f"{report.params.org_number}-{language}.xlsx")


def test_restamped_is_rezip_on_xlsxwriter_zips() -> None:
    import xlsxwriter

    for as_of in (date(2026, 11, 28), date(1979, 5, 1), date(2107, 12, 31)):
        buffer = io.BytesIO()
        wb = xlsxwriter.Workbook(buffer, {"in_memory": True})
        wb.add_worksheet("Ark æøå").write_string(0, 0, "hei")
        wb.add_worksheet("To")
        wb.close()
        stamp = _xlsx_zip.zip_time(as_of)
        rewritten = io.BytesIO()
        _xlsx_zip.rezip(buffer.getvalue(), rewritten, stamp)
        assert _xlsx_zip.restamped(buffer.getvalue(), stamp) == rewritten.getvalue()
    assert _xlsx_zip.restamped(b"not a zip at all, not even close to one", (2026, 1, 1, 0, 0, 0)) is None


def test_a_staging_folder_is_fsynced_once_when_published(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Files written into a `make_temp_dir` folder (where the batch runner's kernel saves the report) are not
    fsynced one by one: `replace_dir` fsyncs each before the folder is published. Elsewhere every write is."""
    import os

    from altinn_analysis.sources import atomic_file, atomic_path, make_temp_dir, replace_dir

    synced: list[int] = []
    real = os.fsync

    def counted(fd: int) -> None:
        synced.append(fd)
        real(fd)

    monkeypatch.setattr(os, "fsync", counted)
    staging = make_temp_dir(tmp_path, "910000004")
    with atomic_file(staging / "actions.xlsx") as fh:
        fh.write(b"xlsx")
    with atomic_path(staging / "findings.parquet") as tmp:
        tmp.write_bytes(b"parquet")
    assert synced == []
    replace_dir(staging, tmp_path / "910000004")
    assert len(synced) >= 3  # both files, then the folders
    assert (tmp_path / "910000004" / "actions.xlsx").read_bytes() == b"xlsx"
    synced.clear()
    with atomic_file(tmp_path / "plain" / "actions.xlsx") as fh:
        fh.write(b"xlsx")
    assert len(synced) == 2  # the file, then its folder
    lookalike = tmp_path / "tmp-not-staging"
    with atomic_path(lookalike / "findings.parquet") as tmp:
        tmp.write_bytes(b"parquet")
    assert len(synced) == 4


def test_line_lengths_for_row_heights_as_splitlines_gives_them() -> None:
    from datetime import datetime

    values: list[object] = [
        None,
        "",
        "abc",
        "a\nb",
        "abc\n",
        "\n",
        "x\r\ny",
        "a\u2028bb",
        "a\x1cb\x85c",
        "\t \v",
        12,
        1.5,
    ]
    values += [True, date(2026, 1, 2), datetime(2026, 1, 2, 3, 4), "æøå " * 40, "line\n" * 5 + "end"]
    for value in values:
        old = (tuple(len(p) for p in str(value).splitlines()) or (0,)) if value is not None else (0,)
        assert _xlsx_cells.part_lengths(value) == old, value
        for width in (1, 2, 8, 30, 56):
            chars = max(1, int(width) - 1)
            lines = 1 if value is None else sum(max(1, -(-len(p) // chars)) for p in str(value).splitlines() or [""])
            assert _xlsx_cells.wrapped_lines(value, width) == lines, (value, width)


def _old_table_html(
    frame: pl.DataFrame,
    language: str,
    *,
    columns: list[str] | None = None,
    css: str = "findings",
    links: dict[str, dict[Any, str]] | None = None,
    caption: str | None = None,
    link_by: str | None = None,
) -> str:
    """`table_html` as it was at the branch point: a dict per row, every cell through `_cell`."""
    import html

    from altinn_analysis.report._texts import label

    cols = list(columns or frame.columns)
    select = list(
        dict.fromkeys([*cols, *([link_by] if link_by else []), *(["status"] if "status" in frame.columns else [])])
    )
    head = "".join(f'<th data-col="{html.escape(c)}">{html.escape(label(c, language))}</th>' for c in cols)
    rows = []
    for row in frame.select(select).iter_rows(named=True):
        cells = []
        for c in cols:
            href = (links or {}).get(c, {}).get(row[link_by] if link_by else row[c])
            if c in display._SETTLED_BLANK and row.get("status") in display._SETTLED:
                cells.append('<td class="settled">–</td>')
            elif href is not None:
                text = html.escape(display.code_label(row[c], language) if c in display._CODED else str(row[c]))
                cells.append(f'<td><a href="{html.escape(href)}">{text}</a></td>')
            else:
                cells.append(display._cell(c, row[c], language))
        rows.append("<tr>" + "".join(cells) + "</tr>")
    cap = f"<caption>{html.escape(caption)}</caption>" if caption else ""
    table = f'<table class="{css}">{cap}<thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>'
    return f'<div class="table-scroll">{table}</div>'


@pytest.mark.parametrize("language", ["nb", "en"])
def test_tables_as_the_row_by_row_way_made_them(generated: Path, language: str) -> None:
    from altinn_analysis.impact import area_scores, common_findings, sector_summary

    reports = _reports(generated, language) + _reports(DEMO, language)
    frames: list[tuple[pl.DataFrame, dict[str, Any]]] = []
    for report in reports:
        shown = report.shown_findings
        frames += [
            (shown, {"columns": AREA_COLUMNS}),
            (shown, {}),
            (shown.filter(pl.col("status") == "done"), {"columns": AREA_COLUMNS, "caption": "<b>x</b> & y"}),
            (report.service_verdicts, {"columns": ["name", "verdict", "reason"], "css": "findings verdicts"}),
            (report.findings_frame(), {}),
            (shown.clear(), {"columns": AREA_COLUMNS}),
        ]
    findings = pl.concat([r.findings for r in reports])
    names = pl.DataFrame(
        {"org_number": [r.params.org_number for r in reports], "name": [r.inventory.profile.name for r in reports]}
    )
    summary = sector_summary(findings, names)
    orgs = summary["org_number"].to_list()
    links = {"name": {o: f"{o}/report.html" for o in orgs[::2]}, "pdf": {o: f"{o}/r<p>.pdf" for o in orgs[:3]}}
    summary = summary.with_columns(pl.lit("PDF").alias("pdf"))
    frames += [
        (summary, {"links": links, "link_by": "org_number"}),
        (summary, {"columns": ["name", "score", "pdf"], "links": links, "link_by": "org_number"}),
        (common_findings(findings, top=10), {"links": {"subject": {"UTINN": "#utinn"}}}),
        (area_scores(findings), {}),
        (
            pl.DataFrame(
                {
                    "status": ["done", None, "action"],
                    "days_left": [-3, None, 2],
                    "share": [0.5, None, -1.25],
                    "action": ["a", "b", None],
                }
            ),
            {},
        ),
        (pl.DataFrame({"flag": [True, False, None], "when": [date(2026, 1, 1), None, date(2027, 2, 3)]}), {}),
    ]
    for frame, options in frames:
        assert display.table_html(frame, language, **options).body == _old_table_html(frame, language, **options)


@pytest.mark.parametrize("language", ["nb", "en"])
def test_charts_summed_in_python_are_the_same(generated: Path, language: str) -> None:
    """The readiness, timeline and consent charts' small tables summed in plain Python are the sums the polars way
    gave: at the report date, before every deadline, after them all, and with no findings."""
    import cells_before as before

    from altinn_analysis.report.figures import consent, readiness, timeline

    days = [AS_OF, date(2024, 1, 1), date(2030, 6, 1)]
    for folder in (generated, DEMO):
        for report in _reports(folder, language):
            boundary = report.dsop.milestone_date("altinn2-closed")
            i = pl.int_range(pl.len())
            odd = report.findings.with_columns(
                pl.when(i % 4 == 0).then(None).otherwise(pl.col("deadline")).alias("deadline"),
                pl.when(i % 3 == 0).then(None).otherwise(pl.col("severity")).alias("severity"),
            )
            for f in (report.findings, odd, report.findings.clear()):
                assert readiness.open_by_area(f) == before.open_by_area(f)
                assert timeline.open_per_deadline(f) == before.open_per_deadline(f)
            consents = report.inventory.consents
            for c in (consents, consents.clear(), consents.with_columns(pl.lit(0).alias("count"))):
                for day in days:
                    groups = consent.consent_groups(c, day, boundary)
                    if groups:
                        assert consent.consent_bars(groups) == before.consent_bars(groups)


def test_open_findings_checked_and_ordered_in_python(generated: Path) -> None:
    """The action list's rows, checked and ordered in plain Python: the rows, order and errors of the polars way,
    also with nulls where the sort puts them last and with ties broken by the next key."""
    import cells_before as before

    for folder in (generated, DEMO):
        for report in _reports(folder, "nb"):
            f, org = report.findings, report.params.org_number
            assert actions._open_findings(f, org) == before._open_findings(f, org)
            shuffled = f.sample(fraction=1.0, shuffle=True, seed=1).with_columns(
                pl.when(pl.int_range(pl.len()) % 3 == 0).then(None).otherwise(pl.col("days_left")).alias("days_left"),
                pl.when(pl.int_range(pl.len()) % 4 == 1).then(None).otherwise(pl.col("subject")).alias("subject"),
                pl.when(pl.int_range(pl.len()) % 2 == 0).then(pl.lit("Å")).otherwise(pl.col("subject")).alias("x"),
            )
            shuffled = shuffled.with_columns(pl.coalesce("x", "subject").alias("subject")).drop("x")
            assert actions._open_findings(shuffled, org) == before._open_findings(shuffled, org)
            for bad in (
                f.with_columns(pl.lit("maybe").alias("status")),
                f.with_columns(pl.lit(None, pl.String).alias("area")),
                f.with_columns(pl.lit("123456789").alias("org_number")),
                f.drop("action"),
            ):
                with pytest.raises(ValueError) as new:
                    actions._open_findings(bad, org)
                with pytest.raises(ValueError) as old:
                    before._open_findings(bad, org)
                assert str(new.value) == str(old.value)


@pytest.mark.parametrize("language", ["nb", "en"])
def test_summary_counted_in_python_is_the_same(generated: Path, language: str) -> None:
    """The summary's area × severity grid counted in plain Python is the polars join's (also with areas and
    severities missing, and no findings), and the next deadlines kept per run are the ones made afresh, at the
    report date and at dates with fewer or no deadlines ahead."""
    import cells_before as before

    from altinn_analysis.report import _institution, _shared

    for folder in (generated, DEMO):
        for report in _reports(folder, language):
            f = report.findings
            i = pl.int_range(pl.len())
            odd = f.with_columns(
                pl.when(i % 4 == 0).then(None).otherwise(pl.col("area")).alias("area"),
                pl.when(i % 3 == 0).then(None).otherwise(pl.col("severity")).alias("severity"),
            )
            for findings in (f, odd, f.clear()):
                new, old = _institution.severity_grid(findings), before.severity_grid(findings)
                assert (new.columns, new.rows()) == (old.columns, old.rows()), report.params.org_number
            for day in (AS_OF, date(2027, 6, 1), date(2031, 1, 1)):
                report.params = dataclasses.replace(report.params, as_of=day)
                kept = report.next_deadlines().body
                _shared._DEADLINES.clear()
                assert report.next_deadlines().body == kept, (report.params.org_number, day)
                assert report.summary().body.endswith(kept)


def test_prepare_kernel_changes_no_report(generated: Path, tmp_path: Path) -> None:
    """A kernel prepared ahead (catalogue tables for both languages, the run's next deadlines) gives the same
    sections, figures and files as one that makes them on first use."""
    from altinn_analysis.report import _shared, prepare_kernel
    from altinn_analysis.report.figures import roles, timeline

    def shown(report: InstitutionReport) -> list[str]:
        return [
            str(report.summary()),
            *(json.dumps(report.figure(n).spec) for n in ("readiness", "timeline", "roles", "consent")),
            str(report.provenance()),
        ]

    for cache in (_shared._DEADLINES, _shared._PACKAGE_NAMES, timeline._MILESTONES):
        cache.clear()
    roles._SUCCESSORS.clear()
    cold = [shown(r) for language in ("nb", "en") for r in _reports(generated, language)]
    prepare_kernel(None, AS_OF)
    assert timeline._MILESTONES and roles._SUCCESSORS and _shared._DEADLINES
    warm = [shown(r) for language in ("nb", "en") for r in _reports(generated, language)]
    assert warm == cold


def test_findings_ordered_in_python_and_unpulled_inventories_skipped(
    generated: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`assess` orders the findings in Python before making the frame, and skips the observed-facts pass for an
    inventory nothing was pulled into: the frame the polars sort and the full pass gave, row for row, for the
    generated institutions and the demo ones (some of which were pulled)."""
    import cells_before as before

    from altinn_analysis.impact import _engine, _observed

    reports = [*_reports(generated, "nb"), *_reports(DEMO, "en")]
    # Each inventory also as if a pull had read some of its Altinn 3 rows (an `origin` on every third row).
    pulled = (pl.int_range(pl.len()) % 3 == 0) & (pl.col("platform") == "altinn3")
    origin = pl.when(pulled).then(pl.lit("GET /accessmanagement 2026-11-20")).otherwise(None).alias("origin")
    inventories = [r.inventory for r in reports]
    inventories += [
        dataclasses.replace(i, delegations=i.delegations.with_columns(origin), consents=i.consents.with_columns(origin))
        for i in inventories
    ]
    pairs = [(r, i) for i in inventories for r in reports if r.inventory.org_number == i.org_number]
    fast = [assess(r.catalogue, r.dsop, i, AS_OF, language=r.language) for r, i in pairs]
    unpulled = [_observed.nothing_observed(i) for _, i in pairs]
    assert any(unpulled) and not all(unpulled)
    monkeypatch.setattr(_observed, "nothing_observed", lambda inventory: False)
    for (report, inventory), findings, plain in zip(pairs, fast, unpulled, strict=True):
        full = assess(report.catalogue, report.dsop, inventory, AS_OF, language=report.language)
        assert findings.equals(full), report.params.org_number
        if plain:  # (observed facts append their own rows after the ordered ones)
            assert findings.equals(before.finalise_order(findings.reverse())), report.params.org_number
        shuffled = findings.sample(fraction=1.0, shuffle=True, seed=2).with_columns(
            pl.when(pl.int_range(pl.len()) % 3 == 0).then(None).otherwise(pl.col("days_left")).alias("days_left"),
            pl.when(pl.int_range(pl.len()) % 2 == 0).then(pl.lit("Ø")).otherwise(pl.col("subject")).alias("subject"),
        )
        rows = sorted(shuffled.to_dicts(), key=_engine._order)
        assert pl.DataFrame(rows, schema=shuffled.schema).equals(before.finalise_order(shuffled))


@pytest.mark.parametrize("language", ["nb", "en"])
def test_findings_frame_mapped_in_python_is_the_same(generated: Path, language: str) -> None:
    """The findings frame with its coded columns mapped in Python: the frame (dtypes included) and the HTML the
    notebook shows of it, as with polars' `replace_strict`; also with nulls and with no findings."""
    import cells_before as before

    for folder in (generated, DEMO):
        for report in _reports(folder, language):
            variants = [
                report.shown_findings,
                report.shown_findings.with_columns(
                    pl.when(pl.int_range(pl.len()) % 3 == 0)
                    .then(None)
                    .otherwise(pl.col("certainty"))
                    .alias("certainty")
                ),
                report.shown_findings.clear(),
            ]
            for shown in variants:
                report._shown = shown
                new, old = report.findings_frame(), before.findings_frame(report)
                assert new.equals(old) and new.schema == old.schema
                assert new._repr_html_() == old._repr_html_()


def test_context_grants_made_column_by_column(generated: Path) -> None:
    """`impact.Context` makes the holders' Altinn 3 grants column by column: the same sets as row by row."""
    import cells_before as before

    from altinn_analysis.catalogue import PACKAGE_URN_PREFIX
    from altinn_analysis.impact._context import Context, Lookups

    for folder in (generated, DEMO):
        for report in _reports(folder, "nb"):
            ctx = Context(Lookups(report.catalogue, report.dsop), report.inventory, AS_OF, "nb")
            d = report.inventory.delegations.filter(pl.col("platform") == "altinn3")
            bare = (pl.col("grant_type") == "access_package") & ~pl.col("grant").str.starts_with("urn:")
            a3 = d.filter(pl.col("grant_type").is_in(["access_package", "resource"])).select(
                "holder_id",
                "holder_type",
                pl.when(bare)
                .then(pl.lit(PACKAGE_URN_PREFIX) + pl.col("grant"))
                .otherwise(pl.col("grant"))
                .alias("grant"),
            )
            assert (ctx.a3_grants, ctx.system_user_grants, ctx.a3_package_urns) == before.context_grants(a3)


def test_client_only_packages_made_once_per_lookups() -> None:
    """The client-only access packages, asked for by every role and right, are made once with the lookups: the
    set each evaluation made for itself before."""
    from altinn_analysis.impact._context import Lookups
    from altinn_analysis.report import load_catalogues

    lk = Lookups(*load_catalogues())
    old = {u for (t, u), p in lk.policies.items() if t == "access_package" and p["policy"] == "client_only"}
    assert lk.client_only == old and old  # the DSOP catalogue names some


@pytest.mark.parametrize("language", ["nb", "en"])
def test_provenance_tables_counted_in_python_are_the_same(generated: Path, language: str) -> None:
    """The provenance section with its file hashes sorted and its findings per certainty counted in Python: the
    HTML of the tables polars made, also with a missing certainty and with no findings."""
    import cells_before as before

    from altinn_analysis.report._display import table_html

    for folder in (generated, DEMO):
        for report in _reports(folder, language):
            some_null = pl.when(pl.int_range(pl.len()) % 4 == 0).then(None).otherwise(pl.col("certainty"))
            for findings in (report.findings, report.findings.with_columns(some_null), report.findings.clear()):
                report.findings = findings
                hashes, certainty = before.provenance_tables(report)
                page = report.provenance().body
                assert table_html(certainty, language, css="compact").body in page
                assert table_html(hashes, language, css="compact hashes").body in page


def _odd_delegations() -> pl.DataFrame:
    """Delegations whose role codes differ only by case and spaces, with sources missing, "er" and other, the
    same holder twice, packages by code and by urn, and a platform of neither kind."""
    rows = [
        ("altinn2", "person", "p2", "role", " utinn", "er"),
        ("altinn2", "person", "p1", "role", "UTINN", "er"),
        ("altinn2", "person", "p1", "role", "UTINN ", "delegated"),
        ("altinn2", "person", "p3", "role", "utinn", None),
        ("altinn2", "organisation", "o1", "role", "Regna", "delegated"),
        ("altinn2", "person", "p3", "role", "REGNA", "delegated"),
        ("altinn2", "person", "p1", "role", "regna", "delegated"),
        ("altinn2", "person", "p9", "service", "4804:210607", "delegated"),
        ("altinn2", "person", "p1", "service", "4804:210607", None),
        ("altinn2", "person", "p1", "service", "4804:210607", "delegated"),
        ("altinn2", "enterprise_user", "e1", "service", "4628:210607", "delegated"),
        ("altinn3", "person", "p1", "access_package", "skatt-naering", "delegated"),
        ("altinn3", "person", "p2", "access_package", "urn:altinn:accesspackage:regnskapsforer", "delegated"),
        ("altinn3", "system_user", "s1", "resource", "ske-krav-og-betalinger", "delegated"),
        ("altinn3", "person", "p1", "role", "DAGL", "er"),
        ("other", "person", "p7", "role", "UTINN", "er"),
    ]
    columns = ["platform", "holder_type", "holder_id", "grant_type", "grant", "source"]
    return pl.DataFrame([dict(zip(columns, r, strict=True)) for r in rows], schema=dict.fromkeys(columns, pl.String))


def test_delegations_grouped_once_as_each_reader_queried_them(generated: Path) -> None:
    """`impact.delegation_groups` (one query per report, shared by the evaluators and the roles chart) gives
    each reader what its own filter and group-by gave: role and right groups in the same order with the same
    holders, the same Altinn 3 grants per holder, and the chart's holders per role code."""
    import cells_before as before

    from altinn_analysis.catalogue import PACKAGE_URN_PREFIX
    from altinn_analysis.impact import delegation_groups
    from altinn_analysis.report.figures.roles import role_holders

    frames = [r.inventory.delegations for folder in (generated, DEMO) for r in _reports(folder, "nb")]
    for delegations in [*frames, _odd_delegations(), frames[0].clear()]:
        grouped = delegation_groups(delegations)
        assert grouped.roles == before.role_groups(delegations)
        assert grouped.rights == before.right_groups(delegations)
        roles, held_a3 = role_holders(delegations)
        assert (roles, set(held_a3)) == before.role_holders(delegations)
        bare = (pl.col("grant_type") == "access_package") & ~pl.col("grant").str.starts_with("urn:")
        a3 = delegations.filter(
            (pl.col("platform") == "altinn3") & pl.col("grant_type").is_in(["access_package", "resource"])
        ).select(
            "holder_id",
            "holder_type",
            pl.when(bare).then(pl.lit(PACKAGE_URN_PREFIX) + pl.col("grant")).otherwise(pl.col("grant")).alias("grant"),
        )
        grants: dict[str, set[str]] = {}
        for grant, _holder_type, holders in grouped.a3:
            for holder in holders:
                grants.setdefault(holder, set()).add(grant)
        su = {g for g, t, _ in grouped.a3 if t == "system_user"}
        assert (grants, su, {g for g, _, _ in grouped.a3}) == before.context_grants(a3)
    assert delegation_groups(frames[0]) is delegation_groups(frames[0])  # made once per table


def test_service_mappings_read_once_per_lookups(generated: Path) -> None:
    """`Lookups.mapped` and the kept `Lookups.dependencies`: what each right and consent read from the mapping
    frame and the dependency rows before, for every service the inventories and the DSOP catalogue name."""
    from altinn_analysis.catalogue import parse_service
    from altinn_analysis.impact._context import Lookups
    from altinn_analysis.report import load_catalogues

    catalogue, dsop = load_catalogues()
    lk = Lookups(catalogue, dsop)
    services = {s for r in _reports(generated, "nb") for s in r.inventory.consents["service"].to_list()}
    services |= {s for r in _reports(DEMO, "nb") for s in r.inventory.delegations["grant"].to_list() if ":" in s}
    services |= {
        f"{c}:{e}" for c, e in catalogue.altinn2_service_map.select("service_code", "service_edition_code").rows()
    }
    services |= {"9999:1", "4804"}
    for service in sorted(services):
        code, edition = parse_service(service)
        frame = catalogue.resources_for_service(code, edition)
        mapped = lk.mapped(code, edition)
        assert mapped.rows == frame.height
        assert list(mapped.identifiers) == sorted(set(frame["identifier"]))
        assert ("Consent" in mapped.types) == ("Consent" in set(frame["resource_type"].drop_nulls()))
        assert list(mapped.certainties) == frame["certainty"].to_list()
        consent = sorted(set(frame.filter(pl.col("resource_type") == "Consent")["identifier"]))
        assert list(mapped.consent_identifiers) == consent
        for kinds in (("consent_service",), ("delegated_right", "broker_service", "consent_service")):
            plain = [
                row
                for row in lk.deps
                if row["artefact_type"] in kinds
                and code.upper() in row["codes"]
                and (edition is None or row["altinn2_edition"] in (None, edition))
            ]
            assert lk.dependencies(kinds, code, edition) == plain == lk.dependencies(kinds, code, edition)


@pytest.mark.parametrize("language", ["nb", "en"])
def test_verdicts_exploded_in_python_are_the_same(generated: Path, language: str) -> None:
    """The open findings split per service in Python (`impact.open_by_service`, what `verdicts` decides on) are
    what the polars explode and filter gave, for the profile's services and for every service named, also with
    services missing, several services in one finding, a status missing and no findings."""
    import cells_before as before

    from altinn_analysis.impact import open_by_service, verdicts

    for folder in (generated, DEMO):
        for report in _reports(folder, language):
            f = report.findings
            i = pl.int_range(pl.len())
            odd = f.with_columns(
                pl.when(i % 5 == 0)
                .then(None)
                .when(i % 5 == 1)
                .then(pl.lit("SBL;SSU;"))
                .otherwise(pl.col("service_id"))
                .alias("service_id"),
                pl.when(i % 7 == 3).then(None).otherwise(pl.col("status")).alias("status"),
            )
            for findings in (f, odd, f.clear()):
                for services in (report.inventory.profile.dsop_services, None):
                    split = open_by_service(findings, services)
                    assert split == before.open_by_service(findings, services), (report.params.org_number, services)
                    table = verdicts(findings, report.dsop, services, language=language)
                    assert table["service_id"].to_list() == [service for service, _ in split]


@pytest.mark.parametrize("language", ["nb", "en"])
def test_vendor_names_and_readiness_subtitle_as_before(generated: Path, language: str) -> None:
    """The findings as shown (vendor names after their numbers) rewritten in Python are what map_elements made,
    also with texts missing and no findings; the readiness chart given the report's score is the chart that
    computed it."""
    import cells_before as before

    from altinn_analysis.report import figures

    vendored = 0
    for folder in (generated, DEMO):
        for report in _reports(folder, language):
            vendored += bool(report.inventory.profile.vendors)
            i = pl.int_range(pl.len())
            some_null = [pl.when(i % 3 == 0).then(None).otherwise(pl.col(c)).alias(c) for c in ("detail", "subject")]
            for findings in (report.findings, report.findings.with_columns(some_null), report.findings.clear()):
                report.findings = findings
                report._shown = None
                assert report.shown_findings.equals(before.named_findings(report))
                spec = figures.readiness_by_area_spec(findings, language)
                given = figures.readiness_by_area_spec(findings, language, overall=report.key_figures()["score"])
                assert spec == given
                report._key_figures = None
    assert vendored  # some institutions name vendors


def _workbook_bytes(sheet_class: type, fill: Any) -> bytes:
    import xlsxwriter

    buffer = io.BytesIO()
    wb = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False, "strings_to_numbers": False})
    fill(wb, lambda name: wb.add_worksheet(name, worksheet_class=sheet_class))
    wb.close()
    return buffer.getvalue()


@pytest.mark.parametrize("language", ["nb", "en"])
def test_fast_sheet_cells_are_xlsxwriters_bytes(generated: Path, tmp_path: Path, language: str) -> None:
    """`report._xlsx_sheet.FastSheet` writes the same workbook bytes as xlsxwriter's own worksheet: every kind
    of cell, with and without a format (a row's and a column's format then apply), odd texts and numbers; and
    the action lists of generated and demo institutions with tracking carried over."""
    from datetime import datetime

    from xlsxwriter.worksheet import Worksheet

    from altinn_analysis.report import _xlsx_sheet

    assert _xlsx_sheet.SHEET_CLASS is _xlsx_sheet.FastSheet  # the installed xlsxwriter is the checked one

    def every_kind(wb: Any, add: Any) -> None:
        ws = add("Ark æøå")
        bold, wrap = wb.add_format({"bold": True}), wb.add_format({"text_wrap": True, "num_format": "yyyy-mm-dd"})
        ws.set_row(3, 30, wb.add_format({"italic": True}))
        ws.set_column(5, 5, 12, wb.add_format({"font_color": "#FF0000"}))
        values = ["tekst", 'a & b < c > "d"', "_x0000_ \x01 ctrl", "  mellomrom ", "", "x" * 300, 0, -7, 1.5]
        values += [1e20, 123456789012345678, float("1e-300"), True, False, date(2026, 6, 19), datetime(2026, 1, 2, 3)]
        for r, value in enumerate(values):
            for c, style in enumerate((None, bold, wrap)):
                for col in (c, c + 5):
                    ws.write(r, col, value, style)
                    ws.write_blank(r + 40, col, None, style)
        ws.write_formula(60, 0, "=1+1", bold, 2)
        ws.write_url(61, 0, "internal:'Ark æøå'!A1", bold, string="lenke")
        ws.write_rich_string(62, 0, "a ", bold, "fet", " tekst")
        add("Tom")

    assert _workbook_bytes(_xlsx_sheet.FastSheet, every_kind) == _workbook_bytes(Worksheet, every_kind)

    out = tmp_path / "out"
    for folder in (generated, DEMO):
        for report in _reports(folder, language, out):
            report.save()
            path = out / report.params.org_number / "actions.xlsx"
            _fill_tracking(path)
            previous = path.read_bytes()
            report.save()
            fast = path.read_bytes()
            path.write_bytes(previous)
            with pytest.MonkeyPatch.context() as mp:
                mp.setattr(_xlsx_sheet, "SHEET_CLASS", Worksheet)
                report.save()
            assert path.read_bytes() == fast, report.params.org_number


def test_packages_per_role_read_once_per_lookups() -> None:
    """`Lookups.packages_for_role` from the role-package table read once: what `Catalogue.packages_for_role`
    (a filter and a join per role) gives, for every role by code, legacy code and urn, every organisation form in
    any case, and unknown ones; a catalogue whose package urns repeat is left to the query."""
    from types import SimpleNamespace

    from altinn_analysis.impact import _context
    from altinn_analysis.impact._context import Lookups
    from altinn_analysis.report import load_catalogues

    catalogue, dsop = load_catalogues()
    lk = Lookups(catalogue, dsop)
    assert lk._by_variant is not None
    roles = catalogue.roles
    keys = {str(v) for c in ("code", "legacy_code") if c in roles.columns for v in roles[c].drop_nulls()}
    keys |= {str(v) for v in roles["urn"].drop_nulls().head(5)} if "urn" in roles.columns else set()
    variants = {str(v) for v in catalogue.role_packages["variant"].drop_nulls()}
    forms = variants | {min(variants).lower(), "XYZ"}
    checked = 0
    for role in sorted(keys | {"NOSUCHROLE", " dagl "}):
        for form in sorted(forms):
            assert lk.packages_for_role(role, form) == sorted(catalogue.packages_for_role(role, form)["urn"])
            checked += bool(lk.packages_for_role(role, form))
    assert checked > 20
    repeated = SimpleNamespace(
        access_packages=pl.concat([catalogue.access_packages, catalogue.access_packages.head(1)]),
        role_packages=catalogue.role_packages,
    )
    assert _context._packages_by_role_variant(repeated) is None  # type: ignore[arg-type]


def test_consents_aggregated_once_for_assessment_and_chart(generated: Path) -> None:
    """`impact.consent_summary` (one aggregation per report, shared): the per-service sums the consent findings
    are decided on and the chart's groups are what each one's own queries gave, at several dates, also with
    consents without an end or a count, with none active and with no consents."""
    import cells_before as before

    from altinn_analysis.impact import consent_summary
    from altinn_analysis.impact._consents import consent_sums, evaluate_consents
    from altinn_analysis.impact._context import Context
    from altinn_analysis.report._shared import shared_lookups
    from altinn_analysis.report.figures import consent

    days = [AS_OF, date(2024, 1, 1), date(2026, 6, 19), date(2030, 6, 1)]
    for folder in (generated, DEMO):
        for report in _reports(folder, "nb"):
            boundary = report.dsop.milestone_date("altinn2-closed")
            lk = shared_lookups(report.catalogue, report.dsop)
            c = report.inventory.consents
            i = pl.int_range(pl.len())
            odd = c.with_columns(
                pl.when(i % 7 == 0).then(None).otherwise(pl.col("valid_to")).alias("valid_to"),
                pl.when(i % 11 == 0).then(None).otherwise(pl.col("count")).alias("count"),
            )
            for consents in (c, odd, c.with_columns(pl.lit("expired").alias("status")), c.clear()):
                inventory = dataclasses.replace(report.inventory, consents=consents)
                for day in days:
                    ctx = Context(lk, inventory, day, "nb")
                    sums = consent_sums(consents, day, boundary)
                    assert sums == before.consent_sums(consents, day, boundary)
                    assert ctx.boundary == boundary
                    assert len(evaluate_consents(ctx)) == len(sums[0])  # one finding per Altinn 2 service
                    assert sorted(consent.consent_groups(consents, day, boundary)) == sorted(
                        before.consent_groups(consents, day, boundary)
                    )
                    assert consent_summary(consents, day, boundary) is consent_summary(consents, day, boundary)
