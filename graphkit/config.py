"""Settings, read at the edge (CLI, API factory) and passed down as arguments (rule 2)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from graphkit.errors import BadParameter

PROJECT_ROOT = Path(__file__).resolve().parent.parent

#: Host names the API answers to unless told otherwise: loopback only, so that a web page on another site
#: cannot reach a local server through DNS rebinding (its requests carry that site's name as Host).
#: ``testserver`` is the name Starlette's test client sends.
LOOPBACK_HOSTS = ("localhost", "127.0.0.1", "::1", "testserver")


@dataclass(frozen=True)
class Settings:
    store: str = "oxigraph"  # "oxigraph" (embedded, default) or "neo4j"
    store_path: Path = PROJECT_ROOT / "build" / "store"
    seeds_dir: Path = PROJECT_ROOT / "seeds"
    neo4j_uri: str = "bolt://127.0.0.1:7687"
    neo4j_user: str = "neo4j"
    neo4j_password: str = ""
    neo4j_database: str = "neo4j"
    #: Host header values the API accepts ("*" accepts any: only behind a proxy that checks it)
    allowed_hosts: tuple[str, ...] = LOOPBACK_HOSTS
    #: the largest response body the API sends; anything bigger is refused with a resource_limit error
    max_response_bytes: int = 512 * 1024 * 1024
    #: the largest request body the API reads (a SPARQL or Cypher query is at most 20,000 characters)
    max_request_bytes: int = 1024 * 1024
    #: expensive requests (analyses, export, economy, SPARQL, Cypher) running at once, and waiting beyond those;
    #: more than both are refused with 429 and Retry-After
    expensive_concurrency: int = 2
    expensive_queue: int = 8

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> Settings:
        e = os.environ if env is None else env
        d = cls()
        hosts = e.get("GRAPHKIT_ALLOWED_HOSTS")
        return cls(
            store=e.get("GRAPHKIT_STORE", d.store),
            store_path=Path(e.get("GRAPHKIT_STORE_PATH", str(d.store_path))),
            seeds_dir=Path(e.get("GRAPHKIT_SEEDS", str(d.seeds_dir))),
            neo4j_uri=e.get("NEO4J_URI", d.neo4j_uri),
            neo4j_user=e.get("NEO4J_USER", d.neo4j_user),
            neo4j_password=e.get("NEO4J_PASSWORD", d.neo4j_password),
            neo4j_database=e.get("NEO4J_DATABASE", d.neo4j_database),
            allowed_hosts=parse_hosts(hosts) if hosts is not None else d.allowed_hosts,
            max_response_bytes=_positive(e, "GRAPHKIT_MAX_RESPONSE_BYTES", d.max_response_bytes),
            max_request_bytes=_positive(e, "GRAPHKIT_MAX_REQUEST_BYTES", d.max_request_bytes),
            expensive_concurrency=_positive(e, "GRAPHKIT_EXPENSIVE_CONCURRENCY", d.expensive_concurrency),
            expensive_queue=_positive(e, "GRAPHKIT_EXPENSIVE_QUEUE", d.expensive_queue, zero=True),
        )


    def environment(self) -> dict[str, str]:
        """These settings as the variables :meth:`from_env` reads (for processes that read their settings from the
        environment: the workers of `graphkit serve --workers N`)."""
        return {
            "GRAPHKIT_STORE": self.store,
            "GRAPHKIT_STORE_PATH": str(self.store_path),
            "GRAPHKIT_SEEDS": str(self.seeds_dir),
            "NEO4J_URI": self.neo4j_uri,
            "NEO4J_USER": self.neo4j_user,
            "NEO4J_PASSWORD": self.neo4j_password,
            "NEO4J_DATABASE": self.neo4j_database,
            "GRAPHKIT_ALLOWED_HOSTS": ",".join(self.allowed_hosts),
            "GRAPHKIT_MAX_RESPONSE_BYTES": str(self.max_response_bytes),
            "GRAPHKIT_MAX_REQUEST_BYTES": str(self.max_request_bytes),
            "GRAPHKIT_EXPENSIVE_CONCURRENCY": str(self.expensive_concurrency),
            "GRAPHKIT_EXPENSIVE_QUEUE": str(self.expensive_queue),
        }


def parse_hosts(text: str) -> tuple[str, ...]:
    """Comma-separated host names, lower-cased, without ports or IPv6 brackets.

    >>> parse_hosts("Example.org, [::1], localhost:8000")
    ('example.org', '::1', 'localhost')
    """
    hosts = tuple(host_name(h.strip()) for h in text.split(",") if h.strip())
    if not hosts:
        raise BadParameter("GRAPHKIT_ALLOWED_HOSTS names no host", details={"parameter": "GRAPHKIT_ALLOWED_HOSTS"})
    return hosts


def host_name(value: str) -> str:
    """The host part of a Host header value: lower case, no port, no IPv6 brackets.

    >>> host_name("[::1]:8000"), host_name("LOCALHOST:80"), host_name("example.org")
    ('::1', 'localhost', 'example.org')
    """
    value = value.strip().lower()
    if value.startswith("["):
        return value[1 : value.find("]")] if "]" in value else value
    return value.rsplit(":", 1)[0] if value.count(":") == 1 else value


def _positive(env: os._Environ[str] | dict[str, str], name: str, default: int, *, zero: bool = False) -> int:
    text = env.get(name)
    if text is None:
        return default
    try:
        value = int(text)
    except ValueError:
        value = -1
    if value < 0 or (value == 0 and not zero):
        raise BadParameter(f"{name} must be a {'non-negative' if zero else 'positive'} integer, got {text!r}",
                           details={"parameter": name, "value": text})
    return value
