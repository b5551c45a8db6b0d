"""`wamock check --spec books.yaml`: the rules every collection keeps, asked of wamock serving
it, of an implementation that shares no code with wamock, and of each broken one, which must
fail its own rule and no other of them."""

import pytest

from tests.check.library.test_books import BOOKS, books_server
from tests.conftest import start_wamock, stop
from tests.documents import run_wamock
from wamock.check.collection_rules import RULES

# Each defect of tests/check/library/books_server.py, and the rule that must report it.
CAUGHT_BY = {
    "page-repeated": "pages_are_disjoint_and_cover",
    "filter-ignored": "filtered_items_match",
    "write-lost": "writes_stick",
    "delete-kept": "writes_stick",
}


def check(url: str, seed: int = 1):
    return run_wamock("check", url, "--spec", str(BOOKS), "--seed", str(seed), "--max-examples", "10", timeout=300)


def failed_rules(output: str) -> set[str]:
    return {line.split()[1].rstrip(":") for line in output.splitlines() if line.startswith("FAILED ")}


@pytest.mark.parametrize("defect", list(CAUGHT_BY))
def test_each_broken_implementation_fails_its_rule(defect):
    with books_server(defect) as url:
        result = check(url)

    assert result.returncode == 1, result.stdout[-3000:]
    assert CAUGHT_BY[defect] in failed_rules(result.stdout), result.stdout[-3000:]
    assert "Operation: GET /books" in result.stdout
    others = failed_rules(result.stdout) & set(RULES) - {CAUGHT_BY[defect]}
    assert not others, result.stdout[-3000:]


def test_the_correct_implementations_keep_every_rule_and_the_rules_ran():
    with books_server() as url:
        independent = check(url)
    server = start_wamock("--spec", str(BOOKS))
    try:
        mock = check(server.base_url)
    finally:
        stop(server)

    for result in (independent, mock):
        assert result.returncode == 0, result.stdout[-3000:]
        assert f"probes GET /books: {len(RULES)} properties" in result.stdout, result.stdout[-3000:]
