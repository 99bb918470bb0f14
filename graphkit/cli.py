"""The ``graphkit`` command line. Settings come from options or the environment, nowhere else."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

import graphkit
from graphkit.config import LOOPBACK_HOSTS, Settings
from graphkit.core.progress import open_progress
from graphkit.errors import GraphkitError, InputProblem

INTERNAL_ERROR = 70  # sysexits EX_SOFTWARE: a bug in graphkit, not the user's input
IO_ERROR = 74  # sysexits EX_IOERR: a file the command reads or writes could not be


class _Group(click.Group):
    """Turns every error into one line on stderr and a non-zero exit, never a traceback: a GraphkitError
    (the user's input or environment) with its own exit code, an OSError (a file that cannot be read or
    written) with 74, and anything else, a bug, with 70 and a request to report it. click's own usage
    errors, --help and --version pass through to click."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (click.exceptions.ClickException, click.exceptions.Exit, click.exceptions.Abort):
            raise
        except GraphkitError as exc:
            click.echo(f"graphkit: error: {exc.message}", err=True)
            problems = exc.details.get("problems") if isinstance(exc.details, dict) else None
            for p in (problems or [])[1:20]:
                click.echo(f"  {InputProblem(**p) if isinstance(p, dict) else p}", err=True)
            if problems and len(problems) > 20:
                click.echo(f"  ... and {len(problems) - 20} more", err=True)
            sys.exit(exc.exit_code)
        except OSError as exc:
            where = f": {exc.filename}" if exc.filename else ""
            reason = exc.strerror or " ".join(str(exc).split())[:300] or exc.__class__.__name__
            click.echo(f"graphkit: error: {reason}{where}", err=True)
            sys.exit(IO_ERROR)
        except Exception as exc:  # a bug: one line, distinguishable by its exit code, never a traceback
            message = " ".join(str(exc).split())[:300]
            click.echo(f"graphkit: internal error ({exc.__class__.__name__}): {message}; please report", err=True)
            sys.exit(INTERNAL_ERROR)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(graphkit.__version__, prog_name="graphkit")
@click.option(
    "--store-path",
    type=click.Path(path_type=Path),
    envvar="GRAPHKIT_STORE_PATH",
    default=None,
    help="Directory of the embedded (Oxigraph) store [default: build/store].",
)
@click.option(
    "--store",
    type=click.Choice(["oxigraph", "neo4j"]),
    envvar="GRAPHKIT_STORE",
    default=None,
    help="Store `serve` and `get` answer from: the embedded store (default) or Neo4j (NEO4J_URI, NEO4J_USER, "
    "NEO4J_PASSWORD, NEO4J_DATABASE).",
)
@click.pass_context
def cli(ctx: click.Context, store_path: Path | None, store: str | None) -> None:
    """graphkit: the open knowledge graph of England's primary-care organisations."""
    settings = Settings.from_env()
    if store_path is not None:
        settings = Settings(**{**settings.__dict__, "store_path": store_path})
    if store is not None:
        settings = Settings(**{**settings.__dict__, "store": store})
    ctx.obj = settings


def _run_build(settings: Settings, inputs: list[Any], *, adding: bool = False) -> None:
    from graphkit.store.build import build as run_build
    from graphkit.store.build import import_files
    from graphkit.store.oxigraph import OxigraphStore

    # progress on stderr when it is a terminal; nothing at all on a pipe, under CI or TERM=dumb
    with open_progress(sys.stderr) as progress:
        if adding:
            report = import_files(inputs, settings.store_path, progress=progress)
        else:
            report = run_build(inputs, settings.store_path, progress=progress)
    for line in report.lines():
        click.echo(line)
    store = OxigraphStore(settings.store_path)
    s = store.summary()
    store.close()
    click.echo(
        f"store {s.kind} at {settings.store_path}: {s.organisations} organisations, {s.facts} quads, "
        f"{len(s.sources)} named graphs; data-quality report: `graphkit report`"
    )


@cli.command()
@click.option(
    "--seeds",
    type=click.Path(path_type=Path, exists=True, file_okay=False),
    default=None,
    help="Seeds directory [default: seeds/].",
)
@click.option(
    "--case-studies",
    is_flag=True,
    help="Also load the fictional case-study economy of the federation report (seeds/casestudies).",
)
@click.pass_obj
def build(settings: Settings, seeds: Path | None, case_studies: bool) -> None:
    """Build the graph from the national files in seeds/ (ods/, payments/) into the embedded store and print
    a summary."""
    from graphkit.store.build import InputFile, seed_files

    root = seeds or settings.seeds_dir
    inputs = [InputFile(p) for p in seed_files(root)]
    if case_studies:
        inputs.append(InputFile(root / "casestudies"))
    _run_build(settings, inputs)


@cli.group(name="import")
def import_() -> None:
    """Import files into the embedded store (added to the files it holds; the graph is rebuilt, all or nothing)."""


def _date_option(_: click.Context, __: click.Parameter, value: str | None) -> Any:
    if value is None:
        return None
    from graphkit.core.temporal import parse_as_of

    return parse_as_of(value, name="--vintage")


def _financial_year_option(_: click.Context, __: click.Parameter, value: str | None) -> Any:
    if value is None:
        return None
    from graphkit.errors import BadParameter
    from graphkit.ingest.importers.payments import check_financial_year

    try:
        return check_financial_year(value)
    except ValueError as exc:
        raise BadParameter(f"--financial-year: {exc}", details={"parameter": "--financial-year"}) from None


@import_.command("ods")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path, exists=True, dir_okay=False))
@click.option(
    "--vintage",
    callback=_date_option,
    default=None,
    help="Vintage (YYYY-MM-DD) of files whose name does not state it (*_YYYY-MM.*).",
)
@click.option(
    "--financial-year",
    callback=_financial_year_option,
    default=None,
    help="Financial year (YYYY-YY) of payments files.",
)
@click.pass_obj
def import_ods(settings: Settings, paths: tuple[Path, ...], vintage: Any, financial_year: str | None) -> None:
    """Import national NHS files: epraccur, eccg, etr, ePCN (xlsx or CSV sheets), practice mappings,
    QOF mapping, ONS ICB list, NHS Payments to General Practice. Each file's kind is recognised from
    its shape; an unrecognised file is refused."""
    from graphkit.store.build import InputFile

    _run_build(settings, [InputFile(p, vintage, financial_year) for p in paths], adding=True)


@import_.command("curated")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path, exists=True))
@click.pass_obj
def import_curated(settings: Settings, paths: tuple[Path, ...]) -> None:
    """Import curated tables (a directory written by `graphkit template`, or single tables): federations,
    boards, people and posts, contracts and deliveries, lateral ties (docs/curated.md). Every row is
    checked (file, line and column named in errors), codes are joined to the ODS organisations already
    imported, the shapes are checked, and only then is the store replaced."""
    from graphkit.store.build import InputFile

    _run_build(settings, [InputFile(p) for p in paths], adding=True)


@cli.command()
@click.argument("directory", type=click.Path(path_type=Path, file_okay=False))
@click.option("--force", is_flag=True, help="Overwrite tables that exist.")
def template(directory: Path, force: bool) -> None:
    """Write the empty curated tables (organisations, memberships, people, posts, contracts, deliveries,
    ties) into DIRECTORY, each with comment lines explaining its columns."""
    from graphkit.ingest.curated import write_templates

    for path in write_templates(directory, overwrite=force):
        click.echo(str(path))


@cli.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--warnings/--no-warnings", default=True, show_default=True, help="Also print warnings.")
def validate(paths: tuple[Path, ...], warnings: bool) -> None:
    """Validate input files without loading them: national files (CSV, xlsx) and curated tables (a set's
    directory, or single tables) by the importers' own rules, then RDF (Turtle, JSON-LD, N-Triples, N-Quads,
    TriG) and the imported records against ontology/shapes.ttl. Nothing is fetched over the network.

    Prints one line per problem (file, line or subject, field or property, rule); exits 1 on any violation."""
    from graphkit.rdf.validate import validate_file

    bad = 0
    for p in paths:
        rep = validate_file(p)
        for severity, line in rep.entries():
            if warnings or severity == "Violation":
                click.echo(line)
        for note in rep.notes:
            click.echo(note, err=True)
        bad += rep.violations
        if not rep.violations:
            n_warn = sum(1 for severity, _ in rep.entries() if severity != "Violation")
            click.echo(f"{p}: conforms ({n_warn} warnings)", err=True)
    if bad:
        click.echo(f"graphkit: {bad} violation(s)", err=True)
        sys.exit(1)


@cli.command()
@click.argument("name", required=False)
@click.option("--as-of", "as_of", default=None, help="Date of the projected graph, YYYY-MM-DD [default: today].")
@click.option("--list-size-year", default=None, help="Financial year of the list sizes (YYYY-YY), e.g. 2022-23.")
@click.option("-p", "--param", "params", multiple=True, metavar="KEY=VALUE", help="An analysis parameter.")
@click.pass_obj
def analyse(
    settings: Settings, name: str | None, as_of: str | None, list_size_year: str | None, params: tuple[str, ...]
) -> None:
    """Run an analysis on the graph as of a date (no NAME: list the analyses and their parameters)."""
    from graphkit.analysis import registry
    from graphkit.core.temporal import parse_as_of
    from graphkit.errors import BadParameter
    from graphkit.store.open import open_store

    if name is None:
        for a in registry.list_analyses():
            click.echo(f"{a['name']}: {a['description']}")
            for p in a["params"]:
                click.echo(f"    {p['name']} ({p['type']}, default {p['default']!r}): {p['description']}")
        return
    analysis = registry.get(name)
    values: dict[str, str] = {}
    for item in params:
        if "=" not in item:
            raise BadParameter(f"--param wants KEY=VALUE, got {item!r}", details={"parameter": "--param"})
        k, v = item.split("=", 1)
        values[k] = v
    analysis.bind(values)
    store = open_store(settings)
    graph = store.project(parse_as_of(as_of, name="--as-of"), list_size_year=list_size_year)
    click.echo(json.dumps(analysis.run(graph, **values), indent=1, ensure_ascii=False, default=str))


@cli.group()
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
    """The merged-graph records the embedded store holds (read from its quads)."""
    from graphkit.rdf.read import read_dataset
    from graphkit.store.oxigraph import OxigraphStore

    store = OxigraphStore(settings.store_path)  # StoreUnavailable when there is none
    try:
        return read_dataset(store._store)
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


@cli.command()
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
    """Export the graph as RDF, rebuilt from either store: the resolved graph, one graph per source file
    with each statement's line (provenance), and the ontology."""
    from graphkit.rdf import export as exporter
    from graphkit.store.neo4j import Neo4jStore

    if source == "neo4j":
        with _neo4j_driver(uri, user, password) as driver:
            graph = Neo4jStore(driver, database=database).read_graph()
    else:
        graph = _embedded_graph(settings)
    if fmt in ("turtle", "ntriples") and graph_name is None:
        click.echo(f"graphkit: {fmt} holds one graph: writing 'resolved' (--format trig for all graphs)", err=True)
    data = exporter.dataset(graph)
    if output is not None:
        exporter.write(data, output, fmt, graph=graph_name)
        click.echo(f"wrote {output}", err=True)
    else:
        exporter.write(data, sys.stdout.buffer, fmt, graph=graph_name)


@cli.command()
@click.option("--rule", default=None, help="Show only issues of this rule (e.g. practice-in-two-pcns).")
@click.option("--limit", default=50, show_default=True, type=click.IntRange(min=0), help="Issues to print (0: all).")
@click.pass_obj
def report(settings: Settings, rule: str | None, limit: int) -> None:
    """Print the data-quality report of the last build: counts per rule, then the issues."""
    from graphkit.errors import StoreUnavailable
    from graphkit.ingest.quality import QualityReport
    from graphkit.store.build import report_path

    path = report_path(settings.store_path)
    if not path.exists():
        raise StoreUnavailable(f"no data-quality report at {path}; run `graphkit build` first")
    q = QualityReport.read(path)
    for key, n in sorted(q.counts().items()):
        click.echo(f"{n:7d}  {key}")
    issues = q.by_rule(rule) if rule else q.issues
    for i in issues[: limit or None]:
        where = ":".join(str(x) for x in (i.file, i.line) if x is not None)
        click.echo(f"{i.severity}\t{i.rule}\t{where}\t{i.field or ''}\t{i.message}")


@cli.command()
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


@cli.command()
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


@cli.command()
@click.argument("code")
@click.option("--as-of", "as_of", default=None, help="Date of the economy, YYYY-MM-DD [default: today].")
@click.option("-o", "--output", type=click.Path(path_type=Path, dir_okay=False), required=True,
              help="The picture to write: FILE.svg or FILE.png.")
@click.option("--depth", default=1, show_default=True, type=click.IntRange(0, 4),
              help="Membership ties to follow out from the organisation.")
@click.option("--members-only", is_flag=True,
              help="Only the organisation, its members and the ties among them (a federation's internal network).")
@click.option("--width", default=1200, show_default=True, type=click.IntRange(200, 4000), help="Pixels.")
@click.option("--height", default=900, show_default=True, type=click.IntRange(200, 4000), help="Pixels.")
@click.pass_obj
def draw(settings: Settings, code: str, as_of: str | None, output: Path, depth: int, members_only: bool,
         width: int, height: int) -> None:
    """Draw the local health economy around CODE as of a date (SVG or PNG, by the file's extension): nodes
    coloured by kind and sized by list size, membership, tie and contract edges, a legend (docs/pictures.md)."""
    from graphkit.core.temporal import parse_as_of
    from graphkit.outputs import draw as drawing
    from graphkit.store.open import open_store

    fmt = drawing.format_of(output)
    day = parse_as_of(as_of, name="--as-of")
    if not output.resolve().parent.is_dir():
        raise FileNotFoundError(2, "No such directory", str(output.resolve().parent))
    store = open_store(settings)
    try:
        picture = drawing.draw(store, code, day, fmt, depth=depth, members_only=members_only, width=width,
                               height=height)
    finally:
        store.close()
    output.write_bytes(picture)
    click.echo(f"wrote {output} ({fmt}, {width}x{height} px, {code.upper()} as of {day.isoformat()})", err=True)


@cli.group()
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


def main() -> None:
    cli(prog_name="graphkit")


if __name__ == "__main__":
    main()
