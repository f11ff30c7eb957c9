"""The notebooks as files: no outputs, a tagged parameters cell, no secrets, every parameter documented."""

from __future__ import annotations

import ast
import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
DOCS = (ROOT / "docs" / "notebooks.md").read_text(encoding="utf-8")
EXPECTED = {
    "institution_report.ipynb": ["org_number", "as_of", "inventory_dir", "reference_dir", "language", "output_dir"],
    "sector_overview.ipynb": ["as_of", "inventory_dir", "reference_dir", "language", "report_links", "findings_dir"],
    "explore_catalogue.ipynb": ["reference_dir", "org_form", "role", "service"],
    "pull_and_compare.ipynb": ["org_number", "inventory_dir", "language"],
}


def load(path: Path) -> dict:  # type: ignore[type-arg]
    return json.loads(path.read_text(encoding="utf-8"))


def parameters(nb: dict) -> dict[str, object]:  # type: ignore[type-arg]
    cells = [c for c in nb["cells"] if "parameters" in c.get("metadata", {}).get("tags", [])]
    assert len(cells) == 1, "exactly one cell tagged 'parameters'"
    tree = ast.parse("".join(cells[0]["source"]))
    return {node.targets[0].id: ast.literal_eval(node.value) for node in tree.body if isinstance(node, ast.Assign)}  # type: ignore[attr-defined]


def test_the_notebooks_exist() -> None:
    assert sorted(p.name for p in NOTEBOOKS) == sorted(EXPECTED)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_committed_without_outputs(path: Path) -> None:
    for cell in load(path)["cells"]:
        if cell["cell_type"] == "code":
            assert cell.get("outputs") == [] and cell.get("execution_count") is None, f"{path.name}: strip outputs"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_parameters_are_the_documented_ones(path: Path) -> None:
    params = parameters(load(path))
    assert list(params) == EXPECTED[path.name]
    section = DOCS.split(f"## `{path.name}`")[1].split("\n## ")[0]
    for name in params:
        assert f"| `{name}` |" in section, f"{path.name}: parameter {name} is not documented in docs/notebooks.md"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_no_secret_in_parameters(path: Path) -> None:
    from altinn_analysis.secret_guard import check_parameters

    check_parameters(parameters(load(path)))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_uses_the_project_kernel(path: Path) -> None:
    assert load(path)["metadata"]["kernelspec"]["name"] == "altinn-analysis"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebooks_stay_thin(path: Path) -> None:
    """No business logic in notebooks: short code cells that call the package."""
    for cell in load(path)["cells"]:
        if cell["cell_type"] == "code":
            source = "".join(cell["source"])
            assert len(source.splitlines()) <= 12, f"{path.name}: a code cell grew long; move the logic to the package"
            assert "def " not in source and "class " not in source
