"""`refresh`: fetch the catalogue from Altinn (live or replay), build the tables, store a snapshot.

The embedded snapshot in `data/reference/` is made by exactly this code against a recorded replay.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path

import httpx
import polars as pl

from altinn_analysis.catalogue._build import RawCatalogue, build_tables
from altinn_analysis.sources import AltinnClient, Manifest, ReplayTransport, write_snapshot

__all__ = ["DSOP_AGENCY_ORG_CODES", "FINANCE_ORG_FORMS", "fetch_raw", "refresh"]

log = logging.getLogger("altinn_analysis.catalogue")

# Organisation forms a finance institution can have (the `variant` of the role-packages API): banks and
# finance companies (ASA, AS), savings banks (SPA), foreign branches (NUF), mutual insurers (GFS), pension
# funds (PK), cooperatives (SA) and foundations/associations (FLI).
FINANCE_ORG_FORMS: tuple[str, ...] = ("ASA", "AS", "SPA", "SA", "NUF", "GFS", "PK", "FLI")

# Policy subjects are fetched per resource; the registry has thousands, so only those owned by the agencies
# DSOP exchanges data with: Skatteetaten, NAV, Lånekassen, Kartverket, Brønnøysundregistrene,
# Statens vegvesen, Statens sivilrettsforvaltning. (Altinn org codes; lanekassen is unverified.)
DSOP_AGENCY_ORG_CODES: tuple[str, ...] = ("skd", "nav", "lanekassen", "kv", "brg", "svv", "srf")

# (stage, done, total): the CLI turns this into a progress bar.
StageProgress = Callable[[str, int, int], None]


def fetch_raw(
    client: AltinnClient,
    *,
    variants: Sequence[str] = FINANCE_ORG_FORMS,
    subject_owners: Sequence[str] = DSOP_AGENCY_ORG_CODES,
    progress: StageProgress | None = None,
) -> RawCatalogue:
    def stage(name: str, done: int, total: int) -> None:
        if progress:
            progress(name, done, total)

    stage("access packages", 0, 2)
    export = {lang: client.access_packages_export(lang) for lang in ("nb", "en")}
    stage("access packages", 2, 2)
    stage("roles", 0, 2)
    roles = {lang: client.roles(lang) for lang in ("nb", "en")}
    stage("roles", 2, 2)
    pairs = [(str(r["code"]), v) for r in roles["nb"] for v in variants]
    role_packages = client.role_packages_many(pairs, progress=lambda d, t: stage("role packages", d, t))
    stage("resources", 0, 1)
    resources = client.resource_list(include_apps=True, include_migrated_apps=True)
    stage("resources", 1, 1)
    owners = {o.lower() for o in subject_owners}
    wanted = sorted(
        str(r["identifier"])
        for r in resources
        if ((r.get("hasCompetentAuthority") or {}).get("orgcode") or "").lower() in owners
    )
    subjects = client.resource_subjects_many(wanted, progress=lambda d, t: stage("policy subjects", d, t))
    return RawCatalogue(
        export=export,
        roles=roles,
        role_packages=role_packages,
        variants=list(variants),
        resources=resources,
        subjects=subjects,
    )


def refresh(
    out_dir: str | Path,
    *,
    environment: str = "prod",
    replay_dir: str | Path | None = None,
    transport: httpx.BaseTransport | None = None,
    max_concurrency: int = 8,
    variants: Sequence[str] = FINANCE_ORG_FORMS,
    subject_owners: Sequence[str] = DSOP_AGENCY_ORG_CODES,
    progress: StageProgress | None = None,
    client: AltinnClient | None = None,
    description: str | None = None,
) -> Manifest:
    """Fetch everything and write a new snapshot to `out_dir`. On any failure the old snapshot stays.

    `description` (first note of the manifest) says what the snapshot is, e.g. which recording it came from.
    """
    source = "replay" if replay_dir is not None or transport is not None else "live"
    if replay_dir is not None:
        transport = ReplayTransport(replay_dir)
    owns_client = client is None
    if client is None:
        client = AltinnClient(environment, transport=transport, max_concurrency=max_concurrency)
    try:
        raw = fetch_raw(client, variants=variants, subject_owners=subject_owners, progress=progress)
    finally:
        if owns_client:
            client.close()
    tables = build_tables(raw, source)
    missing_subjects = sorted(k for k, v in raw.subjects.items() if v is None)
    notes = [description] if description else []
    if source == "replay":
        notes.append("built from a recorded replay, not fetched from production: service mappings are inferred")
    tests = tables["resources"].filter(pl.col("is_test"))["identifier"].to_list()
    if tests:
        notes.append(f"{len(tests)} test resources flagged is_test and never used for a mapping or a finding")
    notes += [f"no policy subjects indexed for: {', '.join(missing_subjects)}"] if missing_subjects else []
    manifest = write_snapshot(
        out_dir,
        tables,
        source=source,  # type: ignore[arg-type]
        environment=client.environment,
        base_url=client.base_url,
        fetched_at=datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z"),
        notes=notes,
    )
    log.info("snapshot written to %s (%s rows)", out_dir, sum(t.rows for t in manifest.tables.values()))
    return manifest
