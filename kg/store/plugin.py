"""Store backends by name, as rdflib's plugin registry keeps them: which one a location opens."""

from __future__ import annotations

import importlib
import os
from typing import TYPE_CHECKING

from .base import default_store_location

if TYPE_CHECKING:
    from .base import Store

_backends: dict[str, tuple[str, str]] = {}  # name -> (module, class), imported on first use
REMOTE_SCHEMES = ("http://", "https://")


def register(name: str, module_path: str, class_name: str) -> None:
    """Makes the Store subclass ``class_name`` of ``module_path`` the backend called ``name``."""
    _backends[name] = (module_path, class_name)


def backend(name: str) -> type[Store]:
    """The Store subclass registered as ``name``."""
    try:
        module_path, class_name = _backends[name]
    except KeyError:
        raise KeyError(f"no store backend {name!r}: the registered ones are {', '.join(sorted(_backends))}") \
            from None
    return getattr(importlib.import_module(module_path), class_name)


def backend_name(location: str | os.PathLike | None) -> str:
    """``remote`` for an http:// or https:// address, ``embedded`` for anything else (a folder)."""
    text = os.fspath(location) if location is not None else default_store_location()
    return "remote" if text.lower().startswith(REMOTE_SCHEMES) else "embedded"


def backend_for(location: str | os.PathLike | None) -> type[Store]:
    return backend(backend_name(location))


def open_store(location: Store | str | os.PathLike | None = None) -> Store:
    """The store at ``location`` (None: ``KG_STORE``, else ``.kg``); a Store is returned as it is."""
    from .base import Store

    if isinstance(location, Store):
        return location
    if location is None:
        location = default_store_location()
    return backend_for(location)(location)


register("embedded", "kg.store.embedded", "EmbeddedStore")
register("remote", "kg.store.remote", "RemoteStore")
