"""The commands that answer as the API does: ``serve`` (the HTTP server) and ``get`` (one GET, in-process)."""

from __future__ import annotations

import json
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
@click.pass_obj
def serve(settings: Settings, host: str, port: int, allowed_hosts: tuple[str, ...]) -> None:
    """Serve the HTTP API over the store (docs/api.md, "Limits and safety")."""
    import dataclasses

    import uvicorn

    from api.app import create_app
    from graphkit.config import parse_hosts

    if allowed_hosts:
        settings = dataclasses.replace(settings, allowed_hosts=parse_hosts(",".join(allowed_hosts)))
    app = create_app(settings)
    click.echo(f"serving the API on http://{host}:{port} (store {settings.store}); docs at /docs; answering to "
               f"{', '.join(settings.allowed_hosts)}")
    if host not in ("127.0.0.1", "localhost", "::1") and set(settings.allowed_hosts) <= set(LOOPBACK_HOSTS):
        click.echo(f"note: listening on {host} but answering only to loopback names; name this machine with "
                   "--allowed-host", err=True)
    uvicorn.run(app, host=host, port=port, log_level="info")


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

