"""The dyad table: how often each pair of actors did what to each other, by relation type and month.

A materialised aggregate of the store's asserted statements, kept in its own named graph
(<https://w3id.org/kg/graph/dyads>) so that every backend holds it and a user can query it with
SPARQL. One row per source, target (persons rolled up to the state or organisation they act for),
relation type and period (the month of the event, its year when only that is known, or none),
with the events, mentions (sentences) and documents (their count, and short keys, so that an
actor's distinct documents can be counted over its rows) behind it; and, per actor as stated, the
relations (statements) and events that name it. Whole-graph analyses (central, alliances, graph)
and `kg neighbors` read it instead of every statement, so what they cost follows the actors and
dyads, not the corpus.

It is derived, never edited: a build recomputes it at its end, together with the events it counts
(kg.events), and writes only the rows that changed. While a build runs, each committed batch
first marks the table stale (the kg:dyadsCurrent flag goes), and the build's end marks it current
again: readers of a stale table (an interrupted build) fall back to the statements, which are
always right, until the next build, even one with nothing new to read, brings it up to date.
"""

from __future__ import annotations

import hashlib
import re
from array import array
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache

import pyoxigraph as ox

from .rdf import doc_key
from .vocab import ACTOR, ACTORS_GRAPH, DYADS_GRAPH, EV, KG, PROV, RDF, RELATION_TYPES, TOTALS_GRAPH, XSD

DYADS = ox.NamedNode(DYADS_GRAPH)
TOTALS = ox.NamedNode(TOTALS_GRAPH)  # the rows over all periods, in a graph of their own: read by index
DYAD = "https://w3id.org/kg/dyad/"

_A = ox.NamedNode(RDF + "type")
_ROW = ox.NamedNode(KG + "DyadCount")
_TOTAL = ox.NamedNode(KG + "DyadTotal")
_SOURCE = ox.NamedNode(KG + "dyadSource")
_TARGET = ox.NamedNode(KG + "dyadTarget")
_TYPE = ox.NamedNode(KG + "relationType")
_PERIOD = ox.NamedNode(KG + "period")
_EVENTS = ox.NamedNode(KG + "eventCount")
_MENTIONS = ox.NamedNode(KG + "mentionCount")
_DOCUMENTS = ox.NamedNode(KG + "documentCount")
_DOCUMENT_KEYS = ox.NamedNode(KG + "documentKeys")
_RELATIONS = ox.NamedNode(KG + "relationCount")
_PERIODS = ox.NamedNode(KG + "periodCounts")
_STRONGEST = ox.NamedNode(KG + "strongestStatements")
_SUMMARY = ox.NamedNode(KG + "neighbourSummary")
_CURRENT = ox.NamedNode(KG + "dyadsCurrent")
_ACTED_FOR = ox.NamedNode(PROV + "actedOnBehalfOf")
_ACTORS = ox.NamedNode(ACTORS_GRAPH)
_INTEGER = ox.NamedNode(XSD + "integer")
# What kg:dyadsCurrent says: the table's layout. A table of another layout counts as stale (read from
# the statements) until a build recounts it.
LAYOUT = ox.Literal("5", datatype=ox.NamedNode(XSD + "integer"))
# Statements a total row names as its strongest evidence: one per event, by weight and confidence as
# `kg stance` ranks evidence, so that `kg stance --top N` up to this reads no other statement.
STRONGEST = 10

# Every statement, flat: what the table is counted from. Background ("for years ...") is counted
# at the time its sentence gives, or not at all when it gives none, as the analyses do (kg.analysis.signed).
STATEMENTS = """
SELECT ?statement ?doc ?start ?source ?target ?type ?confidence ?negated ?hypothetical ?background ?stated WHERE {
  GRAPH ?doc {
    ?statement kg:source ?source ; kg:target ?target ; a ?type ; kg:start ?start ; kg:confidence ?confidence ;
      kg:negated ?negated ; kg:hypothetical ?hypothetical ; prov:wasDerivedFrom ?doc .
    OPTIONAL { ?statement kg:background ?background }
    OPTIONAL { ?statement dcterms:date ?stated }
  }
}"""
DOCUMENTS = """
SELECT ?doc ?id ?date WHERE { GRAPH ?doc { ?doc a kg:Document ; dcterms:identifier ?id OPTIONAL { ?doc dcterms:date ?date } } }"""
STORED_ACTOR_COUNTS = """
SELECT ?actor ?relations ?events WHERE {
  GRAPH <https://w3id.org/kg/graph/dyads> { ?actor kg:relationCount ?relations ; kg:eventCount ?events }
}"""
# The rows of chosen actors: VALUES is filled with the actors' IRIs (as pyoxigraph writes them).
@dataclass(frozen=True)
class DyadCount:
    """One row: what ``source`` did to ``target`` (actor IRIs, persons rolled up), of one relation type,
    in one period ("2004-03", "2004" when only the year is known, "" when undated; None for the
    row that totals every period, kg:DyadTotal): the events,
    the mentions (sentences reporting them) and the documents they come from.

    A total row also says how its events and mentions fall by period (``periods``: (period, events,
    mentions), in period order, with ``period_docs``, each period's documents as positions in ``docs``,
    so that a date window reads the total rows instead of the monthly ones) and which statements are its strongest evidence (``strongest``: up to
    STRONGEST statement IRIs, one per event, strongest first), so that a dyad's stance reads one row
    per type instead of its statements.

    A row read for a whole-graph analysis holds its keys and positions packed (pack_keys, arrays):
    it cannot be hashed, and is not equal to the same row unpacked."""

    source: str
    target: str
    type: str
    period: str | None
    events: int
    mentions: int
    docs: tuple[str, ...] | array = ()  # the documents' keys (doc_key), sorted; or packed (pack_keys)
    periods: tuple[tuple[str, int, int], ...] = ()
    strongest: tuple[str, ...] = ()
    period_docs: tuple = ()  # each period's documents, as positions in ``docs`` (packed with them: an array)

    @property
    def documents(self) -> int:
        return len(self.docs)

    @property
    def iri(self) -> str:
        key = "\x1f".join((self.source, self.target, self.type, "*" if self.period is None else self.period))
        return DYAD + hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()[:24]


@dataclass(frozen=True)
class ActorCount:
    """An actor as stated (persons not rolled up): the statements that name it, and their events."""

    actor: str
    relations: int
    events: int


@dataclass(frozen=True)
class Neighbour:
    """One line of an actor's neighbour summary: its total rows with one other actor, one type and
    direction ("out": the actor is the source), with the other actor's label."""

    direction: str
    type: str
    other: str
    label: str
    events: int
    mentions: int


@dataclass
class _Tally:
    events: set = field(default_factory=set)
    sentences: set = field(default_factory=set)
    documents: set = field(default_factory=set)


# A document's key as its graph states it (kg.rdf.document_quads), read through the index: LATERAL
# makes each key one lookup, where a plain join with VALUES reads every document's key.
DOCUMENTS_BY_KEY = """
SELECT ?key ?doc WHERE { VALUES ?key { %s } LATERAL { GRAPH ?doc { ?doc kg:documentKey ?key } } }"""
KEYS_PER_QUERY = 500


def documents_by_key(store, keys: Iterable[str | int]) -> dict[str, ox.NamedNode]:
    """These document keys (doc_key, or packed: pack_keys) -> their documents' graphs (a document's
    graph is named by its IRI), for reading the documents a row names: one indexed lookup per key, in
    queries of KEYS_PER_QUERY keys. A document written by a kg before documents stated their keys is
    found by a pass over the store's named graphs, which goes on until all keys are found."""
    wanted = sorted({key if isinstance(key, str) else key_text(key) for key in keys})
    found: dict[str, ox.NamedNode] = {}
    for first in range(0, len(wanted), KEYS_PER_QUERY):
        values = " ".join(f'"{key}"' for key in wanted[first:first + KEYS_PER_QUERY] if _KEY.fullmatch(key))
        if values:
            for row in store.query(DOCUMENTS_BY_KEY % values):
                found[row["key"].value] = row["doc"]
    if len(found) < len(wanted):
        found |= _documents_by_scan(store, set(wanted) - found.keys())
    return found


_KEY = re.compile(r"[0-9a-f]{12}")


def pack_keys(keys: str | Iterable[str]) -> array:
    """Documents' keys (doc_key: 12 hex digits, space-separated as a row stores them, or a sequence)
    as 48-bit integers in an array, in the same order: 8 bytes a key, against some 70 as a tuple of
    strings, for the analyses that read every row's documents (kg.analysis.inputs.table_rows). A
    key that is not one (a hand-edited table) is packed as the first 48 bits of its SHA-256: it is
    still told apart from the others, and names no document."""
    if isinstance(keys, str):
        if _KEYS.fullmatch(keys):  # as kg writes them: one check of the whole text
            return array("Q", [int(key, 16) for key in keys.split()])
        keys = keys.split()
    return array("Q", [int(key if _KEY.fullmatch(key) else doc_key(key), 16) for key in keys])


_KEYS = re.compile(r"(?:[0-9a-f]{12}(?: [0-9a-f]{12})*)?")


def key_text(key: int | str) -> str:
    """A document key as doc_key writes it, from its packed form (pack_keys) or as it is."""
    return key if isinstance(key, str) else f"{key:012x}"


def _documents_by_scan(store, wanted: set[str]) -> dict[str, ox.NamedNode]:
    found: dict[str, ox.NamedNode] = {}
    for row in store.stream("SELECT ?graph WHERE { GRAPH ?graph {} }"):
        graph = row["graph"]
        if isinstance(graph, ox.NamedNode) and (key := doc_key(graph.value)) in wanted:
            found[key] = graph
            if len(found) == len(wanted):
                break
    return found


def period_of(date: str | None) -> str:
    """The period a row counts an event under: its month, else its year, else ""."""
    if not date:
        return ""
    if len(date) >= 7 and date[4] == "-":
        return date[:7]
    return date[:4]


def _keep_strongest(best: list, rank: tuple, event_id: str, statement: str) -> None:
    """Keeps in ``best`` (a list of (rank, event, statement), smallest rank first) the STRONGEST
    lowest-ranked statements with at most one per event: each event's own lowest, whatever the order
    the statements come in."""
    for i, (held, event, _) in enumerate(best):
        if event == event_id:
            if rank < held:
                best[i] = (rank, event_id, statement)
                best.sort()
            return
    if len(best) < STRONGEST:
        best.append((rank, event_id, statement))
        best.sort()
    elif rank < best[-1][0]:
        best[-1] = (rank, event_id, statement)
        best.sort()


@dataclass(frozen=True)
class CountedStatement:
    """What the table counts of one statement that counts as a relation (asserted; background only
    when dated): its IRI, document (IRI, position, identifier and date), actors as stated and rolled up,
    relation type, confidence (as stored), whether it is background and the time its sentence gives."""

    statement: str
    doc: str
    start: int
    stated_source: str
    stated_target: str
    source: str
    target: str
    type: str
    confidence: str
    background: bool
    stated: str | None
    doc_id: str | None
    doc_date: str | None


def count_dyads(statements: Iterable[CountedStatement], events: Iterable, weights: dict[str, float]) -> list[DyadCount]:
    """The rows (over each period, then over all periods) counted from ``statements``, given the events
    (kg.events.Event) they were grouped into and the relation types' weights (kg.analysis.signed): all
    of a store's, or those of one grouping key (kg.recount), since no event or row spans two. A
    statement no event holds (dated background) counts as its own event, at the time its sentence gives."""
    statement_events: dict[str, tuple[str, str | None]] = {}
    told: dict[str, tuple[str, str]] = {}
    for event in events:
        told[event.iri] = (event.source, event.target)
        for statement in event.statements:
            statement_events[statement] = (event.iri, event.date)
    tallies: dict[tuple[str, str, str, str], _Tally] = defaultdict(_Tally)
    strongest: dict[tuple[str, str, str], list] = defaultdict(list)
    numbers: dict[str, int] = {}  # documents as small numbers: sentences are (document, start) pairs of ints
    for s in statements:
        source, target, rtype = s.source, s.target, s.type
        sentence = (numbers.setdefault(s.doc, len(numbers)), s.start)
        event = statement_events.get(s.statement)
        if event is not None:
            event_id, date = event
            if RELATION_TYPES[rtype].symmetric:
                source, target = told[event_id]  # an undirected event counts in the direction it records
        else:
            event_id = "\x1f".join(map(str, sentence))
            stated = s.stated or ""
            date = (stated[:4] if stated.endswith("s") else stated) if s.background else s.doc_date
        tally = tallies[(source, target, rtype, period_of(date))]
        tally.sentences.add(sentence)
        tally.documents.add(sentence[0])
        tally.events.add(event_id)
        # the order kg stance shows evidence in (kg.analysis.stance): weight times confidence, then
        # document and position; an event's evidence is its most confident statement
        rank = (-abs(weights[rtype]) * float(s.confidence), s.doc_id or s.doc, s.start, s.statement)
        _keep_strongest(strongest[(source, target, rtype)], rank, event_id, s.statement)
    totals: dict[tuple[str, str, str], _Tally] = defaultdict(_Tally)
    periods: dict[tuple[str, str, str], list] = defaultdict(list)
    for (source, target, rtype, period), t in sorted(tallies.items()):
        total = totals[(source, target, rtype)]
        total.events |= t.events
        total.sentences |= t.sentences
        total.documents |= t.documents
        periods[(source, target, rtype)].append((period, len(t.events), len(t.sentences), t.documents))
    keys = [doc_key(doc) for doc in numbers]  # by number
    rows = [DyadCount(source, target, rtype, period, len(t.events), len(t.sentences),
                      tuple(sorted(keys[n] for n in t.documents)))
            for (source, target, rtype, period), t in sorted(tallies.items())]
    for (source, target, rtype), t in sorted(totals.items()):
        docs = tuple(sorted(keys[n] for n in t.documents))
        position = {key: i for i, key in enumerate(docs)}
        by_period = periods[(source, target, rtype)]
        rows.append(DyadCount(source, target, rtype, None, len(t.events), len(t.sentences), docs,
                              tuple((period, events, mentions) for period, events, mentions, _ in by_period),
                              tuple(statement for _, _, statement in strongest[(source, target, rtype)]),
                              tuple(tuple(sorted(position[keys[n]] for n in numbers_in)) for *_, numbers_in in by_period)))
    return rows



def neighbour_summaries(rows: Iterable[DyadCount], labels: dict[str, str]) -> dict[str, tuple[Neighbour, ...]]:
    """Actor IRI -> its neighbours, from the total rows (``labels``: actor IRI -> label): what `kg
    neighbors` prints, held in one literal per actor so that a hub's hundreds of rows are one read."""
    summaries: dict[str, list[Neighbour]] = defaultdict(list)
    for row in rows:
        if row.period is not None:
            continue
        for actor, direction, other in ((row.source, "out", row.target), (row.target, "in", row.source)):
            summaries[actor].append(Neighbour(direction, row.type, other, labels.get(other, other.removeprefix(ACTOR)),
                                              row.events, row.mentions))
    return {actor: tuple(sorted(items, key=lambda n: (n.other, n.type, n.direction)))
            for actor, items in summaries.items()}


def _summary_text(neighbours: Iterable[Neighbour]) -> str:
    return "\n".join(f"{n.direction}\t{n.type}\t{n.other}\t{n.label}\t{n.events}\t{n.mentions}"
                     for n in neighbours)


def _summary_of(text: str) -> tuple[Neighbour, ...]:
    items = []
    for line in text.split("\n"):
        direction, rtype, other, label, events, mentions = line.split("\t")
        items.append(Neighbour(direction, rtype, other, label, int(events), int(mentions)))
    return tuple(items)


@lru_cache(maxsize=65_536)
def named(iri: str) -> ox.NamedNode:
    """The node of an actor or type IRI, made once: a table names the same few hundred again and again."""
    return ox.NamedNode(iri)


@lru_cache(maxsize=4_096, typed=True)
def integer(value: int) -> ox.Literal:
    """An xsd:integer literal, made once for the small counts a table repeats."""
    return ox.Literal(str(value), datatype=_INTEGER)


def row_quads(row: DyadCount) -> Iterator[ox.Quad]:
    node, graph = ox.NamedNode(row.iri), _graph_of(row)
    yield ox.Quad(node, _A, _ROW if row.period is not None else _TOTAL, graph)
    yield ox.Quad(node, _SOURCE, named(row.source), graph)
    yield ox.Quad(node, _TARGET, named(row.target), graph)
    yield ox.Quad(node, _TYPE, named(EV + row.type), graph)
    if row.period is not None:
        yield ox.Quad(node, _PERIOD, ox.Literal(row.period), graph)
    for predicate, value in ((_EVENTS, row.events), (_MENTIONS, row.mentions), (_DOCUMENTS, row.documents)):
        yield ox.Quad(node, predicate, integer(value), graph)
    yield ox.Quad(node, _DOCUMENT_KEYS, ox.Literal(" ".join(row.docs)), graph)
    if row.period is None:
        yield ox.Quad(node, _PERIODS, ox.Literal(" ".join(
            f"{p}:{e}:{m}:{','.join(map(str, d))}" for (p, e, m), d in zip(row.periods, row.period_docs))), graph)
        yield ox.Quad(node, _STRONGEST, ox.Literal(" ".join(row.strongest)), graph)


def _graph_of(row: DyadCount) -> ox.NamedNode:
    return DYADS if row.period is not None else TOTALS


def actor_count_quads(count: ActorCount) -> Iterator[ox.Quad]:
    node = ox.NamedNode(count.actor)
    yield ox.Quad(node, _RELATIONS, integer(count.relations), DYADS)
    yield ox.Quad(node, _EVENTS, integer(count.events), DYADS)


def mark_stale(writer) -> None:
    """Says the table no longer counts every statement (a build is adding or replacing documents)."""
    writer.remove(list(writer.quads_for_pattern(DYADS, _CURRENT, None, DYADS)))


def is_current(store) -> bool:
    """Whether the store holds a dyad table that counts all its statements."""
    return any(quad.object == LAYOUT for quad in store.quads_for_pattern(DYADS, _CURRENT, None, DYADS))


def _read_rows(store, graph: ox.NamedNode, subjects: Iterable[ox.NamedNode] | None = None,
               periods: bool = True, packed: bool = False) -> Iterator[DyadCount]:
    """The rows in ``graph`` (of these ``subjects``), read by index: a scan of the graph, or a lookup
    per subject. A SPARQL join of the nine properties costs ten times as much. Without ``periods``,
    total rows come without their periods (not parsed: a tenth of the reading, for the analyses
    that need none); with ``packed``, their documents' keys come packed (pack_keys), as they are read."""
    if subjects is None:
        by_subject: dict[str, dict] = defaultdict(dict)  # a server need not answer in subject order
        for quad in store.quads_for_pattern(None, None, None, graph):
            name = _FIELDS.get(quad.predicate.value)
            if name is not None and (periods or name != "periods"):
                value = quad.object.value
                by_subject[quad.subject.value][name] = pack_keys(value) if packed and name == "docs" else value
        for values in by_subject.values():
            row = _from_values(values)
            if row is not None:
                yield row
    else:
        for subject in subjects:
            row = _from_quads(store.quads_for_pattern(subject, None, None, graph))
            if row is not None:
                yield row


_FIELDS = {_SOURCE.value: "source", _TARGET.value: "target", _TYPE.value: "type", _PERIOD.value: "period",
           _EVENTS.value: "events", _MENTIONS.value: "mentions", _DOCUMENT_KEYS.value: "docs",
           _PERIODS.value: "periods", _STRONGEST.value: "strongest"}


def _from_quads(quads) -> DyadCount | None:
    values = {}
    for quad in quads:
        name = _FIELDS.get(quad.predicate.value)
        if name is not None:
            values[name] = quad.object.value
    return _from_values(values)


def _from_values(values: dict[str, str]) -> DyadCount | None:
    """A row from its fields' values (the names of _FIELDS), or None when they make no row; ValueError
    when a count is not a number."""
    if not {"source", "target", "type", "events", "mentions", "docs"} <= values.keys():
        return None  # not a row (an actor's counts, the current flag)
    docs = values["docs"]
    positions = tuple if isinstance(docs, str) else (lambda items: array("q", items))  # packed as the keys are
    periods, period_docs = [], []
    for item in values.get("periods", "").split():
        period, events, mentions, *where = item.rsplit(":", 3) if item.count(":") >= 3 else item.rsplit(":", 2)
        periods.append((period, int(events), int(mentions)))  # an older layout's item has no documents
        period_docs.append(positions(int(i) for i in where[0].split(",") if i) if where else ())
    return DyadCount(values["source"], values["target"], values["type"].removeprefix(EV), values.get("period"),
                     int(values["events"]), int(values["mentions"]), tuple(docs.split()) if isinstance(docs, str) else docs,
                     tuple(periods),
                     tuple(values.get("strongest", "").split()), tuple(period_docs))


def _stored_actor_counts(store) -> Iterator[ActorCount]:
    for row in store.query(STORED_ACTOR_COUNTS):
        yield ActorCount(row["actor"].value, int(row["relations"].value), int(row["events"].value))


def dyad_rows(store, monthly: bool = False, periods: bool = True, packed: bool = False) -> list[DyadCount] | None:
    """The table of a kg.store.Store: one row per dyad and type over all periods (kg:DyadTotal, in
    the dyad-totals graph), or with ``monthly`` one per dyad, type and period (kg:DyadCount); None
    when missing or stale. Without ``periods``, the total rows' periods are left out; with
    ``packed``, the documents' keys come packed (see _read_rows)."""
    if not is_current(store):
        return None
    rows = _read_rows(store, DYADS if monthly else TOTALS, periods=periods, packed=packed)
    return sorted(rows, key=lambda r: (r.source, r.target, r.type, r.period or ""))


def pair_rows(store, a: str, b: str) -> list[DyadCount] | None:
    """The rows over all periods between actors ``a`` and ``b`` (IRIs), both ways, or None when the table
    is missing or stale: one read per relation type and direction."""
    if not is_current(store):
        return None
    subjects = [ox.NamedNode(DyadCount(source, target, rtype, None, 0, 0).iri)  # a row's IRI names its key
                for source, target in ((a, b), (b, a)) for rtype in RELATION_TYPES]
    rows = _read_rows(store, TOTALS, subjects)
    return sorted(rows, key=lambda r: (r.source, r.target, r.type))


def neighbour_summary(store, actor: str) -> tuple[Neighbour, ...] | None:
    """An actor's neighbours (IRI; persons rolled up, so a person has none of its own) from the table:
    one read; None when the table is missing or stale."""
    if not is_current(store):
        return None
    quad = next(iter(store.quads_for_pattern(ox.NamedNode(actor), _SUMMARY, None, TOTALS)), None)
    return () if quad is None or not quad.object.value else _summary_of(quad.object.value)


def actor_counts(store) -> dict[str, ActorCount] | None:
    """Actor IRI -> the statements and events that name it, or None when the table is missing or stale."""
    if not is_current(store):
        return None
    return {count.actor: count for count in _stored_actor_counts(store)}


def period_rows(rows: Iterable[DyadCount], within=None) -> Iterator[DyadCount]:
    """The monthly rows (kg:DyadCount) the total rows hold in their periods, documents included;
    with ``within`` (a test of a period, as kg.analysis.signed.Filter.within), only those it passes."""
    for row in rows:
        for (period, events, mentions), docs in zip(row.periods, row.period_docs):
            if within is not None and not within(period):
                continue
            keys = [row.docs[i] for i in docs]
            yield DyadCount(row.source, row.target, row.type, period, events, mentions,
                            tuple(keys) if isinstance(row.docs, tuple) else array("Q", keys))


def totals(rows: Iterable[DyadCount]) -> Counter:
    """Events and mentions over ``rows``."""
    counted: Counter = Counter()
    for row in rows:
        counted["events"] += row.events
        counted["mentions"] += row.mentions
    return counted
