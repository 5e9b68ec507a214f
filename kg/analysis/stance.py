"""Stance of a dyad: how two actors act towards each other, in both directions and over time."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from ..records import Relation
from .signed import Filter, event_date, load_weights
from ..vocab import RELATION_TYPES

# Standing ties (PLOVER's structural types: membership, alliance) say what two actors are, not what one
# did to the other, and a report repeats them whenever it mentions the pair ("blames ally Armenia"):
# stance counts events only and lists these apart.
STRUCTURAL = frozenset(name for name, t in RELATION_TYPES.items() if t.quad == "structural")


@dataclass
class Direction:
    """What ``source`` does to ``target``: counts of events per type, signed score, cooperation and
    conflict; ``structural`` counts the standing ties stated (ALLY_OF, MEMBER_OF), not scored."""

    source: str
    target: str
    counts: Counter = field(default_factory=Counter)
    score: float = 0.0
    cooperation: float = 0.0
    conflict: float = 0.0
    structural: Counter = field(default_factory=Counter)

    @property
    def relations(self) -> int:
        return sum(self.counts.values())


@dataclass(frozen=True)
class Month:
    month: str
    cooperation: float  # both directions, Goldstein magnitudes
    conflict: float
    relations: int

    @property
    def net(self) -> float:
        return self.cooperation - self.conflict


@dataclass(frozen=True)
class Evidence:
    relation: Relation
    weight: float
    date: str | None


@dataclass
class Stance:
    a: str
    b: str
    forward: Direction
    backward: Direction
    timeline: list[Month]
    evidence: list[Evidence]
    undated: int = 0  # relations whose documents carry no date, or a year only (left out of the timeline)

    @property
    def net(self) -> float:
        return self.forward.score + self.backward.score

    @property
    def trend(self) -> str | None:
        """'worsening', 'improving' or 'steady': the last month against the mean of earlier months."""
        if len(self.timeline) < 2:
            return None
        earlier = sum(m.net for m in self.timeline[:-1]) / (len(self.timeline) - 1)
        last = self.timeline[-1].net
        if last < earlier - 1:
            return "worsening"
        if last > earlier + 1:
            return "improving"
        return "steady"


def _strongest_first(e: Evidence) -> tuple:
    """Evidence order: heaviest weight times confidence first, then by document and sentence (and by
    direction, for a sentence that tells both)."""
    r = e.relation
    return -abs(e.weight) * r.confidence, r.doc, r.start, r.source.id, r.target.id


def stance(relations: Iterable[Relation], a: str, b: str, dates: dict[str, str] | None = None,
           keep: Filter = Filter(), top: int = 5) -> Stance:
    """The dyad between actor ids ``a`` and ``b`` (persons rolled up unless ``keep`` says not): events
    only, the structural relations between them counted apart."""
    weights = load_weights()
    dates = dates or {}
    forward, backward = Direction(a, b), Direction(b, a)
    months: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0, 0])
    evidence: list[Evidence] = []
    undated = 0
    for r in relations:
        date = event_date(r, dates.get(r.doc))
        if not keep.keeps(r, dates.get(r.doc)):
            continue
        source, target = keep.ends(r)
        pair = (source.id, target.id)
        if pair == (a, b):
            side = forward
        elif pair == (b, a):
            side = backward
        else:
            continue
        if r.type in STRUCTURAL:
            side.structural[r.type] += 1
            continue
        w = weights[r.type]
        side.counts[r.type] += 1
        side.score += w
        side.cooperation += max(w, 0.0)
        side.conflict += max(-w, 0.0)
        evidence.append(Evidence(r, w, date))
        if date and len(date) >= 7:
            bucket = months[date[:7]]
            bucket[0 if w > 0 else 1] += abs(w)
            bucket[2] += 1
        else:
            undated += 1
    timeline = [Month(m, c, k, int(n)) for m, (c, k, n) in sorted(months.items())]
    evidence.sort(key=_strongest_first)
    return Stance(a, b, forward, backward, timeline, evidence[:top], undated)


def stance_of_rows(rows: Iterable, a: tuple[str, str], b: tuple[str, str], candidates: Iterable[Relation],
                   dates: dict[str, str] | None = None, top: int = 5) -> Stance:
    """``stance`` counted from the dyad table (kg.dyads): the total rows between the two actors (``a``
    and ``b`` are (IRI, id) pairs), already kept by the filter (select_rows), with their periods for
    the timeline, or the monthly rows of a date window (kg.dyads.period_rows); the evidence ranked among ``candidates``, the rows' strongest statements (one per
    event, kg.dyads.STRONGEST a row), which hold every statement ``stance`` could show up to that many."""
    weights = load_weights()
    dates = dates or {}
    forward, backward = Direction(a[1], b[1]), Direction(b[1], a[1])
    months: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0, 0])
    undated = 0
    for row in rows:
        if (row.source, row.target) == (a[0], b[0]):
            side = forward
        elif (row.source, row.target) == (b[0], a[0]):
            side = backward
        else:
            continue
        if row.type in STRUCTURAL:
            side.structural[row.type] += row.events
            continue
        w, n = weights[row.type], row.events
        side.counts[row.type] += n
        side.score += w * n
        side.cooperation += max(w, 0.0) * n
        side.conflict += max(-w, 0.0) * n
        for period, events, _ in (row.periods if row.period is None else ((row.period, row.events, row.mentions),)):
            if len(period) >= 7:
                bucket = months[period]
                bucket[0 if w > 0 else 1] += abs(w) * events
                bucket[2] += events
            else:
                undated += events
    evidence = [Evidence(r, weights[r.type], event_date(r, dates.get(r.doc))) for r in candidates
                if r.type not in STRUCTURAL and r.asserted]
    evidence.sort(key=_strongest_first)
    timeline = [Month(m, c, k, int(n)) for m, (c, k, n) in sorted(months.items())]
    return Stance(a[1], b[1], forward, backward, timeline, evidence[:top], undated)
