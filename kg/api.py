"""kg's public Python API: what the CLI does, as functions of a store, for notebooks and scripts.

    from kg import api
    api.build(["seeds"], ".kg")
    api.neighbors(".kg", "Armenia")
    api.stance(".kg", "Russia", "Armenia")
    api.to_dataframe(".kg")        # also kg.to_dataframe

Every function takes a store as a kg.Store or the path of its folder, and the analyses take a
kg.Filter (dates, quad classes, relation types, actor filters) as ``keep`` and count events (the
reports of one incident once), or mentions with ``count="mentions"``, as the CLI does. They return the
library's records (dataclasses), networkx graphs, strings or DataFrames; nothing here prints.
"""

from __future__ import annotations

import os
from collections.abc import Iterable

from .analysis.signed import Filter
from .store import Store
from .store import open_store as _open_store

StoreLike = Store | str | os.PathLike


def open_store(store: StoreLike | None = None) -> Store:
    """A Store from a Store, a folder path or an http(s):// address (default ``.kg``, or ``KG_STORE``)."""
    return _open_store(store)


def build(paths: Iterable[str | os.PathLike], store: StoreLike | None = None, **options):
    """Extracts relations from the documents at ``paths`` into the store (``kg build``); returns the
    BuildReport. ``options`` are kg.build.build's: rebuild, workers, default_date, gazetteers, ..."""
    from pathlib import Path

    from .build import build as run_build

    return run_build([Path(p) for p in paths], open_store(store), **options)


def query(store: StoreLike | None, sparql: str, **params) -> list[dict[str, str | None]]:
    """Runs a SPARQL SELECT (or a named query of ontology/queries/, by name) with bound parameters;
    rows as dicts of plain strings (IRIs and literal values)."""
    from .queries import named_queries, run_query

    opened = open_store(store)
    rows = run_query(opened, sparql, params) if sparql in named_queries() else opened.query(sparql)
    variables = [v.value for v in rows.variables]
    return [{name: (row[name].value if row[name] is not None else None) for name in variables} for row in rows]


def relations(store: StoreLike | None = None, keep: Filter | None = None, count: str = "mentions"):
    """The store's relations (kg.records.Relation): every statement, or with ``keep`` those it keeps;
    with ``count="events"`` one per event (the most confident mention), as the analyses count."""
    from .statements import statement_dates, store_relations

    if count not in ("events", "mentions"):
        raise ValueError(f"count is 'events' or 'mentions', not {count!r}")
    opened = open_store(store)
    found = store_relations(opened)
    if count == "events":
        from .events import event_links, one_per_event

        dates = statement_dates(opened)
        found, _ = one_per_event(found, event_links(opened), dates, keep or Filter())
        return (keep or Filter()).select(found, dates)
    return keep.select(found, statement_dates(opened)) if keep is not None else found


def neighbors(store: StoreLike | None, actor: str, **options):
    """Who ``actor`` (any name, alias or Wikidata id) deals with: (ActorRef, list of Neighbor)."""
    from .neighbors import neighbors as find_neighbors

    return find_neighbors(open_store(store), actor, **options)


def stance(store: StoreLike | None, actor_a: str, actor_b: str, keep: Filter | None = None, top: int = 5,
           count: str = "events"):
    """How two actors (any names) stand towards each other: a kg.analysis.stance.Stance."""
    from .lookup import find_actor
    from .analysis.stance import stance as dyad
    from .statements import statement_dates

    opened, keep = open_store(store), keep or Filter()
    a, b = find_actor(opened, actor_a), find_actor(opened, actor_b)
    keep = keep.named(*[ref.id for ref in (a, b) if ref.type == "Person"])
    return dyad(relations(opened, keep, count), a.id, b.id, statement_dates(opened), keep, top=top)


def alliances(store: StoreLike | None = None, keep: Filter | None = None, k_max: int = 4, count: str = "events"):
    """Blocs of the signed actor graph: a kg.analysis.alliances.Partition (with what it could not place)."""
    from .analysis.alliances import blocs
    from .analysis.signed import signed_graph
    from .statements import statement_dates

    keep = keep or Filter()
    opened = open_store(store)
    return blocs(signed_graph(relations(opened, keep, count), statement_dates(opened), keep), k_max=k_max)


def graph(store: StoreLike | None = None, keep: Filter | None = None, count: str = "events"):
    """The actor graph as a networkx MultiDiGraph: one edge per asserted event (or mention), with its
    evidence."""
    from .graph import relations_graph
    from .statements import statement_dates

    keep = keep or Filter()
    opened = open_store(store)
    return relations_graph(relations(opened, keep, count), rollup=keep.rollup, dates=statement_dates(opened),
                           keep_persons=keep.keep_persons)


def html(store: StoreLike | None = None, keep: Filter | None = None, count: str = "events", **options) -> str:
    """The offline HTML page of ``kg export --format html`` (options: top, min_count, color_by, ...)."""
    from .export import html_page, store_aliases
    from .statements import statement_dates

    keep = keep or Filter()
    opened = open_store(store)
    return html_page(relations(opened, keep, count), statement_dates(opened), keep, aliases=store_aliases(opened),
                     **options)


def to_dataframe(store: StoreLike | None = None, keep: Filter | None = None, count: str = "events"):
    """The event table (kg.table.COLUMNS) as a pandas DataFrame: one row per event, or per mention."""
    from .table import to_dataframe as frame

    return frame(open_store(store), keep or Filter(), count)


def plot_stance(store: StoreLike | None, actor_a: str, actor_b: str, output: str | os.PathLike,
                keep: Filter | None = None, count: str = "events"):
    """``kg plot stance`` as a PNG at ``output``: cooperation and conflict by month; returns its path."""
    from pathlib import Path

    from .lookup import find_actor
    from .plot import plot_stance as draw

    opened = open_store(store)
    a, b = find_actor(opened, actor_a), find_actor(opened, actor_b)
    return draw(stance(opened, actor_a, actor_b, keep, count=count), {a.id: a.label, b.id: b.label}, Path(output))
