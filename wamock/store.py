"""The chat store: one place for the data semantics of GET /chats.

It orders the chats once (last_message_time descending, jid ascending), encodes each chat's
JSON once, and keeps the `has_media` subset as a list of its own. A page is a slice of one of
the two lists, so it costs time in proportion to `limit`, not to the size or the offset, and
serving it costs no JSON encoding at all.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

import orjson

PRIVATE_FIELDS = frozenset({"has_media"})


@dataclass(frozen=True, slots=True)
class Page:
    data: list
    limit: int
    offset: int
    total: int


class ChatStore:
    def __init__(self, records: Iterable[dict]) -> None:
        ordered = sorted(records, key=order_key)
        self._all = [orjson.dumps(public_chat(record)) for record in ordered]
        self._has_media = bytes(bool(record["has_media"]) for record in ordered)
        self._with_media = [chat for chat, flag in zip(self._all, self._has_media, strict=True) if flag]

    def __len__(self) -> int:
        return len(self._all)

    def encoded_page(self, *, limit: int, offset: int, has_media: bool) -> Page:
        """The page, each chat as its JSON bytes."""
        chats = self._with_media if has_media else self._all
        return Page(data=chats[offset : offset + limit], limit=limit, offset=offset, total=len(chats))

    def page(self, *, limit: int, offset: int, has_media: bool) -> Page:
        """The page, each chat as a dict."""
        page = self.encoded_page(limit=limit, offset=offset, has_media=has_media)
        return Page(data=[orjson.loads(chat) for chat in page.data], limit=limit, offset=offset, total=page.total)

    def records(self) -> list[dict]:
        """Every chat as a fixture record (has_media included), in serving order."""
        return [
            {**orjson.loads(chat), "has_media": bool(flag)}
            for chat, flag in zip(self._all, self._has_media, strict=True)
        ]


def order_key(chat: dict) -> tuple[float, str]:
    """Most recent first; the jid breaks ties so that pages are stable."""
    return (-datetime.fromisoformat(chat["last_message_time"]).timestamp(), chat["jid"])


def public_chat(record: dict) -> dict:
    """A fixture record as a response shows it: everything but the fields only the mock uses."""
    return {key: value for key, value in record.items() if key not in PRIVATE_FIELDS}
