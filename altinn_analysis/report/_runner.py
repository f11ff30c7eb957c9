"""The batch runner: every institution's report for one `as_of` and language, in parallel, incremental,
failure-isolated.

1. plan (`_plan`): discover the institution folders by the strict name rule, fingerprint what each report reads,
   and keep every report whose inputs did not change — before any kernel starts;
2. execute (`_executors`): the institution notebook on warm kernels, with the one `ReportParameters` object's
   values; the notebook loads the inventory (once) and an inventory error makes the institution `invalid`;
3. publish (`_publish`): export HTML, scan the outputs for secrets and identity numbers, move the folder into
   place; then the sector page (reused when nothing under it changed) and `run.json`.

Each language has its own run folder: `<out>/<as_of>/` for nb, `<out>/<as_of>-en/` for en.
"""

from __future__ import annotations

import logging
import os
import shutil
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from altinn_analysis.report._params import ReportParameterError, ReportParameters, check_language, resolve_as_of
from altinn_analysis.report._plan import OUTPUTS

__all__ = [
    "DEFAULT_NOTEBOOKS",
    "OUTPUTS",
    "InstitutionResult",
    "RunOptions",
    "RunResult",
    "run_folder",
    "run_reports",
]

log = logging.getLogger("altinn_analysis.report")

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_NOTEBOOKS = ROOT / "notebooks"
KERNEL_NAME = "altinn-analysis"

# (event, org_number or "", done, total): the CLI draws a progress bar from it.
Progress = Callable[[str, str, int, int], None]


def run_folder(out_root: Path, as_of: date, language: str) -> Path:
    """One run folder per date and language, so a sector page never mixes languages."""
    return out_root / (as_of.isoformat() if language == "nb" else f"{as_of.isoformat()}-{language}")


@dataclass
class RunOptions:
    out_root: Path
    as_of: date
    inventory_dir: Path
    reference_dir: Path | None = None
    language: str = "nb"
    workers: int = max(1, os.cpu_count() or 1)
    force: bool = False
    notebooks_dir: Path = DEFAULT_NOTEBOOKS
    kernel_name: str = KERNEL_NAME
    cell_timeout: float = 600.0
    start_timeout: float = 120.0
    executor: str = "local"  # local: threads with warm kernels here; dask: tasks on a Dask cluster
    scheduler: str | None = None  # Dask scheduler address (tcp://host:8786), for executor "dask"
    pdf: bool = False  # also report.pdf, printed by headless Chromium
    standalone: bool = False  # also report-standalone.html, with plotly.js inline (for e-mail)

    def __post_init__(self) -> None:
        # Checked here, once: every report of the run shares these values.
        self.as_of = resolve_as_of(self.as_of)
        self.language = check_language(self.language)

    @classmethod
    def from_parameters(cls, parameters: ReportParameters, out_root: Path, **settings: Any) -> RunOptions:
        return cls(
            out_root=out_root,
            as_of=parameters.as_of,
            inventory_dir=parameters.inventory_dir,
            reference_dir=parameters.reference_dir,
            language=parameters.language,
            **settings,
        )

    @property
    def parameters(self) -> ReportParameters:
        """The run-wide report parameters (each report adds its organisation number and output folder)."""
        return ReportParameters(self.as_of, self.inventory_dir, self.reference_dir, self.language)


@dataclass
class InstitutionResult:
    org_number: str
    status: str  # ok | failed | invalid | unchanged
    fingerprint: str | None = None
    inputs: dict[str, str] = field(default_factory=dict)
    duration_s: float = 0.0
    outputs: list[str] = field(default_factory=list)
    error: dict[str, Any] | None = None
    facts: dict[str, Any] = field(default_factory=dict)
    phases: dict[str, float] = field(default_factory=dict)  # execute, export, scan: seconds


@dataclass
class RunResult:
    run_dir: Path
    institutions: dict[str, InstitutionResult]
    sector: dict[str, Any]
    duration_s: float
    missing: list[str] = field(default_factory=list)  # asked for, no institution folder (safe to print)
    skipped: list[str] = field(default_factory=list)  # folders left out by the name rule, and why

    @property
    def failed(self) -> list[str]:
        return sorted(k for k, r in self.institutions.items() if r.status in ("failed", "invalid"))

    @property
    def ok(self) -> bool:
        return not self.failed and not self.missing and self.sector.get("status") in ("ok", "unchanged")


def _unchanged(org: str, entry: dict[str, Any]) -> InstitutionResult:
    return InstitutionResult(
        org,
        "unchanged",
        entry.get("fingerprint"),
        dict(entry.get("inputs") or {}),
        0.0,
        list(entry.get("outputs") or []),
        facts=dict(entry.get("facts") or {}),
    )


def run_reports(
    options: RunOptions, orgs: Sequence[str] | None = None, *, progress: Progress | None = None
) -> RunResult:
    """Build the reports for `orgs` (None: every institution under `options.inventory_dir`)."""
    from altinn_analysis.catalogue import default_dsop_dir, default_reference_dir
    from altinn_analysis.report._plan import discover_institutions, make_plan, read_run_record, shared_inputs

    started = time.perf_counter()
    run_dir = run_folder(options.out_root, options.as_of, options.language)
    run_dir.mkdir(parents=True, exist_ok=True)
    for stale in run_dir.glob(".*.tmp-*"):  # left by a run that was killed
        shutil.rmtree(stale, ignore_errors=True)
    previous = read_run_record(run_dir)
    if previous.get("language", options.language) != options.language:
        raise ReportParameterError(
            f"{run_dir} holds {previous.get('language')!r} reports; a run folder holds one language "
            f"(choose another --out for language {options.language!r})"
        )
    emit = progress or (lambda *a: None)

    found = discover_institutions(options.inventory_dir)
    for why in found.skipped:
        log.warning("skipped folder %s", why)
    wanted = list(dict.fromkeys(orgs)) if orgs else sorted(found.folders)
    shared = shared_inputs(
        reference_dir=options.reference_dir or default_reference_dir(),
        dsop_dir=default_dsop_dir(),
        notebook=options.notebooks_dir / "institution_report.ipynb",
        as_of=options.as_of.isoformat(),
        language=options.language,
    )
    from altinn_analysis.report._forward import forward_names

    asked = (*OUTPUTS, *forward_names(options.pdf, options.standalone))
    plan = make_plan(wanted, found.folders, shared, previous, run_dir, force=options.force, outputs=asked)
    results: dict[str, InstitutionResult] = {org: _unchanged(org, e) for org, e in plan.unchanged.items()}
    for org in plan.unchanged:
        emit("unchanged", org, 0, len(plan.build))
    for label in plan.missing:
        log.error("no inventory folder for %s", label)

    runner = _Run(options, run_dir, previous, results, emit, len(plan.build))
    try:
        runner.build(plan.build)
        sector = runner.sector_page(shared, found.folders)
    except BaseException:
        runner.interrupt()
        raise
    finally:
        runner.close()
    result = RunResult(
        run_dir,
        dict(sorted(results.items())),
        sector,
        round(time.perf_counter() - started, 3),
        plan.missing,
        found.skipped,
    )
    runner.record(sector, result.duration_s, set(found.folders))
    return result


class _Run:
    """The executing half of one run: kernels, the reports to build, the sector page, run.json."""

    def __init__(
        self,
        options: RunOptions,
        run_dir: Path,
        previous: dict[str, Any],
        results: dict[str, InstitutionResult],
        emit: Progress,
        total: int,
    ) -> None:
        self.options, self.run_dir, self.previous, self.results, self.emit = options, run_dir, previous, results, emit
        self.total, self.done = total, 0
        self.pool: Any = None
        self.workers: Any = None
        self.plotly_js = ""

    def _start(self, size: int) -> None:
        from altinn_analysis.report._executors import (
            LocalPool,
            Workers,
            import_jupyter_stack,
            warm_runner,
            warm_up_code,
        )
        from altinn_analysis.report._html import write_plotly_js

        if self.pool is not None:
            return
        self.plotly_js = write_plotly_js(self.run_dir)
        import_jupyter_stack()
        o = self.options
        warm_up = warm_up_code(o.reference_dir, o.as_of)
        kernels = size if o.executor == "local" else 1
        self.workers = Workers(o.kernel_name, o.start_timeout, o.notebooks_dir, warm_up, kernels=kernels)
        if o.executor == "local":
            self.pool = LocalPool(o, self.workers, size)
            warm_runner()  # while the kernels start

    def finished(self, res: InstitutionResult) -> None:
        if res.status != "ok":
            # A failure keeps the previous good report; the sector page keeps listing it by its earlier facts.
            before = self.previous.get("institutions", {}).get(res.org_number, {})
            if (self.run_dir / res.org_number / "findings.parquet").is_file():
                res.facts = dict(before.get("facts") or {})
        self.results[res.org_number] = res
        self.done += 1
        self.emit(res.status, res.org_number, self.done, self.total)

    def build(self, todo: dict[str, dict[str, str]]) -> None:
        from altinn_analysis.report._executors import process_workers, run_on_dask
        from altinn_analysis.report._publish import build_institution

        if not todo:
            return
        o = self.options
        self._start(min(o.workers, len(todo)))
        if o.executor == "dask":
            run_on_dask(todo, o, dask_task, (o, self.run_dir, self.plotly_js), self._crashed, self.finished)
            return
        workers = self.workers if o.executor == "local" else process_workers(o)

        def task(org: str, inputs: dict[str, str]) -> InstitutionResult:
            return build_institution(org, inputs, o, self.run_dir, self.plotly_js, workers)

        self.pool.run(todo, task, self.finished)

    @staticmethod
    def _crashed(org: str, inputs: dict[str, str], exc: BaseException) -> InstitutionResult:
        from altinn_analysis.report._plan import fingerprint

        error = {"type": type(exc).__name__, "message": str(exc)[:500]}
        return InstitutionResult(org, "failed", fingerprint(inputs), inputs, error=error)

    def listed(self) -> dict[str, str]:
        """The reports the sector page lists: every published report of this run folder (org → fingerprint)."""
        entries = {
            **self.previous.get("institutions", {}),
            **{k: {"fingerprint": r.fingerprint} for k, r in self.results.items()},
        }
        return {
            org: str(entry.get("fingerprint"))
            for org, entry in sorted(entries.items())
            if isinstance(entry, dict) and (self.run_dir / org / "findings.parquet").is_file()
        }

    def sector_page(self, shared: dict[str, str], available: dict[str, Path]) -> dict[str, Any]:
        from altinn_analysis.report._plan import sector_fingerprint

        o = self.options
        notebook = o.notebooks_dir / "sector_overview.ipynb"
        wanted = sector_fingerprint(notebook, shared, self.listed())
        before = self.previous.get("sector", {})
        if (
            not o.force
            and (self.run_dir / "index.html").is_file()
            and before.get("status") in ("ok", "unchanged")
            and before.get("fingerprint") == wanted
        ):
            return {"status": "unchanged", "fingerprint": wanted, "outputs": ["index.html"]}
        from altinn_analysis.report._publish import build_sector_page

        # The sector notebook reads the names from run.json: write this run's entries first.
        self.record({"status": "pending"}, 0.0, set(available))
        self.emit("sector", "", self.done, self.total)
        self._start(1)
        sector: dict[str, Any]
        if self.pool is not None:  # on a warm kernel
            sector = self.pool.submit(lambda: build_sector_page(o, self.run_dir, self.plotly_js, self.workers))
        else:
            sector = build_sector_page(o, self.run_dir, self.plotly_js, self.workers)
        sector["fingerprint"] = wanted
        return sector

    def record(self, sector: dict[str, Any], duration_s: float, available: set[str]) -> None:
        from altinn_analysis.report._publish import write_run_record

        # Entries stay for institutions that still exist: an inventory folder, or a published report.
        known = set(self.previous.get("institutions", {})) | set(self.results)
        existing = available | {org for org in known if (self.run_dir / org).is_dir()}
        write_run_record(self.run_dir, self.options, self.results, self.previous, existing, sector, duration_s)

    def interrupt(self) -> None:
        # Interrupted (Ctrl-C, SIGTERM): kill the kernels, wait for the threads, sweep temporary folders; the
        # unfinished reports are never moved into place.
        if self.pool is not None:
            self.pool.interrupt()
            self.pool = None
        for stale in self.run_dir.glob(".*.tmp-*"):
            shutil.rmtree(stale, ignore_errors=True)

    def close(self) -> None:
        if self.pool is not None:
            self.pool.close()
            self.pool = None
        if self.workers is not None:
            self.workers.shutdown()


def dask_task(
    org: str, inputs: dict[str, str], options: RunOptions, run_dir: Path, plotly_js: str
) -> InstitutionResult:
    """One institution on a Dask worker (the worker needs the package and the same data paths)."""
    from altinn_analysis.report._executors import process_workers
    from altinn_analysis.report._publish import build_institution

    return build_institution(org, inputs, options, run_dir, plotly_js, process_workers(options))
