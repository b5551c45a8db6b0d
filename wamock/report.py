"""How a checker run reads: as text for a person, as JUnit XML for a CI server."""

import textwrap
import xml.etree.ElementTree as ET
from pathlib import Path

from wamock.checker import Finding, Outcome


def text(outcomes: list[Outcome], *, rerun: str) -> str:
    lines: list[str] = []
    for outcome in outcomes:
        for finding in sorted(outcome.findings, key=lambda f: (f.check, f.title)):
            lines += ["", *finding_lines(finding)]
    lines.append("")
    for outcome in outcomes:
        failed = outcome.failed_checks
        verdict = "conforms" if not failed else f"breaks the contract: {len(outcome.findings)} distinct failures"
        lines.append(
            f"{outcome.target}: {verdict} ({len(outcome.checks)} checks, {outcome.requests} requests, "
            f"{outcome.elapsed:.1f} s)"
        )
        if failed:
            lines.append(f"  failed checks: {', '.join(failed)}")
    lines.append(f"Run again with the same cases: {rerun}")
    return "\n".join(lines)


def finding_lines(finding: Finding) -> list[str]:
    seen = f" (seen {finding.occurrences} times)" if finding.occurrences > 1 else ""
    lines = [f"FAILED {finding.check}: {finding.title}{seen}", ""]
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
