"""Events and mentions: the reports of one incident are grouped into one event, which counts once."""

from __future__ import annotations

import json

import pytest

from kg.events import EVENT_WINDOW_DAYS, StatementRow, group_events


def row(statement, doc, source="Israel", target="Egypt", type="ASSAULT", date="2004-11-18"):
    return StatementRow(statement, doc, source, target, type, date)


def grouped(*rows, window=EVENT_WINDOW_DAYS):
    """The events as sets of statements, the way a reader compares them."""
    return sorted(sorted(event.statements) for event in group_events(rows, window))


# -- grouping, on statement rows


def test_events_one_incident_told_by_several_documents_of_one_date_is_one_event():
    events = group_events([row("s1", "ap"), row("s2", "afp"), row("s3", "reuters"), row("s4", "reuters")])
    assert len(events) == 1
    event = events[0]
    assert (event.type, event.source, event.target, event.date) == ("ASSAULT", "Israel", "Egypt", "2004-11-18")
    assert event.mentions == 4


@pytest.mark.parametrize("later, window, events", [
    ("2004-11-19", 1, 1),  # the next day is within the default window
    ("2004-11-20", 1, 2),  # two days apart stays two
    ("2004-11-20", 2, 1),  # unless the window is wider
    ("2004-11-19", 0, 2),  # a window of 0: one event per day, as GDELT keeps them
])
def test_events_dates_group_within_the_window(later, window, events):
    assert len(grouped(row("s1", "a"), row("s2", "b", date=later), window=window)) == events


def test_events_are_anchored_on_their_first_date_so_daily_reports_do_not_chain():
    days = [row(f"s{d:02d}", f"doc{d}", date=f"2004-11-{d:02d}") for d in range(1, 31)]
    # 1-2, 3-4, ...: each event holds the reports of its first day and the next, never a month
    assert grouped(*days) == [[f"s{d:02d}", f"s{d + 1:02d}"] for d in range(1, 31, 2)]


def test_events_event_date_is_the_earliest_report():
    events = group_events([row("s2", "b", date="2004-11-19"), row("s1", "a", date="2004-11-18")])
    assert [e.date for e in events] == ["2004-11-18"]


@pytest.mark.parametrize("other", [
    row("s2", "b", type="ACCUSE"),                         # another type
    row("s2", "b", source="Egypt", target="Israel"),       # the other direction
    row("s2", "b", target="Jordan"),                       # another target
])
def test_events_other_types_actors_or_directions_stay_apart(other):
    assert grouped(row("s1", "a"), other) == [["s1"], ["s2"]]


def test_events_an_undirected_type_groups_both_directions():
    talks = [row("s1", "a", "Russia", "Armenia", "CONSULT"), row("s2", "b", "Armenia", "Russia", "CONSULT")]
    assert grouped(*talks) == [["s1", "s2"]]


@pytest.mark.parametrize("date", [None, "2004", "2004-11"])
def test_events_documents_without_a_day_never_group_across_documents(date):
    rows = [row("s1", "a", date=date), row("s2", "a", date=date), row("s3", "b", date=date)]
    assert grouped(*rows) == [["s1", "s2"], ["s3"]]


def test_events_a_person_acting_towards_their_own_state_is_no_event():
    assert group_events([row("s1", "a", source="Israel", target="Israel")]) == []


def test_events_iri_names_the_incident_not_the_list_of_its_reports():
    first = group_events([row("s1", "a"), row("s2", "b")])[0]
    joined = group_events([row("s1", "a"), row("s2", "b"), row("s3", "c", date="2004-11-19")])[0]
    assert joined.iri == first.iri and joined.mentions == 3
    assert first.iri.startswith("https://w3id.org/kg/incident/")


# -- in a store


TANK = "Israeli troops killed three Egyptian soldiers near the border."


def write_corpus(folder, articles: dict[str, tuple[str, str | None]]):
    """Articles as name -> (text, date); the dates go in corpus.json."""
    folder.mkdir(exist_ok=True)
    for name, (text, _) in articles.items():
        (folder / f"{name}.txt").write_text(text, encoding="utf-8")
    dates = {name: {"date": date} for name, (_, date) in articles.items() if date}
    (folder / "corpus.json").write_text(json.dumps({"documents": dates}), encoding="utf-8")
    return folder


def build_store(nlp, path, *folders, **options):
    from kg.build import build
    from kg.store import Store

    store = Store(path)
    build(list(folders), store, nlp=nlp, **options)
    store.close()
    return store


def events_of(store) -> dict[str, tuple[str, int, list[str]]]:
    """Event IRI -> (type, mentions, documents of its statements)."""
    rows = store.query("""
        SELECT ?event ?type ?mentions ?doc WHERE {
          ?event a kg:Event, ?type ; kg:mentions ?mentions . FILTER(?type != kg:Event)
          ?statement kg:reports ?event ; prov:wasDerivedFrom ?d . ?d dcterms:identifier ?doc }""")
    events: dict[str, tuple[str, int, list[str]]] = {}
    for r in rows:
        rtype, mentions, docs = events.get(r["event"].value, (r["type"].value.rsplit("#")[-1],
                                                               int(r["mentions"].value), []))
        events[r["event"].value] = (rtype, mentions, sorted([*docs, r["doc"].value]))
    return events


@pytest.fixture(scope="module")
def wires(tmp_path_factory):
    """Three wires of one day on the tank incident, and one two days later."""
    return write_corpus(tmp_path_factory.mktemp("wires") / "corpus", {
        "ap": (TANK, "2004-11-18"),
        "afp": ("An Israeli tank killed three Egyptian soldiers on Thursday.", "2004-11-18"),
        "reuters": (TANK, "2004-11-18"),
        "later": ("Israel attacked Egypt again.", "2004-11-20"),
    })


@pytest.fixture(scope="module")
def wires_store(nlp, wires, tmp_path_factory):
    return build_store(nlp, tmp_path_factory.mktemp("wires-store") / "store", wires)


def test_events_store_groups_the_wires_of_one_day(wires_store):
    events = sorted(events_of(wires_store).values())
    assert events == [("ASSAULT", 1, ["later"]), ("ASSAULT", 3, ["afp", "ap", "reuters"])]


def test_events_store_event_node_says_who_did_what_when(wires_store):
    rows = list(wires_store.query("""
        SELECT ?source ?target ?quad ?date WHERE {
          GRAPH <https://w3id.org/kg/graph/events> {
            ?event kg:source ?source ; kg:target ?target ; kg:quad ?quad ; dcterms:date ?date ; kg:mentions 3 } }"""))
    assert [(r["source"].value.rsplit("/")[-1], r["target"].value.rsplit("/")[-1], r["quad"].value.rsplit("#")[-1],
             r["date"].value) for r in rows] == [("Israel", "Egypt", "MaterialConflict", "2004-11-18")]


def test_events_store_still_validates(wires_store):
    from kg.validate import validate

    report = validate(wires_store)
    assert report.problems == [] and report.conforms


def test_events_iris_are_the_same_after_a_rebuild(nlp, wires, wires_store, tmp_path):
    again = build_store(nlp, tmp_path / "again", wires, rebuild=True)
    assert set(events_of(again)) == set(events_of(wires_store))


def test_events_a_new_document_joins_an_event_an_earlier_build_made(nlp, tmp_path):
    corpus = write_corpus(tmp_path / "corpus", {"ap": (TANK, "2004-11-18"), "afp": (TANK, "2004-11-18")})
    store = build_store(nlp, tmp_path / "store", corpus)
    (before,) = events_of(store)
    write_corpus(tmp_path / "more", {"bbc": ("Israeli soldiers killed Egyptian police officers.", "2004-11-19")})
    store = build_store(nlp, tmp_path / "store", tmp_path / "more")
    assert events_of(store) == {before: ("ASSAULT", 3, ["afp", "ap", "bbc"])}


def test_events_follow_a_document_that_changes(nlp, tmp_path):
    corpus = write_corpus(tmp_path / "corpus", {"ap": (TANK, "2004-11-18"), "afp": (TANK, "2004-11-18"),
                                                "dpa": (TANK, "2004")})
    build_store(nlp, tmp_path / "store", corpus)
    write_corpus(corpus, {"ap": (TANK, "2004-11-18"), "afp": ("Nothing happened.", "2004-11-18"),
                          "dpa": (TANK, "2005")})
    store = build_store(nlp, tmp_path / "store", corpus)
    assert sorted(events_of(store).values()) == [("ASSAULT", 1, ["ap"]), ("ASSAULT", 1, ["dpa"])]
    dates = {r["date"].value for r in store.query("SELECT ?date WHERE { ?event kg:mentions ?n ; dcterms:date ?date }")}
    assert dates == {"2004-11-18", "2005"}


def test_events_undated_documents_group_only_within_themselves(nlp, tmp_path):
    corpus = write_corpus(tmp_path / "corpus", {"one": (f"{TANK} {TANK}", None), "two": (TANK, None)})
    store = build_store(nlp, tmp_path / "store", corpus)
    assert sorted(events_of(store).values()) == [("ASSAULT", 1, ["two"]), ("ASSAULT", 2, ["one", "one"])]


def test_events_negated_and_hypothetical_statements_report_no_event(nlp, tmp_path):
    corpus = write_corpus(tmp_path / "corpus", {
        "denied": ("Israel did not attack Egypt.", "2004-11-18"),
        "feared": ("Israel may attack Egypt.", "2004-11-18"),
        "done": (TANK, "2004-11-18"),
    })
    store = build_store(nlp, tmp_path / "store", corpus)
    statements = {r["doc"].value: r["event"] is not None for r in store.query("""
        SELECT ?doc ?event WHERE { GRAPH ?g { ?s kg:evidence ?e ; prov:wasDerivedFrom ?g . ?g dcterms:identifier ?doc }
                                   OPTIONAL { ?s kg:reports ?event } }""")}
    assert statements == {"denied": False, "feared": False, "done": True}


def test_events_window_is_kept_by_the_store(nlp, wires, tmp_path):
    store = build_store(nlp, tmp_path / "store", wires, event_window=2)
    assert sorted(events_of(store).values()) == [("ASSAULT", 4, ["afp", "ap", "later", "reuters"])]
    store = build_store(nlp, tmp_path / "store", wires)  # nothing new, no window given: the store's stays
    assert len(events_of(store)) == 1


# -- counting


def cli(runner, *args):
    from kg.cli import cli as main

    return runner.invoke(main, [str(a) for a in args])


def test_events_neighbors_count_events_and_say_so(runner, wires_store):
    result = cli(runner, "neighbors", "Egypt", "--store", wires_store.path)
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[:3] == [
        "Egypt (State, Q79): 1 neighbour, 2 events (4 mentions)",
        "neighbour  relation  direction  events  stance",
        "Israel     ASSAULT   in         2       conflict",
    ]
    assert result.output.splitlines()[-1] == ("counts are events (2 events from 4 mentions: the reports of one "
                                              "incident count once); --count mentions counts every mention")


def test_events_neighbors_count_mentions_on_request(runner, wires_store):
    result = cli(runner, "neighbors", "Egypt", "--count", "mentions", "--format", "json", "--store", wires_store.path)
    payload = json.loads(result.output)
    assert payload["count"] == "mentions"
    assert [(n["actor"], n["count"], n["events"], n["mentions"]) for n in payload["neighbors"]] == [
        ("Israel", 4, 2, 4)]


@pytest.mark.parametrize("count, relations", [("events", 2), ("mentions", 4)])
def test_events_stance_counts_events_unless_asked_for_mentions(runner, wires_store, count, relations):
    result = cli(runner, "stance", "Israel", "Egypt", "--count", count, "--format", "json", "--store", wires_store.path)
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["directions"][0]["relations"] == relations


def test_events_count_mentions_gives_the_numbers_of_every_statement(runner, wires_store):
    from kg.analysis.signed import signed_graph
    from kg.statements import statement_dates, store_relations

    every = signed_graph(store_relations(wires_store), statement_dates(wires_store))
    result = cli(runner, "central", "--count", "mentions", "--format", "json", "--store", wires_store.path)
    israel = next(r for r in json.loads(result.output) if r["actor"] == "Israel")
    assert israel["weighted_degree"] == every.edges["Israel", "Egypt"]["conflict"] == 4 * 9.0


def test_events_table_output_ends_with_what_was_counted(runner, wires_store):
    result = cli(runner, "central", "--store", wires_store.path)
    assert result.output.splitlines()[-1].startswith("counts are events (2 events from 4 mentions")
    result = cli(runner, "path", "Israel", "Egypt", "--count", "mentions", "--store", wires_store.path)
    assert result.output.splitlines()[-1].startswith("counts are mentions (4 mentions")


def test_events_count_does_not_shape_a_whole_export(runner, wires_store):
    result = cli(runner, "export", "--format", "ttl", "--count", "mentions", "--store", wires_store.path)
    assert result.exit_code == 2 and "--count shapes the analyses, csv, parquet and the html graph" in result.output


def test_events_a_store_without_events_says_how_to_get_them(runner, wires_store, tmp_path):
    import shutil

    import pyoxigraph as ox

    from kg.store import Store
    from kg.vocab import EVENTS_GRAPH

    shutil.copytree(wires_store.path, tmp_path / "old", symlinks=True)
    old = Store(tmp_path / "old")
    with old.writer() as writer:  # as a store built before events were
        writer.store.remove_graph(ox.NamedNode(EVENTS_GRAPH))
    result = cli(runner, "neighbors", "Egypt", "--store", old.path)
    assert result.exit_code == 1
    assert "has no events yet" in result.output and "run kg build again" in result.output
    assert cli(runner, "neighbors", "Egypt", "--count", "mentions", "--store", old.path).exit_code == 0


def test_events_a_corpus_date_in_corpus_json_dates_every_undated_document(nlp, tmp_path):
    import json

    folder = write_corpus(tmp_path / "corpus", {"ap": (TANK, None), "afp": (TANK, None), "own": (TANK, "2004-11-25")})
    manifest = json.loads((folder / "corpus.json").read_text(encoding="utf-8"))
    (folder / "corpus.json").write_text(json.dumps({**manifest, "date": "2004-11-18"}), encoding="utf-8")
    store = build_store(nlp, tmp_path / "store", folder)
    assert sorted(events_of(store).values()) == [("ASSAULT", 1, ["own"]), ("ASSAULT", 2, ["afp", "ap"])]


def test_events_a_bad_corpus_date_is_one_clear_error(runner, tmp_path):
    import json

    from kg.cli import cli

    folder = write_corpus(tmp_path / "corpus", {"ap": (TANK, None)})
    (folder / "corpus.json").write_text(json.dumps({"date": "18 November"}), encoding="utf-8")
    result = runner.invoke(cli, ["build", str(folder), "--store", str(tmp_path / "store")])
    assert result.exit_code == 1 and '"date" (the date of every document that gives none)' in result.output
