"""The event table: one row per event (or per mention), the flat shape analysts load into R or pandas.

Columns follow the event-data convention (GDELT, ICEWS, POLECAT): when, who (with the country
code of the state behind them), did what (PLOVER type, quad class, Goldstein weight) to whom, how
sure, and where it was read (document, title, url, the evidence sentence). ``kg export --format
csv`` writes it, ``--format parquet`` too where pyarrow is installed, and ``kg.to_dataframe(store)``
returns it as a pandas DataFrame.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from typing import IO

from .records import Actor, Relation
from .signed import Filter, event_date, load_weights
from .store import Store

COLUMNS = (
    "event", "mentions", "date", "source", "source_label", "source_type", "source_country", "source_person",
    "target", "target_label", "target_type", "target_country", "target_person", "type", "quad", "goldstein",
    "negated", "hypothetical", "background", "confidence", "doc", "title", "url", "publisher", "trigger",
    "evidence",
)


@dataclass(frozen=True)
class DocumentInfo:
    date: str | None = None
    title: str | None = None
    url: str | None = None
    publisher: str | None = None


def documents(store: Store) -> dict[str, DocumentInfo]:
    """Document id -> its date, title, url and publisher."""
    from .queries import named_queries

    rows = store.query(named_queries()["documents"].text)
    value = lambda term: term.value if term is not None else None  # noqa: E731
    return {row["id"].value: DocumentInfo(value(row["date"]), value(row["title"]), value(row["url"]),
                                          value(row["publisher"])) for row in rows}


@cache
def _countries() -> dict[str, str]:
    """State actor id -> ISO 3166 alpha-3 code."""
    from .gazetteer import load_gazetteer

    return {actor_id: code for code, actor_id in load_gazetteer().iso3.items()}


def country(actor: Actor) -> str | None:
    """The ISO 3166 alpha-3 code of the state behind ``actor`` (itself, or the state a person acts for)."""
    state = actor.rolled_up()
    return _countries().get(state.id) if state.type == "State" else None


def mention_rows(relations: Iterable[Relation], docs: dict[str, DocumentInfo], keep: Filter = Filter(), *,
                 event_of: dict | None = None) -> Iterator[dict]:
    """One row per statement the filter keeps (negated and hypothetical ones included, and marked).

    ``event_of`` maps a relation to its event id and mention count (kg.events), when events are known."""
    weights = load_weights()
    for r in relations:
        info = docs.get(r.doc, DocumentInfo())
        if not keep.keeps(r, info.date, asserted_only=False):
            continue
        source, target = keep.ends(r)
        event, mentions = (event_of or {}).get(r, (None, 1 if r.asserted else 0))
        yield {
            "event": event, "mentions": mentions,
            "date": event_date(r, info.date),
            **_actor_columns("source", source, r.source), **_actor_columns("target", target, r.target),
            "type": r.type, "quad": r.quad, "goldstein": weights[r.type],
            "negated": r.negated, "hypothetical": r.hypothetical, "background": r.background,
            "confidence": r.confidence, "doc": r.doc, "title": info.title, "url": info.url,
            "publisher": info.publisher, "trigger": r.trigger, "evidence": r.sentence,
        }


def event_rows(rows: Iterable[dict]) -> list[dict]:
    """One row per event: its most confident asserted mention, dated by its earliest, with the count.
    A background statement with a date ("in 1996 ...") is an event of its own, with no event id."""
    best: dict[str, dict] = {}
    earliest: dict[str, str] = {}
    loose: list[dict] = []
    for row in rows:
        if row["negated"] or row["hypothetical"] or (row["background"] and not row["date"]):
            continue  # only what happened makes an event, and one of no known time is in no timeline
        key = row["event"]
        if key is None:
            loose.append(row)
            continue
        if row["date"] and (key not in earliest or row["date"] < earliest[key]):
            earliest[key] = row["date"]
        if key not in best or row["confidence"] > best[key]["confidence"]:
            best[key] = row
    events = [{**row, "date": earliest.get(key, row["date"])} for key, row in best.items()] + loose
    return sorted(events, key=lambda row: (row["date"] or "", row["doc"], row["source"], row["type"], row["target"]))


def event_table(store: Store, keep: Filter = Filter(), count: str = "events") -> list[dict]:
    """The store's event table: one row per event (``count="events"``) or per mention."""
    from collections import Counter

    from .events import event_links
    from .rdf import statement_iri
    from .statements import store_relations

    docs = documents(store)
    dates = {doc: info.date for doc, info in docs.items() if info.date}
    relations = keep.select(store_relations(store), dates, asserted_only=False)
    links = event_links(store)
    event = {r: links.get(statement_iri(r).value) for r in relations}
    sizes = Counter(e for r, e in event.items() if e is not None and r.asserted)
    event_of = {r: (e, sizes[e]) for r, e in event.items() if e is not None}
    rows = list(mention_rows(relations, docs, keep, event_of=event_of))
    return event_rows(rows) if count == "events" else rows


def to_dataframe(store: Store | str | None = None, keep: Filter = Filter(), count: str = "events"):
    """The event table as a pandas DataFrame (``store`` a Store or its folder; default ``.kg``)."""
    try:
        import pandas as pd
    except ImportError as exc:
        from .errors import KgError

        raise KgError("kg.to_dataframe needs pandas: pip install pandas") from exc
    store = store if isinstance(store, Store) else Store(store)
    frame = pd.DataFrame(event_table(store, keep, count), columns=list(COLUMNS))
    return frame.astype({"mentions": "int64", "goldstein": "float64", "confidence": "float64"})


def _actor_columns(end: str, actor: Actor, stated: Actor) -> dict:
    return {
        end: actor.id, f"{end}_label": actor.label, f"{end}_type": actor.type, f"{end}_country": country(actor),
        f"{end}_person": stated.label if stated.id != actor.id else None,
    }


def write_csv(rows: Iterable[dict], out: IO[str]) -> None:
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: ("" if v is None else v) for k, v in row.items()})


def write_parquet(rows: Iterable[dict], out: IO[bytes]) -> None:
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError as exc:
        from .errors import KgError

        raise KgError("--format parquet needs pyarrow: pip install pyarrow (or use --format csv)") from exc
    rows = list(rows)
    table = pa.Table.from_pylist(rows, schema=_arrow_schema(pa)) if rows else _arrow_schema(pa).empty_table()
    pq.write_table(table, out)


def _arrow_schema(pa):
    types = {"mentions": pa.int64(), "goldstein": pa.float64(), "confidence": pa.float64(),
             "negated": pa.bool_(), "hypothetical": pa.bool_(), "background": pa.bool_()}
    return pa.schema([(name, types.get(name, pa.string())) for name in COLUMNS])
