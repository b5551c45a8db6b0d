"""Starlette: its `path` convertor, made to match newlines too, for the whole process.

connexion mounts each API at its base path with Starlette's `{path:path}`, whose `.*` stops at
a newline: a path parameter holding `%0A` then matched no route, and got 404 for an operation
that exists. Starlette has no per-route way to change what connexion's mount uses, so the
convertor is replaced with its public `register_url_convertor` before any route is compiled;
that is for every app in the process, which is why it lives here. Starlette 0.37 to 1.x;
tests/adapters/test_starlette.py pins it.
"""

from starlette.convertors import PathConvertor, register_url_convertor


class AnyPathConvertor(PathConvertor):
    """Starlette's `path` convertor, newlines included."""

    regex = r"(?s:.*)"


register_url_convertor("path", AnyPathConvertor())
