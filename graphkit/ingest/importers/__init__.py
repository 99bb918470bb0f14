"""Importers: one module per source format. Each reads a file into plain records
(:mod:`graphkit.core.model`) and reports every row it cannot load."""
