"""The chat store: one place for the data semantics of GET /chats.

It orders the chats once (last_message_time descending, jid ascending), keeps the
`has_media` subset as a list of its own, and serves a page as a slice of one of the two
lists, so that a page costs time in proportion to `limit`, not to the size or the offset.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

PRIVATE_FIELDS = frozenset({"has_media"})


@dataclass(frozen=True, slots=True)
class Page:
    data: list[dict]
    limit: int
    offset: int
    total: int


class ChatStore:
    def __init__(self, records: Iterable[dict]) -> None:
        ordered = sorted(records, key=order_key)
        self._all = [public_chat(record) for record in ordered]
        self._with_media = [chat for chat, record in zip(self._all, ordered, strict=True) if record["has_media"]]

    def __len__(self) -> int:
        return len(self._all)

    def page(self, *, limit: int, offset: int, has_media: bool) -> Page:
        chats = self._with_media if has_media else self._all
        return Page(data=chats[offset : offset + limit], limit=limit, offset=offset, total=len(chats))


def order_key(chat: dict) -> tuple[float, str]:
    """Most recent first; the jid breaks ties so that pages are stable."""
    return (-datetime.fromisoformat(chat["last_message_time"]).timestamp(), chat["jid"])


def public_chat(record: dict) -> dict:
    """A fixture record as a response shows it: everything but the fields only the mock uses."""
    return {key: value for key, value in record.items() if key not in PRIVATE_FIELDS}
