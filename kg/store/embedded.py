"""The embedded store: an Oxigraph database on disk, written in atomic generations.

A store folder holds numbered generations (each a complete Oxigraph database) and a pointer file
naming the current one. A build writes into a working copy of the current generation (a RocksDB
checkpoint: hard links, not a copy of the data) and publishes it batch by batch: each commit is a
checkpoint of the working copy that becomes the current generation by an atomic replacement of the
pointer. So a build interrupted at any moment leaves the graph of its last whole batch (or the
graph before it), readers never open a database that is being written, and only one writer runs
at a time (a lock file).

A quad removed in place (a recounted table row, a replaced document) stays on disk, with a
tombstone, until RocksDB compacts the files that hold it, which in a large store may be never: a
100,000-article store grew from 26 to 32 KB per article over three recounts of its dyad table. The
pointer file counts the quads removed since the last full compaction, and a build that brings them
to STALE_SHARE of the store's quads compacts its working copy before its last commit, as does a
build that started from an empty graph (its bulk loads leave many overlapping files)."""

from __future__ import annotations

import errno
import gc
import itertools
import json
import os
import queue
import re
import shutil
import stat
import threading
import time
from collections.abc import Collection, Iterable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from .. import __version__
from ..errors import StoreDamaged, StoreFormatError, StoreLocked, StoreNotFound, StoreWriteError
from ..vocab import PREFIXES
from . import base
from .base import DEFAULT_STORE, QUERY_TIMEOUT, Solutions, in_thread

FORMAT_VERSION = 1
POINTER = "kg-store.json"
LOCK = "write.lock"
WORK = "work"  # the working copy of the build in progress: work-PID-N, a folder of its own per build
GENERATION = re.compile(r"^gen-(\d{6})$")
READERS = ".readers"  # gen-000007.readers: readers of gen-000007 hold a shared lock on it
UNWRITABLE = {
    errno.ENOSPC: "no space left on the device: free some and run the same kg build again "
                  "(the store keeps its last whole batch)",
    errno.EDQUOT: "the disk quota is exceeded: free some space and run the same kg build again",
    errno.EROFS: "the file system is read-only: use another --store",
    errno.EACCES: "permission denied: use another --store, or fix its permissions",
    errno.EPERM: "permission denied: use another --store, or fix its permissions",
    errno.EEXIST: "it is a file, not a folder: use another --store",
    errno.ENOTDIR: "it is not a folder: use another --store",
}
BULK_QUADS = 10_000  # Writer.change loads more quads than this with bulk_extend
# A build compacts the store once the quads removed in place since the last compaction reach this
# share of its quads. A compaction rewrites the whole store (33 s at 100,000 articles, 3 s at 10,000)
# and, while it runs, needs as much free disk again; removing a tenth of a store's quads in place
# costs more than that, so compactions stay a small part of the builds that call for them.
STALE_SHARE = 0.10


def default_store_path() -> Path:
    return Path(os.environ.get("KG_STORE") or DEFAULT_STORE)


class EmbeddedStore(base.Store):
    """A kg store folder. Queries read the current generation; ``writer()`` makes the next one."""

    def __init__(self, path: str | os.PathLike | None = None):
        self.path = Path(path) if path is not None else default_store_path()
        self._reader: ox.Store | None = None
        self._generation: str | None = None  # the generation the reader opened
        self._hold = None  # the shared lock on it, which keeps a build from pruning it

    def __repr__(self) -> str:
        return f"EmbeddedStore({str(self.path)!r})"

    # -- reading
    def exists(self) -> bool:
        return (self.path / POINTER).is_file()

    def pointer(self) -> dict:
        """The pointer file's content, checked for format; raises when there is no usable store. A
        generation found missing is looked for again: a commit may have moved the pointer and pruned
        the generation it named between the pointer's reading and the look."""
        for _ in range(2):
            try:
                return self._pointer()
            except GenerationMissing:
                time.sleep(0.05)
        return self._pointer()

    def _pointer(self) -> dict:
        pointer_file = self.path / POINTER
        if not pointer_file.is_file():
            if self.path.is_dir() and any(self.path.iterdir()) and not self._only_kg_files():
                raise StoreFormatError(
                    f"{self.path} is not a kg store (no {POINTER}); choose another --store or delete it"
                )
            if _held_exclusively(self.path / LOCK):
                raise StoreNotFound(f"no graph in {self.path} yet: its first build is under way and publishes "
                                    f"its first batch after --commit-every documents (500) or a minute; "
                                    f"try again then")
            raise StoreNotFound(f"no graph in {self.path} yet: run 'kg build' first (or pass --store)")
        try:
            pointer = json.loads(pointer_file.read_text(encoding="utf-8"))
            fmt = int(pointer["format"])
            generation = str(pointer["generation"])
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise StoreFormatError(
                f"{pointer_file} is damaged ({exc}); rebuild the store with 'kg build --rebuild'"
            ) from exc
        if fmt != FORMAT_VERSION:
            raise StoreFormatError(
                f"{self.path} was written in store format {fmt}, this kg reads format {FORMAT_VERSION}: "
                f"rebuild it with 'kg build --rebuild'"
            )
        if not GENERATION.match(generation) or not (self.path / generation).is_dir():
            raise GenerationMissing(
                f"{self.path}: generation {generation!r} is missing; rebuild with 'kg build --rebuild'"
            )
        return pointer

    def _only_kg_files(self) -> bool:
        return all(p.name == LOCK or _is_working_copy(p.name) or GENERATION.match(p.name.removesuffix(READERS))
                   or p.name.startswith(POINTER) for p in self.path.iterdir())

    def reader(self) -> ox.Store:
        """The current generation, opened read-only (once per Store object)."""
        if self._reader is None:
            for attempt in range(3):
                name = self.pointer()["generation"]
                generation = self.path / name
                hold = None
                try:
                    hold = _shared_lock(self.path / (name + READERS))
                    self._reader = ox.Store.read_only(str(generation))
                    self._generation, self._hold = name, hold
                    break
                except RuntimeError as exc:  # RocksDB: "Corruption: ..."
                    _release(hold)
                    raise self._damaged(exc) from exc
                except OSError as exc:
                    # a concurrent build may have just pruned the generation we read the name of
                    _release(hold)
                    if attempt == 2:
                        raise StoreFormatError(f"{generation} cannot be opened ({exc}); "
                                               f"rebuild with 'kg build --rebuild'") from exc
                    time.sleep(0.05)
        return self._reader

    def size_on_disk(self) -> int | None:
        """Bytes of the current generation's files (without opening it); None if there is none."""
        try:
            generation = self.path / self.pointer()["generation"]
            return sum(entry.stat(follow_symlinks=False).st_size for entry in os.scandir(generation)
                       if entry.is_file(follow_symlinks=False))
        except (StoreNotFound, StoreFormatError, OSError):
            return None

    def generation_path(self) -> Path:
        """The folder of the generation this store reads (held open for it: no build prunes it)."""
        self.reader()
        return self.path / self._generation

    def run_isolated(self, text, bindings, *, prefixes, timeout, max_memory, max_result, allow_network):
        """A user's query in a child process over the current generation (kg.sandbox)."""
        from .. import sandbox

        # the generation the reader holds (a missing or damaged store says so before a process starts)
        return sandbox.run_isolated(self.generation_path(), text, bindings, prefixes=prefixes, timeout=timeout,
                                    max_memory=max_memory, max_result=max_result, allow_network=allow_network)

    def query(self, sparql: str, bindings: dict[str, ox.NamedNode | ox.Literal] | None = None,
              timeout: float | None = QUERY_TIMEOUT):
        """Runs a SPARQL query over the union of all graphs; ``bindings`` are bound, never pasted.

        The result is read whole (solutions as a list with ``variables``, triples as a list) in a
        thread that pyoxigraph lets run without the GIL, so Ctrl-C stops the wait at once and a
        query over ``timeout`` seconds raises QueryLimit (the abandoned thread ends with its query
        or the process). For a user's query, with a memory limit and no network, use
        kg.queries.run_query.
        """
        reader = self.reader()
        substitutions = {ox.Variable(k): v for k, v in (bindings or {}).items()}

        def run():
            result = reader.query(sparql, use_default_graph_as_union=True, prefixes=PREFIXES,
                                  substitutions=substitutions)
            if isinstance(result, ox.QuerySolutions):
                return Solutions(result, result.variables)
            return result if isinstance(result, ox.QueryBoolean) else list(result)

        try:
            return in_thread(run, timeout)
        except RuntimeError as exc:
            if "Corruption" in str(exc):
                raise self._damaged(exc) from exc
            raise

    def stream(self, sparql: str, bindings: dict[str, ox.NamedNode | ox.Literal] | None = None) -> Iterator:
        """Runs a SELECT query like ``query`` but yields its solutions as Oxigraph finds them, for
        results too large to hold (an ORDER BY makes Oxigraph compute them all first). No timeout:
        the caller reads at its own pace."""
        substitutions = {ox.Variable(k): v for k, v in (bindings or {}).items()}
        try:
            yield from self.reader().query(sparql, use_default_graph_as_union=True, prefixes=PREFIXES,
                                           substitutions=substitutions)
        except (RuntimeError, OSError) as exc:
            if "Corruption" in str(exc) or isinstance(exc, OSError):
                raise self._damaged(exc) from exc
            raise

    def quads(self) -> Iterator[ox.Quad]:
        try:
            yield from self.reader()
        except (RuntimeError, OSError) as exc:
            raise self._damaged(exc) from exc

    def __len__(self) -> int:
        return len(self.reader())

    def quads_for_pattern(self, subject=None, predicate=None, object=None, graph=None) -> Iterator[ox.Quad]:
        """The current generation's quads that match (None matches anything)."""
        try:
            yield from self.reader().quads_for_pattern(subject, predicate, object, graph)
        except (RuntimeError, OSError) as exc:
            raise self._damaged(exc) from exc

    def being_written(self) -> bool:
        return _held_exclusively(self.path / LOCK)

    def _damaged(self, exc: Exception) -> StoreDamaged:
        detail = " ".join(str(exc).split())
        detail = detail if len(detail) <= 160 else detail[:159] + "\u2026"
        return StoreDamaged(f"the store in {self.path} is damaged ({detail}): rebuild it with "
                            f"'kg build --rebuild --store {self.path}' from your corpus")

    def close(self) -> None:
        self._reader = None  # read-only: RocksDB holds no lock for it, its files go with its last iterator
        _release(self._hold)
        self._generation = self._hold = None

    # -- writing
    @contextmanager
    def writer(self, fresh: bool = False) -> Iterator[EmbeddedWriter]:
        """A writable working copy of the graph; ``Writer.commit()`` publishes what it holds so far as
        a new generation, and the block's end publishes the rest (nothing, if it ends by an exception:
        the store then keeps its last committed generation).

        ``fresh`` starts from an empty graph instead of a copy of the current one (this is also
        how a store of another format version is replaced).
        """
        try:
            self.path.mkdir(parents=True, exist_ok=True)
            if not self.path.is_dir():
                raise NotADirectoryError(20, "not a folder", str(self.path))
        except OSError as exc:
            raise self._unwritable(exc) from exc
        with _exclusive_lock(self.path / LOCK):
            self._remove_abandoned()
            if self._current_name() is not None:
                self._prune(keep=self._current_name())
            work = self.path / f"{WORK}-{os.getpid()}-{next(_COPIES)}"
            stale, counted = 0, None
            try:
                if self.exists() and not fresh:
                    pointer = self.pointer()
                    stale, counted = _stale_quads(pointer), _counted_quads(pointer)
                    try:
                        source = ox.Store.read_only(str(self.path / pointer["generation"]))
                    except RuntimeError as exc:
                        raise self._damaged(exc) from exc
                    source.backup(str(work))
                    del source
                started_empty = not (self.exists() and not fresh)
                writer = EmbeddedWriter(self, ox.Store(str(work)), work, stale, started_empty, counted)  # a new folder
            except OSError as exc:
                shutil.rmtree(work, ignore_errors=True)
                raise self._unwritable(exc) from exc
            failed = True
            try:
                yield writer
                writer.settle()
                writer.commit()
                failed = False
            finally:
                writer.close(collect=failed)
                # a failed write (a full disk) leaves the working copy and maybe a half-made generation
                try:
                    self._remove_abandoned()
                except OSError:
                    pass

    def _unwritable(self, exc: OSError) -> StoreWriteError:
        code = exc.errno
        if code is None and "No space left on device" in str(exc):  # RocksDB's IO errors carry no errno
            code = errno.ENOSPC
        reason = UNWRITABLE.get(code) or " ".join(str(exc.strerror or exc).split())
        return StoreWriteError(f"cannot write the store in {self.path}: {reason}")

    def _publish_checkpoint(self, working: ox.Store, stale: int = 0, counted: tuple[int, int] | None = None) -> str:
        """Publishes a checkpoint of the working copy (hard links, not a copy) as the next generation;
        ``stale`` is how many quads were removed from it since it was last compacted, ``counted`` its
        quads when last counted and ``stale`` then."""
        try:
            working.flush()
        except OSError as exc:
            raise self._unwritable(exc) from exc
        number = max([int(m.group(1)) for p in self.path.iterdir() if (m := GENERATION.match(p.name))],
                     default=0) + 1
        target = self.path / f"gen-{number:06d}"
        try:
            working.backup(str(target))
            _fsync_dir(self.path)
            self._publish(target.name, stale, counted)
        except OSError as exc:
            self._discard_unpublished(target)
            raise self._unwritable(exc) from exc
        except BaseException:  # Ctrl-C or SIGTERM can land after the pointer has moved to the target
            self._discard_unpublished(target)
            raise
        self.close()  # this process reads the new generation from now on
        self._prune(keep=target.name)
        return target.name

    def _publish(self, generation: str, stale: int = 0, counted: tuple[int, int] | None = None) -> None:
        pointer = {"format": FORMAT_VERSION, "generation": generation, "kg": __version__, STALE: stale}
        if counted is not None:
            pointer[COUNTED] = list(counted)
        tmp = self.path / (POINTER + ".tmp")
        with suppress(OSError):  # never write through a link planted there
            os.unlink(tmp)
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, 0o644)
        with open(fd, "w", encoding="utf-8") as f:
            json.dump(pointer, f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, self.path / POINTER)
        _fsync_dir(self.path)

    def _discard_unpublished(self, target: Path) -> None:
        """Removes a generation whose publication failed, unless the pointer already names it."""
        if self._current_name() != target.name:
            shutil.rmtree(target, ignore_errors=True)

    def _generations(self) -> list[str]:
        return sorted(p.name for p in self.path.iterdir() if GENERATION.match(p.name) and p.is_dir())

    def _remove_abandoned(self) -> None:
        """The working copies and generations newer than the current one were left by an interrupted build."""
        for path in self.path.iterdir():
            if _is_working_copy(path.name):
                shutil.rmtree(path, ignore_errors=True)
        current = self._current_name()
        for name in self._generations():
            if current is None or name > current:
                shutil.rmtree(self.path / name, ignore_errors=True)

    def _prune(self, keep: str) -> None:
        """Removes the generations older than ``keep`` that no reader holds (a reader's shared lock
        keeps its generation for as long as it reads it: a notebook's open store, a long query)."""
        for name in self._generations():
            if name < keep:
                _remove_unheld(self.path / name, self.path / (name + READERS))
        for lock in self.path.glob("gen-*" + READERS):  # the locks of generations already gone
            name = lock.name.removesuffix(READERS)
            if GENERATION.match(name) and name < keep and not (self.path / name).exists():
                _remove_unheld(None, lock)

    def _current_name(self) -> str | None:
        try:
            return json.loads((self.path / POINTER).read_text(encoding="utf-8"))["generation"]
        except (OSError, ValueError, KeyError, TypeError):
            return None


class EmbeddedWriter(base.Writer):
    """Write access to the working copy of a build; usable only inside ``EmbeddedStore.writer()``."""

    def __init__(self, owner: EmbeddedStore, store: ox.Store, work: Path, stale: int = 0,
                 started_empty: bool = False, counted: tuple[int, int] | None = None):
        self._owner = owner
        self._store: ox.Store | None = store
        self.work = work  # its folder
        self.commits = 0
        self.stale = stale  # quads removed since the working copy was last compacted
        self.counted = counted  # (quads, stale) when the quads were last counted, if they were
        self.started_empty = started_empty  # a fresh graph: settle() compacts what the build loaded
        self.compacted = False  # whether settle() compacted it
        # A bulk load runs in a thread (pyoxigraph lets it run without the GIL) while the build goes
        # on parsing or counting (None: none is loading).
        self._loads = _BackgroundLoads()
        self._loading: _Load | None = None

    @property
    def store(self) -> ox.Store:
        if self._store is None:
            raise RuntimeError("the working copy was already closed")
        return self._store

    def replace_graph(self, graph: ox.NamedNode, quads: Iterable[ox.Quad]) -> None:
        """Replaces everything in ``graph`` with ``quads``, writing only the quads that differ (the
        ontology's graph, replaced by every build, leaves nothing to compact when it did not change)."""
        self._finish_load()
        try:
            held = set(self.store.quads_for_pattern(None, None, None, graph))
            new = set(quads)
            for quad in held - new:
                self.store.remove(quad)
                self.stale += 1
            self.store.extend(new - held)  # one transaction
        except OSError as exc:
            raise self._owner._unwritable(exc) from exc

    def change(self, removed: Iterable[ox.Quad], added: Iterable[ox.Quad], bulk: bool = False) -> None:
        """Removes ``removed`` and adds ``added``: for a graph that changes a little, or starts empty.
        Many quads (or any, with ``bulk``) are loaded in bulk, without a transaction: the working copy
        can afford it, since only a commit publishes it, and none follows a failed load. A bulk load
        goes on in a thread after this returns; writes happen in order, and a read waits for it only
        if it could see what it adds (see _finish_load)."""
        self._finish_load()
        try:
            for quad in removed:
                self.store.remove(quad)
                self.stale += 1
            # in chunks: a change as large as a whole store's events is never held as one list
            for chunk in _chunks(added, CHUNK_QUADS):
                self._finish_load()  # one chunk loading, one being read: memory stays bounded
                if bulk or len(chunk) > BULK_QUADS:
                    self._load_behind(chunk)
                else:
                    self.store.extend(chunk)
        except OSError as exc:
            raise self._owner._unwritable(exc) from exc

    def _load_behind(self, chunk: list[ox.Quad]) -> None:
        """Bulk-loads ``chunk`` in a thread. pyoxigraph reads a list of quads holding the GIL, but
        parses and loads N-Quads text without it: the chunk goes as text, so the load runs beside
        the build's own work. Blank nodes, whose labels a parser may not keep, load as quads here."""
        store = self.store
        graphs = set()
        for quad in chunk:
            graphs.add(quad.graph_name)
            if isinstance(quad.subject, ox.BlankNode) or isinstance(quad.object, ox.BlankNode):
                store.bulk_extend(chunk)
                return
        if any(isinstance(graph, ox.BlankNode) for graph in graphs):
            store.bulk_extend(chunk)
            return
        text = ox.serialize(chunk, format=ox.RdfFormat.N_QUADS)
        self._loading = self._loads.hand(store, text, graphs)

    def _finish_load(self, graph=None, *, reading: bool = False) -> None:
        """Waits for the bulk load in flight, if any, and raises what it raised. A read of one named
        ``graph`` (``reading``) waits only if the load adds to that graph."""
        load = self._loading
        if load is None or (reading and graph is not None and graph not in load.graphs):
            return
        load.done.wait()
        self._loading = None
        if isinstance(load.error, OSError):
            raise self._owner._unwritable(load.error) from load.error
        if load.error is not None:
            raise load.error

    def query(self, sparql: str, bindings: dict | None = None):
        self._finish_load()
        substitutions = {ox.Variable(k): v for k, v in (bindings or {}).items()}
        return self.store.query(sparql, use_default_graph_as_union=True, prefixes=PREFIXES,
                                substitutions=substitutions)

    # The working copy's quads, for what a build reads and writes outside replace_graph and change:
    # build and events go through these (never through ``store``), so that any backend can serve them.
    def quads_for_pattern(self, subject=None, predicate=None, object=None, graph=None) -> Iterator[ox.Quad]:
        self._finish_load(graph, reading=True)
        return self.store.quads_for_pattern(subject, predicate, object, graph)

    def graph_quads(self, graph: ox.NamedNode, predicates: Collection[ox.NamedNode]) -> Iterator[ox.Quad]:
        """One index range per predicate: a document's text and evidence literals are never read."""
        self._finish_load(graph, reading=True)
        for predicate in predicates:
            yield from self.store.quads_for_pattern(None, predicate, None, graph)

    def contains_named_graph(self, graph: ox.NamedNode) -> bool:
        self._finish_load(graph, reading=True)
        return self.store.contains_named_graph(graph)

    def extend(self, quads: Iterable[ox.Quad]) -> None:
        self.change((), quads)

    def remove(self, quads: Iterable[ox.Quad]) -> None:
        self.change(list(quads), ())

    def busy(self) -> bool:
        return self._loading is not None and not self._loading.done.is_set()

    def commit(self) -> str:
        """Publishes the graph as it is now: readers, and a build after a crash, start from here."""
        self._finish_load()
        self.commits += 1
        return self._owner._publish_checkpoint(self.store, self.stale, self.counted)

    def settle(self) -> None:
        """Readies the working copy for the last commit. It retires the write-ahead log by reopening
        the copy (RocksDB replays the log into sorted files; a flush alone leaves the log file alive,
        and a checkpoint copies it: some megabytes in every generation, most of a small store on
        disk). It compacts the copy when the build started from an empty graph (its bulk loads leave
        dozens of overlapping files that RocksDB would merge only in later builds: at 10,000 articles
        a whole-store read took twice as long, at 100,000 the store was a fifth larger), and once the quads removed
        since the last compaction reach STALE_SHARE of the store's (every removed quad and its
        tombstone leave the disk)."""
        self._finish_load()
        self._drop_store()
        try:
            self._store = _open_writable(self.work)
            if self.started_empty or self._stale_share_reached():
                _compact(self._store)
                self.stale, self.compacted = 0, True
                if self.counted is not None:
                    self.counted = (self.counted[0], 0)
        except OSError as exc:
            raise self._owner._unwritable(exc) from exc

    def _stale_share_reached(self) -> bool:
        """Whether the quads removed since the last compaction reach STALE_SHARE of the store's. Counting
        the quads reads a whole index (3 s at 100,000 articles, 25 s at 1,000,000), so it is done only
        when the count kept from last time cannot tell: each quad removed since then lowers the
        store's count by one at most."""
        if not self.stale:
            return False
        if self.counted is not None:
            quads, then = self.counted
            if self.stale < STALE_SHARE * (quads - max(0, self.stale - then)):
                return False
        quads = count_quads(self._store)
        self.counted = (quads, self.stale)
        return self.stale >= STALE_SHARE * quads

    def close(self, collect: bool = False) -> None:
        """Closes the working copy. After an error (``collect``), the garbage collector runs too: a
        traceback can hold one of its iterators in a reference cycle, and the folder is removed next."""
        # after an error or Ctrl-C, what a load adds is thrown away with the copy, once it has ended
        self._loads.close()
        self._loading = None
        self._drop_store()
        if collect:
            gc.collect()

    def _drop_store(self) -> None:
        self._store = None  # closed with its last reference, or by _open_writable's collection


# A working copy's folder is never used twice by a process: one left open by an interrupted build (its
# traceback kept in a reference cycle) closes when the garbage collector frees it, and RocksDB then
# deletes the files it thinks obsolete in its folder, which must not be the next build's.
_COPIES = itertools.count(1)


def _is_working_copy(name: str) -> bool:
    return name == WORK or name.startswith(WORK + "-")  # "work" alone: left by a kg that named them all so


class GenerationMissing(StoreFormatError):
    """The pointer names a generation that is not there."""


def _open_writable(path: Path) -> ox.Store:
    """``path`` opened read-write. A working copy this process dropped is closed as its last reference
    goes, unless an iterator over it is caught in a reference cycle, which only the garbage collector
    frees: RocksDB then finds its lock still held by this process. A full collection walks every
    object (a tenth of a second or more with a model loaded), so it runs only then."""
    try:
        return ox.Store(str(path))
    except OSError as exc:
        if "lock hold by current process" not in str(exc):
            raise
    gc.collect()
    return ox.Store(str(path))


def _compact(store: ox.Store) -> None:
    """Compacts ``store`` (Oxigraph's optimize: RocksDB rewrites every file) in a thread, which
    pyoxigraph lets run without the GIL, waiting for it so that Ctrl-C and SIGTERM are handled at
    once (a compaction of 100,000 articles takes half a minute): an interrupted build throws its
    working copy away, and the thread with it when the process ends."""
    done, failed = threading.Event(), []

    def run() -> None:
        try:
            store.optimize()
        except BaseException as exc:  # raised in the build's thread below
            failed.append(exc)
        finally:
            done.set()

    threading.Thread(target=run, name="kg-compact", daemon=True).start()
    while not done.wait(0.2):
        pass
    if failed:
        raise failed[0]


@dataclass
class _Load:
    """One bulk load handed to _BackgroundLoads: ``done`` is set when it has ended, ``error`` is what
    it raised."""

    store: ox.Store | None
    text: bytes
    graphs: set
    done: threading.Event = field(default_factory=threading.Event)
    error: BaseException | None = None

    def run(self) -> None:
        try:
            self.store.bulk_load(self.text, format=ox.RdfFormat.N_QUADS)
        except BaseException as exc:  # raised in the build's thread by _finish_load
            self.error = exc
        finally:
            self.store, self.text = None, b""  # the working copy can close once its loads are done
            self.done.set()


class _BackgroundLoads:
    """A thread that runs a writer's bulk loads in turn. It is started with the writer, so that
    Ctrl-C, which can land anywhere in the build's thread, never finds it half started; and a load
    is handed over in one call that a signal cannot split. ``close`` returns once every load handed
    over has ended: the working copy can then be closed and thrown away."""

    def __init__(self) -> None:
        self._queue: queue.SimpleQueue = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._run, name="kg-bulk-load", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while (load := self._queue.get()) is not None:
            load.run()

    def hand(self, store: ox.Store, text: bytes, graphs: set) -> _Load:
        load = _Load(store, text, graphs)
        self._queue.put(load)
        return load

    def close(self) -> None:
        if self._thread.is_alive():
            self._queue.put(None)
            self._thread.join()


CHUNK_QUADS = 200_000  # Writer.change loads at most this many quads at a time
STALE = "stale_quads"  # the pointer's count of quads removed since the store was last compacted


COUNTED = "counted_quads"  # the pointer's [quads, stale quads then], when the store's quads were last counted


def count_quads(store: ox.Store) -> int:
    return len(store)


def _counted_quads(pointer: dict) -> tuple[int, int] | None:
    try:
        quads, then = pointer[COUNTED]
        return (int(quads), max(0, int(then))) if int(quads) >= 0 else None
    except (KeyError, TypeError, ValueError):
        return None


def _stale_quads(pointer: dict) -> int:
    """The quads removed since the last compaction (0 in a store written before kg counted them)."""
    try:
        return max(0, int(pointer.get(STALE, 0)))
    except (TypeError, ValueError):
        return 0


def _chunks(items: Iterable, size: int) -> Iterator[list]:
    chunk = []
    for item in items:
        chunk.append(item)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _shared_lock(path: Path):
    """A shared lock on a generation's readers file (made if missing, never through a link); None where
    there are no POSIX locks."""
    try:
        import fcntl
    except ImportError:
        return None
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o644)
    except OSError:
        return None  # a read-only store folder: nothing can prune it either
    handle = open(fd, "rb")
    fcntl.flock(handle, fcntl.LOCK_SH)  # waits while a build removes that generation
    return handle


def _release(handle) -> None:
    if handle is not None:
        handle.close()


def _remove_unheld(generation: Path | None, lock: Path) -> None:
    """Removes a generation and its readers file unless a reader holds it."""
    try:
        import fcntl
    except ImportError:
        return  # no locks, no way to tell: old generations stay
    try:
        fd = os.open(lock, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o644)
    except OSError:
        return
    with open(fd, "rb") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            return  # being read
        if generation is not None:
            shutil.rmtree(generation, ignore_errors=True)
        with suppress(OSError):
            os.unlink(lock)


# The lock files this process's builds hold: asked here, being_written() answers without opening them
# (closing any descriptor of a file drops the process's POSIX locks on it).
_HELD: set[str] = set()


@contextmanager
def _exclusive_lock(path: Path) -> Iterator[None]:
    """Holds ``path`` for one build: an exclusive flock, which only builds take, so that two never
    write at once; and, for readers to see (_held_exclusively), a POSIX write lock on the same file,
    which readers test by taking a shared one for a moment. Readers never touch the flock, so that
    any number of them asking at once cannot keep a build out."""
    try:
        import fcntl
    except ImportError:  # not POSIX: no cross-process lock, a single writer is the user's job
        yield
        return
    key, held = str(path.resolve()), False
    if key in _HELD:  # opening it again here, and closing it, would drop this process's POSIX lock on it
        raise StoreLocked(f"{path.parent} is being written by another kg build (pid {os.getpid()}, this "
                          f"process); wait for it to finish, or use another --store")
    try:
        # never through a link: a planted write.lock -> /etc/passwd must not be truncated
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o644)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise StoreWriteError(f"{path} is a symbolic link, which kg never follows: remove it "
                                  f"(kg makes its own lock file)") from None
        reason = UNWRITABLE.get(exc.errno) or f"cannot create its lock file {path.name} ({exc.strerror or exc})"
        raise StoreWriteError(f"cannot write the store in {path.parent}: {reason}") from None
    if not stat.S_ISREG(os.fstat(fd).st_mode):  # a FIFO or a device planted there
        os.close(fd)
        raise StoreWriteError(f"{path} is not a file: remove it (kg makes its own lock file)")
    handle = open(fd, "a+", encoding="utf-8")
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            handle.seek(0)
            holder = handle.read().strip() or "another process"
            raise StoreLocked(
                f"{path.parent} is being written by another kg build (pid {holder}); "
                f"wait for it to finish, or use another --store"
            ) from None
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        # for readers to see; a reader's shared lock of the moment can delay it: tried again for a
        # fifth of a second, then the build goes on unseen (readers then say no build runs)
        deadline = time.monotonic() + 0.2
        while True:
            try:
                fcntl.lockf(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except OSError:
                if time.monotonic() >= deadline:
                    break
                time.sleep(0.01)
        _HELD.add(key)
        held = True
        yield
    finally:
        if held:
            _HELD.discard(key)
        handle.close()  # closing releases both locks


def _held_exclusively(path: Path) -> bool:
    """Whether a build holds the lock file ``path``: a POSIX shared lock tried without waiting (the
    file never made or followed), which takes nothing a build waits for (see _exclusive_lock)."""
    try:
        import fcntl
    except ImportError:
        return False
    if str(path.resolve()) in _HELD:  # this process's own build
        return True
    try:  # O_NONBLOCK: a FIFO planted there must not hold the reader
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC | os.O_NONBLOCK)
    except OSError:
        return False
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):  # a folder or a FIFO is no build's lock
            return False
        fcntl.lockf(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except OSError:
        return True
    finally:
        os.close(fd)
    return False


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
