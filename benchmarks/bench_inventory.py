"""Inventory figures: load + validate a generated sector, its growth at 1×/4×/16×, and every hostile-input bomb.

    .venv/bin/python benchmarks/bench_inventory.py [--institutions 130] [--consents 40000] [--delegations 4000]
                                                   [--format parquet|csv]
    .venv/bin/python benchmarks/bench_inventory.py --scale 1 4 16 [--sample 8]   # growth: rows per institution ×k
    .venv/bin/python benchmarks/bench_inventory.py --bombs                         # each bomb: seconds, peak RSS

The sector is written as inventories to a temporary folder first (not timed; `--format csv` rewrites the
generator's Parquet tables as CSV); loading runs in a fresh process so that its peak resident memory (ru_maxrss)
is its own. Wall and CPU seconds are both printed (on a shared machine the wall clock measures the neighbours
too), and the CPU of the whole loading process, imports and catalogue included, measured from outside. The
baseline is the row-by-row reader and one polars pass per check that this replaced: 0.4 M rows/s for 130
institutions (benchmarks/results, 2026-11-28).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BASELINE_ROWS_PER_S = 0.4e6  # results/bench_inventory.txt before the vectorised checks (same machine, unloaded)


def peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def load_all(root: Path) -> dict[str, float]:
    from altinn_analysis.catalogue import Catalogue, load_dsop
    from altinn_analysis.inventory import load_inventory

    catalogue, services = Catalogue.load(), load_dsop().service_ids
    baseline = peak_mib()
    folders = sorted(p for p in root.iterdir() if p.is_dir())
    load_inventory(folders[0], catalogue=catalogue, known_services=services)  # warm: first-call costs aside
    start, cpu = time.perf_counter(), time.process_time()
    rows = warnings = 0
    for folder in folders:
        inv = load_inventory(folder, catalogue=catalogue, known_services=services)
        rows += inv.delegations.height + inv.consents.height + inv.integrations.height
        warnings += len(inv.warnings)
    return {
        "institutions": len(folders),
        "rows": rows,
        "warnings": warnings,
        "seconds": time.perf_counter() - start,
        "cpu_seconds": time.process_time() - cpu,
        "peak_mib": peak_mib(),
        "baseline_mib": baseline,
    }


def as_csv(root: Path) -> None:
    """Each generated Parquet table rewritten as the CSV an analyst would export (`;`, ISO dates)."""
    import polars as pl

    for path in sorted(root.glob("*/*.parquet")):
        frame = pl.read_parquet(path)
        frame = frame.with_columns(pl.col(pl.List(pl.String)).list.join(" "))
        frame.write_csv(path.with_suffix(".csv"), separator=";")
        path.unlink()


def measure(institutions: int, consents: int, delegations: int, fmt: str = "parquet") -> dict[str, float]:
    from altinn_analysis.synthetic import generate_sector, write_sector

    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        write_sector(Path(tmp), generate_sector(institutions, 11, consents, delegations))
        if fmt == "csv":
            as_csv(Path(tmp))
        print(f"  generated {institutions} institutions ({fmt}) in {time.perf_counter() - start:.1f} s (not counted)")
        before = children_cpu()
        out = subprocess.run([sys.executable, __file__, "--load", tmp], capture_output=True, text=True, check=True)
        result = dict(json.loads(out.stdout.strip().splitlines()[-1]))
        result["process_cpu_seconds"] = children_cpu() - before  # the whole loading process, imports and all
        return result


def line(r: dict[str, float]) -> str:
    rate = r["rows"] / r["seconds"]
    cpu_rate = r["rows"] / max(r["cpu_seconds"], 1e-9)
    return (
        f"{int(r['institutions'])} institutions, {int(r['rows']):,} rows: {r['seconds']:.2f} s wall "
        f"({rate / 1e6:.2f} M rows/s, {rate / BASELINE_ROWS_PER_S:.1f}× baseline), {r['cpu_seconds']:.2f} s CPU "
        f"({cpu_rate / 1e6:.2f} M rows/s); whole run "
        f"{r.get('process_cpu_seconds', 0):.2f} s CPU with imports and catalogue; peak RSS {r['peak_mib']:.0f} MiB "
        f"(baseline {r['baseline_mib']:.0f} MiB); {int(r['warnings'])} warnings"
    )


def bombs() -> None:
    sys.path.insert(0, str(Path(__file__).parents[1] / "tests"))
    import hostile_support as hs

    cases = {
        "billion laughs profile.yaml": lambda d: hs.inventory_with(d, {"profile.yaml": hs.billion_laughs_yaml()}),
        "consents.xlsx, one 400 MB inline string": lambda d: hs.inventory_with(
            d, {"consents.xlsx": hs.xlsx_huge_cell(400)}, remove=("consents.csv",)
        ),
        "consents.xlsx, 5 M rows": lambda d: hs.inventory_with(
            d, {"consents.xlsx": hs.xlsx_many_rows(5_000_000)}, remove=("consents.csv",)
        ),
        "consents.parquet, 30 M dictionary-encoded rows": lambda d: (
            hs.parquet_dictionary_rows(hs.inventory_with(d, remove=("consents.csv",)) / "consents.parquet").parent
        ),
        "3 GB unrelated file in the folder": lambda d: hs.sparse_file(hs.inventory_with(d) / "dump.bak").parent,
    }
    print("validate on each bomb (goal: a clear error in < 5 s and < 500 MB RSS; RSS includes imports + catalogue)")
    with tempfile.TemporaryDirectory() as tmp:
        for index, (name, build) in enumerate(cases.items()):
            folder = Path(tmp) / f"case{index}"
            build(folder)
            size = sum(p.stat().st_blocks * 512 for p in folder.iterdir())
            r = hs.validate_bounded(folder, seconds=120, rss_mib=4000)
            outcome = r.killed or (r.errors[0] if r.errors else (r.problems[-1] if r.problems else "no problem"))
            figures = f"{r.seconds:.2f} s, peak RSS {r.peak_mib:.0f} MiB"
            print(f"  {name} ({size / 1e6:.1f} MB on disk): {figures} — {outcome[:110]}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--institutions", type=int, default=130)
    parser.add_argument("--consents", type=int, default=40_000)
    parser.add_argument("--delegations", type=int, default=4_000)
    parser.add_argument("--scale", type=int, nargs="*", help="growth: rows per institution × each factor")
    parser.add_argument("--sample", type=int, default=8, help="institutions for --scale")
    parser.add_argument("--format", choices=("parquet", "csv"), default="parquet", help="the tables' file format")
    parser.add_argument("--bombs", action="store_true")
    parser.add_argument("--load", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.load:
        print(json.dumps(load_all(args.load)))
        return
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    if args.bombs:
        bombs()
        return
    if args.scale:
        results = []
        for k in args.scale:
            r = measure(args.sample, args.consents * k, args.delegations * k, args.format)
            results.append(r)
            print(f"{k:>3}× load + validate {line(r)}")
        base = results[0]
        for k, r in zip(args.scale, results, strict=True):
            per_row = (r["cpu_seconds"] / r["rows"]) / (base["cpu_seconds"] / base["rows"])
            print(f"{k:>3}×: CPU per row {per_row:.2f}× the 1× figure (1.00 = linear growth)")
        return
    print("load + validate " + line(measure(args.institutions, args.consents, args.delegations, args.format)))


if __name__ == "__main__":
    main()
