"""How a report kernel is started: its streams (a flush with nothing written costs no round trip to the IO thread,
a flush after a write still sends everything, in order), its arguments, and polars' threads per kernel."""

from __future__ import annotations

import asyncio
import contextlib
import threading
from typing import Any

import pytest
import zmq
from ipykernel.iostream import IOPubThread
from jupyter_client.session import Session

from altinn_analysis.report import _kernel
from altinn_analysis.report._kernel_stream import OutStream


@pytest.fixture
def stream() -> Any:
    context = zmq.Context()
    socket = context.socket(zmq.PUB)
    pub = IOPubThread(socket)
    pub.start()
    session = Session()
    sent: list[tuple[str, str]] = []
    # what reaches the IOPub socket, in order: (stream name, text)
    session.send = lambda _s, msg, **_kw: sent.append((msg["content"]["name"], msg["content"]["text"]))  # type: ignore[method-assign]
    scheduled: list[Any] = []
    schedule = pub.schedule

    def counted(f: Any) -> None:
        scheduled.append(f)
        schedule(f)

    pub.schedule = counted  # type: ignore[method-assign]
    out = OutStream(session, pub, "stdout", watchfd=False)
    yield out, sent, scheduled
    out.close()

    async def cancel_gc() -> None:  # ipykernel's pipe clean-up task, else reported pending at exit
        task = pub._event_pipe_gc_task
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task

    asyncio.run_coroutine_threadsafe(cancel_gc(), pub.io_loop.asyncio_loop).result(10)
    pub._event_pipe_gc_task = None
    pub.stop()
    socket.close(linger=0)
    context.term()


def test_a_flush_with_nothing_written_skips_the_io_thread(stream: Any) -> None:
    out, sent, scheduled = stream
    for _ in range(5):
        out.flush()
    assert scheduled == [] and sent == []


def test_a_flush_after_a_write_sends_everything_before_it_returns(stream: Any) -> None:
    out, sent, _ = stream
    out.write("one\n")
    out.write("two\n")
    out.flush()
    assert sent == [("stdout", "one\ntwo\n")]  # already sent: the flush waited for the IO thread
    out.flush()  # nothing new: no second message
    assert sent == [("stdout", "one\ntwo\n")]
    out.write("three\n")
    out.flush()
    assert sent == [("stdout", "one\ntwo\n"), ("stdout", "three\n")]


def test_writes_from_threads_all_arrive(stream: Any) -> None:
    out, sent, _ = stream

    def write(i: int) -> None:
        for j in range(50):
            out.write(f"{i}:{j}\n")
            if j % 7 == 0:
                out.flush()

    threads = [threading.Thread(target=write, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    out.flush()
    lines = "".join(text for _, text in sent).splitlines()
    assert sorted(lines) == sorted(f"{i}:{j}" for i in range(4) for j in range(50))


def test_the_kernel_loads_this_stream_class() -> None:
    module, _, name = _kernel.KERNEL_CONFIG["IPKernelApp"]["outstream_class"].rpartition(".")
    assert f"{OutStream.__module__}.{OutStream.__name__}" == f"{module}.{name}"


@pytest.mark.parametrize(
    ("kernels", "cores", "threads"),
    [(1, 2, None), (2, 2, 1), (3, 2, 1), (2, 8, 4), (4, 8, 2)],
)
def test_polars_threads_are_the_cores_shared_out_among_the_kernels(kernels: int, cores: int, threads: Any) -> None:
    assert _kernel.kernel_threads(kernels, cores) == threads


def test_a_users_polars_thread_setting_is_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("POLARS_MAX_THREADS", raising=False)
    assert _kernel.kernel_environment(None) is None
    env = _kernel.kernel_environment(1)
    assert env is not None and env["POLARS_MAX_THREADS"] == "1" and env["PATH"]
    monkeypatch.setenv("POLARS_MAX_THREADS", "3")
    assert _kernel.kernel_environment(1) is None  # the kernel inherits the user's 3


def test_every_kernel_setting_names_a_setting_of_its_class() -> None:
    """A misspelt class or setting would only be warned about in the kernel's log, and have no effect."""
    from ipykernel.kernelapp import IPKernelApp
    from ipykernel.kernelbase import Kernel
    from IPython.core.history import HistoryManager
    from IPython.core.interactiveshell import InteractiveShell

    classes = {cls.__name__: cls for cls in (HistoryManager, InteractiveShell, IPKernelApp, Kernel)}
    assert set(_kernel.KERNEL_CONFIG) == set(classes)
    for name, settings in _kernel.KERNEL_CONFIG.items():
        traits = classes[name].class_traits(config=True)
        assert set(settings) <= set(traits), name


@pytest.mark.kernel
def test_a_report_kernel_runs_with_these_settings_and_code_outside_notebooks_is_silent() -> None:
    import json
    import logging
    import queue

    warm = _kernel.WarmKernel("altinn-analysis")
    try:
        warm.start()
        probe = (
            "import json, logging, sys\n"
            "ip = get_ipython()\n"
            "print(json.dumps([ip.autoawait, ip.history_manager.enabled, logging.getLogger('IPKernelApp').level,"
            " ip.kernel.log.name, ip.kernel._execute_sleep, type(sys.stdout).__module__]))"
        )
        msg_id = warm.kc.execute(probe)
        while (msg := warm.kc.get_iopub_msg(timeout=30))["msg_type"] != "stream":
            pass
        assert json.loads(msg["content"]["text"]) == [
            False,
            False,
            logging.WARNING,
            "IPKernelApp",
            0,
            OutStream.__module__,
        ]
        while warm.kc.get_shell_msg(timeout=30)["parent_header"].get("msg_id") != msg_id:
            pass
        # code run outside a notebook (warm-up, reset) puts no copy of itself and no result on IOPub; a failure
        # still fails
        sent = warm.send("x = 41\nx + 1")
        warm.wait(sent, timeout=30)
        types = []
        with contextlib.suppress(queue.Empty):
            while True:
                msg = warm.kc.get_iopub_msg(timeout=1)
                if msg["parent_header"].get("msg_id") == sent:
                    types.append(msg["msg_type"])
        assert types == ["status", "status"]
        with pytest.raises(RuntimeError, match="ZeroDivisionError"):
            warm.run("1 / 0", timeout=30)
    finally:
        warm.shutdown()
