"""networkx views of the graph: actors as nodes, one edge per relation with its evidence, or one per
actor pair and direction with its counts by relation type and the evidence read for it."""

from __future__ import annotations

import heapq
from collections import Counter, defaultdict
from collections.abc import Iterable

import networkx as nx

from .records import Actor, Relation
from .store import Store


def relations_graph(relations: Iterable[Relation], *, rollup: bool = True, asserted_only: bool = True,
                    dates: dict[str, str] | None = None, keep_persons: frozenset[str] = frozenset()) -> nx.MultiDiGraph:
    """A MultiDiGraph of actors; each edge is one relation (keyed by position) with its attributes.

    ``rollup`` credits a person's relations to the state or organisation it acts for;
    ``asserted_only`` leaves out negated and hypothetical relations.
    """
    graph = nx.MultiDiGraph()
    dates = dates or {}
    for r in relations:
        if asserted_only and not r.asserted:
            continue
        source = r.source.rolled_up() if rollup and r.source.id not in keep_persons else r.source
        target = r.target.rolled_up() if rollup and r.target.id not in keep_persons else r.target
        if source.id == target.id:
            continue
        for actor in (source, target):
            _add_actor(graph, actor)
        graph.add_edge(
            source.id,
            target.id,
            key=f"{r.doc}:{r.start}:{r.type}:{r.source.id}:{r.target.id}",
            relation=r.type,
            quad=r.quad,
            polarity=r.polarity,
            confidence=r.confidence,
            negated=r.negated,
            hypothetical=r.hypothetical,
            doc=r.doc,
            date=dates.get(r.doc, ""),
            sentence=r.sentence,
            start=r.start,
            end=r.end,
            trigger=r.trigger,
        )
    return graph


def _add_actor(graph: nx.MultiDiGraph, actor: Actor) -> None:
    if actor.id not in graph:
        graph.add_node(actor.id, label=actor.label, type=actor.type, wikidata=actor.wikidata or "")


def store_graph(store: Store, *, rollup: bool = True, asserted_only: bool = True) -> nx.MultiDiGraph:
    """The store's relations as a MultiDiGraph (see relations_graph)."""
    from .statements import statement_dates, store_relations

    return relations_graph(store_relations(store), rollup=rollup, asserted_only=asserted_only,
                           dates=statement_dates(store))


def pair_graph(graph: nx.MultiDiGraph) -> nx.DiGraph:
    """relations_graph's edges summed per source and target: ``types`` (a Counter of relation types)
    and ``evidence`` (each relation's attributes), the shape the HTML graph draws (kg.export)."""
    pairs = nx.DiGraph()
    pairs.add_nodes_from(graph.nodes(data=True))
    for u, v, data in graph.edges(data=True):
        if not pairs.has_edge(u, v):
            pairs.add_edge(u, v, types=Counter(), evidence=[])
        edge = pairs.edges[u, v]
        edge["types"][data["relation"]] += 1
        edge["evidence"].append(data)
    return pairs


EVIDENCE_DOCUMENTS = 1000  # documents a page reads its evidence from, at most: about 2 s at 100,000 articles
# When an edge's documents are more than a page reads, the cover chooses among its first (by key, a
# hash's order) this many, or as many as its evidence if more: what it holds follows the edges drawn,
# not the documents behind them (millions for the hubs' edges at a million articles).
CANDIDATES = 64


def read_evidence(store, graph: nx.DiGraph, edges: Iterable[tuple[str, str]], rows, actors: dict, keep=None,
                  count: str = "events", max_evidence: int = 5, documents: int = EVIDENCE_DOCUMENTS) -> int:
    """Puts on each of ``edges`` (of a DiGraph of actor ids with ``types``, as kg.analysis.signed.dyad_digraph
    makes from dyad table ``rows``) the ``evidence`` its rows' documents hold, reading at most
    ``documents`` of them, through the index: the cost follows the edges drawn, not the store.

    When the edges' documents are more than that, those read are chosen so that as many edges and
    quad classes as can have one have one, then up to ``max_evidence``: each time, the document
    that serves the most of those still short (then the smallest key). An edge's evidence is the
    most confident of what was read for it, counted as ``count`` says: one relation per event
    (the most confident of those read), or per mention. Returns how many documents were read."""
    from .analysis.signed import Filter
    from .dyads import documents_by_key
    from .events import one_per_event
    from .rdf import statement_iri
    from .statements import document_relations
    from .vocab import RELATION_TYPES

    keep = keep or Filter()
    wanted = set(edges)
    for u, v in wanted:
        graph.edges[u, v]["evidence"] = []
    by_edge: dict[tuple[str, str, str], list] = defaultdict(list)  # (source, target, quad class) -> its rows' documents
    for row in rows:
        source, target = actors[row.source].id, actors[row.target].id
        if (source, target) in wanted and len(row.docs):
            by_edge[(source, target, RELATION_TYPES[row.type].quad)].append(row.docs)
    taken = set(_first_keys([part for parts in by_edge.values() for part in parts], documents + 1))
    if len(taken) > documents:  # more than can be read: chosen among each edge's first documents
        most = max(CANDIDATES, max_evidence)
        taken = _cover({key: set(_first_keys(parts, most)) for key, parts in by_edge.items()}, documents, max_evidence)
    if not taken:
        return 0
    selected = document_relations(store, documents_by_key(store, taken).values(), actors)
    links = selected.events if count == "events" else {}
    kept, _ = one_per_event(selected.relations, links, selected.dates, keep)
    rolled = {iri: actor.rolled_up().id for iri, actor in actors.items()}
    for relation in kept:
        source, target = (actor.id for actor in keep.ends(relation))
        if RELATION_TYPES[relation.type].symmetric:
            told = selected.event_sources.get(statement_iri(relation).value)
            if told is not None and rolled.get(told) == target:  # counted in the direction its event records
                source, target = target, source
        if (source, target) in wanted and graph.edges[source, target]["types"].get(relation.type):
            graph.edges[source, target]["evidence"].append(_evidence(relation, selected.dates.get(relation.doc, "")))
    _strongest_evidence(store, graph, by_edge, rows, actors, keep)
    return len(taken)


def _strongest_evidence(store, graph: nx.DiGraph, by_edge: dict, rows, actors: dict, keep) -> None:
    """Gives each edge that the documents read left without evidence the strongest statement of its
    heaviest row (a total row's kg:strongestStatements, kg.dyads), read by IRI: so that every edge
    drawn has a sentence, however many documents its edges come from. (The monthly rows of a date
    window list none.)"""
    from .analysis.signed import load_weights
    from .rdf import statement_iri
    from .statements import relations_by_iri

    weights = load_weights()
    short = {(u, v) for u, v, _ in by_edge if not graph.edges[u, v]["evidence"]}
    chosen: dict[tuple, tuple[float, str]] = {}
    for row in rows:
        key = (actors[row.source].id, actors[row.target].id)
        if key in short and row.strongest and (key not in chosen or abs(weights[row.type]) > chosen[key][0]):
            chosen[key] = (abs(weights[row.type]), row.strongest[0])
    if not chosen:
        return
    relations, dates = relations_by_iri(store, [iri for _, iri in chosen.values()], actors)
    edge_of = {iri: key for key, (_, iri) in chosen.items()}
    for relation in relations:
        if keep.keeps(relation, dates.get(relation.doc)):
            u, v = edge_of[statement_iri(relation).value]
            graph.edges[u, v]["evidence"].append(_evidence(relation, dates.get(relation.doc, "")))


def _first_keys(parts, limit: int) -> list:
    """The first ``limit`` distinct keys of ``parts`` (rows' documents' keys, each sorted as kg writes
    them), in order: merged as they are read, never gathered whole."""
    first: dict = {}
    for key in heapq.merge(*parts):
        first.setdefault(key, None)  # a row edited by hand may hold its keys out of order
        if len(first) >= limit:
            break
    return list(first)


def _cover(by_edge: dict[tuple, set[str]], budget: int, most: int) -> set[str]:
    """At most ``budget`` documents: first one for as many of ``by_edge``'s keys as can have one, then
    up to ``most`` each; greedily, the document that serves the most keys still short first."""
    holders: dict[str, list[tuple]] = defaultdict(list)
    for key, docs in by_edge.items():
        for doc in docs:
            holders[doc].append(key)
    taken: set[str] = set()
    for want in (1, most):
        if len(taken) >= budget:
            break
        need = {key: min(want, len(docs)) - len(docs & taken) for key, docs in by_edge.items()}

        def gain(doc: str) -> int:
            return sum(1 for key in holders[doc] if need[key] > 0)

        # at first every key is short of documents: what a document serves is what it holds
        heap = [(-(len(keys) if not taken else gain(doc)), doc) for doc, keys in holders.items() if doc not in taken]
        heapq.heapify(heap)
        while heap and len(taken) < budget:
            stale, doc = heapq.heappop(heap)
            now = gain(doc)
            if now == 0:
                continue
            if now < -stale:  # served others since: back in line with what it serves now
                heapq.heappush(heap, (-now, doc))
                continue
            taken.add(doc)
            for key in holders[doc]:
                need[key] -= 1
    return taken


def _evidence(r: Relation, date: str) -> dict:
    return {"relation": r.type, "quad": r.quad, "confidence": r.confidence, "doc": r.doc, "date": date,
            "sentence": r.sentence, "start": r.start}
