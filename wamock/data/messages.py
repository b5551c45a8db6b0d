"""A chat's messages and a group's participants, generated from the chat alone: the same chat
gives the same messages, in any process, on any run, without being stored.

They agree with the chat list: the newest message's time is the chat's `last_message_time`,
the oldest is no older than its `created_at`; a chat with media has media messages, a chat
without has none. A chat's history is made when it is first read (a few milliseconds for the
longest, ~1250 messages) and the latest few are kept, so that the number of chats costs
nothing at start-up.

A message's media `url` is a path (`/statics/media/sample.jpg`): whoever answers puts the
request's own origin before it (`with_origin`).
"""

import functools
import hashlib
import random
from datetime import timedelta

from wamock.data.generate import FIRST_NAMES, LAST_NAMES
from wamock.data.timestamps import format_utc, parse

MAX_MESSAGES = 1250
HISTORIES_KEPT = 64  # chats whose generated history is kept in memory, the latest read
MEDIA_SHARE = 0.3  # of a media chat's messages
FROM_ME_SHARE = 0.4
# The account the mock is logged in as: the sender of every message "from me".
OWN_JID = "6281200000000@s.whatsapp.net"
OWN_NAME = "6281200000000"  # upstream's label for the account without a display name: its JID's user part
MEDIA_ROOT = "/statics/media/sample."
# media_type, the sample file's extension, a file name's pattern, a typical size in bytes
MEDIA_KINDS = (
    ("image", "jpg", "IMG-{day}-WA{n:04d}.jpg", 180_000),
    ("image", "png", "Screenshot_{day}-{n:04d}.png", 420_000),
    ("sticker", "webp", "sticker-{n:04d}.webp", 24_000),
    ("video", "mp4", "VID-{day}-WA{n:04d}.mp4", 4_800_000),
    ("audio", "ogg", "PTT-{day}-WA{n:04d}.ogg", 38_000),
    ("document", "pdf", "document-{n:04d}.pdf", 260_000),
)
TEXTS = (
    "Hello, how are you?",
    "Selamat pagi!",
    "See you tomorrow 👋",
    "Sudah sampai?",
    "Thanks a lot 🙏",
    "Can you call me back?",
    "Oke, nanti saya kabari",
    "Meeting moved to 3 pm",
    "Happy birthday! 🎉",
    "Lagi di jalan",
    "Did you see the news?",
    "Jangan lupa bawa payung ☔",
    "On my way",
    "Terima kasih banyak",
    "Let's have lunch on Friday",
    "Where are the documents?",
    "Mantap 👍",
    "Good night",
    "I'll send the photos later",
    "Sampai jumpa",
)
CAPTIONS = ("", "", "Look at this", "Foto kemarin", "Here it is")
REACTIONS = ("👍", "❤️", "😂", "🙏", "😮")


def is_group(jid: str) -> bool:
    return jid.endswith("@g.us")


def message_id(seed: str, *, from_me: bool) -> str:
    """An id as WhatsApp makes them: the account's own are 22 characters (`3EB0…`), others' 32
    (upstream tells the two apart by that length)."""
    digest = hashlib.blake2b(seed.encode(), digest_size=16).hexdigest().upper()
    return "3EB0" + digest[:18] if from_me else digest


@functools.lru_cache(maxsize=HISTORIES_KEPT)
def participants(group_jid: str) -> tuple[tuple[str, str], ...]:
    """A group's members other than the account, as (jid, name), the first its creator."""
    rng = random.Random(f"participants {group_jid}")
    count = rng.randint(2, 24)
    members = {}
    while len(members) < count:
        jid = f"62{rng.randrange(10**9, 10**12)}@s.whatsapp.net"
        members[jid] = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
    return tuple(members.items())


def history(chat: dict) -> tuple[dict, ...]:
    """The chat's generated messages, newest first (timestamp descending, then id)."""
    return _history(
        chat["jid"], chat.get("name") or "", chat["last_message_time"], chat["created_at"], bool(chat.get("has_media"))
    )


@functools.lru_cache(maxsize=HISTORIES_KEPT)
def _history(jid: str, name: str, newest: str, created: str, has_media: bool) -> tuple[dict, ...]:
    rng = random.Random(f"messages {jid}")
    count = 1 + int((MAX_MESSAGES - 1) * rng.random() ** 2)  # most chats short, a few long
    last = parse(newest)
    span = max(int((last - parse(created)).total_seconds()), 0) if created else 0
    times = [last, *sorted((last - timedelta(seconds=rng.randint(0, span)) for _ in range(count - 1)), reverse=True)]
    with_media = set()
    if has_media:
        with_media = {index for index in range(count) if rng.random() < MEDIA_SHARE} or {rng.randrange(count)}
    senders = participants(jid) if is_group(jid) or jid == "status@broadcast" else ((jid, name),)
    messages = []
    for index, moment in enumerate(times):
        from_me = rng.random() < FROM_ME_SHARE and not jid.endswith("@newsletter")
        sender, sender_name = (OWN_JID, OWN_NAME) if from_me else rng.choice(senders)
        timestamp = format_utc(moment)
        message = {
            "id": message_id(f"{jid} {index}", from_me=from_me),
            "chat_jid": jid,
            "sender_jid": sender,
            "sender_display_name": sender_name,
            "content": rng.choice(TEXTS),
            "timestamp": timestamp,
            "is_from_me": from_me,
            "media_type": None,
            "reactions": [],
            "filename": None,
            "url": None,
            "file_length": None,
            "created_at": timestamp,
            "updated_at": timestamp,
        }
        if index in with_media:
            message.update(media(rng.randrange(len(MEDIA_KINDS)), moment.strftime("%Y%m%d"), index, rng))
        if rng.random() < 0.05:
            reactor, reactor_name = rng.choice(senders)
            message["reactions"] = [reaction(rng.choice(REACTIONS), reactor, reactor_name, False, timestamp)]
        messages.append(message)
    messages.sort(key=lambda message: (-parse(message["timestamp"]).timestamp(), message["id"]))
    return tuple(messages)


def media(kind: int, day: str, number: int, rng: random.Random) -> dict:
    """The fields of a media message of MEDIA_KINDS[kind]."""
    media_type, extension, filename, size = MEDIA_KINDS[kind]
    return {
        "media_type": media_type,
        "content": rng.choice(CAPTIONS),
        "filename": filename.format(day=day, n=number),
        "url": MEDIA_ROOT + extension,
        "file_length": size + rng.randrange(size // 2),
    }


def media_kind(media_type: str, filename: str = "") -> int:
    """The MEDIA_KINDS entry for a media type (and a file name's extension, where it tells more)."""
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    kinds = [index for index, kind in enumerate(MEDIA_KINDS) if kind[0] == media_type]
    return next((index for index in kinds if MEDIA_KINDS[index][1] == extension), kinds[0] if kinds else 0)


def reaction(emoji: str, sender: str, name: str, from_me: bool, timestamp: str) -> dict:
    return {
        "emoji": emoji,
        "sender_jid": sender,
        "sender_display_name": name,
        "is_from_me": from_me,
        "timestamp": timestamp,
    }


def with_origin(message: dict, origin: str) -> dict:
    """The message as answered to a request from `origin` (`scheme://host[:port]`): its media URL absolute."""
    url = message.get("url")
    return {**message, "url": origin + url} if isinstance(url, str) and url.startswith("/") else message
