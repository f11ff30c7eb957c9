"""Forwardable outputs, timed on their own: report.pdf (headless Chromium) and the standalone HTML, printed.

    .venv/bin/python benchmarks/bench_pdf.py [--run-dir reports/<as_of>] [--limit N]

Takes the report.html files of an existing run folder (default: builds the demo institutions' reports into a
temporary folder first), then for each: prints it to PDF with `print_pdf` (one Chromium process per report, a
fresh profile each time, as the runner does) and writes the standalone page with `standalone_html`. Prints the
time per report, the sizes (report.html, report.pdf, standalone), the PDF page count, and the ratio of the PDF
time to the time the report itself took in that run (run.json). Nothing is asserted.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from altinn_analysis.report._forward import find_chromium, print_pdf, standalone_html  # noqa: E402


def _pages(pdf: Path) -> int:
    return len(re.findall(rb"/Type\s*/Page[^s]", pdf.read_bytes()))


def _build(out: Path) -> Path:
    from altinn_analysis.report._runner import RunOptions, run_reports

    options = RunOptions(out_root=out, as_of=date(2026, 11, 28), inventory_dir=ROOT / "data" / "institutions")
    return run_reports(options).run_dir


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--run-dir", type=Path, default=None)
    parser.add_argument("--limit", type=int, default=8)
    args = parser.parse_args()
    chromium = find_chromium()
    print(f"chromium: {chromium or 'not installed: no PDF timings'}")
    with tempfile.TemporaryDirectory() as tmp:
        run_dir = args.run_dir or _build(Path(tmp))
        record = json.loads((run_dir / "run.json").read_text(encoding="utf-8"))
        pages = sorted(run_dir.glob("*/report.html"))[: args.limit]
        rows = []
        for page in pages:
            org = page.parent.name
            start = time.perf_counter()
            text = standalone_html(page.read_text(encoding="utf-8"), page.parent)
            standalone_s = time.perf_counter() - start
            out = Path(tmp) / f"{org}.pdf"
            pdf_s = float("nan")
            if chromium:
                start = time.perf_counter()
                print_pdf(page, out, chromium=chromium)
                pdf_s = time.perf_counter() - start
            report_s = record.get("institutions", {}).get(org, {}).get("duration_s") or float("nan")
            rows.append(
                (
                    org,
                    page.stat().st_size,
                    len(text.encode()),
                    out.stat().st_size if chromium else 0,
                    _pages(out) if chromium else 0,
                    standalone_s,
                    pdf_s,
                    report_s,
                )
            )
    print(
        f"{'org':<10} {'html KB':>8} {'standalone KB':>14} {'pdf KB':>7} {'pages':>6} {'standalone s':>13} "
        f"{'pdf s':>6} {'report s':>9} {'pdf/report':>11}"
    )
    for org, html, alone, pdf, n, st, ps, rs in rows:
        print(
            f"{org:<10} {html / 1024:>8.1f} {alone / 1024:>14.0f} {pdf / 1024:>7.0f} {n:>6} {st:>13.3f} "
            f"{ps:>6.2f} {rs:>9.2f} {ps / rs if rs else float('nan'):>11.2f}"
        )
    if rows:
        print(
            f"median report.html {statistics.median(r[1] for r in rows) / 1024:.1f} KB; "
            f"median PDF {statistics.median(r[6] for r in rows):.2f} s per report "
            f"(sequential, one Chromium start each)"
        )


if __name__ == "__main__":
    main()
