"""What the analyses read, counted as the user asked: every relation, the relations between two
actors, the signed graph (from the dyad table when it can answer, kg.dyads), the relations on the
shortest chains between two actors. Each returns, beside its data, what it counted: (events,
mentions), for the line a command prints under its answer."""

from __future__ import annotations

from ..events import event_links, one_per_event, require_events
from ..statements import persons_of, relations_of, statement_dates, store_actors, store_relations
from .signed import Filter, dyad_digraph, select_rows, signed_digraph, table_answers, thin_out

Counted = tuple[int, int]  # (events, mentions) an analysis counted


def all_relations(store, keep: Filter = Filter(), count: str = "events") -> tuple[list, dict[str, str], Counted]:
    """The store's relations and document dates: with ``count`` "events", one relation per event
    (kg.events.one_per_event), by mentions one per sentence and ends (a sentence naming a state and
    its minister, or telling an undirected act both ways, reports once), as the dyad table counts
    them; the actor filters, ``min_relations`` included, applied."""
    relations, dates = store_relations(store), statement_dates(store)
    by_event = count == "events"
    kept, mentions = one_per_event(relations, event_links(store) if by_event else {}, dates, keep)
    if keep.min_relations > 1:
        kept = keep.select(kept, dates)
    return kept, dates, (len(kept), mentions)


def relations_between(store, a, b, keep: Filter = Filter(), count: str = "events") -> tuple[list, dict[str, str], Counted]:
    """The relations between two actors (kg.lookup.ActorRef) and their documents' dates, counted as
    all_relations counts them, read through the index: the actors' own statements and, when persons
    are rolled up, their persons'. What it costs follows the dyad, not the store."""
    by_event = count == "events"
    if by_event:
        require_events(store)

    def ends(ref):
        rolled = keep.rollup and ref.type != "Person"
        return [ref.iri] + (persons_of(store, ref.iri) if rolled else [])

    selected = relations_of(store, ends(a), ends(b))
    kept, mentions = one_per_event(selected.relations, selected.events if by_event else {}, selected.dates, keep)
    return kept, selected.dates, (len(kept), mentions)


def table_rows(store, keep: Filter = Filter(), count: str = "events"):
    """The dyad table's rows (kg.dyads.DyadCount) that ``keep`` keeps, the actors (IRI -> Actor) and
    what they count, or None when the table is stale or cannot answer for the filter: then an
    analysis reads the statements. A date window reads the monthly rows out of the total rows'
    periods (kg.dyads.period_rows), which hold them whole in a tenth of the reads. The rows'
    documents' keys come packed (kg.dyads.pack_keys): every row's are held, millions of them at a
    million articles."""
    from ..dyads import dyad_rows

    actors = store_actors(store)
    if not table_answers(keep, {a.id for a in actors.values() if a.type == "Person"}):
        return None
    if count == "events":
        require_events(store)
    window = bool(keep.since or keep.until)
    rows = dyad_rows(store, periods=window, packed=True)
    if rows is None:
        return None
    if window:
        rows = window_rows(store, rows, keep, actors)
    kept = select_rows(rows, actors, keep)
    mentions = sum(row.mentions for row in kept)
    kept = thin_out(kept, keep.min_relations, count)
    return kept, actors, (sum(row.events for row in kept), mentions)


def window_rows(store, rows, keep: Filter, actors: dict | None = None, between=None) -> list:
    """The monthly rows of ``keep``'s date window, from the total rows (kg.dyads.DyadCount) with their
    periods: each month whole from the periods (kg.dyads.period_rows), an event in the month of its
    first report; a month that a bound given to the day cuts ("--since 2025-07-15") is counted again
    from the statements of its rows' documents, keeping the events first reported within the window
    (a day is finer than the table's months). ``actors``: every actor, IRI -> Actor, if already read
    (kg.statements.store_actors); ``between``: when ``rows`` are one pair's, its two ends as stated
    (kg.statements.document_relations), so that only their statements are read."""
    from ..dyads import period_rows

    cut = {bound[:7] for bound in (keep.since, keep.until) if bound and len(bound) > 7}
    monthly = list(period_rows(rows, keep.within))
    if not cut:
        return monthly
    return [row for row in monthly if row.period not in cut] + \
        _recounted(store, [row for row in monthly if row.period in cut], keep, actors, between)


def _recounted(store, rows, keep: Filter, actors: dict | None, between=None) -> list:
    """``rows`` (monthly, of months a window cuts) counted again from their documents' statements, as
    kg.dyads.count_dyads counts them, keeping only the events whose first report is in the window;
    their documents' keys packed as ``rows``' are (kg.dyads.pack_keys)."""
    import pyoxigraph as ox
    from collections import defaultdict

    from ..dyads import DyadCount, doc_key, documents_by_key, pack_keys, period_of
    from ..events import EVENTS
    from ..rdf import actor_iri, document_iri, statement_iri
    from ..statements import document_relations
    from ..vocab import DCTERMS, RELATION_TYPES
    from .signed import event_date

    if not rows:
        return []
    graphs = documents_by_key(store, {key for row in rows for key in row.docs})
    selected = document_relations(store, graphs.values(), actors, between)
    wanted = {(row.source, row.target, row.type, row.period) for row in rows}
    date_of = ox.NamedNode(DCTERMS + "date")
    anchors: dict[str, str | None] = {}  # event IRI -> its first report's date

    def anchor(event: str) -> str | None:
        if event not in anchors:
            quad = next(iter(store.quads_for_pattern(ox.NamedNode(event), date_of, None, EVENTS)), None)
            anchors[event] = quad.object.value if quad is not None else None
        return anchors[event]

    tallies: dict[tuple, tuple[set, set, set]] = defaultdict(lambda: (set(), set(), set()))
    for r in selected.relations:
        if not r.asserted or (r.background and not r.date):
            continue
        source, target = (actor_iri(end).value for end in (r.source.rolled_up(), r.target.rolled_up()))
        if source == target:
            continue
        statement = statement_iri(r).value
        event = selected.events.get(statement)
        if event is not None:
            date = anchor(event)
            if RELATION_TYPES[r.type].symmetric and selected.event_sources.get(statement) == target:
                source, target = target, source  # an undirected event counts in the direction it records
        else:
            event, date = f"{r.doc}\x1f{r.start}", event_date(r, selected.dates.get(r.doc))
        key = (source, target, r.type, period_of(date))
        if key not in wanted or not keep.within(date):
            continue
        events, sentences, documents = tallies[key]
        events.add(event)
        sentences.add((r.doc, r.start))
        documents.add(doc_key(document_iri(r.doc).value))
    packed = not isinstance(rows[0].docs, tuple)
    return [DyadCount(source, target, rtype, period, len(events), len(sentences),
                      pack_keys(sorted(documents)) if packed else tuple(sorted(documents)))
            for (source, target, rtype, period), (events, sentences, documents) in sorted(tallies.items())]


def signed_digraph_of(store, keep: Filter = Filter(), count: str = "events"):
    """The signed actor digraph (kg.analysis.signed) and what it counted: from the dyad table when it
    is current and can answer for the filter, so that the cost follows the actors and dyads; else
    from every statement."""
    table = table_rows(store, keep, count)
    if table is None:
        relations, dates, counted = all_relations(store, keep, count)
        return signed_digraph(relations, dates, keep), counted
    rows, actors, counted = table
    return dyad_digraph(rows, actors, count), counted


def path_graph(store, a, b, keep: Filter = Filter(), count: str = "events", limit: int = 3):
    """The relations on the shortest chains between two actors, as a MultiDiGraph (kg.graph), and what
    the signed graph counted: the chains are found on the signed graph (the dyad table's, when it
    answers), and only their hops' relations are read."""
    from ..graph import relations_graph
    from ..lookup import ActorRef
    from ..rdf import actor_iri
    from .paths import ranked_chains
    from .signed import undirected

    directed, counted = signed_digraph_of(store, keep, count)
    simple = undirected(directed)
    hops = set()
    if a.id in simple and b.id in simple and a.id != b.id:
        for chain in ranked_chains(simple, a.id, b.id, limit):
            hops.update(zip(chain, chain[1:]))
    refs = {actor.id: ActorRef(actor_iri(actor).value, actor.label, actor.type, actor.wikidata)
            for actor in store_actors(store).values()} | {a.id: a, b.id: b}
    relations, dates = [], {}
    for u, v in sorted(hops):
        between, when, _ = relations_between(store, refs[u], refs[v], keep, count)
        relations += between
        dates |= when
    graph = relations_graph([r for r in relations if keep.keeps(r, dates.get(r.doc))], rollup=keep.rollup,
                            dates=dates, keep_persons=keep.keep_persons)
    for node, data in simple.nodes(data=True):  # every actor, so a missing one is told apart from no path
        if node not in graph:
            graph.add_node(node, label=data.get("label", node), type=data.get("type", ""),
                           wikidata=data.get("wikidata") or "")
    return graph, counted


def stance_between(store, a, b, keep: Filter = Filter(), count: str = "events", top: int = 5):
    """The stance of two actors (kg.lookup.ActorRef; kg.analysis.stance) and what it counted: from the
    dyad table's rows between them when the table is current and can answer (events counted, persons
    rolled up, at most kg.dyads.STRONGEST evidence sentences), reading only their strongest statements
    (and, in a date window, the documents that could hold stronger evidence, and those of a month a
    bound given to the day cuts); else from the statements between them."""
    from ..dyads import STRONGEST, pair_rows
    from ..statements import actors_of, relations_by_iri
    from .stance import stance, stance_of_rows

    answers = (count == "events" and keep.min_relations <= 1 and top <= STRONGEST
               and "Person" not in (a.type, b.type) and table_answers(keep))
    rows = pair_rows(store, a.iri, b.iri) if answers else None
    if rows is not None:
        require_events(store)
        if keep.since or keep.until:
            return _stance_in_window(store, a, b, rows, keep, top)
        kept = select_rows(rows, actors_of(store, [a.iri, b.iri]), keep)
        candidates, dates = relations_by_iri(store, strongest_statements(store, kept, top))
        result = stance_of_rows(kept, (a.iri, a.id), (b.iri, b.id), candidates, dates, top)
        return result, (sum(row.events for row in kept), sum(row.mentions for row in kept))
    if keep.min_relations > 1:
        relations, dates, counted = all_relations(store, keep, count)
    else:
        relations, dates, counted = relations_between(store, a, b, keep, count)
    return stance(relations, a.id, b.id, dates, keep, top=top), counted


def _stance_in_window(store, a, b, rows, keep: Filter, top: int):
    """stance_between in a date window, from the pair's total rows (``rows``): counts and timeline from
    the monthly rows their periods hold (each event in the month of its first report, as `kg central
    --since` counts), evidence from the rows' strongest statements that fall in the window. A row's
    list holds its strongest events over all months; those of the window beyond it rank below its
    last, so the window's documents of that row are read only when its list holds fewer than ``top``
    of the window and its last statement could still be among the ``top`` shown."""
    from dataclasses import replace

    from ..dyads import documents_by_key
    from ..rdf import statement_iri
    from ..statements import actors_of, document_relations, relations_by_iri
    from .signed import load_weights
    from .stance import STRUCTURAL, _strongest_first, stance, stance_of_rows

    actors = actors_of(store, [a.iri, b.iri])
    totals = select_rows(rows, actors, replace(keep, since=None, until=None))
    ends = tuple([ref.iri] + persons_of(store, ref.iri) for ref in (a, b))  # the two actors as stated
    monthly = select_rows(window_rows(store, totals, keep, between=ends), actors, keep)
    key = lambda row: (row.source, row.target, row.type)  # noqa: E731
    windowed = {key(row) for row in monthly}
    totals = [row for row in totals if key(row) in windowed and row.type not in STRUCTURAL]
    listed, dates = relations_by_iri(store, [iri for row in totals for iri in row.strongest])
    by_iri = {statement_iri(r).value: r for r in listed}
    shown = [r for r in listed if keep.keeps(r, dates.get(r.doc))]
    result = stance_of_rows(monthly, (a.iri, a.id), (b.iri, b.id), shown, dates, top)
    counted = (sum(row.events for row in monthly), sum(row.mentions for row in monthly))
    weights = load_weights()

    def score(e) -> float:
        return abs(e.weight) * e.relation.confidence

    bar = score(result.evidence[-1]) if top and len(result.evidence) >= top else -1.0
    kept_iris = {statement_iri(r).value for r in shown}
    unread = set()
    for row in totals:
        if len(row.strongest) >= row.events or top == 0:
            continue  # the list holds every event of the row
        if sum(iri in kept_iris for iri in row.strongest) >= top:
            continue  # the window's strongest of this row are listed
        last = by_iri.get(row.strongest[-1]) if row.strongest else None
        if last is not None and abs(weights[row.type]) * last.confidence < bar:
            continue  # nothing this row does not list can reach the top
        unread.add(key(row))
    if not unread:
        return result, counted
    keys = {doc for row in monthly if key(row) in unread for doc in row.docs}
    selected = document_relations(store, documents_by_key(store, keys).values(), between=ends)
    relations, _ = one_per_event(selected.relations, selected.events, selected.dates, keep)
    read = stance(relations, a.id, b.id, selected.dates, keep, top=len(relations)).evidence
    evidence = {statement_iri(e.relation).value: e for e in read + result.evidence}
    return replace(result, evidence=sorted(evidence.values(), key=_strongest_first)[:top]), counted


def strongest_statements(store, rows, top: int) -> list[str]:
    """The statements among ``rows``' strongest (kg.dyads) that can be among the ``top`` evidence
    kg.analysis.stance shows: rows are taken heaviest type first and each row's list strongest first,
    reading only confidences, until what is left cannot reach the top (ties kept, for stance's own order)."""
    from ..statements import statement_confidence
    from .signed import load_weights
    from .stance import STRUCTURAL

    weights = load_weights()
    scored: list[tuple[float, str]] = []

    def bar() -> float:  # the score a statement must reach to be in the top
        return sorted((score for score, _ in scored), reverse=True)[top - 1] if len(scored) >= top else -1.0

    for row in sorted((r for r in rows if r.type not in STRUCTURAL), key=lambda r: -abs(weights[r.type])):
        weight = abs(weights[row.type])
        if top == 0 or weight < bar():
            continue  # no confidence above one lifts this type into the top
        for iri in row.strongest:
            confidence = statement_confidence(store, iri)
            if confidence is None:
                continue
            if weight * confidence < bar():
                break  # the row's next statements are no stronger
            scored.append((weight * confidence, iri))
    return [iri for _, iri in scored]
