"""Corpus reading: folders and files of news articles (.txt, .md, .html, .jsonl) as Documents."""

from __future__ import annotations

import codecs
import fnmatch
import hashlib
import json
import os
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

from .errors import CorpusError
from .records import Document

TEXT_SUFFIXES = {".txt", ".md", ".markdown", ".text"}
HTML_SUFFIXES = {".html", ".htm", ".xhtml"}
JSONL_SUFFIXES = {".jsonl", ".ndjson"}
ARTICLE_SUFFIXES = TEXT_SUFFIXES | HTML_SUFFIXES | JSONL_SUFFIXES
MANIFEST = "corpus.json"

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


@dataclass(frozen=True)
class Skipped:
    """A file (or jsonl line) that was not read, and why."""

    path: str
    reason: str

    def __str__(self) -> str:
        return f"skipped {self.path}: {self.reason}"


OnSkip = Callable[[Skipped], None]


def corpus_files(paths: Iterable[str | os.PathLike]) -> list[Path]:
    """The article files under ``paths``, in a stable order; folders are walked recursively.

    Hidden files and folders, files of other kinds, the manifest and whatever the manifest
    excludes are left out; symbolic links are followed once (a link loop is not walked twice).
    """
    files: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if not path.exists():
            raise CorpusError(f"{path}: no such file or folder")
        if path.is_file():
            files.append(path)
            continue
        excludes = _manifest(path).get("exclude", [])
        seen_dirs: set[str] = set()
        for folder, dirs, names in os.walk(path, followlinks=True):
            real = os.path.realpath(folder)
            if real in seen_dirs:
                dirs[:] = []
                continue
            seen_dirs.add(real)
            dirs[:] = sorted(d for d in dirs if not d.startswith("."))
            for name in sorted(names):
                file = Path(folder) / name
                rel = file.relative_to(path).as_posix()
                if name.startswith(".") or name == MANIFEST or file.suffix.lower() not in ARTICLE_SUFFIXES:
                    continue
                if any(fnmatch.fnmatch(rel, pattern) for pattern in excludes):
                    continue
                files.append(file)
    return files


def read_corpus(paths: Iterable[str | os.PathLike], on_skip: OnSkip | None = None) -> Iterator[Document]:
    """Documents from files and folders; unreadable files and lines are reported to ``on_skip``."""
    paths = list(paths)
    yield from read_files(corpus_files(paths), on_skip, corpus_metadata(paths))


def read_files(files: Iterable[Path], on_skip: OnSkip | None = None,
               metadata: dict[str, dict] | None = None) -> Iterator[Document]:
    """Documents from article files, with per-document metadata keyed by document id."""
    skip = on_skip or (lambda s: None)
    metadata = metadata or {}
    seen_ids: set[str] = set()
    for file in files:
        try:
            documents = list(_read_file(file, metadata, skip))
        except OSError as exc:  # vanished, unreadable, a directory in disguise
            skip(Skipped(str(file), f"cannot be read ({exc.strerror or exc})"))
            continue
        for document in documents:
            if document.id in seen_ids:
                skip(Skipped(str(file), f"document id {document.id!r} already read from another file"))
                continue
            seen_ids.add(document.id)
            yield document


def document(doc_id: str, text: str, **meta) -> Document:
    """A Document for ``text``, with its content hash."""
    text = normalise_text(text)
    fields = {k: meta.get(k) for k in ("title", "date", "source", "url", "path")}
    return Document(
        id=doc_id,
        text=text,
        sha256=hashlib.sha256(text.encode("utf-8")).hexdigest(),
        date_approximate=bool(meta.get("date_approximate", False)),
        **{k: (normalise_text(str(v)) if v is not None else None) for k, v in fields.items()},
    )


_SURROGATE = re.compile("[\ud800-\udfff]")


def normalise_text(text: str) -> str:
    """One newline convention, no NUL characters and no lone surrogates (a jsonl line can carry
    one in a \\u escape; it cannot be stored): each becomes U+FFFD. Nothing else is changed."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "")
    return _SURROGATE.sub("\ufffd", text)


# -- files


def _read_file(file: Path, metadata: dict[str, dict], skip: OnSkip) -> Iterator[Document]:
    suffix = file.suffix.lower()
    data = file.read_bytes()
    if not data.strip():
        skip(Skipped(str(file), "empty file"))
        return
    text, problem = decode(data)
    if text is None:
        skip(Skipped(str(file), problem or "not text"))
        return
    if suffix in JSONL_SUFFIXES:
        yield from _read_jsonl(file, text, skip)
        return
    doc_id = file.stem
    meta = dict(metadata.get(doc_id, {}))
    if suffix in HTML_SUFFIXES:
        title, text = html_to_text(text)
        meta.setdefault("title", title)
    if not text.strip():
        skip(Skipped(str(file), "no text left after removing markup"))
        return
    yield document(doc_id, text, path=str(file), **meta)


def _read_jsonl(file: Path, text: str, skip: OnSkip) -> Iterator[Document]:
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        where = f"{file}:{number}"
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            skip(Skipped(where, f"not valid JSON ({exc.msg})"))
            continue
        if not isinstance(record, dict) or not isinstance(record.get("text"), str) or not record["text"].strip():
            skip(Skipped(where, 'no "text" field with the article'))
            continue
        doc_id = normalise_text(str(record.get("id") or f"{file.stem}-{number}"))
        yield document(
            doc_id,
            record["text"],
            title=record.get("title"),
            date=record.get("date"),
            date_approximate=record.get("date_approximate", False),
            source=record.get("source"),
            url=record.get("url"),
            path=where,
        )


def _manifest(folder: Path) -> dict:
    path = folder / MANIFEST
    if not path.is_file():
        return {}
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise CorpusError(f"{path}: not a valid corpus manifest ({exc}); fix or remove it") from exc
    if not isinstance(manifest, dict):
        raise CorpusError(f"{path}: a corpus manifest is a JSON object with 'documents' and 'exclude'")
    return manifest


def corpus_metadata(paths: Iterable[str | os.PathLike]) -> dict[str, dict]:
    """Per-document metadata from the corpus.json manifests of the given folders (or files' folders)."""
    metadata: dict[str, dict] = {}
    for raw in paths:
        path = Path(raw)
        folder = path if path.is_dir() else path.parent
        for doc_id, meta in _manifest(folder).get("documents", {}).items():
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
