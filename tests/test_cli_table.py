"""The terminal table (cli._common.render_table): aligned columns, wrapped cells, values printed literally."""

from __future__ import annotations

import polars as pl
import pytest

from altinn_analysis.cli._common import Format, display_width, emit, render_table, wrap


def test_columns_line_up_and_long_cells_wrap_inside_their_column() -> None:
    action = "Erstatt virksomhetsbrukeren «EU-03 krav og betalinger» med en godkjent systembruker."
    lines = render_table(["severity", "action"], [["critical", action], ["low", None]], max_width=30).splitlines()
    assert lines[0] == "severity │ action"
    assert lines[1] == "─────────┼─" + "─" * 30
    bars = {line.index("│") for line in lines if "│" in line}
    assert bars == {9}, "every row's separator in the same column"
    assert lines[2].startswith("critical │ Erstatt virksomhetsbrukeren")
    assert all(display_width(line) <= 9 + 3 + 30 for line in lines)
    continued = [line for line in lines[3:] if line.startswith(" " * 9 + "│")]
    assert len(continued) >= 2, "the action wrapped onto further lines of the same row"
    assert lines[-1] == "low      │", "an empty cell is blank, not 'None'"
    assert " ".join(line.split("│")[1].strip() for line in lines[2:-1]) == action


def test_values_are_printed_literally_without_terminal_escapes() -> None:
    text = render_table(["value"], [["[bold]x[/bold] \x1b[2J\x07end"], ["a\tb\r\nc"]])
    assert "[bold]x[/bold] [2Jend" in text and "\x1b" not in text and "\x07" not in text
    assert "a b" in text and "\nc" in text and "\r" not in text and "\t" not in text


def test_a_word_longer_than_its_column_is_cut_and_wide_characters_count_double() -> None:
    assert wrap("urn:altinn:accesspackage:skatt-naering", 10) == ["urn:altinn", ":accesspac", "kage:skatt", "-naering"]
    assert wrap("", 5) == [""]
    assert wrap("one\ntwo three", 20) == ["one", "two three"]
    assert display_width("日本") == 4 and display_width("æøå") == 3 and display_width("e\u0301") == 1
    assert display_width("Søk 日本 e\u0301!") == 11  # ASCII one column each, among wide and combining ones
    lines = render_table(["a", "b"], [["日本語", "x"], ["abc", "y"]]).splitlines()
    assert [display_width(line.split("│")[0]) for line in lines[2:]] == [7, 7]


def test_a_wide_table_is_narrowed_to_the_terminal_width() -> None:
    row = ["word " * 30] * 6
    lines = render_table([f"column{i}" for i in range(6)], [row], max_width=60, total_width=160).splitlines()
    assert max(display_width(line) for line in lines) <= 160
    assert all(len(cell.strip()) >= 6 for cell in lines[0].split("│"))


@pytest.mark.parametrize("title", ["Sector readiness as of 2026-11-28", None])
def test_emit_prints_title_table_and_row_count(capsys: pytest.CaptureFixture[str], title: str | None) -> None:
    emit(pl.DataFrame({"name": ["Nordlys Bank ASA", "[red]x"], "score": [34, None]}), Format.table, title=title)
    out = capsys.readouterr().out.splitlines()
    if title:
        assert out.pop(0) == title
    assert out[0].split("│")[0].strip() == "name" and out[-1] == "2 rows"
    assert out[2].startswith("Nordlys Bank ASA │ 34") and out[3].rstrip() == "[red]x           │"
