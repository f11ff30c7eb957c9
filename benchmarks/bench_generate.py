"""Sector generator figures: seconds, rows and peak memory for a synthetic sector (default 130 institutions).

    .venv/bin/python benchmarks/bench_generate.py [--institutions N] [--consents K] [--delegations D] [--seed S]

Two runs: generation alone (in memory, one institution at a time) and generation plus writing the Parquet
inventories to a temporary folder. Peak memory is the process's peak resident set (ru_maxrss), which also counts
the interpreter and the imported libraries (printed as the baseline); tracemalloc cannot see polars' allocations.
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path


def peak_mib() -> float:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 1024 / (1024 if sys.platform == "darwin" else 1)  # bytes on macOS, KiB on Linux


def folder_mib(root: Path) -> float:
    return sum(p.stat().st_size for p in root.rglob("*") if p.is_file()) / 2**20


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--institutions", type=int, default=130)
    parser.add_argument("--consents", type=int, default=40_000, help="consent rows per institution (mean)")
    parser.add_argument("--delegations", type=int, default=4_000, help="delegation rows per institution (mean)")
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()

    import polars as pl

    from altinn_analysis.synthetic import generate_sector, write_sector

    sizes = (args.institutions, args.seed, args.consents, args.delegations)
    baseline = peak_mib()
    print(f"polars {pl.__version__}, {pl.thread_pool_size()} threads; baseline peak RSS {baseline:.0f} MiB")

    start = time.perf_counter()
    rows = {"delegations": 0, "consents": 0, "integrations": 0}
    counted = 0
    for inst in generate_sector(*sizes):
        for name, frame in inst.tables().items():
            rows[name] += frame.height
        counted += int(inst.consents["count"].sum() or 0)
    generated = time.perf_counter() - start
    total = sum(rows.values())
    print(
        f"generate {args.institutions} institutions: {generated:.2f} s, "
        f"{rows['consents']:,} consent rows ({counted:,} consents), {rows['delegations']:,} delegation rows, "
        f"{rows['integrations']:,} integration rows; {total / generated / 1e6:.1f} M rows/s"
    )
    print(f"  peak RSS after generating: {peak_mib():.0f} MiB")

    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        summary = write_sector(Path(tmp) / "sector", generate_sector(*sizes))
        written = time.perf_counter() - start
        size = folder_mib(Path(tmp) / "sector")
    print(
        f"generate + write Parquet: {written:.2f} s for {summary.institutions} folders, {size:.1f} MiB on disk "
        f"({size * 2**20 / max(1, summary.rows['consents'] + summary.rows['delegations']):.1f} bytes/row); "
        f"writing adds {written - generated:.2f} s ({written / generated:.2f}x generation alone)"
    )
    print(f"  peak RSS overall: {peak_mib():.0f} MiB ({peak_mib() - baseline:.0f} MiB above baseline)")
    ok = rows["consents"] >= 5_000_000 and rows["delegations"] >= 500_000
    print(f"target (>= 5 M consent rows, >= 500 k delegations): {'met' if ok else 'not met with these sizes'}")


if __name__ == "__main__":
    main()
