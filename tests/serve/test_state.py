"""The shared state's sections: what one worker changes, every other sees from its next request."""

from wamock.data.paths import DEFAULT_FIXTURES, SPEC_FILE
from wamock.data.spec import load
from wamock.serve.state import SharedState


def two_workers(tmp_path):
    spec = load(SPEC_FILE)
    first = SharedState.create(fixtures_file=DEFAULT_FIXTURES, spec=spec, directory=tmp_path)
    second = SharedState(tmp_path, fixtures_file=DEFAULT_FIXTURES, spec=spec)
    return first, second


def test_a_section_changed_by_one_worker_is_seen_by_another(tmp_path):
    first, second = two_workers(tmp_path)
    second.snapshot()  # loaded before the change: it must notice it

    first.change("devices", lambda devices: [*(devices or []), "harness-dev"])

    assert second.snapshot().sections["devices"] == ["harness-dev"]


def test_a_change_sees_every_change_before_it(tmp_path):
    first, second = two_workers(tmp_path)

    first.change("sent", lambda count: (count or 0) + 1)
    second.change("sent", lambda count: (count or 0) + 1)

    assert first.snapshot().sections["sent"] == 2


def test_a_change_to_one_section_leaves_the_others(tmp_path):
    first, _ = two_workers(tmp_path)
    first.change("devices", lambda _: ["a"])

    first.change("messages", lambda _: {"x": 1})

    assert first.snapshot().sections == {"devices": ["a"], "messages": {"x": 1}}


def test_reset_clears_every_section(tmp_path):
    first, second = two_workers(tmp_path)
    first.change("devices", lambda _: ["a"])

    second.reset()

    assert first.snapshot().sections == {}


def test_a_change_that_changes_nothing_does_not_make_workers_reload(tmp_path):
    first, _ = two_workers(tmp_path)
    first.change("devices", lambda _: ["a"])
    version = first.version

    first.change("devices", lambda devices: devices)

    assert first.version == version


def test_an_integer_wider_than_64_bits_is_kept_exactly(tmp_path):
    """A write may hold any JSON integer (a free-form property of 2**70): every worker reads it
    back as that integer, not a float near it, and the next change still works."""
    first, second = two_workers(tmp_path)

    first.change("collections", lambda _: {"items": [{"wide": 2**70 + 1, "narrow": -298}]})
    first.change("collections", lambda items: {**items, "more": 2**64})

    assert second.snapshot().sections["collections"] == {"items": [{"wide": 2**70 + 1, "narrow": -298}], "more": 2**64}
    assert isinstance(second.snapshot().sections["collections"]["more"], int)
