"""Reads the store's statements back as Relation records (for exports, graph views and eval)."""

from __future__ import annotations

from urllib.parse import unquote

from .queries import named_queries
from .rdf import statement_iri
from .records import Actor, Relation
from .store import Store
from .vocab import ACTOR, EV, KG, QUAD_BY_CLASS, RELATION_TYPES, WD


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
    relations = []
    for row in store.query(named_queries()["statement-rows"].text):
        source, target = actors.get(row["source"].value), actors.get(row["target"].value)
        kind = row["type"].value.removeprefix(EV)
        if source is None or target is None or kind not in RELATION_TYPES:
            continue  # an actor missing from the actors graph (kg validate reports it)
        relations.append(
            Relation(
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
        )
    relations.sort(key=lambda r: (r.doc, r.start, statement_iri(r).value))
    return relations


def statement_dates(store: Store) -> dict[str, str]:
    """Document id -> its date, for documents that have one."""
    rows = store.query(named_queries()["documents"].text)
    return {row["id"].value: row["date"].value for row in rows if row["date"] is not None}
