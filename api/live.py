"""The store the API serves, followed across rebuilds: when a build publishes a new generation of the
embedded store (graphkit/store/generations.py), the server switches to it as a whole.

Each request takes exactly one store with :meth:`LiveStore.acquire` and uses it from start to end, so
a request sees the old graph or the new one, never a mixture. ``acquire`` checks at most every
``check_every`` seconds (one ``realpath``) whether the store's symlink names a new generation; if so it
opens that one and makes it current; a watcher thread does the same check in the background, so that an
idle server switches too. The previous store stays open until its last request ends; it is then closed,
its lease released, and a background clean deletes its directory (unless a build is running, which
cleans when it ends). Leftovers of killed builds are cleaned when the holder starts. Over Neo4j, or over
a store handed in by the caller, :meth:`LiveStore.fixed` serves that one store and never switches.

``generation`` names what a request sees (the generation id, or the store kind for a fixed store):
caches of answers computed from the graph must key on it, so that they never serve the old graph's
answers after a switch.
"""

from __future__ import annotations

import contextlib
import logging
import os
import threading
import time
import weakref
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from graphkit.errors import GraphkitError, StoreUnavailable
from graphkit.store.base import GraphStore

log = logging.getLogger(__name__)


@dataclass(eq=False)
class _Held:
    """One open store, the generation it reads, and how many requests use it now."""

    store: GraphStore
    generation: str
    identity: tuple[int, int] | None  # (device, inode) of the directory it reads; None for a fixed store
    users: int = 0
    retired: bool = False


class LiveStore:
    """The current store of the API, switched to a newly built generation as a whole (see the module)."""

    _watcher: threading.Thread | None

    def __init__(self, store_path: Path, *, check_every: float = 0.5, clean_released: bool = True,
                 watch: bool = True) -> None:
        """Open the embedded store at ``store_path`` (StoreUnavailable when there is none) and follow it.

        ``watch`` also checks for a new generation in a background thread every ``check_every`` seconds (at
        least every 0.5 s), so that an idle server still switches and releases the old generation's disk
        space. What killed builds left is cleaned at once, in the background."""
        from graphkit.store.oxigraph import OxigraphStore

        self._setup(_held_oxigraph(OxigraphStore(store_path)), Path(store_path), check_every, clean_released)
        if clean_released:
            self._clean_in_background()
        if watch:
            watcher = threading.Thread(target=_watch, args=(weakref.ref(self), self._stop), daemon=True,
                                       name="store-watch")
            self._watcher = watcher
            watcher.start()

    @classmethod
    def fixed(cls, store: GraphStore) -> LiveStore:
        """A holder of one store that never switches (Neo4j, or a store the caller opened)."""
        live = cls.__new__(cls)
        live._setup(_Held(store, getattr(store, "generation", store.kind), None), None, 0.0, False)
        return live

    def _setup(self, held: _Held, store_path: Path | None, check_every: float, clean_released: bool) -> None:
        self.store_path = store_path
        self.check_every = check_every
        self.clean_released = clean_released
        self._lock = threading.Lock()
        self._held = held
        self._checked = time.monotonic()
        self._cleaners: list[threading.Thread] = []
        self._closed = False
        self._stop = threading.Event()
        self._watcher = None
        self.on_switch: Callable[[], None] | None = None  # called (lock held) after a switch to a new generation

    @property
    def kind(self) -> str:
        return self._held.store.kind

    @property
    def generation(self) -> str:
        """The generation new requests get now."""
        return self._held.generation

    @contextlib.contextmanager
    def acquire(self) -> Iterator[GraphStore]:
        """The current store, for one request: it stays open (and its generation on disk) until the block
        ends, even if a newer generation becomes current meanwhile."""
        with self._lock:
            if self._closed:
                raise StoreUnavailable("the server is shutting down: its store is closed")
            if self.store_path is not None and time.monotonic() - self._checked >= self.check_every:
                self._switch_if_new()
            held = self._held
            held.users += 1
        try:
            yield held.store
        finally:
            with self._lock:
                held.users -= 1
                done = held.retired and held.users == 0
            if done:
                self._release(held)

    def generation_of(self, store: GraphStore) -> str:
        """The generation a store acquired from this holder reads."""
        return getattr(store, "generation", store.kind)

    def refresh(self) -> bool:
        """Check now for a new generation and switch to it; True when it switched."""
        with self._lock:
            before = self._held
            if self.store_path is not None and not self._closed:
                self._switch_if_new()
            return self._held is not before

    def close(self) -> None:
        """Close the current store (at shutdown). A store still retiring is closed by its last request."""
        self._stop.set()
        if self._watcher is not None:
            self._watcher.join(timeout=5)
        with self._lock:
            self._closed = True
            held = self._held
            held.retired = True
            done = held.users == 0
        if done:
            self._release(held, clean=False)
        for t in self._cleaners:
            t.join(timeout=30)

    def wait_for_cleaning(self, timeout: float = 30.0) -> None:
        """Wait until the background cleans started so far have ended (for tests and shutdown)."""
        for t in list(self._cleaners):
            t.join(timeout=timeout)

    def __getattr__(self, name: str) -> Any:
        """The current store's attributes, for one-off use outside a request (``app.state.store.kind``,
        ``.summary()``): a method runs on one acquired store."""
        if name.startswith("_"):
            raise AttributeError(name)
        value = getattr(self._held.store, name)
        if not callable(value):
            return value

        def on_current(*args: Any, **kwargs: Any) -> Any:
            with self.acquire() as store:
                return getattr(store, name)(*args, **kwargs)

        return on_current

    # -- switching --------------------------------------------------------------------------------
    def _switch_if_new(self) -> None:
        """Open the generation the store path names now, if it is not the current one (lock held). A
        generation that cannot be opened is logged and the current one kept: the next check tries again."""
        from graphkit.store import generations
        from graphkit.store.oxigraph import OxigraphStore

        assert self.store_path is not None
        self._checked = time.monotonic()
        here = generations.current(self.store_path)
        if here is None or _identity(here) == self._held.identity:
            return
        try:
            fresh = _held_oxigraph(OxigraphStore(self.store_path))
        except (GraphkitError, OSError) as exc:
            log.warning("cannot switch to the new store at %s: %s", self.store_path, exc)
            return
        old = self._held
        old.retired = True
        self._held = fresh
        log.info("switched to store generation %s (was %s)", fresh.generation, old.generation)
        if self.on_switch is not None:
            self.on_switch()
        if old.users == 0:
            # closed here, under the lock: nothing else can take it any more
            self._release(old)

    def _release(self, held: _Held, *, clean: bool = True) -> None:
        """Close a retired store (its lease goes with it), then clean its directory in the background."""
        held.store.close()
        if clean and self.clean_released:
            self._clean_in_background()

    def _clean_in_background(self) -> None:
        if self.store_path is None:
            return
        t = threading.Thread(target=_clean_quietly, args=(self.store_path,), daemon=True, name="store-clean")
        self._cleaners = [c for c in self._cleaners if c.is_alive()] + [t]
        t.start()


def _watch(ref: weakref.ReferenceType[LiveStore], stop: threading.Event) -> None:
    """Refresh the holder every check interval until it is closed or dropped: the thread holds it only
    weakly, so an app dropped without shutdown still lets its store be closed and its generation go."""
    while True:
        live = ref()
        if live is None:
            return
        interval = min(max(live.check_every, 0.05), 0.5)
        try:
            live.refresh()
        except Exception as exc:  # the watcher must outlive any one failure; requests still check
            log.warning("store watch: %s", exc)
        del live
        if stop.wait(interval):
            return


def _held_oxigraph(store: Any) -> _Held:
    return _Held(store, store.generation, _identity(store.path))


def _identity(path: Path) -> tuple[int, int] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_dev, st.st_ino


def _clean_quietly(store_path: Path) -> None:
    """Delete released generations; a server that may not write there leaves it to the next build."""
    from graphkit.store import generations

    try:
        removed = generations.clean(store_path)
    except OSError as exc:
        # info, not a warning: a reader without write access (`graphkit get` as another user) is normal
        log.info("cannot clean the old store generations at %s: %s", store_path, exc)
        return
    if removed:
        log.info("removed %s", ", ".join(p.name for p in removed))
