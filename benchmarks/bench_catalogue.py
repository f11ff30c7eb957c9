"""Catalogue figures: refresh from a replay (s), Catalogue load (ms), `altinn-analysis --help` wall time (ms).

    .venv/bin/python benchmarks/bench_catalogue.py [--replay DIR] [--repeat N]

Without --replay the refresh figure uses the small replay the tests build; pass the full recorded replay
directory to time a realistic refresh (1,500 requests).
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))


def timed(fn, repeat: int) -> list[float]:  # type: ignore[no-untyped-def]
    out = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        out.append(time.perf_counter() - start)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replay", type=Path, help="recorded-response directory (index.json + bodies)")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    from altinn_analysis.catalogue import Catalogue, refresh

    with tempfile.TemporaryDirectory() as tmp:
        replay = args.replay
        variants = None
        if replay is None:
            from replay_fixture import VARIANTS, write_replay

            replay, variants = write_replay(Path(tmp) / "replay"), VARIANTS
        kw = {"variants": variants} if variants else {}
        runs = timed(lambda: refresh(Path(tmp) / "snap", replay_dir=replay, **kw), max(1, args.repeat // 2))
        label = "full replay" if args.replay else "test fixture replay"
        print(f"refresh from {label}: median {statistics.median(runs):.2f} s over {len(runs)} runs")

    Catalogue.load()  # warm the file cache
    loads = timed(Catalogue.load, args.repeat * 4)
    print(f"Catalogue.load (embedded snapshot): median {statistics.median(loads) * 1000:.1f} ms")

    exe = ROOT / ".venv" / "bin" / "altinn-analysis"
    helps = timed(lambda: subprocess.run([str(exe), "--help"], capture_output=True, check=True), args.repeat)
    imports = timed(
        lambda: subprocess.run([sys.executable, "-c", "import polars, httpx"], capture_output=True, check=True),
        args.repeat,
    )
    bare = timed(lambda: subprocess.run([sys.executable, "-c", "pass"], capture_output=True, check=True), args.repeat)
    print(
        f"altinn-analysis --help: median {statistics.median(helps) * 1000:.0f} ms "
        f"(bare python {statistics.median(bare) * 1000:.0f} ms; importing polars+httpx alone "
        f"{statistics.median(imports) * 1000:.0f} ms, which --help avoids)"
    )


if __name__ == "__main__":
    main()
