"""Exact duplicate rows: each institution's rows that repeat an earlier row of its own, found by row hashes first
(a sector's chunk: their upper 32 bits sorted in numpy; a few institutions: polars) and checked exactly only where
a hash repeats."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import polars as pl

from altinn_analysis.inventory._collect import INST, Collector
from altinn_analysis.sources import ROW

__all__ = ["exact_duplicates"]


def exact_duplicates(frame: pl.DataFrame, heights: Sequence[int], out: Collector) -> None:
    # Exact duplicates are errors, not warnings: rows are counted (holders, consents), so a repeated row would be
    # counted twice, and dropping it silently would hide a broken export. An aggregate belongs in one row.
    # A column empty on every row (an optional one left out: see `normalise`) tells no two rows apart: left out
    # of the keys, unless every column is (then one stands for all).
    columns = [c for c in frame.columns if c not in (ROW, INST)]
    columns = [c for c in columns if frame.get_column(c).null_count() < frame.height] or columns[:1]
    if not columns or frame.height < 2:
        return
    # Row hashes decide: no duplicate in an institution if none of its row hashes repeats (a row is a duplicate
    # only within its own institution, whose rows are one slice of the frame: `heights`). Only the rows whose hash
    # repeats are checked exactly (rows with the same values have the same hash; a collision only costs that
    # check), and the window that names each duplicate's first row runs on those alone. No query on the whole
    # frame: its chunks as read would be copied.
    keys = [*columns] if len(heights) == 1 else [INST, *columns]
    suspects = [
        frame.slice(offset, height).filter(pl.Series(rows))
        for offset, height, rows in _repeats(pl.DataFrame([frame.get_column(c) for c in columns]).hash_rows(), heights)
    ]
    if not suspects:
        return
    candidates = suspects[0] if len(suspects) == 1 else pl.concat(suspects)
    candidates = candidates.filter(pl.struct(keys).is_duplicated())
    if candidates.is_empty():
        return
    marked = candidates.with_columns(pl.col(ROW).min().over(keys).alias("__first__"))
    out.rows(
        marked.filter(pl.col(ROW) != pl.col("__first__")),
        None,
        lambda r: (
            f"exact duplicate of row {r['__first__']}: rows are counted, so a repeated row would count twice; "
            "delete it (for consents, add the counts together in one row)"
        ),
        "exact duplicates of earlier rows",
    )


# From this many rows on, `_repeats` sorts the hashes in numpy (a sector's chunk); below, polars finds repeats.
_NUMPY_ROWS = 200_000


def _repeats(hashes: pl.Series, heights: Sequence[int]) -> list[tuple[int, int, Any]]:
    """For each institution whose slice of `hashes` (UInt64, no nulls; institution i's rows the `heights[i]`
    after those of the ones before it) has a value twice: its slice's offset, height and which of its rows
    (booleans) have a value that repeats. Only the hashes' upper 32 bits are sorted, one institution's at a
    time (numpy): half the bytes of a 64-bit sort, in a slice that stays in the caches. Among one institution's
    40,000 rows two equal 32-bit values by chance are rare (about 1 in 5); their rows are then checked exactly."""
    found: list[tuple[int, int, Any]] = []
    offset = 0
    if hashes.len() < _NUMPY_ROWS:
        # A few institutions (`assess`, `validate` or a report of one): polars alone, on the whole hashes, for
        # numpy's import (~50 ms and its thread pool's start) costs more than the sort saves here.
        for height in heights:
            own = hashes.slice(offset, height)
            if height > 1 and own.n_unique() < height:
                found.append((offset, height, own.is_duplicated()))
            offset += height
        return found
    import numpy as np  # (only where many tables are checked: numpy comes with pyarrow and polars' conversions)

    upper = (hashes.to_numpy() >> np.uint64(32)).astype(np.uint32)
    for height in heights:
        part = upper[offset : offset + height]
        if height > 1:
            ordered = np.sort(part)
            same = ordered[1:] == ordered[:-1]
            if same.any():
                found.append((offset, height, np.isin(part, ordered[1:][same])))
        offset += height
    return found
