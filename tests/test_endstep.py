"""The build's end step: the recount in bounded memory writes what the whole-store end step wrote."""

from __future__ import annotations

import datetime
import itertools
import os
import random
import shutil
import subprocess
import sys
from collections import Counter, defaultdict

import pyoxigraph as ox
import pytest

from kg import dyads, events
from kg.build import _load_ontology, _update_actors
from kg.rdf import actors_of, document_iri, document_quads
from kg.records import Actor, Document, Relation
from kg.recount import Changed, Feed, recount
from kg.store import Store
from kg.vocab import EV, RELATION_TYPES

END_GRAPHS = (events.EVENTS, dyads.DYADS, dyads.TOTALS)


# -- the reference: the end step as kg wrote it before kg.recount (commit 9570b28), over the whole store
# at once. Only its reading and counting are here; what it wrote is compared quad for quad.

ASSERTED = """
SELECT ?statement ?doc ?source ?target ?type WHERE {
  GRAPH ?doc { ?statement kg:source ?source ; kg:target ?target ; a ?type ; kg:negated false ; kg:hypothetical false
               FILTER NOT EXISTS { ?statement kg:background true } }
}"""
DOCUMENT_DATES = "SELECT ?doc ?date WHERE { GRAPH ?doc { ?doc dcterms:date ?date } }"


def reference_end_step(writer, window: int | None = None) -> int:
    acting = {q.subject.value: q.object.value for q in writer.quads_for_pattern(None, dyads._ACTED_FOR, None, dyads._ACTORS)}
    stored = events.stored_window(writer)
    window = (events.EVENT_WINDOW_DAYS if stored is None else stored) if window is None else window
    dates = {row["doc"].value: row["date"].value for row in writer.query(DOCUMENT_DATES)}
    rows = [events.StatementRow(row["statement"].value, row["doc"].value,
                                acting.get(row["source"].value, row["source"].value),
                                acting.get(row["target"].value, row["target"].value),
                                row["type"].value.removeprefix(EV), dates.get(row["doc"].value))
            for row in writer.query(ASSERTED) if row["type"].value.removeprefix(EV) in RELATION_TYPES]
    made = events.group_events(rows, window)
    held: dict[str, list] = {}
    for row in writer.query(events.EVENT_LINKS):
        entry = held.setdefault(row["event"].value, [0, 0])
        entry[0] += 1
        entry[1] ^= events._digest(row["statement"].value)
    fresh = {event.iri: event for event in made}
    gone = {iri for iri, (count, digest) in held.items()
            if iri not in fresh or (len(fresh[iri].statements), events._digests(fresh[iri].statements)) != (count, digest)}
    removed = []
    for iri in gone:
        removed += [*writer.quads_for_pattern(ox.NamedNode(iri), None, None, events.EVENTS),
                    *writer.quads_for_pattern(None, events._REPORTS, ox.NamedNode(iri), events.EVENTS)]
    added = [q for event in made if event.iri not in held or event.iri in gone for q in events.event_quads(event)]
    if stored != window:
        removed += writer.quads_for_pattern(events.EVENTS, events._WINDOW, None, events.EVENTS)
        added.append(events._window_quad(window))
    writer.change(removed, added)
    reference_dyads(writer, made)
    return len(made)


def reference_count(writer, made):
    from kg.analysis.signed import load_weights

    weights = load_weights()
    statement_events, told = {}, {}
    for event in made:
        told[event.iri] = (event.source, event.target)
        for statement in event.statements:
            statement_events[statement] = (event.iri, event.date)
    acting = {q.subject.value: q.object.value for q in writer.quads_for_pattern(None, dyads._ACTED_FOR, None, dyads._ACTORS)}
    dates, ids = {}, {}
    for row in writer.query(dyads.DOCUMENTS):
        ids[row["doc"].value] = row["id"].value
        if row["date"] is not None:
            dates[row["doc"].value] = row["date"].value
    tallies = defaultdict(dyads._Tally)
    strongest = defaultdict(list)
    named, named_events, numbers = Counter(), defaultdict(set), {}
    for row in writer.query(dyads.STATEMENTS):
        rtype = row["type"].value.removeprefix(EV)
        if rtype not in RELATION_TYPES:
            continue
        statement, doc = row["statement"].value, row["doc"].value
        stated_source, stated_target = row["source"].value, row["target"].value
        event = statement_events.get(statement)
        for actor in {stated_source, stated_target}:
            named[actor] += 1
            if event is not None:
                named_events[actor].add(event[0])
        if row["negated"].value == "true" or row["hypothetical"].value == "true":
            continue
        background = row["background"] is not None and row["background"].value == "true"
        stated = row["stated"].value if row["stated"] is not None else None
        if background and not stated:
            continue
        source, target = acting.get(stated_source, stated_source), acting.get(stated_target, stated_target)
        if source == target:
            continue
        start = int(row["start"].value)
        sentence = (numbers.setdefault(doc, len(numbers)), start)
        if event is not None:
            event_id, date = event
            if RELATION_TYPES[rtype].symmetric:
                source, target = told[event_id]
        else:
            event_id = "\x1f".join(map(str, sentence))
            date = (stated[:4] if stated.endswith("s") else stated) if background else dates.get(doc)
        tally = tallies[(source, target, rtype, dyads.period_of(date))]
        tally.sentences.add(sentence)
        tally.documents.add(sentence[0])
        tally.events.add(event_id)
        rank = (-abs(weights[rtype]) * float(row["confidence"].value), ids.get(doc, doc), start, statement)
        dyads._keep_strongest(strongest[(source, target, rtype)], rank, event_id, statement)
    totals, periods = defaultdict(dyads._Tally), defaultdict(list)
    for (source, target, rtype, period), t in sorted(tallies.items()):
        total = totals[(source, target, rtype)]
        total.events |= t.events
        total.sentences |= t.sentences
        total.documents |= t.documents
        periods[(source, target, rtype)].append((period, len(t.events), len(t.sentences), t.documents))
    keys = [dyads.doc_key(doc) for doc in numbers]
    rows = [dyads.DyadCount(s, t, r, p, len(x.events), len(x.sentences), tuple(sorted(keys[n] for n in x.documents)))
            for (s, t, r, p), x in sorted(tallies.items())]
    for (s, t, r), x in sorted(totals.items()):
        docs = tuple(sorted(keys[n] for n in x.documents))
        rows.append(dyads.DyadCount(s, t, r, None, len(x.events), len(x.sentences), docs,
                                    tuple(p[:3] for p in periods[(s, t, r)]),
                                    tuple(statement for _, _, statement in strongest[(s, t, r)]),
                                    tuple(tuple(sorted(docs.index(keys[n]) for n in p[3])) for p in periods[(s, t, r)])))
    actors = [dyads.ActorCount(actor, count, len(named_events.get(actor, ()))) for actor, count in sorted(named.items())]
    return rows, actors


def reference_dyads(writer, made):
    from kg.statements import store_actors

    rows, actors = reference_count(writer, made)
    labels = {iri: actor.label for iri, actor in store_actors(writer).items()}
    held_rows = {stored.iri: (stored, graph) for graph in (dyads.TOTALS, dyads.DYADS)
                 for stored in dyads._read_rows(writer, graph)}
    fresh_rows = {row.iri: row for row in rows}
    held_actors = {count.actor: count for count in dyads._stored_actor_counts(writer)}
    fresh_actors = {count.actor: count for count in actors}
    held_summaries = {q.subject.value: q for q in writer.quads_for_pattern(None, dyads._SUMMARY, None, dyads.TOTALS)}
    fresh_summaries = {actor: dyads._summary_text(items)
                       for actor, items in dyads.neighbour_summaries(rows, labels).items()}
    removed = []
    for iri, (stored, graph) in held_rows.items():
        row = fresh_rows.get(iri)
        if row is None or (row, dyads._graph_of(row)) != (stored, graph):
            removed += writer.quads_for_pattern(ox.NamedNode(iri), None, None, graph)
    for actor, stored in held_actors.items():
        if fresh_actors.get(actor) != stored:
            removed += dyads.actor_count_quads(stored)
    removed += [q for actor, q in held_summaries.items() if fresh_summaries.get(actor) != q.object.value]
    added = [q for iri, row in fresh_rows.items() if held_rows.get(iri) != (row, dyads._graph_of(row))
             for q in dyads.row_quads(row)]
    added += [q for actor, count in fresh_actors.items() if held_actors.get(actor) != count
              for q in dyads.actor_count_quads(count)]
    added += [ox.Quad(ox.NamedNode(actor), dyads._SUMMARY, ox.Literal(text), dyads.TOTALS)
              for actor, text in fresh_summaries.items()
              if actor not in held_summaries or held_summaries[actor].object.value != text]
    added.append(ox.Quad(dyads.DYADS, dyads._CURRENT, dyads.LAYOUT, dyads.DYADS))
    removed += [q for q in writer.quads_for_pattern(dyads.DYADS, dyads._CURRENT, None, dyads.DYADS)
                if q.object != dyads.LAYOUT]
    writer.change(removed, added)


# -- a corpus written straight into a store: many actors and dates, persons acting for states, every
# kind of statement the end step tells apart (negated, hypothetical, background dated or not, undirected)

STATES = [Actor(name, name, "State") for name in ("Israel", "Egypt", "Syria", "Jordan", "Iran", "Turkey")]
GROUPS = [Actor("Hamas", "Hamas", "Organization"), Actor("NATO", "NATO", "Organization")]
PEOPLE = [Actor(f"Minister {state.id}", f"Minister of {state.id}", "Person", represents=state, role="minister")
          for state in STATES[:4]]
TYPES = ["ASSAULT", "ACCUSE", "AGREE", "CONSULT", "ALLY_OF", "SUPPORT", "SANCTION"]


def corpus(seed: int, documents: int = 60) -> dict[str, tuple[Document, list[Relation]]]:
    """Documents with their relations, drawn from ``seed``: few actors and dates, so that statements of
    different documents report one event."""
    rng = random.Random(seed)
    actors = STATES + GROUPS + PEOPLE
    made = {}
    for n in range(documents):
        date = rng.choice(["2004-11-18", "2004-11-19", "2004-11-21", "2004-12-02", "2004-12", "2005", None])
        document = Document(f"d{seed}-{n}", "", f"{seed:04d}{n:060d}", title=f"report {n}", date=date)
        relations = []
        for k in range(rng.randint(0, 6)):
            source, target = rng.sample(actors, 2)
            rtype = rng.choice(TYPES)
            background = rng.random() < 0.15
            relations.append(Relation(
                document.id, source, target, rtype, RELATION_TYPES[rtype].quad, RELATION_TYPES[rtype].polarity,
                negated=rng.random() < 0.1, hypothetical=rng.random() < 0.1, confidence=round(rng.random(), 3),
                sentence=f"sentence {k}", start=10 * k, end=10 * k + 9, trigger="said", extractor="test",
                background=background, date=rng.choice(["1996", "1990s", "2003-05", None]) if background else None))
        made[document.id] = (document, relations)
    return made


def write(path, documents, fresh=False, dropped=()):
    with Store(path).writer(fresh=fresh) as writer:
        if fresh:
            _load_ontology(writer)
        for document, relations in documents.values():
            writer.replace_graph(document_iri(document.id), document_quads(document, relations, "test"))
        for doc_id in dropped:
            writer.replace_graph(document_iri(doc_id), [])
        _update_actors(writer, actors_of([r for _, relations in documents.values() for r in relations]),
                       replaced=bool(dropped))


def end_step(path, step, window=None):
    """Runs ``step`` (recount or the reference) on the store in ``path``; returns the writer's changes."""
    changes = []
    with Store(path).writer() as writer:
        change = writer.change

        def recorded(removed, added, bulk=False):
            removed, added = list(removed), list(added)
            changes.append((removed, added))
            change(removed, added, bulk)

        writer.change = recorded
        step(writer, window)
    return changes


def end_graphs(path) -> set[str]:
    store = Store(path)
    try:
        return {str(q) for graph in END_GRAPHS for q in store.quads_for_pattern(None, None, None, graph)}
    finally:
        store.close()


def twins(tmp_path, documents):
    """Two copies of one store written from ``documents``, without events or a dyad table yet."""
    old, new = tmp_path / "reference", tmp_path / "recount"
    write(old, documents, fresh=True)
    shutil.copytree(old, new)
    return old, new


def without_end_graphs(path):
    with Store(path).writer() as writer:
        for graph in END_GRAPHS:
            writer.replace_graph(graph, [])


# -- the recount writes what the reference writes


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_endstep_a_store_without_events_gets_the_events_and_table_of_the_whole_store_step(tmp_path, seed):
    old, new = twins(tmp_path, corpus(seed))
    assert end_step(old, reference_end_step) is not None
    end_step(new, recount)
    written = end_graphs(new)
    assert any("/incident/" in quad for quad in written) and any("dyadsCurrent" in quad for quad in written)
    assert written == end_graphs(old)


@pytest.mark.parametrize("seed", [1, 2])
def test_endstep_fed_as_a_fresh_graph_was_written_writes_what_reading_the_store_writes(tmp_path, seed):
    documents = corpus(seed)
    old, new = twins(tmp_path, documents)
    end_step(old, recount)
    with Feed() as fed:
        for document, relations in reversed(documents.values()):  # the order they come in does not matter
            fed.add(document_quads(document, relations, "test"))
        end_step(new, lambda writer, window: recount(writer, window, fed))
    assert end_graphs(new) == end_graphs(old)


@pytest.mark.parametrize("lot", [7, 100_000])
def test_endstep_documents_added_replaced_and_dropped_change_what_the_whole_store_step_changes(tmp_path, monkeypatch,
                                                                                                lot):
    from kg import recount as module

    monkeypatch.setattr(module, "_CHANGES", lot)  # written in lots of 7 quads: lots end inside keys
    documents = corpus(4)
    old, new = twins(tmp_path, documents)
    end_step(old, reference_end_step)
    end_step(new, recount)
    later = corpus(5, documents=20)  # new documents, and ten of the first ones read again differently
    later.update({doc_id: (document, corpus(6)[doc_id.replace("d4", "d6")][1])
                  for doc_id, (document, _) in itertools.islice(documents.items(), 10)})
    dropped = list(documents)[10:20]
    for window in (None, 3, 0):
        for path in (old, new):
            write(path, later, dropped=dropped)
        end_step(old, reference_end_step, window)
        end_step(new, recount, window)
        assert end_graphs(new) == end_graphs(old)
        later, dropped = corpus(7 + (window or 0), documents=5), list(later)[:3]


def test_endstep_an_unchanged_store_is_left_as_it_is(tmp_path):
    _, new = twins(tmp_path, corpus(8))
    end_step(new, recount)
    before = end_graphs(new)
    changes = end_step(new, recount)
    assert [quad for removed, _ in changes for quad in removed] == []
    assert [quad for _, added in changes for quad in added] == [ox.Quad(dyads.DYADS, dyads._CURRENT, dyads.LAYOUT,
                                                                        dyads.DYADS)]
    assert end_graphs(new) == before


def test_endstep_counts_one_grouping_key_at_a_time(tmp_path, monkeypatch):
    from kg import recount as module

    keys_counted = []
    count = dyads.count_dyads

    def counted(statements, made, weights):
        keys_counted.append({(s.type, *(sorted((s.source, s.target)) if RELATION_TYPES[s.type].symmetric
                                        else (s.source, s.target))) for s in statements})
        return count(statements, made, weights)

    monkeypatch.setattr(module.dyads, "count_dyads", counted)
    _, new = twins(tmp_path, corpus(9))
    end_step(new, recount)
    assert len(keys_counted) > 20
    assert all(len(keys) == 1 for keys in keys_counted)
    assert len({key for keys in keys_counted for key in keys}) == len(keys_counted)


def test_endstep_on_the_seeds_writes_what_the_whole_store_step_writes(store_copy, seeds_store_path, tmp_path):
    built = end_graphs(seeds_store_path)
    without_end_graphs(store_copy)
    old = tmp_path / "reference"
    shutil.copytree(store_copy, old)
    end_step(old, reference_end_step)
    end_step(store_copy, recount)
    assert end_graphs(store_copy) == end_graphs(old) == built


# -- a build that adds to a graph counts again only the keys it touched, and writes what the whole recount writes

def write_noting(path, documents, dropped=(), window=None, twice=()):
    """``write``, each document through a Changed (``twice``: written once more, as read again), then the end step."""
    with Store(path).writer() as writer, Changed(writer) as changed:
        for document, relations in documents.values():
            changed.write(writer, document_iri(document.id), document_quads(document, relations, "test"))
        for document, relations in twice:
            changed.write(writer, document_iri(document.id), document_quads(document, relations, "test"))
        for doc_id in dropped:
            changed.write(writer, document_iri(doc_id), [])
        _update_actors(writer, actors_of([r for _, relations in [*documents.values(), *twice] for r in relations]),
                       replaced=bool(dropped))
        return recount(writer, window, changed=changed)


def test_endstep_of_documents_added_replaced_and_dropped_counts_only_their_keys_and_writes_what_the_whole_does(
        tmp_path, monkeypatch):
    from kg import recount as module

    documents = corpus(4)
    old, new = twins(tmp_path, documents)
    for path in (old, new):
        end_step(path, recount)
    whole_reads = []
    load = module._load_documents
    monkeypatch.setattr(module, "_load_documents", lambda db, writer: whole_reads.append(1) or load(db, writer))
    counted = []
    count = dyads.count_dyads
    monkeypatch.setattr(module.dyads, "count_dyads", lambda s, made, w: counted.append(1) or count(s, made, w))
    later = corpus(5, documents=20)
    later.update({doc_id: (document, corpus(6)[doc_id.replace("d4", "d6")][1])
                  for doc_id, (document, _) in itertools.islice(documents.items(), 10)})
    dropped = list(documents)[10:20]
    twice = [(document, corpus(11)[doc_id.replace("d5", "d11")][1])
             for doc_id, (document, _) in itertools.islice(corpus(5, documents=20).items(), 3)]
    for round_, window in enumerate((None, None, 3)):
        write(old, later, dropped=dropped)
        for document, relations in twice:
            write(old, {document.id: (document, relations)})
        end_step(old, recount, window)
        whole_reads.clear()
        counted.clear()
        events_now = write_noting(new, later, dropped=dropped, window=window, twice=twice)
        assert end_graphs(new) == end_graphs(old)
        held = Store(new)
        assert events_now == sum(1 for _ in held.quads_for_pattern(None, None, events._EVENT, events.EVENTS))
        held.close()
        if window is None:  # the keys touched only: no whole read, fewer keys than the store holds
            assert not whole_reads and 0 < len(counted) < len(keys_of(new))
        else:  # another event window groups every key again
            assert whole_reads
        later, dropped, twice = corpus(7 + round_, documents=5), list(later)[:3], []


def keys_of(path) -> set:
    store = Store(path)
    try:
        return {(q.subject.value) for q in store.quads_for_pattern(None, None, None, dyads.TOTALS)
                if q.predicate == dyads._TYPE}
    finally:
        store.close()


@pytest.mark.timeout(60)
def test_endstep_spill_leaves_no_file_behind_even_when_the_build_is_killed(tmp_path):
    # a build killed with SIGKILL cannot clean up: the spill must be a file nobody needs to delete
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    script = (
        "import os, signal\n"
        "from kg.recount import Feed\n"
        "feed = Feed()\n"
        "feed.db.execute('CREATE TABLE filler (text TEXT)')\n"
        "feed.db.executemany('INSERT INTO filler VALUES (?)', (('x' * 1000,) for _ in range(40_000)))\n"
        "assert os.listdir(os.environ['TMPDIR']) == []\n"
        "os.kill(os.getpid(), signal.SIGKILL)\n"
    )
    done = subprocess.run([sys.executable, "-c", script], env={**os.environ, "TMPDIR": str(scratch)},
                          capture_output=True, text=True, timeout=50)
    assert done.returncode == -9, done.stderr
    assert list(scratch.iterdir()) == []


# -- news over months: an incremental end step counts again only the months its documents can change

def over_months(seed: int, documents: int, days: tuple[str, str] = ("2004-01-01", "2004-12-31"),
                prefix: str | None = None) -> dict[str, tuple[Document, list[Relation]]]:
    """Documents dated over ``days`` (many around month ends, so that daily reports chain across them),
    among few actors and types so that each key holds events in many months; a few dated only to the
    month or not at all, a few relations background."""
    rng = random.Random(seed)
    first, last = (datetime.date.fromisoformat(day).toordinal() for day in days)
    actors = STATES[:3] + PEOPLE[:2]
    made = {}
    for n in range(documents):
        day = rng.randint(first, last)
        if rng.random() < 0.4:  # a run of daily reports over a month's end
            end = datetime.date.fromordinal(day).replace(day=1).toordinal() - 1
            day = min(max(first, end + rng.randint(-3, 3)), last)
        date = datetime.date.fromordinal(day).isoformat()
        date = rng.choices([date, date[:7], None], [0.94, 0.04, 0.02])[0]
        doc_id = f"{prefix or f'm{seed}'}-{n}"
        document = Document(doc_id, "", f"{seed:04d}{n:060d}", title=f"report {n}", date=date)
        relations = []
        for k in range(rng.randint(1, 4)):
            source, target = rng.sample(actors, 2)
            rtype = rng.choice(["ACCUSE", "CONSULT", "ASSAULT"])
            background = rng.random() < 0.03
            relations.append(Relation(
                document.id, source, target, rtype, RELATION_TYPES[rtype].quad, RELATION_TYPES[rtype].polarity,
                negated=rng.random() < 0.05, hypothetical=False, confidence=round(rng.random(), 3),
                sentence=f"sentence {k}",
                start=10 * k, end=10 * k + 9, trigger="said", extractor="test", background=background,
                date=rng.choice(["2004-03", "1990s", None]) if background else None))
        made[doc_id] = (document, relations)
    return made


@pytest.mark.timeout(300)
def test_endstep_of_news_over_months_counts_again_only_their_months_and_writes_what_the_whole_does(tmp_path,
                                                                                                   monkeypatch):
    from kg import recount_scope

    documents = over_months(20, 600)
    old, new = twins(tmp_path, documents)
    for path in (old, new):
        end_step(path, recount)
    outcomes = []
    settle = recount_scope.settle
    monkeypatch.setattr(recount_scope, "settle", lambda *a: outcomes.append(settle(*a)) or outcomes[-1])
    ids = list(documents)
    rounds = [  # (window, documents added or read again, documents dropped)
        (None, over_months(21, 8, ("2004-06-10", "2004-06-20")), []),  # inside the stored months
        (None, over_months(22, 6, ("2004-01-29", "2004-02-02")), []),  # across a month's end
        (None, over_months(23, 5, ("2003-12-01", "2003-12-31")), []),  # before the first stored day
        (None, over_months(24, 5, ("2005-01-01", "2005-01-04")), []),  # after the last
        (None, over_months(25, 6, ("2004-09-01", "2004-09-30"), prefix="m20"), ids[6:9]),  # read again, dropped
        (3, over_months(26, 4, ("2004-03-01", "2004-03-31")), []),  # another window: every key whole
        (3, over_months(27, 6, ("2004-04-27", "2004-05-03")), ids[20:22]),
        (0, over_months(28, 6, ("2004-10-28", "2004-11-02")), []),
        (0, over_months(29, 4, ("2004-08-01", "2004-08-31"), prefix="m21"), []),  # the first round's read again
    ]
    ways = []
    for window, later, dropped in rounds:
        write(old, later, dropped=dropped)
        end_step(old, recount, window)
        outcomes.clear()
        write_noting(new, later, dropped=dropped, window=window)
        assert end_graphs(new) == end_graphs(old), (window, sorted(later)[:2])
        ways.append(Counter(type(outcome).__name__ for outcome in outcomes))
    assert ways[5] == Counter()  # another window groups every key again
    # the checks above hold whichever way each key went; most keys took the months' way
    assert all(way["Settled"] > way["str"] for i, way in enumerate(ways) if i not in (5, 7))


def said(doc_id: str, date: str | None, *relations: dict) -> dict[str, tuple[Document, list[Relation]]]:
    """One document with hand-made relations (``dict(source=..., target=..., ...)``, actors by id)."""
    actors = {actor.id: actor for actor in STATES + GROUPS + PEOPLE}
    made = []
    for k, r in enumerate(relations):
        rtype = r.get("rtype", "ACCUSE")
        made.append(Relation(doc_id, actors[r["source"]], actors[r["target"]], rtype, RELATION_TYPES[rtype].quad,
                             RELATION_TYPES[rtype].polarity, negated=False, hypothetical=False,
                             confidence=r.get("confidence", 0.5), sentence=f"sentence {k}", start=10 * k,
                             end=10 * k + 9, trigger="said", extractor="test",
                             background=r.get("background", False), date=r.get("date")))
    return {doc_id: (Document(doc_id, "", f"{sum(map(ord, doc_id)):064d}", title=doc_id, date=date), made)}


def both_ways(tmp_path, stored: dict, later: dict, dropped=()) -> None:
    """Writes ``later`` into two copies of a store of ``stored``: the whole end step and the incremental
    one must leave the same events and table."""
    old, new = twins(tmp_path, stored)
    for path in (old, new):
        end_step(path, recount)
    write(old, later, dropped=dropped)
    end_step(old, recount)
    write_noting(new, later, dropped=dropped)
    assert end_graphs(new) == end_graphs(old)


ACCUSES = dict(source="Israel", target="Egypt")


def test_endstep_a_statement_read_again_as_undated_background_leaves_the_strongest(tmp_path):
    stored = {**said("jan0", "2004-01-10", ACCUSES), **said("jan1", "2004-01-13", ACCUSES),
              **said("jun", "2004-06-15", dict(ACCUSES, confidence=0.6))}
    both_ways(tmp_path, stored, said("jun", "2004-06-15", dict(ACCUSES, confidence=0.6, background=True)))


def test_endstep_a_full_strongest_list_whose_last_is_weaker_now_takes_in_what_it_left_out(tmp_path):
    stored = {}
    for i in range(9):
        stored.update(said(f"jan{i}", f"2004-01-{2 + 3 * i:02d}", dict(ACCUSES, confidence=0.9)))
    stored.update(said("feb", "2004-02-10", dict(ACCUSES, confidence=0.5)))  # left out of the ten
    stored.update(said("jun", "2004-06-15", dict(ACCUSES, confidence=0.6)))  # the tenth
    both_ways(tmp_path, stored, said("jun", "2004-06-15", dict(ACCUSES, confidence=0.1)))


def test_endstep_dropping_the_last_document_naming_a_person_counts_again_the_key_of_their_state(tmp_path):
    stored = {**said("a", "2004-07-04", dict(source="Egypt", target="Israel", rtype="ASSAULT")),
              **said("b", "2004-07-05", dict(source="Egypt", target="Minister Israel", rtype="ASSAULT")),
              **said("c", "2004-09-10", dict(source="Egypt", target="Israel", rtype="ASSAULT"))}
    both_ways(tmp_path, stored, {}, dropped=["b"])


def test_endstep_a_document_of_the_first_day_there_is(tmp_path):
    stored = {}
    for i in range(4):
        stored.update(said(f"d{i}", f"2004-0{1 + i}-10", ACCUSES))
    both_ways(tmp_path, stored, said("zero", "0001-01-01", ACCUSES))
