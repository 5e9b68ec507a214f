"""The exceptions kg raises: each says what went wrong and what to do about it."""

from __future__ import annotations


class KgError(Exception):
    """Base of every error kg reports to a user; the CLI prints it as one line."""

    exit_code = 1


class ModelNotFound(KgError):
    """No spaCy English pipeline could be loaded."""


class StoreNotFound(KgError):
    """The store folder holds no graph yet."""


class StoreLocked(KgError):
    """Another process is writing the store."""


class StoreFormatError(KgError):
    """The store was written by another format version, or is damaged."""


class UnknownActor(KgError):
    """A name that matches no actor in the store."""

    def __init__(self, name: str, suggestions: list[str]):
        self.name = name
        self.suggestions = suggestions
        hint = f" Did you mean: {', '.join(suggestions)}?" if suggestions else ""
        shown = name if len(name) <= 80 else f"{name[:79]}\u2026 ({len(name):,} characters)"
        super().__init__(f"unknown actor {shown!r}.{hint} (kg actors lists the known ones)")


class StoreDamaged(StoreFormatError):
    """The store's database files are damaged (RocksDB reports corruption)."""


class StoreWriteError(KgError):
    """The store cannot be written: no space left, a read-only folder, a file in the way."""


class QueryError(KgError):
    """A SPARQL query that cannot run: malformed, an update, or a missing parameter."""

    def __init__(self, message: str, kind: str = "error"):
        super().__init__(message)
        self.kind = kind


class QueryLimit(QueryError):
    """A query stopped at a limit: its time, its memory or the size of its result."""


class OutputError(KgError):
    """An output file or stream that cannot be written."""


class CorpusError(KgError):
    """A corpus path that does not exist or holds nothing kg can read."""


class GazetteerError(KgError):
    """A user's gazetteer table that cannot be read or does not have the expected columns."""


class WorkersDied(KgError):
    """The build's worker processes die before they can read anything."""


class ClusterError(KgError):
    """A Dask cluster that cannot be used for extraction: not installed, unreachable, without workers."""


class GoldError(KgError):
    """A gold file that does not follow the annotation schema."""


class NoEvents(StoreFormatError):
    """The store was built before kg grouped its statements into events."""


class StoreUnreachable(KgError):
    """A remote store's server is down, refuses the connection, fails, or answers what kg cannot read."""


class StoreAccessDenied(StoreUnreachable):
    """A remote store's server refuses kg's credentials (HTTP 401 or 403), or the address carries some."""
