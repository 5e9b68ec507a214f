"""Extraction in local worker processes (``kg build --workers N``, and a build that adds to a large
store): each worker has its own pipeline and its own pipes, so the build knows which batches each one
holds.

Workers are started fresh (spawned, not forked: they inherit no open files, such as the store's
lock) and are killed by the kernel if the build dies. At most two batches per worker are in flight,
so a corpus of any size streams through in bounded memory. A worker that dies (the kernel's
out-of-memory killer, a crash in the parser) does not stop the build: a new one takes its place,
the batches it held are read again, the one it was reading a document at a time, and a document
that kills its worker again is reported as skipped. A pool (multiprocessing.Pool) would have lost
the dead worker's batch and waited for it forever.

A build that parses in one worker beside itself has the worker only parse (``serve_parses``) and
reads the parses itself (kg.extract.parses): the reading, a tenth of the parse's work, is then done
beside the parser instead of after it.
"""

from __future__ import annotations

import contextlib
import gc
import itertools
import multiprocessing
import os
import queue
import signal
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from ..errors import KgError, WorkersDied
from ..records import Document
from .pipeline import Extraction, Extractor

DIED = "a worker process died while reading it (a crash in the parser, or out of memory)"
WAIT = 0.2  # seconds between looks at Ctrl-C while waiting for the workers
BARREN = 5  # workers in a row that die as they start (before they are ready): the build stops
AHEAD = 4  # batches per worker that may be done and waiting for an earlier, slow one
# Documents sent to a worker at once, which its pipeline parses together: as many as the build's own
# process parses at once (Extractor.extract's batch_size). Batches of 16 made the model run twice as
# many, smaller, passes: 7 to 10% more time over 900 generated articles.
BATCH = 32
# A document this long or longer is read where it is parsed (serve_parses): a batch's parses sent
# at once then come to 32 times some 2 MB at most.
SEND_CHARS = 100_000


def extract_in_workers(documents: Iterable[Document], workers: int, model: str | None = None,
                       doc_timeout: float | None = None, batch: int = BATCH,
                       gazetteers: tuple[str, ...] = (), serve: Callable | None = None,
                       reader: Callable[[], Extractor] | None = None) -> Iterator[Extraction]:
    """Extractions in input order from ``workers`` processes, each with its own pipeline.
    ``serve`` is what a worker process runs (``serve_batches``, unless a test gives another).

    With ``reader`` (what makes an Extractor in this process, such as one over load_vocab), the
    workers only parse (``serve_parses``) and this process reads their parses: made once the workers
    have been started, it loads while they load their model."""
    from .nlp import model_name

    crew = _Crew(workers, (model_name(model), tuple(map(str, gazetteers))),
                 serve or (serve_parses if reader is not None else serve_batches), doc_timeout)
    groups = batches(documents, batch)

    def answered() -> Iterator:
        for group in groups:
            crew.send(group)
            yield from crew.ready()
        yield from crew.drain()
        crew.stop()

    try:
        if reader is None:
            yield from answered()
        else:
            for group in itertools.islice(groups, 2 * workers):  # what the workers parse first, as this loads
                crew.send(group)
            yield from reader().read(answered(), doc_timeout)
    finally:
        crew.kill()


def batches(documents: Iterable[Document], size: int) -> Iterator[list[Document]]:
    """``documents`` in lists of ``size`` (the last may be shorter)."""
    group: list[Document] = []
    for document in documents:
        group.append(document)
        if len(group) == size:
            yield group
            group = []
    if group:
        yield group


@dataclass
class _Batch:
    number: int  # its place in the input
    documents: list[Document]
    part: int | None = None  # of a batch read again a document at a time: which document
    begun: bool = False  # whether its worker said it began reading it


@dataclass(eq=False)
class _Worker:
    process: multiprocessing.Process
    requests: object  # the build's end of the pipe the worker is sent batches on
    answers: object  # and of the one it answers on, which a thread of the build reads (_listen)
    held: deque = field(default_factory=deque)  # batches sent, not yet answered, in the order sent
    started: bool = False  # whether it has said it is ready


class _Crew:
    """The worker processes of one build, and the batches each holds. A thread per worker reads its
    answers as they come (so that a worker never waits for the build to read a long answer) and puts
    them, and the worker's death (the end of its pipe), on one queue that the build reads."""

    def __init__(self, size: int, setup: tuple, serve: Callable, doc_timeout: float | None) -> None:
        self.context = multiprocessing.get_context("spawn")
        self.setup, self.serve, self.doc_timeout = setup, serve, doc_timeout
        self.inbox: queue.SimpleQueue = queue.SimpleQueue()  # (worker, answer, or None when it died)
        self.workers: list[_Worker] = [self._start() for _ in range(size)]
        self.sent = 0  # batches numbered so far
        self.next = 0  # the number of the next batch to hand on
        self.done: dict[int, list[Extraction]] = {}
        self.parts: dict[int, list[Extraction | None]] = {}  # batches read a document at a time
        self.barren = 0  # replaced workers in a row that died as they started

    def _start(self) -> _Worker:
        their_requests, requests = self.context.Pipe(duplex=False)
        answers, their_answers = self.context.Pipe(duplex=False)
        process = self.context.Process(target=self.serve, args=(their_requests, their_answers, *self.setup),
                                       daemon=True)
        with _ctrl_c_left_to_the_build():
            process.start()
        their_requests.close()
        their_answers.close()
        worker = _Worker(process, requests, answers)
        threading.Thread(target=self._listen, args=(worker,), name="kg-worker-answers", daemon=True).start()
        return worker

    def _listen(self, worker: _Worker) -> None:
        try:
            while True:
                self.inbox.put((worker, worker.answers.recv()))
        except (EOFError, OSError):  # the worker's end closed: it died, or was stopped
            self.inbox.put((worker, None))
        except BaseException as exc:  # noqa: BLE001 - an answer that cannot be read: the build says so
            self.inbox.put((worker, ("failed", exc)))

    def send(self, documents: list[Document]) -> None:
        """Hands a batch to the least busy worker, once it holds fewer than two, and while the batches
        done and waiting for an earlier one stay few (one slow document would otherwise have the rest
        of the corpus read, and held, behind it)."""
        self._collect(0)
        while min(len(w.held) for w in self.workers) >= 2 or (
                self.next not in self.done and self.sent - self.next >= AHEAD * len(self.workers)):
            self._collect(WAIT)
        self._give(min(self.workers, key=lambda w: len(w.held)), _Batch(self.sent, documents))
        self.sent += 1

    def _give(self, worker: _Worker, batch: _Batch) -> None:
        worker.held.append(batch)
        with contextlib.suppress(OSError):  # a worker that has just died: its listener says so, and
            worker.requests.send((batch.documents, self.doc_timeout))  # what it held goes to the next

    def ready(self) -> Iterator[Extraction]:
        """The extractions of the batches done, in input order, as far as they go."""
        while self.next in self.done:
            yield from self.done.pop(self.next)
            self.next += 1

    def drain(self) -> Iterator[Extraction]:
        while self.next < self.sent:
            self._collect(WAIT)
            yield from self.ready()

    def _collect(self, timeout: float) -> None:
        """Takes in the answers and deaths there are, waiting up to ``timeout`` seconds for one (in
        short steps, so that Ctrl-C is seen at once)."""
        try:
            worker, answer = self.inbox.get(timeout=timeout) if timeout else self.inbox.get_nowait()
        except queue.Empty:
            return
        while True:
            if worker in self.workers:  # not one already replaced
                if answer is None:
                    self._replace(worker)
                else:
                    self._take(worker, answer)
            try:
                worker, answer = self.inbox.get_nowait()
            except queue.Empty:
                return

    def _take(self, worker: _Worker, answer: tuple) -> None:
        kind, payload = answer
        if kind == "ready":
            worker.started, self.barren = True, 0
        elif kind == "reading":
            worker.held[0].begun = True
        elif kind == "done":
            self._finish(worker.held.popleft(), payload)
        elif kind == "error" and isinstance(payload, KgError):  # a model that does not load
            raise payload
        else:  # its pipeline failed otherwise, or its answer could not be read
            raise WorkersDied(f"a worker process failed ({type(payload).__name__}: {payload}); "
                              f"run kg build --workers 1 into a new store to see why")

    def _finish(self, batch: _Batch, extractions: list[Extraction]) -> None:
        if batch.part is None:
            self.done[batch.number] = extractions
            return
        parts = self.parts[batch.number]
        parts[batch.part] = extractions[0]
        if all(part is not None for part in parts):
            self.done[batch.number] = parts
            del self.parts[batch.number]

    def _replace(self, dead: _Worker) -> None:
        """A new worker in place of a dead one, given the batches it held: the one it began reading a
        document at a time, unless it already was one document, which is then skipped; the others as
        they are."""
        dead.process.join()
        dead.requests.close()
        dead.answers.close()
        self.barren = 0 if dead.started else self.barren + 1
        if self.barren >= BARREN:
            raise WorkersDied(f"{BARREN} worker processes in a row died as they started (the last with "
                              f"exit code {dead.process.exitcode}); run kg build --workers 1 into a new "
                              f"store to see why")
        worker = self._start()
        self.workers[self.workers.index(dead)] = worker
        held = list(dead.held)
        if held and held[0].begun:
            reading, *held = held
            if reading.part is not None or len(reading.documents) == 1:
                self._finish(reading, [Extraction(reading.documents[0], [], DIED)])
            else:
                self.parts[reading.number] = [None] * len(reading.documents)
                for k, document in enumerate(reading.documents):
                    self._give(worker, _Batch(reading.number, [document], k))
        for batch in held:
            self._give(worker, batch)

    def stop(self) -> None:
        for worker in self.workers:
            with contextlib.suppress(OSError):
                worker.requests.send(None)
        for worker in self.workers:
            worker.process.join()

    def kill(self) -> None:
        for worker in self.workers:
            if worker.process.is_alive():
                worker.process.kill()
            worker.process.join()
            worker.requests.close()
            worker.answers.close()


def serve_batches(requests, answers, model: str, gazetteers: tuple[str, ...]) -> None:
    """A worker process: loads its pipeline, says it is ready, then answers each batch it is sent
    with its extractions, until it is sent None. It dies with the build, and leaves Ctrl-C to it."""
    extractor = _started(answers, lambda: Extractor(model=model, gazetteers=gazetteers))
    if extractor is None:
        return
    for documents, doc_timeout in received(requests):
        answers.send(("reading", None))
        answers.send(("done", list(extractor.extract(documents, doc_timeout=doc_timeout))))


def serve_parses(requests, answers, model: str, gazetteers: tuple[str, ...]) -> None:
    """A worker process that only parses: it answers each batch with its documents' parses
    (kg.extract.parses), which the build reads (Extractor.read); the rest as serve_batches. A
    document of SEND_CHARS or more it reads itself, as serve_batches does: its parse would be held
    whole in both processes (some 20 bytes a character), where reading it here holds a piece's."""
    from .nlp import load_nlp
    from .pipeline import parse

    nlp = _started(answers, lambda: load_nlp(model))
    if nlp is None:
        return
    extractor: Extractor | None = None  # made for the first long document
    for documents, doc_timeout in received(requests):
        answers.send(("reading", None))
        answer: list = []
        for long, group in itertools.groupby(documents, key=lambda d: len(d.text) >= SEND_CHARS):
            if long:
                extractor = extractor or Extractor(nlp=nlp, gazetteers=gazetteers)
                answer.extend(extractor.extract(group, doc_timeout=doc_timeout))
            else:
                answer.extend(parse(nlp, group))
        answers.send(("done", answer))


def _started(answers, load: Callable):
    """What ``load`` makes (a worker's pipeline), once this process is set up to die with the build
    and to leave Ctrl-C to it, after saying it is ready; None if it failed, which the build is told."""
    _die_with_parent()
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if hasattr(signal, "pthread_sigmask"):  # blocked by the build as it started this process
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM})
    try:
        loaded = load()
    except Exception as exc:  # noqa: BLE001 - handed to the build, which reports it
        answers.send(("ready", None))
        try:
            answers.send(("error", exc))
        except Exception:  # noqa: BLE001 - an exception that does not pickle: its words do
            answers.send(("error", WorkersDied(f"a worker process could not start: {type(exc).__name__}: {exc}")))
        return None
    gc.freeze()  # the pipeline's objects live as long as the worker: no collection walks them again
    answers.send(("ready", None))
    return loaded


def received(conn) -> Iterator[tuple]:
    """What a worker is sent, until None. A thread reads it as it comes, so that the build never
    waits, sending a long batch, for the worker to finish the one before."""
    inbox: queue.SimpleQueue = queue.SimpleQueue()

    def read() -> None:
        try:
            while (request := conn.recv()) is not None:
                inbox.put(request)
        except (EOFError, OSError):  # the build closed its end
            pass
        except BaseException:  # noqa: BLE001 - a request that cannot be read: die, and the build
            os._exit(1)  # gives what this worker held to the next one
        inbox.put(None)

    threading.Thread(target=read, name="kg-worker-inbox", daemon=True).start()
    while (request := inbox.get()) is not None:
        yield request


def _die_with_parent() -> None:
    parent = multiprocessing.parent_process()
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG: the kernel kills us when the parent dies
    except (OSError, AttributeError):  # not Linux: workers still stop when their pipe closes
        pass
    if parent is not None and os.getppid() != parent.pid:  # the build died before the request took effect
        os._exit(1)


@contextlib.contextmanager
def _ctrl_c_left_to_the_build() -> Iterator[None]:
    """While a worker process starts, a SIGINT or SIGTERM to the build is held back and handled once
    the worker has been handed its setup (a worker cut off from it prints a traceback of its own).

    A signal sent to the process can land in any of its threads, so blocking it in this one does not
    keep it out: it is caught, noted, and raised again after. It is also blocked in this thread,
    whose mask the worker inherits: the worker starts with both blocked, keeps SIGINT so (Ctrl-C is
    the build's to handle) and lets a SIGTERM end it once it can do so quietly (serve_batches).
    Python's resource tracker, which the first start of a process launches, unblocks both once it
    has started: it is made to run first."""
    if threading.current_thread() != threading.main_thread() or not hasattr(signal, "pthread_sigmask"):
        yield
        return
    from multiprocessing import resource_tracker

    resource_tracker.ensure_running()
    held = (signal.SIGINT, signal.SIGTERM)
    arrived: list[int] = []
    # each pthread_sigmask call hands Python the signals that have arrived: one that came just
    # before is handled here, before anything has started
    before = signal.pthread_sigmask(signal.SIG_BLOCK, [])
    handlers = {signum: signal.signal(signum, lambda signum, frame: arrived.append(signum)) for signum in held}
    try:
        signal.pthread_sigmask(signal.SIG_BLOCK, held)
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, before)  # one that came meanwhile to this thread: noted
        for signum, handler in handlers.items():
            signal.signal(signum, handler)
        if arrived:
            signal.raise_signal(arrived[0])  # handled as it would have been
