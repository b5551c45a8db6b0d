"""What wamock needs of its libraries beyond their public APIs: one small module per library.

Each names the version it was written against and what it relies on; a test in
tests/adapters/ pins each reliance, and pyproject.toml bounds the library's version above, so
that an upgrade that breaks one fails there, by name, rather than somewhere downstream.
Everything outside this folder uses the libraries' public APIs only.
"""
