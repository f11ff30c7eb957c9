"""The layers contract (DESIGN §2), read from the source with `ast`, so every import counts (inside functions and
TYPE_CHECKING blocks too):

1. data flows one way: a module imports only from its own layer or the layers listed before it;
2. no module imports another package's private module (`pkg._x` from outside `pkg`);
3. no module imports a private name (`_x`) from another module, except a private sibling's helpers
   (`pkg._common._helper` inside `pkg`);
4. the command modules in `cli/` share code only through `cli._common`, never through each other.

A new top-level module or package has to be placed in LAYERS. An exception is a debt with an owner, not a rule:
it is listed in KNOWN with the reason, and the test fails when it is gone, so the list only shrinks.
"""

from __future__ import annotations

import ast
import functools
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "altinn_analysis"

# Lowest first. Each entry is one layer; names are the top-level modules and packages of altinn_analysis.
LAYERS: list[set[str]] = [
    {"_version", "_lazy", "checks"},  # identity / org-number checks and the located problem: below everything
    {"secret_guard"},  # the secret and identity-number patterns: the log redactor (sources) and outputs use them
    {"sources"},  # all I/O
    {"catalogue"},
    {"inventory"},
    {"impact"},
    {"demo_replay", "synthetic"},  # synthetic inventories and the pull replays built from them
    {"report"},
    {"cli"},
]
FACADE = {"__init__", "__main__"}  # altinn_analysis/__init__.py re-exports lazily and may name anything

# (importing module, imported module or name): why it is still there. Remove an entry once the import is gone.
KNOWN: dict[tuple[str, str], str] = {}


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> list[tuple[str, int]]:
    """Every imported module and every imported name (`module.name`), with its line."""
    module = _module_name(path)
    is_package = path.name == "__init__.py"
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    out: list[tuple[str, int]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out += [(alias.name, node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative: resolve against this module's package
                base = module.split(".") if is_package else module.split(".")[:-1]
                base = base[: len(base) - node.level + 1]
                source = ".".join([*base, node.module] if node.module else base)
            else:
                source = node.module or ""
            out += [(f"{source}.{alias.name}", node.lineno) for alias in node.names]
    return [(name, line) for name, line in out if name.startswith("altinn_analysis.")]


def _top(name: str) -> str:
    return name.split(".")[1]


def _layer(top: str) -> int | None:
    return next((i for i, layer in enumerate(LAYERS) if top in layer), None)


def _split(dotted: str) -> tuple[str, str | None]:
    """(the module, the name imported from it or None) for a dotted import."""
    parts = dotted.split(".")
    for cut in range(len(parts), 0, -1):
        rel = Path(*parts[:cut])
        if (ROOT / rel).with_suffix(".py").exists() or (ROOT / rel / "__init__.py").exists():
            return ".".join(parts[:cut]), ".".join(parts[cut:]) or None
    return dotted, None


def _private(part: str) -> bool:
    return part.startswith("_") and not part.startswith("__")


def _within(importer: str, package: str) -> bool:
    return importer == package or importer.startswith(package + ".")


def violations() -> list[tuple[str, str, str]]:
    """(importing module, imported thing, rule broken) for every import that breaks the contract."""
    found: list[tuple[str, str, str]] = []
    for path in sorted(PACKAGE.rglob("*.py")):
        importer = _module_name(path)
        parts = importer.split(".")
        if len(parts) == 1 or parts[1] in FACADE:
            continue
        own = _layer(parts[1])
        if own is None:
            found.append((importer, "", f"{parts[1]} is in no layer: add it to LAYERS"))
            continue
        for imported, line in _imports(path):
            where = f"{importer}:{line}"
            target = _layer(_top(imported))
            if target is not None and target > own:
                found.append((importer, imported, f"{where}: {parts[1]} may not import {_top(imported)} (upward)"))
            module, name = _split(imported)
            mparts = module.split(".")
            # a private module belongs to its package (top-level private modules belong to everyone)
            for i in range(2, len(mparts)):
                owner, private = ".".join(mparts[:i]), ".".join(mparts[: i + 1])
                if _private(mparts[i]) and not _within(importer, owner):
                    found.append((importer, private, f"{where}: private module {private} of {owner}"))
                    break
            # A private module's helpers are shared with its siblings (e.g. figures._common); nobody else's.
            sibling = _private(mparts[-1]) and module.rsplit(".", 1)[0] == importer.rsplit(".", 1)[0]
            if name is not None and _private(name.split(".")[0]) and module != importer and not sibling:
                found.append((importer, imported, f"{where}: private name {name} of {module}"))
            if (
                parts[:2] == ["altinn_analysis", "cli"]
                and len(parts) > 2
                and len(mparts) > 2
                and mparts[:2] == ["altinn_analysis", "cli"]
                and module not in ("altinn_analysis.cli._common", importer)
            ):
                found.append((importer, module, f"{where}: cli command modules share code via cli._common"))
    return found


@functools.cache
def _current() -> tuple[tuple[str, str, str], ...]:
    return tuple(violations())


def test_the_layers_contract_holds() -> None:
    broken = [rule for importer, imported, rule in _current() if (importer, imported) not in KNOWN]
    assert not broken, "layers contract (DESIGN §2) broken:\n" + "\n".join(broken)


@pytest.mark.parametrize("known", sorted(KNOWN), ids=lambda k: f"{k[0]}->{k[1]}")
def test_every_known_exception_is_still_needed(known: tuple[str, str]) -> None:
    assert known in {(a, b) for a, b, _ in _current()}, f"{known} is fixed: remove it from KNOWN"


def test_the_contract_catches_violations(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A copy of the package with one upward import, one private-module import and one cli cross-import."""
    import shutil

    copy = tmp_path / "altinn_analysis"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__"))
    (copy / "catalogue" / "_bad.py").write_text("from altinn_analysis.report import InstitutionReport\n")
    (copy / "impact" / "_bad.py").write_text("from altinn_analysis.inventory._schema import TABLES\n")
    (copy / "cli" / "_bad.py").write_text("from altinn_analysis.cli._report import report\n")
    (copy / "stray.py").write_text("")
    monkeypatch.setattr(f"{__name__}.ROOT", tmp_path)
    monkeypatch.setattr(f"{__name__}.PACKAGE", copy)
    rules = "\n".join(rule for _, _, rule in violations())
    assert "altinn_analysis.catalogue._bad:1: catalogue may not import report (upward)" in rules
    assert "altinn_analysis.impact._bad:1: private module altinn_analysis.inventory._schema" in rules
    assert "altinn_analysis.cli._bad:1: cli command modules share code via cli._common" in rules
    assert "stray is in no layer" in rules
