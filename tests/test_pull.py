"""`pull`: the demo replay yields the reported Altinn 3 state, merges without touching reported rows, keeps the
previous pull on every fault, and writes no name, birth date or identity number anywhere."""

from __future__ import annotations

import json
import shutil
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import polars as pl
import pytest
from typer.testing import CliRunner

from altinn_analysis.catalogue import Catalogue
from altinn_analysis.cli import app
from altinn_analysis.demo_replay import DEMO_AS_OF, write_demo_replay
from altinn_analysis.inventory import load_inventory, pull_into, validate_inventory
from altinn_analysis.sources import (
    Pseudonymizer,
    PullError,
    ReplayTransport,
    maskinporten_for_pull,
)

ORG = "316537200"
DEMO = Path(__file__).resolve().parents[1] / "data" / "institutions" / ORG
KEY = Pseudonymizer(b"test-key-" * 4)


def _pull(pull_workspace: Path, catalogue: Catalogue, transport: httpx.BaseTransport, **kwargs: Any) -> Any:
    sleeps: list[float] = kwargs.pop("sleeps", [])
    mp = maskinporten_for_pull(ORG, "prod", transport=transport, replay=True, sleep=sleeps.append)
    return pull_into(
        ORG,
        pull_workspace,
        catalogue=catalogue,
        transport=transport,
        maskinporten=mp,
        pseudonymizer=KEY,
        as_of=DEMO_AS_OF,
        sleep=sleeps.append,
        **kwargs,
    )


def _key(frame: pl.DataFrame) -> Counter[tuple[str, ...]]:
    rows = frame.filter(pl.col("platform") == "altinn3").select("holder_type", "grant_type", "grant", "source")
    return Counter(rows.iter_rows())


def test_pull_yields_the_reported_altinn3_state(pull_workspace: Path, catalogue: Catalogue, pull_replay: Path) -> None:
    before = load_inventory(pull_workspace / ORG, catalogue=catalogue)
    transport = ReplayTransport(pull_replay)
    result = _pull(pull_workspace, catalogue, transport)
    after = load_inventory(pull_workspace / ORG, catalogue=catalogue)
    observed = after.delegations.filter(pl.col("origin").is_not_null())
    reported = after.delegations.filter(pl.col("origin").is_null())
    # Reported rows are untouched; observed rows reproduce the reported Altinn 3 delegations.
    assert reported.drop("origin").equals(before.delegations.drop("origin"))
    assert _key(observed) == _key(reported)
    assert (
        observed.filter(pl.col("platform") == "altinn3")["granted_at"].null_count()
        == observed.filter(pl.col("platform") == "altinn3").height
    )
    er = observed.filter(pl.col("source") == "er")
    assert sorted(er["grant"]) == sorted(reported.filter(pl.col("source") == "er")["grant"])
    assert all(h.startswith("p-") for h in er["holder_id"])
    # Consents: the current (non-expired) state exactly.
    cols = ["service", "status", "valid_from", "valid_to", "count"]
    current = after.consents.filter((pl.col("platform") == "altinn3") & (pl.col("status") != "expired"))
    obs_c = current.filter(pl.col("origin").is_not_null()).select(cols).sort(cols)
    rep_c = current.filter(pl.col("origin").is_null()).select(cols).sort(cols)
    assert obs_c.equals(rep_c)
    # System users with their operators; Dialogporten evidence.
    su = after.integrations.filter(pl.col("origin").is_not_null() & (pl.col("kind") == "system_user"))
    assert sorted(su.select("name", "operated_by").iter_rows()) == [
        ("SU-dsve-01 Fjellvant", "394712302"),
        ("SU-sbl-01 lånesystem", "self"),
    ]
    record = json.loads((pull_workspace / ORG / "pull.json").read_text())
    assert [(d["dialogs"], d["unopened"], d["pages"]) for d in record["dialogs"]] == [(23, 4, 2), (3, 1, 1)]
    assert record["maskinporten_suppliers"] == ["394712302"]
    # Every recording was requested exactly once; the result validates.
    index = json.loads((pull_replay / "index.json").read_text())
    seen = Counter((r.method, r.url.path, tuple(sorted(r.url.params.multi_items()))) for r in transport.requests)
    assert len(transport.requests) == len(index) == result.requests
    assert all(n == 1 for n in seen.values())
    assert not [p for p in validate_inventory(pull_workspace / ORG, catalogue=catalogue) if p.is_error]


def test_a_second_pull_replaces_only_its_own_rows(
    pull_workspace: Path, catalogue: Catalogue, pull_replay: Path
) -> None:
    _pull(pull_workspace, catalogue, ReplayTransport(pull_replay))
    first = load_inventory(pull_workspace / ORG, catalogue=catalogue)
    _pull(pull_workspace, catalogue, ReplayTransport(pull_replay), only=["brreg"])
    second = load_inventory(pull_workspace / ORG, catalogue=catalogue)
    assert second.delegations.height == first.delegations.height
    assert second.consents.equals(first.consents)


# -- personal data ------------------------------------------------------------------------------------------


def _personal_data(replay: Path) -> set[str]:
    found: set[str] = set()

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key in ("fodselsdato", "dateOfBirth", "personIdentifier", "actorName") and value:
                    found.add(str(value))
                if key == "navn" and isinstance(value, dict):
                    found.update(str(v) for v in value.values())
                if key == "party" and isinstance(value, dict) and value.get("type") == "Person":
                    found.add(value["name"])
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)
        elif isinstance(node, str) and "identifier-no:" in node and "person" in node:
            found.add(node.rsplit(":", 1)[1])

    for body in replay.rglob("*.json"):
        walk(json.loads(body.read_text()))
    return {f.lower() for f in found if len(f) > 3}


def _texts(folder: Path) -> Iterator[tuple[Path, str]]:
    for path in folder.rglob("*"):
        if not path.is_file():
            continue
        yield path, path.read_bytes().decode("utf-8", "replace").lower()
        if path.suffix == ".parquet":
            yield path, pl.read_parquet(path).write_csv().lower()
        if path.suffix == ".xlsx":
            from openpyxl import load_workbook

            book = load_workbook(path, read_only=True)
            cells = [str(c) for sheet in book for row in sheet.iter_rows(values_only=True) for c in row]
            yield path, " ".join(cells).lower()


def test_no_personal_data_in_any_file_written(
    pull_workspace: Path, catalogue: Catalogue, pull_replay: Path, caplog: pytest.LogCaptureFixture
) -> None:
    folder = pull_workspace / ORG
    # The tables in every format a pull writes back: Parquet, XLSX and CSV.
    load_inventory(folder, catalogue=catalogue).delegations.drop("origin").write_parquet(folder / "delegations.parquet")
    (folder / "delegations.csv").unlink()
    from openpyxl import Workbook

    consents = pl.read_csv(folder / "consents.csv", infer_schema_length=0)
    book = Workbook()
    sheet = book.active
    sheet.append(consents.columns)
    for row in consents.iter_rows():
        sheet.append(list(row))
    book.save(folder / "consents.xlsx")
    (folder / "consents.csv").unlink()
    caplog.set_level("DEBUG")
    messages: list[str] = []
    _pull(pull_workspace, catalogue, ReplayTransport(pull_replay), progress=messages.append)
    secrets = _personal_data(pull_replay)
    assert len(secrets) > 50  # names, birth dates and identity numbers were in the answers
    outputs = [
        *list(_texts(folder)),
        (Path("log"), caplog.text.lower()),
        (Path("progress"), "\n".join(messages).lower()),
    ]
    leaks = [(str(p), s) for p, text in outputs for s in secrets if s in text]
    assert leaks == []


# -- faults ----------------------------------------------------------------------------------------------------


class Faulty(httpx.BaseTransport):
    """Serves `answer` for requests matching `match` (the first `times` of them, or all), else the replay."""

    def __init__(
        self,
        inner: ReplayTransport,
        match: Callable[[httpx.Request], bool],
        answer: Callable[[httpx.Request], httpx.Response],
        times: int | None = 1,
    ) -> None:
        self.inner, self.match, self.answer, self.left = inner, match, answer, times
        self.requests: list[httpx.Request] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if self.match(request) and (self.left is None or self.left > 0):
            if self.left is not None:
                self.left -= 1
            return self.answer(request)
        return self.inner.handle_request(request)


def _dead(request: httpx.Request) -> httpx.Response:
    raise httpx.ConnectError("connection refused", request=request)


def _first_detail(request: httpx.Request) -> bool:
    path = request.url.path
    return "/consentrequests/" in path and not path.endswith("/events") and request.url.params.get("x") is None


FAULTS: dict[str, tuple[Callable[[httpx.Request], bool], Callable[[httpx.Request], httpx.Response], int | None]] = {
    "401-connections": (
        lambda r: r.url.path.endswith("/enduser/connections"),
        lambda r: httpx.Response(401, content=b""),
        None,
    ),
    "404-brreg": (lambda r: r.url.host == "data.brreg.no", lambda r: httpx.Response(404, json={"status": 404}), None),
    "malformed-connections": (
        lambda r: r.url.path.endswith("/enduser/connections"),
        lambda r: httpx.Response(200, headers={"content-type": "application/json"}, content=b'{"links": {"ne'),
        None,
    ),
    "dead-dialogporten": (lambda r: "/dialogporten/" in r.url.path, _dead, None),
}


@pytest.mark.parametrize("fault", sorted(FAULTS))
def test_a_failing_source_keeps_the_previous_pull(
    fault: str, pull_workspace: Path, catalogue: Catalogue, pull_replay: Path
) -> None:
    _pull(pull_workspace, catalogue, ReplayTransport(pull_replay))
    before = {p.name: p.read_bytes() for p in (pull_workspace / ORG).iterdir()}
    match, answer, times = FAULTS[fault]
    transport = Faulty(ReplayTransport(pull_replay), match, answer, times)
    with pytest.raises(PullError) as caught:
        _pull(pull_workspace, catalogue, transport)
    after = {p.name: p.read_bytes() for p in (pull_workspace / ORG).iterdir()}
    assert after == before  # nothing written, no temporary file left
    message = str(caught.value)
    if fault == "401-connections":
        assert "system user" in message and "401" in message and "/enduser/connections" in message
    elif fault == "404-brreg":
        assert "not found in Enhetsregisteret" in message
        assert not any(r.url.host == "maskinporten.no" for r in transport.requests)  # no token request
    elif fault == "malformed-connections":
        assert caught.value.source == "access" and "malformed" in message
    else:
        assert caught.value.source == "dialogs" and "could not connect" in message


@pytest.mark.parametrize(
    ("name", "match", "answer", "waits"),
    [
        (
            "429-retry-after",
            lambda r: r.url.path.endswith("/consentrequests/events") and not r.url.params,
            lambda r: httpx.Response(429, headers={"Retry-After": "2"}, content=b""),
            [2.0],
        ),
        (
            "500-once",
            _first_detail,
            lambda r: httpx.Response(500, json={"title": "An error occurred", "status": 500}),
            None,
        ),
    ],
)
def test_transient_faults_are_retried_to_the_same_result(
    name: str,
    match: Callable[[httpx.Request], bool],
    answer: Callable[[httpx.Request], httpx.Response],
    waits: list[float] | None,
    tmp_path: Path,
    catalogue: Catalogue,
    pull_replay: Path,
) -> None:
    clean, faulty = tmp_path / "clean", tmp_path / "faulty"
    for root in (clean, faulty):
        shutil.copytree(DEMO, root / ORG)
    _pull(clean, catalogue, ReplayTransport(pull_replay))
    sleeps: list[float] = []
    _pull(faulty, catalogue, Faulty(ReplayTransport(pull_replay), match, answer, 1), sleeps=sleeps)
    for table in ("delegations", "consents", "integrations"):
        a = load_inventory(clean / ORG, catalogue=catalogue).table(table).drop("origin")
        b = load_inventory(faulty / ORG, catalogue=catalogue).table(table).drop("origin")
        assert a.equals(b), table
    assert len(sleeps) == 1
    if waits is not None:
        assert sleeps == waits


def test_a_request_without_recording_names_it(pull_workspace: Path, catalogue: Catalogue, tmp_path: Path) -> None:
    partial = tmp_path / "partial"
    write_demo_replay(DEMO, partial)
    index = [e for e in json.loads((partial / "index.json").read_text()) if "maskinportensuppliers" not in e["path"]]
    (partial / "index.json").write_text(json.dumps(index))
    with pytest.raises(PullError, match=r"maskinportensuppliers.*no recorded answer"):
        _pull(pull_workspace, catalogue, ReplayTransport(partial))


def test_cli_pull_with_replay(
    pull_workspace: Path, pull_replay: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("ALTINN_ANALYSIS_PSEUDONYM_KEY", str(tmp_path / "key"))
    runner = CliRunner()
    result = runner.invoke(
        app,
        [
            "pull",
            "--org",
            ORG,
            "--out",
            str(pull_workspace),
            "--replay",
            str(pull_replay.parent),
            "--only",
            "brreg,dialogs",
        ],
    )
    assert result.exit_code == 0, result.output
    assert f"{ORG}: delegations 6, consents 0, integrations 2 pulled rows" in result.output
    assert (tmp_path / "key").stat().st_mode & 0o077 == 0  # the key is the user's alone
    bad = runner.invoke(app, ["pull", "--org", ORG, "--out", str(pull_workspace), "--only", "everything"])
    assert bad.exit_code != 0 and "unknown source" in bad.output
