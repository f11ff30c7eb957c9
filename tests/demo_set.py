"""The demo set: the fictional institutions under data/institutions/ whose profile says `demo: true`.

Tests depend on these and nothing else, so an analyst's own institution placed next to them (by mistake or on
purpose) never changes what the tests see."""

from __future__ import annotations

from pathlib import Path

import yaml

DEMO_DIR = Path(__file__).resolve().parents[1] / "data" / "institutions"


def _is_demo(profile: Path) -> bool:
    data = yaml.safe_load(profile.read_text(encoding="utf-8"))
    return isinstance(data, dict) and data.get("demo") is True


DEMO_ORGS: list[str] = sorted(p.parent.name for p in DEMO_DIR.glob("*/profile.yaml") if _is_demo(p))
