"""The command-line reference (`docs/cli.md`), generated from the commands themselves.

A test compares the committed file with `render_cli_reference()`, so an option added in code and not documented
fails the tests. Regenerate with `make docs`.
"""

from __future__ import annotations

import contextlib
import enum
from pathlib import Path
from typing import Any

import typer

__all__ = ["render_cli_reference"]

ROOT = Path(__file__).resolve().parents[2]


def _commands(group: Any, prefix: str) -> list[tuple[str, Any]]:
    # typer vendors its own click; duck typing keeps this independent of which one.
    out: list[tuple[str, Any]] = []
    ctx = group.make_context(prefix.split()[-1], [], resilient_parsing=True)
    for name in group.list_commands(ctx):
        cmd = group.get_command(ctx, name)
        if cmd is None:
            continue
        full = f"{prefix} {name}"
        if hasattr(cmd, "list_commands"):
            out.extend(_commands(cmd, full))
        else:
            out.append((full, cmd))
    return out


def _default(param: Any) -> str:
    value = getattr(param, "default", None)
    if value in (None, False, (), []) or getattr(param, "is_flag", False) or param.name == "workers":
        return ""  # flags, empty values and machine-dependent defaults (core count) say nothing useful
    if isinstance(value, Path):
        with contextlib.suppress(ValueError):
            value = value.relative_to(ROOT)
    if isinstance(value, enum.Enum):
        value = value.value
    return f" Default: `{value}`."


def _param_row(param: Any) -> str:
    if getattr(param, "param_type_name", "") == "argument":
        name = f"`{(param.metavar or param.name).upper()}`"
        kind = "argument" + (" (one or more)" if param.nargs == -1 else "")
    else:
        name = ", ".join(f"`{o}`" for o in [*param.opts, *param.secondary_opts])
        kind = "flag" if getattr(param, "is_flag", False) else "option"
        if getattr(param, "multiple", False):
            kind += " (repeatable)"
    help_text = (getattr(param, "help", None) or "").replace("|", "\\|").replace("\n", " ")
    annotation = getattr(getattr(param, "type_descriptor", None), "annotation", None)
    choices = (
        [m.value for m in annotation] if isinstance(annotation, type) and issubclass(annotation, enum.Enum) else []
    )
    allowed = f" One of: {', '.join(f'`{c}`' for c in choices)}." if choices else ""
    return f"| {name} | {kind} | {help_text}{allowed}{_default(param)} |"


def render_cli_reference() -> str:
    """Markdown for every command, argument and option of `altinn-analysis`."""
    from altinn_analysis.cli import app

    root = typer.main.get_command(app)
    lines = [
        "# Command-line reference",
        "",
        "Generated from the commands by `make docs` (`altinn_analysis/cli/_reference.py`); a test keeps it in",
        "step with the code. Every command also answers `--help`.",
        "",
    ]
    for name, cmd in sorted(_commands(root, "altinn-analysis")):
        lines += [f"## `{name}`", "", (cmd.help or "").strip().split("\n\n")[0].replace("\n", " "), ""]
        params = [p for p in cmd.params if p.name != "help"]
        if params:
            lines += ["| parameter | kind | meaning |", "|---|---|---|"]
            lines += [_param_row(p) for p in params]
            lines.append("")
    return "\n".join(lines).rstrip() + "\n"
