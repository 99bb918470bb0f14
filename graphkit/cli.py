"""The ``graphkit`` command line. Settings come from options or the environment, nowhere else.

This module is the group (its options, and one line and an exit code for every error); the commands live in
:mod:`graphkit.commands`: ``build``, ``import``, ``template``, ``validate``, ``report`` (commands/build.py),
``analyse``, ``draw`` (commands/analyse.py), ``load``, ``export``, ``neo4j`` (commands/neo4j.py), ``serve``, ``get``
(commands/serve.py), ``changes``, ``crosswalk``, ``apportion`` (commands/reorganisation.py), ``synthetic``
(commands/synthetic.py)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

import graphkit
from graphkit.commands import analyse as analyses
from graphkit.commands import build as builds
from graphkit.commands import neo4j as neo4j_commands
from graphkit.commands import reorganisation as reorganisations
from graphkit.commands import serve as serving
from graphkit.commands import synthetic as synthetics
from graphkit.config import Settings
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
            for p in (problems or [])[1:]:  # every problem, one a line (the first line says how many)
                click.echo(f"  {InputProblem(**p) if isinstance(p, dict) else p}", err=True)
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


for _command in (
    builds.build, builds.import_, builds.template, builds.validate, builds.report,
    analyses.analyse, analyses.draw,
    neo4j_commands.load, neo4j_commands.export, neo4j_commands.neo4j,
    serving.serve, serving.get,
    reorganisations.changes, reorganisations.crosswalk, reorganisations.apportion,
    synthetics.synthetic,
):
    cli.add_command(_command)


def main() -> None:
    cli(prog_name="graphkit")


if __name__ == "__main__":
    main()
