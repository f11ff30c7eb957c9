"""The inventory's input format as data (DESIGN §5): tables, columns, profile keys.

This is the one place the format is declared. Validation reads it (which columns are required, which values
are allowed, how a cell is parsed), and the input-format docs and the XLSX templates are generated from it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import polars as pl

from altinn_analysis.inventory._files import PROFILE_FILE, TABLE_SUFFIXES, TABLES

__all__ = [
    "CONSENT_STATUSES",
    "GRANT_SOURCES",
    "GRANT_TYPES",
    "HOLDER_TYPES",
    "INSTITUTION_TYPES",
    "INTEGRATION_KINDS",
    "INTEGRATION_STATUSES",
    "PLATFORMS",
    "PROFILE_FIELDS",
    "PROFILE_FILE",
    "SCHEMAS",
    "TABLES",
    "TABLE_SPECS",
    "TABLE_SUFFIXES",
    "ColumnKind",
    "ColumnSpec",
    "ProfileField",
    "TableSpec",
]


PLATFORMS = ("altinn2", "altinn3")
HOLDER_TYPES = ("person", "enterprise_user", "organisation", "system_user")
GRANT_TYPES = ("role", "service", "access_package", "resource")
GRANT_SOURCES = ("er", "delegated", "client_delegation")
CONSENT_STATUSES = ("active", "expired", "revoked", "rejected", "pending")
INTEGRATION_KINDS = (
    "api_key",
    "enterprise_user",
    "system_user",
    "maskinporten_client",
    "consent_api",
    "message_box",
    "broker",
    "dialogporten",
)
INTEGRATION_STATUSES = ("active", "planned", "disabled", "retired")
INSTITUTION_TYPES = ("bank", "savings_bank", "finance_company", "branch", "insurer", "pension")

# How a cell is read and checked:
#   text      any text (stripped; empty = missing)
#   enum      one of `allowed`, case-insensitive, stored lower-case
#   date      ISO date YYYY-MM-DD
#   count     whole number >= 1
#   operator  `self` or a 9-digit organisation number with a valid check digit
#   scopes    words separated by spaces, `;` or `,`; stored as a list
ColumnKind = Literal["text", "enum", "date", "count", "operator", "scopes"]


@dataclass(frozen=True)
class ColumnSpec:
    """One column of an inventory table. `required`: the column must be there and every row must have a value."""

    name: str
    dtype: pl.DataType
    kind: ColumnKind
    required: bool
    description: str
    example: str
    allowed: tuple[str, ...] | None = None


@dataclass(frozen=True)
class TableSpec:
    name: str
    description: str
    columns: tuple[ColumnSpec, ...]

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    @property
    def required_columns(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns if c.required)

    @property
    def schema(self) -> dict[str, pl.DataType]:
        """The polars schema of the loaded (typed) table."""
        return {c.name: c.dtype for c in self.columns}

    def column(self, name: str) -> ColumnSpec:
        for col in self.columns:
            if col.name == name:
                return col
        raise KeyError(f"table {self.name!r} has no column {name!r}")


def _origin() -> ColumnSpec:
    return ColumnSpec(
        "origin",
        pl.String(),
        "text",
        False,
        "Only on rows written by `altinn-analysis pull`: the endpoint and the time the row was read from "
        "(such rows are observed facts; rows without it are reported). Leave it empty on your own rows.",
        "GET platform.altinn.no/accessmanagement/api/v1/enduser/connections @ 2026-11-28T10:00:00Z",
    )


def _platform(what: str) -> ColumnSpec:
    return ColumnSpec(
        "platform", pl.String(), "enum", True, f"Where the {what} is: Altinn 2 or Altinn 3.", "altinn2", PLATFORMS
    )


TABLE_SPECS: dict[str, TableSpec] = {
    "delegations": TableSpec(
        "delegations",
        "Who holds which right on behalf of the institution: roles, single-service rights, access packages, "
        "resource rights. One row per holder and grant.",
        (
            _platform("right"),
            ColumnSpec(
                "holder_type",
                pl.String(),
                "enum",
                True,
                "What kind of holder: a person, an Altinn 2 enterprise user, an organisation (e.g. a vendor "
                "through client delegation) or an Altinn 3 system user.",
                "person",
                HOLDER_TYPES,
            ),
            ColumnSpec(
                "holder_id",
                pl.String(),
                "text",
                True,
                "A pseudonymous id of the holder, the same on every row for the same holder. Never a national "
                "identity number: an inventory holding one is refused.",
                "person-0042",
            ),
            ColumnSpec(
                "grant_type",
                pl.String(),
                "enum",
                True,
                "What `grant` is: an Altinn or ER role, an Altinn 2 single-service right, an Altinn 3 access "
                "package or an Altinn 3 resource right.",
                "role",
                GRANT_TYPES,
            ),
            ColumnSpec(
                "grant",
                pl.String(),
                "text",
                True,
                "The right itself: a role code (UTINN, DAGL), an Altinn 2 service as code:edition "
                "(4804:210607), an access package urn (urn:altinn:accesspackage:skattegrunnlag) or a resource id "
                "(kv_dsve).",
                "UTINN",
            ),
            ColumnSpec(
                "granted_at", pl.Date(), "date", False, "When the right was granted (YYYY-MM-DD).", "2023-04-17"
            ),
            ColumnSpec(
                "source",
                pl.String(),
                "enum",
                True,
                "How the holder got it: from the Central Coordinating Register (ER), delegated in Altinn, or by "
                "client delegation (klientdelegering).",
                "delegated",
                GRANT_SOURCES,
            ),
            _origin(),
        ),
    ),
    "consents": TableSpec(
        "consents",
        "Customer consents the institution holds. A row may stand for many consents (`count`).",
        (
            _platform("consent"),
            ColumnSpec(
                "service",
                pl.String(),
                "text",
                True,
                "On altinn2 the consent service as code:edition (4804:210607); on altinn3 the consent resource id "
                "(ske-samtykke-sbl-inntekt).",
                "4804:210607",
            ),
            ColumnSpec("status", pl.String(), "enum", True, "State of the consent(s).", "active", CONSENT_STATUSES),
            ColumnSpec(
                "valid_from", pl.Date(), "date", True, "First day the consent is valid (YYYY-MM-DD).", "2026-03-02"
            ),
            ColumnSpec(
                "valid_to",
                pl.Date(),
                "date",
                True,
                "Last day the consent is valid (YYYY-MM-DD); not before valid_from.",
                "2026-09-30",
            ),
            ColumnSpec("count", pl.Int64(), "count", True, "How many consents the row stands for (1 or more).", "1"),
            _origin(),
        ),
    ),
    "integrations": TableSpec(
        "integrations",
        "The institution's technical set-ups against Altinn: API keys, enterprise and system users, Maskinporten "
        "clients, consent, message-box and broker integrations.",
        (
            _platform("integration"),
            ColumnSpec("kind", pl.String(), "enum", True, "What kind of integration.", "api_key", INTEGRATION_KINDS),
            ColumnSpec(
                "name", pl.String(), "text", True, "The institution's own name for it.", "SBL inntekt (Altinn 2)"
            ),
            ColumnSpec(
                "scopes",
                pl.List(pl.String()),
                "scopes",
                False,
                "Maskinporten/Altinn scopes it uses, separated by spaces or semicolons.",
                "altinn:consentrequests.read skatteetaten:inntekt",
            ),
            ColumnSpec(
                "operated_by",
                pl.String(),
                "operator",
                True,
                "`self`, or the 9-digit organisation number of the vendor that runs it (listed under `vendors` "
                "in profile.yaml).",
                "self",
            ),
            ColumnSpec(
                "status", pl.String(), "enum", True, "State of the integration.", "active", INTEGRATION_STATUSES
            ),
            ColumnSpec("last_used", pl.Date(), "date", False, "When it was last used (YYYY-MM-DD).", "2026-05-28"),
            ColumnSpec(
                "services",
                pl.List(pl.String()),
                "scopes",
                False,
                "The DSOP services it serves, as service ids from the profile's dsop_services, separated by spaces "
                "or semicolons. Without it, which service an integration serves is inferred (and said so).",
                "sbl saldo-studielan",
            ),
            _origin(),
        ),
    ),
}

if tuple(TABLE_SPECS) != TABLES:  # the file names (`_files`, no polars) and the specs name the same tables
    raise RuntimeError(f"inventory tables {tuple(TABLE_SPECS)} differ from the table files {TABLES}")
SCHEMAS: dict[str, dict[str, pl.DataType]] = {name: spec.schema for name, spec in TABLE_SPECS.items()}


@dataclass(frozen=True)
class ProfileField:
    """One key of `profile.yaml`. `type` is the YAML shape: `string`, `list[string]` or `list[vendor]`."""

    name: str
    type: str
    required: bool
    description: str
    example: str
    allowed: tuple[str, ...] | None = None


PROFILE_FIELDS: tuple[ProfileField, ...] = (
    ProfileField(
        "org_number",
        "string",
        True,
        "Organisation number: 9 digits with a valid check digit. Quote it in YAML.",
        '"910000004"',
    ),
    ProfileField("name", "string", True, "The institution's name.", "Fjordkyst Sparebank (fictional)"),
    ProfileField(
        "org_form",
        "string",
        True,
        "Organisation form as Altinn's role-package API knows it (the snapshot's variants: ASA, AS, SPA, SA, "
        "NUF, GFS, PK, FLI).",
        "SPA",
    ),
    ProfileField("institution_type", "string", True, "Kind of institution.", "savings_bank", INSTITUTION_TYPES),
    ProfileField(
        "dsop_services",
        "list[string]",
        True,
        "The DSOP services the institution takes part in, as DSOP catalogue service ids.",
        "[sbl, saldo-studielan, kontrollinformasjon]",
    ),
    ProfileField(
        "vendors",
        "list[vendor]",
        False,
        "Vendors that run integrations: each with `org_number` (9 digits), `name` and `runs` (list of what "
        "they run). May be empty.",
        '[{org_number: "920000002", name: "Eksempel Bankdata AS", runs: [sbl]}]',
    ),
    ProfileField(
        "demo",
        "boolean",
        False,
        "true only for the project's fictional demo institutions: they are kept apart from real ones and never "
        "ranked with them. Leave it out (or false) for a real institution.",
        "false",
    ),
)
