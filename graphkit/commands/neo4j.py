"""The commands around Neo4j: ``load neo4j`` (the embedded store's content into Neo4j), ``export`` (RDF from
either store) and ``neo4j install|start|stop|status`` (the project's own local server)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from graphkit.config import Settings
from graphkit.core.progress import open_progress


@click.group()
def load() -> None:
    """Load the graph into another store."""


def _neo4j_options(f: Any) -> Any:
    for option in reversed(
        [
            click.option("--uri", envvar="NEO4J_URI", default="bolt://127.0.0.1:7687", show_default=True),
            click.option("--user", envvar="NEO4J_USER", default="neo4j", show_default=True),
            click.option("--password", envvar="NEO4J_PASSWORD", default="", help="Empty: no authentication."),
            click.option("--database", envvar="NEO4J_DATABASE", default="neo4j", show_default=True),
        ]
    ):
        f = option(f)
    return f


def _neo4j_driver(uri: str, user: str, password: str) -> Any:
    from graphkit.store.open import neo4j_driver

    return neo4j_driver(uri, user, password)


def _embedded_graph(settings: Settings) -> Any:
    """The merged-graph records the embedded store holds (read back from its quads)."""
    from graphkit.rdf.read import read_dataset
    from graphkit.store.oxigraph import OxigraphStore

    store = OxigraphStore(settings.store_path)  # StoreUnavailable when there is none
    try:
        return read_dataset(store.dataset())
    finally:
        store.close()


@load.command("neo4j")
@_neo4j_options
@click.pass_obj
def load_neo4j(settings: Settings, uri: str, user: str, password: str, database: str) -> None:
    """Load the embedded store's content into Neo4j, all or nothing (the previous graph stays until the new
    one is complete; loading twice changes nothing)."""
    from graphkit.store.neo4j import Neo4jStore

    with open_progress(sys.stderr) as progress:
        reading = progress.task("reading the embedded store")
        graph = _embedded_graph(settings)
        reading.finish()
        with _neo4j_driver(uri, user, password) as driver:
            store = Neo4jStore(driver, database=database)
            store.load(graph, progress=progress.task("loading into Neo4j", unit="rows"))
            s = store.summary()
    click.echo(
        f"loaded into {uri} (database {database}): {s.organisations} organisations, {len(s.sources)} source files"
    )


@click.command()
@click.option(
    "--from", "source", type=click.Choice(["embedded", "neo4j"]), default="embedded", show_default=True,
    help="The store to export from.",
)
@click.option(
    "--format", "fmt", type=click.Choice(["trig", "nquads", "turtle", "ntriples"]), default="trig",
    show_default=True, help="trig and nquads hold every named graph; turtle and ntriples hold one (--graph).",
)
@click.option(
    "--graph", "graph_name", default=None,
    help="One graph: 'resolved', 'ontology' or a source slug [turtle/ntriples default: resolved].",
)
@click.option("-o", "--output", type=click.Path(path_type=Path), default=None, help="File to write [default: stdout].")
@_neo4j_options
@click.pass_obj
def export(
    settings: Settings, source: str, fmt: str, graph_name: str | None, output: Path | None,
    uri: str, user: str, password: str, database: str,
) -> None:
    """Export the graph as RDF from either store: the resolved graph, one graph per source file with each
    statement's line (provenance), and the ontology. The embedded store's own quads are written as they are;
    Neo4j's graph is read back into records and rebuilt as the same quads."""
    from graphkit.rdf import export as exporter
    from graphkit.store.neo4j import Neo4jStore
    from graphkit.store.oxigraph import OxigraphStore

    if source == "neo4j":
        with _neo4j_driver(uri, user, password) as driver:
            data = exporter.dataset(Neo4jStore(driver, database=database).read_graph())
        _write(data, output, fmt, graph_name)
    else:
        store = OxigraphStore(settings.store_path)  # StoreUnavailable when there is none
        try:
            _write(store.dataset(), output, fmt, graph_name)
        finally:
            store.close()


def _write(data: Any, output: Path | None, fmt: str, graph_name: str | None) -> None:
    from graphkit.rdf import export as exporter

    if fmt in ("turtle", "ntriples") and graph_name is None:
        click.echo(f"graphkit: {fmt} holds one graph: writing 'resolved' (--format trig for all graphs)", err=True)
    if output is not None:
        exporter.write(data, output, fmt, graph=graph_name)
        click.echo(f"wrote {output}", err=True)
    else:
        exporter.write(data, sys.stdout.buffer, fmt, graph=graph_name)



@click.group()
def neo4j() -> None:
    """Install, start and stop the project's own local Neo4j 5 server (Maven Central, Java 17)."""


@neo4j.command("install")
def neo4j_install() -> None:
    """Fetch the Neo4j jars with Maven and compile the launcher (cached after the first time)."""
    from graphkit.store import neo4j_runtime
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
@click.option("--port", type=click.IntRange(0, 65535), default=7687, show_default=True,
              help="Bolt port on 127.0.0.1 (0: any free port).")
@click.option("--heap-mb", type=click.IntRange(min=128), default=1024, show_default=True)
@click.option("--pagecache-mb", type=click.IntRange(min=8), default=256, show_default=True)
@click.option("--keep-data", is_flag=True, help="Reuse the data already in --home instead of starting empty.")
def neo4j_start(home: Path, port: int, heap_mb: int, pagecache_mb: int, keep_data: bool) -> None:
    """Start a server in the background and wait until Bolt answers."""
    from graphkit.store import neo4j_runtime
    server = neo4j_runtime.start(
        home, port=port or None, heap_mb=heap_mb, pagecache_mb=pagecache_mb, fresh=not keep_data
    )
    click.echo(f"Neo4j running: {server.uri} (pid {server.pid}, data {server.home})")


@neo4j.command("stop")
def neo4j_stop() -> None:
    """Stop every Neo4j server this project started."""
    from graphkit.store import neo4j_runtime
    n = neo4j_runtime.stop_all()
    click.echo(f"stopped {n} Neo4j server(s)")


@neo4j.command("status")
def neo4j_status() -> None:
    """List the running Neo4j servers this project started."""
    from graphkit.store import neo4j_runtime
    servers = neo4j_runtime.running()
    for s in servers:
        click.echo(f"{s.uri} pid {s.pid} data {s.home}")
    if not servers:
        click.echo("no Neo4j server running")

