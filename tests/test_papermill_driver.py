"""The runner's papermill path: outputs built without per-output validation, the source parsed once, the executed
notebook written once — each the same as papermill's and nbformat's own result.

The fast tests compare with nbformat directly; the kernel tests run small notebooks through our path and through
papermill's stock engine (nbclient) and compare the executed notebooks.
"""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import nbformat
import papermill
import pytest
from hypothesis import given
from hypothesis import strategies as st
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output, output_from_msg

from altinn_analysis.report import _papermill
from altinn_analysis.report._kernel import ENGINE_NAME, WarmKernel
from altinn_analysis.report._notebook_client import KERNEL_INFO_KNOWN, OUTPUT_FIELDS, output_node

KERNEL = "altinn-analysis"


def msg(msg_type: str, **content: Any) -> dict[str, Any]:
    return {
        "header": {"msg_type": msg_type, "date": datetime(2026, 11, 28, 12, 0, 1, 123456, tzinfo=UTC)},
        "parent_header": {"msg_id": "p"},
        "msg_type": msg_type,
        "content": content,
    }


MESSAGES = [
    msg("stream", name="stdout", text="line 1\nline 2\n"),
    msg("stream", name="stderr", text="warning\n"),
    msg(
        "display_data",
        data={
            "text/html": "<b>x</b>\n<i>y</i>",
            "text/plain": "x",
            "application/vnd.plotly.v1+json": {"data": [{"x": [1, 2.5e-7, None], "name": "æøå"}], "layout": {}},
        },
        metadata={"isolated": True},
        transient={"display_id": "d1"},
    ),
    msg("execute_result", data={"text/plain": "43"}, metadata={}, execution_count=3),
    msg("error", ename="RuntimeError", evalue="deliberate", traceback=["Traceback", "  line 1", "RuntimeError"]),
]


@pytest.mark.parametrize("message", MESSAGES, ids=[m["msg_type"] for m in MESSAGES])
def test_outputs_are_what_nbformat_builds(message: dict[str, Any]) -> None:
    ours, theirs = output_node(message), output_from_msg(message)
    assert ours == theirs
    assert type(ours) is type(theirs)
    assert all(type(ours[k]) is type(theirs[k]) for k in theirs)  # nested dicts are NotebookNodes too
    assert set(OUTPUT_FIELDS) == {"execute_result", "stream", "display_data", "error"}


def test_a_message_that_is_not_an_output_is_refused_alike() -> None:
    status = msg("status", execution_state="idle")
    with pytest.raises(ValueError):
        output_from_msg(status)
    with pytest.raises(ValueError):
        output_node(status)


def sample_notebook(text: str = "æ\r\nø\u2028å\x1b", number: float = 1e-07) -> Any:
    nb = new_notebook()
    nb.metadata["kernelspec"] = {"name": KERNEL, "display_name": KERNEL, "language": "python"}
    nb.metadata["orig_nbformat"] = 4  # transient: left out of the file
    nb.metadata["papermill"] = {"duration": number, "parameters": {"as_of": "2026-11-28", "note": text}}
    md = new_markdown_cell(f"# Title\n{text}\n", attachments={"a.png": {"image/png": "iVBORw0KGgo=\n"}})
    md.metadata["trusted"] = True
    code = new_code_cell("x = 1\nx\n", execution_count=1)
    code.metadata["tags"] = ["parameters"]
    code.outputs = [
        new_output("stream", name="stdout", text=f"one\ntwo {text}\n"),
        new_output(
            "display_data",
            data={
                "text/html": f"<p>{text}</p>\n<p>2</p>",
                "image/svg+xml": "<svg>\n</svg>",
                "application/javascript": "a();\nb();",
                "application/json": {"k": [number, None, True, text]},
                "image/png": "iVBORw0KGgo=\n",
            },
            metadata={"needs_background": "light"},
        ),
        new_output("execute_result", data={"text/plain": "1"}, execution_count=1),
        new_output("error", ename="E", evalue=text, traceback=["a\nb"]),
    ]
    nb.cells = [md, code, new_code_cell("")]
    return nb


def test_the_written_notebook_is_byte_for_byte_what_nbformat_writes() -> None:
    nb = sample_notebook()
    before = json.dumps(nb, sort_keys=True)
    assert _papermill.notebook_json(nb) == nbformat.writes(nb)
    assert json.dumps(nb, sort_keys=True) == before  # the notebook in memory is not changed


@given(
    text=st.text(st.characters(codec="utf-8"), max_size=40),
    number=st.floats(allow_nan=False, allow_infinity=False),
)
def test_the_same_bytes_for_any_text_and_number(text: str, number: float) -> None:
    nb = sample_notebook(text, number)
    assert _papermill.notebook_json(nb) == nbformat.writes(nb)


def test_an_invalid_notebook_is_refused_not_written_with_a_logged_error(tmp_path: Path) -> None:
    nb = sample_notebook()
    nb.cells[1].outputs.append(nbformat.NotebookNode({"output_type": "display_data", "data": {"text/html": 5}}))
    with pytest.raises(nbformat.ValidationError):
        _papermill.write_notebook(nb, tmp_path / "out.ipynb")
    assert not (tmp_path / "out.ipynb").exists()


def test_the_source_notebook_is_parsed_once_per_version(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import papermill.iorw

    path = tmp_path / "n.ipynb"
    nbformat.write(sample_notebook(), path)
    loads: list[str] = []
    real = papermill.iorw.load_notebook_node
    monkeypatch.setattr(papermill.iorw, "load_notebook_node", lambda p: loads.append(p) or real(p))
    _papermill.clear_source_cache()
    first, names = _papermill.source_notebook(path)
    assert first == real(str(path))  # papermill's own loading: papermill metadata, tags on every cell
    assert names == {"x"}  # the parameters cell's names
    first.cells.clear()  # a caller's copy is its own
    second, _ = _papermill.source_notebook(path)
    assert len(loads) == 1 and len(second.cells) == 3

    nb = sample_notebook()
    nb.cells.append(new_code_cell("y = 2"))
    nbformat.write(nb, path)
    os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + 1_000_000))
    third, _ = _papermill.source_notebook(path)
    assert len(loads) == 2 and len(third.cells) == 4  # an edited notebook is read again


# -- on a kernel ---------------------------------------------------------------------------------------------

CELLS = [
    ("value = 1\nlabel = 'x'", ["parameters"]),
    ("print('stdout', value)\nimport sys\nprint('stderr', file=sys.stderr)", []),
    (
        "from IPython.display import HTML, display\nimport plotly.graph_objects as go\n"
        "display(HTML('<b>æøå</b>'))\ngo.Figure(go.Bar(x=[1, 2], y=[0.1, 1e-7]))",
        [],
    ),
    ("import datetime\ndatetime.datetime(2026, 11, 28, 12, 0, tzinfo=datetime.UTC)", []),
    # streams and displays interleaved: each text flushed before the display that follows it (the kernel's streams
    # skip only flushes with nothing written, _kernel_stream)
    ("print('before')\ndisplay(HTML('<i>between</i>'))\nprint('after', file=sys.stderr)\nprint('last')", []),
    ("label * value", []),
]


def small_notebook(folder: Path, fail: bool = False) -> Path:
    nb = new_notebook()
    nb.metadata["kernelspec"] = {"name": KERNEL, "display_name": KERNEL, "language": "python"}
    for i, (source, tags) in enumerate(CELLS):
        cell = new_code_cell(source)
        cell["id"] = f"cell-{i}"
        cell.metadata["tags"] = tags
        nb.cells.append(cell)
    if fail:
        nb.cells.insert(3, new_code_cell("raise RuntimeError('deliberate failure')"))
        nb.cells[3]["id"] = "fails"
    path = folder / ("fails.ipynb" if fail else "small.ipynb")
    nbformat.write(nb, path)
    return path


def comparable(nb: Any) -> list[Any]:
    """Each cell's source, outputs and papermill status: what must not depend on the engine (times do)."""
    return [
        (
            c.cell_type,
            c.source,
            c.get("outputs"),
            c.get("execution_count"),
            c.metadata.get("papermill", {}).get("status"),
        )
        for c in nb.cells
    ]


@pytest.mark.kernel
def test_our_path_gives_papermills_notebook_and_file(tmp_path: Path) -> None:
    source = small_notebook(tmp_path)
    params = {"value": 3, "label": "ab"}
    stock = papermill.execute_notebook(
        str(source), str(tmp_path / "stock.ipynb"), parameters=params, kernel_name=KERNEL, progress_bar=False
    )
    warm = WarmKernel(KERNEL)
    asked: list[str] = []
    try:
        warm.start()
        kernel_info = warm.kc.kernel_info
        warm.kc.kernel_info = lambda: asked.append("kernel_info") or kernel_info()
        ours = _papermill.execute(
            source, tmp_path / "ours.ipynb", params, engine_name=ENGINE_NAME, kernel_name=KERNEL, warm_kernel=warm
        )
        again = _papermill.execute(
            source, tmp_path / "again.ipynb", params, engine_name=ENGINE_NAME, kernel_name=KERNEL, warm_kernel=warm
        )
    finally:
        warm.shutdown()
    assert comparable(ours) == comparable(stock) == comparable(again)
    # the kernel's language asked once per kernel, and the same in every notebook as in papermill's
    assert asked == ["kernel_info"]
    assert ours.metadata.language_info == again.metadata.language_info == stock.metadata.language_info
    outputs = [o for c in ours.cells for o in c.get("outputs", [])]
    assert {o.output_type for o in outputs} == {"stream", "display_data", "execute_result"}
    assert ours.cells[1].source == stock.cells[1].source  # the injected parameters cell
    for key in ("parameters", "default_parameters", "environment_variables", "version", "input_path", "exception"):
        assert ours.metadata.papermill.get(key) == stock.metadata.papermill.get(key), key
    assert ours.metadata.papermill["output_path"] == str(tmp_path / "ours.ipynb")
    # timestamps keep their shape (ISO 8601 with microseconds and a Z)
    stamps = [c.metadata.execution[k] for c in ours.cells if "execution" in c.metadata for k in c.metadata.execution]
    assert stamps and all(s.endswith("Z") and len(s) == len("2026-11-28T12:00:01.123456Z") for s in stamps)
    # the file: valid, and the bytes nbformat itself writes for the notebook it reads back
    written = (tmp_path / "ours.ipynb").read_text(encoding="utf-8")
    nbformat.validate(nbformat.reads(written, as_version=4))
    assert written == nbformat.writes(nbformat.reads(written, as_version=4))
    assert nbformat.reads(written, as_version=4) == ours


@pytest.mark.kernel
def test_a_failing_cell_fails_as_with_papermill(tmp_path: Path) -> None:
    source = small_notebook(tmp_path, fail=True)
    warm = WarmKernel(KERNEL)
    try:
        with pytest.raises(papermill.PapermillExecutionError) as ours:
            _papermill.execute(
                source, tmp_path / "ours.ipynb", {}, engine_name=ENGINE_NAME, kernel_name=KERNEL, warm_kernel=warm
            )
    finally:
        warm.shutdown()
    with pytest.raises(papermill.PapermillExecutionError) as stock:
        papermill.execute_notebook(str(source), str(tmp_path / "stock.ipynb"), kernel_name=KERNEL, progress_bar=False)
    assert (ours.value.cell_index, ours.value.ename, ours.value.evalue) == (3, "RuntimeError", "deliberate failure")
    assert (ours.value.cell_index, ours.value.ename, ours.value.evalue) == (
        stock.value.cell_index,
        stock.value.ename,
        stock.value.evalue,
    )
    written = nbformat.read(tmp_path / "ours.ipynb", as_version=4)  # written with papermill's error cells
    assert comparable(written) == comparable(nbformat.read(tmp_path / "stock.ipynb", as_version=4))


@pytest.mark.kernel
def test_kernel_messages_are_packed_with_orjson_on_both_sides() -> None:
    """orjson is a dependency for this: jupyter_client and ipykernel use it for every message when installed."""
    pytest.importorskip("orjson")
    warm = WarmKernel(KERNEL)
    try:
        warm.start()
        assert warm.kc.session.packer == "orjson"
        warm.kc.execute("import sys\nprint(get_ipython().kernel.session.packer, 'orjson' in sys.modules)")
        while (reply := warm.kc.get_iopub_msg(timeout=30))["msg_type"] != "stream":
            pass
        assert reply["content"]["text"].split() == ["orjson", "True"]
        assert isinstance(reply["header"]["date"], datetime)  # dates still come back as datetimes
    finally:
        warm.shutdown()


@pytest.mark.kernel
def test_a_cell_sent_ahead_never_runs_after_a_failing_cell(tmp_path: Path) -> None:
    """The next code cell is sent while the current one runs; after a failure the kernel must drop it."""
    marker = tmp_path / "ran-after-failure"
    nb = new_notebook()
    nb.metadata["kernelspec"] = {"name": KERNEL, "display_name": KERNEL, "language": "python"}
    sources = [
        "import time\ntime.sleep(0.3)\nraise RuntimeError('deliberate failure')",
        f"open({str(marker)!r}, 'w').write('x')",
        "print('not either')",
    ]
    nb.cells = [new_code_cell(source) for source in sources]
    for i, cell in enumerate(nb.cells):
        cell["id"] = f"c{i}"
    nb.cells.insert(1, new_markdown_cell("between"))  # the cell sent ahead is the next *code* cell
    nb.cells[1]["id"] = "md"
    nbformat.write(nb, tmp_path / "n.ipynb")
    warm = WarmKernel(KERNEL)
    try:
        with pytest.raises(papermill.PapermillExecutionError) as failed:
            _papermill.execute(
                tmp_path / "n.ipynb",
                tmp_path / "o.ipynb",
                {},
                engine_name=ENGINE_NAME,
                kernel_name=KERNEL,
                warm_kernel=warm,
            )
        assert failed.value.cell_index == 0
        # the same kernel goes on: the next notebook runs in order, from a clean namespace
        ok = _papermill.execute(
            small_notebook(tmp_path),
            tmp_path / "next.ipynb",
            {},
            engine_name=ENGINE_NAME,
            kernel_name=KERNEL,
            warm_kernel=warm,
        )
    finally:
        warm.shutdown()
    assert not marker.exists()
    assert [c.execution_count for c in ok.cells] == list(range(1, len(CELLS) + 1))
    assert ok.cells[-1].outputs[0]["data"]["text/plain"] == "'x'"


class RecordingKernelClient:
    """Stands in for the kernel client: records what is sent, in order."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, bool]] = []

    def execute(self, code: str, store_history: bool = True, stop_on_error: bool = True) -> str:
        self.sent.append((code, stop_on_error))
        return f"msg-{len(self.sent)}"

    def kernel_info(self) -> str:
        return "info"

    shell_channel = object()


def test_each_code_cell_is_sent_once_and_the_next_one_ahead() -> None:
    from altinn_analysis.report._notebook_client import AheadClient, WarmNotebookClient

    nb = new_notebook()
    skipped, allowed = new_code_cell("skipped()"), new_code_cell("may_fail()")
    skipped.metadata["tags"] = ["skip-me"]
    allowed.metadata["tags"] = ["raises-exception"]
    nb.cells = [new_code_cell("a()"), new_markdown_cell("text"), new_code_cell("  \n"), skipped, allowed]
    nb.cells.append(new_code_cell("b()"))

    class Client:  # what next_code_cell reads of nbclient's client
        next_code_cell = WarmNotebookClient.next_code_cell
        _allows_errors = WarmNotebookClient._allows_errors
        skip_cells_with_tag, force_raise_errors, allow_errors, executing = "skip-me", False, False, -1
        warm = WarmKernel(KERNEL)  # not started: only its kept kernel info is read

    client: Any = Client()
    client.nb = nb
    kc = RecordingKernelClient()
    ahead = AheadClient(kc, client)
    client.executing = 0
    assert ahead.execute("a()") == "msg-1"
    assert kc.sent == [("a()", True), ("may_fail()", False)]  # the next cell nbclient runs, with its own flag
    client.executing = 4
    assert ahead.execute("may_fail()", stop_on_error=False) == "msg-2"  # the one sent ahead, not sent again
    client.executing = 5
    assert ahead.execute("b()") == "msg-3"
    assert kc.sent == [("a()", True), ("may_fail()", False), ("b()", True)]  # nothing after the last cell
    assert ahead.kernel_info() == "info"  # the kernel's info is asked while it is not known
    client.warm.kernel_info = {"msg_type": "kernel_info_reply", "content": {"language_info": {"name": "python"}}}
    assert ahead.kernel_info() == KERNEL_INFO_KNOWN  # then answered from what the kernel said before
    assert ahead.shell_channel is kc.shell_channel  # everything else goes to the kernel client


def test_the_warm_up_prepares_what_every_report_of_the_run_shares() -> None:
    """A new kernel runs the warm-up before its first notebook: the catalogues, the assess lookups and the run's
    next-deadlines table are made there, so the first report costs what the others do. Run in a fresh process
    (the warm-up freezes the garbage collector)."""
    import subprocess
    import sys
    from datetime import date

    from altinn_analysis.report._executors import warm_up_code

    check = (
        "\nfrom altinn_analysis.report import _shared"
        "\nmade = sorted((day.isoformat(), lang) for _, day, lang in _shared._DEADLINES)"
        "\nprint(made, len(_shared._LOOKUPS))"
    )
    code = warm_up_code(None, date(2026, 11, 28)) + check
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True)
    assert out.stdout.split() == ["[('2026-11-28',", "'en'),", "('2026-11-28',", "'nb')]", "1"]
