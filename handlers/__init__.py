"""Operation handlers, resolved from the spec's operationId (`chats.list_chats`)."""
