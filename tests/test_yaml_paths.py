"""The three YAML paths give one result: the plain shape read line by line, libyaml's C parser (a document with
nothing to refuse) and the strict pure-Python loader (everything else, and the exact wording of every refusal).
Each case is read each way, forced, and compared; and many documents edited at random, wherever the line reader
takes one."""

from __future__ import annotations

import random

import pytest
from inventory_support import BAD_INPUTS, MINIMAL, SEMICOLON_BOM, TESTS

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
DEMO = TESTS.parent / "data" / "institutions"


def _outcome(data: bytes) -> object:
    try:
        doc = read_yaml_bytes(data, "profile.yaml", Limits(yaml_depth=20))
    except FileReadError as exc:
        return [str(p) for p in exc.problems]
    return doc.data, doc.lines, doc.text, doc.sha256


@pytest.mark.parametrize(("name", "data"), CASES, ids=[c[0] for c in CASES])
def test_fast_and_strict_yaml_paths_agree(name: str, data: bytes, monkeypatch: pytest.MonkeyPatch) -> None:
    fast = _outcome(data)
    monkeypatch.setattr(_yaml_strict, "_read_lines", lambda *args: None)
    assert fast == _outcome(data)  # libyaml where it reads it
    monkeypatch.setattr(_yaml_strict, "_read_plain", lambda *args: None)
    assert fast == _outcome(data)  # the strict loader alone


def test_the_fast_path_takes_a_plain_profile_and_steps_aside_for_the_rest() -> None:
    assert _yaml_strict._read_plain(PROFILE, 20) is not None
    for name in ("duplicate key", "duplicate nested key", "anchor", "alias", "ampersand in a value", "deep"):
        assert _yaml_strict._read_plain(CRAFTED[name], 20) is None, name
    for name in ("deep flow", "two documents", "syntax error", "control character", "a date that does not exist"):
        assert _yaml_strict._read_plain(CRAFTED[name], 20) is None, name


def test_the_line_reader_takes_the_plain_shape_and_steps_aside_for_the_rest() -> None:
    plain = PROFILE.replace("dsop_services: [sbl, saldo-studielan]", "dsop_services:\n- sbl\n- 'saldo-studielan'")
    assert _yaml_strict._read_lines(plain + "vendors2: []  # none\n", 20) is not None
    for folder in sorted(DEMO.iterdir()):
        if (folder / "profile.yaml").is_file():
            assert _yaml_strict._read_lines((folder / "profile.yaml").read_text(), 20) is not None, folder.name
    assert _yaml_strict._read_lines(PROFILE, 20) is None  # a flow list
    assert _yaml_strict._read_lines(plain, 4) is None  # the vendors' runs are 5 deep: libyaml or the strict loader
    for name, text in CRAFTED.items():
        if name not in ("profile", "duplicate key", "ampersand in a value", "unicode"):
            assert _yaml_strict._read_lines(text, 20) is None, name
    assert _yaml_strict._read_lines(plain + "name: Other\n", 20) is None  # a duplicate key: the strict loader says so


# Pieces inserted at random into plain documents: the line reader must either step aside or read what the strict
# loader reads (value, types and key lines).
_PIECES = [
    *("[]", "{}", "[] #x", "  ", "- ", "#c", " # c", "'", '"', ":", ": ", "x: 1", "y:", "  - z", "true", "null", "~"),
    *("0x1F", "012", "1.5", "2024-01-01", "-", "? ", "!t ", "|", ">", "[a]", "{a: 1}", "&a ", "*a", "\\", "''", "yes"),
    *("On", "\n", "\n  ", "\n- ", "\n  - ", "---", "...", "%YAML 1.1", "é", "k:v", " :", "+5", "-5", "0", "1_0", "<<"),
    *("=", "a: b: c", "'a''b'", '"a\\"b"', "\n    ", "\n      - x", "  name: dup", "\nname: dup", "'x' y", "'x'#"),
    *(" 'q'", "Y", "NO", "off", "1:30", ".inf", "\t", "\u00a0", "x #", "#", "a  b", "- - a", "-\n", ":\n", "\n\n"),
    *("key:\n  sub: 1\n", "  #only\n", "\r", "\x85"),
]


def _strict(text: str, depth: int, monkeypatch: pytest.MonkeyPatch) -> object:
    with monkeypatch.context() as patch:
        patch.setattr(_yaml_strict, "_read_lines", lambda *args: None)
        patch.setattr(_yaml_strict, "_read_plain", lambda *args: None)
        try:
            doc = read_yaml_bytes(text.encode(), "profile.yaml", Limits(yaml_depth=depth))
        except FileReadError as exc:
            return [str(p) for p in exc.problems]
    return repr(doc.data), doc.lines


def test_the_line_reader_reads_what_the_strict_loader_reads_or_steps_aside(monkeypatch: pytest.MonkeyPatch) -> None:
    bases = [PROFILE.replace("[sbl, saldo-studielan]", "\n  - sbl\n  - saldo-studielan")]
    bases += [(f / "profile.yaml").read_text() for f in sorted(DEMO.iterdir()) if (f / "profile.yaml").is_file()]
    rng = random.Random(15)
    taken = 0
    for _ in range(1500):
        text = rng.choice(bases)
        for _ in range(rng.randint(0, 2)):
            at = rng.randrange(len(text) + 1)
            text = text[:at] + rng.choice(_PIECES) + text[at + (rng.random() < 0.2) * rng.randint(1, 5) :]
        depth = rng.choice([20, 20, 20, 1, 2, 3, 4, 5])
        found = _yaml_strict._read_lines(text, depth)
        if found is None:
            continue
        taken += 1
        value, lines = found
        assert (repr(value), tuple(sorted(lines, key=lambda item: item[0]))) == _strict(text, depth, monkeypatch), text
    assert taken > 150  # the pieces leave many documents plain
