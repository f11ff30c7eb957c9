"""Synthetic sector-scale inventories: a seeded, vectorised generator for benchmarks and load tests.

Every generated institution is a folder `<out>/<org_number>/` in the inventory format of DESIGN.md §5:
`profile.yaml` plus `delegations.parquet`, `consents.parquet` and `integrations.parquet`. Names and org numbers
are fictional (org numbers start with 35, the vendors' with 39; both carry a valid mod-11 check digit), holder ids are
pseudonymous (`P-00042`, `EU-03`, `SU-sbl-01`), and nothing resembles a national identity number.

Generation is a pure function of the arguments: the same seed gives byte-identical files. The sector is planned
first from one seeded stream (types, sizes, services, vendors, how far each has moved to Altinn 3); then each
institution draws its rows from its own stream (seed, index) with vectorised numpy, one institution at a time.
The hand-made demo institutions in `data/institutions/` are separate; this module only makes bulk data.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Final

import numpy as np
import numpy.typing as npt
import polars as pl

from altinn_analysis.checks import is_valid_org_number, org_number_check_digit
from altinn_analysis.inventory import (
    CONSENT_STATUSES,
    GRANT_SOURCES,
    GRANT_TYPES,
    HOLDER_TYPES,
    INSTITUTION_TYPES,
    INTEGRATION_KINDS,
    INTEGRATION_STATUSES,
    PLATFORMS,
)

__all__ = [
    "ALTINN2_CLOSED",
    "AS_OF",
    "CONSENT_SCHEMA",
    "CONSENT_STATUSES",
    "DELEGATION_SCHEMA",
    "DSOP_SERVICE_IDS",
    "GRANT_TYPES",
    "HOLDER_TYPES",
    "INSTITUTION_TYPES",
    "INTEGRATION_KINDS",
    "INTEGRATION_SCHEMA",
    "INTEGRATION_STATUSES",
    "ORG_FORMS",
    "PLATFORMS",
    "SOURCES",
    "TABLES",
    "DemoInstitution",
    "Progress",
    "SectorSummary",
    "generate_sector",
    "is_valid_org_number",
    "org_number_check_digit",
    "org_numbers",
    "write_institution",
    "write_sector",
]

# -- the inventory format (DESIGN.md §5) -----------------------------------------------------------------

# The enumerations are the inventory format's own (inventory/_schema.py), so generated data always validates.
SOURCES: Final = GRANT_SOURCES
ORG_FORMS: Final = ("ASA", "AS", "SPA", "SA", "NUF", "GFS", "PK", "FLI")
DSOP_SERVICE_IDS: Final = (
    "sbl",
    "ssu",
    "saldo-studielan",
    "ajourhold-otp",
    "fi-krav-og-betalinger",
    "kontrollinformasjon-fellesstandard",
    "kontrollinformasjon",
    "konkursbehandling",
    "skatt-kontroll",
    "vergekontroll",
    "oppgjor-etter-dodsfall",
    "politi-utlevering",
    "fi-utlegg",
    "nav-kontroll",
    "kundeforholdsregister",
    "transportloyvegaranti",
    "digital-eiendomshandel",
)

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
ALTINN2_CLOSED: Final = date(2026, 6, 19)
_A3_CONSENT_OPEN: Final = date(2025, 12, 1)  # first Altinn 3 consents (pilot) in the synthetic world
_A3_PACKAGES_OPEN: Final = date(2025, 6, 1)  # access packages delegable in production
_HISTORY_START: Final = date(2022, 6, 1)  # consent rows kept in the records since edition 210607 of SBL
_DELEGATIONS_START: Final = date(2012, 1, 1)

# (stage, done, total), as `refresh` reports it: the CLI turns it into a progress bar.
Progress = Callable[[str, int, int], None]

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

# -- consents ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _ConsentService:
    dsop: str
    altinn2: str  # code:edition
    altinn3: str | None  # the Altinn 3 consent resource, None where none is known
    weight: float  # relative volume
    days: tuple[int, int]  # validity range in days (inclusive)


_CONSENT_SERVICES: Final = (
    _ConsentService("sbl", "4804:210607", "ske-samtykke-sbl-inntekt", 6.0, (1, 10)),
    _ConsentService("sbl", "4628:210607", "ske-samtykke-sbl-summert-skattegrunnlag", 4.0, (1, 10)),
    _ConsentService("ssu", "5252:2", None, 3.0, (180, 1095)),
    _ConsentService("saldo-studielan", "5498:1", None, 2.0, (30, 365)),
    _ConsentService("fi-krav-og-betalinger", "5928:202301", "ske-samtykke-krav-og-betalinger", 0.6, (30, 90)),
    _ConsentService("fi-krav-og-betalinger", "5929:202301", "ske-samtykke-krav-og-betalinger", 0.3, (30, 90)),
    _ConsentService("fi-krav-og-betalinger", "5930:202301", "ske-samtykke-krav-og-betalinger", 0.3, (30, 90)),
)
_CONSENT_DSOP: Final = frozenset(c.dsop for c in _CONSENT_SERVICES)

# -- delegations: vocabulary and mixes -------------------------------------------------------------------

_PKG = "urn:altinn:accesspackage:"
# Altinn 2 roles an institution's staff hold, with a relative weight and the Altinn 3 packages a holder would
# get instead (empty: no successor, so the role never moves and the engine flags it).
_ROLE_MIX: Final[dict[str, tuple[float, tuple[str, ...]]]] = {
    "A0236": (8.0, ("ordinaer-post-til-virksomheten",)),
    "A0286": (3.0, ("post-til-virksomheten-med-taushetsbelagt-innhold",)),
    "UTINN": (6.0, ()),
    "REGNA": (4.0, ("skattegrunnlag", "regnskap-okonomi-rapport", "krav-og-utlegg")),
    "HADM": (0.5, ("hovedadministrator",)),
    "ADMAI": (1.5, ("tilgangsstyrer",)),
    "APIADM": (0.7, ("maskinporten-scopes", "maskinporten-administrator")),
    "KLADM": (0.3, ("klientadministrator",)),
    "SISKD": (0.5, ()),
    "HVASK": (1.0, ()),
    "LOPER": (1.0, ("a-ordning", "pensjon", "lonn")),
    "SIGNE": (0.2, ("starte-drive-endre-avvikle-virksomhet",)),
    "A0294": (2.0, ()),
    "ØKADM": (0.05, ()),  # an old in-house code nobody knows any more: the engine reports it as unknown
}
_ER_ROLES: Final = {
    "default": ("DAGL", "LEDE", "NEST", "MEDL", "MEDL", "MEDL", "MEDL", "VARA"),
    "NUF": ("DAGL", "KNUF"),
}
# Altinn 2 single-service rights (code:edition), who holds them, and their Altinn 3 counterpart for a person.
_SERVICE_MIX: Final[dict[str, tuple[str, float, str | None]]] = {
    "2772:140313": ("kontrollinformasjon-fellesstandard", 3.0, "skd-migratedcorrespondence-2772-140313"),
    "3770:1": ("konkursbehandling", 1.0, "brg-migratedcorrespondence-3770-1"),
    "4752:1": ("digital-eiendomshandel", 2.0, "kv_dsve"),
    "4804:210607": ("sbl", 0.5, None),
    "4628:210607": ("sbl", 0.3, None),
    "5252:2": ("ssu", 0.5, None),
    "5498:1": ("saldo-studielan", 0.3, None),
    "5928:202301": ("fi-krav-og-betalinger", 0.2, None),
    "5701:1": ("", 0.03, None),  # a service code that is in no catalogue: unknown
}
# Packages that staff hired after the move get directly in Altinn 3.
_NEW_STAFF_PACKAGES: Final = (
    "ordinaer-post-til-virksomheten",
    "post-til-virksomheten-med-taushetsbelagt-innhold",
    "finansiering-og-forsikring",
    "skattegrunnlag",
    "regnskap-okonomi-rapport",
    "tilgangsstyrer",
)
# What a system user for a service is given (resource ids or package urns).
_SYSTEM_USER_GRANTS: Final[dict[str, tuple[str, ...]]] = {
    "sbl": ("ske-samtykke-sbl-inntekt", "ske-samtykke-sbl-summert-skattegrunnlag"),
    "fi-krav-og-betalinger": ("ske-samtykke-krav-og-betalinger",),
    "digital-eiendomshandel": ("kv_dsve", _PKG + "finansiering-og-forsikring"),
    "ajourhold-otp": (_PKG + "maskinporten-scopes",),
    "kontrollinformasjon-fellesstandard": (_PKG + "ordinaer-post-til-virksomheten",),
}
_SYSTEM_USER_TAG: Final = {
    "sbl": "sbl",
    "fi-krav-og-betalinger": "kob",
    "digital-eiendomshandel": "dsve",
    "ajourhold-otp": "otp",
    "kontrollinformasjon-fellesstandard": "kontroll",
}


def _grant_type(grant: str) -> str:
    if grant.startswith(_PKG):
        return "access_package"
    if ":" in grant:
        return "service"
    if grant in _ROLE_MIX or grant.isupper():
        return "role"
    return "resource"


def _build_grants() -> tuple[list[str], dict[str, int]]:
    grants: list[str] = [*_ROLE_MIX, "DAGL", "LEDE", "NEST", "MEDL", "VARA", "KNUF", "APIADMNUF", *_SERVICE_MIX]
    grants.extend(_PKG + p for _w, pkgs in _ROLE_MIX.values() for p in pkgs)
    grants.extend(_PKG + p for p in (*_NEW_STAFF_PACKAGES, "maskinporten-scopes-nuf", "maskinporten-scopes"))
    grants.extend(r for _d, _w, r in _SERVICE_MIX.values() if r)
    grants.extend(g for pairs in _SYSTEM_USER_GRANTS.values() for g in pairs)
    # Sorted by (grant_type, grant): a grant's index orders rows exactly as the written files are sorted.
    ordered = sorted(set(grants), key=lambda g: (_grant_type(g), g))
    return ordered, {g: i for i, g in enumerate(ordered)}


_GRANTS, _GRANT_ID = _build_grants()
_GRANT_TYPE_OF: Final = np.array([GRANT_TYPES.index(_grant_type(g)) for g in _GRANTS], dtype=np.int64)

# -- the generator ---------------------------------------------------------------------------------------


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


@dataclass
class SectorSummary:
    """What `write_sector` wrote."""

    out_dir: Path
    institutions: int = 0
    rows: dict[str, int] = field(default_factory=lambda: dict.fromkeys(TABLES, 0))
    consents_counted: int = 0  # the sum of `count`: consents, not rows
    by_type: dict[str, int] = field(default_factory=dict)
    org_numbers: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class _Plan:
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


def _days(d: date) -> int:
    return (d - date(1970, 1, 1)).days


def _rng(seed: int, *key: int) -> np.random.Generator:
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence([seed, *key])))


def _allocate(
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


def _plan_sector(institutions: int, seed: int, consents: int, delegations: int, as_of: date) -> list[_Plan]:
    rng = _rng(seed, 0)
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

    # An institution holds at most half the distinct aggregate rows its consent services allow (see _consents);
    # the bigger ones pass what they cannot hold to the others, so the total stays exact.
    capacity = np.array(
        [sum(b.size for b in _consent_blocks(r[3], float(progress[i]), as_of)) // 2 for i, r in enumerate(raw)],
        dtype=np.int64,
    )
    consent_rows = _allocate(institutions * consents, sizes, capacity)
    delegation_rows = _allocate(institutions * delegations, sizes)
    return [
        _Plan(
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


def _dates(days: npt.NDArray[np.int64]) -> pl.Series:
    """Days since 1970-01-01 as a Date series; negative days become null."""
    series = pl.Series("d", days.astype(np.int32))
    return pl.select(pl.when(series >= 0).then(series).cast(pl.Date)).to_series()


def _uniform_days(rng: np.random.Generator, n: int, lo: date, hi: date) -> npt.NDArray[np.int64]:
    """`n` days in [lo, hi), as days since 1970-01-01."""
    a, b = _days(lo), _days(hi)
    return a + np.floor(rng.random(n) * max(1, b - a)).astype(np.int64)


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


def _consent_blocks(services: tuple[str, ...], progress: float, as_of: date) -> list[_Block]:
    today = _days(as_of)
    start, closed, a3_open = _days(_HISTORY_START), min(_days(ALTINN2_CLOSED), today), _days(_A3_CONSENT_OPEN)
    a3_share = 0.15 + 0.55 * progress  # grows with progress
    offered = [c for c in _CONSENT_SERVICES if c.dsop in services]
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


def _consents(plan: _Plan, rng: np.random.Generator, as_of: date) -> pl.DataFrame:
    blocks = _consent_blocks(plan.services, plan.progress, as_of)
    if not blocks or plan.consents == 0:
        return pl.DataFrame(schema=CONSENT_SCHEMA)
    today = _days(as_of)
    # Service names as indexes into a sorted vocabulary, so that sorting the codes sorts the names.
    names = sorted({b.name for b in blocks})
    sizes = np.array([b.size for b in blocks], dtype=np.int64)
    per_block = _allocate(plan.consents, np.array([b.weight for b in blocks]), sizes)
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
            "valid_from": _dates(valid_from[order]),
            "valid_to": _dates(valid_to[order]),
            "count": pl.Series(rng.geometric(0.45, size=len(order)), dtype=pl.Int64),
        },
        schema=CONSENT_SCHEMA,
    )


_STATUS: Final = {s: i for i, s in enumerate(CONSENT_STATUSES)}
_STATUS_RANK: Final = np.argsort(np.argsort(np.array(CONSENT_STATUSES)))  # alphabetical rank of each status


class _Rows:
    """Delegation rows as integer codes: platform, holder type, holder key, grant id, granted day, source.

    Holder keys order like the ids they stand for (person and enterprise-user numbers are zero-padded; vendors
    and system users index sorted lists), so sorting the codes sorts the written table.
    """

    def __init__(self) -> None:
        self.parts: list[tuple[npt.NDArray[np.int64], ...]] = []

    def add(
        self,
        platform: str,
        holder_type: str,
        holders: npt.NDArray[np.int64],
        grants: npt.NDArray[np.int64],
        granted: npt.NDArray[np.int64],
        source: str | npt.NDArray[np.int64],
    ) -> None:
        n = len(grants)
        src = np.full(n, SOURCES.index(source)) if isinstance(source, str) else source
        plat = np.full(n, PLATFORMS.index(platform), dtype=np.int64)
        kind = np.full(n, HOLDER_TYPES.index(holder_type), dtype=np.int64)
        self.parts.append((plat, kind, holders.astype(np.int64), grants.astype(np.int64), granted, src))

    def columns(self) -> tuple[npt.NDArray[np.int64], ...]:
        if not self.parts:
            return tuple(np.zeros(0, dtype=np.int64) for _ in range(6))
        return tuple(np.concatenate([p[i] for p in self.parts]) for i in range(6))

    @staticmethod
    def keys(cols: tuple[npt.NDArray[np.int64], ...]) -> npt.NDArray[np.int64]:
        plat, kind, holder, grant = cols[:4]
        # One int64 per (platform, holder_type, holder, grant): its order is the file order, equality a duplicate.
        return ((plat * 4 + kind) << 56) | (holder << 12) | grant


def _pick(rng: np.random.Generator, weights: dict[str, float], n: int) -> npt.NDArray[np.int64]:
    """`n` grant ids drawn from a {grant: weight} mix."""
    keys = list(weights)
    w = np.array([weights[k] for k in keys], dtype=np.float64)
    ids = np.array([_GRANT_ID[k] for k in keys], dtype=np.int64)
    return ids[rng.choice(len(keys), size=n, p=w / w.sum())]


def _granted(rng: np.random.Generator, n: int, lo: date, hi: date, missing: float) -> npt.NDArray[np.int64]:
    days = _uniform_days(rng, n, lo, hi)
    days[rng.random(n) < missing] = -1
    return days


def _successors(plan: _Plan) -> npt.NDArray[np.int64]:
    """For each grant id, three candidate Altinn 3 grant ids a holder could have been given (-1: none)."""
    table = np.full((len(_GRANTS), 3), -1, dtype=np.int64)
    for role, (_w, pkgs) in _ROLE_MIX.items():
        if pkgs:
            table[_GRANT_ID[role]] = [_GRANT_ID[_PKG + pkgs[j % len(pkgs)]] for j in range(3)]
    table[_GRANT_ID["APIADMNUF"]] = _GRANT_ID[_PKG + "maskinporten-scopes-nuf"]
    if "digital-eiendomshandel" in plan.services:  # kv_dsve's policy accepts finansiering-og-forsikring
        table[_GRANT_ID["UTINN"]] = _GRANT_ID[_PKG + "finansiering-og-forsikring"]
    for right, (_d, _w, resource) in _SERVICE_MIX.items():
        if resource:
            table[_GRANT_ID[right]] = _GRANT_ID[resource]
    return table


def _delegations(plan: _Plan, rng: np.random.Generator, as_of: date) -> pl.DataFrame:
    n = plan.delegations
    services = set(plan.services)
    vendor_runs = {s for _o, _n, runs in plan.vendors for s in runs}
    vendor_orgs = sorted(v[0] for v in plan.vendors)
    a2_last = min(ALTINN2_CLOSED, as_of)
    nuf = plan.org_form == "NUF"

    # Altinn 2 roles and single-service rights, weighted by what the institution does.
    roles = {r: w for r, (w, _p) in _ROLE_MIX.items()}
    if "transportloyvegaranti" not in services:
        del roles["A0294"]
    if "digital-eiendomshandel" in services:
        roles["UTINN"] *= 2
    if plan.institution_type in {"insurer", "pension"}:
        del roles["HVASK"]  # Økokrim (money-laundering) reporting is a bank matter here
    if nuf:
        roles["APIADMNUF"] = roles.pop("APIADM")
    rights = {s: w for s, (dsop, w, _r) in _SERVICE_MIX.items() if not dsop or dsop in services}
    if rng.random() > 0.15:  # only some institutions still carry codes nobody knows
        del roles["ØKADM"], rights["5701:1"]
    if all(not _SERVICE_MIX[s][0] for s in rights):
        rights["2772:140313"] = 1.0

    n3 = round(n * (0.1 + 0.5 * plan.progress))
    n2 = n - n3
    er_roles = _ER_ROLES["NUF" if nuf else "default"][:n2]
    n_org = round(n2 * 0.04) if plan.vendors else 0
    n_eu = min(max(1, round(n2 * 0.03)), n2 - len(er_roles))
    n_person = max(0, n2 - len(er_roles) - n_org - n_eu)
    n_role = round(n_person * 0.66)
    persons = max(5, n_person // 3)
    first_person = len(er_roles) + 1

    rows = _Rows()
    # ER roles come from the register (Enhetsregisteret), one person each, with no delegation date.
    rows.add(
        "altinn2",
        "person",
        np.arange(1, len(er_roles) + 1),
        np.array([_GRANT_ID[r] for r in er_roles], dtype=np.int64),
        np.full(len(er_roles), -1, dtype=np.int64),
        "er",
    )
    grants = np.concatenate([_pick(rng, roles, n_role), _pick(rng, rights, n_person - n_role)])
    holders = rng.integers(first_person, first_person + persons, size=n_person)
    rows.add(
        "altinn2", "person", holders, grants, _granted(rng, n_person, _DELEGATIONS_START, a2_last, 0.08), "delegated"
    )
    # Enterprise users (virksomhetsbrukere, with API keys): roles and consent/broker rights.
    eu_mix = {"UTINN": 2.0, "APIADMNUF" if nuf else "APIADM": 1.0}
    eu_mix.update({s: 1.5 for s in ("4804:210607", "4628:210607", "5252:2", "5498:1", "4752:1") if s in rights})
    eu_holders = rng.integers(1, max(1, n_eu // 3) + 1, size=n_eu)
    rows.add(
        "altinn2",
        "enterprise_user",
        eu_holders,
        _pick(rng, eu_mix, n_eu),
        _granted(rng, n_eu, date(2016, 1, 1), a2_last, 0.05),
        "delegated",
    )
    # Vendors (data centres) had roles and single rights delegated to their organisation.
    if n_org:
        org_mix = {"UTINN": 1.0, "APIADMNUF" if nuf else "APIADM": 0.5}
        org_mix.update({s: 2.0 for s, (d, _w, _r) in _SERVICE_MIX.items() if d in vendor_runs and s in rights})
        org_holders = rng.integers(0, len(vendor_orgs), size=n_org)
        rows.add(
            "altinn2",
            "organisation",
            org_holders,
            _pick(rng, org_mix, n_org),
            _granted(rng, n_org, date(2018, 1, 1), a2_last, 0.0),
            "delegated",
        )
    cols = rows.columns()
    _, first = np.unique(_Rows.keys(cols), return_index=True)
    altinn2 = tuple(c[first] for c in cols)

    # Altinn 3: delegated holders who got a successor for one of their Altinn 2 roles or rights.
    plat, kind, holder, grant, _granted_at, source = altinn2
    movable = np.flatnonzero((kind == HOLDER_TYPES.index("person")) & (source == SOURCES.index("delegated")))
    mapped = _successors(plan)[grant[movable], rng.integers(0, 3, size=len(movable))]
    eligible = movable[mapped >= 0]
    mapped = mapped[mapped >= 0]
    n_moved = min(len(eligible), round(n3 * 0.85))
    picked = np.sort(rng.choice(len(eligible), size=n_moved, replace=False))
    rows = _Rows()
    rows.add(
        "altinn3",
        "person",
        holder[eligible[picked]],
        mapped[picked],
        _granted(rng, n_moved, _A3_PACKAGES_OPEN, as_of, 0.02),
        "delegated",
    )
    # System users, one or two per service, set up by the institution or (for a vendor) by client delegation.
    system_users: list[tuple[str, str, str]] = []
    for dsop, su_grants in _SYSTEM_USER_GRANTS.items():
        if dsop in services and rng.random() < 0.3 + 0.7 * plan.progress:
            for number in range(1, 2 + int(rng.random() < 0.3)):
                source_name = "client_delegation" if dsop in vendor_runs else "delegated"
                system_users.extend((f"SU-{_SYSTEM_USER_TAG[dsop]}-{number:02d}", g, source_name) for g in su_grants)
    su_names = sorted({name for name, _g, _s in system_users})
    if system_users:
        rows.add(
            "altinn3",
            "system_user",
            np.array([su_names.index(name) for name, _g, _s in system_users]),
            np.array([_GRANT_ID[g] for _n, g, _s in system_users]),
            _granted(rng, len(system_users), _A3_PACKAGES_OPEN, as_of, 0.0),
            np.array([SOURCES.index(s) for _n, _g, s in system_users]),
        )
    if vendor_orgs and rng.random() < 0.3 + 0.7 * plan.progress:  # the vendor may use delegated scopes
        scopes = _GRANT_ID[_PKG + ("maskinporten-scopes-nuf" if nuf else "maskinporten-scopes")]
        k = len(vendor_orgs)
        rows.add(
            "altinn3",
            "organisation",
            np.arange(k),
            np.full(k, scopes),
            _granted(rng, k, _A3_PACKAGES_OPEN, as_of, 0.0),
            "delegated",
        )
    cols = rows.columns()
    _, first = np.unique(_Rows.keys(cols), return_index=True)
    altinn3 = tuple(c[first] for c in cols)

    # Up to the planned size: staff hired since, who only ever had Altinn 3 packages (new holders: no duplicates).
    fill = max(0, n - len(altinn2[0]) - len(altinn3[0]))
    rows = _Rows()
    new_staff = dict.fromkeys((_PKG + p for p in _NEW_STAFF_PACKAGES), 1.0)
    first_new = first_person + persons
    rows.add(
        "altinn3",
        "person",
        np.arange(first_new, first_new + fill),
        _pick(rng, new_staff, fill),
        _granted(rng, fill, _A3_PACKAGES_OPEN, as_of, 0.0),
        "delegated",
    )
    cols = tuple(np.concatenate(c) for c in zip(altinn2, altinn3, rows.columns(), strict=True))
    if len(cols[0]) > n:  # only for tiny sizes, where the fixed rows (ER roles, system users) exceed the plan
        keep = np.sort(rng.choice(len(cols[0]), size=n, replace=False))
        cols = tuple(c[keep] for c in cols)
    order = np.argsort(_Rows.keys(cols), kind="stable")
    plat, kind, holder, grant, granted_at, source = (c[order] for c in cols)
    return pl.DataFrame(
        {
            "platform": pl.Series(PLATFORMS).gather(plat),
            "holder_type": pl.Series(HOLDER_TYPES).gather(kind),
            "holder_id": _holder_ids(kind, holder, vendor_orgs, su_names),
            "grant_type": pl.Series(GRANT_TYPES).gather(_GRANT_TYPE_OF[grant]),
            "grant": pl.Series(_GRANTS).gather(grant),
            "granted_at": _dates(granted_at),
            "source": pl.Series(SOURCES).gather(source),
        },
        schema=DELEGATION_SCHEMA,
    )


def _holder_ids(
    kind: npt.NDArray[np.int64], holder: npt.NDArray[np.int64], vendor_orgs: list[str], su_names: list[str]
) -> pl.Series:
    """Pseudonymous holder ids: `P-00042` (person), `EU-03`, a vendor's org number, `SU-sbl-01`."""
    width = max(5, len(str(int(holder[kind == 0].max())))) if (kind == 0).any() else 5
    frame = pl.DataFrame({"kind": kind, "holder": holder})
    named = pl.Series([*vendor_orgs, *su_names] or [""], dtype=pl.String)
    offset = np.where(kind == HOLDER_TYPES.index("system_user"), len(vendor_orgs), 0)
    lookup = named.gather(np.where(kind >= 2, holder + offset, 0))
    eu_width = max(2, len(str(int(holder[kind == 1].max())))) if (kind == 1).any() else 2
    number = pl.col("holder").cast(pl.String)
    return frame.select(
        pl.when(pl.col("kind") == 0)
        .then(pl.format("P-{}", number.str.zfill(width)))
        .when(pl.col("kind") == 1)
        .then(pl.format("EU-{}", number.str.zfill(eu_width)))
        .otherwise(pl.lit(lookup))
        .alias("holder_id")
    ).to_series()


_CONSENT_SCOPES: Final = "altinn:consentrequests.write altinn:consentrequests.read"
_DIALOG_SCOPES: Final = "digdir:dialogporten altinn:correspondence.read"
_CONTROL_SCOPES: Final = "bits:kundeforhold bits:kontoinformasjon"
_OTP_SCOPES: Final = (
    "skatteetaten:inntekt skatteetaten:inntektsmottakere skatteetaten:tjenestepensjonsavtale "
    "nav:aareg/v1/arbeidsforhold/otp"
)


def _integrations(plan: _Plan, rng: np.random.Generator, as_of: date) -> pl.DataFrame:
    services = set(plan.services)
    runs = {s: org for org, _name, vs in plan.vendors for s in vs}
    rows: list[tuple[str, str, str, str | None, str, str, date | None]] = []
    closed = ALTINN2_CLOSED

    def moved(extra: float = 0.0) -> bool:
        return bool(rng.random() < plan.progress + extra)

    def used(lo: date, hi: date) -> date | None:
        if rng.random() < 0.1:
            return None
        return date.fromordinal(lo.toordinal() + int(rng.integers(0, max(1, (hi - lo).days))))

    def add(platform: str, kind: str, name: str, scopes: str | None, by: str, status: str, lo: date, hi: date) -> None:
        rows.append((platform, kind, name, scopes, by, status, None if status == "planned" else used(lo, hi)))

    jan, sep, oct_ = date(2026, 1, 1), date(2026, 9, 1), date(2026, 10, 1)
    for dsop in sorted(services & _CONSENT_DSOP, key=DSOP_SERVICE_IDS.index):
        by = runs.get(dsop, "self")
        resource = next((c.altinn3 for c in _CONSENT_SERVICES if c.dsop == dsop and c.altinn3), None)
        codes = " ".join(c.altinn2 for c in _CONSENT_SERVICES if c.dsop == dsop)
        # An Altinn 2 key still marked active in the institution's records is a finding, not a typo.
        old = "active" if rng.random() < 0.15 * (1 - plan.progress) else "retired" if moved(0.2) else "disabled"
        add("altinn2", "api_key", f"API-nøkkel samtykke {dsop}", None, by, old, jan, closed)
        add("altinn2", "consent_api", f"Samtykke Altinn 2 {dsop} ({codes})", _CONSENT_SCOPES, by, old, jan, closed)
        # Without a known Altinn 3 consent resource the new integration can only be planned.
        new = "active" if resource is not None and moved() else "planned"
        add("altinn3", "consent_api", f"Samtykke Altinn 3 {resource or dsop}", _CONSENT_SCOPES, by, new, closed, as_of)
        add("altinn3", "maskinporten_client", f"Maskinporten samtykke {dsop}", _CONSENT_SCOPES, by, new, closed, as_of)
    if services & {"kontrollinformasjon-fellesstandard", "kontrollinformasjon"}:
        by = runs.get("kontrollinformasjon-fellesstandard", "self")
        old, new = ("retired", "active") if moved() else ("active", "planned")
        add("altinn2", "message_box", "Meldingsboks-API digitale brev", None, by, old, jan, closed)
        add("altinn3", "dialogporten", "Dialogporten digitale brev", _DIALOG_SCOPES, by, new, closed, as_of)
        add("altinn3", "maskinporten_client", "Maskinporten DSOP kontroll", _CONTROL_SCOPES, by, "active", sep, as_of)
    if "digital-eiendomshandel" in services:
        by = runs.get("digital-eiendomshandel", "self")
        old, new = ("retired", "active") if moved(0.1) else ("disabled", "planned")
        add(
            "altinn2", "broker", "Formidlingstjeneste 4752:1 (DSVE)", None, by, old, date(2026, 3, 1), date(2026, 5, 31)
        )
        add("altinn2", "enterprise_user", "Virksomhetsbruker DSVE maskinell kontroll", None, by, old, jan, closed)
        add("altinn3", "broker", "kv_dsve", "altinn:broker.read altinn:broker.write", by, new, closed, as_of)
    if "ajourhold-otp" in services:
        by = runs.get("ajourhold-otp", "self")
        add("altinn3", "maskinporten_client", "Maskinporten ajourhold OTP", _OTP_SCOPES, by, "active", oct_, as_of)
    if "kundeforholdsregister" in services:
        by = runs.get("kundeforholdsregister", "self")
        add("altinn3", "maskinporten_client", "Maskinporten KFR", "bits:kundeforhold.write", by, "active", oct_, as_of)
    for org, vendor, _runs in plan.vendors:
        old, new = ("retired", "active") if moved() else ("disabled", "planned")
        add("altinn2", "enterprise_user", f"Virksomhetsbruker {vendor}", None, org, old, date(2025, 6, 1), closed)
        add("altinn3", "system_user", f"Systembruker {vendor}", None, org, new, closed, as_of)
    return pl.DataFrame(rows, schema=INTEGRATION_SCHEMA, orient="row")


def _profile(plan: _Plan) -> dict[str, Any]:
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
        rng = _rng(seed, 1, plan.index)
        yield DemoInstitution(
            profile=_profile(plan),
            delegations=_delegations(plan, rng, as_of),
            consents=_consents(plan, rng, as_of),
            integrations=_integrations(plan, rng, as_of),
        )
        if progress:
            progress("institutions", plan.index + 1, institutions)


def write_institution(directory: str | Path, institution: DemoInstitution) -> Path:
    """Write one institution as `<directory>/<org_number>/` (profile.yaml + Parquet), replacing it atomically.

    The folder is built next to its final place and renamed in, so a reader never sees half an institution.
    """
    from altinn_analysis.sources import make_temp_dir, replace_dir, yaml_text

    parent = Path(directory)
    target = parent / institution.org_number
    tmp = make_temp_dir(parent, institution.org_number)
    try:
        text = yaml_text(institution.profile)
        (tmp / "profile.yaml").write_text(text, encoding="utf-8")
        for name, frame in institution.tables().items():
            # Fixed writer settings: the bytes depend only on the data (and the polars version).
            frame.write_parquet(tmp / f"{name}.parquet", compression="zstd", compression_level=3, statistics=True)
        replace_dir(tmp, target)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return target


def write_sector(
    out_dir: str | Path,
    institutions: int = 130,
    seed: int = 0,
    consents_per_institution: int = 40_000,
    delegations_per_institution: int = 4_000,
    *,
    as_of: date = AS_OF,
    progress: Progress | None = None,
) -> SectorSummary:
    """Generate a sector (see `generate_sector`) and write it, one folder per institution, under `out_dir`."""
    out = Path(out_dir)
    summary = SectorSummary(out_dir=out)
    for inst in generate_sector(
        institutions,
        seed,
        consents_per_institution,
        delegations_per_institution,
        as_of=as_of,
        progress=progress,
    ):
        write_institution(out, inst)
        summary.institutions += 1
        summary.org_numbers.append(inst.org_number)
        for name, frame in inst.tables().items():
            summary.rows[name] += frame.height
        summary.consents_counted += int(inst.consents["count"].sum() or 0)
        itype = str(inst.profile["institution_type"])
        summary.by_type[itype] = summary.by_type.get(itype, 0) + 1
    return summary
