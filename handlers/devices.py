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
from wamock.serve.routes import documented_statuses
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


def _named_device(facts: DocumentFacts, key: str) -> tuple[dict | None, tuple[dict, int] | None]:
    """The device an /app/... request means (X-Device-Id, else `device_id`, else the only one);
    else upstream's refusal: 400 DEVICE_ID_REQUIRED, or DEVICE_NOT_FOUND, with 404 where the
    operation documents it, else 400 (the status it documents for a request it cannot serve)."""
    header = request.headers.get("x-device-id")
    named = unquote(header) if header is not None else request.query_params.get("device_id")
    registry = _registry()
    if named is None:
        if len(registry["devices"]) == 1:
            return registry["devices"][0], None
        return None, (envelope.device_required(), 400)
    device = device_registry.find(registry, named)
    if device is None:
        status = 404 if "404" in documented_statuses(facts.spec, key) else 400
        return None, (envelope.device_not_found(facts.texts.device_not_found, named), status)
    return device, None


# The /devices operations.


async def list_devices(facts: DocumentFacts):
    return _answer(facts, "GET /devices", [_info(device) for device in _registry()["devices"]])


async def add_device(facts: DocumentFacts, body=None):
    wanted = body.get("device_id") if isinstance(body, dict) else None
    try:
        now = datetime.datetime.now(datetime.UTC)
        registry = _change(lambda kept: device_registry.added(kept, wanted or None, now))
    except RegistryError as refused:
        documented = facts.answers["POST /devices"].get(400)
        return envelope.shaped_error(documented.body if documented else None, 400, str(refused)), 400
    device = registry["devices"][-1]
    webhook = {key: value for key, value in (body or {}).items() if key.startswith("webhook_")}
    return _answer(facts, "POST /devices", {**_info(device), **webhook})


async def get_device(facts: DocumentFacts, device_id: str):
    device = device_registry.find(_registry(), device_id)
    if device is None:
        return _not_found(facts, device_id)
    return _answer(facts, "GET /devices/{device_id}", _info(device))


async def remove_device(facts: DocumentFacts, device_id: str):
    if device_registry.find(_registry(), device_id) is None:
        return _not_found(facts, device_id)
    _change(lambda kept: device_registry.removed(kept, device_id))
    return _documented(facts, "DELETE /devices/{device_id}")


async def login_device(facts: DocumentFacts, device_id: str):
    key = "GET /devices/{device_id}/login"
    if device_registry.find(_registry(), device_id) is None:
        return _not_found(facts, device_id)
    _change(lambda kept: device_registry.connecting(kept, device_id))
    return _answer(
        facts, key, {"device_id": device_id, "qr_link": _qr_link(facts), "qr_duration": _qr_duration(facts, key)}
    )


async def logout_device(facts: DocumentFacts, device_id: str):
    if device_registry.find(_registry(), device_id) is None:
        return _not_found(facts, device_id)
    _change(lambda kept: device_registry.logged_out(kept, device_id))
    return _documented(facts, "POST /devices/{device_id}/logout")


async def reconnect_device(facts: DocumentFacts, device_id: str):
    if device_registry.find(_registry(), device_id) is None:
        return _not_found(facts, device_id)
    return _documented(facts, "POST /devices/{device_id}/reconnect")


async def device_status(facts: DocumentFacts, device_id: str):
    device = device_registry.find(_registry(), device_id)
    if device is None:
        return _not_found(facts, device_id)
    return _answer(facts, "GET /devices/{device_id}/status", _status(device))


# The /app operations, for the device X-Device-Id names.


async def app_devices(facts: DocumentFacts):
    return _answer(facts, "GET /app/devices", device_registry.listed(_registry()))


async def app_status(facts: DocumentFacts):
    device, refused = _named_device(facts, "GET /app/status")
    if refused:
        return refused
    return _answer(facts, "GET /app/status", {**_status(device), "jid": device["jid"]})


async def app_login(facts: DocumentFacts):
    key = "GET /app/login"
    device, refused = _named_device(facts, key)
    if refused:
        return refused
    _change(lambda kept: device_registry.connecting(kept, device["id"]))
    return _answer(facts, key, {"qr_duration": _qr_duration(facts, key), "qr_link": _qr_link(facts)})


async def app_logout(facts: DocumentFacts):
    device, refused = _named_device(facts, "GET /app/logout")
    if refused:
        return refused
    _change(lambda kept: device_registry.logged_out(kept, device["id"]))
    return _documented(facts, "GET /app/logout")
