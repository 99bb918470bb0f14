"""One error envelope for every error, from one place: :func:`described` says what an error is (status, code,
message, details, headers) once, for the envelope here and for the FHIR facade's OperationOutcome
(api/routers/fhir.py)."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from graphkit.errors import Busy, GraphkitError

log = logging.getLogger("graphkit.api")


@dataclass(frozen=True)
class Described:
    """An error as every answer of the API gives it."""

    status: int
    code: str
    message: str
    details: dict[str, Any] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)


def described(exc: Exception, request: Request) -> Described:
    """What an error of a route is: a refused parameter (422), the project's own errors (their status and code; a
    Retry-After when the server is busy), Starlette's (404, 405), and anything else a bug: 500, logged with its
    traceback for the operator, never shown to the caller."""
    if isinstance(exc, RequestValidationError):
        errors = exc.errors()
        params = [".".join(str(p) for p in e.get("loc", ())[1:]) or str(e.get("loc")) for e in errors]
        message = "bad parameter " + ", ".join(params) + ": " + "; ".join(str(e.get("msg")) for e in errors)
        return Described(422, "bad_parameter", message, {"parameters": params})
    if isinstance(exc, GraphkitError):
        headers = {"Retry-After": str(exc.retry_after)} if isinstance(exc, Busy) else {}
        return Described(exc.http_status, exc.code, exc.message, dict(exc.details or {}), headers)
    if isinstance(exc, StarletteHTTPException):
        return Described(exc.status_code, "not_found" if exc.status_code == 404 else "http_error", str(exc.detail))
    log.error("internal error on %s %s", request.method, request.url.path, exc_info=exc)
    return Described(500, "internal_error", "the server met an unexpected error; it has been logged",
                     {"path": request.url.path})


def envelope(status: int, code: str, message: str, details: dict | None = None) -> JSONResponse:
    return JSONResponse(
        status_code=status,
        content={"error": {"status": status, "code": code, "message": message, "details": details or {}}},
    )


def _enveloped(request: Request, exc: Exception) -> JSONResponse:
    d = described(exc, request)
    response = envelope(d.status, d.code, d.message, d.details)
    response.headers.update(d.headers)
    return response


def install_error_handlers(app: FastAPI) -> None:
    for kind in (GraphkitError, Exception, RequestValidationError, StarletteHTTPException):
        app.add_exception_handler(kind, _enveloped)
