"""Fixture files: a JSON list of chats, each a ChatInfo of the spec plus `has_media`, or the
chats of several devices, `{"devices": {"ID": [chats], ...}}` (see `wamock.data.devices`).
A `GET /chats` answer is taken back as it came (the envelope, or its `results`): its chats
are the list. `has_media`, which no answer shows, is false where a chat lacks it.

Loading validates every record against the spec's ChatInfo schema (with jsonschema-rs, so
that a million records load in seconds) and rejects duplicate JIDs. Errors name the file,
the record (counted from 0, as in a JSON Pointer) and the field.
"""

import os
import stat
from pathlib import Path

import jsonschema_rs
import orjson

from wamock.data import collections
from wamock.data.devices import UNNAMED

MAX_FILE_BYTES = 1024**3


class FixtureError(Exception):
    """A fixture file or a posted list of chats that cannot be served."""


def fixture_schema(spec: dict) -> dict:
    return {
        "type": "array",
        "items": {
            "allOf": [collections.chat_schema(spec)],
            "type": "object",
            "properties": {"has_media": {"type": "boolean"}},
        },
    }


def load_chats(path: Path, spec: dict) -> list[dict]:
    """The chats of a fixture file that holds one device's (a plain list)."""
    data = load_data(path, spec)
    if UNNAMED not in data:
        raise FixtureError(f"{path}: holds several devices; expected a JSON list of chats")
    return data[UNNAMED]


def load_data(path: Path, spec: dict) -> dict[str, list[dict]]:
    """A fixture file's chats by device: a plain list is one unnamed device."""
    return validate_data(parse(read(path), source=str(path)), spec, source=str(path))


def read(path: Path) -> bytes:
    """A fixture file's bytes; FixtureError names what keeps it from being read."""
    path = Path(path)
    try:
        raw = read_regular_file(path)
    except FileNotFoundError:
        raise FixtureError(f"{path}: no such fixture file") from None
    except OSError as exc:
        raise FixtureError(f"{path}: cannot read the fixture file: {exc.strerror}") from None
    if not raw or raw.isspace():  # not raw.strip(), which would copy a large file
        raise FixtureError(f"{path}: empty file; expected a JSON list of chats")
    return raw


def parse(raw: bytes, *, source: str) -> object:
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise FixtureError(f"{source}: not valid JSON: {exc}") from None


def validate_data(data: object, spec: dict, *, source: str) -> dict[str, list[dict]]:
    """Checked chats by device, from a list (one unnamed device) or {"devices": {ID: [chats]}}."""
    data = unwrapped(data)
    if isinstance(data, list):
        return {UNNAMED: validate_chats(data, spec, source=source)}
    devices = data.get("devices") if isinstance(data, dict) else None
    if not isinstance(devices, dict) or not devices:
        raise FixtureError(
            f'{source}: expected a JSON list of chats, or {{"devices": {{"ID": [chats], ...}}}}, got {_shape(data)}'
        )
    for device in devices:
        if not device:
            raise FixtureError(f"{source}: devices: a device id must not be empty")
    return {
        device: validate_chats(chats, spec, source=f"{source}: devices.{device}") for device, chats in devices.items()
    }


def unwrapped(data: object) -> object:
    """The chats of a `GET /chats` answer, whole (`{"code", "message", "results"}`) or its `results`; else `data`."""
    if isinstance(data, dict) and isinstance(data.get("results"), dict):
        data = data["results"]
    if isinstance(data, dict) and isinstance(data.get("data"), list) and "devices" not in data:
        return data["data"]
    return data


def _shape(data: object) -> str:
    if isinstance(data, dict):
        return "a JSON object without a non-empty devices object"
    return f"a JSON {_json_type(data)}"


def read_regular_file(path: Path) -> bytes:
    """The bytes of a regular file of at most MAX_FILE_BYTES: never a device, a FIFO or a socket.

    Opened without blocking, so that a FIFO with no writer cannot hang the start.
    """
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise FixtureError(f"{path}: not a regular file; expected a JSON list of chats")
        if info.st_size > MAX_FILE_BYTES:
            raise FixtureError(f"{path}: {info.st_size} bytes; fixture files may have at most {MAX_FILE_BYTES} (1 GiB)")
        with os.fdopen(fd, "rb", closefd=False) as file:
            return file.read(MAX_FILE_BYTES + 1)
    finally:
        os.close(fd)


def validate_chats(data: object, spec: dict, *, source: str) -> list[dict]:
    if not isinstance(data, list):
        raise FixtureError(f"{source}: expected a JSON list of chats, got a JSON {_json_type(data)}")
    validator = jsonschema_rs.Draft4Validator(fixture_schema(spec), validate_formats=True)
    # is_valid is twice as fast as collecting errors; the errors are looked for only if there are some.
    if not validator.is_valid(data):
        for error in validator.iter_errors(data):
            raise FixtureError(f"{source}: {_describe(error)}")
    jids = [record["jid"] for record in data]
    if len(set(jids)) != len(jids):
        seen: dict[str, int] = {}
        for index, jid in enumerate(jids):
            first = seen.setdefault(jid, index)
            if first != index:
                raise FixtureError(f"{source}: record {index}: jid: {jid!r} repeats record {first}")
    for record in data:
        record.setdefault("has_media", False)
    return data


def _describe(error: jsonschema_rs.ValidationError) -> str:
    path = [str(part) for part in error.instance_path]
    where = f"record {path[0]}: " if path else ""
    kind = type(error.kind).__name__
    if kind == "Required":
        path.append(str(error.kind.property))
        message = "missing"
    elif kind == "Format" and error.kind.format == "date-time":
        message = "not an RFC 3339 date-time"
    elif kind == "Type":
        types = error.kind.types
        message = "must be a JSON " + (" or ".join(map(str, types)) if isinstance(types, list) else str(types))
    else:
        message = error.message
    field = ".".join(path[1:])
    return f"{where}{field}: {message}" if field else f"{where}{message}"


def _json_type(value: object) -> str:
    return {dict: "object", str: "string", bool: "boolean", int: "number", float: "number"}.get(type(value), "null")
