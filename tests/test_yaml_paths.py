"""The two YAML paths give one result: libyaml's C parser (a document with nothing to refuse) and the strict
pure-Python loader (everything else, and the exact wording of every refusal). Each case is read both ways,
forced, and compared."""

from __future__ import annotations

import pytest
from inventory_support import BAD_INPUTS, MINIMAL, SEMICOLON_BOM

from altinn_analysis.sources import FileReadError, Limits, _yaml_strict, read_yaml_bytes

PROFILE = """org_number: "910000004"
name: Fjordkyst Sparebank (fictional)
org_form: SPA
institution_type: savings_bank
dsop_services: [sbl, saldo-studielan]
vendors:
  - org_number: "920000002"
    name: Eksempel Bankdata AS
    runs:
      - sbl
demo: true
"""

CRAFTED: dict[str, str] = {
    "profile": PROFILE,
    "with a date and numbers": PROFILE + "since: 2024-01-31\ncount: 12\nratio: 0.5\n",
    "a date that does not exist": PROFILE + "since: 2024-13-45\n",
    "duplicate key": PROFILE + "name: Other\n",
    "duplicate nested key": PROFILE.replace("    runs:", "    name: Again\n    runs:"),
    "anchor": PROFILE + "x: &a 1\n",
    "alias": PROFILE + "x: &a 1\ny: *a\n",
    "ampersand in a value": PROFILE.replace("Eksempel Bankdata AS", "Eksempel & Co AS"),
    "deep": "a:\n" + "".join("  " * i + "- \n" for i in range(1, 30)),
    "deep flow": "a: " + "[" * 25 + "]" * 25 + "\n",
    "two documents": PROFILE + "---\nb: 1\n",
    "syntax error": "a: [1, 2\nb: 3\n",
    "tab indentation": "a:\n\t- 1\n",
    "control character": PROFILE + "x: \x07\n",
    "empty": "",
    "comment only": "# nothing\n",
    "scalar": "just text\n",
    "list": "- 1\n- 2\n",
    "unicode": PROFILE.replace("Fjordkyst", "Fjørdkyst Ærø"),
}


def _files() -> list[tuple[str, bytes]]:
    found = [(name, text.encode()) for name, text in CRAFTED.items()]
    for folder in [MINIMAL, SEMICOLON_BOM, *sorted(p for p in BAD_INPUTS.iterdir() if p.is_dir())]:
        path = folder / "profile.yaml"
        if path.is_file():
            found.append((f"{folder.name}/profile.yaml", path.read_bytes()))
    return found


CASES = _files()


def _outcome(data: bytes) -> object:
    try:
        doc = read_yaml_bytes(data, "profile.yaml", Limits(yaml_depth=20))
    except FileReadError as exc:
        return [str(p) for p in exc.problems]
    return doc.data, doc.lines, doc.text, doc.sha256


@pytest.mark.parametrize(("name", "data"), CASES, ids=[c[0] for c in CASES])
def test_fast_and_strict_yaml_paths_agree(name: str, data: bytes, monkeypatch: pytest.MonkeyPatch) -> None:
    fast = _outcome(data)
    monkeypatch.setattr(_yaml_strict, "_read_plain", lambda *args: None)
    assert fast == _outcome(data)


def test_the_fast_path_takes_a_plain_profile_and_steps_aside_for_the_rest() -> None:
    assert _yaml_strict._read_plain(PROFILE, 20) is not None
    for name in ("duplicate key", "duplicate nested key", "anchor", "alias", "ampersand in a value", "deep"):
        assert _yaml_strict._read_plain(CRAFTED[name], 20) is None, name
    for name in ("deep flow", "two documents", "syntax error", "control character", "a date that does not exist"):
        assert _yaml_strict._read_plain(CRAFTED[name], 20) is None, name
