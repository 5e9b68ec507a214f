"""Reads the store's statements back as Relation records (for exports, graph views and eval)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from itertools import product
from urllib.parse import unquote

import pyoxigraph as ox

from .queries import named_queries
from .rdf import statement_iri
from .records import Actor, Relation
from .store import Store
from .vocab import ACTOR, ACTORS_GRAPH, DCTERMS, EV, EVENTS_GRAPH, KG, OWL, PROV, QUAD_BY_CLASS, RDF, RDFS, RELATION_TYPES, WD


def store_actors(store: Store) -> dict[str, Actor]:
    """Actor IRI -> Actor (with the actor it acts for), from the actors graph."""
    rows = {}
    for row in store.query(named_queries()["actor-rows"].text):
        iri = row["actor"].value
        rows.setdefault(iri, (row["class"].value.removeprefix(KG), row["label"].value,
                              row["wd"].value.removeprefix(WD) if row["wd"] is not None else None,
                              row["up"].value if row["up"] is not None else None))
    plain = {iri: Actor(id=unquote(iri.removeprefix(ACTOR)), label=label, type=kind, wikidata=wd)
             for iri, (kind, label, wd, _) in rows.items()}
    actors = {}
    for iri, actor in plain.items():
        up = rows[iri][3]
        actors[iri] = actor if up is None or up not in plain else Actor(
            actor.id, actor.label, actor.type, actor.wikidata, actor.aliases, plain[up], actor.role)
    return actors


def store_relations(store: Store) -> list[Relation]:
    """Every statement in the store as a Relation, ordered by document and position.

    Two flat queries (statements, actors) joined here: linear in the store, where a single query
    that joins every statement with the actors graph grows faster than that."""
    actors = store_actors(store)
    relations = [r for row in store.query(named_queries()["statement-rows"].text)
                 if (r := _relation(row, actors)) is not None]
    relations.sort(key=lambda r: (r.doc, r.start, statement_iri(r).value))
    return relations


def actors_of(store: Store, iris: Iterable[str]) -> dict[str, Actor]:
    """store_actors for just these actors (IRIs) and those they act for: a few indexed reads each."""
    graph = ox.NamedNode(ACTORS_GRAPH)
    fields = {RDF + "type": "class", RDFS + "label": "label", OWL + "sameAs": "wd", PROV + "actedOnBehalfOf": "up"}
    rows: dict[str, dict[str, str]] = {}

    def read(iri: str) -> None:
        if iri in rows:
            return
        found: dict[str, list[str]] = defaultdict(list)
        for quad in store.quads_for_pattern(ox.NamedNode(iri), None, None, graph):
            name = fields.get(quad.predicate.value)
            if name is not None:
                found[name].append(quad.object.value)
        rows[iri] = {name: min(values) for name, values in found.items()}
        if "up" in rows[iri]:
            read(rows[iri]["up"])

    for iri in iris:
        read(iri)
    plain = {iri: Actor(id=unquote(iri.removeprefix(ACTOR)), label=row["label"], type=row["class"].removeprefix(KG),
                        wikidata=row["wd"].removeprefix(WD) if "wd" in row else None)
             for iri, row in rows.items() if "class" in row and "label" in row}
    actors = {}
    for iri, actor in plain.items():
        up = rows[iri].get("up")
        actors[iri] = actor if up is None or up not in plain else Actor(
            actor.id, actor.label, actor.type, actor.wikidata, actor.aliases, plain[up], actor.role)
    return actors


@dataclass
class Selected:
    """Statements read for chosen actors: Relations, their documents' dates, and the event each reports."""

    relations: list[Relation] = field(default_factory=list)
    dates: dict[str, str] = field(default_factory=dict)
    events: dict[str, str] = field(default_factory=dict)  # statement IRI -> event IRI
    event_sources: dict[str, str] = field(default_factory=dict)  # statement IRI -> its event's source IRI

    def add(self, row, actors: dict[str, Actor]) -> None:
        """Adds a row of actor-statements.rq (or a query of its columns): its relation, its document's
        date, its event; a row naming an actor the actors graph lacks is left out."""
        relation = _relation(row, actors)
        if relation is None:
            return
        self.relations.append(relation)
        if row["docDate"] is not None:
            self.dates[relation.doc] = row["docDate"].value
        if row["event"] is not None:
            statement = row["statement"].value
            self.events[statement] = row["event"].value
            self.event_sources[statement] = row["eventSource"].value


def relations_of(store: Store, ends: Iterable[str], others: Iterable[str] | None = None,
                 actors: dict[str, Actor] | None = None) -> Selected:
    """The statements that name any of ``ends`` (actor IRIs, as stated), or with ``others`` only those
    between an end and one of the others, in either direction: one indexed lookup per actor (or pair),
    so the cost follows the answer, not the store. Ordered by document and position."""
    from pyoxigraph import NamedNode

    actors = actors if actors is not None else store_actors(store)
    text = named_queries()["actor-statements"].text
    pairs = [(a, None) for a in sorted(set(ends))] if others is None else \
        [(a, b) for a in sorted(set(ends)) for b in sorted(set(others))]
    selected = Selected()
    seen: set[str] = set()
    for a, b in pairs:
        bindings = {"actor": NamedNode(a)} | ({"other": NamedNode(b)} if b is not None else {})
        for row in store.query(text, bindings):
            statement = row["statement"].value
            if statement in seen:
                continue
            seen.add(statement)
            selected.add(row, actors)
    selected.relations.sort(key=lambda r: (r.doc, r.start, statement_iri(r).value))
    return selected


# The statements of chosen documents (VALUES is filled with their graphs' IRIs, as pyoxigraph writes
# them), each document's graph read through the index by LATERAL: a plain join with VALUES scans
# every document, and an OPTIONAL of the events graph joins with all of it. The second VALUES, when
# filled, keeps only the statements between chosen actors, before their fields are read.
DOCUMENT_STATEMENTS = """
SELECT ?statement ?docId ?docDate ?type ?quad ?polarity ?negated ?hypothetical ?confidence ?evidence ?start ?end
       ?trigger ?extractor ?source ?target ?background ?eventDate ?event ?eventSource
WHERE {
  VALUES ?doc { %s }
  LATERAL {
    GRAPH ?doc {
      %s
      ?statement kg:source ?source ; kg:target ?target ; a ?type ; kg:quad ?quad ; kg:polarity ?polarity ;
        kg:negated ?negated ; kg:hypothetical ?hypothetical ; kg:confidence ?confidence ;
        kg:evidence ?evidence ; kg:start ?start ; kg:end ?end ; kg:trigger ?trigger ;
        kg:extractorVersion ?extractor ; prov:wasDerivedFrom ?doc .
      OPTIONAL { ?statement kg:background ?background }
      OPTIONAL { ?statement dcterms:date ?eventDate }
      ?doc dcterms:identifier ?docId .
      OPTIONAL { ?doc dcterms:date ?docDate }
    }
  }
  LATERAL { OPTIONAL { GRAPH <%s> { ?statement kg:reports ?event . ?event kg:source ?eventSource } } }
}"""
DOCUMENTS_PER_QUERY = 500


def document_relations(store: Store, documents: Iterable[ox.NamedNode], actors: dict[str, Actor] | None = None,
                       between: tuple[Iterable[str], Iterable[str]] | None = None) -> Selected:
    """The statements of these documents (their graphs' IRIs), read through the index: the cost
    follows the documents, not the store; with ``between`` (two lists of actor IRIs, as stated),
    only the statements between one of the first and one of the second, either way. Ordered by
    document and position."""
    actors = actors if actors is not None else store_actors(store)
    documents = sorted(set(documents), key=lambda node: node.value)
    pairs = ""
    if between is not None:
        ends = [sorted(set(side)) for side in between]
        pairs = "VALUES (?source ?target) { %s }" % " ".join(
            f"({ox.NamedNode(x)} {ox.NamedNode(y)}) ({ox.NamedNode(y)} {ox.NamedNode(x)})" for x in ends[0] for y in ends[1])
    selected = Selected()
    for first in range(0, len(documents), DOCUMENTS_PER_QUERY):
        values = " ".join(str(node) for node in documents[first:first + DOCUMENTS_PER_QUERY])
        for row in store.query(DOCUMENT_STATEMENTS % (values, pairs, EVENTS_GRAPH)):
            selected.add(row, actors)
    selected.relations.sort(key=lambda r: (r.doc, r.start, statement_iri(r).value))
    return selected


def actor_labels(store: Store, iris: Iterable[str]) -> dict[str, str]:
    """Actor IRI -> label, for just these actors (one indexed lookup each)."""
    from pyoxigraph import NamedNode

    from .vocab import ACTORS_GRAPH, RDFS

    label, graph = NamedNode(RDFS + "label"), NamedNode(ACTORS_GRAPH)
    labels = {}
    for iri in iris:
        quad = next(iter(store.quads_for_pattern(NamedNode(iri), label, None, graph)), None)
        if quad is not None:
            labels[iri] = quad.object.value
    return labels


def persons_of(store: Store, actor: str) -> list[str]:
    """The persons who act for ``actor`` (IRIs), from the actors graph's index."""
    from pyoxigraph import NamedNode

    from .vocab import ACTORS_GRAPH, PROV

    return sorted(q.subject.value for q in store.quads_for_pattern(
        None, NamedNode(PROV + "actedOnBehalfOf"), NamedNode(actor), NamedNode(ACTORS_GRAPH)))


def _relation(row, actors: dict[str, Actor]) -> Relation | None:
    source, target = actors.get(row["source"].value), actors.get(row["target"].value)
    kind = row["type"].value.removeprefix(EV)
    if source is None or target is None or kind not in RELATION_TYPES:
        return None  # an actor missing from the actors graph (kg validate reports it)
    return Relation(
        doc=row["docId"].value,
        source=source,
        target=target,
        type=kind,
        quad=QUAD_BY_CLASS[row["quad"].value.removeprefix(KG)],
        polarity=int(row["polarity"].value),
        negated=row["negated"].value == "true",
        hypothetical=row["hypothetical"].value == "true",
        confidence=float(row["confidence"].value),
        sentence=row["evidence"].value,
        start=int(row["start"].value),
        end=int(row["end"].value),
        trigger=row["trigger"].value,
        extractor=row["extractor"].value,
        background=row["background"] is not None and row["background"].value == "true",
        date=row["eventDate"].value if row["eventDate"] is not None else None,
    )


def statement_dates(store: Store) -> dict[str, str]:
    """Document id -> its date, for documents that have one."""
    rows = store.query(named_queries()["documents"].text)
    return {row["id"].value: row["date"].value for row in rows if row["date"] is not None}


# -- streaming: one document graph at a time, for exports of stores too large to hold whole

DOCUMENT_GRAPHS = """
SELECT ?doc ?id WHERE { GRAPH ?doc { ?doc dcterms:identifier ?id } }"""
NAMED_GRAPHS = "SELECT ?graph WHERE { GRAPH ?graph {} }"

_STATEMENT_FIELDS = {name: iri for name, iri in (
    ("source", KG + "source"), ("target", KG + "target"), ("type", RDF + "type"), ("quad", KG + "quad"),
    ("polarity", KG + "polarity"), ("negated", KG + "negated"), ("hypothetical", KG + "hypothetical"),
    ("confidence", KG + "confidence"), ("evidence", KG + "evidence"), ("start", KG + "start"), ("end", KG + "end"),
    ("trigger", KG + "trigger"), ("extractor", KG + "extractorVersion"), ("doc", PROV + "wasDerivedFrom"))}
_OPTIONAL_FIELDS = {"background": KG + "background", "date": DCTERMS + "date"}
_DOCUMENT_FIELDS = {"date": DCTERMS + "date", "title": DCTERMS + "title", "url": DCTERMS + "source",
                    "publisher": DCTERMS + "publisher"}


def named_graphs(store: Store) -> list[ox.NamedNode]:
    """Every named graph of the store, ordered by IRI (one IRI per document, and a few more)."""
    return sorted((row["graph"] for row in store.stream(NAMED_GRAPHS) if isinstance(row["graph"], ox.NamedNode)),
                  key=lambda graph: graph.value)


def document_graphs(store: Store) -> list[tuple[str, ox.NamedNode]]:
    """(document id, its graph) for every document, ordered by id: the order of store_relations."""
    return sorted(((row["id"].value, row["doc"]) for row in store.stream(DOCUMENT_GRAPHS)),
                  key=lambda pair: (pair[0], pair[1].value))


def relations_by_document(store: Store, actors: dict[str, Actor] | None = None) -> Iterator[tuple[dict, list[Relation]]]:
    """For each document in id order: its fields (id, date, title, url, publisher; None where absent) and
    its relations in the order of store_relations. One document graph is held at a time, with the
    actors (``actors``: store_actors, read here if not given), and the documents' ids are put in order
    on disk (kg.table's sorter), so memory does not grow with the store (the ids of a million
    documents, held sorted, took about 250 MB); the relations, chained, are those of store_relations."""
    from .table import _Sorter

    actors = store_actors(store) if actors is None else actors
    with _Sorter(key=lambda pair: pair) as ordered:
        for row in store.stream(DOCUMENT_GRAPHS):
            ordered.add((row["id"].value, row["doc"].value))
        for doc_id, iri in ordered:
            yield _document_relations(store, doc_id, ox.NamedNode(iri), actors)


def _document_relations(store: Store, doc_id: str, graph: ox.NamedNode, actors: dict[str, Actor]) -> tuple[dict, list[Relation]]:
    """One document's fields and relations (see relations_by_document)."""
    subjects: dict[str, dict[str, list]] = defaultdict(lambda: defaultdict(list))
    for quad in store.quads_for_pattern(None, None, None, graph):
        subjects[quad.subject.value][quad.predicate.value].append(quad.object)
    described = subjects.get(graph.value, {})
    fields = {"id": doc_id, **{name: _first_value(described.get(iri)) for name, iri in _DOCUMENT_FIELDS.items()}}
    relations = [relation for iri, values in subjects.items()
                 for relation in _statement_relations(iri, values, graph, doc_id, actors)]
    relations.sort(key=lambda r: (r.start, statement_iri(r).value))
    return fields, relations


def statement_confidence(store: Store, iri: str) -> float | None:
    """A statement's confidence (one indexed read), None when the store no longer holds it."""
    quad = next(iter(store.quads_for_pattern(ox.NamedNode(iri), ox.NamedNode(KG + "confidence"), None, None)), None)
    return None if quad is None else float(quad.object.value)


def relations_by_iri(store: Store, iris: Iterable[str], actors: dict[str, Actor] | None = None
                     ) -> tuple[list[Relation], dict[str, str]]:
    """The statements with these IRIs as Relations (one indexed read each, and one for its document),
    with their documents' dates (id -> date); a statement no longer in the store is left out."""
    derived = ox.NamedNode(_STATEMENT_FIELDS["doc"])
    read, dates = [], {}
    documents: dict[str, dict] = {}
    for iri in dict.fromkeys(iris):
        node = ox.NamedNode(iri)
        quad = next(iter(store.quads_for_pattern(node, derived, None, None)), None)
        if quad is None or not isinstance(quad.graph_name, ox.NamedNode):
            continue
        graph = quad.graph_name
        values: dict[str, list] = defaultdict(list)
        for q in store.quads_for_pattern(node, None, None, graph):
            values[q.predicate.value].append(q.object)
        if graph.value not in documents:
            described = defaultdict(list)
            for q in store.quads_for_pattern(graph, None, None, graph):
                described[q.predicate.value].append(q.object)
            documents[graph.value] = described
        described = documents[graph.value]
        doc_id = _first_value(described.get(DCTERMS + "identifier"))
        if doc_id is None:
            continue
        date = _first_value(described.get(DCTERMS + "date"))
        if date is not None:
            dates[doc_id] = date
        read.append((iri, values, graph, doc_id))
    if actors is None:  # only the actors these statements name
        actors = actors_of(store, {end.value for _, values, _, _ in read
                                   for field in ("source", "target") for end in values.get(_STATEMENT_FIELDS[field], [])})
    relations = [r for iri, values, graph, doc_id in read for r in _statement_relations(iri, values, graph, doc_id, actors)]
    return relations, dates


def _first_value(terms: list | None) -> str | None:
    return min(term.value for term in terms) if terms else None


def _statement_relations(iri: str, values: dict[str, list], graph: ox.NamedNode, doc_id: str,
                         actors: dict[str, Actor]) -> Iterator[Relation]:
    """The relations one subject of a document graph states: what statement-rows.rq finds for it (one
    per combination of values, none if a field is missing; an unknown actor or type is skipped)."""
    required = [values.get(field_iri, []) for field_iri in _STATEMENT_FIELDS.values()]
    if not all(required) or graph not in values[PROV + "wasDerivedFrom"]:
        return
    optional = [values.get(field_iri) or [None] for field_iri in _OPTIONAL_FIELDS.values()]
    names = [*_STATEMENT_FIELDS, *_OPTIONAL_FIELDS]
    for combination in product(*required[:-1], [graph], *optional):
        row = dict(zip(names, combination))
        row["docId"], row["eventDate"] = ox.Literal(doc_id), row.pop("date")
        relation = _relation(row, actors)
        if relation is not None:
            yield relation
