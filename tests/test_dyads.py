"""The dyad table (kg.dyads): counts kept by every build, which answer as the statements would."""

from __future__ import annotations

import json
import shutil

import pytest

from kg.build import build
from kg.cli import cli
from kg.dyads import actor_counts, dyad_rows, is_current
from kg.events import event_links, one_per_event
from kg.lookup import find_actor
from kg.neighbors import neighbors
from kg.analysis.signed import Filter, dyad_digraph, select_rows, signed_digraph, table_answers, thin_out
from kg.statements import statement_dates, store_actors, store_relations
from kg.store import Store

from tests.conftest import SEEDS


def edges(graph):
    return {(u, v): (round(d["weight"], 6), d["count"], dict(d["types"]), len(d["docs"]))
            for u, v, d in graph.edges(data=True)}


def from_statements(store, keep, count="events"):
    relations, dates = store_relations(store), statement_dates(store)
    kept, _ = one_per_event(relations, event_links(store) if count == "events" else {}, dates, keep)
    return signed_digraph(keep.select(kept, dates), dates, keep)


def from_table(store, keep, count="events"):
    actors = store_actors(store)
    rows = thin_out(select_rows(dyad_rows(store, monthly=bool(keep.since or keep.until)), actors, keep),
                    keep.min_relations, count)
    return dyad_digraph(rows, actors, count)


@pytest.mark.parametrize("keep", [
    Filter(),
    Filter(since="2023-03"),
    Filter(until="2023-02", quads=frozenset({"verbal-conflict"})),
    Filter(relations=frozenset({"ACCUSE", "ALLY_OF"})),
    Filter(actor_types=frozenset({"State"})),
    Filter(min_relations=3),
], ids=["all", "since", "until-quad", "types", "states", "min-relations"])
@pytest.mark.parametrize("count", ["events", "mentions"])
def test_dyads_table_gives_the_signed_graph_the_statements_give(seeds_store, keep, count):
    assert edges(from_table(seeds_store, keep, count)) == edges(from_statements(seeds_store, keep, count))


def test_dyads_table_answers_only_filters_it_can(seeds_store):
    assert table_answers(Filter(since="2023-03", until="2023"))
    assert table_answers(Filter(since="2023-03-15"))  # finer than a month: the months it cuts are recounted
    assert not table_answers(Filter(rollup=False))
    assert not table_answers(Filter().named("Nikol_Pashinyan"))
    assert not table_answers(Filter(exclude=frozenset({"Nikol_Pashinyan"})), {"Nikol_Pashinyan"})


def test_dyads_neighbors_from_the_table_equal_neighbors_from_the_statements(seeds_store):
    names = [a.label for a in store_actors(seeds_store).values() if a.type != "Person"]
    assert len(names) > 5
    for name in names:
        for count in ("events", "mentions"):
            _, read = neighbors(seeds_store, name, count=count)
            _, counted = neighbors(seeds_store, name, count=count, evidence=False)
            assert [(n.actor_id, n.relation, n.direction, n.events, n.mentions) for n in counted] == \
                   [(n.actor_id, n.relation, n.direction, n.events, n.mentions) for n in read], (name, count)
            assert all(not n.evidence for n in counted) and all(n.evidence for n in read)


def test_dyads_an_actor_s_total_rows_are_its_monthly_rows_summed(seeds_store):
    armenia = find_actor(seeds_store, "Armenia").iri
    whole = [r for r in dyad_rows(seeds_store) if armenia in (r.source, r.target)]
    assert whole
    assert all(r.events <= r.mentions and r.documents >= 1 and r.period is None for r in whole)
    monthly = [r for r in dyad_rows(seeds_store, monthly=True) if armenia in (r.source, r.target)]
    assert {r.period for r in monthly} <= {"2023-01", "2023-02", "2023-03", "2023-04", "2023-05"}
    # the totals are the months summed (events and mentions), their documents the months' together
    for total in whole:
        months = [r for r in monthly if (r.source, r.target, r.type) == (total.source, total.target, total.type)]
        assert total.events == sum(r.events for r in months) and total.mentions == sum(r.mentions for r in months)
        assert set(total.docs) == {d for r in months for d in r.docs}


def test_dyads_actor_counts_equal_the_counting_query(seeds_store):
    from kg.queries import named_queries

    counted = {row["actor"].value: (int(row["relations"].value), int(row["events"].value))
               for row in seeds_store.query(named_queries()["actors"].text)}
    table = actor_counts(seeds_store)
    assert {a: (c.relations, c.events) for a, c in table.items()} == {a: n for a, n in counted.items() if n[0]}


def test_dyads_an_interrupted_build_leaves_the_table_stale_and_analyses_still_right(tmp_path, nlp, runner):
    corpus = tmp_path / "corpus"
    shutil.copytree(SEEDS, corpus)
    path = tmp_path / "store"

    def interrupt_after_three(report):
        if report.extracted == 3:
            raise KeyboardInterrupt

    build([corpus], Store(path), nlp=nlp, batch_documents=1, on_progress=None)
    assert is_current(Store(path))
    (corpus / "006_added.txt").write_text("Russia accused Armenia of sabotage. Armenia condemned Russia.\n"
                                          "Azerbaijan threatened Armenia.\n", encoding="utf-8")
    for doc in sorted(corpus.glob("00[1-2]*.txt")):
        doc.write_text(doc.read_text(encoding="utf-8") + "\nArmenia praised the European Union.\n", encoding="utf-8")
    with pytest.raises(KeyboardInterrupt):
        build([corpus], Store(path), nlp=nlp, batch_documents=1, on_progress=interrupt_after_three)
    stale = Store(path)
    assert not is_current(stale) and dyad_rows(stale) is None and actor_counts(stale) is None
    # every command still answers, from the statements
    result = runner.invoke(cli, ["central", "--store", str(path), "--format", "json"])
    assert result.exit_code == 0, result.output
    _, read = neighbors(stale, "Armenia")
    _, counted = neighbors(stale, "Armenia", evidence=False)
    assert [(n.actor_id, n.relation, n.count) for n in counted] == [(n.actor_id, n.relation, n.count) for n in read]
    build([corpus], Store(path), nlp=nlp)
    fresh = Store(path)
    assert is_current(fresh)
    assert edges(from_table(fresh, Filter())) == edges(from_statements(fresh, Filter()))
    _, after = neighbors(fresh, "Armenia", evidence=False)
    assert ("European_Union", "SUPPORT") in {(n.actor_id, n.relation) for n in after}  # PLOVER: praise
    assert json.loads(result.output)


def test_dyads_a_replaced_document_takes_its_rows_with_it(tmp_path, nlp):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    doc = corpus / "one.txt"
    doc.write_text("Russia accused Armenia of sabotage on Monday.\n", encoding="utf-8")
    path = tmp_path / "store"
    build([corpus], Store(path), nlp=nlp)
    assert {(r.type, r.mentions) for r in dyad_rows(Store(path), monthly=True)} == {("ACCUSE", 1)}
    doc.write_text("Russia praised Armenia on Monday.\n", encoding="utf-8")  # PLOVER: SUPPORT
    build([corpus], Store(path), nlp=nlp)
    store = Store(path)
    assert {r.type for r in dyad_rows(store)} == {r.type for r in dyad_rows(store, monthly=True)} == {"SUPPORT"}
    assert {(a.rsplit("/", 1)[-1], c.relations) for a, c in actor_counts(store).items()} == {("Russia", 1), ("Armenia", 1)}


def test_dyads_documents_are_found_by_their_keys_through_the_index_and_without_them(store_copy, monkeypatch):
    import pyoxigraph as ox

    from kg import dyads
    from kg.vocab import KG

    store = Store(store_copy)
    keys = {key for row in dyad_rows(store) for key in row.docs}
    assert len(keys) == 5
    scans = []
    scan = dyads._documents_by_scan
    monkeypatch.setattr(dyads, "_documents_by_scan", lambda store, wanted: scans.append(wanted) or scan(store, wanted))
    found = dyads.documents_by_key(store, keys)
    assert {key: dyads.doc_key(graph.value) for key, graph in found.items()} == {key: key for key in keys}
    assert not scans  # every key was one lookup
    with store.writer() as writer:  # documents written before they stated their keys
        writer.remove(list(writer.quads_for_pattern(None, ox.NamedNode(KG + "documentKey"), None, None)))
    assert dyads.documents_by_key(Store(store_copy), keys) == found and scans == [keys]
    assert dyads.documents_by_key(Store(store_copy), ["not a key"]) == {}


def test_dyads_statements_of_documents_between_two_actors_are_those_of_the_whole_documents(seeds_store):
    from kg.dyads import documents_by_key
    from kg.rdf import actor_iri
    from kg.statements import document_relations, persons_of

    graphs = documents_by_key(seeds_store, {key for row in dyad_rows(seeds_store) for key in row.docs}).values()
    whole = document_relations(seeds_store, graphs)
    russia, armenia = (find_actor(seeds_store, name).iri for name in ("Russia", "Armenia"))
    ends = [russia] + persons_of(seeds_store, russia), [armenia] + persons_of(seeds_store, armenia)
    between = document_relations(seeds_store, graphs, between=ends)
    expected = [r for r in whole.relations
                if {actor_iri(r.source).value, actor_iri(r.target).value} & set(ends[0])
                and {actor_iri(r.source).value, actor_iri(r.target).value} & set(ends[1])]
    assert between.relations == expected and len(expected) < len(whole.relations)
    assert {r.source.id for r in expected} >= {"Russia", "Armenia"}


def test_dyads_actors_are_found_through_their_name_keys_and_without_them(store_copy):
    import pyoxigraph as ox

    from kg.vocab import ACTORS_GRAPH, KG

    store = Store(store_copy)
    for name in ("armenia", "  Yerevan ", "Q399", "Collective Security Treaty Organization", "Pashinyan"):
        assert find_actor(store, name).id in ("Armenia", "CSTO", "Nikol_Pashinyan")
    with store.writer() as writer:  # a store written before name keys: lookup reads every name instead
        writer.remove(list(writer.quads_for_pattern(None, ox.NamedNode(KG + "nameKey"), None,
                                                    ox.NamedNode(ACTORS_GRAPH))))
    store = Store(store_copy)
    assert find_actor(store, "yerevan").id == "Armenia"
    assert find_actor(store, "Pashinyan").id == "Nikol_Pashinyan"


def test_dyads_stance_and_path_read_only_the_dyads_they_need(seeds_store, runner, seeds_store_path):
    stance = runner.invoke(cli, ["stance", "Russia", "Armenia", "--store", str(seeds_store_path), "--format", "json"])
    assert stance.exit_code == 0, stance.output
    payload = json.loads(stance.output)
    # the counts are those of the whole-graph path: the pair's events in the signed digraph
    graph = from_statements(seeds_store, Filter())
    structural = {"ALLY_OF", "MEMBER_OF"}
    forward = {t: n for t, n in graph.edges["Russia", "Armenia"]["types"].items() if t not in structural}
    assert payload["directions"][0]["counts"] == dict(sorted(forward.items()))
    path = runner.invoke(cli, ["path", "European Union", "Russia", "--store", str(seeds_store_path)])
    assert path.exit_code == 0 and path.output.startswith("path 1: European Union - Armenia - Russia"), path.output


def stance_summary(result):
    def side(d):
        return dict(d.counts), dict(d.structural), round(d.score, 6), round(d.cooperation, 6), round(d.conflict, 6)
    return (side(result.forward), side(result.backward), result.undated,
            [(m.month, round(m.cooperation, 6), round(m.conflict, 6), m.relations) for m in result.timeline],
            [(e.relation.doc, e.relation.start, e.relation.type, e.relation.source.id, e.relation.target.id, e.date)
             for e in result.evidence])


@pytest.mark.parametrize("keep", [
    Filter(),
    Filter(quads=frozenset({"verbal-conflict", "material-conflict"})),
    Filter(relations=frozenset({"ACCUSE", "ALLY_OF", "CONSULT"})),
    Filter(actor_types=frozenset({"State"})),
    Filter(since="2023-03"),
    Filter(since="2023-01", until="2023-03", quads=frozenset({"verbal-conflict", "material-conflict"})),
    Filter(since="2023-01-15", until="2023-04-30"),
], ids=["all", "quads", "types", "states", "since", "window", "days"])
def test_dyads_stance_from_the_table_equals_stance_from_the_statements(seeds_store, keep, monkeypatch):
    from kg.analysis import inputs
    from kg.analysis.stance import stance
    from kg.lookup import ActorRef
    from kg.rdf import actor_iri

    actors = [a for a in store_actors(seeds_store).values() if a.type != "Person"]
    refs = [ActorRef(actor_iri(a).value, a.label, a.type, a.wikidata) for a in actors]
    compared = 0
    for i, a in enumerate(refs):
        for b in refs[i + 1:]:
            relations, dates, counted = inputs.relations_between(seeds_store, a, b, keep)
            expected = stance(relations, a.id, b.id, dates, keep, top=10)
            for top in (10, 3, 1, 0):
                with monkeypatch.context() as patched:  # the table's path reads no statement between them
                    patched.setattr(inputs, "relations_between", None)
                    result, table_counted = inputs.stance_between(seeds_store, a, b, keep, top=top)
                expected.evidence = expected.evidence[:top]
                assert stance_summary(result) == stance_summary(expected), (a.id, b.id, top)
                assert table_counted == counted, (a.id, b.id)
            compared += bool(relations)
    assert compared >= 3


def test_dyads_stance_in_a_window_reads_the_documents_of_a_row_whose_list_may_hide_stronger_evidence(seeds_store, monkeypatch):
    from dataclasses import replace

    from kg import dyads
    from kg.analysis import inputs

    keep = Filter(since="2023-01", until="2023-04")
    a, b = find_actor(seeds_store, "Russia"), find_actor(seeds_store, "Armenia")
    expected, counted = inputs.stance_between(seeds_store, a, b, keep, top=10)
    assert len(expected.evidence) >= 3
    read = []
    original = dyads.documents_by_key

    def reading(store, keys):
        read.append(set(keys))
        return original(store, keys)

    rows = dyads.pair_rows(seeds_store, a.iri, b.iri)
    monkeypatch.setattr(dyads, "documents_by_key", reading)
    for shown in (1, 0):  # as if each row listed only its strongest event, or none, of many
        monkeypatch.setattr(dyads, "pair_rows", lambda *_: [replace(row, strongest=row.strongest[:shown]) for row in rows])
        result, table_counted = inputs.stance_between(seeds_store, a, b, keep, top=10)
        assert stance_summary(result) == stance_summary(expected) and table_counted == counted
    assert read and all(read)
    read.clear()
    monkeypatch.setattr(dyads, "pair_rows", lambda *_: rows)
    inputs.stance_between(seeds_store, a, b, keep, top=10)
    assert not read  # lists that hold every event of their rows need no document


def test_dyads_a_total_row_keeps_the_strongest_statement_of_each_event_whatever_their_order():
    import random

    from kg import dyads

    statements = [((-round(random.Random(n).random(), 2), f"doc{n % 7}", n, f"s{n}"), f"event{n % 13}", f"s{n}")
                  for n in range(60)]
    expected = {}
    for rank, event, statement in sorted(statements):
        expected.setdefault(event, statement)  # each event's lowest rank
    strongest = sorted(expected.values(), key=lambda s: next(r for r, _, t in statements if t == s))[:dyads.STRONGEST]
    for seed in range(20):
        shuffled = statements[:]
        random.Random(seed).shuffle(shuffled)
        best = []
        for rank, event, statement in shuffled:
            dyads._keep_strongest(best, rank, event, statement)
        assert [statement for _, _, statement in best] == strongest


def test_dyads_pair_rows_and_neighbour_summaries_are_the_table_s_rows(seeds_store):
    from kg.dyads import neighbour_summary, pair_rows

    russia, armenia = find_actor(seeds_store, "Russia").iri, find_actor(seeds_store, "Armenia").iri
    whole = dyad_rows(seeds_store)
    assert pair_rows(seeds_store, russia, armenia) == [r for r in whole if {r.source, r.target} == {russia, armenia}]
    summary = neighbour_summary(seeds_store, armenia)
    assert sorted((n.direction, n.type, n.other, n.events, n.mentions) for n in summary) == sorted(
        ("out" if r.source == armenia else "in", r.type, r.target if r.source == armenia else r.source, r.events,
         r.mentions) for r in whole if armenia in (r.source, r.target))
    for row in whole:  # a total row's periods sum to it, and names no more evidence than it has events
        assert sum(e for _, e, _ in row.periods) == row.events and sum(m for _, _, m in row.periods) == row.mentions
        assert 1 <= len(row.strongest) <= min(row.events, 10)


def test_dyads_actors_read_by_iri_are_the_actors_graph_s(seeds_store):
    from kg.statements import actors_of

    every = store_actors(seeds_store)
    assert actors_of(seeds_store, every) == every
    some = actors_of(seeds_store, [find_actor(seeds_store, "Pashinyan").iri])
    assert {a.id for a in some.values()} == {"Nikol_Pashinyan", "Armenia"}  # and whom he acts for
    assert all(a.represents == every[iri].represents for iri, a in some.items())


@pytest.mark.parametrize("keep", [Filter(since="2023-03"), Filter(until="2023-02", quads=frozenset({"verbal-conflict"})),
                                  Filter(since="2023", until="2023-04", min_relations=2),
                                  Filter(since="2023-01-15"), Filter(until="2023-01-15", quads=frozenset({"verbal-conflict"})),
                                  Filter(since="2023-01-13", until="2023-04-30")],
                         ids=["since", "until", "both", "since-day", "until-day", "days"])
def test_dyads_the_total_rows_periods_hold_the_monthly_rows_whole(seeds_store, keep):
    from kg.dyads import period_rows

    from kg.analysis.inputs import signed_digraph_of

    monthly = dyad_rows(seeds_store, monthly=True)
    key = lambda r: (r.source, r.target, r.type, r.period)  # noqa: E731
    assert sorted(period_rows(dyad_rows(seeds_store)), key=key) == sorted(monthly, key=key)  # documents included
    windowed, _ = signed_digraph_of(seeds_store, keep)  # what the analyses read: the total rows' periods
    assert windowed.number_of_edges() and edges(windowed) == edges(from_statements(seeds_store, keep))
    if len(keep.since or keep.until) <= 7:
        assert edges(windowed) == edges(from_table(seeds_store, keep))


def test_dyads_document_keys_pack_into_integers_and_back():
    from kg.dyads import key_text, pack_keys
    from kg.rdf import doc_key

    keys = sorted(doc_key(f"https://example.org/doc/{i}") for i in range(5))
    packed = pack_keys(" ".join(keys))  # as a row stores them
    assert [key_text(k) for k in packed] == keys and list(packed) == sorted(packed) and packed.itemsize == 8
    edited = pack_keys(" ".join(["not-a-key", "f" * 20, keys[0].upper(), keys[0]]))  # edited by hand: told apart
    assert len(set(edited)) == 4 and key_text(edited[3]) == keys[0]


@pytest.mark.parametrize("keep", [Filter(), Filter(since="2023-03"), Filter(since="2023-03-15")],
                         ids=["all", "month", "day"])
def test_dyads_whole_graph_analyses_hold_packed_keys_and_count_documents_as_the_statements_do(seeds_store, keep):
    from array import array

    from kg.analysis.alliances import blocs
    from kg.analysis.inputs import signed_digraph_of, table_rows
    from kg.analysis.signed import undirected
    from kg.dyads import period_rows

    rows, _, _ = table_rows(seeds_store, keep)
    assert rows and all(isinstance(row.docs, array) for row in rows)
    totals = dyad_rows(seeds_store, packed=True)  # the periods' documents too, as positions in the keys
    assert all(isinstance(where, array) for row in totals for where in row.period_docs)
    assert [(r.period, list(r.docs)) for r in period_rows(totals)] == \
        [(r.period, [int(key, 16) for key in r.docs]) for r in period_rows(dyad_rows(seeds_store))]
    table = blocs(undirected(signed_digraph_of(seeds_store, keep)[0]))
    statements = blocs(undirected(from_statements(seeds_store, keep)))
    assert table.documents == statements.documents > 1
    assert [(u.actor, u.relations, u.documents) for u in table.unplaced] == \
        [(u.actor, u.relations, u.documents) for u in statements.unplaced]


def test_dyads_a_table_of_an_older_layout_or_edited_by_hand_is_recounted_whole(store_copy, nlp):
    import pyoxigraph as ox

    from kg import dyads

    def table(store):
        return sorted(str(q) for graph in (dyads.DYADS, dyads.TOTALS) for q in store.quads_for_pattern(None, None, None, graph))

    expected = table(Store(store_copy))
    with Store(store_copy).writer() as writer:
        removed, added = [], []
        for q in writer.quads_for_pattern(None, dyads._PERIODS, None, dyads.TOTALS):  # layout 4: no documents
            removed.append(q)
            added.append(ox.Quad(q.subject, q.predicate, ox.Literal(" ".join(
                item.rsplit(":", 1)[0] for item in q.object.value.split())), q.graph_name))
        edited = next(iter(writer.quads_for_pattern(None, dyads._EVENTS, None, dyads.TOTALS)))
        removed.append(edited)
        added.append(ox.Quad(edited.subject, edited.predicate, ox.Literal("many"), edited.graph_name))
        removed.extend(writer.quads_for_pattern(dyads.DYADS, dyads._CURRENT, None, dyads.DYADS))
        added.append(ox.Quad(dyads.DYADS, dyads._CURRENT, ox.Literal("4", datatype=dyads._INTEGER), dyads.DYADS))
        writer.change(removed, added)
    stale = Store(store_copy)
    assert not is_current(stale) and dyad_rows(stale) is None
    build([SEEDS], Store(store_copy), nlp=nlp)  # nothing new to read: the table is recounted
    assert table(Store(store_copy)) == expected
