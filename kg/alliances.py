"""Blocs: a partition of the signed actor graph that best fits structural balance.

The method is Doreian and Mrvar's relocation algorithm for signed networks ("A partitioning
approach to structural balance", Social Networks 18, 1996): choose the partition into k blocs that
minimises the weighted error P = alpha * (negative weight inside blocs) + (1 - alpha) *
(positive weight between blocs), by moving one actor at a time to the bloc that lowers P most,
from many seeded random starts, for k = 1 .. k_max; the k with the lowest error wins (ties go to
fewer blocs). Frustration is the share of the graph's absolute weight that contradicts the
partition.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

import networkx as nx

# An actor touched by fewer relations than this is placed on thin evidence.
MIN_SUPPORT = 3
# Below this many relations, or relations from this many documents, the partition is tentative.
MIN_RELATIONS = 50
MIN_DOCUMENTS = 20


@dataclass
class Partition:
    blocs: list[list[str]]  # actor ids, each bloc sorted by weighted degree
    membership: dict[str, int]
    error: float
    frustration: float
    contradictions: list[tuple[str, str, float]] = field(default_factory=list)
    support: dict[str, int] = field(default_factory=dict)  # relations touching each actor
    relations: int = 0
    documents: int = 0

    @property
    def tentative(self) -> bool:
        return self.relations < MIN_RELATIONS or self.documents < MIN_DOCUMENTS

    def thin(self) -> list[str]:
        return sorted(a for a, n in self.support.items() if n < MIN_SUPPORT)


def _error(graph: nx.Graph, membership: dict[str, int], alpha: float) -> float:
    error = 0.0
    for u, v, w in graph.edges(data="weight"):
        same = membership[u] == membership[v]
        if same and w < 0:
            error += alpha * -w
        elif not same and w > 0:
            error += (1 - alpha) * w
    return error


def _relocate(graph: nx.Graph, membership: dict[str, int], k: int, alpha: float) -> dict[str, int]:
    improved = True
    while improved:
        improved = False
        for node in graph.nodes:
            costs = []
            for bloc in range(k):
                cost = 0.0
                for other, data in graph[node].items():
                    w = data["weight"]
                    same = membership[other] == bloc
                    if same and w < 0:
                        cost += alpha * -w
                    elif not same and w > 0:
                        cost += (1 - alpha) * w
                costs.append(cost)
            best = min(range(k), key=lambda b: (costs[b], b != membership[node]))
            if costs[best] < costs[membership[node]] - 1e-12:
                membership[node] = best
                improved = True
    return membership


def blocs(graph: nx.Graph, k_max: int = 4, alpha: float = 0.5, restarts: int = 30, seed: int = 0) -> Partition:
    """The balance partition of a signed graph (edge attribute ``weight``), deterministic for a seed."""
    rng = random.Random(seed)
    nodes = sorted(graph.nodes)
    best: tuple[float, int, dict[str, int]] | None = None
    for k in range(1, max(1, min(k_max, len(nodes))) + 1):
        for _ in range(restarts if k > 1 else 1):
            membership = {n: rng.randrange(k) for n in nodes}
            membership = _relocate(graph, membership, k, alpha)
            error = _error(graph, membership, alpha)
            used = len(set(membership.values()))
            if best is None or error < best[0] - 1e-9 or (abs(error - best[0]) <= 1e-9 and used < best[1]):
                best = (error, used, dict(membership))
    error, _, membership = best if best else (0.0, 0, {})
    strength = {n: sum(abs(w) for _, _, w in graph.edges(n, data="weight")) for n in nodes}
    groups: dict[int, list[str]] = {}
    for node, bloc in membership.items():
        groups.setdefault(bloc, []).append(node)
    ordered = sorted((sorted(g, key=lambda n: (-strength[n], n)) for g in groups.values()),
                     key=lambda g: (-sum(strength[n] for n in g), g[0]))
    membership = {n: i for i, g in enumerate(ordered) for n in g}
    total = sum(abs(w) for _, _, w in graph.edges(data="weight")) or 1.0
    contradictions = sorted(
        ((u, v, w) for u, v, w in graph.edges(data="weight")
         if (membership[u] == membership[v]) == (w < 0) and w != 0),
        key=lambda e: -abs(e[2]))
    frustration = sum(abs(w) for _, _, w in contradictions) / total
    support = {n: sum(d.get("count", 1) for _, _, d in graph.edges(n, data=True)) for n in nodes}
    relations = sum(d.get("count", 1) for _, _, d in graph.edges(data=True))
    documents = len(set().union(*(d.get("docs", set()) for _, _, d in graph.edges(data=True))))
    return Partition(ordered, membership, error, frustration, contradictions, support, relations, documents)
