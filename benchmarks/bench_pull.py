"""Pull figures: one institution from a replay (seconds, requests), and a sector of institutions pulled with
bounded concurrency against a replay that answers with simulated network latency.

    .venv/bin/python benchmarks/bench_pull.py [--institutions 130] [--workers 8] [--latency-ms 50]
        [--reference DIR]

The replay is the project's own, generated from the demo inventories. With `--reference DIR` (a folder of
recorded answers per institution, with `expected.json`), the first figure is measured on those recordings and
the pulled rows are checked against the expected ones. Baseline: the same institutions pulled one after another
(measured on a sample of them, then scaled to all), as a naive loop over `pull --org` would.
"""

from __future__ import annotations

import argparse
import json
import shutil
import tempfile
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import polars as pl

from altinn_analysis.catalogue import Catalogue
from altinn_analysis.demo_replay import DEMO_AS_OF, write_demo_replay
from altinn_analysis.inventory import pull_into
from altinn_analysis.sources import Pseudonymizer, ReplayTransport, maskinporten_for_pull

ROOT = Path(__file__).resolve().parents[1]
KEY = Pseudonymizer(b"benchmark-key-32-bytes-long-xxxx")


class Slow(httpx.BaseTransport):
    """A replay with a fixed latency per request (the network a live pull waits on)."""

    def __init__(self, inner: httpx.BaseTransport, seconds: float) -> None:
        self.inner, self.seconds = inner, seconds

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        time.sleep(self.seconds)
        return self.inner.handle_request(request)


def one(org: str, out: Path, replay: Path, catalogue: Catalogue, latency: float = 0.0) -> Any:
    transport: httpx.BaseTransport = ReplayTransport(replay)
    if latency:
        transport = Slow(transport, latency)
    mp = maskinporten_for_pull(org, "prod", transport=transport, replay=True)
    return pull_into(
        org, out, catalogue=catalogue, transport=transport, maskinporten=mp, pseudonymizer=KEY, as_of=DEMO_AS_OF
    )


def check_expected(out: Path, expected: dict[str, Any]) -> str:
    deleg = pl.read_csv(out / "delegations.csv", infer_schema_length=0).filter(pl.col("origin").is_not_null())
    a3 = deleg.filter(pl.col("platform") == "altinn3")
    got = Counter(a3.select("holder_type", "grant_type", "grant", "source").iter_rows())
    want = Counter(
        (r["holder_type"], r["grant_type"], r["grant"], r["source"]) for r in expected["altinn3_delegation_rows"]
    )
    cons = pl.read_csv(out / "consents.csv", infer_schema_length=0).filter(pl.col("origin").is_not_null())
    got_c = sorted(
        [r[0], r[1], r[2], r[3], int(r[4])]
        for r in cons.select("service", "status", "valid_from", "valid_to", "count").iter_rows()
    )
    record = json.loads((out / "pull.json").read_text())
    dialogs = {
        d["resource"]: {"dialogs": d["dialogs"], "unopened": d["unopened"], "pages": d["pages"]}
        for d in record["dialogs"]
    }
    checks = {
        "delegations": got == want,
        "consents": got_c == sorted(expected["consent_rows"]),
        "dialogs": dialogs == expected["dialogs"],
        "suppliers": record.get("maskinporten_suppliers") == expected["maskinporten_suppliers"],
        "er_roles": Counter(deleg.filter(pl.col("source") == "er")["grant"])
        == Counter(expected["enhetsregisteret"]["er_roles_by_code"]),
    }
    text = "".join(p.read_text(errors="replace") for p in out.iterdir() if p.is_file()).lower()
    personal = expected["personal_data_never_stored"]
    leaks = sum(1 for values in personal.values() for v in values if str(v).lower() in text)
    return ", ".join(f"{k} {'ok' if v else 'DIFFERENT'}" for k, v in checks.items()) + f", personal data found {leaks}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--institutions", type=int, default=130)
    parser.add_argument("--workers", type=int, default=8)
    parser.add_argument("--latency-ms", type=float, default=50.0)
    parser.add_argument("--sample", type=int, default=4, help="institutions pulled one by one for the baseline")
    parser.add_argument("--reference", type=Path, default=None)
    args = parser.parse_args()
    catalogue = Catalogue.load()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        orgs = ["316537200", "310426172"]
        for org in orgs:
            write_demo_replay(ROOT / "data" / "institutions" / org, work / "replay" / org)
        print("one institution from the replay (no latency):")
        for org in orgs:
            shutil.copytree(ROOT / "data" / "institutions" / org, work / "one" / org)
            result = one(org, work / "one", work / "replay" / org, catalogue)
            print(f"  {org}: {result.seconds:.2f} s, {result.requests} requests")
        if args.reference:
            expected = json.loads((args.reference / "expected.json").read_text())
            print(f"reference recordings ({args.reference}):")
            for org in expected:
                shutil.copytree(ROOT / "data" / "institutions" / org, work / "ref" / org)
                result = one(org, work / "ref", args.reference / org, catalogue)
                print(
                    f"  {org}: {result.seconds:.2f} s, {result.requests} requests; "
                    f"{check_expected(work / 'ref' / org, expected[org])}"
                )

        org, n, latency = orgs[0], args.institutions, args.latency_ms / 1000
        roots = [work / "sector" / f"{i:03d}" for i in range(n)]
        for root in roots:
            shutil.copytree(ROOT / "data" / "institutions" / org, root / org)
        start = time.perf_counter()
        for root in roots[: args.sample]:
            one(org, root, work / "replay" / org, catalogue, latency)
        sequential = (time.perf_counter() - start) / args.sample
        start = time.perf_counter()
        with ThreadPoolExecutor(max_workers=args.workers) as pool:
            results = list(pool.map(lambda r: one(org, r, work / "replay" / org, catalogue, latency), roots))
        parallel = time.perf_counter() - start
        requests = sum(r.requests for r in results)
        print(
            f"{n} institutions ({org}'s recordings, {args.latency_ms:.0f} ms latency per request, {requests} requests):"
        )
        print(
            f"  one after another (baseline, {args.sample} measured): {sequential:.2f} s each → {sequential * n:.0f} s"
        )
        print(
            f"  {args.workers} at once (bounded): {parallel:.1f} s, {n / parallel:.1f} institutions/s, "
            f"{sequential * n / parallel:.1f}x the baseline"
        )


if __name__ == "__main__":
    main()
