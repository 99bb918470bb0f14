"""A small cache of expensive answers, kept on the app: the stores are read-only while the app serves them."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any

from fastapi import Request


class Recent:
    """The last ``size`` answers, by key. One computation at a time: a second caller of the same key waits and
    reuses the answer instead of computing it again."""

    def __init__(self, size: int = 4) -> None:
        self.size = size
        self._answers: OrderedDict[Hashable, Any] = OrderedDict()
        self._lock = threading.Lock()

    def peek(self, key: Hashable, default: Any = None) -> Any:
        """The answer kept for ``key``, or ``default``; never computes, never waits for a computation."""
        return self._answers.get(key, default)

    def get(self, key: Hashable, compute: Callable[[], Any]) -> Any:
        with self._lock:
            if key in self._answers:
                self._answers.move_to_end(key)
                return self._answers[key]
            answer = compute()
            self._answers[key] = answer
            while len(self._answers) > self.size:
                self._answers.popitem(last=False)
            return answer


def store_key(store: object) -> Hashable:
    """What tells one store from another in a cache key: the directory of an embedded store's generation (a new
    build is a new directory), or the store object itself (Neo4j)."""
    path = getattr(store, "path", None)
    return str(path) if path is not None else id(store)


def recent(request: Request, name: str, size: int = 4) -> Recent:
    """The app's cache called ``name`` (created on first use)."""
    caches = _caches(request)
    if name not in caches:
        caches[name] = Recent(size)
    return caches[name]


def _caches(request: Request) -> dict[str, Recent]:
    state = request.app.state
    if not hasattr(state, "caches"):
        state.caches = {}
    return state.caches
