"""The analyst docs: `docs/inventory.md` is generated from the schema, and `docs/walkthrough.md` matches the code.

A column added to the schema without help (or help left for a column that is gone) fails here, and so does a
committed reference that differs from the generated text. Regenerate with
`.venv/bin/pytest tests/test_inventory_docs.py --update-golden` and read the diff.
"""

from __future__ import annotations

import re
from pathlib import Path

import polars as pl
import pytest

from altinn_analysis.impact import SCORE_FORMULA, SEVERITIES, SEVERITY_POLICY, STATUSES
from altinn_analysis.inventory import PROFILE_FIELDS, TABLE_SPECS, ColumnSpec, TableSpec
from altinn_analysis.inventory._column_help import COLUMN_HELP
from altinn_analysis.inventory._docs import check_help, render_inventory_reference
from altinn_analysis.inventory._help import PROFILE_HELP, TABLE_HELP, Help

ROOT = Path(__file__).resolve().parents[1]
REFERENCE = ROOT / "docs" / "inventory.md"
WALKTHROUGH = ROOT / "docs" / "walkthrough.md"


def section(text: str, title: str) -> str:
    """The text of the `## title` section."""
    match = re.search(rf"^## {re.escape(title)}\n(.*?)(?=^## |\Z)", text, re.M | re.S)
    assert match, f"no section {title!r}"
    return match.group(1)


# -- docs/inventory.md ------------------------------------------------------------------------------------------


def test_committed_reference_is_the_generated_one(update_golden: bool) -> None:
    text = render_inventory_reference()
    if update_golden:
        REFERENCE.parent.mkdir(parents=True, exist_ok=True)
        REFERENCE.write_text(text, encoding="utf-8")
    assert REFERENCE.exists(), "docs/inventory.md is missing: run pytest tests/test_inventory_docs.py --update-golden"
    assert REFERENCE.read_text(encoding="utf-8") == text, (
        "docs/inventory.md differs from the schema: run .venv/bin/pytest tests/test_inventory_docs.py "
        "--update-golden and review the diff"
    )


def test_reference_documents_every_table_column_and_key() -> None:
    text = render_inventory_reference()
    for spec in TABLE_SPECS.values():
        body = section(text, f"`{spec.name}`")
        assert spec.description in body
        assert TABLE_HELP[spec.name].where_en in body
        for col in spec.columns:
            required = "yes" if col.required else "no"
            row = next(line for line in body.splitlines() if line.startswith(f"| `{col.name}` |"))
            assert f"| {required} |" in row and f"`{col.example}`" in row
            for value in col.allowed or ():
                assert f"`{value}`" in row
            assert (
                f"- **`{col.name}`**: {col.description} *Where to find it:* {COLUMN_HELP[spec.name][col.name].where_en}"
                in body
            )
    profile = section(text, "`profile.yaml`")
    for field in PROFILE_FIELDS:
        assert f"| `{field.name}` | {field.type} |" in profile
        assert (
            f"- **`{field.name}`**: {field.description} *Where to find it:* {PROFILE_HELP[field.name].where_en}"
            in profile
        )
    for value in PROFILE_FIELDS[[f.name for f in PROFILE_FIELDS].index("institution_type")].allowed or ():
        assert f"`{value}`" in profile


def test_reference_covers_formats_personal_data_and_row_numbers() -> None:
    text = render_inventory_reference()
    formats = section(text, "File formats")
    for needle in ("UTF-8, with or without BOM", "`;` or `,`", "**XLSX**", "**Parquet**", "UTF-16", "Windows-1252"):
        assert needle in formats
    assert "national identity number" in section(text, "Personal data")
    assert "pseudonymous" in section(text, "Personal data")
    rows = section(text, "Error messages")
    assert "the header is row 1, so the first data row is row 2" in rows
    assert "Parquet" in rows and "line number" in rows


def test_a_column_without_help_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    spec = TABLE_SPECS["consents"]
    extra = ColumnSpec("channel", pl.String(), "text", False, "Where the consent was asked for.", "web")
    monkeypatch.setitem(TABLE_SPECS, "consents", TableSpec(spec.name, spec.description, (*spec.columns, extra)))
    with pytest.raises(ValueError, match="consents column 'channel' has no help entry"):
        render_inventory_reference()


def test_help_for_a_column_that_does_not_exist_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(COLUMN_HELP["integrations"], "owner", Help("eier", "somewhere", "et sted"))
    with pytest.raises(ValueError, match="help entry for integrations column 'owner'.*no such column"):
        render_inventory_reference()


def test_a_table_or_profile_key_without_help_fails() -> None:
    with pytest.raises(ValueError, match="table 'consents' has no help entry"):
        check_help(table_help={k: v for k, v in TABLE_HELP.items() if k != "consents"})
    with pytest.raises(ValueError, match="profile key 'vendors' has no help entry"):
        check_help(profile_help={k: v for k, v in PROFILE_HELP.items() if k != "vendors"})
    with pytest.raises(ValueError, match="help entry for profile key 'lei'"):
        check_help(profile_help={**PROFILE_HELP, "lei": Help("", "", "")})


def test_the_shipped_help_matches_the_schema() -> None:
    check_help()  # raises with the full list of mismatches
    for spec in TABLE_SPECS.values():
        for col in spec.columns:
            help_ = COLUMN_HELP[spec.name][col.name]
            assert help_.nb and help_.where_en and help_.where_nb, (spec.name, col.name)


# -- docs/walkthrough.md ----------------------------------------------------------------------------------------


def test_walkthrough_names_the_commands_and_the_labels() -> None:
    text = WALKTHROUGH.read_text(encoding="utf-8")
    for command in ("template", "validate", "assess", "sector", "refresh"):
        assert f"altinn-analysis {command}" in text, command
    for label in (*STATUSES, *SEVERITIES, "documented", "inferred", "unknown", "--env tt02", "manifest.json"):
        assert f"`{label}`" in text, label
    assert "Reports: `report`" in text and "To be completed" not in text


def test_walkthrough_policy_and_score_match_the_code() -> None:
    lines = WALKTHROUGH.read_text(encoding="utf-8").splitlines()
    text = " ".join(" ".join(line.removeprefix(">") for line in lines).split())  # quoted lines joined up
    assert " ".join(SCORE_FORMULA.split()) in text
    for rule in SEVERITY_POLICY:
        assert rule.why in text, rule
