"""Shared test helpers, defined once: the CLI runner, the catalogues, a trimmed replay of Altinn's API and a snapshot
made from it, the Hypothesis profile and the test layers (`make check` runs `-m "not slow"`)."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import NamedTuple

import pytest
from hypothesis import HealthCheck, Phase, settings
from replay_fixture import VARIANTS, write_replay

from altinn_analysis.catalogue import Catalogue, DsopCatalogue, load_dsop, refresh

ROOT = Path(__file__).resolve().parents[1]
DEMO_DIR = ROOT / "data" / "institutions"

# -- Hypothesis: the same examples on every run, so no property test can go red at random -----------------------
# `ci` (the default, used by `make check` and `make test`) is derandomised: the examples come from the test's own
# source, not a clock, and no example database carries failures from one run to the next. `explore` is for hunting
# new counterexamples by hand: HYPOTHESIS_PROFILE=explore .venv/bin/pytest tests/test_secrets.py
settings.register_profile(
    "ci",
    derandomize=True,
    database=None,
    deadline=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile(
    "explore",
    max_examples=1000,
    deadline=None,
    phases=list(Phase),
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

# -- layers: kernel, browser and notebook tests are slow ---------------------------------------------------------
HEAVY_MARKERS = ("kernel", "browser", "notebook")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if any(item.get_closest_marker(name) for name in HEAVY_MARKERS) and not item.get_closest_marker("slow"):
            item.add_marker(pytest.mark.slow)


@pytest.fixture(autouse=True, scope="session")
def _no_kernels_in_the_fast_loop() -> Iterator[None]:
    """Under `make check` (ALTINN_ANALYSIS_FAST_TESTS=1) a test that starts a Jupyter kernel fails and says how to
    mark it, instead of quietly making the fast loop slow."""
    if os.environ.get("ALTINN_ANALYSIS_FAST_TESTS") != "1":
        yield
        return
    from jupyter_client.manager import KernelManager

    async def refuse(self: object, *args: object, **kwargs: object) -> None:
        raise RuntimeError("this test starts a Jupyter kernel: mark it @pytest.mark.kernel (it then runs in make test)")

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(KernelManager, "_async_launch_kernel", refuse)
        yield


# -- the command line --------------------------------------------------------------------------------------------


class CliResult(NamedTuple):
    code: int
    out: str
    err: str


Cli = Callable[..., CliResult]


@pytest.fixture(scope="session")
def cli() -> Cli:
    """`cli("assess", path, "--as-of", "2026-11-28")` runs `altinn-analysis` in-process: (exit code, stdout, stderr).

    `env=` adds environment variables for that call only (e.g. ALTINN_ANALYSIS_INVENTORY_DIR)."""
    from typer.testing import CliRunner

    from altinn_analysis.cli import app

    runner = CliRunner()

    def run(*args: str | Path, env: dict[str, str] | None = None) -> CliResult:
        result = runner.invoke(app, [str(a) for a in args], env=env)
        return CliResult(result.exit_code, result.stdout, result.stderr)

    return run


# -- catalogues --------------------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def embedded() -> Catalogue:
    """The committed snapshot in data/reference/."""
    return Catalogue.load()


@pytest.fixture(scope="session")
def catalogue(embedded: Catalogue) -> Catalogue:
    """The committed snapshot (the name most tests use)."""
    return embedded


@pytest.fixture(scope="session")
def dsop() -> DsopCatalogue:
    """The project's DSOP catalogue in data/dsop/."""
    return load_dsop()


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


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden",
        action="store_true",
        help="rewrite the golden files under tests/golden/ from the current code (review the diff before committing)",
    )


@pytest.fixture(scope="session")
def update_golden(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-golden"))


# -- the pull tests: one demo institution (Trollvann) and the replay generated from its inventory --------------

PULL_ORG = "316537200"


@pytest.fixture(scope="module")
def pull_replay(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A complete pull of the demo institution, recorded in the replay format (generated, not copied)."""
    from altinn_analysis.demo_replay import write_demo_replay

    return write_demo_replay(ROOT / "data" / "institutions" / PULL_ORG, tmp_path_factory.mktemp("replay") / PULL_ORG)


@pytest.fixture
def pull_workspace(tmp_path: Path) -> Path:
    """A copy of the demo institution's inventory folder to pull into."""
    shutil.copytree(ROOT / "data" / "institutions" / PULL_ORG, tmp_path / PULL_ORG)
    return tmp_path
