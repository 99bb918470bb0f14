"""What stands between the network and the routes: the Host header check, the request and response byte caps,
and the gate that keeps expensive requests from starving cheap ones.

All of it answers with the one error envelope. The middleware is plain ASGI (no response buffering by Starlette's
BaseHTTPMiddleware), so it sees every byte and can refuse before anything is sent.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any, TypeVar

import anyio
import anyio.to_thread

from graphkit.config import host_name
from graphkit.errors import Busy

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]
T = TypeVar("T")


def envelope_bytes(status: int, code: str, message: str, details: dict[str, Any] | None = None) -> bytes:
    """The error envelope's body (the same shape as api.errors.envelope)."""
    body = {"error": {"status": status, "code": code, "message": message, "details": details or {}}}
    return json.dumps(body, ensure_ascii=False).encode("utf-8")


async def send_envelope(send: Send, status: int, code: str, message: str, details: dict[str, Any] | None = None,
                        headers: list[tuple[bytes, bytes]] | None = None) -> None:
    body = envelope_bytes(status, code, message, details)
    await send({
        "type": "http.response.start",
        "status": status,
        "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
                    *(headers or [])],
    })
    await send({"type": "http.response.body", "body": body, "more_body": False})


class Guard:
    """ASGI middleware: refuses a Host header not in ``allowed_hosts`` (400 bad_host), a request body over
    ``max_request_bytes`` (413 request_too_large) and a response body over ``max_response_bytes``: the response is
    held until it is complete or too big, and a too-big one is replaced by a 400 resource_limit error (nothing of it
    has been sent). The routes whose answers can grow (queries, exports) cap themselves earlier and more tightly;
    this is the last line, for every route."""

    def __init__(self, app: ASGIApp, *, allowed_hosts: tuple[str, ...], max_request_bytes: int,
                 max_response_bytes: int) -> None:
        self.app = app
        self.any_host = "*" in allowed_hosts
        self.allowed_hosts = frozenset(allowed_hosts)
        self.max_request_bytes = max_request_bytes
        self.max_response_bytes = max_response_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        host = host_name(headers.get(b"host", b"").decode("latin-1"))
        if not self.any_host and host not in self.allowed_hosts:
            await send_envelope(
                send, 400, "bad_host",
                f"this server does not answer to the host name {host!r} (GRAPHKIT_ALLOWED_HOSTS lists those it does)",
                {"host": host, "allowed": sorted(self.allowed_hosts)},
            )
            return
        declared = headers.get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.max_request_bytes):
            await self._too_large_request(send)
            return
        state = {"received": 0, "started": False, "too_large": False}

        async def capped_receive() -> Message:
            message = await receive()
            if message["type"] == "http.request":
                state["received"] += len(message.get("body", b""))
                if state["received"] > self.max_request_bytes:
                    # the body ends here for the route (which then fails to parse it); its answer is replaced
                    state["too_large"] = True
                    return {"type": "http.request", "body": b"", "more_body": False}
            return message

        pending: dict[str, Any] = {}

        async def capped_send(message: Message) -> None:
            if state["too_large"]:
                if not state["started"]:
                    state["started"] = True
                    await self._too_large_request(send)
                return
            if message["type"] == "http.response.start":
                pending["start"], pending["chunks"], pending["size"] = message, [], 0
                length = dict(message.get("headers") or []).get(b"content-length")
                if length is not None and int(length) > self.max_response_bytes:
                    pending["refused"] = int(length)
                elif length is not None:  # declared and within the cap: passed on as it comes, never held
                    pending["through"] = True
                    state["started"] = True
                    await send(message)
                return
            if message["type"] != "http.response.body" or "start" not in pending or "through" in pending:
                await send(message)
                return
            if "refused" in pending:
                if not message.get("more_body", False) and not state["started"]:
                    state["started"] = True
                    await self._too_large_response(send, pending["refused"])
                return
            body = message.get("body", b"")
            pending["size"] += len(body)
            if pending["size"] > self.max_response_bytes:
                pending["refused"] = pending["size"]
                pending["chunks"].clear()
                if not message.get("more_body", False):
                    state["started"] = True
                    await self._too_large_response(send, pending["size"])
                return
            pending["chunks"].append(body)
            if not message.get("more_body", False):
                state["started"] = True
                await send(pending["start"])
                await send({"type": "http.response.body", "body": b"".join(pending["chunks"]), "more_body": False})

        await self.app(scope, capped_receive, capped_send)

    async def _too_large_request(self, send: Send) -> None:
        await send_envelope(send, 413, "request_too_large",
                            f"the request body is larger than the {self.max_request_bytes:,} bytes this server reads",
                            {"max_request_bytes": self.max_request_bytes})

    async def _too_large_response(self, send: Send, size: int) -> None:
        await send_envelope(
            send, 400, "resource_limit",
            f"the answer ({size:,} bytes or more) is larger than the {self.max_response_bytes:,} bytes this server "
            "sends; ask for less (a smaller area, a lower limit)",
            {"max_response_bytes": self.max_response_bytes},
        )


#: The OpenAPI description of the answers of a gated (expensive) route beyond its success.
BUSY: dict[int | str, dict[str, Any]] = {
    429: {"description": "Too many expensive requests are running or waiting; the Retry-After header says when to "
          "try again (error envelope, code busy).",
          "headers": {"Retry-After": {"description": "Seconds to wait.", "schema": {"type": "integer"}}},
          "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorEnvelope"}}}},
}


def gate(request: Any) -> Gate:
    """The app's gate for expensive requests."""
    return request.app.state.gate


class Gate:
    """Expensive requests run ``concurrency`` at a time on their own worker threads (never the pool the cheap
    routes use); up to ``queue`` more wait their turn; beyond that a request is refused at once with Busy (429,
    Retry-After), so that a flood of slow queries can neither stall the cheap routes nor pile up without bound."""

    def __init__(self, concurrency: int, queue: int, retry_after: int = 2) -> None:
        self.limiter = anyio.CapacityLimiter(concurrency)
        self.capacity = concurrency + queue
        self.retry_after = retry_after
        self.in_flight = 0

    def _enter(self) -> None:
        if self.in_flight >= self.capacity:
            raise Busy(
                f"the server is busy with {self.in_flight} expensive requests; try again in {self.retry_after} s",
                retry_after=self.retry_after,
                details={"running_at_most": int(self.limiter.total_tokens), "in_flight": self.in_flight},
            )
        self.in_flight += 1

    async def run_sync(self, fn: Callable[..., T], *args: Any) -> T:
        """``fn(*args)`` on one of the gate's threads, once a place is free (Busy when none will be soon)."""
        self._enter()
        try:
            return await anyio.to_thread.run_sync(fn, *args, limiter=self.limiter)
        finally:
            self.in_flight -= 1

    async def run_async(self, fn: Callable[..., Awaitable[T]], *args: Any) -> T:
        """Await ``fn(*args)`` (work that does not hold a thread, e.g. a child process) once a place is free."""
        self._enter()
        try:
            async with self.limiter:
                return await fn(*args)
        finally:
            self.in_flight -= 1
