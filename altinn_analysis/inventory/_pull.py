"""`pull_into`: pull one institution and merge the result into its inventory folder (`DIR/<org_number>/`).

Everything is fetched before anything is written: when a source fails, the folder keeps the previous pull.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import polars as pl

from altinn_analysis.inventory._inventory import load_inventory
from altinn_analysis.inventory._pulled import merge_pulled, pull_record, pulled_tables
from altinn_analysis.inventory._schema import PROFILE_FILE, SCHEMAS, TABLES
from altinn_analysis.inventory._validate import CatalogueLookups
from altinn_analysis.sources import (
    PULL_SOURCES,
    MaskinportenTokenProvider,
    Pseudonymizer,
    PulledState,
    load_pseudonymizer,
    maskinporten_for_pull,
    pull_institution,
    replay_transport_for,
    write_pulled_inventory,
    yaml_text,
)

__all__ = ["PullResult", "pull_into"]

# Enhetsregisteret's industry codes (NACE) of DSOP institutions → the profile's institution_type.
_INDUSTRY = (("64.19", "bank"), ("64.92", "finance_company"), ("65.1", "insurer"), ("65.3", "pension"))


@dataclass(frozen=True)
class PullResult:
    org_number: str
    folder: Path
    files: tuple[Path, ...]
    rows: dict[str, int]  # pulled rows per table
    requests: int
    seconds: float
    state: PulledState


class _RolePackages:
    """role code × variant → package urns the role implies, from the catalogue's role_packages table."""

    def __init__(self, catalogue: Any) -> None:
        table: pl.DataFrame = catalogue.role_packages
        self._map: dict[tuple[str, str], set[str]] = {}
        for role, variant, urn in table.select("role_code", "variant", "package_urn").iter_rows():
            self._map.setdefault((str(role), str(variant).upper()), set()).add(str(urn))

    def __call__(self, role: str, variant: str) -> set[str]:
        return self._map.get((role, variant.upper()), set())


_ROLE_PACKAGES: dict[int, tuple[Any, _RolePackages]] = {}


def _role_packages(catalogue: Any) -> _RolePackages:
    # Built once per catalogue: a sector pull would otherwise rebuild the same map for every institution.
    cached = _ROLE_PACKAGES.get(id(catalogue))
    if cached is None or cached[0] is not catalogue:
        cached = (catalogue, _RolePackages(catalogue))
        _ROLE_PACKAGES.clear()
        _ROLE_PACKAGES[id(catalogue)] = cached
    return cached[1]


def _new_profile(state: PulledState) -> str:
    enhet = state.enhet
    if enhet is None:
        raise ValueError(f"{state.org_number}: no profile.yaml yet; pull with the brreg source to create one")
    kind = "branch" if enhet.org_form == "NUF" else None
    for prefix, name in _INDUSTRY:
        if kind is None and (enhet.industry_code or "").startswith(prefix):
            kind = "savings_bank" if name == "bank" and enhet.org_form == "SPA" else name
    if kind is None:
        raise ValueError(
            f"{state.org_number}: industry code {enhet.industry_code} is not a DSOP institution's; write profile.yaml"
        )
    profile = {
        "org_number": state.org_number,
        "name": enhet.name,
        "org_form": enhet.org_form,
        "institution_type": kind,
        "dsop_services": [],
        "vendors": [],
    }
    return "# Created by `altinn-analysis pull` from Enhetsregisteret: add dsop_services and vendors.\n" + yaml_text(
        profile
    )


def _refuse_unsafe(org: str, pulled: dict[str, pl.DataFrame], record: dict[str, Any]) -> None:
    """Last guard before anything is written: no token, key or identity number in what the pull adds."""
    from altinn_analysis.secret_guard import scan_text

    text = "\n".join(
        frame.with_columns(pl.col(pl.List(pl.String)).list.join(" ")).write_csv() for frame in pulled.values()
    )
    found = scan_text(text, location="pulled rows") + scan_text(json.dumps(record), location="pull.json")
    if found:
        kinds = ", ".join(sorted({f.kind for f in found}))
        raise ValueError(f"{org}: the pulled data would hold {kinds}; nothing was written")


def pull_into(
    org: str,
    out_dir: str | Path,
    *,
    catalogue: CatalogueLookups,
    environment: str = "prod",
    only: Sequence[str] = PULL_SOURCES,
    replay_dir: str | Path | None = None,
    transport: httpx.BaseTransport | None = None,
    maskinporten: MaskinportenTokenProvider | None = None,
    base_url: str | None = None,
    pseudonymizer: Pseudonymizer | None = None,
    known_services: Collection[str] | None = None,
    as_of: date | None = None,
    max_concurrency: int = 8,
    sleep: Callable[[float], None] = time.sleep,
    progress: Callable[[str], None] | None = None,
) -> PullResult:
    """Pull `org` and merge it into `out_dir/<org>/` (created from Enhetsregisteret when it does not exist)."""
    started = time.perf_counter()
    folder = Path(out_dir) / org
    existing_inventory = (
        load_inventory(folder, catalogue=catalogue, known_services=known_services)
        if (folder / PROFILE_FILE).is_file()
        else None
    )
    if replay_dir is not None:
        transport = replay_transport_for(replay_dir, org)
        if maskinporten is None:
            maskinporten = maskinporten_for_pull(org, environment, transport=transport, replay=True, sleep=sleep)
    state = pull_institution(
        org,
        environment=environment,
        only=only,
        transport=transport,
        maskinporten=maskinporten,
        base_url=base_url,
        pseudonym=pseudonymizer or load_pseudonymizer(),
        as_of=as_of,
        max_concurrency=max_concurrency,
        sleep=sleep,
        progress=progress,
    )
    pulled = pulled_tables(state, _role_packages(catalogue))
    if existing_inventory is None:
        empty = {t: pl.DataFrame(schema=SCHEMAS[t]) for t in TABLES}
        existing = {t: empty[t] for t in TABLES}
        profile_yaml: str | None = _new_profile(state)
        profile = None
    else:
        existing = {t: existing_inventory.table(t) for t in TABLES}
        profile_yaml = None
        profile = {"org_form": existing_inventory.profile.org_form}
    merged = merge_pulled(existing, pulled, state.sources)
    record = pull_record(state, profile)
    _refuse_unsafe(org, pulled, record)
    files = write_pulled_inventory(folder, merged, record, profile_yaml=profile_yaml)
    return PullResult(
        org,
        folder,
        tuple(files),
        {t: pulled[t].height for t in TABLES},
        state.requests,
        time.perf_counter() - started,
        state,
    )
