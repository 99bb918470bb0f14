"""The commands that answer as the API does: ``serve`` (the HTTP server) and ``get`` (one GET, in-process)."""

from __future__ import annotations

import json
import os
import sys

import click

from graphkit.config import LOOPBACK_HOSTS, Settings


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
@click.option(
    "--allowed-host", "allowed_hosts", multiple=True, metavar="NAME",
    help="A host name the API answers to (repeatable) [default: GRAPHKIT_ALLOWED_HOSTS, or loopback names only]. "
    "Needed when serving on a public interface; '*' accepts any (only behind a proxy that checks it).",
)
@click.option(
    "--workers", type=click.IntRange(1, 64), default=1, show_default=True,
    help="Server processes, each with the whole app and its own in-memory indexes (about 500 MB each on the national "
    "graph); one per core answers the most requests. The expensive routes' concurrency and queue are shared out "
    "among them, so that the server as a whole runs no more at once than with one.",
)
@click.pass_obj
def serve(settings: Settings, host: str, port: int, allowed_hosts: tuple[str, ...], workers: int) -> None:
    """Serve the HTTP API over the store (docs/api.md, "Limits and safety")."""
    import dataclasses

    import uvicorn

    from api.app import create_app
    from graphkit.config import parse_hosts
    from graphkit.store.open import open_store

    if allowed_hosts:
        settings = dataclasses.replace(settings, allowed_hosts=parse_hosts(",".join(allowed_hosts)))
    if workers == 1:
        app = create_app(settings)  # here, so that a store that cannot be opened stops the command at once
    else:  # the same check, before any worker starts: each opens its own store
        _close(open_store(settings))
    click.echo(f"serving the API on http://{host}:{port} (store {settings.store}, {workers} worker"
               f"{'s' if workers > 1 else ''}); docs at /docs; answering to {', '.join(settings.allowed_hosts)}")
    if host not in ("127.0.0.1", "localhost", "::1") and set(settings.allowed_hosts) <= set(LOOPBACK_HOSTS):
        click.echo(f"note: listening on {host} but answering only to loopback names; name this machine with "
                   "--allowed-host", err=True)
    if workers == 1:
        uvicorn.run(app, host=host, port=port, log_level="info")
        return
    # each worker is a process of its own that builds the app from the environment (api.app.create_app reads it)
    os.environ.update(worker_settings(settings, workers).environment())
    uvicorn.run("api.app:create_app", factory=True, workers=workers, host=host, port=port, log_level="info")


def _close(store: object) -> None:
    driver = getattr(store, "driver", None)
    store.close()  # type: ignore[attr-defined]
    if driver is not None:
        driver.close()


def worker_settings(settings: Settings, workers: int) -> Settings:
    """The settings of each of ``workers`` processes: the expensive routes' concurrency and queue shared out, so
    that all of them together run at most as many expensive requests at once (or one each, when there are more
    workers than that) and queue at most as many as one process would.

    >>> s = worker_settings(Settings(expensive_concurrency=2, expensive_queue=8), 2)
    >>> s.expensive_concurrency, s.expensive_queue
    (1, 4)
    >>> worker_settings(Settings(expensive_concurrency=2, expensive_queue=1), 3).expensive_concurrency
    1
    """
    import dataclasses

    return dataclasses.replace(settings, expensive_concurrency=max(1, settings.expensive_concurrency // workers),
                               expensive_queue=settings.expensive_queue // workers)


@click.command()
@click.argument("path")
@click.pass_obj
def get(settings: Settings, path: str) -> None:
    """Print the answer of an API GET made in-process (no server), e.g. `graphkit get /health`: the same JSON
    as the HTTP server gives for the same path (or the file, for /export and GraphML)."""
    from api.app import create_app
    from api.inprocess import get as get_in_process

    if not path.startswith("/"):
        path = "/" + path
    response = get_in_process(create_app(settings), path)
    if response.headers.get("content-type", "").startswith("application/json"):
        click.echo(json.dumps(response.json(), indent=2, ensure_ascii=False))
    else:
        sys.stdout.buffer.write(response.content)
        sys.stdout.buffer.flush()
    if response.status_code >= 400:
        sys.exit(1)

