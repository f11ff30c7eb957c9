"""Inventory figures: load + validate a generated sector, its growth at 1×/4×/16×, and every hostile-input bomb.

    .venv/bin/python benchmarks/bench_inventory.py [--institutions 130] [--consents 40000] [--delegations 4000]
                                                   [--format parquet|csv] [--repeat 2] [--profile]
    .venv/bin/python benchmarks/bench_inventory.py --scale 1 4 16 [--sample 8]   # growth: rows per institution ×k
    .venv/bin/python benchmarks/bench_inventory.py --bombs                         # each bomb: seconds, peak RSS
    .venv/bin/python benchmarks/bench_inventory.py --base /tmp/main-checkout       # + another version, alternating
    .venv/bin/python benchmarks/bench_inventory.py --one [--sample 8] [--base …]   # load_inventory of one, in ms
    .venv/bin/python benchmarks/bench_inventory.py --validate [--base …]           # validate_inventories instead
    .venv/bin/python benchmarks/bench_inventory.py --one --from data/institutions/310426172 [--base …]   # a given one

The sector is written as inventories to a temporary folder first (not timed; `--format csv` rewrites the
generator's Parquet tables as CSV). What is measured is the sector path, `load_inventories` over every folder (the
tables of many institutions checked together), against the per-institution loop it replaced (`load_inventory` on
each folder in turn, the same package), alternating `--repeat` times; each run is a fresh process, so that its peak
resident memory (ru_maxrss) is its own. Wall and CPU seconds are both printed (on a shared machine the wall clock
measures the neighbours too), and the CPU of the whole loading process, imports and catalogue included, measured
from outside. Both must give the same rows and warnings (checked). `--profile` prints where the sector path spends
its time (that run reads, in groups as the reading threads do, and checks the folders in the profiled thread, not
in reading and checking threads). `--base` runs another checkout's sector path too (its package first on
PYTHONPATH), alternating with ours. The older baseline is the row-by-row reader of 2026-11-28: 0.4 M rows/s.
`--one` measures what every report's kernel pays: `load_inventory` of one generated institution of the default size
(median of several institutions, each loaded several times in one warm process; with `--base`, the other version's
in its own processes, alternating).
"""

from __future__ import annotations

import argparse
import cProfile
import hashlib
import json
import math
import os
import pstats
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

BASELINE_ROWS_PER_S = 0.4e6  # results/bench_inventory.txt before the vectorised checks (same machine, unloaded)


def peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def load_all(root: Path, mode: str, profile: bool = False, validate: bool = False) -> dict[str, Any]:
    """`load_inventories` (sector) or `load_inventory` on each folder (loop); `validate`: the validate_* ones."""
    from altinn_analysis.catalogue import Catalogue, load_dsop
    from altinn_analysis.inventory import (
        Inventory,
        load_inventories,
        load_inventory,
        validate_inventories,
        validate_inventory,
    )

    catalogue, services = Catalogue.load(), load_dsop().service_ids
    baseline = peak_mib()
    folders = sorted(p for p in root.iterdir() if p.is_dir())
    load_inventory(folders[0], catalogue=catalogue, known_services=services)  # warm: first-call costs aside
    profiler = cProfile.Profile() if profile else None
    if profile:  # the profiler sees only this thread: read the folders in it too, in groups as the threads do
        import altinn_analysis.inventory._inventory as inventory_module

        inventory_module._read_ahead = read_in_groups  # type: ignore[attr-defined,unused-ignore]
        inventory_module.CHECK_THREADS = 0  # type: ignore[attr-defined,unused-ignore]
    before = resource.getrusage(resource.RUSAGE_SELF)
    start, cpu = time.perf_counter(), time.process_time()
    if profiler:
        profiler.enable()
    if validate and mode == "sector":
        loaded: list[Any] = validate_inventories(folders, catalogue=catalogue, known_services=services)
    elif validate:
        loaded = [validate_inventory(folder, catalogue=catalogue, known_services=services) for folder in folders]
    elif mode == "sector":
        loaded = load_inventories(folders, catalogue=catalogue, known_services=services)
    else:
        loaded = [load_inventory(folder, catalogue=catalogue, known_services=services) for folder in folders]
    if profiler:
        profiler.disable()
    seconds, cpu_seconds = time.perf_counter() - start, time.process_time() - cpu
    after = resource.getrusage(resource.RUSAGE_SELF)
    # first touches of fresh memory in this fresh process: each copy of the rows costs its pages here
    faults = {"minor_faults": after.ru_minflt - before.ru_minflt, "system_seconds": after.ru_stime - before.ru_stime}
    if validate:
        return validated(loaded, folders, seconds, cpu_seconds, baseline, profiler) | faults
    inventories = [i for i in loaded if isinstance(i, Inventory)]
    fingerprint = hashlib.sha256()
    for inv in inventories:  # what was loaded, to compare the two paths
        fingerprint.update("\n".join(map(str, inv.warnings)).encode())
        for table in (inv.delegations, inv.consents, inv.integrations):
            fingerprint.update(str(table.hash_rows().sum()).encode())
    return {
        "mode": mode,
        "institutions": len(folders),
        "invalid": len(folders) - len(inventories),
        "rows": sum(i.delegations.height + i.consents.height + i.integrations.height for i in inventories),
        "warnings": sum(len(i.warnings) for i in inventories),
        "content": fingerprint.hexdigest()[:16],
        "seconds": seconds,
        "cpu_seconds": cpu_seconds,
        "peak_mib": peak_mib(),
        "baseline_mib": baseline,
        "profile": profile_lines(profiler, cpu_seconds) if profiler else [],
    } | faults


def read_in_groups(directories: Any, read: Any, read_group: Any) -> Any:
    """The many-folders reading (groups of folders, their Parquet files decoded together) in the calling thread,
    for `--profile`: each directory with a call giving its folder, as the reading threads hand them over."""
    import altinn_analysis.inventory._inventory as inventory_module

    def given(result: Any) -> Any:
        if isinstance(result, Exception):
            raise result
        return result

    size = inventory_module.GROUP_FOLDERS  # type: ignore[attr-defined,unused-ignore]
    for start in range(0, len(directories), size):
        group = directories[start : start + size]
        for directory, result in zip(group, read_group(group), strict=True):
            yield directory, lambda result=result: given(result)


def validated(
    found: list[Any], folders: list[Path], seconds: float, cpu_seconds: float, baseline: float, profiler: Any
) -> dict[str, Any]:
    """`load_all`'s figures for the validate_* functions: every problem compared, rows from the Parquet footers
    (or the CSV files' lines)."""
    import pyarrow.parquet as pq

    rows = sum(pq.read_metadata(path).num_rows for folder in folders for path in folder.glob("*.parquet"))
    rows += sum(len(path.read_bytes().splitlines()) - 1 for folder in folders for path in folder.glob("*.csv"))
    text = "\n".join(repr(problems) for problems in found)
    return {
        "mode": "",
        "institutions": len(folders),
        "invalid": sum(any(p.is_error for p in problems) for problems in found),
        "rows": rows,
        "warnings": sum(p.severity == "warning" for problems in found for p in problems),
        "content": hashlib.sha256(text.encode()).hexdigest()[:16],
        "seconds": seconds,
        "cpu_seconds": cpu_seconds,
        "peak_mib": peak_mib(),
        "baseline_mib": baseline,
        "profile": profile_lines(profiler, cpu_seconds) if profiler else [],
    }


def load_one(root: Path, rounds: int = 5) -> dict[str, Any]:
    """`load_inventory` of each folder under `root`, `rounds` times over (warm: catalogue loaded, first call aside)."""
    import statistics

    from altinn_analysis.catalogue import Catalogue, load_dsop
    from altinn_analysis.inventory import load_inventory

    catalogue, services = Catalogue.load(), load_dsop().service_ids
    one = (root / "profile.yaml").exists()  # one institution's folder, or a folder of them
    folders = [root] if one else sorted(p for p in root.iterdir() if p.is_dir())
    load_inventory(folders[0], catalogue=catalogue, known_services=services)
    walls, cpus, rows = [], [], []
    for _ in range(max(rounds, 40 // len(folders))):  # at least 40 loads, also of one folder
        for folder in folders:
            start, cpu = time.perf_counter(), time.process_time()
            inv = load_inventory(folder, catalogue=catalogue, known_services=services)
            walls.append(time.perf_counter() - start)
            cpus.append(time.process_time() - cpu)
            rows.append(inv.delegations.height + inv.consents.height + inv.integrations.height)
    queries = count_queries(lambda: [load_inventory(f, catalogue=catalogue, known_services=services) for f in folders])
    return {
        "queries": None if queries is None else queries / len(folders),
        "ms": statistics.median(walls) * 1000,
        "cpu_ms": statistics.median(cpus) * 1000,
        "min_ms": min(walls) * 1000,
        "rows": statistics.median(rows),
        "loads": len(walls),
        "load": os.getloadavg()[0],
    }


def count_queries(work: Callable[[], object]) -> int | None:
    """How many polars queries (plans collected, eager DataFrame methods included) `work` runs; None where this
    polars version has no engine to count them at."""
    try:
        from polars.lazyframe.engine import _LocalEngine
    except ImportError:
        return None
    real, count = _LocalEngine.collect, [0]

    def counted(*args: Any, **kwargs: Any) -> Any:
        count[0] += 1
        return real(*args, **kwargs)

    _LocalEngine.collect = counted  # type: ignore[method-assign]
    try:
        work()
    finally:
        _LocalEngine.collect = real  # type: ignore[method-assign]
    return count[0]


def measure_one(
    sample: int, consents: int, delegations: int, repeat: int, base: Path | None, source: Path | None = None
) -> None:
    """`load_one` on `sample` generated institutions (or the institution(s) at `source`), in fresh processes,
    alternating with `base` if given."""
    from altinn_analysis.synthetic import generate_sector, write_sector

    with tempfile.TemporaryDirectory() as tmp:
        if source is None:
            write_sector(Path(tmp), generate_sector(sample, 11, consents, delegations))
        where = str(source.resolve()) if source is not None else tmp
        modes = ("ours", "base") if base else ("ours",)
        best: dict[str, float] = {}
        best_cpu: dict[str, float] = {}
        for index in range(repeat * len(modes)):
            mode = modes[index % len(modes)]
            env = dict(os.environ, PYTHONPATH=str(base)) if mode == "base" else None
            command = [sys.executable, __file__, "--load-one", where]
            out = subprocess.run(command, capture_output=True, text=True, check=True, env=env)
            r = json.loads(out.stdout.strip().splitlines()[-1])
            best[mode] = min(best.get(mode, math.inf), r["ms"])
            best_cpu[mode] = min(best_cpu.get(mode, math.inf), r["cpu_ms"])
            of = f"{sample}" if source is None else source.name
            queries = "" if r.get("queries") is None else f", {r['queries']:.1f} polars queries"
            print(
                f"  {mode:>4}: load_inventory of one institution ({r['rows']:,.0f} rows, median of {r['loads']} loads "
                f"of {of}): {r['ms']:.1f} ms wall, {r['cpu_ms']:.1f} ms CPU (fastest {r['min_ms']:.1f} ms){queries}; "
                f"load average {r['load']:.1f}"
            )
        if base:
            print(f"  => {best['base'] / best['ours']:.2f}x the base version (best median of each)")
            print(f"  => CPU {best_cpu['base'] / best_cpu['ours']:.2f}x the base version (best median CPU of each)")


# Where the sector path's time goes: these functions of the package (module, name; cumulative, so nested ones
# overlap their callers).
PROFILED = {
    ("inventory/_folders.py", "read_folders"): "read the folders in groups (guarded readers, profile.yaml, 3 tables)",
    ("sources/_parquet.py", "_footer"): "  Parquet footers",
    ("sources/_parquet.py", "_decode_group"): "  Parquet decode, groups of files (polars)",
    ("sources/_parquet.py", "_finish_group"): "  Parquet groups finished (row numbers, ranges, cell bounds)",
    ("sources/_parquet.py", "read_parquet"): "  Parquet files read on their own (footer, decode, tidy pass)",
    ("sources/_yaml_strict.py", "read_yaml"): "  profile.yaml",
    ("inventory/_validate.py", "_check_group"): "check the tables, all institutions together",
    ("inventory/_columns.py", "distinct_texts"): "  distinct values of each text column",
    ("inventory/_columns.py", "normalise"): "  normalise (cleaning decided on distinct values)",
    ("inventory/_columns.py", "check_identity_numbers"): "  identity numbers and credentials (pre-filter)",
    ("inventory/_collect.py", "finish"): "  deferred row checks: one pass per frame + the checks that hit",
    ("inventory/_validate.py", "_duplicates"): "  exact duplicates (row hashes)",
    ("inventory/_validate.py", "to_typed"): "  typed cast",
    ("inventory/_inventory.py", "_assemble"): "sort problems, build each Inventory",
}


def profile_lines(profiler: cProfile.Profile, cpu_seconds: float) -> list[str]:
    stats = pstats.Stats(profiler)
    totals: dict[tuple[str, str], float] = {}
    for (file, _, name), (_, _, _, cumulative, _) in stats.stats.items():  # type: ignore[attr-defined]
        for key in PROFILED:
            if name == key[1] and file.endswith(key[0]):
                totals[key] = totals.get(key, 0.0) + cumulative
    scale = cpu_seconds / max(stats.total_tt, 1e-9)  # type: ignore[attr-defined]  # profiler overhead out
    return [f"{text:<66} {totals.get(key, 0.0) * scale:6.2f} s" for key, text in PROFILED.items()]


def as_csv(root: Path) -> None:
    """Each generated Parquet table rewritten as the CSV an analyst would export (`;`, ISO dates)."""
    import polars as pl

    for path in sorted(root.glob("*/*.parquet")):
        frame = pl.read_parquet(path)
        frame = frame.with_columns(pl.col(pl.List(pl.String)).list.join(" "))
        frame.write_csv(path.with_suffix(".csv"), separator=";")
        path.unlink()


def measure(
    institutions: int,
    consents: int,
    delegations: int,
    fmt: str = "parquet",
    repeat: int = 1,
    profile: bool = False,
    base: Path | None = None,
    validate: bool = False,
) -> list[dict[str, Any]]:
    """Loop and sector runs alternating on the same generated sector, `repeat` times each (fresh processes); with
    `base` (a checkout of another version), its sector path too, alternating with ours."""
    from altinn_analysis.synthetic import generate_sector, write_sector

    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        write_sector(Path(tmp), generate_sector(institutions, 11, consents, delegations))
        if fmt == "csv":
            as_csv(Path(tmp))
        print(f"  generated {institutions} institutions ({fmt}) in {time.perf_counter() - start:.1f} s (not counted)")
        results = []
        modes = ("loop", "base", "sector") if base else ("loop", "sector")
        for index in range(repeat * len(modes)):
            mode = modes[index % len(modes)]
            command = [sys.executable, __file__, "--load", tmp, "--mode", "sector" if mode == "base" else mode]
            if validate:
                command.append("--validate")
            if profile and index == repeat * len(modes) - 1:
                command.append("--profile")
            env = dict(os.environ, PYTHONPATH=str(base)) if mode == "base" else None
            before = children_cpu()
            out = subprocess.run(command, capture_output=True, text=True, check=True, env=env)
            result = dict(json.loads(out.stdout.strip().splitlines()[-1]))
            result["mode"] = mode
            result["process_cpu_seconds"] = children_cpu() - before  # the whole loading process, imports and all
            results.append(result)
        return results


def line(r: dict[str, Any]) -> str:
    rate = r["rows"] / r["seconds"]
    cpu_rate = r["rows"] / max(r["cpu_seconds"], 1e-9)
    return (
        f"{r['mode']:>6}: {int(r['institutions'])} institutions, {int(r['rows']):,} rows: {r['seconds']:.2f} s wall "
        f"({rate / 1e6:.2f} M rows/s), {r['cpu_seconds']:.2f} s CPU ({cpu_rate / 1e6:.2f} M rows/s; system "
        f"{r.get('system_seconds', math.nan):.2f} s, {r.get('minor_faults', 0) / 1e3:.0f} k minor faults); whole run "
        f"{r.get('process_cpu_seconds', 0):.2f} s CPU with imports and catalogue; peak RSS {r['peak_mib']:.0f} MiB "
        f"(baseline {r['baseline_mib']:.0f} MiB); {int(r['warnings'])} warnings"
        + (f", {int(r['invalid'])} invalid" if r["invalid"] else "")
    )


def summary(results: list[dict[str, Any]]) -> None:
    """Each run, then the sector path against the loop (best CPU of each), and whether both loaded the same."""
    for r in results:
        print("  " + line(r))
    loops = [r for r in results if r["mode"] == "loop"]
    sectors = [r for r in results if r["mode"] == "sector"]
    bases = [r for r in results if r["mode"] == "base"]
    loop, sector = min(loops, key=lambda r: r["cpu_seconds"]), min(sectors, key=lambda r: r["cpu_seconds"])
    same = {r["content"] for r in results} == {sector["content"]} and len({r["warnings"] for r in results}) == 1

    def rate(r: dict[str, Any]) -> str:
        return f"{r['cpu_seconds']:.2f} s CPU ({r['rows'] / r['cpu_seconds'] / 1e6:.2f} M rows/s)"

    best_wall = min(r["seconds"] for r in sectors)
    print(
        f"  => sector path {rate(sector)} against the per-institution loop {rate(loop)}: "
        f"{loop['cpu_seconds'] / sector['cpu_seconds']:.1f}x; wall {best_wall:.2f} vs "
        f"{min(r['seconds'] for r in loops):.2f} s; {sector['rows'] / best_wall / BASELINE_ROWS_PER_S:.1f}x the "
        f"2026-11-28 baseline (wall); same rows, warnings and tables: {'yes' if same else 'NO'}"
    )
    if bases:
        base = min(bases, key=lambda r: r["cpu_seconds"])
        base_wall, wall = min(r["seconds"] for r in bases), best_wall
        ratio = base["cpu_seconds"] / sector["cpu_seconds"]
        print(
            f"  => against the base version's sector path {rate(base)}: CPU {ratio:.2f}x, "
            f"wall {base_wall:.2f} vs {wall:.2f} s ({base_wall / wall:.2f}x; best of each)"
        )
        if all("minor_faults" in r for r in (*bases, *sectors)):

            def least(runs: list[dict[str, Any]], key: str) -> float:
                return float(min(r[key] for r in runs))

            print(
                f"  => in a fresh process, minor page faults {least(sectors, 'minor_faults') / 1e3:.0f} k against "
                f"the base version's {least(bases, 'minor_faults') / 1e3:.0f} k, system CPU "
                f"{least(sectors, 'system_seconds'):.2f} vs {least(bases, 'system_seconds'):.2f} s, peak RSS "
                f"{least(sectors, 'peak_mib'):.0f} vs {least(bases, 'peak_mib'):.0f} MiB (least of each)"
            )
    for r in results:
        if r["profile"]:
            print(f"  where the sector path's {r['cpu_seconds']:.2f} s CPU go (cumulative; nested lines overlap):")
            for text in r["profile"]:
                print("    " + text)


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
    parser.add_argument("--repeat", type=int, default=1, help="loop/sector pairs, alternating")
    parser.add_argument("--profile", action="store_true", help="where the sector path spends its time")
    parser.add_argument("--bombs", action="store_true")
    parser.add_argument("--base", type=Path, help="a checkout of another version: its sector path, alternating")
    parser.add_argument("--one", action="store_true", help="load_inventory of one institution, median ms")
    parser.add_argument("--validate", action="store_true", help="validate_inventories / validate_inventory instead")
    parser.add_argument("--from", dest="source", type=Path, help="with --one: this institution (or folder of them)")
    parser.add_argument("--load", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--load-one", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--mode", choices=("sector", "loop"), default="sector", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.load:
        print(json.dumps(load_all(args.load, args.mode, args.profile, args.validate)))
        return
    if args.load_one:
        print(json.dumps(load_one(args.load_one)))
        return
    print(f"bench_inventory  {time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime())}")
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    if args.bombs:
        bombs()
        return
    if args.one:
        print("one institution (what each report's kernel pays)")
        measure_one(args.sample, args.consents, args.delegations, max(args.repeat, 2), args.base, args.source)
        return
    if args.scale:
        growth: list[dict[str, Any]] = []
        for k in args.scale:
            results = measure(
                args.sample,
                args.consents * k,
                args.delegations * k,
                args.format,
                args.repeat,
                base=args.base,
                validate=args.validate,
            )
            print(f"{k:>3}× load + validate")
            summary(results)
            growth.append(min((r for r in results if r["mode"] == "sector"), key=lambda r: r["cpu_seconds"]))
        base = growth[0]
        for k, r in zip(args.scale, growth, strict=True):
            per_row = (r["cpu_seconds"] / r["rows"]) / (base["cpu_seconds"] / base["rows"])
            print(f"{k:>3}×: sector path CPU per row {per_row:.2f}× the 1× figure (1.00 = linear growth)")
        return
    print("validate (validate_inventories)" if args.validate else "load + validate")
    figures = measure(
        args.institutions,
        args.consents,
        args.delegations,
        args.format,
        args.repeat,
        args.profile,
        args.base,
        args.validate,
    )
    summary(figures)


if __name__ == "__main__":
    main()
