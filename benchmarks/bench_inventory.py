"""Inventory figures: load + validate a generated sector, its growth at 1×/4×/16×, and every hostile-input bomb.

    .venv/bin/python benchmarks/bench_inventory.py [--institutions 130] [--consents 40000] [--delegations 4000]
                                                   [--workers 1 2] [--format parquet|csv]
    .venv/bin/python benchmarks/bench_inventory.py --scale 1 4 16 [--sample 8]   # growth: rows per institution ×k
    .venv/bin/python benchmarks/bench_inventory.py --bombs                         # each bomb: seconds, peak RSS

The sector is written as inventories to a temporary folder first (not timed; `--format csv` rewrites the
generator's Parquet tables as CSV); loading runs in a fresh process so that its peak resident memory (ru_maxrss)
is its own. It loads with `load_inventories`, once per `--workers` figure (1 = in the process; N = N worker
processes, whose start-up, imports and catalogue are counted). Wall and CPU seconds are both printed, CPU including
the workers': on a shared machine the wall clock measures the neighbours too. The baseline is the row-by-row
reader and one polars pass per check that this replaced: 0.4 M rows/s for 130 institutions (benchmarks/results,
2026-11-28).
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


def load_all(root: Path, workers: int) -> dict[str, float]:
    from altinn_analysis.catalogue import Catalogue, load_dsop
    from altinn_analysis.inventory import Inventory, load_inventories, load_inventory

    catalogue, services = Catalogue.load(), load_dsop().service_ids
    baseline = peak_mib()
    folders = sorted(p for p in root.iterdir() if p.is_dir())
    load_inventory(folders[0], catalogue=catalogue, known_services=services)  # warm: first-call costs aside
    start, cpu, child = time.perf_counter(), time.process_time(), children_cpu()
    loaded = load_inventories(folders, catalogue=catalogue, known_services=services, workers=workers)
    seconds = time.perf_counter() - start
    rows = warnings = 0
    for inv in loaded:
        if not isinstance(inv, Inventory):
            raise SystemExit(f"a generated inventory did not load:\n{inv}")
        rows += inv.delegations.height + inv.consents.height + inv.integrations.height
        warnings += len(inv.warnings)
    return {
        "institutions": len(folders),
        "workers": workers,
        "rows": rows,
        "warnings": warnings,
        "seconds": seconds,
        # This process's CPU plus its workers' (spawned children, reaped when the pool closes).
        "cpu_seconds": time.process_time() - cpu + children_cpu() - child,
        "peak_mib": max(peak_mib(), resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024),
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


def measure(
    institutions: int, consents: int, delegations: int, workers: list[int], fmt: str = "parquet"
) -> list[dict[str, float]]:
    from altinn_analysis.synthetic import write_sector

    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        write_sector(Path(tmp), institutions, 11, consents, delegations)
        if fmt == "csv":
            as_csv(Path(tmp))
        print(f"  generated {institutions} institutions ({fmt}) in {time.perf_counter() - start:.1f} s (not counted)")
        results = []
        for n in workers:
            command = [sys.executable, __file__, "--load", tmp, "--workers", str(n)]
            before = children_cpu()
            out = subprocess.run(command, capture_output=True, text=True, check=True)
            result = dict(json.loads(out.stdout.strip().splitlines()[-1]))
            result["process_cpu_seconds"] = children_cpu() - before  # the whole run: imports, workers and all
            results.append(result)
        return results


def line(r: dict[str, float]) -> str:
    rate = r["rows"] / r["seconds"]
    cpu_rate = r["rows"] / max(r["cpu_seconds"], 1e-9)
    processes = "1 process" if r["workers"] == 1 else f"{int(r['workers'])} worker processes"
    cpu = f"{r['cpu_seconds']:.2f} s CPU ({cpu_rate / 1e6:.2f} M rows/s)"
    return (
        f"{int(r['institutions'])} institutions, {int(r['rows']):,} rows, {processes}: {r['seconds']:.2f} s wall "
        f"({rate / 1e6:.2f} M rows/s, {rate / BASELINE_ROWS_PER_S:.1f}× baseline), {cpu}; whole run "
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
    parser.add_argument("--workers", type=int, nargs="*", default=[1, 2], help="processes to load with (each)")
    parser.add_argument("--format", choices=("parquet", "csv"), default="parquet", help="the tables' file format")
    parser.add_argument("--bombs", action="store_true")
    parser.add_argument("--load", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.load:
        print(json.dumps(load_all(args.load, args.workers[0])))
        return
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    if args.bombs:
        bombs()
        return
    if args.scale:
        results = []
        for k in args.scale:
            r = measure(args.sample, args.consents * k, args.delegations * k, [1], args.format)[0]
            results.append(r)
            print(f"{k:>3}× load + validate {line(r)}")
        base = results[0]
        for k, r in zip(args.scale, results, strict=True):
            per_row = (r["cpu_seconds"] / r["rows"]) / (base["cpu_seconds"] / base["rows"])
            print(f"{k:>3}×: CPU per row {per_row:.2f}× the 1× figure (1.00 = linear growth)")
        return
    for r in measure(args.institutions, args.consents, args.delegations, args.workers, args.format):
        print("load + validate " + line(r))


if __name__ == "__main__":
    main()
