"""Schemathesis 4.32: checks registered under a name, a failure of wamock's own, the engine's results.

- `schemathesis.check` names a check by its function's `__name__` and `__qualname__`, and
  reads a truthy return as "skipped", None as "passed"; `register_check` gives a judge a name
  and those meanings.
- A check reports a failure by raising a `Failure`; `ContractViolation` is wamock's kind.
- The engine (`schemathesis.engine.from_schema(schema).execute()`, not documented as public)
  yields events: each `ScenarioFinished` carries a recorder whose `interactions` and `checks`
  say what was sent and judged; a `NonFatalError` or `FatalError` says what went wrong, a
  `NonFatalError` of `ServerUnavailable` that the server went away (the engine stops then).
  `scenarios` turns them into plain `Scenario`s and `Unfinished` tests.
- A failure's kind is its class: `AcceptedNegativeData` (negative_data_rejection),
  `RejectedPositiveData` (positive_data_acceptance), `UnsupportedMethodResponse`
  (unsupported_method), `UndefinedStatusCode` (status_code_conformance) and `ServerError`
  (not_a_server_error), which a `filter_failure` hook reads, with the case's `path_parameters`
  as sent.
- `config.projects.override` holds the settings a run's project is given.
tests/check/test_engine.py pins each; pyproject.toml bounds schemathesis below 4.33.
"""

import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

import schemathesis
from schemathesis.core.failures import AcceptedNegativeData as AcceptedNegativeData
from schemathesis.core.failures import Failure, FailureGroup
from schemathesis.core.failures import ServerError as ServerError
from schemathesis.engine import events, from_schema
from schemathesis.engine.errors import ServerUnavailable
from schemathesis.openapi.checks import RejectedPositiveData as RejectedPositiveData
from schemathesis.openapi.checks import UndefinedStatusCode as UndefinedStatusCode
from schemathesis.openapi.checks import UnsupportedMethodResponse as UnsupportedMethodResponse


class ContractViolation(Failure):
    """A response breaks a rule of the contract that the document's schemas cannot state."""

    code = "WM001"
    kind_title = "Contract violated"


def violation(case, title: str, message: str) -> ContractViolation:
    return ContractViolation(operation=case.operation.label, title=title, message=message, case_id=case.id)


SKIPPED = True  # what a check returns where it does not apply


def answer_failures(operation, response) -> list[Failure]:
    """What `APIOperation.validate_response` (public) finds wrong with an answer: it raises one
    Failure, or a FailureGroup of them."""
    try:
        operation.validate_response(response)
    except FailureGroup as group:
        return [failure for failure in group.exceptions if isinstance(failure, Failure)]
    except Failure as failure:
        return [failure]
    return []


def register_check(name: str, judge: Callable, doc: str | None = None) -> None:
    """`judge(ctx, response, case)` as the check `name`: it returns SKIPPED, None (passed), or raises a Failure."""

    def check(ctx, response, case):
        return judge(ctx, response, case)

    check.__name__ = check.__qualname__ = name
    check.__doc__ = doc
    schemathesis.check(check)


def project_of(config: schemathesis.Config):
    """The settings of the run's project, whichever project the schema belongs to."""
    return config.projects.override


@dataclass
class Judged:
    """One check of one case: its name, its failure if it failed, and the request it judged."""

    check: str
    failure: Failure | None = None
    method: str | None = None
    url: str | None = None
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes | None = None  # as sent


@dataclass
class Scenario:
    """One scenario of a phase (most often the cases of one operation)."""

    phase: str
    label: str | None  # "GET /chats"; none for a stateful scenario, which spans several
    elapsed: float
    requests: int
    judged: list[Judged] = field(default_factory=list)
    answered: int = 0  # answers to positive cases (valid requests) of the operation's own method
    refused: int = 0  # of those, 401 or 403


@dataclass(frozen=True)
class Unfinished:
    """A test Schemathesis could not finish (a non-fatal error): why, the operation, and the
    request under way when it broke off, where one was (requests' `PreparedRequest`)."""

    text: str
    label: str | None
    request: object | None
    outage: bool = False  # Schemathesis found the server gone (it stops the run then)


class EngineStopped(Exception):
    """Schemathesis stopped the run (a fatal error)."""


def scenarios(
    schema, around: Callable[[Iterable], Iterable] = lambda events: events, *, deadline: float | None = None
) -> Iterator[Scenario | Unfinished]:
    """The engine's scenarios against `schema`, and each non-fatal error as `Unfinished`; `around`
    wraps the events as they are made (the checker's transport). Past `deadline` (a
    `time.monotonic()`), the engine is told to stop (`EventStream.stop`): it finishes the case
    under way and sends no more."""
    stream = from_schema(schema).execute()
    for event in around(stream):
        if deadline is not None and time.monotonic() > deadline:
            stream.stop()
            deadline = None
        if isinstance(event, events.ScenarioFinished):
            yield scenario(event)
        elif isinstance(event, events.NonFatalError):
            outage = isinstance(event.value, ServerUnavailable)
            label = None if outage else event.label or None
            yield Unfinished(str(event.value), label, getattr(event.value, "request", None), outage)
        elif isinstance(event, events.FatalError):
            raise EngineStopped(f"Schemathesis stopped: {event.exception}")


def is_positive(recorder, case_id: str) -> bool:
    """Whether the case was generated valid (`case.meta.generation.mode`), not meant to be refused."""
    node = recorder.cases.get(case_id)
    meta = getattr(getattr(node, "value", None), "meta", None)
    return meta is not None and meta.generation.mode == schemathesis.GenerationMode.POSITIVE


def scenario(event) -> Scenario:
    recorder = event.recorder
    found = Scenario(event.phase.value, event.label, event.elapsed_time, len(recorder.interactions))
    method = (event.label or "").partition(" ")[0]
    statuses = [
        interaction.response.status_code
        for case_id, interaction in recorder.interactions.items()
        if interaction.response is not None and interaction.request.method == method and is_positive(recorder, case_id)
    ]
    found.answered, found.refused = len(statuses), sum(status in (401, 403) for status in statuses)
    for case_id, nodes in recorder.checks.items():
        interaction = recorder.interactions.get(case_id)
        for node in nodes:
            judged = Judged(node.name)
            if node.failure_info is not None:
                judged.failure = node.failure_info.failure
                if interaction is not None:
                    request = interaction.request
                    judged.method, judged.url = request.method, request.uri
                    judged.headers = {name: values[0] for name, values in request.headers.items() if values}
                    judged.body = request.body
            found.judged.append(judged)
    return found
