"""What kg prints and writes: control characters made visible, long values shortened, files
replaced without following links or clobbering devices.

Article text is the attacker's: an ESC sequence in a sentence or a label can retitle a terminal
or write its clipboard (OSC 52), a carriage return or a newline can forge a line, a bidi override
(U+202E) can reverse what a line seems to say. Every character of that kind becomes a ``\\uXXXX``
escape, which reads the same in plain text and is a valid, lossless escape inside JSON strings
and Turtle/N-Triples literals and IRIs, so the one function serves every format kg prints.
"""

from __future__ import annotations

import codecs
import os
import re
import stat
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import IO

from .errors import OutputError

# C0 controls but tab and newline, DEL and C1, and the bidirectional formatting characters.
_UNSAFE = "\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
UNSAFE = re.compile(f"[{_UNSAFE}]")
UNSAFE_ONE_LINE = re.compile(f"[{_UNSAFE}\t\n\u2028\u2029]")


def _escape(match: re.Match) -> str:
    return f"\\u{ord(match.group(0)):04x}"


def printable(text: str, *, one_line: bool = False) -> str:
    """``text`` with control characters and bidi overrides as ``\\uXXXX`` escapes (newlines and tabs
    too when ``one_line``); lone surrogates (undecodable bytes of a file name) as U+FFFD."""
    text = (UNSAFE_ONE_LINE if one_line else UNSAFE).sub(_escape, text)
    if any("\ud800" <= c <= "\udfff" for c in text):
        text = text.encode("utf-8", "replace").decode("utf-8")
    return text


def shorten(text: str, limit: int = 120) -> str:
    """At most ``limit`` characters: a value echoed back in a message never floods the terminal."""
    return text if len(text) <= limit else f"{text[: limit - 1]}\u2026 ({len(text):,} characters)"


class EscapingWriter:
    """A binary stream that writes UTF-8 through ``printable``: exports are safe to print, and
    read back as the same data."""

    def __init__(self, out: IO[bytes]):
        self._out = out
        self._decoder = codecs.getincrementaldecoder("utf-8")("surrogateescape")

    def write(self, data: bytes) -> int:
        text = self._decoder.decode(bytes(data))  # a character split between writes waits for its end
        self._out.write(UNSAFE.sub(_escape, text).encode("utf-8", "surrogateescape"))
        return len(data)

    def flush(self) -> None:
        self._out.flush()


def write_file(path: Path, write: Callable[[IO[bytes]], None]) -> Path:
    """Writes ``path`` through ``write(binary file)`` so that a partial file never replaces a good one.

    A device, FIFO or socket (``-o /dev/stdout``, ``-o /dev/null``, a named pipe) is written
    directly, as a shell redirection would, never replaced by a regular file. Otherwise the data
    goes to a fresh temporary file in the target folder, created with O_EXCL (so a planted link
    there is never followed), then renamed over ``path``.
    """
    path = Path(path)
    try:
        target = os.stat(path)
    except FileNotFoundError:
        target = None
    except OSError as exc:
        raise _output_error(path, exc) from exc
    if target is not None and stat.S_ISDIR(target.st_mode):
        raise OutputError(f"cannot write {_name(path)}: it is a folder; give a file name")
    try:
        if target is not None and not stat.S_ISREG(target.st_mode):
            with open(path, "wb") as stream:
                write(stream)
            return path
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    except OSError as exc:
        raise _output_error(path, exc) from exc
    try:
        with os.fdopen(fd, "wb") as stream:
            write(stream)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(tmp, stat.S_IMODE(target.st_mode) if target is not None else 0o666 & ~_umask())
        os.replace(tmp, path)
    except OSError as exc:
        _unlink(tmp)
        raise _output_error(path, exc) from exc
    except BaseException:
        _unlink(tmp)
        raise
    return path


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _unlink(path: str) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass


def _name(path: Path) -> str:
    return printable(shorten(str(path)), one_line=True)


def _output_error(path: Path, exc: OSError) -> OutputError:
    import errno

    if exc.errno == errno.ENOENT and not path.parent.is_dir():
        return OutputError(f"cannot write {_name(path)}: the folder {_name(path.parent)} does not exist; "
                           f"create it or write elsewhere")
    return OutputError(f"cannot write {_name(path)}: {exc.strerror or exc}")
