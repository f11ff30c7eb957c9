"""Turn one executed notebook into published files: export, scan, then move into place — or publish nothing.

Each institution is built in a temporary folder inside the run folder. Its outputs are scanned for secrets and
national identity numbers before the folder replaces the previous report; a hit, a missing output or any error
keeps the previous good report and records why (with the failing cell, counted as in the source notebook).
"""

from __future__ import annotations

import json
import logging
import shutil
import time
from collections.abc import Mapping
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from altinn_analysis._version import __version__
from altinn_analysis.report._plan import OUTPUTS, fingerprint

if TYPE_CHECKING:
    from altinn_analysis.report._executors import Workers
    from altinn_analysis.report._runner import InstitutionResult, RunOptions

__all__ = [
    "INVALID_INPUT_ERRORS",
    "build_institution",
    "build_sector_page",
    "error_details",
    "scan_outputs",
    "swap_into_place",
    "write_run_record",
]

log = logging.getLogger("altinn_analysis.report")

# Raised by the notebook's first cell when the institution's inputs are wrong: the institution is "invalid"
# (its inventory needs fixing), not "failed" (the report code or the machine has a problem).
INVALID_INPUT_ERRORS = ("InventoryError", "ReportParameterError", "SecretParameterError")
# papermill adds these cells to a failed notebook (a message at the top, an anchor before the failing cell).
_PAPERMILL_ERROR_TAG = "papermill-error-cell-tag"


def swap_into_place(tmp: Path, final: Path) -> None:
    """Replace `final` by the complete `tmp` folder; the old one survives until the new one is there."""
    from altinn_analysis.sources import replace_dir

    replace_dir(tmp, final)


def error_details(exc: BaseException, nb_path: Path | None) -> dict[str, Any]:
    """Which cell failed and why. `cell_index` counts the cells of the source notebook (neither papermill's
    injected parameters cell nor its error-message cells count); `executed_cell_index` is the index among the
    executed cells."""
    lines = str(exc).strip().splitlines()
    details: dict[str, Any] = {"type": type(exc).__name__, "message": (lines[-1] if lines else "")[:500]}
    executed = getattr(exc, "cell_index", None)  # papermill's index, before it inserted its error cells
    source = getattr(exc, "source", None)
    cells: list[dict[str, Any]] = []
    if nb_path is not None and nb_path.exists():
        try:
            cells = json.loads(nb_path.read_text(encoding="utf-8")).get("cells", [])
        except (OSError, ValueError):
            cells = []
    cells = [c for c in cells if _PAPERMILL_ERROR_TAG not in c.get("metadata", {}).get("tags", [])]
    if executed is None:
        for i, cell in enumerate(cells):
            if any(o.get("output_type") == "error" for o in cell.get("outputs", [])):
                executed, source = i, "".join(cell.get("source", ""))
                break
    if executed is not None:
        injected = sum("injected-parameters" in c.get("metadata", {}).get("tags", []) for c in cells[: int(executed)])
        details["cell_index"] = int(executed) - injected
        details["executed_cell_index"] = int(executed)
        details["source"] = (source or "")[:300]
    ename, evalue = getattr(exc, "ename", None), getattr(exc, "evalue", None)
    if ename:
        details["error"] = f"{ename}: {evalue}"[:2000]
        details["ename"] = ename
    return details


def scan_outputs(folder: Path) -> list[str]:
    """Secrets or identity numbers in the files of `folder`, as `kind in file` (the value is never repeated)."""
    from altinn_analysis.secret_guard import scan_path

    return sorted({f"{f.kind} in {Path(f.location.split(':')[0].split('!')[0]).name}" for f in scan_path(folder)})


def _title(facts: Mapping[str, Any], org: str) -> str:
    return str(facts.get("title") or org)


def build_institution(
    org: str, inputs: dict[str, str], options: RunOptions, run_dir: Path, plotly_js: str, workers: Workers
) -> InstitutionResult:
    """Execute, export, scan and publish one institution's report; any failure is recorded, never raised."""
    from altinn_analysis.report._display import facts_in
    from altinn_analysis.report._executors import execute_notebook
    from altinn_analysis.report._html import notebook_to_html, write_text_atomic
    from altinn_analysis.report._runner import InstitutionResult

    start = time.perf_counter()
    result = InstitutionResult(org, "failed", fingerprint(inputs), inputs)
    from altinn_analysis.report._forward import write_forward_copies
    from altinn_analysis.report.actions import seed_tracking
    from altinn_analysis.sources import make_temp_dir

    tmp = make_temp_dir(run_dir, org)
    nb_path = tmp / "report.ipynb"
    phases: dict[str, float] = {}  # seconds per step, for the benchmark's breakdown
    try:
        try:
            parameters = options.parameters.for_institution(org, tmp).notebook()
        except ValueError as exc:  # ReportParameterError, SecretParameterError: never reaches a kernel
            result.status = "invalid"
            result.error = {"type": type(exc).__name__, "message": str(exc)[:2000]}
            return result
        seed_tracking(options.out_root, options.as_of, org, tmp)  # owner/progress/comment survive the re-run
        nb = execute_notebook(options.notebooks_dir / "institution_report.ipynb", nb_path, parameters, options, workers)
        phases["execute"] = time.perf_counter() - start
        facts = facts_in(nb)  # shown by the notebook's last cell, with the executed notebook in hand
        page = notebook_to_html(
            nb,
            title=_title(facts, org),
            language=options.language,
            plotly_js=f"../{plotly_js}",
            footer=f"altinn-analysis {__version__} · {options.as_of.isoformat()}",
            location=f"{run_dir.name}/{org}/",
        )
        write_text_atomic(tmp / "report.html", page)
        extra = write_forward_copies(tmp, page, pdf=options.pdf, standalone=options.standalone)
        phases["export"] = time.perf_counter() - start - phases["execute"]
        missing = [name for name in OUTPUTS if not (tmp / name).exists()]
        if missing:
            raise RuntimeError(f"the notebook did not write {', '.join(missing)}")
        hits = scan_outputs(tmp)
        phases["scan"] = time.perf_counter() - start - phases["execute"] - phases["export"]
        if hits:
            result.error = {
                "type": "OutputScan",
                "message": f"the report would publish {'; '.join(hits)}: nothing published (check the inventory)",
            }
            log.error("%s: %s", org, result.error["message"])
            return result
        tmp.chmod(0o755)
        swap_into_place(tmp, run_dir / org)
        result.status = "ok"
        result.outputs = [f"{org}/{name}" for name in (*OUTPUTS, *extra)]
        result.facts = facts
    except Exception as exc:
        result.error = error_details(exc, nb_path)
        if result.error.get("ename") in INVALID_INPUT_ERRORS:
            result.status = "invalid"
        log.error("%s: report %s: %s", org, result.status, result.error.get("error") or result.error["message"])
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
        result.duration_s = round(time.perf_counter() - start, 3)
        result.phases = {k: round(v, 3) for k, v in phases.items()}
    return result


def build_sector_page(options: RunOptions, run_dir: Path, plotly_js: str, workers: Workers) -> dict[str, Any]:
    """`index.html` from the reports in the run folder (this run's and earlier runs' of the same date and
    language); scanned like every report before it replaces the previous page."""
    from altinn_analysis.report._executors import execute_notebook
    from altinn_analysis.report._html import notebook_to_html, write_text_atomic
    from altinn_analysis.secret_guard import scan_text

    start = time.perf_counter()
    from altinn_analysis.sources import make_temp_dir

    tmp = make_temp_dir(run_dir, "index")
    try:
        parameters = options.parameters.sector_notebook(run_dir)
        nb = execute_notebook(
            options.notebooks_dir / "sector_overview.ipynb", tmp / "index.ipynb", parameters, options, workers
        )
        title = "Sektoroversikt" if options.language == "nb" else "Sector overview"
        page = notebook_to_html(
            nb,
            title=f"{title} {options.as_of.isoformat()}",
            language=options.language,
            plotly_js=plotly_js,
            footer=f"altinn-analysis {__version__} · {options.as_of.isoformat()}",
        )
        hits = sorted({f.kind for f in scan_text(page, location="index.html")})
        if hits:
            raise RuntimeError(f"the sector page would publish {', '.join(hits)}: not published")
        write_text_atomic(run_dir / "index.html", page)
        return {"status": "ok", "duration_s": round(time.perf_counter() - start, 3), "outputs": ["index.html"]}
    except Exception as exc:
        return {
            "status": "failed",
            "error": error_details(exc, tmp / "index.ipynb"),
            "duration_s": round(time.perf_counter() - start, 3),
        }
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def write_run_record(
    run_dir: Path,
    options: RunOptions,
    results: Mapping[str, InstitutionResult],
    previous: Mapping[str, Any],
    existing: set[str],
    sector: Mapping[str, Any],
    duration_s: float,
) -> None:
    """run.json: this run's results, plus earlier entries of institutions that still exist (an inventory folder
    or a published report). Keys are always discovered organisation numbers, never an argument as typed."""
    from altinn_analysis.report._html import write_text_atomic

    entries: dict[str, Any] = {org: asdict(r) for org, r in results.items()}
    before = previous.get("institutions", {})
    for org, entry in before.items() if isinstance(before, dict) else ():
        if org in existing:
            entries.setdefault(org, entry)
    record = {
        "as_of": options.as_of.isoformat(),
        "language": options.language,
        "tool_version": __version__,
        "finished_at": datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z"),
        "duration_s": duration_s,
        "workers": options.workers,
        "summary": {
            status: sum(r.status == status for r in results.values())
            for status in ("ok", "unchanged", "failed", "invalid")
        },
        "institutions": dict(sorted(entries.items())),
        "sector": dict(sector),
    }
    write_text_atomic(run_dir / "run.json", json.dumps(record, indent=2, ensure_ascii=False, default=str) + "\n")
