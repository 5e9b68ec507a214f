"""Blocs: a partition of the signed actor graph that best fits structural balance, and what it cannot place.

The method is Doreian and Mrvar's relocation algorithm for signed networks ("A partitioning
approach to structural balance", Social Networks 18, 1996): choose the partition into k blocs that
minimises the weighted error P = alpha * (negative weight inside blocs) + (1 - alpha) *
(positive weight between blocs), by moving one actor at a time to the bloc that lowers P most,
from many seeded random starts, for k = 1 .. k_max. The lowest error never rises with k, so kg keeps
a further bloc only when it lowers the error clearly (SPLIT_SHARE, SPLIT_GAIN), where the paper takes
the minimum. Frustration is the share of the placed actors' absolute weight that contradicts the
partition.

Balance can only place an actor by its signed ties, so two kinds of actor are set aside as
unplaced rather than put in a bloc at random: those with thin evidence (fewer than MIN_SUPPORT
relations, or relations from fewer than MIN_SUPPORT_DOCUMENTS documents, with the actors that stay;
pruned repeatedly, since an actor whose evidence is all with thin actors is thin too), and those
outside the main (largest) component of what remains: no signed path ties them to it, so any bloc
would fit them equally.
"""

from __future__ import annotations

import itertools
import random
from dataclasses import dataclass, field

import networkx as nx

from .signed import count_documents

__all__ = ["Partition", "Planted", "Unplaced", "blocs", "planted_camps", "recovery"]

# An actor is placed only with this many relations, from this many documents, with placed actors:
# the sentences of one article are one source, not several.
MIN_SUPPORT = 3
MIN_SUPPORT_DOCUMENTS = 2
# A placed actor is placed firmly with this many relations, cooperation with some member of its own
# bloc (not only conflict with the others: an enemy of one bloc is not thereby an ally of another), and
# a bloc no other bloc fits as well. The partition is tentative when fewer than FIRM_SHARE of the
# placed actors are firm, when a bloc has no firm member or rests on fewer than MIN_BLOC_SUPPORT
# relations, or when the placed actors have fewer than MIN_RELATIONS relations or relations from
# fewer than MIN_DOCUMENTS documents.
FIRM_SUPPORT = 5
FIRM_SHARE = 0.5
MIN_BLOC_SUPPORT = 10
MIN_RELATIONS = 50
MIN_DOCUMENTS = 20
# A further bloc is kept only if it removes this share of the error left and this share of the
# absolute signed weight.
SPLIT_SHARE = 0.2
SPLIT_GAIN = 0.01
# the local search's costs in integer units of 2**-UNIT_BITS of a weight: exact for weights in halves
UNIT_BITS = 24

THIN = "thin evidence"
DISCONNECTED = "not connected to the main component"


@dataclass(frozen=True)
class Unplaced:
    """An actor of the signed graph left out of the partition, with why and its evidence in the whole graph."""

    actor: str
    reason: str  # THIN or DISCONNECTED
    relations: int
    documents: int


@dataclass
class Partition:
    """Blocs of the placed actors (bloc i is named after ``blocs[i][0]``, its actor of largest
    weighted degree); ``membership`` holds placed actors only."""

    blocs: list[list[str]]  # actor ids, each bloc sorted by weighted degree, blocs by their first actor's
    membership: dict[str, int]
    error: float
    frustration: float  # over the placed actors only
    contradictions: list[tuple[str, str, float]] = field(default_factory=list)
    support: dict[str, int] = field(default_factory=dict)  # placed actor -> relations with placed actors
    relations: int = 0  # among placed actors
    documents: int = 0
    unplaced: list[Unplaced] = field(default_factory=list)
    also_fits: dict[str, list[int]] = field(default_factory=dict)  # placed actor -> other blocs that fit it as well
    partners: dict[str, int] = field(default_factory=dict)  # placed actor -> bloc members it cooperates with
    bloc_support: list[int] = field(default_factory=list)  # relations touching each bloc's members
    reasons: list[str] = field(default_factory=list)  # why the partition is tentative, if it is

    @property
    def tentative(self) -> bool:
        return bool(self.reasons)

    @property
    def actors(self) -> int:
        """Actors in the signed graph, placed or not."""
        return len(self.membership) + len(self.unplaced)

    def doubts(self, actor: str) -> list[str]:
        """Why a placed actor's bloc is not firm; empty when it is."""
        doubts = []
        if self.support[actor] < FIRM_SUPPORT:
            doubts.append(f"fewer than {FIRM_SUPPORT} relations")
        if not self.partners.get(actor):
            doubts.append("no cooperation inside its bloc")
        if actor in self.also_fits:
            doubts.append("another bloc fits as well")
        return doubts

    def firm(self) -> list[str]:
        """Placed actors without doubts: see FIRM_SUPPORT."""
        return sorted(a for a in self.membership if not self.doubts(a))


def _costs(graph: nx.Graph, membership: dict[str, int], node: str, k: int, alpha: float) -> list[float]:
    """The error ``node``'s own ties would add in each of the k blocs."""
    ties = [(other, data["weight"]) for other, data in graph[node].items()]
    # one pass over the ties: a bloc's cost is its own negative ties plus every positive tie outside it,
    # that is all positive ties less its own
    inside = [0.0] * k
    positive_inside = [0.0] * k
    positive = 0.0
    for other, w in ties:
        own = membership[other]
        if w < 0:
            inside[own] += alpha * -w
        elif w > 0:
            term = (1 - alpha) * w
            positive += term
            positive_inside[own] += term
    return [inside[bloc] + max(positive - positive_inside[bloc], 0.0) for bloc in range(k)]


class _Search:
    """The local search of blocs() over one signed graph, prepared once for all its restarts: each
    node's ties in integer units of 2**-UNIT_BITS of a weight (the Goldstein weights are multiples of
    0.5, so these are exact: sums kept this way neither drift nor break ties)."""

    def __init__(self, graph: nx.Graph, alpha: float) -> None:
        self.nodes = list(graph.nodes)
        index = {node: i for i, node in enumerate(self.nodes)}
        scale = float(1 << UNIT_BITS)
        # through networkx's views, reading the ties costs most of the search: read once
        ties = [[(index[other], data["weight"]) for other, data in graph[node].items()] for node in self.nodes]
        # per node: (neighbour, its cost when in the same bloc), (neighbour, its cost when not)
        self.negative = [[(j, round(alpha * -w * scale)) for j, w in row if w < 0] for row in ties]
        self.positive = [[(j, round((1 - alpha) * w * scale)) for j, w in row if w > 0] for row in ties]
        self.positive_total = [sum(cost for _, cost in row) for row in self.positive]
        self.edges = [(index[u], index[v], w) for u, v, w in graph.edges(data="weight")]
        self.alpha = alpha

    def relocate(self, bloc: list[int], k: int) -> list[int]:
        """Moves each node in turn (``bloc``: node -> bloc, changed in place) to the bloc where its ties
        cost least (_costs), until none moves. Each node's costs per bloc are kept up to date as its
        neighbours move, so a visit costs k and a move the node's degree."""
        inside = [[0] * k for _ in bloc]  # node -> bloc -> its negative ties' cost there
        positive_inside = [[0] * k for _ in bloc]  # node -> bloc -> its positive ties there
        for i in range(len(bloc)):
            for j, cost in self.negative[i]:
                inside[i][bloc[j]] += cost
            for j, cost in self.positive[i]:
                positive_inside[i][bloc[j]] += cost
        improved = True
        while improved:
            improved = False
            for i, total in enumerate(self.positive_total):
                own, neg, pos = bloc[i], inside[i], positive_inside[i]
                best, least = own, neg[own] + total - pos[own]
                for b in range(k):
                    cost = neg[b] + total - pos[b]
                    if cost < least:  # the lowest; among equal costs, the node's own bloc, then the first
                        best, least = b, cost
                if best == own:
                    continue
                bloc[i] = best
                improved = True
                for j, cost in self.negative[i]:
                    inside[j][own] -= cost
                    inside[j][best] += cost
                for j, cost in self.positive[i]:
                    positive_inside[j][own] -= cost
                    positive_inside[j][best] += cost
        return bloc

    def error(self, bloc: list[int]) -> float:
        """The weight of the ties the partition contradicts: negative inside a bloc, positive across."""
        error, alpha = 0.0, self.alpha
        for u, v, w in self.edges:
            same = bloc[u] == bloc[v]
            if same and w < 0:
                error += alpha * -w
            elif not same and w > 0:
                error += (1 - alpha) * w
        return error


def _evidence(graph: nx.Graph, node: str, among: set[str], enough: int | None = None) -> tuple[int, int]:
    """Relations and distinct documents of ``node``'s edges to actors in ``among`` (with ``enough``,
    the documents counted only up to that many: see count_documents)."""
    relations, docs = 0, []
    for _, other, data in graph.edges(node, data=True):
        if other in among:
            relations += data.get("count", 1)
            if data.get("docs"):
                docs.append(data["docs"])
    # a graph without document sets (hand-made) counts each relation as its own document
    return relations, count_documents(docs, enough) if docs else relations


def _placeable(graph: nx.Graph) -> tuple[set[str], list[Unplaced]]:
    """The actors the partition can place, and the others with their reason."""
    kept = set(graph)
    thin: set[str] = set()
    while True:
        drop = set()
        for node in kept:
            relations, documents = _evidence(graph, node, kept, enough=MIN_SUPPORT_DOCUMENTS)
            if relations < MIN_SUPPORT or documents < MIN_SUPPORT_DOCUMENTS:
                drop.add(node)
        if not drop:
            break
        kept -= drop
        thin |= drop
    rest = graph.subgraph(kept)
    # the largest component; among equal sizes, the one with more relations, then the first by actor id
    components = sorted(nx.connected_components(rest),
                        key=lambda c: (-len(c), -rest.subgraph(c).size(weight="count"), min(c)))
    main = components[0] if components else set()
    everyone = set(graph)
    unplaced = [Unplaced(n, THIN if n in thin else DISCONNECTED, *_evidence(graph, n, everyone))
                for n in everyone - main]
    unplaced.sort(key=lambda u: (u.reason != THIN, -u.relations, u.actor))
    return set(main), unplaced


def _canonical(graph: nx.Graph, nodes: set[str]) -> nx.Graph:
    """The subgraph on ``nodes`` with nodes and edges in sorted order, so that the seeded search and every
    sum run in the same order whatever order the store or a build gave the relations in."""
    canonical = nx.Graph()
    canonical.add_nodes_from(sorted(nodes))
    edges = sorted(((min(u, v), max(u, v), d) for u, v, d in graph.subgraph(nodes).edges(data=True)),
                   key=lambda e: (e[0], e[1]))
    for u, v, d in edges:
        canonical.add_edge(u, v, weight=float(d.get("weight", 0.0)), count=d.get("count", 1),
                           docs=d.get("docs") or set())
    return canonical


def blocs(graph: nx.Graph, k_max: int = 4, alpha: float = 0.5, restarts: int = 30, seed: int = 0) -> Partition:
    """The balance partition of the placeable actors of a signed graph (edge attributes ``weight``, and
    ``count`` and ``docs`` where known), deterministic for a seed and independent of the graph's order."""
    placed, unplaced = _placeable(graph)
    signed = _canonical(graph, placed)
    labels = {n: graph.nodes[n].get("label", n) for n in graph}
    nodes = list(signed.nodes)
    rng = random.Random(seed)
    found: dict[int, tuple[float, dict[str, int]]] = {}  # blocs used -> the lowest error and its partition
    search = _Search(signed, alpha)
    for k in range(1, max(1, min(k_max, len(nodes))) + 1):
        for _ in range(restarts if k > 1 else 1):
            bloc = search.relocate([rng.randrange(k) for _ in nodes], k)
            error = search.error(bloc)
            used = len(set(bloc))
            if used not in found or error < found[used][0] - 1e-9:
                found[used] = (error, dict(zip(nodes, bloc)))
    # The lowest error never rises with k (a bloc may stay empty), so taking the minimum splits a camp
    # wherever noise put some conflict inside it: a further bloc must remove SPLIT_SHARE of the error
    # left and SPLIT_GAIN of the absolute weight, else the fewer blocs win (see bench/run.py, planted blocs).
    total = sum(abs(w) for _, _, w in signed.edges(data="weight")) or 1.0
    counts = sorted(found)
    error, membership = found[counts[0]] if counts else (0.0, {})
    for used in counts[1:]:
        gain = error - found[used][0]
        if gain >= SPLIT_SHARE * error and gain >= SPLIT_GAIN * total:
            error, membership = found[used]
    strength = {n: round(sum(abs(w) for _, _, w in signed.edges(n, data="weight")), 9) for n in nodes}
    groups: dict[int, list[str]] = {}
    for node in nodes:
        groups.setdefault(membership[node], []).append(node)
    ordered = sorted((sorted(g, key=lambda n: (-strength[n], n)) for g in groups.values()),
                     key=lambda g: (-strength[g[0]], g[0]))
    membership = {n: i for i, g in enumerate(ordered) for n in g}
    contradictions = sorted(
        ((u, v, w) for u, v, w in signed.edges(data="weight")
         if (membership[u] == membership[v]) == (w < 0) and w != 0),
        key=lambda e: (-abs(e[2]), e[0], e[1]))
    frustration = sum(abs(w) for _, _, w in contradictions) / total
    support = {n: sum(d.get("count", 1) for other, d in signed[n].items() if other in placed) for n in nodes}
    also_fits = {}
    for node in nodes:
        costs = _costs(signed, membership, node, len(ordered), alpha)
        own = membership[node]
        others = [b for b in range(len(ordered)) if b != own and costs[b] <= costs[own] + 1e-9]
        if others:
            also_fits[node] = others
    partners = {n: sum(1 for other, d in signed[n].items() if d["weight"] > 0 and membership[other] == membership[n])
                for n in nodes}
    bloc_support = [sum(d["count"] for u, v, d in signed.edges(data=True) if membership[u] == i or membership[v] == i)
                    for i in range(len(ordered))]
    relations = sum(d["count"] for _, _, d in signed.edges(data=True))
    docs = [d["docs"] for _, _, d in signed.edges(data=True) if d["docs"]]
    documents = count_documents(docs) if docs else relations
    part = Partition(ordered, membership, error, frustration, contradictions, support, relations, documents,
                     unplaced, also_fits, partners, bloc_support)
    part.reasons = _tentative(part, labels)
    return part


def _tentative(part: Partition, labels: dict[str, str]) -> list[str]:
    """Why the partition should be read as tentative: evidence per actor and per bloc, then totals."""
    placed = len(part.membership)
    if not placed:
        return [f"no actor has {MIN_SUPPORT} relations from {MIN_SUPPORT_DOCUMENTS} documents with other "
                f"such actors: nothing could be placed"]
    reasons = []
    firm = set(part.firm())
    if len(firm) < FIRM_SHARE * placed:
        reasons.append(f"only {len(firm)} of the {placed} placed actors are placed firmly ({FIRM_SUPPORT} or more "
                       f"relations, cooperation inside their bloc, no other bloc fitting as well)")
    for i, bloc in enumerate(part.blocs):
        name = labels[bloc[0]]
        if not firm & set(bloc):
            reasons.append(f"the bloc of {name} has no firmly placed member")
        elif part.bloc_support[i] < MIN_BLOC_SUPPORT:
            reasons.append(f"the bloc of {name} rests on {part.bloc_support[i]} relations")
    if part.relations < MIN_RELATIONS or part.documents < MIN_DOCUMENTS:
        reasons.append(f"the placed actors have {part.relations} relations from {part.documents} documents "
                       f"(fewer than {MIN_RELATIONS} relations or {MIN_DOCUMENTS} documents)")
    return reasons


@dataclass
class Planted:
    """A signed graph with known camps, for checking blocs(): ``camps`` maps each camp member to its camp;
    ``thin`` and ``detached`` actors are ones blocs() should leave unplaced."""

    graph: nx.Graph
    camps: dict[str, int]
    thin: list[str]
    detached: list[str]


def planted_camps(sizes: tuple[int, ...] = (10, 10), p_in: float = 0.5, p_out: float = 0.3, noise: float = 0.1,
                  thin: int = 3, detached: int = 3, seed: int = 0) -> Planted:
    """Camps of the given sizes: each pair inside a camp cooperates with probability ``p_in``, each pair
    across camps is in conflict with probability ``p_out``; a share ``noise`` of these ties has its sign
    flipped. Each tie holds 1 to 3 relations (cooperation +4.0, conflict -5.0 each) from distinct documents.
    ``thin`` actors have one relation with a camp member; ``detached`` actors cooperate among themselves
    only, on plenty of evidence."""
    rng = random.Random(seed)
    graph = nx.Graph()
    camps = {f"c{c}-{i:02d}": c for c, size in enumerate(sizes) for i in range(size)}
    doc = itertools.count()

    def tie(u: str, v: str, sign: int, count: int) -> None:
        graph.add_edge(u, v, weight=(4.0 if sign > 0 else -5.0) * count, count=count,
                       docs={f"d{next(doc)}" for _ in range(count)})

    graph.add_nodes_from(camps)
    for u, v in itertools.combinations(camps, 2):
        inside = camps[u] == camps[v]
        if rng.random() < (p_in if inside else p_out):
            sign = 1 if inside else -1
            tie(u, v, -sign if rng.random() < noise else sign, rng.randint(1, 3))
    thin_actors = [f"thin-{i}" for i in range(thin)]
    for actor in thin_actors:
        tie(actor, rng.choice(sorted(camps)), rng.choice([1, -1]), 1)
    detached_actors = [f"detached-{i}" for i in range(detached)]
    for u, v in itertools.combinations(detached_actors, 2):
        tie(u, v, 1, 3)
    return Planted(graph, camps, thin_actors, detached_actors)


def recovery(partition: Partition, camps: dict[str, int]) -> float:
    """The share of camp members in the bloc matched to their camp, under the best one-to-one matching
    of blocs to camps; a camp member left unplaced or in an unmatched bloc counts as wrong."""
    names = sorted(set(camps.values()))
    overlap = {(b, c): sum(1 for a, bloc in partition.membership.items() if bloc == b and camps.get(a) == c)
               for b in range(len(partition.blocs)) for c in names}
    best = 0
    slots = list(range(len(partition.blocs))) + [None] * len(names)
    for chosen in itertools.permutations(slots, len(names)):
        best = max(best, sum(overlap[b, c] for b, c in zip(chosen, names) if b is not None))
    return best / len(camps) if camps else 1.0
