"""Pure functions: raw API payloads → the catalogue's typed polars tables (DESIGN §3).

Every table has a fixed schema and a fixed sort order, so the same payloads always give the same bytes on
disk, whatever order the concurrent fetches finished in.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import polars as pl

__all__ = ["SCHEMAS", "RawCatalogue", "build_tables"]

Json = dict[str, Any]

SCHEMAS: dict[str, dict[str, type[pl.DataType] | pl.DataType]] = {
    "area_groups": {
        "id": pl.String,
        "name_nb": pl.String,
        "name_en": pl.String,
        "description_nb": pl.String,
        "type": pl.String,
    },
    "areas": {
        "id": pl.String,
        "urn": pl.String,
        "name_nb": pl.String,
        "name_en": pl.String,
        "description_nb": pl.String,
        "description_en": pl.String,
        "icon_url": pl.String,
        "group_id": pl.String,
    },
    "access_packages": {
        "id": pl.String,
        "urn": pl.String,
        "code": pl.String,
        "name_nb": pl.String,
        "name_en": pl.String,
        "description_nb": pl.String,
        "description_en": pl.String,
        "area_id": pl.String,
        "is_delegable": pl.Boolean,
        "is_assignable": pl.Boolean,
        "is_resource_policy_available": pl.Boolean,
    },
    "roles": {
        "id": pl.String,
        "code": pl.String,
        "urn": pl.String,
        "legacy_code": pl.String,
        "legacy_urn": pl.String,
        "name_nb": pl.String,
        "name_en": pl.String,
        "description_nb": pl.String,
        "description_en": pl.String,
        "provider_code": pl.String,
        "is_key_role": pl.Boolean,
        "is_resource_policy_available": pl.Boolean,
    },
    "variants": {"variant": pl.String},
    "role_packages": {
        "role_code": pl.String,
        "legacy_code": pl.String,
        "variant": pl.String,
        "package_urn": pl.String,
        "package_id": pl.String,
        # The public endpoint does not say whether the role *has* the package or may only delegate it; the
        # columns stay null unless the API starts to send hasAccess / canDelegate.
        "has_access": pl.Boolean,
        "can_delegate": pl.Boolean,
        "package_is_delegable": pl.Boolean,
        "package_is_assignable": pl.Boolean,
    },
    "resources": {
        "identifier": pl.String,
        "title_nb": pl.String,
        "title_en": pl.String,
        "description_nb": pl.String,
        "description_en": pl.String,
        "resource_type": pl.String,
        "status": pl.String,
        "delegable": pl.Boolean,
        "visible": pl.Boolean,
        "owner_org_code": pl.String,
        "owner_org_number": pl.String,
        "owner_name_nb": pl.String,
        "access_list_mode": pl.String,
        "consent_template": pl.String,
        "is_one_time_consent": pl.Boolean,
        "available_for_type": pl.List(pl.String),
        "is_test": pl.Boolean,
        "test_reason": pl.String,
    },
    "resource_references": {
        "identifier": pl.String,
        "reference_source": pl.String,
        "reference_type": pl.String,
        "reference": pl.String,
    },
    "altinn2_service_map": {
        "service_code": pl.String,
        "service_edition_code": pl.String,
        "identifier": pl.String,
        "match": pl.String,
        "is_test": pl.Boolean,
        "certainty": pl.String,
    },
    "resource_subjects": {
        "identifier": pl.String,
        "subject_urn": pl.String,
        "subject_type": pl.String,
        "subject_value": pl.String,
    },
}

SORT_KEYS: dict[str, list[str]] = {
    "area_groups": ["id"],
    "areas": ["id"],
    "access_packages": ["urn"],
    "roles": ["code"],
    "variants": ["variant"],
    "role_packages": ["role_code", "variant", "package_urn"],
    "resources": ["identifier"],
    "resource_references": ["identifier", "reference_type", "reference_source", "reference"],
    "altinn2_service_map": ["service_code", "service_edition_code", "identifier", "match"],
    "resource_subjects": ["identifier", "subject_type", "subject_value"],
}

# How an Altinn 2 service code:edition is tied to an Altinn 3 resource, strongest first.
MATCH_REFERENCE = "reference"
MATCH_APP_PATTERN = "app_id_pattern"
MATCH_CORRESPONDENCE_PATTERN = "correspondence_id_pattern"
_ID_PATTERNS = (
    (re.compile(r"^app_(?P<org>[a-z0-9]+)_a2-(?P<code>\d+)-(?P<edition>\d+)$"), MATCH_APP_PATTERN),
    (
        re.compile(r"^(?P<org>[a-z0-9]+)-migratedcorrespondence-(?P<code>\d+)-(?P<edition>\d+)$"),
        MATCH_CORRESPONDENCE_PATTERN,
    ),
)
_MATCH_RANK = {MATCH_REFERENCE: 0, MATCH_APP_PATTERN: 1, MATCH_CORRESPONDENCE_PATTERN: 2}

PACKAGE_URN_PREFIX = "urn:altinn:accesspackage:"

# Test and demo resources found in resource lists (Altinn's own test data, TT02 apps). They are flagged `is_test`
# and never used for a mapping or a finding. First matching row wins: (what is matched, pattern, reason).
TEST_RESOURCE_RULES: tuple[tuple[str, re.Pattern[str], str], ...] = (
    ("owner", re.compile(r"^(ttd|org1|acc|acn)$"), "owned by a test organisation code"),
    ("identifier", re.compile(r"devtest|(^|[_-])test([_-]|$)|^jks_|^app_org\d"), "test or demo identifier"),
    (
        "identifier",
        re.compile(
            r"^(altinn_access_management|altinn_maskinporten_scope_delegation|digdirs_company_car|"
            r"mp_validation_problem_details|non_delegable_maskinportenschema|system_resource|"
            r"skd-migrert-4628-1|skd-maskinportenschemaid-8)$"
        ),
        "known resource-registry / access-management test data (not a production resource)",
    ),
    ("status", re.compile(r"^UnderDevelopment$"), "under development, not in production"),
)


def test_resource_reason(identifier: str, owner: str | None, status: str | None) -> str | None:
    """Why a resource is test data, or None for a resource that may be used."""
    values = {"identifier": identifier, "owner": owner or "", "status": status or ""}
    for field_name, pattern, reason in TEST_RESOURCE_RULES:
        if pattern.search(values[field_name]):
            return reason
    return None


@dataclass
class RawCatalogue:
    """What `refresh` fetched, before it becomes tables."""

    export: Mapping[str, list[Json]]  # language → area groups
    roles: Mapping[str, list[Json]]  # language → roles
    role_packages: Mapping[tuple[str, str], list[Json]]  # (role code, variant) → packages
    variants: list[str]
    resources: list[Json]
    subjects: Mapping[str, list[Json] | None] = field(default_factory=dict)


def _frame(name: str, rows: Iterable[Mapping[str, Any]]) -> pl.DataFrame:
    schema = SCHEMAS[name]
    data = list(rows)
    frame = pl.DataFrame(data, schema=schema) if data else pl.DataFrame(schema=schema)
    return frame.unique(maintain_order=True).sort(SORT_KEYS[name], nulls_last=True)


def _text(value: Any, language: str) -> str | None:
    """Altinn texts are either a plain string or a {nb, nn, en} object."""
    if isinstance(value, Mapping):
        text = value.get(language)
        return str(text) if text is not None else None
    return None if value is None else str(value)


def _by_id(items: Iterable[Json]) -> dict[str, Json]:
    return {str(item["id"]): item for item in items}


def _package_code(urn: str) -> str:
    return urn.removeprefix(PACKAGE_URN_PREFIX)


def _export_tables(export: Mapping[str, list[Json]]) -> dict[str, pl.DataFrame]:
    nb = export["nb"]
    en = export.get("en", [])
    groups_en = _by_id(en)
    areas_en = _by_id(a for g in en for a in g.get("areas") or [])
    packages_en = _by_id(p for g in en for a in g.get("areas") or [] for p in a.get("packages") or [])
    groups, areas, packages = [], [], []
    for g in nb:
        ge = groups_en.get(str(g["id"]), {})
        groups.append(
            {
                "id": g["id"],
                "name_nb": g.get("name"),
                "name_en": ge.get("name"),
                "description_nb": g.get("description"),
                "type": g.get("type"),
            }
        )
        for a in g.get("areas") or []:
            ae = areas_en.get(str(a["id"]), {})
            areas.append(
                {
                    "id": a["id"],
                    "urn": a.get("urn"),
                    "name_nb": a.get("name"),
                    "name_en": ae.get("name"),
                    "description_nb": a.get("description"),
                    "description_en": ae.get("description"),
                    "icon_url": a.get("iconUrl"),
                    "group_id": g["id"],
                }
            )
            for p in a.get("packages") or []:
                pe = packages_en.get(str(p["id"]), {})
                packages.append(
                    {
                        "id": p["id"],
                        "urn": p["urn"],
                        "code": _package_code(p["urn"]),
                        "name_nb": p.get("name"),
                        "name_en": pe.get("name"),
                        "description_nb": p.get("description"),
                        "description_en": pe.get("description"),
                        "area_id": a["id"],
                        "is_delegable": p.get("isDelegable"),
                        "is_assignable": p.get("isAssignable"),
                        "is_resource_policy_available": p.get("isResourcePolicyAvailable"),
                    }
                )
    return {
        "area_groups": _frame("area_groups", groups),
        "areas": _frame("areas", areas),
        "access_packages": _frame("access_packages", packages),
    }


def _legacy_code(role: Json) -> str | None:
    """The Altinn 2 code of a role, upper case as Altinn 2 wrote it: DAGL for daglig-leder, A0294 for a0294."""
    if role.get("legacyRoleCode"):
        return str(role["legacyRoleCode"]).upper()
    if (role.get("provider") or {}).get("code") == "sys-altinn2":
        return str(role["code"]).upper()
    return None


def _roles_table(roles: Mapping[str, list[Json]]) -> pl.DataFrame:
    en = _by_id(roles.get("en", []))
    rows = []
    for r in roles["nb"]:
        e = en.get(str(r["id"]), {})
        rows.append(
            {
                "id": r["id"],
                "code": r["code"],
                "urn": r.get("urn"),
                "legacy_code": _legacy_code(r),
                "legacy_urn": r.get("legacyUrn"),
                "name_nb": r.get("name"),
                "name_en": e.get("name"),
                "description_nb": r.get("description"),
                "description_en": e.get("description"),
                "provider_code": (r.get("provider") or {}).get("code"),
                "is_key_role": r.get("isKeyRole"),
                "is_resource_policy_available": r.get("isResourcePolicyAvailable"),
            }
        )
    return _frame("roles", rows)


def _role_packages_table(
    role_packages: Mapping[tuple[str, str], list[Json]], roles: pl.DataFrame, package_table: pl.DataFrame
) -> pl.DataFrame:
    """The answer leaves `hasAccess`/`canDelegate` empty; the export says per package whether it can be
    delegated and assigned, so those facts fill them (and are kept in their own columns)."""
    legacy = dict(zip(roles["code"], roles["legacy_code"], strict=True))
    flags = {
        u: (d, a)
        for u, d, a in zip(
            package_table["urn"], package_table["is_delegable"], package_table["is_assignable"], strict=True
        )
    }
    rows = []
    for (role, variant), packages in role_packages.items():
        for p in packages:
            delegable, assignable = flags.get(p["urn"], (None, None))
            rows.append(
                {
                    "role_code": role,
                    "legacy_code": legacy.get(role),
                    "variant": variant,
                    "package_urn": p["urn"],
                    "package_id": p.get("id"),
                    "has_access": assignable if p.get("hasAccess") is None else p["hasAccess"],
                    "can_delegate": delegable if p.get("canDelegate") is None else p["canDelegate"],
                    "package_is_delegable": delegable,
                    "package_is_assignable": assignable,
                }
            )
    return _frame("role_packages", rows)


def _resources_tables(resources: list[Json], source: str) -> dict[str, pl.DataFrame]:
    rows, refs = [], []
    for r in resources:
        owner = r.get("hasCompetentAuthority") or {}
        rows.append(
            {
                "identifier": r["identifier"],
                "title_nb": _text(r.get("title"), "nb"),
                "title_en": _text(r.get("title"), "en"),
                "description_nb": _text(r.get("description"), "nb"),
                "description_en": _text(r.get("description"), "en"),
                "resource_type": r.get("resourceType"),
                "status": r.get("status"),
                "delegable": r.get("delegable"),
                "visible": r.get("visible"),
                # Org codes come in both cases (skd / SKD); lower case is Altinn's canonical form.
                "owner_org_code": (owner.get("orgcode") or "").lower() or None,
                "owner_org_number": owner.get("organization"),
                "owner_name_nb": _text(owner.get("name"), "nb"),
                "access_list_mode": r.get("accessListMode"),
                "consent_template": r.get("consentTemplate"),
                "is_one_time_consent": r.get("isOneTimeConsent"),
                "available_for_type": r.get("availableForType"),
                "test_reason": test_resource_reason(
                    str(r["identifier"]), (owner.get("orgcode") or "").lower() or None, r.get("status")
                ),
            }
        )
        rows[-1]["is_test"] = rows[-1]["test_reason"] is not None
        for ref in r.get("resourceReferences") or []:
            refs.append(
                {
                    "identifier": r["identifier"],
                    "reference_source": ref.get("referenceSource"),
                    "reference_type": ref.get("referenceType"),
                    "reference": ref.get("reference"),
                }
            )
    resources_df = _frame("resources", rows)
    references_df = _frame("resource_references", refs)
    return {
        "resources": resources_df,
        "resource_references": references_df,
        "altinn2_service_map": _service_map(resources_df, references_df, source),
    }


def _service_map(resources: pl.DataFrame, references: pl.DataFrame, source: str) -> pl.DataFrame:
    """Altinn 2 `code:edition` → Altinn 3 resource, from references first, then from id patterns.

    `certainty`: a reference in a live answer is `documented`; an id pattern, or anything in a recording (whose
    references were constructed when it was built), is `inferred`. Test resources keep their rows, flagged.
    """
    identifiers = resources["identifier"].to_list()
    is_test = dict(zip(resources["identifier"], resources["is_test"], strict=True))
    rows: dict[tuple[str, str, str], str] = {}

    def add(code: str, edition: str, identifier: str, match: str) -> None:
        key = (code, edition, identifier)
        if key not in rows or _MATCH_RANK[match] < _MATCH_RANK[rows[key]]:
            rows[key] = match

    for identifier, group in references.group_by("identifier", maintain_order=True):
        codes = group.filter(pl.col("reference_type") == "ServiceCode")["reference"].to_list()
        editions = group.filter(pl.col("reference_type") == "ServiceEditionCode")["reference"].to_list()
        # Only numeric codes are Altinn 2 services; "AppId:8" names a delegation scheme, kept in references.
        for code in (c for c in codes if c and c.isdigit()):
            for edition in (e for e in editions if e and e.isdigit()):
                add(code, edition, str(identifier[0]), MATCH_REFERENCE)
    for resource_id in identifiers:
        for pattern, match in _ID_PATTERNS:
            m = pattern.match(resource_id)
            if m:
                add(m["code"], m["edition"], resource_id, match)
    return _frame(
        "altinn2_service_map",
        (
            {
                "service_code": c,
                "service_edition_code": e,
                "identifier": i,
                "match": m,
                "is_test": bool(is_test.get(i)),
                "certainty": "documented" if m == MATCH_REFERENCE and source == "live" else "inferred",
            }
            for (c, e, i), m in rows.items()
        ),
    )


def _subjects_table(subjects: Mapping[str, list[Json] | None]) -> pl.DataFrame:
    rows = [
        {
            "identifier": identifier,
            "subject_urn": s.get("urn") or f"{s.get('type')}:{s.get('value')}",
            "subject_type": s.get("type"),
            "subject_value": s.get("value"),
        }
        for identifier, items in subjects.items()
        for s in items or []
    ]
    return _frame("resource_subjects", rows)


def build_tables(raw: RawCatalogue, source: str = "live") -> dict[str, pl.DataFrame]:
    """Every catalogue table from the raw payloads (`source`: live or replay, see `_service_map`)."""
    tables = _export_tables(raw.export)
    tables["roles"] = _roles_table(raw.roles)
    tables["variants"] = _frame("variants", ({"variant": v} for v in raw.variants))
    tables["role_packages"] = _role_packages_table(raw.role_packages, tables["roles"], tables["access_packages"])
    tables |= _resources_tables(raw.resources, source)
    tables["resource_subjects"] = _subjects_table(raw.subjects)
    return tables
