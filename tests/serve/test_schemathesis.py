"""Schemathesis, in process, with all of its checks, finds nothing wrong with the mock."""

import schemathesis
from hypothesis import settings

from tests.conftest import AUTH, TEST_HOST
from wamock.serve.app import create_app

schema = schemathesis.openapi.from_asgi("/openapi.json", create_app(allowed_hosts=[TEST_HOST]))
schema.config.auth.update(basic=AUTH)
# Unknown query parameters are ignored by the contract, so they are not invalid data here.
schema.config.generation.update(modes=list(schemathesis.GenerationMode), allow_extra_parameters=False)


@schema.parametrize()
@settings(max_examples=150)
def test_mock_meets_its_spec(case):
    case.call_and_validate()
