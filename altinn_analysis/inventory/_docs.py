"""The input-format reference (`docs/inventory.md`), generated from the schema in `_schema.py` and the help in
`_help.py` and `_column_help.py`.

`check_help()` fails when a table, column, kind or profile key has no help entry, or an entry names something the
schema does not have, so the docs cannot drift from the code.

`tests/test_inventory_docs.py` checks that the committed file equals the generated text; after changing the schema
or the help, regenerate it with

    .venv/bin/pytest tests/test_inventory_docs.py --update-golden
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import fields
from typing import get_args

from altinn_analysis.inventory._column_help import COLUMN_HELP
from altinn_analysis.inventory._help import KIND_RULES, KIND_TEXT, PROFILE_HELP, TABLE_HELP, Help, kind_text
from altinn_analysis.inventory._schema import (
    PROFILE_FIELDS,
    PROFILE_FILE,
    TABLE_SPECS,
    TABLE_SUFFIXES,
    ColumnKind,
    ProfileField,
    TableSpec,
)
from altinn_analysis.inventory._validate import _GRANT_ONLY_ON, _HOLDER_ONLY_ON, _KIND_ONLY_ON, DEFAULT_LIMIT
from altinn_analysis.sources import LIMITS_HELP, Limits

__all__ = ["check_help", "render_inventory_reference"]


def check_help(
    table_specs: Mapping[str, TableSpec] = TABLE_SPECS,
    profile_fields: Sequence[ProfileField] = PROFILE_FIELDS,
    *,
    table_help: Mapping[str, Help] = TABLE_HELP,
    column_help: Mapping[str, Mapping[str, Help]] = COLUMN_HELP,
    profile_help: Mapping[str, Help] = PROFILE_HELP,
) -> None:
    """Raise `ValueError` listing every table, column or profile key without help, and every help entry for
    something the schema does not have."""
    problems: list[str] = []

    def compare(what: str, declared: Sequence[str], helped: Sequence[str]) -> None:
        where = "_help.py or _column_help.py"
        problems.extend(f"{what} {name!r} has no help entry in {where}" for name in declared if name not in helped)
        problems.extend(
            f"help entry for {what} {name!r} in {where}, but the schema has no such {what.split()[-1]}"
            for name in helped
            if name not in declared
        )

    compare("table", list(table_specs), list(table_help))
    compare("table", list(table_specs), list(column_help))
    for table, spec in table_specs.items():
        compare(f"{table} column", list(spec.column_names), list(column_help.get(table, {})))
    compare("profile key", [f.name for f in profile_fields], list(profile_help))
    kinds = list(get_args(ColumnKind))
    compare("column kind", kinds, list(KIND_TEXT))
    compare("column kind", kinds, list(KIND_RULES))
    if problems:
        raise ValueError("the inventory docs do not match the schema:\n  " + "\n  ".join(dict.fromkeys(problems)))


# -- rendering ----------------------------------------------------------------------------------------------


def _cell(text: str) -> str:
    """Text for a Markdown table cell."""
    return text.replace("|", "\\|").replace("\n", " ")


def _allowed(values: Sequence[str] | None) -> str:
    return ", ".join(f"`{v}`" for v in values) if values else ""


def _code(text: str) -> str:
    return f"`{text}`" if text else ""


def _table_section(spec: TableSpec) -> list[str]:
    help_ = TABLE_HELP[spec.name]
    files = ", ".join(f"`{spec.name}{s}`" for s in TABLE_SUFFIXES)
    out = [
        f"## `{spec.name}`",
        "",
        f"{spec.description} File: one of {files}.",
        "",
        f"**Where to find it.** {help_.where_en}",
        "",
        "| column | type | required | allowed values | example |",
        "|---|---|---|---|---|",
    ]
    for col in spec.columns:
        required = "yes" if col.required else "no"
        out.append(
            f"| `{col.name}` | {_cell(kind_text(col))} | {required} | {_cell(_allowed(col.allowed))} | "
            f"{_cell(_code(col.example))} |"
        )
    out.append("")
    for col in spec.columns:
        where = COLUMN_HELP[spec.name][col.name].where_en
        out.append(f"- **`{col.name}`**: {col.description} *Where to find it:* {where}")
    out.append("")
    checks = _TABLE_CHECKS.get(spec.name, [])
    if checks:
        out.append("Checks across columns:")
        out.append("")
        out.extend(f"- {check}" for check in checks)
        out.append("")
    return out


def _only_on_text(only_on: Mapping[str, str], column: str) -> str:
    return ", ".join(f"`{column}` `{value}` only on `{platform}`" for value, platform in only_on.items())


_TABLE_CHECKS: dict[str, list[str]] = {
    "delegations": [
        "With `grant_type` `service`, `grant` must be `code:edition` (error); `4804_210607` and `4804 / 210607` are "
        "read as `4804:210607`.",
        "Codes the catalogue does not know (a role code, a service with no Altinn 3 successor in the service map, an "
        "access package, a resource id) are warnings, not errors: the rows are kept, and `assess"
        "` judges them from the DSOP catalogue where it documents the code, else as "
        "`unknown`. An "
        "access package given by its short code (`skattegrunnlag`) is stored as its urn.",
        "What exists on one platform only gives a warning on the other: "
        f"{_only_on_text(_GRANT_ONLY_ON, 'grant_type')}; {_only_on_text(_HOLDER_ONLY_ON, 'holder_type')}.",
    ],
    "consents": [
        "On `altinn2` `service` must be `code:edition`; on `altinn3` it must be a resource id, not a code (errors).",
        "`valid_to` must not be before `valid_from` (error).",
        "An Altinn 2 consent service with no known Altinn 3 consent resource, or an Altinn 3 resource the catalogue "
        "does not know, is a warning; the rows are kept.",
    ],
    "integrations": [
        f"What exists on one platform only gives a warning on the other: {_only_on_text(_KIND_ONLY_ON, 'kind')}.",
        "A vendor in `operated_by` that is not listed under `vendors` in profile.yaml is a warning.",
    ],
}


def _profile_section() -> list[str]:
    out = [
        f"## `{PROFILE_FILE}`",
        "",
        "The institution itself, as YAML (UTF-8, with or without BOM; safe YAML only). Unknown keys give a warning. "
        "`altinn-analysis template` writes it with every key and a comment explaining it.",
        "",
        "| key | type | required | allowed values | example |",
        "|---|---|---|---|---|",
    ]
    for field in PROFILE_FIELDS:
        required = "yes" if field.required else "no"
        allowed = _allowed(field.allowed)
        if field.name == "dsop_services":
            allowed = "service ids of the DSOP catalogue (`altinn-analysis catalogue services`)"
        elif field.name == "org_form":
            allowed = "the catalogue's variants (`altinn-analysis catalogue summary`, `org_forms`)"
        out.append(
            f"| `{field.name}` | {_cell(field.type)} | {required} | {_cell(allowed)} | {_cell(_code(field.example))} |"
        )
    out.append("")
    for field in PROFILE_FIELDS:
        out.append(f"- **`{field.name}`**: {field.description} *Where to find it:* {PROFILE_HELP[field.name].where_en}")
    out.extend(
        [
            "",
            "A folder named with digits that differ from `org_number` gives a warning: name the folder after the "
            "organisation number (`data/institutions/<org_number>/`).",
            "",
        ]
    )
    return out


def render_inventory_reference() -> str:
    """The text of `docs/inventory.md`: every file and column of an inventory, generated from the schema."""
    check_help()
    tables = list(TABLE_SPECS.values())
    out = [
        "# Inventory input format",
        "",
        "<!-- Generated from altinn_analysis/inventory/_schema.py and _docs.py by render_inventory_reference(); do "
        "not edit by hand.",
        "     Regenerate: .venv/bin/pytest tests/test_inventory_docs.py --update-golden -->",
        "",
        "An inventory is what one institution knows about its own Altinn footprint: its Altinn 2 roles, rights, "
        "consents and integrations (from its own records and exports: Altinn 2 can no longer be asked) and what it "
        "has set up in Altinn 3 so far. It is a folder, by convention `data/institutions/<org_number>/`, holding "
        f"four files: `{PROFILE_FILE}` and one table each for " + ", ".join(f"`{t.name}`" for t in tables) + ".",
        "",
        "```bash",
        "altinn-analysis template my-bank/          # an empty inventory: profile.yaml + three XLSX tables",
        "altinn-analysis validate my-bank/          # every problem as file:row:column",
        "altinn-analysis assess my-bank/ --language en",
        "```",
        "",
        "`docs/walkthrough.md` goes through that loop step by step. This page is the reference: every file, every "
        "column, and where an institution typically finds the information.",
        "",
        "| file | what it holds | required columns |",
        "|---|---|---|",
        f"| `{PROFILE_FILE}` | the institution: organisation number, name, form, type, DSOP services, vendors | "
        + ", ".join(f"`{f.name}`" for f in PROFILE_FIELDS if f.required)
        + " |",
    ]
    for spec in tables:
        out.append(
            f"| `{spec.name}` | {_cell(spec.description)} | {', '.join(f'`{c}`' for c in spec.required_columns)} |"
        )
    out.extend(
        [
            "",
            "## File formats",
            "",
            "- **One file per table**, named after it: `<table>.csv`, `<table>.xlsx` or `<table>.parquet` (letter "
            "case of the name does not matter). Two files for one table are an error; so is a missing table: a table "
            "with no rows is a file with only the header line. Excel's lock files (`~$…`) and hidden files are "
            "ignored. The formats can be mixed within one folder.",
            "- **CSV**: UTF-8, with or without BOM (Excel's “CSV UTF-8”). UTF-16 (“Unicode Text”) and "
            "Windows-1252/Latin-1 are refused, with a message saying how to save as UTF-8. The separator is `;` or "
            "`,`, detected from the header line (Norwegian Excel writes `;`); tab-separated files are refused. Values "
            'are quoted with `"`; a quoted value may hold the separator and line breaks. Line endings do not matter.',
            "- **XLSX**: the sheet named after the table (`delegations`), or else the first sheet; other sheets are "
            "ignored (the templates' instructions sheet, for example). Excel date cells are read as dates whatever "
            "their display format, and `3.0` as `3`. Old `.xls`, `.ods` and password-protected workbooks are refused: "
            "save as an unprotected `.xlsx`.",
            "- **Parquet**: columns may be text or typed (dates, date-times, numbers, booleans, lists of strings); a "
            "list column is read as its items separated by spaces.",
            "- **Header**: the first non-blank row. Letter case, surrounding spaces and hyphens do not matter "
            "(`Holder ID` and `holder-id` are `holder_id`). Column order does not matter. A column the format does "
            "not know is ignored with a warning (with a suggestion when it looks like a known one); optional columns "
            "may be left out; a required column that is missing is an error.",
            "- **Cells**: leading and trailing spaces are removed; an empty cell is a missing value. Blank rows are "
            "skipped. A row with more values than the header has columns is an error.",
            "- **Duplicates**: a row that is an exact copy of an earlier one is an error, because rows are counted "
            "(holders, consents). Put an aggregate in one row (`count`).",
            f"- `{PROFILE_FILE}`: UTF-8 YAML (safe YAML only: no tags, no anchors or aliases, no duplicate keys; "
            "each is refused with its line).",
            "- **Only regular files**: a table or profile that is a symbolic link or a special file (pipe, device) "
            "is refused, never followed. Other files in the folder are ignored, never read or hashed; `validate` "
            "lists them as warnings.",
            "",
            "### How values are read",
            "",
            "| type | rule |",
            "|---|---|",
        ]
    )
    for kind, (label, _) in KIND_TEXT.items():
        out.append(f"| {_cell(label)} | {_cell(KIND_RULES[kind])} |")
    out.extend(
        [
            "",
            "## Personal data",
            "",
            "Inventories are **pseudonymous**. A national identity number (fødselsnummer, D-number, H-number or "
            "synthetic test number: 11 digits with valid check digits, also when written with a space, dot or "
            "hyphen after the sixth digit) anywhere in "
            "a table, a header or profile.yaml is an error naming the file, row and column, and the whole inventory "
            "is refused until it is gone. The number itself is never printed: error messages show "
            "`[11 digits removed]` instead, and nothing from a refused inventory reaches a report.",
            "",
            "Identify holders with pseudonymous ids (`P-0042` for a person, `EU-01` for an enterprise user, "
            "`SU-sbl-01` for a system user, an organisation's own organisation number), the same id for the same "
            "holder on every row and on both platforms. Keep the key from pseudonym to person inside the institution. "
            "Names of people do not belong in an inventory either.",
            "",
            "## Error messages",
            "",
            "`altinn-analysis validate DIR` lists every problem, one per line, as `file:row:column: severity: "
            "message`, for example:",
            "",
            "```text",
            "consents.csv:7:valid_to: error: valid_to 2026-01-01 is before valid_from 2026-02-01",
            "profile.yaml:3:org_form: error: 'XYZ' is not an organisation form the catalogue knows; expected one of …",
            "```",
            "",
            "- **file** is the file's name in the folder; a bare table name (`consents`) when its file is missing.",
            "- **row** is the row as you see it in Excel or a text editor: the header is row 1, so the first data row "
            "is row 2. Blank rows above count, as they do in Excel. In a CSV file a quoted value that spans lines is "
            "one row. Parquet files are numbered as if they had a header row (the first data row is 2). In "
            "profile.yaml it is the line number. No row: the problem is with the whole file or column.",
            "- **column** is the column's normalised name (`valid_to`); in profile.yaml the key, such as "
            "`vendors[0].org_number`.",
            "- **severity**: an `error` makes the inventory unusable (exit code 1; `assess` refuses it); a `warning` "
            "is worth a look but does not stop anything (unknown codes, for example, are judged from the "
            "DSOP catalogue where it documents them, else as `unknown`).",
            f"- A check that fails on many rows lists the first {DEFAULT_LIMIT} and then one line counting the rest. "
            "`--format json` gives the same problems as a list of objects.",
            "",
        ]
    )
    out.extend(_limits_section())
    out.extend(_profile_section())
    for spec in tables:
        out.extend(_table_section(spec))
    return "\n".join(out).rstrip("\n") + "\n"


def _limits_section() -> list[str]:
    defaults = Limits()
    out = [
        "## Limits",
        "",
        "What one file may make the workbench do. Each limit is checked before the file is parsed (from the file "
        "size, the XLSX zip directory, the Parquet metadata) or while it is streamed, so a file over a limit is "
        "an error naming the file (and the row when known) in bounded time and memory. A big institution raises a "
        "limit for a run with `--limit name=N` (`validate`) or the environment variable "
        "`ALTINN_ANALYSIS_LIMIT_<NAME>` (for every command), e.g. `ALTINN_ANALYSIS_LIMIT_TABLE_ROWS=50000000`.",
        "",
        "| limit | default | what it bounds |",
        "|---|---|---|",
    ]
    for field in fields(Limits):
        out.append(f"| `{field.name}` | {getattr(defaults, field.name):,} | {_cell(LIMITS_HELP[field.name])} |")
    out.append("")
    return out
