"""`InstitutionReport`: everything one institution's report shows, as notebook-ready pieces.

The notebook only calls these methods; the numbers come from `impact`, the figures from `figures`, the prose
from `_texts`, the provenance section from `_provenance`. What every report of a process shares (the catalogues,
their lookups) is made once, in `_shared`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import polars as pl

from altinn_analysis.catalogue import Catalogue, DsopCatalogue
from altinn_analysis.impact import AREAS, OPEN_STATUSES, SEVERITIES, STATUSES, assess, readiness, verdicts
from altinn_analysis.inventory import Inventory, load_inventory
from altinn_analysis.report._display import Figure, Html, Saved, cards, heading, paragraph, table_html
from altinn_analysis.report._params import ReportParameters
from altinn_analysis.report._provenance import provenance_items, provenance_prose, provenance_section
from altinn_analysis.report._shared import load_catalogues, next_deadlines, package_names, shared_lookups
from altinn_analysis.report._texts import label, t

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

__all__ = ["AREA_COLUMNS", "TOP_SECTIONS", "InstitutionReport", "severity_grid"]

AREA_COLUMNS = ["severity", "status", "subject", "holders", "altinn3_target", "days_left", "certainty", "action"]
ACTION_COLUMNS = ["severity", "status", "area", "subject", "holders", "deadline", "days_left", "certainty", "action"]

# Sections shown right under the report header, in order: each takes the report and returns HTML. This is where
# a section that belongs above the findings (such as a verdict per DSOP service) is added.
TOP_SECTIONS: list[Callable[[InstitutionReport], Html]] = []  # filled below the class: verdicts first


def severity_grid(findings: pl.DataFrame) -> pl.DataFrame:
    """Open findings per area (every area, in order) and severity: the readiness chart's count as a table."""
    from altinn_analysis.report.figures.readiness import open_by_area

    per_area = open_by_area(findings)
    return pl.DataFrame(
        {"area": list(AREAS), **{s: [per_area.get(a, {}).get(s, 0) for a in AREAS] for s in SEVERITIES[:4]}}
    )


@dataclass
class InstitutionReport:
    params: ReportParameters
    catalogue: Catalogue
    dsop: DsopCatalogue
    inventory: Inventory
    findings: pl.DataFrame
    _verdicts: pl.DataFrame | None = field(default=None, init=False, repr=False, compare=False)
    _shown: pl.DataFrame | None = field(default=None, init=False, repr=False, compare=False)
    # Made once per report: several cells (and save) use each of these.
    _key_figures: dict[str, Any] | None = field(default=None, init=False, repr=False, compare=False)
    _dates: dict[str, str] | None = field(default=None, init=False, repr=False, compare=False)
    _by_area: dict[Any, pl.DataFrame] | None = field(default=None, init=False, repr=False, compare=False)

    @classmethod
    def build(cls, params: ReportParameters) -> InstitutionReport:
        """Load and assess for parameters checked by `check_report_parameters` (which names each parameter once;
        a bad one stops there, before any heavy work)."""
        catalogue, dsop = load_catalogues(params.reference_dir)
        inventory = load_inventory(params.inventory_dir, catalogue=catalogue, known_services=dsop.service_ids)
        if inventory.org_number != params.org_number:
            from altinn_analysis.report._params import ReportParameterError

            raise ReportParameterError(
                f"org_number = {params.org_number}, but {params.inventory_dir}/profile.yaml is for "
                f"{inventory.org_number}"
            )
        lookups = shared_lookups(catalogue, dsop)
        findings = assess(catalogue, dsop, inventory, params.as_of, language=params.language, lookups=lookups)
        return cls(params, catalogue, dsop, inventory, findings)

    # -- numbers --------------------------------------------------------------------------------------------

    @property
    def language(self) -> str:
        return self.params.language

    @property
    def score(self) -> int:
        return int(self.key_figures()["score"])

    @property
    def shown_findings(self) -> pl.DataFrame:
        """The findings as the reader sees them: a vendor's organisation number in the text is followed by the
        vendor's name from the profile (the findings themselves, and findings.parquet, keep the number)."""
        if self._shown is None:  # every section shows it: made once per report
            self._shown = self._named_findings()
        return self._shown

    def _named_findings(self) -> pl.DataFrame:
        vendors = {v.org_number: v.name for v in self.inventory.profile.vendors if v.name}
        if not vendors:
            return self.findings
        pattern = re.compile(r"\b(" + "|".join(sorted(vendors)) + r")\b")

        def named(m: re.Match[str]) -> str:
            return f"{vendors[m[1]]} ({m[1]})"

        # A few dozen rows: each text column rewritten in Python and put back in one step.
        columns = [c for c in ("subject", "action", "detail", "altinn3_target") if c in self.findings.columns]
        return self.findings.with_columns(
            pl.Series(c, [None if v is None else pattern.sub(named, v) for v in self.findings[c].to_list()], pl.String)
            for c in columns
        )

    @property
    def open_findings(self) -> pl.DataFrame:
        return self.findings.filter(pl.col("status").is_in(list(OPEN_STATUSES)))

    def key_figures(self) -> dict[str, Any]:
        """The numbers the summary shows (also what tests compare the HTML with)."""
        if self._key_figures is None:
            self._key_figures = self._count()
        return {**self._key_figures, "by_status": dict(self._key_figures["by_status"])}

    def _count(self) -> dict[str, Any]:
        f = self.findings
        is_open = pl.col("status").is_in(list(OPEN_STATUSES))
        counts = f.select(
            (is_open & (pl.col("days_left") < 0)).sum().alias("overdue"),
            (is_open & (pl.col("severity") == "critical")).sum().alias("critical"),
            is_open.sum().alias("open"),
            *[(pl.col("status") == s).sum().alias(s) for s in STATUSES],
        ).row(0, named=True)
        return {
            "score": int(readiness(f)["score"][0]),
            "findings": f.height,
            "open": int(counts["open"]),
            "overdue": int(counts["overdue"]),
            "critical": int(counts["critical"]),
            "by_status": {s: int(counts[s]) for s in STATUSES},
        }

    # -- sections -------------------------------------------------------------------------------------------

    def header(self) -> Html:
        p = self.inventory.profile
        lang = self.language
        return (
            heading(t("title", lang, name=p.name), 1)
            + paragraph(t("subtitle", lang, org_number=p.org_number, org_form=p.org_form, as_of=self.params.as_of))
            + paragraph(t("intro", lang, **self._milestone_dates()))
        )

    def _milestone_dates(self) -> dict[str, str]:
        """The dates the prose names, from the milestones table (never written into the texts)."""
        if self._dates is None:
            self._dates = {
                "closed": self.dsop.milestone_date("altinn2-closed").isoformat(),
                "last_submission": self.dsop.milestone_date("altinn2-last-submission-day").isoformat(),
            }
        return self._dates

    @property
    def service_verdicts(self) -> pl.DataFrame:
        """Can the institution run each DSOP service in its profile today? (`impact.verdicts`, one row each)"""
        if self._verdicts is None:
            # From the findings as shown, so a reason names the vendor as the findings tables do.
            services = self.inventory.profile.dsop_services
            self._verdicts = verdicts(self.shown_findings, self.dsop, services, language=self.language)
        return self._verdicts

    def verdicts(self) -> Html:
        """The first thing the report answers: ready, at risk, blocked or unknown per DSOP service, and why."""
        lang = self.language
        out = heading(t("verdicts_heading", lang), 2)
        table = self.service_verdicts
        if table.is_empty():
            return out + paragraph(t("verdicts_none", lang))
        return (
            out
            + paragraph(t("verdicts_intro", lang))
            + table_html(table, lang, columns=["name", "verdict", "reason"], css="findings verdicts")
        )

    def top(self) -> Html:
        """The sections shown right under the header, most important first (see `TOP_SECTIONS`)."""
        out = Html("")
        for section in TOP_SECTIONS:
            out += section(self)
        return out

    def summary(self) -> Html:
        lang = self.language
        k = self.key_figures()
        top = cards(
            [
                (t("score", lang), f"{k['score']}/100", "score"),
                (t("open", lang), k["open"], "open"),
                (t("overdue", lang), k["overdue"], "overdue" if k["overdue"] else ""),
                (t("critical", lang), k["critical"], "critical" if k["critical"] else ""),
            ]
        )
        status = pl.DataFrame({"status": list(STATUSES), "count": [k["by_status"][s] for s in STATUSES]})
        return (
            heading(t("summary", lang), css="lead")  # printed on the first page, under the title
            + paragraph(t("summary_intro", lang))
            + top
            + table_html(status, lang, css="compact", caption=t("by_status", lang))
            + table_html(severity_grid(self.findings), lang, css="compact", caption=t("by_severity", lang))
            + self.next_deadlines()
        )

    def next_deadlines(self) -> Html:
        """The deadlines from the report date on: the same in every report of a run (made once per milestones
        table, date and language)."""
        return next_deadlines(self.dsop.milestones, self.params.as_of, self.language)

    def area(self, area: str) -> Html:
        if area not in AREAS:
            raise ValueError(f"unknown area {area!r}; areas: {', '.join(AREAS)}")
        lang = self.language
        if self._by_area is None:  # one pass over the findings for the six areas
            self._by_area = self.shown_findings.partition_by("area", as_dict=True, include_key=True)
        rows = self._by_area.get((area,))
        rows = self.shown_findings.clear() if rows is None else rows
        body = table_html(rows, lang, columns=AREA_COLUMNS) if rows.height else paragraph(t("area_empty", lang))
        intro = t(f"area_{area}_intro", lang, **self._milestone_dates())
        return heading(t(f"area_{area}", lang)) + paragraph(intro) + body

    def actions(self) -> Html:
        lang = self.language
        rows = self.shown_findings.filter(pl.col("status").is_in(list(OPEN_STATUSES)))
        body = table_html(rows, lang, columns=ACTION_COLUMNS) if rows.height else paragraph(t("no_actions", lang))
        return heading(t("actions", lang)) + paragraph(t("actions_intro", lang)) + body

    def provenance_items(self) -> list[tuple[str, str]]:
        """The provenance facts as (label, value) in the report language: for the page and the workbook."""
        services = self.inventory.profile.dsop_services
        return provenance_items(self.catalogue.manifest, self.params.as_of, services, self.language)

    def provenance_prose(self) -> list[str]:
        """What the catalogue is, where it came from, how old it is, and a warning when it is stale."""
        return provenance_prose(self.catalogue.manifest, self.params.as_of, self.language)

    def provenance(self) -> Html:
        """Where the numbers come from, in plain words: what the catalogue is, when its content was recorded,
        how old it is (with a warning past `STALE_DAYS`), the DSOP catalogue, and the inventory files used."""
        return provenance_section(
            self.provenance_prose(),
            self.provenance_items(),
            self.inventory.file_hashes,
            self.findings["certainty"],
            self.language,
        )

    # -- for JupyterLab ---------------------------------------------------------------------------------------

    def styles(self) -> Html:
        """The report page's stylesheet as a fragment, so cards, tables and notices look the same in JupyterLab
        as in the exported page (which carries the stylesheet itself)."""
        from altinn_analysis.report._html import CSS

        return Html(f"<style>{CSS}</style>")

    def findings_frame(self) -> pl.DataFrame:
        """Every finding as a frame to sort and filter (`.sort("Frist")`, `.filter(...)`; `.to_pandas()` for
        pandas), with the report's column names and coded values in the report language."""
        from altinn_analysis.report._display import code_label

        lang = self.language
        columns = ["finding_id", "service_id", *AREA_COLUMNS[:1], "area", *AREA_COLUMNS[1:], "deadline", "detail"]
        source = self.shown_findings
        wanted = list(dict.fromkeys(columns))
        coded = [c for c in ("status", "severity", "area", "certainty") if c in wanted]
        if not source.height:  # no rows: the columns keep the dtype the mapping gives them
            frame = source.select(wanted).with_columns(pl.col(c).replace_strict({}, default=None) for c in coded)
            return frame.rename({c: label(c, lang) for c in frame.columns})
        # A few dozen rows: the frame made from its columns (no query), each coded column mapped in Python, one
        # label per distinct value.
        labels: dict[object, str] = {}
        made: list[pl.Series] = []
        for c in wanted:
            column = source[c]
            if c in coded:
                values = column.to_list()
                for v in values:
                    if v is not None and v not in labels:
                        labels[v] = code_label(v, lang)
                column = pl.Series(c, [None if v is None else labels[v] for v in values], dtype=pl.String)
            made.append(column.alias(label(c, lang)))
        return pl.DataFrame(made)

    # -- figures --------------------------------------------------------------------------------------------

    def figure(self, name: str) -> Figure:
        """One of: readiness, timeline, roles, consent."""
        from altinn_analysis.report import figures as figures

        lang = self.language
        if name == "readiness":
            spec = figures.readiness_by_area_spec(self.findings, lang, overall=self.score)
        elif name == "timeline":
            spec = figures.deadline_timeline_spec(self.dsop.milestones, self.findings, self.params.as_of, lang)
        elif name == "roles":
            names = package_names(self.catalogue.access_packages, lang)
            spec = figures.roles_sankey_spec(self.findings, self.inventory.delegations, self.dsop, lang, names)
        elif name == "consent":
            boundary = self.dsop.milestone_date("altinn2-closed")
            spec = figures.consent_expiry_spec(self.inventory.consents, self.params.as_of, boundary, lang)
        else:
            raise ValueError(f"unknown figure {name!r}")
        title = spec["layout"].get("title", {}).get("text") or name
        return Figure(spec, name, omitted=t("figure_omitted", lang, title=title))

    # -- files ----------------------------------------------------------------------------------------------

    def save(self, output_dir: str | Path | None = None) -> Saved:
        """Write findings.parquet and actions.xlsx into `output_dir` (default: the `output_dir` parameter).

        Displayed (the notebook's last cell), the result lists the files for a reader and hands the batch runner
        the report's key facts (`facts()`) with the executed notebook: no file to write and read back."""
        target = Path(output_dir) if output_dir is not None else self.params.output_dir
        if target is None:  # nothing to write: the workbook writer is not even imported
            return Saved({}, self.facts())
        from altinn_analysis.report.actions import write_actions_xlsx

        target.mkdir(parents=True, exist_ok=True)
        parquet = target / "findings.parquet"
        from altinn_analysis.sources import atomic_path

        with atomic_path(parquet) as tmp:  # a unique temporary name: two writers never collide
            self.findings.write_parquet(tmp, compression="zstd", statistics=False)
        xlsx = write_actions_xlsx(
            self.shown_findings,
            target / "actions.xlsx",
            language=self.language,
            institution=self.inventory.profile.name,
            org_number=self.inventory.org_number,
            as_of=self.params.as_of,
            score=self.score,
            provenance=[
                (label("catalogue_source", self.language), " ".join(self.provenance_prose()[1:])),
                *self.provenance_items(),
            ],
        )
        return Saved({"findings.parquet": parquet, "actions.xlsx": Path(xlsx)}, self.facts())

    def facts(self) -> Mapping[str, Any]:
        """Machine-readable key facts (for run.json and the sector page)."""
        p = self.inventory.profile
        return {
            "org_number": p.org_number,
            "name": p.name,
            "institution_type": p.institution_type,
            "as_of": self.params.as_of.isoformat(),
            "language": self.language,
            "title": t("title", self.language, name=p.name),
            "demo": p.demo,
            # service id → ready | at_risk | blocked | unknown: the sector page's services × institutions table
            "verdicts": dict(
                zip(*(self.service_verdicts[c].to_list() for c in ("service_id", "verdict")), strict=True)
            ),
            **{k: v for k, v in self.key_figures().items() if k != "by_status"},
        }


TOP_SECTIONS.append(InstitutionReport.verdicts)
