"""Python's cycle collector paused while millions of small objects are made that hold no reference cycle (records
read or merged, a Neo4j load's plan): the collector would otherwise walk the growing heap again and again (measured:
reading and merging the national files take a third less CPU without it, reading the store back half)."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collector_paused(*, freeze: bool = False) -> Iterator[None]:
    """The collector off inside the block, as it was after. ``freeze``: what was made meanwhile is set aside for good
    (freed by reference counting when unused, never walked by a collection), or the first collection after the
    block walks all of it (measured: 2 s after an import); for a command that ends soon after, not for a server.
    Objects in a reference cycle made inside the block are freed only by a later collection (none when frozen)."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            if freeze:
                gc.freeze()
            gc.enable()
