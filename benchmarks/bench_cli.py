"""Command-line start-up: whole-process wall time of `assess` and `validate` on one demo institution.

    .venv/bin/python benchmarks/bench_cli.py [--runs 7] [--org 310426172] [--baseline REV]

Each command runs as a fresh process (what an analyst types), `--runs` times; min / median / max are printed, with
the floors that bound them: a bare interpreter, and importing only what the command cannot do without (polars, the
CLI framework with its pydantic coercion, yaml). `--baseline REV` also times the same commands from a git revision
(checked out into a temporary worktree with the same environment) and prints the ratio. The machine may be shared:
the load average is printed beside the figures, and min is the figure least disturbed by it.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
AS_OF = "2026-11-28"


def timed(argv: Sequence[str], runs: int, cwd: Path, env: dict[str, str] | None = None) -> list[float]:
    out = []
    for _ in range(runs):
        started = time.perf_counter()
        done = subprocess.run(argv, cwd=cwd, capture_output=True, text=True, env=env, check=False)
        out.append(time.perf_counter() - started)
        if done.returncode != 0:
            raise SystemExit(f"{' '.join(argv)} failed ({done.returncode}): {done.stderr[-500:]}")
    return out


def line(label: str, times: list[float], baseline: list[float] | None = None) -> str:
    text = f"{label:<44} min {min(times):5.2f} s  median {statistics.median(times):5.2f} s  max {max(times):5.2f} s"
    if baseline:
        before = statistics.median(baseline)
        text += f"   baseline median {before:5.2f} s ({before / statistics.median(times):.1f}x)"
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
    baseline: dict[str, list[float]] = {}
    if args.baseline:
        with tempfile.TemporaryDirectory() as tmp:
            tree = Path(tmp) / "baseline"
            subprocess.run(
                ["git", "worktree", "add", "--detach", str(tree), args.baseline],
                cwd=ROOT,
                check=True,
                capture_output=True,
            )
            try:
                env = {**os.environ, "PYTHONPATH": str(tree)}
                for label, argv in commands(tree, args.org).items():
                    baseline[label] = timed(argv, args.runs, tree, env)
            finally:
                subprocess.run(["git", "worktree", "remove", "--force", str(tree)], cwd=ROOT, check=True)

    print(
        f"bench_cli  {time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime())} ({os.cpu_count()} cores, "
        f"Python {sys.version.split()[0]}, load average {os.getloadavg()[0]:.1f} at start)"
    )
    print(f"whole process, {args.runs} runs each; goal for assess and validate: <= 1.0 s")
    for label, argv in floors.items():
        print(line(label, timed(argv, args.runs, ROOT)))
    for label, argv in commands(ROOT, args.org).items():
        print(line(label, timed(argv, args.runs, ROOT), baseline.get(label)))
    print(f"load average at end {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
