"""Check digits of Norwegian organisation numbers and national identity numbers. Pure functions.

Organisation number (organisasjonsnummer): 9 digits, the last a mod-11 check digit over the first 8 with
weights 3 2 7 6 5 4 3 2; remainder 0 gives check digit 0 and remainder 1 makes the number invalid.

National identity number (fødselsnummer, 11 digits `DDMMYY III K1 K2`): K1 is mod-11 over the first 9 digits
with weights 3 7 6 1 8 9 4 5 2, K2 mod-11 over the first 10 with weights 5 4 3 2 7 6 5 4 3 2 (a check digit of
10 makes the number invalid). Also recognised, because they identify people just as well:

- D-number: day + 40 (first digit 4–7);
- H-number and NAV's synthetic test numbers: month + 40;
- Skatteetaten's synthetic test numbers (Tenor): month + 80.

The date part is checked loosely (day 1–31, month 1–12 after those offsets, any year): refusing a rare false
positive is cheaper than letting a real number through. FH-numbers (first digit 8 or 9, no date) are not
recognised.
"""

from __future__ import annotations

import re

__all__ = [
    "find_identity_numbers",
    "is_national_identity_number",
    "is_valid_org_number",
    "national_id_check_digits",
    "org_number_check_digit",
    "redact_identity_numbers",
]

_ORG_WEIGHTS = (3, 2, 7, 6, 5, 4, 3, 2)
_K1_WEIGHTS = (3, 7, 6, 1, 8, 9, 4, 5, 2)
_K2_WEIGHTS = (5, 4, 3, 2, 7, 6, 5, 4, 3, 2)

# An 11-digit run, or 6 + 5 digits with one separator as people write them (`010190 12345`), not part of a
# longer digit run.
IDENTITY_PATTERN = re.compile(r"(?<![0-9])([0-9]{6})[ .\-]?([0-9]{5})(?![0-9])")
# The same without look-arounds, for a cheap vectorised pre-filter in polars (its regex engine has none).
IDENTITY_PREFILTER = r"[0-9]{6}[ .\-]?[0-9]{5}"
_REDACTION = "[11 digits removed]"


def _mod11(digits: str, weights: tuple[int, ...]) -> int | None:
    check = 11 - sum(int(d) * w for d, w in zip(digits, weights, strict=True)) % 11
    if check == 11:
        return 0
    return None if check == 10 else check


def org_number_check_digit(first8: str) -> int | None:
    """The check digit for 8 leading digits, or None when no check digit exists (remainder 1)."""
    if len(first8) != 8 or not first8.isascii() or not first8.isdigit():
        raise ValueError("expected 8 digits")
    return _mod11(first8, _ORG_WEIGHTS)


def is_valid_org_number(value: str) -> bool:
    """9 ASCII digits with a valid mod-11 check digit."""
    if len(value) != 9 or not value.isascii() or not value.isdigit():
        return False
    return org_number_check_digit(value[:8]) == int(value[8])


def national_id_check_digits(first9: str) -> tuple[int, int] | None:
    """K1 and K2 for the first 9 digits of an identity number, or None when no valid pair exists."""
    if len(first9) != 9 or not first9.isascii() or not first9.isdigit():
        raise ValueError("expected 9 digits")
    k1 = _mod11(first9, _K1_WEIGHTS)
    if k1 is None:
        return None
    k2 = _mod11(first9 + str(k1), _K2_WEIGHTS)
    return None if k2 is None else (k1, k2)


def _plausible_date(digits: str) -> bool:
    day, month = int(digits[0:2]), int(digits[2:4])
    if day > 40:  # D-number
        day -= 40
    if month > 80:  # Tenor synthetic
        month -= 80
    elif month > 40:  # H-number / NAV synthetic
        month -= 40
    return 1 <= day <= 31 and 1 <= month <= 12


def is_national_identity_number(value: str) -> bool:
    """11 digits that form a fødselsnummer, D-number, H-number or synthetic test number (see module doc)."""
    if len(value) != 11 or not value.isascii() or not value.isdigit():
        return False
    return _plausible_date(value) and national_id_check_digits(value[:9]) == (int(value[9]), int(value[10]))


def find_identity_numbers(text: str) -> int:
    """How many national identity numbers `text` holds (as a count: callers must never see the digits)."""
    return sum(1 for m in IDENTITY_PATTERN.finditer(text) if is_national_identity_number(m[1] + m[2]))


def redact_identity_numbers(text: str) -> str:
    """`text` with every 11-digit run (valid identity number or not) replaced by a marker."""
    return IDENTITY_PATTERN.sub(_REDACTION, text)
