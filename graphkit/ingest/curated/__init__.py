"""Curated inputs: what ODS does not hold (federations, boards, people and posts, contracts and who
delivers under them, lateral ties), kept by users as CSV tables (docs/curated.md).

:func:`write_templates` writes the empty tables, each with comment lines explaining its columns;
:func:`read_curated` reads a directory of them (or one table) into import results, one per table,
checking every row. Problems name the file, the line and the column, and are all reported at once;
a set with any problem loads nothing. Codes are checked against the whole graph at build time
(:func:`check_references`), once the national files and the curated organisations are merged.

The modules, in the order a set goes through them: ``tables`` (the tables, their columns and templates),
``read`` (files and lines), ``values`` (one value by its column's kind), ``records`` (rows made records),
``references`` (codes checked against the graph). Their public names, and the ``_parse`` and ``_BAD`` the
tests use, are importable from here.
"""

from __future__ import annotations

from pathlib import Path

from graphkit.core.model import ImportResult
from graphkit.errors import InputError, InputProblem
from graphkit.ingest.curated.read import read_table, set_files
from graphkit.ingest.curated.records import records
from graphkit.ingest.curated.references import check_references
from graphkit.ingest.curated.tables import (
    CURATED,
    TABLES,
    Column,
    concept_of,
    function_concept,
    function_notation,
    is_curated_table,
    notation_of,
    template_text,
    vocabulary,
    write_templates,
)
from graphkit.ingest.curated.values import _BAD, _parse
from graphkit.ingest.importers.files import check_input_path

__all__ = [
    "CURATED",
    "TABLES",
    "_BAD",
    "Column",
    "_parse",
    "check_references",
    "concept_of",
    "function_concept",
    "function_notation",
    "is_curated_table",
    "notation_of",
    "read_curated",
    "read_tables",
    "template_text",
    "vocabulary",
    "write_templates",
]


def read_curated(path: Path) -> list[ImportResult]:
    """One import result per table of a curated set (a directory of tables, or one table). Every problem
    of every table is collected; any problem raises InputError with all of them and nothing is returned.
    A row that repeats an earlier row of its table exactly is loaded once and reported (``rejects``)."""
    path = Path(path)
    problems: list[InputProblem] = []
    files = set_files(path, problems)
    if problems:
        raise InputError(problems)
    return read_tables(files, path.name if path.is_dir() else path.parent.name)


def read_tables(files: list[Path], set_name: str) -> list[ImportResult]:
    """The tables ``files`` (each checked by :func:`check_input_path`) read as one set named ``set_name``:
    the rules of :func:`read_curated`, every problem of every table raised at once."""
    problems: list[InputProblem] = []
    for p in files:
        try:
            check_input_path(p)
        except InputError as err:
            problems.extend(err.problems)
    if problems:
        raise InputError(problems)
    tables = [read_table(p, problems) for p in files]
    results = records(tables, set_name, problems)
    if problems:
        raise InputError(problems)
    return results
