"""`wamock check`: judges any implementation of GET /chats by the contract; never imports wamock.serve."""
