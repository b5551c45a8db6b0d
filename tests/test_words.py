from wamock.words import counted


def test_one_is_singular_and_every_other_count_plural():
    assert [counted(n, "chat") for n in (0, 1, 2)] == ["0 chats", "1 chat", "2 chats"]


def test_an_irregular_plural_is_given():
    assert counted(1, "distinct failure") == "1 distinct failure"
    assert counted(3, "way") == "3 ways"
    assert counted(2, "property", "properties") == "2 properties"


def test_large_counts_are_grouped_by_thousands():
    assert counted(1_000_000, "request") == "1,000,000 requests"
