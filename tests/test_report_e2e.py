"""End to end: `report --all` on the demo institutions, as `make report` runs it — files, numbers, browser."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from datetime import date
from html.parser import HTMLParser
from pathlib import Path

import polars as pl
import pytest
from openpyxl import load_workbook

from altinn_analysis.report import FIGURE_CLASS, InstitutionReport, check_report_parameters
from altinn_analysis.report._runner import OUTPUTS, RunOptions, RunResult, run_reports

pytestmark = pytest.mark.kernel  # one session-wide demo run on real kernels

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "data" / "institutions"
AS_OF = date(2026, 11, 28)
ORGS = sorted(p.name for p in DEMO.iterdir() if (p / "profile.yaml").exists())


@pytest.fixture(scope="session")
def demo_run(tmp_path_factory: pytest.TempPathFactory) -> RunResult:
    out = tmp_path_factory.mktemp("reports")
    return run_reports(RunOptions(out_root=out, as_of=AS_OF, inventory_dir=DEMO, workers=2))


class _Cards(HTMLParser):
    """Collects the summary cards' (label, value) pairs from a report page."""

    def __init__(self) -> None:
        super().__init__()
        self.cards: dict[str, str] = {}
        self._in: str | None = None
        self._value = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        cls = dict(attrs).get("class") or ""
        if tag == "div" and cls in ("value", "label"):
            self._in = cls

    def handle_data(self, data: str) -> None:
        if self._in == "value":
            self._value = data.strip()
        elif self._in == "label":
            self.cards[data.strip()] = self._value
        self._in = None


def test_every_expected_file(demo_run: RunResult) -> None:
    run_dir = demo_run.run_dir
    assert demo_run.ok, demo_run.failed
    assert sorted(demo_run.institutions) == ORGS
    for org in ORGS:
        for name in OUTPUTS:
            assert (run_dir / org / name).stat().st_size > 0, f"{org}/{name}"
    assert (run_dir / "index.html").exists() and (run_dir / "run.json").exists()
    assert len(list(run_dir.glob("plotly-*.min.js"))) == 1  # once per run folder
    assert not list(run_dir.glob(".*"))  # no temporary folders left behind


def test_html_numbers_equal_the_engine(demo_run: RunResult) -> None:
    for org in ORGS:
        page = (demo_run.run_dir / org / "report.html").read_text(encoding="utf-8")
        parser = _Cards()
        parser.feed(page)
        params = check_report_parameters(org_number=org, as_of=AS_OF, inventory_dir=DEMO)
        expected = InstitutionReport.build(params).key_figures()
        assert parser.cards["Beredskap"] == f"{expected['score']}/100", org
        assert parser.cards["Åpne funn"] == str(expected["open"]), org
        assert parser.cards["Forfalt"] == str(expected["overdue"]), org
        assert parser.cards["Kritiske"] == str(expected["critical"]), org
        findings = pl.read_parquet(demo_run.run_dir / org / "findings.parquet")
        assert findings.height == expected["findings"]
        wb = load_workbook(demo_run.run_dir / org / "actions.xlsx")
        assert wb["Alle tiltak"].max_row - 1 == expected["open"]


def test_html_has_no_code_and_is_small(demo_run: RunResult) -> None:
    for org in ORGS:
        page = (demo_run.run_dir / org / "report.html").read_text(encoding="utf-8")
        assert len(page.encode()) <= 300_000, f"{org}: {len(page.encode())} bytes"
        assert "InstitutionReport.build" not in page and "report.summary()" not in page
        assert "jp-InputArea" not in page and 'class="input"' not in page
        # Four charts, each drawn or (no data) replaced by one sentence: never an empty "no data" chart.
        assert page.count(f'class="{FIGURE_CLASS}"') + page.count('class="aa-nofigure"') == 4
        assert "Ingen data" not in page
        assert re.search(r'<script src="\.\./plotly-[\d.]+\.min\.js"', page)
        assert "https://cdn" not in page


def test_sector_page_links_every_report(demo_run: RunResult) -> None:
    page = (demo_run.run_dir / "index.html").read_text(encoding="utf-8")
    for org in ORGS:
        assert f'href="{org}/report.html"' in page
    assert page.count(f'class="{FIGURE_CLASS}"') == 2


def test_run_json(demo_run: RunResult) -> None:
    record = json.loads((demo_run.run_dir / "run.json").read_text(encoding="utf-8"))
    assert record["summary"] == {"ok": len(ORGS), "unchanged": 0, "failed": 0, "invalid": 0}
    entry = record["institutions"][ORGS[0]]
    assert set(entry["inputs"]) == {"snapshot", "dsop", "notebook", "tool_version", "as_of", "language", "inventory"}
    assert entry["outputs"] == [f"{ORGS[0]}/{n}" for n in OUTPUTS]
    params = check_report_parameters(org_number=ORGS[0], as_of=AS_OF, inventory_dir=DEMO)
    assert entry["facts"]["score"] == InstitutionReport.build(params).score


# -- a real browser ---------------------------------------------------------------------------------------------

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


def _browse(url: str, profile: Path) -> tuple[str, str]:
    if CHROMIUM is None:
        if os.environ.get("ALTINN_SKIP_BROWSER") == "1":
            pytest.skip("ALTINN_SKIP_BROWSER=1")
        pytest.fail(
            "Debian's chromium is needed for the browser test (`.ci/run` installs it: apt-get install chromium)"
        )
    args = [
        CHROMIUM,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        # No network at all: every host name fails to resolve.
        "--host-resolver-rules=MAP * ~NOTFOUND",
        f"--user-data-dir={profile}",
        "--enable-logging=stderr",
        "--v=0",
        "--virtual-time-budget=5000",
        "--dump-dom",
        url,
    ]
    done = subprocess.run(args, capture_output=True, text=True, timeout=120, check=True)
    return done.stdout, done.stderr


def _console_errors(log: str) -> list[str]:
    return [line for line in log.splitlines() if ":CONSOLE" in line or "Uncaught" in line]


def _figures_rendered(dom: str) -> list[bool]:
    chunks = dom.split(f'class="{FIGURE_CLASS}"')[1:]
    return ["main-svg" in chunk.split(f'class="{FIGURE_CLASS}"')[0] for chunk in chunks]


@pytest.mark.browser
@pytest.mark.parametrize("page", ["report", "index"])
def test_pages_render_offline_in_chromium(demo_run: RunResult, page: str, tmp_path: Path) -> None:
    path = demo_run.run_dir / (f"{ORGS[0]}/report.html" if page == "report" else "index.html")
    dom, log = _browse(path.as_uri(), tmp_path / "profile")
    rendered = _figures_rendered(dom)
    assert rendered and all(rendered), f"{page}: chart containers without an SVG: {rendered}"
    assert _console_errors(log) == []


def test_the_browser_check_can_fail(tmp_path: Path) -> None:
    """The same check on a page without plotly.js: charts stay empty and the console reports the error."""
    broken = tmp_path / "broken.html"
    broken.write_text(
        f'<html><body><div class="{FIGURE_CLASS}"><div id="x"></div>'
        '<script>Plotly.newPlot("x", [{"y": [1, 2]}]);</script></div></body></html>',
        encoding="utf-8",
    )
    dom, log = _browse(broken.as_uri(), tmp_path / "profile")
    assert _figures_rendered(dom) == [False]
    assert any("Plotly is not defined" in line for line in _console_errors(log))
