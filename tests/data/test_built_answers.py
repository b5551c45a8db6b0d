"""A built answer is bounded: a document's `$ref`s that fan out cannot make it, or the start, explode."""

from tests.documents import attempt_serve, write
from wamock.data import examples


def fanning_out(levels: int, fan: int = 10) -> dict:
    """A document whose answer schema refers `fan` times to the next schema, `levels` deep: fan**levels values."""
    schemas = {"F0": {"type": "object", "properties": {"id": {"type": "integer", "example": 1}}}}
    for level in range(1, levels + 1):
        refer = {"$ref": f"#/components/schemas/F{level - 1}"}
        schemas[f"F{level}"] = {"type": "object", "properties": {f"p{k}": refer for k in range(fan)}}
    answer = {
        "description": "ok",
        "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/F{levels}"}}},
    }
    return {
        "openapi": "3.0.3",
        "info": {"title": "fan", "version": "1"},
        "paths": {"/fan": {"get": {"responses": {"200": answer}}}},
        "components": {"schemas": schemas},
    }


def values_in(value) -> int:
    if isinstance(value, dict):
        return 1 + sum(map(values_in, value.values()))
    if isinstance(value, list):
        return 1 + sum(map(values_in, value))
    return 1


def test_an_answer_built_from_refs_that_fan_out_stays_within_its_budget():
    body = examples.document_answers(fanning_out(5))["GET /fan"][200].body

    assert examples.MAX_VALUES // 2 < values_in(body) < 2 * examples.MAX_VALUES


def test_a_document_whose_refs_fan_out_to_a_trillion_values_serves_at_once(tmp_path):
    spec = write(tmp_path / "fan.yaml", fanning_out(12))

    attempt = attempt_serve("--spec", str(spec), get=("/fan", "/openapi.json"), timeout=60)

    assert attempt.served["/fan"].status_code == 200
    assert values_in(attempt.served["/fan"].json()) < 2 * examples.MAX_VALUES
    assert attempt.served["/openapi.json"].status_code == 200
