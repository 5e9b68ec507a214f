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
from .analysis.signed import Filter, event_date, load_weights
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
    from .extract.gazetteer import load_gazetteer

    return {actor_id: code for code, actor_id in load_gazetteer().iso3.items()}


def country(actor: Actor) -> str | None:
    """The ISO 3166 alpha-3 code of the state behind ``actor`` (itself, or the state a person acts for)."""
    state = actor.rolled_up()
    return _countries().get(state.id) if state.type == "State" else None


def mention_rows(relations: Iterable[Relation], docs: dict[str, DocumentInfo], keep: Filter = Filter(), *,
                 event_of: dict | None = None) -> Iterator[dict]:
    """One row per statement the filter keeps (negated and hypothetical ones included, and marked).

    ``event_of`` maps a relation to its event id and mention count (kg.events), when events are known."""
    for r in relations:
        info = docs.get(r.doc, DocumentInfo())
        if not keep.keeps(r, info.date, asserted_only=False):
            continue
        event, mentions = (event_of or {}).get(r, (None, 1 if r.asserted else 0))
        yield _mention_row(r, info, keep, event, mentions)


def _mention_row(r: Relation, info: DocumentInfo, keep: Filter, event: str | None, mentions: int) -> dict:
    source, target = keep.ends(r)
    return {
        "event": event, "mentions": mentions,
        "date": event_date(r, info.date),
        **_actor_columns("source", source, r.source), **_actor_columns("target", target, r.target),
        "type": r.type, "quad": r.quad, "goldstein": load_weights()[r.type],
        "negated": r.negated, "hypothetical": r.hypothetical, "background": r.background,
        "confidence": r.confidence, "doc": r.doc, "title": info.title, "url": info.url,
        "publisher": info.publisher, "trigger": r.trigger, "evidence": r.sentence,
    }


def _happened(row: dict) -> bool:
    """Only what happened makes an event, and one of no known time is in no timeline."""
    return not (row["negated"] or row["hypothetical"] or (row["background"] and not row["date"]))


def _order(row: dict) -> tuple:
    return row["date"] or "", row["doc"], row["source"], row["type"], row["target"]


def event_rows(rows: Iterable[dict]) -> list[dict]:
    """One row per event: its most confident asserted mention, dated by its earliest, with the count.
    A background statement with a date ("in 1996 ...") is an event of its own, with no event id."""
    best: dict[str, dict] = {}
    earliest: dict[str, str] = {}
    loose: list[dict] = []
    for row in rows:
        if not _happened(row):
            continue
        key = row["event"]
        if key is None:
            loose.append(row)
            continue
        if row["date"] and (key not in earliest or row["date"] < earliest[key]):
            earliest[key] = row["date"]
        if key not in best or row["confidence"] > best[key]["confidence"]:
            best[key] = row
    events = [{**row, "date": earliest.get(key, row["date"])} for key, row in best.items()] + loose
    return sorted(events, key=_order)


def event_table(store: Store, keep: Filter = Filter(), count: str = "events") -> list[dict]:
    """The store's event table: one row per event (``count="events"``) or per mention."""
    return list(table_rows(store, keep, count))


SORTED_RUN = 20_000  # event rows sorted in memory at a time; more are sorted in runs on disk and merged


def table_rows(store: Store, keep: Filter = Filter(), count: str = "events") -> Iterator[dict]:
    """The rows of event_table, in its order (see event_rows), from one pass over the store, document
    by document: it counts each event's mentions and finds its best mention and earliest date, and
    spills the rows that may be written to a temporary file, which a second pass reads back to write
    them. Memory holds a small summary per event, one document and SORTED_RUN rows, never the
    store's relations."""
    from collections import Counter

    from .events import require_events

    require_events(store)
    sizes: Counter = Counter()
    best: dict[str, tuple[float, int]] = {}  # event -> confidence and number of its best mention
    earliest: dict[str, str] = {}
    first: dict[str, int] = {}  # event -> number of its first mention: the order of events before the sort
    names: tuple = ()  # the rows' column names, spilled once: rows read back share them
    with _Spill() as spill:
        for number, (r, info, event) in enumerate(_linked(store, kept_by_document(store, keep)())):
            row = _mention_row(r, info, keep, event, int(r.asserted))
            names = names or tuple(row)
            if event is not None:
                sizes[event] += r.asserted
            if count != "events":
                spill.add((number, tuple(row.values())))
                continue
            if not _happened(row):
                continue
            spill.add((number, tuple(row.values())))  # an event's mention, or a dated background statement
            if event is None:
                continue
            first.setdefault(event, number)
            date = row["date"]
            if date and (event not in earliest or date < earliest[event]):
                earliest[event] = date
            if event not in best or r.confidence > best[event][0]:
                best[event] = (r.confidence, number)
        chosen = {number for _, number in best.values()}

        def rows() -> Iterator[tuple[dict, tuple[int, int]]]:
            for number, values in spill:
                row = dict(zip(names, values))
                event = row["event"]
                if event is not None:
                    row["mentions"] = sizes[event]
                if count != "events":
                    yield row, (0, number)
                elif event is None:
                    yield row, (1, number)  # a dated background statement: an event of its own
                elif number in chosen:
                    yield {**row, "date": earliest.get(event, row["date"])}, (0, first[event])

        if count != "events":
            yield from (row for row, _ in rows())
        else:
            yield from _sorted_on_disk(rows(), key=lambda item: (_order(item[0]), item[1]))


class _Spill:
    """Items written in turn to a temporary file and read back in the same order, once; a context
    manager that deletes the file."""

    def __init__(self) -> None:
        import tempfile

        self._file = tempfile.TemporaryFile()
        self._count = 0

    def add(self, item) -> None:
        import pickle

        pickle.dump(item, self._file, protocol=pickle.HIGHEST_PROTOCOL)
        self._count += 1

    def __iter__(self) -> Iterator:
        import pickle

        self._file.seek(0)
        for _ in range(self._count):
            yield pickle.load(self._file)

    def __enter__(self) -> _Spill:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        self._file.close()


def kept_by_document(store: Store, keep: Filter = Filter()):
    """A function that reads, each time it is called, the relations ``keep`` keeps (negated and
    hypothetical ones included) as (kg.table.DocumentInfo, relations) per document, in document order:
    one document graph at a time, unless --min-relations needs every relation at once."""
    from itertools import groupby

    from .statements import relations_by_document, store_relations

    if keep.min_relations > 1:
        docs = documents(store)
        dates = {doc: info.date for doc, info in docs.items() if info.date}
        kept = keep.select(store_relations(store), dates, asserted_only=False)
        return lambda: ((docs.get(doc, DocumentInfo()), list(group)) for doc, group in groupby(kept, key=lambda r: r.doc))

    def read() -> Iterator[tuple[DocumentInfo, list[Relation]]]:
        for fields, relations in relations_by_document(store):
            info = DocumentInfo(fields["date"], fields["title"], fields["url"], fields["publisher"])
            yield info, [r for r in relations if keep.keeps(r, info.date, asserted_only=False)]

    return read


def _linked(store: Store, documents_kept) -> Iterator[tuple[Relation, DocumentInfo, str | None]]:
    """Each relation with its document and the event it reports (None if it reports none)."""
    import pyoxigraph as ox

    from .rdf import statement_iri
    from .vocab import EVENTS_GRAPH, KG

    reports, events = ox.NamedNode(KG + "reports"), ox.NamedNode(EVENTS_GRAPH)
    for info, relations in documents_kept:
        for r in relations:
            link = next(store.quads_for_pattern(statement_iri(r), reports, None, events), None)
            yield r, info, link.object.value if link is not None else None


def _sorted_on_disk(items: Iterable, key) -> Iterator:
    """``items`` sorted by ``key`` (unique for each item), the first element of each: SORTED_RUN items are
    sorted in memory at a time, and runs beyond the first go to temporary files (_Spill) to be merged."""
    import heapq

    runs: list[_Spill] = []
    held: list = []

    def spill() -> None:
        run = _Spill()
        runs.append(run)
        for item in sorted(held, key=key):
            run.add(item)
        held.clear()

    try:
        for item in items:
            held.append(item)
            if len(held) >= SORTED_RUN:
                spill()
        if not runs:
            yield from (item[0] for item in sorted(held, key=key))
            return
        spill()
        yield from (item[0] for item in heapq.merge(*runs, key=key))
    finally:
        for run in runs:
            run.close()


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
