"""Impact engine figures: findings for a generated sector at 1×, 4× and 16× data, time and peak memory.

    .venv/bin/python benchmarks/bench_impact.py [--institutions 130] [--scales 1 4 16]

1× is 130 institutions with 40,000 consent rows and 4,000 delegation rows each (5.2 M consent rows, 520,000
delegations). Each scale runs in its own process so that its peak resident memory (ru_maxrss) is its own; the
inventories are generated in memory and handed to the engine as typed tables (loading and validation are
measured by bench_inventory.py), so the time printed is the engine's alone.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

AS_OF = date(2026, 11, 28)


def peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def one_scale(institutions: int, scale: int) -> dict[str, float]:
    import polars as pl

    from altinn_analysis.catalogue import Catalogue, load_dsop
    from altinn_analysis.impact import assess_many, sector_summary
    from altinn_analysis.inventory import SCHEMAS, Inventory, Profile, Vendor
    from altinn_analysis.synthetic import generate_sector

    catalogue, dsop = Catalogue.load(), load_dsop()
    inventories = []
    consent_rows = delegation_rows = 0
    for inst in generate_sector(institutions, 7, 40_000 * scale, 4_000 * scale):
        p = inst.profile
        profile = Profile(
            p["org_number"],
            p["name"],
            p["org_form"],
            p["institution_type"],
            tuple(p["dsop_services"]),
            tuple(Vendor(v["org_number"], v["name"], tuple(v["runs"])) for v in p.get("vendors") or ()),
        )
        tables = inst.tables()
        # The generator writes scopes as one space-separated string, as a user's file would have it.
        tables["integrations"] = tables["integrations"].with_columns(pl.col("scopes").str.split(" "))
        # Optional columns the generator leaves out (integrations.services) are empty, as in a user's file.
        tables = {
            name: frame.with_columns(
                pl.lit(None, dtype).alias(col) for col, dtype in SCHEMAS[name].items() if col not in frame.columns
            ).cast(SCHEMAS[name])  # type: ignore[arg-type]
            for name, frame in tables.items()
        }
        inventories.append(Inventory(Path(), profile, **tables))
        consent_rows += inst.consents.height
        delegation_rows += inst.delegations.height
    before = peak_mib()
    start = time.perf_counter()
    findings = assess_many(catalogue, dsop, inventories, AS_OF, language="nb")
    summary = sector_summary(findings)
    elapsed = time.perf_counter() - start
    assert summary.height == institutions
    return {
        "scale": scale,
        "consent_rows": consent_rows,
        "delegation_rows": delegation_rows,
        "findings": findings.height,
        "seconds": elapsed,
        "peak_mib": peak_mib(),
        "peak_before_mib": before,
        "polars_threads": pl.thread_pool_size(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--institutions", type=int, default=130)
    parser.add_argument("--scales", type=int, nargs="+", default=[1, 4, 16])
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(one_scale(args.institutions, args.one)))
        return
    base: dict[str, float] | None = None
    for scale in args.scales:
        out = subprocess.run(
            [sys.executable, __file__, "--institutions", str(args.institutions), "--one", str(scale)],
            capture_output=True,
            text=True,
            check=True,
        )
        r = json.loads(out.stdout.strip().splitlines()[-1])
        base = base or r
        growth = r["seconds"] / base["seconds"] if base["seconds"] else float("nan")
        print(
            f"{int(r['scale']):>3}×: {int(r['consent_rows']):>11,} consent rows, {int(r['delegation_rows']):>9,} "
            f"delegations → {int(r['findings']):,} findings in {r['seconds']:.2f} s "
            f"({growth:.1f}× the 1× time for {r['scale'] / base['scale']:.0f}× the data); "
            f"peak RSS {r['peak_mib']:.0f} MiB (inputs alone {r['peak_before_mib']:.0f} MiB)"
        )


if __name__ == "__main__":
    main()
