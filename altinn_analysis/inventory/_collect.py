"""`Collector`: the problems of one file's checks, in check order, with Python only on failing rows.

Row checks are deferred: `finish` evaluates every condition on a frame in ONE vectorised pass (`any()` per
condition), and only the checks that hit a row run again to list rows. Each check reports at most `limit` rows
and then one line that counts the rest: a user fixing a systematic mistake needs the first few rows and the count,
not a million lines.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection
from typing import Any

import polars as pl

from altinn_analysis.checks import Problem, Severity
from altinn_analysis.sources import ROW

__all__ = ["Collector"]

_Thunk = Callable[[], None]


class Collector:
    """The problems of one file (`add`, `rows`), and the deferred row checks (`where`, `values`) that `finish`
    runs."""

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
        """Distinct values already known: one list column per text column, one row (as `distinct_texts`)."""
        for name in distinct.columns:
            self._distinct[(id(frame), (name,))] = (frame, distinct.get_column(name).explode().to_frame())

    def matching(self, frame: pl.DataFrame, column: str, pattern: re.Pattern[str]) -> pl.Expr:
        """Whether each row's `column` matches `pattern` as a whole (null where it is null), with the regex run in
        Python on the distinct values only."""
        values = self.distinct(frame, [column]).get_column(column).to_list()
        found = pl.Series([v for v in values if v is not None and pattern.fullmatch(v)], dtype=pl.String)
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
