"""Reads the store's statements back as Relation records (for exports, graph views and eval)."""

from __future__ import annotations

from urllib.parse import unquote

from .queries import named_queries
from .records import Actor, Relation
from .store import Store
from .vocab import ACTOR, EV, KG, WD


def _actor(row, prefix: str) -> Actor | None:
    node = row[prefix]
    if node is None:
        return None
    wd = row[prefix + "Wd"]
    return Actor(
        id=unquote(node.value.removeprefix(ACTOR)),
        label=row[prefix + "Label"].value,
        type=row[prefix + "Class"].value.removeprefix(KG),
        wikidata=wd.value.removeprefix(WD) if wd is not None else None,
    )


def _with_represents(row, prefix: str) -> Actor:
    actor = _actor(row, prefix)
    up = _actor(row, prefix + "Up")
    if up is None:
        return actor
    return Actor(actor.id, actor.label, actor.type, actor.wikidata, actor.aliases, up, actor.role)


def store_relations(store: Store) -> list[Relation]:
    """Every statement in the store as a Relation, ordered by document and position."""
    relations = []
    for row in store.query(named_queries()["statements"].text):
        relations.append(
            Relation(
                doc=row["docId"].value,
                source=_with_represents(row, "source"),
                target=_with_represents(row, "target"),
                type=row["type"].value.removeprefix(EV),
                quad=row["quad"].value,
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
    return relations


def statement_dates(store: Store) -> dict[str, str]:
    """Document id -> its date, for documents that have one."""
    rows = store.query(named_queries()["documents"].text)
    return {row["id"].value: row["date"].value for row in rows if row["date"] is not None}
