"""Command-line start-up: whole-process wall time of `assess` and `validate` on one demo institution.

    .venv/bin/python benchmarks/bench_cli.py [--runs 7] [--org 310426172] [--baseline REV]

Each command runs as a fresh process (what an analyst types), `--runs` times; min / median / max wall time are
printed, and the median CPU time (user + system of the process: much less disturbed than wall time when the machine
is shared), with the floors that bound them: a bare interpreter, and importing only what the command cannot do
without (polars, the CLI framework with its pydantic coercion, yaml). `--baseline REV` also times the same commands
from a git revision (checked out into a temporary worktree, same environment), alternating run by run with the
current code so both see the same load, and prints the ratios. The load average is printed beside the figures.
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
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(argv, cwd=cwd, capture_output=True, text=True, env=env, check=False)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} failed ({done.returncode}): {done.stderr[-500:]}")
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


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


def commands(root: Path, org: str) -> dict[str, list[str]]:
    cli = [sys.executable, "-c", "from altinn_analysis.cli import main; main()"]
    folder = str(root / "data" / "institutions" / org)
    return {
        "--help": [*cli, "--help"],
        f"assess {org} (table)": [*cli, "assess", folder, "--as-of", AS_OF],
        f"assess {org} --format json": [*cli, "assess", folder, "--as-of", AS_OF, "--format", "json"],
        f"validate {org}": [*cli, "validate", folder],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--org", default="310426172", help="demo institution (a CSV one: no workbook reader needed)")
    parser.add_argument("--baseline", help="git revision to compare with, e.g. the commit before the lazy imports")
    args = parser.parse_args()

    floors = {
        "bare python": [sys.executable, "-c", "pass"],
        "import polars, yaml": [sys.executable, "-c", "import polars, yaml"],
        "import typer + pydantic (CLI framework)": [sys.executable, "-c", "import typer.main, typer._adapters"],
    }
    print(
        f"bench_cli  {time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime())} ({os.cpu_count()} cores, "
        f"Python {sys.version.split()[0]}, load average {os.getloadavg()[0]:.1f} at start)",
        flush=True,
    )
    print(f"whole process, {args.runs} runs each; goal for assess and validate: <= 1.0 s", flush=True)
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
        env = {**os.environ, "PYTHONPATH": str(base)} if base else None
        old = commands(base, args.org) if base else {}
        for label, argv in commands(ROOT, args.org).items():
            now: Times = []
            before: Times = []
            for _ in range(args.runs):  # alternate, so that both see the same load
                now.append(run_once(argv, ROOT))
                if base:
                    before.append(run_once(old[label], base, env))
            print(line(label, now, before or None), flush=True)
    print(f"load average at end {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
