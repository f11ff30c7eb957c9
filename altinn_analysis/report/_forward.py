"""Reports made to be forwarded: a single-file HTML for e-mail, and a PDF printed by headless Chromium.

Both start from the same `report.html` the runner writes. The standalone page carries plotly.js inline (~4.8 MB,
so it opens anywhere with its charts); the PDF is that page printed on A4 by Debian's `chromium`, with the
page's print stylesheet (a page break before each section, charts kept whole).
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

__all__ = [
    "CHROMIUM_FLAGS",
    "PDF_NAME",
    "STANDALONE_NAME",
    "PdfError",
    "find_chromium",
    "forward_names",
    "print_pdf",
    "standalone_html",
    "write_forward_copies",
]

log = logging.getLogger("altinn_analysis.report")

# Headless, no sandbox (containers, CI), and nothing that reaches out to the network or a profile.
CHROMIUM_FLAGS: tuple[str, ...] = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)
# The window the charts are drawn in before printing: about the printable width of A4 at 96 dpi, so a chart
# drawn on screen fits the page instead of being cut at its right edge.
PRINT_WINDOW = "760,1100"
_NAMES = ("chromium", "chromium-browser", "google-chrome")
_SCRIPT_SRC = re.compile(r'<script src="(?P<src>[^"]*plotly[^"]*\.js)" charset="utf-8"></script>')


class PdfError(RuntimeError):
    """Chromium could not print the page."""


def find_chromium() -> str | None:
    """The Chromium binary (`$CHROMIUM`, else the first of chromium, chromium-browser, google-chrome on PATH)."""
    explicit = os.environ.get("CHROMIUM")
    if explicit:
        return explicit if Path(explicit).is_file() else shutil.which(explicit)
    for name in _NAMES:
        found = shutil.which(name)
        if found:
            return found
    return None


def print_pdf(page: Path, pdf: Path, *, chromium: str | None = None, timeout: float = 90.0) -> Path:
    """Print the HTML file `page` to `pdf` (A4) with headless Chromium, in a fresh profile folder.

    The PDF is written beside its target first and renamed into place, so a failed print leaves nothing.
    Raises PdfError when Chromium is missing, fails, times out or writes no PDF."""
    binary = chromium or find_chromium()
    if binary is None:
        raise PdfError("chromium is not installed (Debian: apt-get install chromium); no PDF was made")
    pdf.parent.mkdir(parents=True, exist_ok=True)
    tmp_pdf = pdf.with_name(f".{pdf.name}.{os.getpid()}.tmp")
    with tempfile.TemporaryDirectory(prefix="aa-chromium-") as profile:
        command = [
            binary,
            *CHROMIUM_FLAGS,
            f"--user-data-dir={profile}",
            f"--window-size={PRINT_WINDOW}",
            "--no-pdf-header-footer",
            "--virtual-time-budget=10000",  # let the charts finish drawing before the page is printed
            f"--print-to-pdf={tmp_pdf}",
            page.resolve().as_uri(),
        ]
        try:
            done = subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=False)
        except subprocess.TimeoutExpired as exc:
            tmp_pdf.unlink(missing_ok=True)
            raise PdfError(f"chromium did not print {page.name} within {timeout:.0f} s") from exc
    try:
        if done.returncode != 0 or not tmp_pdf.is_file() or tmp_pdf.stat().st_size == 0:
            tail = " ".join((done.stderr or "").strip().splitlines()[-2:])[:300]
            raise PdfError(f"chromium could not print {page.name} (exit {done.returncode}): {tail}")
        tmp_pdf.replace(pdf)
    finally:
        tmp_pdf.unlink(missing_ok=True)
    return pdf


def standalone_html(page: str, folder: Path) -> str:
    """`page` with its plotly.js `<script src>` (relative to `folder`) replaced by the script itself: one file
    that shows its charts wherever it is opened, e.g. as an e-mail attachment."""
    match = _SCRIPT_SRC.search(page)
    if match is None:
        return page
    script = (folder / match["src"]).resolve()
    if not script.is_file():
        from plotly.offline import get_plotlyjs

        code = get_plotlyjs()
    else:
        code = script.read_text(encoding="utf-8")
    # "</script" inside the inlined code would end the element early.
    code = code.replace("</script", "<\\/script")
    return page[: match.start()] + f'<script charset="utf-8">{code}</script>' + page[match.end() :]


PDF_NAME = "report.pdf"
STANDALONE_NAME = "report-standalone.html"
_warned = False


def forward_names(pdf: bool, standalone: bool) -> tuple[str, ...]:
    """The extra files a run asked for, besides report.html."""
    return (*((PDF_NAME,) if pdf else ()), *((STANDALONE_NAME,) if standalone else ()))


def _chromium_or_warn() -> str | None:
    global _warned
    binary = find_chromium()
    if binary is None and not _warned:
        _warned = True
        log.warning("chromium is not installed (Debian: apt-get install chromium): reports are made without PDF")
    return binary


def write_forward_copies(folder: Path, page: str, *, pdf: bool, standalone: bool) -> list[str]:
    """Next to `folder/report.html` (whose text is `page`): the standalone HTML and the PDF, as asked.

    A missing Chromium is said once per process and the run goes on; a PDF that fails is logged and left out,
    never costing the HTML report. Returns the names written."""
    from altinn_analysis.report._html import write_text_atomic

    written: list[str] = []
    if standalone:
        write_text_atomic(folder / STANDALONE_NAME, standalone_html(page, folder))
        written.append(STANDALONE_NAME)
    if pdf:
        binary = _chromium_or_warn()
        if binary is not None:
            try:
                print_pdf(folder / "report.html", folder / PDF_NAME, chromium=binary)
                written.append(PDF_NAME)
            except PdfError as exc:
                log.warning("%s: %s", folder.name, exc)
    return written
