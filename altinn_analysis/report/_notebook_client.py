"""The notebook client of the warm-kernel engine: papermill's client (nbclient's), with each cell's messages read
by one blocking loop instead of nbclient's asyncio tasks.

nbclient runs every cell as three asyncio tasks (shell reply, IOPub outputs, a dead-kernel watch) over zmq futures:
about half of the runner's CPU a report went to that machinery, not to the messages. Here one `zmq.Poller` waits on
the shell and IOPub sockets of a blocking client, and every message goes through nbclient's own `process_message`
(outputs, display ids, clear_output, comms, the `metadata.execution` timestamps), so the executed notebook is the
one nbclient builds. Its rules are kept as they are: the reply and the kernel's idle status both end a cell (what
arrives after them belongs to the next cell, sent ahead), messages of other requests are dropped, a dead kernel is
noticed within a second (`DeadKernelError`), the cell timeout and the IOPub timeout raise nbclient's
`CellTimeoutError`, a failing cell nbclient's `CellExecutionError`.
"""

from __future__ import annotations

import logging
from time import monotonic
from typing import TYPE_CHECKING, Any

from papermill.clientwrap import PapermillNotebookClient

if TYPE_CHECKING:
    from altinn_analysis.report._kernel import WarmKernel

__all__ = [
    "KERNEL_INFO_KNOWN",
    "OUTPUT_FIELDS",
    "AheadClient",
    "WarmNotebookClient",
    "output_node",
]

log = logging.getLogger("altinn_analysis.report")

# How often a cell's wait looks at the kernel process (nbclient's dead-kernel watch wakes every second too).
ALIVE_CHECK_S = 1.0

# The fields of each output message nbformat keeps (nbformat.v4.output_from_msg), by message type.
OUTPUT_FIELDS: dict[str, tuple[str, ...]] = {
    "execute_result": ("metadata", "data", "execution_count"),
    "stream": ("name", "text"),
    "display_data": ("metadata", "data"),
    "error": ("ename", "evalue", "traceback"),
}

# What `AheadClient.kernel_info` returns instead of a message id when the kernel's info is known already.
KERNEL_INFO_KNOWN = "kernel-info-known"


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


def _hook(hook: Any, **kwargs: Any) -> None:
    """nbclient's `run_hook`, called from a blocking loop."""
    if hook is None:
        return
    result = hook(**kwargs)
    import inspect

    if inspect.isawaitable(result):
        from jupyter_core.utils import ensure_async, run_sync

        run_sync(ensure_async)(result)


def _receive(channel: Any) -> dict[str, Any]:
    """One message from a blocking channel's socket (what `ZMQSocketChannel.get_msg` does once the socket is ready)."""
    _, parts = channel.session.feed_identities(channel.socket.recv_multipart())
    message: dict[str, Any] = channel.session.deserialize(parts)
    return message


class WarmNotebookClient(PapermillNotebookClient):  # type: ignore[misc]
    """papermill's notebook client with cells run by a blocking loop (`execute_cell`), outputs built by
    `output_node`, the next code cell sent ahead and the kernel's info asked once per kernel (`AheadClient`)."""

    def __init__(self, *args: Any, warm: WarmKernel, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.warm = warm
        self.executing = -1  # the index of the cell being sent
        self.on_cell_execute = self._executing  # nbclient's hook, called just before a cell is sent
        client: Any = self  # nbclient's traits are untyped
        if client.coalesce_streams:
            raise ValueError("the warm-kernel engine does not merge streams (coalesce_streams)")

    def _executing(self, cell: Any, cell_index: int) -> None:
        self.executing = cell_index

    def _allows_errors(self, tags: list[str]) -> bool:
        """Whether a cell with `tags` may fail without stopping the notebook (as nbclient decides it)."""
        client: Any = self  # nbclient's traits are untyped
        return bool((not client.force_raise_errors) and (client.allow_errors or "raises-exception" in tags))

    def next_code_cell(self, index: int) -> tuple[int, str, bool] | None:
        """The code cell executed after cell `index`: its index, source and stop_on_error flag, decided as
        `execute_cell` decides them (empty and skip-tagged cells are not sent; raises-exception allows errors)."""
        client: Any = self  # nbclient's traits are untyped
        for i in range(index + 1, len(client.nb.cells)):
            cell = client.nb.cells[i]
            tags = cell.metadata.get("tags", [])
            if cell.cell_type != "code" or not cell.source.strip() or client.skip_cells_with_tag in tags:
                continue
            return i, cell.source, not self._allows_errors(tags)
        return None

    def execute_cell(
        self, cell: Any, cell_index: int, execution_count: int | None = None, store_history: bool = True
    ) -> Any:
        """nbclient's `async_execute_cell`, step for step, with the reply and the outputs read by `_run_cell`."""
        client: Any = self  # nbclient's traits are untyped
        _hook(client.on_cell_start, cell=cell, cell_index=cell_index)
        if cell.cell_type != "code" or not cell.source.strip():
            return cell
        tags = cell.metadata.get("tags", [])
        if client.skip_cells_with_tag in tags:
            return cell
        if client.record_timing:  # clear execution metadata prior to execution
            cell["metadata"]["execution"] = {}
        allows_errors = self._allows_errors(tags)
        _hook(client.on_cell_execute, cell=cell, cell_index=cell_index)
        msg_id = client.kc.execute(cell.source, store_history=store_history, stop_on_error=not allows_errors)
        _hook(client.on_cell_complete, cell=cell, cell_index=cell_index)
        client.code_cells_executed += 1
        timeout = client._get_timeout(cell)
        cell.outputs = []
        client.clear_before_next_output = False
        reply = self._run_cell(msg_id, cell, cell_index, timeout)
        if execution_count:
            cell["execution_count"] = execution_count
        _hook(client.on_cell_executed, cell=cell, cell_index=cell_index, execute_reply=reply)
        self._raise_for_error(cell, cell_index, reply)
        client.nb["cells"][cell_index] = cell
        return cell

    def _run_cell(self, msg_id: str, cell: Any, cell_index: int, timeout: int | None) -> dict[str, Any] | None:
        """Read the shell reply and the IOPub messages of request `msg_id` until both its reply and its idle status
        are in. Outputs go through `process_message` as they come. Timeouts and a dead kernel raise as in nbclient
        (`_async_poll_for_reply`, `_async_poll_output_msg`, `_async_poll_kernel_alive`)."""
        import zmq
        from nbclient.client import timestamp
        from nbclient.exceptions import CellExecutionComplete, CellTimeoutError

        client: Any = self  # nbclient's traits are untyped
        kc = self.warm.kc
        shell, iopub = kc.shell_channel, kc.iopub_channel
        poller = zmq.Poller()
        poller.register(shell.socket, zmq.POLLIN)
        poller.register(iopub.socket, zmq.POLLIN)
        reply: dict[str, Any] | None = None
        replied = idle = False
        now = monotonic()
        deadline = None if timeout is None else now + timeout
        iopub_deadline: float | None = None
        next_check = now + ALIVE_CHECK_S
        while not (replied and idle):
            limits = [next_check]
            if not replied and deadline is not None:
                limits.append(deadline)
            if replied and iopub_deadline is not None:
                limits.append(iopub_deadline)
            ready = dict(poller.poll(max(0, int((min(limits) - monotonic()) * 1000) + 1)))
            if not replied and shell.socket in ready:
                msg = _receive(shell)
                if msg["parent_header"].get("msg_id") == msg_id:
                    reply, replied = msg, True
                    if client.record_timing:
                        cell["metadata"]["execution"]["shell.execute_reply"] = timestamp(msg)
                    iopub_deadline = monotonic() + client.iopub_timeout
                    poller.unregister(shell.socket)  # the next reply belongs to the cell sent ahead
            if not idle and iopub.socket in ready:
                msg = _receive(iopub)
                if msg["parent_header"].get("msg_id") == msg_id:
                    try:
                        client.process_message(msg, cell, cell_index)
                    except CellExecutionComplete:
                        idle = True
                        poller.unregister(iopub.socket)  # what follows is the next cell's
            now = monotonic()
            if now >= next_check:
                self._raise_if_dead()
                next_check = now + ALIVE_CHECK_S
            if not replied and timeout is not None and deadline is not None and now >= deadline:
                reply = self._timed_out(timeout, cell)  # raises unless interrupting on timeouts
                if reply is not None:
                    reply["parent_header"] = {"msg_id": msg_id}
                    replied = True
                    if client.record_timing:
                        cell["metadata"]["execution"]["shell.execute_reply"] = timestamp(reply)
                    iopub_deadline = now + client.iopub_timeout
                    poller.unregister(shell.socket)
                deadline = None if reply is not None else now + timeout
            if replied and not idle and iopub_deadline is not None and now >= iopub_deadline:
                if client.raise_on_iopub_timeout:
                    raise CellTimeoutError.error_from_timeout_and_cell(
                        "Timeout waiting for IOPub output", client.iopub_timeout, cell
                    )
                client.log.warning("Timeout waiting for IOPub output")
                break
        return reply

    def _raise_if_dead(self) -> None:
        """nbclient's dead-kernel answer: logged, then `DeadKernelError`."""
        from nbclient.exceptions import DeadKernelError

        if not self.warm.alive():
            client: Any = self  # nbclient's traits are untyped
            client.log.error("Kernel died while waiting for execute reply.")
            raise DeadKernelError("Kernel died") from None

    def _timed_out(self, timeout: int, cell: Any) -> dict[str, Any] | None:
        """nbclient's `_async_handle_timeout`: a dead kernel says so; else interrupt it (and answer the configured
        error) when asked to, or raise `CellTimeoutError`."""
        from nbclient.exceptions import CellTimeoutError

        client: Any = self  # nbclient's traits are untyped
        self._raise_if_dead()
        client.log.error("Timeout waiting for execute reply (%is).", timeout)
        if client.interrupt_on_timeout:
            client.log.error("Interrupting kernel")
            client.km.interrupt_kernel()
            if client.error_on_timeout:
                return {"content": {**client.error_on_timeout, "status": "error"}}
            return None
        raise CellTimeoutError.error_from_timeout_and_cell("Cell execution timed out", timeout, cell)

    def _raise_for_error(self, cell: Any, cell_index: int, reply: dict[str, Any] | None) -> None:
        """nbclient's `_check_raise_for_error`."""
        from nbclient.exceptions import CellExecutionError

        if reply is None or reply["content"]["status"] != "error":
            return
        client: Any = self  # nbclient's traits are untyped
        content = reply["content"]
        allows_errors = (not client.force_raise_errors) and (
            client.allow_errors
            or content.get("ename") in client.allow_error_names
            or "raises-exception" in cell.metadata.get("tags", [])
        )
        _hook(client.on_cell_error, cell=cell, cell_index=cell_index, execute_reply=reply)
        if not allows_errors:
            raise CellExecutionError.from_cell_and_msg(cell, content)

    def wait_for_reply(self, msg_id: str, cell: Any = None) -> Any:
        """nbclient's `wait_for_reply` (the shell reply to `msg_id`, the kernel checked every
        `shell_timeout_interval` seconds), blocking; the kernel's info from the first notebook on this kernel."""
        from queue import Empty

        if msg_id == KERNEL_INFO_KNOWN and self.warm.kernel_info is not None:
            return self.warm.kernel_info
        client: Any = self  # nbclient's traits are untyped
        timeout = client._get_timeout(cell)
        waited = 0.0
        while True:
            try:
                msg = self.warm.kc.shell_channel.get_msg(timeout=client.shell_timeout_interval)
            except Empty:
                self._raise_if_dead()
                waited += client.shell_timeout_interval
                if timeout and waited > timeout:
                    self._timed_out(timeout, cell)
                    return None
                continue
            if msg["parent_header"].get("msg_id") == msg_id:
                if msg.get("msg_type") == "kernel_info_reply":
                    self.warm.kernel_info = msg
                return msg

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


class AheadClient:
    """The kernel client the notebook client sends with, which sends the next code cell as soon as a cell is sent,
    so the kernel starts it the moment the current cell ends instead of waiting a round trip for the runner to
    record that cell and send the next (~5 ms a cell, more on a loaded machine). One cell ahead at most. Nothing
    else changes: the kernel runs requests in order, every reply and output names its request (the cell loop reads
    only the current cell's and stops at its reply and idle status), and after a failing cell sent with
    stop_on_error the kernel aborts what is queued behind it, so a cell after a failure never runs, as if it had
    never been sent."""

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
