"""`SectorReport`: every institution side by side, for `sector_overview.ipynb` and `reports/<as_of>/index.html`."""

from __future__ import annotations

import html
import io
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import polars as pl

from altinn_analysis.catalogue import Catalogue, DsopCatalogue
from altinn_analysis.impact import (
    FINDINGS_SCHEMA,
    area_scores,
    assess_many,
    common_findings,
    sector_summary,
    verdicts,
)
from altinn_analysis.inventory import Inventory, InventoryError, load_inventories
from altinn_analysis.report._display import Figure, Html, code_label, heading, paragraph, table_html
from altinn_analysis.report._params import check_language, resolve_as_of
from altinn_analysis.report._plan import institution_dirs, read_run_record
from altinn_analysis.report._shared import load_catalogues
from altinn_analysis.report._texts import label, t
from altinn_analysis.sources import FileReadError, read_file

__all__ = ["SectorReport", "institution_dirs"]

SUMMARY_COLUMNS = [
    "rank",
    "name",
    "org_number",
    "institution_type",
    "score",
    "open",
    "critical_count",
    "high_count",
    "overdue",
    "percentile",
]


_FINDINGS_MAX_BYTES = 256 * 1024 * 1024  # one institution's findings.parquet; a real one is well under 1 MB


@dataclass
class SectorReport:
    as_of: date
    language: str
    catalogue: Catalogue
    dsop: DsopCatalogue
    inventories: list[Inventory]
    findings: pl.DataFrame
    failed: dict[str, str] = field(default_factory=dict)  # folder name → why it was left out
    report_links: bool = False
    run_dir: Path | None = None  # the report run folder, when the page is built from it (for the PDF links)
    _institutions: pl.DataFrame | None = field(default=None, repr=False)
    _verdicts: dict[str, dict[str, str]] | None = field(default=None, repr=False)  # org → service → verdict

    @classmethod
    def build(
        cls,
        *,
        inventory_dir: str | Path,
        as_of: str | date,
        reference_dir: str | Path | None = None,
        language: str = "nb",
        report_links: bool = False,
        findings_dir: str | Path | None = None,
    ) -> SectorReport:
        """Assess every institution under `inventory_dir`; an invalid one is listed, never fatal.

        With `findings_dir` (a report run folder, `reports/<as_of>/`), the page shows the institutions whose
        reports are there: their findings (`<org_number>/findings.parquet`) are reused instead of assessing
        everything again. An institution without a report in that folder was not part of the run and is simply
        not shown (it is not an error).
        """
        check_language(language)
        day = resolve_as_of(as_of)
        catalogue, dsop = load_catalogues(Path(reference_dir) if reference_dir else None)
        if findings_dir not in (None, ""):
            return cls._from_run(Path(str(findings_dir)), inventory_dir, day, language, catalogue, dsop, report_links)
        inventories, failed = [], {}
        folders = institution_dirs(inventory_dir)
        loaded = load_inventories(folders, catalogue=catalogue, known_services=dsop.service_ids)  # checked together
        for folder, result in zip(folders, loaded, strict=True):
            if isinstance(result, InventoryError):
                failed[folder.name] = t("sector_reason_invalid", language, n=len(result.errors))
            else:
                inventories.append(result)
        findings = assess_many(catalogue, dsop, inventories, day, language=language)
        return cls(day, language, catalogue, dsop, inventories, findings, failed, report_links)

    @classmethod
    def _from_run(
        cls,
        run_dir: Path,
        inventory_dir: str | Path,
        day: date,
        language: str,
        catalogue: Catalogue,
        dsop: DsopCatalogue,
        report_links: bool,
    ) -> SectorReport:
        # What is there: every report published in this run folder (this run's and earlier runs' of the same
        # date and language), named from the run record. Institutions never built here are not listed at all.
        entries = read_run_record(run_dir).get("institutions", {})
        profiles, frames, failed = [], [], {}
        service_verdicts: dict[str, dict[str, str]] = {}
        for org, entry in sorted(entries.items() if isinstance(entries, dict) else ()):
            parquet = run_dir / org / "findings.parquet"
            if not parquet.is_file():
                if isinstance(entry, dict) and entry.get("status") in ("failed", "invalid"):
                    failed[org] = t("sector_reason_no_report", language)
                continue
            try:  # a file in a shared run folder: read as any input (regular file, no link, size limit)
                frames.append(pl.read_parquet(io.BytesIO(read_file(parquet, _FINDINGS_MAX_BYTES))))
            except (FileReadError, OSError, pl.exceptions.PolarsError):
                failed[org] = t("sector_reason_unreadable", language)
                continue
            facts = (entry.get("facts") or {}) if isinstance(entry, dict) else {}
            profiles.append(
                {
                    "org_number": org,
                    "name": str(facts.get("name") or org),
                    "institution_type": str(facts.get("institution_type") or ""),
                    "demo": bool(facts.get("demo", False)),
                }
            )
            given = facts.get("verdicts")
            service_verdicts[org] = {str(k): str(v) for k, v in given.items()} if isinstance(given, dict) else {}
        findings = pl.concat(frames) if frames else pl.DataFrame(schema=FINDINGS_SCHEMA)
        report = cls(day, language, catalogue, dsop, [], findings, failed, report_links, run_dir)
        report._institutions = pl.DataFrame(
            profiles,
            schema={"org_number": pl.String, "name": pl.String, "institution_type": pl.String, "demo": pl.Boolean},
        )
        report._verdicts = service_verdicts
        return report

    @property
    def institutions(self) -> pl.DataFrame:
        if self._institutions is not None:
            return self._institutions
        return pl.DataFrame(
            {
                "org_number": [i.org_number for i in self.inventories],
                "name": [i.profile.name for i in self.inventories],
                "institution_type": [i.profile.institution_type for i in self.inventories],
                "demo": [i.profile.demo for i in self.inventories],
            },
            schema={"org_number": pl.String, "name": pl.String, "institution_type": pl.String, "demo": pl.Boolean},
        )

    @property
    def service_verdicts(self) -> dict[str, dict[str, str]]:
        """{org number: {DSOP service id: ready | at_risk | blocked | unknown}} for every institution shown."""
        if self._verdicts is None:
            out = {}
            for inv in self.inventories:
                mine = self.findings.filter(pl.col("org_number") == inv.org_number)
                table = verdicts(mine, self.dsop, inv.profile.dsop_services, language=self.language)
                out[inv.org_number] = dict(table.select("service_id", "verdict").iter_rows())
            self._verdicts = out
        return self._verdicts

    def verdicts(self) -> Html:
        """Services × institutions: can each institution run each DSOP service today?"""
        lang = self.language
        given = self.service_verdicts
        services = [s for s in self.dsop.service_ids if any(s in v for v in given.values())]
        names = dict(self.institutions.select("org_number", "name").iter_rows())
        head = "".join(f"<th>{html.escape(s)}</th>" for s in services)
        rows = []
        for org in sorted(given, key=lambda o: (names.get(o, o), o)):
            cells = []
            for s in services:
                v = given[org].get(s)
                text = html.escape(code_label(v, lang))
                cells.append(f'<td class="verdict-{html.escape(v)}">{text}</td>' if v else '<td class="empty"></td>')
            rows.append(f"<tr><th>{html.escape(names.get(org, org))}</th>{''.join(cells)}</tr>")
        table = (
            f'<div class="table-scroll"><table class="findings verdicts"><thead><tr><th>'
            f"{html.escape(label('name', lang))}</th>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table></div>"
        )
        return heading(t("sector_verdicts_heading", lang)) + paragraph(t("sector_verdicts_intro", lang)) + Html(table)

    @property
    def summary_table(self) -> pl.DataFrame:
        return sector_summary(self.findings, self.institutions)

    def header(self) -> Html:
        out = heading(t("sector_title", self.language, as_of=self.as_of), 1) + paragraph(
            t("sector_intro", self.language)
        )
        if self.failed:
            orgs = ", ".join(f"{k} ({v})" for k, v in sorted(self.failed.items()))
            out += paragraph(t("sector_failed", self.language, n=len(self.failed), orgs=orgs))
        return out

    def table(self) -> Html:
        summary = self.summary_table.rename({"critical": "critical_count", "high": "high_count"})
        columns = list(SUMMARY_COLUMNS)
        links: dict[str, dict[str, str]] | None = None
        if self.report_links:
            # Linked by organisation number: names can repeat, the folder is the org number.
            orgs = summary["org_number"].to_list()
            links = {"name": {o: f"{o}/report.html" for o in orgs}}
            pdfs = {o: f"{o}/report.pdf" for o in orgs if self.run_dir and (self.run_dir / o / "report.pdf").is_file()}
            if pdfs:
                summary = summary.with_columns(pl.lit(label("pdf", self.language)).alias("pdf"))
                links["pdf"] = pdfs
                columns.append("pdf")
        return table_html(summary, self.language, columns=columns, links=links, link_by="org_number")

    def common(self, top: int = 10) -> Html:
        common = common_findings(self.findings, top=top)
        columns = ["area", "subject", "institutions", "holders", "worst_severity"]
        return heading(t("sector_common", self.language)) + table_html(common, self.language, columns=columns)

    def figure(self, name: str) -> Figure:
        """One of: heatmap, scores."""
        from altinn_analysis.report import figures as figures

        if name == "heatmap":
            names = self.summary_table
            spec = figures.sector_heatmap_spec(area_scores(self.findings), names, self.language)
        elif name == "scores":
            spec = figures.score_distribution_spec(self.summary_table, self.language)
        else:
            raise ValueError(f"unknown figure {name!r}")
        return Figure(spec, name)
