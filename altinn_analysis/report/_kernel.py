"""A papermill engine that runs notebooks on a warm, reused kernel.

Starting a kernel and importing the scientific stack costs seconds per notebook; the report itself takes a
fraction of a second. `WarmKernel` starts one kernel and keeps it; before each notebook it clears the user
namespace (`%reset -f`) and the execution counter, so no variable from one institution's report is visible in
the next, while imported modules and the catalogue cache stay warm. A kernel that died is replaced.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from jupyter_client.manager import KernelManager
from papermill.clientwrap import PapermillNotebookClient
from papermill.engines import Engine, papermill_engines

__all__ = ["ENGINE_NAME", "RESET_CODE", "WarmKernel", "WarmKernelEngine"]

log = logging.getLogger("altinn_analysis.report")

ENGINE_NAME = "altinn-warm"
# Runs before every notebook on a reused kernel: forget the previous notebook's variables and numbering.
RESET_CODE = (
    "get_ipython().run_line_magic('reset', '-f'); "
    "get_ipython().execution_count = 1; "
    "import gc as _gc; _gc.collect(); del _gc"
)


class WarmKernel:
    """One kernel (and its client) kept alive across notebooks. Use from one thread only."""

    def __init__(self, kernel_name: str, *, startup_timeout: float = 60, cwd: str | None = None) -> None:
        self.kernel_name = kernel_name
        self.startup_timeout = startup_timeout
        self.cwd = cwd
        self.km: KernelManager | None = None
        self.kc: Any = None
        self.notebooks = 0
        self._ipc_dir: str | None = None

    def start(self) -> None:
        # ipc: unix sockets, not loopback TCP (jupyter warns about unencrypted TCP on every start)
        self.km = KernelManager(kernel_name=self.kernel_name, transport="ipc", ip=self._ipc_path())
        kwargs: dict[str, Any] = {"cwd": self.cwd} if self.cwd else {}
        self.km.start_kernel(**kwargs)
        self.kc = self.km.client()
        self.kc.start_channels()
        self.kc.wait_for_ready(timeout=self.startup_timeout)

    def _ipc_path(self) -> str:
        import tempfile

        self._ipc_dir = tempfile.mkdtemp(prefix="aa-kernel-")
        return str(Path(self._ipc_dir) / "kernel")

    def alive(self) -> bool:
        return self.km is not None and self.km.is_alive()

    def ensure(self) -> None:
        if not self.alive():
            if self.km is not None:
                log.warning("kernel died; starting a new one")
            self.shutdown()
            self.start()

    def reset(self) -> None:
        reply = self.kc.execute_interactive(RESET_CODE, store_history=False, timeout=30)
        if reply["content"]["status"] != "ok":
            raise RuntimeError(f"could not reset the kernel: {reply['content'].get('evalue')}")

    def shutdown(self) -> None:
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


class WarmKernelEngine(Engine):  # type: ignore[misc]
    """papermill engine: `execute_notebook(..., engine_name=ENGINE_NAME, warm_kernel=WarmKernel(...))`."""

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
        client = PapermillNotebookClient(
            nb_man,
            km=warm.km,
            timeout=execution_timeout,
            startup_timeout=start_timeout,
            kernel_name=kernel_name,
            log=log,
            log_output=log_output,
            stdout_file=stdout_file,
            stderr_file=stderr_file,
        )
        client.kc = warm.kc  # reuse the open channels instead of opening new ones per notebook
        try:
            result = client.execute()
        finally:
            warm.notebooks += 1
        return result


papermill_engines.register(ENGINE_NAME, WarmKernelEngine)
