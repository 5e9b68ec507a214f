"""An actor's neighbours: who it acts on and who acts on it, by relation type, with evidence."""

from __future__ import annotations

from dataclasses import dataclass, field

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
    """One neighbouring actor and relation type in one direction, with its statements' evidence."""

    actor: str
    actor_id: str
    relation: str
    quad: str
    direction: str
    polarity: int
    count: int = 0
    evidence: list[Evidence] = field(default_factory=list)

    @property
    def stance(self) -> str:
        return {1: "cooperation", -1: "conflict"}.get(self.polarity, "neutral")


def neighbors(store: Store, name: str, *, relation: str | None = None,
              direction: str = "both") -> tuple[ActorRef, list[Neighbor]]:
    """The actor ``name`` means and its neighbours (asserted relations, persons rolled up)."""
    if direction not in DIRECTIONS:
        raise ValueError(f"direction must be one of {DIRECTIONS}")
    wanted = relation.upper() if relation else None
    if wanted is not None and wanted not in RELATION_TYPES:
        from .errors import KgError

        raise KgError(f"unknown relation type {relation!r}; use one of {', '.join(RELATION_TYPES)}")
    actor = find_actor(store, name)
    from pyoxigraph import NamedNode

    rows = store.query(named_queries()["neighbors"].text, {"actor": NamedNode(actor.iri)})
    table: dict[tuple[str, str, str], Neighbor] = {}
    seen: set[tuple] = set()
    for row in rows:
        rtype = row["type"].value.removeprefix(EV)
        way = row["direction"].value
        if (wanted and rtype != wanted) or (direction != "both" and way != direction):
            continue
        other = row["other"].value
        key = (other, rtype, way)
        label = row["otherLabel"].value if row["otherLabel"] is not None else other.removeprefix(ACTOR)
        item = table.setdefault(key, Neighbor(label, other.removeprefix(ACTOR), rtype,
                                              RELATION_TYPES[rtype].quad, way, RELATION_TYPES[rtype].polarity))
        doc = row["doc"].value.rsplit("/", 1)[-1]
        start = int(row["start"].value)
        if (key, doc, start) in seen:  # one sentence, one count, however many triggers it has
            continue
        seen.add((key, doc, start))
        item.count += 1
        item.evidence.append(Evidence(doc, row["evidence"].value, start, int(row["end"].value),
                                      float(row["confidence"].value)))
    ordered = sorted(table.values(), key=lambda n: (-n.count, n.actor, n.relation, n.direction))
    return actor, ordered

