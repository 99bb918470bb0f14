"""The commands that read the graph as of a date: ``analyse`` (the registered analyses) and ``draw`` (a picture
of an economy)."""

from __future__ import annotations

import json
from pathlib import Path

import click

from graphkit.config import Settings


@click.command()
@click.argument("name", required=False)
@click.option("--as-of", "as_of", default=None, help="Date of the projected graph, YYYY-MM-DD [default: today].")
@click.option("--list-size-year", default=None, help="Financial year of the list sizes (YYYY-YY), e.g. 2022-23.")
@click.option("-p", "--param", "params", multiple=True, metavar="KEY=VALUE", help="An analysis parameter.")
@click.option("--centre", default=None, help="Parameter centre: one federation or PCN (-p centre=CODE).")
@click.option("--kind", default=None, help="Parameter kind: every centre of this kind, federation or pcn, one row "
              "each (-p kind=KIND).")
@click.option("--area", default=None, help="Parameter area: only organisations in this area on the date, e.g. 16C, "
              "an ICB, a region or ZZF-CCG-STR (-p area=CODE).")
@click.option("--limit", default=None, help="Parameter limit: rows of the every-centre mode (-p limit=N).")
@click.option("--offset", default=None, help="Parameter offset: rows to skip in the every-centre mode (-p offset=N).")
@click.pass_obj
def analyse(
    settings: Settings, name: str | None, as_of: str | None, list_size_year: str | None, params: tuple[str, ...],
    centre: str | None, kind: str | None, area: str | None, limit: str | None, offset: str | None,
) -> None:
    """Run an analysis on the graph as of a date (no NAME: list the analyses and their parameters). --centre,
    --kind, --area, --limit and --offset are its parameters of those names (an analysis without one refuses it)."""
    from graphkit.analysis import registry
    from graphkit.core.temporal import parse_as_of
    from graphkit.errors import BadParameter
    from graphkit.store.open import open_store

    if name is None:
        for a in registry.list_analyses():
            click.echo(f"{a['name']}: {a['description']}")
            for p in a["params"]:
                allowed = f", one of {'|'.join(p['choices'])}" if p["choices"] else ""
                click.echo(f"    {p['name']} ({p['type']}{allowed}, default {p['default']!r}): {p['description']}")
        return
    analysis = registry.get(name)
    values: dict[str, str] = {}
    for item in params:
        if "=" not in item:
            raise BadParameter(f"--param wants KEY=VALUE, got {item!r}", details={"parameter": "--param"})
        k, v = item.split("=", 1)
        values[k] = v
    for k, option in (("centre", centre), ("kind", kind), ("area", area), ("limit", limit), ("offset", offset)):
        if option is not None:
            if k in values and values[k] != option:
                raise BadParameter(f"--{k} {option!r} and -p {k}={values[k]!r} disagree", details={"parameter": k})
            values[k] = option
    analysis.bind(values)  # unknown or malformed parameters are refused before projecting
    day = parse_as_of(as_of, name="--as-of")
    from graphkit.store.areas import area_scope, require_known

    store = open_store(settings)
    try:
        graph = store.history() if analysis.temporal else store.project(day, list_size_year=list_size_year)
        result = analysis.run_for(graph, values, as_of=day.isoformat(), require=lambda code: require_known(store, code),
                                  project=lambda other: store.project(other, list_size_year=list_size_year),
                                  area=registry.area_from(lambda code: area_scope(store, code, day)))
    finally:
        store.close()
    click.echo(json.dumps(result, indent=1, ensure_ascii=False, default=str))



@click.command()
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

