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


SORTED_RUN = 20_000  # rows (or notes) sorted in memory at a time; more are sorted in runs on disk and merged


def table_rows(store: Store, keep: Filter = Filter(), count: str = "events") -> Iterator[dict]:
    """The rows of event_table, in its order (see event_rows), from one pass over the store, document
    by document, in memory bounded however many events the store holds. The pass spills each row it
    may write to a temporary file, in the store's order, and notes each mention of an event (its
    number, confidence and date) in a sorter that gives them back event by event; read back, the
    notes give each event's mentions, best mention and earliest date, which are joined to the
    spilled rows by number. Memory holds one document and SORTED_RUN rows or notes at a time, never
    the store's relations nor a summary of every event."""
    from .events import require_events

    require_events(store)
    names: tuple = ()  # the rows' column names, spilled once: rows read back share them
    by_event = count == "events"
    with _Spill() as spill, _Sorter(key=lambda note: note[:2]) as notes:
        for number, (r, info, event) in enumerate(_linked(store, kept_by_document(store, keep)())):
            row = _mention_row(r, info, keep, event, int(r.asserted))
            names = names or tuple(row)
            happened = _happened(row)
            if event is not None:  # (event, number, counts as a mention, may be the event's row, confidence, date)
                notes.add((event, number, r.asserted, happened, r.confidence, row["date"]))
            if happened or not by_event:  # an event's mention, a dated background statement, or any row by mention
                spill.add((number, tuple(row.values())))
        with _Sorter(key=lambda summary: summary[0]) as summaries:
            for summary in _summaries(notes, by_event):
                summaries.add(summary)
            joined = _joined(spill, names, iter(summaries), by_event)
            if not by_event:
                yield from joined
                return
            with _Sorter(key=lambda item: (_order(item[0]), item[1])) as ordered:
                for row in joined:
                    ordered.add((row, row.pop("_key")))
                yield from (row for row, _ in ordered)


def _summaries(notes: Iterable[tuple], by_event: bool) -> Iterator[tuple]:
    """From the notes of _Sorter, event by event: by event, (number of its row, mentions, earliest
    date, number of its first mention) for each event with a row, the row its most confident mention
    (the first of equals); by mention, (number, mentions) for each of its mentions."""
    from itertools import groupby

    for _, group in groupby(notes, key=lambda note: note[0]):
        group = list(group)  # one event's mentions
        mentions = sum(1 for note in group if note[2])
        if not by_event:
            yield from ((note[1], mentions) for note in group)
            continue
        rows = [note for note in group if note[3]]
        if not rows:
            continue
        best = max(rows, key=lambda note: (note[4], -note[1]))
        dates = [note[5] for note in rows if note[5]]
        yield best[1], mentions, min(dates) if dates else None, rows[0][1]


def _joined(spill: _Spill, names: tuple, summaries: Iterator[tuple], by_event: bool) -> Iterator[dict]:
    """The spilled rows (in number order) to be written, joined with their events' summaries (in
    number order): by event, each event's row and each dated background statement, with a "_key"
    that places it among rows of equal order (an event by its first mention, before background
    statements); by mention, every row."""
    summary = next(summaries, None)
    for number, values in spill:
        row = dict(zip(names, values))
        if row["event"] is None:
            if by_event:
                row["_key"] = (1, number)  # a dated background statement: an event of its own
            yield row
            continue
        while summary is not None and summary[0] < number:
            summary = next(summaries, None)
        if summary is None or summary[0] != number:
            continue  # another mention of an event whose row is elsewhere
        row["mentions"] = summary[1]
        if by_event:
            _, _, earliest, first = summary
            row["date"] = earliest or row["date"]
            row["_key"] = (0, first)
        yield row


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


class _Sorter:
    """Items given back sorted by ``key`` (unique for each item), once: SORTED_RUN are sorted in memory
    at a time, and runs beyond the first go to temporary files (_Spill) to be merged. A context
    manager that deletes the files."""

    def __init__(self, key) -> None:
        self._key = key
        self._held: list = []
        self._runs: list[_Spill] = []

    def add(self, item) -> None:
        self._held.append(item)
        if len(self._held) >= SORTED_RUN:
            self._spill()

    def _spill(self) -> None:
        run = _Spill()
        self._runs.append(run)
        for item in sorted(self._held, key=self._key):
            run.add(item)
        self._held.clear()

    def __iter__(self) -> Iterator:
        import heapq

        if not self._runs:
            yield from sorted(self._held, key=self._key)
            return
        if self._held:
            self._spill()
        yield from heapq.merge(*self._runs, key=self._key)

    def __enter__(self) -> _Sorter:
        return self

    def __exit__(self, *exc) -> None:
        for run in self._runs:
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
