"""The house as the docs describe it is the house as it is: `docs/architecture.md` and README's Layout section name
only paths, modules and names that exist, list the layers `test_layers.py` enforces, and describe every package and
test marker. A file moved or renamed without its description fails here."""

from __future__ import annotations

import importlib
import re
import tomllib
from pathlib import Path

from test_layers import LAYERS

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "altinn_analysis"
ARCHITECTURE = ROOT / "docs" / "architecture.md"
README = ROOT / "README.md"
RUNTIME = {"workspace/", "reports/"}  # made by running the workbench, not in git

CODE = re.compile(r"`([^`\n]+)`")
PATH_LIKE = re.compile(r"^\.?[\w.-]+(/[\w.<>*-]*)*$")


def _doc() -> str:
    return ARCHITECTURE.read_text(encoding="utf-8")


def _layout() -> str:
    text = README.read_text(encoding="utf-8")
    match = re.search(r"^## Layout\n(.*?)(?=^## |\Z)", text, re.M | re.S)
    assert match, "README has no Layout section"
    return match.group(1)


def _is_path(token: str) -> bool:
    return (
        PATH_LIKE.match(token) is not None
        and ("/" in token or token.endswith((".py", ".md", ".toml", ".ipynb")))
        and not token.startswith(("http", "--"))
    )


def _exists(token: str, *bases: Path) -> bool:
    """A path relative to one of `bases` (a glob when it has `*`); `<placeholder>` parts are not checked."""
    token = token.split("<", 1)[0].rstrip("/_") if "<" in token else token.rstrip("/")
    for base in bases:
        if "*" in token:
            if any(base.glob(token)):
                return True
        elif (base / token).exists():
            return True
    return False


def _package_bullets(text: str) -> list[tuple[Path, str]]:
    """(package folder, text) for each `- **`altinn_analysis/pkg/`**` bullet: its bare file names are in pkg."""
    bullets = re.split(r"^(?=- \*\*`)", text, flags=re.M)
    out = []
    for bullet in bullets:
        if match := re.match(r"- \*\*`(altinn_analysis/[\w/]+/)`\*\*", bullet):
            out.append((ROOT / match.group(1), bullet.split("\n\n")[0]))
    return out


def test_every_path_in_the_architecture_doc_exists() -> None:
    text = _doc()
    bullets = _package_bullets(text)
    rest = text
    for _, bullet in bullets:  # their bare file names are checked against their package below
        rest = rest.replace(bullet, "")
    missing = []
    for token in CODE.findall(rest):
        if _is_path(token) and not _exists(token, ROOT, PACKAGE, ROOT / "docs") and token not in RUNTIME:
            missing.append(token)
    for folder, bullet in bullets:
        for token in CODE.findall(bullet):
            if _is_path(token) and not _exists(token, folder, ROOT, PACKAGE):
                missing.append(f"{token} (in {folder.relative_to(ROOT)})")
    assert not missing, f"docs/architecture.md names paths that do not exist: {sorted(set(missing))}"


def test_every_link_in_the_architecture_doc_resolves() -> None:
    links = re.findall(r"\]\(([^)#]+)\)", _doc())
    assert links
    missing = [link for link in links if not (ARCHITECTURE.parent / link).exists()]
    assert not missing, missing


def test_every_dotted_name_in_the_architecture_doc_exists() -> None:
    """`sources.ReplayWriter`, `checks.Problem`, `impact.assess`: the module and the name in it."""
    tops = {p.stem for p in PACKAGE.iterdir() if p.suffix == ".py" or (p / "__init__.py").exists()} - {"__init__"}
    checked, missing = 0, []
    for token in CODE.findall(_doc()):
        parts = token.split(".")
        if len(parts) < 2 or parts[0] not in tops or not all(p.isidentifier() for p in parts):
            continue
        checked += 1
        for cut in range(len(parts), 0, -1):
            try:
                obj = importlib.import_module(".".join(["altinn_analysis", *parts[:cut]]))
            except ModuleNotFoundError:
                continue
            try:
                for name in parts[cut:]:
                    obj = getattr(obj, name)
            except AttributeError:
                missing.append(token)
            break
    assert checked >= 3
    assert not missing, f"docs/architecture.md names what does not exist: {missing}"


def test_the_layers_table_is_the_enforced_one() -> None:
    rows = re.findall(r"^\| (\d+) \| ([^|]+) \|", _doc(), re.M)
    documented = [set(CODE.findall(names)) for _, names in rows]
    assert documented == LAYERS, "the layers table in docs/architecture.md differs from tests/test_layers.py LAYERS"


def test_every_package_is_described() -> None:
    text = _doc()
    for package in sorted(p for p in PACKAGE.iterdir() if (p / "__init__.py").exists()):
        assert f"**`altinn_analysis/{package.name}/`**" in text, f"{package.name} has no bullet in docs/architecture.md"


def test_every_test_marker_is_described() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    markers = [m.split(":")[0].split("(")[0] for m in config["tool"]["pytest"]["ini_options"]["markers"]]
    assert "slow" in markers
    text = _doc()
    for marker in markers:
        assert f"| `{marker}` |" in text, f"marker {marker} is not in the markers table of docs/architecture.md"


def test_readme_layout_names_only_what_exists() -> None:
    layout = _layout()
    assert "docs/architecture.md" in layout
    missing = [t for t in CODE.findall(layout) if _is_path(t) and not _exists(t, ROOT, PACKAGE) and t not in RUNTIME]
    tree = re.search(r"```\n(.*?)```", layout, re.S)
    assert tree, "README's Layout section has no tree"
    entry: Path | None = None
    for line in tree.group(1).splitlines():
        if match := re.match(r"^( *)(\S+)\s{2,}(.*)$", line):
            indent, name, described = match.groups()
            entry = (PACKAGE if indent else ROOT) / name.rstrip("/")
            if name in RUNTIME:
                entry = None
                continue
            if not entry.exists():
                missing.append(name)
        elif entry is not None:
            described = line.strip()
        else:
            continue
        if entry is None:
            continue
        # Private modules named in a package's line (`_rules`, `_dsop_schema`), and files or folders under it.
        for module in re.findall(r"(?<![\w<])(_[A-Za-z0-9_]+)(?![\w<>])", described):
            if entry.is_dir() and not ((entry / f"{module}.py").exists() or (entry / module).is_dir()):
                missing.append(f"{entry.relative_to(ROOT)}/{module}")
        for word in re.findall(r"(?<![\w/])([\w.-]+(?:/|\.py|\.md))(?=[\s,;)]|$)", described):
            if word not in RUNTIME and not _exists(word, entry if entry.is_dir() else entry.parent, ROOT):
                missing.append(f"{entry.relative_to(ROOT)}: {word}")
    assert not missing, f"README's Layout names what does not exist: {sorted(set(missing))}"
