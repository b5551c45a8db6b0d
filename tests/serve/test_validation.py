"""What connexion's path keeps between requests: each must give what computing it anew gives."""

from wamock.serve import validation


def test_a_parameter_schema_finds_its_own_validator_even_where_an_id_is_reused():
    first = {"type": "integer", "maximum": 5}
    validator = validation.compiled_for(first)
    assert validation.compiled_for(first) is validator
    assert not validator.is_valid(6)

    other = {"type": "string"}
    # As if `first` had lived where `other` lives now: its validator must not be taken for other's.
    validation._VALIDATORS_BY_SCHEMA[id(other)] = (first, validator)

    assert validation.compiled_for(other).is_valid("text")


def test_a_query_string_is_read_once_for_all_its_parameters():
    query = b"limit=5&limit=7&offset=0"

    params = validation.query_params(query)

    assert validation.query_params(query) is params
    assert params.getlist("limit") == ["5", "7"]
