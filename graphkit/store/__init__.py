"""Stores behind one protocol: embedded Oxigraph (default) and Neo4j (scale)."""

from graphkit.store.base import GraphStore, OrganisationView, ParentView, StoreSummary

__all__ = ["GraphStore", "OrganisationView", "ParentView", "StoreSummary"]
