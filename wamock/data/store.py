"""The chat store: one place for the data semantics of GET /chats.

It orders the chats once (last_message_time descending, jid ascending) and encodes each
chat's JSON once, back to back in one buffer (`chat,chat,...`) with the offset where each
starts; the `has_media` subset gets a buffer of its own. A page of contiguous chats is then
one slice of a buffer: it costs time in proportion to `limit`, not to the size or the offset,
and a million chats take one allocation, not a million.

The other filters (`archived`, and `has_media` with it) keep the positions of their chats,
computed once on first use; `search` scans one buffer of every name in lower case with
`bytes.find` (C speed) and keeps its latest answers. A filtered page is `limit` slices.

Building a store takes no Python statement per chat, only C-level passes over all of them, so
that a million chats load in seconds (see `ChatStore.__init__` and wamock.data.parallel_load).
"""

import re
from array import array
from bisect import bisect_left, bisect_right
from collections import OrderedDict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from itertools import accumulate, compress, repeat
from operator import add, is_, itemgetter

import orjson

from wamock.data.collections import PageRequest
from wamock.data.timestamps import epoch

NAME_SEPARATOR = b"\x00"
SEARCHES_KEPT = 64
INVERT = bytes.maketrans(b"\x00\x01", b"\x01\x00")
ONE_MORE = (1).__add__
# UTC date-times of one length and layout (as upstream and wamock's generator write them), one a line.
CANONICAL_TIMES = re.compile(r"(?:\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\n)*", re.ASCII)
INVERTED_DIGITS = str.maketrans("0123456789", "9876543210")
FEW_LOOKUPS = 8  # jids looked for one scan each; more, in one pass over every chat's jid
JID_KEYS = re.compile(rb'"jid":("(?:[^"\\]|\\.)*")')  # a "jid" key and its JSON string


@dataclass(frozen=True, slots=True)
class Filters:
    """What GET /chats filters by: all three combine with AND."""

    has_media: bool = False  # True: only chats with media; False: no filter
    archived: bool | None = None  # None: no filter
    search: str = ""  # name contains it, any letter case; empty: no filter

    @classmethod
    def of(cls, request: PageRequest) -> "Filters":
        """The filters a page request applies, read by the chat field each filters: the store
        indexes these three. The one translation of a request into the store's terms."""
        values = request.by_field()
        return cls(
            has_media=bool(values.get("has_media", False)),
            archived=values.get("archived"),
            search=values.get("name") or "",
        )


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

    def __init__(
        self, blob, starts: array, patches: dict[int, bytes] | None = None, *, separator: bytes = b","
    ) -> None:
        self.blob = blob  # bytes, or a memoryview of a compiled store file
        # starts[i] is where chat i begins; starts[n] is one past the end (as if a comma followed).
        self.starts = starts
        # Chats changed since the blob was encoded (archived), by index: served instead of the
        # blob's bytes, so that changing one chat costs one chat, not the whole blob again.
        self.patches = patches or {}
        self._patched = sorted(self.patches)
        self.separator = separator

    @classmethod
    def joined(cls, items: list[bytes], order: Sequence[int], *, separator: bytes = b",") -> "EncodedChats":
        """`items` in `order`, each followed by a one-byte separator but the last."""
        sizes = array("q", map(len, items))
        starts = array("q", accumulate(map(ONE_MORE, map(sizes.__getitem__, order)), initial=0))
        return cls(separator.join(map(items.__getitem__, order)), starts, separator=separator)

    def __len__(self) -> int:
        return len(self.starts) - 1

    def slice(self, offset: int, limit: int) -> bytes:
        count = len(self)
        first, last = min(offset, count), min(offset + limit, count)
        if first >= last:
            return b""
        patched = self._patched[bisect_left(self._patched, first) : bisect_left(self._patched, last)]
        if not patched:
            return self.blob[self.starts[first] : self.starts[last] - 1]
        pieces, cursor = [], first
        for index in patched:  # the blob's runs between the patched chats, and each patch
            if cursor < index:
                pieces.append(self.blob[self.starts[cursor] : self.starts[index] - 1])
            pieces.append(self.patches[index])
            cursor = index + 1
        if cursor < last:
            pieces.append(self.blob[self.starts[cursor] : self.starts[last] - 1])
        return b",".join(pieces)

    def chat(self, index: int) -> bytes:
        patched = self.patches.get(index)
        return self.blob[self.starts[index] : self.starts[index + 1] - 1] if patched is None else patched

    def patched(self, changes: dict[int, bytes]) -> "EncodedChats":
        """The same chats, those at the indexes of `changes` replaced."""
        if not changes:
            return self
        return EncodedChats(self.blob, self.starts, {**self.patches, **changes}, separator=self.separator)


class Ordering:
    """How a store puts records in serving order and indexes their names: here, by default.
    A loader may have them computed elsewhere (wamock.data.parallel_load)."""

    def order(self, records: list[dict]) -> Sequence[int]:
        return serving_order(records)

    def names(self, records: list[dict], order: Sequence[int]) -> "EncodedChats":
        return name_index(records, order)


ORDERING_HERE = Ordering()


class ChatStore:
    def __init__(self, records: Iterable[dict], *, owned: bool = False, ordering: Ordering = ORDERING_HERE) -> None:
        """`owned`: the records are the store's to change (freshly loaded), which saves a copy of each.
        `ordering` is asked for the order and the names once the store's own passes are done.

        Every step is one C-level pass (`map`, `sorted`, `join`): a Python statement per chat
        would cost seconds for a million. Each field is read in the records' own order, where
        they lie in memory one after another; only the finished parts are put in serving order.
        """
        records = records if owned else list(map(dict, records))
        # has_media is the mock's own field (what the filter reads): taken out, no response shows it.
        has_media = flags(map(dict.pop, records, repeat("has_media"), repeat(None)))
        archived = flags(map(dict.get, records, repeat("archived")))
        # Copies of exactly the right size: orjson's own results keep larger allocations alive.
        chats = list(map(bytes, map(memoryview, map(orjson.dumps, records))))
        order = ordering.order(records)
        with_media = list(compress(order, map(has_media.__getitem__, order)))
        self._set(
            bytes(map(has_media.__getitem__, order)),
            EncodedChats.joined(chats, order),
            EncodedChats.joined(chats, with_media),
            bytes(map(archived.__getitem__, order)),
            ordering.names(records, order),
        )

    def _set(
        self,
        has_media: bytes,
        all_chats: EncodedChats,
        with_media: EncodedChats,
        archived: bytes,
        names: EncodedChats,
        front: tuple[int, ...] = (),
    ) -> None:
        self._has_media = has_media
        self._all = all_chats
        self._with_media = with_media
        self._archived = archived
        self._names = names  # every name in lower case, NUL-separated, and where each starts
        # Chats moved to the top by a new last message (their positions in the encoded order),
        # newest first: served before all others, and skipped where they were (see `visible_runs`).
        self._front = front
        self._hidden = sorted(front)
        self._hidden_media = sorted(has_media.count(1, 0, index) for index in front if has_media[index])
        self._subsets: dict[tuple, array] = {}
        self._searches: OrderedDict[tuple, array] = OrderedDict()

    @classmethod
    def from_parts(
        cls, has_media, all_chats: EncodedChats, with_media: EncodedChats, archived, names, front: tuple[int, ...] = ()
    ) -> "ChatStore":
        store = cls.__new__(cls)
        store._set(has_media, all_chats, with_media, archived, names, front)
        return store

    def parts(self) -> tuple:
        if self._all.patches:  # encoded whole again, as a compiled file holds a store: rare
            return ChatStore(self.records(), owned=True).parts()
        return self._has_media, self._all, self._with_media, self._archived, self._names

    def positions(self, jids: Iterable[str]) -> dict[str, int]:
        """`position` of each of `jids` the store holds: a scan each for a few, and for many (a
        worker applying every send since the data was set) one pass over every chat's jid."""
        wanted = set(jids)
        if len(wanted) <= FEW_LOOKUPS:
            return {jid: index for jid in wanted if (index := self.position(jid)) is not None}
        found: dict[str, int] = {}
        for match in JID_KEYS.finditer(self._all.blob):
            jid = orjson.loads(match.group(1))
            if jid in wanted and jid not in found:
                index = bisect_right(self._all.starts, match.start()) - 1
                if orjson.loads(self._all.chat(index)).get("jid") == jid:  # a key of the chat itself
                    found[jid] = index
        return found

    def position(self, jid: str) -> int | None:
        """Where the chat of `jid` stands in the encoded order (chats moved to the top are still
        counted where they were), None if there is none: one scan of the encoded chats at C speed
        (30 to 90 ms at a million), no index to build or keep."""
        needle = b'"jid":' + orjson.dumps(jid)
        for at in occurrences(self._all.blob, needle):
            index = bisect_right(self._all.starts, at) - 1
            if orjson.loads(self._all.chat(index)).get("jid") == jid:  # a key of the chat itself
                return index
        return None

    def with_archived(self, changes: dict[str, bool]) -> "ChatStore":
        """This store with the chats of `changes` (by jid) archived or not; jids it does not hold
        are left out. The chats are patched, not encoded again: a change costs a chat and a scan."""
        archived = bytearray(self._archived)
        chats, with_media = {}, {}
        for jid, value in changes.items():
            index = self.position(jid)
            if index is None:
                continue
            chat = orjson.dumps({**orjson.loads(self._all.chat(index)), "archived": value})
            chats[index] = chat
            archived[index] = value is True
            if self._has_media[index]:
                with_media[self._has_media.count(1, 0, index)] = chat
        return ChatStore.from_parts(
            self._has_media,
            self._all.patched(chats),
            self._with_media.patched(with_media),
            bytes(archived),
            self._names,
            self._front,
        )

    def with_last_message(self, changes: dict[str, str]) -> "ChatStore":
        """This store with the chats of `changes` (by jid) given that last message time (a send's,
        the newest of all) and moved to the top, the latest first; jids it does not hold are left
        out. Each chat is patched and put in front, not encoded again nor its neighbours moved: a
        change costs a chat and a scan, and a page then costs as many steps more as chats were moved."""
        front, chats, with_media = list(self._front), {}, {}
        found = self.positions(changes)
        for jid, moment in sorted(changes.items(), key=lambda change: (epoch(change[1]), change[0])):
            index = found.get(jid)
            if index is None:
                continue
            chat = orjson.dumps(
                {**orjson.loads(self._all.chat(index)), "last_message_time": moment, "updated_at": moment}
            )
            chats[index] = chat
            if self._has_media[index]:
                with_media[self._has_media.count(1, 0, index)] = chat
            front = [index, *(other for other in front if other != index)]
        return ChatStore.from_parts(
            self._has_media,
            self._all.patched(chats),
            self._with_media.patched(with_media),
            self._archived,
            self._names,
            tuple(front),
        )

    def chat(self, jid: str) -> dict | None:
        """The chat of `jid` as served, None if there is none."""
        index = self.position(jid)
        return (
            None
            if index is None
            else {**orjson.loads(self._all.chat(index)), "has_media": bool(self._has_media[index])}
        )

    def __len__(self) -> int:
        return len(self._all)

    def encoded_page(self, *, limit: int, offset: int, filters: Filters = Filters()) -> EncodedPage:
        if filters.archived is None and not filters.search:
            if filters.has_media:
                chats, hidden = self._with_media, self._hidden_media
                front = [index for index in self._front if self._has_media[index]]
            else:
                chats, hidden, front = self._all, self._hidden, self._front
            head = front[offset : offset + limit]
            pieces = list(map(self._all.chat, head))
            for start, end in visible_runs(max(offset - len(front), 0), limit - len(head), hidden, len(chats)):
                pieces.append(chats.slice(start, end - start))
            return EncodedPage(chats=b",".join(pieces), limit=limit, offset=offset, total=len(chats))
        positions = self._positions(filters)
        front = [index for index in self._front if holds(positions, index)]
        head = front[offset : offset + limit]
        pieces = list(map(self._all.chat, head))
        hidden = sorted(bisect_left(positions, index) for index in front)  # where they are in `positions`
        for start, end in visible_runs(max(offset - len(front), 0), limit - len(head), hidden, len(positions)):
            pieces.extend(map(self._all.chat, positions[start:end]))
        return EncodedPage(chats=b",".join(pieces), limit=limit, offset=offset, total=len(positions))

    def page(self, *, limit: int, offset: int, filters: Filters = Filters()) -> Page:
        """The page, each chat as a dict."""
        page = self.encoded_page(limit=limit, offset=offset, filters=filters)
        return Page(data=orjson.loads(b"[" + page.chats + b"]"), limit=limit, offset=offset, total=page.total)

    def records(self) -> list[dict]:
        """Every chat as a fixture record (has_media included), in serving order."""
        chats = orjson.loads(b"[" + self.encoded_page(limit=len(self), offset=0).chats + b"]")
        hidden = set(self._front)
        order = (
            [*self._front, *(index for index in range(len(self)) if index not in hidden)]
            if hidden
            else range(len(self))
        )
        return [{**chat, "has_media": bool(self._has_media[index])} for chat, index in zip(chats, order, strict=True)]

    def _positions(self, filters: Filters) -> array:
        """Where the chats that pass the filters stand in serving order."""
        mask = self._mask(filters.has_media, filters.archived)
        if not filters.search:
            key = (filters.has_media, filters.archived)
            if key not in self._subsets:
                self._subsets[key] = array("q", compress(range(len(self)), mask))
            return self._subsets[key]
        key = (filters.has_media, filters.archived, filters.search)
        found = self._searches.get(key)
        if found is None:
            named = self._named(lowered(filters.search))
            found = named if mask is None else array("q", [i for i in named if mask[i]])
            self._searches[key] = found
            if len(self._searches) > SEARCHES_KEPT:
                self._searches.popitem(last=False)
        else:
            self._searches.move_to_end(key)
        return found

    def _mask(self, has_media: bool, archived: bool | None) -> bytes | None:
        """One byte a chat, 1 where it passes both flags; None where neither filters."""
        masks = [self._has_media] if has_media else []
        if archived is not None:
            masks.append(self._archived if archived else self._archived.translate(INVERT))
        if not masks:
            return None
        combined = masks[0]
        for other in masks[1:]:  # a bytewise AND, as one big-integer operation
            combined = (int.from_bytes(combined, "big") & int.from_bytes(other, "big")).to_bytes(len(self), "big")
        return combined

    def _named(self, needle: bytes) -> array:
        """Positions of the chats whose lower-case name contains `needle`, in order."""
        found = array("q")
        names, starts, position = self._names.blob, self._names.starts, 0
        while (hit := names.find(needle, position)) >= 0:
            index = bisect_right(starts, hit) - 1
            if hit + len(needle) < starts[index + 1]:  # within the name, not across a separator
                found.append(index)
                position = starts[index + 1]  # the next name: each chat once
            else:
                position = hit + 1
        return found


def occurrences(blob, needle: bytes) -> Iterator[int]:
    """Where `needle` starts in `blob`: bytes.find on bytes, the fastest; a regular expression on a
    memoryview of a compiled file, which has no find."""
    if isinstance(blob, bytes):
        at = blob.find(needle)
        while at >= 0:
            yield at
            at = blob.find(needle, at + 1)
    else:
        yield from (found.start() for found in re.finditer(re.escape(needle), blob))


def visible_runs(first: int, count: int, hidden: Sequence[int], size: int) -> list[tuple[int, int]]:
    """The ranges [start, end) of positions 0 to `size` that hold `count` positions from the
    `first`-th on, counting only those not `hidden` (sorted): a page of a sequence some of whose
    items were moved elsewhere. Costs a step per hidden position, none per position shown."""
    position, skipped = first, 0
    while skipped < len(hidden) and hidden[skipped] <= position:  # the `first`-th visible position
        position += 1
        skipped += 1
    runs = []
    while count > 0 and position < size:
        stop = min(hidden[skipped] if skipped < len(hidden) else size, position + count)
        if stop > position:
            runs.append((position, stop))
            count -= stop - position
        position = stop
        if skipped < len(hidden) and position == hidden[skipped]:
            position += 1
            skipped += 1
    return runs


def holds(positions: Sequence[int], index: int) -> bool:
    """Whether sorted `positions` hold `index`."""
    at = bisect_left(positions, index)
    return at < len(positions) and positions[at] == index


def flags(values: Iterable) -> bytes:
    """One byte a value: 1 where it is True, else 0."""
    return bytes(map(is_, values, repeat(True)))


def serving_order(records: list[dict]) -> list[int]:
    """The records' positions, most recent last_message_time first; the jid breaks ties."""
    jids = list(map(itemgetter("jid"), records))
    times = list(map(itemgetter("last_message_time"), records))
    lines = "".join(map(add, times, repeat("\n")))
    if records and CANONICAL_TIMES.fullmatch(lines):
        # With its digits inverted such a time sorts newest first as text; the jid after it breaks ties.
        keys = list(map(add, lines.translate(INVERTED_DIGITS).split("\n"), jids))
        return sorted(range(len(records)), key=keys.__getitem__)
    epochs = list(map(epoch, times))
    order = sorted(range(len(records)), key=jids.__getitem__)
    order.sort(key=epochs.__getitem__, reverse=True)  # stable: equal times stay in jid order
    return order


def name_index(records: list[dict], order: Sequence[int]) -> EncodedChats:
    """Every name in lower case, in serving order, as search scans them."""
    names = list(map(str.encode, map(str.lower, map(dict.get, records, repeat("name"), repeat("")))))
    return EncodedChats.joined(names, order, separator=NAME_SEPARATOR)


def lowered(name: str) -> bytes:
    """A name as search compares it: lower case, UTF-8 (a UTF-8 needle matches only at whole letters)."""
    return name.lower().encode()


def order_key(chat: dict) -> tuple[float, str]:
    """Most recent first; the jid breaks ties so that pages are stable."""
    return (-epoch(chat["last_message_time"]), chat["jid"])
