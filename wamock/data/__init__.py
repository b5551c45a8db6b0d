"""What the mock and the checker share: the spec reader, fixture files, the store, the generator, accounts."""
