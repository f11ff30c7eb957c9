"""A deferred value check (`ValueCheck`: the rows where a condition holds, searched for values a Python function
rejects) and the expressions that find rows by their values (`one_of`, `same_as`); `Collector` decides the bad
values on the distinct combinations and reports them. For many institutions, every value check of a frame finds
each bad value's first row and count per institution in one query (`first_rows`).

The frame the checks see holds the rows of every institution checked together, each with its institution (`INST`).
"""

from __future__ import annotations

import functools
import operator
from collections.abc import Callable, Sequence
from typing import Any

import polars as pl

from altinn_analysis.checks import Severity
from altinn_analysis.sources import ROW

__all__ = ["INST", "MAX_COMPARISONS", "ValueCheck", "first_rows", "one_of", "present", "same_as"]

# The institution of a row in a frame checked for many institutions. Header names are normalised to [a-z0-9_]
# without a leading `_`, so a user's column can never be called this.
INST = "__inst__"

# Up to this many values, a set is tested by comparisons (~1 ms per 0.5 M short texts each) rather than a hashed
# look-up (~6 ms whatever its size).
MAX_COMPARISONS = 4


def one_of(column: str, values: Sequence[str], others: Sequence[str] | None = None) -> pl.Expr:
    """Whether `column` is one of `values` (null where it is null). `others`: every other value the column has
    in the rows it is evaluated on, where known; then the shorter list decides, as comparisons where few."""
    col = pl.col(column)
    if others is not None and len(others) < len(values):
        return ~one_of(column, others)
    if not values:
        return pl.when(col.is_not_null()).then(pl.lit(False))
    if len(values) <= MAX_COMPARISONS:
        return functools.reduce(operator.or_, (col == v for v in values))
    listed = pl.Series([list(values)], dtype=pl.List(pl.String))  # (as `implode` gives it, without a query)
    return pl.when(col.is_not_null()).then(col.is_in(listed, nulls_equal=False))


def present(column: str, where: pl.Expr | None) -> pl.Expr:
    condition = pl.col(column).is_not_null()
    return condition if where is None else condition & where


def same_as(combinations: Sequence[tuple[Any, ...]], columns: Sequence[str], schema: pl.Schema) -> pl.Expr:
    """Rows whose `columns` hold one of `combinations` (tuples in the order of `columns`; a null as null), by
    comparisons."""

    def equal(name: str, value: Any) -> pl.Expr:
        col = pl.col(name)
        return col.is_null() if value is None else col == pl.lit(value, dtype=schema[name])

    rows = [
        functools.reduce(operator.and_, (equal(n, v) for n, v in zip(columns, r, strict=True))) for r in combinations
    ]
    return functools.reduce(operator.or_, rows) if rows else pl.lit(False)


class ValueCheck:
    """A deferred `values` check: the rows of `frame` where `where` holds, searched for values `bad` rejects.
    `Collector.finish` fills in the candidate combinations (`rows`, by `roots`), the bad values (`suspects`), the
    values whose every row is a candidate (`whole`) and each bad value's first row and count: per institution
    (`found`: institution, value, first row, count) or, for one institution, in the frame's one pass (`firsts`)."""

    def __init__(
        self,
        frame: pl.DataFrame,
        column: str,
        bad: Callable[[int, str], str | None],
        severity: Severity,
        where: pl.Expr | None,
    ) -> None:
        self.frame, self.column, self.bad, self.severity = frame, column, bad, severity
        self.condition = present(column, where)
        self.roots = sorted({column, *(where.meta.root_names() if where is not None else ())})
        self.schema: pl.Schema | None = None
        self.rows: list[tuple[Any, ...]] = []
        self.suspects: list[str] = []
        # Values for which the condition holds on every combination that has them (so on every row that has them:
        # the combinations hold at least those of the rows): their rows are found by the value alone.
        self.whole: set[str] = set()
        self.firsts: list[tuple[str, int, int]] | None = None
        self.found: list[tuple[int, str, int, int]] | None = None

    def hits(self) -> list[tuple[Any, ...]]:
        at, chosen = self.roots.index(self.column), set(self.suspects)
        return [r for r in self.rows if r[at] in chosen]

    def same_as(self, value: str) -> pl.Expr:
        """The rows whose `roots` hold a combination found with `value` (comparisons only)."""
        if value in self.whole:
            return pl.col(self.column) == value
        at = self.roots.index(self.column)
        assert self.schema is not None
        return same_as([r for r in self.rows if r[at] == value], self.roots, self.schema)

    def mask(self, value: str) -> pl.Expr:
        """The rows this check finds `value` on: by its combinations where few, else the condition."""
        at = self.roots.index(self.column)
        if value in self.whole or sum(r[at] == value for r in self.rows) * len(self.roots) <= 2 * MAX_COMPARISONS:
            return self.same_as(value).fill_null(False)
        return self.condition.fill_null(False) & (pl.col(self.column) == value)

    def first_rows(self, big: bool) -> pl.LazyFrame:
        """Each bad value's first row and count per institution (`INST`, value, first, n), as a query. For many
        rows (`big`) where the candidate combinations are few, value by value by comparisons (then grouped by the
        institution alone); else the rows with a bad value (only the columns read: a value may be on many rows),
        the condition on those rows only where some value needs it, then grouped by institution and value."""
        first, n = pl.col(ROW).min().alias("first"), pl.len().alias("n")
        value = pl.col(self.column).alias("value")
        if big and len(self.suspects) <= MAX_COMPARISONS and len(self.hits()) * len(self.roots) <= 2 * MAX_COMPARISONS:
            parts = [
                self.frame.lazy()
                .filter(self.same_as(v))
                .group_by(INST)
                .agg(pl.lit(v, dtype=pl.String).alias("value"), first, n)
                for v in self.suspects
            ]
            return pl.concat(parts)
        hits = self.frame.lazy().filter(one_of(self.column, self.suspects))
        if not self.whole.issuperset(self.suspects):
            hits = hits.filter(self.condition)
        return hits.group_by(INST, value).agg(first, n).select(INST, "value", "first", "n")


def first_rows(checks: Sequence[ValueCheck], big: Sequence[bool]) -> None:
    """`ValueCheck.found` of each of `checks` (with suspects, on frames of many institutions; `big`: each frame
    has many rows) in one query: sorted by institution, then first row."""
    tagged = [
        check.first_rows(many).with_columns(pl.lit(k, dtype=pl.UInt32).alias("check"))
        for k, (check, many) in enumerate(zip(checks, big, strict=True))
    ]
    if not tagged:
        return
    found: list[list[tuple[int, str, int, int]]] = [[] for _ in checks]
    rows = pl.concat(tagged).sort("check", INST, "first").collect()
    for k, inst, value, first, n in rows.select("check", INST, "value", "first", "n").iter_rows():
        found[k].append((inst, value, first, n))
    for check, its in zip(checks, found, strict=True):
        check.found = its
