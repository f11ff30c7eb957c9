"""The runner's pure parts, without a kernel: folder discovery, fingerprints, the plan, parameters, publishing
checks, and the run record. Fast; the kernel-backed behaviour is in test_runner.py."""

from __future__ import annotations

import hashlib
import json
import shutil
import tracemalloc
from datetime import date
from pathlib import Path
from types import SimpleNamespace

import pytest
from inventory_support import SYNTHETIC_FNR
from typer.testing import CliRunner

from altinn_analysis.cli import app
from altinn_analysis.report import _plan
from altinn_analysis.report._params import (
    PARAMETER_NAMES,
    SECTOR_PARAMETER_NAMES,
    ReportParameterError,
    ReportParameters,
    check_report_parameters,
)
from altinn_analysis.report._plan import (
    OUTPUTS,
    discover_institutions,
    file_sha256,
    fingerprint,
    inventory_files,
    make_plan,
    safe_org_label,
    sector_fingerprint,
)
from altinn_analysis.report._publish import error_details, scan_outputs, write_run_record
from altinn_analysis.report._runner import InstitutionResult, RunOptions, run_folder
from altinn_analysis.secret_guard import SecretParameterError

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "data" / "institutions"
GOOD, OTHER = "312450380", "317901461"
AS_OF = date(2026, 11, 28)
# A JWT-shaped value built here (header.payload.signature, base64url), never a real token.
JWT = ".".join(
    [
        "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9",
        "eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkV4YW1wbGUifQ",
        "c2lnbmF0dXJlLXRoYXQtaXMtbG9uZy1lbm91Z2g",
    ]
)


def code_cell(source: str, tags: list[str] | None = None) -> dict[str, object]:
    return {"cell_type": "code", "source": source, "metadata": {"tags": tags or []}, "outputs": []}


def parameters_cell(notebook: str) -> list[str]:
    nb = json.loads((ROOT / "notebooks" / notebook).read_text(encoding="utf-8"))
    cell = next(c for c in nb["cells"] if "parameters" in c["metadata"].get("tags", []))
    return [line.split("=")[0].strip() for line in "".join(cell["source"]).splitlines() if "=" in line]


# -- discovery ----------------------------------------------------------------------------------------------


def test_only_folders_named_by_valid_org_numbers_are_institutions(tmp_path: Path) -> None:
    shutil.copytree(DEMO / GOOD, tmp_path / GOOD)
    shutil.copytree(DEMO / OTHER, tmp_path / SYNTHETIC_FNR)  # named like a national identity number
    shutil.copytree(DEMO / OTHER, tmp_path / "312450381")  # 9 digits, wrong check digit
    shutil.copytree(DEMO / OTHER, tmp_path / "Sparebank Vest")
    (tmp_path / "317901461").mkdir()  # no profile.yaml
    (tmp_path / "README.md").write_text("notes", encoding="utf-8")
    (tmp_path / "310426172").symlink_to(tmp_path / GOOD)  # a valid name, but a link
    found = discover_institutions(tmp_path)
    assert list(found.folders) == [GOOD]
    assert len(found.skipped) == 5
    text = "\n".join(found.skipped)
    assert SYNTHETIC_FNR not in text and "national identity number" in text
    assert "symbolic link" in text and "no profile.yaml" in text and "'Sparebank Vest'" in text


def test_the_sector_page_and_the_runner_share_the_discovery(tmp_path: Path) -> None:
    from altinn_analysis.report import institution_dirs

    shutil.copytree(DEMO / GOOD, tmp_path / GOOD)
    shutil.copytree(DEMO / OTHER, tmp_path / SYNTHETIC_FNR)
    assert institution_dirs(tmp_path) == [tmp_path / GOOD]
    with pytest.raises(ReportParameterError, match="no such folder"):
        discover_institutions(tmp_path / "missing")


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (GOOD, GOOD),
        (SYNTHETIC_FNR, "national identity number"),
        (f"x{SYNTHETIC_FNR}y", "national identity number"),
        ("abc", "'abc'"),
        ("[/bold]" * 20, "140 characters"),
    ],
)
def test_safe_org_label_never_repeats_an_identity_number(value: str, shown: str) -> None:
    label = safe_org_label(value)
    assert shown in label
    assert SYNTHETIC_FNR not in label


# -- fingerprints -------------------------------------------------------------------------------------------


def test_fingerprints_read_only_the_files_the_inventory_reads(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / GOOD
    shutil.copytree(DEMO / GOOD, folder)
    with (folder / "dump.bin").open("wb") as fh:  # a big unrelated file (sparse: no disk used)
        fh.truncate(3 * 1024**3)
    (folder / "notes.csv").write_text("not a table\n", encoding="utf-8")
    (folder / "~$consents.xlsx").write_bytes(b"lock file")
    read: list[str] = []
    real = _plan.file_sha256

    def recording(path: Path) -> str:
        read.append(path.name)
        return real(path)

    monkeypatch.setattr(_plan, "file_sha256", recording)
    inputs = _plan.inventory_inputs(folder)
    assert sorted(read) == sorted(inputs) == sorted(p.name for p in inventory_files(DEMO / GOOD))
    assert "profile.yaml" in inputs and "dump.bin" not in inputs and "notes.csv" not in inputs


def test_a_symlinked_table_is_never_read_for_the_fingerprint(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / GOOD
    shutil.copytree(DEMO / GOOD, folder)
    secret = tmp_path / "key.pem"
    secret.write_text("-----BEGIN PRIVATE KEY-----\n", encoding="utf-8")
    table = next(p for p in folder.iterdir() if p.stem == "consents")
    table.unlink()
    (folder / "consents.csv").symlink_to(secret)
    read: list[str] = []
    real = _plan.file_sha256
    monkeypatch.setattr(_plan, "file_sha256", lambda p: read.append(Path(p).name) or real(p))
    inputs = _plan.inventory_inputs(folder)
    # The loader refuses the link (the institution is invalid); the fingerprint never follows it.
    assert "consents.csv" not in inputs and "consents.csv" not in read and "key.pem" not in read


def test_file_hash_is_streamed(tmp_path: Path) -> None:
    big = tmp_path / "big.csv"
    with big.open("wb") as fh:
        fh.truncate(64 * 1024**2)
    tracemalloc.start()
    digest = file_sha256(big)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert digest == hashlib.sha256(bytes(64 * 1024**2)).hexdigest()
    assert peak < 8 * 1024**2, f"peak {peak} bytes: the file was read whole"


def shared() -> dict[str, str]:
    return {"snapshot": "s", "dsop": "d", "notebook": "n", "tool_version": "v", "as_of": "2026-11-28", "language": "nb"}


def publish_outputs(run_dir: Path, org: str) -> None:
    (run_dir / org).mkdir(parents=True)
    for name in OUTPUTS:
        (run_dir / org / name).write_text("x", encoding="utf-8")


def test_the_plan_keeps_unchanged_reports_and_rebuilds_changed_ones(tmp_path: Path) -> None:
    inv = tmp_path / "inv"
    for org in (GOOD, OTHER):
        shutil.copytree(DEMO / org, inv / org)
    available = discover_institutions(inv).folders
    run_dir = tmp_path / "run"
    first = make_plan([GOOD, OTHER], available, shared(), {}, run_dir)
    assert sorted(first.build) == [GOOD, OTHER] and not first.unchanged
    for org in (GOOD, OTHER):
        publish_outputs(run_dir, org)
    previous = {
        "institutions": {org: {"fingerprint": fingerprint(first.build[org]), "status": "ok"} for org in first.build}
    }
    assert sorted(make_plan([GOOD, OTHER], available, shared(), previous, run_dir).unchanged) == [GOOD, OTHER]
    failed_last_time = {
        "institutions": {**previous["institutions"], GOOD: {**previous["institutions"][GOOD], "status": "failed"}}
    }
    assert list(make_plan([GOOD, OTHER], available, shared(), failed_last_time, run_dir).build) == [GOOD]
    assert sorted(make_plan([GOOD, OTHER], available, shared(), previous, run_dir, force=True).build) == [GOOD, OTHER]
    with (inv / GOOD / "profile.yaml").open("a", encoding="utf-8") as fh:
        fh.write("\n# edited\n")
    (run_dir / OTHER / "actions.xlsx").unlink()  # incomplete outputs are rebuilt too
    again = make_plan([GOOD, OTHER], available, shared(), previous, run_dir)
    assert sorted(again.build) == [GOOD, OTHER]
    changed = make_plan([GOOD], available, {**shared(), "language": "en"}, previous, run_dir)
    assert list(changed.build) == [GOOD]
    missing = make_plan(["310426172", SYNTHETIC_FNR], available, shared(), previous, run_dir)
    assert missing.missing[0] == "310426172" and SYNTHETIC_FNR not in "".join(missing.missing)


def test_sector_fingerprint_follows_the_listed_reports() -> None:
    nb = ROOT / "notebooks" / "sector_overview.ipynb"
    a = sector_fingerprint(nb, shared(), {GOOD: "1"})
    assert a == sector_fingerprint(nb, shared(), {GOOD: "1"})
    assert a != sector_fingerprint(nb, shared(), {GOOD: "2"})
    assert a != sector_fingerprint(nb, shared(), {GOOD: "1", OTHER: "1"})


# -- parameters ---------------------------------------------------------------------------------------------


def test_the_parameter_names_are_the_notebooks_parameters() -> None:
    assert parameters_cell("institution_report.ipynb") == list(PARAMETER_NAMES)
    assert parameters_cell("sector_overview.ipynb") == list(SECTOR_PARAMETER_NAMES)
    params = ReportParameters.parse(as_of="2026-11-28", inventory_dir=DEMO).for_institution(GOOD, None)
    assert list(params.notebook()) == list(PARAMETER_NAMES)
    assert list(params.sector_notebook(DEMO)) == list(SECTOR_PARAMETER_NAMES)


def test_parameters_are_parsed_once_and_the_notebook_gets_them_unchanged(tmp_path: Path) -> None:
    params = ReportParameters.parse(as_of="today", inventory_dir=DEMO, language="en")
    assert params.as_of == date.today() and params.language == "en" and params.org_number == ""
    values = params.for_institution(GOOD, tmp_path).notebook()
    assert values["as_of"] == date.today().isoformat() and values["output_dir"] == str(tmp_path.resolve())
    again = check_report_parameters(**values)  # what the notebook does with them
    assert (again.org_number, again.as_of, again.language) == (GOOD, params.as_of, "en")
    assert again.inventory_dir == (DEMO / GOOD).resolve()
    for bad in ({"language": "de"}, {"as_of": "28.11.2026"}):
        with pytest.raises(ReportParameterError):
            ReportParameters.parse(inventory_dir=DEMO, **bad)  # type: ignore[arg-type]
    with pytest.raises(ReportParameterError) as caught:
        params.for_institution(SYNTHETIC_FNR, None)
    assert SYNTHETIC_FNR not in str(caught.value)


def test_a_secret_never_becomes_a_notebook_parameter(tmp_path: Path) -> None:
    params = ReportParameters.parse(as_of="2026-11-28", inventory_dir=tmp_path / JWT)
    with pytest.raises(SecretParameterError):
        params.for_institution(GOOD, None).notebook()


def test_run_options_validate_once_and_each_language_has_its_own_folder(tmp_path: Path) -> None:
    opts = RunOptions(out_root=tmp_path, as_of="2026-11-28", inventory_dir=DEMO, language="en")  # type: ignore[arg-type]
    assert opts.as_of == AS_OF and opts.parameters.language == "en"
    assert run_folder(tmp_path, AS_OF, "nb") == tmp_path / "2026-11-28"
    assert run_folder(tmp_path, AS_OF, "en") == tmp_path / "2026-11-28-en"
    with pytest.raises(ReportParameterError):
        RunOptions(out_root=tmp_path, as_of=AS_OF, inventory_dir=DEMO, language="fr")


# -- publishing -----------------------------------------------------------------------------------------------


def test_failing_cell_index_counts_source_cells(tmp_path: Path) -> None:
    """papermill adds an error message at the top and an anchor before the failing cell: neither counts."""
    error_cell = {"cell_type": "markdown", "source": "", "metadata": {"tags": ["papermill-error-cell-tag"]}}
    failing = code_cell("report = build()")
    failing["outputs"] = [{"output_type": "error", "ename": "ValueError", "evalue": "x", "traceback": []}]
    executed = [
        error_cell,
        {"cell_type": "markdown", "source": "# title", "metadata": {"tags": ["remove_cell"]}},
        code_cell("org_number = ''", ["parameters"]),
        code_cell("org_number = '1'", ["injected-parameters"]),
        error_cell,
        failing,
    ]
    nb_path = tmp_path / "report.ipynb"
    nb_path.write_text(json.dumps({"cells": executed}), encoding="utf-8")
    exc = SimpleNamespace(cell_index=3, source="report = build()", ename="ValueError", evalue="x")
    details = error_details(exc, nb_path)  # type: ignore[arg-type]
    assert details["cell_index"] == 2  # the first code cell after the parameters, as in the source notebook
    assert details["executed_cell_index"] == 3
    no_index = error_details(RuntimeError("boom"), nb_path)  # found from the outputs instead
    assert no_index["cell_index"] == 2


def test_the_output_scan_names_the_kind_and_the_file_never_the_value(tmp_path: Path) -> None:
    (tmp_path / "report.html").write_text(f"<p>integration {JWT}</p>", encoding="utf-8")
    (tmp_path / "clean.html").write_text("<p>nothing here 312450380</p>", encoding="utf-8")
    hits = scan_outputs(tmp_path)
    assert hits == ["jwt in report.html"]


def test_run_record_keeps_only_institutions_that_exist(tmp_path: Path) -> None:
    opts = RunOptions(out_root=tmp_path, as_of=AS_OF, inventory_dir=DEMO)
    previous = {"institutions": {OTHER: {"status": "ok"}, "999999999": {"status": "invalid"}, "abc": {}}}
    results = {GOOD: InstitutionResult(GOOD, "ok")}
    write_run_record(tmp_path, opts, results, previous, {GOOD, OTHER}, {"status": "ok"}, 1.0)
    record = json.loads((tmp_path / "run.json").read_text(encoding="utf-8"))
    assert sorted(record["institutions"]) == [GOOD, OTHER]


# -- the command line -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("value", [SYNTHETIC_FNR, "123", "312450381", "[/bold]x"])
def test_org_arguments_are_checked_before_they_are_printed_or_stored(tmp_path: Path, value: str) -> None:
    result = CliRunner().invoke(
        app, ["report", "--org", value, "--as-of", "2026-11-28", "--out", str(tmp_path), "--inventory-dir", str(DEMO)]
    )
    assert result.exit_code == 2, result.output
    assert "not a valid organisation number" in result.output
    assert SYNTHETIC_FNR not in result.output
    assert not list(tmp_path.iterdir())  # nothing written, no run.json


def test_a_run_folder_holds_one_language(tmp_path: Path) -> None:
    from altinn_analysis.report._runner import run_reports

    run_dir = tmp_path / "2026-11-28"
    run_dir.mkdir()
    (run_dir / "run.json").write_text(json.dumps({"language": "en"}), encoding="utf-8")
    with pytest.raises(ReportParameterError, match="one language"):
        run_reports(RunOptions(out_root=tmp_path, as_of=AS_OF, inventory_dir=DEMO, language="nb"), [GOOD])


def test_the_run_summary_prints_inventory_text_without_markup(tmp_path: Path) -> None:
    import io

    from rich.console import Console

    from altinn_analysis.cli._report import _print_summary
    from altinn_analysis.report._runner import RunResult

    bad = InstitutionResult(GOOD, "invalid", error={"message": "name '[/bold]' [red]x[/red] is not valid"})
    result = RunResult(tmp_path, {GOOD: bad}, {"status": "ok"}, 1.0, ["'123'"], ["'notes': not named by ..."])
    buffer = io.StringIO()
    _print_summary(result, Console(file=buffer, width=200))
    text = buffer.getvalue()
    assert "name '[/bold]' [red]x[/red] is not valid" in text
    assert "'123': no inventory folder" in text and "skipped folder 'notes'" in text
