"""Organisation numbers and national identity numbers: check digits, generated and mutated."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from altinn_analysis.inventory import (
    find_identity_numbers,
    is_national_identity_number,
    is_valid_org_number,
    national_id_check_digits,
    org_number_check_digit,
    redact_identity_numbers,
)

digits = st.text(alphabet="0123456789", min_size=1, max_size=1)


@st.composite
def org_numbers(draw: st.DrawFn) -> str:
    first8 = draw(st.text(alphabet="0123456789", min_size=8, max_size=8))
    check = org_number_check_digit(first8)
    assume(check is not None)
    return f"{first8}{check}"


@st.composite
def identity_numbers(draw: st.DrawFn) -> str:
    born = draw(st.dates(min_value=dt.date(1854, 1, 1), max_value=dt.date(2039, 12, 31)))
    day, month = born.day, born.month
    kind = draw(st.sampled_from(["fnr", "d-number", "h-number", "synthetic"]))
    if kind == "d-number":
        day += 40
    elif kind == "h-number":
        month += 40
    elif kind == "synthetic":
        month += 80
    individual = draw(st.integers(0, 999))
    first9 = f"{day:02d}{month:02d}{born.year % 100:02d}{individual:03d}"
    checks = national_id_check_digits(first9)
    assume(checks is not None)
    assert checks is not None
    return f"{first9}{checks[0]}{checks[1]}"


def _mutate(value: str, position: int, digit: str) -> str:
    assume(value[position] != digit)
    return value[:position] + digit + value[position + 1 :]


@pytest.mark.parametrize("number", ["998877660", "922334455", "974761076", "910000004"])
def test_known_valid_org_numbers(number: str) -> None:
    assert is_valid_org_number(number)


@pytest.mark.parametrize("number", ["998877661", "99887766", "9988776600", "99887766O", " 99887766", "", "٩٩٨٨٧٧٦٦٠"])
def test_invalid_org_numbers(number: str) -> None:
    assert not is_valid_org_number(number)


def test_remainder_one_has_no_check_digit() -> None:
    assert org_number_check_digit("97766554") is None
    assert not any(is_valid_org_number(f"97766554{d}") for d in range(10))


@given(org_numbers())
def test_generated_org_numbers_are_valid(number: str) -> None:
    assert is_valid_org_number(number)


@given(org_numbers(), st.integers(0, 8), digits)
def test_any_single_digit_change_in_an_org_number_is_detected(number: str, position: int, digit: str) -> None:
    assert not is_valid_org_number(_mutate(number, position, digit))


@given(identity_numbers())
def test_generated_identity_numbers_are_recognised(number: str) -> None:
    assert is_national_identity_number(number)
    assert find_identity_numbers(f"holder {number} x") == 1
    assert find_identity_numbers(f"{number[:6]} {number[6:]}") == 1  # as people write them
    assert number not in redact_identity_numbers(f"id={number};")


@given(identity_numbers(), st.integers(0, 10), digits)
def test_any_single_digit_change_in_an_identity_number_is_detected(number: str, position: int, digit: str) -> None:
    assert not is_national_identity_number(_mutate(number, position, digit))


@given(identity_numbers())
def test_an_identity_number_inside_a_longer_digit_run_is_not_one(number: str) -> None:
    assert find_identity_numbers(f"1{number}") == 0
    assert find_identity_numbers(f"{number}0") == 0


@pytest.mark.parametrize(
    ("number", "why"),
    [
        ("15838510075", "synthetic (Tenor, month + 80)"),
        ("55838510069", "synthetic D-number (day + 40)"),
    ],
)
def test_fixture_numbers_are_recognised(number: str, why: str) -> None:
    assert is_national_identity_number(number), why


def test_dates_that_cannot_be_birthdays_are_not_identity_numbers() -> None:
    # Valid check digits but day 00 / month 13: not an identity number.
    for first9 in ("001390123", "321390123", "011390123"):
        checks = national_id_check_digits(first9)
        if checks is not None:
            assert not is_national_identity_number(first9 + "".join(map(str, checks)))


def test_org_numbers_are_not_mistaken_for_identity_numbers() -> None:
    assert find_identity_numbers("operated_by 922334455 and 998877660") == 0
