"""`docs/rules.md` is generated from the rule, policy and verdict tables; this test fails when it drifts."""

from __future__ import annotations

from pathlib import Path

from altinn_analysis.catalogue import load_dsop
from altinn_analysis.impact import RULES, rules_markdown

DOC = Path(__file__).resolve().parents[1] / "docs" / "rules.md"


def test_rules_doc_is_current(update_golden: bool) -> None:
    text = rules_markdown(load_dsop())
    if update_golden:
        DOC.write_text(text, encoding="utf-8")
    assert DOC.exists(), "docs/rules.md is missing: run `make docs`"
    assert DOC.read_text(encoding="utf-8") == text, "docs/rules.md differs from the rule tables: run `make docs`"


def test_every_rule_and_policy_is_documented() -> None:
    dsop = load_dsop()
    text = rules_markdown(dsop)
    for rule in RULES:
        assert f"`{rule.rule_id}`" in text and rule.reason.replace("|", "\\|") in text
    for subject in dsop.policies["subject"]:
        assert f"`{subject}`" in text
