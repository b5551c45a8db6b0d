"""Starlette: its `path` convertor, made to match newlines too, and its routers made not to
redirect a trailing slash, for the whole process.

connexion mounts each API at its base path with Starlette's `{path:path}`, whose `.*` stops at
a newline: a path parameter holding `%0A` then matched no route, and got 404 for an operation
that exists. Starlette has no per-route way to change what connexion's mount uses, so the
convertor is replaced with its public `register_url_convertor` before any route is compiled;
that is for every app in the process, which is why it lives here. Starlette 0.37 to 1.x;
tests/adapters/test_starlette.py pins it.
"""

import functools

from starlette.convertors import PathConvertor, register_url_convertor
from starlette.routing import Router


class AnyPathConvertor(PathConvertor):
    """Starlette's `path` convertor, newlines included."""

    regex = r"(?s:.*)"


register_url_convertor("path", AnyPathConvertor())


# Starlette's routers answer a path that a route matches but for a trailing slash with a 307 to
# that route: `/users/` (which is `/users/{id}` with an empty id) redirected to the list at
# `/users`, a status no document lists. OpenAPI's paths are exact, so the mock answers it as any
# path the document lacks (404). connexion builds its routers itself, each with Starlette's
# default, so the default is changed for every router of the process; `redirect_slashes` is a
# documented argument of Starlette's Router (0.37 to 1.x).
_router_init = Router.__init__


@functools.wraps(_router_init)
def _router_without_slash_redirects(self, *args, **kwargs) -> None:
    if len(args) < 2:  # given (by position or by name), a router's own choice stands
        kwargs.setdefault("redirect_slashes", False)
    _router_init(self, *args, **kwargs)


Router.__init__ = _router_without_slash_redirects
