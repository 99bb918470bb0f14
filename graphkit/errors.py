"""The one error hierarchy of the project.

The API maps every :class:`GraphkitError` to one JSON error envelope; the CLI prints a one-line
message and exits non-zero. Anything else is a bug: the API logs its traceback and answers 500 in the
same envelope, the CLI prints one line naming it and exits 70.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


class GraphkitError(Exception):
    """Base class of every error a user can cause or meet."""

    code = "error"
    http_status = 400
    exit_code = 1

    def __init_subclass__(
        cls, *, code: str | None = None, http_status: int | None = None, exit_code: int | None = None, **kw: Any
    ) -> None:
        """A subclass names its ``code`` (the API's error code), ``http_status`` and ``exit_code`` (the CLI's) in its
        class line; what it leaves out it inherits."""
        super().__init_subclass__(**kw)
        if code is not None:
            cls.code = code
        if http_status is not None:
            cls.http_status = http_status
        if exit_code is not None:
            cls.exit_code = exit_code

    def __init__(self, message: str, *, details: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details or {}


class NotFound(GraphkitError, code="not_found", http_status=404, exit_code=3):
    """What the request names does not exist (an organisation, an analysis, a contract)."""


class BadParameter(GraphkitError, code="bad_parameter", http_status=422, exit_code=2):
    """A parameter of a request or a command that is out of its range or of the wrong type."""


@dataclass(frozen=True)
class InputProblem:
    """One problem in one input file: where it is and what is wrong."""

    file: str
    line: int | None
    field: str | None
    reason: str
    value: str | None = None

    def __str__(self) -> str:
        where = self.file
        if self.line is not None:
            where += f":{self.line}"
        if self.field:
            where += f" [{self.field}]"
        text = f"{where}: {self.reason}"
        if self.value is not None:
            text += f" (value {self.value!r})"
        return text


class InputError(GraphkitError, code="bad_input", http_status=400, exit_code=4):
    """Bad input: names the file, line and field. Nothing is written when it is raised."""

    def __init__(self, problems: list[InputProblem] | InputProblem, message: str | None = None) -> None:
        if isinstance(problems, InputProblem):
            problems = [problems]
        self.problems = problems
        first = str(problems[0]) if problems else "bad input"
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        super().__init__(message or first + more, details={"problems": [p.__dict__ for p in problems]})


class ValidationFailed(InputError, code="shacl_violation"):
    """SHACL violations (ontology/shapes.ttl): the load is refused and nothing is written."""


class StoreUnavailable(GraphkitError, code="store_unavailable", http_status=503, exit_code=5):
    """The store cannot be opened or reached (none built yet, Neo4j down)."""


class QueryRefused(GraphkitError, code="query_refused", http_status=400, exit_code=2):
    """A query the read-only endpoints will not run: an update, a syntax error, the wrong store."""


class NotAcceptable(GraphkitError, code="not_acceptable", http_status=406, exit_code=2):
    """No format the server can answer in is one the request accepts (its Accept header or ``format``):
    ``details.supported`` lists those it can."""


class UnsupportedMediaType(GraphkitError, code="unsupported_media_type", http_status=415, exit_code=2):
    """A request body in a media type the route does not read: ``details.supported`` lists those it does."""


class QueryTimeout(GraphkitError, code="query_timeout", http_status=400, exit_code=2):
    """A read-only query that ran past its time limit and was stopped."""


@dataclass
class Neo4jRuntimeError(GraphkitError, code="neo4j_runtime", exit_code=6):
    """The project's local Neo4j could not be installed, started or stopped."""

    message: str
    log_tail: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        GraphkitError.__init__(self, self.message, details={"log_tail": self.log_tail})


class ResourceLimit(GraphkitError, code="resource_limit", http_status=400, exit_code=2):
    """A request that went past one of the server's resource limits (memory, response bytes, nesting depth):
    stopped, with the limit named in the message and in ``details``."""


class Busy(GraphkitError, code="busy", http_status=429, exit_code=5):
    """Too many expensive requests are running: try again after ``retry_after`` seconds (HTTP 429 with a
    Retry-After header)."""

    def __init__(self, message: str, *, retry_after: int = 1, details: dict[str, Any] | None = None) -> None:
        super().__init__(message, details={**(details or {}), "retry_after": retry_after})
        self.retry_after = retry_after
