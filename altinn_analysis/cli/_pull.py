"""`altinn-analysis pull`: read an institution's own Altinn 3 state into its inventory folder."""

from __future__ import annotations

import enum
from concurrent.futures import ThreadPoolExecutor, as_completed
from pathlib import Path
from typing import Annotated, Any

import typer

from altinn_analysis.cli import app
from altinn_analysis.cli._common import ReferenceDir, fail, load_catalogue

ALL_SOURCES = "brreg,access,systemusers,consents,dialogs"


class PullEnv(enum.StrEnum):
    prod = "prod"
    tt02 = "tt02"


@app.command()
def pull(
    org: Annotated[
        list[str], typer.Option("--org", help="Organisation number to pull (repeat, or separate with commas).")
    ],
    out: Annotated[
        Path, typer.Option("--out", help="Inventory root: each institution is written to OUT/<org_number>/.")
    ],
    env: Annotated[PullEnv, typer.Option("--env", help="Altinn environment (tt02 uses test Maskinporten).")] = (
        PullEnv.prod
    ),
    replay: Annotated[
        Path | None,
        typer.Option(
            "--replay",
            help="Serve requests from a recording folder (one institution's, or one sub-folder per org number).",
            exists=True,
            file_okay=False,
        ),
    ] = None,
    only: Annotated[str, typer.Option("--only", help="Comma-separated sources to pull.")] = ALL_SOURCES,
    workers: Annotated[int, typer.Option("--workers", min=1, max=16, help="Institutions pulled at once.")] = 4,
    concurrency: Annotated[int, typer.Option("--concurrency", min=1, max=32, help="Requests in flight each.")] = 4,
    reference_dir: ReferenceDir = None,
) -> None:
    """Pull Enhetsregisteret roles, access, system users, consents and Dialogporten letters into the inventory.

    Credentials come from MASKINPORTEN_* variables (or a .env file outside the repository), never from options.
    Each institution's previous pulled files stay untouched when any of its sources fails.
    """
    from altinn_analysis.inventory import InventoryError, default_known_services, pull_into
    from altinn_analysis.sources import PULL_SOURCES, PullError, load_pseudonymizer

    sources = [s.strip() for s in only.split(",") if s.strip()]
    unknown = sorted(set(sources) - set(PULL_SOURCES))
    if unknown or not sources:
        fail(f"--only: unknown source(s) {', '.join(unknown) or '(none)'}; choose from {', '.join(PULL_SOURCES)}")
    orgs = list(dict.fromkeys(o.strip() for value in org for o in value.split(",") if o.strip()))
    bad = [o for o in orgs if not (len(o) == 9 and o.isdigit())]
    if bad:
        fail(f"--org: {', '.join(bad)} is not a 9-digit organisation number")
    catalogue = load_catalogue(reference_dir)
    known = default_known_services()
    pseudonymizer = load_pseudonymizer()

    def say(message: str) -> None:
        typer.echo(message, err=True)

    def one(number: str) -> Any:
        return pull_into(
            number,
            out,
            catalogue=catalogue,
            environment=env.value,
            only=sources,
            replay_dir=replay,
            pseudonymizer=pseudonymizer,
            known_services=known,
            max_concurrency=concurrency,
            progress=say,
        )

    failures = 0
    with ThreadPoolExecutor(max_workers=min(workers, len(orgs))) as pool:
        futures = {pool.submit(one, number): number for number in orgs}
        for future in as_completed(futures):
            number = futures[future]
            try:
                result = future.result()
            except (PullError, InventoryError, OSError, ValueError, LookupError) as exc:
                failures += 1
                typer.echo(
                    f"error: {exc}\n{number}: pull failed; the previous files in {out / number} are kept", err=True
                )
                continue
            rows = ", ".join(f"{t} {n}" for t, n in result.rows.items())
            typer.echo(
                f"{number}: {rows} pulled rows ({result.requests} requests, {result.seconds:.1f} s) → {result.folder}"
            )
    if failures:
        raise typer.Exit(1)
