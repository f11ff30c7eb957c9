"""Delegations of one synthetic institution: Altinn 2 roles and rights, their Altinn 3 successors, system users.

Rows are built as integer codes (`_Rows`) and decoded once at the end, so a few hundred thousand rows cost a few
vectorised numpy calls; the codes sort exactly like the written table.
"""

from __future__ import annotations

from datetime import date
from typing import Final

import numpy as np
import numpy.typing as npt
import polars as pl

from altinn_analysis.inventory import GRANT_TYPES, HOLDER_TYPES, PLATFORMS
from altinn_analysis.synthetic._world import (
    ALTINN2_CLOSED,
    DELEGATION_SCHEMA,
    SOURCES,
    Plan,
    date_series,
    uniform_days,
)

__all__ = ["delegation_rows"]

_A3_PACKAGES_OPEN: Final = date(2025, 6, 1)  # access packages delegable in production
_DELEGATIONS_START: Final = date(2012, 1, 1)


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
    days = uniform_days(rng, n, lo, hi)
    days[rng.random(n) < missing] = -1
    return days


def _successors(plan: Plan) -> npt.NDArray[np.int64]:
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


def delegation_rows(plan: Plan, rng: np.random.Generator, as_of: date) -> pl.DataFrame:
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
            "granted_at": date_series(granted_at),
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
