"""Centrality: which actors sit at the heart of the graph, and whether they cooperate or fight."""

from __future__ import annotations

from dataclasses import dataclass

import networkx as nx

MEASURES = ("weighted", "degree", "betweenness")


@dataclass(frozen=True)
class Centrality:
    actor: str
    label: str
    type: str
    degree: int  # distinct neighbours
    weighted_degree: float  # sum of |Goldstein weight| of its relations
    betweenness: float  # share of shortest paths between other actors through it (normalised)
    cooperation: float
    conflict: float

    @property
    def balance(self) -> float:
        """(cooperation - conflict) / (cooperation + conflict), from -1 (all conflict) to +1."""
        total = self.cooperation + self.conflict
        return (self.cooperation - self.conflict) / total if total else 0.0


def centrality(graph: nx.Graph, by: str = "weighted") -> list[Centrality]:
    """Actors of a signed graph (see kg.analysis.signed) ranked by ``by``: weighted, degree or betweenness."""
    if by not in MEASURES:
        raise ValueError(f"by must be one of {MEASURES}")
    betweenness = nx.betweenness_centrality(graph, normalized=True) if graph.number_of_nodes() > 2 else {}
    rows = []
    for node, data in graph.nodes(data=True):
        edges = graph.edges(node, data=True)
        rows.append(Centrality(
            actor=node, label=data.get("label", node), type=data.get("type", ""),
            degree=graph.degree(node),
            weighted_degree=sum(d["cooperation"] + d["conflict"] for _, _, d in edges),
            betweenness=betweenness.get(node, 0.0),
            cooperation=sum(d["cooperation"] for _, _, d in graph.edges(node, data=True)),
            conflict=sum(d["conflict"] for _, _, d in graph.edges(node, data=True)),
        ))
    key = {"weighted": lambda r: (-r.weighted_degree, r.label), "degree": lambda r: (-r.degree, r.label),
           "betweenness": lambda r: (-r.betweenness, -r.weighted_degree, r.label)}[by]
    return sorted(rows, key=key)
