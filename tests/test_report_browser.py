"""The report in a real browser (Debian's headless Chromium): at 1280 px and at 400 px wide, every chart draws and
nothing runs off the side; a report.html forwarded on its own says plainly why it has no charts (never blank
space); the standalone page draws its charts with no other file; report.pdf is A4 with one page per section.

Screenshots of both widths are kept in the test's temporary folder (and in `$AA_SCREENSHOTS` when set) so a
person can look at them.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from datetime import date
from pathlib import Path

import pytest

from altinn_analysis.report._forward import CHROMIUM_FLAGS, find_chromium, print_pdf, standalone_html
from altinn_analysis.report._runner import RunOptions, RunResult, run_reports

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "data" / "institutions"
AS_OF = date(2026, 11, 28)
ORGS = ["310426172", "316537200"]  # the richest report, and a bank with consents

# Added to a copy of the page: after load, measure what the reader would see and write it into the DOM.
PROBE = """
<script>
window.addEventListener("load", () => setTimeout(() => {
  const de = document.documentElement;
  const figures = [...document.querySelectorAll(".aa-figure")];
  const shown = figures.filter(f => getComputedStyle(f).display !== "none");
  const drawn = shown.filter(f => {
    const svg = f.querySelector(".main-svg");
    return svg && svg.getBoundingClientRect().height > 50 &&
      svg.getBoundingClientRect().width <= f.getBoundingClientRect().width + 1;
  });
  const wide = [...document.querySelectorAll("body *")]
    .filter(e => !e.closest(".table-scroll") && !e.closest(".aa-figure"))
    .filter(e => e.getBoundingClientRect().right > de.clientWidth + 1)
    .map(e => e.tagName + "." + e.className).slice(0, 5);
  const notice = document.querySelector(".charts-missing");
  const out = {
    width: de.clientWidth, scrollWidth: de.scrollWidth, figures: figures.length, shown: shown.length,
    drawn: drawn.length, wide: wide,
    notice: notice ? getComputedStyle(notice).display !== "none" && notice.getBoundingClientRect().height > 0 : null,
    text: notice ? notice.textContent : ""
  };
  parent.postMessage(JSON.stringify(out), "*");
}, 300));
</script>
"""
# Headless Chromium's window is at least 500 px wide: a phone's width is an iframe of that width in a wrapper page,
# which writes what the probe inside measured into its own DOM.
WRAPPER = """<!DOCTYPE html><html><body style="margin:0">
<iframe src="{src}" style="width:{width}px;height:1000px;border:0;display:block"></iframe>
<script>
window.addEventListener("message", e => {{
  const pre = document.createElement("pre"); pre.id = "aa-probe"; pre.textContent = e.data;
  document.body.appendChild(pre);
}});
</script></body></html>
"""


def _chromium() -> str:
    binary = find_chromium()
    if binary is None:
        if os.environ.get("ALTINN_SKIP_BROWSER") == "1":
            pytest.skip("ALTINN_SKIP_BROWSER=1")
        pytest.fail("Debian's chromium is needed for the browser test (apt-get install chromium)")
    return binary


def _chrome(page: Path, profile: Path, width: int, *extra: str, height: int = 1000) -> str:
    args = [
        _chromium(),
        *CHROMIUM_FLAGS,
        "--host-resolver-rules=MAP * ~NOTFOUND",  # no network at all
        f"--user-data-dir={profile}",
        f"--window-size={max(width, 500)},{height}",
        "--hide-scrollbars",
        "--virtual-time-budget=8000",
        *extra,
        page.as_uri(),
    ]
    return subprocess.run(args, capture_output=True, text=True, timeout=180, check=True).stdout


def probe(page: Path, width: int, tmp: Path) -> dict[str, object]:
    """Open a copy of `page` (beside the original, so relative links still work) at `width` px and measure."""
    copy = page.with_name(f".probe-{width}-{page.name}")
    wrapper = page.with_name(f".wrapper-{width}-{page.name}")
    copy.write_text(page.read_text(encoding="utf-8").replace("</body>", PROBE + "</body>"), encoding="utf-8")
    wrapper.write_text(WRAPPER.format(src=copy.name, width=width), encoding="utf-8")
    try:
        dom = _chrome(wrapper, tmp / f"profile-{width}-{page.stem}", width, "--dump-dom")
    finally:
        copy.unlink()
        wrapper.unlink()
    match = re.search(r'<pre id="aa-probe">(.*?)</pre>', dom, re.S)
    assert match, f"the probe did not run on {page}"
    result: dict[str, object] = json.loads(match[1].replace("&quot;", '"').replace("&amp;", "&"))
    return result


def screenshot(page: Path, width: int, out: Path) -> Path:
    """The top of the page at `width` px (a tall window: the first screens a reader sees)."""
    wrapper = page.with_name(f".shot-{width}-{page.name}")
    wrapper.write_text(WRAPPER.format(src=page.name, width=width).replace("1000px", "4000px"), encoding="utf-8")
    try:
        _chrome(wrapper, out.parent / f"profile-shot-{width}", width, f"--screenshot={out}", height=4000)
    finally:
        wrapper.unlink()
    keep = os.environ.get("AA_SCREENSHOTS")
    if keep:
        Path(keep).mkdir(parents=True, exist_ok=True)
        shutil.copy(out, Path(keep) / out.name)
    return out


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> RunResult:
    _chromium()
    root = tmp_path_factory.mktemp("reports")
    options = RunOptions(out_root=root, as_of=AS_OF, inventory_dir=DEMO, workers=2, pdf=True, standalone=True)
    result = run_reports(options, ORGS)
    assert result.ok, result.institutions
    return result


@pytest.mark.parametrize("width", [1280, 400])
@pytest.mark.parametrize("page", ["310426172/report.html", "316537200/report.html", "index.html"])
def test_every_chart_draws_and_nothing_overflows(run: RunResult, page: str, width: int, tmp_path: Path) -> None:
    path = run.run_dir / page
    seen = probe(path, width, tmp_path)
    assert seen["figures"], seen
    assert seen["drawn"] == seen["figures"] == seen["shown"], f"{page} at {width} px: {seen}"
    assert seen["scrollWidth"] == seen["width"] == width, f"{page} runs off the side at {width} px: {seen}"
    assert seen["wide"] == [], seen
    assert seen["notice"] is False, "plotly.js is there: the charts notice must be hidden"
    shot = screenshot(path, width, tmp_path / f"{page.replace('/', '-')}-{width}.png")
    assert shot.stat().st_size > 10_000


def test_the_overflow_check_can_fail(tmp_path: Path) -> None:
    """A page wider than the phone, and a chart container that never drew, are both caught."""
    page = tmp_path / "wide.html"
    page.write_text(
        '<html><body><div style="width:900px">wide</div><div class="aa-figure"><div id="x"></div></div></body></html>',
        encoding="utf-8",
    )
    seen = probe(page, 400, tmp_path)
    assert seen["scrollWidth"] == 900 + 8 or int(str(seen["scrollWidth"])) > 400, seen
    assert seen["wide"] and seen["drawn"] == 0 and seen["figures"] == 1, seen


def test_a_forwarded_page_says_why_it_has_no_charts(run: RunResult, tmp_path: Path) -> None:
    """report.html sent on its own (plotly.js not beside it): no blank chart space, a visible notice instead."""
    alone = tmp_path / "mail" / "report.html"
    alone.parent.mkdir()
    shutil.copy(run.run_dir / ORGS[0] / "report.html", alone)
    seen = probe(alone, 1280, tmp_path)
    assert seen["figures"] and seen["shown"] == 0, seen  # no chart takes space
    assert seen["notice"] is True, seen
    assert f"{AS_OF.isoformat()}/{ORGS[0]}/" in str(seen["text"]) and "report.pdf" in str(seen["text"])
    assert "Diagrammene vises ikke" in str(seen["text"])  # in the report's language


def test_the_standalone_page_needs_no_other_file(run: RunResult, tmp_path: Path) -> None:
    alone = tmp_path / "mail" / "report-standalone.html"
    alone.parent.mkdir()
    shutil.copy(run.run_dir / ORGS[0] / "report-standalone.html", alone)
    text = alone.read_text(encoding="utf-8")
    assert "<script src=" not in text
    seen = probe(alone, 1280, tmp_path)
    assert seen["figures"] and seen["drawn"] == seen["figures"], seen
    assert seen["notice"] is False


def test_standalone_html_inlines_plotly_once(tmp_path: Path) -> None:
    (tmp_path / "plotly-1.0.min.js").write_text("var Plotly = {}; // </script> inside", encoding="utf-8")
    page = '<head><script src="../plotly-1.0.min.js" charset="utf-8"></script></head><body>x</body>'
    (tmp_path / "org").mkdir()
    out = standalone_html(page, tmp_path / "org")
    assert out.count("<script") == 1 and "var Plotly = {};" in out and "<\\/script> inside" in out
    assert standalone_html("<body>no charts</body>", tmp_path) == "<body>no charts</body>"


def _pdf_pages(pdf: Path) -> list[tuple[float, float]]:
    """(width, height) in points of every page, read from the PDF's page objects."""
    data = pdf.read_bytes()
    boxes = re.findall(rb"/Type\s*/Page[^s].*?/MediaBox\s*\[\s*([\d.]+)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)", data, re.S)
    return [(float(x1) - float(x0), float(y1) - float(y0)) for x0, y0, x1, y1 in boxes]


def test_pdf_is_a4_with_a_page_per_section(run: RunResult) -> None:
    pdf = run.run_dir / ORGS[0] / "report.pdf"
    assert pdf.read_bytes().startswith(b"%PDF")
    pages = _pdf_pages(pdf)
    sections = (run.run_dir / ORGS[0] / "report.html").read_text(encoding="utf-8").count("<h2")
    assert len(pages) >= sections - 1, (len(pages), sections)  # each section after the summary starts a page
    assert all(abs(w - 595) < 3 and abs(h - 842) < 3 for w, h in pages), pages[:3]  # A4 portrait
    index = (run.run_dir / "index.html").read_text(encoding="utf-8")
    for org in ORGS:  # the sector page links each PDF, by organisation number
        assert f'href="{org}/report.pdf"' in index and f'href="{org}/report.html"' in index


def test_pdf_without_chromium_is_a_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from altinn_analysis.report._forward import PdfError

    monkeypatch.setenv("CHROMIUM", str(tmp_path / "no-such-chromium"))
    page = tmp_path / "report.html"
    page.write_text("<p>x</p>", encoding="utf-8")
    with pytest.raises(PdfError, match="chromium is not installed"):
        print_pdf(page, tmp_path / "report.pdf")
    assert not (tmp_path / "report.pdf").exists()


def test_missing_chromium_is_said_once_and_the_run_goes_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    from altinn_analysis.report import _forward

    monkeypatch.setenv("CHROMIUM", str(tmp_path / "no-such-chromium"))
    monkeypatch.setattr(_forward, "_warned", False)
    for org in ("a", "b"):
        folder = tmp_path / org
        folder.mkdir()
        (folder / "report.html").write_text("<p>x</p>", encoding="utf-8")
        assert _forward.write_forward_copies(folder, "<p>x</p>", pdf=True, standalone=False) == []
    assert [r.message for r in caplog.records].count(
        "chromium is not installed (Debian: apt-get install chromium): reports are made without PDF"
    ) == 1
