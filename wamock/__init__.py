"""wamock: a mock server and contract checker for GET /chats of the WhatsApp multi-device REST API.

The spec (`spec/openapi.yaml`), the handlers (`handlers/`) and the data (`fixtures/`) are
peers; this package is the glue: the app factory, the store, the CLI and the checker.
"""

__version__ = "0.1.0"
