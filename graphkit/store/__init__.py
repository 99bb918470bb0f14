"""Stores behind one protocol: embedded Oxigraph (default) and Neo4j (scale)."""

from graphkit.store.base import GraphStore, HierarchyLevel, NameView, OrganisationView, StoreSummary, TieView

__all__ = ["GraphStore", "HierarchyLevel", "NameView", "OrganisationView", "StoreSummary", "TieView"]
