"""One impact rule as data: when it fires, the statuses it gives, why, from what source, and its action text.

Action texts are `str.format` templates with the fields `subject`, `target`, `count`, `holders`, `deadline` and
`detail`. The rules themselves are tables, one module per area (`_rules_roles`, `_rules_rights`, `_rules_consents`,
`_rules_integrations`, `_rules_prerequisites`), gathered in `_rules`.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["DSOP_SOURCE", "Rule"]

# The source of rules decided from the curated DSOP catalogue.
DSOP_SOURCE = "data/dsop (dependencies, role_successors, policies)"


@dataclass(frozen=True, kw_only=True)
class Rule:
    rule_id: str
    area: str
    kind: str  # which evaluator runs it
    when: str  # when it fires
    statuses: tuple[str, ...]  # what it can give
    target: str  # what Altinn 3 counterpart makes it done
    milestone: str | None  # deadline milestone id in the DSOP catalogue
    blocking: bool  # does a DSOP service stop without it (only when the finding names a service in use)
    reason: str  # the domain reason
    source: str
    action_nb: str
    action_en: str

    def action(self, language: str, **fields: object) -> str:
        template = self.action_nb if language == "nb" else self.action_en
        return template.format(**fields)
