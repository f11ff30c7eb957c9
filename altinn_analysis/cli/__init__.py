"""`altinn-analysis`: a thin typer front end over the package.

Heavy libraries (polars, httpx, rich progress bars) are imported inside the commands so that `--help` starts fast;
values are converted without pydantic (`_coerce`) and tables printed as plain text (`_common.render_table`).
Each command group lives in its own module and registers itself on `app` when imported; `COMMANDS` names the
module of each command, so that a run imports and builds only the command it invokes.
"""

from __future__ import annotations

import contextlib
import gc
import importlib
import logging
import re
import sys
from collections.abc import Iterator, MutableMapping
from typing import Annotated, Any

import typer
import typer.main
from typer.core import TyperArgument, TyperGroup, TyperOption

from altinn_analysis._version import __version__
from altinn_analysis.cli import _coerce

__all__ = ["COMMANDS", "GC_YOUNG_THRESHOLD", "app", "main", "plain"]

# click's UsageError (typer vendors click and exports only BadParameter, one of its subclasses).
_UsageError: type[Exception] = next(c for c in typer.BadParameter.__mro__ if c.__name__ == "UsageError")

# Messages of the CLI framework (its pydantic coercion and click's checks) in plain words: (pattern, replacement).
# Compiled on first use (re caches them): only a usage error needs them.
_PLAIN = (
    (r"^Value error, ", ""),
    (r"^(.*?) does not match the formats? .*$", r"\1 is not a date: expected YYYY-MM-DD"),
    (r"^Input should be greater than or equal to (\S+)$", r"must be at least \1"),
    (r"^Input should be less than or equal to (\S+)$", r"must be at most \1"),
    (r"^Input should be a valid integer.*$", "expected a whole number"),
    (r"^Input should be a valid number.*$", "expected a number"),
    (r"^Input should be a valid boolean.*$", "expected true or false"),
    (r"^dir (.*) is a file\.?$", r"\1 is a file; expected a folder"),
    (r"^file (.*) is a directory\.?$", r"\1 is a folder; expected a file"),
)


def plain(message: str) -> str:
    """A usage-error message without the framework's internals ("Value error, …", strptime formats)."""
    for pattern, replacement in _PLAIN:
        message = re.sub(pattern, replacement, message)
    return message


@contextlib.contextmanager
def _plain_usage_errors() -> Iterator[None]:
    try:
        yield
    except _UsageError as exc:
        exc.message = plain(str(getattr(exc, "message", exc)))  # type: ignore[attr-defined]
        raise


# The module that defines each command, in the order `--help` lists them. typer builds the click objects of every
# registered command on each run (~50 ms of `assess`, plus importing every command module); the root group imports
# and builds a command when it is first looked up, so a run pays only for the command it invokes.
COMMANDS: dict[str, str] = {
    "assess": "_impact",
    "verdicts": "_impact",
    "sector": "_impact",
    "validate": "_inventory",
    "pull": "_pull",
    "refresh": "_refresh",
    "report": "_report",
    "template": "_template",
    "catalogue": "_catalogue",
    "demo": "_demo",
}


def _build_command(name: str) -> Any:
    """The click command (or group) `name`, from the typer registration its module makes on import."""
    importlib.import_module(f"altinn_analysis.cli.{COMMANDS[name]}")
    for info in app.registered_commands:
        if info.callback is not None and (info.name or typer.main.get_command_name(info.callback.__name__)) == name:
            return typer.main.get_command_from_info(
                info, pretty_exceptions_short=app.pretty_exceptions_short, rich_markup_mode=app.rich_markup_mode
            )
    for group in app.registered_groups:
        if group.name == name:
            return typer.main.get_group_from_info(
                group,
                pretty_exceptions_short=app.pretty_exceptions_short,
                rich_markup_mode=app.rich_markup_mode,
                suggest_commands=app.suggest_commands,
            )
    raise LookupError(f"cli.{COMMANDS[name]} registers no command {name!r}")


class _LazyCommands(MutableMapping[str, Any]):
    """The root group's commands: every name known from `COMMANDS`, each built on first access."""

    def __init__(self, built: MutableMapping[str, Any]) -> None:
        self._built = dict(built)  # what typer built already (command modules imported before the group was made)

    def __getitem__(self, name: str) -> Any:
        if name not in self._built:
            if name not in COMMANDS:
                raise KeyError(name)
            self._built[name] = _build_command(name)
        return self._built[name]

    def __setitem__(self, name: str, command: Any) -> None:
        self._built[name] = command

    def __delitem__(self, name: str) -> None:
        del self._built[name]

    def __iter__(self) -> Iterator[str]:
        yield from COMMANDS
        yield from (name for name in self._built if name not in COMMANDS)

    def __len__(self) -> int:
        return len(COMMANDS) + sum(name not in COMMANDS for name in self._built)


class _Group(TyperGroup):
    """The command tree: commands built when looked up (`COMMANDS`), every usage error in plain words, exit code 2
    (click's convention)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.commands = _LazyCommands(self.commands)

    def list_commands(self, ctx: Any) -> list[str]:
        return list(self.commands)  # the names only: nothing built

    def make_context(self, *args: Any, **kwargs: Any) -> Any:
        with _plain_usage_errors():
            return super().make_context(*args, **kwargs)

    def invoke(self, ctx: Any) -> Any:
        with _plain_usage_errors():
            return super().invoke(ctx)


def _usage_name(self: TyperArgument) -> str:
    # `DIR` and `[DIR]...`, as every other tool writes them, not typer's `{DIR}`.
    name = self.display_name_raw if self.required else f"[{self.display_name_raw}]"
    return name + ("..." if self.nargs != 1 else "")


# Value shapes in --help in plain words (`--as-of <date>`, `--workers <number>`), not Python types (`<list[Path]>`).
_PLAIN_TYPES = {
    "str": "text",
    "list[str]": "text",
    "int": "number",
    "int range": "number",
    "float": "number",
    "float range": "number",
    "dir": "folder",
    "list[Path]": "folder",
    "path": "path",
    "%Y-%m-%d": "YYYY-MM-DD",
}
_typer_display_type = TyperArgument.display_type


def _display_type(self: Any, ctx: Any) -> str:
    if isinstance(self, TyperArgument) and self.metavar is not None:
        return ""  # the metavar (DIR) says it
    label = str(_typer_display_type(self, ctx))
    return f"<{_PLAIN_TYPES.get(label[1:-1], label[1:-1])}>"


TyperArgument._usage_display_name = _usage_name  # type: ignore[method-assign]
TyperArgument.display_type = _display_type  # type: ignore[method-assign]
TyperOption.display_type = _display_type  # type: ignore[method-assign]
_coerce.install()  # values converted without pydantic: ~0.2 s off every command

app = typer.Typer(
    cls=_Group,
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


# A command is one short process. The cyclic garbage collector would walk the objects the imports make (~40 000
# still tracked at the end of `assess`) many times over while they load, and every one once more as the interpreter
# shuts down (~0.15 s of a 0.9 s `assess`, more than the rules take). So young collections wait for this many new
# objects (cyclic garbage is still collected, in larger batches), and what is alive at the end is frozen: the exit
# leaves it to the operating system. Objects are still freed when their last reference goes; Python never promised
# `__del__` for what is alive at exit, and nothing here relies on it.
GC_YOUNG_THRESHOLD = 100_000


def main() -> None:
    gc.set_threshold(GC_YOUNG_THRESHOLD, *gc.get_threshold()[1:])
    try:
        app()
    finally:
        gc.freeze()
