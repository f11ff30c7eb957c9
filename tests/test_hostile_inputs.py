"""Hostile input: bombs built on the fly and validated under a watchdog (time and memory), links and special
files, values that are code, markup, control characters or credentials, and the output-safety layer."""

from __future__ import annotations

import io
import os
import sys
import threading
from pathlib import Path
from types import SimpleNamespace

import polars as pl
import pytest
from hostile_support import (
    PEM_TEXT,
    billion_laughs_yaml,
    inventory_with,
    parquet_dictionary_rows,
    sparse_file,
    validate_bounded,
    xlsx_huge_cell,
    xlsx_many_rows,
)

from altinn_analysis.inventory import (
    Limits,
    inventory_files,
    load_inventory,
    other_files,
    read_table_bytes,
    validate_inventory,
)
from altinn_analysis.inventory._readers import read_profile_bytes  # the package's own tests may use its modules
from altinn_analysis.secret_guard import looks_secret
from altinn_analysis.sources import (
    UnsafeOutputError,
    atomic_path,
    check_outputs,
    console_text,
    neutralise_cell,
    neutralise_frame,
    sha256_file,
    strip_control,
    write_atomic,
)

JWT = (
    "eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiI5MTAwMDAwMDQiLCJzY29wZSI6ImFsdGlubjpjb25zZW50In0."
    "c2lnbmF0dXJlLXNpZ25hdHVyZS1zaWduYXR1cmU"
)


def only_error(result: object, contains: str) -> str:
    errors = result.errors  # type: ignore[attr-defined]
    assert result.killed is None, f"the watchdog stopped validate: {result.killed}"  # type: ignore[attr-defined]
    assert errors and any(contains in e for e in errors), errors
    return "\n".join(errors)


# -- bombs, each under the watchdog -----------------------------------------------------------------------------


@pytest.mark.scenario("hostile-yaml-alias-bomb")
def test_billion_laughs_profile_is_refused_at_once(tmp_path: Path) -> None:
    folder = inventory_with(tmp_path / "inv", {"profile.yaml": billion_laughs_yaml()})
    text = only_error(validate_bounded(folder), "not allowed")
    assert "profile.yaml:2" in text  # the line of the first anchor


@pytest.mark.scenario("hostile-yaml-duplicate-key")
def test_yaml_duplicate_keys_and_aliases_are_refused_with_the_line() -> None:
    from altinn_analysis.inventory import InventoryError

    with pytest.raises(InventoryError) as info:
        read_profile_bytes(b'org_number: "910000004"\nname: A\nname: B\n')
    problem = info.value.problems[0]
    assert problem.row == 3 and "duplicate key 'name' (first on line 2)" in problem.message
    with pytest.raises(InventoryError) as info:
        read_profile_bytes(b"base: &b {x: 1}\nother: *b\n")
    assert info.value.problems[0].row == 1
    deep = ("a:\n" + "".join("  " * i + "- \n" for i in range(1, 40))).encode()
    with pytest.raises(InventoryError, match="yaml_depth"):
        read_profile_bytes(deep, limits=Limits(yaml_depth=10))
    with pytest.raises(InventoryError, match="yaml_bytes"):
        read_profile_bytes(b"name: " + b"x" * 2000, limits=Limits(yaml_bytes=1000))


@pytest.mark.scenario("hostile-xlsx-huge-cell")
def test_xlsx_with_one_huge_inline_string_is_refused_before_parsing(tmp_path: Path) -> None:
    data = xlsx_huge_cell(megabytes=64)
    assert len(data) < 1_000_000
    folder = inventory_with(tmp_path / "inv", {"consents.xlsx": data}, remove=("consents.csv",))
    only_error(validate_bounded(folder), "cell_chars")
    # The zip directory alone refuses it when the unpacked limit is lower.
    with pytest.raises(Exception, match="xlsx_unpacked_bytes"):
        read_table_bytes(data, "consents.xlsx", "consents", Limits(xlsx_unpacked_bytes=10_000_000))


@pytest.mark.scenario("hostile-xlsx-many-rows")
def test_xlsx_with_five_million_rows_is_refused_before_parsing(tmp_path: Path) -> None:
    folder = inventory_with(tmp_path / "inv", {"consents.xlsx": xlsx_many_rows()}, remove=("consents.csv",))
    only_error(validate_bounded(folder), "xlsx_rows")


@pytest.mark.scenario("hostile-parquet-dictionary-rows")
def test_parquet_of_30_million_dictionary_rows_is_refused_from_its_metadata(tmp_path: Path) -> None:
    folder = inventory_with(tmp_path / "inv", remove=("consents.csv",))
    path = parquet_dictionary_rows(folder / "consents.parquet")
    assert path.stat().st_size < 2_000_000
    only_error(validate_bounded(folder), "table_rows")


@pytest.mark.scenario("hostile-cell-hint-bounded")
def test_a_huge_csv_cell_is_refused_before_any_hint(tmp_path: Path) -> None:
    minimal = (Path(__file__).parent / "good_inputs" / "minimal" / "consents.csv").read_bytes()
    header = minimal.splitlines()[0]
    sep = b";" if b";" in header else b","
    row = sep.join([b"altinn2", b"4804:210607", b"a" * 5_000_000, b"2025-01-01", b"2027-01-01", b"1"])
    folder = inventory_with(tmp_path / "inv", {"consents.csv": header + b"\n" + row + b"\n"})
    text = only_error(validate_bounded(folder), "cell_chars")
    assert "consents.csv:2:" in text and "aaaaaaaaaa" not in text


@pytest.mark.scenario("hostile-limits-override")
def test_limits_are_data_and_can_be_raised(tmp_path: Path) -> None:
    assert Limits.from_env({"ALTINN_ANALYSIS_LIMIT_TABLE_ROWS": "50_000_000"}).table_rows == 50_000_000
    assert Limits.parse(["cell_chars=100"], Limits()).cell_chars == 100
    with pytest.raises(ValueError, match="unknown limit"):
        Limits.parse(["rows=1"], Limits())
    with pytest.raises(ValueError, match="positive whole number"):
        Limits.from_env({"ALTINN_ANALYSIS_LIMIT_FILE_BYTES": "lots"})
    folder = inventory_with(tmp_path / "inv")
    assert not [p for p in validate_inventory(folder, known_services=None) if p.is_error]
    low = validate_inventory(folder, known_services=None, limits=Limits(file_bytes=10))
    assert any("file_bytes" in p.message for p in low if p.is_error)


# -- the file system is not trusted -------------------------------------------------------------------------------


@pytest.mark.scenario("hostile-big-unrelated-file")
def test_a_big_unrelated_file_is_neither_read_nor_hashed(tmp_path: Path) -> None:
    folder = inventory_with(tmp_path / "inv")
    sparse_file(folder / "export-2026.bak")
    result = validate_bounded(folder, rss_mib=800)
    assert result.killed is None and not result.errors
    assert any("export-2026.bak" in p and "ignored" in p for p in result.problems)
    assert folder / "export-2026.bak" not in inventory_files(folder)
    assert [p.name for p in other_files(folder)] == ["export-2026.bak"]


@pytest.mark.scenario("hostile-symlink-refused")
def test_a_table_that_is_a_link_to_a_key_outside_is_refused_and_never_echoed(tmp_path: Path) -> None:
    outside = tmp_path / "secret.pem"
    outside.write_text(PEM_TEXT)
    folder = inventory_with(tmp_path / "inv", remove=("delegations.csv",))
    (folder / "delegations.csv").symlink_to(outside)
    problems = validate_inventory(folder, known_services=None)
    text = "\n".join(str(p) for p in problems)
    assert "delegations.csv" in text and "symbolic link" in text
    assert "PRIVATE KEY" not in text and "MIIE" not in text and str(outside) not in text
    assert folder / "delegations.csv" not in inventory_files(folder)
    (folder / "profile.yaml").unlink()
    (folder / "profile.yaml").symlink_to(outside)
    text = "\n".join(str(p) for p in validate_inventory(folder, known_services=None))
    assert "profile.yaml" in text and "symbolic link" in text and "PRIVATE" not in text


def test_a_pull_record_is_read_only_as_a_small_regular_json_object(tmp_path: Path) -> None:
    """`pull.json` is provenance the workbench wrote: shown when it is there, never followed through a link, never
    read past the file limit, and never a reason to refuse the folder."""
    folder = inventory_with(tmp_path / "inv")
    record = '{"pulled_at": "2026-11-28T10:00:00Z", "sources": []}'
    (folder / "pull.json").write_text(record)
    assert load_inventory(folder, known_services=None).pulled == {"pulled_at": "2026-11-28T10:00:00Z", "sources": []}
    (folder / "pull.json").write_text('{"note": "' + "x" * 2000 + '"}')  # bigger than every table here
    assert load_inventory(folder, known_services=None, limits=Limits(file_bytes=1000)).pulled is None
    outside = tmp_path / "elsewhere.json"
    outside.write_text(record)
    (folder / "pull.json").unlink()
    (folder / "pull.json").symlink_to(outside)
    assert load_inventory(folder, known_services=None).pulled is None
    (folder / "pull.json").unlink()
    (folder / "pull.json").write_bytes(b"[1, 2]")
    assert load_inventory(folder, known_services=None).pulled is None
    (folder / "pull.json").write_bytes(b"\xff{")
    assert load_inventory(folder, known_services=None).pulled is None


@pytest.mark.scenario("hostile-special-file-refused")
@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes need POSIX")
def test_a_named_pipe_as_a_table_is_refused_without_blocking(tmp_path: Path) -> None:
    folder = inventory_with(tmp_path / "inv", remove=("consents.csv",))
    os.mkfifo(folder / "consents.csv")
    done: list[str] = []
    worker = threading.Thread(
        target=lambda: done.extend(str(p) for p in validate_inventory(folder, known_services=None)), daemon=True
    )
    worker.start()
    worker.join(30)
    assert not worker.is_alive(), "validate blocked on a named pipe"
    assert any("consents.csv" in p and "special file" in p for p in done)


# -- values that are code, markup, control characters or credentials ---------------------------------------------


@pytest.mark.scenario("hostile-formula-cells")
def test_csv_output_cells_are_neutralised_as_spreadsheets_expect(capsys: pytest.CaptureFixture[str]) -> None:
    from altinn_analysis.cli._common import Format, emit

    assert [neutralise_cell(v) for v in ("=1+2", "+1", "-2", "@SUM(A1)", "\tx", "\rx", "a=b", "")] == [
        "'=1+2",
        "'+1",
        "'-2",
        "'@SUM(A1)",
        "'\tx",
        "'\rx",
        "a=b",
        "",
    ]
    frame = pl.DataFrame({"name": ['=HYPERLINK("http://x","y")', "ok"], "holders": [-3, 4]})
    emit(frame, Format.csv)
    out = capsys.readouterr().out
    assert out.splitlines()[1].startswith("\"'=HYPERLINK")  # quoted by CSV, neutralised inside
    assert out.splitlines()[2] == "ok,4"  # numbers stay numbers
    assert neutralise_frame(frame)["holders"].to_list() == [-3, 4]


@pytest.mark.scenario("hostile-rich-markup")
def test_rich_markup_in_a_failure_reason_is_printed_literally() -> None:
    from rich.console import Console

    from altinn_analysis.cli._report import _print_summary

    failed = SimpleNamespace(status="failed", error={"error": "bad value [/bold] [red]x[/red] \x1b[2J"})
    result = SimpleNamespace(
        institutions={"910000004": failed}, duration_s=1.0, sector={"status": "ok"}, run_dir=Path("r")
    )
    buffer = io.StringIO()
    _print_summary(result, Console(file=buffer, width=200, color_system=None))
    printed = buffer.getvalue()
    assert "[/bold] [red]x[/red]" in printed and "\x1b" not in printed
    assert str(console_text("[/bold]")) == "[/bold]"


@pytest.mark.scenario("hostile-nul-bytes")
def test_control_characters_never_reach_html(tmp_path: Path) -> None:
    import nbformat

    from altinn_analysis.report._html import notebook_to_html

    assert strip_control("a\x00b\x1b[31mc\td\ne\x7f") == "ab[31mc\td\ne"
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("x")
    cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text="name\x00with NUL\x07")]
    nb.cells = [cell]
    page = notebook_to_html(nb, title="t", language="nb", plotly_js="plotly.min.js")
    assert "\x00" not in page and "\x07" not in page and "namewith NUL" in page


@pytest.mark.scenario("hostile-token-in-inventory")
def test_a_token_shaped_value_is_refused_by_validation_and_never_published(tmp_path: Path) -> None:
    minimal = Path(__file__).parent / "good_inputs" / "minimal" / "integrations.csv"
    lines = minimal.read_text(encoding="utf-8-sig").splitlines()
    sep = ";" if ";" in lines[0] else ","
    header = lines[0].split(sep)
    values = lines[1].split(sep)
    values[header.index("name")] = f"Integration {JWT}"
    folder = inventory_with(
        tmp_path / "inv", {"integrations.csv": "\n".join([lines[0], sep.join(values), *lines[2:]]).encode()}
    )
    problems = [p for p in validate_inventory(folder, known_services=None) if p.is_error]
    assert any(p.file == "integrations.csv" and p.row == 2 and p.column == "name" for p in problems), problems
    assert all(JWT[:20] not in str(p) for p in problems)
    assert "credential (a JWT" in " ".join(p.message for p in problems)
    # And should one reach an output folder anyway: nothing is published.
    out = tmp_path / "out"
    pl.DataFrame({"subject": [f"Integration {JWT}"]}).write_parquet(out / "findings.parquet", mkdir=True)
    write_atomic(out / "report.html", "<p>fine</p>")
    with pytest.raises(UnsafeOutputError) as info:
        check_outputs(out)
    assert "findings.parquet" in str(info.value) and JWT[:20] not in str(info.value)


@pytest.mark.scenario("hostile-output-scan-clean")
def test_a_clean_output_folder_passes_the_scan(tmp_path: Path) -> None:
    write_atomic(tmp_path / "report.html", "<p>910000004 · 2026-06-19 · /data/Sparebank/2026/q3</p>")
    check_outputs(tmp_path)
    assert looks_secret("/data/Sparebank/2026/q3/q3/q3") is None


# -- one atomic-write helper ----------------------------------------------------------------------------------------


@pytest.mark.scenario("hostile-atomic-write-collision")
def test_concurrent_atomic_writers_never_collide_or_leave_half_files(tmp_path: Path) -> None:
    target = tmp_path / "findings.parquet"
    errors: list[BaseException] = []

    def writer(n: int) -> None:
        try:
            for _ in range(10):
                with atomic_path(target) as tmp:
                    pl.DataFrame({"n": [n] * 1000}).write_parquet(tmp)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert pl.read_parquet(target)["n"].n_unique() == 1  # one writer's whole file
    assert sorted(p.name for p in tmp_path.iterdir()) == ["findings.parquet"]  # no temporary left
    with pytest.raises(RuntimeError), atomic_path(target) as tmp:
        tmp.write_bytes(b"half")
        raise RuntimeError("crash")
    assert pl.read_parquet(target).height == 1000
    assert sha256_file(target) == __import__("hashlib").sha256(target.read_bytes()).hexdigest()


def test_bombs_are_small_on_disk() -> None:
    assert len(billion_laughs_yaml()) < 2000
    assert sys.getsizeof(xlsx_many_rows(100_000)) < 2_000_000
