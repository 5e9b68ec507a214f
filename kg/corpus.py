"""Corpus reading: folders and files of news articles (.txt, .md, .html, .jsonl) as Documents.

Reading streams: files are listed lazily, a .jsonl feed is read line by line, and nothing about
the corpus is kept between documents, so memory stays flat however large the corpus is. What is
not an article (a FIFO, a device, a binary file, a file or feed line over the size limit, a
malformed line) is reported as a Skipped and never stops the reading.
"""

from __future__ import annotations

import codecs
import errno
import fnmatch
import hashlib
import io
import json
import os
import re
import stat
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import BinaryIO

from .errors import CorpusError
from .records import Document
from .safe import printable

TEXT_SUFFIXES = {".txt", ".md", ".markdown", ".text"}
HTML_SUFFIXES = {".html", ".htm", ".xhtml"}
JSONL_SUFFIXES = {".jsonl", ".ndjson"}
ARTICLE_SUFFIXES = TEXT_SUFFIXES | HTML_SUFFIXES | JSONL_SUFFIXES
MANIFEST = "corpus.json"

# No news article is this large; a bigger file (or feed line) is a dump, a log or a mistake, and
# reading it whole would cost memory for nothing. A .jsonl feed as a whole has no limit.
MAX_DOCUMENT_BYTES = 50 * 1024 * 1024
# A manifest is read whole; per-document metadata for a corpus this large belongs in .jsonl records.
MAX_MANIFEST_BYTES = 64 * 1024 * 1024

# Magic numbers of formats that are never article text.
BINARY_SIGNATURES = {
    b"\x89PNG": "a PNG image",
    b"\xff\xd8\xff": "a JPEG image",
    b"GIF8": "a GIF image",
    b"PK\x03\x04": "a zip archive",
    b"%PDF": "a PDF file",
    b"\x1f\x8b": "a gzip archive",
    b"\x7fELF": "an executable",
}

# Byte-order marks that make a feed a stream of wider code units; UTF-32 first (its LE mark
# starts with UTF-16's).
_WIDE_BOMS = ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
              (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))
_BLOCK = 1024 * 1024  # bounded reads: counting feeds, draining an over-long line
_METADATA_FIELDS = ("title", "date", "source", "url")


@dataclass(frozen=True)
class Skipped:
    """A file (or jsonl line) that was not read, and why."""

    path: str
    reason: str

    def __str__(self) -> str:
        # quoted, with control characters escaped: a file name can never forge a line of its own
        name = printable(self.path.replace("\\", "\\\\").replace('"', '\\"'), one_line=True)
        return f'skipped "{name}": {printable(self.reason, one_line=True)}'


OnSkip = Callable[[Skipped], None]


def iter_corpus_files(paths: Iterable[str | os.PathLike]) -> Iterator[Path]:
    """The article files under ``paths``, lazily and in a stable order; folders are walked recursively.

    Hidden files and folders, files of other kinds, the manifest and whatever the manifest
    excludes are left out; symbolic links are followed once (a link loop is not walked twice).
    A path given by name that is not a folder is yielded whatever it is (a FIFO, a device), so
    that ``read_files`` can say why it is skipped instead of it vanishing silently.
    """
    for raw in paths:
        path = Path(raw)
        try:
            is_dir = stat.S_ISDIR(os.stat(path).st_mode)
        except (FileNotFoundError, NotADirectoryError):
            raise CorpusError(f"{_clean(str(path))}: no such file or folder") from None
        except (OSError, ValueError) as exc:  # no permission, a link loop, a NUL in the name
            raise CorpusError(f"{_clean(str(path))}: cannot be read ({_reason(exc)})") from None
        if not is_dir:
            yield path
            continue
        excludes = _manifest(path)["exclude"]
        seen_dirs: set[tuple[int, int]] = set()
        for folder, dirs, names in os.walk(path, followlinks=True):
            try:
                info = os.stat(folder)
            except OSError:  # vanished while walking
                dirs[:] = []
                continue
            if (info.st_dev, info.st_ino) in seen_dirs:
                dirs[:] = []
                continue
            seen_dirs.add((info.st_dev, info.st_ino))
            dirs[:] = sorted(d for d in dirs if not d.startswith("."))
            for name in sorted(names):
                file = Path(folder) / name
                if name.startswith(".") or name == MANIFEST or file.suffix.lower() not in ARTICLE_SUFFIXES:
                    continue
                rel = file.relative_to(path).as_posix()
                if any(fnmatch.fnmatch(rel, pattern) for pattern in excludes):
                    continue
                yield file


def corpus_files(paths: Iterable[str | os.PathLike]) -> list[Path]:
    """The article files under ``paths`` as a list (see ``iter_corpus_files``)."""
    return list(iter_corpus_files(paths))


def count_documents(paths: Iterable[str | os.PathLike]) -> int:
    """About how many documents ``paths`` hold, for a progress bar's total: each non-blank line of
    a .jsonl feed, 1 for any other article file.

    A cheap streaming pass that never warns and never raises: what cannot be listed or read
    counts 0 (reading the corpus reports it).
    """
    total = 0
    for raw in paths:
        try:
            for file in iter_corpus_files([raw]):
                total += _count_file(file)
        except (CorpusError, OSError, ValueError):
            continue
    return total


def read_corpus(paths: Iterable[str | os.PathLike], on_skip: OnSkip | None = None) -> Iterator[Document]:
    """Documents from files and folders; unreadable files and lines are reported to ``on_skip``."""
    paths = list(paths)
    yield from read_files(iter_corpus_files(paths), on_skip, corpus_metadata(paths))


def read_files(files: Iterable[Path], on_skip: OnSkip | None = None,
               metadata: dict[str, dict] | None = None,
               max_bytes: int | None = MAX_DOCUMENT_BYTES) -> Iterator[Document]:
    """Documents from article files, with per-document metadata keyed by document id.

    Streams: one document at a time, a .jsonl feed line by line. A file that is not a regular
    file is skipped without being opened in a way that could block; an article file or a feed
    line larger than ``max_bytes`` (None: no limit) is skipped after reading at most
    ``max_bytes + 1`` bytes of it. Documents with the same id are all yielded: telling them
    apart is the build's business, against its store.
    """
    report = on_skip or (lambda s: None)

    def skip(item: Skipped) -> None:  # names and messages come from the file system: no lone surrogates
        report(Skipped(_clean(item.path), _clean(item.reason)))

    metadata = metadata or {}
    for raw in files:
        file = Path(raw)
        shown = _clean(str(file))
        try:
            stream, size = _open_regular(file)
        except _NotRegular as exc:
            skip(Skipped(shown, f"not a regular file ({exc})"))
            continue
        except (OSError, ValueError) as exc:  # vanished, unreadable, a directory in disguise
            skip(Skipped(shown, f"cannot be read ({_reason(exc)})"))
            continue
        origin = _clean(os.path.realpath(file))
        try:
            with stream:
                if file.suffix.lower() in JSONL_SUFFIXES:
                    yield from _read_jsonl(stream, file, shown, origin, skip, max_bytes)
                else:
                    yield from _read_article(stream, size, file, shown, origin, metadata, skip, max_bytes)
        except OSError as exc:  # an I/O error part way through
            skip(Skipped(shown, f"cannot be read ({_reason(exc)})"))


def document(doc_id: str, text: str, **meta) -> Document:
    """A Document for ``text``, with its content hash."""
    text = normalise_text(text)
    fields = {k: meta.get(k) for k in (*_METADATA_FIELDS, "path", "origin")}
    return Document(
        id=normalise_text(str(doc_id)),
        text=text,
        sha256=hashlib.sha256(text.encode("utf-8")).hexdigest(),
        date_approximate=_flag(meta.get("date_approximate", False)),
        **{k: (normalise_text(str(v)) if v is not None else None) for k, v in fields.items()},
    )


_SURROGATE = re.compile("[\ud800-\udfff]")


def normalise_text(text: str) -> str:
    """One newline convention, no NUL characters and no lone surrogates (a jsonl line can carry
    one in a \\u escape; it cannot be stored): each becomes U+FFFD. Nothing else is changed."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "")
    return _SURROGATE.sub("\ufffd", text)


def _clean(text: str) -> str:
    """``text`` with lone surrogates as U+FFFD: a file name that is not valid UTF-8 reaches Python
    with its undecodable bytes as surrogates, which cannot be printed, stored or encoded."""
    return _SURROGATE.sub("\ufffd", text)


def _reason(exc: BaseException) -> str:
    return getattr(exc, "strerror", None) or str(exc)


def _flag(value: object) -> bool:
    """A yes/no metadata value: JSON true, or a string such as "true" or "yes" ("false" is no)."""
    if isinstance(value, str):
        return value.strip().lower() in ("true", "yes", "y", "1")
    if isinstance(value, (bool, int, float)):
        return bool(value)
    return False


def _scalar(value: object) -> str | None:
    """A metadata value as text: strings as they are, numbers and booleans written out, anything
    else (a list, an object) dropped, since it is no title, date or source."""
    if isinstance(value, str):
        return value
    if isinstance(value, (bool, int, float)):
        return str(value)
    return None


def _size(n: int) -> str:
    if n < 1024:
        return f"{n} byte" if n == 1 else f"{n} bytes"
    value = float(n)
    for unit in ("KiB", "MiB", "GiB"):
        value /= 1024
        if value < 1024:
            break
    return f"{value:.1f}".removesuffix(".0") + f" {unit}"


# -- files


class _NotRegular(Exception):
    """A FIFO, socket or device: opening or reading it could block forever or never end."""


def _kind(mode: int) -> str | None:
    """What a non-regular file is, or None for a regular file (folders raise EISDIR as always)."""
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISDIR(mode):
        raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR))
    for test, kind in ((stat.S_ISFIFO, "a FIFO"), (stat.S_ISSOCK, "a socket"),
                       (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device")):
        if test(mode):
            return kind
    return "a special file"


def _open_regular(file: Path) -> tuple[BinaryIO, int]:
    """``file`` opened for binary reading, and its size; raises _NotRegular if it is not a regular
    file. Checked before opening (a device is never opened), then opened non-blocking (opening a
    FIFO without a writer would block) and checked again on the open file, in case it was swapped.

    The descriptor has one owner at every instant: this function's opener until it is handed to the
    file object, which alone closes it after. Closing it here too, on an exception, would let a
    Ctrl-C that lands as the file object is made close it twice, and come out as an OSError (Bad file
    descriptor): the build would report the file as unreadable and go on, the Ctrl-C lost."""
    sizes: list[int] = []

    def opener(path: str | os.PathLike, flags: int) -> int:
        fd = os.open(path, flags | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0))
        try:
            info = os.fstat(fd)
            kind = _kind(info.st_mode)
            if kind:
                raise _NotRegular(kind)
            os.set_blocking(fd, True)
        except BaseException:
            os.close(fd)
            raise
        sizes.append(info.st_size)
        return fd

    kind = _kind(os.stat(file).st_mode)
    if kind:
        raise _NotRegular(kind)
    stream = open(file, "rb", opener=opener)  # noqa: SIM115 - the caller closes it
    return stream, sizes[0]


def _read_article(stream: BinaryIO, size: int, file: Path, shown: str, origin: str,
                  metadata: dict[str, dict], skip: OnSkip, max_bytes: int | None) -> Iterator[Document]:
    if max_bytes is not None and size > max_bytes:
        skip(Skipped(shown, f"{_size(size)}, over the {_size(max_bytes)} size limit"))
        return
    data = stream.read() if max_bytes is None else stream.read(max_bytes + 1)
    if max_bytes is not None and len(data) > max_bytes:  # it grew, or its size was not known
        skip(Skipped(shown, f"at least {_size(len(data))}, over the {_size(max_bytes)} size limit"))
        return
    if not data.strip():
        skip(Skipped(shown, "empty file"))
        return
    text, problem = decode(data)
    del data
    if text is None:
        skip(Skipped(shown, problem or "not text"))
        return
    doc_id = _clean(file.stem)
    meta = {k: v for k, v in metadata.get(doc_id, {}).items() if k in (*_METADATA_FIELDS, "date_approximate")}
    if file.suffix.lower() in HTML_SUFFIXES:
        title, text = html_to_text(text)
        meta.setdefault("title", title)
    if not text.strip():
        skip(Skipped(shown, "no text left after removing markup"))
        return
    yield document(doc_id, text, path=shown, origin=origin, **meta)


def _read_jsonl(stream: BinaryIO, file: Path, shown: str, origin: str, skip: OnSkip,
                max_bytes: int | None) -> Iterator[Document]:
    """Documents from a feed, one line at a time from the open file (never the whole file)."""
    encoding, problem = _feed_encoding(stream.read(4096))
    if problem:
        skip(Skipped(shown, problem))
        return
    stream.seek(0)
    source: BinaryIO | io.TextIOWrapper = stream
    if encoding:  # UTF-16/32: decoded incrementally; line lengths are then counted in characters
        source = io.TextIOWrapper(stream, encoding=encoding, errors="strict", newline="\n")
    number, anything = 0, False
    try:
        for number, line, size in _lines(source, max_bytes):
            where = f"{shown}:{number}"
            if line is None:
                anything = True
                skip(Skipped(where, f"line of {_size(size)}, over the {_size(max_bytes or 0)} size limit"))
                continue
            if isinstance(line, bytes):
                if number == 1 and line.startswith(codecs.BOM_UTF8):
                    line = line[len(codecs.BOM_UTF8):]
                if not line.strip():
                    continue
                line = _decode_line(line)
            if not line.strip():
                continue
            anything = True
            record = _record(line, where, skip)
            if record is not None:
                yield _feed_document(record, file, number, where, origin)
    except UnicodeDecodeError:
        skip(Skipped(f"{shown}:{number + 1}", f"invalid {encoding} despite its byte-order mark; "
                                              "the rest of the file is not read"))
        return
    if not anything:
        skip(Skipped(shown, "empty file"))


def _feed_encoding(head: bytes) -> tuple[str | None, str | None]:
    """How a feed is decoded, from its first bytes: None for UTF-8 (or another single-byte
    encoding, line by line), "utf-16"/"utf-32" for a wide byte-order mark; or why it is no feed."""
    for signature, kind in BINARY_SIGNATURES.items():
        if head.startswith(signature):
            return None, f"binary file ({kind})"
    for bom, encoding in _WIDE_BOMS:
        if head.startswith(bom):
            return encoding, None
    if b"\x00" in head:
        even, odd = head[0::2].count(0), head[1::2].count(0)
        if odd > len(head) // 4 and even < len(head) // 16:
            return "utf-16-le", None
        if even > len(head) // 4 and odd < len(head) // 16:
            return "utf-16-be", None
        return None, "binary file (contains NUL bytes)"
    if _control_ratio(head.decode("latin-1")) > 0.05:
        return None, "binary file (mostly control characters)"
    return None, None


def _lines(source: BinaryIO | io.TextIOWrapper, limit: int | None) -> Iterator[tuple[int, bytes | str | None, int]]:
    """(line number, the line, its length) for each line of ``source``, read with bounded
    ``readline`` calls; a line longer than ``limit`` comes as None, drained in bounded reads."""
    number = 0
    while True:
        line = source.readline(-1 if limit is None else limit + 1)
        if not line:
            return
        number += 1
        newline = b"\n" if isinstance(line, bytes) else "\n"
        if limit is None or len(line) <= limit or line.endswith(newline):
            yield number, line, len(line)
            continue
        size = len(line)
        while not line.endswith(newline):
            line = source.readline(_BLOCK)
            if not line:
                break
            size += len(line)
        yield number, None, size - (1 if line.endswith(newline) else 0)


def _decode_line(line: bytes) -> str:
    """One feed line: UTF-8, or for a line that is not, the same detection as for whole files."""
    try:
        return line.decode("utf-8")
    except UnicodeDecodeError:
        return _detect(line)


def _record(line: str, where: str, skip: OnSkip) -> dict | None:
    """The JSON object on a feed line with a non-blank "text", or None after reporting why not."""
    try:
        record = json.loads(line)
    except RecursionError:
        skip(Skipped(where, "JSON nested too deeply"))
        return None
    except ValueError as exc:  # malformed, or a number with too many digits
        skip(Skipped(where, f"not valid JSON ({getattr(exc, 'msg', exc)})"))
        return None
    if not isinstance(record, dict):
        skip(Skipped(where, 'not a JSON object with a "text" field'))
        return None
    if not isinstance(record.get("text"), str) or not record["text"].strip():
        skip(Skipped(where, 'no "text" field with the article'))
        return None
    return record


def _feed_document(record: dict, file: Path, number: int, where: str, origin: str) -> Document:
    """A feed record as a Document: scalar fields as text, other shapes dropped, a missing or
    unusable id replaced by the file's stem and line number."""
    doc_id = _scalar(record.get("id"))
    if doc_id is None or not doc_id.strip():
        doc_id = f"{_clean(file.stem)}-{number}"
    return document(
        doc_id,
        record["text"],
        **{k: _scalar(record.get(k)) for k in _METADATA_FIELDS},
        date_approximate=record.get("date_approximate", False),
        path=where,
        origin=origin,
    )


def _count_file(file: Path) -> int:
    """The documents ``file`` holds by count_documents' rule; 0 for what cannot be read."""
    try:
        if file.suffix.lower() not in JSONL_SUFFIXES:
            return 0 if _kind(os.stat(file).st_mode) else 1
        stream, _ = _open_regular(file)
    except (OSError, ValueError, _NotRegular):
        return 0
    try:
        with stream:
            return _count_lines(stream)
    except (OSError, ValueError):
        return 0


def _count_lines(stream: BinaryIO) -> int:
    """Non-blank lines, counted block by block (a wide byte-order mark decoded incrementally)."""
    head = stream.read(4)
    stream.seek(0)
    decoder = next((codecs.getincrementaldecoder(enc)(errors="replace")
                    for bom, enc in _WIDE_BOMS if head.startswith(bom)), None)
    count, open_line = 0, False
    while block := stream.read(_BLOCK):
        pieces = (decoder.decode(block) if decoder else block).split("\n" if decoder else b"\n")
        for piece in pieces[:-1]:
            if open_line or piece.strip():
                count += 1
            open_line = False
        open_line = open_line or bool(pieces[-1].strip())
    return count + open_line


# -- the manifest


def _manifest(folder: Path) -> dict:
    """The folder's corpus.json, checked: {"exclude": [patterns], "documents": {id: {field: value}}}.

    Anything wrong with it is one CorpusError naming the file, the problem and the fix."""
    path = folder / MANIFEST
    shown = _clean(str(path))
    empty: dict = {"exclude": [], "documents": {}, "date": None}
    try:
        stream, _ = _open_regular(path)
        with stream:
            data = stream.read(MAX_MANIFEST_BYTES + 1)
    except (FileNotFoundError, NotADirectoryError, IsADirectoryError, _NotRegular):
        return empty  # no manifest (a folder or FIFO of that name is none either)
    except (OSError, ValueError) as exc:
        raise CorpusError(f"{shown}: cannot be read ({_reason(exc)}); fix its permissions or remove it") from None
    if len(data) > MAX_MANIFEST_BYTES:
        raise CorpusError(f"{shown}: a corpus manifest over {_size(MAX_MANIFEST_BYTES)}; "
                          "give per-document metadata in .jsonl records instead")
    try:
        manifest = json.loads(data.decode("utf-8-sig"))
    except RecursionError:
        raise _bad_manifest(shown, "JSON nested too deeply") from None
    except UnicodeDecodeError:
        raise _bad_manifest(shown, "not UTF-8 text") from None
    except ValueError as exc:
        raise _bad_manifest(shown, _clean(str(exc))) from None
    if not isinstance(manifest, dict):
        raise CorpusError(f"{shown}: a corpus manifest is a JSON object with 'documents' and 'exclude', "
                          f"not {_json_kind(manifest)}; fix or remove it")
    exclude = manifest.get("exclude", [])
    if not isinstance(exclude, list):
        raise _bad_manifest(shown, f'"exclude" is a list of file patterns, not {_json_kind(exclude)}')
    for pattern in exclude:
        if not isinstance(pattern, str):
            raise _bad_manifest(shown, f'"exclude" holds {_json_kind(pattern)} where a file pattern (a string) belongs')
    documents = manifest.get("documents", {})
    if not isinstance(documents, dict):
        raise _bad_manifest(shown, f'"documents" is an object of document ids, not {_json_kind(documents)}')
    for doc_id, meta in documents.items():
        name = _clean(repr(doc_id))
        if not isinstance(meta, dict):
            raise _bad_manifest(shown, f'"documents" {name} is an object of metadata fields, not {_json_kind(meta)}')
        for key, value in meta.items():
            if value is not None and not isinstance(value, (str, bool, int, float)):
                raise _bad_manifest(shown, f'"documents" {name} field {_clean(repr(key))} is {_json_kind(value)}, '
                                           "not a string, number or true/false")
    date = manifest.get("date")
    if date is not None and not (isinstance(date, str) and re.fullmatch(r"\d{4}(-\d{2}(-\d{2})?)?", date)):
        raise _bad_manifest(shown, '"date" (the date of every document that gives none) is YYYY, YYYY-MM or '
                                   "YYYY-MM-DD")
    return {"exclude": exclude, "documents": documents, "date": date}


def corpus_dates(paths: Iterable[str | os.PathLike]) -> dict[str, str]:
    """Folder (resolved) -> the "date" its corpus.json gives every document that carries none."""
    dates = {}
    for raw in paths:
        path = Path(raw)
        folder = path if os.path.isdir(path) else path.parent
        date = _manifest(folder).get("date")
        if date:
            dates[str(folder.resolve())] = date
    return dates


def _bad_manifest(shown: str, problem: str) -> CorpusError:
    return CorpusError(f"{shown}: not a valid corpus manifest ({problem}); fix or remove it")


def _json_kind(value: object) -> str:
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return "null"


def corpus_metadata(paths: Iterable[str | os.PathLike]) -> dict[str, dict]:
    """Per-document metadata from the corpus.json manifests of the given folders (or files' folders)."""
    metadata: dict[str, dict] = {}
    for raw in paths:
        path = Path(raw)
        folder = path if os.path.isdir(path) else path.parent
        for doc_id, meta in _manifest(folder)["documents"].items():
            metadata[doc_id] = meta
    return metadata


# -- decoding


def decode(data: bytes) -> tuple[str | None, str | None]:
    """The text in ``data``, or None and the reason it is not text.

    BOMs are honoured (UTF-8, UTF-16, UTF-32); BOM-less UTF-16 is recognised by its zero bytes;
    otherwise UTF-8, then charset detection, then Windows-1252.
    """
    for signature, kind in BINARY_SIGNATURES.items():
        if data.startswith(signature):
            return None, f"binary file ({kind})"
    for bom, encoding in ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
                          (codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
                          (codecs.BOM_UTF16_BE, "utf-16")):
        if data.startswith(bom):
            try:
                return data.decode(encoding), None
            except UnicodeDecodeError:
                return None, f"invalid {encoding} despite its byte-order mark"
    head = data[:4096]
    if b"\x00" in head:
        even, odd = head[0::2].count(0), head[1::2].count(0)
        if odd > len(head) // 4 and even < len(head) // 16:
            return _decode_or_binary(data, "utf-16-le")
        if even > len(head) // 4 and odd < len(head) // 16:
            return _decode_or_binary(data, "utf-16-be")
        return None, "binary file (contains NUL bytes)"
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = _detect(data)
    if _control_ratio(text) > 0.05:
        return None, "binary file (mostly control characters)"
    return text, None


def _decode_or_binary(data: bytes, encoding: str) -> tuple[str | None, str | None]:
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError:
        return None, "binary file (contains NUL bytes)"
    if _control_ratio(text) > 0.05:
        return None, "binary file (contains NUL bytes)"
    return text, None


# Single-byte Latin code pages a detector cannot tell apart on a short text; among them
# Windows-1252 is by far the most common for English-language news.
_LATIN_FAMILY = re.compile(
    r"^(cp125[02478]|cp775|cp85[02]|cp437|latin_1|iso8859_(1|2|3|4|9|10|13|14|15|16)|mac_(latin2|iceland|roman|turkish))$"
)


def _detect(data: bytes) -> str:
    try:
        from charset_normalizer import from_bytes

        best = from_bytes(data).best()
    except ImportError:  # charset-normalizer is a dependency; stay usable without it
        best = None
    if best is not None and not _LATIN_FAMILY.match(best.encoding) and best.encoding not in ("utf_16", "utf_32"):
        return str(best)  # Cyrillic, Greek, Arabic, East Asian code pages
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:
        return str(best) if best is not None else data.decode("latin-1")


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _control_ratio(text: str) -> float:
    sample = text[:65536]
    return len(_CONTROL.findall(sample)) / max(1, len(sample))


# -- HTML

BLOCK_TAGS = {"p", "div", "br", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "table", "section",
              "article", "header", "footer", "blockquote", "pre", "hr", "dd", "dt", "figcaption", "title"}
DROPPED_TAGS = {"script", "style", "noscript", "template", "svg", "head", "iframe", "object", "canvas"}


class _TextExtractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.title: list[str] = []
        self.dropped = 0
        self.in_title = False

    def handle_starttag(self, tag, attrs):
        if tag == "title":
            self.in_title = True
        elif tag in DROPPED_TAGS:
            self.dropped += 1
        elif tag in BLOCK_TAGS:
            self.parts.append("\n\n" if tag in ("p", "h1", "h2", "h3", "h4", "h5", "h6") else "\n")

    def handle_startendtag(self, tag, attrs):
        if tag in BLOCK_TAGS:
            self.parts.append("\n")

    def handle_endtag(self, tag):
        if tag == "title":
            self.in_title = False
        elif tag in DROPPED_TAGS:
            self.dropped = max(0, self.dropped - 1)
        elif tag in BLOCK_TAGS:
            self.parts.append("\n\n" if tag in ("p", "h1", "h2", "h3", "h4", "h5", "h6") else "\n")

    def handle_data(self, data):
        if self.in_title:
            self.title.append(data)
        elif not self.dropped:
            self.parts.append(data)


def html_to_text(html: str) -> tuple[str | None, str]:
    """The title and visible text of an HTML page, with scripts and styles dropped."""
    parser = _TextExtractor()
    parser.feed(html)
    parser.close()
    text = "".join(parser.parts)
    lines = [re.sub(r"[ \t\u00a0]+", " ", line).strip() for line in text.split("\n")]
    text = re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
    title = " ".join("".join(parser.title).split()) or None
    return title, text
