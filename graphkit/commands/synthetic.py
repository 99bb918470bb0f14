"""``graphkit synthetic``: a seeded synthetic health economy with England's shape, written as the national files
(graphkit/synthetic.py, docs/synthetic.md)."""

from __future__ import annotations

from pathlib import Path

import click


@click.command()
@click.argument("out_dir", type=click.Path(path_type=Path, file_okay=False))
@click.option("--scale", type=float, default=1.0, show_default=True,
              help="Size relative to England, from 0.001 to 100 (1: about 6,800 practices; below 0.05 there are no "
                   "federations).")
@click.option("--seed", type=int, default=1, show_default=True, help="The same seed and scale give the same bytes.")
@click.option("--force", is_flag=True, help="Write into a folder that is not empty (files of the same names replaced).")
def synthetic(out_dir: Path, scale: float, seed: int, force: bool) -> None:
    """Write a synthetic economy to OUT_DIR, an empty or new folder (ods/, payments/, casestudies/); build it with
    `graphkit build --seeds OUT_DIR --case-studies`."""
    from graphkit.synthetic import generate

    rows = generate(out_dir, scale=scale, seed=seed, overwrite=force)
    for name, n in rows.items():
        click.echo(f"{name}: {n} rows")
    click.echo(f"{sum(rows.values())} rows in {len(rows)} files under {out_dir}; build it with "
               f"`graphkit build --seeds {out_dir} --case-studies`")
