"""Operation handlers: the API's found by method and path (`wamock/serve/routes.py`), the control API's by operationId."""
