"""Reading inventory folders (validation stage 1: files to the raw tables and profile the checks get), and one
folder's whole load as a report's kernel does it.

    .venv/bin/python benchmarks/bench_reading.py [--institutions 130] [--repeat 3] [--base /tmp/main-checkout]
    .venv/bin/python benchmarks/bench_reading.py --profile            # where reading spends its time

A sector is generated with the generator's defaults into a temporary folder first (not timed). Each run is a fresh
process that imports the package, loads the catalogues and reads one folder to warm up; then it measures

  read:  every folder read in turn in this one thread (profile.yaml and the three tables: the guarded readers, no
         checks), CPU seconds of the process (all threads) and wall, the best of three passes;
  many:  the same folders read as the many-folders path reads them (`load_inventories`, `validate_inventories`:
         groups of folders, Parquet files of one schema decoded together), in this one thread, best of three;
         a version without that path reads each folder on its own here;
  load:  `load_inventory` of each folder in turn, as a report's kernel calls it (catalogue and services given):
         CPU milliseconds per folder, median and quartiles over the folders.

`--base DIR` runs another version's package too (DIR first on PYTHONPATH), alternating with this one in fresh
processes, and prints the ratios of the medians. CPU time, not wall, is the figure to compare on a shared machine.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import pstats
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any


def run(root: Path, profile: bool) -> dict[str, Any]:
    from altinn_analysis.catalogue import Catalogue, load_dsop
    from altinn_analysis.inventory import load_inventory
    from altinn_analysis.sources import Limits

    _read_folder = read_one_folder()  # the stage measured: reading alone

    catalogue, services, limits = Catalogue.load(), load_dsop().service_ids, Limits.from_env()
    folders = sorted(p for p in root.iterdir() if p.is_dir())
    rows = sum(_read_folder(f, catalogue, services, limits).rows for f in folders[:1])  # warm-up
    passes = []
    for _ in range(3):
        cpu, wall = time.process_time(), time.perf_counter()
        rows = sum(_read_folder(f, catalogue, services, limits).rows for f in folders)
        passes.append((time.process_time() - cpu, time.perf_counter() - wall))
    many = []
    for _ in range(3):
        cpu = time.process_time()
        read_many(folders, catalogue, services, limits)
        many.append(time.process_time() - cpu)
    loads = []
    for folder in folders:
        cpu = time.process_time()
        load_inventory(folder, catalogue=catalogue, known_services=services)
        loads.append((time.process_time() - cpu) * 1000)
    lines: list[str] = []
    if profile:
        profiler = cProfile.Profile()
        profiler.enable()
        for folder in folders:
            _read_folder(folder, catalogue, services, limits)
        profiler.disable()
        stream = __import__("io").StringIO()
        stats = pstats.Stats(profiler, stream=stream)
        stats.sort_stats("tottime").print_stats(25)
        lines = stream.getvalue().splitlines()
    cpu, wall = min(passes)
    quartiles = statistics.quantiles(loads, n=4)
    return {
        "folders": len(folders),
        "rows": rows,
        "read_cpu": cpu,
        "read_wall": wall,
        "many_cpu": min(many),
        "load_median_ms": statistics.median(loads),
        "load_q1_ms": quartiles[0],
        "load_q3_ms": quartiles[2],
        "profile": lines,
    }


def read_one_folder() -> Any:
    """The function that reads one folder, in this version or an older one (before `inventory._folders`)."""
    try:
        from altinn_analysis.inventory._folders import read_folder
    except ImportError:
        from altinn_analysis.inventory import _inventory as inventory_module

        return inventory_module.__dict__["_read_folder"]
    return read_folder


def read_many(folders: list[Path], catalogue: Any, services: Any, limits: Any) -> int:
    """The folders read as the many-folders path reads them, in this thread; each on its own in a version without
    that path."""
    from altinn_analysis.inventory import _inventory as inventory_module

    try:
        from altinn_analysis.inventory import _folders as folders_module
    except ImportError:
        read_folder = read_one_folder()
        return sum(int(read_folder(f, catalogue, services, limits).rows) for f in folders)
    size, rows = inventory_module.GROUP_FOLDERS, 0  # type: ignore[attr-defined,unused-ignore]
    for start in range(0, len(folders), size):
        for folder in folders_module.read_folders(folders[start : start + size], catalogue, services, limits):
            assert isinstance(folder, folders_module.Folder), folder
            rows += folder.rows
    return rows


def line(name: str, r: dict[str, Any]) -> str:
    return (
        f"{name:>5}: read {r['folders']} folders ({r['rows']:,} rows) {r['read_cpu']:.2f} s CPU, "
        f"{r['read_wall']:.2f} s wall ({r['read_cpu'] / r['folders'] * 1000:.1f} ms CPU a folder); "
        f"as many folders are read {r['many_cpu']:.2f} s CPU; "
        f"load_inventory of one folder {r['load_median_ms']:.1f} ms CPU median "
        f"(quartiles {r['load_q1_ms']:.1f}-{r['load_q3_ms']:.1f})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--institutions", type=int, default=130)
    parser.add_argument("--repeat", type=int, default=3, help="fresh processes of each version, alternating")
    parser.add_argument("--base", type=Path, help="another version's checkout: its package, alternating")
    parser.add_argument("--profile", action="store_true", help="where reading spends its time (this version)")
    parser.add_argument("--sector", type=Path, help="an already generated sector to read (default: generate one)")
    parser.add_argument("--run", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.run:
        print(json.dumps(run(args.run, args.profile)))
        return
    from altinn_analysis.synthetic import generate_sector, write_sector

    print(f"bench_reading  {time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime())}")
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores (before)")
    with tempfile.TemporaryDirectory() as tmp:
        if args.sector:
            tmp = str(args.sector)
        else:
            write_sector(Path(tmp), generate_sector(args.institutions))
        versions = [("this", None), ("base", args.base)] if args.base else [("this", None)]
        results: dict[str, list[dict[str, Any]]] = {name: [] for name, _ in versions}
        for index in range(args.repeat):
            for name, path in versions:
                env = dict(os.environ, PYTHONPATH=str(path)) if path else None
                command = [sys.executable, __file__, "--run", tmp]
                if args.profile and name == "this" and index == args.repeat - 1:
                    command.append("--profile")
                out = subprocess.run(command, capture_output=True, text=True, check=True, env=env)
                result = json.loads(out.stdout.strip().splitlines()[-1])
                results[name].append(result)
                print(f"  {line(name, result)}  (load {os.getloadavg()[0]:.1f})")
    best = {name: min(rs, key=lambda r: r["read_cpu"]) for name, rs in results.items()}
    for name, rs in results.items():
        best[name] = dict(best[name], many_cpu=min(r["many_cpu"] for r in rs))
    median = {name: statistics.median(r["load_median_ms"] for r in rs) for name, rs in results.items()}
    this = best["this"]
    print(
        f"  => reading {this['folders']} folders: {this['read_cpu']:.2f} s CPU (best of {args.repeat}), "
        f"{this['rows'] / this['read_cpu'] / 1e6:.2f} M rows/s CPU; as many folders are read "
        f"{this['many_cpu']:.2f} s CPU (best of {args.repeat}); one folder's load_inventory "
        f"{median['this']:.1f} ms CPU (median of medians)"
    )
    if args.base:
        base = best["base"]
        print(
            f"  => base: reading {base['read_cpu']:.2f} s CPU, load_inventory {median['base']:.1f} ms CPU; "
            f"as many {base['many_cpu']:.2f} s CPU; this version reads in {this['read_cpu'] / base['read_cpu']:.2f}x "
            f"the base's CPU, many folders in {this['many_cpu'] / base['many_cpu']:.2f}x, loads one folder "
            f"in {median['this'] / median['base']:.2f}x"
        )
    for r in results["this"]:
        for text in r["profile"]:
            print("    " + text)


if __name__ == "__main__":
    main()
