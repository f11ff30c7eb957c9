"""Where notebooks run: warm kernels in threads of this process (local), or tasks on a Dask cluster.

An executor only runs `task(org, inputs)` callables and hands each result to `finished`; what a task does
(execute, export, scan, publish) is `_publish`'s business.
"""

from __future__ import annotations

import logging
import sys
import threading
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor, as_completed
from pathlib import Path
from typing import TYPE_CHECKING, Any
from uuid import uuid4

if TYPE_CHECKING:
    from datetime import date

    from altinn_analysis.report._runner import InstitutionResult, RunOptions

__all__ = ["LocalPool", "Workers", "execute_notebook", "import_jupyter_stack", "run_on_dask", "warm_runner"]

log = logging.getLogger("altinn_analysis.report")


class Workers:
    """One warm kernel per worker thread; `kernels`: how many run at once (they share the cores)."""

    def __init__(
        self, kernel_name: str, start_timeout: float, cwd: Path, warm_up: str = "", *, kernels: int = 1
    ) -> None:
        self.kernel_name = kernel_name
        self.kernels = kernels
        self.warm_up = warm_up
        self.start_timeout = start_timeout
        self.cwd = cwd
        self.local = threading.local()
        self.all: list[Any] = []
        self.lock = threading.Lock()

    def kernel(self) -> Any:
        from altinn_analysis.report._kernel import WarmKernel, kernel_threads

        warm = getattr(self.local, "kernel", None)
        if warm is None:
            warm = WarmKernel(
                self.kernel_name,
                startup_timeout=self.start_timeout,
                cwd=str(self.cwd),
                warm_up=self.warm_up,
                threads=kernel_threads(self.kernels),
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


def warm_runner() -> None:
    """Load what this process needs for every report while the kernels start (they take seconds): nbconvert's
    page exporter and pyarrow for the output scan. Then freeze everything loaded so far out of the garbage
    collector, as the kernels do (`_kernel.RESET_CODE`): otherwise a full collection walks nbconvert, jinja and
    pyarrow every ten reports or so (~0.15 s, every worker thread stopped; ~15 ms a report on average). Only
    objects alive now are frozen; what later reports create is collected as usual."""
    import gc

    import pyarrow.compute
    import pyarrow.parquet  # noqa: F401

    from altinn_analysis.report._html import exporter

    exporter()
    gc.collect()
    gc.freeze()


# Runs once in every new kernel, while the runner plans: the imports, the catalogues and what every report of the
# run shares (report.prepare_kernel), which the first report would otherwise pay for; then frozen out of the garbage
# collector (see _kernel.RESET_CODE).
WARM_UP_CODE = """
import polars, plotly.graph_objects, xlsxwriter, openpyxl
from altinn_analysis.report import InstitutionReport, SectorReport, prepare_kernel
from altinn_analysis.report import figures
from datetime import date
from pathlib import Path
prepare_kernel(Path({reference_dir!r}) if {reference_dir!r} else None, {as_of})
import gc
gc.collect()
gc.freeze()
"""


def warm_up_code(reference_dir: Path | None, as_of: date | None = None) -> str:
    ref = str(reference_dir.resolve()) if reference_dir else None
    day = f"date.fromisoformat({as_of.isoformat()!r})" if as_of else "None"
    return WARM_UP_CODE.format(reference_dir=ref, as_of=day)


def execute_notebook(
    notebook: Path, output: Path, parameters: Mapping[str, Any], options: RunOptions, workers: Workers
) -> Any:
    """Run `notebook` with `parameters` (already checked for secrets) on this thread's warm kernel: papermill's
    steps and engine interface, the source parsed once per run and the result written once (see _papermill)."""
    from altinn_analysis.report._kernel import ENGINE_NAME
    from altinn_analysis.report._papermill import execute

    warm = workers.kernel()
    try:
        # No `cwd`: papermill would chdir this whole process while the notebook runs, so a relative folder
        # resolved meanwhile on another worker thread would point into notebooks/. The warm kernel already
        # runs in the notebooks folder (Workers' cwd).
        return execute(
            notebook,
            output,
            parameters,
            engine_name=ENGINE_NAME,
            kernel_name=options.kernel_name,
            warm_kernel=warm,
            execution_timeout=options.cell_timeout,
            start_timeout=options.start_timeout,
        )
    except Exception as exc:
        from papermill.exceptions import PapermillExecutionError

        if not isinstance(exc, PapermillExecutionError):
            # A timeout or a dead kernel leaves the kernel in an unknown state: start afresh next time.
            warm.shutdown()
        raise


class LocalPool:
    """Threads, each owning a warm kernel; kernels start (and import, and load the catalogues) at once, while
    the caller goes on planning."""

    def __init__(self, options: RunOptions, workers: Workers, size: int) -> None:
        self.options = options
        self.workers = workers
        self.size = max(1, size)
        self.pool = ThreadPoolExecutor(max_workers=self.size, thread_name_prefix="report")
        barrier = threading.Barrier(self.size)
        self.warmups = [self.pool.submit(self._warm_up, barrier) for _ in range(self.size)]

    def _warm_up(self, barrier: threading.Barrier) -> None:
        # The barrier makes every pool thread start (and warm) exactly one kernel.
        self.workers.kernel().ensure()
        barrier.wait(timeout=self.options.start_timeout)

    def run(
        self,
        todo: Mapping[str, Any],
        task: Callable[[str, Any], InstitutionResult],
        finished: Callable[[InstitutionResult], None],
    ) -> None:
        for w in self.warmups:
            w.result()
        futures = [self.pool.submit(task, org, inputs) for org, inputs in todo.items()]
        for future in as_completed(futures):
            finished(future.result())

    def submit(self, fn: Callable[[], Any]) -> Any:
        """Run `fn` on a pool thread (on a warm kernel) and wait for it."""
        return self.pool.submit(fn).result()

    def interrupt(self) -> None:
        """Drop what has not started, kill the kernels (which ends running notebooks within seconds) and wait."""
        self.pool.shutdown(wait=False, cancel_futures=True)
        self.workers.kill()
        self.pool.shutdown(wait=True)

    def close(self) -> None:
        self.pool.shutdown(wait=True)


_PROCESS_WORKERS: dict[str, Workers] = {}
_PROCESS_LOCK = threading.Lock()


def process_workers(options: RunOptions) -> Workers:
    """Warm kernels that outlive one task: a Dask worker process reuses them for every institution it gets."""
    key = f"{options.kernel_name}|{options.notebooks_dir}"
    with _PROCESS_LOCK:
        if key not in _PROCESS_WORKERS:
            _PROCESS_WORKERS[key] = Workers(
                options.kernel_name,
                options.start_timeout,
                options.notebooks_dir,
                warm_up_code(options.reference_dir, options.as_of),
            )
            import atexit

            atexit.register(_PROCESS_WORKERS[key].shutdown)
        return _PROCESS_WORKERS[key]


def run_on_dask(
    todo: Mapping[str, Any],
    options: RunOptions,
    task: Callable[..., InstitutionResult],
    task_args: tuple[Any, ...],
    failed: Callable[[str, Any, BaseException], InstitutionResult],
    finished: Callable[[InstitutionResult], None],
) -> None:
    """Submit `task(org, inputs, *task_args)` per institution to an existing Dask cluster; collect as they come."""
    try:
        from distributed import Client
        from distributed import as_completed as dask_completed
    except ImportError as exc:  # pragma: no cover - an optional part; keep the message clear
        raise RuntimeError("--executor dask needs the 'distributed' package") from exc
    if not options.scheduler:
        raise ValueError("--executor dask needs --scheduler ADDRESS (e.g. tcp://scheduler:8786)")
    with Client(options.scheduler, timeout="30s") as client:  # type: ignore[no-untyped-call]
        futures = {
            client.submit(task, org, inputs, *task_args, key=f"report-{org}-{uuid4().hex[:8]}", pure=False): org
            for org, inputs in todo.items()
        }
        for future in dask_completed(list(futures)):  # type: ignore[no-untyped-call]
            org = futures[future]
            try:
                finished(future.result())
            except Exception as exc:  # the task itself crashed (worker lost): record it, go on
                finished(failed(org, todo[org], exc))
