"""connexion's validators, with messages that name the parameter or field and the rule.

connexion decides what is valid (from the spec); this only words its verdict the way the
documented 400 envelope needs: `limit: must be no greater than 100`.
"""

import json
from functools import lru_cache

from connexion.datastructures import MediaTypeDict
from connexion.exceptions import BadRequestProblem
from connexion.validators import VALIDATOR_MAP, JSONRequestBodyValidator
from connexion.validators.parameter import ParameterValidator
from jsonschema import Draft4Validator, ValidationError

TYPE_WORDS = {
    "integer": "must be an integer",
    "number": "must be a number",
    "boolean": "must be true or false",
    "string": "must be a string",
    "array": "must be a JSON list",
    "object": "must be a JSON object",
}


@lru_cache(maxsize=256)
def _compiled(schema_json: str) -> Draft4Validator:
    return Draft4Validator(json.loads(schema_json), format_checker=Draft4Validator.FORMAT_CHECKER)


class NamingParameterValidator(ParameterValidator):
    @staticmethod
    def validate_parameter(parameter_type, value, param, param_name=None):
        name = param_name or param.get("name")
        if value is None:
            if param.get("required"):
                return f"{name}: required {parameter_type} parameter is missing"
            return None
        # The compiled validator is kept per schema: building one is most of a request's cost.
        validator = _compiled(json.dumps(param.get("schema", param), sort_keys=True))
        try:
            validator.validate(value)
        except ValidationError as error:
            return f"{name}: {rule_broken(error)}"
        return None


class NamingJSONBodyValidator(JSONRequestBodyValidator):
    async def _parse(self, stream, scope):
        raw = b"".join([message async for message in stream])
        try:
            text = raw.decode(self._encoding)
        except UnicodeDecodeError:
            raise BadRequestProblem(detail=f"body: not {self._encoding} text") from None
        if not text:
            return None
        try:
            return json.loads(text)
        except json.JSONDecodeError as exc:
            raise BadRequestProblem(detail=f"body: not valid JSON: {exc}") from None

    def _validate(self, body):
        if not self._nullable and body is None:
            raise BadRequestProblem(detail="body: missing; expected JSON")
        try:
            return self._validator.validate(body)
        except ValidationError as error:
            where = ".".join(["body", *map(str, error.absolute_path)])
            raise BadRequestProblem(detail=f"{where}: {rule_broken(error)}") from None


def rule_broken(error: ValidationError) -> str:
    if error.validator == "maximum":
        return f"must be no greater than {error.validator_value}"
    if error.validator == "minimum":
        return f"must be no less than {error.validator_value}"
    if error.validator == "type":
        return TYPE_WORDS.get(error.validator_value, f"must be of type {error.validator_value}")
    return error.message


VALIDATORS = {
    **VALIDATOR_MAP,
    "parameter": NamingParameterValidator,
    "body": MediaTypeDict({**VALIDATOR_MAP["body"], "*/*json": NamingJSONBodyValidator}),
}
