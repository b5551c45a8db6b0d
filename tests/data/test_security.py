"""The security schemes of a real document (ReadMe's every-kind example, from npm), read as the mock checks them."""

from tests import corpus
from wamock.data import spec as spec_module
from wamock.data.security import Scheme, schemes_of, undeclared


def test_each_kind_of_scheme_reads_as_what_it_asks_of_a_request():
    document = spec_module.load(corpus.document("@readme/oas-examples", "3.0/json/security.json"))

    assert schemes_of(document) == {
        "apiKey_cookie": Scheme("apiKey", "cookie", "api_key"),
        "apiKey_header": Scheme("apiKey", "header", "X-API-KEY"),
        "apiKey_query": Scheme("apiKey", "query", "apiKey"),
        "basic": Scheme("basic"),
        "bearer": Scheme("bearer"),
        "bearer_jwt": Scheme("bearer"),
        "oauth2": Scheme("bearer"),
        "oauth2_authorizationCode": Scheme("bearer"),
        "oauth2_clientCredentials": Scheme("bearer"),
        "oauth2_implicit": Scheme("bearer"),
        "oauth2_password": Scheme("bearer"),
        "openIdConnect": Scheme("bearer"),
    }
    assert undeclared(document) is None
