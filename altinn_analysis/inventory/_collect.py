"""`Collector`: the problems of one file's checks, in check order, with Python only on failing rows — for one
institution's file or for the same file of many institutions at once.

The frame the checks see holds the rows of every institution checked together, each row with its institution
(`INST`, 0, 1, … in the order given): a check is one polars query over all of them, not one per institution, and
its problems are split by institution afterwards, each list exactly as checking that institution alone gives it.

Row checks are deferred: `finish` evaluates every condition on a frame in ONE vectorised pass (`any()` per
condition), and only the checks that hit a row run again to list rows. Each check reports at most `limit` rows
per institution and then one line that counts the rest: a user fixing a systematic mistake needs the first few
rows and the count, not a million lines.
"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Callable, Collection
from typing import Any

import polars as pl

from altinn_analysis.checks import Problem, Severity
from altinn_analysis.sources import ROW

__all__ = ["INST", "Collector"]

# The institution of a row in a frame checked for many institutions. Header names are normalised to [a-z0-9_]
# without a leading `_`, so a user's column can never be called this.
INST = "__inst__"

_Thunk = Callable[[], None]
# Combinations of distinct values tried instead of a pass over the rows (see `Collector._combinations`).
_MAX_COMBINATIONS = 4096
_MIN_ROWS_FOR_COMBINATIONS = 100_000  # below, one pass over the rows costs less than building the combinations
Message = str | Callable[[dict[str, Any]], str]


class Collector:
    """The problems of one file (`add`, `rows`) for each of `institutions` institutions, and the deferred row
    checks (`where`, `values`, `values_each`) that `finish` runs."""

    def __init__(self, file: str, limit: int, institutions: int = 1) -> None:
        self.file = file
        self.limit = limit
        self.problems: list[list[Problem]] = [[] for _ in range(institutions)]
        self._pending: list[tuple[pl.DataFrame | None, pl.Expr | None, _Thunk]] = []
        self._distinct: dict[tuple[int, tuple[str, ...]], tuple[pl.DataFrame, pl.DataFrame]] = {}

    def distinct(self, frame: pl.DataFrame, columns: Collection[str]) -> pl.DataFrame:
        """The distinct rows of `frame[columns]` (all institutions together), computed once per frame (the frame
        is kept alive with them)."""
        key = (id(frame), tuple(sorted(columns)))
        if key not in self._distinct:
            # group_by, not unique: the same rows, in about half the time on text columns
            self._distinct[key] = (
                frame,
                frame.group_by(key[1]).agg() if len(key[1]) > 1 else frame.select(key[1]).unique(),
            )
        return self._distinct[key][1]

    def _combinations(self, frame: pl.DataFrame, columns: Collection[str]) -> pl.DataFrame:
        """At least the distinct rows of `frame[columns]`: for many rows, every combination of each column's
        distinct values where there are few (no pass over the rows), else the distinct rows themselves. A
        combination that no row has is harmless where the rows are searched afterwards."""
        if len(columns) > 1 and frame.height >= _MIN_ROWS_FOR_COMBINATIONS:
            names = sorted(columns)
            each = [self.distinct(frame, [c]).get_column(c).to_list() for c in names]
            if math.prod(len(values) for values in each) <= _MAX_COMBINATIONS:
                schema = {c: frame.schema[c] for c in names}
                return pl.DataFrame(list(itertools.product(*each)), schema=schema, orient="row")
        return self.distinct(frame, columns)

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
        """A problem every institution's file has (its header: the institutions checked together share it)."""

        def run() -> None:
            for problems in self.problems:
                problems.append(Problem(self.file, row, column, message, severity))

        self._pending.append((None, None, run))

    def rows(
        self, hits: pl.DataFrame, column: str | None, message: Message, label: str, severity: Severity = "error"
    ) -> None:
        """One problem per hit row (with `INST`; up to the limit per institution), then one that counts the rest."""
        self._pending.append((None, None, lambda: self._rows(hits, column, message, label, severity)))

    def where(
        self,
        frame: pl.DataFrame,
        condition: pl.Expr,
        column: str | None,
        message: Message,
        label: str,
        severity: Severity = "error",
    ) -> None:
        """`rows` for the rows of `frame` where `condition` holds, deferred to `finish`."""

        def run() -> None:
            self._rows(frame.filter(condition), column, message, label, severity)

        self._pending.append((frame, condition, run))

    def _rows(self, hits: pl.DataFrame, column: str | None, message: Message, label: str, severity: Severity) -> None:
        if hits.height == 0:
            return
        # Hits keep the frame's order: institution by institution, each in row order.
        counts = hits.group_by(INST, maintain_order=True).len()
        most = int(counts.get_column("len").max())  # type: ignore[arg-type]
        shown = hits if most <= self.limit else hits.group_by(INST, maintain_order=True).head(self.limit)
        for rec in shown.iter_rows(named=True):
            text = message if isinstance(message, str) else message(rec)
            self.problems[rec[INST]].append(Problem(self.file, rec[ROW], column, text, severity))
        for inst, n in counts.iter_rows():
            if n > self.limit:
                self.problems[inst].append(
                    Problem(self.file, None, column, f"{n - self.limit} more rows: {label}", severity)
                )

    def values(
        self,
        frame: pl.DataFrame,
        column: str,
        bad: Callable[[str], str | None],
        severity: Severity = "warning",
        where: pl.Expr | None = None,
    ) -> None:
        """One problem per distinct bad value among the rows `where` holds, on the first row that has it in each
        institution (`bad` returns the message). Deferred to `finish`."""
        condition = _present(column, where)

        def run() -> None:
            # `bad` on the distinct values the condition may select (from the combinations of the columns it
            # reads); the rows are searched only for the values it finds bad, and only those rows are tested.
            roots = {column, *(where.meta.root_names() if where is not None else ())}
            combos = self._combinations(frame, roots).filter(condition).get_column(column).unique()
            suspects = [v for v in combos.to_list() if bad(v) is not None]
            if suspects:
                # One query: the rows with a suspect value (only the columns read: a value may be on many rows),
                # then the condition on those rows only, then each value's first row per institution.
                suspect = pl.col(column).is_in(pl.Series(suspects, dtype=pl.String).implode())
                self._firsts(frame.lazy().filter(suspect).filter(condition), column, lambda _, v: bad(v), severity)

        self._pending.append((None, None, run))

    def values_each(
        self,
        frame: pl.DataFrame,
        column: str,
        bad: Callable[[int, str], str | None],
        severity: Severity = "warning",
        where: pl.Expr | None = None,
    ) -> None:
        """`values` where what is bad depends on the institution: `bad(institution, value)`."""
        condition = _present(column, where)

        def run() -> None:
            roots = {column, *(where.meta.root_names() if where is not None else ())}
            narrow = frame.select(INST, ROW, *roots).filter(condition)
            pairs = narrow.select(INST, column).unique()
            suspects = [(i, v) for i, v in pairs.iter_rows() if bad(i, v) is not None]
            if suspects:
                keys = pl.DataFrame(suspects, schema={INST: frame.schema[INST], column: pl.String}, orient="row")
                self._firsts(narrow.lazy().join(keys.lazy(), on=[INST, column], how="semi"), column, bad, severity)

        self._pending.append((None, None, run))

    def _firsts(
        self, hits: pl.LazyFrame, column: str, bad: Callable[[int, str], str | None], severity: Severity
    ) -> None:
        first = pl.col(ROW).min().alias("first")
        firsts = hits.group_by(INST, column).agg(first, pl.len().alias("n")).sort(INST, "first").collect()
        for inst, value, first, n in firsts.iter_rows():
            message = bad(inst, value)
            if message is not None:
                text = message + (f" (in {n} rows)" if n > 1 else "")
                self.problems[inst].append(Problem(self.file, first, column, text, severity))

    def finish(self) -> list[list[Problem]]:
        """Run every deferred check; each institution's problems, in check order."""
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


def _present(column: str, where: pl.Expr | None) -> pl.Expr:
    condition = pl.col(column).is_not_null()
    return condition if where is None else condition & where
