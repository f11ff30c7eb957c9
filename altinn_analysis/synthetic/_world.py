"""The synthetic world's fixed frame: the inventory format it writes, its dates, the plan of one institution and
the seeded drawing helpers every table uses.

The enumerations are the inventory format's own (`altinn_analysis.inventory`) and the service ids and the day
Altinn 2 closed come from the DSOP catalogue (`data/dsop`), so generated data always validates against both.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Final

import numpy as np
import numpy.typing as npt
import polars as pl

from altinn_analysis.catalogue import FINANCE_ORG_FORMS, load_dsop
from altinn_analysis.inventory import GRANT_SOURCES

__all__ = [
    "ALTINN2_CLOSED",
    "AS_OF",
    "CONSENT_SCHEMA",
    "DELEGATION_SCHEMA",
    "DSOP_SERVICE_IDS",
    "INTEGRATION_SCHEMA",
    "ORG_FORMS",
    "SOURCES",
    "TABLES",
    "Plan",
    "Progress",
    "allocate",
    "date_series",
    "day_number",
    "seeded_rng",
    "uniform_days",
]

# -- the inventory format (DESIGN.md §5) -----------------------------------------------------------------

_DSOP: Final = load_dsop()
SOURCES: Final = GRANT_SOURCES
ORG_FORMS: Final = FINANCE_ORG_FORMS
# In the catalogue's order: the sector plan draws one number per service in this order.
DSOP_SERVICE_IDS: Final = tuple(_DSOP.service_ids)

# The columns the generator writes (Parquet; scopes as one space-separated string), a subset of the format's.
DELEGATION_SCHEMA: Final = pl.Schema(
    {
        "platform": pl.String,
        "holder_type": pl.String,
        "holder_id": pl.String,
        "grant_type": pl.String,
        "grant": pl.String,
        "granted_at": pl.Date,
        "source": pl.String,
    }
)
CONSENT_SCHEMA: Final = pl.Schema(
    {
        "platform": pl.String,
        "service": pl.String,
        "status": pl.String,
        "valid_from": pl.Date,
        "valid_to": pl.Date,
        "count": pl.Int64,
    }
)
INTEGRATION_SCHEMA: Final = pl.Schema(
    {
        "platform": pl.String,
        "kind": pl.String,
        "name": pl.String,
        "scopes": pl.String,
        "operated_by": pl.String,
        "status": pl.String,
        "last_used": pl.Date,
    }
)
TABLES: Final = ("delegations", "consents", "integrations")

# Today in this project's world: Altinn 2 is closed, so Altinn 2 consents valid after the close must be redone.
AS_OF: Final = date(2026, 11, 28)
ALTINN2_CLOSED: Final = _DSOP.milestone_date("altinn2-closed")

# (stage, done, total), as `refresh` reports it: the CLI turns it into a progress bar.
Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class Plan:
    """One institution as the sector plan decided it, before any of its rows are drawn."""

    index: int
    org_number: str
    name: str
    org_form: str
    institution_type: str
    services: tuple[str, ...]
    vendors: tuple[tuple[str, str, tuple[str, ...]], ...]  # (org_number, name, runs)
    progress: float  # 0 = nothing moved to Altinn 3, 1 = everything
    consents: int
    delegations: int


def day_number(d: date) -> int:
    return (d - date(1970, 1, 1)).days


def seeded_rng(seed: int, *key: int) -> np.random.Generator:
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence([seed, *key])))


def allocate(
    total: int, weights: npt.NDArray[np.float64], caps: npt.NDArray[np.int64] | None = None
) -> npt.NDArray[np.int64]:
    """Split `total` into integer parts proportional to `weights`, none above its cap (water-filling).

    Largest-remainder rounding, so the parts sum to `total` exactly, unless the caps together hold less.
    """
    limit = caps if caps is not None else np.full(len(weights), total, dtype=np.int64)
    parts = np.zeros(len(weights), dtype=np.int64)
    open_ = (weights > 0) & (limit > 0)
    remaining = total
    while remaining > 0 and open_.any():
        w = np.where(open_, weights, 0.0)
        exact = w / w.sum() * remaining
        share = np.floor(exact).astype(np.int64)
        short = remaining - int(share.sum())
        if short:
            order = np.argsort(-(exact - share), kind="stable")
            share[order[:short]] += 1
        take = np.minimum(share, limit - parts)
        parts += take
        remaining -= int(take.sum())
        open_ &= parts < limit
    return parts


def date_series(days: npt.NDArray[np.int64]) -> pl.Series:
    """Days since 1970-01-01 as a Date series; negative days become null."""
    series = pl.Series("d", days.astype(np.int32))
    return pl.select(pl.when(series >= 0).then(series).cast(pl.Date)).to_series()


def uniform_days(rng: np.random.Generator, n: int, lo: date, hi: date) -> npt.NDArray[np.int64]:
    """`n` days in [lo, hi), as days since 1970-01-01."""
    a, b = day_number(lo), day_number(hi)
    return a + np.floor(rng.random(n) * max(1, b - a)).astype(np.int64)
