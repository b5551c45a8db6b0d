"""Scenarios: `Prefer: code=` answers a documented example, `Prefer: delay=` and --delay slow answers."""

import time

import pytest

from tests.conftest import AUTH


@pytest.mark.parametrize(
    ("status", "body"),
    [
        (500, {"code": "INTERNAL_SERVER_ERROR", "message": "you are not loggin", "results": {}}),
        (401, {"code": "401", "message": "Unauthorized access", "results": {}}),
        (400, {"code": "400", "message": "field cannot be blank", "results": {}}),
    ],
)
def test_prefer_code_answers_the_documented_example(client, status, body):
    response = client.get("/chats", auth=AUTH, headers={"Prefer": f"code={status}"})

    assert (response.status_code, response.json()) == (status, body)


def test_prefer_code_200_serves_real_data(client):
    response = client.get("/chats?limit=3", auth=AUTH, headers={"Prefer": "code=200"})

    assert len(response.json()["results"]["data"]) == 3


def test_credentials_are_checked_before_the_preferred_status(client):
    response = client.get("/chats", headers={"Prefer": "code=500"})

    assert response.status_code == 401


@pytest.mark.parametrize(
    ("prefer", "message"),
    [
        (
            "code=403",
            "Prefer: code=403: GET /chats documents an answer only for 200, 400, 401, 404, 413, 414, 431, 500",
        ),
        ("code=abc", "Prefer: code=abc: must be an HTTP status, 100 to 599"),
        ("code=600", "Prefer: code=600: must be an HTTP status, 100 to 599"),
        ("delay=-5", "Prefer: delay=-5: must be a whole number of milliseconds from 0 to 30000"),
        ("delay=30001", "Prefer: delay=30001: must be a whole number of milliseconds from 0 to 30000"),
        ("delay=1.5", "Prefer: delay=1.5: must be a whole number of milliseconds from 0 to 30000"),
        ("return=minimal", "Prefer: return=minimal: not supported; wamock honours code=STATUS and delay=MS"),
    ],
)
def test_unsupported_prefer_gets_400_saying_why(client, prefer, message):
    response = client.get("/chats", auth=AUTH, headers={"Prefer": prefer})

    assert response.status_code == 400
    assert response.json() == {"code": "400", "message": message, "results": {}}


def test_prefer_delay_slows_the_answer(client):
    started = time.monotonic()
    response = client.get("/chats", auth=AUTH, headers={"Prefer": "delay=300, code=500"})

    assert response.status_code == 500
    assert time.monotonic() - started >= 0.3


def test_server_delay_slows_every_api_answer_but_not_control(make_client):
    client = make_client(delay_ms=250)

    started = time.monotonic()
    client.get("/chats", auth=AUTH)
    api_time = time.monotonic() - started
    started = time.monotonic()
    client.get("/__wamock/session")
    control_time = time.monotonic() - started

    assert api_time >= 0.25
    assert control_time < 0.25


def test_prefer_is_ignored_on_the_control_api(client):
    response = client.get("/__wamock/session", headers={"Prefer": "code=500"})

    assert response.status_code == 200
