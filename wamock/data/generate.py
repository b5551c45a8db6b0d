"""A deterministic generator of realistic data sets: the same count and seed give the same bytes.

Every data set starts with the chat of the spec's 200 example, the most recent of all, so the
documentation page's curl answers with the page's own example whatever the size.
"""

import random
from datetime import datetime, timedelta

import orjson

from wamock.data.timestamps import format_utc, parse

FIRST_NAMES = [
    "Adi",
    "Ayu",
    "Budi",
    "Citra",
    "Dewi",
    "Eko",
    "Fitri",
    "Gita",
    "Hana",
    "Indra",
    "Joko",
    "Kartika",
    "Lina",
    "Maya",
    "Nanda",
    "Oscar",
    "Putri",
    "Rizky",
    "Sari",
    "Tono",
    "Wulan",
    "Yusuf",
    "Zahra",
    "Alice",
    "Bob",
    "Carlos",
    "Chloé",
    "Dmitri",
    "Emma",
    "Fatima",
    "Hiro",
    "Ingrid",
    "José",
    "Lukas",
    "Mei",
    "Noah",
    "Olga",
    "Priya",
    "Søren",
    "Yuki",
    "Zoë",
]
LAST_NAMES = [
    "Pratama",
    "Santoso",
    "Wijaya",
    "Hidayat",
    "Saputra",
    "Kusuma",
    "Nugroho",
    "Lestari",
    "Smith",
    "García",
    "Müller",
    "Rossi",
    "Tanaka",
    "Kowalski",
    "Nguyen",
    "O'Brien",
    "Okafor",
    "Silva",
]
GROUP_NAMES = [
    "Family",
    "Arisan RT 05",
    "Team Alpha",
    "Project Falcon",
    "Book Club 📚",
    "Futsal Kamis ⚽",
    "Alumni SMA 3",
    "Weekend Hikers",
    "Kantor Jakarta",
    "Parents of 4B",
    "Crypto talk",
    "家族",
]
CHANNEL_NAMES = ["Daily News", "Tech Updates", "Promo Deals", "Cooking Tips", "Travel Deals", "Berita Kita"]
EPHEMERAL_SECONDS = [0, 86400, 604800, 7776000]
EPHEMERAL_WEIGHTS = [85, 5, 7, 3]
MEDIA_SHARE = 1 / 3
ARCHIVED_SHARE = 0.12
HISTORY = timedelta(days=365)


def generate_chats(count: int, seed: int, *, newest: dict) -> list[dict]:
    """`count` chats; `newest` (a ChatInfo) comes first and is the most recent."""
    if count < 1:
        raise ValueError("count must be at least 1")
    rng = random.Random(seed)
    anchor = parse(newest["last_message_time"])
    chats = [{**newest, "archived": False, "has_media": False}]
    jids = {newest["jid"]}
    if count >= 3:
        chats.append(_chat(rng, "status@broadcast", "Status", anchor))
        jids.add("status@broadcast")
    while len(chats) < count:
        jid, name = _identity(rng)
        if jid not in jids:
            jids.add(jid)
            chats.append(_chat(rng, jid, name, anchor))
    # A generator of its own, so that archiving changes no other field of a seed's chats.
    archiving = random.Random(f"archived {seed}")
    for chat in chats[1:]:
        has_media = chat.pop("has_media")  # kept last, as a fixture record's private field
        chat["archived"] = archiving.random() < ARCHIVED_SHARE
        chat["has_media"] = has_media
    return chats


def generate_devices(count: int, seed: int, *, newest: dict, devices: int) -> dict:
    """`devices` devices (`device-1`, ...) of `count` chats each, as a fixture file holds them."""
    return {
        "devices": {
            f"device-{number}": generate_chats(count, seed + number - 1, newest=newest)
            for number in range(1, devices + 1)
        }
    }


def dumps(data: list[dict] | dict) -> bytes:
    """One chat a line, so that a fixture file reads and diffs well."""
    if isinstance(data, dict):
        devices = [orjson.dumps(device) + b": " + dumps(chats).rstrip() for device, chats in data["devices"].items()]
        return b'{"devices": {\n' + b",\n".join(devices) + b"\n}}\n"
    return b"[\n" + b",\n".join(orjson.dumps(chat) for chat in data) + b"\n]\n"


def _identity(rng: random.Random) -> tuple[str, str]:
    kind = rng.random()
    if kind < 0.70:
        digits = f"62{rng.randrange(10**9, 10**12)}"
        return f"{digits}@s.whatsapp.net", f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
    if kind < 0.80:
        # Groups made before 2022 carry their creator's number and a creation time.
        return f"62{rng.randrange(10**9, 10**11)}-{rng.randrange(1_400_000_000, 1_650_000_000)}@g.us", rng.choice(
            GROUP_NAMES
        )
    if kind < 0.92:
        return f"120363{rng.randrange(10**11, 10**12)}@g.us", rng.choice(GROUP_NAMES)
    return f"120363{rng.randrange(10**11, 10**12)}@newsletter", rng.choice(CHANNEL_NAMES)


def _chat(rng: random.Random, jid: str, name: str, anchor: datetime) -> dict:
    # Strictly older than the anchor, so the documented chat stays the most recent.
    last_message = anchor - timedelta(seconds=rng.randrange(1, int(HISTORY.total_seconds())))
    created = last_message - timedelta(seconds=rng.randrange(0, 2 * int(HISTORY.total_seconds())))
    updated = last_message + timedelta(seconds=rng.choice([0, 0, rng.randrange(0, 6 * 3600)]))
    return {
        "jid": jid,
        "name": name,
        "last_message_time": format_utc(last_message),
        "ephemeral_expiration": rng.choices(EPHEMERAL_SECONDS, EPHEMERAL_WEIGHTS)[0],
        "created_at": format_utc(created),
        "updated_at": format_utc(updated),
        "has_media": rng.random() < MEDIA_SHARE,
    }
