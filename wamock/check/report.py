"""How a checker run reads: as text for a person, as JUnit XML for a CI server."""

import shutil
import textwrap
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import TextIO

from wamock.check.runner import Finding, Outcome, Progress
from wamock.words import counted

PEER_CHECK = "agrees_with_peer"


def text(outcomes: list[Outcome], *, rerun: str, compared: str | None = None) -> str:
    """Breaches of the contract first, then (with --compare) where the two servers disagree, then the verdicts."""
    lines: list[str] = []
    for outcome in outcomes:
        for finding in sorted(breaches(outcome), key=lambda f: (f.check, f.title)):
            lines += ["", *finding_lines(finding)]
    for outcome in outcomes:
        for finding in sorted(differences(outcome), key=lambda f: f.title):
            lines += ["", *finding_lines(finding, heading=f"DIFFERS from {compared}")]
    lines.append("")
    for outcome in outcomes:
        found = breaches(outcome)
        verdict = "conforms" if not found else f"breaks the contract: {counted(len(found), 'distinct failure')}"
        lines.append(
            f"{outcome.target}: {verdict} ({counted(len(outcome.checks), 'check')}, {counted(outcome.requests, 'request')}, "
            f"{outcome.elapsed:.1f} s)"
        )
        if outcome.server_gone:
            lines.append("  cut short: the server stopped answering, and nothing was sent after it")
        elif outcome.cut_short:
            lines.append("  cut short by --max-time: not every case and probe was sent")
        if found:
            lines.append(f"  failed checks: {', '.join(sorted({f.check for f in found}))}")
        if differences(outcome):
            lines.append(f"{outcome.target} and {compared}: disagree in {counted(len(differences(outcome)), 'way')}")
    lines.append(f"Run again with the same cases: {rerun}")
    return "\n".join(lines)


class LogProgress(Progress):
    """Progress in a log or a pipe: the lines only, one a phase."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream

    def line(self, text: str) -> None:
        print(text, file=self.stream, flush=True)


class TerminalProgress(LogProgress):
    """Progress on a terminal: the lines, and below them the step under way, rewritten in place."""

    CLEAR_LINE = "\r\x1b[K"

    def line(self, text: str) -> None:
        self.stream.write(f"{self.CLEAR_LINE}{text}\n")
        self.stream.flush()

    def step(self, text: str) -> None:
        width = shutil.get_terminal_size().columns - 1
        self.stream.write(self.CLEAR_LINE + (text if len(text) <= width else text[: width - 1] + "…"))
        self.stream.flush()

    def done(self) -> None:
        self.stream.write(self.CLEAR_LINE)
        self.stream.flush()


def progress_for(stream: TextIO) -> Progress:
    return TerminalProgress(stream) if stream.isatty() else LogProgress(stream)


def breaches(outcome: Outcome) -> list[Finding]:
    return [finding for finding in outcome.findings if finding.check != PEER_CHECK]


def differences(outcome: Outcome) -> list[Finding]:
    return [finding for finding in outcome.findings if finding.check == PEER_CHECK]


def finding_lines(finding: Finding, heading: str | None = None) -> list[str]:
    seen = f" (seen {finding.occurrences} times)" if finding.occurrences > 1 else ""
    lines = [f"{heading or 'FAILED ' + finding.check}: {finding.title}{seen}", ""]
    lines += [f"  Operation: {finding.operation}"] if finding.operation else []
    lines += [textwrap.indent(finding.evidence.strip(), "  ")] if finding.evidence.strip() else []
    if finding.reproduce:
        lines.append(f"  Reproduce: {finding.reproduce}")
    return lines


def junit_xml(outcomes: list[Outcome], path: Path) -> None:
    suites = ET.Element("testsuites", name="wamock check")
    for outcome in outcomes:
        by_check: dict[str, list[Finding]] = {}
        for finding in outcome.findings:
            by_check.setdefault(finding.check, []).append(finding)
        names = sorted(set(outcome.checks) | set(by_check))
        suite = ET.SubElement(
            suites,
            "testsuite",
            name=outcome.target,
            tests=str(len(names)),
            failures=str(len(by_check)),
            time=f"{outcome.elapsed:.3f}",
        )
        for name in names:
            case = ET.SubElement(suite, "testcase", classname=outcome.target, name=name)
            findings = by_check.get(name)
            if findings:
                failure = ET.SubElement(case, "failure", message="; ".join(f.title for f in findings))
                failure.text = "\n\n".join("\n".join(finding_lines(f)) for f in findings)
    ET.indent(suites)
    path.write_text(ET.tostring(suites, encoding="unicode", xml_declaration=True) + "\n", encoding="utf-8")
