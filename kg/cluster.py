"""Distributed extraction: documents parsed and read on a Dask cluster, their relations streamed back.

``kg build --cluster ADDRESS`` sends the documents to the cluster's workers in batches and gets back
each document's relations (or why none could be read), in input order, for the one writer: the
build process, which alone writes the store. At most ``IN_FLIGHT_PER_THREAD`` batches per worker
thread are out at once, so a corpus of any size streams through in bounded memory. Each worker loads
the spaCy pipeline and gazetteer once and keeps them for the batches that follow.

dask.distributed is imported only here, and only when a cluster is used (``pip install 'kg[cluster]'``).
"""

from __future__ import annotations

import atexit
import hashlib
import logging
import os
import shutil
import socket
import tempfile
import threading
import time
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from .errors import ClusterError, KgError, ModelNotFound
from .extract import Extraction, Extractor, extractor_version
from .extract.workers import batches
from .records import Document, Relation

# Documents in one task: large enough that a task's overhead is small, small enough to spread.
BATCH_DOCUMENTS = 16
# Batches out at once per worker thread: one being read, one waiting, so no worker idles.
IN_FLIGHT_PER_THREAD = 2
CONNECT_SECONDS = 10.0
# How long a build waits for the scheduler's first worker.
WORKERS_SECONDS = 60.0
LOCAL = "local:"
INSTALL = "pip install 'kg[cluster]'"


@dataclass(frozen=True)
class WorkerSetup:
    """What a worker needs to read documents as this build does. It travels with every batch (it is
    small: a user's gazetteer tables are the most of it), so a worker that joins late, or replaces
    one that died, has it too; each worker builds its pipeline from it once."""

    model: str | None
    gazetteers: tuple[tuple[str, bytes], ...]  # (file name, contents): the build's files may not be there
    version: str  # the build's extractor version: a worker running other code or data is refused
    key: str = ""  # a digest of the above: the worker keeps the pipeline it built for it

    @classmethod
    def of(cls, model: str | None, gazetteers: tuple[str, ...]) -> WorkerSetup:
        files = tuple((Path(p).name, Path(p).read_bytes()) for p in gazetteers)
        version = extractor_version(tuple(map(str, gazetteers)))
        digest = hashlib.sha256(repr((model, version)).encode())
        for name, data in files:
            digest.update(name.encode() + b"\0" + data)
        return cls(model, files, version, digest.hexdigest())


def check_cluster(address: str) -> None:
    """Raises ClusterError unless ``address`` can be used: dask.distributed installed, ``local:N``
    well formed, a scheduler's host and port accepting connections. Called before a build writes."""
    _distributed()
    if address.startswith(LOCAL):
        _local_workers(address)
        return
    host, port = _host_port(address)
    if host is None:  # an in-process or other transport: Client() says whether it works
        return
    try:
        with socket.create_connection((host, port), timeout=CONNECT_SECONDS):
            pass
    except OSError as exc:
        reason = exc.strerror or str(exc) or type(exc).__name__
        raise ClusterError(f"cannot reach a Dask scheduler at {address} ({reason}): start one with "
                           f"'dask scheduler' and workers with 'dask worker {address}', or use local:N") from exc


def extract_on_cluster(documents: Iterable[Document], address: str, model: str | None = None,
                       doc_timeout: float | None = None, gazetteers: tuple[str, ...] = (),
                       batch: int = BATCH_DOCUMENTS) -> Iterator[Extraction]:
    """Extractions in input order, read by the workers of the Dask scheduler at ``address``
    (``local:N`` starts N worker processes on this machine for the build).

    Closing the generator (the end of the build, Ctrl-C, an error) cancels what is still out and
    closes the connection (and the local cluster)."""
    distributed = _distributed()
    # what goes wrong, the build reports, in one line: distributed's loggers (its configuration
    # sets levels on several of them) stay quiet while it runs, and so does tornado's, which logs
    # with a traceback what distributed's callbacks raise (one raises NameError when Ctrl-C lands
    # as it starts a call: distributed.utils.sync's cancel)
    loggers = [logging.getLogger(name) for name in ["distributed", "tornado", *logging.root.manager.loggerDict]
               if name.split(".")[0] in ("distributed", "tornado")]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.CRITICAL)
    setup = WorkerSetup.of(_model(model), gazetteers)
    local = client = None
    pending: deque[tuple[list[Document], object]] = deque()
    stopped = True  # by Ctrl-C, SIGTERM or an error: a callback may still run on distributed's loop
    try:
        if address.startswith(LOCAL):
            local = _local_cluster(distributed, _local_workers(address))
        client = _connect(distributed, local or address, address)
        capacity = _Capacity(client)
        for group in batches(documents, batch):
            pending.append((group, client.submit(_extract_on_worker, group, setup, doc_timeout, pure=False)))
            while len(pending) >= capacity():
                yield from _collected(*pending.popleft(), distributed)
        while pending:
            yield from _collected(*pending.popleft(), distributed)
        stopped = False
    finally:
        if client is not None:
            if pending:
                try:
                    client.cancel([future for _, future in pending], force=True)
                except Exception:  # noqa: BLE001 - a scheduler already gone has nothing to cancel
                    pass
            _quietly(client.close, timeout=CONNECT_SECONDS)
        if local is not None:
            _quietly(local.close, timeout=CONNECT_SECONDS)
        for logger, level in zip(loggers, levels):
            # after a stop, tornado's stay quiet: the loop's late callbacks run after this returns
            if not (stopped and logger.name.split(".")[0] == "tornado"):
                logger.setLevel(level)


# -- the build's side


def _distributed():
    try:
        import distributed
    except ImportError as exc:
        raise ClusterError(f"--cluster needs dask.distributed, which is not installed: {INSTALL}") from exc
    return distributed


def _local_workers(address: str) -> int:
    count = address[len(LOCAL):]
    if not count.isdigit() or not 1 <= int(count) <= 64:
        raise ClusterError(f"{address!r}: write local:N with N from 1 to 64 worker processes")
    return int(count)


def _local_cluster(distributed, workers: int):
    """A cluster of ``workers`` processes on this machine, one thread each. They are started with
    SIGINT ignored (they inherit it): Ctrl-C at a terminal reaches the whole process group, and it is
    the build's to handle, which then closes them."""
    import signal

    ignoring = threading.current_thread() == threading.main_thread()
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN) if ignoring else None
    try:
        return distributed.LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, host="127.0.0.1",
                                        dashboard_address="127.0.0.1:0", silence_logs=logging.CRITICAL)
    finally:
        if ignoring:
            signal.signal(signal.SIGINT, previous)


def _host_port(address: str) -> tuple[str | None, int]:
    """The host and port to check for a tcp/tls/ws scheduler address (host None: another transport)."""
    from distributed.comm import parse_address, parse_host_port

    try:
        scheme, location = parse_address(address)
        if scheme in ("inproc", "ucx"):
            return None, 0
        if scheme not in ("tcp", "tls", "ws", "wss"):
            raise ValueError(scheme)
        host, port = parse_host_port(location, default_port=8786)
    except ValueError as exc:
        raise ClusterError(f"{address!r} is no cluster address: give a Dask scheduler's address "
                           f"(tcp://HOST:8786) or local:N") from exc
    if not host:
        raise ClusterError(f"{address!r} names no host: give a Dask scheduler's address (tcp://HOST:8786)")
    return host, int(port)


def _model(model: str | None) -> str | None:
    """The model this machine would use, so every worker loads the same one; else the name as given,
    for the workers to resolve (the build's machine need not have the model installed)."""
    from .extract.nlp import model_name

    try:
        return model_name(model)
    except ModelNotFound:
        return model


def _connect(distributed, cluster, address: str):
    try:
        client = distributed.Client(cluster, timeout=CONNECT_SECONDS, set_as_default=False)
    except (OSError, TimeoutError) as exc:
        raise ClusterError(f"cannot connect to the Dask scheduler at {address} ({exc}): is 'dask scheduler' "
                           f"running there?") from exc
    try:
        client.wait_for_workers(1, timeout=WORKERS_SECONDS)
    except (OSError, TimeoutError) as exc:
        client.close()
        raise ClusterError(f"the Dask scheduler at {address} has no workers after {WORKERS_SECONDS:.0f} s: "
                           f"start them with 'dask worker {address}' on machines with kg and the model") from exc
    return client


class _Capacity:
    """Batches the cluster may have out: ``IN_FLIGHT_PER_THREAD`` per worker thread, looked up again
    every few seconds as workers join or leave."""

    def __init__(self, client, every: float = 5.0):
        self.client, self.every = client, every
        self.value, self.checked = 0, float("-inf")

    def __call__(self) -> int:
        if time.monotonic() - self.checked >= self.every:
            threads = sum(self.client.nthreads().values())
            self.value, self.checked = IN_FLIGHT_PER_THREAD * max(1, threads), time.monotonic()
        return self.value


def _collected(group: list[Document], future, distributed) -> list[Extraction]:
    try:
        read = future.result()
    except distributed.KilledWorker:
        # a document that brings its worker down (the scheduler tried the batch on other workers,
        # three more times by default): its batch is reported, not stored, and the next build tries
        # those documents again
        return [Extraction(d, [], "a cluster worker died while reading it or another document of its batch")
                for d in group]
    except KgError:
        raise
    except distributed.client.FutureCancelledError as exc:
        raise ClusterError("lost the Dask scheduler (it stopped, or the connection to it did): the store "
                           "keeps its last whole batch; run the same kg build again to go on") from exc
    except Exception as exc:  # noqa: BLE001 - a failure outside one document's reading
        raise ClusterError(f"a cluster worker failed ({type(exc).__name__}: {exc})") from exc
    return [Extraction(document, relations, failure) for document, (relations, failure) in zip(group, read)]


def _quietly(close, **kwargs) -> None:
    try:
        close(**kwargs)
    except Exception:  # noqa: BLE001 - closing what is already gone
        pass


# -- the worker's side: one extractor per worker process, kept between tasks

_lock = threading.Lock()
_loaded: tuple[str, Extractor] | None = None


def _extract_on_worker(documents: list[Document], setup: WorkerSetup,
                       doc_timeout: float | None) -> list[tuple[list[Relation], str | None]]:
    """Each document's relations and failure (the documents themselves do not travel back)."""
    with _lock:  # one pipeline per process, used by one task at a time
        extractor = _extractor(setup)
        return [(e.relations, e.failure) for e in extractor.extract(documents, doc_timeout=doc_timeout)]


def _extractor(setup: WorkerSetup) -> Extractor:
    global _loaded
    if _loaded is not None and _loaded[0] == setup.key:
        return _loaded[1]
    _loaded = None  # a build with another model or gazetteer: the last one's pipeline goes
    where = _worker_address()
    try:
        extractor = Extractor(model=setup.model, gazetteers=_gazetteer_files(setup))
    except KgError as exc:
        raise ClusterError(f"on the cluster worker {where}: {exc}") from exc
    if extractor.version != setup.version:
        raise ClusterError(f"the cluster worker {where} runs another kg (extractor {extractor.version}, the build "
                           f"{setup.version}): install the same kg on every worker")
    _loaded = (setup.key, extractor)
    return extractor


def _gazetteer_files(setup: WorkerSetup) -> tuple[str, ...]:
    if not setup.gazetteers:
        return ()
    folder = Path(tempfile.mkdtemp(prefix="kg-gazetteers-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    paths = []
    for number, (name, data) in enumerate(setup.gazetteers):
        path = folder / str(number) / name
        path.parent.mkdir()
        path.write_bytes(data)
        paths.append(str(path))
    return tuple(paths)


def _worker_address() -> str:
    try:
        from distributed import get_worker

        return get_worker().address
    except (ImportError, ValueError):
        return f"pid {os.getpid()}"
