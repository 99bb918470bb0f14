"""The ``graphkit`` command line. Settings come from options or the environment, nowhere else."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

import graphkit
from graphkit.config import Settings
from graphkit.errors import GraphkitError


class _Group(click.Group):
    """Turns user errors into one line on stderr and a non-zero exit (no traceback)."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except GraphkitError as exc:
            click.echo(f"graphkit: error: {exc.message}", err=True)
            problems = exc.details.get("problems") if isinstance(exc.details, dict) else None
            for p in (problems or [])[1:20]:
                click.echo(f"  {p}", err=True)
            sys.exit(exc.exit_code)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(graphkit.__version__, prog_name="graphkit")
@click.option(
    "--store-path",
    type=click.Path(path_type=Path),
    envvar="GRAPHKIT_STORE_PATH",
    default=None,
    help="Directory of the embedded (Oxigraph) store [default: build/store].",
)
@click.pass_context
def cli(ctx: click.Context, store_path: Path | None) -> None:
    """graphkit: the open knowledge graph of England's primary-care organisations."""
    settings = Settings.from_env()
    if store_path is not None:
        settings = Settings(**{**settings.__dict__, "store_path": store_path})
    ctx.obj = settings


@cli.command()
@click.option(
    "--seeds",
    type=click.Path(path_type=Path, exists=True, file_okay=False),
    default=None,
    help="Seeds directory [default: seeds/].",
)
@click.pass_obj
def build(settings: Settings, seeds: Path | None) -> None:
    """Build the graph from seeds/ into the embedded store and print a summary."""
    from graphkit.build import build as run_build
    from graphkit.store.oxigraph import OxigraphStore

    report = run_build(seeds or settings.seeds_dir, settings.store_path)
    for line in report.lines():
        click.echo(line)
    store = OxigraphStore(settings.store_path)
    s = store.summary()
    store.close()
    click.echo(
        f"store {s.kind} at {settings.store_path}: {s.organisations} organisations, {s.facts} quads, "
        f"{len(s.sources)} sources"
    )
    click.echo("  " + ", ".join(f"{k} {n}" for k, n in s.organisations_by_kind.items()))


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.pass_obj
def serve(settings: Settings, host: str, port: int) -> None:
    """Serve the HTTP API over the store."""
    import uvicorn

    from api.app import create_app

    app = create_app(settings)
    click.echo(f"serving the API on http://{host}:{port} (store {settings.store}); docs at /docs")
    uvicorn.run(app, host=host, port=port, log_level="info")


@cli.command()
@click.argument("path")
@click.pass_obj
def get(settings: Settings, path: str) -> None:
    """Print the JSON of an API GET made in-process, e.g. `graphkit get /health`."""
    from api.app import create_app
    from api.inprocess import get as get_in_process

    if not path.startswith("/"):
        path = "/" + path
    response = get_in_process(create_app(settings), path)
    click.echo(json.dumps(response.json(), indent=2, ensure_ascii=False))
    if response.status_code >= 400:
        sys.exit(1)


@cli.group()
def neo4j() -> None:
    """Install, start and stop the project's own local Neo4j 5 server (Maven Central, Java 17)."""


@neo4j.command("install")
def neo4j_install() -> None:
    """Fetch the Neo4j jars with Maven and compile the launcher (cached after the first time)."""
    from graphkit import neo4j_runtime

    lib = neo4j_runtime.install(quiet=True)
    click.echo(f"Neo4j jars ready in {lib} ({sum(1 for _ in lib.glob('*.jar'))} jars)")


@neo4j.command("start")
@click.option(
    "--home",
    type=click.Path(path_type=Path),
    default=Path("build/neo4j/home"),
    show_default=True,
    help="Data directory of this server (inside the ignored build area).",
)
@click.option("--port", type=int, default=7687, show_default=True, help="Bolt port on 127.0.0.1 (0: any free port).")
@click.option("--heap-mb", type=int, default=1024, show_default=True)
@click.option("--pagecache-mb", type=int, default=256, show_default=True)
@click.option("--keep-data", is_flag=True, help="Reuse the data already in --home instead of starting empty.")
def neo4j_start(home: Path, port: int, heap_mb: int, pagecache_mb: int, keep_data: bool) -> None:
    """Start a server in the background and wait until Bolt answers."""
    from graphkit import neo4j_runtime

    server = neo4j_runtime.start(
        home, port=port or None, heap_mb=heap_mb, pagecache_mb=pagecache_mb, fresh=not keep_data
    )
    click.echo(f"Neo4j running: {server.uri} (pid {server.pid}, data {server.home})")


@neo4j.command("stop")
def neo4j_stop() -> None:
    """Stop every Neo4j server this project started."""
    from graphkit import neo4j_runtime

    n = neo4j_runtime.stop_all()
    click.echo(f"stopped {n} Neo4j server(s)")


@neo4j.command("status")
def neo4j_status() -> None:
    """List the running Neo4j servers this project started."""
    from graphkit import neo4j_runtime

    servers = neo4j_runtime.running()
    for s in servers:
        click.echo(f"{s.uri} pid {s.pid} data {s.home}")
    if not servers:
        click.echo("no Neo4j server running")


def main() -> None:
    cli(prog_name="graphkit")


if __name__ == "__main__":
    main()
