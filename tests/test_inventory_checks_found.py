"""Every check still finds its rows: one folder failing every check of the three tables at once, checked alone,
among other institutions, and with the short cuts the checks take for many rows; and the date texts parsed in
Python exactly as polars parses them."""

from __future__ import annotations

import shutil
from pathlib import Path

import hostile_support as hs
import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st
from inventory_support import KNOWN_SERVICES, SYNTHETIC_FNR

from altinn_analysis.catalogue import Catalogue
from altinn_analysis.inventory import Problem, validate_inventories, validate_inventory
from altinn_analysis.inventory import _collect as collect_module  # the package's own tests may use its modules
from altinn_analysis.inventory import _columns as columns_module
from altinn_analysis.inventory._collect import Collector
from altinn_analysis.inventory._columns import as_date, check_column
from altinn_analysis.inventory._schema import TABLE_SPECS
from altinn_analysis.sources import ROW

UNLISTED_VENDOR = "920000002"  # a valid organisation number the profile does not list

DELEGATIONS = f"""platform,holder_type,holder_id,grant_type,grant,granted_at,source
altinn9,person,person-0001,role,UTINN,2019-03-01,delegated
altinn2,person,,role,UTINN,2019-03-01,delegated
altinn2,person,person-0003,service,abc,2019-03-01,delegated
altinn3,person,person-0004,service,4804:210607,2019-03-01,delegated
altinn2,person,person-0005,role,NOSUCHROLE,2019-03-01,delegated
altinn3,person,person-0006,access_package,urn:altinn:accesspackage:no-such-package,2026-02-10,delegated
altinn3,person,person-0007,resource,no-such-resource,2026-03-01,delegated
altinn2,person,person-0008,role,UTINN,31.12.2025,delegated
altinn2,person,person-0009,service,5498:1,2019-03-01,delegated
altinn2,system_user,su-0010,role,UTINN,2019-03-01,delegated
altinn2,person,person-0011,role,DAGL,2019-03-01,er
altinn2,person,person-0011,role,DAGL,2019-03-01,er
altinn2,person,{SYNTHETIC_FNR},role,UTINN,2019-03-01,delegated
altinn2,person,person-0014,service,5498:1,2019-03-01,delegated
altinn2,person,person-0015,role,NOSUCHROLE2,2019-03-01,delegated
altinn2,person,person-0016,role,NOSUCHROLE2,2019-03-01,delegated
"""

CONSENTS = """platform,service,status,valid_from,valid_to,count
altinn2,ske-samtykke-sbl-inntekt,active,2026-05-20,2026-05-30,1
altinn3,4804:210607,active,2026-05-20,2026-05-30,1
altinn2,4804:210607,active,2026-05-20,2026-05-01,1
altinn2,4804:210607,active,2026-05-20,2026-05-30,mange
altinn2,4804:210607,active,2026-05-20,2026-05-30,0
altinn2,4804:210607,aktiv2,2026-05-20,2026-05-30,1
altinn2,4804:210607,active,2026-02-30,2026-05-30,1
altinn2,5252:2,active,2026-05-20,2026-05-30,1
altinn3,no-such-consent-resource,active,2026-05-20,2026-05-30,1
altinn2,5498:1,active,2026-05-20,2026-05-30,1
"""

INTEGRATIONS = f"""platform,kind,name,scopes,operated_by,status,last_used,services
altinn2,api_key,API-nøkkel,,12345,retired,2026-05-29,
altinn2,consent_api,Samtykke,,{UNLISTED_VENDOR},retired,2026-05-29,
altinn3,system_user,Systembruker,,self,active,2026-11-01,sbl no-such-service
altinn3,api_key,Nøkkel,,self,active,2026-11-01,
altinn3,maskinporten_client,-----BEGIN PRIVATE KEY-----,,self,planned,,
altinn3,maskinporten_client,Klient,,self,planned,snart,
"""

# (file, row, column, a part of the message, severity): what each check must find, and where.
EXPECTED = [
    ("delegations.csv", 2, "platform", "'altinn9' is not a valid platform", "error"),
    ("delegations.csv", 3, "holder_id", "holder_id is required", "error"),
    ("delegations.csv", 4, "grant", "'abc' is not an Altinn 2 service", "error"),
    ("delegations.csv", 5, "platform", "grant_type 'service' exists only on altinn2", "warning"),
    ("delegations.csv", 6, "grant", "unknown role code 'NOSUCHROLE'", "warning"),
    ("delegations.csv", 7, "grant", "unknown access package", "warning"),
    ("delegations.csv", 8, "grant", "unknown resource 'no-such-resource'", "warning"),
    ("delegations.csv", 9, "granted_at", "'31.12.2025' looks like dd.mm.yyyy", "error"),
    ("delegations.csv", 10, "grant", "Altinn 2 service 5498:1 is not in the catalogue's service map", "warning"),
    ("delegations.csv", 10, "grant", "(in 2 rows)", "warning"),
    ("delegations.csv", 11, "platform", "holder_type 'system_user' exists only on altinn3", "warning"),
    ("delegations.csv", 13, None, "exact duplicate of row 12", "error"),
    ("delegations.csv", 14, "holder_id", "national identity number", "error"),
    ("delegations.csv", 16, "grant", "unknown role code 'NOSUCHROLE2'", "warning"),
    ("delegations.csv", 16, "grant", "(in 2 rows)", "warning"),
    ("consents.csv", 2, "service", "an Altinn 2 consent is for a service as code:edition", "error"),
    ("consents.csv", 3, "service", "4804:210607 is an Altinn 2 service code", "error"),
    ("consents.csv", 4, "valid_to", "valid_to 2026-05-01 is before valid_from 2026-05-20", "error"),
    ("consents.csv", 5, "count", "'mange' is not a whole number", "error"),
    ("consents.csv", 6, "count", "count is 0; expected 1 or more", "error"),
    ("consents.csv", 7, "status", "'aktiv2' is not a valid status", "error"),
    ("consents.csv", 8, "valid_from", "'2026-02-30' is not a date", "error"),
    ("consents.csv", 9, "service", "Altinn 2 consent service 5252:2 is not in the catalogue's service map", "warning"),
    ("consents.csv", 10, "service", "unknown resource 'no-such-consent-resource'", "warning"),
    ("consents.csv", 11, "service", "Altinn 2 consent service 5498:1 is not in the catalogue's service map", "warning"),
    ("integrations.csv", 2, "operated_by", "'12345' is not an organisation number", "error"),
    (
        "integrations.csv",
        3,
        "operated_by",
        f"vendor {UNLISTED_VENDOR} runs this integration but is not listed",
        "warning",
    ),
    ("integrations.csv", 4, "services", "no-such-service: not among the profile's dsop_services", "error"),
    ("integrations.csv", 5, "platform", "kind 'api_key' exists only on altinn2", "warning"),
    ("integrations.csv", 6, "name", "holds what looks like a credential", "error"),
    ("integrations.csv", 7, "last_used", "'snart' is not a date", "error"),
]


def _failing(target: Path) -> Path:
    return hs.inventory_with(
        target,
        {
            "delegations.csv": DELEGATIONS.encode(),
            "consents.csv": CONSENTS.encode(),
            "integrations.csv": INTEGRATIONS.encode(),
        },
    )


def _missing(problems: list[Problem]) -> list[tuple[str, int, str | None, str, str]]:
    def found(file: str, row: int, column: str | None, part: str, severity: str) -> bool:
        return any(
            (p.file, p.row, p.column, p.severity) == (file, row, column, severity) and part in p.message
            for p in problems
        )

    return [e for e in EXPECTED if not found(*e)]


@pytest.fixture(scope="module")
def folders(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    root = tmp_path_factory.mktemp("every-check")
    failing = _failing(root / "failing")
    again = root / "failing-again"
    shutil.copytree(failing, again)
    return [hs.inventory_with(root / "clean"), failing, hs.inventory_with(root / "clean-2"), again]


def test_one_institution_failing_every_check_gets_every_problem_where_it_is(
    folders: list[Path], embedded: Catalogue
) -> None:
    problems = validate_inventory(folders[1], catalogue=embedded, known_services=KNOWN_SERVICES)
    assert _missing(problems) == []
    # each located problem once: a check that listed its rows twice, or another check's, would show here
    located = [(p.file, p.row, p.column, p.message) for p in problems if p.row is not None]
    assert len(located) == len(set(located))
    assert validate_inventory(folders[0], catalogue=embedded, known_services=KNOWN_SERVICES) == []


@pytest.mark.parametrize("rows_for_combinations", [None, 1])
def test_the_same_problems_among_other_institutions_and_by_the_short_cuts(
    folders: list[Path], embedded: Catalogue, monkeypatch: pytest.MonkeyPatch, rows_for_combinations: int | None
) -> None:
    """Checked with other institutions (the rows of several in one frame), and with the ways the checks take for
    many rows (conditions and bad values decided on combinations, each bad value's rows by comparisons)."""
    alone = validate_inventory(folders[1], catalogue=embedded, known_services=KNOWN_SERVICES)
    if rows_for_combinations is not None:
        monkeypatch.setattr(collect_module, "_MIN_ROWS_FOR_COMBINATIONS", rows_for_combinations)
        assert validate_inventory(folders[1], catalogue=embedded, known_services=KNOWN_SERVICES) == alone
    together = validate_inventories(folders, catalogue=embedded, known_services=KNOWN_SERVICES)
    assert together[0] == together[2] == []
    assert together[1] == together[3] == alone
    assert _missing(together[3]) == []


@pytest.mark.parametrize("cells", [0, 10**9])
def test_distinct_values_in_python_or_by_polars_find_the_same(
    folders: list[Path], embedded: Catalogue, monkeypatch: pytest.MonkeyPatch, cells: int
) -> None:
    """A small table's distinct values are taken in Python, a larger one's by polars: either way for all."""
    expected = validate_inventories(folders, catalogue=embedded, known_services=KNOWN_SERVICES)
    monkeypatch.setattr(columns_module, "PYTHON_CELLS", cells)
    assert validate_inventories(folders, catalogue=embedded, known_services=KNOWN_SERVICES) == expected
    assert validate_inventory(folders[1], catalogue=embedded, known_services=KNOWN_SERVICES) == expected[1]


def _texts() -> list[str | None]:
    days = [
        f"{y}-{m:02d}-{d:02d}"
        for y in ("0000", "0001", "1900", "2000", "2024", "2026")
        for m in range(14)
        for d in range(33)
    ]
    return [
        *days,
        None,
        "2026-1-01",
        "20260101",
        " 2026-01-01",
        "2026-01-01 ",
        "2026-W01-1",
        "٢٠٢٦-01-01",
        "31.12.2025",
    ]


def test_date_texts_are_parsed_as_polars_parses_them() -> None:
    texts = _texts()
    frame = pl.DataFrame({ROW: list(range(2, len(texts) + 2)), "valid_from": texts}, schema_overrides={ROW: pl.Int64})
    out = Collector("consents.csv", 20)
    got = frame.select(as_date(frame, "valid_from", out)).to_series()
    iso = pl.col("valid_from").str.contains(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
    polars_way = pl.when(iso).then(pl.col("valid_from").str.strptime(pl.Date, "%Y-%m-%d", strict=False))
    want = frame.select(polars_way).to_series()
    assert got.cast(pl.Int32).to_list() == want.cast(pl.Int32).to_list()
    assert got.is_not_null().sum() > 2000  # the valid days are there (year 0 among them, which Python lacks)


def test_every_text_that_is_no_date_is_reported() -> None:
    texts = _texts()
    frame = pl.DataFrame({ROW: list(range(2, len(texts) + 2)), "valid_from": texts}, schema_overrides={ROW: pl.Int64})
    frame = frame.with_columns(pl.lit(0, dtype=pl.UInt32).alias(collect_module.INST))
    out = Collector("consents.csv", len(texts))
    check_column(frame, TABLE_SPECS["consents"].column("valid_from"), out)
    (problems,) = out.finish()
    reported = {p.row for p in problems if p.row is not None and "required" not in p.message}
    iso = pl.col("valid_from").str.contains(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
    parsed = pl.when(iso).then(pl.col("valid_from").str.strptime(pl.Date, "%Y-%m-%d", strict=False))
    bad = frame.filter(pl.col("valid_from").is_not_null() & parsed.is_null()).get_column(ROW).to_list()
    assert reported == set(bad) and len(bad) > 100
    assert "2024-02-29" not in {texts[r - 2] for r in reported}
    assert {"2026-02-29", "2026-13-01", "0000-00-01", "31.12.2025"} <= {texts[r - 2] for r in reported}


PRINTABLE = st.text(alphabet=st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=14)
SOME_ASCII = st.one_of(
    st.sampled_from(["", " ", "Self", " SELF ", "922 334 455", "9 x", "1 000", " Altinn2 ", "4804 / 210607", "a  b"]),
    PRINTABLE,
    st.text(alphabet=" aAsSeElLfF0123:_/", max_size=10),
)


@given(SOME_ASCII, st.sampled_from(("text", "enum", "operator", "count", "date", "scopes")))
def test_printable_ascii_is_cleaned_in_python_as_polars_cleans_it(value: str, kind: str) -> None:
    """The cleaning of a column whose distinct values are printable ASCII is done in Python (no query): the same
    value polars' cleaning gives, for every kind."""
    frame = pl.DataFrame({"v": [value]}, schema={"v": pl.String})
    polars_way = frame.select(columns_module._cleaned(pl.col("v"), kind)).item()
    assert columns_module._clean_text(value, kind) == polars_way


@pytest.mark.parametrize("institutions", [1, 3])
@pytest.mark.parametrize("rows_for_combinations", [None, 1])
def test_a_bad_value_is_counted_on_the_rows_where_the_condition_holds_only(
    monkeypatch: pytest.MonkeyPatch, institutions: int, rows_for_combinations: int | None
) -> None:
    """A bad value on rows where the condition holds and on rows where it does not (found by its combinations),
    and one only where it holds (found by the value alone where the combinations are exact): each reported on its
    first row where the condition holds, with the number of those rows, for each institution."""
    if rows_for_combinations is not None:  # combinations of each column's values: a superset, nothing by value
        monkeypatch.setattr(collect_module, "_MIN_ROWS_FOR_COMBINATIONS", rows_for_combinations)
    pairs = [
        ("altinn3", "5252:2"),
        ("altinn2", "5252:2"),
        ("altinn2", "4804:210607"),
        ("altinn2", "5498:1"),
        ("altinn3", "5252:2"),
        ("altinn2", "5252:2"),
        ("altinn2", "5498:1"),
    ]
    rows = [(inst, 10 * inst + i + 2, p, s) for inst in range(institutions) for i, (p, s) in enumerate(pairs)]
    schema = {collect_module.INST: pl.UInt32, ROW: pl.Int64, "platform": pl.String, "service": pl.String}
    frame = pl.DataFrame(rows, schema=schema, orient="row")
    out = Collector("consents.csv", 20, institutions)
    bad = {"5252:2", "5498:1"}
    out.values(frame, "service", lambda v: f"bad {v}" if v in bad else None, where=pl.col("platform") == "altinn2")
    for inst, problems in enumerate(out.finish()):
        assert problems == [
            Problem("consents.csv", 10 * inst + 3, "service", "bad 5252:2 (in 2 rows)", "warning"),
            Problem("consents.csv", 10 * inst + 5, "service", "bad 5498:1 (in 2 rows)", "warning"),
        ]
