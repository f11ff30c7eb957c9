"""The synthetic sector: institution types, sizes, services and vendors planned from one seeded stream, then each
institution's tables drawn from its own stream (seed, index), one institution at a time.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any, Final

import numpy as np
import polars as pl

from altinn_analysis.checks import org_number_check_digit
from altinn_analysis.synthetic._consents import consent_blocks, consent_rows
from altinn_analysis.synthetic._delegations import delegation_rows
from altinn_analysis.synthetic._integrations import integration_rows
from altinn_analysis.synthetic._world import AS_OF, DSOP_SERVICE_IDS, Plan, Progress, allocate, seeded_rng

__all__ = ["DemoInstitution", "generate_sector", "org_numbers"]

# -- org numbers -----------------------------------------------------------------------------------------


def org_numbers(start: int, count: int) -> list[str]:
    """`count` valid org numbers in order from the 8-digit base `start` (bases without a check digit skipped)."""
    out: list[str] = []
    base = start
    while len(out) < count:
        if base > 99_999_999:
            raise ValueError("ran out of 8-digit bases")
        digit = org_number_check_digit(f"{base:08d}")
        if digit is not None:
            out.append(f"{base:08d}{digit}")
        base += 1
    return out


# -- the synthetic world ---------------------------------------------------------------------------------

_SECTOR_ORG_BASE: Final = 35_000_000

_TYPE_WEIGHTS: Final = {
    "savings_bank": 0.50,
    "bank": 0.12,
    "finance_company": 0.14,
    "branch": 0.08,
    "insurer": 0.10,
    "pension": 0.06,
}
_ORG_FORM_WEIGHTS: Final[dict[str, dict[str, float]]] = {
    "bank": {"ASA": 0.6, "AS": 0.4},
    "savings_bank": {"SPA": 0.9, "ASA": 0.1},
    "finance_company": {"AS": 0.8, "ASA": 0.2},
    "branch": {"NUF": 1.0},
    "insurer": {"ASA": 0.5, "AS": 0.3, "GFS": 0.2},
    "pension": {"PK": 0.4, "AS": 0.3, "GFS": 0.15, "ASA": 0.15},
}
# How large an institution of each type is (relative), and how its size spreads (lognormal sigma).
_TYPE_SIZE: Final = {
    "bank": (3.0, 0.9),
    "savings_bank": (1.0, 0.8),
    "finance_company": (0.8, 0.7),
    "branch": (0.7, 0.6),
    "insurer": (1.2, 0.7),
    "pension": (0.6, 0.5),
}
# Probability that an institution of a type takes part in a DSOP service.
_CONTROL = ("kontrollinformasjon-fellesstandard", "konkursbehandling", "skatt-kontroll", "vergekontroll")
_SERVICE_P: Final[dict[str, dict[str, float]]] = {
    "bank": {
        "sbl": 1.0,
        "ssu": 0.2,
        "saldo-studielan": 0.9,
        "fi-krav-og-betalinger": 0.3,
        **dict.fromkeys(_CONTROL, 0.97),
        "oppgjor-etter-dodsfall": 0.95,
        "kontrollinformasjon": 0.4,
        "politi-utlevering": 0.3,
        "fi-utlegg": 0.2,
        "nav-kontroll": 0.1,
        "kundeforholdsregister": 0.5,
        "transportloyvegaranti": 0.5,
        "digital-eiendomshandel": 0.8,
    },
    "savings_bank": {
        "sbl": 1.0,
        "ssu": 0.05,
        "saldo-studielan": 0.85,
        "fi-krav-og-betalinger": 0.15,
        **dict.fromkeys(_CONTROL, 0.97),
        "oppgjor-etter-dodsfall": 0.95,
        "kontrollinformasjon": 0.3,
        "politi-utlevering": 0.2,
        "fi-utlegg": 0.1,
        "kundeforholdsregister": 0.3,
        "transportloyvegaranti": 0.3,
        "digital-eiendomshandel": 0.9,
    },
    "finance_company": {
        "sbl": 0.95,
        "saldo-studielan": 0.3,
        **dict.fromkeys(_CONTROL, 0.45),
        "oppgjor-etter-dodsfall": 0.4,
        "kundeforholdsregister": 0.6,
    },
    "branch": {
        "sbl": 0.8,
        "saldo-studielan": 0.3,
        **dict.fromkeys(_CONTROL, 0.75),
        "oppgjor-etter-dodsfall": 0.7,
        "kundeforholdsregister": 0.5,
        "transportloyvegaranti": 0.2,
        "digital-eiendomshandel": 0.3,
    },
    "insurer": {"ssu": 0.95, "transportloyvegaranti": 0.6, "kontrollinformasjon": 0.2},
    "pension": {"ajourhold-otp": 1.0, "ssu": 0.7},
}
# Share of institutions of a type that let a vendor (data centre) run services for them.
_VENDOR_P: Final = {
    "bank": 0.5,
    "savings_bank": 0.8,
    "finance_company": 0.4,
    "branch": 0.3,
    "insurer": 0.4,
    "pension": 0.6,
}

# Invented place names (head + tail), so that no generated institution is mistaken for a real one.
_NAME_HEADS: Final = (
    "Glimt",
    "Bris",
    "Fonn",
    "Skjær",
    "Stjerne",
    "Måne",
    "Nordlys",
    "Havgløtt",
    "Kvitstein",
    "Lomvi",
    "Multe",
    "Tytte",
    "Snøbre",
    "Skodde",
    "Jerv",
    "Ravne",
    "Solgløtt",
    "Fjellbris",
    "Bølge",
    "Morild",
)
_NAME_TAILS: Final = ("vik", "dal", "nes", "fjord", "heim", "sund", "li", "moen", "vollen", "berg", "eid", "haug")
_TYPE_NAME: Final = {
    "bank": "{place} Bank {form}",
    "savings_bank": "{place} Sparebank",
    "finance_company": "{place} Finans {form}",
    "branch": "{place} Bank AB, filial i Norge",
    "insurer": "{place} Forsikring {form}",
    "pension": "{place} Pensjon",
}


@dataclass(frozen=True)
class _Vendor:
    org_number: str
    name: str
    kinds: frozenset[str]  # institution types it serves
    runs: frozenset[str]  # DSOP services it can run


# The same fictional vendors as the demo institutions in data/institutions/.
_VENDOR_POOL: Final = (
    _Vendor(
        "391204551",
        "Kystlinje Datasenter AS",
        frozenset({"bank", "savings_bank", "branch"}),
        frozenset({"sbl", "saldo-studielan", *_CONTROL, "oppgjor-etter-dodsfall", "kontrollinformasjon"})
        | frozenset({"politi-utlevering", "fi-utlegg", "kundeforholdsregister"}),
    ),
    _Vendor(
        "392348174",
        "Nordavind Systemer AS",
        frozenset({"bank", "finance_company", "branch", "insurer"}),
        frozenset({"sbl", "ssu", "saldo-studielan", "fi-krav-og-betalinger"}),
    ),
    _Vendor(
        "393186038",
        "Bølgetopp Bankdata AS",
        frozenset({"bank", "savings_bank", "finance_company"}),
        frozenset({"sbl", "saldo-studielan", "fi-krav-og-betalinger", *_CONTROL, "oppgjor-etter-dodsfall"}),
    ),
    _Vendor(
        "394712302",
        "Fjellvant Integrasjon AS",
        frozenset({"bank", "savings_bank"}),
        frozenset({"digital-eiendomshandel"}),
    ),
    _Vendor(
        "395629158", "Pensjonsdrift Norden AS", frozenset({"insurer", "pension"}), frozenset({"ajourhold-otp", "ssu"})
    ),
)


@dataclass(frozen=True)
class DemoInstitution:
    """One synthetic institution: its profile and the three inventory tables (polars)."""

    profile: dict[str, Any]
    delegations: pl.DataFrame
    consents: pl.DataFrame
    integrations: pl.DataFrame

    @property
    def org_number(self) -> str:
        return str(self.profile["org_number"])

    def tables(self) -> dict[str, pl.DataFrame]:
        return {"delegations": self.delegations, "consents": self.consents, "integrations": self.integrations}


def _plan_sector(institutions: int, seed: int, consents: int, delegations: int, as_of: date) -> list[Plan]:
    rng = seeded_rng(seed, 0)
    types = list(_TYPE_WEIGHTS)
    type_p = np.array(list(_TYPE_WEIGHTS.values()))
    kinds = rng.choice(len(types), size=institutions, p=type_p / type_p.sum())
    sizes = np.array(
        [_TYPE_SIZE[types[k]][0] * rng.lognormal(0.0, _TYPE_SIZE[types[k]][1]) for k in kinds], dtype=np.float64
    )
    # Migration progress: most are half-way, some nearly done, some hardly started.
    progress = rng.beta(2.2, 2.0, size=institutions)
    orgs = org_numbers(_SECTOR_ORG_BASE, institutions)
    places = [h + t for h in _NAME_HEADS for t in _NAME_TAILS]
    place_order = rng.permutation(len(places))

    raw: list[tuple[str, str, str, tuple[str, ...], tuple[tuple[str, str, tuple[str, ...]], ...]]] = []
    for i, k in enumerate(kinds):
        itype = types[k]
        forms = _ORG_FORM_WEIGHTS[itype]
        form_p = np.array(list(forms.values()))
        org_form = list(forms)[int(rng.choice(len(forms), p=form_p / form_p.sum()))]
        place = places[int(place_order[i % len(places)])]
        if i >= len(places):
            place = f"{place} {i // len(places) + 1}"
        name = _TYPE_NAME[itype].format(place=place, form=org_form)
        draws = rng.random(len(DSOP_SERVICE_IDS))
        chosen = tuple(
            s for s, u in zip(DSOP_SERVICE_IDS, draws, strict=True) if u < _SERVICE_P[itype].get(s, 0.0)
        ) or (("ajourhold-otp",) if itype == "pension" else ("ssu",) if itype == "insurer" else ("sbl",))
        vendors: list[tuple[str, str, tuple[str, ...]]] = []
        if rng.random() < _VENDOR_P[itype]:
            fitting = [v for v in _VENDOR_POOL if itype in v.kinds and v.runs & set(chosen)]
            for pick in rng.permutation(len(fitting))[: 1 + int(rng.random() < 0.3)]:
                vendor = fitting[int(pick)]
                runs = tuple(s for s in chosen if s in vendor.runs)
                vendors.append((vendor.org_number, vendor.name, runs))
        vendors.sort()
        raw.append((name, org_form, itype, chosen, tuple(vendors)))

    # An institution holds at most half the distinct aggregate rows its consent services allow (see consent_rows);
    # the bigger ones pass what they cannot hold to the others, so the total stays exact.
    capacity = np.array(
        [sum(b.size for b in consent_blocks(r[3], float(progress[i]), as_of)) // 2 for i, r in enumerate(raw)],
        dtype=np.int64,
    )
    consent_rows = allocate(institutions * consents, sizes, capacity)
    delegation_rows = allocate(institutions * delegations, sizes)
    return [
        Plan(
            index=i,
            org_number=orgs[i],
            name=name,
            org_form=org_form,
            institution_type=itype,
            services=services,
            vendors=vendors,
            progress=float(progress[i]),
            consents=int(consent_rows[i]),
            delegations=int(delegation_rows[i]),
        )
        for i, (name, org_form, itype, services, vendors) in enumerate(raw)
    ]


def _profile(plan: Plan) -> dict[str, Any]:
    return {
        "org_number": plan.org_number,
        "name": plan.name,
        "org_form": plan.org_form,
        "institution_type": plan.institution_type,
        "dsop_services": list(plan.services),
        "vendors": [{"org_number": o, "name": n, "runs": list(r)} for o, n, r in plan.vendors],
        "demo": True,  # fictional: never ranked with real institutions
    }


def generate_sector(
    institutions: int = 130,
    seed: int = 0,
    consents_per_institution: int = 40_000,
    delegations_per_institution: int = 4_000,
    *,
    as_of: date = AS_OF,
    progress: Progress | None = None,
) -> Iterator[DemoInstitution]:
    """Yield `institutions` synthetic institutions, one at a time (so memory stays at one institution).

    Totals are exact: `institutions × consents_per_institution` consent rows (aggregates; institutions without
    a consent-based service get none and the others more) and `institutions × delegations_per_institution`
    delegation rows, spread by institution size. `progress("institutions", done, total)` after each one.
    """
    if institutions < 0 or consents_per_institution < 0 or delegations_per_institution < 0:
        raise ValueError("institutions and sizes must not be negative")
    plans = _plan_sector(institutions, seed, consents_per_institution, delegations_per_institution, as_of)
    if progress:
        progress("institutions", 0, institutions)
    for plan in plans:
        rng = seeded_rng(seed, 1, plan.index)
        yield DemoInstitution(
            profile=_profile(plan),
            delegations=delegation_rows(plan, rng, as_of),
            consents=consent_rows(plan, rng, as_of),
            integrations=integration_rows(plan, rng, as_of),
        )
        if progress:
            progress("institutions", plan.index + 1, institutions)
