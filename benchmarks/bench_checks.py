"""Checking the tables of a sector (validation stage 2: the raw tables read, then checked), without the reading.

    .venv/bin/python benchmarks/bench_checks.py [--institutions 130] [--repeat 3] [--base /tmp/main-checkout]
    .venv/bin/python benchmarks/bench_checks.py --steps            # where the checks spend their time
    .venv/bin/python benchmarks/bench_checks.py --from DIR         # a folder of institutions instead

A sector is generated with the generator's defaults into a temporary folder first (not timed). Each run is a fresh
process that imports the package, loads the catalogues and reads every folder once as `load_inventories` reads
them (not timed); then it checks the folders' tables in the chunks `load_inventories` makes (`CHUNK_ROWS`), one
chunk after another in this thread, `--passes` times, and prints the best pass: CPU seconds of the process (all
threads: polars' pool included) and wall. `POLARS_MAX_THREADS=1` in the environment takes polars' pool out.

`--base DIR` runs another version's package too (DIR first on PYTHONPATH), alternating with this one in fresh
processes. Both must find the same problems and typed tables (a digest of each is compared). CPU time, not wall,
is the figure to compare on a shared machine; the load average is printed beside each run.
"""

from __future__ import annotations

import argparse
import collections
import functools
import hashlib
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

# (module, function) of the package whose CPU time `--steps` adds up, by table; nested ones overlap their callers.
STEPS = [
    ("inventory._validate", "_check_group", "all the checks of a table"),
    ("inventory._validate", "distinct_texts", "  distinct values of the text columns"),
    ("inventory._validate", "check_identity_numbers", "  identity numbers and credentials"),
    ("inventory._validate", "normalise", "  normalise"),
    ("inventory._validate", "_duplicates", "  exact duplicates"),
    ("inventory._collect", "Collector.finish", "  deferred row and value checks"),
    ("inventory._validate", "_typed_or_none", "  typed cast"),
]


def _timed(steps: dict[str, float], table: list[str], label: str, work: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(work)
    def timed(*args: Any, **kwargs: Any) -> Any:
        start = time.process_time()
        try:
            return work(*args, **kwargs)
        finally:
            steps[f"{table[0]:<12} {label}"] += time.process_time() - start

    return timed


def _instrument(steps: dict[str, float]) -> None:
    """Wrap `STEPS` so that their CPU time is added up by table."""
    import importlib

    table = ["?"]
    validate = importlib.import_module("altinn_analysis.inventory._validate")
    group = validate._check_group

    def check_group(raws: Any, *args: Any, **kwargs: Any) -> Any:
        table[0] = raws[0].table
        return group(raws, *args, **kwargs)

    validate._check_group = check_group  # type: ignore[attr-defined,unused-ignore]
    for module_name, name, label in STEPS:
        module = importlib.import_module(f"altinn_analysis.{module_name}")
        owner: Any = module
        *path, attribute = name.split(".")
        for part in path:
            owner = getattr(owner, part)
        setattr(owner, attribute, _timed(steps, table, label, getattr(owner, attribute)))


def check_all(root: Path, passes: int, steps: bool) -> dict[str, Any]:
    """Read every folder once, then check the chunks `passes` times: the best pass, and a digest of what was found."""
    import polars as pl

    from altinn_analysis.catalogue import Catalogue, load_dsop
    from altinn_analysis.inventory import _inventory as inventory
    from altinn_analysis.inventory._folders import read_folders
    from altinn_analysis.sources import Limits

    catalogue, services = Catalogue.load(), load_dsop().service_ids
    folders = sorted(p for p in root.iterdir() if p.is_dir())
    read = [
        folder
        for folder in read_folders(folders, catalogue=catalogue, known_services=services, limits=Limits.from_env())
        if not isinstance(folder, Exception)
    ]
    chunks: list[list[Any]] = [[]]
    rows = 0
    for folder in read:  # as `load_inventories` chunks them
        chunks[-1].append(folder)
        rows += folder.rows
        if rows >= inventory.CHUNK_ROWS:
            chunks.append([])
            rows = 0
    chunks = [c for c in chunks if c]
    inventory._check_tables(chunks[0][:1], catalogue, 20, True)  # warm: first-call costs aside
    totals: dict[str, float] = collections.defaultdict(float)
    if steps:
        _instrument(totals)
    best: tuple[float, float] | None = None
    found: list[Any] = []
    per_step: dict[str, float] = {}
    for _ in range(passes):
        totals.clear()
        wall, cpu = time.perf_counter(), time.process_time()
        found = [inventory._check_tables(chunk, catalogue, 20, True) for chunk in chunks]
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        if best is None or cpu < best[0]:
            best, per_step = (cpu, wall), dict(totals)
    assert best is not None
    digest = hashlib.sha256()
    for checks in (c for chunk in found for c in chunk):
        for name in sorted(checks):
            check = checks[name]
            digest.update(repr(check.problems).encode())
            for frame in (check.frame, check.typed if check.typed is not None else pl.DataFrame()):
                digest.update(repr(frame.schema).encode() + str(frame.hash_rows().sum()).encode())
    return {
        "cpu": best[0],
        "wall": best[1],
        "rows": sum(f.rows for f in read),
        "chunks": len(chunks),
        "content": digest.hexdigest()[:16],
        "steps": per_step,
        "load": os.getloadavg()[0],
    }


def run(root: Path, passes: int, steps: bool, base: Path | None) -> dict[str, Any]:
    command = [sys.executable, __file__, "--check", str(root), "--passes", str(passes)]
    env = dict(os.environ, PYTHONPATH=str(base)) if base is not None else None
    out = subprocess.run([*command, *(["--steps"] if steps else [])], capture_output=True, text=True, env=env)
    if out.returncode:
        raise SystemExit(out.stderr)
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def measure(root: Path, repeat: int, passes: int, steps: bool, base: Path | None) -> None:
    results: dict[str, list[dict[str, Any]]] = {"ours": [], "base": []}
    for _ in range(repeat):
        for name in ("ours", "base") if base is not None else ("ours",):
            r = run(root, passes, steps, base if name == "base" else None)
            results[name].append(r)
            print(
                f"  {name}: {r['rows']:,} rows in {r['chunks']} chunks: {r['cpu']:.2f} s CPU, {r['wall']:.2f} s wall "
                f"(best of {passes}; {r['rows'] / r['cpu'] / 1e6:.2f} M rows per CPU second); content {r['content']}; "
                f"load average {r['load']:.1f}",
                flush=True,
            )
            for label, seconds in sorted(r["steps"].items()):
                print(f"      {label:<56} {seconds:6.3f} s")
    ours = min(r["cpu"] for r in results["ours"])
    if base is not None:
        theirs = min(r["cpu"] for r in results["base"])
        same = {r["content"] for r in results["ours"] + results["base"]}
        print(f"  => CPU {theirs / ours:.2f}x the base version (best of each: {ours:.2f} vs {theirs:.2f} s)")
        print(f"  => same problems and typed tables: {'yes' if len(same) == 1 else 'NO'}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--institutions", type=int, default=130)
    parser.add_argument("--repeat", type=int, default=3, help="fresh processes of each version, alternating")
    parser.add_argument("--passes", type=int, default=3, help="passes over the chunks per process (the best kept)")
    parser.add_argument("--steps", action="store_true", help="CPU time of each step, by table")
    parser.add_argument("--base", type=Path, help="a checkout of another version, alternating")
    parser.add_argument("--from", dest="source", type=Path, help="a folder of institutions instead of a new sector")
    parser.add_argument("--check", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.check:
        print(json.dumps(check_all(args.check, args.passes, args.steps)))
        return
    print(f"bench_checks  {time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime())}")
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    if args.source is not None:
        measure(args.source, args.repeat, args.passes, args.steps, args.base)
        return
    from altinn_analysis.synthetic import generate_sector, write_sector

    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        write_sector(Path(tmp), generate_sector(args.institutions, 11))
        print(f"  generated {args.institutions} institutions in {time.perf_counter() - start:.1f} s (not counted)")
        measure(Path(tmp), args.repeat, args.passes, args.steps, args.base)


if __name__ == "__main__":
    main()
