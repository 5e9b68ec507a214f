"""What a kg store offers, whichever backend holds the graph: the interface kg reads and writes through."""

from __future__ import annotations

import os
import time
from abc import ABC, abstractmethod
from collections.abc import Collection, Iterable, Iterator
from contextlib import AbstractContextManager
from pathlib import Path

import pyoxigraph as ox

from ..errors import QueryLimit

DEFAULT_STORE = ".kg"
QUERY_TIMEOUT = 300.0  # seconds, for kg's own queries; a user's query has its own limits (kg.sandbox)


def default_store_location() -> str:
    """``KG_STORE`` (a folder or an http(s):// address), else ``.kg``."""
    return os.environ.get("KG_STORE") or DEFAULT_STORE


class Store(ABC):
    """A kg store. ``Store(location)`` opens the backend that ``location`` names, as ``pathlib.Path``
    makes a PosixPath: a folder is an embedded Oxigraph database (kg.store.embedded), an http(s)://
    address a SPARQL server (kg.store.remote); kg.store.plugin says which, and registers them.

    Queries run over the union of all graphs, with kg's prefixes declared; ``bindings`` are bound as
    terms, never pasted into the text. ``writer()`` is the one way to change the graph.
    """

    path: Path | str  # where the store is, as messages name it

    def __new__(cls, location: str | os.PathLike | None = None, *args, **kwargs):
        if cls is Store:
            from .plugin import backend_for

            cls = backend_for(location)
        return super().__new__(cls)

    # -- reading
    @abstractmethod
    def exists(self) -> bool:
        """Whether the store holds a kg graph."""

    @abstractmethod
    def pointer(self) -> dict:
        """What the current graph is; raises StoreNotFound (or why the store cannot be read) when there
        is none, so a command can fail before it writes anything."""

    @abstractmethod
    def query(self, sparql: str, bindings: dict[str, ox.NamedNode | ox.Literal] | None = None,
              timeout: float | None = QUERY_TIMEOUT):
        """A SPARQL query's result read whole: Solutions, a QueryBoolean, or a list of Triples; over
        ``timeout`` seconds it raises QueryLimit."""

    @abstractmethod
    def quads_for_pattern(self, subject=None, predicate=None, object=None, graph=None) -> Iterator[ox.Quad]:
        """The quads that match (None matches anything)."""

    def stream(self, sparql: str, bindings: dict[str, ox.NamedNode | ox.Literal] | None = None) -> Iterator:
        """A SELECT query's solutions as they come, for results too large to hold; a backend that
        cannot stream reads them whole."""
        yield from self.query(sparql, bindings)

    def quads(self) -> Iterator[ox.Quad]:
        return self.quads_for_pattern()

    @abstractmethod
    def __len__(self) -> int:
        """How many quads the store holds."""

    def size_on_disk(self) -> int | None:
        """Bytes the current graph takes on this machine's disk; None where the store cannot tell (a
        remote one, or none yet)."""
        return None

    def being_written(self) -> bool | None:
        """Whether a build is writing the store now; None where the store cannot tell (a remote one)."""
        return None

    @abstractmethod
    def run_isolated(self, text: str, bindings: dict[str, ox.NamedNode | ox.Literal], *, prefixes: dict[str, str],
                     timeout: float | None, max_memory: int | None, max_result: int, allow_network: bool):
        """A user's read-only query under limits (kg.queries.run_query): QuerySolutions, a
        QueryBoolean or kg.sandbox.Triples."""

    def close(self) -> None:
        """Lets go of what reading holds open."""

    # -- writing
    @abstractmethod
    def writer(self, fresh: bool = False) -> AbstractContextManager[Writer]:
        """A context manager giving a Writer; the block's end commits what it holds (nothing, if it ends
        by an exception). ``fresh`` starts from an empty graph."""


class Writer(ABC):
    """Write access to a store during a build; reads through it see what it wrote, committed or not."""

    commits: int = 0

    @abstractmethod
    def replace_graph(self, graph: ox.NamedNode, quads: Iterable[ox.Quad]) -> None:
        """Replaces everything in ``graph`` with ``quads``."""

    @abstractmethod
    def change(self, removed: Iterable[ox.Quad], added: Iterable[ox.Quad], bulk: bool = False) -> None:
        """Removes ``removed`` and adds ``added``; ``bulk`` says many quads come at once into a graph
        that starts empty (a backend may load them its fastest way)."""

    def extend(self, quads: Iterable[ox.Quad]) -> None:
        self.change((), quads)

    def remove(self, quads: Iterable[ox.Quad]) -> None:
        self.change(list(quads), ())

    @abstractmethod
    def query(self, sparql: str, bindings: dict | None = None):
        """A SPARQL query over the graph as written so far."""

    @abstractmethod
    def quads_for_pattern(self, subject=None, predicate=None, object=None, graph=None) -> Iterator[ox.Quad]:
        """The quads written so far that match."""

    def graph_quads(self, graph: ox.NamedNode, predicates: Collection[ox.NamedNode]) -> Iterator[ox.Quad]:
        """The quads written so far in ``graph`` whose predicate is one of ``predicates``: here the graph
        read whole and sifted (one request to a server); a backend with indexes reads each predicate's."""
        for quad in self.quads_for_pattern(None, None, None, graph):
            if quad.predicate in predicates:
                yield quad

    @abstractmethod
    def contains_named_graph(self, graph: ox.NamedNode) -> bool:
        """Whether ``graph`` is in the graph as written so far."""

    def busy(self) -> bool:
        """Whether a write handed over earlier is still going on in the background (a backend that
        loads in a thread); a caller with more to hand over may wait until it is not, so as never to
        wait for it."""
        return False

    @abstractmethod
    def commit(self) -> str:
        """Makes what was written so far what readers see; returns a name for that state."""

    @abstractmethod
    def close(self) -> None:
        """Ends the writer; what was not committed is dropped."""


class Solutions(list):
    """A SELECT query's solutions, read whole, with the query's ``variables`` like QuerySolutions."""

    def __init__(self, solutions, variables):
        super().__init__(solutions)
        self.variables = variables


def in_thread(run, timeout: float | None):
    """``run()`` in a daemon thread, waited for in short steps so that Ctrl-C is seen at once."""
    import threading

    box: dict = {}

    def target():
        try:
            box["result"] = run()
        except BaseException as exc:  # handed to the waiting thread
            box["error"] = exc

    thread = threading.Thread(target=target, name="kg-query", daemon=True)
    thread.start()
    deadline = None if not timeout else time.monotonic() + timeout
    while thread.is_alive():
        wait = 0.1 if deadline is None else min(0.1, deadline - time.monotonic())
        if wait <= 0:
            raise QueryLimit(f"a query took longer than {timeout:g} s and was abandoned: "
                             f"the store may be very large, or busy")
        thread.join(wait)
    if "error" in box:
        raise box["error"]
    return box["result"]
