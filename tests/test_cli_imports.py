"""A command imports only what it uses: `assess` and `validate` make no HTTP call, draw no chart and start no kernel,
so the HTTP, token, chart, notebook and cluster libraries stay unloaded (the start-up time is measured by
benchmarks/bench_cli.py, not here)."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CSV_INSTITUTION = ROOT / "data" / "institutions" / "310426172"

# Never needed by assess/validate of a CSV inventory.
UNUSED = [
    "httpx",
    "pygments",
    "jwt",
    "cryptography",
    "plotly",
    "pandas",
    "pyarrow",
    "openpyxl",
    "papermill",
    "nbformat",
    "nbconvert",
    "jupyter_client",
    "distributed",
    "rich",  # the table is plain aligned text (cli._common.render_table)
    "pydantic",  # typer's coercion; the CLI converts its simple values itself (cli/_coerce.py)
    "altinn_analysis.sources._client",
    "altinn_analysis.sources._maskinporten",
    "altinn_analysis.sources._maskinporten_key",
    "altinn_analysis.sources._consents",
    "altinn_analysis.catalogue._refresh",
    "altinn_analysis.report",
    "altinn_analysis.synthetic",
]

PROBE = """
import contextlib, io, json, sys
from altinn_analysis.cli import main
sys.argv = ["altinn-analysis", *json.loads(sys.argv[1])]
out = io.StringIO()
with contextlib.redirect_stdout(out):
    try:
        main()
    except SystemExit as exc:
        code = exc.code
print(json.dumps({"code": code, "modules": sorted(sys.modules), "out": out.getvalue()}))
"""


def loaded(*argv: str) -> tuple[int, set[str], str]:
    """Run the CLI in a fresh interpreter; its exit code, every module it imported, and its output."""
    done = subprocess.run(
        [sys.executable, "-c", PROBE, json.dumps(argv)], capture_output=True, text=True, check=True, cwd=ROOT
    )
    result = json.loads(done.stdout.strip().splitlines()[-1])
    return result["code"], set(result["modules"]), result["out"]


@pytest.mark.parametrize(
    "argv",
    [
        ["assess", str(CSV_INSTITUTION), "--as-of", "2026-11-28"],
        ["assess", str(CSV_INSTITUTION), "--as-of", "2026-11-28", "--format", "json"],
        ["validate", str(CSV_INSTITUTION)],
    ],
    ids=["assess-table", "assess-json", "validate"],
)
def test_commands_import_only_what_they_use(argv: list[str]) -> None:
    code, modules, out = loaded(*argv)
    assert code in (0, None), out
    assert out.strip(), "the command produced its output"
    assert "polars" in modules, "the probe saw the command's own imports"
    unexpected = [name for name in UNUSED if name in modules]
    assert not unexpected, f"{argv[0]} imported modules it does not use: {unexpected}"


# Never needed by a re-run of `report --all` with nothing changed: fingerprints decide, no kernel starts, nothing is
# exported or scanned (rich draws the command's progress bar).
RERUN_UNUSED = [
    *(name for name in UNUSED if name not in ("altinn_analysis.report", "rich")),
    "zmq",
    "tornado",
    "polars",  # the plan hashes files; no table is read
    "altinn_analysis.impact",
    "altinn_analysis.report._institution",
    "altinn_analysis.report.figures",
]


def _previous_run(out: Path, as_of: str) -> None:
    """A run folder as `report --all` leaves it, made from the plan's own fingerprints (no kernel needed)."""
    from altinn_analysis.catalogue import default_dsop_dir, default_reference_dir
    from altinn_analysis.report._plan import (
        OUTPUTS,
        discover_institutions,
        fingerprint,
        inventory_inputs,
        sector_fingerprint,
        shared_inputs,
    )

    run_dir = out / as_of
    notebooks = ROOT / "notebooks"
    shared = shared_inputs(
        reference_dir=default_reference_dir(),
        dsop_dir=default_dsop_dir(),
        notebook=notebooks / "institution_report.ipynb",
        as_of=as_of,
        language="nb",
    )
    institutions: dict[str, dict[str, object]] = {}
    for org, folder in discover_institutions(CSV_INSTITUTION.parent).folders.items():
        inputs = {**shared, "inventory": fingerprint(inventory_inputs(folder))}
        institutions[org] = {"org_number": org, "status": "ok", "fingerprint": fingerprint(inputs), "inputs": inputs}
        (run_dir / org).mkdir(parents=True)
        for name in OUTPUTS:
            (run_dir / org / name).write_bytes(b"")
    listed = {org: str(entry["fingerprint"]) for org, entry in institutions.items()}
    sector = {"status": "ok", "fingerprint": sector_fingerprint(notebooks / "sector_overview.ipynb", shared, listed)}
    (run_dir / "index.html").write_text("<html></html>", encoding="utf-8")
    record = {"as_of": as_of, "language": "nb", "institutions": institutions, "sector": sector}
    (run_dir / "run.json").write_text(json.dumps(record), encoding="utf-8")


def test_an_unchanged_rerun_starts_no_kernel_and_imports_no_notebook_stack(tmp_path: Path) -> None:
    _previous_run(tmp_path, "2026-11-28")
    code, modules, out = loaded("report", "--all", "--as-of", "2026-11-28", "--out", str(tmp_path), "--workers", "1")
    assert code in (0, None), out
    count = len(json.loads((tmp_path / "2026-11-28" / "run.json").read_text(encoding="utf-8"))["institutions"])
    assert f"0 built, {count} unchanged, 0 failed, 0 invalid" in out and "sector page unchanged" in out, out
    assert "altinn_analysis.report._plan" in modules, "the probe saw the command's own imports"
    unexpected = [name for name in RERUN_UNUSED if name in modules]
    assert not unexpected, f"the re-run imported modules it does not use: {unexpected}"


def test_package_exports_load_on_first_use() -> None:
    probe = (
        "import sys, altinn_analysis.sources as s, altinn_analysis.report as r\n"
        "before = {'httpx' in sys.modules, 'plotly' in sys.modules}\n"
        "s.read_snapshot; r.ReportParameters\n"
        "middle = 'httpx' in sys.modules\n"
        "s.AltinnClient\n"  # the name that does need httpx loads it
        "print(before, middle, 'httpx' in sys.modules, sorted(set(dir(s)) & {'AltinnClient', 'read_snapshot'}))"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "{False} False True ['AltinnClient', 'read_snapshot']"
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        import altinn_analysis.inventory as inventory

        _ = inventory.nope


# The packages that serve their exports lazily (cli has none: it is the command itself).
PACKAGES = sorted(
    p.parent for p in (ROOT / "altinn_analysis").glob("*/__init__.py") if "lazy_exports(" in p.read_text("utf-8")
)


@pytest.mark.parametrize("folder", PACKAGES, ids=lambda p: p.name)
def test_all_lists_exactly_the_lazy_exports(folder: Path) -> None:
    """A package's `__all__` names exactly what its `if TYPE_CHECKING:` block imports (what it serves lazily)."""
    tree = ast.parse((folder / "__init__.py").read_text(encoding="utf-8"))
    exported: set[str] = set()
    listed: list[str] = []
    for node in tree.body:
        if isinstance(node, ast.If) and isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING":
            for stmt in node.body:
                if isinstance(stmt, ast.ImportFrom):
                    exported |= {alias.asname or alias.name for alias in stmt.names}
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "__all__" for t in node.targets):
            listed = list(ast.literal_eval(node.value))
    assert exported, "no TYPE_CHECKING exports found"
    assert len(listed) == len(set(listed)), "a name is listed twice"
    assert set(listed) == exported
