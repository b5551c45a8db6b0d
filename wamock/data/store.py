"""The chat store: one place for the data semantics of GET /chats.

It orders the chats once (last_message_time descending, jid ascending) and encodes each
chat's JSON once, back to back in one buffer (`chat,chat,...`) with the offset where each
starts; the `has_media` subset gets a buffer of its own. A page of contiguous chats is then
one slice of a buffer: it costs time in proportion to `limit`, not to the size or the offset,
and a million chats take one allocation, not a million.
"""

from array import array
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import accumulate, compress
from operator import itemgetter

import orjson

from wamock.data.timestamps import epoch

PRIVATE_FIELDS = frozenset({"has_media"})


@dataclass(frozen=True, slots=True)
class Page:
    data: list
    limit: int
    offset: int
    total: int


@dataclass(frozen=True, slots=True)
class EncodedPage:
    chats: bytes  # the page's chats as JSON, comma-separated, without brackets
    limit: int
    offset: int
    total: int


class EncodedChats:
    """Chats encoded back to back, `a,b,c`, and where each one starts."""

    def __init__(self, blob, starts: array) -> None:
        self.blob = blob  # bytes, or a memoryview of a compiled store file
        # starts[i] is where chat i begins; starts[n] is one past the end (as if a comma followed).
        self.starts = starts

    @classmethod
    def encode(cls, encoded: list[bytes]) -> "EncodedChats":
        return cls(b",".join(encoded), array("q", accumulate((len(chat) + 1 for chat in encoded), initial=0)))

    def __len__(self) -> int:
        return len(self.starts) - 1

    def slice(self, offset: int, limit: int) -> bytes:
        count = len(self)
        first, last = min(offset, count), min(offset + limit, count)
        return self.blob[self.starts[first] : self.starts[last] - 1] if first < last else b""


class ChatStore:
    def __init__(self, records: Iterable[dict], *, owned: bool = False) -> None:
        """`owned`: the records are the store's to change (freshly loaded), which saves a copy of each."""
        # Newest first, then jid: a stable sort by jid, then by time, newest first.
        ordered = sorted(records, key=itemgetter("jid"))
        ordered.sort(key=epoch_of_last_message, reverse=True)
        if owned:
            flags = bytes([record.pop("has_media") is True for record in ordered])
            public = ordered
        else:
            flags = bytes([record["has_media"] is True for record in ordered])
            public = [public_chat(record) for record in ordered]
        # A copy of exactly the right size: orjson's own result keeps a larger allocation alive.
        encoded = [bytes(memoryview(orjson.dumps(chat))) for chat in public]
        self._set(flags, EncodedChats.encode(encoded), EncodedChats.encode(list(compress(encoded, flags))))

    def _set(self, has_media: bytes, all_chats: EncodedChats, with_media: EncodedChats) -> None:
        self._has_media = has_media
        self._all = all_chats
        self._with_media = with_media

    @classmethod
    def from_parts(cls, has_media, all_chats: EncodedChats, with_media: EncodedChats) -> "ChatStore":
        store = cls.__new__(cls)
        store._set(has_media, all_chats, with_media)
        return store

    def parts(self) -> tuple:
        return self._has_media, self._all, self._with_media

    def __len__(self) -> int:
        return len(self._all)

    def encoded_page(self, *, limit: int, offset: int, has_media: bool) -> EncodedPage:
        chats = self._with_media if has_media else self._all
        return EncodedPage(chats=chats.slice(offset, limit), limit=limit, offset=offset, total=len(chats))

    def page(self, *, limit: int, offset: int, has_media: bool) -> Page:
        """The page, each chat as a dict."""
        page = self.encoded_page(limit=limit, offset=offset, has_media=has_media)
        return Page(data=orjson.loads(b"[" + page.chats + b"]"), limit=limit, offset=offset, total=page.total)

    def records(self) -> list[dict]:
        """Every chat as a fixture record (has_media included), in serving order."""
        chats = orjson.loads(b"[" + self._all.blob + b"]")
        return [{**chat, "has_media": bool(flag)} for chat, flag in zip(chats, self._has_media, strict=True)]


def epoch_of_last_message(chat: dict) -> float:
    return epoch(chat["last_message_time"])


def order_key(chat: dict) -> tuple[float, str]:
    """Most recent first; the jid breaks ties so that pages are stable."""
    return (-epoch_of_last_message(chat), chat["jid"])


def public_chat(record: dict) -> dict:
    """A fixture record as a response shows it: everything but the fields only the mock uses."""
    chat = dict(record)
    for name in PRIVATE_FIELDS & chat.keys():
        del chat[name]
    return chat
