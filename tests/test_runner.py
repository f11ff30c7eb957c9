"""The batch runner: failure isolation, incremental runs, warm-kernel hygiene, interruption, Dask.

Broken notebooks are built in code from the real one (a cell inserted after the report is built), so they can
never drift from it; `tests/broken_notebooks/` holds the tiny standalone ones for the kernel engine.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from datetime import date
from pathlib import Path
from typing import Any

import nbformat
import papermill
import pytest
from typer.testing import CliRunner, Result

from altinn_analysis.cli import app
from altinn_analysis.report._kernel import ENGINE_NAME, WarmKernel
from altinn_analysis.report._runner import OUTPUTS, RunOptions, run_reports

pytestmark = pytest.mark.kernel  # report runs on real Jupyter kernels

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "data" / "institutions"
BROKEN = Path(__file__).parent / "broken_notebooks"
AS_OF = date(2026, 11, 28)
GOOD, BAD, OTHER = "312450380", "313182657", "317901461"


def notebooks_with(tmp_path: Path, code: str) -> Path:
    """The real notebooks, with `code` as a new cell right after the report is built (cell 3)."""
    folder = tmp_path / "notebooks"
    folder.mkdir()
    shutil.copy(ROOT / "notebooks" / "sector_overview.ipynb", folder)
    nb = nbformat.read(ROOT / "notebooks" / "institution_report.ipynb", as_version=4)
    cell = nbformat.v4.new_code_cell(code)
    cell["id"] = "injected"
    nb.cells.insert(3, cell)
    nbformat.write(nb, folder / "institution_report.ipynb")
    return folder


def options(out: Path, **kw: object) -> RunOptions:
    return RunOptions(**{"out_root": out, "as_of": AS_OF, "inventory_dir": DEMO, "workers": 2, **kw})  # type: ignore[arg-type]


def test_a_failing_cell_keeps_the_previous_report_and_the_others_go_on(tmp_path: Path) -> None:
    out = tmp_path / "reports"
    first = run_reports(options(out), [GOOD, BAD, OTHER])
    assert first.ok
    before = (first.run_dir / BAD / "report.html").read_bytes()

    broken = notebooks_with(tmp_path, f'if org_number == "{BAD}":\n    raise RuntimeError("deliberate failure")')
    second = run_reports(options(out, notebooks_dir=broken, force=True), [GOOD, BAD, OTHER])
    assert second.failed == [BAD] and not second.ok
    assert second.institutions[GOOD].status == second.institutions[OTHER].status == "ok"
    assert (second.run_dir / BAD / "report.html").read_bytes() == before  # the previous good report survives
    record = json.loads((second.run_dir / "run.json").read_text(encoding="utf-8"))
    error = record["institutions"][BAD]["error"]
    assert error["cell_index"] == 3
    assert "raise RuntimeError" in error["source"]
    assert error["error"] == "RuntimeError: deliberate failure"
    assert not list(second.run_dir.glob(".*"))


def copy_institutions(tmp_path: Path, *orgs: str) -> Path:
    """A folder of institutions holding copies of the demo ones named."""
    inventories = tmp_path / "institutions"
    for org in orgs:
        shutil.copytree(DEMO / org, inventories / org)
    return inventories


def report_all(tmp_path: Path, inventories: Path, *flags: str) -> Result:
    """`altinn-analysis report --all` for 2026-11-28 into `tmp_path/out`, in-process."""
    args = ["report", "--all", "--as-of", "2026-11-28", "--out", str(tmp_path / "out"), "--inventory-dir"]
    return CliRunner().invoke(app, [*args, str(inventories), *flags])


def test_cli_exit_code_and_invalid_inventory_skipped(tmp_path: Path) -> None:
    inventories = copy_institutions(tmp_path, GOOD, BAD)
    profile = inventories / BAD / "profile.yaml"
    profile.write_text(profile.read_text(encoding="utf-8").replace("org_form: AS", "org_form: XYZ"), encoding="utf-8")
    result = report_all(tmp_path, inventories)
    assert result.exit_code == 1, result.output
    assert "1 built, 0 unchanged, 0 failed, 1 invalid" in result.stdout
    record = json.loads((tmp_path / "out" / "2026-11-28" / "run.json").read_text(encoding="utf-8"))
    assert record["institutions"][BAD]["status"] == "invalid"
    assert "org_form" in record["institutions"][BAD]["error"]["message"]
    assert (tmp_path / "out" / "2026-11-28" / GOOD / "report.html").exists()
    assert not (tmp_path / "out" / "2026-11-28" / BAD).exists()


def test_incremental_runs(tmp_path: Path) -> None:
    inventories = copy_institutions(tmp_path, GOOD, OTHER)
    opts = RunOptions(out_root=tmp_path / "out", as_of=AS_OF, inventory_dir=inventories, workers=2)
    first = run_reports(opts)
    assert {r.status for r in first.institutions.values()} == {"ok"}

    start = time.perf_counter()
    second = run_reports(opts)
    assert {r.status for r in second.institutions.values()} == {"unchanged"}
    assert second.sector["status"] == "unchanged"
    assert time.perf_counter() - start < 10  # nothing executed: no kernel was started

    with (inventories / GOOD / "integrations.csv").open("a", encoding="utf-8") as fh:
        fh.write("altinn3,dialogporten,Dialogporten ny innboks,,self,active,\n")
    third = run_reports(opts)
    assert third.institutions[GOOD].status == "ok" and third.institutions[OTHER].status == "unchanged"
    assert third.sector["status"] == "ok"

    forced = run_reports(RunOptions(**{**opts.__dict__, "force": True}))
    assert {r.status for r in forced.institutions.values()} == {"ok"}


def run_on(warm: WarmKernel, name: str, output: Path) -> Any:
    """Run the broken-notebooks folder's `name` on the warm kernel `warm`, as the runner does."""
    return papermill.execute_notebook(
        str(BROKEN / f"{name}.ipynb"),
        str(output),
        engine_name=ENGINE_NAME,
        kernel_name="altinn-analysis",
        warm_kernel=warm,
        progress_bar=False,
    )


def test_kernel_state_is_reset_between_notebooks(tmp_path: Path) -> None:
    warm = WarmKernel("altinn-analysis")
    try:
        run_on(warm, "set_variable", tmp_path / "a.ipynb")
        out = run_on(warm, "check_clean", tmp_path / "b.ipynb")
        assert warm.notebooks == 2  # the same kernel ran both
        text = out.cells[-1].outputs[0]["text"]
        assert "leaked: False" in text and "sys.modules kept: True" in text
        assert out.cells[-1].execution_count == 1  # numbering restarts too
    finally:
        warm.shutdown()


def test_the_reset_is_sent_as_soon_as_a_notebook_ends(tmp_path: Path) -> None:
    """The kernel clears up while the runner exports the report; the next notebook waits for it."""
    warm = WarmKernel("altinn-analysis")
    try:
        run_on(warm, "set_variable", tmp_path / "a.ipynb")
        # Nothing else ran on the kernel: a request sent now runs after that reset, in the kernel's order.
        msg_id = warm.kc.execute("print('leaked' in dir())", store_history=False)
        while (msg := warm.kc.get_iopub_msg(timeout=30))["parent_header"].get("msg_id") != msg_id or msg[
            "msg_type"
        ] != "stream":
            pass
        assert msg["content"]["text"].strip() == "False"
        out = run_on(warm, "check_clean", tmp_path / "b.ipynb")
        assert "leaked: False" in out.cells[-1].outputs[0]["text"]
        assert out.cells[-1].execution_count == 1
    finally:
        warm.shutdown()


@pytest.mark.parametrize(
    ("code", "why"),
    [
        pytest.param(
            "import os\nos._exit(1)", "dies", marks=pytest.mark.scenario("kernel-dies")
        ),  # the kernel process dies mid-notebook
        pytest.param(
            "import time\ntime.sleep(120)", "hangs", marks=pytest.mark.scenario("kernel-cell-timeout")
        ),  # a cell runs past the timeout
    ],
)
def test_a_dead_or_hung_kernel_fails_only_its_institution(tmp_path: Path, code: str, why: str) -> None:
    indented = "\n".join("    " + line for line in code.splitlines())
    broken = notebooks_with(tmp_path, f'if org_number == "{BAD}":\n{indented}')
    result = run_reports(options(tmp_path / "out", notebooks_dir=broken, workers=1, cell_timeout=8), [BAD, GOOD])
    assert result.failed == [BAD], why
    assert result.institutions[GOOD].status == "ok"  # a fresh kernel took over
    assert result.sector["status"] == "ok"
    assert result.institutions[BAD].error is not None


@pytest.mark.scenario("disk-killed-during-write")
def test_sigterm_leaves_no_half_written_report(tmp_path: Path) -> None:
    out = tmp_path / "out"
    exe = Path(sys.executable).parent / "altinn-analysis"
    proc = subprocess.Popen(
        [str(exe), "report", "--all", "--as-of", "2026-11-28", "--out", str(out), "--workers", "1"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    run_dir = out / "2026-11-28"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and not any(
        p.is_dir() and not p.name.startswith(".") for p in (run_dir.iterdir() if run_dir.exists() else [])
    ):
        time.sleep(0.2)
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 130, err
    assert "interrupted" in err
    finished = [p for p in run_dir.iterdir() if p.is_dir() and not p.name.startswith(".")]
    assert finished, "at least one report finished before the signal"
    for folder in finished:
        assert all((folder / name).exists() for name in OUTPUTS), f"{folder.name} is incomplete"
    assert not [p for p in run_dir.iterdir() if p.name.startswith(".")], "temporary folders left behind"
    # Every kernel the run started is gone.
    ps = subprocess.run(["ps", "-eo", "args"], capture_output=True, text=True, check=True).stdout
    assert str(os.getpid()) and "aa-kernel-" not in ps


def test_dask_executor_on_a_local_cluster(tmp_path: Path) -> None:
    from distributed import LocalCluster

    with LocalCluster(n_workers=1, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        result = run_reports(
            options(tmp_path / "out", executor="dask", scheduler=cluster.scheduler_address), [GOOD, OTHER]
        )
    assert result.ok, result.institutions
    for org in (GOOD, OTHER):
        assert all((result.run_dir / org / name).exists() for name in OUTPUTS)
    assert (result.run_dir / "index.html").exists()


JWT = ".".join(
    [
        "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9",
        "eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkV4YW1wbGUifQ",
        "c2lnbmF0dXJlLXRoYXQtaXMtbG9uZy1lbm91Z2g",
    ]
)


def test_hostile_folders_and_a_leaking_report_fail_alone(tmp_path: Path) -> None:
    """A folder named like an identity number is skipped (never printed or stored); a report whose outputs would
    publish a token fails with a clear message and publishes nothing; the good one is built and listed."""
    from inventory_support import SYNTHETIC_FNR

    inventories = copy_institutions(tmp_path, GOOD, BAD)
    shutil.copytree(DEMO / OTHER, inventories / SYNTHETIC_FNR)
    # Whatever brings a token into the outputs (a value the inventory checks missed, a chart label, a library's
    # message): here a cell prints one.
    parts = ", ".join(repr(part) for part in JWT.split("."))  # joined only when the cell runs
    leaky = notebooks_with(tmp_path, f'if org_number == "{BAD}":\n    print(".".join([{parts}]))')
    result = report_all(tmp_path, inventories, "--notebooks", str(leaky))
    assert result.exit_code == 1, result.output
    assert SYNTHETIC_FNR not in result.output and JWT not in result.output
    assert "national identity number" in result.output
    run_dir = tmp_path / "out" / "2026-11-28"
    record = json.loads((run_dir / "run.json").read_text(encoding="utf-8"))
    assert sorted(record["institutions"]) == [GOOD, BAD]
    assert record["institutions"][GOOD]["status"] == "ok"
    assert record["institutions"][BAD]["status"] == "failed"
    assert "jwt in report" in record["institutions"][BAD]["error"]["message"]
    assert not (run_dir / BAD).exists()
    text = "".join(p.read_text(encoding="utf-8", errors="replace") for p in run_dir.rglob("*") if p.is_file())
    assert SYNTHETIC_FNR not in text and JWT not in text
    assert record["sector"]["status"] == "ok"


def test_the_sector_page_lists_what_is_there_and_is_reused(tmp_path: Path) -> None:
    out = tmp_path / "out"
    first = run_reports(options(out), [GOOD])
    assert first.ok and first.sector["status"] == "ok"
    page = (first.run_dir / "index.html").read_text(encoding="utf-8")
    assert f"{GOOD}/report.html" in page
    assert OTHER not in page  # not part of any run here: not listed, never "invalid"
    second = run_reports(options(out), [OTHER])
    page = (second.run_dir / "index.html").read_text(encoding="utf-8")
    assert f"{GOOD}/report.html" in page and f"{OTHER}/report.html" in page  # the earlier run's report too
    third = run_reports(options(out), [GOOD, OTHER])
    assert third.sector["status"] == "unchanged"
    english = run_reports(options(out, language="en"), [GOOD])
    assert english.run_dir == out / "2026-11-28-en"
    assert json.loads((english.run_dir / "run.json").read_text(encoding="utf-8"))["language"] == "en"
    assert sorted(json.loads((third.run_dir / "run.json").read_text(encoding="utf-8"))["institutions"]) == [GOOD, OTHER]
