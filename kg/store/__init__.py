"""kg's store: the embedded Oxigraph database kg builds and reads (kg.store.embedded)."""

from __future__ import annotations

from .embedded import (
    BULK_QUADS,
    DEFAULT_STORE,
    FORMAT_VERSION,
    KEEP_PREVIOUS,
    LOCK,
    POINTER,
    QUERY_TIMEOUT,
    WORK,
    Solutions,
    Store,
    Writer,
    default_store_path,
)

__all__ = ["BULK_QUADS", "DEFAULT_STORE", "FORMAT_VERSION", "KEEP_PREVIOUS", "LOCK", "POINTER", "QUERY_TIMEOUT",
           "WORK", "Solutions", "Store", "Writer", "default_store_path"]
