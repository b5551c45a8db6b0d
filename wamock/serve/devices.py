"""The device registry of the running mock: read from the session's "devices" section (every
worker sees a change from its next request), or, before any change, made from the data set and
the document's example device (`wamock.data.device_registry`)."""

from collections.abc import Callable

from wamock.data import device_registry
from wamock.data.examples import operation_answers
from wamock.data.spec import resolved
from wamock.serve.state import SharedState, Snapshot

SECTION = "devices"
DEVICE_LIST_PATH = "/devices"  # GET lists the devices; its example says what a device is
_EXAMPLES: dict[int, tuple[dict, dict | None]] = {}  # id(spec) -> (spec, its example device)


def example_device(spec: dict) -> dict | None:
    """The first device of GET /devices's documented 200 answer; None if the document has none."""
    kept = _EXAMPLES.get(id(spec))
    if kept is None or kept[0] is not spec:  # an id is reused only once its object is gone
        path_item = resolved(spec, (spec.get("paths") or {}).get(DEVICE_LIST_PATH))
        listing = path_item.get("get") if isinstance(path_item, dict) else None
        answer = operation_answers(spec, listing).get(200) if isinstance(listing, dict) else None
        body = answer.body if answer is not None else None
        results = body.get("results") if isinstance(body, dict) else None
        example = results[0] if isinstance(results, list) and results and isinstance(results[0], dict) else None
        kept = _EXAMPLES[id(spec)] = (spec, example)
    return kept[1]


def applies(spec: dict) -> bool:
    """Whether the document manages devices as GOWA's does: it lists them with GET /devices."""
    return example_device(spec) is not None


def registry(spec: dict, snapshot: Snapshot) -> dict:
    kept = snapshot.sections.get(SECTION)
    if kept is not None:
        return kept
    example = example_device(spec) or {}
    ids = list(snapshot.devices.stores) if snapshot.devices.named else [example.get("id") or "device"]
    # The same epoch in every worker for one data set; a reset serves the data set again, and a new epoch.
    return device_registry.initial(ids, example, epoch=f"data-{snapshot.data_generation}")


def current(mock: SharedState) -> dict:
    return registry(mock.spec, mock.snapshot())


def change(mock: SharedState, how: Callable[[dict], dict]) -> dict:
    """The registry changed by `how`, for every worker; RegistryError (nothing changed) if it refuses."""
    before = current(mock)  # read outside the state's lock, which `change` holds
    return mock.change(SECTION, lambda kept: how(kept if kept is not None else before))
