"""An actor's neighbours: who it acts on and who acts on it, by relation type, with evidence."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from .events import COUNTS, require_events
from .lookup import ActorRef, find_actor
from .queries import named_queries
from .store import Store
from .vocab import ACTOR, EV, RELATION_TYPES

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
              count: str = "events") -> tuple[ActorRef, list[Neighbor]]:
    """The actor ``name`` means and its neighbours (asserted relations, persons rolled up), counted
    by ``count``: "events" or "mentions"."""
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
    from pyoxigraph import NamedNode

    rows = store.query(named_queries()["neighbors"].text, {"actor": NamedNode(actor.iri)})
    table: dict[tuple[str, str, str], Neighbor] = {}
    sentences: dict[tuple[str, str, str], set] = defaultdict(set)
    events: dict[tuple[str, str, str], set] = defaultdict(set)
    for row in rows:
        rtype = row["type"].value.removeprefix(EV)
        other = row["other"].value
        way = row["direction"].value
        event = row["event"].value if row["event"] is not None else None
        if count == "events" and event is not None and RELATION_TYPES[rtype].symmetric:
            # one event told in both directions is listed once, in the direction the event records
            way = "in" if row["eventSource"].value == other else "out"
        if (wanted and rtype != wanted) or (direction != "both" and way != direction):
            continue
        key = (other, rtype, way)
        label = row["otherLabel"].value if row["otherLabel"] is not None else other.removeprefix(ACTOR)
        item = table.setdefault(key, Neighbor(label, other.removeprefix(ACTOR), rtype,
                                              RELATION_TYPES[rtype].quad, way, RELATION_TYPES[rtype].polarity))
        doc = row["doc"].value.rsplit("/", 1)[-1]
        start = int(row["start"].value)
        if (doc, start) in sentences[key]:  # one sentence, one mention, however many triggers it has
            continue
        sentences[key].add((doc, start))
        events[key].add(event or (doc, start))  # a statement no event holds is its own
        item.evidence.append(Evidence(doc, row["evidence"].value, start, int(row["end"].value),
                                      float(row["confidence"].value)))
    for key, item in table.items():
        item.mentions, item.events = len(sentences[key]), len(events[key])
        item.count = item.events if count == "events" else item.mentions
    ordered = sorted(table.values(), key=lambda n: (-n.count, n.actor, n.relation, n.direction))
    return actor, ordered
