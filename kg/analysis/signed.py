"""The signed, weighted actor graph: each asserted relation adds its Goldstein weight to its dyad."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING

from ..data import read_table
from ..records import Relation
from ..vocab import QUAD_CLASSES, RELATION_TYPES

if TYPE_CHECKING:  # networkx costs a tenth of a second to import: only the graph builders need it
    import networkx as nx


@cache
def load_weights() -> dict[str, float]:
    """ontology/weights.tsv: relation type -> signed weight (Goldstein scale of its CAMEO root)."""
    weights = {row["type"]: float(row["goldstein"]) for row in read_table("weights.tsv")}
    missing = set(RELATION_TYPES) - set(weights)
    if missing:
        raise ValueError(f"weights.tsv lacks {', '.join(sorted(missing))}")
    return weights


def event_date(relation: Relation, document_date: str | None) -> str | None:
    """When the relation's event happened: the time its sentence gives (the year of "in 1996 Israel
    accused Syria"), none for undated background ("for years ..."), else its document's date."""
    if relation.background:
        if not relation.date:
            return None
        return relation.date[:4] if relation.date.endswith("s") else relation.date  # a decade: its first year
    return document_date


@dataclass(frozen=True)
class Filter:
    """Which relations an analysis uses: a date window (dates as YYYY, YYYY-MM or YYYY-MM-DD,
    compared on their common prefix), quad classes, relation types, persons rolled up or not; and
    which actors: of these types, linked to Wikidata, not excluded (both ends must pass, as the
    analyses see them, persons rolled up), with at least ``min_relations`` kept relations."""

    since: str | None = None
    until: str | None = None
    quads: frozenset[str] = frozenset()
    relations: frozenset[str] = frozenset()
    rollup: bool = True
    keep_persons: frozenset[str] = frozenset()  # persons asked for by name stay themselves
    actor_types: frozenset[str] = frozenset()
    linked_only: bool = False
    exclude: frozenset[str] = frozenset()  # actor ids: neither as stated nor as rolled up
    min_relations: int = 0

    def named(self, *actor_ids: str) -> Filter:
        """The same filter, keeping these persons as themselves when rolling up."""
        from dataclasses import replace

        return replace(self, keep_persons=self.keep_persons | frozenset(actor_ids))

    def keeps(self, relation: Relation, date: str | None, asserted_only: bool = True) -> bool:
        """Whether the relation passes (``min_relations`` aside: ``select`` applies it). What an analysis
        counts (``asserted_only``) happened, and is dated: "for years X has blocked Y" has no place in a
        timeline and is not the day's news; a listing of every statement keeps both."""
        if asserted_only and (not relation.asserted or (relation.background and not relation.date)):
            return False
        if not self._keeps_actors(relation):
            return False
        if self.quads and relation.quad not in self.quads:
            return False
        if self.relations and relation.type not in self.relations:
            return False
        return self.within(event_date(relation, date))

    def within(self, date: str | None) -> bool:
        """Whether a date (YYYY, YYYY-MM or YYYY-MM-DD) is in the window, compared on the common prefix
        of the date and each bound; with a window, an undated one cannot be placed in it."""
        if self.since or self.until:
            if not date:
                return False
            if self.since and date[: len(self.since)] < self.since[: len(date)]:
                return False
            if self.until and date[: len(self.until)] > self.until[: len(date)]:
                return False
        return True

    def _keeps_actors(self, relation: Relation) -> bool:
        if self.exclude and {relation.source.id, relation.target.id, *(a.id for a in self.ends(relation))} & self.exclude:
            return False
        for actor in self.ends(relation):
            if self.actor_types and actor.type not in self.actor_types:
                return False
            if self.linked_only and not actor.wikidata:
                return False
        return True

    @property
    def selects_actors(self) -> bool:
        return bool(self.actor_types or self.linked_only or self.exclude or self.min_relations)

    def select(self, relations: Iterable[Relation], dates: dict[str, str], asserted_only: bool = True) -> list[Relation]:
        """The relations this filter keeps, with ``min_relations`` applied until it holds for every
        actor left (dropping a thin actor's relations can make its partners thin)."""
        kept = [r for r in relations if self.keeps(r, dates.get(r.doc), asserted_only)]
        if self.min_relations <= 1:
            return kept
        while True:
            counts = Counter(a.id for r in kept if r.asserted for a in set(self.ends(r)))  # what happened counts
            thin = {actor for actor, n in counts.items() if n < self.min_relations}
            if not thin:
                return kept
            kept = [r for r in kept if not {a.id for a in self.ends(r)} & thin]

    def ends(self, relation: Relation):
        if not self.rollup:
            return relation.source, relation.target
        return tuple(a if a.id in self.keep_persons else a.rolled_up() for a in (relation.source, relation.target))


def validate_filter(since: str | None = None, until: str | None = None, quads: Iterable[str] = (),
                    relations: Iterable[str] = (), rollup: bool = True, actor_types: Iterable[str] = (),
                    linked_only: bool = False, exclude: Iterable[str] = (), min_relations: int = 0) -> Filter:
    """A Filter from user input, with a clear error for a bad date, quad or type."""
    import re

    from ..errors import KgError

    for name, value in (("since", since), ("until", until)):
        if value and not re.fullmatch(r"\d{4}(-\d{2}(-\d{2})?)?", value):
            raise KgError(f"--{name} {value!r}: write a date as YYYY, YYYY-MM or YYYY-MM-DD")
    quads = frozenset(q.lower() for q in quads)
    unknown = quads - set(QUAD_CLASSES)
    if unknown:
        raise KgError(f"unknown quad class {sorted(unknown)[0]!r}; use one of {', '.join(QUAD_CLASSES)}")
    types = frozenset(r.upper() for r in relations)
    if types - set(RELATION_TYPES):
        raise KgError(f"unknown relation type {sorted(types - set(RELATION_TYPES))[0]!r}; "
                      f"use one of {', '.join(RELATION_TYPES)}")
    from ..records import ACTOR_TYPES

    by_name = {t.lower(): t for t in ACTOR_TYPES}
    unknown_types = [t for t in actor_types if t.lower() not in by_name]
    if unknown_types:
        raise KgError(f"unknown actor type {unknown_types[0]!r}; use one of {', '.join(ACTOR_TYPES)}")
    return Filter(since, until, quads, types, rollup, actor_types=frozenset(by_name[t.lower()] for t in actor_types),
                  linked_only=linked_only, exclude=frozenset(exclude), min_relations=min_relations)


def signed_digraph(relations: Iterable[Relation], dates: dict[str, str] | None = None,
                   keep: Filter = Filter()) -> nx.DiGraph:
    """A DiGraph of actors; each edge sums its relations: ``weight`` (signed), ``cooperation`` and
    ``conflict`` (magnitudes), ``count``, ``types`` (a Counter of relation types) and ``docs`` (Documents)."""
    weights = load_weights()
    dates = dates or {}
    import networkx as nx

    graph = nx.DiGraph()
    for r in relations:
        if not keep.keeps(r, dates.get(r.doc)):
            continue
        source, target = keep.ends(r)
        if source.id == target.id:
            continue
        _add(graph, source, target, r.type, weights[r.type], 1, r.doc)
    return graph


class Documents:
    """The documents behind an edge of a signed graph, their distinct number counted when asked
    (``len``, count_documents): what a dyad table's rows add stays in the parts it came in, each
    row's keys as the row holds them (packed: kg.dyads.pack_keys), not copied into a set per edge, per
    direction and per undirected edge; the documents of single statements go into one set."""

    __slots__ = ("parts", "loose")

    def __init__(self, parts: Iterable = (), loose: Iterable = ()):
        self.parts = [part for part in parts if len(part)]
        self.loose = set(loose)

    def add(self, docs) -> None:
        """Adds a row's documents' keys, or one document (a string)."""
        if isinstance(docs, str):
            self.loose.add(docs)
        elif len(docs):
            self.parts.append(docs)

    @staticmethod
    def of(docs) -> Documents:
        """``docs`` as Documents: itself, or a set of documents (as a hand-made graph holds them)."""
        return docs if isinstance(docs, Documents) else Documents(loose=docs)

    def __or__(self, other) -> Documents:
        other = Documents.of(other)
        return Documents(self.parts + other.parts, self.loose | other.loose)

    def __len__(self) -> int:
        return count_documents([self])

    def __bool__(self) -> bool:
        return bool(self.parts or self.loose)


def _pieces(docs) -> list:
    return [*docs.parts, docs.loose] if isinstance(docs, Documents) else [docs]


def _distinct(collections: Iterable, enough: int | None = None) -> set:
    seen: set = set()
    for docs in collections:
        for piece in _pieces(docs):
            seen.update(piece)
            if enough is not None and len(seen) >= enough:
                return seen
    return seen


def count_documents(collections: Iterable, enough: int | None = None) -> int:
    """The distinct documents in ``collections`` (Documents, or sets of documents), or, with
    ``enough``, at least that many when there are: what a threshold needs, however many documents
    a hub's edges hold."""
    return len(_distinct(collections, enough))


def signed_graph(relations: Iterable[Relation], dates: dict[str, str] | None = None,
                 keep: Filter = Filter()) -> nx.Graph:
    """The undirected signed graph: both directions of a dyad summed."""
    # The structural relations stay in (unlike in kg.analysis.stance, which scores acts): ALLY_OF is the most
    # direct evidence of alignment a text gives, which is what blocs measure, so it weighs as an
    # intent to cooperate (+4.0) and pulls allies into one bloc unless their acts say otherwise;
    # MEMBER_OF weighs a weak +1.0, since an organisation holds rivals too.
    return undirected(signed_digraph(relations, dates, keep))


def table_answers(keep: Filter, person_ids: Iterable[str] = ()) -> bool:
    """Whether the dyad table (kg.dyads: persons rolled up, dated to the month) can answer for
    ``keep``: persons rolled up and none kept apart or excluded. (A month that a window given to the
    day cuts is counted from its documents: kg.analysis.inputs.window_rows.) Otherwise analyses read
    the statements."""
    return keep.rollup and not keep.keep_persons and not (keep.exclude & set(person_ids))


def select_rows(rows: Iterable, actors: dict, keep: Filter = Filter()) -> list:
    """The dyad table's rows (kg.dyads.DyadCount) that ``keep`` keeps, ``min_relations`` applied as
    Filter.select does; ``actors`` maps actor IRIs to Actor records (kg.statements.store_actors)."""
    kept = []
    for row in rows:
        source, target = actors.get(row.source), actors.get(row.target)
        if source is None or target is None:
            continue
        if keep.quads and RELATION_TYPES[row.type].quad not in keep.quads:
            continue
        if keep.relations and row.type not in keep.relations:
            continue
        if keep.exclude and {source.id, target.id} & keep.exclude:
            continue
        if any((keep.actor_types and a.type not in keep.actor_types) or (keep.linked_only and not a.wikidata)
               for a in (source, target)):
            continue
        if keep.since or keep.until:
            date = row.period
            if not date:
                continue
            if keep.since and date[: len(keep.since)] < keep.since[: len(date)]:
                continue
            if keep.until and date[: len(keep.until)] > keep.until[: len(date)]:
                continue
        kept.append(row)
    return kept


def thin_out(rows: list, min_relations: int, count: str = "events") -> list:
    """``rows`` without the actors that have fewer than ``min_relations`` counted relations, until
    every actor left has that many (as Filter.select does with relations)."""
    if min_relations <= 1:
        return rows
    while True:
        counts: Counter = Counter()
        for row in rows:
            n = row.events if count == "events" else row.mentions
            counts[row.source] += n
            counts[row.target] += n
        thin = {actor for actor, n in counts.items() if n < min_relations}
        if not thin:
            return rows
        rows = [row for row in rows if row.source not in thin and row.target not in thin]


def dyad_digraph(rows: Iterable, actors: dict, count: str = "events") -> nx.DiGraph:
    """signed_digraph's DiGraph from dyad table rows already selected (select_rows): each edge sums its
    rows' events (or mentions); ``docs`` holds the documents' keys (kg.dyads.doc_key, packed or not, as the
    rows hold them), not their ids."""
    weights = load_weights()
    import networkx as nx

    graph = nx.DiGraph()
    for row in rows:
        n = row.events if count == "events" else row.mentions
        if not n:
            continue
        _add(graph, actors[row.source], actors[row.target], row.type, weights[row.type], n, row.docs)
    return graph


def _add(graph: nx.DiGraph, source, target, rtype: str, weight: float, n: int, docs) -> None:
    """Adds ``n`` relations of ``rtype`` (each weighing ``weight``) from ``docs`` (a row's documents' keys, or
    one document) to an edge of a signed digraph."""
    for actor in (source, target):
        if actor.id not in graph:
            graph.add_node(actor.id, label=actor.label, type=actor.type, wikidata=actor.wikidata)
    if not graph.has_edge(source.id, target.id):
        graph.add_edge(source.id, target.id, weight=0.0, cooperation=0.0, conflict=0.0, count=0,
                       types=Counter(), docs=Documents())
    data = graph.edges[source.id, target.id]
    data["weight"] += weight * n
    data["cooperation" if weight > 0 else "conflict"] += abs(weight) * n
    data["count"] += n
    data["types"][rtype] += n
    data["docs"].add(docs)


def undirected(directed: nx.DiGraph) -> nx.Graph:
    """Both directions of each dyad summed (see signed_graph)."""
    import networkx as nx

    graph = nx.Graph()
    graph.add_nodes_from(directed.nodes(data=True))
    for u, v, data in directed.edges(data=True):
        if graph.has_edge(u, v):
            edge = graph.edges[u, v]
            for key in ("weight", "cooperation", "conflict", "count"):
                edge[key] += data[key]
            edge["types"] = edge["types"] + data["types"]
            edge["docs"] = edge["docs"] | data["docs"]
        else:
            graph.add_edge(u, v, **{**data, "types": Counter(data["types"]), "docs": Documents.of(data["docs"]) | Documents()})
    return graph
