"""The CLI converts its values without pydantic (cli/_coerce.py): every parameter of every command gives the same
value, or the same usage error in plain words, as typer's own pydantic coercion."""

from __future__ import annotations

import enum
from datetime import datetime
from pathlib import Path
from typing import Any, get_args, get_origin

import pytest
import typer
import typer.main
from typer._coercion import build_runtime_param

from altinn_analysis.cli import app, plain
from altinn_analysis.cli._coerce import plain_converter

ROOT = Path(__file__).resolve().parents[1]


def _samples(annotation: Any) -> list[Any]:
    if get_origin(annotation) is list:
        (leaf,) = get_args(annotation)
        return [(*_samples(leaf)[:2],), (_samples(leaf)[0],)]
    if isinstance(annotation, type) and issubclass(annotation, enum.Enum):
        return [*(m.value for m in annotation), *(str(m.value).upper() for m in annotation), "bad", ""]
    if annotation is bool:
        return ["true", "no", "1", "Off", "", "maybe"]
    if annotation is int:
        return ["3", "0", "-1", "16", "17", "32", "33", " 4 ", "x", "1.5", ""]
    if annotation is float:
        return ["1", "0.5", "2.5", "600", "x", "inf", "-3", ""]
    if annotation is str:
        return ["abc", "", " x ", "[red]markup[/]", "310426172"]
    if annotation is Path:
        return [str(ROOT / "Makefile"), str(ROOT / "data"), str(ROOT / "no-such-path"), "relative/dir"]
    if annotation is datetime:
        return ["2026-11-28", "2026-13-01", "28.11.2026", "today", ""]
    raise AssertionError(f"no samples for {annotation!r}: add them, and check cli/_coerce.py handles it")


def _outcome(runtime: Any, value: Any, param: Any, ctx: Any) -> tuple[str, Any]:
    try:
        return "ok", runtime.coerce(value, param=param, ctx=ctx)
    except typer.BadParameter as exc:
        return "error", plain(exc.message)


def _parameters() -> list[tuple[str, Any, Any]]:
    out: list[tuple[str, Any, Any]] = []

    def walk(command: Any, path: str) -> None:
        for param in command.params:
            out.append((f"{path} {param.name}", command, param))
        for name, sub in sorted(getattr(command, "commands", {}).items()):
            walk(sub, f"{path} {name}".strip())

    walk(typer.main.get_command(app), "")
    return out


PARAMETERS = _parameters()


@pytest.mark.parametrize(("where", "command", "param"), PARAMETERS, ids=[w for w, _, _ in PARAMETERS])
def test_every_parameter_converts_like_typer(where: str, command: Any, param: Any) -> None:
    descriptor = param.type_descriptor
    theirs = build_runtime_param(descriptor)
    param._runtime_param = None
    ours = param.get_runtime_param()
    assert type(ours).__name__ == "_PlainParam", f"{where}: falls back to pydantic ({descriptor.annotation!r})"
    ctx = typer.Context(command)
    for value in _samples(descriptor.annotation):
        given = list(value) if isinstance(value, tuple) else value
        assert _outcome(ours, given, param, ctx) == _outcome(theirs, given, param, ctx), (where, value)


def test_what_is_not_simple_is_left_to_typer() -> None:
    from typer.models import OptionInfo

    assert plain_converter(complex, OptionInfo()) is None
    assert plain_converter(int, OptionInfo(min=1, clamp=True)) is None
    assert plain_converter(str, OptionInfo(parser=str.upper)) is None
    assert plain_converter(datetime, OptionInfo()) is None  # typer's default formats: its own coercion
