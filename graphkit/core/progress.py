"""Progress of long work (builds, imports, the Neo4j load), shown to a person watching a terminal and to
no one else.

:func:`open_progress` gives a :class:`Progress`: a live ``rich`` display (a line per task: what it is doing,
a bar, counts, time elapsed) on ``stream`` (stderr) when :func:`wanted` says someone is watching, and
otherwise the quiet base class, which writes nothing at all, so output on a pipe, in CI logs and in tests
is exactly what it would be without it. Library code takes a ``Progress`` (or a :class:`Task`) and
defaults to the quiet one.

Rows within a large national file: while a file is read under :meth:`Progress.reading`, the CSV reader
(:func:`graphkit.ingest.importers.common.csv_rows`) reports how far into the file it is every
:data:`ROWS_PER_REPORT` rows through :func:`position_hook`; when nothing is shown the hook is ``None`` and
a row costs one ``is not None`` test.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from types import TracebackType
from typing import Any, TextIO

ROWS_PER_REPORT = 1024
OFF = ("0", "false", "no", "off")

# (file, bytes of it read so far): set only while a shown Progress reads a file
_position: ContextVar[Callable[[Path, int], None] | None] = ContextVar("graphkit_read_position", default=None)


def position_hook() -> Callable[[Path, int], None] | None:
    """What the file reader reports its position to, or None when no one is watching."""
    return _position.get()


def wanted(stream: Any, environ: Mapping[str, str] | None = None) -> bool:
    """Whether progress is shown on ``stream``: only when it is a terminal, not under CI (``CI`` set to
    anything but empty/0/false/no/off), not on a dumb terminal (``TERM=dumb``), and not turned off with
    ``GRAPHKIT_PROGRESS=0``. ``NO_COLOR`` does not hide it; rich then draws it without colour."""
    env = os.environ if environ is None else environ
    if env.get("GRAPHKIT_PROGRESS", "").strip().lower() in OFF:
        return False
    if env.get("CI", "").strip().lower() not in ("", *OFF):
        return False
    if env.get("TERM", "").strip().lower() == "dumb":
        return False
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError, OSError):  # no isatty, or a closed stream
        return False


class Task:
    """One line of progress. This base class shows nothing (the quiet case)."""

    def advance(self, n: float = 1) -> None:
        """``n`` more units done."""

    def update(
        self, *, completed: float | None = None, total: float | None = None, description: str | None = None
    ) -> None:
        """Set how much is done, the total, or what is being done."""

    def finish(self) -> None:
        """The task is complete (its bar full, its clock stopped)."""

    def remove(self) -> None:
        """Take the line off the display."""


class Progress:
    """The display of a command's long work. This base class shows nothing; :func:`open_progress` gives a
    shown one when someone is watching."""

    shown = False

    def __enter__(self) -> Progress:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        return None

    def task(self, description: str, total: float | None = None, *, unit: str = "") -> Task:
        """A new line: ``total`` units to do (None: unknown, the bar pulses), counted in ``unit`` ("files",
        "rows"; "bytes" shows sizes)."""
        return Task()

    @contextmanager
    def reading(self, path: Path) -> Iterator[None]:
        """While one input file is read: a line for how far into it the reader is (large CSV files)."""
        yield


class _RichTask(Task):
    def __init__(self, progress: Any, task_id: Any) -> None:
        self._progress = progress
        self._id = task_id

    def advance(self, n: float = 1) -> None:
        self._progress.advance(self._id, n)

    def update(
        self, *, completed: float | None = None, total: float | None = None, description: str | None = None
    ) -> None:
        self._progress.update(self._id, completed=completed, total=total, description=description)

    def finish(self) -> None:
        task = next(t for t in self._progress.tasks if t.id == self._id)
        total = task.total if task.total is not None else max(task.completed, 1)
        self._progress.update(self._id, total=total, completed=total)
        self._progress.stop_task(self._id)

    def remove(self) -> None:
        self._progress.remove_task(self._id)


class _RichProgress(Progress):
    shown = True

    def __init__(self, console: Any) -> None:
        from rich.progress import BarColumn, TextColumn, TimeElapsedColumn
        from rich.progress import Progress as Display

        self._display = Display(
            TextColumn("{task.description}"),
            BarColumn(),
            _counts_column(),
            TimeElapsedColumn(),
            console=console,
            redirect_stdout=False,
            redirect_stderr=False,
        )
        self._file: tuple[Path, Task] | None = None

    def __enter__(self) -> Progress:
        self._display.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._display.stop()

    def task(self, description: str, total: float | None = None, *, unit: str = "") -> Task:
        return _RichTask(self._display, self._display.add_task(description, total=total, unit=unit))

    @contextmanager
    def reading(self, path: Path) -> Iterator[None]:
        token = _position.set(self._read_position)
        try:
            yield
        finally:
            _position.reset(token)
            if self._file is not None:
                self._file[1].remove()
                self._file = None

    def _read_position(self, path: Path, position: int) -> None:
        if self._file is None or self._file[0] != path:
            if self._file is not None:
                self._file[1].remove()
            try:
                size: float | None = path.stat().st_size
            except OSError:
                size = None
            task_id = self._display.add_task(f"  {path.name}", total=size, completed=position, unit="bytes")
            self._file = (path, _RichTask(self._display, task_id))
        else:
            self._file[1].update(completed=position)


def _counts_column() -> Any:
    """The counts column (defined here, not at module level, so that rich is imported only when shown)."""
    from rich.filesize import decimal
    from rich.progress import ProgressColumn
    from rich.text import Text

    class Counts(ProgressColumn):
        """'3/25 files', '1.2/4.5 MB' for bytes, '?' for a total not known; nothing for a task without a unit."""

        def render(self, task: Any) -> Text:
            unit = task.fields.get("unit", "")
            if unit == "bytes":
                done, total = decimal(int(task.completed)), decimal(int(task.total)) if task.total else "?"
                return Text(f"{done}/{total}", style="progress.download")
            if not unit:  # a stage (merging, writing RDF...): its bar and its time say it all
                return Text("")
            total_text = f"{int(task.total):,}" if task.total is not None else "?"
            return Text(f"{int(task.completed):,}/{total_text} {unit}".rstrip(), style="progress.download")

    return Counts()


def open_progress(stream: TextIO, environ: Mapping[str, str] | None = None) -> Progress:
    """A shown :class:`Progress` on ``stream`` when :func:`wanted` (and rich agrees the stream is an
    interactive terminal), else the quiet one. Use it as a context manager."""
    if not wanted(stream, environ):
        return Progress()
    from rich.console import Console

    console = Console(file=stream)
    if not console.is_interactive:
        return Progress()
    return _RichProgress(console)
