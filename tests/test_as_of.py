"""`as_of` is read by one parser (checks.parse_as_of) everywhere: the CLI flags, the report parameters and the
notebooks' values, with one error wording."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

import pytest
from demo_set import DEMO_DIR, DEMO_ORGS

from altinn_analysis.checks import parse_as_of
from altinn_analysis.report import ReportParameterError, ReportParameters

if TYPE_CHECKING:
    from conftest import Cli

WORDING = "is not a date: expected YYYY-MM-DD or 'today'"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2026-11-28", date(2026, 11, 28)),
        (" 2026-06-19 ", date(2026, 6, 19)),
        (date(2026, 1, 2), date(2026, 1, 2)),
        (datetime(2026, 1, 2, 13, 45), date(2026, 1, 2)),
    ],
)
def test_dates(value: str | date, expected: date) -> None:
    assert parse_as_of(value) == expected and type(parse_as_of(value)) is date


@pytest.mark.parametrize("value", ["today", " Today", "TODAY "])
def test_today_is_the_local_date(value: str) -> None:
    assert parse_as_of(value) == date.today()


@pytest.mark.parametrize("value", ["28.11.2026", "2026-13-01", "2026-02-30", "20261128", "2026-W48-1", "", "yesterday"])
def test_anything_else_is_refused_saying_what_was_expected(value: str) -> None:
    with pytest.raises(ValueError, match=f"^{value!r} {WORDING}$".replace("(", r"\(").replace(")", r"\)")):
        parse_as_of(value)


def test_an_identity_number_is_never_repeated() -> None:
    with pytest.raises(ValueError) as caught:
        parse_as_of("01019012345 and more")
    assert "01019012345" not in str(caught.value) and WORDING in str(caught.value)


def test_every_entry_point_uses_the_one_parser(cli: Cli) -> None:
    for argv in (
        ["assess", str(DEMO_DIR / DEMO_ORGS[0]), "--as-of", "28.11.2026"],
        ["sector", "--as-of", "28.11.2026"],
        ["report", "--all", "--as-of", "28.11.2026"],
        ["demo", "generate", "--out", "unused", "--as-of", "28.11.2026"],
    ):
        code, _, err = cli(*argv)
        assert (code, err.strip()) == (2, f"error: --as-of '28.11.2026' {WORDING}"), argv
    with pytest.raises(ReportParameterError, match=f"^as_of = '28.11.2026' {WORDING}$"):
        ReportParameters.parse(as_of="28.11.2026", inventory_dir=DEMO_DIR)
    assert ReportParameters.parse(as_of="today", inventory_dir=DEMO_DIR).as_of == date.today()
