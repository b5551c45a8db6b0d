"""The formats OpenAPI defines for integers, which JSON Schema's format checkers do not know:
`int32` holds signed 32 bits, `int64` signed 64 (OpenAPI 3.0 and 3.1, "Data Types"). A request
is judged by them as by any other format the mock asserts."""

from functools import lru_cache

from jsonschema import FormatChecker

BITS = {"int32": 32, "int64": 64}


def _fits(bits: int):
    def check(value) -> bool:
        # Only integers have a width; a value of another type is the `type` keyword's to judge.
        if isinstance(value, bool) or not isinstance(value, int):
            return True
        return -(2 ** (bits - 1)) <= value < 2 ** (bits - 1)

    return check


@lru_cache(maxsize=8)
def with_integer_formats(base: FormatChecker) -> FormatChecker:
    """`base` (a draft's FORMAT_CHECKER), asserting OpenAPI's integer formats too."""
    checker = FormatChecker(formats=())
    checker.checkers = dict(base.checkers)
    for name, bits in BITS.items():
        checker.checks(name)(_fits(bits))
    return checker
