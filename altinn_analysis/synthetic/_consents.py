"""Consent aggregates of one synthetic institution: every row a distinct (service, platform, status, validity).

Altinn 2 consents run from the start of the kept history to the day Altinn 2 closed; services with a known Altinn 3
consent resource move there in proportion to the institution's progress.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Final

import numpy as np
import numpy.typing as npt
import polars as pl

from altinn_analysis.inventory import CONSENT_STATUSES, PLATFORMS
from altinn_analysis.synthetic._world import (
    ALTINN2_CLOSED,
    CONSENT_SCHEMA,
    Plan,
    allocate,
    date_series,
    day_number,
)

__all__ = ["CONSENT_DSOP", "CONSENT_SERVICES", "consent_blocks", "consent_rows"]

_A3_CONSENT_OPEN: Final = date(2025, 12, 1)  # first Altinn 3 consents (pilot) in the synthetic world
_HISTORY_START: Final = date(2022, 6, 1)  # consent rows kept in the records since edition 210607 of SBL


@dataclass(frozen=True)
class _ConsentService:
    dsop: str
    altinn2: str  # code:edition
    altinn3: str | None  # the Altinn 3 consent resource, None where none is known
    weight: float  # relative volume
    days: tuple[int, int]  # validity range in days (inclusive)


CONSENT_SERVICES: Final = (
    _ConsentService("sbl", "4804:210607", "ske-samtykke-sbl-inntekt", 6.0, (1, 10)),
    _ConsentService("sbl", "4628:210607", "ske-samtykke-sbl-summert-skattegrunnlag", 4.0, (1, 10)),
    _ConsentService("ssu", "5252:2", None, 3.0, (180, 1095)),
    _ConsentService("saldo-studielan", "5498:1", None, 2.0, (30, 365)),
    _ConsentService("fi-krav-og-betalinger", "5928:202301", "ske-samtykke-krav-og-betalinger", 0.6, (30, 90)),
    _ConsentService("fi-krav-og-betalinger", "5929:202301", "ske-samtykke-krav-og-betalinger", 0.3, (30, 90)),
    _ConsentService("fi-krav-og-betalinger", "5930:202301", "ske-samtykke-krav-og-betalinger", 0.3, (30, 90)),
)
CONSENT_DSOP: Final = frozenset(c.dsop for c in CONSENT_SERVICES)


@dataclass(frozen=True)
class _Block:
    """Distinct consent aggregates of one service, platform and status: every (valid_from, duration) pair."""

    service: _ConsentService
    on_a3: bool
    status: str | None  # None: active or expired, by valid_to
    first_day: int
    days: int
    weight: float

    @property
    def durations(self) -> int:
        return self.service.days[1] - self.service.days[0] + 1

    @property
    def size(self) -> int:
        return self.days * self.durations

    @property
    def name(self) -> str:
        """The `service` value: code:edition on Altinn 2, the consent resource on Altinn 3."""
        return self.service.altinn3 if self.on_a3 and self.service.altinn3 else self.service.altinn2


# Status mix of the aggregates: most run their course; a few are revoked or rejected.
_VARIANTS: Final = ((None, 0.95), ("revoked", 0.03), ("rejected", 0.02))


def consent_blocks(services: tuple[str, ...], progress: float, as_of: date) -> list[_Block]:
    today = day_number(as_of)
    start, a3_open = day_number(_HISTORY_START), day_number(_A3_CONSENT_OPEN)
    closed = min(day_number(ALTINN2_CLOSED), today)
    a3_share = 0.15 + 0.55 * progress  # grows with progress
    offered = [c for c in CONSENT_SERVICES if c.dsop in services]
    # Altinn 2 took its last consent the day before it closed; services without an Altinn 3 resource stay there.
    spans = [(c, False, c.weight * (1.0 - a3_share if c.altinn3 else 1.0), start, closed) for c in offered]
    # Several Altinn 2 services can share one Altinn 3 resource (krav og betalinger): one span per resource.
    a3_weight: dict[str, float] = {}
    for c in offered:
        if c.altinn3:
            a3_weight[c.altinn3] = a3_weight.get(c.altinn3, 0.0) + c.weight * a3_share
    firsts = {c.altinn3: c for c in reversed(offered) if c.altinn3}
    spans += [(firsts[name], True, weight, a3_open, today) for name, weight in a3_weight.items()]
    blocks: list[_Block] = []
    for c, on_a3, weight, lo, hi in spans:
        if weight <= 0 or hi <= lo:
            continue
        blocks.extend(_Block(c, on_a3, status, lo, hi - lo, weight * share) for status, share in _VARIANTS)
        if on_a3:  # requests of the last two weeks not answered yet
            recent = max(lo, today - 14)
            blocks.append(_Block(c, True, "pending", recent, today - recent, weight * 0.05))
    return blocks


def consent_rows(plan: Plan, rng: np.random.Generator, as_of: date) -> pl.DataFrame:
    blocks = consent_blocks(plan.services, plan.progress, as_of)
    if not blocks or plan.consents == 0:
        return pl.DataFrame(schema=CONSENT_SCHEMA)
    today = day_number(as_of)
    # Service names as indexes into a sorted vocabulary, so that sorting the codes sorts the names.
    names = sorted({b.name for b in blocks})
    sizes = np.array([b.size for b in blocks], dtype=np.int64)
    per_block = allocate(plan.consents, np.array([b.weight for b in blocks]), sizes)
    parts: list[tuple[npt.NDArray[np.int64], ...]] = []
    for block, k in zip(blocks, per_block, strict=True):
        if not k:
            continue
        # Distinct (valid_from, duration) pairs: sampling without replacement keeps every row a distinct aggregate.
        cell = rng.choice(block.size, size=int(k), replace=False).astype(np.int64)
        valid_from = block.first_day + cell // block.durations
        valid_to = valid_from + block.service.days[0] + cell % block.durations
        if block.status is None:
            status = np.where(valid_to < today, _STATUS["expired"], _STATUS["active"])
        else:
            status = np.full(len(cell), _STATUS[block.status])
        platform, service = np.full(len(cell), int(block.on_a3)), np.full(len(cell), names.index(block.name))
        parts.append((platform, service, valid_from, valid_to, status))
    platform, service, valid_from, valid_to, status = (np.concatenate([p[i] for p in parts]) for i in range(5))
    order = np.lexsort((_STATUS_RANK[status], valid_to, valid_from, service, platform))
    return pl.DataFrame(
        {
            "platform": pl.Series(PLATFORMS).gather(platform[order]),
            "service": pl.Series(names, dtype=pl.String).gather(service[order]),
            "status": pl.Series(CONSENT_STATUSES).gather(status[order]),
            "valid_from": date_series(valid_from[order]),
            "valid_to": date_series(valid_to[order]),
            "count": pl.Series(rng.geometric(0.45, size=len(order)), dtype=pl.Int64),
        },
        schema=CONSENT_SCHEMA,
    )


_STATUS: Final = {s: i for i, s in enumerate(CONSENT_STATUSES)}
_STATUS_RANK: Final = np.argsort(np.argsort(np.array(CONSENT_STATUSES)))  # alphabetical rank of each status
