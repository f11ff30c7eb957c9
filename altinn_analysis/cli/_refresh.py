"""`altinn-analysis refresh`."""

from __future__ import annotations

import enum
from pathlib import Path
from typing import Annotated

import typer

from altinn_analysis.cli import app
from altinn_analysis.cli._common import fail, stage_progress


class Env(enum.StrEnum):
    prod = "prod"
    tt02 = "tt02"


@app.command()
def refresh(
    env: Annotated[Env, typer.Option("--env", help="Altinn environment to fetch from.")] = Env.prod,
    replay: Annotated[
        Path | None,
        typer.Option(
            "--replay",
            help="Serve requests from a recorded-response folder instead of the network.",
            exists=True,
            file_okay=False,
        ),
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option("--out", help="Snapshot folder to write (default: the one the catalogue reads).", file_okay=False),
    ] = None,
    concurrency: Annotated[
        int,
        typer.Option("--concurrency", min=1, max=32, help="Requests in flight for the role-package fan-out."),
    ] = 8,
    describe: Annotated[
        str | None,
        typer.Option("--describe", help="What the snapshot is (first note of its manifest), e.g. the recording."),
    ] = None,
) -> None:
    """Fetch the Altinn 3 catalogue and write a new snapshot. A failed refresh keeps the previous one."""
    from altinn_analysis.catalogue import default_reference_dir
    from altinn_analysis.catalogue import refresh as do_refresh
    from altinn_analysis.sources import AltinnAPIError, ReplayMissError, SnapshotError

    target = out or default_reference_dir()
    with stage_progress() as (progress, stop):
        try:
            manifest = do_refresh(
                target,
                environment=env.value,
                replay_dir=replay,
                max_concurrency=concurrency,
                progress=progress,
                description=describe,
            )
        except (AltinnAPIError, ReplayMissError, SnapshotError, OSError) as exc:
            stop()
            fail(f"{exc}\nrefresh failed; the previous snapshot in {target} is unchanged")
    rows = ", ".join(f"{name} {info.rows}" for name, info in manifest.tables.items())
    typer.echo(f"snapshot written to {target} (source {manifest.source}, {manifest.base_url}): {rows}")
    for note in manifest.notes:
        typer.echo(f"note: {note}")
