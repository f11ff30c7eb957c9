"""The contract of the curated DSOP catalogue (`data/dsop/*.csv`, DESIGN §4), as data: each table's columns and
types, the columns that identify a row, the columns that may not be empty, the closed vocabularies, the
cross-table references and the per-column formats. `_dsop_files.py` checks the files against it.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import polars as pl

from altinn_analysis.catalogue._build import PACKAGE_URN_PREFIX
from altinn_analysis.checks import is_valid_org_number

__all__ = [
    "ALLOWED",
    "AREAS",
    "CERTAINTIES",
    "DSOP_SCHEMAS",
    "DSOP_TABLES",
    "FORMATS",
    "KEYS",
    "LIST_COLUMNS",
    "REFERENCES",
    "REQUIRED",
]

CERTAINTIES: tuple[str, ...] = ("documented", "inferred", "unknown")
AREAS: tuple[str, ...] = ("roles", "consent", "integration", "messaging", "broker", "service")

Dtype = type[pl.DataType] | pl.DataType

DSOP_SCHEMAS: dict[str, dict[str, Dtype]] = {
    "services": {
        "service_id": pl.String,
        "name_nb": pl.String,
        "name_en": pl.String,
        "status": pl.String,
        "fi_role": pl.String,
        "builds_on": pl.String,
        "counterparty": pl.String,
        "counterparty_org_number": pl.String,  # `;`-separated when there are several
        "data_flow": pl.String,
        "api_standard": pl.String,
        "maskinporten_scopes": pl.String,
        "legal_basis": pl.String,
        "lookback_or_validity": pl.String,
        "altinn2_summary": pl.String,
        "altinn3_impact": pl.String,
        "notes": pl.String,
        "certainty": pl.String,
        "source": pl.String,
    },
    "dependencies": {
        "dependency_id": pl.String,
        "service_id": pl.String,
        "artefact_key": pl.String,  # the same artefact shared by several services (one API key) has one key
        "area": pl.String,
        "artefact_type": pl.String,
        "altinn2_code": pl.String,
        "altinn2_edition": pl.String,
        "altinn2_name": pl.String,  # as the sources name it (their language)
        "subject_nb": pl.String,  # the artefact as reports name it, per language
        "subject_en": pl.String,
        "altinn2_fi_action": pl.String,
        "altinn3_target_type": pl.String,
        "altinn3_target": pl.String,
        "altinn3_description": pl.String,
        "successor_status": pl.String,
        "deadline_milestone": pl.String,
        "action_nb": pl.String,
        "action_en": pl.String,
        "notes": pl.String,
        "certainty": pl.String,
        "source": pl.String,
    },
    "role_successors": {
        "altinn2_role_code": pl.String,
        "role_name_nb": pl.String,
        "role_name_en": pl.String,
        "successor_type": pl.String,
        "package_urn": pl.String,
        "package_name_nb": pl.String,
        "confidence": pl.String,
        "primary": pl.String,  # "yes": the package a holder of the role needs; the role is moved when it is held
        "basis": pl.String,
        "certainty": pl.String,
        "source": pl.String,
    },
    "er_role_grants": {
        "er_legacy_code": pl.String,
        "er_role_code": pl.String,
        "er_role_name_nb": pl.String,
        "altinn2_role_code": pl.String,
        "altinn2_role_name_nb": pl.String,
        "certainty": pl.String,
        "source": pl.String,
    },
    "policies": {
        "subject_type": pl.String,
        "subject": pl.String,
        "policy": pl.String,
        "reason_nb": pl.String,
        "reason_en": pl.String,
        "certainty": pl.String,
        "source": pl.String,
    },
    "milestones": {
        "milestone_id": pl.String,
        "date": pl.Date,
        "kind": pl.String,
        "areas": pl.String,  # `;`-separated finding areas the milestone governs
        "name_nb": pl.String,
        "name_en": pl.String,
        "description": pl.String,
        "certainty": pl.String,
        "source": pl.String,
    },
}

DSOP_TABLES: tuple[str, ...] = tuple(DSOP_SCHEMAS)

# Columns that identify a row; together they must be unique.
KEYS: dict[str, tuple[str, ...]] = {
    "services": ("service_id",),
    "dependencies": ("dependency_id",),
    "role_successors": ("altinn2_role_code", "package_urn"),
    "er_role_grants": ("er_role_code", "altinn2_role_code"),
    "policies": ("subject_type", "subject"),
    "milestones": ("milestone_id",),
}

# Columns that may not be empty (besides the keys, certainty and source).
REQUIRED: dict[str, tuple[str, ...]] = {
    "services": ("name_nb", "name_en", "status", "fi_role"),
    "dependencies": (
        "service_id",
        "artefact_key",
        "area",
        "artefact_type",
        "altinn3_target_type",
        "successor_status",
        "subject_nb",
        "subject_en",
        "action_nb",
        "action_en",
    ),
    "role_successors": ("altinn2_role_code", "role_name_nb", "successor_type", "confidence"),
    "er_role_grants": ("er_legacy_code", "er_role_code", "altinn2_role_code"),
    "policies": ("policy", "reason_nb", "reason_en"),
    "milestones": ("date", "kind", "name_nb", "name_en"),
}

# Closed vocabularies. A `;`-separated column lists each item against the same set.
ALLOWED: dict[str, dict[str, tuple[str, ...]]] = {
    "services": {
        "status": ("production", "pilot", "beta", "under_development", "placeholder"),
        "fi_role": ("consumer", "provider", "reporter", "sender"),
    },
    "dependencies": {
        "area": AREAS,
        "artefact_type": (
            "consent_service",
            "altinn_api_key",
            "maskinporten_scope",
            "maskinporten_delegation",
            "delegated_right",
            "delegable_api",
            "correspondence_inbox",
            "altinn_role",
            "broker_service",
            "enterprise_user",
            "service_owner_registration",
            "none",
        ),
        "altinn3_target_type": (
            "resource",
            "access_package",
            "system_user",
            "maskinporten",
            "consent_api",
            "dialogporten",
            "none",
            "unknown",
        ),
        "successor_status": ("available", "not_found", "unchanged", "not_applicable", "unknown"),
    },
    "role_successors": {
        "successor_type": (
            "converted_1to1",
            "equivalent_1to1",
            "equivalent_1ton",
            "split_1ton",
            "related",
            "none",
        ),
        "confidence": ("high", "medium", "low"),
        "primary": ("yes",),
    },
    "er_role_grants": {},
    "policies": {
        "subject_type": ("altinn2_role", "er_role", "access_package", "consent_service"),
        "policy": ("review", "no_packages_by_design", "client_only", "owner_may_migrate"),
    },
    "milestones": {
        "kind": ("deadline", "availability", "event"),
        "areas": AREAS,
    },
}
LIST_COLUMNS: frozenset[tuple[str, str]] = frozenset({("milestones", "areas"), ("services", "counterparty_org_number")})

# (table, column) -> (table, column) the value must exist in.
REFERENCES: dict[tuple[str, str], tuple[str, str]] = {
    ("services", "builds_on"): ("services", "service_id"),
    ("dependencies", "service_id"): ("services", "service_id"),
    ("dependencies", "deadline_milestone"): ("milestones", "milestone_id"),
}

_ID = re.compile(r"^[a-z0-9][a-z0-9-]*$")
_DEPENDENCY_ID = re.compile(r"^[a-z0-9][a-z0-9-]*/[a-z0-9][a-z0-9-]*$")


def _matches(pattern: re.Pattern[str]) -> Callable[[str], bool]:
    return lambda value: pattern.match(value) is not None


# Per-column format checks: (table, column) -> (test, what was expected).
FORMATS: dict[tuple[str, str], tuple[Callable[[str], bool], str]] = {
    ("services", "service_id"): (_matches(_ID), "a lower-case id (a-z, 0-9, -)"),
    ("milestones", "milestone_id"): (_matches(_ID), "a lower-case id (a-z, 0-9, -)"),
    ("dependencies", "dependency_id"): (_matches(_DEPENDENCY_ID), "'<service_id>/<artefact_key>' in lower case"),
    ("services", "counterparty_org_number"): (
        is_valid_org_number,
        "9-digit organisation numbers with a valid check digit",
    ),
    ("role_successors", "altinn2_role_code"): (str.isupper, "an upper-case Altinn 2 role code (UTINN, A0294)"),
    ("role_successors", "package_urn"): (
        lambda v: v.startswith(PACKAGE_URN_PREFIX),
        f"an access package urn ({PACKAGE_URN_PREFIX}…)",
    ),
    ("er_role_grants", "er_legacy_code"): (str.isupper, "an upper-case ER role code (DAGL)"),
    ("er_role_grants", "altinn2_role_code"): (str.isupper, "an upper-case Altinn 2 role code (UTINN)"),
}
