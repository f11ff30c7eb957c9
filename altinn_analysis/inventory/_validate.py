"""Checks on an inventory's tables (pure: a `RawTable` in, normalised text and problems out), and the cast to
the typed tables.

Checks run as polars expressions over whole columns, so a table with a million rows costs about as many
passes as checks; checks of a text column's values (regular expressions, catalogue look-ups, identity-number
pre-filters) run on its distinct values, which are few in a real inventory. Each check reports at most `limit`
rows and then one line that counts the rest: a user fixing a systematic mistake needs the first few rows and
the count, not a million lines.
"""

from __future__ import annotations

import difflib
import re
import weakref
from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import Any, Protocol

import polars as pl

from altinn_analysis.checks import IDENTITY_PREFILTER, Problem, Severity, find_identity_numbers, org_number_problem
from altinn_analysis.checks import excerpt as _show
from altinn_analysis.inventory._profile import IDENTITY_MESSAGE
from altinn_analysis.inventory._schema import TABLE_SPECS, ColumnSpec
from altinn_analysis.secret_guard import CREDENTIAL_PREFILTER, credential_kind
from altinn_analysis.sources import ROW, RawTable

__all__ = ["DEFAULT_LIMIT", "CatalogueLookups", "TableCheck", "check_table", "to_typed"]

DEFAULT_LIMIT = 20
PACKAGE_URN_PREFIX = "urn:altinn:accesspackage:"
_SERVICE = r"^[0-9]+:[0-9]+$"
_SERVICE_LOOSE = r"^([0-9]+)\s*[:_/]\s*([0-9]+)$"
_ISO_DATE = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
_NORWEGIAN_DATE = r"^([0-9]{1,2})\.([0-9]{1,2})\.([0-9]{4})$"

# What exists on only one platform: a row saying otherwise is probably a mistake, but not certainly one.
_GRANT_ONLY_ON = {"access_package": "altinn3", "service": "altinn2"}
_HOLDER_ONLY_ON = {"enterprise_user": "altinn2", "system_user": "altinn3"}
_KIND_ONLY_ON = {
    "api_key": "altinn2",
    "enterprise_user": "altinn2",
    "system_user": "altinn3",
    "dialogporten": "altinn3",
}


class CatalogueLookups(Protocol):
    """The part of `altinn_analysis.catalogue.Catalogue` validation uses (tests may pass a stand-in)."""

    @property
    def variants(self) -> list[str]: ...

    def role(self, key: str) -> dict[str, Any] | None: ...

    def package(self, key: str) -> dict[str, Any] | None: ...

    def resource(self, identifier: str) -> dict[str, Any] | None: ...

    def resources_for_service(self, service: str, edition: str | int | None = None) -> pl.DataFrame: ...


@dataclass(frozen=True)
class TableCheck:
    """`frame`: the table's schema columns as normalised text (absent optional columns as nulls) plus `ROW`;
    a Parquet file's typed date and count columns stay typed (see `RawTable.source`)."""

    table: str
    file: str
    frame: pl.DataFrame
    problems: list[Problem]


# "Did you mean" hints only for short values: difflib is quadratic, and a long value is no typo.
_HINT_CHARS = 64


def _close(value: str, choices: Collection[str], cutoff: float = 0.6) -> list[str]:
    return difflib.get_close_matches(value, list(choices), n=1, cutoff=cutoff) if len(value) <= _HINT_CHARS else []


_Thunk = Callable[[], None]


class _Out:
    """Collects problems in check order. Row checks (`where`, `values`) are deferred: `finish` evaluates every
    condition on a frame in ONE vectorised pass (`any()` per condition), and only the checks that hit a row
    run again to list rows — Python only ever touches failing rows."""

    def __init__(self, file: str, limit: int) -> None:
        self.file = file
        self.limit = limit
        self.problems: list[Problem] = []
        self._pending: list[tuple[pl.DataFrame | None, pl.Expr | None, _Thunk]] = []
        self._distinct: dict[tuple[int, tuple[str, ...]], tuple[pl.DataFrame, pl.DataFrame]] = {}

    def distinct(self, frame: pl.DataFrame, columns: Collection[str]) -> pl.DataFrame:
        """The distinct rows of `frame[columns]`, computed once per frame (the frame is kept alive with them)."""
        key = (id(frame), tuple(sorted(columns)))
        if key not in self._distinct:
            self._distinct[key] = (frame, frame.select(key[1]).unique())
        return self._distinct[key][1]

    def seed(self, frame: pl.DataFrame, distinct: pl.DataFrame) -> None:
        """Distinct values already known: one list column per text column, one row (as `_distinct_texts`)."""
        for name in distinct.columns:
            self._distinct[(id(frame), (name,))] = (frame, distinct.select(pl.col(name).explode()))

    def matching(self, frame: pl.DataFrame, column: str, pattern: str) -> pl.Expr:
        """`pl.col(column).str.contains(pattern)`, with the regex run on the distinct values only."""
        values = self.distinct(frame, [column]).get_column(column)
        found = values.filter(values.str.contains(pattern).fill_null(False))
        col = pl.col(column)
        return pl.when(col.is_not_null()).then(col.is_in(found.implode(), nulls_equal=False))

    def add(self, row: int | None, column: str | None, message: str, severity: Severity = "error") -> None:
        self._pending.append((None, None, lambda: self._add(row, column, message, severity)))

    def _add(self, row: int | None, column: str | None, message: str, severity: Severity) -> None:
        self.problems.append(Problem(self.file, row, column, message, severity))

    def rows(
        self,
        hits: pl.DataFrame,
        column: str | None,
        message: str | Callable[[dict[str, Any]], str],
        label: str,
        severity: Severity = "error",
    ) -> None:
        """One problem per hit row (up to the limit), then one that counts the rest."""
        self._pending.append((None, None, lambda: self._rows(hits, column, message, label, severity)))

    def where(
        self,
        frame: pl.DataFrame,
        condition: pl.Expr,
        column: str | None,
        message: str | Callable[[dict[str, Any]], str],
        label: str,
        severity: Severity = "error",
    ) -> None:
        """`rows` for the rows of `frame` where `condition` holds, deferred to `finish`."""

        def run() -> None:
            self._rows(frame.filter(condition), column, message, label, severity)

        self._pending.append((frame, condition, run))

    def _rows(
        self,
        hits: pl.DataFrame,
        column: str | None,
        message: str | Callable[[dict[str, Any]], str],
        label: str,
        severity: Severity,
    ) -> None:
        for rec in hits.head(self.limit).iter_rows(named=True):
            self._add(rec[ROW], column, message if isinstance(message, str) else message(rec), severity)
        if hits.height > self.limit:
            self._add(None, column, f"{hits.height - self.limit} more rows: {label}", severity)

    def values(
        self,
        frame: pl.DataFrame,
        column: str,
        bad: Callable[[str], str | None],
        severity: Severity = "warning",
        where: pl.Expr | None = None,
    ) -> None:
        """One problem per distinct bad value among the rows `where` holds, on the first row that has it (`bad`
        returns the message). Deferred to `finish`."""
        condition = pl.col(column).is_not_null()
        if where is not None:
            condition = condition & where

        def run() -> None:
            # `bad` on the distinct values the condition selects (from the distinct combinations of the columns
            # it reads); the rows are searched only for the values it finds bad.
            roots = {column, *(where.meta.root_names() if where is not None else ())}
            combos = self.distinct(frame, roots).filter(condition).get_column(column).unique()
            suspects = [v for v in combos.to_list() if bad(v) is not None]
            if not suspects:
                return
            firsts = (
                frame.filter(condition & pl.col(column).is_in(pl.Series(suspects, dtype=pl.String).implode()))
                .group_by(column)
                .agg(pl.col(ROW).min().alias("first"), pl.len().alias("n"))
                .sort("first")
            )
            for value, first, n in firsts.iter_rows():
                message = bad(value)
                if message is not None:
                    self._add(first, column, message + (f" (in {n} rows)" if n > 1 else ""), severity)

        self._pending.append((None, None, run))

    def finish(self) -> list[Problem]:
        frames: dict[int, tuple[pl.DataFrame, list[int]]] = {}
        for index, (frame, condition, _) in enumerate(self._pending):
            if frame is not None and condition is not None:
                frames.setdefault(id(frame), (frame, []))[1].append(index)
        hit: set[int] = set()
        for frame, indices in frames.values():
            if frame.height == 0:
                continue
            exprs = [self._pending[i][1].fill_null(False).any().alias(f"c{i}") for i in indices]  # type: ignore[union-attr]
            flags = frame.select(exprs).row(0)
            hit.update(i for i, flag in zip(indices, flags, strict=True) if flag)
        for index, (frame, _, run) in enumerate(self._pending):
            if frame is None or index in hit:
                run()
        self._pending.clear()
        return self.problems


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


def _distinct_texts(raw: RawTable) -> pl.DataFrame:
    """One row: each text column's distinct values as a list (one hashing pass per column)."""
    texts = [n for n in raw.columns if raw.source.schema[n] == pl.String]
    return raw.source.select(pl.col(n).unique().implode() for n in texts)


def _normalise(raw: RawTable, distinct: pl.DataFrame) -> tuple[pl.DataFrame, set[str], set[str]]:
    """Text columns cleaned (`_cleaned`), service codes as `code:edition`; typed columns as they are. Also the
    text columns that cleaning changed, and the enumeration columns whose every value is allowed.

    Whether a column needs cleaning is decided on its distinct values (a few per column in a real inventory),
    so a clean column costs one hashing pass instead of several string passes."""
    spec = TABLE_SPECS[raw.table]
    known = set(spec.column_names)
    source = raw.source
    kinds = {n: spec.column(n).kind if n in known else "text" for n in raw.columns}
    strings = distinct.columns
    service_col = _SERVICE_COLUMN.get(raw.table)
    dirty: set[str] = set(strings)
    allowed: set[str] = set()
    if strings and source.height:
        flags = []
        for n in strings:
            values = pl.col(n).explode()
            clean = _cleaned(values, kinds[n])
            changed = clean.ne_missing(values).any()
            if n == service_col:
                changed |= (clean.str.contains(_SERVICE_LOOSE) & ~clean.str.contains(_SERVICE)).any()
            flags.append(changed.alias(n))
            if kinds[n] == "enum" and (options := spec.column(n).allowed):
                flags.append(clean.drop_nulls().is_in(list(options)).all().alias(f"{n} allowed"))
        found = distinct.select(flags).row(0, named=True)
        dirty = {n for n in strings if found[n]}
        allowed = {n for n in strings if found.get(f"{n} allowed")}
    frame = source.with_columns(_cleaned(pl.col(n), kinds[n]).alias(n) for n in strings if n in dirty)
    missing = [c.name for c in spec.columns if c.name not in frame.columns]
    frame = frame.with_columns(pl.lit(None, dtype=pl.String).alias(c) for c in missing)
    if service_col in dirty:
        col = pl.col(service_col)
        loose = col.str.contains(_SERVICE_LOOSE)
        if raw.table == "delegations" and "grant_type" in frame.columns:
            loose &= pl.col("grant_type") == "service"
        frame = frame.with_columns(
            pl.when(loose).then(col.str.replace(_SERVICE_LOOSE, "${1}:${2}")).otherwise(col).alias(service_col)
        )
    return frame, dirty, allowed


def _header(raw: RawTable, out: _Out) -> set[str]:
    """Missing required columns (errors) and unknown columns (warnings); returns the columns present."""
    spec = TABLE_SPECS[raw.table]
    present = set(raw.columns)
    extras = [c for c in raw.columns if c not in spec.column_names]
    names = [c for c in spec.column_names if c not in spec.required_columns]
    optional = f" (optional: {', '.join(names)})" if names else ""
    for name in spec.required_columns:
        if name not in present:
            hint = [e for e in extras if len(e) <= _HINT_CHARS]
            hint = difflib.get_close_matches(name, hint, n=1, cutoff=0.6)
            also = f" (is {hint[0]!r} meant to be {name!r}?)" if hint else ""
            out.add(
                raw.header_row,
                name,
                f"required column {name!r} is missing{also}; the header must name the columns "
                f"{', '.join(spec.required_columns)}{optional}",
            )
    for name in extras:
        hint = _close(name, spec.column_names, 0.6)
        also = f" (did you mean {hint[0]!r}?)" if hint else ""
        out.add(raw.header_row, name, f"unknown column {name!r} is ignored{also}", "warning")
    return present


def _identity_numbers(raw: RawTable, distinct: pl.DataFrame, out: _Out) -> None:
    """Identity numbers and credentials: a cheap vectorised pre-filter over every column at once, then the
    exact checks (check digits, a JWT header that decodes) in Python on the few cells left."""
    for name in raw.columns:
        if find_identity_numbers(name):  # a header cell is a cell too
            out.add(raw.header_row, None, f"the header {IDENTITY_MESSAGE}")
    # Typed columns are dates and numbers below 10**10 (see RawTable): never 11 digits in a row, never a token.
    texts = distinct.columns
    if not texts or raw.source.height == 0:
        return
    pattern = f"{IDENTITY_PREFILTER}|{CREDENTIAL_PREFILTER}"
    # The pre-filter on each column's distinct values first: a clean table never touches its rows.
    if not distinct.select(pl.any_horizontal(pl.col(c).explode().str.contains(pattern).any() for c in texts)).item():
        return
    suspects = raw.source.filter(pl.any_horizontal(pl.col(c).str.contains(pattern) for c in texts))
    if suspects.height == 0:
        return
    for name in texts:
        candidates = suspects.filter(pl.col(name).str.contains(pattern)).select(ROW, name)
        ids = [row for row, value in candidates.iter_rows() if find_identity_numbers(value)]
        out.rows(
            candidates.filter(pl.col(ROW).is_in(ids)),
            name,
            IDENTITY_MESSAGE,
            "hold what looks like a national identity number",
        )
        kinds = {row: kind for row, value in candidates.iter_rows() if (kind := credential_kind(value))}
        out.rows(
            candidates.filter(pl.col(ROW).is_in(list(kinds))),
            name,
            lambda r, kinds=kinds: (  # type: ignore[misc]
                f"holds what looks like a credential ({kinds[r[ROW]]}; not shown): an inventory never holds "
                "secrets, and this one would be copied into every report — remove it"
            ),
            "hold what looks like a credential",
        )


def _column(frame: pl.DataFrame, spec: ColumnSpec, out: _Out, all_allowed: bool = False) -> None:
    """The checks of one column's kind; `all_allowed`: an enumeration whose every distinct value is allowed."""
    name = spec.name
    col = pl.col(name)
    typed = frame.schema[name] != pl.String
    if spec.required:
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
                + "".join(f" (did you mean {m!r}?)" for m in _close(r[name], allowed))
            ),
            f"{name} not one of {', '.join(allowed)}",
        )
    elif spec.kind == "date" and not typed:  # a typed date is a valid date
        ok = col.str.contains(_ISO_DATE) & col.str.strptime(pl.Date, "%Y-%m-%d", strict=False).is_not_null()
        out.where(frame, present & ~ok, name, lambda r: _date_message(r[name]), "not a YYYY-MM-DD date")
    elif spec.kind == "count":
        number = col if typed else col.str.to_integer(strict=False)
        out.where(
            frame,
            present & number.is_null(),
            name,
            lambda r: f"{_show(r[name])} is not a whole number; expected a count of 1 or more",
            "not a whole number",
        )
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


def _date(frame: pl.DataFrame, name: str) -> pl.Expr:
    """A date column as dates: typed as it is, text parsed where it is YYYY-MM-DD (else null)."""
    col = pl.col(name)
    if frame.schema[name] != pl.String:
        return col
    return pl.when(col.str.contains(_ISO_DATE)).then(col.str.strptime(pl.Date, "%Y-%m-%d", strict=False))


def _date_message(value: str) -> str:
    if m := re.match(_NORWEGIAN_DATE, value):
        day, month, year = m.groups()
        return f"{_show(value)} looks like dd.mm.yyyy; write it as {year}-{int(month):02d}-{int(day):02d} (YYYY-MM-DD)"
    return f"{_show(value)} is not a date; expected YYYY-MM-DD (e.g. 2026-06-19)"


def _only_on(frame: pl.DataFrame, column: str, only_on: dict[str, str], what: str, out: _Out) -> None:
    for value, platform in only_on.items():
        other = "altinn3" if platform == "altinn2" else "altinn2"
        out.where(
            frame,
            (pl.col(column) == value) & (pl.col("platform") == other),
            "platform",
            f"{what} {value!r} exists only on {platform}, but the row says {other}",
            f"{what} {value!r} on {other}",
            "warning",
        )


# Catalogue answers by value, per catalogue object: each look-up filters the catalogue's tables (~1 ms), and a
# sector's folders are checked against one catalogue with the same few codes in each. Bounded: a hostile table
# of a million distinct codes only clears it.
_ANSWERS: weakref.WeakKeyDictionary[object, dict[tuple[str, str], Any]] = weakref.WeakKeyDictionary()
_MAX_ANSWERS = 10_000


def _ask(cat: CatalogueLookups, method: str, value: str) -> Any:
    """`cat.<method>(value)` (a DataFrame answer as its height), remembered for this catalogue object."""
    try:
        answers = _ANSWERS.setdefault(cat, {})
    except TypeError:  # a stand-in that cannot be weakly referenced: ask every time
        answers = {}
    key = (method, value)
    if key not in answers:
        if len(answers) >= _MAX_ANSWERS:
            answers.clear()
        answer = getattr(cat, method)(value)
        answers[key] = answer.height if isinstance(answer, pl.DataFrame) else answer
    return answers[key]


def _delegations(frame: pl.DataFrame, cat: CatalogueLookups | None, out: _Out) -> pl.DataFrame:
    grant_type, grant = pl.col("grant_type"), pl.col("grant")
    out.where(
        frame,
        (grant_type == "service") & grant.is_not_null() & ~out.matching(frame, "grant", _SERVICE),
        "grant",
        lambda r: f"{_show(r['grant'])} is not an Altinn 2 service; expected code:edition, e.g. 4804:210607",
        "service grant not code:edition",
    )
    _only_on(frame, "grant_type", _GRANT_ONLY_ON, "grant_type", out)
    _only_on(frame, "holder_type", _HOLDER_ONLY_ON, "holder_type", out)
    if cat is None:
        return frame

    def rows_of(kind: str) -> pl.DataFrame:
        return frame.filter((grant_type == kind) & grant.is_not_null())

    out.values(
        frame,
        "grant",
        lambda v: (
            None
            if _ask(cat, "role", v)
            else f"unknown role code {_show(v)}: the catalogue has no Altinn 2 or Altinn 3 role with that code" + _KEPT
        ),
        where=grant_type == "role",
    )
    out.values(
        frame,
        "grant",
        lambda v: (
            None
            if _ask(cat, "resources_for_service", v)
            else f"Altinn 2 service {v} is not in the catalogue's service map, so its Altinn 3 successor is unknown "
            "(kept: assess judges it from the DSOP catalogue where that documents the code, else as unknown)"
        ),
        where=(grant_type == "service") & out.matching(frame, "grant", _SERVICE),
    )
    out.values(
        frame,
        "grant",
        lambda v: (
            None
            if _ask(cat, "package", v)
            else f"unknown access package {_show(v)}: expected an urn like "
            f"{PACKAGE_URN_PREFIX}skattegrunnlag that the catalogue knows" + _KEPT
        ),
        where=grant_type == "access_package",
    )
    # A package given by its code (`skattegrunnlag`) is stored as its urn, as Altinn 3 names it.
    urns: dict[str, str] = {}
    for value in rows_of("access_package")["grant"].unique().to_list():
        found = _ask(cat, "package", value)
        if found and found.get("urn") and found["urn"] != value:
            urns[value] = str(found["urn"])
    if urns:
        frame = frame.with_columns(
            pl.when(grant_type == "access_package").then(grant.replace(urns)).otherwise(grant).alias("grant")
        )
    out.values(
        frame,
        "grant",
        lambda v: (
            None
            if _ask(cat, "resource", v)
            else f"unknown resource {_show(v)}: the Resource Registry snapshot has no resource with that id" + _KEPT
        ),
        where=grant_type == "resource",
    )
    return frame


# What happens to a row with a code the catalogue does not know: `assess` decides, not the validator.
_KEPT = " (kept: assess judges it from the DSOP catalogue where that documents the code, else as unknown)"


def _consents(frame: pl.DataFrame, cat: CatalogueLookups | None, out: _Out) -> None:
    platform, service = pl.col("platform"), pl.col("service")
    code_like = out.matching(frame, "service", _SERVICE)
    out.where(
        frame,
        (platform == "altinn2") & service.is_not_null() & ~code_like,
        "service",
        lambda r: f"{_show(r['service'])}: an Altinn 2 consent is for a service as code:edition, e.g. 4804:210607",
        "altinn2 consent service not code:edition",
    )
    out.where(
        frame,
        (platform == "altinn3") & code_like,
        "service",
        lambda r: (
            f"{r['service']} is an Altinn 2 service code; an Altinn 3 consent is for a consent resource id, "
            "e.g. ske-samtykke-sbl-inntekt"
        ),
        "altinn3 consent with an Altinn 2 service code",
    )
    out.where(
        frame,
        _date(frame, "valid_from") > _date(frame, "valid_to"),
        "valid_to",
        lambda r: f"valid_to {r['valid_to']} is before valid_from {r['valid_from']}",
        "valid_to before valid_from",
    )
    if cat is None:
        return
    out.values(
        frame,
        "service",
        lambda v: (
            None
            if _ask(cat, "resources_for_service", v)
            else f"Altinn 2 consent service {v} is not in the catalogue's service map, so its Altinn 3 consent "
            "resource is unknown" + _KEPT
        ),
        where=(platform == "altinn2") & code_like,
    )
    out.values(
        frame,
        "service",
        lambda v: (
            None
            if _ask(cat, "resource", v)
            else f"unknown resource {_show(v)}: the Resource Registry snapshot has no resource with that id" + _KEPT
        ),
        where=(platform == "altinn3") & ~code_like,
    )


def _integrations(
    frame: pl.DataFrame,
    vendors: Collection[str] | None,
    own_org_number: str | None,
    out: _Out,
    services: Collection[str] | None = None,
) -> None:
    _only_on(frame, "kind", _KIND_ONLY_ON, "kind", out)
    if services is not None and "services" in frame.columns:
        known = set(services)
        out.values(
            frame.filter(pl.col("services").is_not_null()),
            "services",
            lambda v: (
                None
                if not (bad := [s for s in re.findall(r"[^\s;,]+", v) if s not in known])
                else f"{', '.join(bad)}: not among the profile's dsop_services ({', '.join(sorted(known))})"
            ),
            "error",
        )
    if vendors is None:
        return
    operated_by = pl.col("operated_by")
    listed = set(vendors) | ({own_org_number} if own_org_number else set())
    out.values(
        frame,
        "operated_by",
        lambda v: (
            None
            if v in listed or org_number_problem(v) is not None
            else f"vendor {v} runs this integration but is not listed under vendors in profile.yaml"
        ),
        where=operated_by != "self",
    )


def _duplicates(frame: pl.DataFrame, out: _Out) -> None:
    # Exact duplicates are errors, not warnings: rows are counted (holders, consents), so a repeated row would be
    # counted twice, and dropping it silently would hide a broken export. An aggregate belongs in one row.
    columns = [c for c in frame.columns if c != ROW]
    if not columns or frame.height < 2:
        return
    # Distinct row hashes decide (one cheap pass: no duplicate if all differ); a hash collision only costs the
    # exact check, and the window that names each duplicate's first row runs only when there are duplicates.
    if frame.select(columns).hash_rows().n_unique() == frame.height:
        return
    if not frame.select(pl.struct(columns).is_duplicated().any()).item():
        return
    marked = frame.with_columns(pl.col(ROW).min().over(columns).alias("__first__"))
    out.rows(
        marked.filter(pl.col(ROW) != pl.col("__first__")),
        None,
        lambda r: (
            f"exact duplicate of row {r['__first__']}: rows are counted, so a repeated row would count twice; "
            "delete it (for consents, add the counts together in one row)"
        ),
        "exact duplicates of earlier rows",
    )


def check_table(
    raw: RawTable,
    *,
    catalogue: CatalogueLookups | None = None,
    vendors: Collection[str] | None = None,
    own_org_number: str | None = None,
    limit: int = DEFAULT_LIMIT,
    services: Collection[str] | None = None,
) -> TableCheck:
    """Every check on one table. `catalogue` None skips the catalogue look-ups, `vendors` None the vendor
    cross-check (for when profile.yaml could not be read)."""
    spec = TABLE_SPECS[raw.table]
    out = _Out(raw.file, limit)
    present = _header(raw, out)
    distinct = _distinct_texts(raw)
    _identity_numbers(raw, distinct, out)
    frame, dirty, all_allowed = _normalise(raw, distinct)
    out.seed(frame, distinct.select(c for c in distinct.columns if c not in dirty))
    for column in spec.columns:
        if column.name in present:
            _column(frame, column, out, column.name in all_allowed)
    if raw.table == "delegations":
        frame = _delegations(frame, catalogue, out)
    elif raw.table == "consents":
        _consents(frame, catalogue, out)
    elif raw.table == "integrations":
        _integrations(frame, vendors, own_org_number, out, services)
    _duplicates(frame, out)
    return TableCheck(raw.table, raw.file, frame.select(ROW, *spec.column_names), out.finish())


def to_typed(table: str, frame: pl.DataFrame) -> pl.DataFrame:
    """Normalised columns (from `check_table`, without errors) → the table's polars schema, in declared order."""
    exprs: list[pl.Expr] = []
    for spec in TABLE_SPECS[table].columns:
        col = pl.col(spec.name)
        typed = frame.schema[spec.name] != pl.String  # a typed Parquet date or count, already checked
        if spec.kind == "date" and not typed:
            col = col.str.strptime(pl.Date, "%Y-%m-%d", strict=False)
        elif spec.kind == "count" and not typed:
            col = col.str.to_integer(strict=False)
        elif spec.kind == "scopes":
            col = col.str.extract_all(r"[^\s;,]+")
        exprs.append(col.cast(spec.dtype).alias(spec.name))
    return frame.select(exprs)
