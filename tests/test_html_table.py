"""The HTML graph of a store drawn from the dyad table (kg.export.store_html_page): the same page as
from every statement, the statements read only for the edges drawn, and back to the statements when
the table is stale or cannot answer; which documents a page reads its evidence from (kg.graph)."""

import json
import re

import pytest

from kg.analysis.signed import Filter
from kg.export import html_page, store_aliases, store_html_page


def page_data(page: str) -> dict:
    return json.loads(re.search(r'id="kg-data">(.*?)</script>', page, re.S).group(1))


def from_statements(store, keep=Filter(), count="events", **options):
    """The page as kg drew it before the table: from every statement (kg.analysis.inputs.all_relations)."""
    from kg.analysis.inputs import all_relations

    relations, dates, counted = all_relations(store, keep, count)
    return html_page(relations, dates, keep, aliases=store_aliases(store), unit=count, **options), counted


def table_page(store, monkeypatch, keep=Filter(), count="events", **options):
    """store_html_page's page, failing if it reads every statement."""
    import kg.analysis.inputs

    def scan(*args, **kwargs):
        raise AssertionError("read every statement")

    with monkeypatch.context() as patched:
        patched.setattr(kg.analysis.inputs, "all_relations", scan)
        return store_html_page(store, keep, count, **options)


@pytest.mark.parametrize("keep, count, options", [
    (Filter(), "events", {}),
    (Filter(), "mentions", {}),
    (Filter(), "events", {"color_by": "type", "top": 0}),
    (Filter(), "events", {"min_count": 2}),
    (Filter(), "events", {"center": "Armenia", "depth": 2}),
    (Filter(), "events", {"center": "Armenia", "min_count": 2, "top": 5}),
    (Filter(quads=frozenset({"material-conflict"})), "events", {}),
    (Filter(since="2023-03"), "events", {}),
    (Filter(since="2023-01-15", until="2023-04-30"), "mentions", {}),
    (Filter(actor_types=frozenset({"State"}), min_relations=3), "mentions", {}),
])
def test_html_table_page_is_the_page_of_every_statement(seeds_store, keep, count, options, monkeypatch):
    from kg.output import count_note

    page, counted = table_page(seeds_store, monkeypatch, keep, count, **options)
    expected, expected_counted = from_statements(seeds_store, keep, count, **options)
    assert page_data(page)["edges"]
    assert page == expected
    assert count_note(count, *counted) == count_note(count, *expected_counted)  # the line under the command


def test_html_table_page_reads_statements_when_the_table_cannot_answer(seeds_store):
    keep = Filter(rollup=False)  # the table rolls persons up
    page, counted = store_html_page(seeds_store, keep)
    assert (page, counted) == from_statements(seeds_store, keep)
    assert any(n["type"] == "Person" for n in page_data(page)["nodes"])


def test_html_table_page_reads_statements_when_the_table_is_stale(store_copy):
    from kg.dyads import is_current, mark_stale
    from kg.store import Store

    with Store(store_copy).writer() as writer:
        mark_stale(writer)
    store = Store(store_copy)
    assert not is_current(store)
    assert store_html_page(store) == from_statements(store)


def test_html_table_evidence_is_read_only_for_the_edges_drawn(seeds_store, monkeypatch):
    import kg.statements

    asked = []
    read = kg.statements.document_relations

    def spy(store, documents, actors=None):
        documents = list(documents)
        asked.extend(doc.value for doc in documents)
        return read(store, documents, actors)

    monkeypatch.setattr(kg.statements, "document_relations", spy)
    page, _ = table_page(seeds_store, monkeypatch, top=2)
    data = page_data(page)
    a, b = (n["id"] for n in data["nodes"])
    assert {(e["from"], e["to"]) for e in data["edges"]} == {(a, b), (b, a)}
    assert all(e["evidence"] for e in data["edges"])
    documents = {doc.value for _, doc in kg.statements.document_graphs(seeds_store)}
    assert asked and set(asked) < documents  # only the documents of the pair drawn


def test_html_table_evidence_within_a_budget_of_documents(seeds_store, monkeypatch):
    import kg.graph
    from kg.analysis.inputs import table_rows
    from kg.analysis.signed import dyad_digraph
    from kg.graph import read_evidence

    rows, actors, _ = table_rows(seeds_store)
    graph = dyad_digraph(rows, actors)
    edges = list(graph.edges())
    full, documents_only = graph.copy(), graph.copy()
    assert read_evidence(seeds_store, full, edges, rows, actors) == 5  # every document: fewer than the budget
    assert read_evidence(seeds_store, graph, edges, rows, actors, documents=1) == 1
    for u, v in edges:  # what one document and the rows' strongest statements give is part of what all give
        assert all(e in full.edges[u, v]["evidence"] for e in graph.edges[u, v]["evidence"])
    # every edge has a sentence: one the document left without, its heaviest row's strongest
    assert all(graph.edges[e]["evidence"] for e in edges) and all(full.edges[e]["evidence"] for e in edges)
    monkeypatch.setattr(kg.graph, "_strongest_evidence", lambda *args: None)
    read_evidence(seeds_store, documents_only, edges, rows, actors, documents=1)
    assert 0 < sum(bool(documents_only.edges[e]["evidence"]) for e in edges) < len(edges)
    # the counts stay the table's whatever evidence was read
    assert all(graph.edges[e]["types"] == full.edges[e]["types"] for e in edges)


def test_html_table_evidence_is_chosen_among_each_edge_s_first_documents(seeds_store, monkeypatch):
    import kg.graph
    from kg.analysis.inputs import table_rows
    from kg.analysis.signed import dyad_digraph
    from kg.dyads import key_text
    from kg.graph import read_evidence
    from kg.vocab import RELATION_TYPES

    rows, actors, _ = table_rows(seeds_store)
    graph = dyad_digraph(rows, actors)
    edges = list(graph.edges())
    chosen_among = []
    cover = kg.graph._cover
    monkeypatch.setattr(kg.graph, "_cover", lambda by_edge, *args: chosen_among.append(by_edge) or cover(by_edge, *args))
    monkeypatch.setattr(kg.graph, "CANDIDATES", 1)
    assert read_evidence(seeds_store, graph, edges, rows, actors, max_evidence=1, documents=2) == 2
    first = {}
    for row in rows:  # an edge's first document: the smallest key of its rows'
        key = (actors[row.source].id, actors[row.target].id, RELATION_TYPES[row.type].quad)
        if (key[0], key[1]) in edges and len(row.docs):
            first[key] = min([first.get(key, row.docs[0]), row.docs[0]])
    assert [{key: {key_text(d) for d in docs} for key, docs in by_edge.items()} for by_edge in chosen_among] == \
        [{key: {key_text(d)} for key, d in first.items()}]
    assert all(graph.edges[e]["evidence"] for e in edges)


def test_html_table_cover_takes_the_document_that_serves_most_edges_first():
    from kg.graph import _cover

    by_edge = {("A", "B", "verbal-conflict"): {"d1", "d2"}, ("B", "A", "verbal-conflict"): {"d2"},
               ("C", "A", "material-conflict"): {"d3", "d4"}}
    assert _cover(by_edge, 1, 5) == {"d2"}  # serves two edges
    assert _cover(by_edge, 2, 5) == {"d2", "d3"}  # then one for the third edge, the smallest key
    assert _cover(by_edge, 3, 5) == {"d1", "d2", "d3"}  # then more for each, up to the most asked
    assert _cover(by_edge, 10, 1) == {"d2", "d3"}  # one each was asked: no more
    assert _cover(by_edge, 0, 5) == set()


def test_html_table_an_edge_s_first_documents_are_distinct_even_from_rows_out_of_order():
    from array import array

    from kg.graph import _first_keys

    assert _first_keys([array("Q", [1, 4, 9]), array("Q", [4, 5])], 3) == [1, 4, 5]
    assert _first_keys([array("Q", [7, 1, 7]), [1]], 5) == [1, 7]  # a row edited by hand: out of order


@pytest.mark.parametrize("top, focus", [(2, None), (3, "European_Union"), (0, None)])
def test_html_table_drawn_actors_are_the_nodes_the_page_draws(seeds_store, top, focus):
    from kg.analysis.inputs import table_rows
    from kg.analysis.signed import dyad_digraph
    from kg.export import drawn_actors, graph_data

    rows, actors, _ = table_rows(seeds_store)
    graph = dyad_digraph(rows, actors)
    drawn = drawn_actors(graph, top=top, focus=focus)
    assert drawn == [n["id"] for n in graph_data(graph, top=top, focus=focus)["nodes"]]
    assert len(drawn) == (top or graph.number_of_nodes()) and (focus is None or drawn[0] == focus)
