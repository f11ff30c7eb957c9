"""Report batch figures: the naive papermill + nbconvert loop versus `altinn-analysis report`, printed.

    .venv/bin/python benchmarks/bench_report.py [--institutions N] [--naive-sample K] [--workers W] [--keep DIR]
    .venv/bin/python benchmarks/bench_report.py --profile 6   # where one report's time goes, nothing else
    .venv/bin/python benchmarks/bench_report.py --threads 10 --workers 2   # CPU per report, by thread

1. Generate N synthetic institutions (default: the generator's defaults, 130 institutions with 40,000 consent
   and 4,000 delegation rows each on average) into a temporary inventory folder.
2. Naive, "papermill + nbconvert as the docs show", sequential, one institution at a time: the papermill CLI
   on notebooks/institution_report.ipynb (kernel `altinn-analysis`, every parameter given, cwd notebooks/),
   then `jupyter nbconvert --to html --no-input` with nbconvert's default template. Each step is timed as
   subprocess wall time. With `--naive-sample K` (K < N) only K institutions run naively and the totals are
   extrapolated linearly to N (the output says so).
3. Ours: one `altinn-analysis report --all --workers W --force` process for all N (wall time and the peak RSS of
   the process tree, kernels included, sampled every 0.1 s), plus the per-report durations, their steps (execute,
   export, scan) and the notebook's cell times from report.ipynb, and the sector page time from its run.json.
   Then the same command without --force, three times: a re-run with nothing changed (whole process).
   The warm-kernel floor: a one-cell notebook run through the same engine on a warm kernel (median of 20).
   CPU seconds of the runner process and of the whole tree (runner + kernels), also per report.
   Then `--workers 1` on the first `--single-sample` institutions (default 20): a report's latency with no second
   kernel competing for the cores, printed beside the two-worker figure and the floor.
4. Sizes of report.html, whether the naive HTML has working charts, and whether the content is the same
   (the key facts the naive notebook's last cell shows vs run.json, every code cell's outputs in report.ipynb,
   findings.parquet).
5. The import cost this machine pays: `python -X importtime -c "import nbformat"` and `import papermill`, and
   what the nothing-changed re-run imports (the five largest cumulative import times).

6. With `--profile K`: K institutions built one after another on one warm kernel in this process under cProfile
   (the first is a warm-up, not profiled); per-report steps, the notebook's cell times, and the runner-side
   functions by cumulative time. Waiting for the kernel shows as `poll`.
7. With `--threads K [--workers W]`: K institutions on one warm kernel (started as one of W), and the CPU per
   report of each thread of the kernel process (main thread: the cells and IPython; IOPub, Shell channel: the
   messaging; polars-*: polars' pool) and of the runner: where the time outside the cells goes. With
   `--kernel-profile N` also the kernel's main thread under cProfile (thread CPU time), the top N functions by own
   and cumulative time (`--keep DIR` keeps the stats as DIR/kernel.prof);
   `--runner-profile N` the same for the runner's thread (DIR/runner.prof).

Nothing is asserted; everything is printed. Both runs read the same inventories and `data/reference/`.
"""

from __future__ import annotations

import argparse
import contextlib
import inspect
import json
import os
import platform
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent  # the venv's bin/ (not resolved: .venv/bin/python is a symlink)
NOTEBOOK = ROOT / "notebooks" / "institution_report.ipynb"
REFERENCE = ROOT / "data" / "reference"
KERNEL = "altinn-analysis"
AS_OF = "2026-11-28"
LANGUAGE = "nb"
PLOTLY_BANNER = re.compile(r"\*\s*plotly\.js v\d")
PLOTLY_SRC = re.compile(r"<script[^>]+src=\"([^\"]*plotly[^\"]*\.js)\"")


def out(line: str = "") -> None:
    print(line, flush=True)


def run(cmd: list[str], cwd: Path | None = None) -> tuple[float, subprocess.CompletedProcess[str]]:
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, check=False)
    return time.perf_counter() - start, proc


def tail(text: str, lines: int = 6) -> str:
    return "\n".join("      " + line for line in text.strip().splitlines()[-lines:])


def kib(size: float) -> str:
    return f"{size / 1024:,.0f} KiB" if size < 2**20 else f"{size / 2**20:,.2f} MiB"


def load() -> str:
    """The 1-minute load average: other work on the machine skews every figure here."""
    return f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores"


def med(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


# -- import cost ---------------------------------------------------------------------------------------------


def import_costs() -> None:
    python = str(BIN / "python")
    cumulative: dict[str, list[float]] = {"nbformat": [], "jsonschema": [], "rfc3987_syntax": []}
    walls: dict[str, list[float]] = {"pass": [], "import nbformat": [], "import papermill": []}
    for _ in range(3):
        _, proc = run([python, "-X", "importtime", "-c", "import nbformat"])
        seen: dict[str, float] = {}
        for line in proc.stderr.splitlines():
            parts = line.removeprefix("import time:").split("|")
            if len(parts) == 3 and parts[1].strip().isdigit():
                seen.setdefault(parts[2].strip(), int(parts[1]) / 1e6)
        for name in cumulative:
            cumulative[name].append(seen.get(name, 0.0))
        for label, code in (
            ("pass", "pass"),
            ("import nbformat", "import nbformat"),
            ("import papermill", "import papermill"),
        ):
            seconds, _ = run([python, "-c", code])
            walls[label].append(seconds)
    out("Import cost on this machine (median of 3 runs each):")
    out(
        f"  python -X importtime -c 'import nbformat': nbformat cumulative {med(cumulative['nbformat']):.2f} s, "
        f"of which jsonschema {med(cumulative['jsonschema']):.2f} s, "
        f"rfc3987_syntax {med(cumulative['rfc3987_syntax']):.2f} s (importtime itself adds overhead)"
    )
    out(
        f"  wall time: python -c 'pass' {med(walls['pass']):.2f} s, "
        f"python -c 'import nbformat' {med(walls['import nbformat']):.2f} s, "
        f"python -c 'import papermill' {med(walls['import papermill']):.2f} s"
    )


def run_with_rss(cmd: list[str], cwd: Path) -> tuple[float, subprocess.CompletedProcess[str], int, dict[str, float]]:
    """Like `run`, and the peak of the summed RSS of the process and all its descendants (sampled every 0.1 s),
    and CPU seconds: `runner` the process itself (its last sample, up to 0.1 s before it ends), `tree` the process
    and every descendant (the kernels), from the operating system's account of reaped children."""
    import psutil

    start = time.perf_counter()
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    with tempfile.TemporaryFile("w+") as so, tempfile.TemporaryFile("w+") as se:
        proc = subprocess.Popen(cmd, cwd=cwd, stdout=so, stderr=se, text=True)
        parent, peak, runner_cpu = psutil.Process(proc.pid), 0, 0.0
        while proc.poll() is None:
            try:
                tree = [parent, *parent.children(recursive=True)]
                total = 0
                for p in tree:
                    with contextlib.suppress(psutil.Error):
                        total += p.memory_info().rss
                peak = max(peak, total)
                times = parent.cpu_times()
                runner_cpu = times.user + times.system
            except psutil.Error:
                pass
            time.sleep(0.1)
        seconds = time.perf_counter() - start
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        so.seek(0)
        se.seek(0)
        done = subprocess.CompletedProcess(cmd, proc.returncode, so.read(), se.read())
    tree_cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return seconds, done, peak, {"runner": runner_cpu, "tree": tree_cpu}


def report_steps(run_dir: Path) -> tuple[dict[str, Any], list[float], dict[str, list[float]]]:
    """run.json of a run folder, the duration of each report built, and each step's durations."""
    record = json.loads((run_dir / "run.json").read_text(encoding="utf-8")) if (run_dir / "run.json").exists() else {}
    entries = record.get("institutions", {})
    ok = [e for e in entries.values() if e.get("status") == "ok"]
    steps = {k: [e.get("phases", {}).get(k, 0.0) for e in ok] for k in ("execute", "export", "scan")}
    return record, [e["duration_s"] for e in ok], steps


def cell_times(notebooks: list[Path]) -> list[float]:
    """Median duration of each code cell (papermill records it in the executed notebook's metadata)."""
    per_cell: list[list[float]] = []
    for path in notebooks:
        if not path.exists():
            continue
        nb = json.loads(path.read_text(encoding="utf-8"))
        code = [
            c
            for c in nb["cells"]
            if c["cell_type"] == "code" and "injected-parameters" not in c["metadata"].get("tags", [])
        ]
        for i, cell in enumerate(code):
            if len(per_cell) <= i:
                per_cell.append([])
            per_cell[i].append(float(cell["metadata"].get("papermill", {}).get("duration") or 0.0))
    return [med(v) for v in per_cell]


def top_imports(stderr: str, n: int = 5) -> str:
    seen: dict[str, float] = {}
    for line in stderr.splitlines():
        parts = line.removeprefix("import time:").split("|")
        if len(parts) == 3 and parts[1].strip().isdigit():
            seen[parts[2].strip()] = int(parts[1]) / 1e6
    top = sorted(seen.items(), key=lambda kv: -kv[1])[:n]
    return ", ".join(f"{name} {sec:.2f}" for name, sec in top)


def warm_floor(work: Path, repeats: int = 20) -> float:
    """What a notebook costs on a warm kernel when the notebook itself does nothing: reset, one cell, save."""
    from altinn_analysis.report._executors import Workers, import_jupyter_stack, warm_up_code

    import_jupyter_stack()
    import nbformat
    import papermill

    from altinn_analysis.report._kernel import ENGINE_NAME

    folder = work / "floor"
    folder.mkdir(parents=True, exist_ok=True)
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("x = 1", metadata={"tags": ["parameters"]}), nbformat.v4.new_code_cell("x")]
    nb.metadata["kernelspec"] = {"name": KERNEL, "display_name": KERNEL, "language": "python"}
    nbformat.write(nb, folder / "one.ipynb")
    workers = Workers(KERNEL, 120, ROOT / "notebooks", warm_up_code(None))
    times = []
    try:
        warm = workers.kernel()
        warm.ensure()
        for i in range(repeats):
            start = time.perf_counter()
            papermill.execute_notebook(
                str(folder / "one.ipynb"),
                str(folder / f"out{i}.ipynb"),
                parameters={"x": i},
                engine_name=ENGINE_NAME,
                kernel_name=KERNEL,
                warm_kernel=warm,
                progress_bar=False,
                request_save_on_cell_execute=False,
            )
            times.append(time.perf_counter() - start)
    finally:
        workers.shutdown()
    return med(times)


def profile_reports(k: int, args: argparse.Namespace) -> None:
    """Where a report's time goes: the runner side under cProfile, the kernel side from papermill's cell times."""
    import cProfile
    import io
    import pstats
    from datetime import date

    from altinn_analysis.report._executors import Workers, import_jupyter_stack, warm_up_code
    from altinn_analysis.report._html import write_plotly_js
    from altinn_analysis.report._publish import build_institution
    from altinn_analysis.report._runner import RunOptions, run_folder
    from altinn_analysis.synthetic import generate_sector, write_sector

    with tempfile.TemporaryDirectory(prefix="bench-profile-") as tmp:
        work = Path(tmp)
        orgs = sorted(
            write_sector(work / "inventory", generate_sector(k, args.seed, args.consents, args.delegations)).org_numbers
        )
        options = RunOptions(out_root=work / "out", as_of=date.fromisoformat(AS_OF), inventory_dir=work / "inventory")
        run_dir = run_folder(options.out_root, options.as_of, options.language)
        run_dir.mkdir(parents=True)
        plotly_js = write_plotly_js(run_dir)
        import_jupyter_stack()
        workers = Workers(KERNEL, 120, ROOT / "notebooks", warm_up_code(None))
        try:
            workers.kernel().ensure()
            build_institution(orgs[0], {}, options, run_dir, plotly_js, workers)  # warm-up, not profiled
            profiler = cProfile.Profile()
            results = []
            profiler.enable()
            for org in orgs[1:]:
                results.append(build_institution(org, {}, options, run_dir, plotly_js, workers))
            profiler.disable()
        finally:
            workers.shutdown()
        out(f"Profile of {len(results)} reports on one warm kernel ({load()}), generator size {args.consents} consents")
        for r in results:
            out(f"  {r.org_number} {r.status} {r.duration_s:.2f} s  steps {r.phases}")
        cells = cell_times([run_dir / r.org_number / "report.ipynb" for r in results])
        out("  notebook cells, median seconds (source order): " + ", ".join(f"{x:.2f}" for x in cells))
        text = io.StringIO()
        pstats.Stats(profiler, stream=text).sort_stats("cumulative").print_stats(40)
        out("  runner side, by cumulative time (cProfile):")
        for line in text.getvalue().splitlines():
            if line.strip() and not any(skip in line for skip in ("asyncio", "selectors.py", "contextvars")):
                out("    " + line.rstrip()[:160])


def thread_cpu(pid: int, names: dict[int, str] | None = None) -> dict[str, float]:
    """CPU seconds of each thread of process `pid` so far, by name (Python's thread name where `names` has it, else
    the operating system's; equal names summed)."""
    import psutil

    out: dict[str, float] = {}
    for t in psutil.Process(pid).threads():
        name = (names or {}).get(t.id)
        if name is None:
            try:
                name = Path(f"/proc/{pid}/task/{t.id}/comm").read_text().strip()
            except OSError:
                name = "?"
        out[name] = out.get(name, 0.0) + t.user_time + t.system_time
    return out


def cpu_by_thread(k: int, args: argparse.Namespace) -> None:
    """CPU per report of the kernel process and of the runner, by thread: K reports built one after another on one
    warm kernel in this process (two warm-up reports first, not counted). With `--workers 2` the kernel is started
    as one of two (polars' threads shared out as in a two-worker run)."""
    import cProfile
    from datetime import date

    from altinn_analysis.report._executors import Workers, import_jupyter_stack, warm_runner, warm_up_code
    from altinn_analysis.report._html import write_plotly_js
    from altinn_analysis.report._publish import build_institution
    from altinn_analysis.report._runner import RunOptions, run_folder
    from altinn_analysis.synthetic import generate_sector, write_sector

    with tempfile.TemporaryDirectory(prefix="bench-threads-") as tmp:
        work = Path(tmp)
        sector = generate_sector(k + 2, args.seed, args.consents, args.delegations)
        orgs = sorted(write_sector(work / "inventory", sector).org_numbers)
        options = RunOptions(
            out_root=work / "out", as_of=date.fromisoformat(AS_OF), inventory_dir=work / "inventory", workers=1
        )
        run_dir = run_folder(options.out_root, options.as_of, options.language)
        run_dir.mkdir(parents=True)
        plotly_js = write_plotly_js(run_dir)
        import_jupyter_stack()
        # `kernels` is recent: without it (an older package on PYTHONPATH, for a before/after) polars decides
        shared = {"kernels": args.workers} if "kernels" in inspect.signature(Workers).parameters else {}
        workers = Workers(KERNEL, 120, ROOT / "notebooks", warm_up_code(None), **shared)
        try:
            warm = workers.kernel()
            warm.ensure()
            warm_runner()
            for org in orgs[:2]:
                build_institution(org, {}, options, run_dir, plotly_js, workers)
            warm.reset()
            names_file = work / "threads.json"
            warm.run(
                "import json, threading\n"
                f"json.dump({{t.native_id: t.name for t in threading.enumerate()}}, open({str(names_file)!r}, 'w'))"
            )
            names = {int(i): n for i, n in json.loads(names_file.read_text()).items()}
            pid = warm.km.provisioner.process.pid
            stats_file = work / "kernel.prof"
            if args.kernel_profile:
                # on `sys`: the reset between notebooks clears the user namespace, not modules
                warm.run(
                    "import cProfile, sys, time\n"
                    "sys._bench_profile = cProfile.Profile(time.thread_time)\n"
                    "sys._bench_profile.enable()"
                )
            runner_profiler = cProfile.Profile(time.thread_time) if args.runner_profile else None
            kernel0, runner0, start = thread_cpu(pid, names), thread_cpu(os.getpid()), time.perf_counter()
            if runner_profiler is not None:
                runner_profiler.enable()
            results = [build_institution(org, {}, options, run_dir, plotly_js, workers) for org in orgs[2:]]
            warm.reset()  # the last report's reset counted too
            if runner_profiler is not None:
                runner_profiler.disable()
            wall = time.perf_counter() - start
            kernel1, runner1 = thread_cpu(pid, names), thread_cpu(os.getpid())
            if args.kernel_profile:
                warm.run(
                    f"import sys\nsys._bench_profile.disable()\nsys._bench_profile.dump_stats({str(stats_file)!r})"
                )
                profile_text = work_profile_text(stats_file, args.kernel_profile)
                if args.keep:  # for pstats' callers/callees afterwards
                    args.keep.mkdir(parents=True, exist_ok=True)
                    shutil.copyfile(stats_file, args.keep / "kernel.prof")
        finally:
            workers.shutdown()
    n = len(results)

    def per_report(before: dict[str, float], after: dict[str, float]) -> list[tuple[float, str]]:
        spent = [((after[t] - before.get(t, 0.0)) / n * 1000, t) for t in after if after[t] > before.get(t, 0.0)]
        return sorted(spent, reverse=True)

    kernel, runner = per_report(kernel0, kernel1), per_report(runner0, runner1)
    out(
        f"CPU by thread: {n} reports on one warm kernel, kernel started as one of {args.workers} ({load()}), "
        f"generator size {args.consents} consents"
    )
    out(
        f"  per report: median {med([r.duration_s for r in results]):.3f} s, wall {wall / n:.3f} s; CPU kernel "
        f"{sum(c for c, _ in kernel):.0f} ms + runner {sum(c for c, _ in runner):.0f} ms"
    )
    out("  kernel threads, ms a report: " + ", ".join(f"{name} {ms:.0f}" for ms, name in kernel))
    out("  runner threads, ms a report: " + ", ".join(f"{name} {ms:.0f}" for ms, name in runner))
    out("  statuses: " + ", ".join(sorted({r.status for r in results})))
    if runner_profiler is not None:
        runner_stats = work_profile_text(runner_profiler, args.runner_profile)
        if args.keep:
            args.keep.mkdir(parents=True, exist_ok=True)
            runner_profiler.dump_stats(str(args.keep / "runner.prof"))
        out(f"  runner thread under cProfile, thread CPU (the figures above include its overhead), {n} reports:")
        for line in runner_stats.splitlines():
            out("    " + line.rstrip()[:170])
    if args.kernel_profile:
        out(f"  kernel main thread under cProfile, thread CPU (the figures above include its overhead), {n} reports:")
        for line in profile_text.splitlines():
            out("    " + line.rstrip()[:170])


def work_profile_text(profiler: Any, top: int) -> str:
    """A profile (a `cProfile.Profile` or a stats file) by own time and by cumulative time, `top` functions each."""
    import io
    import pstats

    text = io.StringIO()
    stats = pstats.Stats(profiler if not isinstance(profiler, Path) else str(profiler), stream=text)
    stats.sort_stats("tottime").print_stats(top)
    stats.sort_stats("cumulative").print_stats(top)
    return "\n".join(line for line in text.getvalue().splitlines() if line.strip())


# -- naive --------------------------------------------------------------------------------------------------


def naive_one(org: str, inventory: Path, root: Path) -> dict[str, Any]:
    folder = root / org
    folder.mkdir(parents=True, exist_ok=True)  # papermill refuses a missing output folder
    nb = folder / "report.ipynb"
    papermill = [str(BIN / "papermill"), str(NOTEBOOK), str(nb), "-k", KERNEL]
    for name, value in (
        ("org_number", org),
        ("as_of", AS_OF),
        ("inventory_dir", str(inventory)),
        ("reference_dir", str(REFERENCE)),
        ("language", LANGUAGE),
        ("output_dir", str(folder)),
    ):
        papermill += ["-p", name, value]
    result: dict[str, Any] = {"org": org, "papermill": None, "nbconvert": None, "error": None}
    seconds, proc = run(papermill, cwd=NOTEBOOK.parent)
    result["papermill"] = seconds
    if proc.returncode != 0:
        result["error"] = f"papermill exit {proc.returncode}:\n{tail(proc.stderr)}"
        return result
    seconds, proc = run([str(BIN / "jupyter"), "nbconvert", "--to", "html", "--no-input", str(nb)])
    result["nbconvert"] = seconds
    if proc.returncode != 0:
        result["error"] = f"nbconvert exit {proc.returncode}:\n{tail(proc.stderr)}"
    return result


def chart_check(page: Path) -> dict[str, Any]:
    text = page.read_text(encoding="utf-8", errors="replace")
    return {
        "newplot": text.count("Plotly.newPlot("),
        "divs": text.count('class="plotly-graph-div"'),
        "embedded": bool(PLOTLY_BANNER.search(text)),
        "src": sorted(set(PLOTLY_SRC.findall(text))),
    }


# -- content comparison -------------------------------------------------------------------------------------


def cell_outputs(path: Path) -> list[Any]:
    nb = json.loads(path.read_text(encoding="utf-8"))
    cells = []
    for cell in nb["cells"]:
        if cell["cell_type"] != "code":
            continue
        outputs = []
        for o in cell.get("outputs", []):
            data = {k: "".join(v) if isinstance(v, list) else v for k, v in o.get("data", {}).items()}
            text = o.get("text", "")
            outputs.append((o["output_type"], data, "".join(text) if isinstance(text, list) else text))
        cells.append(outputs)
    return cells


def compare(org: str, naive_dir: Path, ours_dir: Path, ours_facts: dict[str, Any]) -> list[str]:
    import polars as pl

    from altinn_analysis.report._display import facts_in

    diffs = []
    naive_nb = naive_dir / "report.ipynb"
    if not naive_nb.exists():
        return [f"{org}: naive report.ipynb missing"]
    # The facts the notebook's last cell shows (what our runner puts into run.json), from the naive notebook.
    naive_facts = facts_in(json.loads(naive_nb.read_text(encoding="utf-8")))
    if not naive_facts:
        return [f"{org}: the naive report.ipynb shows no facts"]
    for key in sorted(set(naive_facts) | set(ours_facts)):
        if naive_facts.get(key) != ours_facts.get(key):
            diffs.append(f"{org}: {key} naive={naive_facts.get(key)!r} ours={ours_facts.get(key)!r}")
    a, b = naive_dir / "report.ipynb", ours_dir / "report.ipynb"
    if a.exists() and b.exists():
        ca, cb = cell_outputs(a), cell_outputs(b)
        if len(ca) != len(cb):
            diffs.append(f"{org}: report.ipynb has {len(ca)} code cells naive, {len(cb)} ours")
        differing = [i for i, (x, y) in enumerate(zip(ca, cb, strict=False)) if x != y]
        if differing:
            diffs.append(f"{org}: report.ipynb outputs differ in code cells {differing}")
    a, b = naive_dir / "findings.parquet", ours_dir / "findings.parquet"
    if a.exists() and b.exists():
        if not pl.read_parquet(a).equals(pl.read_parquet(b)):
            diffs.append(f"{org}: findings.parquet differs")
    else:
        diffs.append(f"{org}: findings.parquet missing ({'naive' if not a.exists() else 'ours'})")
    return diffs


# -- main ---------------------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--institutions", type=int, default=130)
    parser.add_argument("--naive-sample", type=int, default=None, help="run the naive loop on K (default: all N)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--consents", type=int, default=40000, help="consent rows per institution (mean)")
    parser.add_argument("--delegations", type=int, default=4000, help="delegation rows per institution (mean)")
    parser.add_argument("--keep", type=Path, default=None, help="write everything here instead of a temp folder")
    parser.add_argument("--profile", type=int, default=0, help="only profile K reports on one warm kernel")
    parser.add_argument("--threads", type=int, default=0, help="only CPU per report by thread, K reports")
    parser.add_argument(
        "--kernel-profile",
        type=int,
        default=0,
        help="with --threads: the kernel's main thread under cProfile, the top N functions printed",
    )
    parser.add_argument(
        "--runner-profile",
        type=int,
        default=0,
        help="with --threads: the runner's thread under cProfile (thread CPU), the top N functions printed",
    )
    parser.add_argument(
        "--single-sample", type=int, default=20, help="institutions for the one-worker latency run (default 20)"
    )
    args = parser.parse_args()
    if args.profile:
        profile_reports(max(2, args.profile), args)
        return
    if args.threads:
        cpu_by_thread(args.threads, args)
        return
    n = args.institutions
    k = min(n, args.naive_sample) if args.naive_sample else n

    out(f"bench_report  {datetime.now(UTC).replace(microsecond=0).isoformat()}")
    out(
        f"machine: {os.cpu_count()} cores (nproc {len(os.sched_getaffinity(0))}), "
        f"Python {platform.python_version()}, {platform.platform()}"
    )
    out()
    import_costs()
    out()

    from altinn_analysis.synthetic import generate_sector, write_sector

    with tempfile.TemporaryDirectory(prefix="bench-report-") as tmp:
        work = args.keep.resolve() if args.keep else Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        inventory, naive_root, ours_root = work / "inventory", work / "naive", work / "ours"
        start = time.perf_counter()
        summary = write_sector(inventory, generate_sector(n, args.seed, args.consents, args.delegations))
        orgs = sorted(summary.org_numbers)
        out(
            f"Generated {n} institutions (seed {args.seed}, {args.consents} consents / {args.delegations} "
            f"delegations each) in {time.perf_counter() - start:.1f} s; as_of {AS_OF}, language {LANGUAGE}"
        )
        # Warm the OS file cache for both sides alike (untimed): the first interpreter start is slower.
        run([str(BIN / "python"), "-c", "import altinn_analysis.report, papermill, nbconvert, plotly, polars"])
        out()

        # -- naive ------------------------------------------------------------------------------------------
        sample = orgs[:k]
        out(f"Naive: papermill CLI then jupyter nbconvert --to html --no-input, sequential, {k} of {n} institutions")
        out(f"  ({load()} before)")
        naive: list[dict[str, Any]] = []
        for i, org in enumerate(sample, 1):
            r = naive_one(org, inventory, naive_root)
            naive.append(r)
            nbc = f"{r['nbconvert']:6.2f} s" if r["nbconvert"] is not None else "     — "
            out(f"  {i:2}/{k} {org}  papermill {r['papermill']:6.2f} s  nbconvert {nbc}")
            if r["error"]:
                out(f"    FAILED: {r['error']}")
        ok = [r for r in naive if r["error"] is None]
        pm = [r["papermill"] for r in naive]
        nc = [r["nbconvert"] for r in naive if r["nbconvert"] is not None]
        per = [r["papermill"] + r["nbconvert"] for r in ok]
        scale = n / k
        naive_total = (sum(pm) + sum(nc)) * scale
        out(f"  ({load()} after the naive loop)")
        out()

        # -- ours -------------------------------------------------------------------------------------------
        cmd = [str(BIN / "altinn-analysis"), "report", "--all"]
        cmd += ["--as-of", AS_OF, "--language", LANGUAGE, "--out", str(ours_root), "--inventory-dir", str(inventory)]
        cmd += ["--reference-dir", str(REFERENCE), "--workers", str(args.workers)]
        out(f"Ours: altinn-analysis report --all --workers {args.workers} --force, one process ({load()})")
        ours_wall, proc, peak_rss, cpu = run_with_rss([*cmd, "--force"], cwd=ROOT)
        if proc.returncode != 0:
            out(f"  exit code {proc.returncode}:\n{tail(proc.stdout + proc.stderr, 12)}")
        run_dir = ours_root / AS_OF
        record, ours_per, steps = report_steps(run_dir)
        entries = record.get("institutions", {})
        statuses = record.get("summary", {})
        out(f"  run.json: {statuses}; run duration_s {record.get('duration_s')} ({load()} after)")
        out(f"  peak RSS of the process tree (runner + kernels): {peak_rss / 2**30:.2f} GiB")
        n_ok = max(1, len(ours_per))
        out(
            f"  CPU: runner process {cpu['runner']:.1f} s ({cpu['runner'] / n_ok * 1000:.0f} ms a report), runner + "
            f"kernels {cpu['tree']:.1f} s ({cpu['tree'] / n_ok * 1000:.0f} ms a report; start-up, imports and the "
            "sector page included)"
        )
        out("  per report, median seconds by step: " + ", ".join(f"{k} {med(v):.2f}" for k, v in steps.items()))
        cells = cell_times([run_dir / org / "report.ipynb" for org in entries])
        out("  notebook cells, median seconds (source order): " + ", ".join(f"{x:.2f}" for x in cells))
        out(f"  (execute minus the cells = papermill, reset and messaging: {med(steps['execute']) - sum(cells):.2f} s)")
        reruns = []
        for _ in range(3):
            seconds, again = run(cmd, cwd=ROOT)
            reruns.append(seconds)
            if "0 built" not in again.stdout or "sector page unchanged" not in again.stdout:
                out(f"  re-run did not find everything unchanged:\n{tail(again.stdout + again.stderr)}")
        out(
            f"  re-run with nothing changed, whole process: median {med(reruns):.2f} s of {len(reruns)} "
            f"({', '.join(f'{x:.2f}' for x in reruns)})"
        )
        _, proc = run([str(BIN / "python"), "-X", "importtime", str(BIN / "altinn-analysis"), *cmd[1:]], cwd=ROOT)
        out("  what the re-run imports (largest cumulative, s): " + top_imports(proc.stderr))
        floor = warm_floor(work)
        out(f"  warm-kernel floor (one-cell notebook, same engine, warm kernel): median {floor:.3f} s")
        out()

        # One worker: a report's latency without a second kernel competing for the two cores.
        single = orgs[: min(n, args.single_sample)]
        single_cmd = [*cmd[: cmd.index("--all")], *cmd[cmd.index("--all") + 1 :]]
        single_cmd[single_cmd.index("--out") + 1] = str(work / "ours_w1")
        single_cmd[single_cmd.index("--workers") + 1] = "1"
        for org in single:
            single_cmd += ["--org", org]
        out(f"Ours, one worker: altinn-analysis report --workers 1 --force, {len(single)} of {n} institutions")
        out(f"  ({load()} before)")
        _, proc, _, cpu1 = run_with_rss([*single_cmd, "--force"], cwd=ROOT)
        if proc.returncode != 0:
            out(f"  exit code {proc.returncode}:\n{tail(proc.stdout + proc.stderr, 12)}")
        _, single_per, single_steps = report_steps(work / "ours_w1" / AS_OF)
        n1 = max(1, len(single_per))
        out(
            f"  per report median {med(single_per):.2f} s of {len(single_per)} "
            f"(max {max(single_per, default=0):.2f} s); by step: "
            + ", ".join(f"{k} {med(v):.2f}" for k, v in single_steps.items())
        )
        out(
            f"  CPU: runner process {cpu1['runner'] / n1 * 1000:.0f} ms a report, runner + kernels "
            f"{cpu1['tree'] / n1 * 1000:.0f} ms a report (start-up included) ({load()} after)"
        )
        out()

        # -- figures ----------------------------------------------------------------------------------------
        note = f" (extrapolated ×{scale:.2f} from {k} to {n} institutions)" if k < n else ""
        out(f"RESULTS for {n} institutions")
        out(f"  naive papermill total   {sum(pm) * scale:8.1f} s{note}")
        out(f"  naive nbconvert total   {sum(nc) * scale:8.1f} s{note}")
        out(f"  naive total (sum)       {naive_total:8.1f} s{note}")
        if len(ok) < k:
            out(f"  naive: {k - len(ok)} of {k} institutions FAILED (their time is still in the totals)")
        out(
            f"  naive per report median {med(per):8.2f} s  (papermill {med(pm):.2f} s + nbconvert {med(nc):.2f} s, "
            f"measured on {len(per)})"
        )
        out(f"  ours total (wall)       {ours_wall:8.1f} s  (one process, {args.workers} workers, incl. sector page)")
        out(
            f"  ours per report median  {med(ours_per):8.2f} s  (run.json duration_s, {len(ours_per)} reports, "
            f"max {max(ours_per, default=float('nan')):.2f} s; kernels are warmed before the first report; "
            f"warm-kernel floor {floor:.3f} s)"
        )
        out(
            f"  ours per report, 1 worker {med(single_per):6.2f} s  ({len(single_per)} reports, no second kernel "
            f"on the cores; warm-kernel floor {floor:.3f} s)"
        )
        out(f"  warm-kernel floor       {floor:8.3f} s  (a one-cell notebook on a warm kernel)")
        out(
            f"  runner CPU per report   {cpu['runner'] / n_ok * 1000:8.0f} ms (2 workers; "
            f"{cpu1['runner'] / n1 * 1000:.0f} ms with 1 worker)"
        )
        out(f"  peak RSS                {peak_rss / 2**30:8.2f} GiB (runner + kernels)")
        out(f"  re-run, nothing changed {med(reruns):8.2f} s  (whole process, median of 3)")
        sector = record.get("sector", {})
        sector_s = sector.get("duration_s", float("nan"))
        out(f"  ours sector page        {sector_s:8.2f} s  (status {sector.get('status')})")
        out(f"  ours wall / report      {ours_wall / n:8.2f} s  (throughput: total wall / {n})")
        extrapolated = "; naive extrapolated" if note else ""
        out(f"  ratio naive/ours        {naive_total / ours_wall:8.1f}×  (totals{extrapolated})")
        out(f"  ratio per report median {med(per) / med(ours_per):8.1f}×  (naive median / ours median)")
        out()

        naive_pages = [naive_root / r["org"] / "report.html" for r in naive]
        naive_pages = [p for p in naive_pages if p.exists()]
        ours_pages = [run_dir / org / "report.html" for org in orgs if (run_dir / org / "report.html").exists()]
        ns = [p.stat().st_size for p in naive_pages]
        os_ = [p.stat().st_size for p in ours_pages]
        out("report.html sizes")
        out(f"  naive: median {kib(med(ns))}, max {kib(max(ns, default=0))} ({len(ns)} files)")
        out(f"  ours:  median {kib(med(os_))}, max {kib(max(os_, default=0))} ({len(os_)} files, without plotly.js)")
        for js in sorted(run_dir.glob("plotly-*.js")):
            out(f"  ours shared {js.name}: {kib(js.stat().st_size)}, once for the run folder")
        out()

        out("Charts in report.html")
        for label, pages in (("naive", naive_pages), ("ours", ours_pages)):
            checks = [chart_check(p) for p in pages]
            if not checks:
                out(f"  {label}: no report.html")
                continue
            newplots = sorted({c["newplot"] for c in checks})
            divs = sorted({c["divs"] for c in checks})
            embedded = sum(c["embedded"] for c in checks)
            srcs = sorted({s for c in checks for s in c["src"]})
            out(
                f"  {label}: Plotly.newPlot calls per page {newplots}, plotly-graph-div per page {divs}; "
                f"plotly.js embedded in {embedded}/{len(checks)}; <script src> to plotly.js: {srcs or 'none'}"
            )
            if not embedded and not srcs and any(newplots):
                out(f"  {label}: the chart calls are there but plotly.js is not loaded -> no chart renders offline")
        out()

        out("Same content? (facts: score, findings, open, overdue, critical, name…; report.ipynb outputs; findings)")
        diffs: list[str] = []
        compared = 0
        for r in naive:
            entry = entries.get(r["org"])
            if entry is None:
                diffs.append(f"{r['org']}: not in ours' run.json")
                continue
            diffs += compare(r["org"], naive_root / r["org"], run_dir / r["org"], entry.get("facts", {}))
            compared += 1
        out(f"  {compared} institutions compared: {'identical' if not diffs else f'{len(diffs)} differences'}")
        for d in diffs:
            out(f"    {d}")
        if args.keep:
            out(f"\noutputs kept in {work}")


if __name__ == "__main__":
    main()
