"""Python decides on a column's distinct values where it surely agrees with polars: a value `_plain` calls
unchanged is unchanged by the polars cleaning, and text `_surely_clean` passes has no pre-filter match in polars.
Where Python is unsure it says so, and polars decides as before."""

from __future__ import annotations

import polars as pl
from hypothesis import given
from hypothesis import strategies as st

from altinn_analysis.checks import IDENTITY_PREFILTER
from altinn_analysis.inventory import _columns
from altinn_analysis.secret_guard import CREDENTIAL_PREFILTER

KINDS = ("text", "enum", "operator", "count")
TRICKY = [
    "altinn2",
    "Altinn2",
    " altinn2",
    "altinn2 ",
    "self",
    "Self",
    "SELF",
    "922 334 455",
    "922334455",
    "1 000",
    "12",
    "4804:210607",
    "4804_210607",
    "4804 : 210607",
    "4804/1",
    "a\x1cb",
    "\x1c",
    "æøå",
    "ÆØÅ",
    "a\u00a0b",
    "\u00a0",
    "",
    " ",
    "İ",
    "x\ty",
    "person-0042",
    "urn:altinn:accesspackage:skattegrunnlag",
]
SOME_TEXT = st.one_of(
    st.sampled_from(TRICKY), st.text(max_size=12), st.text(alphabet=" aAsSeElLfF0123:_/\t", max_size=10)
)


def _polars_unchanged(value: str, kind: str, service: bool) -> bool:
    frame = pl.DataFrame({"v": [value]})
    clean = _columns._cleaned(pl.col("v"), kind)
    changed = clean.ne_missing(pl.col("v"))
    if service:
        changed |= clean.str.contains(_columns._SERVICE_LOOSE) & ~clean.str.contains(_columns.SERVICE_CODE)
    return not frame.select(changed.fill_null(False)).item()


@given(SOME_TEXT, st.sampled_from(KINDS), st.booleans())
def test_a_value_python_calls_plain_is_unchanged_by_polars(value: str, kind: str, service: bool) -> None:
    if _columns._plain(value, kind, service):
        assert _polars_unchanged(value, kind, service)


def test_python_is_sure_of_the_common_values_and_unsure_of_the_rest() -> None:
    assert _columns._plain("altinn2", "enum", False) and _columns._plain("4804:210607", "text", True)
    assert _columns._plain("self", "operator", False) and _columns._plain("922334455", "operator", False)
    for value, kind in [("Altinn2", "enum"), ("Self", "operator"), ("922 334 455", "operator"), ("1 000", "count")]:
        assert not _columns._plain(value, kind, False)
    assert not _columns._plain("4804_210607", "text", True)
    for value in (" x", "x ", "", "\u00a0x", "x\u00a0", "x\x1c", "\x1c", "«x»"):
        assert not _columns._plain(value, "text", False)
    # text that cleaning only strips: its ends decide, whatever lies between them
    for value in ("æøå", "API-nøkkel", "a\x1cb", "a\u00a0b", "Ærlig talt"):
        assert _columns._plain(value, "text", False) and _columns._plain(value, "date", False)
    for value in ("ÆØÅ", "æøå"):
        assert not _columns._plain(value, "enum", False) and not _columns._plain(value, "text", True)


@given(st.lists(SOME_TEXT | st.from_regex(r"[0-9]{6}[ .\-]?[0-9]{5}|[Bb]earer\s+\S{8}", fullmatch=True), max_size=6))
def test_text_python_calls_clean_has_no_prefilter_match_in_polars(values: list[str]) -> None:
    if _columns._surely_clean({"c": list(values)}):
        series = pl.Series(values, dtype=pl.String)
        assert not series.str.contains(f"{IDENTITY_PREFILTER}|{CREDENTIAL_PREFILTER}").any()


def test_the_prefilter_finds_what_it_must() -> None:
    assert not _columns._surely_clean({"c": ["person-0042", "15838510075"]})
    assert not _columns._surely_clean({"c": ["Bearer abcdefgh12"]})
    assert _columns._surely_clean({"c": ["person-0042", None], "d": ["4804:210607"]})


@given(st.lists(st.none() | SOME_TEXT, max_size=8), st.sampled_from((*KINDS, "date", "scopes")), st.booleans())
def test_a_column_is_plain_when_every_value_is(values: list[str | None], kind: str, service: bool) -> None:
    expected = all(_columns._plain(v, kind, service) for v in values)
    assert _columns._plain_column(values, kind, service) == expected
