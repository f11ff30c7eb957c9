"""The batch runner: every institution's report for one `as_of`, in parallel, incremental, failure-isolated.

For each institution: check parameters and inventory in-process (an invalid one is skipped, never run);
compare input fingerprints with the last `run.json` (unchanged → skipped unless `force`); execute
`institution_report.ipynb` with papermill on a warm kernel into a temporary folder; export HTML in-process;
move the folder into place only when complete. A failure keeps the previous good report and records the
failing cell. Then the sector page, `index.html`, is rebuilt if anything changed, and `run.json` is written.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import sys
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from uuid import uuid4

from altinn_analysis._version import __version__

__all__ = [
    "DEFAULT_NOTEBOOKS",
    "InstitutionResult",
    "RunOptions",
    "RunResult",
    "run_reports",
]

log = logging.getLogger("altinn_analysis.report")

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_NOTEBOOKS = ROOT / "notebooks"
KERNEL_NAME = "altinn-analysis"
OUTPUTS = ("report.html", "report.ipynb", "actions.xlsx", "findings.parquet")

# (event, org_number or "", done, total): the CLI draws a progress bar from it.
Progress = Callable[[str, str, int, int], None]


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


@dataclass
class RunResult:
    run_dir: Path
    institutions: dict[str, InstitutionResult]
    sector: dict[str, Any]
    duration_s: float

    @property
    def failed(self) -> list[str]:
        return sorted(k for k, r in self.institutions.items() if r.status in ("failed", "invalid"))

    @property
    def ok(self) -> bool:
        return not self.failed and self.sector.get("status") in ("ok", "unchanged")


def _sha256_file(path: Path) -> str:
    from altinn_analysis.sources import sha256_file  # streamed: bounded memory whatever the size

    return sha256_file(path)


def _dir_hash(path: Path, files: Sequence[Path] | None = None) -> str:
    digest = hashlib.sha256()
    for p in sorted(files if files is not None else (q for q in path.rglob("*") if q.is_file())):
        digest.update(p.relative_to(path).as_posix().encode())
        digest.update(_sha256_file(p).encode())
    return digest.hexdigest()


def _fingerprint(inputs: dict[str, str]) -> str:
    return hashlib.sha256(json.dumps(inputs, sort_keys=True).encode()).hexdigest()


def _swap_into_place(tmp: Path, final: Path) -> None:
    """Replace `final` by the complete `tmp` folder; the old one survives until the new one is there."""
    from altinn_analysis.sources import replace_dir

    replace_dir(tmp, final)


def _error_details(exc: BaseException, nb_path: Path | None) -> dict[str, Any]:
    """Which cell failed and why. `cell_index` counts the cells of the source notebook; papermill's injected
    parameters cell is not counted (`executed_cell_index` is the index in report.ipynb)."""
    lines = str(exc).strip().splitlines()
    details: dict[str, Any] = {"type": type(exc).__name__, "message": (lines[-1] if lines else "")[:500]}
    executed = getattr(exc, "cell_index", None)
    source = getattr(exc, "source", None)
    cells: list[dict[str, Any]] = []
    if nb_path is not None and nb_path.exists():
        try:
            cells = json.loads(nb_path.read_text(encoding="utf-8")).get("cells", [])
        except (OSError, ValueError):
            cells = []
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
        details["error"] = f"{ename}: {evalue}"[:500]
    return details


class _Workers:
    """One warm kernel per worker thread."""

    def __init__(self, options: RunOptions) -> None:
        self.options = options
        self.local = threading.local()
        self.all: list[Any] = []
        self.lock = threading.Lock()

    def kernel(self) -> Any:
        from altinn_analysis.report._kernel import WarmKernel

        warm = getattr(self.local, "kernel", None)
        if warm is None:
            warm = WarmKernel(
                self.options.kernel_name,
                startup_timeout=self.options.start_timeout,
                cwd=str(self.options.notebooks_dir),
            )
            self.local.kernel = warm
            with self.lock:
                self.all.append(warm)
        return warm

    def shutdown(self) -> None:
        for warm in self.all:
            warm.shutdown()

    def kill(self) -> None:
        for warm in self.all:
            warm.kill()


def import_jupyter_stack() -> None:
    """Import papermill/nbformat without paying for an IRI grammar nobody here uses.

    nbformat imports jsonschema, whose format checker imports `rfc3987_syntax` when it is installed (JupyterLab's
    jupyter-events brings it): building that grammar costs ~0.9 s of a ~1.4 s `import nbformat`. It only adds the
    "iri" format check, which nbformat's notebook schema does not use. So, in this process only and only if
    jsonschema is not loaded yet, the import is skipped while jsonschema loads, and put back right after, so any
    later `import rfc3987_syntax` works as usual.
    """
    if "jsonschema" not in sys.modules and "rfc3987_syntax" not in sys.modules:
        sys.modules["rfc3987_syntax"] = None  # type: ignore[assignment]
        try:
            import jsonschema  # type: ignore[import-untyped]  # noqa: F401
        finally:
            del sys.modules["rfc3987_syntax"]
    import nbformat  # noqa: F401
    import papermill  # noqa: F401


_PROCESS_WORKERS: dict[str, _Workers] = {}
_PROCESS_LOCK = threading.Lock()


def _process_workers(options: RunOptions) -> _Workers:
    """Warm kernels that outlive one task: a Dask worker process reuses them for every institution it gets."""
    key = f"{options.kernel_name}|{options.notebooks_dir}"
    with _PROCESS_LOCK:
        if key not in _PROCESS_WORKERS:
            _PROCESS_WORKERS[key] = _Workers(options)
            import atexit

            atexit.register(_PROCESS_WORKERS[key].shutdown)
        return _PROCESS_WORKERS[key]


def dask_task(
    org: str, inputs: dict[str, str], options: RunOptions, run_dir: Path, plotly_js: str
) -> InstitutionResult:
    """One institution on a Dask worker (the worker needs the package and the same data paths)."""
    return _run_institution(org, inputs, options, run_dir, plotly_js, _process_workers(options))


# Runs once in every new kernel, while the runner validates inventories: the imports and the catalogue load
# that the first report would otherwise pay for.
WARM_UP_CODE = """
import polars, plotly.graph_objects, openpyxl
from altinn_analysis.report import InstitutionReport, SectorReport, load_catalogues
from altinn_analysis.report import figures
from pathlib import Path
load_catalogues(Path({reference_dir!r}) if {reference_dir!r} else None)
"""


def _warm_up(workers: _Workers, options: RunOptions, barrier: threading.Barrier) -> None:
    """Start this thread's kernel and warm it. The barrier makes every pool thread take exactly one warm-up."""
    warm = workers.kernel()
    warm.ensure()
    ref = str(options.reference_dir.resolve()) if options.reference_dir else None
    warm.run(WARM_UP_CODE.format(reference_dir=ref))
    barrier.wait(timeout=options.start_timeout)


def _execute(notebook: Path, output: Path, parameters: dict[str, Any], options: RunOptions, workers: _Workers) -> Any:
    import papermill

    from altinn_analysis.report._kernel import ENGINE_NAME
    from altinn_analysis.secret_guard import check_parameters

    # papermill writes parameters into the saved notebook: refuse secrets before anything is executed or written.
    check_parameters(parameters)
    warm = workers.kernel()
    try:
        return papermill.execute_notebook(
            str(notebook),
            str(output),
            parameters=parameters,
            engine_name=ENGINE_NAME,
            kernel_name=options.kernel_name,
            warm_kernel=warm,
            execution_timeout=options.cell_timeout,
            start_timeout=options.start_timeout,
            progress_bar=False,
            cwd=str(options.notebooks_dir),
            # papermill saves the whole notebook at every cell start and end by default: ~40 writes per report.
            request_save_on_cell_execute=False,
        )
    except Exception as exc:
        from papermill.exceptions import PapermillExecutionError

        if not isinstance(exc, PapermillExecutionError):
            # A timeout or a dead kernel leaves the kernel in an unknown state: start afresh next time.
            warm.shutdown()
        raise


def _run_institution(
    org: str, inputs: dict[str, str], options: RunOptions, run_dir: Path, plotly_js: str, workers: _Workers
) -> InstitutionResult:
    from altinn_analysis.report._forward import write_forward_copies
    from altinn_analysis.report._html import notebook_to_html, write_text_atomic
    from altinn_analysis.report.actions import seed_tracking

    start = time.perf_counter()
    result = InstitutionResult(org, "failed", _fingerprint(inputs), inputs)
    from altinn_analysis.sources import make_temp_dir

    tmp = make_temp_dir(run_dir, org)
    nb_path = tmp / "report.ipynb"
    try:
        seed_tracking(options.out_root, options.as_of, org, tmp)  # owner/progress/comment survive the re-run
        nb = _execute(
            options.notebooks_dir / "institution_report.ipynb",
            nb_path,
            {
                "org_number": org,
                "as_of": options.as_of.isoformat(),
                "inventory_dir": str(options.inventory_dir.resolve()),
                "reference_dir": str(options.reference_dir.resolve()) if options.reference_dir else "",
                "language": options.language,
                "output_dir": str(tmp.resolve()),
            },
            options,
            workers,
        )
        facts = json.loads((tmp / "facts.json").read_text(encoding="utf-8")) if (tmp / "facts.json").exists() else {}
        (tmp / "facts.json").unlink(missing_ok=True)
        title = facts.get("title") or org
        page = notebook_to_html(
            nb,
            title=title,
            language=options.language,
            plotly_js=f"../{plotly_js}",
            footer=f"altinn-analysis {__version__} · {options.as_of.isoformat()}",
            location=f"{run_dir.name}/{org}/",
        )
        write_text_atomic(tmp / "report.html", page)
        extra = write_forward_copies(tmp, page, pdf=options.pdf, standalone=options.standalone)
        missing = [name for name in OUTPUTS if not (tmp / name).exists()]
        if missing:
            raise RuntimeError(f"the notebook did not write {', '.join(missing)}")
        tmp.chmod(0o755)
        _swap_into_place(tmp, run_dir / org)
        result.status = "ok"
        result.outputs = [f"{org}/{name}" for name in (*OUTPUTS, *extra)]
        result.facts = facts
    except Exception as exc:
        result.error = _error_details(exc, nb_path)
        log.error("%s: report failed: %s", org, result.error.get("error") or result.error["message"])
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
        result.duration_s = round(time.perf_counter() - start, 3)
    return result


def _sector_page(options: RunOptions, run_dir: Path, plotly_js: str, workers: _Workers) -> dict[str, Any]:
    from altinn_analysis.report._html import notebook_to_html, write_text_atomic

    start = time.perf_counter()
    from altinn_analysis.sources import make_temp_dir

    tmp = make_temp_dir(run_dir, "index")
    try:
        nb = _execute(
            options.notebooks_dir / "sector_overview.ipynb",
            tmp / "index.ipynb",
            {
                "as_of": options.as_of.isoformat(),
                "inventory_dir": str(options.inventory_dir.resolve()),
                "reference_dir": str(options.reference_dir.resolve()) if options.reference_dir else "",
                "language": options.language,
                "report_links": True,
                "findings_dir": str(run_dir.resolve()),  # the reports' findings: no second assessment
            },
            options,
            workers,
        )
        title = "Sektoroversikt" if options.language == "nb" else "Sector overview"
        page = notebook_to_html(
            nb,
            title=f"{title} {options.as_of.isoformat()}",
            language=options.language,
            plotly_js=plotly_js,
            footer=f"altinn-analysis {__version__} · {options.as_of.isoformat()}",
        )
        write_text_atomic(run_dir / "index.html", page)
        return {"status": "ok", "duration_s": round(time.perf_counter() - start, 3), "outputs": ["index.html"]}
    except Exception as exc:
        return {
            "status": "failed",
            "error": _error_details(exc, tmp / "index.ipynb"),
            "duration_s": round(time.perf_counter() - start, 3),
        }
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _run_on_dask(
    todo: list[tuple[str, dict[str, str]]],
    options: RunOptions,
    run_dir: Path,
    plotly_js: str,
    finished: Callable[[InstitutionResult], None],
) -> None:
    """Submit each institution as a task to an existing Dask cluster and collect the results as they come."""
    try:
        from distributed import Client
        from distributed import as_completed as dask_completed
    except ImportError as exc:  # pragma: no cover - dask is a dependency, but keep the message clear
        raise RuntimeError("--executor dask needs the 'distributed' package") from exc
    if not options.scheduler:
        raise ValueError("--executor dask needs --scheduler ADDRESS (e.g. tcp://scheduler:8786)")
    with Client(options.scheduler, timeout="30s") as client:
        futures = [
            client.submit(
                dask_task, org, inputs, options, run_dir, plotly_js, key=f"report-{org}-{uuid4().hex[:8]}", pure=False
            )
            for org, inputs in todo
        ]
        for future in dask_completed(futures):
            try:
                finished(future.result())
            except Exception as exc:  # the task itself crashed (worker lost): record it, go on
                org = future.key.split("-")[1]
                inputs = dict(todo)[org]
                finished(
                    InstitutionResult(
                        org,
                        "failed",
                        _fingerprint(inputs),
                        inputs,
                        error={"type": type(exc).__name__, "message": str(exc)[:500]},
                    )
                )


def _previous(run_dir: Path) -> dict[str, Any]:
    try:
        data: dict[str, Any] = json.loads((run_dir / "run.json").read_text(encoding="utf-8"))
        return data
    except (OSError, ValueError):
        return {}


def run_reports(
    options: RunOptions, orgs: Sequence[str] | None = None, *, progress: Progress | None = None
) -> RunResult:
    """Build the reports for `orgs` (None: every institution under `options.inventory_dir`)."""
    from altinn_analysis.inventory import InventoryError, inventory_files, load_inventory
    from altinn_analysis.report._forward import forward_names
    from altinn_analysis.report._html import write_plotly_js, write_text_atomic
    from altinn_analysis.report._institution import load_catalogues
    from altinn_analysis.report._params import ReportParameterError, check_report_parameters
    from altinn_analysis.report._sector import institution_dirs

    started = time.perf_counter()
    run_dir = options.out_root / options.as_of.isoformat()
    run_dir.mkdir(parents=True, exist_ok=True)
    for stale in run_dir.glob(".*.tmp-*"):  # left by a run that was killed
        shutil.rmtree(stale, ignore_errors=True)
    previous = _previous(run_dir)
    emit = progress or (lambda *a: None)

    available = {p.name: p for p in institution_dirs(options.inventory_dir)}
    wanted = list(orgs) if orgs else sorted(available)
    catalogue, dsop = load_catalogues(options.reference_dir)
    shared = {
        "snapshot": _fingerprint({k: v.sha256 for k, v in catalogue.manifest.tables.items()}),
        "dsop": _dir_hash(dsop.directory) if dsop.directory else "",
        "notebook": _sha256_file(options.notebooks_dir / "institution_report.ipynb"),
        "tool_version": __version__,
        "as_of": options.as_of.isoformat(),
        "language": options.language,
    }

    results: dict[str, InstitutionResult] = {}
    candidates: list[tuple[str, dict[str, str]]] = []
    # Pass 1, cheap: fingerprints from file hashes decide what must run, before anything is loaded.
    for org in wanted:
        folder = available.get(org)
        if folder is None:
            results[org] = InstitutionResult(
                org, "invalid", error={"type": "NotFound", "message": f"no inventory folder for {org}"}
            )
            emit("invalid", org, 0, len(wanted))
            continue
        # Only the files the inventory reads: an unrelated (or huge) file in the folder is never read.
        inputs = {**shared, "inventory": _dir_hash(folder, inventory_files(folder))}
        before = previous.get("institutions", {}).get(org, {})
        asked = (*OUTPUTS, *forward_names(options.pdf, options.standalone))
        complete = all((run_dir / org / name).exists() for name in asked)
        if not options.force and complete and before.get("fingerprint") == _fingerprint(inputs):
            results[org] = InstitutionResult(
                org,
                "unchanged",
                before["fingerprint"],
                inputs,
                0.0,
                before.get("outputs", []),
                facts=before.get("facts", {}),
            )
            emit("unchanged", org, 0, len(wanted))
            continue
        candidates.append((org, inputs))

    plotly_js = write_plotly_js(run_dir)
    if candidates:
        import_jupyter_stack()
    workers = _Workers(options)
    todo: list[tuple[str, dict[str, str]]] = []
    total, done = len(candidates), 0

    def finished(res: InstitutionResult) -> None:
        nonlocal done
        results[res.org_number] = res
        done += 1
        emit(res.status, res.org_number, done, total)

    def validate() -> None:
        # Pass 2: full parameter and inventory checks; an invalid institution never reaches a kernel.
        nonlocal total
        for org, inputs in candidates:
            emit("check", org, done, total)
            try:
                check_report_parameters(
                    org_number=org,
                    as_of=options.as_of,
                    inventory_dir=options.inventory_dir,
                    reference_dir=options.reference_dir,
                    language=options.language,
                    output_dir=run_dir,
                )
                load_inventory(available[org], catalogue=catalogue, known_services=dsop.service_ids)
            except (ReportParameterError, InventoryError) as exc:
                results[org] = InstitutionResult(
                    org, "invalid", error={"type": type(exc).__name__, "message": str(exc)[:2000]}
                )
                total -= 1
                emit("invalid", org, done, total)
                continue
            todo.append((org, inputs))

    pool: ThreadPoolExecutor | None = None
    try:
        if candidates and options.executor == "dask":
            validate()
            _run_on_dask(todo, options, run_dir, plotly_js, finished)
        elif candidates:
            # Each pool thread owns a warm kernel. The kernels start (and import, and load the catalogues) while
            # this thread validates the inventories.
            n = max(1, min(options.workers, len(candidates)))
            pool = ThreadPoolExecutor(max_workers=n, thread_name_prefix="report")
            barrier = threading.Barrier(n)
            warmups = [pool.submit(_warm_up, workers, options, barrier) for _ in range(n)]
            validate()
            log.info("inputs checked after %.1f s", time.perf_counter() - started)
            for w in warmups:
                w.result()
            log.info("%d kernel(s) warm after %.1f s", n, time.perf_counter() - started)
            futures = [
                pool.submit(_run_institution, org, inputs, options, run_dir, plotly_js, workers) for org, inputs in todo
            ]
            for future in as_completed(futures):
                finished(future.result())
        changed = (
            bool(candidates)
            or not (run_dir / "index.html").exists()
            or previous.get("sector", {}).get("status") != "ok"
            or any(r.status == "invalid" for r in results.values())
        )
        if changed:
            log.info("reports done after %.1f s", time.perf_counter() - started)
            emit("sector", "", done, total)
            if pool is not None:  # on a warm kernel
                sector = pool.submit(_sector_page, options, run_dir, plotly_js, workers).result()
            else:
                sector = _sector_page(options, run_dir, plotly_js, workers)
        else:
            sector = {"status": "unchanged", "outputs": ["index.html"]}
    except BaseException:
        # Interrupted (Ctrl-C, SIGTERM): drop what has not started, kill the kernels (which ends the running
        # notebooks within seconds: their temporary folders are removed, never moved into place), wait for the
        # threads, and sweep any temporary folder left over.
        if pool is not None:
            pool.shutdown(wait=False, cancel_futures=True)
            workers.kill()
            pool.shutdown(wait=True)
            pool = None
        for stale in run_dir.glob(".*.tmp-*"):
            shutil.rmtree(stale, ignore_errors=True)
        raise
    finally:
        if pool is not None:
            pool.shutdown(wait=True)
        workers.shutdown()

    result = RunResult(run_dir, dict(sorted(results.items())), sector, round(time.perf_counter() - started, 3))
    entries: dict[str, Any] = {org: asdict(r) for org, r in result.institutions.items()}
    # Institutions not asked for this time keep their earlier entry, so run.json describes the whole folder.
    for org, entry in previous.get("institutions", {}).items():
        entries.setdefault(org, entry)
    record = {
        "as_of": options.as_of.isoformat(),
        "language": options.language,
        "tool_version": __version__,
        "finished_at": datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z"),
        "duration_s": result.duration_s,
        "workers": options.workers,
        "summary": {
            status: sum(r.status == status for r in result.institutions.values())
            for status in ("ok", "unchanged", "failed", "invalid")
        },
        "institutions": dict(sorted(entries.items())),
        "sector": sector,
    }
    write_text_atomic(run_dir / "run.json", json.dumps(record, indent=2, ensure_ascii=False, default=str) + "\n")
    return result
