"""Extraction: documents in, relations out, with spaCy's nlp.pipe over bounded chunks.

Each document gets a time budget: a document whose reading takes longer is given up (and
reported), so one pathological text cannot stop a build. Worker processes (kg.extract.workers) run
the same pipeline, each in a process of its own.
"""

from __future__ import annotations

import hashlib
import itertools
import signal
import threading
import time
from dataclasses import replace
from collections.abc import Iterable, Iterator
import contextlib
from contextlib import contextmanager
from pathlib import Path
from typing import NamedTuple

from .. import __version__
from ..data import ontology_path
from .genre import is_sports
from ..records import Actor, Document, Relation
from .parses import Parsed

# Long articles are parsed in pieces of at most this many characters, cut at paragraph or
# sentence boundaries, so memory stays bounded and spaCy's max_length is never reached.
CHUNK_CHARS = 20_000
DATA_FILES = ("lexicon.tsv", "cues.tsv", "states.tsv", "actors.tsv", "persons.tsv", "agents.tsv", "nominals.tsv",
              "evaluations.tsv", "phoenix/persons.tsv", "phoenix/codes.tsv")
CODE_FILES = ("extract/actors.py", "extract/attribute_rules.py", "corpus.py", "data.py", "extract/evaluative.py",
              "extract/pipeline.py", "extract/gazetteer.py", "extract/genre.py", "extract/lemmas.py",
              "extract/modality.py", "extract/nlp.py", "extract/parses.py", "rdf.py", "extract/relations.py",
              "extract/timing.py", "extract/wire.py")  # under kg/
# Seconds a document may take per 1,000 characters (and at least this long, however short it is).
# Reading a parse normally takes a few milliseconds per 1,000 characters.
DOC_TIMEOUT = 5.0
# Documents parsed inside one spaCy memory zone (see Extractor.extract).
ZONE_DOCUMENTS = 256
# Tokens the model parses at once, at most (or one piece, if longer): its working arrays follow a
# batch's tokens, some 17 KB each at their peak in en_core_web_sm, so that 32 articles of 3,000
# characters held 300 MB where 32 wires of 600 held 60. (A piece is at most CHUNK_CHARS long.)
BATCH_TOKENS = 5_000


def extractor_version(gazetteers: tuple[str, ...] = ()) -> str:
    """kg's version plus a digest of the data and code the extractor runs: editing the lexicon, a
    user's gazetteer (or the extractor) makes the next build read every document again."""
    digest = hashlib.sha256()
    for name in DATA_FILES:
        digest.update(ontology_path(name).read_bytes())
    for path in gazetteers:
        try:
            digest.update(Path(path).read_bytes())
        except OSError:  # reported when the gazetteer is loaded
            digest.update(str(path).encode("utf-8", "replace"))
    here = Path(__file__).resolve().parent.parent
    for name in CODE_FILES:
        digest.update((here / name).read_bytes())
    return f"{__version__}+{digest.hexdigest()[:10]}"


def chunks(text: str, limit: int = CHUNK_CHARS) -> Iterator[tuple[int, int]]:
    """(start, end) pieces of ``text`` of at most ``limit`` characters, cut at the best boundary."""
    start, n = 0, len(text)
    while start < n:
        end = min(start + limit, n)
        if end < n:
            window = text[start:end]
            for sep in ("\n\n", "\n", ". ", " "):
                cut = window.rfind(sep)
                if cut > limit // 4:
                    end = start + cut + len(sep)
                    break
        yield start, end
        start = end


def no_longer_acting(relations: list[Relation], former: set[str]) -> list[Relation]:
    """The relations with the persons a document calls "former ..." acting for no one."""
    if not former:
        return relations

    def plain(actor: Actor) -> Actor:
        return replace(actor, represents=None) if actor.id in former and actor.represents is not None else actor

    return [replace(r, source=plain(r.source), target=plain(r.target)) for r in relations]


def told_better_below(relations: list[Relation], text: str) -> list[Relation]:
    """The relations without those of the headline that the story below tells with another party.

    A headline names parties loosely ("Al-Qaeda Group Kills a Second US Hostage", "UN Signs Pact
    with New World Court"); when the body has the same act with one of the same parties and another
    on the other side ("An Iraqi group linked to al-Qaeda killed ...", "... with the new International
    Criminal Court"), the body's reading stands and the headline's goes."""
    from .wire import headline_span

    headline = headline_span(text)
    if headline is None:
        return relations

    def ends(r: Relation) -> tuple[str, str]:
        return r.source.rolled_up().id, r.target.rolled_up().id

    in_headline = [r for r in relations if r.end <= headline[1]]
    body = [r for r in relations if r.start >= headline[1]]
    told = {(r.type, *ends(r)) for r in body}
    dropped = set()
    for h in in_headline:
        source, target = ends(h)
        if (h.type, source, target) in told:
            continue
        if any(r.type == h.type and (ends(r)[0] == source) != (ends(r)[1] == target) for r in body):
            dropped.add(id(h))
    return [r for r in relations if id(r) not in dropped]


def strongest(relations: list[Relation]) -> list[Relation]:
    """One relation per statement (the same relation read twice from one sentence, e.g. through two
    triggers, is one statement): the most confident reading, in text order."""
    best: dict[tuple, Relation] = {}
    for r in relations:
        key = (r.start, r.end, r.source.id, r.type, r.target.id, r.negated, r.hypothetical)
        if key not in best or r.confidence > best[key].confidence:
            best[key] = r
    return sorted(best.values(), key=lambda r: (r.start, r.source.id, r.type, r.target.id))


def _memory_zone(nlp):
    """spaCy's memory zone (3.8 and later), or nothing where the pipeline has none."""
    zone = getattr(nlp, "memory_zone", None)
    return zone() if zone is not None else contextlib.nullcontext()


class Extraction(NamedTuple):
    """One document with the relations read from it; ``failure`` says why none could be read."""

    document: Document
    relations: list[Relation]
    failure: str | None = None


class DocumentTimeout(Exception):
    """A document's reading went over its time budget."""


def time_budget(document: Document, per_thousand: float | None) -> float | None:
    """The seconds ``document`` may take: ``per_thousand`` per 1,000 characters, at least ``per_thousand``."""
    if per_thousand is None or per_thousand <= 0:
        return None
    return per_thousand * max(1.0, len(document.text) / 1000)


@contextmanager
def deadline(seconds: float | None) -> Iterator[None]:
    """Raises DocumentTimeout in the block after ``seconds`` of wall time.

    It uses SIGALRM in the main thread of a POSIX process (the CLI, a worker); a timer that was
    already running (a caller's alarm, pytest-timeout) is honoured: if it falls due first its
    handler runs, and it is re-armed afterwards. In another thread (a Dask worker runs its tasks in
    threads), which no signal reaches, see ``thread_deadline``.
    """
    if seconds is None:
        yield
        return
    if not hasattr(signal, "setitimer") or threading.current_thread() != threading.main_thread():
        with thread_deadline(seconds):
            yield
        return
    started = time.monotonic()
    outer = signal.getitimer(signal.ITIMER_REAL)[0]
    previous = signal.getsignal(signal.SIGALRM)

    def expire(signum, frame):
        if outer and time.monotonic() - started >= outer - 1e-3 and callable(previous):
            previous(signum, frame)
        raise DocumentTimeout

    signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, min(seconds, outer) if outer else seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
        if outer:
            signal.setitimer(signal.ITIMER_REAL, max(1e-3, outer - (time.monotonic() - started)))


@contextmanager
def thread_deadline(seconds: float) -> Iterator[None]:
    """Raises DocumentTimeout in the block after ``seconds``, in any thread: a timer asks the
    interpreter to raise it in this thread (PyThreadState_SetAsyncExc), which happens at the next
    Python instruction, so it stops Python code (the reading of a parse), not a long call into C."""
    import ctypes

    ident = ctypes.c_ulong(threading.get_ident())
    lock = threading.Lock()
    state = {"done": False, "fired": False}

    def expire() -> None:
        with lock:
            if not state["done"]:
                state["fired"] = True
                ctypes.pythonapi.PyThreadState_SetAsyncExc(ident, ctypes.py_object(DocumentTimeout))

    def disarm() -> bool:
        with lock:
            state["done"] = True
        timer.cancel()
        if state["fired"]:  # an exception asked for but not raised yet must not land after the block
            ctypes.pythonapi.PyThreadState_SetAsyncExc(ident, None)
        return state["fired"]

    timer = threading.Timer(seconds, expire)
    timer.daemon = True
    timer.start()
    try:
        yield
    except BaseException:
        disarm()
        raise
    if disarm():
        raise DocumentTimeout


class Extractor:
    """Turns documents into relations: actor resolution, then relations off the parse."""

    def __init__(self, nlp=None, model: str | None = None, gazetteers: tuple[str, ...] = ()):
        from .actors import ActorResolver
        from .gazetteer import load_gazetteer
        from .nlp import load_nlp
        from .relations import RelationReader

        self.nlp = nlp if nlp is not None else load_nlp(model)
        self.gazetteer = load_gazetteer(tuple(map(str, gazetteers)))
        self.resolver = ActorResolver(self.nlp, self.gazetteer)
        self.version = extractor_version(tuple(map(str, gazetteers)))
        self.reader = RelationReader(extractor_version=self.version)

    def extract(self, documents: Iterable[Document], batch_size: int = 32,
                doc_timeout: float | None = None) -> Iterator[Extraction]:
        """Each document with its relations, in input order.

        ``doc_timeout`` (seconds per 1,000 characters) gives each document a time budget for reading
        its parse; a document over it, or one the extractor fails on, comes back with no relations
        and a ``failure``. ``extract_in_workers`` does the same in several processes.
        """
        for group in _groups(documents):
            # a group of documents at a time inside a spaCy memory zone, which forgets the strings
            # their parses added to the vocabulary: memory stays flat however long the corpus
            with _memory_zone(self.nlp):
                yield from self._read(_parsed(self.nlp, _pieces(self.nlp, group), batch_size), doc_timeout)

    def read(self, parses: Iterable[Parsed | Extraction], doc_timeout: float | None = None) -> Iterator[Extraction]:
        """Each document parsed in another process (``parse``, in a worker: kg.extract.parses) with
        its relations, as ``extract`` reads them, in input order; an Extraction among ``parses`` (a
        document its worker died on) is passed on as it is. Each parse is read as it comes."""
        from .parses import doc_from_bytes

        def unpacked(group: Iterable[Parsed | Extraction]) -> Iterator:
            for parsed in group:
                if isinstance(parsed, Extraction):
                    yield parsed
                    continue
                last = len(parsed.pieces) - 1
                for k, (offset, data) in enumerate(parsed.pieces):
                    yield doc_from_bytes(self.nlp.vocab, data), (parsed.document, offset, k == last)

        stream = iter(parses)
        while (first := next(stream, None)) is not None:
            with _memory_zone(self.nlp):
                group = itertools.chain([first], itertools.islice(stream, ZONE_DOCUMENTS - 1))
                yield from self._read(unpacked(group), doc_timeout)

    def _read(self, parsed: Iterable, doc_timeout: float | None) -> Iterator[Extraction]:
        """The extractions of ``parsed`` pieces, each (Doc, (document, offset, whether it is the
        document's last)); an Extraction among them is passed on."""
        from .actors import PersonRegistry

        current: list[Relation] = []
        persons = PersonRegistry()
        failure: str | None = None
        spent = 0.0
        for item in parsed:
            if isinstance(item, Extraction):
                yield item
                continue
            doc, (document, offset, last) = item
            budget = time_budget(document, doc_timeout)
            if failure is None:
                started = time.monotonic()
                try:
                    with deadline(None if budget is None else max(1e-3, budget - spent)):
                        index = self.resolver.resolve(doc, persons)
                        current.extend(self.reader.relations(doc, index, document.id, document.text, offset,
                                                             persons))
                except DocumentTimeout:
                    failure = f"took longer than its time budget of {budget:.1f} s (--doc-timeout)"
                except Exception as exc:
                    # a bug met on one text must not stop a build: the document is reported, not lost silently
                    failure = f"the extractor failed on it ({type(exc).__name__}: {exc}); please report this"
                spent += time.monotonic() - started
            if last:
                # sports copy ("Argentina beats U.S. team") reads like conflict between states: no relations
                relations = [] if failure or is_sports(document.text) else strongest(
                    told_better_below(no_longer_acting(current, persons.former), document.text))
                yield Extraction(document, relations, failure)
                current, persons, failure, spent = [], PersonRegistry(), None, 0.0

    def relations(self, text: str, doc_id: str = "text") -> list[Relation]:
        """Relations in one text: a convenience for notebooks and tests."""
        document = Document(doc_id, text, hashlib.sha256(text.encode()).hexdigest())
        return next(iter(self.extract([document]))).relations


def parse(nlp, documents: Iterable[Document], batch_size: int = 32) -> Iterator[Parsed]:
    """Each document parsed by ``nlp`` (a pipeline load_nlp loaded) and not read, as bytes
    (kg.extract.parses), for Extractor.read in another process: what a worker that only parses
    sends back."""
    from .parses import doc_bytes

    for group in _groups(documents):
        with _memory_zone(nlp):
            pieces: list[tuple[int, bytes]] = []
            for doc, (document, offset, last) in _parsed(nlp, _pieces(nlp, group), batch_size):
                pieces.append((offset, doc_bytes(doc)))
                if last:
                    yield Parsed(document, tuple(pieces))
                    pieces = []


def _groups(documents: Iterable[Document]) -> Iterator[list[Document]]:
    """``documents`` ZONE_DOCUMENTS at a time: what one memory zone parses."""
    stream = iter(documents)
    while group := list(itertools.islice(stream, ZONE_DOCUMENTS)):
        yield group


def _pieces(nlp, documents: Iterable[Document]) -> Iterator[tuple]:
    """Each document's pieces as Docs not yet parsed, with (document, offset, whether it is the
    document's last). The parser reads the text with its datelines and wire credits blanked out
    (same length, so offsets and evidence still refer to document.text), each a sentence of its own;
    a Doc carries its headline, if it has one, for the actor resolver."""
    from .actors import DOCUMENT_DATE
    from .wire import HEADLINE, dateline_spans, headline_span, masked, set_blank_sentences

    for document in documents:
        blanks = dateline_spans(document.text)
        text, headline = masked(document.text, blanks), headline_span(document.text)
        spans = list(chunks(text)) or [(0, 0)]
        for k, (a, b) in enumerate(spans):
            doc = nlp.make_doc(text[a:b])
            set_blank_sentences(doc, [(max(s, a) - a, min(e, b) - a) for s, e in blanks if s < b and a < e])
            doc.user_data[DOCUMENT_DATE] = document.date
            if headline is not None and a <= headline[0] and headline[1] <= b:
                doc.user_data[HEADLINE] = (headline[0] - a, headline[1] - a)
            yield doc, (document, a, k == len(spans) - 1)


def _parsed(nlp, pieces: Iterable[tuple], batch_size: int) -> Iterator[tuple]:
    """``pieces`` (Doc, context) parsed, in order, in batches of at most ``batch_size`` pieces and
    BATCH_TOKENS tokens: the memory a batch takes follows its tokens, not its documents."""
    batch: list[tuple] = []
    tokens = 0
    for piece in pieces:
        if batch and (len(batch) >= batch_size or tokens + len(piece[0]) > BATCH_TOKENS):
            yield from nlp.pipe(batch, as_tuples=True, batch_size=len(batch))
            batch, tokens = [], 0
        batch.append(piece)
        tokens += len(piece[0])
    if batch:
        yield from nlp.pipe(batch, as_tuples=True, batch_size=len(batch))
