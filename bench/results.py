"""bench/RESULTS.md: what `python -m bench` measured, one section a part, each with its date,
machine, commit and command. A part run again replaces its own section and leaves the others."""

import contextlib
import datetime
import io
import os
import platform
import re
import subprocess
import sys
from pathlib import Path

RESULTS_FILE = Path(__file__).resolve().parent / "RESULTS.md"
HEADER = """# Benchmark results

Written by `python -m bench` (see `bench/__main__.py` for what each part does); each part
replaces its own section when it runs again. Every figure comes from the run its section names.
"""
SECTION = re.compile(r"<!-- part: (?P<name>[\w-]+) -->\n.*?<!-- end: (?P=name) -->\n", re.S)


def machine() -> str:
    return (
        f"{platform.machine()}, {os.cpu_count()} cores, {platform.python_implementation()} "
        f"{platform.python_version()}, {platform.system()} {platform.release()}"
    )


def commit() -> str:
    try:
        described = subprocess.run(
            ["git", "describe", "--always", "--dirty"],
            cwd=RESULTS_FILE.parent,
            capture_output=True,
            text=True,
            check=True,
        )
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return described.stdout.strip()


class Tee(io.TextIOBase):
    """Standard output that is also kept: a part's tables are printed as they come, and recorded."""

    def __init__(self, stream) -> None:
        self.stream, self.kept = stream, io.StringIO()

    def write(self, text: str) -> int:
        self.kept.write(text)
        return self.stream.write(text)

    def flush(self) -> None:
        self.stream.flush()


@contextlib.contextmanager
def recorded(name: str, command: str):
    """Run a part with its output kept; then its section in RESULTS_FILE is written anew."""
    tee = Tee(sys.stdout)
    with contextlib.redirect_stdout(tee):
        yield
    tables = [line for line in tee.kept.getvalue().splitlines() if not line.startswith("  ")]  # progress lines
    now = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
    body = "\n".join(tables).strip()
    section = (
        f"<!-- part: {name} -->\n## {name}\n\n"
        f"Run {now}, commit {commit()}, {machine()}: `{command}`\n\n{body}\n<!-- end: {name} -->\n"
    )
    write_section(name, section)


def write_section(name: str, section: str) -> None:
    text = RESULTS_FILE.read_text(encoding="utf-8") if RESULTS_FILE.exists() else HEADER
    sections = {match["name"]: match.group(0) for match in SECTION.finditer(text)}
    sections[name] = section
    first = SECTION.search(text)
    head = text[: first.start()] if first else text
    RESULTS_FILE.write_text(head.rstrip("\n") + "\n\n" + "\n".join(sections.values()), encoding="utf-8")
