"""CSV cells no spreadsheet will evaluate: the one rule for every CSV the project writes (the exports, the API's
tables, the SPARQL results). Light on purpose: the SPARQL child (graphkit/query/child.py), which starts for every
query, imports it without the rest of the project."""

from __future__ import annotations

#: First characters that make a spreadsheet read a cell as a formula (OWASP, "CSV Injection"): such a cell is
#: written with a leading apostrophe, which spreadsheets show as text and never evaluate.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutralise(text: str) -> str:
    """A CSV cell that no spreadsheet will evaluate: text starting with a formula character gets a leading ``'``.

    >>> neutralise("=cmd|' /C calc'!A0"), neutralise("Stockton PCN"), neutralise("@SUM(A1)")
    ("'=cmd|' /C calc'!A0", 'Stockton PCN', "'@SUM(A1)")
    """
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text
