"""Settings, read at the edge (CLI, API factory) and passed down as arguments (rule 2)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Settings:
    store: str = "oxigraph"  # "oxigraph" (embedded, default) or "neo4j"
    store_path: Path = PROJECT_ROOT / "build" / "store"
    seeds_dir: Path = PROJECT_ROOT / "seeds"
    neo4j_uri: str = "bolt://127.0.0.1:7687"
    neo4j_user: str = "neo4j"
    neo4j_password: str = ""
    neo4j_database: str = "neo4j"

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> Settings:
        e = os.environ if env is None else env
        d = cls()
        return cls(
            store=e.get("GRAPHKIT_STORE", d.store),
            store_path=Path(e.get("GRAPHKIT_STORE_PATH", str(d.store_path))),
            seeds_dir=Path(e.get("GRAPHKIT_SEEDS", str(d.seeds_dir))),
            neo4j_uri=e.get("NEO4J_URI", d.neo4j_uri),
            neo4j_user=e.get("NEO4J_USER", d.neo4j_user),
            neo4j_password=e.get("NEO4J_PASSWORD", d.neo4j_password),
            neo4j_database=e.get("NEO4J_DATABASE", d.neo4j_database),
        )
