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


@load.command("neo4j")
@_neo4j_options
@click.pass_obj
def load_neo4j(settings: Settings, uri: str, user: str, password: str, database: str) -> None:
    """Load the embedded store's content into Neo4j, all or nothing (the previous graph stays until the new
    one is complete; loading twice changes nothing). The records come from the state the build kept (about a
    second) or, when there is none this code can use, from the store's quads (about 20 s for England)."""
    from graphkit.core.gcpause import collector_paused
    from graphkit.store.neo4j import Neo4jStore
    from graphkit.store.records import load_neo4j

    # the records and the plan: millions of small objects and no cycle, kept until the command ends (a collection
    # walking them would take about a second, twice)
    with collector_paused(freeze=True), open_progress(sys.stderr) as progress, \
            _neo4j_driver(uri, user, password) as driver:
        store = Neo4jStore(driver, database=database)
        came_from = load_neo4j(settings.store_path, store, progress)
        s = store.summary()
    click.echo(
        f"loaded into {uri} (database {database}) from {came_from}: {s.organisations} organisations, "
        f"{len(s.sources)} source files"
    )


#: The formats of an area as of a date (what GET /export gives); turtle is one too with --as-of or --within.
AREA_FORMATS = ("jsonld", "graphml", "csv", "datapackage")


@click.command()
@click.option(
    "--from", "source", type=click.Choice(["embedded", "neo4j"]), default="embedded", show_default=True,
    help="The store to export from.",
)
@click.option(
    "--format", "fmt", type=click.Choice(["trig", "nquads", "turtle", "ntriples", *AREA_FORMATS]), default="trig",
    show_default=True, help="trig and nquads hold every named graph; turtle and ntriples hold one (--graph). "
    "jsonld, graphml, csv and datapackage (and turtle with --as-of or --within) are an area as of a date, as "
    "GET /export gives it.",
)
@click.option(
    "--graph", "graph_name", default=None,
    help="One graph: 'resolved', 'ontology' or a source slug [turtle/ntriples default: resolved].",
)
@click.option("--as-of", "as_of", default=None,
              help="An area export: the date, YYYY-MM-DD [default: today].")
@click.option("--within", default=None,
              help="An area export: the code of the area (PCN, sub-ICB location or CCG, ICB or STP, region) "
              "[default: the whole country].")
@click.option("--table", type=click.Choice(["organisations", "ties"]), default="ties", show_default=True,
              help="For --format csv: which table.")
@click.option("--context", "context_url", default=None,
              help="For --format jsonld: name the JSON-LD context by this URL (a server's /context.jsonld) "
              "instead of putting the context in the file [default: in the file].")
@click.option("-o", "--output", type=click.Path(path_type=Path), default=None,
              help="File to write [default: stdout]; for datapackage a directory, or FILE.zip (required).")
@_neo4j_options
@click.pass_obj
def export(
    settings: Settings, source: str, fmt: str, graph_name: str | None, as_of: str | None, within: str | None,
    table: str, context_url: str | None, output: Path | None, uri: str, user: str, password: str, database: str,
) -> None:
    """Export the graph as RDF from either store: the resolved graph, one graph per source file with each
    statement's line (provenance), and the ontology. The embedded store's own quads are written as they are;
    Neo4j's graph is read back into records and rebuilt as the same quads.

    With --format jsonld, graphml, csv or datapackage, or with --as-of or --within: an area (or the country) as
    of a date, the files GET /export gives (docs/api.md, "Export"); JSON-LD holds its context, so that it reads
    offline; a data package is written as a directory or a zip (-o DIR or -o FILE.zip)."""
    from graphkit.rdf import export as exporter
    from graphkit.store.neo4j import Neo4jStore
    from graphkit.store.oxigraph import OxigraphStore

    if fmt in AREA_FORMATS or as_of is not None or within is not None:
        if fmt not in (*AREA_FORMATS, "turtle"):
            raise click.UsageError(f"--format {fmt} is the whole store's: an area is exported as turtle, "
                                   + ", ".join(AREA_FORMATS))
        if fmt == "datapackage" and output is None:
            raise click.UsageError("--format datapackage needs -o DIR or -o FILE.zip")
        if source == "neo4j":
            with _neo4j_driver(uri, user, password) as driver:
                _write_area(Neo4jStore(driver, database=database), fmt, as_of, within, table, context_url, output)
        else:
            store = OxigraphStore(settings.store_path)
            try:
                _write_area(store, fmt, as_of, within, table, context_url, output)
            finally:
                store.close()
        return
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


def _write_area(store: Any, fmt: str, as_of: str | None, within: str | None, table: str, context_url: str | None,
                output: Path | None) -> None:
    from graphkit.core.temporal import parse_as_of
    from graphkit.outputs import area as area_export
    from graphkit.outputs import datapackage

    day = parse_as_of(as_of, name="--as-of")
    area = area_export.area_graph(store, within.upper() if within else None, day)
    if fmt == "datapackage":
        assert output is not None
        written = datapackage.write(datapackage.package(area, store.source_files()), output)
        click.echo(f"wrote {written}", err=True)
        return
    body = area_export.to_jsonld(area, context_url) if fmt == "jsonld" else area_export.render(area, fmt, table=table)
    if output is None:
        sys.stdout.buffer.write(body)
        return
    output.write_bytes(body)
    click.echo(f"wrote {output}", err=True)


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

