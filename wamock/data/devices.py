"""The chats of each WhatsApp device: what `X-Device-Id` (or `device_id`) selects.

A fixture file is either a JSON list of chats (one device, which any device id is taken to
mean: a mock cannot know the ids a client was set up with) or `{"devices": {"<id>": [chats],
...}}`, each named device with its own chats; then an unknown id is 404 `DEVICE_NOT_FOUND`
and, with several devices, a request that names none is 400 `DEVICE_ID_REQUIRED` (upstream's
words).
"""

from dataclasses import dataclass

from wamock.data.store import ChatStore

UNNAMED = ""  # the one device of a plain list
NO_CHATS = ChatStore([])  # a device added through the API (GOWA's POST /devices) starts with none


class DeviceRequired(LookupError):
    """Several devices, and the request names none."""


class UnknownDevice(LookupError):
    """The request names a device that is not known."""


@dataclass(frozen=True)
class Devices:
    stores: dict[str, ChatStore]

    @classmethod
    def single(cls, store: ChatStore) -> "Devices":
        return cls({UNNAMED: store})

    @classmethod
    def from_data(cls, data: dict[str, list[dict]]) -> "Devices":
        """From checked fixture data (`wamock.data.fixtures.validate_data`)."""
        return cls({device: ChatStore(chats, owned=True) for device, chats in data.items()})

    def store(self, device: str) -> ChatStore:
        """The chats of `device`: none where the data names no such device (one added through
        the API: GOWA's `my-device-id`, removed and added again, had no store, and every handler
        indexing the stores failed)."""
        return self.stores.get(device, NO_CHATS)

    @property
    def named(self) -> bool:
        return UNNAMED not in self.stores

    @property
    def only(self) -> ChatStore | None:
        """The store of the only device, if there is one only."""
        return next(iter(self.stores.values())) if len(self.stores) == 1 else None

    def key_for(self, device_id: str | None) -> str:
        """The device a request means; DeviceRequired or UnknownDevice if there is none."""
        if not self.named or (device_id is None and self.only is not None):
            return next(iter(self.stores))
        if device_id is None:
            raise DeviceRequired()
        if device_id not in self.stores:
            raise UnknownDevice(device_id)
        return device_id

    def data(self) -> list[dict] | dict:
        """As a fixture file holds it: a list for one unnamed device, else {"devices": {...}}."""
        if not self.named:
            return self.stores[UNNAMED].records()
        return {"devices": {device: store.records() for device, store in self.stores.items()}}

    def __len__(self) -> int:
        return sum(len(store) for store in self.stores.values())
