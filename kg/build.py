"""Building: reads a corpus, extracts relations from new or changed documents, loads them as RDF."""

from __future__ import annotations

import contextlib
import gc
import hashlib
import itertools
import os
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

from pyoxigraph import NamedNode

from .corpus import MAX_DOCUMENT_BYTES, OnSkip, Skipped, corpus_dates, corpus_metadata, iter_corpus_files, read_files
from .data import ontology_path
from .dyads import mark_stale
from .extract import DOC_TIMEOUT, extractor_version
from .rdf import ACTORS, actor_iri, actor_quads, actors_of, document_iri, document_quads, kg
from .recount import Changed, Feed, recount
from .records import Actor, Document
from .store import Store, Writer
from .vocab import DCTERMS, ONTOLOGY_GRAPH

# A build commits (publishes what it has written) every this many documents or seconds.
BATCH_DOCUMENTS = 500
BATCH_SECONDS = 60.0
# A fresh graph's documents are handed to the bulk loader in lots of at least this many quads (about
# 150 documents), as soon as the last lot has loaded: a commit then waits only for the batch's last lot.
HAND_QUADS = 20_000
# A build that adds to a store at least this large on disk (about 40,000 articles) parses in a worker
# process, not in its own: the end step reads the store in proportion to its size (RocksDB's index
# blocks stay in memory for every file it touches), and the model would add its own hundred MB or
# so on top (at 1,000,000 articles a daily build peaked at 485-560 MB parsing in-process, 409-442 MB
# with the parse in workers). The worker parses while this process writes, on another core.
PARSE_APART_BYTES = 1 << 30
# A build left to choose (``workers`` None: the CLI without --workers) parses in one worker process on a
# machine with two cores or more once the documents it has to read come to this many characters (some
# 500 articles): this process then turns each document's relations into quads, bulk-loads them and
# spills them for the end step on the other core while the worker parses the next ones. Below it,
# starting the worker (a fresh Python with spaCy and the model: some 0.4 s more than loading them here)
# costs more than the overlap saves.
APART_CHARS = 250_000
DCTERMS_DATE = NamedNode(DCTERMS + "date")

UNREFERENCED_ACTORS = """
SELECT DISTINCT ?actor WHERE {
  GRAPH <https://w3id.org/kg/graph/actors> { ?actor a ?type }
  FILTER NOT EXISTS { GRAPH ?g { ?statement kg:source|kg:target ?actor ; prov:wasDerivedFrom ?g } }
  FILTER NOT EXISTS { GRAPH <https://w3id.org/kg/graph/actors> { ?person prov:actedOnBehalfOf ?actor } }
}"""

# each count in a sub-select of its own, on the index that answers it: a statement is what its
# document's graph says was derived from that document (one index range, not a join). No DISTINCT
# for documents and statements, which would hold each in a hash set (some 250 MB at a million
# articles): a document's graph is named by its IRI and types it once, and a statement's IRI names
# its document (kg.rdf.statement_iri), whose graph alone holds it, so each is matched once.
TOTALS = """
SELECT ?documents ?relations ?actors WHERE {
  { SELECT (COUNT(?doc) AS ?documents) WHERE { GRAPH ?g { ?doc a kg:Document } } }
  { SELECT (COUNT(?statement) AS ?relations) WHERE { GRAPH ?g { ?statement prov:wasDerivedFrom ?g } } }
  { SELECT (COUNT(DISTINCT ?actor) AS ?actors) WHERE { GRAPH <https://w3id.org/kg/graph/actors> { ?actor a ?type } } }
}"""


@dataclass
class BuildReport:
    """What a build did, and what the store holds after it. Also its progress while it runs."""

    extracted: int = 0
    unchanged: int = 0
    skipped: int = 0
    renamed: int = 0
    new_relations: int = 0
    commits: int = 0
    committed: int = 0  # documents extracted up to the last commit: what an interruption keeps
    documents: int = 0
    relations: int = 0
    events: int = 0
    actors: int = 0
    seconds: float = 0.0
    started: float = field(default_factory=time.monotonic)

    @property
    def done(self) -> int:
        """Documents (and unreadable files or lines) dealt with so far."""
        return self.extracted + self.unchanged + self.skipped

    def summary(self, store: Store) -> str:
        parts = [f"{self.documents} documents ({self.extracted} extracted, {self.unchanged} unchanged"]
        if self.skipped:
            parts[0] += f", {self.skipped} skipped"
        parts[0] += ")"
        parts.append(f"{self.relations} relations")
        parts.append(f"{self.actors} actors")
        return f"built {', '.join(parts)} in {self.seconds:.1f} s -> {store.path}"


@dataclass(frozen=True)
class Held:
    """What the store (or the batch in flight) holds under a document id."""

    sha256: str
    version: str | None
    origin: str | None
    date: str | None = None


def build(
    paths: Iterable[str | os.PathLike],
    store: Store,
    *,
    rebuild: bool = False,
    model: str | None = None,
    workers: int | None = 1,
    on_skip: OnSkip | None = None,
    on_note: Callable[[str], None] | None = None,
    on_progress: Callable[[BuildReport], None] | None = None,
    nlp=None,
    doc_timeout: float | None = DOC_TIMEOUT,
    max_bytes: int | None = MAX_DOCUMENT_BYTES,
    batch_documents: int = BATCH_DOCUMENTS,
    batch_seconds: float = BATCH_SECONDS,
    gazetteers: Iterable[str | os.PathLike] = (),
    default_date: str | None = None,
    event_window: int | None = None,
    cluster: str | None = None,
) -> BuildReport:
    """Builds ``paths`` into ``store``; unchanged documents are not read again.

    The corpus is streamed: documents are read, extracted and written one at a time, and committed
    in batches (every ``batch_documents`` documents or ``batch_seconds`` seconds), each batch
    atomic. An interrupted build keeps its whole batches, and the next build skips what they hold.
    A document over its time budget (``doc_timeout`` seconds per 1,000 characters) or over
    ``max_bytes`` is skipped and reported to ``on_skip``; ``on_note`` hears of documents kept
    under another id because theirs was taken. ``rebuild`` starts a fresh graph from this corpus.
    ``gazetteers`` are the user's own actor or person tables (the columns of ontology/actors.tsv
    or persons.tsv). ``default_date`` (YYYY, YYYY-MM or YYYY-MM-DD) dates the documents that carry
    no date, as approximate: office holders' roles are read for that date.

    At the end, the statements of the whole store are grouped into events afresh (kg.events), with
    ``event_window`` days (None: the window the store's events were grouped with, else
    kg.events.EVENT_WINDOW_DAYS).

    ``cluster`` (a Dask scheduler's address, or local:N) parses and reads the documents on a Dask
    cluster instead of ``workers`` local processes (kg.cluster); this process alone writes the store.
    A build that adds to a store of PARSE_APART_BYTES or more on disk parses in one worker process
    even with ``workers`` 1, unless it is given ``nlp`` (a model already loaded here). ``workers``
    None lets the build choose: one worker process beside this one when there are two cores or more
    and APART_CHARS characters or more to read, else this process (a script that lets it choose needs
    the ``if __name__ == "__main__":`` guard that any use of workers needs).
    """
    report = BuildReport()
    choose, workers = workers is None, workers or 1

    def skip(item: Skipped) -> None:
        report.skipped += 1
        if on_skip is not None:
            on_skip(item)
        if on_progress is not None:
            on_progress(report)

    paths = list(paths)
    metadata = corpus_metadata(paths)
    folder_dates = corpus_dates(paths)
    files = iter_corpus_files(paths)
    gazetteers = tuple(str(g) for g in gazetteers)
    if gazetteers:  # a bad table is reported before anything is written
        from .extract.gazetteer import load_gazetteer

        load_gazetteer(gazetteers)
    version = extractor_version(gazetteers)
    if cluster is not None:  # a cluster that cannot be used is reported before anything is written
        from .cluster import check_cluster

        check_cluster(cluster)
    in_flight: dict[str, Held] = {}  # read, not yet written: bounded by the extraction pipeline
    # A fresh graph (--rebuild, or a new store) is loaded in bulk: each batch's documents go to the
    # working copy in one bulk load (pyoxigraph's bulk loader writes sorted files, not transactions),
    # which only the batch's commit publishes. A build that adds to a graph replaces each document's
    # graph in a transaction of its own.
    pending = _Pending(bulk=rebuild or not store.exists())
    parse_apart = large = not pending.bulk and (store.size_on_disk() or 0) >= PARSE_APART_BYTES
    # what a build of a fresh graph writes is spilled as it goes, for the end step (kg.recount.Feed)
    with _ModelHeap() as heap, Feed() if pending.bulk else contextlib.nullcontext() as fed, \
            store.writer(fresh=rebuild) as writer, \
            contextlib.nullcontext() if pending.bulk else Changed(writer) as written:
        # a build that adds to a graph notes what it writes: its end step counts again only the keys touched
        _load_ontology(writer)

        def changed() -> Iterator[Document]:
            for document in read_files(files, skip, metadata, max_bytes=max_bytes):
                document, held = stored_as(document)
                if not document.date:
                    # corpus.json's "date" for the folder a document came from, else --date
                    given = folder_dates.get(os.path.dirname(document.origin or "")) or default_date
                    if given:
                        document = replace(document, date=given, date_approximate=True)
                if held is not None and (held.sha256, held.version, held.date) == (
                        document.sha256, version, document.date):
                    report.unchanged += 1
                    if on_progress is not None:
                        on_progress(report)
                    continue
                in_flight[document.id] = Held(document.sha256, version, document.origin, document.date)
                yield document

        def stored_as(document: Document) -> tuple[Document, Held | None]:
            chosen, held = identify(document, lambda doc_id: in_flight.get(doc_id) or pending.held.get(doc_id)
                                    or _held(writer, doc_id))
            if chosen != document.id:
                if held is None:  # said once, when the document is first kept under its new id
                    report.renamed += 1
                    if on_note is not None:
                        on_note(f"{document.path}: document id {document.id!r} is taken by another file "
                                f"with another text; kept as {chosen!r}")
                document = replace(document, id=chosen)
            return document, held

        documents = changed()
        first = next(documents, None)
        if first is not None:  # spaCy is loaded only when there is something to read
            from .extract import Extractor, extract_in_workers
            from .extract.nlp import load_vocab

            ahead = [first]
            if choose and workers == 1 and nlp is None and cluster is None and not parse_apart and cores() >= 2:
                parse_apart = read_ahead(ahead, documents, APART_CHARS)
            stream = itertools.chain(ahead, documents)
            loaded_here = False  # a model this process loaded, to be freed before the end step
            if cluster is not None:
                from .cluster import extract_on_cluster

                extractions = extract_on_cluster(stream, cluster, model=model, doc_timeout=doc_timeout,
                                                 gazetteers=gazetteers)
            elif workers == 1 and nlp is None and parse_apart and not large:
                # the worker parses and this process reads the parses: the reading, a tenth of the
                # parse, no longer waits for it (kg.extract.parses). Beside a large store the worker
                # reads them too: spaCy's modules, once imported, would stay beside RocksDB's memory.
                def reader() -> Extractor:
                    extractor = Extractor(nlp=load_vocab(model), gazetteers=gazetteers)
                    heap.freeze()
                    return extractor

                extractions = extract_in_workers(stream, 1, model=model, doc_timeout=doc_timeout,
                                                 gazetteers=gazetteers, reader=reader)
                loaded_here = True
            elif workers > 1 or (nlp is None and parse_apart):
                extractions = extract_in_workers(stream, workers, model=model, doc_timeout=doc_timeout,
                                                 gazetteers=gazetteers)
            else:
                extractor = Extractor(nlp=nlp, model=model, gazetteers=gazetteers)
                loaded_here = nlp is None
                heap.freeze()
                extractions = extractor.extract(stream, doc_timeout=doc_timeout)
            batch = _Batch()
            known: dict[str, Actor] = {}  # the actors this build described, as it did
            try:
                for extraction in extractions:
                    document, relations = extraction.document, extraction.relations
                    in_flight.pop(document.id, None)
                    if extraction.failure is not None:
                        skip(Skipped(document.path or document.id, extraction.failure))
                        continue
                    graph = document_iri(document.id)
                    if pending.bulk and document.id not in pending.held and not writer.contains_named_graph(graph):
                        quads = list(document_quads(document, relations, version))
                        pending.add(document, quads, version)
                        if fed is not None:
                            fed.add(quads)
                        if len(pending.quads) >= HAND_QUADS and not writer.busy():
                            pending.write(writer)  # loads while the batch goes on: its commit waits for less
                    else:
                        fed = None  # a document written twice: the end step reads the store
                        pending.write(writer)
                        batch.replaced |= writer.contains_named_graph(graph)
                        quads = document_quads(document, relations, version)
                        if written is not None:
                            written.write(writer, graph, quads)
                        else:
                            writer.replace_graph(graph, quads)
                    batch.actors.update(actors_of(relations))
                    batch.documents += 1
                    report.extracted += 1
                    report.new_relations += len(relations)
                    if batch.documents >= batch_documents or time.monotonic() - batch.started >= batch_seconds:
                        pending.write(writer)
                        _commit(writer, batch, known)
                        batch = _Batch()
                        report.commits += 1
                        report.committed = report.extracted
                    if on_progress is not None:
                        on_progress(report)
            finally:  # workers stop with the loop, also when it raises
                if hasattr(extractions, "close"):
                    extractions.close()
            # the actors first, so that the documents' bulk load goes on while the end step counts (a
            # batch that replaced documents asks the store which actors are left: after the load)
            if not batch.replaced:
                _update_actors(writer, batch.actors, batch.replaced, known)
            pending.write(writer)
            if batch.replaced:
                _update_actors(writer, batch.actors, batch.replaced, known)
            extractions = extractor = None  # the end step needs no model: what it holds goes back
            heap.release(dropped=loaded_here)
        report.events = recount(writer, event_window, fed, written)
        _totals(writer, report)
    report.commits += 1
    report.seconds = time.monotonic() - report.started
    return report


def cores() -> int:
    """The cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def read_ahead(read: list[Document], documents: Iterator[Document], chars: int) -> bool:
    """Adds to ``read`` the documents that follow until their texts come to ``chars`` characters in
    all: whether they do (the rest of the stream is left in ``documents``)."""
    total = sum(len(document.text) for document in read)
    while total < chars:
        document = next(documents, None)
        if document is None:
            return False
        read.append(document)
        total += len(document.text)
    return True


class _ModelHeap:
    """Keeps the garbage collector off the model's objects while a build runs in this process.

    A loaded pipeline is a few hundred thousand long-lived objects, and every full collection walks
    them all again (about 0.3 s each): frozen (gc.freeze) once loaded, they are left out until the
    build ends, when they are handed back to the collector."""

    def __init__(self) -> None:
        self.frozen = False

    def __enter__(self) -> _ModelHeap:
        return self

    def freeze(self) -> None:
        gc.freeze()
        self.frozen = True

    def release(self, dropped: bool = True) -> None:
        """Hands the model's objects back to the collector and, when the build dropped the model
        (``dropped``: it loaded it), collects it and has the C allocator return the freed pages
        (glibc's malloc_trim; a no-op elsewhere). A model the caller gave is still theirs: a
        collection would walk it for nothing."""
        self.__exit__()
        self.frozen = False
        if dropped:
            gc.collect()
            _trim_heap()

    def __exit__(self, *exc) -> None:
        if self.frozen:
            gc.unfreeze()


def _trim_heap() -> None:
    try:
        import ctypes

        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):
        pass


def identify(document: Document, held_under: Callable[[str], Held | None]) -> tuple[str, Held | None]:
    """The id ``document`` is stored under, and what the store holds there.

    A document keeps its own id unless another file's different text holds it: then it is told
    apart by the folders it sits in ('feb/report' beside 'report' from jan/), else by a digest of
    its path. The same file (or the same text from anywhere) keeps its id, so a document that
    changed is replaced and one that did not is skipped.
    """
    for candidate in _candidate_ids(document):
        held = held_under(candidate)
        if held is None or held.origin is None or document.origin is None or held.origin == document.origin \
                or held.sha256 == document.sha256:
            return candidate, held
    raise AssertionError("the last candidate id is unique to the file")  # pragma: no cover


def _candidate_ids(document: Document) -> Iterator[str]:
    yield document.id
    if not document.origin:
        return
    folders = Path(document.origin).parent.parts[1:]
    for depth in range(1, min(3, len(folders)) + 1):
        yield "/".join(folders[-depth:]) + "/" + document.id
    yield f"{document.id}~{hashlib.sha256(document.origin.encode('utf-8')).hexdigest()[:10]}"


def _held(writer: Writer, doc_id: str) -> Held | None:
    graph = document_iri(doc_id)
    values = {}
    for name, predicate in (("sha256", kg("sha256")), ("version", kg("extractorVersion")),
                            ("origin", kg("origin")), ("date", DCTERMS_DATE)):
        quad = next(writer.quads_for_pattern(graph, predicate, None, graph), None)
        values[name] = quad.object.value if quad is not None else None
    if values["sha256"] is None:
        return None
    return Held(**values)


@dataclass
class _Pending:
    """Documents' quads waiting for one bulk load (a fresh graph only), and what they hold."""

    bulk: bool
    quads: list = field(default_factory=list)
    held: dict[str, Held] = field(default_factory=dict)

    def add(self, document: Document, quads: Iterable, version: str) -> None:
        self.quads.extend(quads)
        self.held[document.id] = Held(document.sha256, version, document.origin, document.date)

    def write(self, writer: Writer) -> None:
        if self.quads:
            writer.change((), self.quads, bulk=True)
        self.quads, self.held = [], {}


@dataclass
class _Batch:
    """The documents written since the last commit, and the actors they name."""

    documents: int = 0
    replaced: bool = False
    actors: dict[str, Actor] = field(default_factory=dict)
    started: float = field(default_factory=time.monotonic)


def _commit(writer: Writer, batch: _Batch, known: dict[str, Actor] | None = None) -> None:
    _update_actors(writer, batch.actors, batch.replaced, known)
    mark_stale(writer)  # the build's end counts the table again
    writer.commit()


def _update_actors(writer: Writer, actors: dict[str, Actor], replaced: bool = True,
                   known: dict[str, Actor] | None = None) -> None:
    """Describes the actors a batch saw afresh, writing only what changed (most batches name actors
    an earlier one described the same way); once documents were replaced, drops the actors no
    statement refers to any more (new documents cannot orphan one). ``known``: the actors this build
    has described so far, as it described them, which it need not read back (kept up to date
    here)."""
    removed: list = []
    added: list = []
    for actor in sorted(actors.values(), key=lambda a: a.id):
        if known is not None:
            if known.get(actor.id) == actor:
                continue
            known[actor.id] = actor
        held = set(writer.quads_for_pattern(actor_iri(actor), None, None, ACTORS))
        described = list(actor_quads(actor))
        removed.extend(held.difference(described))
        added.extend(q for q in described if q not in held)
    if removed or added:
        writer.change(removed, added)
    if replaced:
        for row in list(writer.query(UNREFERENCED_ACTORS)):
            _remove_description(writer, row["actor"])
        if known is not None:
            known.clear()  # some may be gone: read them again


def _remove_description(writer: Writer, node) -> None:
    writer.remove(list(writer.quads_for_pattern(node, None, None, ACTORS)))


def _load_ontology(writer: Writer) -> None:
    """The ontology in its own graph, so queries can use type labels, quads and subclasses."""
    import pyoxigraph as ox

    graph = ox.NamedNode(ONTOLOGY_GRAPH)
    triples = ox.parse(path=str(ontology_path("kg.ttl")), format=ox.RdfFormat.TURTLE)
    writer.replace_graph(graph, [ox.Quad(t.subject, t.predicate, t.object, graph) for t in triples])


def _totals(writer: Writer, report: BuildReport) -> None:
    row = next(iter(writer.query(TOTALS)))
    report.documents = int(row["documents"].value)
    report.relations = int(row["relations"].value)
    report.actors = int(row["actors"].value)
