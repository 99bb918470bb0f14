"""Call the API in-process (no server, no socket): used by `graphkit get` and the tests."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
from fastapi import FastAPI


async def _request(app: FastAPI, method: str, path: str, **kwargs: Any) -> httpx.Response:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://localhost") as client:
        return await client.request(method, path, **kwargs)


def request(app: FastAPI, method: str, path: str, **kwargs: Any) -> httpx.Response:
    return asyncio.run(_request(app, method, path, **kwargs))


def get(app: FastAPI, path: str, **kwargs: Any) -> httpx.Response:
    return request(app, "GET", path, **kwargs)
