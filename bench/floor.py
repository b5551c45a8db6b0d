"""The floor of this stack: a bare Starlette app that returns the same bytes, checking nothing.

Run as `uvicorn bench.floor:app`; BENCH_FLOOR_BODY names the file whose bytes it returns.
"""

import os
from pathlib import Path

from starlette.applications import Starlette
from starlette.responses import Response
from starlette.routing import Route

BODY = Path(os.environ["BENCH_FLOOR_BODY"]).read_bytes()


async def chats(request):
    return Response(BODY, media_type="application/json")


app = Starlette(routes=[Route("/chats", chats)])
