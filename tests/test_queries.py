"""SPARQL: read-only, named queries, bound parameters."""

import pytest

from kg.errors import QueryError, UnknownActor
from kg.queries import check_read_only, named_queries, query_form, run_query


@pytest.mark.parametrize(
    "text",
    [
        "INSERT DATA { <a:a> <a:b> <a:c> }",
        "insert data { <a:a> <a:b> <a:c> }",
        "  # a comment\n DELETE WHERE { ?s ?p ?o }",
        "PREFIX ex: <http://example.org/>\nBASE <http://example.org/> DROP ALL",
        "PREFIX select: <http://example.org/select#> CLEAR DEFAULT",
        "LOAD <http://example.org/data.ttl>",
        "CREATE GRAPH <a:g>",
        "ADD <a:g> TO <a:h>",
        "MOVE DEFAULT TO <a:g>",
        "COPY <a:g> TO <a:h>",
        "WITH <a:g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }",
        "#SELECT\nDROP GRAPH <a:g>",
    ],
)
def test_queries_updates_are_refused_however_written(text):
    with pytest.raises(QueryError, match="refused"):
        check_read_only(text)


@pytest.mark.parametrize(
    "text, form",
    [
        ("SELECT * WHERE { ?s ?p ?o }", "SELECT"),
        ("PREFIX insert: <http://x/> ASK { ?s ?p ?o }", "ASK"),
        ("# DROP ALL\nCONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", "CONSTRUCT"),
    ],
)
def test_queries_form_is_read_after_the_prologue(text, form):
    assert query_form(text) == form
    check_read_only(text)


def test_queries_named_queries_declare_their_parameters():
    queries = named_queries()
    assert {"neighbors", "evidence", "quad-counts", "actors", "statements", "documents"} <= set(queries)
    assert queries["neighbors"].params == {"actor": "actor"}
    assert all(q.description for q in queries.values())


def test_queries_named_query_with_actor_parameter(seeds_store):
    rows = list(run_query(seeds_store, "neighbors", {"actor": "yerevan"}))
    others = {row["other"].value.rsplit("/", 1)[-1] for row in rows}
    assert {"Russia", "CSTO"} <= others


def test_queries_injection_through_a_parameter_is_an_unknown_actor(seeds_store):
    before = len(seeds_store)
    with pytest.raises(UnknownActor):
        run_query(seeds_store, "neighbors", {"actor": 'Armenia" } ; DROP ALL ; #'})
    assert len(seeds_store) == before


def test_queries_missing_parameter_is_named(seeds_store):
    with pytest.raises(QueryError, match="--param actor="):
        run_query(seeds_store, "neighbors", {})


def test_queries_syntax_error_gives_the_parser_message(seeds_store):
    with pytest.raises(QueryError, match="SPARQL syntax error"):
        run_query(seeds_store, "SELECT ?s WHERE { ?s ?p }")


def test_queries_counts_by_quad(seeds_store):
    rows = {row["quad"].value: int(row["relations"].value) for row in run_query(seeds_store, "quad-counts")}
    assert rows["verbal-conflict"] > rows.get("material-cooperation", 0)
