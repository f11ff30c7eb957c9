"""Command-line values turned into Python values without pydantic.

typer coerces every parameter through a pydantic `TypeAdapter`: importing pydantic and building the adapters costs
~0.2 s on every command, a fifth of a one-second `assess`. The parameters this CLI declares are all simple (text,
whole numbers and numbers with bounds, flags, paths, choices, lists of those, a date with formats), so they are
converted here directly, with the messages the usage-error rewording in `cli/__init__.py` produces. Anything else
falls back to typer's own coercion. tests/test_cli_coerce.py checks every parameter of every command against typer's
coercion, value for value and error for error.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any, get_args, get_origin

from typer import BadParameter
from typer.core import TyperArgument, TyperOption

__all__ = ["install", "plain_converter"]

# What pydantic accepts for a bool in lax mode (flags already arrive as bools and are not coerced at all).
_TRUE = frozenset({"1", "on", "t", "true", "y", "yes"})
_FALSE = frozenset({"0", "off", "f", "false", "n", "no"})

Converter = Callable[[Any, Any, Any], Any]  # (value, param, ctx) -> value; ValueError -> a usage error


def _text(value: Any, param: Any, ctx: Any) -> str:
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return str(value)


def _flag(value: Any, param: Any, ctx: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE or text == "":
        return False
    raise ValueError("expected true or false")


def _number(kind: type[int] | type[float], low: float | None, high: float | None) -> Converter:
    def convert(value: Any, param: Any, ctx: Any) -> int | float:
        if isinstance(value, kind) and not isinstance(value, bool):
            number = value
        else:
            try:
                number = kind(str(value).strip())
            except ValueError:
                raise ValueError("expected a whole number" if kind is int else "expected a number") from None
        if low is not None and number < low:
            raise ValueError(f"must be at least {low}")
        if high is not None and number > high:
            raise ValueError(f"must be at most {high}")
        return number

    return convert


def _choice(choices: tuple[Any, ...], case_sensitive: bool) -> Converter:
    from typer._param_types import coerce_cli_choice

    def convert(value: Any, param: Any, ctx: Any) -> Any:
        return coerce_cli_choice(value, choices=choices, case_sensitive=case_sensitive, ctx=ctx)

    return convert


def _path(path_type: type[Path], info: Any) -> Converter:
    from typer._param_types import coerce_cli_path

    def convert(value: Any, param: Any, ctx: Any) -> Any:
        # A Path already: typer's check (exists, file or folder) then never reaches for pydantic.
        given = value if isinstance(value, path_type) else path_type(_text(value, param, ctx))
        return coerce_cli_path(given, info, path_type=path_type, param=param, ctx=ctx)

    return convert


def _date_time(formats: list[str]) -> Converter:
    def convert(value: Any, param: Any, ctx: Any) -> datetime:
        if isinstance(value, datetime):
            return value
        for fmt in formats:
            try:
                return datetime.strptime(str(value), fmt)
            except ValueError:
                continue
        raise ValueError(f"{str(value)!r} is not a date: expected YYYY-MM-DD")

    return convert


def plain_converter(annotation: Any, info: Any) -> Converter | None:
    """The converter for one leaf annotation, or None when typer's own coercion must handle it."""
    if info.parser is not None:
        return None
    if isinstance(annotation, type) and issubclass(annotation, enum.Enum):
        return _choice(tuple(annotation), info.case_sensitive)
    if annotation is bool:
        return _flag
    if annotation in (int, float):
        return None if info.clamp else _number(annotation, info.min, info.max)
    if annotation is str:
        return _text
    if isinstance(annotation, type) and issubclass(annotation, Path) and info.path_type in (None, annotation):
        return None if info.allow_dash else _path(annotation, info)
    if annotation is datetime and info.formats:
        return _date_time(list(info.formats))
    return None


class _PlainParam:
    """The part of typer's runtime parameter that `process_value` calls: `coerce(value, param, ctx)`."""

    def __init__(self, convert: Converter, many: bool) -> None:
        self.convert, self.many = convert, many

    def coerce(self, value: Any, param: Any, ctx: Any) -> Any:
        multi = param.multiple or param.nargs == -1
        if value is None:
            return () if multi else None
        if multi and isinstance(value, str):
            raise BadParameter("Value must be an iterable.", ctx=ctx, param=param)
        try:
            if self.many:
                items = value if isinstance(value, (list, tuple)) else [value]
                return [self.convert(item, param, ctx) for item in items]
            return self.convert(value, param, ctx)
        except ValueError as exc:
            raise BadParameter(str(exc), ctx=ctx, param=param) from None


def _runtime_param(annotation: Any, info: Any) -> _PlainParam | None:
    many = get_origin(annotation) is list
    if many:
        (annotation,) = get_args(annotation)
    if get_origin(annotation) is not None:
        return None
    convert = plain_converter(annotation, info)
    return None if convert is None else _PlainParam(convert, many)


# The hook is typer's (0.29) internals: pyproject pins typer below 0.30, and where the hook or the helpers it uses
# are missing, install() leaves typer's own coercion in place rather than break the command.
_typer_runtime_param: Callable[[Any], Any] | None = getattr(TyperArgument, "get_runtime_param", None)


def _get_runtime_param(self: Any) -> Any:
    if self._runtime_param is None:
        descriptor = self.type_descriptor
        plain = None if descriptor.is_file else _runtime_param(descriptor.annotation, descriptor.parameter_info)
        assert _typer_runtime_param is not None  # install() hooks in only when typer has it
        self._runtime_param = plain or _typer_runtime_param(self)
    return self._runtime_param


def install() -> None:
    """Use the plain conversions for every typer parameter of this process (idempotent)."""
    try:
        from typer._param_types import coerce_cli_choice, coerce_cli_path  # noqa: F401
    except ImportError:
        return
    if _typer_runtime_param is None:
        return
    TyperArgument.get_runtime_param = _get_runtime_param  # type: ignore[method-assign]
    TyperOption.get_runtime_param = _get_runtime_param  # type: ignore[method-assign]
