"""Per-report work inside the kernel: the institution notebook's cells, one by one, A/B against a baseline.

    .venv/bin/python benchmarks/bench_cells.py [--institutions 8] [--rounds 5] [--baseline REV] [--demo] [--prepare]
        [--profile CELL]

The notebook's own code cells are run in a warm interpreter, as the kernel runs them: the parameters cell is
replaced by the report's parameters, `display(...)` and a cell's last expression go through IPython's
`DisplayFormatter` (what the kernel does to every displayed object). No kernel, no papermill: what is left is
the work the cells do. Each cell is timed in wall seconds and CPU seconds (all threads: polars runs its own).

Before each report the process collects its garbage and freezes what survived out of the collector, as the
batch runner's warm kernel does between notebooks (`get_ipython().reset(...)` then `gc.freeze()`): the cells then
pay for the collections their own objects cause, not for walking every earlier report's leftovers.

Round 1 is the first report of each institution in the process (no earlier action list); a previous
actions.xlsx with owner/progress/comment filled in is then put in place, so later rounds ("warm") also read the
tracking columns, as a scheduled re-run does. The baseline is the package at git revision `REV` (default: the
branch point, `git merge-base HEAD main`), extracted to a temporary folder and run the same way in its own
process; base and ours alternate round by round so that both see the same load. Every cell's formatted
output, findings.parquet and actions.xlsx are compared between the two, byte for byte (a cell's text/plain, what
a console shows, is counted apart).

`--profile CELL` (a cell's number in the per-cell table, from 1, or words of its first line) runs our reports
once more after the timed rounds, with that cell under cProfile in the warm reports, and prints its top lines by
cumulative time (the timed rounds are not profiled).
"""

from __future__ import annotations

import argparse
import ast
import cProfile
import gc
import hashlib
import json
import os
import pstats
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from datetime import UTC, datetime
from io import BytesIO
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
AS_OF = "2026-11-28"
NOTEBOOK = "notebooks/institution_report.ipynb"


# -- one process: run the notebook's cells -------------------------------------------------------------------


def _cells(tree: Path) -> list[tuple[str, str]]:
    """(label, source) of the notebook's code cells after the parameters cell."""
    nb = json.loads((tree / NOTEBOOK).read_text(encoding="utf-8"))
    out = []
    for cell in nb["cells"]:
        if cell["cell_type"] != "code" or "parameters" in cell.get("metadata", {}).get("tags", []):
            continue
        source = "".join(cell["source"])
        first = source.strip().splitlines()[-1]
        out.append((first[:60], source))
    return out


def _compile(source: str) -> tuple[Any, Any]:
    """The cell as (body, last expression or None): IPython displays a cell's last expression."""
    tree = ast.parse(source)
    last = None
    final = tree.body[-1] if tree.body else None
    if isinstance(final, ast.Expr):
        tree.body.pop()
        last = ast.Expression(final.value)
    return compile(tree, "<cell>", "exec"), (compile(last, "<cell>", "eval") if last else None)


def _staging(org: str) -> str:
    """The report's output folder named as the batch runner's staging folder (`make_temp_dir`), where it saves."""
    return f".{org}.tmp-bench"


def _seed_tracking(path: Path) -> None:
    """Fill owner, progress and comment on some rows of every findings sheet, as colleagues would."""
    import openpyxl

    wb = openpyxl.load_workbook(path)
    for s, ws in enumerate(wb.worksheets[1:]):
        header = [c.value for c in ws[1]]
        cols = {h: i + 1 for i, h in enumerate(header)}
        owner = cols.get("Ansvarlig") or cols.get("Owner")
        progress = cols.get("Framdrift") or cols.get("Progress")
        comment = cols.get("Kommentar") or cols.get("Comment")
        for r in range(2, ws.max_row + 1):
            if (r + s) % 3 == 0 and owner:
                ws.cell(r, owner, f"Kari {r}")
            if (r + s) % 4 == 0 and progress:
                ws.cell(r, progress, "påbegynt" if r % 2 else 40)
            if (r + s) % 5 == 0 and comment:
                ws.cell(r, comment, f"ring leverandøren\nuke {r}")
    wb.save(path)


def worker(tree: Path, inventory: Path, orgs: list[str], out: Path, language: str) -> dict[str, Any]:
    """Run every institution's cells once; return per-cell (wall, cpu) and a digest of every output. With
    BENCH_CELLS_PROFILE set (a cell index), that cell runs under cProfile in every report but the first, and the
    profile is written to `out/profile.prof`."""
    t0 = time.perf_counter()
    from IPython.core.formatters import DisplayFormatter

    import altinn_analysis.report as report_pkg

    report_pkg.load_catalogues(ROOT / "data" / "reference")
    prepare = getattr(report_pkg, "prepare_kernel", None)  # what a runner's warm-up may call (not in older trees)
    if os.environ.get("BENCH_CELLS_PREPARE") and prepare is not None:
        prepare(ROOT / "data" / "reference", datetime.fromisoformat(AS_OF).date())
    imports = time.perf_counter() - t0
    # The inventory load inside the first cell (the validation's work, not the cells'), timed on its own.
    loaded: list[tuple[float, float]] = []
    which = os.environ.get("BENCH_CELLS_PROFILE", "-1")
    profile_all = which == "all"  # every cell, the inventory load left out (it is the checks' work)
    profiled = -1 if profile_all else int(which)
    profile = cProfile.Profile()
    profiling = [False]
    try:  # imported here: the package is lazy, and the cells import it only when they run
        import altinn_analysis.report._institution as institution
    except ImportError:  # a tree without it
        institution = None
    real_load = getattr(institution, "load_inventory", None)
    if institution is not None and real_load is not None:

        def timed_load(*args: Any, **kwargs: Any) -> Any:
            if profiling[0]:
                profile.disable()
            w, c = time.perf_counter(), time.process_time()
            try:
                return real_load(*args, **kwargs)
            finally:
                loaded.append((time.perf_counter() - w, time.process_time() - c))
                if profiling[0]:
                    profile.enable()

        institution.load_inventory = timed_load  # type: ignore[attr-defined]
    fmt = DisplayFormatter()
    cells = [(label, *_compile(src)) for label, src in _cells(tree)]
    result: dict[str, Any] = {"imports": imports, "labels": [c[0] for c in cells], "reports": {}}
    for n, org in enumerate(orgs):
        shown: list[Any] = []

        def display(*objs: Any, _shown: list[Any] = shown) -> None:
            for obj in objs:
                _shown.append(fmt.format(obj)[0])  # type: ignore[no-untyped-call]

        target = out / _staging(org)
        ns: dict[str, Any] = {
            "display": display,
            "org_number": org,
            "as_of": AS_OF,
            "inventory_dir": str(inventory),
            "reference_dir": str(ROOT / "data" / "reference"),
            "language": language,
            "output_dir": str(target),
        }
        times, outputs = [], []
        loaded.clear()
        gc.collect()  # as the warm kernel's reset between notebooks, then its freeze (untimed)
        gc.freeze()
        for i, (_label, body, last) in enumerate(cells):
            shown.clear()
            on = (profile_all or i == profiled) and n > 0
            profiling[0] = on
            w, c = time.perf_counter(), time.process_time()
            if on:
                profile.enable()
            exec(body, ns)
            if last is not None:
                value = eval(last, ns)
                if value is not None:
                    display(value)
            if on:
                profile.disable()
            times.append((time.perf_counter() - w, time.process_time() - c))
            outputs.append(json.dumps(shown, sort_keys=False, default=str, ensure_ascii=False))
        files = {n: hashlib.sha256((target / n).read_bytes()).hexdigest() for n in ("findings.parquet", "actions.xlsx")}
        digests = [hashlib.sha256(o.encode()).hexdigest() for o in outputs]
        inventory_time = (sum(w for w, _ in loaded), sum(c for _, c in loaded))
        result["reports"][org] = {
            "times": times,
            "outputs": digests,
            "shown": [_shown_digest(o) for o in outputs],
            "files": files,
            "inventory": inventory_time,
        }
        (out / f"{org}.outputs.json").write_text(json.dumps(outputs, ensure_ascii=False), encoding="utf-8")
    if profiled >= 0 or profile_all:
        profile.dump_stats(str(out / "profile.prof"))
    return result


def _shown_digest(output: str) -> str:
    """A digest of a cell's outputs without their text/plain: what a notebook and the exported page show (the
    plain text is what a console shows; a report fragment's changed from a repr of its HTML to its heading)."""
    bundles = [{k: v for k, v in bundle.items() if k != "text/plain"} for bundle in json.loads(output)]
    return hashlib.sha256(json.dumps(bundles, ensure_ascii=False).encode()).hexdigest()


# -- the driver ----------------------------------------------------------------------------------------------


def _extract(rev: str, into: Path) -> Path:
    parts = ["altinn_analysis", "notebooks", "data"]
    proc = subprocess.run(["git", "-C", str(ROOT), "archive", rev, *parts], capture_output=True, check=False)
    if proc.returncode:
        raise SystemExit(f"baseline {rev!r}: git archive failed: {proc.stderr.decode(errors='replace').strip()}")
    data = proc.stdout
    with tarfile.open(fileobj=BytesIO(data)) as tar:
        tar.extractall(into, filter="data")
    return into


def _run(tree: Path, inventory: Path, orgs: list[str], out: Path, language: str, *, base: bool) -> dict[str, Any]:
    env = dict(os.environ)
    if base:  # the baseline's package first on the path, ahead of the installed (editable) one
        env["PYTHONPATH"] = str(tree)
    args = [sys.executable, __file__, "--worker", str(tree), str(inventory), str(out), language, *orgs]
    proc = subprocess.run(args, capture_output=True, text=True, env=env, cwd=ROOT, check=False)
    if proc.returncode:
        raise SystemExit(f"worker failed ({'base' if base else 'ours'}):\n{proc.stderr[-4000:]}")
    result: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    return result


def _median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--institutions", type=int, default=8, help="generated institutions (generator defaults)")
    parser.add_argument("--rounds", type=int, default=5, help="rounds; the first is the cold one")
    parser.add_argument("--baseline", default=None, help="git revision of the baseline (default: merge-base main)")
    parser.add_argument("--demo", action="store_true", help="the demo institutions instead of generated ones")
    parser.add_argument("--language", default="nb", choices=["nb", "en"])
    parser.add_argument("--no-baseline", action="store_true", help="ours only")
    parser.add_argument(
        "--prepare",
        action="store_true",
        help="call report.prepare_kernel before the first report, as a runner's warm-up may (where the tree has it)",
    )
    parser.add_argument(
        "--profile",
        default=None,
        metavar="CELL",
        help="after the timed rounds, profile this cell (number from 1, words of its label, or `all`: every cell but "
        "the inventory load) in our warm reports",
    )
    parser.add_argument("--worker", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        tree, inventory, out, language, *orgs = args.worker
        print(json.dumps(worker(Path(tree), Path(inventory), orgs, Path(out), language)))
        return

    rev = (
        args.baseline
        or subprocess.run(
            ["git", "-C", str(ROOT), "merge-base", "HEAD", "main"], capture_output=True, text=True, check=False
        ).stdout.strip()
    )
    if not rev and not args.no_baseline:
        print("no baseline: no branch `main` to start from (give --baseline REV); ours only\n")
        args.no_baseline = True
    if args.prepare:
        os.environ["BENCH_CELLS_PREPARE"] = "1"  # read by each worker process
    with tempfile.TemporaryDirectory(prefix="bench-cells-") as tmp_name:
        tmp = Path(tmp_name)
        if args.demo:
            inventory = ROOT / "data" / "institutions"
            orgs = sorted(p.name for p in inventory.iterdir() if p.is_dir())
        else:
            from altinn_analysis.synthetic import generate_sector, write_sector

            inventory = tmp / "inventories"
            write_sector(inventory, generate_sector(args.institutions, 0))
            orgs = sorted(p.name for p in inventory.iterdir() if p.is_dir())
        variants = {"ours": (ROOT, False)}
        if not args.no_baseline:
            variants["base"] = (_extract(rev, tmp / "base"), True)
        results: dict[str, list[dict[str, Any]]] = {v: [] for v in variants}
        load = os.getloadavg()[0]
        for r in range(args.rounds):
            order = list(variants) if r % 2 == 0 else list(reversed(variants))
            for v in order:
                tree, is_base = variants[v]
                out = tmp / "out" / v
                res = _run(tree, inventory, orgs, out, args.language, base=is_base)
                results[v].append(res)
                if r == 0:  # from now on, each report has a previous action list with tracking filled in
                    for org in orgs:
                        _seed_tracking(out / _staging(org) / "actions.xlsx")
        _print(args, rev, orgs, results, load)
        if args.profile:
            _profile(args.profile, results["ours"][0]["labels"], inventory, orgs, tmp / "out" / "ours", args.language)


def _profile(which: str, labels: list[str], inventory: Path, orgs: list[str], out: Path, language: str) -> None:
    """Run our reports once more with one cell under cProfile (warm reports only); print its top lines."""
    if which == "all":
        index = -1
    elif which.isdigit():
        index = int(which) - 1
    else:
        found = [i for i, label in enumerate(labels) if which.lower() in label.lower()]
        index = found[0] if found else -1
    if len(orgs) < 2:
        raise SystemExit("--profile needs two institutions or more: the first report of a process is not profiled")
    if which != "all" and not 0 <= index < len(labels):
        raise SystemExit(f"--profile {which!r}: no such cell; cells: " + "; ".join(labels))
    os.environ["BENCH_CELLS_PROFILE"] = "all" if which == "all" else str(index)
    try:
        _run(ROOT, inventory, orgs, out, language, base=False)
    finally:
        del os.environ["BENCH_CELLS_PROFILE"]
    what = "every cell but the inventory load" if which == "all" else f"cell {index + 1} ({labels[index]})"
    print(f"\nprofile of {what}, reports 2..{len(orgs)} of one process (ours):")
    stats = pstats.Stats(str(out / "profile.prof"))
    order = os.environ.get("BENCH_CELLS_SORT", "cumulative")  # e.g. tottime
    stats.strip_dirs().sort_stats(order).print_stats(60 if which == "all" else 40)
    if os.environ.get("BENCH_CELLS_CALLERS"):  # who calls the functions matching it, e.g. "sub"
        stats.print_callers(os.environ["BENCH_CELLS_CALLERS"])


def _print(
    args: argparse.Namespace, rev: str, orgs: list[str], results: dict[str, list[dict[str, Any]]], load: float
) -> None:
    labels = results["ours"][0]["labels"]
    now = datetime.now(UTC).replace(microsecond=0).isoformat()
    print(f"bench_cells  {now}")
    print(f"machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}; load average {load:.2f} before")
    what = "demo institutions" if args.demo else "generated institutions (seed 0, generator defaults)"
    print(f"{len(orgs)} {what}, as_of {AS_OF}, language {args.language}; {args.rounds} rounds, round 1 cold")
    if args.prepare:
        print("each process called report.prepare_kernel before its first report (where its tree has it)")
    if "base" in results:
        print(f"baseline: git {rev[:10]} (run from an extracted copy, alternating with ours)")
    print()

    def pick(v: str, rounds: slice, first: bool) -> list[list[tuple[float, float]]]:
        """Per report, its cells' (wall, cpu): the first report of each process, or the others (warm)."""
        chosen = orgs[:1] if first else orgs[1:]
        return [res["reports"][o]["times"] for res in results[v][rounds] for o in chosen]

    def inventory(v: str, rounds: slice, first: bool) -> list[tuple[float, float]]:
        """Per report, the (wall, cpu) of its inventory load, in the same order as `pick`."""
        chosen = orgs[:1] if first else orgs[1:]
        return [tuple(res["reports"][o].get("inventory", (0.0, 0.0))) for res in results[v][rounds] for o in chosen]

    def cell_medians(reports: list[list[tuple[float, float]]], k: int) -> list[float]:
        return [_median([rep[i][k] for rep in reports]) for i in range(len(labels))]

    def total(reports: list[list[tuple[float, float]]], k: int) -> float:
        return _median([sum(p[k] for p in rep) for rep in reports])

    variants = [v for v in ("ours", "base") if v in results]
    later = slice(1, None)
    for k, unit in ((1, "CPU"), (0, "wall")):
        print(
            f"per cell, median {unit} ms: warm (rounds 2..{args.rounds}, reports 2..{len(orgs)} of each process, "
            "a previous action list with tracking in place) [first report of each process]"
        )
        warm = {v: pick(v, later, False) for v in variants}
        first = {v: pick(v, slice(None), True) for v in variants}
        med = {v: cell_medians(warm[v], k) for v in variants}
        med_first = {v: cell_medians(first[v], k) for v in variants}
        for i, label in enumerate(labels):
            line = f"  {label[:44]:<44}"
            for v in variants:
                line += f" {v} {med[v][i] * 1000:7.1f} [{med_first[v][i] * 1000:6.1f}]"
            if "base" in med and med["ours"][i]:
                line += f"  {med['base'][i] / med['ours'][i]:5.1f}×"
            print(line)
        line = f"  {'whole report (sum of the cells)':<44}"
        for v in variants:
            line += f" {v} {total(warm[v], k) * 1000:7.1f} [{total(first[v], k) * 1000:6.1f}]"
        if "base" in med:
            line += f"  {total(warm['base'], k) / total(warm['ours'], k):5.1f}×"
        print(line)
        inv = {v: inventory(v, later, False) for v in variants}
        inv_first = {v: inventory(v, slice(None), True) for v in variants}
        line = f"  {'  of which the inventory load (1st cell)':<44}"
        for v in variants:
            warm_inv, first_inv = _median([i[k] for i in inv[v]]), _median([i[k] for i in inv_first[v]])
            line += f" {v} {warm_inv * 1000:7.1f} [{first_inv * 1000:6.1f}]"
        print(line)
        line = f"  {'whole report without the inventory load':<44}"
        rest = {
            v: _median([sum(p[k] for p in rep) - i[k] for rep, i in zip(warm[v], inv[v], strict=True)])
            for v in variants
        }
        for v in variants:
            line += f" {v} {rest[v] * 1000:7.1f} [{'':>6}]"
        if "base" in rest:
            line += f"  {rest['base'] / rest['ours']:5.1f}×"
        print(line)
        no_prev = {v: cell_medians(pick(v, slice(0, 1), False), k)[-1] for v in variants}
        print(
            "  last cell (save) with no previous action list, warm: "
            + ", ".join(f"{v} {no_prev[v] * 1000:.1f}" for v in variants)
            + "\n"
        )
    print(f"load average after: {os.getloadavg()[0]:.2f}")
    if "base" in results:
        same = differ = plain = 0
        for r, (ours, base) in enumerate(zip(results["ours"], results["base"], strict=True)):
            for org in orgs:
                a, b = ours["reports"][org], base["reports"][org]
                shown = a.get("shown", a["outputs"]) == b.get("shown", b["outputs"])
                if shown and a["files"] == b["files"]:
                    same += 1
                    plain += a["outputs"] != b["outputs"]
                else:
                    differ += 1
                    bad = [
                        labels[i][:30]
                        for i, (x, y) in enumerate(zip(a.get("shown", []), b.get("shown", []), strict=True))
                        if x != y
                    ]
                    files = [n for n in a["files"] if a["files"][n] != b["files"][n]]
                    print(f"  DIFFERENT round {r + 1} {org}: cells {bad} files {files}")
        print(
            "Same content? every cell's formatted output but text/plain, findings.parquet and actions.xlsx bytes, "
            f"ours vs base: {same} identical, {differ} different ({len(orgs)} institutions × {args.rounds} rounds); "
            f"text/plain differs in {plain} of the identical ones"
        )


if __name__ == "__main__":
    main()
