"""The consent-request status source: parsing, the inventory table, and the authenticated client (MockTransport)."""

from __future__ import annotations

import json
import shutil
import uuid
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import polars as pl
import pytest
from maskinporten_support import CLIENT_ID, KID, SCOPE, KeySet, keys

from altinn_analysis.inventory import SCHEMAS, national_id_check_digits, validate_inventory
from altinn_analysis.inventory._schema import CONSENT_STATUSES
from altinn_analysis.secret_guard import scan_text
from altinn_analysis.sources import (
    CONSENTS_SCHEMA,
    AltinnNotFoundError,
    AltinnResponseError,
    ConsentRequestClient,
    MaskinportenTokenProvider,
    consents_table,
    load_maskinporten_key,
    parse_consent_request,
)

__all__ = ["keys"]  # fixture from maskinporten_support

AS_OF = date(2026, 9, 1)
BANK = "310426172"  # a fictional demo institution
PLATFORM = "https://platform.tt02.altinn.no"


def synthetic_person(day: int) -> str:
    """A synthetic (Tenor: month + 80) identity number with valid check digits: personal data to any scanner."""
    for individual in range(100, 1000):
        first9 = f"{day:02d}8585{individual:03d}"
        digits = national_id_check_digits(first9)
        if digits:
            return f"{first9}{digits[0]}{digits[1]}"
    raise AssertionError("no valid number")


PEOPLE = [synthetic_person(d) for d in (3, 14, 25)]


def consent_request(
    person: str,
    resources: list[str],
    *,
    valid_to: str = "2027-02-03T10:13:27.897002+00:00",
    consented: str | None = "2026-02-03T10:14:05.419279+00:00",
    events: list[tuple[str, str]] | None = None,
    status: str | None = None,
) -> dict[str, Any]:
    """A response shaped like Altinn's GET /enterprise/consentrequests/{id} (ConsentRequestDetailsDto)."""
    request_id = str(uuid.uuid4())
    body: dict[str, Any] = {
        "id": request_id,
        "from": f"urn:altinn:person:identifier-no:{person}",
        "to": f"urn:altinn:organization:identifier-no:{BANK}",
        "requiredDelegator": None,
        "handledBy": None,
        "validTo": valid_to,
        "consentRights": [
            {
                "action": ["consent"],
                "resource": [{"type": "urn:altinn:resource", "value": r}],
                "metadata": {"inntektsaar": "2025", "kontakt": person},
            }
            for r in resources
        ],
        "requestMessage": {"nb": f"Samtykke for {person}"},
        "consented": consented,
        "redirectUrl": f"https://bank.example/consent?person={person}",
        "consentRequestEvents": [
            {
                "consentEventID": str(uuid.uuid4()),
                "created": when,
                "performedBy": f"urn:altinn:person:identifier-no:{person}"
                if kind != "Created"
                else f"urn:altinn:organization:identifier-no:{BANK}",
                "eventType": kind,
                "consentRequestID": request_id,
            }
            for kind, when in (events or [])
        ],
        "viewUri": f"https://am.ui.tt02.altinn.no/accessmanagement/ui/consent/request?id={request_id}",
    }
    if status is not None:
        body["status"] = status
    return body


ACCEPTED = [("Created", "2026-02-03T10:13:28.54048+00:00"), ("Accepted", "2026-02-03T10:14:05.419279+00:00")]


# -- parsing -------------------------------------------------------------------------------------------------


def test_accepted_request_with_two_resources() -> None:
    body = consent_request(
        PEOPLE[0], ["ske-samtykke-sbl-inntekt", "ske-samtykke-sbl-summert-skattegrunnlag"], events=ACCEPTED
    )
    status = parse_consent_request(body, as_of=AS_OF)
    assert status.resources == ("ske-samtykke-sbl-inntekt", "ske-samtykke-sbl-summert-skattegrunnlag")
    assert (status.api_status, status.status) == ("accepted", "active")
    assert (status.valid_from, status.valid_to) == (date(2026, 2, 3), date(2027, 2, 3))


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        ({"status": "accepted"}, ("accepted", "active")),
        ({"status": "Rejected", "consented": None}, ("rejected", "rejected")),
        ({"status": "revoked"}, ("revoked", "revoked")),
        ({"status": "deleted", "consented": None}, ("deleted", "revoked")),
        ({"status": "expired"}, ("expired", "expired")),
        ({"status": "created", "consented": None}, ("created", "pending")),
        ({"consented": None, "events": [("Created", "2026-08-01T08:00:00+00:00")]}, ("created", "pending")),
        ({"events": [*ACCEPTED, ("Used", "2026-03-01T00:00:00+00:00")]}, ("accepted", "active")),
        ({"events": [*ACCEPTED, ("Revoked", "2026-04-01T00:00:00+00:00")]}, ("revoked", "revoked")),
        ({"consented": None, "events": []}, ("created", "pending")),
        ({"events": []}, ("accepted", "active")),
        ({"status": "accepted", "valid_to": "2026-08-31T12:00:00+00:00"}, ("accepted", "expired")),
        ({"status": "created", "consented": None, "valid_to": "2026-05-01T00:00:00Z"}, ("created", "expired")),
        ({"status": "rejected", "valid_to": "2026-05-01T00:00:00Z"}, ("rejected", "rejected")),
    ],
)
def test_state_mapping(kwargs: dict[str, Any], expected: tuple[str, str]) -> None:
    status = parse_consent_request(consent_request(PEOPLE[1], ["enkelt-samtykke"], **kwargs), as_of=AS_OF)
    assert (status.api_status, status.status) == expected
    assert status.status in CONSENT_STATUSES


def test_dates_are_norwegian_calendar_days() -> None:
    body = consent_request(
        PEOPLE[0],
        ["enkelt-samtykke"],
        valid_to="2026-12-31T23:30:00+00:00",
        consented=None,
        events=[("Created", "2026-06-30T22:15:00+00:00")],
    )
    status = parse_consent_request(body, as_of=AS_OF)
    assert (status.valid_from, status.valid_to) == (date(2026, 7, 1), date(2027, 1, 1))
    naive = consent_request(PEOPLE[0], ["x"], valid_to="2029-09-30T10:30:00.000", consented="2026-01-30T10:30:00.000")
    assert parse_consent_request(naive, as_of=AS_OF).valid_to == date(2029, 9, 30)


def test_valid_from_never_after_valid_to() -> None:
    body = consent_request(PEOPLE[0], ["x"], valid_to="2026-01-01T00:00:00+00:00", consented=None, events=[])
    status = parse_consent_request(body, as_of=AS_OF)
    assert status.valid_from == status.valid_to == date(2026, 1, 1)


@pytest.mark.scenario("consent-unexpected-response")
@pytest.mark.parametrize(
    ("change", "reason"),
    [
        (lambda b: b.update(status="teleported"), "unknown consent request status 'teleported'"),
        (lambda b: b.update(status=f"x{PEOPLE[0]}"), r"unknown consent request status 'x'"),
        (lambda b: b.update(consentRights=[]), "names no urn:altinn:resource"),
        (lambda b: b.pop("validTo"), "validTo is missing"),
        (lambda b: b.update(validTo="next tuesday"), "validTo is not an ISO timestamp"),
        (lambda b: b.pop("id"), "has no id"),
    ],
)
def test_unexpected_responses_are_clear_errors(change: Callable[[dict[str, Any]], object], reason: str) -> None:
    body = consent_request(PEOPLE[0], ["enkelt-samtykke"], events=ACCEPTED)
    change(body)
    with pytest.raises(AltinnResponseError, match=reason) as err:
        parse_consent_request(body, as_of=AS_OF, url="https://x/consentrequests/1")
    assert PEOPLE[0] not in str(err.value)


# -- the table -----------------------------------------------------------------------------------------------


def three_requests() -> list[dict[str, Any]]:
    return [
        consent_request(PEOPLE[0], ["ske-samtykke-sbl-inntekt", "ske-samtykke-sbl-summert-skattegrunnlag"]),
        consent_request(PEOPLE[1], ["ske-samtykke-sbl-inntekt"]),
        consent_request(PEOPLE[2], ["ske-samtykke-sbl-inntekt"], status="revoked"),
    ]


def test_table_is_aggregated_in_the_inventory_format() -> None:
    table = consents_table(parse_consent_request(b, as_of=AS_OF) for b in three_requests())
    # `origin` is written by a pull, not by this source.
    assert (
        dict(table.schema) == dict(CONSENTS_SCHEMA) == {k: v for k, v in SCHEMAS["consents"].items() if k != "origin"}
    )
    assert table.to_dicts() == [
        {
            "platform": "altinn3",
            "service": "ske-samtykke-sbl-inntekt",
            "status": "active",
            "valid_from": date(2026, 2, 3),
            "valid_to": date(2027, 2, 3),
            "count": 2,
        },
        {
            "platform": "altinn3",
            "service": "ske-samtykke-sbl-inntekt",
            "status": "revoked",
            "valid_from": date(2026, 2, 3),
            "valid_to": date(2027, 2, 3),
            "count": 1,
        },
        {
            "platform": "altinn3",
            "service": "ske-samtykke-sbl-summert-skattegrunnlag",
            "status": "active",
            "valid_from": date(2026, 2, 3),
            "valid_to": date(2027, 2, 3),
            "count": 1,
        },
    ]
    assert consents_table([]).schema == table.schema and consents_table([]).is_empty()


@pytest.mark.scenario("consent-personal-data-dropped")
def test_no_personal_data_reaches_the_table(tmp_path: Path) -> None:
    bodies = three_requests()
    statuses = [parse_consent_request(b, as_of=AS_OF) for b in bodies]
    table = consents_table(statuses)
    written = tmp_path / "consents.csv"
    table.write_csv(written)
    text = written.read_text() + json.dumps(table.to_dicts(), default=str) + repr(statuses)
    for person in PEOPLE:
        assert person not in text
    assert "identifier-no" not in text and "urn:altinn:person" not in text
    request_ids = [b["id"] for b in bodies]
    assert not any(rid in written.read_text() for rid in request_ids)
    assert scan_text(text) == []
    assert scan_text(json.dumps(bodies))  # the scanner does see the raw responses' identity numbers


def test_table_passes_inventory_validation(tmp_path: Path) -> None:
    folder = tmp_path / BANK
    shutil.copytree(Path(__file__).parents[1] / "data" / "institutions" / BANK, folder)
    for old in folder.glob("consents.*"):
        old.unlink()
    table = consents_table(parse_consent_request(b, as_of=AS_OF) for b in three_requests())
    table.write_csv(folder / "consents.csv")
    errors = [p for p in validate_inventory(folder) if p.file.startswith("consents") and p.severity == "error"]
    assert errors == []


# -- the client ----------------------------------------------------------------------------------------------


class Recorder:
    """A MockTransport handler for token endpoint and API together, answering from a script per request."""

    def __init__(self, api: Callable[[httpx.Request], httpx.Response]) -> None:
        self.api = api
        self.requests: list[httpx.Request] = []
        self.authorization: list[str | None] = []  # as sent (the auth flow reuses the request object on retry)
        self.tokens = 0

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if request.url.host != "test.maskinporten.no":
            self.authorization.append(request.headers.get("authorization"))
        if request.url.host == "test.maskinporten.no":
            self.tokens += 1
            return httpx.Response(200, json={"access_token": f"token-{self.tokens}", "expires_in": 120})
        return self.api(request)


def client_for(keys: KeySet, recorder: Recorder, **kw: Any) -> ConsentRequestClient:
    transport = httpx.MockTransport(recorder)
    provider = MaskinportenTokenProvider(
        CLIENT_ID, load_maskinporten_key(keys.pem), SCOPE, kid=KID, transport=transport
    )
    return ConsentRequestClient(provider, "tt02", transport=transport, sleep=lambda s: None, **kw)


def api_requests(recorder: Recorder) -> list[httpx.Request]:
    return [r for r in recorder.requests if r.url.host != "test.maskinporten.no"]


def test_client_fetches_with_a_bearer_token_and_builds_the_table(keys: KeySet) -> None:
    bodies = {b["id"]: b for b in three_requests()}

    def api(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json=bodies[request.url.path.rsplit("/", 1)[1]])

    recorder = Recorder(api)
    with client_for(keys, recorder) as client:
        ids = list(bodies)
        table = client.consents([*ids, ids[0].upper()], as_of=AS_OF)
    assert table["count"].sum() == 4 and table.height == 3
    sent = api_requests(recorder)
    assert len(sent) == 3 and recorder.tokens == 1
    assert {r.url.path for r in sent} == {f"/accessmanagement/api/v1/enterprise/consentrequests/{i}" for i in ids}
    assert all(r.url.host == "platform.tt02.altinn.no" for r in sent)
    assert recorder.authorization == ["Bearer token-1"] * 3
    assert isinstance(table, pl.DataFrame)


@pytest.mark.scenario("mp-api-401")
def test_client_renews_the_token_once_on_401(keys: KeySet) -> None:
    body = consent_request(PEOPLE[0], ["enkelt-samtykke"], events=ACCEPTED)
    answers = iter([httpx.Response(401), httpx.Response(200, json=body)])
    recorder = Recorder(lambda r: next(answers))
    with client_for(keys, recorder) as client:
        assert client.consent_request(body["id"], as_of=AS_OF).status == "active"
    assert recorder.authorization == ["Bearer token-1", "Bearer token-2"]


@pytest.mark.scenario("http-5xx-burst")
def test_client_retries_5xx_with_the_same_token(keys: KeySet) -> None:
    body = consent_request(PEOPLE[0], ["enkelt-samtykke"], events=ACCEPTED)
    answers = iter([httpx.Response(503), httpx.Response(502), httpx.Response(200, json=body)])
    recorder = Recorder(lambda r: next(answers))
    with client_for(keys, recorder) as client:
        client.consent_request(body["id"], as_of=AS_OF)
    assert len(api_requests(recorder)) == 3 and recorder.tokens == 1


@pytest.mark.scenario("http-redirect-other-host")
def test_redirect_to_another_host_is_not_followed_and_gets_no_token(keys: KeySet) -> None:
    recorder = Recorder(lambda r: httpx.Response(302, headers={"location": "https://evil.example/steal"}))
    with client_for(keys, recorder) as client, pytest.raises(AltinnResponseError, match="redirect .*evil.example"):
        client.consent_request(str(uuid.uuid4()))
    assert {r.url.host for r in recorder.requests} == {"test.maskinporten.no", "platform.tt02.altinn.no"}


@pytest.mark.scenario("consent-personal-data-dropped")
def test_error_bodies_with_personal_data_are_redacted(keys: KeySet) -> None:
    problem = {"title": "Bad request", "detail": f"urn:altinn:person:identifier-no:{PEOPLE[0]} / {PEOPLE[1]}"}
    recorder = Recorder(lambda r: httpx.Response(400, json=problem))
    with client_for(keys, recorder) as client, pytest.raises(AltinnResponseError, match="HTTP 400") as err:
        client.consent_request(str(uuid.uuid4()))
    assert PEOPLE[0] not in str(err.value) and PEOPLE[1] not in str(err.value)
    assert err.value.__suppress_context__  # the unredacted original is not printed with the traceback

    recorder = Recorder(lambda r: httpx.Response(404, json={"status": 404}))
    with client_for(keys, recorder) as client, pytest.raises(AltinnNotFoundError):
        client.consent_request(str(uuid.uuid4()))


def test_client_checks_ids_and_environments(keys: KeySet) -> None:
    recorder = Recorder(lambda r: httpx.Response(500))
    with client_for(keys, recorder) as client, pytest.raises(ValueError, match="must be a GUID"):
        client.consent_request("../../admin")
    provider = MaskinportenTokenProvider(CLIENT_ID, load_maskinporten_key(keys.pem), SCOPE, kid=KID)
    with pytest.raises(ValueError, match="Altinn prod needs a Maskinporten prod token, not test"):
        ConsentRequestClient(provider, "prod")
    assert recorder.requests == []
