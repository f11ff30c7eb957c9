"""A papermill engine that runs notebooks on a warm, reused kernel.

Starting a kernel and importing the scientific stack costs seconds per notebook; the report itself takes a
fraction of a second. `WarmKernel` starts one kernel and keeps it; between notebooks it clears the user
namespace (`%reset -f`) and the execution counter, so no variable from one institution's report is visible in
the next, while imported modules and the catalogue cache stay warm. The reset is sent as soon as a notebook is
done and waited for before the next one starts. A kernel that died is replaced.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Any

from jupyter_client.asynchronous.client import AsyncKernelClient
from jupyter_client.manager import KernelManager
from papermill.clientwrap import PapermillNotebookClient
from papermill.engines import Engine, NotebookExecutionManager, catch_nb_assignment, papermill_engines

from altinn_analysis.report._session import RunnerSession

__all__ = [
    "ENGINE_NAME",
    "KERNEL_ARGUMENTS",
    "RESET_CODE",
    "AheadClient",
    "WarmExecutionManager",
    "WarmKernel",
    "WarmKernelEngine",
    "WarmNotebookClient",
    "kernel_environment",
    "kernel_threads",
    "output_node",
]

log = logging.getLogger("altinn_analysis.report")

ENGINE_NAME = "altinn-warm"
# Runs before every notebook on a reused kernel: forget the previous notebook's variables and numbering.
# reset(new_session=True) also restarts the numbering in a fresh history session (setting execution_count by
# hand collides with the history database and prints an error into the next notebook). It runs a full garbage
# collection (the displayhook flush calls gc.collect), which is why what survives it is frozen: the modules and
# catalogues then stay out of every later collection, and the reset costs ~15 ms instead of ~0.3 s.
RESET_CODE = "get_ipython().reset(new_session=True)\nimport gc\ngc.freeze()"

# How a report kernel is started. No input history: a batch kernel never needs it, and each notebook would add an
# SQLite session. Streams that skip flushing nothing (`_kernel_stream`). No 0.5 ms sleep before each reply (ipykernel's
# old stopgap for outputs that arrived after the reply; nbclient waits for the kernel's idle status on IOPub anyway).
KERNEL_ARGUMENTS = (
    "--HistoryManager.enabled=False",
    "--IPKernelApp.outstream_class=altinn_analysis.report._kernel_stream.OutStream",
    "--Kernel._execute_sleep=0",
)


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
        self.kc: Any = None  # blocking client: warm-up and reset between notebooks
        self.async_kc: Any = None  # asynchronous client for nbclient, which must not block its event loop
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
        self.km.start_kernel(extra_arguments=list(KERNEL_ARGUMENTS), **kwargs)
        self.kc = self.km.client()
        self.kc.start_channels()
        self.kc.wait_for_ready(timeout=self.startup_timeout)
        # nbclient awaits the client's channels; a blocking client would stall its loop (and its dead-kernel
        # watch) on the first message that never comes, e.g. after the kernel died.
        # Its own Session (same key): two clients sharing one Session reject each other's copies of the same
        # broadcast message as replays. Without a parent manager it watches the heartbeat for a dead kernel.
        self.async_kc = AsyncKernelClient(session=RunnerSession())
        self.async_kc.load_connection_info(self.km.get_connection_info())
        self.async_kc.start_channels()
        if self.warm_up:
            self.run(self.warm_up, timeout=self.startup_timeout)

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

    def run(self, code: str, timeout: float = 120) -> None:
        """Run code outside any notebook (warm-up, reset); its output is discarded, an error raised.

        Waits in short steps and checks the kernel in between, so a kernel killed meanwhile (an interrupted
        run) ends the wait at once instead of after `timeout`.
        """
        self.wait(self.send(code), timeout)

    def send(self, code: str) -> str:
        """Start running code outside any notebook; `wait` for it with the id returned."""
        msg_id: str = self.kc.execute(code, silent=False, store_history=False)
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
        if self.async_kc is not None:
            self.async_kc.stop_channels()
            self.async_kc = None
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


# The fields of each output message nbformat keeps (nbformat.v4.output_from_msg), by message type.
OUTPUT_FIELDS: dict[str, tuple[str, ...]] = {
    "execute_result": ("metadata", "data", "execution_count"),
    "stream": ("name", "text"),
    "display_data": ("metadata", "data"),
    "error": ("ename", "evalue", "traceback"),
}


def output_node(msg: dict[str, Any]) -> Any:
    """`nbformat.v4.output_from_msg(msg)` without its jsonschema validation of every output (~1 ms each, ~20
    outputs per report): the same NotebookNode. The executed notebook is validated once, as a whole, when it is
    written (`_papermill.notebook_json`)."""
    from nbformat.notebooknode import from_dict

    msg_type = msg["header"]["msg_type"]
    fields = OUTPUT_FIELDS.get(msg_type)
    if fields is None:
        raise ValueError(f"Unrecognized output msg type: {msg_type!r}")
    content = msg["content"]
    return from_dict({"output_type": msg_type, **{name: content[name] for name in fields}})  # type: ignore[no-untyped-call]


class WarmNotebookClient(PapermillNotebookClient):  # type: ignore[misc]
    """papermill's notebook client with outputs built by `output_node` (nbclient's `output`, otherwise as is),
    the next code cell sent ahead and the kernel's info asked once per kernel (`AheadClient`)."""

    def __init__(self, *args: Any, warm: WarmKernel, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.warm = warm
        self.executing = -1  # the index of the cell nbclient is sending
        self.on_cell_execute = self._executing  # nbclient's hook, called just before it sends a cell

    def _executing(self, cell: Any, cell_index: int) -> None:
        self.executing = cell_index

    def next_code_cell(self, index: int) -> tuple[int, str, bool] | None:
        """The code cell nbclient will execute after cell `index`: its index, source and stop_on_error flag, decided
        as nbclient decides them (empty and skip-tagged cells are not sent; raises-exception allows errors)."""
        client: Any = self  # nbclient's traits are untyped
        for i in range(index + 1, len(client.nb.cells)):
            cell = client.nb.cells[i]
            tags = cell.metadata.get("tags", [])
            if cell.cell_type != "code" or not cell.source.strip() or client.skip_cells_with_tag in tags:
                continue
            allows_errors = (not client.force_raise_errors) and (client.allow_errors or "raises-exception" in tags)
            return i, cell.source, not allows_errors
        return None

    def wait_for_reply(self, msg_id: str, cell: Any = None) -> Any:
        if msg_id == KERNEL_INFO_KNOWN and self.warm.kernel_info is not None:
            return self.warm.kernel_info
        reply = super().wait_for_reply(msg_id, cell)
        if reply is not None and reply.get("msg_type") == "kernel_info_reply":
            self.warm.kernel_info = reply
        return reply

    def output(self, outs: list[Any], msg: dict[str, Any], display_id: str | None, cell_index: int) -> Any:
        parent_msg_id = msg["parent_header"].get("msg_id")
        if self.output_hook_stack[parent_msg_id]:
            # a registered hook (e.g. an output widget) overrides the default, as in nbclient
            self.output_hook_stack[parent_msg_id][-1].output(outs, msg, display_id, cell_index)
            return None
        try:
            out = output_node(msg)
        except ValueError:
            self.log.error(f"unhandled iopub msg: {msg['msg_type']}")
            return None
        client: Any = self  # nbclient's traits are untyped
        if client.clear_before_next_output:
            outs[:] = []
            self.clear_display_id_mapping(cell_index)
            client.clear_before_next_output = False
        if display_id:
            self._display_id_map.setdefault(display_id, {}).setdefault(cell_index, []).append(len(outs))
        if out:
            outs.append(out)
        return out


# What `AheadClient.kernel_info` returns instead of a message id when the kernel's info is known already.
KERNEL_INFO_KNOWN = "kernel-info-known"


class AheadClient:
    """The kernel client nbclient uses, which sends the next code cell as soon as a cell is sent, so the kernel
    starts it the moment the current cell ends instead of waiting a round trip for the runner to record that cell
    and send the next (~5 ms a cell, more on a loaded machine). One cell ahead at most. Nothing else changes: the
    kernel runs requests in order, every reply and output names its request (nbclient reads only the current
    cell's), and after a failing cell sent with stop_on_error the kernel aborts what is queued behind it, so a cell
    after a failure never runs, as if it had never been sent."""

    def __init__(self, kc: Any, client: WarmNotebookClient) -> None:
        self._kc = kc
        self._client = client
        self._ahead: dict[int, tuple[str, str]] = {}  # cell index -> (source, msg_id) sent ahead

    def __getattr__(self, name: str) -> Any:
        return getattr(self._kc, name)

    def kernel_info(self) -> str:
        """Ask the kernel for its info the first time only: papermill asks after every notebook, for the notebook's
        `language_info`, which a kernel process never changes (a round trip and four messages a report). The
        client answers `KERNEL_INFO_KNOWN` with the reply it kept."""
        if self._client.warm.kernel_info is not None:
            return KERNEL_INFO_KNOWN
        return str(self._kc.kernel_info())

    def execute(self, code: str, store_history: bool = True, stop_on_error: bool = True, **kwargs: Any) -> str:
        index = self._client.executing
        ahead = self._ahead.pop(index, None)
        if ahead is not None and ahead[0] == code:
            msg_id = ahead[1]
        else:
            msg_id = self._kc.execute(code, store_history=store_history, stop_on_error=stop_on_error, **kwargs)
        following = self._client.next_code_cell(index)
        if following is not None:
            i, source, stop = following
            self._ahead[i] = (source, self._kc.execute(source, store_history=store_history, stop_on_error=stop))
        return str(msg_id)


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
        client.kc = AheadClient(warm.async_kc, client)  # the open channels, not new ones per notebook
        try:
            result = client.execute()
            warm.reset_later()  # the kernel clears up while the runner exports and scans this notebook
        finally:
            warm.notebooks += 1
        return result


papermill_engines.register(ENGINE_NAME, WarmKernelEngine)
