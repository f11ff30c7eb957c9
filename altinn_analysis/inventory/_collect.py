"""`Collector`: the problems of one file's checks, in check order, with Python only on failing rows — for one
institution's file or for the same file of many institutions at once.

The frame the checks see holds the rows of every institution checked together, each row with its institution
(`INST`, 0, 1, … in the order given): a check is one polars query over all of them, not one per institution, and
its problems are split by institution afterwards, each list exactly as checking that institution alone gives it.

Row checks are deferred: `finish` evaluates every condition on a frame in ONE vectorised pass (`any()` per
condition), and only the checks that hit a row run again to list rows. A condition on text columns is first tried
on the distinct combinations of their values (`seed`, `combinations`): false on all of them, it needs no pass at
all. Value checks (`values`: bad values found in Python on the distinct values, `_value_check`) report each bad
value on its first row, with its count. Each check reports at most `limit` rows per institution and then one line
that counts the rest: a user fixing a systematic mistake needs the first few rows and the count, not a million
lines.
"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Callable, Collection, Iterable
from typing import Any

import polars as pl

from altinn_analysis.checks import Problem, Severity
from altinn_analysis.inventory._value_check import INST, ValueCheck, first_rows, one_of, present
from altinn_analysis.sources import ROW

__all__ = ["INST", "Collector", "one_of"]

_Thunk = Callable[[], None]
# Combinations of distinct values tried instead of a pass over the rows (see `Collector.combinations`).
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
        self._values: dict[int, ValueCheck] = {}  # by index in `_pending`
        # Per frame: the distinct combinations of some of its columns, known exactly (`seed`).
        self._known: dict[int, tuple[pl.DataFrame, pl.DataFrame]] = {}
        # Per frame and column: distinct values known as a Python list (`seed`; a frame made of one only if asked).
        self._lists: dict[tuple[int, str], tuple[pl.DataFrame, list[Any]]] = {}
        self._memo: dict[tuple[int, Any], tuple[pl.DataFrame, Any]] = {}

    def distinct(self, frame: pl.DataFrame, columns: Collection[str]) -> pl.DataFrame:
        """The distinct rows of `frame[columns]` (all institutions together), computed once per frame (the frame
        is kept alive with them)."""
        key = (id(frame), tuple(sorted(columns)))
        if key not in self._distinct and len(key[1]) == 1 and (id(frame), key[1][0]) in self._lists:
            (name,) = key[1]
            values = self._lists[(id(frame), name)][1]
            self._distinct[key] = (frame, pl.DataFrame({name: values}, schema={name: frame.schema[name]}))
        known = self._exact(frame, columns)
        if key not in self._distinct and known is not None:  # from the combinations known: no pass over the rows
            at = [known.columns.index(c) for c in key[1]]
            rows = dict.fromkeys(tuple(r[i] for i in at) for r in known.iter_rows())  # (few: in Python)
            schema = {c: known.schema[c] for c in key[1]}
            self._distinct[key] = (frame, pl.DataFrame(list(rows), schema=schema, orient="row"))
        if key not in self._distinct:
            # group_by, not unique: the same rows, in about half the time on text columns; the columns selected
            # first (a group by on the whole frame carries every column)
            names = list(key[1])
            self._distinct[key] = (
                frame,
                frame.lazy().select(names).group_by(names).agg().collect()
                if len(names) > 1
                else frame.select(names).unique(),
            )
        return self._distinct[key][1]

    def distinct_values(self, frame: pl.DataFrame, column: str) -> list[Any]:
        """`distinct(frame, [column])` as a Python list."""
        key = (id(frame), column)
        if key not in self._lists:
            self._lists[key] = (frame, self.distinct(frame, [column]).get_column(column).to_list())
        return self._lists[key][1]

    def memo(self, frame: pl.DataFrame, key: Any, make: Callable[[], Any]) -> Any:
        """`make()`, once per frame and key (something derived from the frame, such as a column's parsed dates)."""
        if (id(frame), key) not in self._memo:
            self._memo[(id(frame), key)] = (frame, make())
        return self._memo[(id(frame), key)][1]

    def _exact(self, frame: pl.DataFrame, columns: Collection[str]) -> pl.DataFrame | None:
        """The known combinations of `frame` if they cover `columns`."""
        known = self._known.get(id(frame))
        return known[1] if known is not None and set(columns) <= set(known[1].columns) else None

    def combinations(self, frame: pl.DataFrame, columns: Collection[str]) -> pl.DataFrame:
        """At least the distinct rows of `frame[columns]`: for many rows, every combination of each column's
        distinct values where there are few (no pass over the rows), else the distinct rows themselves. A
        combination that no row has is harmless where the rows are searched afterwards."""
        if len(columns) > 1 and self._exact(frame, columns) is None and frame.height >= _MIN_ROWS_FOR_COMBINATIONS:
            names = sorted(columns)
            each = [self.distinct_values(frame, c) for c in names]
            if math.prod(len(values) for values in each) <= _MAX_COMBINATIONS:
                schema = {c: frame.schema[c] for c in names}
                return pl.DataFrame(list(itertools.product(*each)), schema=schema, orient="row")
        return self.distinct(frame, columns)

    def _possible(self, frame: pl.DataFrame, indices: list[int]) -> list[int]:
        """The deferred row checks of `frame` (`indices`) that may hit a row. For many rows, a condition on
        columns whose distinct values are known and few (text columns: `seed`) is first tried on every combination
        of those values, in one small query per set of columns: false on all of them, it is false on every row
        (conditions are row by row), and its pass over the rows is saved."""
        if frame.height < _MIN_ROWS_FOR_COMBINATIONS:
            return indices
        by_columns: dict[tuple[str, ...], list[int]] = {}
        left: list[int] = []
        for index in indices:
            condition = self._pending[index][1]
            assert condition is not None
            names = tuple(sorted(set(condition.meta.root_names())))
            sizes = [len(self._lists[(id(frame), n)][1]) for n in names if (id(frame), n) in self._lists]
            sizes += [
                self._distinct[(id(frame), (n,))][1].height
                for n in names
                if (id(frame), n) not in self._lists and (id(frame), (n,)) in self._distinct
            ]
            few = len(sizes) == len(names) and math.prod(sizes) <= _MAX_COMBINATIONS
            if names and (few or self._exact(frame, names) is not None):
                by_columns.setdefault(names, []).append(index)
            else:
                left.append(index)
        for names, group in by_columns.items():
            combos = self.combinations(frame, names)
            exprs = [self._pending[i][1].fill_null(False).any().alias(f"c{i}") for i in group]  # type: ignore[union-attr]
            flags = combos.select(exprs).row(0)
            left.extend(i for i, flag in zip(group, flags, strict=True) if flag)
        return sorted(left)

    def seed(
        self,
        frame: pl.DataFrame,
        distinct: dict[str, list[str | None]],
        combinations: pl.DataFrame | None = None,
    ) -> None:
        """Distinct values already known, by text column (as `distinct_texts` gives them, in Python), and the
        distinct combinations of some columns where known (every one the rows have, no other)."""
        for name, values in distinct.items():
            self._lists[(id(frame), name)] = (frame, values)
        if combinations is not None and combinations.width > 1:
            self._known[id(frame)] = (frame, combinations)

    def carry(self, old: pl.DataFrame, new: pl.DataFrame, changed: dict[str, dict[str, str]], change: pl.Expr) -> None:
        """`new` is `old` with some values of some columns replaced (`changed[column]`: old value → new; `change`
        the expression that did it): the distinct values known for `old` serve `new`, the replaced ones with their
        replacements added (a value replaced on only some rows stays listed: at least the distinct values, as
        `combinations` allows); the known combinations, where they hold every column `change` reads, changed."""
        known = self._exact(old, change.meta.root_names())
        if known is not None:
            self._known[id(new)] = (new, known.with_columns(change).unique())
        for (key, names), (_, values) in list(self._distinct.items()):
            if key == id(old) and len(names) == 1 and (key, names[0]) not in self._lists:
                self._lists[(key, names[0])] = (old, values.get_column(names[0]).to_list())
        for (key, name), (_, listed) in list(self._lists.items()):
            if key == id(old):
                extra = list(changed[name].values()) if name in changed else []
                self._lists[(id(new), name)] = (new, list(dict.fromkeys([*listed, *extra])))

    def matching(self, frame: pl.DataFrame, column: str, pattern: re.Pattern[str]) -> pl.Expr:
        """Whether each row's `column` matches `pattern` as a whole (null where it is null), with the regex run in
        Python on the distinct values only. For the rows of `frame` (or of a frame with no other values there)."""
        values = [v for v in self.distinct_values(frame, column) if v is not None]
        found = [v for v in values if pattern.fullmatch(v)]
        return one_of(column, found, [v for v in values if not pattern.fullmatch(v)])

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
        self._defer(ValueCheck(frame, column, lambda _, v: bad(v), severity, where))

    def values_each(
        self,
        frame: pl.DataFrame,
        column: str,
        bad: Callable[[int, str], str | None],
        severity: Severity = "warning",
        where: pl.Expr | None = None,
    ) -> None:
        """`values` where what is bad depends on the institution: `bad(institution, value)`."""
        if frame.get_column(column).null_count() == frame.height:  # (an optional column left out): no value
            return
        if len(self.problems) == 1:  # one institution: the same as `values`, on the distinct values
            self._defer(ValueCheck(frame, column, bad, severity, where))
            return
        condition = present(column, where)

        def run() -> None:
            roots = {column, *(where.meta.root_names() if where is not None else ())}
            narrow = frame.lazy().select(INST, ROW, *roots).filter(condition)
            pairs = narrow.select(INST, column).unique().collect()
            suspects = [(i, v) for i, v in pairs.iter_rows() if bad(i, v) is not None]
            if suspects:
                keys = pl.DataFrame(suspects, schema={INST: frame.schema[INST], column: pl.String}, orient="row")
                self._firsts(narrow.join(keys.lazy(), on=[INST, column], how="semi"), column, bad, severity)

        self._pending.append((None, None, run))

    def _defer(self, check: ValueCheck) -> None:
        if check.frame.get_column(check.column).null_count() == check.frame.height:  # no value to check
            return
        self._values[len(self._pending)] = check
        self._pending.append((None, None, lambda: self._run_values(check)))

    def _on_combinations(self, checks: Iterable[ValueCheck], rows: dict[int, list[int]]) -> set[int]:
        """What is decided on combinations, without the rows. Each value check's candidate combinations and bad
        values (`ValueCheck.rows`, `.suspects`); and of the row checks (`rows`: their indices by frame), those
        whose columns the frame's known combinations cover are decided there: one that holds on a combination
        holds on a row that has it (returned), one that holds on none holds on no row. Returns the row checks that
        hit; the ones decided are taken out of `rows`. One small query per set of combinations, `bad` in Python."""
        groups: dict[int, tuple[pl.DataFrame, list[ValueCheck], list[int]]] = {}
        for check in checks:
            # the combinations known exactly where they cover the check's columns (shared by the checks on them)
            known = self._exact(check.frame, check.roots)
            combos = known if known is not None else self.combinations(check.frame, check.roots)
            groups.setdefault(id(combos), (combos, [], []))[1].append(check)
        for indices in rows.values():
            frame = self._pending[indices[0]][0]
            assert frame is not None
            if frame.height == 0:
                continue
            for index in list(indices):
                condition = self._pending[index][1]
                assert condition is not None
                known = self._exact(frame, condition.meta.root_names())
                if known is not None and known.height:
                    groups.setdefault(id(known), (known, [], []))[2].append(index)
                    indices.remove(index)
        hit: set[int] = set()
        for combos, group, decided in groups.values():
            exprs = [c.condition.fill_null(False).alias(f"v{k}") for k, c in enumerate(group)]
            exprs += [self._pending[i][1].fill_null(False).any().alias(f"c{i}") for i in decided]  # type: ignore[union-attr]
            held = combos.select(exprs)  # (the row checks' answers broadcast beside the value checks' flags)
            hit.update(i for i in decided if held.get_column(f"c{i}")[0])
            each = list(zip(*(combos.get_column(c).to_list() for c in combos.columns), strict=True))
            for check, flags in zip(group, held.iter_columns(), strict=False):
                at = [combos.columns.index(c) for c in check.roots]
                check.schema = combos.schema
                held_on = flags.to_list()
                found = (tuple(r[i] for i in at) for r, h in zip(each, held_on, strict=True) if h)
                check.rows = list(dict.fromkeys(found))
                at_column = check.roots.index(check.column)
                values = dict.fromkeys(r[at_column] for r in check.rows)
                check.suspects = [v for v in values if check.bad(0, v) is not None]
                # (the combinations hold at least every row's: a value the condition holds with on each of them
                # is found by the value alone)
                column_at = combos.columns.index(check.column)
                missed = {r[column_at] for r, h in zip(each, held_on, strict=True) if not h}
                check.whole = {v for v in check.suspects if v not in missed}
        return hit

    def _run_values(self, check: ValueCheck) -> None:
        if check.firsts is not None:  # one institution: found in the frame's one pass (`finish`)
            for value, first, n in sorted(check.firsts, key=lambda f: f[1]):
                self._report(0, value, first, n, check.column, check.bad, check.severity)
            return
        for inst, value, first, n in check.found or []:  # many: found in one query per `finish`
            self._report(inst, value, first, n, check.column, check.bad, check.severity)

    def _firsts(
        self, hits: pl.LazyFrame, column: str, bad: Callable[[int, str], str | None], severity: Severity
    ) -> None:
        first = pl.col(ROW).min().alias("first")
        self._report_firsts(hits.group_by(INST, column).agg(first, pl.len().alias("n")), column, bad, severity)

    def _report_firsts(
        self, firsts: pl.LazyFrame, column: str, bad: Callable[[int, str], str | None], severity: Severity
    ) -> None:
        for inst, value, first, n in firsts.sort(INST, "first").collect().iter_rows():
            self._report(inst, value, first, n, column, bad, severity)

    def _report(
        self,
        inst: int,
        value: str,
        first: int,
        n: int,
        column: str,
        bad: Callable[[int, str], str | None],
        severity: Severity,
    ) -> None:
        """One problem for a bad value on its first row, with how many rows have it."""
        message = bad(inst, value)
        if message is not None:
            text = message + (f" (in {n} rows)" if n > 1 else "")
            self.problems[inst].append(Problem(self.file, first, column, text, severity))

    def finish(self) -> list[list[Problem]]:
        """Run every deferred check; each institution's problems, in check order.

        The bad values of every value check, and the row conditions on columns whose combinations are known, are
        decided first on those combinations (`_on_combinations`); then each frame gets ONE query: whether each row
        condition left holds anywhere and, for one institution, each bad value's first row and count. Only the row
        checks that hit go back to the rows to list them."""
        frames: dict[int, tuple[pl.DataFrame, list[int], list[ValueCheck]]] = {}
        for index, (frame, condition, _) in enumerate(self._pending):
            if frame is not None and condition is not None:
                frames.setdefault(id(frame), (frame, [], []))[1].append(index)
        hit = self._on_combinations(self._values.values(), {key: entry[1] for key, entry in frames.items()})
        if len(self.problems) > 1:  # each bad value's first row per institution: one query for them all
            suspected = [check for check in self._values.values() if check.suspects]
            first_rows(suspected, [c.frame.height >= _MIN_ROWS_FOR_COMBINATIONS for c in suspected])
        else:
            for check in self._values.values():
                if check.suspects:
                    frames.setdefault(id(check.frame), (check.frame, [], []))[2].append(check)
        for frame, indices, checks in frames.values():
            if frame.height == 0:
                continue
            indices = self._possible(frame, indices) if indices else indices
            exprs = [self._pending[i][1].fill_null(False).any().alias(f"c{i}") for i in indices]  # type: ignore[union-attr]
            for k, check in enumerate(checks):
                for j, value in enumerate(check.suspects):
                    mask = check.mask(value)
                    exprs.append(mask.sum().alias(f"n{k}_{j}"))
                    exprs.append(pl.col(ROW).filter(mask).min().alias(f"f{k}_{j}"))
            if not exprs:
                continue
            found = frame.select(exprs).row(0, named=True)
            hit.update(i for i in indices if found[f"c{i}"])
            for k, check in enumerate(checks):
                counts = [(v, found[f"f{k}_{j}"], found[f"n{k}_{j}"]) for j, v in enumerate(check.suspects)]
                check.firsts = [(v, first, n) for v, first, n in counts if n]
        for index, (frame, _, run) in enumerate(self._pending):
            if frame is None or index in hit:
                run()
        self._pending.clear()
        self._values.clear()
        return self.problems
