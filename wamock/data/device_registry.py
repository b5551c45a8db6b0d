"""The WhatsApp devices a mock of GOWA knows: added, logged in and out, removed, each change an event.

The registry is a plain value (kept by `wamock.serve.state.SharedState.change` in the session's
"devices" section, seen by every worker): the devices, in the order they were added, and the
latest events, numbered, which live connections (`/ws`) send on. `epoch` names one history of
the registry: a reset starts another, so a connection knows to send the whole list again.

Until a device is changed, the registry is the data set's: its named devices, else the one
device of the document's example (`GET /devices`'s first item), each logged in with the
example's fields. A device added through the API starts disconnected and with no chats.
"""

import datetime
import uuid
import zlib

MAX_DEVICES = 100  # a fuzzer's thousands of POST /devices cannot grow the state: the oldest added goes
MAX_EVENTS = 50  # the latest, for connections that have not sent them yet
MAX_ID = 128  # characters of a device id: a fuzzer's megabyte ids cannot grow the state
LOGGED_IN = "logged_in"
CONNECTING = "connecting"
DISCONNECTED = "disconnected"
ADDED = "added"  # a device added through the API: it has no chats (not shown in answers)
INFO_FIELDS = ("id", "phone_number", "display_name", "state", "jid", "created_at")  # what a DeviceInfo shows


class RegistryError(ValueError):
    """A change the registry refuses: the message says why."""


def initial(device_ids: list[str], example: dict, epoch: str) -> dict:
    """The registry before any change: each device logged in, with the example device's fields.
    `epoch` is the same in every worker for the same data set (it is computed, not kept)."""
    devices = [{**example, "id": device_id, "state": LOGGED_IN} for device_id in device_ids]
    return {"epoch": epoch, "seq": 0, "devices": devices, "events": []}


def find(registry: dict, device_id: str) -> dict | None:
    return next((device for device in registry["devices"] if device["id"] == device_id), None)


def _with_event(registry: dict, devices: list[dict], code: str, message: str, device_id: str | None) -> dict:
    """`devices` kept, with the event that announces the change (its result is made when it is sent)."""
    seq = registry["seq"] + 1
    event = {"seq": seq, "code": code, "message": message, "device_id": device_id}
    return {**registry, "seq": seq, "devices": devices, "events": [*registry["events"], event][-MAX_EVENTS:]}


def _replaced(registry: dict, device_id: str, **fields) -> list[dict]:
    return [{**device, **fields} if device["id"] == device_id else device for device in registry["devices"]]


def added(registry: dict, device_id: str | None, now: datetime.datetime) -> dict:
    """With a new device, disconnected (its id generated where none is given). An id already
    there changes nothing (upstream's manager gives the existing device back). Past MAX_DEVICES,
    the oldest device added through the API makes room. RegistryError for an id too long."""
    device_id = device_id or str(uuid.uuid4())
    if len(device_id) > MAX_ID:
        raise RegistryError(f"device_id: at most {MAX_ID} characters")
    if find(registry, device_id) is not None:
        return registry
    kept = registry["devices"]
    if len(kept) >= MAX_DEVICES:
        oldest = next((device for device in kept if device.get(ADDED)), None)
        kept = [device for device in kept if device is not oldest]
    device = {
        "id": device_id,
        "phone_number": "",
        "display_name": "",
        "state": DISCONNECTED,
        "jid": "",
        "created_at": now.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        ADDED: True,
    }
    return _with_event(registry, [*kept, device], "LIST_DEVICES", "Device added", None)


def removed(registry: dict, device_id: str) -> dict:
    if find(registry, device_id) is None:
        return registry
    devices = [device for device in registry["devices"] if device["id"] != device_id]
    return _with_event(registry, devices, "DEVICE_REMOVED", f"Device {device_id} logged out and removed", device_id)


def connecting(registry: dict, device_id: str) -> dict:
    """A QR login started: the device waits for its phone to scan the code."""
    device = find(registry, device_id)
    if device is None or device["state"] == LOGGED_IN:
        return registry
    return {**registry, "devices": _replaced(registry, device_id, state=CONNECTING)}


def logged_in(registry: dict, device_id: str) -> dict:
    """The phone paired: the device is logged in, with a phone number of its own."""
    device = find(registry, device_id)
    if device is None or device["state"] == LOGGED_IN:
        return registry
    phone = device["phone_number"] or phone_number_of(device_id)
    jid = f"{phone}@s.whatsapp.net"
    devices = _replaced(registry, device_id, state=LOGGED_IN, phone_number=phone, jid=jid)
    return _with_event(registry, devices, "LOGIN_SUCCESS", f"Successfully pair with {jid}", device_id)


def logged_out(registry: dict, device_id: str) -> dict:
    """Logged out, the slot kept (id and display name), as upstream's logout does."""
    device = find(registry, device_id)
    if device is None or device["state"] == DISCONNECTED:
        return registry
    devices = _replaced(registry, device_id, state=DISCONNECTED, jid="")
    return _with_event(registry, devices, "DEVICE_LOGGED_OUT", f"Device {device_id} logged out (slot kept)", device_id)


def info(device: dict) -> dict:
    """The device as answers show it (upstream's DeviceInfo)."""
    return {key: device[key] for key in INFO_FIELDS if key in device}


def added_through_the_api(registry: dict | None, device_id: str | None) -> bool:
    """Whether `device_id` names a device added through the API, which starts with no chats."""
    device = find(registry, device_id) if registry is not None and device_id is not None else None
    return device is not None and device.get(ADDED, False)


def phone_number_of(device_id: str) -> str:
    """A phone number for a device, the same for the same id: GOWA's country code, then ten digits."""
    return f"62{zlib.crc32(device_id.encode()) % 10**10:010d}"


def listed(registry: dict) -> list[dict]:
    """The devices as `/app/devices` and LIST_DEVICES give them: name, device, jid."""
    return [
        {"name": device["display_name"] or device["phone_number"], "device": device["id"], "jid": device["jid"]}
        for device in registry["devices"]
    ]


def frames_after(registry: dict, epoch: str, seq: int) -> list[dict]:
    """The frames `{code, message, result}` of the events a connection that has seen `seq` of
    `epoch` has not sent yet. A result names the device and lists the devices as they are now
    (upstream's DEVICE_LOGGED_OUT and DEVICE_REMOVED results); LIST_DEVICES's lists them."""
    if registry["epoch"] != epoch:
        return []
    shown = [info(device) for device in registry["devices"]]
    return [
        {
            "code": event["code"],
            "message": event["message"],
            "result": listed(registry)
            if event["device_id"] is None
            else {"device_id": event["device_id"], "devices": shown},
        }
        for event in registry["events"]
        if event["seq"] > seq
    ]
