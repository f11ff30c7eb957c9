"""What every evaluator reads: the catalogues as plain lookups (`Lookups`, shared by a run), one institution's
facts (`Context`), and the draft finding an evaluator returns (`Draft`, built by keyword)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

import polars as pl

from altinn_analysis.catalogue import PACKAGE_URN_PREFIX, parse_service
from altinn_analysis.impact._texts import text

if TYPE_CHECKING:
    from altinn_analysis.catalogue import Catalogue, DsopCatalogue
    from altinn_analysis.inventory import Inventory

__all__ = ["CERTAINTIES", "Context", "DelegationGroups", "Draft", "Lookups", "delegation_groups", "short", "weakest"]

BOUNDARY_MILESTONE = "altinn2-closed"

# documented: a public source says so; observed: pulled from Altinn; inferred: our reasoning; unknown: not known.
CERTAINTIES: tuple[str, ...] = ("documented", "observed", "inferred", "unknown")
_CERTAINTY_RANK = {"observed": 0, "documented": 1, "inferred": 2, "unknown": 3}
_WORDS = re.compile(r"[^\s;,]+")
_NOTHING: frozenset[str] = frozenset()  # what a holder without Altinn 3 grants holds


def weakest(*certainties: str | None) -> str:
    """A finding is as certain as its weakest fact."""
    known = [c for c in certainties if c]
    return max(known, key=lambda c: _CERTAINTY_RANK.get(c, 3)) if known else "unknown"


def short(items: Iterable[str], limit: int = 3) -> str:
    names = [i.removeprefix(PACKAGE_URN_PREFIX) for i in items]
    return ", ".join(names[:limit]) + (f" (+{len(names) - limit})" if len(names) > limit else "")


@dataclass(frozen=True, kw_only=True)
class Draft:
    """One finding before `_finalise` adds deadline, severity, action text and id."""

    rule_id: str
    key: str  # unique within the rule, for the stable finding id
    subject: str
    status: str
    certainty: str
    evidence: str
    service_id: str | None = None
    holders: int = 0
    target: str | None = None
    detail: str = ""
    count: int = 0
    milestone: str | None = None  # overrides the rule's
    blocking: bool | None = None  # overrides the rule's


def _packages_by_role_variant(catalogue: Catalogue) -> dict[tuple[str, str], list[str]] | None:
    """Package urns per (role code, organisation form in upper case), from `role_packages` in one pass; None
    when a package urn is not unique in the catalogue (its join then repeats rows: the query decides)."""
    packages = catalogue.access_packages["urn"]
    if packages.n_unique() != packages.len():
        return None
    # Grouped in polars (one query; each group keeps the table's order), not row by row in Python.
    grouped = catalogue.role_packages.group_by("role_code", pl.col("variant").str.to_uppercase()).agg("package_urn")
    return {(code, variant): urns for code, variant, urns in grouped.iter_rows()}


def _service_rows(
    catalogue: Catalogue,
) -> tuple[dict[str, list[tuple[str | None, str, str]]], dict[str, list[str | None]]]:
    """The service map's rows per service code as (edition, resource, certainty), test resources and rows
    without a code left out as `Catalogue.resources_for_service` leaves them out (a missing `is_test` too), and
    each resource's types (one per resources row with that identifier)."""
    rows: dict[str, list[tuple[str | None, str, str]]] = {}
    mapping = catalogue.altinn2_service_map.select(
        "service_code", "service_edition_code", "identifier", "certainty", "is_test"
    )
    for code, edition, identifier, certainty, is_test in mapping.iter_rows():
        if code is not None and is_test is False:
            rows.setdefault(code, []).append((edition, identifier, certainty))
    types: dict[str, list[str | None]] = {}
    for identifier, resource_type in catalogue.resources.select("identifier", "resource_type").iter_rows():
        if identifier is not None:  # a join never matches a missing key
            types.setdefault(identifier, []).append(resource_type)
    return rows, types


@dataclass(frozen=True)
class Mapped:
    """The Altinn 3 resources `altinn2_service_map` gives one Altinn 2 service (test resources never)."""

    rows: int
    identifiers: tuple[str, ...]  # distinct, sorted
    types: frozenset[str]  # their resource types
    certainties: tuple[str, ...]  # one per mapping row
    consent_identifiers: tuple[str, ...]  # the consent resources among them, distinct, sorted


class Lookups:
    """The catalogues as plain dicts, built once and shared by every institution of a run (polars filters on
    tiny tables cost more in call overhead than the work they do). Pass one to `assess(..., lookups=)`."""

    def __init__(self, catalogue: Catalogue, dsop: DsopCatalogue) -> None:
        self.catalogue = catalogue
        self.dsop = dsop
        self.deps: list[dict[str, Any]] = [
            {**row, "codes": {c.upper() for c in _WORDS.findall(row["altinn2_code"] or "")}}
            for row in dsop.dependencies.iter_rows(named=True)
        ]
        self.milestones: dict[str, date] = dict(
            zip(dsop.milestones["milestone_id"], dsop.milestones["date"], strict=True)
        )
        self.successors: dict[str, list[dict[str, Any]]] = {}
        for row in dsop.role_successors.iter_rows(named=True):
            self.successors.setdefault(str(row["altinn2_role_code"]), []).append(row)
        self.policies: dict[tuple[str, str], dict[str, Any]] = {
            (str(r["subject_type"]), str(r["subject"])): r for r in dsop.policies.iter_rows(named=True)
        }
        # Access packages only a client relationship can hold (never an in-house person): asked per role and right.
        self.client_only: frozenset[str] = frozenset(
            u for (t, u), p in self.policies.items() if t == "access_package" and p["policy"] == "client_only"
        )
        # A few hundred rows each, grouped in Python (a polars group-by's groups cost more to hand out than this).
        gave: dict[str, set[str]] = {}
        giving: dict[str, set[str]] = {}
        for er_code, a2_code, er_role in dsop.er_role_grants.select(
            "er_legacy_code", "altinn2_role_code", "er_role_code"
        ).iter_rows():
            gave.setdefault(str(er_code), set()).add(a2_code)
            giving.setdefault(str(a2_code), set()).add(er_role)
        self.er_gave: dict[str, list[str]] = {k: sorted(v) for k, v in gave.items()}
        self.er_roles_giving: dict[str, list[str]] = {k: sorted(v) for k, v in giving.items()}
        subjects = catalogue.resource_subjects.filter(pl.col("subject_type") == "urn:altinn:accesspackage")
        by_resource: dict[str, list[str]] = {}
        for identifier, urn in subjects.select("identifier", "subject_urn").iter_rows():
            by_resource.setdefault(str(identifier), []).append(urn)
        self.subject_packages: dict[str, list[str]] = {k: sorted(v) for k, v in by_resource.items()}
        self.test_resources = set(catalogue.resources.filter(pl.col("is_test"))["identifier"])
        self.service_names = {
            lang: dict(zip(dsop.services["service_id"], dsop.services[f"name_{lang}"], strict=True))
            for lang in ("nb", "en")
        }
        self._role_packages: dict[tuple[str, str], list[str]] = {}
        self._mapped: dict[tuple[str, str | None], Mapped] = {}
        self._service_rows: dict[str, list[tuple[str | None, str, str]]] | None = None
        self._resource_types: dict[str, list[str | None]] = {}
        self._by_variant = _packages_by_role_variant(catalogue)
        self._deps: dict[tuple[tuple[str, ...], str | None, str | None], list[dict[str, Any]]] = {}

    def milestone_date(self, milestone_id: str) -> date:
        return self.milestones[milestone_id]

    def policy(self, subject_type: str, subject: str) -> dict[str, Any] | None:
        return self.policies.get((subject_type, subject))

    def packages_for_role(self, role: str, org_form: str) -> list[str]:
        key = (role, org_form.upper())
        if key not in self._role_packages:
            if self._by_variant is None:
                self._role_packages[key] = sorted(self.catalogue.packages_for_role(role, org_form)["urn"])
            else:  # what `Catalogue.packages_for_role` gives, from the table read once (a query per role before)
                found = self.catalogue.role(role)
                urns = self._by_variant.get((found["code"], org_form.upper()), []) if found is not None else []
                self._role_packages[key] = sorted(urns)
        return self._role_packages[key]

    def mapped(self, code: str, edition: str | None) -> Mapped:
        """What `Catalogue.resources_for_service` says about a service, as plain values: the service map's rows for
        it (test resources never), each joined with its resources (asked once per institution and service; both
        tables read once per run, not a query per service)."""
        key = (code, edition)
        found = self._mapped.get(key)
        if found is None:
            found = self._mapped[key] = self._map_service(*parse_service(code, edition))
        return found

    def _map_service(self, code: str, edition: str | None) -> Mapped:
        if self._service_rows is None:
            self._service_rows, self._resource_types = _service_rows(self.catalogue)
        identifiers: list[str] = []
        types: list[str | None] = []
        certainties: list[str] = []
        for row_edition, identifier, certainty in self._service_rows.get(code, ()):
            if edition is not None and row_edition != edition:
                continue
            # A left join: one row per matching resource, one (without a type) when there is none.
            for resource_type in self._resource_types.get(identifier, (None,)):
                identifiers.append(identifier)
                types.append(resource_type)
                certainties.append(certainty)
        return Mapped(
            rows=len(identifiers),
            identifiers=tuple(sorted(set(identifiers))),
            types=frozenset(t for t in types if t is not None),
            certainties=tuple(certainties),
            consent_identifiers=tuple(sorted({i for i, t in zip(identifiers, types, strict=True) if t == "Consent"})),
        )

    def successors_of(self, code: str) -> list[dict[str, Any]]:
        return self.successors.get(code, [])

    def dependencies(
        self, artefact_types: Sequence[str], code: str | None = None, edition: str | None = None
    ) -> list[dict[str, Any]]:
        key = (tuple(artefact_types), code, edition)
        found = self._deps.get(key)
        if found is None:  # the same few questions in every report of a run: each answered once
            found = self._deps[key] = [
                row
                for row in self.deps
                if row["artefact_type"] in artefact_types
                and (code is None or code.upper() in row["codes"])
                and (edition is None or row["altinn2_edition"] in (None, edition))
            ]
        return list(found)


@dataclass(frozen=True)
class DelegationGroups:
    """One institution's delegations grouped once, for every part of a report that reads them (the evaluators
    and the roles chart): one query instead of a filter and a group-by per reader.

    `roles`: Altinn 2 roles as (code, source is "er" (None without a source), holder type, holders), in the order
    the codes first appear; `rights`: Altinn 2 single rights as (grant, holder type, holders), likewise;
    `a3`: Altinn 3 access packages and resources as (grant, holder type, holders, grant type), a package's grant
    as its urn. Holders are the distinct holder ids, sorted."""

    roles: list[tuple[str, bool | None, str, tuple[str, ...]]]
    rights: list[tuple[str, str, tuple[str, ...]]]
    a3: list[tuple[str, str, tuple[str, ...]]]
    a3_packages: frozenset[str]  # Altinn 3 access-package grants as written in the inventory


# The last table's groups, while its report is made: one tuple, read and replaced whole (safe across threads).
_grouped: tuple[pl.DataFrame, DelegationGroups] | None = None


def delegation_groups(delegations: pl.DataFrame) -> DelegationGroups:
    """`DelegationGroups` of a delegations table, made once per table (a report's readers share it). Read only."""
    global _grouped
    kept = _grouped
    if kept is not None and kept[0] is delegations:
        return kept[1]
    grouped = (
        delegations.lazy()
        .filter(pl.col("platform").is_in(["altinn2", "altinn3"]))
        .group_by("platform", "grant_type", "grant", "source", "holder_type", maintain_order=True)
        .agg(pl.col("holder_id").unique().sort())
        .with_columns(pl.col("grant").str.strip_chars().str.to_uppercase().alias("code"))
        .collect()
    )
    roles: dict[tuple[Any, ...], list[tuple[str, ...]]] = {}
    rights: dict[tuple[Any, ...], list[tuple[str, ...]]] = {}
    a3: list[tuple[str, str, tuple[str, ...]]] = []
    a3_packages: set[str] = set()
    for platform, grant_type, grant, source, holder_type, holders, code in grouped.iter_rows():
        if platform == "altinn2":
            if grant_type == "role":
                via_er = None if source is None else source == "er"
                roles.setdefault((code, via_er, holder_type), []).append(holders)
            elif grant_type == "service":
                rights.setdefault((grant, holder_type), []).append(holders)
        elif grant_type in ("access_package", "resource"):
            if grant_type == "access_package":
                a3_packages.add(grant)
                if grant is not None and not grant.startswith("urn:"):
                    grant = PACKAGE_URN_PREFIX + grant
            a3.append((grant, holder_type, tuple(holders)))
    made = DelegationGroups(
        roles=[(*key, _merged(parts)) for key, parts in roles.items()],
        rights=[(*key, _merged(parts)) for key, parts in rights.items()],
        a3=a3,
        a3_packages=frozenset(a3_packages),
    )
    _grouped = (delegations, made)
    return made


def _merged(parts: list[Any]) -> tuple[str, ...]:
    """The distinct holders of groups that read as one, sorted as polars sorts them (a missing id first)."""
    if len(parts) == 1:
        return tuple(parts[0])
    holders = {h for part in parts for h in part}
    return tuple(sorted(holders, key=lambda h: (h is not None, h or "")))


class Context:
    """One institution at one date, over shared `Lookups`."""

    def __init__(self, lookups: Lookups, inventory: Inventory, as_of: date, language: str) -> None:
        self.lookups = lookups
        self.language = language
        self.inventory = inventory
        self.profile = inventory.profile
        self.as_of = as_of
        self.services = set(self.profile.dsop_services)
        self.boundary = lookups.milestone_date(BOUNDARY_MILESTONE)
        self.deps = [row for row in lookups.deps if row["service_id"] in self.services]
        self.vendor_runs: dict[str, set[str]] = {v.org_number: set(v.runs) for v in self.profile.vendors}
        self.delegations = delegation_groups(inventory.delegations)
        self.a3_grants: dict[str, set[str]] = {}  # holder → package urns and resource ids it holds in Altinn 3
        for grant, _holder_type, holders in self.delegations.a3:
            for holder in holders:
                held = self.a3_grants.get(holder)
                if held is None:
                    held = self.a3_grants[holder] = set()
                held.add(grant)
        # everything any system user holds
        self.system_user_grants: set[str] = {g for g, t, _ in self.delegations.a3 if t == "system_user"}
        self.a3_package_urns = {g for g, _, _ in self.delegations.a3}
        # Plain dicts: a few rows per institution, looked up many times (polars filters cost more than they do).
        # Each row has its `services` (None when the table has no such column) and whether it was `observed`:
        # rows pulled from Altinn carry an `origin` (endpoint and time); they are observed facts.
        rows = inventory.integrations.to_dicts()
        has_origin = "origin" in inventory.integrations.columns
        for row in rows:
            row.setdefault("services", None)
            row["observed"] = has_origin and row["origin"] is not None
        self.a2_integrations: list[dict[str, Any]] = [r for r in rows if r["platform"] == "altinn2"]
        self.a3_integrations: list[dict[str, Any]] = [r for r in rows if r["platform"] == "altinn3"]

    def text(self, key: str, **fields: object) -> str:
        return text(key, self.language, **fields)

    def service_name(self, service_id: str) -> str:
        return str(self.lookups.service_names[self.language].get(service_id) or service_id)

    def linked(self, services: str | None) -> bool:
        """Does the finding concern a DSOP service the institution uses?"""
        return bool(services) and bool(set((services or "").split(";")) & self.services)

    def services_of(self, rows: Iterable[dict[str, Any]]) -> str | None:
        """The DSOP services of dependency rows: the profile's first, any others only when none is the profile's."""
        found = {row["service_id"] for row in rows}
        mine = found & self.services
        return ";".join(sorted(mine or found)) or None

    def holders_lacking(self, holders: Iterable[str], wanted_all: Iterable[str]) -> int:
        """How many holders lack at least one of `wanted_all` in Altinn 3."""
        wanted = set(wanted_all)
        return sum(1 for h in set(holders) if not wanted <= self.a3_grants.get(h, _NOTHING))

    def holders_with_any(self, holders: Iterable[str], candidates: Iterable[str]) -> int:
        wanted = set(candidates)
        return sum(1 for h in set(holders) if self.a3_grants.get(h, _NOTHING) & wanted)

    def a3_counterparts(
        self, kinds: Sequence[str], status: str, service: str | None
    ) -> tuple[list[dict[str, Any]], bool]:
        """Altinn 3 integrations of `kinds` in `status` that serve `service`, and whether that attribution is
        inferred (rows without a `services` entry are counted, but only as inferred)."""
        rows = [r for r in self.a3_integrations if r["kind"] in kinds and r["status"] == status]
        if service is None:
            return rows, any(not r["services"] for r in rows)
        named = [r for r in rows if r["services"] and service in r["services"]]
        if named:
            return named, False
        unnamed = [r for r in rows if not r["services"]]
        return unnamed, bool(unnamed)
