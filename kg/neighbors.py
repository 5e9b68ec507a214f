"""An actor's neighbours: who it acts on and who acts on it, by relation type, with evidence."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from .events import COUNTS, require_events
from .lookup import ActorRef, find_actor
from .dyads import neighbour_summary
from .rdf import actor_iri, statement_iri
from .statements import persons_of, relations_of
from .store import Store
from .vocab import ACTOR, RELATION_TYPES

DIRECTIONS = ("out", "in", "both")


@dataclass(frozen=True)
class Evidence:
    doc: str
    sentence: str
    start: int
    end: int
    confidence: float


@dataclass
class Neighbor:
    """One neighbouring actor and relation type in one direction, with its statements' evidence.

    ``count`` is ``events`` or ``mentions``, as the caller asked: events count each incident once
    (kg.events), mentions count each sentence that reports one."""

    actor: str
    actor_id: str
    relation: str
    quad: str
    direction: str
    polarity: int
    count: int = 0
    events: int = 0
    mentions: int = 0
    evidence: list[Evidence] = field(default_factory=list)

    @property
    def stance(self) -> str:
        return {1: "cooperation", -1: "conflict"}.get(self.polarity, "neutral")


def neighbors(store: Store, name: str, *, relation: str | None = None, direction: str = "both",
              count: str = "events", evidence: bool = True) -> tuple[ActorRef, list[Neighbor]]:
    """The actor ``name`` means and its neighbours (asserted relations, persons rolled up), counted
    by ``count``: "events" or "mentions".

    Without ``evidence``, the counts come from the dyad table (kg.dyads) when it is current: what
    that costs follows the actor's dyads, not its statements. With it (or for a person, whom the
    table credits to the state they act for), the actor's statements are read through the index,
    one lookup for the actor and one for each person acting for it."""
    if direction not in DIRECTIONS:
        raise ValueError(f"direction must be one of {DIRECTIONS}")
    if count not in COUNTS:
        raise ValueError(f"count must be one of {COUNTS}")
    wanted = relation.upper() if relation else None
    if wanted is not None and wanted not in RELATION_TYPES:
        from .errors import KgError

        raise KgError(f"unknown relation type {relation!r}; use one of {', '.join(RELATION_TYPES)}")
    actor = find_actor(store, name)
    if count == "events":
        require_events(store)
    if not evidence and actor.type != "Person":
        summary = neighbour_summary(store, actor.iri)
        if summary is not None:
            return actor, _from_table(summary, wanted, direction, count)
    ends = [actor.iri] + (persons_of(store, actor.iri) if actor.type != "Person" else [])
    selected = relations_of(store, ends)
    table: dict[tuple[str, str, str], Neighbor] = {}
    sentences: dict[tuple[str, str, str], set] = defaultdict(set)
    events: dict[tuple[str, str, str], set] = defaultdict(set)
    mine = set(ends)
    for r in selected.relations:
        if not r.asserted or (r.background and not r.date):
            continue  # background told with no date is no current relation
        way = "out" if actor_iri(r.source).value in mine else "in"
        other_actor = (r.target if way == "out" else r.source).rolled_up()
        other = actor_iri(other_actor).value
        if other == actor.iri:
            continue
        rtype = r.type
        statement = statement_iri(r).value
        event = selected.events.get(statement)
        if event is not None and RELATION_TYPES[rtype].symmetric:
            # an undirected event told both ways is listed once, in the direction the event records
            way = "in" if selected.event_sources[statement] == other else "out"
        if (wanted and rtype != wanted) or (direction != "both" and way != direction):
            continue
        key = (other, rtype, way)
        item = table.setdefault(key, Neighbor(other_actor.label, other.removeprefix(ACTOR), rtype,
                                              RELATION_TYPES[rtype].quad, way, RELATION_TYPES[rtype].polarity))
        if (r.doc, r.start) in sentences[key]:  # one sentence, one mention, however many triggers it has
            continue
        sentences[key].add((r.doc, r.start))
        events[key].add(event or (r.doc, r.start))  # a statement no event holds is its own
        item.evidence.append(Evidence(r.doc, r.sentence, r.start, r.end, r.confidence))
    for key, item in table.items():
        item.mentions, item.events = len(sentences[key]), len(events[key])
        item.count = item.events if count == "events" else item.mentions
        item.evidence.sort(key=lambda e: (e.doc, e.start))
    return actor, _ordered(table.values())


def _from_table(summary, wanted: str | None, direction: str, count: str) -> list[Neighbor]:
    """Neighbours from the actor's summary in the dyad table (kg.dyads.Neighbour lines)."""
    items = []
    for n in summary:
        if (wanted and n.type != wanted) or (direction != "both" and n.direction != direction) or not n.mentions:
            continue
        t = RELATION_TYPES[n.type]
        items.append(Neighbor(n.label, n.other.removeprefix(ACTOR), n.type, t.quad, n.direction, t.polarity,
                              n.events if count == "events" else n.mentions, n.events, n.mentions))
    return _ordered(items)


def _ordered(items) -> list[Neighbor]:
    return sorted(items, key=lambda n: (-n.count, n.actor, n.relation, n.direction))
