"""Schemathesis hooks for tests/api/test_openapi.py (loaded through SCHEMATHESIS_HOOKS): how to send a body of the
SPARQL 1.1 Protocol's `application/sparql-query` (the query itself, as UTF-8 text), which POST /sparql reads."""

from __future__ import annotations

from typing import Any

import schemathesis


@schemathesis.serializer("application/sparql-query")
def sparql_query(ctx: Any, value: Any) -> bytes:
    return (value if isinstance(value, str) else str(value)).encode("utf-8")
