"""kg's store: one interface (kg.store.base), backends chosen by location and registered by name
(kg.store.plugin): an embedded Oxigraph folder (kg.store.embedded) or a SPARQL server (kg.store.remote)."""

from __future__ import annotations

from .base import DEFAULT_STORE, QUERY_TIMEOUT, Solutions, Store, Writer, default_store_location
from .embedded import BULK_QUADS, FORMAT_VERSION, LOCK, READERS, POINTER, WORK, EmbeddedStore, EmbeddedWriter, \
    default_store_path
from .plugin import backend, backend_name, open_store, register

__all__ = ["BULK_QUADS", "DEFAULT_STORE", "FORMAT_VERSION", "LOCK", "POINTER", "READERS", "QUERY_TIMEOUT",
           "WORK", "EmbeddedStore", "EmbeddedWriter", "Solutions", "Store", "Writer", "backend", "backend_name",
           "default_store_location", "default_store_path", "open_store", "register"]
