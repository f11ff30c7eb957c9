"""What every evaluator reads: the catalogues as plain lookups (`Lookups`, shared by a run), one institution's
facts (`Context`), and the draft finding an evaluator returns (`Draft`, built by keyword)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

import polars as pl

from altinn_analysis.catalogue import PACKAGE_URN_PREFIX
from altinn_analysis.impact._texts import text

if TYPE_CHECKING:
    from altinn_analysis.catalogue import Catalogue, DsopCatalogue
    from altinn_analysis.inventory import Inventory

__all__ = ["CERTAINTIES", "Context", "Draft", "Lookups", "short", "weakest"]

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
        grants = dsop.er_role_grants
        self.er_gave: dict[str, list[str]] = {
            str(k): sorted(set(g["altinn2_role_code"])) for (k,), g in grants.group_by("er_legacy_code")
        }
        self.er_roles_giving: dict[str, list[str]] = {
            str(k): sorted(set(g["er_role_code"])) for (k,), g in grants.group_by("altinn2_role_code")
        }
        subjects = catalogue.resource_subjects.filter(pl.col("subject_type") == "urn:altinn:accesspackage")
        self.subject_packages: dict[str, list[str]] = {
            str(k): sorted(g["subject_urn"]) for (k,), g in subjects.group_by("identifier")
        }
        self.test_resources = set(catalogue.resources.filter(pl.col("is_test"))["identifier"])
        self.service_names = {
            lang: dict(zip(dsop.services["service_id"], dsop.services[f"name_{lang}"], strict=True))
            for lang in ("nb", "en")
        }
        self._role_packages: dict[tuple[str, str], list[str]] = {}
        self._services: dict[tuple[str, str | None], pl.DataFrame] = {}

    def milestone_date(self, milestone_id: str) -> date:
        return self.milestones[milestone_id]

    def policy(self, subject_type: str, subject: str) -> dict[str, Any] | None:
        return self.policies.get((subject_type, subject))

    def packages_for_role(self, role: str, org_form: str) -> list[str]:
        key = (role, org_form.upper())
        if key not in self._role_packages:
            self._role_packages[key] = sorted(self.catalogue.packages_for_role(role, org_form)["urn"])
        return self._role_packages[key]

    def resources_for_service(self, code: str, edition: str | None) -> pl.DataFrame:
        key = (code, edition)
        if key not in self._services:
            self._services[key] = self.catalogue.resources_for_service(code, edition)
        return self._services[key]

    def successors_of(self, code: str) -> list[dict[str, Any]]:
        return self.successors.get(code, [])

    def dependencies(
        self, artefact_types: Sequence[str], code: str | None = None, edition: str | None = None
    ) -> list[dict[str, Any]]:
        return [
            row
            for row in self.deps
            if row["artefact_type"] in artefact_types
            and (code is None or code.upper() in row["codes"])
            and (edition is None or row["altinn2_edition"] in (None, edition))
        ]


def _origin_observed(frame: pl.DataFrame) -> pl.Expr:
    # Rows pulled from Altinn carry an `origin` (endpoint and time); they are observed facts.
    return pl.col("origin").is_not_null() if "origin" in frame.columns else pl.lit(False)


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
        d = inventory.delegations.filter(pl.col("platform") == "altinn3")
        a3 = d.filter(pl.col("grant_type").is_in(["access_package", "resource"])).select(
            "holder_id",
            "holder_type",
            pl.when((pl.col("grant_type") == "access_package") & ~pl.col("grant").str.starts_with("urn:"))
            .then(pl.lit(PACKAGE_URN_PREFIX) + pl.col("grant"))
            .otherwise(pl.col("grant"))
            .alias("grant"),
        )
        # Column by column (thousands of rows: one conversion per column, not a tuple per row).
        holders, holder_types, grants = (a3[c].to_list() for c in ("holder_id", "holder_type", "grant"))
        self.a3_grants: dict[str, set[str]] = {}  # holder → package urns and resource ids it holds in Altinn 3
        for holder, grant in zip(holders, grants, strict=True):
            held = self.a3_grants.get(holder)
            if held is None:
                held = self.a3_grants[holder] = set()
            held.add(grant)
        # everything any system user holds
        self.system_user_grants: set[str] = {g for t, g in zip(holder_types, grants, strict=True) if t == "system_user"}
        self.a3_package_urns = set(grants)
        integrations = inventory.integrations
        if "services" not in integrations.columns:
            integrations = integrations.with_columns(pl.lit(None, pl.List(pl.String)).alias("services"))
        self.integrations = integrations.with_columns(_origin_observed(integrations).alias("observed"))
        # Plain dicts: a few rows per institution, looked up many times (polars filters cost more than they do).
        self.a3_integrations: list[dict[str, Any]] = self.integrations.filter(
            pl.col("platform") == "altinn3"
        ).to_dicts()

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
