"""Pins what wamock.adapters.re_parser reads of Python's regular expression parser: the walk writes
a string each pattern finds, and gives None where it cannot, never a string the pattern refuses."""

import re

import pytest

from wamock.adapters.re_parser import matching


@pytest.mark.parametrize(
    ("pattern", "written"),
    [
        pytest.param(r"\/images\/([a-f\d]{24})", "/images/" + "a" * 24, id="escapes-groups-classes"),
        pytest.param(r"^(?:#[0-9a-fA-F]{3}|#[0-9a-fA-F]{6})$", "#000", id="anchors-first-branch"),
        pytest.param(r"^\d{3}-\d{4}$", "000-0000", id="categories"),
        pytest.param(r"^\w+@\w+\.com$", "a@a.com", id="one-or-more"),
        pytest.param(r"(ab)\1", "abab", id="group-reference"),
        pytest.param(r"^[^0-9]+$", "a", id="negated-class"),
        pytest.param(r"^(?!x)a*?b$", "b", id="lookahead-lazy"),
        pytest.param(r"(?>ab)c", "abc", id="atomic-group"),
    ],
)
def test_a_pattern_gets_a_string_it_finds(pattern, written):
    assert matching(pattern) == written
    assert re.search(pattern, written)


@pytest.mark.parametrize(
    "pattern",
    [
        pytest.param(r"(a)?(?(1)b|c)", id="conditional-group"),
        pytest.param(r"^(?=\d)[a-z]$", id="lookahead-the-walk-breaks"),
        pytest.param(r"[", id="not-a-pattern"),
    ],
)
def test_a_pattern_the_walk_cannot_write_gets_none(pattern):
    assert matching(pattern) is None
