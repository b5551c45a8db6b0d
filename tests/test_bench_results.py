"""bench/RESULTS.md is written by the bench: a part replaces its own section, with its date, commit and machine."""

import pytest

from bench import results


@pytest.fixture
def results_file(tmp_path, monkeypatch):
    path = tmp_path / "RESULTS.md"
    monkeypatch.setattr(results, "RESULTS_FILE", path)
    return path


def test_a_part_writes_its_tables_without_its_progress_lines(results_file):
    with results.recorded("search", "python -m bench --only search"):
        print("  search: 150 chats done")
        print("| chats | req/s |\n| --- | --- |\n| 150 | 7,399 |")

    text = results_file.read_text()
    assert text.startswith(results.HEADER)
    assert "| 150 | 7,399 |" in text
    assert "150 chats done" not in text
    assert f"commit {results.commit()}, {results.machine()}: `python -m bench --only search`" in text


def test_a_part_run_again_replaces_its_own_section_only(results_file):
    for name, figure in (("search", "old"), ("startup", "kept"), ("search", "new")):
        with results.recorded(name, "python -m bench"):
            print(f"figure {figure}")

    text = results_file.read_text()
    assert [text.count(f"figure {figure}") for figure in ("old", "kept", "new")] == [0, 1, 1]
    assert text.index("## search") < text.index("## startup")
