"""Streaming exports: the same content as the whole store read at once, written graph by graph and
document by document."""

import io
import json

import pyoxigraph as ox
import pytest

from kg import export as export_module
from kg import table
from kg.export import export, relation_json
from kg.analysis.signed import Filter
from kg.statements import document_graphs, named_graphs, relations_by_document, store_relations
from kg.table import documents, event_rows, mention_rows, table_rows


def exported(store, fmt, **options) -> bytes:
    out = io.BytesIO()
    export(store, fmt, out, **options)
    return out.getvalue()


def whole_jsonl(store, keep=Filter()) -> list[str]:
    """What jsonl was when the export read every relation first (kg before streaming)."""
    docs = documents(store)
    dates = {doc: info.date for doc, info in docs.items() if info.date}
    return [json.dumps(relation_json(r, docs.get(r.doc)), ensure_ascii=False)
            for r in keep.select(store_relations(store), dates, asserted_only=False)]


def whole_table(store, keep=Filter(), count="events") -> list[dict]:
    """What the event table was when it read every relation first (kg before streaming)."""
    from collections import Counter

    from kg.events import event_links
    from kg.rdf import statement_iri

    docs = documents(store)
    dates = {doc: info.date for doc, info in docs.items() if info.date}
    relations = keep.select(store_relations(store), dates, asserted_only=False)
    links = event_links(store)
    event = {r: links.get(statement_iri(r).value) for r in relations}
    sizes = Counter(e for r, e in event.items() if e is not None and r.asserted)
    rows = list(mention_rows(relations, docs, keep, event_of={r: (e, sizes[e]) for r, e in event.items() if e}))
    return event_rows(rows) if count == "events" else rows


@pytest.mark.parametrize("run", [2, 20_000])  # documents put in order in memory, or in runs on disk
def test_export_relations_by_document_are_those_of_store_relations(seeds_store, monkeypatch, run):
    from kg import table

    monkeypatch.setattr(table, "SORTED_RUN", run)
    streamed = [(fields["id"], r) for fields, relations in relations_by_document(seeds_store) for r in relations]
    assert [r for _, r in streamed] == store_relations(seeds_store)
    assert all(doc == r.doc for doc, r in streamed)
    ids = [doc for doc, _ in document_graphs(seeds_store)]
    assert ids == sorted(ids) and len(ids) == len(documents(seeds_store))


@pytest.mark.parametrize("keep", [Filter(), Filter(since="2023-03"), Filter(min_relations=2),
                                  Filter(actor_types=frozenset({"State"}))])
def test_export_jsonl_streamed_equals_the_whole_store_read_at_once(seeds_store, keep):
    lines = exported(seeds_store, "jsonl", keep=keep).decode("utf-8").splitlines()
    assert lines and lines == whole_jsonl(seeds_store, keep)


def test_export_nquads_hold_every_quad_once_graph_by_graph(seeds_store):
    text = exported(seeds_store, "nq")
    quads = list(ox.parse(text, ox.RdfFormat.N_QUADS))
    assert sorted(map(str, quads)) == sorted(map(str, seeds_store.quads()))
    graphs = [q.graph_name.value for q in quads]
    starts = [g for i, g in enumerate(graphs) if i == 0 or graphs[i - 1] != g]
    assert starts == [g.value for g in named_graphs(seeds_store)]  # each graph once, in IRI order
    assert text == exported(seeds_store, "nq")


def test_export_nquads_sort_a_large_graph_in_runs_of_whole_subjects(seeds_store, monkeypatch):
    monkeypatch.setattr(export_module, "SORTED_RUN", 5)
    quads = list(ox.parse(exported(seeds_store, "nq"), ox.RdfFormat.N_QUADS))
    assert sorted(map(str, quads)) == sorted(map(str, seeds_store.quads()))
    subjects = [(q.graph_name, q.subject) for q in quads]
    changes = [s for i, s in enumerate(subjects) if i == 0 or subjects[i - 1] != s]
    assert len(changes) == len(set(changes))  # a subject's quads stay together


def test_export_turtle_holds_each_merged_triple_once(seeds_store):
    triples = [q.triple for q in ox.parse(exported(seeds_store, "ttl"), ox.RdfFormat.TURTLE)]
    merged = {q.triple for q in seeds_store.quads()}
    assert len(triples) == len(merged) and set(triples) == merged
    assert len(merged) < sum(1 for _ in seeds_store.quads())  # edges stated by several documents


@pytest.mark.parametrize("count", ["events", "mentions"])
@pytest.mark.parametrize("keep", [Filter(), Filter(until="2023-03"), Filter(min_relations=3),
                                  Filter(actor_types=frozenset({"State"}), rollup=False)])
def test_export_event_table_streamed_equals_the_whole_store_read_at_once(seeds_store, keep, count):
    assert list(table_rows(seeds_store, keep, count)) == whole_table(seeds_store, keep, count)


@pytest.mark.parametrize("count", ["events", "mentions"])
@pytest.mark.parametrize("keep", [Filter(), Filter(until="2023-03")])
def test_export_event_table_sorted_in_runs_on_disk_is_the_same(seeds_store, monkeypatch, keep, count):
    whole = whole_table(seeds_store, keep, count)
    monkeypatch.setattr(table, "SORTED_RUN", 4)
    assert len(whole) > 4 * 3 and list(table_rows(seeds_store, keep, count)) == whole
    if (keep, count) != (Filter(), "events"):
        return
    csv = exported(seeds_store, "csv").decode("utf-8").splitlines()
    assert len(csv) == len(whole) + 1 and csv[1].split(",")[2] == whole[0]["date"]
