"""The device registry as a value: each change an event, once; bounded; one history an epoch."""

import datetime

import pytest

from wamock.data import device_registry as registry_of
from wamock.data.device_registry import MAX_DEVICES, MAX_EVENTS, MAX_ID, RegistryError

NOW = datetime.datetime(2026, 1, 2, 3, 4, 5, tzinfo=datetime.UTC)
EXAMPLE = {
    "id": "my-device-id",
    "display_name": "John Doe",
    "phone_number": "628123456789",
    "jid": "6281@s.whatsapp.net",
}


def fresh() -> dict:
    return registry_of.initial(["my-device-id"], EXAMPLE, epoch="data-0")


def codes(frames: list[dict]) -> list[str]:
    return [frame["code"] for frame in frames]


def test_each_change_is_one_event_and_a_repeated_one_none():
    registry = registry_of.added(registry_of.added(fresh(), "d", NOW), "d", NOW)
    registry = registry_of.logged_in(registry_of.connecting(registry, "d"), "d")
    registry = registry_of.logged_in(registry, "d")  # already logged in: nothing happens
    registry = registry_of.logged_out(registry_of.logged_out(registry, "d"), "d")
    registry = registry_of.removed(registry_of.removed(registry, "d"), "d")

    assert codes(registry_of.frames_after(registry, "data-0", 0)) == [
        "LIST_DEVICES",
        "LOGIN_SUCCESS",
        "DEVICE_LOGGED_OUT",
        "DEVICE_REMOVED",
    ]


def test_a_connection_gets_only_what_it_has_not_sent_and_nothing_of_another_epoch():
    registry = registry_of.logged_out(registry_of.added(fresh(), "d", NOW), "my-device-id")

    assert codes(registry_of.frames_after(registry, "data-0", 1)) == ["DEVICE_LOGGED_OUT"]
    assert registry_of.frames_after(registry, "data-1", 0) == []


def test_a_result_names_the_device_and_lists_them_as_answers_show_them():
    registry = registry_of.logged_out(registry_of.added(fresh(), "d", NOW), "my-device-id")

    result = registry_of.frames_after(registry, "data-0", 1)[0]["result"]

    assert result["device_id"] == "my-device-id"
    assert [device["state"] for device in result["devices"]] == ["disconnected", "disconnected"]
    assert "added" not in result["devices"][1]


def test_a_login_gives_the_same_phone_number_for_the_same_id():
    first = registry_of.find(registry_of.logged_in(registry_of.added(fresh(), "d", NOW), "d"), "d")
    second = registry_of.find(registry_of.logged_in(registry_of.added(fresh(), "d", NOW), "d"), "d")

    assert first["phone_number"] == second["phone_number"]
    assert first["jid"] == first["phone_number"] + "@s.whatsapp.net"
    assert first["phone_number"].startswith("62") and len(first["phone_number"]) == 12


def test_the_registry_is_bounded_the_oldest_added_making_room():
    registry = fresh()
    for index in range(MAX_DEVICES):
        registry = registry_of.added(registry, f"d{index}", NOW)

    ids = [device["id"] for device in registry["devices"]]
    assert len(ids) == MAX_DEVICES
    assert ids[:2] == ["my-device-id", "d1"]  # d0, the oldest added, made room; the data set's stays
    assert ids[-1] == f"d{MAX_DEVICES - 1}"
    with pytest.raises(RegistryError, match=f"at most {MAX_ID} characters"):
        registry_of.added(fresh(), "x" * (MAX_ID + 1), NOW)
    assert len(registry["events"]) == MAX_EVENTS
