"""Data for any document's collections: generated from the item schemas, kept in a file, changed by writes.

`generate` makes `count` items per collection, the same for the same seed: values by format
(email, uuid, date-time, uri...) and by field name (name, title, city, phone...), within the
schema's enums and bounds, ids 1, 2, 3... (or uuids, or `pet-1`) that the item paths answer.
A fixture file holds them as `{"collections": {"GET /pets": [items]}}`, editable, and is
checked against the item schemas when read back.

What writes change is kept apart from the data (`Changes`): the items created, replaced or
removed, by id, oldest first, at most MAX_CHANGES per collection, in the session section
`collections` that every worker reads (`SharedState.change`); a reset clears it.
"""

import os
import random
import stat
import unicodedata
import uuid
from collections import OrderedDict
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path

import orjson
from jsonschema import Draft4Validator, FormatChecker

from wamock.data import dialect, examples, plain_requests
from wamock.data.collections import Collection, item_schema
from wamock.data.fixtures import MAX_FILE_BYTES, read_regular_file
from wamock.data.generate import FIRST_NAMES, LAST_NAMES
from wamock.data.inference import plain, properties
from wamock.data.operations import operations
from wamock.data.spec import SpecError, inlined, resolved

SECTION = "collections"  # the session section that keeps the writes
MAX_CHANGES = 1000  # items changed per collection, the latest kept
DEFAULT_COUNT = 30
MAX_DEPTH = 6
EPOCH = datetime(2024, 6, 1, 12, 0, tzinfo=UTC)

WORDS = [
    "amber",
    "birch",
    "cedar",
    "delta",
    "ember",
    "fjord",
    "grove",
    "harbor",
    "island",
    "juniper",
    "kestrel",
    "lumen",
    "maple",
    "north",
    "orbit",
    "prairie",
    "quartz",
    "river",
    "summit",
    "tundra",
    "umber",
    "valley",
    "willow",
    "zephyr",
]
CITIES = ["Jakarta", "Lisbon", "Osaka", "Nairobi", "Lima", "Oslo", "Austin", "Hanoi", "Porto", "Cairo"]
COUNTRIES = ["ID", "PT", "JP", "KE", "PE", "NO", "US", "VN", "BR", "EG"]


class DataError(SpecError):
    """A collections fixture file that cannot be served; its message names the file, record and field."""


def key_of(value) -> str:
    """How ids are compared: a path's `7` names the item whose id is 7 or "7"."""
    return value if isinstance(value, str) else orjson.dumps(value).decode()


# Generated data.


def generate(spec: dict, collections: Mapping[str, Collection], count: int = DEFAULT_COUNT, seed: int = 0) -> dict:
    """`count` items for each collection, by its list's key: the same count and seed give the same items.

    The first item has the id the document's item path shows (its parameter's example), so that
    the request the documentation gives finds an item."""
    data = {}
    for key, found in collections.items():
        schema = item_schema(spec, found)
        items = [new_item(spec, found, index, seed, schema) for index in range(count)]
        documented = documented_id(spec, found)
        taken = {key_of(item.get(found.identity)) for item in items}
        if items and documented is not None and key_of(documented) not in taken:
            items[0][found.identity] = documented
        data[key] = items
    return data


LAST_READ: list = [None, None]  # the document last read, and its operations


def operations_of(spec: dict) -> dict:
    """`operations(spec)`, read once for the document being served (each collection asks for it)."""
    if LAST_READ[0] is not spec:
        LAST_READ[:] = [spec, operations(spec)]
    return LAST_READ[1]


def documented_id(spec: dict, collection: Collection):
    """The id the document's item path shows, in the type of the item's id; None where it shows none that fits."""
    every = operations_of(spec)
    keys = [f"{method} {collection.item}" for method in ("GET", "PUT", "PATCH", "DELETE")]
    operation = next((every[key] for key in keys if key in every), None)
    if operation is None:
        return None
    name = collection.item.rsplit("{", 1)[1].rstrip("}")
    parameter = operation.parameter(name, "path")
    value = plain_requests.sample(spec, operation, parameter) if parameter is not None else plain_requests.MISSING
    schema = properties(spec, item_schema(spec, collection)).get(collection.identity)
    if value is plain_requests.MISSING or not isinstance(schema, dict):
        return None
    value = str(value) if schema.get("type") == "string" else value
    return value if meets(spec, value, schema) else None


def new_item(spec: dict, collection: Collection, index: int, seed: int = 0, schema: dict | None = None) -> dict:
    """The item number `index` (from 0) of a collection: realistic, and the same for the same seed.
    (`schema`: the collection's item schema, where the caller has it already.)"""
    schema = schema if schema is not None else item_schema(spec, collection)
    rng = random.Random(f"{seed}:{collection.operation.path}:{index}")
    item = Maker(spec, rng, index, collection.item_noun).value(schema, "", 0)
    if not isinstance(item, dict):
        item = {}
    for filter_ in collection.filters:  # a filter that chooses among values gets items with those values
        if filter_.parameter.enum and isinstance(item.get(filter_.field), str):
            item[filter_.field] = rng.choice(filter_.parameter.enum)
    identity_schema = properties(spec, schema).get(collection.identity)
    if not isinstance(identity_schema, dict) or {"pattern", "minLength", "maxLength", "enum"} & set(identity_schema):
        identity_schema = None  # an id of a shape of its own (`^AC[0-9a-f]{32}$`): as generated
    if collection.identity and identity_schema is not None:
        item[collection.identity] = identity(identity_schema, index, collection.item_noun, rng)
    if not meets(spec, item, schema):
        built = examples.built_example(spec, schema)
        item = built if isinstance(built, dict) else item
        if identity_schema is not None:
            item[collection.identity] = identity(identity_schema, index, collection.item_noun, rng)
    return item


def meets(spec: dict, value, schema: dict) -> bool:
    """Whether `value` meets `schema`, formats included (`examples.fits` leaves them out; a
    client's validator may not: a date where a date-time is due is refused)."""
    return judges(spec, schema)(value)


JUDGES: OrderedDict = OrderedDict()  # schema (inlined, as JSON) -> its judge: made once, not per item
BY_OBJECT: OrderedDict = OrderedDict()  # (id(spec), id(schema)) -> (spec, schema, judge)
MAX_JUDGES = 512


def judges(spec: dict, schema: dict):
    # The same schema object is judged again and again (a collection's items): found by identity
    # first, the entry keeping both objects alive so that their ids stay theirs.
    held = BY_OBJECT.get((id(spec), id(schema)))
    if held is not None and held[0] is spec and held[1] is schema:
        return held[2]
    given = schema
    schema = inlined(spec, schema)
    key = (dialect.is_31(spec), orjson.dumps(schema, option=orjson.OPT_SORT_KEYS | orjson.OPT_NON_STR_KEYS))
    found = JUDGES.get(key)
    if found is None:
        fits = examples.judge(spec, schema)
        try:
            formats = Draft4Validator(schema, format_checker=FormatChecker())
        except Exception:  # a schema jsonschema cannot read: fits judges it
            formats = None

        def found(value) -> bool:
            if not fits(value):
                return False
            try:
                return formats is None or not any(e.validator == "format" for e in formats.iter_errors(value))
            except Exception:
                return True

        JUDGES[key] = found
        if len(JUDGES) > MAX_JUDGES:
            JUDGES.popitem(last=False)
    BY_OBJECT[(id(spec), id(given))] = (spec, given, found)
    if len(BY_OBJECT) > MAX_JUDGES:
        BY_OBJECT.popitem(last=False)
    return found


def identity(schema: dict, index: int, noun: str, rng: random.Random):
    if schema.get("type") in ("integer", "number"):
        return index + 1
    if schema.get("format") == "uuid":
        return str(uuid.UUID(int=rng.getrandbits(128), version=4))
    return f"{noun}-{index + 1}"


class Maker:
    """Values for one item: by schema, format and field name."""

    def __init__(self, spec: dict, rng: random.Random, index: int, noun: str) -> None:
        self.spec, self.rng, self.index, self.noun = spec, rng, index, noun
        self.person = (rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES))

    def value(self, schema, name: str, depth: int):
        schema = resolved(self.spec, schema)
        if not isinstance(schema, dict) or depth > MAX_DEPTH:
            return None
        if "allOf" in schema:
            merged = {}
            for part in schema["allOf"]:
                made = self.value(part, name, depth + 1)
                if isinstance(made, dict):
                    merged.update(made)
            rest = {key: value for key, value in schema.items() if key != "allOf"}
            own = self.value(rest, name, depth + 1) if rest.get("properties") else None
            return {**merged, **(own or {})}
        for choice in ("oneOf", "anyOf"):
            if schema.get(choice):
                return self.value(schema[choice][0], name, depth + 1)
        if schema.get("enum"):
            return self.rng.choice(schema["enum"])
        kind = examples.one_type(schema.get("type")) or (
            "object" if "properties" in schema else "array" if "items" in schema else None
        )
        if kind == "object":
            return {
                field: self.value(sub, field, depth + 1)
                for field, sub in (schema.get("properties") or {}).items()
                if not (resolved(self.spec, sub) or {}).get("writeOnly")
            }
        if kind == "array":
            low = schema.get("minItems", 0)
            high = max(low, min(schema.get("maxItems", 3), 3))
            return [self.value(schema.get("items") or {}, name, depth + 1) for _ in range(self.rng.randint(low, high))]
        if kind in ("integer", "number"):
            return self.number(schema, kind == "integer")
        if kind == "boolean":
            return self.rng.random() < 0.5
        if kind == "string":
            return self.text(schema, name)
        return examples.built_example(self.spec, schema)

    def number(self, schema: dict, integer: bool):
        low, low_open = examples.bound(schema, "minimum", "exclusiveMinimum")
        high, high_open = examples.bound(schema, "maximum", "exclusiveMaximum")
        low = 0 if low is None else low + (1 if low_open else 0)
        high = low + 1000 if high is None else high - (1 if high_open else 0)
        if high < low or schema.get("multipleOf"):
            return examples.number_value(schema, integer)
        return self.rng.randint(int(low), int(high)) if integer else round(self.rng.uniform(low, high), 2)

    def text(self, schema: dict, name: str) -> str:
        written = self.formatted(schema.get("format"), name)
        if schema.get("format") == "date-time" and written and len(written) < schema.get("minLength", 0):
            written = written.replace("Z", ".000Z")  # a document that asks for milliseconds by length
        too_short = written is not None and len(written) < schema.get("minLength", 0)
        if too_short or (written is None and isinstance(schema.get("pattern"), str)):
            return examples.plain_value("string", schema)
        if written is None:
            written = self.named(plain(name))
        low, high = schema.get("minLength", 0), schema.get("maxLength")
        written = written.ljust(low, "x")
        return written[:high] if isinstance(high, int) else written

    def formatted(self, format_: str | None, name: str) -> str | None:
        made = {
            "date-time": lambda: self.moment().strftime("%Y-%m-%dT%H:%M:%SZ"),
            "date": lambda: self.moment().strftime("%Y-%m-%d"),
            "time": lambda: self.moment().strftime("%H:%M:%SZ"),
            "email": self.email,
            "uuid": lambda: str(uuid.UUID(int=self.rng.getrandbits(128), version=4)),
            "uri": lambda: f"https://example.com/{self.noun}s/{self.index + 1}",
            "url": lambda: f"https://example.com/{self.noun}s/{self.index + 1}",
            "hostname": lambda: f"{self.rng.choice(WORDS)}.example.com",
            "ipv4": lambda: f"192.0.2.{self.index % 254 + 1}",
            "ipv6": lambda: f"2001:db8::{self.index + 1:x}",
            "byte": lambda: "d2Ftb2Nr",
        }.get(format_ or "")
        return made() if made is not None else None

    def moment(self) -> datetime:
        return EPOCH - timedelta(minutes=self.rng.randint(0, 60 * 24 * 365))

    def email(self) -> str:
        """`chloe.santoso3@example.com`: ASCII, as an `email` format checker wants it."""
        first, last = self.person
        local = unicodedata.normalize("NFKD", f"{first}.{last}{self.index}").encode("ascii", "ignore").decode()
        return f"{local.lower().replace(chr(39), '')}@example.com"

    def named(self, name: str) -> str:
        first, last = self.person
        words = f"{self.rng.choice(WORDS).title()} {self.rng.choice(WORDS)}"
        if name.endswith("email"):
            return self.email()
        if name in ("firstname", "givenname"):
            return first
        if name in ("lastname", "surname", "familyname"):
            return last
        if name in ("author", "owner", "creator", "contact", "customer", "person"):
            return f"{first} {last}"
        if name in ("username", "login", "handle", "nickname"):
            return f"{first}{self.index}".lower()
        if name.endswith("name") or name in ("title", "label", "displayname"):
            return f"{first} {last}" if name in ("name", "fullname", "displayname") else words
        if name in ("description", "summary", "bio", "text", "body", "comment", "note", "notes", "message"):
            return f"{words} {self.rng.choice(WORDS)} {self.rng.choice(WORDS)}."
        if name.endswith(("url", "uri", "link", "website", "homepage", "href")):
            return f"https://example.com/{self.noun}s/{self.index + 1}"
        if name.endswith("phone") or name in ("mobile", "phonenumber", "msisdn"):
            return f"+6281{self.rng.randint(10_000_000, 99_999_999)}"
        if name == "city":
            return self.rng.choice(CITIES)
        if name in ("country", "countrycode"):
            return self.rng.choice(COUNTRIES)
        if name.endswith(("at", "date", "time")):
            return (EPOCH - timedelta(minutes=self.rng.randint(0, 525_600))).strftime("%Y-%m-%dT%H:%M:%SZ")
        if name.endswith("id"):
            return f"{name[:-2] or self.noun}-{self.rng.randint(1, 50)}"
        return self.rng.choice(WORDS)


# Fixture files.


def dumps(data: dict) -> bytes:
    return orjson.dumps({"collections": data}, option=orjson.OPT_INDENT_2) + b"\n"


def is_collections_file(path) -> bool:
    """Whether a fixture file holds collections (`{"collections": ...}`) rather than chats."""
    try:
        if not stat.S_ISREG(os.stat(path).st_mode):
            return False  # a FIFO would block the read: the chats' loader names what it is
        with open(path, "rb") as file:
            head = file.read(256).lstrip()
    except OSError:
        return False
    return head.startswith(b"{") and head[1:].lstrip().startswith(b'"collections"')


def load(path: Path, spec: dict, collections: Mapping[str, Collection]) -> dict:
    """A collections fixture file's items by list key, each checked against its item schema;
    DataError naming the file, the collection, the record and what is wrong."""
    try:
        raw = read_regular_file(Path(path))
    except OSError as exc:
        raise DataError(f"{path}: cannot read the fixture file: {exc.strerror}") from None
    if len(raw) > MAX_FILE_BYTES:
        raise DataError(f"{path}: larger than {MAX_FILE_BYTES} bytes")
    try:
        written = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise DataError(f"{path}: not JSON: {exc}") from None
    data = written.get("collections") if isinstance(written, dict) else None
    if not isinstance(data, dict):
        raise DataError(f'{path}: expected {{"collections": {{"GET /things": [items], ...}}}}')
    for key, items in data.items():
        if key not in collections:
            raise DataError(
                f"{path}: collections.{key}: the document has no such list (it has {', '.join(collections)})"
            )
        if not isinstance(items, list):
            raise DataError(f"{path}: collections.{key}: expected a list of items")
        check_items(path, spec, key, collections[key], items)
    return {key: list(data.get(key, ())) for key in collections}


def check_items(path, spec: dict, key: str, collection: Collection, items: list) -> None:
    schema = item_schema(spec, collection)
    seen = set()
    for number, item in enumerate(items):
        where = f"{path}: collections.{key}[{number}]"
        if not meets(spec, item, schema):
            raise DataError(f"{where}: does not meet the item schema of {key}")
        if collection.identity:
            if not isinstance(item, dict) or collection.identity not in item:
                raise DataError(f"{where}: has no {collection.identity}")
            if key_of(item[collection.identity]) in seen:
                raise DataError(f"{where}: {collection.identity} {item[collection.identity]!r} is given twice")
            seen.add(key_of(item[collection.identity]))


# What writes change.


def current(items: list[dict], collection: Collection, changes: list | None) -> list[dict]:
    """The items served: the data with the changes applied, in the data's order, created ones last."""
    if not changes:
        return items
    by_key = {key_of(item.get(collection.identity)): item for item in items}
    for key, item in changes:
        if item is None:
            by_key.pop(key, None)
        else:
            by_key[key] = item
    return list(by_key.values())


def changed(changes: list | None, key: str, item: dict | None) -> list:
    """The changes with the item at `key` now `item` (None: removed); the latest MAX_CHANGES kept."""
    kept = [change for change in changes or () if change[0] != key]
    return [*kept, [key, item]][-MAX_CHANGES:]
