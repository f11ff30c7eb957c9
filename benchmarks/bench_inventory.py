"""Inventory figures: loading + validating a generated sector (default 130 institutions), seconds and peak memory.

    .venv/bin/python benchmarks/bench_inventory.py [--institutions 130] [--consents 40000] [--delegations 4000]

The sector is written as Parquet inventories to a temporary folder first (not timed); loading runs in a fresh
process so that its peak resident memory (ru_maxrss) is its own. The baseline printed is that process's peak
after importing the libraries and loading the catalogues, before the first inventory.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def load_all(root: Path) -> dict[str, float]:
    from altinn_analysis.catalogue import Catalogue, load_dsop
    from altinn_analysis.inventory import load_inventory

    catalogue, services = Catalogue.load(), load_dsop().service_ids
    baseline = peak_mib()
    start = time.perf_counter()
    rows = warnings = 0
    folders = sorted(p for p in root.iterdir() if p.is_dir())
    for folder in folders:
        inv = load_inventory(folder, catalogue=catalogue, known_services=services)
        rows += inv.delegations.height + inv.consents.height + inv.integrations.height
        warnings += len(inv.warnings)
    return {
        "institutions": len(folders),
        "rows": rows,
        "warnings": warnings,
        "seconds": time.perf_counter() - start,
        "peak_mib": peak_mib(),
        "baseline_mib": baseline,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--institutions", type=int, default=130)
    parser.add_argument("--consents", type=int, default=40_000)
    parser.add_argument("--delegations", type=int, default=4_000)
    parser.add_argument("--load", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.load:
        print(json.dumps(load_all(args.load)))
        return

    from altinn_analysis.demo import write_sector

    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        write_sector(Path(tmp), args.institutions, 11, args.consents, args.delegations)
        print(f"generated {args.institutions} institutions in {time.perf_counter() - start:.1f} s (not counted)")
        out = subprocess.run([sys.executable, __file__, "--load", tmp], capture_output=True, text=True, check=True)
        r = json.loads(out.stdout.strip().splitlines()[-1])
    print(
        f"load + validate {int(r['institutions'])} institutions, {int(r['rows']):,} rows: {r['seconds']:.2f} s "
        f"({r['seconds'] / r['institutions'] * 1000:.0f} ms each, {r['rows'] / r['seconds'] / 1e6:.1f} M rows/s); "
        f"peak RSS {r['peak_mib']:.0f} MiB (baseline {r['baseline_mib']:.0f} MiB); {int(r['warnings'])} warnings"
    )


if __name__ == "__main__":
    main()
