"""The warm-kernel engine's cell loop (report/_notebook_client.py) against a kernel played by the test: real zmq
sockets and jupyter_client sessions, the kernel's messages queued by hand. What nbclient does with the same
messages is the reference: the outputs, the execution count and timestamps, what ends a cell, what is left for the
next one, and how timeouts, a dead kernel and a failing cell end it.
"""

from __future__ import annotations

import time
import uuid
from datetime import UTC, datetime
from typing import Any

import pytest
import zmq
from jupyter_client.session import Session
from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError
from nbformat.v4 import new_code_cell, new_notebook, output_from_msg
from papermill.engines import NotebookExecutionManager

from altinn_analysis.report._notebook_client import WarmNotebookClient
from altinn_analysis.report._session import RunnerSession

KEY = b"test-key"


class Channel:
    def __init__(self, socket: zmq.Socket[bytes], session: Session) -> None:
        self.socket, self.session = socket, session


class Kernel:
    """The kernel's end of a shell and an IOPub socket pair, and a client end the cell loop reads."""

    def __init__(self) -> None:
        ctx = zmq.Context.instance()
        self.session = Session(key=KEY)
        self.sockets: list[zmq.Socket[bytes]] = []
        self.shell, client_shell = self._pair(ctx, "shell")
        self.iopub, client_iopub = self._pair(ctx, "iopub")
        runner = RunnerSession(key=KEY)
        self.shell_channel, self.iopub_channel = Channel(client_shell, runner), Channel(client_iopub, runner)
        self.sent: list[str] = []
        self.process_alive = True

    def _pair(self, ctx: zmq.Context[zmq.Socket[bytes]], name: str) -> tuple[zmq.Socket[bytes], zmq.Socket[bytes]]:
        address = f"inproc://{name}-{uuid.uuid4().hex}"
        kernel, client = ctx.socket(zmq.PAIR), ctx.socket(zmq.PAIR)
        kernel.bind(address)
        client.connect(address)
        self.sockets += [kernel, client]
        return kernel, client

    # the client side, as the cell loop uses it
    @property
    def kc(self) -> Kernel:
        return self

    def execute(self, code: str, store_history: bool = True, stop_on_error: bool = True) -> str:
        self.sent.append(code)
        return f"req-{len(self.sent)}"

    def alive(self) -> bool:
        return self.process_alive

    kernel_info = None

    # the kernel side
    def publish(self, parent: str, msg_type: str, **content: Any) -> None:
        self.session.send(self.iopub, msg_type, content, parent={"msg_id": parent, "msg_type": "execute_request"})

    def reply(self, parent: str, **content: Any) -> None:
        self.session.send(
            self.shell, "execute_reply", content, parent={"msg_id": parent, "msg_type": "execute_request"}
        )

    def next_iopub(self) -> dict[str, Any]:
        assert self.iopub_channel.socket.poll(1000)
        _, parts = self.session.feed_identities(self.iopub_channel.socket.recv_multipart())
        return self.session.deserialize(parts)

    def close(self) -> None:
        for socket in self.sockets:
            socket.close(linger=0)


@pytest.fixture
def kernel() -> Any:
    k = Kernel()
    yield k
    k.close()


def client_for(kernel: Kernel, *sources: str, tags: list[str] | None = None) -> WarmNotebookClient:
    nb = new_notebook()
    nb.cells = [new_code_cell(source, metadata={"tags": tags or []}) for source in sources]
    client = WarmNotebookClient(NotebookExecutionManager(nb, progress_bar=False), warm=kernel)
    client.kc = kernel  # type: ignore[assignment]
    return client


def cell_messages(kernel: Kernel, msg_id: str) -> list[tuple[str, dict[str, Any]]]:
    """What ipykernel publishes for a cell that prints and displays, in order (the reply goes to shell)."""
    return [
        ("status", {"execution_state": "busy"}),
        ("execute_input", {"code": "x", "execution_count": 7}),
        ("stream", {"name": "stdout", "text": "hello\n"}),
        ("display_data", {"data": {"text/plain": "d"}, "metadata": {}, "transient": {"display_id": "d1"}}),
        ("stream", {"name": "stdout", "text": "again\n"}),
        ("execute_result", {"data": {"text/plain": "3"}, "metadata": {}, "execution_count": 7}),
        ("status", {"execution_state": "idle"}),
    ]


def test_a_cell_gets_nbclients_outputs_count_and_timestamps_and_leaves_the_next_cells_messages(
    kernel: Kernel,
) -> None:
    client = client_for(kernel, "x = 1")
    kernel.publish("an-earlier-request", "status", execution_state="idle")  # left over: dropped
    for msg_type, content in cell_messages(kernel, "req-1"):
        kernel.publish("req-1", msg_type, **content)
    kernel.reply("an-earlier-request", status="ok", execution_count=1)  # dropped too
    kernel.reply("req-1", status="ok", execution_count=7)
    kernel.publish("req-2", "status", execution_state="busy")  # the cell sent ahead: not this cell's
    kernel.reply("req-2", status="ok", execution_count=8)

    cell = client.execute_cell(client.nb.cells[0], 0)

    expected = [
        output_from_msg({"header": {"msg_type": t}, "content": c})
        for t, c in cell_messages(kernel, "req-1")
        if t in ("stream", "display_data", "execute_result")
    ]
    assert cell.outputs == expected  # streams as nbclient keeps them: not merged
    assert cell.execution_count == 7
    stamps = cell.metadata.execution
    assert set(stamps) == {"iopub.status.busy", "iopub.execute_input", "shell.execute_reply", "iopub.status.idle"}
    sent = kernel.session.msg_header("x")["date"]  # when the test sent them, to the second: their header dates
    for stamp in stamps.values():
        assert abs((datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC) - sent).total_seconds()) < 5
    # the next cell's messages are still queued, in order
    assert kernel.next_iopub()["parent_header"]["msg_id"] == "req-2"
    assert kernel.shell_channel.socket.poll(1000)


def test_the_reply_may_come_before_the_outputs(kernel: Kernel) -> None:
    client = client_for(kernel, "x = 1")
    kernel.reply("req-1", status="ok", execution_count=7)
    for msg_type, content in cell_messages(kernel, "req-1"):
        kernel.publish("req-1", msg_type, **content)
    cell = client.execute_cell(client.nb.cells[0], 0)
    assert [o.output_type for o in cell.outputs] == ["stream", "display_data", "stream", "execute_result"]


def test_a_failing_cell_raises_nbclients_error_unless_it_may_fail(kernel: Kernel) -> None:
    error = {"ename": "RuntimeError", "evalue": "deliberate", "traceback": ["Traceback", "RuntimeError: deliberate"]}
    for tags, raises in (([], True), (["raises-exception"], False)):
        client = client_for(kernel, "raise RuntimeError('deliberate')", tags=tags)
        msg_id = f"req-{len(kernel.sent) + 1}"
        kernel.publish(msg_id, "status", execution_state="busy")
        kernel.publish(msg_id, "error", **error)
        kernel.publish(msg_id, "status", execution_state="idle")
        kernel.reply(msg_id, status="error", **error)
        if raises:
            with pytest.raises(CellExecutionError, match="deliberate"):
                client.execute_cell(client.nb.cells[0], 0)
        else:
            client.execute_cell(client.nb.cells[0], 0)
        assert client.nb.cells[0].outputs[0]["ename"] == "RuntimeError"


@pytest.mark.parametrize(
    ("source", "limit", "replies", "message"),
    [
        ("x = 1", "iopub_timeout", True, "Timeout waiting for IOPub output"),
        ("import time; time.sleep(60)", "timeout", False, "Cell execution timed out"),
    ],
    ids=["a reply without its idle status: iopub timeout", "no reply: cell timeout"],
)
def test_a_cell_that_does_not_finish_in_time_is_nbclients_timeout(
    kernel: Kernel, source: str, limit: str, replies: bool, message: str
) -> None:
    client = client_for(kernel, source)
    setattr(client, limit, 1)
    kernel.publish("req-1", "status", execution_state="busy")
    if replies:
        kernel.reply("req-1", status="ok", execution_count=1)
    start = time.monotonic()
    with pytest.raises(CellTimeoutError, match=message):
        client.execute_cell(client.nb.cells[0], 0)
    assert 0.9 < time.monotonic() - start < 5


def test_a_kernel_that_dies_mid_cell_ends_it_within_a_second_or_two(kernel: Kernel) -> None:
    client = client_for(kernel, "import os; os._exit(1)")
    kernel.publish("req-1", "status", execution_state="busy")
    kernel.process_alive = False
    start = time.monotonic()
    with pytest.raises(DeadKernelError, match="Kernel died"):
        client.execute_cell(client.nb.cells[0], 0)
    assert time.monotonic() - start < 3


def test_merging_streams_is_refused_not_ignored(kernel: Kernel) -> None:
    nb = new_notebook()
    with pytest.raises(ValueError, match="coalesce_streams"):
        WarmNotebookClient(NotebookExecutionManager(nb, progress_bar=False), warm=kernel, coalesce_streams=True)
