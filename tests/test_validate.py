"""SHACL validation of a built store, checked chunk by chunk."""

import pyoxigraph as ox
import pytest

from kg.statements import document_graphs
from kg.store import Store
from kg.validate import validate
from kg.vocab import EVENTS_GRAPH, KG

EVENTS = ox.NamedNode(EVENTS_GRAPH)


def kg(name):
    return ox.NamedNode(KG + name)


def test_validate_seeds_store_conforms(seeds_store):
    report = validate(seeds_store)
    assert report.problems == []
    assert report.conforms and report.checked > 20


@pytest.mark.parametrize("chunk", [1, 50, 100_000])
def test_validate_chunks_check_every_node_once(seeds_store, chunk):
    report = validate(seeds_store, chunk=chunk)
    assert report.conforms and report.checked == validate(seeds_store).checked


def plant(store: Store) -> dict[str, str]:
    """Breaks a statement of the last document, and an event through a statement of another graph."""
    last = document_graphs(store)[-1][1]
    statement = next(store.quads_for_pattern(None, kg("evidence"), None, last)).subject
    link = next(store.quads_for_pattern(None, kg("reports"), None, EVENTS))
    negated = next(store.quads_for_pattern(link.subject, kg("negated"), None, None))
    with store.writer() as writer:
        writer.change(list(store.quads_for_pattern(statement, kg("evidence"), None, last)) + [negated],
                      [ox.Quad(negated.subject, negated.predicate, ox.Literal("true", datatype=negated.object.datatype),
                               negated.graph_name)])
    return {"statement": statement.value, "event": link.object.value, "reporter": link.subject.value}


@pytest.mark.parametrize("chunk", [1, 200, 100_000])
def test_validate_finds_what_was_planted_in_any_chunk(store_copy, chunk):
    store = Store(store_copy)
    planted = plant(store)
    report = validate(store, chunk=chunk)
    assert not report.conforms
    problems = {line.split(" ")[0]: line for line in report.problems}
    assert "Less than 1 values" in problems[planted["statement"]] and "#evidence" in problems[planted["statement"]]
    assert "does not conform" in problems[planted["event"]]  # reported by a statement that did not happen
    assert "#negated" in problems[planted["reporter"]]
    assert len(report.problems) == 3
