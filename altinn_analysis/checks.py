"""The floor under every layer: organisation- and identity-number checks, the located problem type, and how the
date an analysis is for (`as_of`: a date or `today`) is read.

Pure functions and two small types; imports nothing from the package, so any layer (sources, catalogue,
inventory, impact, report) can use them. One row numbering everywhere: the row a user sees in Excel or a text
editor (header = row 1, first data row = row 2; the line number in YAML).

Check digits of Norwegian organisation numbers and national identity numbers:

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

import contextlib
import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any, Literal

__all__ = [
    "IDENTITY_PATTERN",
    "IDENTITY_PREFILTER",
    "LocatedError",
    "Problem",
    "Severity",
    "excerpt",
    "find_identity_numbers",
    "is_national_identity_number",
    "is_valid_org_number",
    "national_id_check_digits",
    "org_number_check_digit",
    "org_number_problem",
    "parse_as_of",
    "redact_identity_numbers",
]

Severity = Literal["error", "warning"]

_ORG_WEIGHTS = (3, 2, 7, 6, 5, 4, 3, 2)
_K1_WEIGHTS = (3, 7, 6, 1, 8, 9, 4, 5, 2)
_K2_WEIGHTS = (5, 4, 3, 2, 7, 6, 5, 4, 3, 2)

# An 11-digit run, or 6 + 5 digits with one separator as people write them (`010190 12345`), not part of a
# longer digit run.
IDENTITY_PATTERN = re.compile(r"(?<![0-9])([0-9]{6})[ .\-]?([0-9]{5})(?![0-9])")
# The same without look-arounds, for a cheap vectorised pre-filter in polars (its regex engine has none).
IDENTITY_PREFILTER = r"[0-9]{6}[ .\-]?[0-9]{5}"
_REDACTION = "[11 digits removed]"
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


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


def excerpt(value: object, limit: int = 60) -> str:
    """A short quoted excerpt of a value for an error message: at most `limit` characters, control characters
    shown escaped, identity numbers removed. Messages never quote a whole line of a file."""
    # Slice before repr: a 400 MB cell must cost no more than a short one.
    text = repr(value[: limit + 1]) if isinstance(value, str) else repr(value)[: limit + 1]
    if len(text) > limit:
        text = text[: limit - 2] + "…" + (text[0] if text[0] in "'\"" else "")
    return redact_identity_numbers(text)


def org_number_problem(value: str) -> str | None:
    """Why `value` is not an organisation number, or None when it is one."""
    if not (len(value) == 9 and value.isascii() and value.isdigit()):
        return f"{excerpt(value)} is not an organisation number: expected 9 digits"
    if not is_valid_org_number(value):
        return f"{value} is not a valid organisation number: its check digit (the last) does not match (mod 11)"
    return None


def parse_as_of(value: str | date) -> date:
    """The date an analysis is for: a date, an ISO date `YYYY-MM-DD`, or `today` (the local date when this runs,
    any letter case). Anything else is a `ValueError` whose message says what was expected; callers put the name
    of their flag or parameter in front of it."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value).strip()
    if text.lower() == "today":
        return date.today()
    if _ISO_DATE.fullmatch(text):  # only this form: fromisoformat would also take 20261128 and 2026-W48-1
        with contextlib.suppress(ValueError):  # 2026-13-01, 2026-02-30
            return date.fromisoformat(text)
    raise ValueError(f"{excerpt(value)} is not a date: expected YYYY-MM-DD or 'today'")


@dataclass(frozen=True)
class Problem:
    """One problem found in an input file.

    `file` is the file name (`delegations.csv`, `profile.yaml`; a bare table name such as `consents` when its
    file is missing). `row` is the row as a user sees it in Excel or a text editor: the header is row 1, so the
    first data row is row 2 (Parquet files are numbered the same way, as if they had a header row); in a YAML
    file it is the line number. `row` is None for a problem with the whole file and `column` is None when no
    single column is to blame (for YAML it is the key, e.g. `vendors[0].org_number`).

    Messages never contain a national identity number: anything that looks like one is masked when the problem
    is made.
    """

    file: str
    row: int | None
    column: str | None
    message: str
    severity: Severity = "error"

    def __post_init__(self) -> None:
        # Defence in depth: whatever a check echoes from a cell, an identity number never reaches the output.
        object.__setattr__(self, "message", redact_identity_numbers(self.message))
        object.__setattr__(self, "file", redact_identity_numbers(self.file))
        if self.column is not None:
            object.__setattr__(self, "column", redact_identity_numbers(self.column))

    @property
    def is_error(self) -> bool:
        return self.severity == "error"

    def location(self) -> str:
        """`file:row:column`, leaving out the parts that are unknown (`consents.csv:7:valid_to`, `profile.yaml`)."""
        parts = [self.file]
        if self.row is not None or self.column is not None:
            parts.append("" if self.row is None else str(self.row))
        if self.column is not None:
            parts.append(self.column)
        return ":".join(parts)

    def __str__(self) -> str:
        return f"{self.location()}: {self.severity}: {self.message}"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


class LocatedError(Exception):
    """Input that cannot be used. `problems` holds every problem found (errors and warnings), each located."""

    what = "invalid input"

    def __init__(self, problems: Iterable[Problem], directory: str | Path | None = None) -> None:
        self.problems: list[Problem] = list(problems)
        self.directory = Path(directory) if directory is not None else None
        super().__init__(self._summary())

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.is_error]

    def _summary(self, limit: int = 10) -> str:
        errors = self.errors or self.problems
        where = f"{self.directory}: " if self.directory is not None else ""
        head = f"{where}{self.what} ({len(errors)} error{'s' if len(errors) != 1 else ''})"
        lines = [head, *(f"  {p}" for p in errors[:limit])]
        if len(errors) > limit:
            lines.append(f"  … and {len(errors) - limit} more")
        return "\n".join(lines)
