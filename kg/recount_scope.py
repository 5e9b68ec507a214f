"""Which months of a grouping key an incremental end step counts again, and how what it counts there
merges into the key's stored total rows (kg.recount).

Adding a day's news to a store that holds years of it touches the busiest dyads, and counting such
a key again whole reads every document it was ever reported in. It need not: events are a chain in
day order per key (kg.events.group_events: a statement more than the window after its event's first
day starts the next event), so statements added or removed on days d0..d1 can only change the
events anchored from d0 - window on, and only until the regrouped chain meets an anchor the stored
one has. A key is counted again over whole months, from the month of d0 - window to the month of
d1, taken further one month at a time while a regrouped event would be anchored past them or would
reach the next month that holds events. The documents read are those the months' rows count (a
statement is counted in the month its event is anchored in, never later than its own day); the
statements read there whose stored event lies outside the months are left as they are.

The total rows are the stored ones with those months' part replaced: counts by period, documents
and each period's documents from the rows' kg:periodCounts, and the strongest statements merged
from the stored list and the months' own. A key is counted whole instead, as before, whenever that
could give another result: a changed statement that is background or of a document not dated to
the day, stored totals that are not the sum of their periods, a sentence counted both inside and
outside the months, a strongest list the merge cannot prove complete, or months that would cover
half the key's documents.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

import pyoxigraph as ox

from . import dyads, events
from .vocab import DCTERMS, KG, PROV

ROUNDS = 6  # times a key's months may be taken further before it is counted whole
SHARE = 0.5  # months whose documents are this share of the key's, or more, are counted whole


@dataclass
class Scope:
    """The months (contiguous, "YYYY-MM", in order) of one grouping key counted again, and the key's
    stored total rows by (source, target): one, or both ways for an undirected type, their documents'
    keys packed (kg.dyads.pack_keys)."""

    months: list[str]
    totals: dict[tuple[str, str], dyads.DyadCount]

    def documents(self) -> set[str]:
        """The keys (kg.rdf.doc_key) of the documents the stored rows of these months count."""
        return {dyads.key_text(key) for key in self._documents()}

    def _documents(self) -> set[int]:
        wanted = set(self.months)
        return {row.docs[i] for row in self.totals.values()
                for (period, _, _), where in zip(row.periods, row.period_docs) if period in wanted for i in where}

    def worth_it(self) -> bool:
        return len(self._documents()) < SHARE * len(set().union(*(row.docs for row in self.totals.values())))


def plan(totals: dict[tuple[str, str], dyads.DyadCount], changed: Iterable[tuple[bool, str | None]],
         window: int) -> Scope | None:
    """The first months to count again of a key whose stored total rows are ``totals``, for its changed
    statements (as written and as replaced: whether each is background, and its document's date);
    None when the key is to be counted whole."""
    days = []
    for background, date in changed:
        day = events.day_of(date)
        if background or day is None:
            return None
        days.append(day)
    if not totals or not days:
        return None
    for row in totals.values():
        if (len(row.period_docs) != len(row.periods) or row.events != sum(e for _, e, _ in row.periods)
                or row.mentions != sum(m for _, _, m in row.periods)
                or len(row.strongest) != min(row.events, dyads.STRONGEST)):
            return None
    first = _month(max(1, min(days) - window))  # a feed's zero date (0001-01-01) has no day before it
    return Scope(_month_range(first, _month(max(days))), totals)


@dataclass(frozen=True)
class Settled:
    """A key counted again over its months: the events made there, the months' rows, and for each
    direction its stored total row, the total of the months counted again and the strongest
    statements of the two; the total rows are merged when asked (rows), one key at a time."""

    made: list[events.Event]
    monthly: list[dyads.DyadCount]
    totals: list[tuple[dyads.DyadCount | None, dyads.DyadCount | None, tuple[str, ...]]]
    months: frozenset[str]

    def rows(self) -> list[dyads.DyadCount]:
        merged = (_merge(stored, fresh, self.months, strongest) for stored, fresh, strongest in self.totals)
        return self.monthly + [row for row in merged if row is not None]


WHOLE = "whole"


def settle(scope: Scope, statements: list[dyads.CountedStatement], stored_event: dict[str, str],
           event_period: dict[str, str], written: set[str], replaced: Iterable[str], window: int,
           weights: dict[str, float], writer) -> Settled | list[str] | str:
    """Counts one key again over ``scope``'s months from ``statements`` (every statement of the key in
    the documents read: those of the months' rows and those the build wrote, ``written``), given each
    stored statement's event and each event's period, and the statements as stored of the documents
    the build replaced or dropped (``replaced``). Returns what it made (Settled), or the months to
    count instead (a list), or WHOLE."""
    months = set(scope.months)
    inside, outside = [], []
    for s in statements:
        if s.background:
            stated = s.stated or ""
            period = dyads.period_of(stated[:4] if stated.endswith("s") else stated)
            counted = period in months
        elif (event := stored_event.get(s.statement)) is not None:
            counted = event_period.get(event) in months
        elif s.doc in written and events.day_of(s.doc_date) is not None:
            counted = True  # new: its day is among the changed ones
        else:
            return WHOLE  # a counted statement that no stored event holds: not as a current table has it
        (inside if counted else outside).append(s)
    sentences = {(s.doc, s.start) for s in inside}
    if any((s.doc, s.start) in sentences for s in outside):
        return WHOLE  # a sentence counted in two periods: the totals are no sum of the periods
    made = events.group_events([events.StatementRow(s.statement, s.doc, s.source, s.target, s.type, s.doc_date)
                                for s in inside if not s.background], window)
    anchored = sorted(day for event in made if (day := events.day_of(event.date)) is not None)
    past = max(((event.date or "")[:7] for event in made), default="")
    if past > scope.months[-1]:
        return _month_range(scope.months[0], past)
    later = sorted({period for row in scope.totals.values() for period, _, _ in row.periods
                    if len(period) == 7 and period > scope.months[-1]})
    if anchored and later and anchored[-1] + window >= _first_day(later[0]):
        return _month_range(scope.months[0], later[0])  # the last event would take in the next month's first
    rows = dyads.count_dyads(inside, made, weights)
    ranks: dict[str, tuple] = {}
    for s in statements:
        rank = _rank(weights[s.type], s.confidence, s.doc_id or s.doc, s.start, s.statement)
        ranks[s.statement] = min(rank, ranks.get(s.statement, rank))
    inside_now = {s.statement for s in inside}

    def counted_again(statement: str) -> bool:
        """Whether a stored statement is of the months: counted there now, or of an event stored there
        (so also one of a document since dropped or replaced)."""
        return statement in inside_now or event_period.get(stored_event.get(statement)) in months

    fresh = {(row.source, row.target): row for row in rows if row.period is None}
    # statements whose stored rank may not be their rank now: those of documents written again
    rewritten = set(replaced) | {s.statement for s in statements if s.doc in written}
    totals = []
    for ends in sorted(scope.totals.keys() | fresh.keys()):
        stored = scope.totals.get(ends)
        strongest = _strongest(stored, fresh.get(ends), ranks, counted_again, rewritten, weights, writer)
        if strongest is None:
            return WHOLE
        totals.append((stored, fresh.get(ends), strongest))
    return Settled(made, [row for row in rows if row.period is not None], totals, frozenset(months))


def _strongest(stored: dyads.DyadCount | None, fresh: dyads.DyadCount | None, ranks: dict[str, tuple],
               counted_again, rewritten: set[str], weights: dict[str, float], writer) -> tuple[str, ...] | None:
    """The strongest statements of one direction's total row: the stored list without those counted
    again (``counted_again``, a test), merged with the months' own (``fresh``'s, ranked in ``ranks``); None when that cannot be
    told to be the true list. The stored list is in rank order, and every event it leaves out ranks
    below its last, so a stored statement's rank (read by IRI when it was not read with the
    documents) is read only where a statement of the months could come before it."""
    new = [(ranks[statement], statement) for statement in fresh.strongest] if fresh else []
    if stored is None:
        return tuple(statement for _, statement in new)
    held = list(stored.strongest)
    kept = [statement for statement in held if not counted_again(statement)]
    weight = weights[stored.type]

    def rank(statement: str) -> tuple | None:
        if statement not in ranks:
            ranks[statement] = _read_rank(writer, statement, weight)
        return ranks[statement]

    full = len(held) == dyads.STRONGEST
    if not held:
        return tuple(statement for _, statement in new[:dyads.STRONGEST])
    if full and held[-1] in rewritten:
        return None  # the bound on what the stored list left out is its last's rank as it was stored
    last = rank(held[-1])
    if last is None:
        return None
    chosen: list[str] = []
    i = j = 0
    while len(chosen) < dyads.STRONGEST and (i < len(kept) or j < len(new)):
        if j == len(new) or (i < len(kept) and new[j][0] > last):  # the months' statement ranks below every kept one
            chosen.append(kept[i])
            i += 1
        elif i == len(kept):
            chosen.append(new[j][1])
            j += 1
        else:
            own = rank(kept[i])
            if own is None:
                return None
            if own < new[j][0]:
                chosen.append(kept[i])
                i += 1
            else:
                chosen.append(new[j][1])
                j += 1
    if full:  # events the stored list left out rank below its last: the merged list must end no lower
        if len(chosen) < dyads.STRONGEST:
            return None
        if chosen[-1] not in kept and ranks[chosen[-1]] > last:  # a kept statement ranks no lower than it
            return None
    return tuple(chosen)


def _merge(stored: dyads.DyadCount | None, fresh: dyads.DyadCount | None, months: frozenset[str],
           strongest: tuple[str, ...]) -> dyads.DyadCount | None:
    """The total row of one direction: ``stored`` with the months' periods replaced by ``fresh``'s (the
    total of what was counted again), and ``strongest``; None when no period is left."""
    base = stored or fresh
    kept = [(period, e, m, [dyads.key_text(stored.docs[i]) for i in where])
            for (period, e, m), where in zip(stored.periods, stored.period_docs) if period not in months] if stored else []
    new = [(period, e, m, [fresh.docs[i] for i in where])
           for (period, e, m), where in zip(fresh.periods, fresh.period_docs)] if fresh else []
    periods = sorted(kept + new, key=lambda item: item[0])
    if not periods:
        return None
    docs = tuple(sorted({key for *_, keys in periods for key in keys}))
    position = {key: i for i, key in enumerate(docs)}
    return dyads.DyadCount(base.source, base.target, base.type, None,
                           sum(e for _, e, _, _ in kept) + (fresh.events if fresh else 0),
                           sum(m for _, _, m, _ in kept) + (fresh.mentions if fresh else 0),
                           docs, tuple((period, e, m) for period, e, m, _ in periods), strongest,
                           tuple(tuple(sorted(position[key] for key in keys)) for *_, keys in periods))


def _rank(weight: float, confidence: str, doc: str, start: int, statement: str) -> tuple:
    """A statement's place among a row's strongest, as kg.dyads.count_dyads ranks them."""
    return (-abs(weight) * float(confidence), doc, start, statement)


_DERIVED = ox.NamedNode(PROV + "wasDerivedFrom")
_CONFIDENCE = ox.NamedNode(KG + "confidence")
_START = ox.NamedNode(KG + "start")
_IDENTIFIER = ox.NamedNode(DCTERMS + "identifier")


def _read_rank(writer, statement: str, weight: float) -> tuple | None:
    """The rank of a stored statement the end step did not read, read by its IRI; None when it is not
    one value of each (a store edited by hand)."""
    node = ox.NamedNode(statement)
    derived = list(writer.quads_for_pattern(node, _DERIVED, None, None))
    if len(derived) != 1 or not isinstance(derived[0].graph_name, ox.NamedNode):
        return None
    graph = derived[0].graph_name
    confidence = [q.object.value for q in writer.quads_for_pattern(node, _CONFIDENCE, None, graph)]
    start = [q.object.value for q in writer.quads_for_pattern(node, _START, None, graph)]
    identifier = [q.object.value for q in writer.quads_for_pattern(graph, _IDENTIFIER, None, graph)]
    if len(confidence) != 1 or len(start) != 1 or len(identifier) > 1:
        return None
    try:
        return _rank(weight, confidence[0], identifier[0] if identifier else derived[0].object.value, int(start[0]),
                     statement)
    except ValueError:
        return None


def _month(day: int) -> str:
    return datetime.date.fromordinal(day).isoformat()[:7]


def _first_day(month: str) -> int:
    return datetime.date(int(month[:4]), int(month[5:7]), 1).toordinal()


def _month_range(first: str, last: str) -> list[str]:
    months = []
    year, month = int(first[:4]), int(first[5:7])
    while f"{year:04d}-{month:02d}" <= last:
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months
