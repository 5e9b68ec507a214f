"""Paths: the shortest chains of relations linking two actors, with the relations on each hop."""

from __future__ import annotations

import itertools

import networkx as nx

from ..errors import KgError


def shortest_paths(graph: nx.MultiDiGraph, a: str, b: str, limit: int = 5) -> list[list[tuple[str, str, list[dict]]]]:
    """Up to ``limit`` shortest actor chains from ``a`` to ``b`` (relations in either direction);
    each hop is (from, to, [edge data of every relation between them])."""
    if a == b:
        name = graph.nodes[a].get("label", a) if a in graph else a
        raise KgError(f"both ends of the path are {name}: give two different actors")
    if a not in graph or b not in graph:
        missing = a if a not in graph else b
        raise KgError(f"{missing} has no relations in the graph (with these filters)")
    undirected = nx.Graph()
    undirected.add_nodes_from(graph)
    for u, v in graph.edges():
        if undirected.has_edge(u, v):
            undirected.edges[u, v]["count"] += 1
        else:
            undirected.add_edge(u, v, count=1)
    chains = ranked_chains(undirected, a, b, limit)
    result = []
    for chain in chains:
        hops = []
        for u, v in zip(chain, chain[1:]):
            data = [dict(d, source=u, target=v) for d in graph.get_edge_data(u, v, default={}).values()]
            data += [dict(d, source=v, target=u) for d in graph.get_edge_data(v, u, default={}).values()]
            hops.append((u, v, sorted(data, key=lambda d: -d["confidence"])))
        result.append(hops)
    return result


# Hubs can be joined by thousands of shortest chains; this many are read before ranking them.
CHAINS_READ = 1000


def ranked_chains(graph: nx.Graph, a: str, b: str, limit: int) -> list[list[str]]:
    """Up to ``limit`` shortest chains from ``a`` to ``b`` in an undirected graph whose edges carry a
    ``count`` of relations, the best attested first: by their thinnest hop, then by all their
    relations, then by actor ids (of the first CHAINS_READ the graph gives)."""
    try:
        chains = list(itertools.islice(nx.all_shortest_paths(graph, a, b), CHAINS_READ))
    except nx.NetworkXNoPath:
        return []

    def strength(chain):
        counts = [graph.edges[u, v].get("count", 1) for u, v in zip(chain, chain[1:])]
        return (-min(counts), -sum(counts), chain)

    return sorted(chains, key=strength)[:limit]
