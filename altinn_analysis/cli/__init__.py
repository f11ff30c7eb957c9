"""`altinn-analysis`: a thin typer front end over the package.

Heavy libraries (polars, httpx, rich tables) are imported inside the commands so that `--help` starts fast.
Each command group lives in its own module and registers itself on `app`.
"""

from __future__ import annotations

import logging
import sys
from typing import Annotated

import typer

from altinn_analysis._version import __version__

__all__ = ["app", "main"]

app = typer.Typer(
    name="altinn-analysis",
    help="Altinn 3 transition workbench: what the move from Altinn 2 means for a DSOP finance institution.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    # Plain click help: rich's help renderer costs ~200 ms of imports on every `--help`.
    rich_markup_mode=None,
)


class _LazyRedaction(logging.Filter):
    """Tokens, assertions, PEM blocks and Authorization headers never reach the log (see sources._redact).

    Imported on the first record only, so that `--help` stays fast."""

    def filter(self, record: logging.LogRecord) -> bool:
        from altinn_analysis.sources import RedactingFilter

        return RedactingFilter().filter(record)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"altinn-analysis {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Log what happens (to stderr).")] = False,
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit.")
    ] = False,
) -> None:
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    for handler in logging.getLogger().handlers:
        # On the handler, so every record that reaches stderr is covered, whichever logger it came from.
        if not any(isinstance(f, _LazyRedaction) for f in handler.filters):
            handler.addFilter(_LazyRedaction())


# Command modules register themselves on `app` when imported.
from altinn_analysis.cli import _catalogue, _demo, _impact, _inventory, _refresh, _report, _template  # noqa: E402, F401


def main() -> None:
    app()
