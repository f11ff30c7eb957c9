"""A papermill engine that runs notebooks on a warm, reused kernel.

Starting a kernel and importing the scientific stack costs seconds per notebook; the report itself takes a
fraction of a second. `WarmKernel` starts one kernel and keeps it; between notebooks it clears the user
namespace (`%reset -f`) and the execution counter, so no variable from one institution's report is visible in
the next, while imported modules and the catalogue cache stay warm. The reset is sent as soon as a notebook is
done and waited for before the next one starts. A kernel that died is replaced.
"""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path
from typing import Any

from jupyter_client.blocking.client import BlockingKernelClient
from jupyter_client.manager import KernelManager
from papermill.engines import Engine, NotebookExecutionManager, catch_nb_assignment, papermill_engines

from altinn_analysis.report._notebook_client import AheadClient, WarmNotebookClient
from altinn_analysis.report._session import RunnerSession

__all__ = [
    "ENGINE_NAME",
    "KERNEL_CONFIG",
    "RESET_CODE",
    "WarmExecutionManager",
    "WarmKernel",
    "WarmKernelEngine",
    "kernel_environment",
    "kernel_threads",
]

log = logging.getLogger("altinn_analysis.report")

ENGINE_NAME = "altinn-warm"
# Runs before every notebook on a reused kernel: forget the previous notebook's variables and numbering.
# reset(new_session=True) also restarts the numbering in a fresh history session (setting execution_count by
# hand collides with the history database and prints an error into the next notebook). It runs a full garbage
# collection (the displayhook flush calls gc.collect), which is why what survives it is frozen: the modules and
# catalogues then stay out of every later collection, and the reset costs ~15 ms instead of ~0.3 s.
RESET_CODE = "get_ipython().reset(new_session=True)\nimport gc\ngc.freeze()"

# How a report kernel is started (its configuration file, see `WarmKernel.start`). No input history: a batch kernel
# never needs it, and each notebook would add an SQLite session. Streams that skip flushing nothing
# (`_kernel_stream`). No 0.5 ms sleep before each reply (ipykernel's old stopgap for outputs that arrived after the
# reply; nbclient waits for the kernel's idle status on IOPub anyway). No top-level `await` in cells (no report
# notebook has one): else every request compiles its cell twice more, to find out whether it needs the asyncio
# runner. The kernel's logger at the level its handler shows (WARNING, traitlets' default): ipykernel logs every
# message at DEBUG, and with the logger itself at DEBUG (traitlets' default) each record is built, then dropped.
KERNEL_CONFIG: dict[str, dict[str, Any]] = {
    "HistoryManager": {"enabled": False},
    "IPKernelApp": {
        "outstream_class": "altinn_analysis.report._kernel_stream.OutStream",
        "logging_config": {"loggers": {"IPKernelApp": {"level": "WARNING"}}},
    },
    "Kernel": {"_execute_sleep": 0},
    "InteractiveShell": {"autoawait": False},
}


def kernel_threads(kernels: int, cores: int | None = None) -> int | None:
    """polars' threads per kernel when `kernels` run at once: the cores shared out (at least one), or None (polars'
    own choice) for a single kernel. With two kernels on two cores, each polars pool of two threads only adds
    hand-offs between threads competing for the same cores (measured in benchmarks/bench_report.py)."""
    cores = cores or os.cpu_count() or 1
    if kernels <= 1:
        return None
    return max(1, cores // kernels)


def kernel_environment(threads: int | None) -> dict[str, str] | None:
    """The environment of a report kernel: this process's, with polars' thread count when `threads` is given and
    the user has not set one."""
    if threads is None or "POLARS_MAX_THREADS" in os.environ:
        return None
    return {**os.environ, "POLARS_MAX_THREADS": str(threads)}


class WarmKernel:
    """One kernel (and its client) kept alive across notebooks. Use from one thread only."""

    def __init__(
        self,
        kernel_name: str,
        *,
        startup_timeout: float = 60,
        cwd: str | None = None,
        warm_up: str = "",
        threads: int | None = None,
    ) -> None:
        self.kernel_name = kernel_name
        self.threads = threads  # polars' threads in the kernel (see kernel_threads); None: polars decides
        # Code run in every new kernel before its first notebook (imports, catalogue load), so a kernel that
        # replaces a dead one is as warm as the first and no notebook cell pays the start-up under its timeout.
        self.warm_up = warm_up
        self.startup_timeout = startup_timeout
        self.cwd = cwd
        self.km: KernelManager | None = None
        self.kc: Any = None  # blocking client: warm-up, reset between notebooks and the notebooks' cells
        self.notebooks = 0
        self._ipc_dir: str | None = None
        self._pending_reset: str | None = None  # the id of a reset sent and not yet waited for
        self.kernel_info: dict[str, Any] | None = None  # this kernel process's kernel_info reply (see AheadClient)

    def start(self) -> None:
        self.kernel_info = None
        # ipc: unix sockets, not loopback TCP (jupyter warns about unencrypted TCP on every start)
        self.km = KernelManager(kernel_name=self.kernel_name, transport="ipc", ip=self._ipc_path())
        kwargs: dict[str, Any] = {"cwd": self.cwd} if self.cwd else {}
        env = kernel_environment(self.threads)
        if env is not None:
            kwargs["env"] = env
        # a configuration file (traitlets reads JSON) rather than command-line values: a dict has no stable
        # command-line form
        assert self._ipc_dir is not None  # made by _ipc_path above; removed with the kernel
        config = Path(self._ipc_dir) / "kernel_config.json"
        config.write_text(json.dumps(KERNEL_CONFIG), encoding="utf-8")
        self.km.start_kernel(extra_arguments=[f"--config={config}"], **kwargs)
        # One blocking client for everything: warm-up, reset, and the cells (`_notebook_client`, whose loop polls
        # its shell and IOPub sockets). Its own Session (same key) reads the header dates faster (`_session`). No
        # heartbeat thread: a dead kernel is seen from its process (`alive`).
        self.kc = BlockingKernelClient(parent=self.km, session=RunnerSession())
        self.kc.load_connection_info(self.km.get_connection_info())
        self.kc.start_channels(hb=False)
        self.kc.wait_for_ready(timeout=self.startup_timeout)
        if self.warm_up:
            self.run(self.warm_up, timeout=self.startup_timeout)

    def _ipc_path(self) -> str:
        import tempfile

        self._ipc_dir = tempfile.mkdtemp(prefix="aa-kernel-")
        return str(Path(self._ipc_dir) / "kernel")

    def alive(self) -> bool:
        """Whether the kernel process is still there (checked every second while a cell runs): the process itself
        polled when the provisioner has one (a local kernel), else jupyter_client's check through its event loop."""
        if self.km is None:
            return False
        process = getattr(self.km.provisioner, "process", None)
        if process is None:
            return bool(self.km.is_alive())
        return bool(process.poll() is None)

    def ensure(self) -> None:
        if not self.alive():
            if self.km is not None:
                log.warning("kernel died; starting a new one")
            self.shutdown()
            self.start()

    def run(self, code: str, timeout: float = 120) -> None:
        """Run code outside any notebook (warm-up, reset); its output is discarded, an error raised.

        Waits in short steps and checks the kernel in between, so a kernel killed meanwhile (an interrupted
        run) ends the wait at once instead of after `timeout`.
        """
        self.wait(self.send(code), timeout)

    def send(self, code: str) -> str:
        """Start running code outside any notebook; `wait` for it with the id returned. Silent: no copy of the code
        on IOPub (`execute_input`), no result shown, no run-cell events; an error still fails the reply."""
        msg_id: str = self.kc.execute(code, silent=True, store_history=False)
        return msg_id

    def wait(self, msg_id: str, timeout: float) -> None:
        """Wait for the code sent as `msg_id` (see `run`)."""
        import queue
        import time

        deadline = time.monotonic() + timeout
        while True:
            try:
                reply = self.kc.get_shell_msg(timeout=0.5)
            except queue.Empty:
                if not self.alive():
                    raise RuntimeError("kernel died") from None
                if time.monotonic() > deadline:
                    raise TimeoutError(f"kernel did not answer within {timeout:.0f} s") from None
                continue
            if reply["parent_header"].get("msg_id") == msg_id:
                break
        content = reply["content"]
        if content["status"] != "ok":
            raise RuntimeError(f"kernel code failed: {content.get('ename')}: {content.get('evalue')}")

    def kill(self) -> None:
        """Stop the kernel process at once, from any thread, without touching the channels another thread uses."""
        process = getattr(self.km.provisioner, "process", None) if self.km is not None else None
        if process is not None and process.poll() is None:
            process.kill()

    def reset(self) -> None:
        """A clean namespace for the next notebook: the reset sent after the previous one is waited for (it ran
        while the runner exported and scanned that report), else one runs now."""
        pending, self._pending_reset = self._pending_reset, None
        if pending is None:
            self.run(RESET_CODE, timeout=30)
        else:
            self.wait(pending, timeout=30)

    def reset_later(self) -> None:
        """Send the reset as soon as a notebook is done; `reset` waits for it before the next notebook."""
        self._pending_reset = self.send(RESET_CODE)

    def shutdown(self) -> None:
        self._pending_reset = None
        if self.kc is not None:
            self.kc.stop_channels()
            self.kc = None
        if self.km is not None:
            try:
                self.km.shutdown_kernel(now=True)
            except Exception as exc:  # the process may already be gone
                log.debug("kernel shutdown: %s", exc)
            self.km = None
        if self._ipc_dir:
            import shutil

            shutil.rmtree(self._ipc_dir, ignore_errors=True)
            self._ipc_dir = None


class WarmExecutionManager(NotebookExecutionManager):  # type: ignore[misc]
    """papermill's record of a notebook's execution, with a cell's start time (written by `cell_start` with
    `isoformat`) read back by `datetime.fromisoformat` instead of dateutil's generic parser (~0.4 ms a cell): the
    same duration. Otherwise papermill's `cell_complete`."""

    @catch_nb_assignment  # type: ignore[untyped-decorator]
    def cell_complete(self, cell: Any, cell_index: int | None = None, **kwargs: Any) -> None:
        from datetime import datetime

        end_time = self.now()
        if self.log_output:
            import sys

            logging.getLogger("papermill").info(f"Ending Cell {cell_index + 1 if cell_index is not None else '':-<43}")
            sys.stdout.flush()
            sys.stderr.flush()
        record = cell.metadata.papermill
        record["end_time"] = end_time.isoformat()
        if record.get("start_time"):
            record["duration"] = (end_time - datetime.fromisoformat(record["start_time"])).total_seconds()
        if record["status"] != self.FAILED:
            record["status"] = self.COMPLETED
        self.save()
        if self.pbar:
            self.pbar.update(1)


class WarmKernelEngine(Engine):  # type: ignore[misc]
    """papermill engine: `execute_notebook(..., engine_name=ENGINE_NAME, warm_kernel=WarmKernel(...))`."""

    @classmethod
    def execute_notebook(
        cls,
        nb: Any,
        kernel_name: str,
        output_path: str | None = None,
        progress_bar: bool = True,
        log_output: bool = False,
        autosave_cell_every: int = 30,
        **kwargs: Any,
    ) -> Any:
        """papermill's `Engine.execute_notebook`, with `WarmExecutionManager` as the notebook's record."""
        nb_man = WarmExecutionManager(
            nb,
            output_path=output_path,
            progress_bar=progress_bar,
            log_output=log_output,
            autosave_cell_every=autosave_cell_every,
        )
        nb_man.notebook_start()
        try:
            cls.execute_managed_notebook(nb_man, kernel_name, log_output=log_output, **kwargs)
        finally:
            nb_man.cleanup_pbar()
            nb_man.notebook_complete()
        return nb_man.nb

    @classmethod
    def execute_managed_notebook(
        cls,
        nb_man: Any,
        kernel_name: str,
        log_output: bool = False,
        stdout_file: Any = None,
        stderr_file: Any = None,
        start_timeout: float = 60,
        execution_timeout: float | None = None,
        **kwargs: Any,
    ) -> Any:
        warm: WarmKernel = kwargs.pop("warm_kernel")
        kwargs.pop("input_path", None)
        warm.ensure()
        warm.reset()
        client = WarmNotebookClient(
            nb_man,
            km=warm.km,
            timeout=execution_timeout,
            startup_timeout=start_timeout,
            kernel_name=kernel_name,
            log=log,
            log_output=log_output,
            stdout_file=stdout_file,
            stderr_file=stderr_file,
            warm=warm,
        )
        client.kc = AheadClient(warm.kc, client)  # the open channels, not new ones per notebook
        try:
            result = client.execute()
            warm.reset_later()  # the kernel clears up while the runner exports and scans this notebook
        finally:
            warm.notebooks += 1
        return result


papermill_engines.register(ENGINE_NAME, WarmKernelEngine)
