"""The reorganisation commands: ``changes`` (what changed in an area between two dates), ``crosswalk`` (the areas of
one date mapped onto those of another) and ``apportion`` (figures by old area carried onto new areas);
graphkit/store/reorganisation.py, docs/reorganisations.md."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

import click

from graphkit.config import Settings

LEVEL_HELP = "practice, pcn, commissioner (ccg, sub-icb), system (stp, icb) or region"


def _write(text: str, output: Path | None) -> None:
    if output is None:
        click.echo(text, nl=False)
        return
    if not output.resolve().parent.is_dir():
        raise FileNotFoundError(2, "No such directory", str(output.resolve().parent))
    output.write_text(text, encoding="utf-8")
    click.echo(f"wrote {output}", err=True)


def _days(first: str, second: str, names: tuple[str, str]) -> tuple[Any, Any]:
    from graphkit.core.temporal import parse_as_of

    return parse_as_of(first, name=names[0]), parse_as_of(second, name=names[1])


@click.command()
@click.option("--from", "from_", required=True, help="First date (exclusive), YYYY-MM-DD.")
@click.option("--to", "to", required=True, help="Last date (inclusive), YYYY-MM-DD.")
@click.option("--within", default=None, help="Code of an area (PCN, CCG or sub-ICB location, STP or ICB, region).")
@click.option("--kind", "kinds", multiple=True, help="A kind of change to keep (repeatable), e.g. moved_pcn.")
@click.option("--format", "fmt", type=click.Choice(["json", "csv"]), default="json", show_default=True)
@click.option("-o", "--output", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="File to write [default: standard output].")
@click.pass_obj
def changes(settings: Settings, from_: str, to: str, within: str | None, kinds: tuple[str, ...], fmt: str,
            output: Path | None) -> None:
    """Every change to the organisations of an area between two dates, with its day, precision and sources."""
    from graphkit.store import reorganisation as reorg
    from graphkit.store.open import open_store

    start, end = _days(from_, to, ("--from", "--to"))
    store = open_store(settings)
    try:
        found = reorg.changes(store, start, end, within=within.upper() if within else None, kinds=kinds or None)
    finally:
        store.close()
    if fmt == "csv":
        notes = [f"changes after {start} up to {end}" + (f" within {within.upper()}" if within else ""),
                 "summary: " + ", ".join(f"{k} {n}" for k, n in reorg.summary(found).items())]
        _write(reorg.to_csv(reorg.CHANGE_COLUMNS, [dataclasses.asdict(c) for c in found], notes), output)
    else:
        body = {"from": start, "to": end, "within": within, "count": len(found), "summary": reorg.summary(found),
                "data": [dataclasses.asdict(c) for c in found]}
        _write(json.dumps(body, indent=1, ensure_ascii=False, default=str) + "\n", output)


@click.command()
@click.option("--from-level", required=True, help=LEVEL_HELP)
@click.option("--from-date", required=True, help="Date of the old areas, YYYY-MM-DD.")
@click.option("--to-level", required=True, help=LEVEL_HELP)
@click.option("--to-date", required=True, help="Date of the new areas, YYYY-MM-DD.")
@click.option("--format", "fmt", type=click.Choice(["json", "csv"]), default="json", show_default=True)
@click.option("--table", type=click.Choice(["rows", "areas", "unmapped"]), default="rows", show_default=True,
              help="Which table, for --format csv.")
@click.option("-o", "--output", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="File to write [default: standard output].")
@click.pass_obj
def crosswalk(settings: Settings, from_level: str, from_date: str, to_level: str, to_date: str, fmt: str, table: str,
              output: Path | None) -> None:
    """Map every area of one level on one date onto the areas of another level on another date, through the
    practices they share, with weights by practices and by patients."""
    from graphkit.store import reorganisation as reorg
    from graphkit.store.open import open_store

    start, end = _days(from_date, to_date, ("--from-date", "--to-date"))
    reorg.level_name(from_level, "--from-level")
    reorg.level_name(to_level, "--to-level")
    store = open_store(settings)
    try:
        walk = reorg.crosswalk(store, from_level, start, to_level, end)
    finally:
        store.close()
    if fmt == "csv":
        columns, rows = reorg.crosswalk_table(walk, table)
        _write(reorg.to_csv(columns, rows, reorg.crosswalk_notes(walk)), output)
    else:
        _write(json.dumps(dataclasses.asdict(walk), indent=1, ensure_ascii=False, default=str) + "\n", output)


@click.command()
@click.argument("values", type=click.Path(path_type=Path, dir_okay=False, exists=True))
@click.option("--from-level", required=True, help=LEVEL_HELP)
@click.option("--from-date", required=True, help="Date of the old areas, YYYY-MM-DD.")
@click.option("--to-level", required=True, help=LEVEL_HELP)
@click.option("--to-date", required=True, help="Date of the new areas, YYYY-MM-DD.")
@click.option("--weight", type=click.Choice(["patients", "practices"]), default="patients", show_default=True)
@click.option("-o", "--output", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="File to write [default: standard output].")
@click.pass_obj
def apportion(settings: Settings, values: Path, from_level: str, from_date: str, to_level: str, to_date: str,
              weight: str, output: Path | None) -> None:
    """Carry the figures of VALUES (a CSV: the old area code in the first column, numbers in the others) onto the
    new areas of a crosswalk, with the weights used."""
    from graphkit.errors import InputError, InputProblem
    from graphkit.store import reorganisation as reorg
    from graphkit.store.open import open_store

    start, end = _days(from_date, to_date, ("--from-date", "--to-date"))
    reorg.level_name(from_level, "--from-level")
    reorg.level_name(to_level, "--to-level")
    try:
        text = values.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise InputError([InputProblem(str(values), None, None, f"not UTF-8 text (byte {e.start})")]) from None
    header, figures = reorg.read_values(text, str(values))
    store = open_store(settings)
    try:
        walk = reorg.crosswalk(store, from_level, start, to_level, end)
    finally:
        store.close()
    _write(reorg.apportion_csv(walk, header, figures, weight=weight, source=str(values)), output)
