"""Pins what wamock.check.engine, through wamock.adapters.schemathesis, relies on in Schemathesis' undocumented engine (4.32)."""

import datetime
import json
from types import SimpleNamespace

import httpx
import hypothesis
import pytest
import requests
from schemathesis.core.failures import AcceptedNegativeData, ServerError
from schemathesis.openapi.checks import Failure, RejectedPositiveData, UndefinedStatusCode

from tests.check.broken import implementation
from tests.conftest import serving
from wamock.adapters import schemathesis as adapter
from wamock.check import engine
from wamock.check.checks import RULES, Contract
from wamock.check.credentials import Credentials
from wamock.check.judged import judged_document
from wamock.data import spec as spec_module
from wamock.data.paths import SPEC_FILE

pytestmark = pytest.mark.live


def phases(url: str) -> list[engine.Phase]:
    contract = Contract.from_spec(spec_module.load(SPEC_FILE), Credentials(("username", "password")))
    settings = engine.Settings(url, 7, SPEC_FILE, Credentials(("username", "password")), 10, 10.0)
    return list(engine.run_cases(settings, contract))


def test_phases_report_requests_and_every_rule_that_ran_as_a_check():
    with serving(implementation()) as url:
        found = phases(url)

    assert [phase.name for phase in found if phase.requests] == ["coverage", "fuzzing"]
    assert set(RULES) - {"matches_data_file"} <= set().union(*(phase.checks for phase in found))
    assert [failure for phase in found for failure in phase.failures] == []


def test_a_broken_rule_comes_back_with_the_request_that_broke_it():
    with serving(implementation("offset_not_echoed")) as url:
        failures = [failure for phase in phases(url) for failure in phase.failures]

    echoed = [failure for failure in failures if failure.check == "pagination_echoes_request"]
    assert echoed != []
    assert all(failure.method == "GET" and "offset=" in failure.url for failure in echoed)
    assert all(failure.title == "Pagination does not echo the request" for failure in echoed)


def sent(url: str, **request) -> SimpleNamespace:
    return SimpleNamespace(request=requests.Request("GET", url, **request).prepare(), status_code=400)


VALID = sent("http://127.0.0.1:3000/chats?limit=5", auth=("username", "password"))
TOO_BIG = sent("http://127.0.0.1:3000/chats?limit=500", auth=("username", "password"))
ANONYMOUS = sent("http://127.0.0.1:3000/chats?limit=5")
PAST_INT64 = sent(f"http://127.0.0.1:3000/chats?offset={2**63}", auth=("username", "password"))
CHATS_CASE = SimpleNamespace(operation=SimpleNamespace(method="GET", path="/chats"))


def test_accepted_invalid_data_is_dropped_only_when_the_request_was_valid_as_sent():
    """The filter_failure hook: openapi-core judges the request exactly as it was sent."""
    keep = engine.judged_as_sent(judged_document(spec_module.load()), "http://127.0.0.1:3000", None)
    failure = AcceptedNegativeData(operation="GET /chats", message="", status_code=200, expected_statuses=["400"])
    other = Failure(operation="GET /chats", title="another check", message="")

    assert keep(None, failure, None, VALID) is False  # valid as sent: Schemathesis was wrong
    assert keep(None, failure, None, TOO_BIG) is True
    assert keep(None, failure, None, ANONYMOUS) is True  # no credentials: invalid for a secured operation
    assert keep(None, other, None, VALID) is True  # other checks' failures always stand


def test_a_refused_valid_request_stands_only_when_it_was_valid_as_sent():
    keep = engine.judged_as_sent(judged_document(spec_module.load()), "http://127.0.0.1:3000", None)
    refused = RejectedPositiveData(operation="GET /chats", message="", status_code=400, allowed_statuses=["2xx"])

    assert keep(None, refused, CHATS_CASE, VALID) is True  # valid as sent and refused: a defect
    assert keep(None, refused, CHATS_CASE, TOO_BIG) is False  # Schemathesis' "valid" case was not, as sent
    assert keep(None, refused, CHATS_CASE, PAST_INT64) is False  # an open choice of any document


def test_the_collections_own_rule_judges_its_refused_requests():
    keep = engine.judged_as_sent(judged_document(spec_module.load()), "http://127.0.0.1:3000", "GET /chats")
    refused = RejectedPositiveData(operation="GET /chats", message="", status_code=400, allowed_statuses=["2xx"])

    assert keep(None, refused, CHATS_CASE, VALID) is False


def test_the_judged_document_implies_401_and_400_and_untypes_form_text():
    document = {
        "openapi": "3.0.3",
        "info": {"title": "t", "version": "1"},
        "security": [{"basic": []}],
        "paths": {
            "/open": {"get": {"security": [], "responses": {"200": {"description": "ok"}}}},
            "/form": {
                "post": {
                    "requestBody": {
                        "content": {
                            "multipart/form-data": {
                                "schema": {
                                    "type": "object",
                                    "properties": {
                                        "phone": {"type": "string", "example": "62"},
                                        "file": {"type": "string", "format": "binary"},
                                        "count": {"type": "integer"},
                                    },
                                }
                            }
                        }
                    },
                    "responses": {"200": {"description": "ok"}},
                }
            },
        },
    }

    judged = judged_document(document)

    assert set(judged["paths"]["/open"]["get"]["responses"]) == {"200"}  # open, and takes nothing
    assert set(judged["paths"]["/form"]["post"]["responses"]) == {"200", "400", "401"}
    fields = judged["paths"]["/form"]["post"]["requestBody"]["content"]["multipart/form-data"]["schema"]["properties"]
    assert fields == {
        "phone": {"example": "62"},
        "file": {"type": "string", "format": "binary"},
        "count": {"type": "integer"},
    }
    assert document["paths"]["/form"]["post"]["responses"] == {"200": {"description": "ok"}}  # the original untouched


def test_the_judged_document_implies_404_where_a_path_names_a_resource():
    def ok() -> dict:
        return {"200": {"description": "ok"}}

    document = {
        "openapi": "3.0.3",
        "info": {"title": "t", "version": "1"},
        "paths": {"/pets": {"get": {"responses": ok()}}, "/pets/{id}": {"get": {"responses": ok()}}},
    }

    judged = judged_document(document)

    assert "404" not in judged["paths"]["/pets"]["get"]["responses"]
    assert "404" in judged["paths"]["/pets/{id}"]["get"]["responses"]


def test_a_refusal_an_operation_documents_as_its_only_answer_is_no_rejected_valid_request():
    """Swagger's petstore: `POST /pet` documents `405 Invalid input` and no success."""
    document = {
        "openapi": "3.0.3",
        "info": {"title": "t", "version": "1"},
        "paths": {
            "/pet": {"post": {"responses": {"405": {"description": "Invalid input"}}}},
            "/other": {"post": {"responses": {"200": {"description": "ok"}}}},
        },
    }
    keep = engine.judged_as_sent(document, "http://127.0.0.1:3000", None)
    refused = RejectedPositiveData(operation="POST /pet", message="", status_code=405, allowed_statuses=["2xx"])

    def answered(path: str, status: int) -> SimpleNamespace:
        return SimpleNamespace(
            request=requests.Request("POST", f"http://127.0.0.1:3000{path}").prepare(), status_code=status
        )

    def case(path: str) -> SimpleNamespace:
        return SimpleNamespace(operation=SimpleNamespace(method="POST", path=path))

    assert keep(None, refused, case("/pet"), answered("/pet", 405)) is False  # as documented
    assert keep(None, refused, case("/pet"), answered("/pet", 400)) is True  # not documented: it stands
    assert keep(None, refused, case("/other"), answered("/other", 405)) is True  # a success was documented


def test_an_undeclared_method_another_documented_path_takes_is_no_unsupported_method():
    """Telstra: only POST at /reports/messages, GET at /reports/{reportId}: a GET of the former is
    the latter's (400: `messages` is no report id), not an undeclared method. A method no path has
    still stands."""
    document = {
        "openapi": "3.0.3",
        "info": {"title": "t", "version": "1"},
        "paths": {
            "/reports/messages": {"post": {"responses": {"201": {"description": "ok"}}}},
            "/reports/{reportId}": {"get": {"responses": {"200": {"description": "ok"}}}},
        },
    }
    keep = engine.judged_as_sent(document, "http://127.0.0.1:3000/v3", None)
    failure = adapter.UnsupportedMethodResponse(
        operation="POST /reports/messages", method="GET", status_code=400, failure_reason="wrong_status", message=""
    )

    def answered(method: str) -> SimpleNamespace:
        request = requests.Request(method, "http://127.0.0.1:3000/v3/reports/messages").prepare()
        return SimpleNamespace(request=request, status_code=400)

    assert keep(None, failure, None, answered("GET")) is False
    assert keep(None, failure, None, answered("DELETE")) is True


def test_refusing_a_form_field_of_one_value_given_twice_is_the_servers_choice():
    """Swagger petstore's `additionalMetadata: string`, given twice in a multipart body: the
    document does not say which value counts, so a 400 stands as no defect; refusing an array
    field given twice (how a form gives an array) still does."""
    form = {
        "type": "object",
        "properties": {"note": {"type": "string"}, "tags": {"type": "array", "items": {"type": "string"}}},
    }
    document = {
        "openapi": "3.0.3",
        "info": {"title": "t", "version": "1"},
        "paths": {
            "/upload": {
                "post": {
                    "requestBody": {"content": {"multipart/form-data": {"schema": form}}},
                    "responses": {"200": {"description": "ok"}},
                }
            }
        },
    }
    keep = engine.judged_as_sent(document, "http://127.0.0.1:3000", None)
    refused = RejectedPositiveData(operation="POST /upload", message="", status_code=400, allowed_statuses=["2xx"])
    case = SimpleNamespace(operation=SimpleNamespace(method="POST", path="/upload"))

    def sent(*fields: tuple[str, str]) -> SimpleNamespace:
        request = requests.Request("POST", "http://127.0.0.1:3000/upload", files=[(n, (None, v)) for n, v in fields])
        return SimpleNamespace(request=request.prepare(), status_code=400)

    assert keep(None, refused, case, sent(("note", "a"), ("note", "b"))) is False
    assert keep(None, refused, case, sent(("tags", "a"), ("tags", "b"))) is True


def test_accepted_invalid_data_in_an_xml_body_is_judged_by_its_xml_object():
    """train-travel takes bookings as XML too: openapi-core 0.23 cannot judge an XML body, so the
    checker reads it by the schema's XML Object: an empty `<has_dog>` is no boolean (the
    finding stands, as for JSON), a valid one is no finding, and a body of a media type no one
    reads leaves Schemathesis' claim unconfirmed."""
    booking = {"type": "object", "properties": {"has_dog": {"type": "boolean"}}}
    document = {
        "openapi": "3.0.3",
        "info": {"title": "t", "version": "1"},
        "paths": {
            "/bookings": {
                "post": {
                    "requestBody": {"content": {"application/json": {"schema": booking},
                                                "application/xml": {"schema": booking}}},
                    "responses": {"201": {"description": "ok"}},
                }
            }
        },
    }  # fmt: skip
    keep = engine.judged_as_sent(document, "http://127.0.0.1:3000", None)
    failure = AcceptedNegativeData(operation="POST /bookings", message="", status_code=201, expected_statuses=["400"])

    def sent(body: bytes, media_type: str) -> SimpleNamespace:
        request = requests.Request(
            "POST", "http://127.0.0.1:3000/bookings", data=body, headers={"Content-Type": media_type}
        )
        return SimpleNamespace(request=request.prepare(), status_code=201)

    assert keep(None, failure, None, sent(b"<booking><has_dog></has_dog></booking>", "application/xml")) is True
    assert keep(None, failure, None, sent(b"<booking><has_dog>true</has_dog></booking>", "application/xml")) is False
    assert keep(None, failure, None, sent(b"<booking><has_dog>", "application/xml")) is True
    assert keep(None, failure, None, sent(b"\x89PNG", "image/png")) is False
    assert keep(None, failure, None, sent(b'{"has_dog": ""}', "application/json")) is True


def error_schema(detail_example: str, **extra) -> dict:
    return {
        "type": "object",
        "required": ["detail"],
        "properties": {"detail": {"type": "string", "example": detail_example}, **extra},
    }


def test_a_one_of_no_value_can_meet_alone_is_read_as_any_of():
    """nexmo's 404: oneOf two error schemas of one shape: no answer could be valid under exactly
    one, so the checker reads it as anyOf; a oneOf whose branches differ stays."""
    distinct = [
        error_schema("a", kind={"type": "string", "enum": ["key"]}),
        error_schema("b", kind={"type": "string", "enum": ["secret"]}),
    ]
    document = {
        "openapi": "3.0.3",
        "info": {"title": "t", "version": "1"},
        "paths": {
            "/same": {"get": {"responses": {"404": {"description": "x", "content": {"application/json": {"schema": {
                "oneOf": [{"$ref": "#/components/schemas/KeyNotFound"}, {"$ref": "#/components/schemas/IdNotFound"}]
            }}}}}}},
            "/told-apart": {"get": {"responses": {"404": {"description": "x", "content": {"application/json": {
                "schema": {"oneOf": distinct}, "example": {"oneOf": "data, not a schema"}}}}}}},
        },
        "components": {"schemas": {"KeyNotFound": error_schema("API key not found"), "IdNotFound": error_schema("ID not found")}},
    }  # fmt: skip

    judged = judged_document(document)

    same = judged["paths"]["/same"]["get"]["responses"]["404"]["content"]["application/json"]
    told_apart = judged["paths"]["/told-apart"]["get"]["responses"]["404"]["content"]["application/json"]
    assert "anyOf" in same["schema"] and "oneOf" not in same["schema"]
    assert "oneOf" in told_apart["schema"]
    assert told_apart["example"] == {"oneOf": "data, not a schema"}
    assert "oneOf" in document["paths"]["/same"]["get"]["responses"]["404"]["content"]["application/json"]["schema"]


def test_an_empty_path_parameter_asks_another_path_whose_answer_only_a_server_error_breaks():
    """Netlify's `DELETE /hooks/{hook_id}` with hook_id "" is `DELETE /hooks`, which any server
    answers 405 (its document gives /hooks GET and POST); the answer is not DELETE's to judge."""
    keep = engine.judged_as_sent(judged_document(spec_module.load()), "http://127.0.0.1:3000", None)
    undocumented = Failure(operation="DELETE /hooks/{hook_id}", title="Undocumented status code", message="")
    crashed = ServerError(operation="DELETE /hooks/{hook_id}", status_code=500)

    def case(hook_id: str) -> SimpleNamespace:
        return SimpleNamespace(
            operation=SimpleNamespace(method="DELETE", path="/hooks/{hook_id}"), path_parameters={"hook_id": hook_id}
        )

    def answered(hook_id: str) -> SimpleNamespace:
        request = requests.Request("DELETE", f"http://127.0.0.1:3000/hooks/{hook_id}").prepare()
        return SimpleNamespace(request=request, status_code=405)

    for value in ("", ".", ".."):
        assert keep(None, undocumented, case(value), answered(value)) is False
        assert keep(None, crashed, case(value), answered(value)) is True
    assert keep(None, undocumented, case("hook-1"), answered("hook-1")) is True


def test_a_request_that_went_to_another_operation_is_not_judged_as_its_cases():
    """Schemathesis drops an empty path parameter's segment: Getty's `/v3/images/{id}/downloadhistory`
    with id "" went as `/v3/images/downloadhistory`, which is `GET /v3/images/{id}`, and its answer
    was judged against the download history's schema and statuses."""
    ok = {"200": {"description": "ok"}}
    document = {
        "openapi": "3.0.3",
        "info": {"title": "t", "version": "1"},
        "paths": {"/images/{id}": {"get": {"responses": ok}}, "/images/{id}/history": {"get": {"responses": ok}}},
    }
    keep = engine.judged_as_sent(document, "http://127.0.0.1:3000/api", None)
    undocumented = UndefinedStatusCode(
        operation="GET /images/{id}/history",
        status_code=418,
        defined_status_codes=["200"],
        allowed_status_codes=[200],
        message="",
    )
    server_error = ServerError(operation="GET /images/{id}/history", status_code=500)
    history = SimpleNamespace(operation=SimpleNamespace(method="GET", path="/images/{id}/history"))

    def answered(path: str) -> SimpleNamespace:
        request = requests.Request("GET", f"http://127.0.0.1:3000/api{path}").prepare()
        return SimpleNamespace(request=request, status_code=418)

    assert keep(None, undocumented, history, answered("/images/history")) is False  # GET /images/{id}'s answer
    assert keep(None, server_error, history, answered("/images/history")) is True  # a 500 is one anywhere
    assert keep(None, undocumented, history, answered("/images/7/history")) is True
    assert keep(None, undocumented, history, answered("/elsewhere")) is True  # a path of no operation: as before


def test_refusing_an_empty_value_the_document_does_not_allow_is_no_rejected_valid_request():
    """Getty's `?product_id=` (a nullable int32): OpenAPI allows `name=` only with
    `allowEmptyValue: true`; openapi-core reads it as absent and called the request valid."""
    parameters = [
        {"name": "product_id", "in": "query", "schema": {"type": "integer", "nullable": True}},
        {"name": "phrase", "in": "query", "schema": {"type": "string"}},
    ]
    note = {"name": "note", "in": "query", "allowEmptyValue": True, "schema": {"type": "string"}}
    ok = {"200": {"description": "ok"}}
    document = {
        "openapi": "3.0.3",
        "info": {"title": "t", "version": "1"},
        "paths": {
            "/downloads": {"get": {"parameters": parameters, "responses": ok}},
            "/notes": {"get": {"parameters": [note], "responses": ok}},
        },
    }
    keep = engine.judged_as_sent(document, "http://127.0.0.1:3000", None)
    refused = RejectedPositiveData(operation="GET /downloads", message="", status_code=400, allowed_statuses=["2xx"])
    downloads = SimpleNamespace(operation=SimpleNamespace(method="GET", path="/downloads"))
    notes = SimpleNamespace(operation=SimpleNamespace(method="GET", path="/notes"))

    assert keep(None, refused, downloads, sent("http://127.0.0.1:3000/downloads?product_id=")) is False
    assert keep(None, refused, downloads, sent("http://127.0.0.1:3000/downloads?phrase=")) is False
    assert keep(None, refused, downloads, sent("http://127.0.0.1:3000/downloads?phrase=a")) is True
    with pytest.warns(DeprecationWarning, match="allowEmptyValue"):  # openapi-core's, on reading the keyword
        assert keep(None, refused, notes, sent("http://127.0.0.1:3000/notes?note=")) is True


def test_hypothesis_is_not_told_to_fail_a_run_for_the_cases_it_filters_out():
    """Getty's GET /v3/asset-changes/channels (no parameters) and a DELETE of two nullable ids:
    "Too many generated examples are filtered out" (and, on a loaded machine, "Data generation is
    too slow") was reported as the server breaking the contract. They speak of the generator: the
    health checks are suppressed, as plain Schemathesis' `--suppress-health-check all` does."""
    credentials = Credentials(("username", "password"))
    contract = Contract.from_spec(spec_module.load(SPEC_FILE), credentials)
    settings = engine.Settings("http://127.0.0.1:9", 7, SPEC_FILE, credentials, 10, 10.0)

    hypothesis_settings = engine.schema_for(settings, contract).config.get_hypothesis_settings()

    assert set(hypothesis_settings.suppress_health_check) == set(hypothesis.HealthCheck)


def test_accepted_invalid_data_in_a_body_read_as_bytes_is_no_finding():
    """Getty's `image/png` upload is a base64 string (`format: byte`): openapi-core reads any such
    body as bytes, which no `type: string` takes, so it called every body invalid, base64 or not."""
    encoded = {"type": "string", "format": "byte"}
    document = {
        "openapi": "3.0.3",
        "info": {"title": "t", "version": "1"},
        "paths": {
            "/uploads": {
                "put": {
                    "requestBody": {"content": {"image/png": {"schema": encoded}, "text/plain": {"schema": encoded}}},
                    "responses": {"200": {"description": "ok"}},
                }
            }
        },
    }
    keep = engine.judged_as_sent(document, "http://127.0.0.1:3000", None)
    failure = AcceptedNegativeData(operation="PUT /uploads", message="", status_code=200, expected_statuses=["400"])

    def sent(body: bytes, media_type: str) -> SimpleNamespace:
        request = requests.Request(
            "PUT", "http://127.0.0.1:3000/uploads", data=body, headers={"Content-Type": media_type}
        )
        return SimpleNamespace(request=request.prepare(), status_code=200)

    assert keep(None, failure, None, sent(b"true", "image/png")) is False
    assert keep(None, failure, None, sent(b"{}", "text/plain")) is True  # read as text: not base64


def test_a_transport_refusal_is_no_undocumented_status():
    """Getty's GET /v3/videos with a query of thousands of characters: 414 from the server's own
    limit, which no document lists, was reported as an undocumented status; a 418 still is."""
    document = {
        "openapi": "3.0.3",
        "info": {"title": "t", "version": "1"},
        "paths": {"/videos": {"get": {"responses": {"200": {"description": "ok"}}}}},
    }
    keep = engine.judged_as_sent(document, "http://127.0.0.1:3000", None)
    videos = SimpleNamespace(operation=SimpleNamespace(method="GET", path="/videos"))

    def undocumented(status: int) -> UndefinedStatusCode:
        return UndefinedStatusCode(
            operation="GET /videos",
            status_code=status,
            defined_status_codes=["200"],
            allowed_status_codes=[200],
            message="",
        )

    def answered(status: int) -> SimpleNamespace:
        return SimpleNamespace(
            request=requests.Request("GET", "http://127.0.0.1:3000/videos").prepare(), status_code=status
        )

    assert keep(None, undocumented(414), videos, answered(414)) is False
    assert keep(None, undocumented(431), videos, answered(431)) is False
    assert keep(None, undocumented(418), videos, answered(418)) is True


OVERLAPPING = {"oneOf": [{"type": "object"}, {"type": "object", "properties": {"cells": {"type": "array"}}}]}


@pytest.mark.parametrize(
    ("value", "failed"),
    [
        pytest.param({"cells": []}, [], id="meets-both-branches"),
        pytest.param(5, ["response_schema_conformance"], id="meets-none"),
    ],
)
def test_an_exchange_the_probes_made_is_judged_alike(tmp_path, value, failed):
    """InfluxDB's dashboards: a oneOf of Dashboard and DashboardWithViewProperties, a superset of it,
    read back by writes_stick: judged as Schemathesis' cases are (`judged_document`)."""
    answer = {"description": "OK", "content": {"application/json": {"schema": OVERLAPPING}}}
    document = {"openapi": "3.0.0", "info": {"title": "t", "version": "1"},
                "paths": {"/dashboards": {"get": {"responses": {"200": answer}}}}}  # fmt: skip
    spec_file = tmp_path / "openapi.json"
    spec_file.write_text(json.dumps(document))
    settings = engine.Settings("http://127.0.0.1:3000", 1, spec_file, Credentials(("username", "password")), 10, 10.0)
    response = httpx.Response(200, json=value, request=httpx.Request("GET", "http://127.0.0.1:3000/dashboards"))
    response.elapsed = datetime.timedelta(milliseconds=5)  # as a client sets it once the answer is read

    found = engine.answer_judge(settings)(response)

    assert [name for name, _ in found] == failed


@pytest.mark.parametrize("name", ["Content-Length", "Transfer-Encoding", "Accept", "Content-Type"])
def test_a_header_the_http_client_writes_or_openapi_ignores_is_not_asked_for(name):
    """InfluxDB's POST /write documents `Content-Length: integer`: a value Schemathesis made up
    broke the request before the server read it, and its 400 was judged as the operation's."""
    header = {"name": name, "in": "header", "schema": {"type": "integer"}}
    trace = {"name": "Zap-Trace-Span", "in": "header", "schema": {"type": "string"}}
    document = {"openapi": "3.0.0", "info": {"title": "t", "version": "1"},
                "paths": {"/write": {"post": {"parameters": [header, trace], "responses": {"204": {"description": "ok"}}}}}}  # fmt: skip

    assert judged_document(document)["paths"]["/write"]["post"]["parameters"] == [trace]


def test_a_oneof_of_required_lists_beside_properties_stays_a_oneof():
    """InfluxDB's DBRP: `orgID` or `org`, never both. Built with the properties beside them, the
    branches' examples tell them apart: a body naming both is not valid (the mock refuses it)."""
    dbrp = {"type": "object", "properties": {name: {"type": "string"} for name in ("orgID", "org", "bucketID")},
            "oneOf": [{"required": ["orgID", "bucketID"]}, {"required": ["org", "bucketID"]}]}  # fmt: skip
    document = {"openapi": "3.0.0", "info": {"title": "t", "version": "1"}, "paths": {},
                "components": {"schemas": {"DBRP": dbrp}}}  # fmt: skip

    assert "oneOf" in judged_document(document)["components"]["schemas"]["DBRP"]


def test_accepting_an_array_given_empty_is_the_servers_choice():
    """Swagger petstore's `?status=` (an array of enum values): RFC 6570 writes the empty list so,
    OpenAPI's allowEmptyValue forbids it; taking it as [] is no accepted invalid data. An empty
    string where the enum allows none still is."""
    document = {
        "openapi": "3.0.3",
        "info": {"title": "t", "version": "1"},
        "paths": {
            "/pets": {
                "get": {
                    "parameters": [
                        {"name": "status", "in": "query", "required": True,
                         "schema": {"type": "array", "items": {"type": "string", "enum": ["sold"]}}},
                        {"name": "kind", "in": "query", "schema": {"type": "string", "enum": ["dog"]}},
                    ],
                    "responses": {"200": {"description": "ok"}},
                }
            }
        },
    }  # fmt: skip
    keep = engine.judged_as_sent(document, "http://127.0.0.1:3000", None)
    failure = AcceptedNegativeData(operation="GET /pets", message="", status_code=200, expected_statuses=["400"])
    pets = SimpleNamespace(operation=SimpleNamespace(method="GET", path="/pets"))

    def answered(query: str) -> SimpleNamespace:
        return SimpleNamespace(request=requests.Request("GET", f"http://127.0.0.1:3000/pets?{query}").prepare())

    assert keep(None, failure, pets, answered("status=")) is False
    assert keep(None, failure, pets, answered("kind=cat")) is True


def test_a_finding_names_the_status_received_and_only_the_statuses_the_document_lists():
    """Swagger petstore's POST /pet lists only 405: the judged document lets it answer 400 and
    401 too, which the report said were "Documented" (a reader then looked for them in vain); a
    refused valid request did not say which status refused it."""
    petstore = {
        "openapi": "3.0.3",
        "info": {"title": "t", "version": "1"},
        "components": {"securitySchemes": {"key": {"type": "apiKey", "in": "header", "name": "api_key"}}},
        "security": [{"key": []}],
        "paths": {"/pet": {"post": {"requestBody": {"content": {"application/json": {"schema": {}}}},
                                     "responses": {"405": {"description": "Invalid input"}}}}},
    }  # fmt: skip
    implied = judged_document(petstore)[engine.IMPLIED]
    assert implied == {"POST /pet": ["401", "400"]}

    undocumented = UndefinedStatusCode(
        operation="POST /pet",
        status_code=422,
        defined_status_codes=["405", "401", "400"],
        allowed_status_codes=[405, 401, 400],
        message="",
    )
    refused = RejectedPositiveData(operation="POST /pet", message="Valid data should have been accepted",
                                   status_code=422, allowed_statuses=["2xx"])  # fmt: skip

    assert engine.worded(undocumented, implied["POST /pet"]) == (
        "Received: 422\nDocumented: 405 (and, as any such operation may: 401, 400)"
    )
    assert engine.worded(refused, []) == "Valid data should have been accepted\nReceived: 422"


def test_a_multipart_form_is_judged_field_by_field_by_its_schema():
    """Discourse's POST /uploads.json: openapi-core 0.23 read each field of this form as bytes,
    which its enum of texts never takes, so every valid upload looked invalid and the mock that
    refused them all was never caught. The form is read by its schema here."""
    form = {
        "additionalProperties": False,
        "required": ["type"],
        "properties": {
            "file": {},
            "type": {"type": "string", "enum": ["avatar", "composer"]},
            "user_id": {"type": "integer"},
        },
    }
    document = {
        "openapi": "3.1.0",
        "info": {"title": "t", "version": "1"},
        "paths": {"/uploads.json": {"post": {"requestBody": {"content": {"multipart/form-data": {"schema": form}}},
                                             "responses": {"200": {"description": "ok"}}}}},
    }  # fmt: skip
    keep = engine.judged_as_sent(judged_document(document), "http://127.0.0.1:3000", None)
    case = SimpleNamespace(operation=SimpleNamespace(method="POST", path="/uploads.json"), path_parameters={})
    refused = RejectedPositiveData(operation="POST /uploads.json", message="", status_code=400, allowed_statuses=[])
    accepted = AcceptedNegativeData(operation="POST /uploads.json", message="", status_code=200, expected_statuses=[])

    def sent(*fields, status: int) -> SimpleNamespace:
        files = [(name, (None, value) if isinstance(value, str) else value) for name, value in fields]
        request = requests.Request("POST", "http://127.0.0.1:3000/uploads.json", files=files)
        return SimpleNamespace(request=request.prepare(), status_code=status)

    valid = [("type", "avatar"), ("user_id", "1"), ("file", ("a.png", b"\x89PNG", "image/png"))]
    assert keep(None, refused, case, sent(*valid, status=400)) is True
    assert keep(None, refused, case, sent(("type", "bogus"), status=400)) is False
    assert keep(None, accepted, case, sent(("type", "bogus"), status=200)) is True
    assert keep(None, accepted, case, sent(("user_id", "x"), ("type", "avatar"), status=200)) is True
    assert keep(None, accepted, case, sent(*valid, status=200)) is False


def test_an_operation_is_found_through_its_path_items_ref():
    """OpenAPI 3.1's `components/pathItems`: the answer judge read the path item unresolved (KeyError)."""
    get = {"responses": {"200": {"description": "ok"}}}
    document = {"paths": {"/things": {"$ref": "#/components/pathItems/things"}},
                "components": {"pathItems": {"things": {"get": get}}}}  # fmt: skip

    assert engine.operation_of(document, "/things", "GET") == get
    assert engine.operation_of(document, "/things", "POST") == {}
    assert engine.operation_of(document, "/none", "GET") == {}
