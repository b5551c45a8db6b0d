"""GOWA's devices, with state: added, listed, logged in (a QR code to scan) and out, removed.

Each answer is the document's own 200 answer with its results told by the registry
(`wamock.serve.devices`). A login completes when the phone scans the code: in a mock, when
the control API says so (`PUT /__wamock/devices/{device_id}/session`). Every change is an
event the live connections (`/ws`) send on.
"""

import datetime
import uuid
from urllib.parse import unquote

from connexion import request

from wamock.data import device_registry
from wamock.data.device_registry import RegistryError
from wamock.data.facts import DocumentFacts
from wamock.serve import devices, envelope, state
from wamock.serve.chat_list import SUCCESS
from wamock.serve.published import base_path
from wamock.serve.statics import QR_PREFIX


def _documented(facts: DocumentFacts, key: str) -> dict:
    answer = facts.answers.get(key, {}).get(200)
    return dict(answer.body) if answer is not None and isinstance(answer.body, dict) else {"code": SUCCESS}


def _answer(facts: DocumentFacts, key: str, results) -> dict:
    return {**_documented(facts, key), "results": results}


def _registry() -> dict:
    return devices.current(state.current())


def _not_found(facts: DocumentFacts, device_id: str) -> tuple[dict, int]:
    return envelope.device_not_found(facts.texts.device_not_found, device_id), 404


def _of_a_known_device(handler):
    """A /devices/{device_id} operation: its handler is given the device the registry knows by
    that id, and an id it does not know is a 404, read once (another worker may remove it)."""

    # Not functools.wraps: connexion reads a handler's parameters from its signature, which
    # `__wrapped__` would make the handler's (`device`), not the path's (`device_id`).
    async def answer(facts: DocumentFacts, device_id: str):
        device = device_registry.find(_registry(), device_id)
        if device is None:
            return _not_found(facts, device_id)
        return await handler(facts, device)

    answer.__name__, answer.__doc__ = handler.__name__, handler.__doc__
    return answer


_info = device_registry.info


def _status(device: dict) -> dict:
    connected = device["state"] != device_registry.DISCONNECTED
    logged_in = device["state"] == device_registry.LOGGED_IN and not state.current().snapshot().logged_out
    return {"device_id": device["id"], "is_connected": connected, "is_logged_in": logged_in}


def _change(how) -> dict:
    return devices.change(state.current(), how)


def _qr_link(facts: DocumentFacts) -> str:
    """A new QR code's URL (upstream's `scan-qr-UUID.png`), on the origin the request came to,
    never the document's example host; `/statics` serves its image."""
    host = request.headers.get("host") or request.url.netloc
    return f"{request.url.scheme}://{host}{base_path(facts.spec)}{QR_PREFIX}scan-qr-{uuid.uuid4()}.png"


def _qr_duration(facts: DocumentFacts, key: str) -> int:
    results = _documented(facts, key).get("results")
    duration = results.get("qr_duration") if isinstance(results, dict) else None
    return duration if isinstance(duration, int) else 30


def _named_device() -> dict:
    """The device an /app/... request means: X-Device-Id, else `device_id`, else the first one
    listed (the document makes naming one optional). An id the registry does not know is a
    device not connected, not logged in, which no /app/... request changes: the document lets
    any id be sent to these operations and gives them no 404 (upstream answers 404 DEVICE_NOT_FOUND)."""
    header = request.headers.get("x-device-id")
    named = unquote(header) if header is not None else request.query_params.get("device_id")
    registry = _registry()
    if named is None:
        return registry["devices"][0] if registry["devices"] else _unknown("")
    return device_registry.find(registry, named) or _unknown(named)


def _unknown(device_id: str) -> dict:
    return {"id": device_id, "state": device_registry.DISCONNECTED, "jid": ""}


# The /devices operations.


async def list_devices(facts: DocumentFacts):
    return _answer(facts, "GET /devices", [_info(device) for device in _registry()["devices"]])


async def add_device(facts: DocumentFacts, body=None):
    wanted = (body.get("device_id") if isinstance(body, dict) else None) or str(uuid.uuid4())
    try:
        now = datetime.datetime.now(datetime.UTC)
        registry = _change(lambda kept: device_registry.added(kept, wanted, now))
    except RegistryError as refused:  # too long: refused as a body too large is, before anything is kept
        return envelope.error("413", str(refused)), 413
    state.current().restore(f"{request.url.path.rstrip('/')}/{wanted}")  # what lies under it exists again
    webhook = {key: value for key, value in (body or {}).items() if key.startswith("webhook_")}
    return _answer(facts, "POST /devices", {**_info(device_registry.find(registry, wanted)), **webhook})


@_of_a_known_device
async def get_device(facts: DocumentFacts, device: dict):
    return _answer(facts, "GET /devices/{device_id}", _info(device))


@_of_a_known_device
async def remove_device(facts: DocumentFacts, device: dict):
    _change(lambda kept: device_registry.removed(kept, device["id"]))
    # The device's other operations (its webhook, its Chatwoot config) answer as the document
    # gives them, until what lies at the path is gone: then 404, as after any DELETE.
    state.current().delete(request.url.path)
    return _documented(facts, "DELETE /devices/{device_id}")


@_of_a_known_device
async def login_device(facts: DocumentFacts, device: dict):
    key = "GET /devices/{device_id}/login"
    _change(lambda kept: device_registry.connecting(kept, device["id"]))
    return _answer(
        facts, key, {"device_id": device["id"], "qr_link": _qr_link(facts), "qr_duration": _qr_duration(facts, key)}
    )


@_of_a_known_device
async def logout_device(facts: DocumentFacts, device: dict):
    _change(lambda kept: device_registry.logged_out(kept, device["id"]))
    return _documented(facts, "POST /devices/{device_id}/logout")


@_of_a_known_device
async def reconnect_device(facts: DocumentFacts, device: dict):
    return _documented(facts, "POST /devices/{device_id}/reconnect")


@_of_a_known_device
async def device_status(facts: DocumentFacts, device: dict):
    return _answer(facts, "GET /devices/{device_id}/status", _status(device))


# The /app operations, for the device X-Device-Id names.


async def app_devices(facts: DocumentFacts):
    return _answer(facts, "GET /app/devices", device_registry.listed(_registry()))


async def app_status(facts: DocumentFacts):
    device = _named_device()
    return _answer(facts, "GET /app/status", {**_status(device), "jid": device["jid"]})


async def app_login(facts: DocumentFacts):
    key = "GET /app/login"
    device = _named_device()
    _change(lambda kept: device_registry.connecting(kept, device["id"]))
    return _answer(facts, key, {"qr_duration": _qr_duration(facts, key), "qr_link": _qr_link(facts)})


async def app_logout(facts: DocumentFacts):
    device = _named_device()
    _change(lambda kept: device_registry.logged_out(kept, device["id"]))
    return _documented(facts, "GET /app/logout")
