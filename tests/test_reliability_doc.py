"""docs/reliability.md and the suite agree: every scenario is proved by a marked test, every marker is listed.

Markers are found by reading the test modules (any `pytest.mark.scenario("id", …)` call), so the check does not
depend on which tests were selected for this run.
"""

from __future__ import annotations

import ast
import re
from collections import defaultdict
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[1]
DOC = ROOT / "docs" / "reliability.md"
TESTS = Path(__file__).parent
STATUSES = ("tested", "planned")
ROW = re.compile(r"^\|\s*`(?P<id>[^`]+)`\s*\|.*\|\s*(?P<status>[a-z]+)\s*\|\s*$")
ID = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)+$")


def doc_scenarios() -> dict[str, str]:
    """Scenario id → status, from the table rows of the doc (duplicates are an error)."""
    found: dict[str, str] = {}
    for number, line in enumerate(DOC.read_text(encoding="utf-8").splitlines(), start=1):
        match = ROW.match(line)
        if not match:
            continue
        sid, status = match["id"], match["status"]
        assert ID.match(sid), f"reliability.md:{number}: scenario id {sid!r} is not lower-case words joined by -"
        assert status in STATUSES, f"reliability.md:{number}: status {status!r} is not one of {STATUSES}"
        assert sid not in found, f"reliability.md:{number}: scenario {sid!r} is listed twice"
        found[sid] = status
    return found


def _is_scenario_marker(node: ast.Call) -> bool:
    func = node.func
    return (
        isinstance(func, ast.Attribute)
        and func.attr == "scenario"
        and isinstance(func.value, ast.Attribute)
        and func.value.attr == "mark"
    )


def marked_tests() -> dict[str, list[str]]:
    """Scenario id → the tests (file::function) that carry its marker."""
    marks: dict[str, list[str]] = defaultdict(list)
    for path in sorted(TESTS.glob("test_*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        owners: dict[int, str] = {}
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                for deco in node.decorator_list:
                    for sub in ast.walk(deco):
                        owners[id(sub)] = node.name
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and _is_scenario_marker(node):
                assert node.args, f"{path.name}:{node.lineno}: pytest.mark.scenario needs a scenario id"
                for arg in node.args:
                    assert isinstance(arg, ast.Constant) and isinstance(arg.value, str), (
                        f"{path.name}:{node.lineno}: scenario ids must be string literals"
                    )
                    marks[arg.value].append(f"{path.name}::{owners.get(id(node), '<module>')}")
    return dict(marks)


SCENARIOS = doc_scenarios()
MARKS = marked_tests()


def test_the_doc_lists_scenarios_of_every_kind() -> None:
    areas = {sid.split("-", 1)[0] for sid in SCENARIOS}
    assert {"http", "mp", "consent", "secrets", "disk", "kernel", "fuzz"} <= areas


def test_every_marker_names_a_listed_scenario() -> None:
    unknown = {sid: tests for sid, tests in MARKS.items() if sid not in SCENARIOS}
    assert not unknown, f"markers for scenarios missing from docs/reliability.md: {unknown}"


@pytest.mark.parametrize("scenario", sorted(SCENARIOS))
def test_scenario_is_proved(scenario: str) -> None:
    tests = MARKS.get(scenario, [])
    if SCENARIOS[scenario] == "planned":
        assert not tests, f"{scenario} has tests now ({tests}): mark it `tested` in docs/reliability.md"
        pytest.skip(f"planned: {scenario}")
    assert tests, f"{scenario} is `tested` in docs/reliability.md but no test is marked scenario({scenario!r})"
