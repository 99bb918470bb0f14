"""Generations of the embedded store: one directory per build, switched in by one rename.

Layout, beside the store path ``<store>`` (e.g. ``build/store``)::

    <store>.generations/<id>/         one complete build: the Oxigraph (RocksDB) directory itself, plus
                                      graphkit-imports.json (the files it was built from) and
                                      graphkit-report.json (its data-quality report)
    <store>  -> <store>.generations/<id>      a relative symlink: the current generation
    <store>.imports.json -> <store>/graphkit-imports.json   fixed aliases that follow the symlink
    <store>.report.json  -> <store>/graphkit-report.json
    <store>.lock                      flock'ed by the one build running

Why: the store, its manifest and its report must change together. A build writes a whole new
generation, then :func:`publish` points ``<store>`` at it with ``os.replace`` of a fresh symlink, one
atomic rename that switches all three. A kill -9 at any point leaves either the old generation or
the new one current, each with its own manifest and report; what the killed run left (a partial
generation, a temporary symlink) is removed by :func:`clean` at the start of the next build.
``<store>`` still names an Oxigraph directory, so ``pyoxigraph.Store.read_only(str(store))`` keeps
working for every caller. RocksDB keeps files it did not write in its directory (checked: they
survive bulk loads, compaction and read-only opens), so the two JSON files can live inside it.

Readers hold a *lease* on the generation they use: a shared ``flock`` on the generation directory
(:func:`lease_current`). The cleaner takes an exclusive, non-blocking ``flock`` and skips any
generation it cannot lock, so a generation is never deleted under a reader. A reader must open the
resolved generation path, never the symlink: RocksDB opens table files lazily, by the path it was
given, and through the symlink it could read files of the next generation.

A store of the previous layout (a real directory with sibling ``.imports.json``/``.report.json``) is
still read; the next build moves it aside (``<store>.old``, restored by :func:`clean` if a kill
leaves no ``<store>``) and switches to a generation.

Test hook: when the environment variable ``GRAPHKIT_TEST_CRASH_AT`` names a point (see
:data:`CRASH_POINTS`), :func:`crash_point` kills the process there with SIGKILL, so that tests and the
soak (benchmarks/soak.py) can stop a build exactly where it matters.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
import signal
import threading
import time
from collections.abc import Iterator
from pathlib import Path

from graphkit.errors import StoreUnavailable

MANIFEST = "graphkit-imports.json"
REPORT = "graphkit-report.json"
# the sibling each file had in the previous layout, now an alias of the file in the current generation
LEGACY_SIBLING = {MANIFEST: ".imports.json", REPORT: ".report.json"}
CRASH_ENV = "GRAPHKIT_TEST_CRASH_AT"
CRASH_POINTS = ("during-load", "before-switch", "after-switch", "during-clean")
LOCK_WAIT = 2.0  # seconds a build waits for the lock before it is refused
_SWITCH = ".switch-"  # temporary symlinks: <store>.switch-<pid>
_DELETING = ".deleting"  # a generation being removed: <id>.deleting


def crash_point(name: str) -> None:
    """Kill this process with SIGKILL when GRAPHKIT_TEST_CRASH_AT names this point (a test hook)."""
    if os.environ.get(CRASH_ENV) == name:
        os.kill(os.getpid(), signal.SIGKILL)


def generations_dir(store_path: Path) -> Path:
    return store_path.with_name(store_path.name + ".generations")


def lock_path(store_path: Path) -> Path:
    return store_path.with_name(store_path.name + ".lock")


def legacy_sibling(store_path: Path, name: str) -> Path:
    return store_path.with_name(store_path.name + LEGACY_SIBLING[name])


def current(store_path: Path) -> Path | None:
    """The directory ``store_path`` names now: the resolved current generation, or a store of the previous
    layout (a real directory); None when there is no store."""
    store_path = Path(store_path)
    if not store_path.is_dir():
        return None
    return store_path.resolve()


def member(store_path: Path, name: str) -> Path:
    """The file ``name`` (MANIFEST or REPORT) of the store's current generation; for a store of the previous
    layout, its sibling file. The path need not exist (no store yet, or an old build without it).

    The path goes through the store's symlink, so that it names the current generation's file whenever it
    is opened (a resolved path could name a generation deleted meanwhile)."""
    store_path = Path(store_path)
    if (store_path / name).is_file():
        return store_path / name
    return legacy_sibling(store_path, name)


def new_id() -> str:
    """A unique, sortable generation id: UTC time to the nanosecond and the builder's pid."""
    ns = time.time_ns()
    stamp = time.strftime("%Y%m%dT%H%M%S", time.gmtime(ns // 1_000_000_000))
    return f"{stamp}.{ns % 1_000_000_000:09d}-{os.getpid()}"


# -- the build lock -------------------------------------------------------------------------------
_held: dict[str, tuple[int, int, int]] = {}  # lock file -> (fd, owning thread, depth)
_held_guard = threading.Lock()


@contextlib.contextmanager
def build_lock(store_path: Path, *, wait: float = LOCK_WAIT) -> Iterator[None]:
    """Hold the one build lock of ``store_path`` (re-entrant in the thread holding it). Raises
    StoreUnavailable when another process or thread still holds it after ``wait`` seconds (a build holds it
    for its whole run; a clean only for the moment it takes to pick what to delete)."""
    path = lock_path(Path(store_path))
    path.parent.mkdir(parents=True, exist_ok=True)
    key = str(path.resolve())
    deadline = time.monotonic() + wait
    while not _try_lock(key, path):
        if time.monotonic() >= deadline:
            raise _busy(store_path, path)
        time.sleep(0.05)
    try:
        yield
    finally:
        with _held_guard:
            fd, owner, depth = _held[key]
            if depth > 1:
                _held[key] = (fd, owner, depth - 1)
            else:
                del _held[key]
                os.close(fd)  # releases the flock


def _try_lock(key: str, path: Path) -> bool:
    """Take the lock once, without waiting: True when this thread now holds it (again)."""
    me = threading.get_ident()
    with _held_guard:
        if key in _held:
            fd, owner, depth = _held[key]
            if owner != me:
                return False
            _held[key] = (fd, owner, depth + 1)
            return True
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return False
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())  # named in the message of the one refused
        _held[key] = (fd, me, 1)
        return True


def _busy(store_path: Path, path: Path) -> StoreUnavailable:
    try:
        holder = path.read_text(encoding="utf-8").strip() or "unknown"
    except OSError:
        holder = "unknown"
    return StoreUnavailable(
        f"another build of the store at {store_path} is running (pid {holder}); wait until it ends and try again",
        details={"store": str(store_path), "lock": str(path), "pid": holder},
    )


def holds_build_lock(store_path: Path) -> bool:
    """True when this thread holds the build lock of ``store_path``."""
    key = str(lock_path(Path(store_path)).resolve())
    with _held_guard:
        return key in _held and _held[key][1] == threading.get_ident()


# -- writing a generation -------------------------------------------------------------------------
def new_generation(store_path: Path, *, create: bool = True) -> Path:
    """Create the (empty) directory of a new generation, or with ``create=False`` only name it (for a copy that
    makes it: Oxigraph's backup); the caller must hold the build lock."""
    store_path = Path(store_path)
    _require_lock(store_path)
    gens = generations_dir(store_path)
    gens.mkdir(parents=True, exist_ok=True)
    gen = gens / new_id()
    if create:
        gen.mkdir()
    return gen


def publish(store_path: Path, generation: Path) -> None:
    """Make ``generation`` (complete: store, manifest and report) the current one, in one atomic rename.

    Its files are synced first, so that the switch never points at data still in memory. A store of the
    previous layout is moved aside to ``<store>.old`` (deleted by :func:`clean`; restored by it if a kill
    comes before the switch)."""
    store_path = Path(store_path)
    _require_lock(store_path)
    if generation.parent != generations_dir(store_path):
        raise ValueError(f"{generation} is not a generation of {store_path}")
    _sync_tree(generation)
    if store_path.is_dir() and not store_path.is_symlink():
        store_path.rename(_old(store_path))
    _link(store_path, f"{generations_dir(store_path).name}/{generation.name}")
    _fsync_dir(store_path.parent)
    _ensure_aliases(store_path)


def _link(at: Path, target: str) -> None:
    """Point the symlink ``at`` to ``target``, atomically (a temporary symlink renamed over it)."""
    tmp = at.with_name(f"{at.name}{_SWITCH}{os.getpid()}")
    with contextlib.suppress(FileNotFoundError):
        tmp.unlink()
    os.symlink(target, tmp)
    os.replace(tmp, at)


def _ensure_aliases(store_path: Path) -> None:
    """Make ``<store>.imports.json`` and ``<store>.report.json`` aliases of the files in the current
    generation (replacing files of the previous layout)."""
    for name in LEGACY_SIBLING:
        alias = legacy_sibling(store_path, name)
        target = f"{store_path.name}/{name}"
        if alias.is_symlink() and os.readlink(alias) == target:
            continue
        _link(alias, target)


def _sync_tree(directory: Path) -> None:
    """fsync every file of a generation, and the directory itself."""
    for entry in os.scandir(directory):
        if entry.is_file(follow_symlinks=False):
            fd = os.open(entry.path, os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
    _fsync_dir(directory)


def _fsync_dir(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _old(store_path: Path) -> Path:
    return store_path.with_name(store_path.name + ".old")


def _require_lock(store_path: Path) -> None:
    if not holds_build_lock(store_path):
        raise RuntimeError(f"the build lock of {store_path} is not held")


# -- cleaning -------------------------------------------------------------------------------------
def clean(store_path: Path) -> list[Path]:
    """Remove what killed runs and earlier builds left: partial and superseded generations, temporary
    symlinks, the previous layout's ``.building``/``.old`` directories. Returns what was removed.

    Never touches the current generation, nor one a reader holds a lease on (it is removed by a later
    clean). What to remove is picked, and renamed away, under the build lock; when a build holds it, the
    clean does nothing (that build cleans when it ends). The deleting itself runs after the lock is
    released, so that a build never waits for it."""
    store_path = Path(store_path)
    try:
        with build_lock(store_path, wait=0.0):
            removed, doomed = _pick_locked(store_path)
    except StoreUnavailable:
        return []
    if doomed:
        crash_point("during-clean")
    for directory, fd in doomed:
        try:
            shutil.rmtree(directory, ignore_errors=True)
            if not directory.exists():
                removed.append(directory)
        finally:
            os.close(fd)
    return removed


def _pick_locked(store_path: Path) -> tuple[list[Path], list[tuple[Path, int]]]:
    """Under the build lock: restore an old-layout store a kill left aside, remove temporary symlinks, and
    pick (locked and renamed) the directories to delete."""
    removed: list[Path] = []
    doomed: list[tuple[Path, int]] = []
    old = _old(store_path)
    if not os.path.lexists(store_path) and old.is_dir():
        old.rename(store_path)  # a kill between moving the old-layout store aside and the switch
    building = store_path.with_name(store_path.name + ".building")
    for leftover in (building, old, *(d.with_name(d.name + _DELETING) for d in (building, old))):
        if leftover.is_dir() and not leftover.is_symlink():
            doomed += _claim(leftover)
    for tmp in store_path.parent.glob(f"{store_path.name}{_SWITCH}*"):
        if tmp.is_symlink():
            tmp.unlink()
            removed.append(tmp)
    gens = generations_dir(store_path)
    live = current(store_path)
    if gens.is_dir():
        for entry in sorted(gens.iterdir()):
            if live is not None and entry.resolve() == live:
                continue
            if entry.is_dir() and not entry.is_symlink():
                doomed += _claim(entry)
            else:
                entry.unlink()
                removed.append(entry)
    if store_path.is_symlink() and live is not None:
        _ensure_aliases(store_path)
    return removed, doomed


def _claim(directory: Path) -> list[tuple[Path, int]]:
    """Take a directory for deletion unless a reader holds a lease on it: lock it (exclusive) and rename it
    ``<name>.deleting``, so that a reader that opened it just before can tell it is gone, and a kill during
    the deletion leaves only that renamed directory, which the next clean removes. Returns [(new path, the
    locked fd)], or [] when it is leased or gone."""
    try:
        fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY)
    except FileNotFoundError:
        return []
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        return []
    doomed = directory
    if not directory.name.endswith(_DELETING):
        doomed = directory.with_name(directory.name + _DELETING)
        directory.rename(doomed)
    return [(doomed, fd)]


# -- readers --------------------------------------------------------------------------------------
class Lease:
    """A reader's hold on one generation directory (a shared flock): the cleaner leaves it alone until
    :meth:`release`. ``path`` is the resolved directory to open."""

    def __init__(self, path: Path, fd: int) -> None:
        self.path = path
        self._fd: int | None = fd

    @property
    def generation(self) -> str:
        return self.path.name

    @property
    def held(self) -> bool:
        return self._fd is not None

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None

    def __enter__(self) -> Lease:
        return self

    def __exit__(self, *_: object) -> None:
        self.release()

    def __del__(self) -> None:
        self.release()


def lease(directory: Path) -> Lease | None:
    """A lease on ``directory`` (already resolved), or None when it is gone or being deleted."""
    try:
        fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY)
    except (FileNotFoundError, NotADirectoryError):
        return None
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        # opened just before the cleaner renamed it away: the name no longer leads to this directory
        if not os.path.samestat(os.fstat(fd), os.stat(directory)):
            raise FileNotFoundError(directory)
    except (BlockingIOError, FileNotFoundError):
        os.close(fd)
        return None
    return Lease(directory, fd)


def lease_current(store_path: Path, *, attempts: int = 100) -> Lease:
    """A lease on the generation ``store_path`` names now (retrying while a switch or a clean races with
    it). Raises StoreUnavailable when there is no store."""
    store_path = Path(store_path)
    for _ in range(attempts):
        here = current(store_path)
        if here is None:
            break
        held = lease(here)
        if held is not None:
            return held
        time.sleep(0.01)
    raise StoreUnavailable(f"no embedded store at {store_path}; run `graphkit build` first",
                           details={"store": str(store_path)})
