"""Output safety: what the workbench writes never carries its input as code, markup or a secret.

- CSV/XLSX cells: a text starting with `=`, `+`, `-`, `@`, a tab or a carriage return is what a spreadsheet
  evaluates as a formula (`=HYPERLINK(…)`, `+1+2`, `@SUM(…)`); it gets a leading `'`, the way spreadsheets
  themselves mark "this is text" (OWASP's CSV-injection advice).
- HTML and notebooks: control characters (NUL, ESC, …; not tab or newline) are removed.
- Console: text printed through `console_text` is never read as rich markup (`[/bold]` is printed, not parsed),
  and terminal escape sequences are removed.
- `check_outputs(folder)`: the secrets/identity scanner over one institution's output folder, raising
  `UnsafeOutputError` (kinds and places, never the values) so that nothing found is published.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import polars as pl
    from rich.text import Text

    from altinn_analysis.secret_guard import Finding

__all__ = [
    "FORMULA_START",
    "UnsafeOutputError",
    "check_outputs",
    "console_text",
    "neutralise_cell",
    "neutralise_frame",
    "scan_outputs",
    "strip_control",
]

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_FORMULA_PATTERN = r"^[=+\-@\t\r]"
# C0 controls except tab, newline and carriage return; DEL; C1 controls. Never meaningful in a report.
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def neutralise_cell(value: str) -> str:
    """`value` as a spreadsheet will show it as text: a leading `'` before a formula-like start."""
    return "'" + value if value.startswith(FORMULA_START) else value


def neutralise_frame(frame: pl.DataFrame) -> pl.DataFrame:
    """Every text column of `frame` through `neutralise_cell` (vectorised; other columns unchanged)."""
    import polars as pl

    texts = [name for name, dtype in frame.schema.items() if dtype == pl.String]
    if not texts:
        return frame
    return frame.with_columns(
        pl.when(pl.col(name).str.contains(_FORMULA_PATTERN))
        .then(pl.lit("'") + pl.col(name))
        .otherwise(pl.col(name))
        .alias(name)
        for name in texts
    )


def strip_control(text: str) -> str:
    """`text` without control characters (kept: tab, newline, carriage return)."""
    return CONTROL.sub("", text)


def console_text(value: object, style: str = "") -> Text:
    """A rich `Text` of `value`: printed literally (no markup, no terminal escapes)."""
    from rich.text import Text

    return Text(strip_control("" if value is None else str(value)), style=style)


class UnsafeOutputError(RuntimeError):
    """An output folder holds something that must not be published. Names kinds and places, never values."""

    def __init__(self, folder: Path, findings: list[Finding]) -> None:
        self.folder = folder
        self.findings = findings
        shown = "; ".join(str(f) for f in findings[:5]) + (f"; … {len(findings) - 5} more" if len(findings) > 5 else "")
        super().__init__(
            f"{len(findings)} secret or identity number finding(s) in the outputs, nothing published: {shown}"
        )


def scan_outputs(folder: str | Path, known_secrets: Iterable[str] = ()) -> list[Finding]:
    """The scanner's findings over every file in `folder` (private keys, JWTs, bearer and access tokens,
    `known_secrets`, identity numbers), located relative to `folder`."""
    from altinn_analysis.secret_guard import Finding, scan_path

    root = Path(folder)
    found = scan_path(root, known_secrets=known_secrets)
    prefix = f"{root}/"
    return [Finding(f.kind, f.location.removeprefix(prefix), f.line) for f in found]


def check_outputs(folder: str | Path, known_secrets: Iterable[str] = ()) -> None:
    """Raise `UnsafeOutputError` when `scan_outputs` finds anything; call it before moving outputs into place."""
    findings = scan_outputs(folder, known_secrets)
    if findings:
        raise UnsafeOutputError(Path(folder), findings)
