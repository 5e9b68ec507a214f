"""networkx views of the graph: actors as nodes, one edge per relation with its evidence."""

from __future__ import annotations

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
