"""One error envelope for every error, from one place."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from graphkit.errors import Busy, GraphkitError

log = logging.getLogger("graphkit.api")


def envelope(status: int, code: str, message: str, details: dict | None = None) -> JSONResponse:
    return JSONResponse(
        status_code=status,
        content={"error": {"status": status, "code": code, "message": message, "details": details or {}}},
    )


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(GraphkitError)
    async def _graphkit(_: Request, exc: GraphkitError) -> JSONResponse:
        response = envelope(exc.http_status, exc.code, exc.message, exc.details)
        if isinstance(exc, Busy):
            response.headers["Retry-After"] = str(exc.retry_after)
        return response

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        # a bug: logged with its traceback for the operator, never shown to the caller
        log.error("internal error on %s %s", request.method, request.url.path, exc_info=exc)
        return envelope(500, "internal_error", "the server met an unexpected error; it has been logged",
                        {"path": request.url.path})

    @app.exception_handler(RequestValidationError)
    async def _validation(_: Request, exc: RequestValidationError) -> JSONResponse:
        errors = exc.errors()
        params = [".".join(str(p) for p in e.get("loc", ())[1:]) or str(e.get("loc")) for e in errors]
        message = "bad parameter " + ", ".join(params) + ": " + "; ".join(str(e.get("msg")) for e in errors)
        return envelope(422, "bad_parameter", message, {"parameters": params})

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = "not_found" if exc.status_code == 404 else "http_error"
        return envelope(exc.status_code, code, str(exc.detail))
