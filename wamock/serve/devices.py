"""The device registry of the running mock: read from the session's "devices" section (every
worker sees a change from its next request), or, before any change, made from the data set and
the document's example device (`wamock.data.device_registry`)."""

from collections.abc import Callable

from wamock.data import device_registry
from wamock.data.facts import DocumentFacts
from wamock.serve.state import SharedState, Snapshot

SECTION = "devices"
DEVICE_LIST = "GET /devices"  # the operation whose example says what a device is


def applies(facts: DocumentFacts) -> bool:
    """Whether the document manages devices as GOWA's does: it lists them with GET /devices."""
    return isinstance(example_device(facts), dict)


def example_device(facts: DocumentFacts) -> dict | None:
    answer = facts.answers.get(DEVICE_LIST, {}).get(200)
    results = answer.body.get("results") if answer is not None and isinstance(answer.body, dict) else None
    return results[0] if isinstance(results, list) and results and isinstance(results[0], dict) else None


def registry(facts: DocumentFacts, snapshot: Snapshot) -> dict:
    kept = snapshot.sections.get(SECTION)
    if kept is not None:
        return kept
    example = example_device(facts) or {}
    ids = list(snapshot.devices.stores) if snapshot.devices.named else [example.get("id") or "device"]
    # The same epoch in every worker for one data set; a reset serves the data set again, and a new epoch.
    return device_registry.initial(ids, example, epoch=f"data-{snapshot.data_generation}")


def change(mock: SharedState, facts: DocumentFacts, how: Callable[[dict], dict]) -> dict:
    """The registry changed by `how`, for every worker; RegistryError (nothing changed) if it refuses."""
    before = registry(facts, mock.snapshot())  # read outside the state's lock, which `change` holds
    return mock.change(SECTION, lambda kept: how(kept if kept is not None else before))
