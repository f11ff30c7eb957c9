"""`altinn-analysis report`: build the HTML/xlsx reports and the sector page, in parallel and incrementally."""

from __future__ import annotations

import enum
import importlib.util
import os
import signal
from pathlib import Path
from typing import Annotated, Any

import typer

from altinn_analysis.cli import app
from altinn_analysis.cli._common import (
    AsOf,
    InventoryDir,
    Language,
    LanguageOpt,
    ReferenceDir,
    fail,
    inventory_root,
)

ROOT = Path(__file__).resolve().parents[2]


class Executor(enum.StrEnum):
    local = "local"
    dask = "dask"


def _interrupt(signum: int, frame: Any) -> None:
    # SIGTERM (systemd stop, kill) ends the run like Ctrl-C: kernels stopped, nothing half-written moved in.
    raise KeyboardInterrupt


@app.command()
def report(
    org: Annotated[
        list[str] | None, typer.Option("--org", help="Organisation number to report on (repeatable).")
    ] = None,
    all_: Annotated[bool, typer.Option("--all", help="Every institution under --inventory-dir.")] = False,
    as_of: AsOf = "today",
    language: LanguageOpt = Language.nb,
    workers: Annotated[
        int, typer.Option("--workers", min=1, help="Reports built at the same time (default: the number of cores).")
    ] = max(1, os.cpu_count() or 1),
    force: Annotated[bool, typer.Option("--force", help="Rebuild even reports whose inputs did not change.")] = False,
    out: Annotated[
        Path,
        typer.Option(
            "--out",
            help="Output root; reports go to OUT/<as_of>/<org_number>/ (OUT/<as_of>-en/ for English).",
            file_okay=False,
        ),
    ] = ROOT / "reports",
    inventory_dir: InventoryDir = None,
    reference_dir: ReferenceDir = None,
    timeout: Annotated[float, typer.Option("--timeout", min=1, help="Seconds a notebook cell may run.")] = 600.0,
    notebooks: Annotated[
        Path,
        typer.Option(
            "--notebooks", help="Folder with institution_report.ipynb and sector_overview.ipynb.", file_okay=False
        ),
    ] = ROOT / "notebooks",
    executor: Annotated[
        Executor,
        typer.Option("--executor", help="local: warm kernels on this machine; dask: one task per institution."),
    ] = Executor.local,
    scheduler: Annotated[
        str | None,
        typer.Option("--scheduler", help="Dask scheduler address for --executor dask, e.g. tcp://scheduler:8786."),
    ] = None,
    pdf: Annotated[
        bool,
        typer.Option("--pdf", help="Also print report.pdf (A4) with headless Chromium; without chromium: a warning."),
    ] = False,
    standalone: Annotated[
        bool,
        typer.Option("--standalone", help="Also write report-standalone.html: one file with its charts, for e-mail."),
    ] = False,
) -> None:
    """Build report.html, report.ipynb, actions.xlsx and findings.parquet per institution, and index.html.

    Inputs are checked first: an invalid institution is reported and skipped, the rest run. An institution whose
    inputs did not change since the last run is skipped unless --force. A failure keeps the previous good report;
    run.json records what failed where. Exit code 1 if any institution (or the sector page) failed.
    """
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    from altinn_analysis.report import ReportParameterError, ReportParameters, RunOptions, run_reports, safe_org_label

    if not org and not all_:
        fail("say which institutions: --all, or --org N (repeatable)", 2)
    if org and all_:
        fail("--all and --org exclude each other", 2)
    if executor is Executor.dask and not scheduler:
        fail("--executor dask needs --scheduler ADDRESS (the workers need the package and the same data paths)", 2)
    if executor is Executor.dask and importlib.util.find_spec("distributed") is None:
        fail("--executor dask needs the optional 'dask' extra: pip install 'altinn-analysis[dask]'")
    # Identifiers from arguments are checked before anything prints or stores them.
    for value in org or []:
        label = safe_org_label(value)
        if not label.isdigit():
            fail(f"--org {label}: not a valid organisation number (9 digits, mod-11 check digit)", 2)
    try:
        parameters = ReportParameters.parse(
            as_of=as_of,
            inventory_dir=inventory_root(inventory_dir),
            reference_dir=reference_dir,
            language=language.value,
        )
    except ReportParameterError as exc:
        fail(str(exc).replace("as_of = ", "--as-of ").replace("language = ", "--language "), 2)
    options = RunOptions.from_parameters(
        parameters,
        out,
        workers=workers,
        force=force,
        cell_timeout=timeout,
        notebooks_dir=notebooks,
        executor=executor.value,
        scheduler=scheduler,
        pdf=pdf,
        standalone=standalone,
    )
    console = Console(stderr=True)
    counts = {"ok": 0, "failed": 0, "invalid": 0, "unchanged": 0}
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=console,
        transient=False,
    ) as bar:
        task = bar.add_task("checking inputs", total=None)

        def progress(event: str, who: str, done: int, total: int) -> None:
            if event in counts:
                counts[event] += 1
            desc = (
                f"reports: {counts['ok']} done, {counts['failed']} failed, "
                f"{counts['invalid'] + counts['unchanged']} skipped"
            )
            if event == "sector":
                desc += " · sector page"
            bar.update(task, description=desc, completed=done, total=total or None)

        previous = signal.signal(signal.SIGTERM, _interrupt)
        try:
            result = run_reports(options, org or None, progress=progress)
        except KeyboardInterrupt:
            bar.stop()
            typer.echo("interrupted: finished reports are in place, unfinished ones were discarded", err=True)
            raise typer.Exit(130) from None
        except Exception as exc:  # setup problems (missing folders, broken catalogue) stop the run early
            bar.stop()
            fail(str(exc))
        finally:
            signal.signal(signal.SIGTERM, previous)
    _print_summary(result, console)
    if not result.ok:
        raise typer.Exit(1)


def _print_summary(result: Any, console: Any) -> None:
    from rich.text import Text

    from altinn_analysis.sources import console_text

    for label in getattr(result, "skipped", ()):
        console.print(Text(f"skipped folder {label}", style="yellow"))
    for label in getattr(result, "missing", ()):
        console.print(Text(f"{label}: no inventory folder", style="red"))
    for org, r in result.institutions.items():
        if r.status in ("failed", "invalid"):
            where = f" in cell {r.error['cell_index']}" if r.error and "cell_index" in r.error else ""
            why = (r.error or {}).get("error") or (r.error or {}).get("message", "")
            # The reason can quote inventory values: printed literally, never read as rich markup.
            line = Text.assemble(console_text(f"{org}: {r.status}{where}", "red"), ": ", console_text(why))
            console.print(line, highlight=False)
    n = {s: sum(r.status == s for r in result.institutions.values()) for s in ("ok", "unchanged", "failed", "invalid")}
    typer.echo(
        f"{n['ok']} built, {n['unchanged']} unchanged, {n['failed']} failed, {n['invalid']} invalid "
        f"in {result.duration_s:.1f} s; sector page {result.sector.get('status')}"
    )
    typer.echo(f"open {result.run_dir / 'index.html'}")
