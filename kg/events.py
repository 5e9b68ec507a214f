"""Events: the asserted statements that report one incident, grouped so that the incident counts once.

Four wires telling of one tank shelling give four statements (mentions) and one event. Statements
report the same event when they share source and target (persons rolled up to the state or
organisation they act for, as the analyses see them), relation type and, within the window, date.
Undirected types (CONSULT, AGREE, ALLY_OF) group both directions. Events are recomputed for the
whole store at the end of every build, in their own named graph, so a new document can join an
event an earlier build made.
"""

from __future__ import annotations

import datetime
import hashlib
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import pyoxigraph as ox

from .dyads import integer, named
from .rdf import date_literal
from .records import Relation
from .vocab import DCTERMS, EV, EVENTS_GRAPH, INCIDENT, KG, QUAD_CLASSES, RDF, RELATION_TYPES, XSD

# Reports of one event may be dated this many days apart. GDELT, ICEWS and Phoenix keep one event
# per source, target, type and day; one day either way lets wires filed either side of midnight, or
# a report of yesterday's incident, agree. `kg build --event-window DAYS` changes it for a store.
EVENT_WINDOW_DAYS = 1

EVENTS = ox.NamedNode(EVENTS_GRAPH)
COUNTS = ("events", "mentions")

_A = ox.NamedNode(RDF + "type")
_SOURCE = ox.NamedNode(KG + "source")
_TARGET = ox.NamedNode(KG + "target")
_QUAD = ox.NamedNode(KG + "quad")
_REPORTS = ox.NamedNode(KG + "reports")
_MENTIONS = ox.NamedNode(KG + "mentions")
_WINDOW = ox.NamedNode(KG + "eventWindow")
_EVENT = ox.NamedNode(KG + "Event")
_DATE = ox.NamedNode(DCTERMS + "date")
_INTEGER = ox.NamedNode(XSD + "integer")
_DAY = re.compile(r"(\d{4}-\d{2}-\d{2})")


@dataclass(frozen=True)
class StatementRow:
    """What grouping needs of one asserted statement: IRIs of the statement, its document and its
    actors (rolled up), its relation type, and its document's date as given (or None)."""

    statement: str
    doc: str
    source: str
    target: str
    type: str
    date: str | None = None


@dataclass(frozen=True)
class Event:
    """One incident: its type, actors, earliest date and the statements (mentions) that report it."""

    iri: str
    type: str
    source: str
    target: str
    date: str | None
    statements: tuple[str, ...]

    @property
    def mentions(self) -> int:
        return len(self.statements)


def day_of(date: str | None) -> int | None:
    """The day a date names, as an ordinal; None when it names no single day ('2004', '2004-11')."""
    match = _DAY.match(date or "")
    if match is None:
        return None
    try:
        return datetime.date.fromisoformat(match.group(1)).toordinal()
    except ValueError:
        return None


def group_events(rows: Iterable[StatementRow], window: int = EVENT_WINDOW_DAYS) -> list[Event]:
    """The events ``rows`` report, ordered by IRI.

    Statements of one source, target and type (either direction for undirected types) whose
    documents are dated to the day group when their dates lie within ``window`` days of the
    event's first date. Each event is anchored on its first date: a statement more than ``window``
    days after it starts the next event, so with a window of one day, daily reports over a month
    make fifteen events instead of chaining into one. A document without a date to the day
    ('2004', or none) cannot be placed beside another: its statements group only among themselves.
    """
    dyads: dict[tuple[str, str, str], list[tuple[int | None, StatementRow]]] = defaultdict(list)
    for row in rows:
        if row.source == row.target:  # a person acting towards their own state: no relation between actors
            continue
        ends = (row.source, row.target)
        if RELATION_TYPES[row.type].symmetric:
            ends = tuple(sorted(ends))
        dyads[(row.type, *ends)].append((day_of(row.date), row))
    events = []
    for (rtype, a, b), members in dyads.items():
        dated = sorted(((day, row) for day, row in members if day is not None),
                       key=lambda item: (item[0], item[1].statement))
        first_day, group = 0, []
        for day, row in dated:
            if group and day > first_day + window:
                events.append(_event(rtype, a, b, group, group[0].date[:10]))
                group = []
            if not group:
                first_day = day
            group.append(row)
        if group:
            events.append(_event(rtype, a, b, group, group[0].date[:10]))
        by_doc: dict[str, list[StatementRow]] = defaultdict(list)
        for day, row in members:
            if day is None:
                by_doc[row.doc].append(row)
        for doc, group in by_doc.items():
            events.append(_event(rtype, a, b, group, group[0].date, doc))
    return sorted(events, key=lambda e: e.iri)


def _event(rtype: str, a: str, b: str, group: list[StatementRow], date: str | None, doc: str | None = None) -> Event:
    # The IRI names the type, the dyad and the anchor (the first day; or the document, with its
    # date), never the list of mentions: a report that joins later leaves the IRI as it was. All
    # the node says follows from its IRI and its statements, which lets a build rewrite only the
    # events whose statements changed (update_events).
    anchor = f"day {date}" if doc is None else f"document {doc} {date or ''}"
    iri = INCIDENT + hashlib.sha256("\x1f".join((rtype, a, b, anchor)).encode("utf-8", "surrogatepass")).hexdigest()[:24]
    statements = sorted(row.statement for row in group)
    told = min(group, key=lambda row: row.statement)  # an undirected event goes the way its first statement does
    return Event(iri, rtype, told.source, told.target, date, tuple(statements))


EVENT_LINKS = """
SELECT ?statement ?event WHERE { GRAPH <https://w3id.org/kg/graph/events> { ?statement kg:reports ?event } }"""


def event_quads(event: Event) -> Iterator[ox.Quad]:
    """An event node and the kg:reports link of each statement that reports it."""
    node = ox.NamedNode(event.iri)
    yield ox.Quad(node, _A, _EVENT, EVENTS)
    yield ox.Quad(node, _A, named(EV + event.type), EVENTS)
    yield ox.Quad(node, _SOURCE, named(event.source), EVENTS)
    yield ox.Quad(node, _TARGET, named(event.target), EVENTS)
    yield ox.Quad(node, _QUAD, named(KG + QUAD_CLASSES[RELATION_TYPES[event.type].quad]), EVENTS)
    if event.date:
        yield ox.Quad(node, _DATE, date_literal(event.date), EVENTS)
    yield ox.Quad(node, _MENTIONS, integer(event.mentions), EVENTS)
    for statement in event.statements:
        yield ox.Quad(ox.NamedNode(statement), _REPORTS, node, EVENTS)


def _window_quad(window: int) -> ox.Quad:
    return ox.Quad(EVENTS, _WINDOW, ox.Literal(str(window), datatype=_INTEGER), EVENTS)


def stored_window(store) -> int | None:
    """The window the store's events were grouped with, if it has events."""
    quad = next(store.quads_for_pattern(EVENTS, _WINDOW, None, EVENTS), None)
    return int(quad.object.value) if quad is not None else None


def _digest(statement: str) -> int:
    return int.from_bytes(hashlib.blake2b(statement.encode("utf-8", "surrogatepass"), digest_size=8).digest(), "big")


def _digests(statements: Iterable[str]) -> int:
    combined = 0
    for statement in statements:
        combined ^= _digest(statement)
    return combined


# -- reading: what the analyses count


def require_events(store) -> None:
    """Raises NoEvents when a kg.store.Store has no events: a build that started from an empty graph
    (a new store, --rebuild) counts them at its end, after the batches it has already published; a
    build that stopped before, or a kg older than events, left none."""
    if stored_window(store) is None:
        from .errors import NoEvents

        if store.being_written():
            raise NoEvents(f"the store in {store.path} is being built: its events are counted when the build "
                           f"ends; wait for it, or use --count mentions for the documents written so far")
        raise NoEvents(f"the store in {store.path} has no events yet (a build stopped before counting them, or "
                       f"an older kg built it): run kg build again on the same corpus (nothing is read again), "
                       f"or use --count mentions")


def event_links(store) -> dict[str, str]:
    """Statement IRI -> the IRI of the event it reports, for a kg.store.Store (see require_events)."""
    require_events(store)
    return {row["statement"].value: row["event"].value for row in store.query(EVENT_LINKS)}


def one_per_event(relations: Iterable[Relation], links: dict[str, str], dates: dict[str, str] | None = None,
                  keep=None) -> tuple[list[Relation], int]:
    """The relations an analysis counts when it counts events: of the relations ``keep`` (a
    kg.analysis.signed.Filter) keeps, one per event and pair of ends as ``keep`` sees them (persons kept
    apart under --no-rollup split an event), the most confident; also how many mentions (sentences
    reporting a type of relation between those ends) were kept.

    A statement no event holds (dated background, or a store regrouped before it was written) counts
    as its own event, one per sentence.
    Order is the order of ``relations``.
    """
    from .rdf import statement_iri
    from .analysis.signed import Filter

    keep = keep or Filter()
    dates = dates or {}
    best: dict[tuple, tuple[int, Relation]] = {}
    mentions = set()
    for index, relation in enumerate(relations):
        if not keep.keeps(relation, dates.get(relation.doc)):
            continue
        source, target = keep.ends(relation)
        if source.id == target.id:
            continue
        ends = (source.id, target.id)
        if RELATION_TYPES[relation.type].symmetric:
            ends = tuple(sorted(ends))
        sentence = (relation.doc, relation.start, relation.type)
        mentions.add((sentence, ends))  # a sentence that names a state and its minister reports once
        statement = statement_iri(relation).value
        key = (links.get(statement) or sentence, ends)
        held = best.get(key)
        if held is None or relation.confidence > held[1].confidence:
            best[key] = (index, relation)
    return [relation for _, relation in sorted(best.values(), key=lambda item: item[0])], len(mentions)

