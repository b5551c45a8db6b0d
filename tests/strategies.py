"""Hypothesis strategies for wamock's data: chats, data sets and page requests."""

from datetime import UTC, datetime, timedelta

from hypothesis import strategies as st

from wamock.data.store import Filters

EPOCH = datetime(2023, 1, 1, tzinfo=UTC)
JID_SUFFIXES = ["s.whatsapp.net", "g.us", "newsletter"]
OFFSETS = ("Z", "+00:00", "+07:00", "-03:30")


@st.composite
def timestamps(draw, *, within_seconds: int = 3600, offsets: tuple[str, ...] = OFFSETS) -> str:
    # A narrow window makes equal last_message_times, and so the jid tie-break, common.
    moment = EPOCH + timedelta(seconds=draw(st.integers(0, within_seconds)))
    offset = draw(st.sampled_from(offsets))
    if offset != "Z":
        hours, minutes = int(offset[1:3]), int(offset[4:6])
        delta = timedelta(hours=hours, minutes=minutes) * (1 if offset[0] == "+" else -1)
        return (moment + delta).replace(tzinfo=None).isoformat() + offset
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


@st.composite
def chats(draw, *, jid: str | None = None, offsets: tuple[str, ...] = OFFSETS) -> dict:
    if jid is None:
        jid = f"{draw(st.integers(1, 10**12))}@{draw(st.sampled_from(JID_SUFFIXES))}"
    return {
        "jid": jid,
        "name": draw(st.text(alphabet=st.sampled_from("aAbBcéÉ 😀"), max_size=12) | st.text(max_size=20)),
        "last_message_time": draw(timestamps(offsets=offsets)),
        "ephemeral_expiration": draw(st.sampled_from([0, 86400, 604800, 7776000])),
        "created_at": draw(timestamps()),
        "updated_at": draw(timestamps()),
        "has_media": draw(st.booleans()),
        **({"archived": draw(st.booleans())} if draw(st.booleans()) else {}),  # upstream's field, when present
    }


@st.composite
def data_sets(draw, *, max_size: int = 60) -> list[dict]:
    """Chats with distinct JIDs. Half the data sets have only UTC times of one layout, which the
    store orders as text; the others mix offsets, which it orders by the moment."""
    ids = draw(st.lists(st.integers(1, 10**9), unique=True, max_size=max_size))
    offsets = draw(st.sampled_from([OFFSETS, ("Z",)]))
    return [draw(chats(jid=f"{i}@s.whatsapp.net", offsets=offsets)) for i in ids]


@st.composite
def filters(draw) -> Filters:
    # Short searches of few letters, in any case, so that some match and some do not.
    search = draw(st.one_of(st.just(""), st.text(alphabet="aAbBéÉ ", min_size=1, max_size=2)))
    return Filters(has_media=draw(st.booleans()), archived=draw(st.sampled_from([None, True, False])), search=search)


@st.composite
def page_requests(draw, *, max_offset: int = 80) -> dict:
    return {
        "limit": draw(st.integers(1, 100)),
        "offset": draw(st.integers(0, max_offset)),
        "filters": draw(filters()),
    }
