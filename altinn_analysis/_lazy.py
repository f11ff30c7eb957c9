"""Lazy package exports: a package's public names load on first use, so a command imports only what it needs.

A package lists its exports once, as ordinary imports under `if TYPE_CHECKING:` (what mypy, ruff and editors
read), and hands its own file to `lazy_exports`, which reads those import lines and serves each name from its module
when it is first asked for. `assess` then never loads httpx, jwt or plotly just because they share a package with
something it uses.
"""

from __future__ import annotations

import ast
import importlib
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

__all__ = ["lazy_exports"]


def _exports(init_file: str) -> dict[str, tuple[str, str]]:
    """{exported name: (module, name in that module)} from the `if TYPE_CHECKING:` imports of a package file."""
    tree = ast.parse(Path(init_file).read_text(encoding="utf-8"), filename=init_file)
    out: dict[str, tuple[str, str]] = {}
    for node in tree.body:
        if isinstance(node, ast.If) and isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING":
            for stmt in node.body:
                if isinstance(stmt, ast.ImportFrom) and stmt.module and not stmt.level:
                    out.update({alias.asname or alias.name: (stmt.module, alias.name) for alias in stmt.names})
    return out


def lazy_exports(package: str, init_file: str) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """`__getattr__, __dir__ = lazy_exports(__name__, __file__)` in a package's `__init__.py` (PEP 562)."""
    exports = _exports(init_file)

    def __getattr__(name: str) -> Any:  # noqa: N807 - the module-level hook of PEP 562
        if name not in exports:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        module, attr = exports[name]
        value = getattr(importlib.import_module(module), attr)
        setattr(sys.modules[package], name, value)  # later look-ups are plain attribute reads
        return value

    def __dir__() -> list[str]:  # noqa: N807
        return sorted({*vars(sys.modules[package]), *exports})

    return __getattr__, __dir__
