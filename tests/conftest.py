"""Shared fixtures, built in code: a trimmed replay of Altinn's API and a snapshot made from it."""

from __future__ import annotations

from pathlib import Path

import pytest
from replay_fixture import VARIANTS, write_replay

from altinn_analysis.catalogue import Catalogue, refresh


@pytest.fixture(scope="session")
def replay_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_replay(tmp_path_factory.mktemp("replay"))


@pytest.fixture(scope="session")
def fixture_snapshot(tmp_path_factory: pytest.TempPathFactory, replay_dir: Path) -> Path:
    out = tmp_path_factory.mktemp("snapshots") / "reference"
    refresh(out, replay_dir=replay_dir, variants=VARIANTS)
    return out


@pytest.fixture(scope="session")
def fixture_catalogue(fixture_snapshot: Path) -> Catalogue:
    return Catalogue.load(fixture_snapshot)


@pytest.fixture(scope="session")
def embedded() -> Catalogue:
    """The committed snapshot in data/reference/."""
    return Catalogue.load()


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden",
        action="store_true",
        help="rewrite the golden files under tests/golden/ from the current code (review the diff before committing)",
    )


@pytest.fixture(scope="session")
def update_golden(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-golden"))
