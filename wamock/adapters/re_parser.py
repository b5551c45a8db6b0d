"""Python's regular expression parser (`re._parser`, Python 3.11 to 3.13): one string a schema's
`pattern` finds, for an answer built from a schema that has no example.

The standard library writes no string for a pattern; its parser reads one into a tree of
(opcode, argument) pairs, which `matching` walks, taking the shortest way through: each
repeat its least count, each alternation its first branch, each character class its first
member. The result is checked with `re.search` (JSON Schema's `pattern` is unanchored), so a
pattern the walk gets wrong (a lookahead, a negated class) gives None, never a wrong string.
tests/adapters/test_re_parser.py pins the tree shapes read here.
"""

import re
from re import _constants as constants  # the parser's opcodes: no public name
from re import _parser as parser

CATEGORIES = {
    constants.CATEGORY_DIGIT: "0",
    constants.CATEGORY_NOT_DIGIT: "a",
    constants.CATEGORY_SPACE: " ",
    constants.CATEGORY_NOT_SPACE: "a",
    constants.CATEGORY_WORD: "a",
    constants.CATEGORY_NOT_WORD: "-",
}


class Unwritable(Exception):
    """A part of the pattern the walk does not write (a conditional group)."""


def matching(pattern: str) -> str | None:
    """A short string `pattern` finds, or None where the walk writes none."""
    try:
        tree = parser.parse(pattern)
        text = _written(tree, {})
        return text if re.search(pattern, text) else None
    except (re.error, Unwritable, RecursionError, ValueError, OverflowError):
        return None


def _written(items, groups: dict) -> str:
    return "".join(_one(op, argument, groups) for op, argument in items)


def _one(op, argument, groups: dict) -> str:
    if op is constants.LITERAL:
        return chr(argument)
    if op is constants.NOT_LITERAL:
        return "a" if argument != ord("a") else "b"
    if op is constants.ANY:
        return "a"
    if op is constants.IN:
        return _member(argument)
    if op is constants.BRANCH:
        return _written(argument[1][0], groups)
    if op is constants.SUBPATTERN:
        group, _add_flags, _del_flags, items = argument
        text = _written(items, groups)
        groups[group] = text
        return text
    if op is constants.ATOMIC_GROUP:
        return _written(argument, groups)
    if op in (constants.MAX_REPEAT, constants.MIN_REPEAT, getattr(constants, "POSSESSIVE_REPEAT", None)):
        least, _most, items = argument
        return _written(items, groups) * least
    if op is constants.GROUPREF:
        return groups.get(argument, "")
    if op in (constants.AT, constants.ASSERT, constants.ASSERT_NOT):
        return ""  # anchors and lookarounds write nothing; re.search judges the result
    raise Unwritable(op)


def _member(members) -> str:
    if members and members[0][0] is constants.NEGATE:
        return "a" if not any(op is constants.LITERAL and value == ord("a") for op, value in members) else "-"
    for op, value in members:
        if op is constants.LITERAL:
            return chr(value)
        if op is constants.RANGE:
            return chr(value[0])
        if op is constants.CATEGORY and value in CATEGORIES:
            return CATEGORIES[value]
    raise Unwritable(constants.IN)
