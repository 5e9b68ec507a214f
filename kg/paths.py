"""Paths: the shortest chains of relations linking two actors, with the relations on each hop."""

from __future__ import annotations

import itertools

import networkx as nx

from .errors import KgError


def shortest_paths(graph: nx.MultiDiGraph, a: str, b: str, limit: int = 5) -> list[list[tuple[str, str, list[dict]]]]:
    """Up to ``limit`` shortest actor chains from ``a`` to ``b`` (relations in either direction);
    each hop is (from, to, [edge data of every relation between them])."""
    if a == b:
        name = graph.nodes[a].get("label", a) if a in graph else a
        raise KgError(f"both ends of the path are {name}: give two different actors")
    if a not in graph or b not in graph:
        missing = a if a not in graph else b
        raise KgError(f"{missing} has no relations in the graph (with these filters)")
    undirected = nx.Graph(graph.to_undirected(as_view=True))
    try:
        chains = list(itertools.islice(nx.all_shortest_paths(undirected, a, b), limit))
    except nx.NetworkXNoPath:
        return []
    result = []
    for chain in chains:
        hops = []
        for u, v in zip(chain, chain[1:]):
            data = [dict(d, source=u, target=v) for d in graph.get_edge_data(u, v, default={}).values()]
            data += [dict(d, source=v, target=u) for d in graph.get_edge_data(v, u, default={}).values()]
            hops.append((u, v, sorted(data, key=lambda d: -d["confidence"])))
        result.append(hops)
    return result
