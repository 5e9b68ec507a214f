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
import itertools
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

import pyoxigraph as ox

from .vocab import ACTORS_GRAPH, DYADS_GRAPH, EV, KG, PROV, RDF, RELATION_TYPES, TOTALS_GRAPH, XSD

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
_CURRENT = ox.NamedNode(KG + "dyadsCurrent")
_ACTED_FOR = ox.NamedNode(PROV + "actedOnBehalfOf")
_ACTORS = ox.NamedNode(ACTORS_GRAPH)
_INTEGER = ox.NamedNode(XSD + "integer")
# What kg:dyadsCurrent says: the table's layout. A table of another layout counts as stale (read from
# the statements) until a build recounts it.
LAYOUT = ox.Literal("3", datatype=ox.NamedNode(XSD + "integer"))

# Every statement, flat: what the table is counted from. Background ("for years ...") is counted
# at the time its sentence gives, or not at all when it gives none, as the analyses do (kg.analysis.signed).
STATEMENTS = """
SELECT ?statement ?doc ?start ?source ?target ?type ?negated ?hypothetical ?background ?stated WHERE {
  GRAPH ?doc {
    ?statement kg:source ?source ; kg:target ?target ; a ?type ; kg:start ?start ;
      kg:negated ?negated ; kg:hypothetical ?hypothetical ; prov:wasDerivedFrom ?doc .
    OPTIONAL { ?statement kg:background ?background }
    OPTIONAL { ?statement dcterms:date ?stated }
  }
}"""
DOCUMENT_DATES = "SELECT ?doc ?date WHERE { GRAPH ?doc { ?doc a kg:Document ; dcterms:date ?date } }"
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
    the mentions (sentences reporting them) and the documents they come from."""

    source: str
    target: str
    type: str
    period: str | None
    events: int
    mentions: int
    docs: tuple[str, ...] = ()  # the documents' keys (doc_key), sorted

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


@dataclass
class _Tally:
    events: set = field(default_factory=set)
    sentences: set = field(default_factory=set)
    documents: set = field(default_factory=set)


def doc_key(doc: str) -> str:
    """A short key for a document IRI: 12 hex digits of its SHA-256 (48 bits: no collision to fear
    below millions of documents), so that rows can say which documents they come from."""
    return hashlib.sha256(doc.encode("utf-8", "surrogatepass")).hexdigest()[:12]


def documents_by_key(store, keys: Iterable[str]) -> dict[str, ox.NamedNode]:
    """These document keys (doc_key) -> their documents' graphs (a document's graph is named by its
    IRI), for reading the documents a row names: a pass over the store's named graphs, until all are found."""
    wanted, found = set(keys), {}
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


def count_dyads(store, events: Iterable) -> tuple[list[DyadCount], list[ActorCount]]:
    """The dyad table and per-actor counts of a store (a kg.store.Writer or Store), given the events
    its asserted statements were grouped into (kg.events.Event). A statement no event holds (dated
    background) counts as its own event, at the time its sentence gives."""
    statement_events: dict[str, tuple[str, str | None]] = {}
    told: dict[str, tuple[str, str]] = {}
    for event in events:
        told[event.iri] = (event.source, event.target)
        for statement in event.statements:
            statement_events[statement] = (event.iri, event.date)
    acting = {q.subject.value: q.object.value for q in store.quads_for_pattern(None, _ACTED_FOR, None, _ACTORS)}
    dates = {row["doc"].value: row["date"].value for row in store.query(DOCUMENT_DATES)}
    tallies: dict[tuple[str, str, str, str], _Tally] = defaultdict(_Tally)
    named: Counter = Counter()  # statements naming each actor
    named_events: dict[str, set[str]] = defaultdict(set)
    numbers: dict[str, int] = {}  # documents as small numbers: sentences are (document, start) pairs of ints
    for row in store.query(STATEMENTS):
        rtype = row["type"].value.removeprefix(EV)
        if rtype not in RELATION_TYPES:
            continue
        statement, doc = row["statement"].value, row["doc"].value
        stated_source, stated_target = row["source"].value, row["target"].value
        event = statement_events.get(statement)
        for actor in {stated_source, stated_target}:
            named[actor] += 1
            if event is not None:
                named_events[actor].add(event[0])
        if row["negated"].value == "true" or row["hypothetical"].value == "true":
            continue
        background = row["background"] is not None and row["background"].value == "true"
        stated = row["stated"].value if row["stated"] is not None else None
        if background and not stated:
            continue  # undated background is no current relation
        source, target = acting.get(stated_source, stated_source), acting.get(stated_target, stated_target)
        if source == target:
            continue
        sentence = (numbers.setdefault(doc, len(numbers)), int(row["start"].value))
        if event is not None:
            event_id, date = event
            if RELATION_TYPES[rtype].symmetric:
                source, target = told[event_id]  # an undirected event counts in the direction it records
        else:
            event_id = "\x1f".join(map(str, sentence))
            date = (stated[:4] if stated.endswith("s") else stated) if background else dates.get(doc)
        tally = tallies[(source, target, rtype, period_of(date))]
        tally.sentences.add(sentence)
        tally.documents.add(sentence[0])
        tally.events.add(event_id)
    totals: dict[tuple[str, str, str], _Tally] = defaultdict(_Tally)
    for (source, target, rtype, _), t in tallies.items():
        total = totals[(source, target, rtype)]
        total.events |= t.events
        total.sentences |= t.sentences
        total.documents |= t.documents
    keys = [doc_key(doc) for doc in numbers]  # by number
    rows = [DyadCount(source, target, rtype, period, len(t.events), len(t.sentences),
                      tuple(sorted(keys[n] for n in t.documents)))
            for (source, target, rtype, period), t in sorted(tallies.items())]
    rows += [DyadCount(source, target, rtype, None, len(t.events), len(t.sentences),
                       tuple(sorted(keys[n] for n in t.documents)))
             for (source, target, rtype), t in sorted(totals.items())]
    actors = [ActorCount(actor, statements, len(named_events.get(actor, ())))
              for actor, statements in sorted(named.items())]
    return rows, actors


def row_quads(row: DyadCount) -> Iterator[ox.Quad]:
    node, graph = ox.NamedNode(row.iri), _graph_of(row)
    yield ox.Quad(node, _A, _ROW if row.period is not None else _TOTAL, graph)
    yield ox.Quad(node, _SOURCE, ox.NamedNode(row.source), graph)
    yield ox.Quad(node, _TARGET, ox.NamedNode(row.target), graph)
    yield ox.Quad(node, _TYPE, ox.NamedNode(EV + row.type), graph)
    if row.period is not None:
        yield ox.Quad(node, _PERIOD, ox.Literal(row.period), graph)
    for predicate, value in ((_EVENTS, row.events), (_MENTIONS, row.mentions), (_DOCUMENTS, row.documents)):
        yield ox.Quad(node, predicate, ox.Literal(str(value), datatype=_INTEGER), graph)
    yield ox.Quad(node, _DOCUMENT_KEYS, ox.Literal(" ".join(row.docs)), graph)


def _graph_of(row: DyadCount) -> ox.NamedNode:
    return DYADS if row.period is not None else TOTALS


def actor_count_quads(count: ActorCount) -> Iterator[ox.Quad]:
    node = ox.NamedNode(count.actor)
    yield ox.Quad(node, _RELATIONS, ox.Literal(str(count.relations), datatype=_INTEGER), DYADS)
    yield ox.Quad(node, _EVENTS, ox.Literal(str(count.events), datatype=_INTEGER), DYADS)


def update_dyads(writer, events: Iterable) -> list[DyadCount]:
    """Recounts the table of the store a build writes (a kg.store.Writer) from the events its
    statements make (kg.events.update_events), writes the rows and actor counts that changed, and
    marks the table current."""
    rows, actors = count_dyads(writer, events)
    held_rows = {stored.iri: (hash(stored), graph) for stored, graph in _stored_rows(writer)}
    fresh_rows = {row.iri: row for row in rows}
    held_actors = {count.actor: count for count in _stored_actor_counts(writer)}
    fresh_actors = {count.actor: count for count in actors}
    removed: list[ox.Quad] = []
    for iri, (digest, graph) in held_rows.items():  # a row's hash: as telling as the row, and smaller
        row = fresh_rows.get(iri)
        if row is None or (hash(row), _graph_of(row)) != (digest, graph):
            removed.extend(writer.quads_for_pattern(ox.NamedNode(iri), None, None, graph))
    for actor, stored in held_actors.items():
        if fresh_actors.get(actor) != stored:
            removed.extend(actor_count_quads(stored))
    added = itertools.chain(
        (q for iri, row in fresh_rows.items() if held_rows.get(iri) != (hash(row), _graph_of(row))
         for q in row_quads(row)),
        (q for actor, count in fresh_actors.items() if held_actors.get(actor) != count
         for q in actor_count_quads(count)),
        [ox.Quad(DYADS, _CURRENT, LAYOUT, DYADS)])
    removed.extend(q for q in writer.quads_for_pattern(DYADS, _CURRENT, None, DYADS) if q.object != LAYOUT)
    writer.change(removed, added)
    return rows


def mark_stale(writer) -> None:
    """Says the table no longer counts every statement (a build is adding or replacing documents)."""
    writer.remove(list(writer.quads_for_pattern(DYADS, _CURRENT, None, DYADS)))


def is_current(store) -> bool:
    """Whether the store holds a dyad table that counts all its statements."""
    return any(quad.object == LAYOUT for quad in store.quads_for_pattern(DYADS, _CURRENT, None, DYADS))


def _stored_rows(store) -> Iterator[tuple[DyadCount, ox.NamedNode]]:
    """Every stored row, with the graph it is in."""
    for graph in (TOTALS, DYADS):
        for row in _read_rows(store, graph):
            yield row, graph


def _read_rows(store, graph: ox.NamedNode, subjects: Iterable[ox.NamedNode] | None = None) -> Iterator[DyadCount]:
    """The rows in ``graph`` (of these ``subjects``), read by index: a scan of the graph, or a lookup
    per subject. A SPARQL join of the nine properties costs ten times as much."""
    if subjects is None:
        by_subject: dict[str, list] = defaultdict(list)  # a server need not answer in subject order
        for quad in store.quads_for_pattern(None, None, None, graph):
            by_subject[quad.subject.value].append(quad)
        for group in by_subject.values():
            row = _from_quads(group)
            if row is not None:
                yield row
    else:
        for subject in subjects:
            row = _from_quads(store.quads_for_pattern(subject, None, None, graph))
            if row is not None:
                yield row


_FIELDS = {_SOURCE.value: "source", _TARGET.value: "target", _TYPE.value: "type", _PERIOD.value: "period",
           _EVENTS.value: "events", _MENTIONS.value: "mentions", _DOCUMENT_KEYS.value: "docs"}


def _from_quads(quads) -> DyadCount | None:
    values = {}
    for quad in quads:
        name = _FIELDS.get(quad.predicate.value)
        if name is not None:
            values[name] = quad.object.value
    if not {"source", "target", "type", "events", "mentions", "docs"} <= values.keys():
        return None  # not a row (an actor's counts, the current flag)
    return DyadCount(values["source"], values["target"], values["type"].removeprefix(EV), values.get("period"),
                     int(values["events"]), int(values["mentions"]), tuple(values["docs"].split()))


def _stored_actor_counts(store) -> Iterator[ActorCount]:
    for row in store.query(STORED_ACTOR_COUNTS):
        yield ActorCount(row["actor"].value, int(row["relations"].value), int(row["events"].value))


def dyad_rows(store, monthly: bool = False) -> list[DyadCount] | None:
    """The table of a kg.store.Store: one row per dyad and type over all periods (kg:DyadTotal, in
    the dyad-totals graph), or with ``monthly`` one per dyad, type and period (kg:DyadCount); None
    when missing or stale."""
    if not is_current(store):
        return None
    rows = _read_rows(store, DYADS if monthly else TOTALS)
    return sorted(rows, key=lambda r: (r.source, r.target, r.type, r.period or ""))


def rows_of(store, actors: Iterable[str]) -> list[DyadCount] | None:
    """The rows over all periods in which any of ``actors`` (IRIs) is an end, or None when the table
    is missing or stale: two index lookups per actor, then one per row."""
    if not is_current(store):
        return None
    subjects = set()
    for actor in set(actors):
        node = ox.NamedNode(actor)
        for predicate in (_SOURCE, _TARGET):
            subjects.update(q.subject for q in store.quads_for_pattern(None, predicate, node, TOTALS))
    rows = set(_read_rows(store, TOTALS, sorted(subjects, key=lambda n: n.value)))
    return sorted(rows, key=lambda r: (r.source, r.target, r.type, r.period or ""))


def actor_counts(store) -> dict[str, ActorCount] | None:
    """Actor IRI -> the statements and events that name it, or None when the table is missing or stale."""
    if not is_current(store):
        return None
    return {count.actor: count for count in _stored_actor_counts(store)}


def totals(rows: Iterable[DyadCount]) -> Counter:
    """Events and mentions over ``rows``."""
    counted: Counter = Counter()
    for row in rows:
        counted["events"] += row.events
        counted["mentions"] += row.mentions
    return counted
