"""JSON as bytes, fast, for any value JSON holds.

orjson is fast, but holds integers to 64 bits: it refuses to write a larger one (and reads one
back as a float). A write to a document's collection may hold one (a free-form property of
2**70), and the mock must answer it and keep it as it came; such a value is written by the
standard library instead. orjson refuses text that is not valid UTF-8 too: a lone surrogate
(JSON's "\ud952", which a write may hold) is written in an ASCII escape.
"""

import json

import orjson


def dumps(value) -> bytes:
    try:
        return orjson.dumps(value)
    except TypeError:
        return json.dumps(value, separators=(",", ":")).encode()
