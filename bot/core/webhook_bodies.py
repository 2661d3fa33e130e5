"""A webhook's raw body, read up to a size limit (the signature is over these bytes)."""

from __future__ import annotations

from aiohttp import web

from bot.core.http_problems import Problem


async def read_body(request: web.Request, max_kb: int) -> bytes:
    """The whole body, or a 413 Problem once it is over `max_kb`."""
    limit = max_kb * 1024
    too_large = Problem(413, f"the body is over {max_kb} KB")
    if (request.content_length or 0) > limit:
        raise too_large
    # read(n) returns what has arrived so far: read on until the end, or past the limit.
    chunks: list[bytes] = []
    size = 0
    while size <= limit:
        chunk = await request.content.read(limit + 1 - size)
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
    if size > limit:
        raise too_large
    return b"".join(chunks)
