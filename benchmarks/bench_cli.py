"""Command-line start-up: whole-process wall time of `assess` and `validate` on one demo institution, and of a
re-run of `report --all` over the demo set with nothing changed.

    .venv/bin/python benchmarks/bench_cli.py [--runs 7] [--org 310426172] [--baseline REV] [--no-rerun]

Each command runs as a fresh process (what an analyst types), `--runs` times; min / median / max wall time are
printed, and the median CPU time (user + system of the process: much less disturbed than wall time when the machine
is shared), with the floors that bound them: a bare interpreter, and importing only what the command cannot do
without (polars, yaml, the CLI framework), and pydantic (which typer's coercion would import; the CLI's own
conversions avoid it). `--baseline REV` also times the same commands from a git revision (checked out into a
temporary worktree, same environment, its bytecode compiled as `make install` does), alternating run by run with
the current code so both see the same load, prints the ratios, and compares every output byte for byte (the
re-run's aside). The load average is printed beside the figures.

The re-run needs a run folder: each code version first builds the demo set's reports once into its own temporary
output folder (kernels start; not timed), then the same command is timed: every report and the sector page found
unchanged from fingerprints, no kernel started.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
AS_OF = "2026-11-28"


def run_once(argv: Sequence[str], cwd: Path, env: dict[str, str] | None = None) -> tuple[float, float]:
    """(wall seconds, CPU seconds) of one process."""
    wall, cpu, _ = run_output(argv, cwd, env)
    return wall, cpu


def run_output(argv: Sequence[str], cwd: Path, env: dict[str, str] | None = None) -> tuple[float, float, str]:
    """(wall seconds, CPU seconds, standard output) of one process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(argv, cwd=cwd, capture_output=True, text=True, env=env, check=False)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} failed ({done.returncode}): {done.stderr[-500:]}")
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime), done.stdout


Times = list[tuple[float, float]]


def line(label: str, times: Times, baseline: Times | None = None) -> str:
    wall = [w for w, _ in times]
    cpu = statistics.median(c for _, c in times)
    text = (
        f"{label:<40} wall min {min(wall):5.2f} s median {statistics.median(wall):5.2f} s max {max(wall):5.2f} s"
        f"  cpu median {cpu:5.2f} s"
    )
    if baseline:
        before_wall = statistics.median(w for w, _ in baseline)
        before_cpu = statistics.median(c for _, c in baseline)
        text += (
            f"  | baseline wall median {before_wall:5.2f} s ({before_wall / statistics.median(wall):.1f}x), "
            f"cpu median {before_cpu:5.2f} s ({before_cpu / cpu:.1f}x)"
        )
    return text


CLI = [sys.executable, "-c", "from altinn_analysis.cli import main; main()"]
RERUN = "report --all re-run, nothing changed"


def commands(root: Path, org: str, rerun_out: Path | None) -> dict[str, list[str]]:
    folder = str(root / "data" / "institutions" / org)
    found = {
        "--help": [*CLI, "--help"],
        f"assess {org} (table)": [*CLI, "assess", folder, "--as-of", AS_OF],
        f"assess {org} --format json": [*CLI, "assess", folder, "--as-of", AS_OF, "--format", "json"],
        f"validate {org}": [*CLI, "validate", folder],
        f"validate {org} --format json": [*CLI, "validate", folder, "--format", "json"],
    }
    if rerun_out is not None:
        found[RERUN] = [*CLI, "report", "--all", "--as-of", AS_OF, "--out", str(rerun_out)]
    return found


def build_once(argv: list[str], cwd: Path, env: dict[str, str] | None) -> None:
    """The first run of `report --all` (builds every report), then one check that a second run changes nothing."""
    for attempt in ("build", "check"):
        done = subprocess.run(argv, cwd=cwd, capture_output=True, text=True, env=env, check=False)
        if done.returncode != 0 or (attempt == "check" and "0 built" not in done.stdout):
            raise SystemExit(f"{' '.join(argv)} ({attempt}) failed ({done.returncode}): {done.stdout[-300:]}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--org", default="310426172", help="demo institution (a CSV one: no workbook reader needed)")
    parser.add_argument("--baseline", help="git revision to compare with, e.g. the commit before the lazy imports")
    parser.add_argument("--no-rerun", action="store_true", help="leave out the report re-run (no kernels started)")
    args = parser.parse_args()

    floors = {
        "bare python": [sys.executable, "-c", "pass"],
        "import polars, yaml": [sys.executable, "-c", "import polars, yaml"],
        "import typer (CLI framework)": [sys.executable, "-c", "import typer.main"],
        "import typer + pydantic (not imported now)": [sys.executable, "-c", "import typer._adapters"],
    }
    print(
        f"bench_cli  {time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime())} ({os.cpu_count()} cores, "
        f"Python {sys.version.split()[0]}, load average {os.getloadavg()[0]:.1f} at start)",
        flush=True,
    )
    print(f"whole process, {args.runs} runs each; goal for assess, validate and the re-run: <= 1.0 s", flush=True)
    for label, argv in floors.items():
        print(line(label, [run_once(argv, ROOT) for _ in range(args.runs)]), flush=True)
    with contextlib.ExitStack() as stack:
        base: Path | None = None
        if args.baseline:
            base = Path(stack.enter_context(tempfile.TemporaryDirectory())) / "baseline"
            subprocess.run(
                ["git", "worktree", "add", "--detach", str(base), args.baseline],
                cwd=ROOT,
                check=True,
                capture_output=True,
            )
            stack.callback(subprocess.run, ["git", "worktree", "remove", "--force", str(base)], cwd=ROOT, check=True)
            # Bytecode compiled once, as `make install` does for the current code (PYTHONDONTWRITEBYTECODE may be set).
            subprocess.run([sys.executable, "-m", "compileall", "-q", str(base / "altinn_analysis")], check=True)
        env = {**os.environ, "PYTHONPATH": str(base)} if base else None
        scratch = None if args.no_rerun else Path(stack.enter_context(tempfile.TemporaryDirectory()))
        new = commands(ROOT, args.org, scratch and scratch / "now")
        old = commands(base, args.org, scratch and scratch / "baseline") if base else {}
        if RERUN in new:
            build_once(new[RERUN], ROOT, None)
            if base:
                build_once(old[RERUN], base, env)
        differ = []
        for label, argv in new.items():
            now: Times = []
            before: Times = []
            outputs: set[str] = set()
            for _ in range(args.runs):  # alternate, so that both see the same load
                wall, cpu, out = run_output(argv, ROOT)
                now.append((wall, cpu))
                outputs.add(out)
                if base:
                    wall, cpu, out = run_output(old[label], base, env)
                    before.append((wall, cpu))
                    outputs.add(out.replace(str(base), str(ROOT)))  # a folder's path is in validate's output
            print(line(label, now, before or None), flush=True)
            if label != RERUN and len(outputs) > 1:
                differ.append(label)
        if base:  # the same content, byte for byte (the re-run's summary line says how long it took)
            print(f"output vs baseline: {'DIFFERS for ' + ', '.join(differ) if differ else 'identical'}")
    print(f"load average at end {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
