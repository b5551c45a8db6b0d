"""The control API's part for GOWA's devices: what a phone would do to a device's session."""

from wamock.data import device_registry
from wamock.serve import devices, envelope, state
from wamock.words import counted


def get_devices() -> tuple[dict, int]:
    mock = state.current()
    if not devices.applies(mock.spec):
        return envelope.error("404", "the document served has no devices (no GET /devices)"), 404
    listed = [device_registry.info(device) for device in devices.current(mock)["devices"]]
    return envelope.results(counted(len(listed), "device"), {"devices": listed}), 200


def set_device_session(device_id: str, body: dict) -> tuple[dict, int]:
    mock = state.current()
    if not devices.applies(mock.spec) or device_registry.find(devices.current(mock), device_id) is None:
        return envelope.error("404", f"no device {device_id}"), 404
    how = device_registry.logged_in if body["logged_in"] else device_registry.logged_out
    registry = devices.change(mock, lambda kept: how(kept, device_id))
    return envelope.results("device session", device_registry.info(device_registry.find(registry, device_id))), 200
