"""Checks on an inventory's tables (pure: a `RawTable` in, normalised text and problems out), and the cast to
the typed tables. This module holds each table's own rules (platforms, catalogue codes, vendors, duplicates) and
runs them after the checks every table gets (`_columns`), collecting problems in a `Collector`.

Checks run as polars expressions over whole columns, so a table with a million rows costs about as many
passes as checks; catalogue look-ups run on distinct values, which are few in a real inventory.
"""

from __future__ import annotations

import re
import weakref
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import polars as pl

from altinn_analysis.checks import Problem, org_number_problem
from altinn_analysis.checks import excerpt as _show
from altinn_analysis.inventory._collect import INST, Collector
from altinn_analysis.inventory._columns import (
    SERVICE_CODE_RE,
    as_date,
    check_column,
    check_header,
    check_identity_numbers,
    distinct_texts,
    normalise,
)
from altinn_analysis.inventory._duplicates import exact_duplicates
from altinn_analysis.inventory._schema import TABLE_SPECS
from altinn_analysis.sources import ROW, RawTable

__all__ = [
    "DEFAULT_LIMIT",
    "CatalogueLookups",
    "TableCheck",
    "TableContext",
    "check_table",
    "check_tables",
    "to_typed",
]

DEFAULT_LIMIT = 20
PACKAGE_URN_PREFIX = "urn:altinn:accesspackage:"

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
    typed: pl.DataFrame | None = None  # `to_typed(table, frame)` when asked for


def _only_on(frame: pl.DataFrame, column: str, only_on: dict[str, str], what: str, out: Collector) -> None:
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


def _delegations(frame: pl.DataFrame, cat: CatalogueLookups | None, out: Collector) -> pl.DataFrame:
    grant_type, grant = pl.col("grant_type"), pl.col("grant")
    out.where(
        frame,
        (grant_type == "service") & grant.is_not_null() & ~out.matching(frame, "grant", SERVICE_CODE_RE),
        "grant",
        lambda r: f"{_show(r['grant'])} is not an Altinn 2 service; expected code:edition, e.g. 4804:210607",
        "service grant not code:edition",
    )
    _only_on(frame, "grant_type", _GRANT_ONLY_ON, "grant_type", out)
    _only_on(frame, "holder_type", _HOLDER_ONLY_ON, "holder_type", out)
    if cat is None:
        return frame

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
        where=(grant_type == "service") & out.matching(frame, "grant", SERVICE_CODE_RE),
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
    # (at least) every grant given as an access package, from the combinations the checks above use
    combos = out.combinations(frame, ["grant", "grant_type"])
    pairs = zip(combos.get_column("grant").to_list(), combos.get_column("grant_type").to_list(), strict=True)
    for value in dict.fromkeys(g for g, t in pairs if t == "access_package" and g is not None):
        found = _ask(cat, "package", value)
        if found and found.get("urn") and found["urn"] != value:
            urns[value] = str(found["urn"])
    if urns:
        change = pl.when(grant_type == "access_package").then(grant.replace(urns)).otherwise(grant).alias("grant")
        replaced = frame.with_columns(change)
        out.carry(frame, replaced, {"grant": urns}, change)
        frame = replaced
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


def _consents(frame: pl.DataFrame, cat: CatalogueLookups | None, out: Collector) -> None:
    platform, service = pl.col("platform"), pl.col("service")
    code_like = out.matching(frame, "service", SERVICE_CODE_RE)
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
        as_date(frame, "valid_from", out) > as_date(frame, "valid_to", out),
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


def _integrations(frame: pl.DataFrame, contexts: Sequence[TableContext], out: Collector) -> None:
    _only_on(frame, "kind", _KIND_ONLY_ON, "kind", out)
    known = [None if c.services is None else set(c.services) for c in contexts]
    if any(k is not None for k in known) and "services" in frame.columns:

        def bad_services(inst: int, v: str) -> str | None:
            ids = known[inst]
            if ids is None or not (bad := [s for s in re.findall(r"[^\s;,]+", v) if s not in ids]):
                return None
            return f"{', '.join(bad)}: not among the profile's dsop_services ({', '.join(sorted(ids))})"

        out.values_each(frame, "services", bad_services, "error")  # (the rows with services: see `values_each`)
    listed = [
        None if c.vendors is None else set(c.vendors) | ({c.own_org_number} if c.own_org_number else set())
        for c in contexts
    ]
    if all(vendors is None for vendors in listed):
        return

    def bad_operator(inst: int, v: str) -> str | None:
        vendors = listed[inst]
        if vendors is None or v in vendors or org_number_problem(v) is not None:
            return None
        return f"vendor {v} runs this integration but is not listed under vendors in profile.yaml"

    out.values_each(frame, "operated_by", bad_operator, where=pl.col("operated_by") != "self")


@dataclass(frozen=True)
class TableContext:
    """What one institution's profile tells the checks of its tables (None where profile.yaml could not be read:
    the vendor and service cross-checks are skipped)."""

    vendors: Collection[str] | None = None
    own_org_number: str | None = None
    services: Collection[str] | None = None


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
    context = TableContext(vendors, own_org_number, services)
    return check_tables([raw], [context], catalogue=catalogue, limit=limit)[0]


def check_tables(
    raws: Sequence[RawTable],
    contexts: Sequence[TableContext],
    *,
    catalogue: CatalogueLookups | None = None,
    limit: int = DEFAULT_LIMIT,
    typed: bool = False,
) -> list[TableCheck]:
    """`check_table` for many institutions' tables (`contexts[i]` belongs to `raws[i]`), each result the same as
    checking that table alone. Tables of the same file name and layout are checked together, in one set of
    queries over their rows; `typed`: each result also holds `to_typed` of its frame (used where it has no
    error)."""
    groups: dict[tuple[Any, ...], list[int]] = {}
    for index, raw in enumerate(raws):
        key = (raw.table, raw.file, raw.header_row, tuple(raw.source.schema.items()))
        groups.setdefault(key, []).append(index)
    results: list[TableCheck | None] = [None] * len(raws)
    for indices in groups.values():
        members = [raws[i] for i in indices]
        checks = _check_group(members, [contexts[i] for i in indices], catalogue, limit, typed)
        for index, check in zip(indices, checks, strict=True):
            results[index] = check
    return [r for r in results if r is not None]


def _typed_or_none(table: str, frame: pl.DataFrame) -> pl.DataFrame | None:
    """`to_typed` of every institution's rows at once; None if the rows of one with errors cannot be cast (each
    valid institution is then cast on its own, as alone)."""
    try:
        return to_typed(table, frame)
    except (pl.exceptions.PolarsError, pl.exceptions.PanicException):
        return None


def _check_group(
    raws: Sequence[RawTable],
    contexts: Sequence[TableContext],
    catalogue: CatalogueLookups | None,
    limit: int,
    typed: bool,
) -> list[TableCheck]:
    first = raws[0]
    heights = [raw.source.height for raw in raws]
    # Each institution's rows with its number, in one frame of their chunks (one or a few a file), not copied
    # into one contiguous frame: the loaded tables are slices of this frame, so a copy would be a second copy of
    # every row, each page of it a page fault in a fresh process (130 generated folders: ~20 k faults, ~70 MiB
    # peak RSS); the checks on ~15 chunks a table cost the same CPU (benchmarks/results/bench_inventory.txt).
    parts = [
        raw.source.hstack([pl.Series(INST, [i], dtype=pl.UInt32).new_from_index(0, h)])
        for i, (raw, h) in enumerate(zip(raws, heights, strict=True))
    ]
    source = parts[0] if len(parts) == 1 else pl.concat(parts, how="vertical", rechunk=False)
    raw = RawTable(first.table, first.file, source, first.header_row, "")
    spec = TABLE_SPECS[raw.table]
    out = Collector(raw.file, limit, len(raws))
    present = check_header(raw, out)
    values, combinations = distinct_texts(raw)
    check_identity_numbers(raw, values, out)
    frame, dirty, all_allowed, cleaned = normalise(raw, values)
    clean = [c for c in combinations.columns if c not in dirty] if combinations is not None else []
    # combinations of the columns cleaning left as they were (a projection of exact combinations is exact)
    known = None
    if combinations is not None and len(clean) > 1:
        known = combinations if len(clean) == combinations.width else combinations.select(clean).unique()
    out.seed(
        frame, {c: cleaned[c] if c in dirty else v for c, v in values.items() if c not in dirty or c in cleaned}, known
    )
    for column in spec.columns:
        if column.name in present:
            check_column(frame, column, out, column.name in all_allowed)
    if raw.table == "delegations":
        frame = _delegations(frame, catalogue, out)
    elif raw.table == "consents":
        _consents(frame, catalogue, out)
    elif raw.table == "integrations":
        _integrations(frame, contexts, out)
    exact_duplicates(frame, heights, out)
    problems = out.finish()
    frame = _columns(frame, [ROW, *spec.column_names])
    whole = _typed_or_none(raw.table, frame) if typed else None
    results: list[TableCheck] = []
    offset = 0
    # The frame keeps the concatenation's order (every step adds or replaces columns), so each institution's rows
    # are one slice of it.
    for member, height, found in zip(raws, heights, problems, strict=True):
        part = whole.slice(offset, height) if whole is not None else None
        if part is not None and max(part.n_chunks("all"), default=1) > 1:
            part = part.rechunk()  # (a big file polars split: its table handed out in one piece, as alone)
        results.append(TableCheck(member.table, member.file, frame.slice(offset, height), found, part))
        offset += height
    return results


def to_typed(table: str, frame: pl.DataFrame) -> pl.DataFrame:
    """Normalised columns (from `check_table`, without errors) → the table's polars schema, in declared order."""
    exprs: dict[str, pl.Expr] = {}
    schema = frame.schema
    for spec in TABLE_SPECS[table].columns:
        col = pl.col(spec.name)
        typed = schema[spec.name] != pl.String  # a typed Parquet date or count, already checked
        if spec.kind == "date" and not typed:
            col = col.str.strptime(pl.Date, "%Y-%m-%d", strict=False)
        elif spec.kind == "count" and not typed:
            col = col.str.to_integer(strict=False)
        elif spec.kind == "scopes":
            col = col.str.extract_all(r"[^\s;,]+")
        elif schema[spec.name] == spec.dtype:
            continue  # already what it should be: taken as it is, below
        exprs[spec.name] = col.cast(spec.dtype).alias(spec.name)
    converted = frame.select(exprs.values()) if exprs else frame
    names = TABLE_SPECS[table].column_names
    return pl.DataFrame([(converted if n in exprs else frame).get_column(n) for n in names])


def _columns(frame: pl.DataFrame, names: Sequence[str]) -> pl.DataFrame:
    """`frame.select(names)` without a query."""
    return pl.DataFrame([frame.get_column(n) for n in names])
