"""One language per output: the nb outputs hold no English report vocabulary, and the en outputs no bokmål.

The pages, the sector page and the workbook are built by the runner in each language, then every piece of text
a reader sees is scanned for the other language's words: headings, prose, column headers, coded values
(status, severity, area, certainty, institution type), chart titles, axes, legends and node labels.

Text that comes from the findings themselves (subject, action, detail, Altinn 3 target) is written by the rules
engine from `data/dsop` and the catalogue, not by the report layer: it is scanned in a separate test, marked
as an expected failure while the engine and the curated data still have one-language prose.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import date
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from altinn_analysis.inventory import load_inventory
from altinn_analysis.report import SectorReport
from altinn_analysis.report._runner import RunOptions, RunResult, run_reports

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "data" / "institutions"
AS_OF = date(2026, 11, 28)
# A bank with roles, consents and vendors; a savings bank (its type must be localised); a finance company.
ORGS = ["310426172", "312450380", "313182657"]
# "reason" (the verdict per service) quotes the subjects of the findings that decide it.
PROSE_COLUMNS = {"subject", "action", "detail", "altinn3_target", "value", "reason"}
DATA_COLUMNS = {"file", "sha256", "name", "org_number"}  # file names, checksums, proper nouns: no language

# Words of one language that must never appear in the other's output (whole words, any case).
ENGLISH = [
    "open",
    "overdue",
    "critical",
    "high",
    "medium",
    "low",
    "done",
    "at risk",
    "unknown",
    "not applicable",
    "inferred",
    "documented",
    "savings bank",
    "savings_bank",
    "finance_company",
    "at_risk",
    "not_applicable",
    "branch",
    "insurer",
    "pension company",
    "holders",
    "deadline",
    "deadlines",
    "readiness",
    "roles",
    "consents",
    "integrations",
    "messaging",
    "findings",
    "no data",
    "as of",
    "explicit delegation",
    "needs explicit",
    "operated by",
    "delegation through",
    "the",
    "and",
    "with",
]
BOKMAL = [
    "ferdig",
    "tiltak",
    "risiko",
    "ukjent",
    "ikke relevant",
    "kritisk",
    "høy",
    "middels",
    "lav",
    "utledet",
    "dokumentert",
    "sparebank",
    "finansieringsforetak",
    "filial",
    "innehaver",
    "innehavere",
    "frist",
    "frister",
    "beredskap",
    "roller",
    "samtykker",
    "integrasjoner",
    "meldinger",
    "funn",
    "ingen",
    "og",
    "av",
    "til",
    "med",
    "gjelder",
    "deleger",
    "avklar",
]
FORBIDDEN = {"nb": ENGLISH, "en": BOKMAL}


def _pattern(words: list[str]) -> re.Pattern[str]:
    return re.compile(r"(?<![\w-])(" + "|".join(re.escape(w) for w in words) + r")(?![\w-])", re.IGNORECASE)


def leaks(texts: list[str], language: str, names: set[str]) -> list[str]:
    """The texts holding a word of the other language (institution names, which are proper nouns, removed)."""
    pattern = _pattern(FORBIDDEN[language])
    out = []
    for text in texts:
        clean = text
        for name in sorted(names, key=len, reverse=True):  # longest first: "EU-03" is part of "EU-03 krav …"
            clean = clean.replace(name, " ")
        if pattern.search(clean):
            out.append(text)
    return sorted(set(out))


class _Text(HTMLParser):
    """Visible text of a page, split into the report's own text and the findings prose (by column)."""

    def __init__(self) -> None:
        super().__init__()
        self.own: list[str] = []
        self.prose: list[str] = []
        self.skip = 0
        self.columns: list[str] = []
        self.col = -1
        self.in_cell = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag in ("script", "style"):
            self.skip += 1
        elif tag == "thead":
            self.columns = []
        elif tag == "th":
            self.columns.append(a.get("data-col") or "")
        elif tag == "tr":
            self.col = -1
        elif tag == "td":
            self.col += 1
            self.in_cell = True

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self.skip -= 1
        elif tag == "td":
            self.in_cell = False

    def handle_data(self, data: str) -> None:
        text = data.strip()
        if self.skip or not text:
            return
        column = self.columns[self.col] if self.in_cell and 0 <= self.col < len(self.columns) else ""
        if column in DATA_COLUMNS:
            return
        (self.prose if column in PROSE_COLUMNS else self.own).append(text)


def page_text(path: Path) -> _Text:
    parser = _Text()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


def _strings(value: Any, key: str = "") -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for k, v in value.items():
            if k not in ("hovertext", "customdata", "hovertemplate", "texttemplate", "meta", "font", "color"):
                yield from _strings(v, k)
    elif isinstance(value, list | tuple):
        for v in value:
            yield from _strings(v, key)


def chart_text(page: Path) -> list[str]:
    """Titles, axes, legends, labels and annotations of every chart on a page (from its Plotly.newPlot calls);
    hover texts are left out: they quote findings prose."""
    source = page.read_text(encoding="utf-8")
    decoder = json.JSONDecoder()
    out: list[str] = []
    for match in re.finditer(r"Plotly\.newPlot\(\s*\"[^\"]+\",\s*", source):
        data, end = decoder.raw_decode(source, match.end())
        layout, _ = decoder.raw_decode(source, source.index("{", end))
        layout.pop("template", None)
        shown = [{k: v for k, v in trace.items() if k in ("name", "text", "x", "y", "node")} for trace in data]
        for text in [*_strings(layout), *(s for trace in shown for s in _strings(trace))]:
            out.append(re.sub(r"<[^>]+>", " ", text))
    assert out or "Plotly.newPlot" not in source
    return [t for t in out if t.strip()]


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, RunResult]:
    out = {}
    for language in ("nb", "en"):
        root = tmp_path_factory.mktemp(f"reports-{language}")
        options = RunOptions(out_root=root, as_of=AS_OF, inventory_dir=DEMO, language=language, workers=2)
        out[language] = run_reports(options, ORGS)
        assert out[language].ok, out[language].institutions
    return out


@pytest.fixture(scope="module")
def names() -> set[str]:
    """Proper nouns and the institution's own labels (holder ids, integration names): quoted as given, no language."""
    out: set[str] = set()
    for org in ORGS:
        inventory = load_inventory(DEMO / org)
        out.add(inventory.profile.name)
        out |= {str(v) for v in inventory.delegations["holder_id"].drop_nulls().unique()}
        out |= {str(v) for v in inventory.integrations["name"].drop_nulls().unique()}
    return {n for n in out if len(n) > 3}


def _pages(run: RunResult) -> list[Path]:
    return [run.run_dir / "index.html", *(run.run_dir / org / "report.html" for org in ORGS)]


@pytest.mark.parametrize("language", ["nb", "en"])
def test_pages_speak_one_language(runs: dict[str, RunResult], names: set[str], language: str) -> None:
    for page in _pages(runs[language]):
        text = page_text(page)
        assert text.own, page
        assert leaks(text.own, language, names) == [], page
        assert leaks(chart_text(page), language, names) == [], f"{page}: chart text"


@pytest.mark.parametrize("language", ["nb", "en"])
def test_workbook_speaks_one_language(runs: dict[str, RunResult], names: set[str], language: str) -> None:
    for org in ORGS:
        wb = load_workbook(runs[language].run_dir / org / "actions.xlsx")
        own: list[str] = []
        for i, ws in enumerate(wb.worksheets):
            own.append(ws.title)
            rows = list(ws.iter_rows(values_only=True))
            if i == 0:  # the summary: labels in column A, values (numbers, names, dates, provenance) beside
                own += [str(r[0]) for r in rows if r and isinstance(r[0], str)]
                continue
            header = [str(h) for h in rows[0]]
            own += header
            coded = [
                header.index(h)
                for h in header
                if h in ("Alvorlighet", "Status", "Område", "Sikkerhet", "Severity", "Area", "Certainty")
            ]
            own += [str(r[c]) for r in rows[1:] for c in coded if r[c] is not None]
        assert leaks(own, language, names) == [], org


def test_the_scan_finds_a_leak() -> None:
    """The check itself: an English word in a bokmål text is found, and a bokmål one in English."""
    assert leaks(["Åpne funn: 3 overdue"], "nb", set()) == ["Åpne funn: 3 overdue"]
    assert leaks(["Open findings: 3 forfalt", "Status: ferdig"], "en", set()) == ["Status: ferdig"]
    assert leaks(["Tindeby Sparebank"], "en", {"Tindeby Sparebank"}) == []
    assert leaks(["sikkerhet i koblingen: low"], "nb", set()) == ["sikkerhet i koblingen: low"]


def test_sector_report_labels_institution_types() -> None:
    sector = SectorReport.build(inventory_dir=DEMO, as_of=AS_OF, language="en")
    table = sector.table().body
    assert "savings bank" in table and "savings_bank" not in table
    nb = SectorReport.build(inventory_dir=DEMO, as_of=AS_OF, language="nb").table().body
    assert "sparebank" in nb and "savings_bank" not in nb and ">open<" not in nb


@pytest.mark.parametrize("language", ["nb", "en"])
def test_findings_prose_speaks_one_language(runs: dict[str, RunResult], names: set[str], language: str) -> None:
    found = {str(p): leaks(page_text(p).prose, language, names) for p in _pages(runs[language])}
    assert {p: v for p, v in found.items() if v} == {}
