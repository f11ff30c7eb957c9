"""`altinn-analysis demo …`: synthetic data for trying the workbench at sector scale."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from altinn_analysis.cli import app
from altinn_analysis.cli._common import as_of_flag, fail, stage_progress

demo_app = typer.Typer(help="Synthetic institutions: generate a sector of inventories for benchmarks and trials.")
app.add_typer(demo_app, name="demo")


@demo_app.command("generate")
def demo_generate(
    out: Annotated[
        Path,
        typer.Option("--out", help="Folder to write; one sub-folder per institution (org number).", file_okay=False),
    ],
    institutions: Annotated[int, typer.Option("--institutions", "-n", min=1, help="How many institutions.")] = 130,
    seed: Annotated[int, typer.Option("--seed", help="Random seed: the same seed gives identical files.")] = 0,
    consents: Annotated[
        int,
        typer.Option(
            "--consents-per-institution", min=0, help="Consent rows (aggregates) per institution, on average."
        ),
    ] = 40_000,
    delegations: Annotated[
        int,
        typer.Option("--delegations-per-institution", min=0, help="Delegation rows per institution, on average."),
    ] = 4_000,
    as_of: Annotated[
        str | None,
        typer.Option(
            "--as-of",
            metavar="<date>",
            help="The date the inventories describe: YYYY-MM-DD or 'today' (default 2026-11-28).",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Write a seeded synthetic sector: profile.yaml + delegations/consents/integrations Parquet per institution.

    Names and org numbers are fictional (valid check digits), holder ids pseudonymous. Existing folders for the
    same org numbers are replaced, each atomically.
    """
    import time

    day = as_of_flag(as_of) if as_of is not None else None

    from altinn_analysis.catalogue import DsopCatalogueError

    try:  # the generator takes its service ids and dates from the DSOP catalogue when it loads
        from altinn_analysis.synthetic import AS_OF, generate_sector, write_sector
    except DsopCatalogueError as exc:
        fail(str(exc))

    started = time.perf_counter()
    with stage_progress() as (progress, stop):
        try:
            sector = generate_sector(institutions, seed, consents, delegations, as_of=day or AS_OF, progress=progress)
            summary = write_sector(out, sector)
        except OSError as exc:
            stop()
            fail(f"could not write to {out}: {exc}")
    rows = ", ".join(f"{name} {count:,}" for name, count in summary.rows.items())
    kinds = ", ".join(f"{kind} {count}" for kind, count in sorted(summary.by_type.items()))
    typer.echo(
        f"{summary.institutions} institutions written to {out} in {time.perf_counter() - started:.1f} s "
        f"(seed {seed}): {rows} rows; {summary.consents_counted:,} consents counted; {kinds}"
    )
