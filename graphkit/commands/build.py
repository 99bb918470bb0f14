"""The commands that make the store and check inputs: ``build``, ``import ods|curated``, ``template``,
``validate`` and ``report`` (the data-quality report of the last build)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from graphkit.config import Settings
from graphkit.core.progress import open_progress


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


@click.command()
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


@click.group(name="import")
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


@click.command()
@click.argument("directory", type=click.Path(path_type=Path, file_okay=False))
@click.option("--force", is_flag=True, help="Overwrite tables that exist.")
def template(directory: Path, force: bool) -> None:
    """Write the empty curated tables (organisations, memberships, people, posts, contracts, deliveries,
    ties) into DIRECTORY, each with comment lines explaining its columns."""
    from graphkit.ingest.curated import write_templates

    for path in write_templates(directory, overwrite=force):
        click.echo(str(path))


@click.command()
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




@click.command()
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

