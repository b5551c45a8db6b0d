"""connexion's parameter validator, with messages that name the parameter and the rule.

connexion decides what is valid (from the spec); this only words its verdict the way the
documented 400 envelope needs: `limit: must be no greater than 100`.
"""

import copy

from connexion.validators.parameter import ParameterValidator
from jsonschema import Draft4Validator, ValidationError

TYPE_WORDS = {
    "integer": "must be an integer",
    "number": "must be a number",
    "boolean": "must be true or false",
    "string": "must be a string",
}


class NamingParameterValidator(ParameterValidator):
    @staticmethod
    def validate_parameter(parameter_type, value, param, param_name=None):
        name = param_name or param.get("name")
        if value is None:
            if param.get("required"):
                return f"{name}: required {parameter_type} parameter is missing"
            return None
        schema = copy.deepcopy(param.get("schema", param))
        try:
            Draft4Validator(schema, format_checker=Draft4Validator.FORMAT_CHECKER).validate(value)
        except ValidationError as error:
            return f"{name}: {rule_broken(error)}"
        return None


def rule_broken(error: ValidationError) -> str:
    if error.validator == "maximum":
        return f"must be no greater than {error.validator_value}"
    if error.validator == "minimum":
        return f"must be no less than {error.validator_value}"
    if error.validator == "type":
        return TYPE_WORDS.get(error.validator_value, f"must be of type {error.validator_value}")
    return error.message
