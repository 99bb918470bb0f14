"""The embedded store: Oxigraph on disk (pyoxigraph), SPARQL 1.1, one named graph per source.

- :mod:`~graphkit.store.oxigraph.load`: :func:`load_nquads`, all-or-nothing and crash-safe: a complete new
  generation of the store, switched in only when it is finished (graphkit/store/generations.py);
  :func:`change_copy`, the same for a copy of the current generation with a change applied (``graphkit import``);
- :mod:`~graphkit.store.oxigraph.sparql`: every query the store asks;
- :mod:`~graphkit.store.oxigraph.store`: :class:`OxigraphStore`, the GraphStore lookups.
"""

from graphkit.store.oxigraph.load import change_copy, load_nquads
from graphkit.store.oxigraph.store import KIND, OxigraphStore

__all__ = ["KIND", "OxigraphStore", "change_copy", "load_nquads"]
