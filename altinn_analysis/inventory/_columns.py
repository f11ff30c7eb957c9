"""The checks every table gets: the header, identity numbers and credentials, each column by its kind, and the
normalised text (stripped, enumerations lower case, service codes as `code:edition`).

Checks of a text column's values (regular expressions, identity-number pre-filters) run on its distinct values,
which are few in a real inventory; the rows are searched only for the values found bad.
"""

from __future__ import annotations

import difflib
import itertools
import re
from collections.abc import Collection
from datetime import date

import polars as pl

from altinn_analysis.checks import IDENTITY_PREFILTER, find_identity_numbers, org_number_problem
from altinn_analysis.checks import excerpt as _show
from altinn_analysis.inventory._collect import INST, Collector, one_of
from altinn_analysis.inventory._profile import IDENTITY_MESSAGE
from altinn_analysis.inventory._schema import TABLE_SPECS, ColumnSpec
from altinn_analysis.secret_guard import CREDENTIAL_PREFILTER, credential_kind
from altinn_analysis.sources import ROW, RawTable

__all__ = [
    "SERVICE_CODE",
    "SERVICE_CODE_RE",
    "as_date",
    "check_column",
    "check_header",
    "check_identity_numbers",
    "close_match",
    "distinct_texts",
    "normalise",
]

SERVICE_CODE = r"^[0-9]+:[0-9]+$"
_SERVICE_LOOSE = r"^([0-9]+)\s*[:_/]\s*([0-9]+)$"
_ISO_DATE = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
_NORWEGIAN_DATE = r"^([0-9]{1,2})\.([0-9]{1,2})\.([0-9]{4})$"

# "Did you mean" hints only for short values: difflib is quadratic, and a long value is no typo.
HINT_CHARS = 64


def close_match(value: str, choices: Collection[str], cutoff: float = 0.6) -> list[str]:
    return difflib.get_close_matches(value, list(choices), n=1, cutoff=cutoff) if len(value) <= HINT_CHARS else []


def _cleaned(text: pl.Expr, kind: str) -> pl.Expr:
    """Stripped text, empty as null; enumerations lower case; operators and counts without spaces."""
    text = text.str.strip_chars()
    text = pl.when(text == "").then(None).otherwise(text)
    if kind == "enum":
        return text.str.to_lowercase()
    if kind == "operator":
        # `Self` → self; `922 334 455` → 922334455 (org numbers are often written in groups)
        grouped = text.str.contains(r"^[0-9][0-9\s]*$")
        return (
            pl.when(text.str.to_lowercase() == "self")
            .then(pl.lit("self"))
            .when(grouped)
            .then(text.str.replace_all(r"\s", ""))
            .otherwise(text)
        )
    if kind == "count":
        return text.str.replace_all(r"\s", "")  # `1 000`
    return text


_SERVICE_COLUMN = {"delegations": "grant", "consents": "service"}


def distinct_texts(raw: RawTable) -> tuple[dict[str, list[str | None]], pl.DataFrame | None]:
    """Each text column's distinct values (a Python list per column, in the table's column order); and the
    distinct combinations of the text columns that hold few values by design (enumerations, the service column),
    or None where there are not two.

    The combinations come from the same pass (one group by over those columns costs no more than their distinct
    values one by one), and let the checks decide conditions on several of them exactly, without the rows."""
    schema = raw.source.schema
    texts = [n for n in raw.columns if schema[n] == pl.String]
    spec = TABLE_SPECS[raw.table]
    known = set(spec.column_names)
    few = [n for n in texts if n == _SERVICE_COLUMN.get(raw.table) or (n in known and spec.column(n).kind == "enum")]
    if raw.source.height * len(texts) <= PYTHON_CELLS:
        return _in_python(raw.source, texts, few)
    if len(few) < 2:
        return _lists(raw.source, texts), None
    # (the columns selected first: a group by on the whole frame carries every column, ~1.7x the time)
    combinations = raw.source.lazy().select(few).group_by(few).agg().collect()
    each = {n: list(dict.fromkeys(combinations.get_column(n).to_list())) for n in few}
    each.update(_lists(raw.source, [n for n in texts if n not in few]))
    return {n: each[n] for n in texts}, combinations


# Up to this many text cells, a table's distinct values are taken in Python from its columns (`to_list` and a
# dict, ~0.3 µs a cell) rather than by polars (~1 ms for the two queries at small sizes): 16 rows of integrations
# 0.1 ms against 1.1 ms, 2,871 rows of delegations 4.8 ms against 1.9 ms. Both give the same values (their order,
# which nothing depends on, may differ).
PYTHON_CELLS = 3_000


def _in_python(
    frame: pl.DataFrame, texts: list[str], few: list[str]
) -> tuple[dict[str, list[str | None]], pl.DataFrame | None]:
    """`distinct_texts` for a small table."""
    cells = {n: frame.get_column(n).to_list() for n in texts}
    values = {n: list(dict.fromkeys(cells[n])) for n in texts}
    if len(few) < 2:
        return values, None
    rows = list(dict.fromkeys(zip(*(cells[n] for n in few), strict=True)))
    return values, pl.DataFrame(rows, schema=dict.fromkeys(few, pl.String), orient="row")


def _lists(frame: pl.DataFrame, columns: list[str]) -> dict[str, list[str | None]]:
    """The distinct values of each of `columns`, in one query."""
    return frame.select(pl.col(n).unique().implode() for n in columns).row(0, named=True) if columns else {}


def _as_frame(values: dict[str, list[str | None]]) -> pl.DataFrame:
    """One row: each column's distinct values as a list (for a query over all of them)."""
    return pl.DataFrame([pl.Series(n, [v], dtype=pl.List(pl.String)) for n, v in values.items()])


SERVICE_CODE_RE = re.compile(SERVICE_CODE[1:-1])  # as a whole (`fullmatch`): the same as SERVICE_CODE in polars
_SERVICE_LOOSE_RE = re.compile(_SERVICE_LOOSE[1:-1])


def _plain(value: str | None, kind: str, service: bool) -> bool:
    """True when `_cleaned` surely leaves `value` as it is. Where cleaning only strips (not the kinds below, not
    the service column), the value's two ends decide (`_solid`); else decided in Python only for printable ASCII,
    where Python's and polars' ideas of white space, case and these patterns agree; anything else is left to
    polars."""
    if value is None:
        return True
    if kind not in _RESHAPED and not service:
        return bool(value) and _solid(value[0]) and _solid(value[-1])
    if not (value.isascii() and value.isprintable()) or not value or value[0] == " " or value[-1] == " ":
        return False
    if service and _SERVICE_LOOSE_RE.fullmatch(value) and not SERVICE_CODE_RE.fullmatch(value):
        return False
    if kind == "enum":
        return value == value.lower()
    if kind == "operator":
        return value == "self" or (value.lower() != "self" and " " not in value)
    if kind == "count":
        return " " not in value
    return True


# The kinds whose cleaning does more than strip (see `_cleaned`).
_RESHAPED = ("enum", "operator", "count")


def _solid(char: str) -> bool:
    """A character that polars' `strip_chars` surely keeps at a value's end: printable ASCII other than the space,
    or a letter or digit (no Unicode white space is one; the white space Python and polars disagree on is not)."""
    return (char.isascii() and char.isprintable() and char != " ") or char.isalnum()


def _plain_column(values: list[str | None], kind: str, service: bool) -> bool:
    """`_plain` for every value; for a column that cleaning only strips (free text, often thousands of distinct
    ids; dates, hundreds of days) in a few C-speed string passes instead of a Python call per value."""
    if kind in _RESHAPED or service:  # (the kinds `_plain` looks at more closely)
        return all(_plain(v, kind, service) for v in values)
    texts = [v for v in values if v is not None]
    whole = "".join(texts)
    if not all(texts):
        return False
    if not (whole.isascii() and whole.isprintable()):  # (names in Norwegian, say): each value's ends
        return all(_solid(v[0]) and _solid(v[-1]) for v in texts)
    # Printable, so no value holds a line break: in the joined text a space next to one is a value's edge.
    joined = "\n".join(texts)
    return not (joined.startswith(" ") or joined.endswith(" ") or "\n " in joined or " \n" in joined)


def _clean_text(value: str | None, kind: str) -> str | None:
    """`_cleaned` of one printable ASCII value, in Python (where its only white space is the space)."""
    if value is None or not (text := value.strip(" ")):
        return None
    if kind == "enum":
        return text.lower()
    if kind == "operator":
        if text.lower() == "self":
            return "self"
        return text.replace(" ", "") if _GROUPED_DIGITS.fullmatch(text) else text
    if kind == "count":
        return text.replace(" ", "")
    return text


_GROUPED_DIGITS = re.compile(r"[0-9][0-9 ]*")


def normalise(
    raw: RawTable, values: dict[str, list[str | None]]
) -> tuple[pl.DataFrame, set[str], set[str], dict[str, list[str | None]]]:
    """Text columns cleaned (`_cleaned`), service codes as `code:edition`; typed columns as they are. Also the
    text columns that cleaning changed, the enumeration columns whose every value is allowed, and the distinct
    values after cleaning of the changed columns where they are known without the rows.

    Whether a column needs cleaning is decided on its distinct values (`values`, from `distinct_texts`; a few
    per column in a real inventory): in Python where they are printable ASCII, else by one polars query over the
    distinct values of the columns left, so a clean column costs one hashing pass instead of string passes."""
    spec = TABLE_SPECS[raw.table]
    known = set(spec.column_names)
    source = raw.source
    kinds = {n: spec.column(n).kind if n in known else "text" for n in raw.columns}
    strings = list(values)
    service_col = _SERVICE_COLUMN.get(raw.table)
    dirty: set[str] = set(strings)
    allowed: set[str] = set()
    cleaned_values: dict[str, list[str | None]] = {}
    if strings and source.height:
        plain = {n for n in strings if _plain_column(values[n], kinds[n], n == service_col)}
        for n in plain:
            options = spec.column(n).allowed if kinds[n] == "enum" else None
            if options and all(v is None or v in options for v in values[n]):
                allowed.add(n)
        dirty = set(strings) - plain
        for n in [c for c in strings if c in dirty and _printable_ascii(values[c])]:
            tidy = [_clean_text(v, kinds[n]) for v in values[n]]
            rewritten = n == service_col and any(c is not None and _is_loose(c) for c in tidy)
            if not rewritten and tidy == values[n]:
                dirty.discard(n)
            elif not rewritten:  # (a loose service code is rewritten only on some rows: left to the rows)
                cleaned_values[n] = list(dict.fromkeys(tidy))
            options = spec.column(n).allowed if kinds[n] == "enum" else None
            if options and all(c is None or c in options for c in tidy):
                allowed.add(n)
            plain.add(n)  # (decided)
        flags = []
        for n in (c for c in strings if c in dirty and c not in plain):
            column = pl.col(n).explode()
            clean = _cleaned(column, kinds[n])
            changed = clean.ne_missing(column).any()
            if n == service_col:
                changed |= (clean.str.contains(_SERVICE_LOOSE) & ~clean.str.contains(SERVICE_CODE)).any()
            flags.append(changed.alias(n))
            if kinds[n] == "enum" and (options := spec.column(n).allowed):
                flags.append(clean.drop_nulls().is_in(list(options)).all().alias(f"{n} allowed"))
        if flags:
            undecided = {n: values[n] for n in strings if n in dirty and n not in plain}
            found = _as_frame(undecided).select(flags).row(0, named=True)
            dirty = {n for n in dirty if n not in undecided or found[n]}
            allowed |= {n for n in strings if found.get(f"{n} allowed")}
    cleaned = [_cleaned(pl.col(n), kinds[n]).alias(n) for n in strings if n in dirty]
    frame = source.with_columns(cleaned) if cleaned else source
    missing = [c.name for c in spec.columns if c.name not in frame.columns]
    # Appended as columns of their own: a literal would be broadcast by re-chunking the whole frame (the rows of
    # many institutions are many chunks).
    frame = frame.hstack([pl.Series(c, [None], dtype=pl.String).new_from_index(0, frame.height) for c in missing])
    if service_col in dirty:
        col = pl.col(service_col)
        loose = col.str.contains(_SERVICE_LOOSE)
        if raw.table == "delegations" and "grant_type" in frame.columns:
            loose &= pl.col("grant_type") == "service"
        frame = frame.with_columns(
            pl.when(loose).then(col.str.replace(_SERVICE_LOOSE, "${1}:${2}")).otherwise(col).alias(service_col)
        )
    return frame, dirty, allowed, {n: v for n, v in cleaned_values.items() if n in dirty}


def _printable_ascii(values: list[str | None]) -> bool:
    return all(v is None or (v.isascii() and v.isprintable()) for v in values)


def _is_loose(value: str) -> bool:
    """A service code `_cleaned` does not leave as it is (`4804 / 210607`)."""
    return _SERVICE_LOOSE_RE.fullmatch(value) is not None and SERVICE_CODE_RE.fullmatch(value) is None


def check_header(raw: RawTable, out: Collector) -> set[str]:
    """Missing required columns (errors) and unknown columns (warnings); returns the columns present."""
    spec = TABLE_SPECS[raw.table]
    present = set(raw.columns)
    extras = [c for c in raw.columns if c not in spec.column_names]
    names = [c for c in spec.column_names if c not in spec.required_columns]
    optional = f" (optional: {', '.join(names)})" if names else ""
    for name in spec.required_columns:
        if name not in present:
            hint = [e for e in extras if len(e) <= HINT_CHARS]
            hint = difflib.get_close_matches(name, hint, n=1, cutoff=0.6)
            also = f" (is {hint[0]!r} meant to be {name!r}?)" if hint else ""
            out.add(
                raw.header_row,
                name,
                f"required column {name!r} is missing{also}; the header must name the columns "
                f"{', '.join(spec.required_columns)}{optional}",
            )
    for name in extras:
        hint = close_match(name, spec.column_names, 0.6)
        also = f" (did you mean {hint[0]!r}?)" if hint else ""
        out.add(raw.header_row, name, f"unknown column {name!r} is ignored{also}", "warning")
    return present


_PREFILTER = re.compile(f"{IDENTITY_PREFILTER}|{CREDENTIAL_PREFILTER}")


def _surely_clean(values: dict[str, list[str | None]]) -> bool:
    """True when no distinct value can match the pre-filter. Python's regex agrees with polars' on printable
    text (their `\\s` differ on control characters), so text that is not printable is left to polars."""
    # (empty values left out with the nulls: they only add a line break, which no pattern needs exactly one of)
    text = "\n".join(filter(None, itertools.chain.from_iterable(values.values())))
    return text.replace("\n", " ").isprintable() and _PREFILTER.search(text) is None


def check_identity_numbers(raw: RawTable, values: dict[str, list[str | None]], out: Collector) -> None:
    """Identity numbers and credentials: a cheap pre-filter on the distinct values (`values`, from `distinct_texts`),
    then the exact checks (check digits, a JWT header that decodes) in Python on the few cells left."""
    for name in raw.columns:
        if find_identity_numbers(name):  # a header cell is a cell too
            out.add(raw.header_row, None, f"the header {IDENTITY_MESSAGE}")
    # Typed columns are dates and numbers below 10**10 (see RawTable): never 11 digits in a row, never a token.
    texts = list(values)
    if not texts or raw.source.height == 0:
        return
    pattern = f"{IDENTITY_PREFILTER}|{CREDENTIAL_PREFILTER}"
    # The pre-filter on each column's distinct values first: a clean table never touches its rows.
    if _surely_clean(values):
        return
    if (
        not _as_frame(values)
        .select(pl.any_horizontal(pl.col(c).explode().str.contains(pattern).any() for c in texts))
        .item()
    ):
        return
    suspects = raw.source.filter(pl.any_horizontal(pl.col(c).str.contains(pattern) for c in texts))
    if suspects.height == 0:
        return
    for name in texts:
        candidates = suspects.filter(pl.col(name).str.contains(pattern)).select(INST, ROW, name)
        cells = candidates.get_column(name).to_list()
        ids = pl.Series([bool(find_identity_numbers(v)) for v in cells], dtype=pl.Boolean)
        out.rows(candidates.filter(ids), name, IDENTITY_MESSAGE, "hold what looks like a national identity number")
        kinds = pl.Series("__kind__", [credential_kind(v) for v in cells], dtype=pl.String)
        out.rows(
            candidates.with_columns(kinds).filter(kinds.is_not_null()),
            name,
            lambda r: (
                f"holds what looks like a credential ({r['__kind__']}; not shown): an inventory never holds "
                "secrets, and this one would be copied into every report — remove it"
            ),
            "hold what looks like a credential",
        )


def check_column(frame: pl.DataFrame, spec: ColumnSpec, out: Collector, all_allowed: bool = False) -> None:
    """The checks of one column's kind; `all_allowed`: an enumeration whose every distinct value is allowed."""
    name = spec.name
    col = pl.col(name)
    column = frame.get_column(name)
    typed = column.dtype != pl.String
    # A check that surely finds no row is not made (a column's null count and a typed column's least value are
    # known without a pass over it).
    if spec.required and column.null_count():
        out.where(
            frame,
            col.is_null(),
            name,
            lambda _: f"{name} is required (e.g. {spec.example})",
            f"{name} is empty",
        )
    present = col.is_not_null()
    if spec.kind == "enum" and spec.allowed:
        allowed = spec.allowed
        if all_allowed:
            return
        out.where(
            frame,
            present & ~col.is_in(list(allowed)),
            name,
            lambda r: (
                f"{_show(r[name])} is not a valid {name}; expected one of {', '.join(allowed)}"
                + "".join(f" (did you mean {m!r}?)" for m in close_match(r[name], allowed))
            ),
            f"{name} not one of {', '.join(allowed)}",
        )
    elif spec.kind == "date" and not typed:  # a typed date is a valid date
        dates = _dates(frame, name, out)
        bad = [text for text, day in dates.items() if day is None]
        if bad:  # (no text that is not a date: no row to search)
            valid = [text for text, day in dates.items() if day is not None]
            out.where(
                frame,
                present & one_of(name, bad, valid),
                name,
                lambda r: _date_message(r[name]),
                "not a YYYY-MM-DD date",
            )
    elif spec.kind == "count":
        number = col if typed else col.str.to_integer(strict=False)
        if not typed:  # (a typed count is a number wherever it is present)
            out.where(
                frame,
                present & number.is_null(),
                name,
                lambda r: f"{_show(r[name])} is not a whole number; expected a count of 1 or more",
                "not a whole number",
            )
        least = column.min() if typed else None
        if not typed or (least is not None and least < 1):  # type: ignore[operator]
            out.where(
                frame,
                present & (number < 1),
                name,
                lambda r: f"count is {r[name]}; expected 1 or more (a row stands for that many consents)",
                "count below 1",
            )
    elif spec.kind == "operator":
        out.values(
            frame,
            name,
            lambda v: (
                None if (why := org_number_problem(v)) is None else f"expected 'self' or a vendor's org number: {why}"
            ),
            "error",
            where=col != "self",
        )


_ISO_DATE_RE = re.compile(_ISO_DATE[1:-1])  # as a whole (`fullmatch`): the same as _ISO_DATE in polars
_EPOCH = date(1970, 1, 1).toordinal()


def _dates(frame: pl.DataFrame, name: str, out: Collector) -> dict[str, int | None]:
    """Each distinct text of a date column (`name`) with its date as days since 1970-01-01 (polars' `Date`): None
    where the text is not YYYY-MM-DD or no such day exists. Parsed once per distinct text (a column has a few
    thousand days at most), in Python, as `str.strptime(pl.Date, "%Y-%m-%d", strict=False)` parses them (checked
    against it in the tests); only the year 0, which Python's dates lack, by polars."""

    def parse() -> dict[str, int | None]:
        days: dict[str, int | None] = {}
        year_zero: list[str] = []
        for text in out.distinct_values(frame, name):
            if text is None:
                continue
            if not _ISO_DATE_RE.fullmatch(text):
                days[text] = None
            elif text.startswith("0000"):
                year_zero.append(text)
            else:
                try:  # (fromisoformat takes other forms too, but only YYYY-MM-DD gets here)
                    days[text] = date.fromisoformat(text).toordinal() - _EPOCH
                except ValueError:  # no such day
                    days[text] = None
        if year_zero:
            parsed = pl.Series(year_zero).str.strptime(pl.Date, "%Y-%m-%d", strict=False).cast(pl.Int32)
            days.update(zip(year_zero, parsed.to_list(), strict=True))
        return days

    result: dict[str, int | None] = out.memo(frame, ("dates", name), parse)
    return result


def as_date(frame: pl.DataFrame, name: str, out: Collector) -> pl.Expr:
    """A date column as dates: typed as it is, text parsed where it is YYYY-MM-DD (else null)."""
    col = pl.col(name)
    if frame.schema[name] != pl.String:
        return col
    valid = {text: day for text, day in _dates(frame, name, out).items() if day is not None}
    days = pl.Series(list(valid.values()), dtype=pl.Int32).cast(pl.Date)
    return col.replace_strict(pl.Series(list(valid), dtype=pl.String), days, default=None, return_dtype=pl.Date)


def _date_message(value: str) -> str:
    if m := re.match(_NORWEGIAN_DATE, value):
        day, month, year = m.groups()
        return f"{_show(value)} looks like dd.mm.yyyy; write it as {year}-{int(month):02d}-{int(day):02d} (YYYY-MM-DD)"
    return f"{_show(value)} is not a date; expected YYYY-MM-DD (e.g. 2026-06-19)"
