"""Which input files are read, and how their bytes become text: a path is followed only to a regular file
(a link only to a file beside or below it), gzip is undone, and text that is not UTF-8 or a gzip stream that
is broken is refused naming the line.

Everything here that meets unreadable input raises :class:`InputError` naming the file and (where there is
one) the line, and quotes at most a short, escaped excerpt of what it found: the content of a file that is
not what it should be is never echoed.
"""

from __future__ import annotations

import codecs
import gzip
import hashlib
import io
import os
import stat
import zlib
from pathlib import Path

from graphkit.errors import InputError, InputProblem

EXCERPT = 40  # characters of a bad value quoted in a message


def refuse(path: Path, reason: str, *, line: int | None = None, field: str | None = None) -> InputError:
    """The error that refuses the file ``path`` (at ``line``, in ``field``, where there is one) for ``reason``."""
    return InputError(InputProblem(str(path), line, field, reason))


def excerpt(text: str, limit: int = EXCERPT) -> str:
    """At most ``limit`` characters of ``text`` (messages quote it with repr, so control characters show
    escaped)."""
    return text if len(text) <= limit else text[:limit] + "..."


def sha256_of(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()



def stem(path: Path) -> str:
    name = path.name
    for ext in (".gz", ".csv", ".xlsx"):
        if name.endswith(ext):
            name = name[: -len(ext)]
    return name


# -- which paths are read ----------------------------------------------------------------------------


def check_input_path(path: Path) -> None:
    """Refuse a path that is not an input file: missing, a directory, not a regular file (a device, a
    pipe), unreadable, or a symbolic link whose target is outside the directory holding the link.

    The rule for links: a link is followed only to a file in the link's own directory or below it (a
    seeds folder of links to files beside them works); a link elsewhere (``organisations.csv ->
    /etc/passwd``) is refused by name, and nothing of its target is read or shown.
    """
    _check_link(path)
    if not path.exists():
        raise refuse(path, "no such file")
    if path.is_dir():
        raise refuse(path, "a directory, not a file")
    if not stat.S_ISREG(path.stat().st_mode):
        raise refuse(path, "not a regular file (a device, a pipe or a socket)")
    try:
        with path.open("rb"):
            pass
    except OSError as exc:
        raise refuse(path, f"cannot be read ({exc.strerror or exc})") from None


def check_input_dir(path: Path) -> None:
    """Refuse a directory given as input that is a link out of its parent (the rule of
    :func:`check_input_path`) or that cannot be listed."""
    _check_link(path)
    try:
        next(os.scandir(path), None)
    except OSError as exc:
        raise refuse(path, f"cannot be read ({exc.strerror or exc})") from None


def _check_link(path: Path) -> None:
    if not path.is_symlink():
        return
    home = path.absolute().parent.resolve()
    target = path.resolve()
    if target != home and home not in target.parents:
        raise refuse(path, "a symbolic link to a file outside its own directory: not followed (copy the file here, "
                           "or link to a file beside the link)")


# -- reading text ----------------------------------------------------------------------------------


def _raw_stream(path: Path) -> io.BufferedIOBase:
    """The file's bytes, un-gzipped when it starts with the gzip magic number."""
    try:
        with path.open("rb") as fh:
            head = fh.read(2)
        return gzip.open(path, "rb") if head == b"\x1f\x8b" else path.open("rb")
    except OSError as exc:
        raise refuse(path, f"cannot be read ({exc.strerror or exc})") from None


def open_text(path: Path) -> io.TextIOWrapper:
    """Open a CSV file as text, un-gzipping it when needed and dropping a UTF-8 BOM."""
    stream = _raw_stream(path)
    return io.TextIOWrapper(stream, encoding="utf-8-sig", newline="")  # type: ignore[arg-type]


def read_problem(path: Path, exc: BaseException, line: int | None) -> InputProblem:
    """A clear problem for an error met while reading a file's bytes (a broken gzip, an I/O error)."""
    if isinstance(exc, EOFError):
        reason = "a truncated gzip file: the compressed data ends before its end marker (an incomplete download?)"
    elif isinstance(exc, zlib.error | gzip.BadGzipFile):
        reason = f"a corrupt gzip file ({exc})"
    elif isinstance(exc, OSError):
        reason = f"cannot be read ({exc.strerror or exc})"
    else:
        reason = f"cannot be read ({exc.__class__.__name__})"
    return InputProblem(str(path), line, None, reason)


def check_text(path: Path) -> None:
    """Read the whole file (un-gzipped) once and refuse it, naming the line, when it is not UTF-8 text or
    its gzip data is broken. Cheap (no CSV parsing) and done before anything else is said about a file,
    so a Latin-1 or truncated file is reported as such, not as a missing vintage or an unknown kind."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    line, offset = 1, 0
    with _raw_stream(path) as stream:
        while True:
            try:
                block = stream.read(1 << 20)
            except (EOFError, zlib.error, OSError) as exc:
                raise InputError(read_problem(path, exc, line)) from None
            try:
                decoder.decode(block, final=not block)
            except UnicodeDecodeError as exc:
                raise InputError(not_utf8(path, block, exc, line, offset)) from None
            if not block:
                return
            line += block.count(b"\n")
            offset += len(block)


def not_utf8(path: Path, block: bytes, exc: UnicodeDecodeError, line: int, offset: int) -> InputProblem:
    """Where the UTF-8 decoding of ``block`` (starting at byte ``offset``, line ``line``) failed."""
    if offset == 0 and block.startswith((b"\xff\xfe", b"\xfe\xff")):
        return InputProblem(str(path), 1, None, "UTF-16 text (it starts with a UTF-16 byte-order mark): save it as "
                                                "UTF-8")
    at = max(exc.start, 0)
    # the decoder may hold back the bytes of an incomplete character from the previous block
    at = min(at, len(block) - 1) if block else 0
    bad_line = line + block.count(b"\n", 0, at)
    byte = block[at] if block else 0
    return InputProblem(
        str(path),
        bad_line,
        None,
        f"not UTF-8 text: byte 0x{byte:02X} (offset {offset + at}) is not UTF-8 (a Latin-1 or Windows file?); "
        "save it as UTF-8",
    )


def utf8_problem(path: Path) -> InputProblem:
    try:
        check_text(path)
    except InputError as err:
        return err.problems[0]
    return InputProblem(str(path), None, None, "not UTF-8 text")
