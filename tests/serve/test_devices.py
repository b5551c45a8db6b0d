"""Devices: X-Device-Id (or device_id) selects whose chats; with several, one must be named."""

import pytest

from tests.conftest import AUTH
from wamock.data import collections
from wamock.data.generate import generate_devices


@pytest.fixture
def two_devices(make_client, spec):
    data = generate_devices(30, 4, newest=collections.documented_chat(spec), devices=2)["devices"]
    devices = {"phone a": data["device-1"][:30], "phone-b": data["device-2"][:12]}
    return make_client(chats={"devices": devices})


@pytest.mark.parametrize("header", ["anything", "my-device-id"])
def test_one_unnamed_device_is_what_any_id_means(client, header):
    response = client.get("/chats", auth=AUTH, headers={"X-Device-Id": header})

    assert response.json()["results"]["pagination"]["total"] == 150


@pytest.mark.parametrize(
    ("headers", "query", "total"),
    [
        pytest.param({"X-Device-Id": "phone%20a"}, "", 30, id="url-encoded-header"),
        pytest.param({"X-Device-Id": "phone-b"}, "", 12, id="header"),
        pytest.param({}, "device_id=phone-b", 12, id="query"),
        pytest.param({"X-Device-Id": "phone-b"}, "device_id=phone%20a", 12, id="header-wins"),
    ],
)
def test_each_named_device_has_its_own_chats(two_devices, headers, query, total):
    response = two_devices.get(f"/chats?{query}", auth=AUTH, headers=headers)

    assert response.json()["results"]["pagination"]["total"] == total


def test_several_devices_and_none_named_is_a_400(two_devices):
    response = two_devices.get("/chats", auth=AUTH)

    assert response.status_code == 400
    assert response.json()["code"] == "DEVICE_ID_REQUIRED"


def test_an_unknown_device_is_the_documented_404(two_devices, spec):
    documented = spec["paths"]["/chats"]["get"]["responses"]["404"]["content"]["application/json"]["example"]

    response = two_devices.get("/chats", auth=AUTH, headers={"X-Device-Id": "nobody"})

    assert response.status_code == 404
    assert response.json() == {
        "code": documented["code"],
        "message": documented["message"],
        "results": {"device_id": "nobody"},
    }


def test_credentials_come_before_devices(two_devices):
    assert two_devices.get("/chats", headers={"X-Device-Id": "nobody"}).status_code == 401


def test_control_api_shows_and_takes_devices(two_devices):
    shown = two_devices.get("/__wamock/chats").json()["results"]

    assert list(shown["data"]["devices"]) == ["phone a", "phone-b"]
    assert shown["total"] == 42


def test_cached_answers_are_kept_apart_by_device(two_devices):
    answers = [
        two_devices.get("/chats", auth=AUTH, headers=headers).json()
        for headers in [{"X-Device-Id": "phone-b"}, {"X-Device-Id": "phone a"}, {"X-Device-Id": "phone-b"}, {}]
    ]

    assert [answer["results"].get("pagination", {}).get("total") for answer in answers] == [12, 30, 12, None]
    assert answers[3]["code"] == "DEVICE_ID_REQUIRED"
