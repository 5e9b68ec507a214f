"""Stance, blocs, centrality and paths: on hand-made relations and on a corpus written for the tests."""

import json
import re

import networkx as nx
import pytest

from kg.analysis.alliances import blocs
from kg.analysis.central import centrality
from kg.records import Actor, Relation
from kg.analysis.signed import Filter, load_weights, signed_digraph, signed_graph, validate_filter
from kg.analysis.stance import stance
from kg.vocab import RELATION_TYPES

A, B, C, D = (Actor(x, x, "State") for x in ("A", "B", "C", "D"))
LAVROV = Actor("Lavrov", "Lavrov", "Person", represents=B)


def rel(source, rtype, target, doc="d1", negated=False):
    t = RELATION_TYPES[rtype]
    return Relation(doc, source, target, rtype, t.quad, t.polarity, negated, False, 0.9, "s.", 0, 2, "x", "v")


def test_analysis_weights_follow_the_goldstein_sign_of_each_quad():
    weights = load_weights()
    for name, rtype in RELATION_TYPES.items():
        if rtype.quad.endswith("cooperation"):
            assert weights[name] > 0
        elif rtype.quad.endswith("conflict"):
            assert weights[name] < 0
    assert weights["ASSAULT"] < weights["ACCUSE"] < 0 < weights["CONSULT"] < weights["AID"]


def test_analysis_signed_graph_sums_weights_and_leaves_out_unasserted():
    relations = [rel(A, "AID", B), rel(B, "ACCUSE", A), rel(A, "ASSAULT", B, negated=True)]
    graph = signed_graph(relations)
    assert graph.edges["A", "B"]["weight"] == load_weights()["AID"] + load_weights()["ACCUSE"]
    assert graph.edges["A", "B"]["count"] == 2


def test_analysis_persons_roll_up_unless_named():
    relations = [rel(LAVROV, "ACCUSE", A)]
    assert list(signed_digraph(relations).edges) == [("B", "A")]
    assert list(signed_digraph(relations, keep=Filter().named("Lavrov")).edges) == [("Lavrov", "A")]


def test_analysis_date_window_keeps_dated_documents_in_range():
    relations = [rel(A, "ACCUSE", B, doc="jan"), rel(A, "AID", B, doc="mar"), rel(A, "SUPPORT", B, doc="undated")]
    dates = {"jan": "2023-01-19", "mar": "2023-03"}
    graph = signed_digraph(relations, dates, Filter(since="2023-02"))
    assert graph.edges["A", "B"]["types"] == {"AID": 1}


@pytest.mark.parametrize("kwargs, message", [({"since": "March"}, "YYYY"), ({"quads": ["hostile"]}, "quad class"),
                                             ({"relations": ["LOVE"]}, "relation type")])
def test_analysis_bad_filters_are_one_clear_error(kwargs, message):
    from kg.errors import KgError

    with pytest.raises(KgError, match=message):
        validate_filter(**kwargs)


def test_analysis_stance_both_directions_timeline_and_trend():
    relations = [rel(A, "AID", B, doc="jan"), rel(B, "SUPPORT", A, doc="jan"),
                 rel(A, "ASSAULT", B, doc="mar"), rel(B, "THREATEN", A, doc="mar")]
    result = stance(relations, "A", "B", {"jan": "2023-01-05", "mar": "2023-03-02"})
    assert result.forward.counts == {"AID": 1, "ASSAULT": 1}
    assert result.backward.counts == {"SUPPORT": 1, "THREATEN": 1}
    assert [m.month for m in result.timeline] == ["2023-01", "2023-03"]
    assert result.trend == "worsening"
    assert result.evidence[0].relation.type == "ASSAULT"  # the strongest first


def test_analysis_stance_counts_events_and_lists_structural_ties_apart():
    relations = [rel(A, "ALLY_OF", B), rel(A, "ALLY_OF", B), rel(A, "ACCUSE", B), rel(B, "MEMBER_OF", A)]
    result = stance(relations, "A", "B", {"d1": "2023-01-05"})
    assert result.forward.counts == {"ACCUSE": 1} and result.forward.structural == {"ALLY_OF": 2}
    assert result.backward.counts == {} and result.backward.structural == {"MEMBER_OF": 1}
    assert result.net == load_weights()["ACCUSE"] and result.forward.cooperation == 0
    assert [m.relations for m in result.timeline] == [1]
    assert [e.relation.type for e in result.evidence] == ["ACCUSE"]
    year_only = stance(relations, "A", "B", {"d1": "2023"})
    assert year_only.timeline == [] and year_only.undated == 1  # a year is no month: out of the timeline


def test_analysis_blocs_recover_two_balanced_camps():
    graph = nx.Graph()
    for u, v, w in [("A", "B", 5), ("C", "D", 5), ("A", "C", -7), ("B", "D", -7), ("A", "D", -3)]:
        graph.add_edge(u, v, weight=w, count=2)  # each actor on 4 or more relations: enough to place it
    part = blocs(graph, k_max=3)
    assert sorted(map(sorted, part.blocs)) == [["A", "B"], ["C", "D"]]
    assert part.frustration == 0 and part.contradictions == []


def test_analysis_blocs_report_frustration_when_no_partition_fits():
    graph = nx.Graph()
    for u, v in [("A", "B"), ("B", "C"), ("A", "C")]:  # a triangle of enemies cannot be balanced in 2 blocs
        graph.add_edge(u, v, weight=-1, count=2)
    part = blocs(graph, k_max=2)
    assert part.frustration == pytest.approx(1 / 3)
    assert len(part.contradictions) == 1


def test_analysis_centrality_ranks_the_hub():
    relations = [rel(A, "CONSULT", B), rel(A, "ACCUSE", C), rel(A, "AID", D), rel(B, "ACCUSE", C)]
    rows = centrality(signed_graph(relations), by="betweenness")
    assert rows[0].actor == "A" and rows[0].degree == 3
    hub = rows[0]
    assert hub.balance == pytest.approx((hub.cooperation - hub.conflict) / (hub.cooperation + hub.conflict))


WEST = ["Poland", "Lithuania", "the United States", "Estonia", "Germany"]
EAST = ["Russia", "Belarus", "Iran"]
FRIENDLY = ["{a} praised {b} on Monday.", "{a} held talks with {b} in the capital.", "{a} supported {b} again.",
            "The foreign minister of {a} met {b} on Tuesday."]
HOSTILE = ["{a} condemned {b} on Monday.", "{a} accused {b} of provocations.", "{a} threatened {b}.",
           "{a} criticized {b} sharply.", "{a} attacked {b} near the border."]


def camp_articles(n: int = 40, seed: int = 3) -> dict[str, tuple[str, str]]:
    """n short articles over two camps: friendly within a camp, hostile across, dated by month."""
    import random

    rng = random.Random(seed)
    articles = {}
    for i in range(n):
        sentences = []
        for _ in range(3):
            camp = rng.choice([WEST, EAST])
            if rng.random() < 0.5:
                a, b = rng.sample(camp, 2)
                template = rng.choice(FRIENDLY)
            else:
                a, b = rng.choice(WEST), rng.choice(EAST)
                a, b = (a, b) if rng.random() < 0.5 else (b, a)
                template = rng.choice(HOSTILE)
            sentences.append(template.format(a=a, b=b)[0].upper() + template.format(a=a, b=b)[1:])
        if i % 5 == 0:  # one steady cross-camp quarrel for the stance and plot tests
            sentences.append("Russia condemned Poland.")
        articles[f"a{i:02d}"] = (" ".join(sentences), f"2024-{1 + i % 6:02d}-{1 + i % 27:02d}")
    return articles


@pytest.fixture(scope="module")
def camps_store(tmp_path_factory, nlp):
    from kg.build import build
    from kg.store import Store

    corpus = tmp_path_factory.mktemp("camps")
    articles = camp_articles()
    for name, (text, _) in articles.items():
        (corpus / f"{name}.txt").write_text(text, encoding="utf-8")
    (corpus / "corpus.json").write_text(json.dumps({"documents": {
        name: {"date": date} for name, (_, date) in articles.items()}}), encoding="utf-8")
    store = tmp_path_factory.mktemp("camps-store") / "store"
    build([corpus], Store(store), nlp=nlp)
    return store


def cli(runner, *args):
    from kg.cli import cli as main

    return runner.invoke(main, [str(a) for a in args])


def test_analysis_cli_alliances_split_the_camps(runner, camps_store):
    result = cli(runner, "alliances", "--format", "json", "--store", camps_store)
    assert result.exit_code == 0, result.output
    payload = json.loads(result.output)
    bloc_of = {m["actor"]: i for i, bloc in enumerate(payload["blocs"]) for m in bloc["members"]}
    assert bloc_of["Russia"] == bloc_of["Belarus"] == bloc_of["Iran"]
    assert bloc_of["Poland"] == bloc_of["Lithuania"] == bloc_of["United States"] == bloc_of["Germany"]
    assert bloc_of["Russia"] != bloc_of["Poland"]
    assert payload["documents"] == 40 and payload["tentative"] is False
    assert payload["frustration"] < 0.1


def test_analysis_cli_alliances_say_when_evidence_is_thin(runner, seeds_store_path):
    result = cli(runner, "alliances", "--store", seeds_store_path)
    assert result.exit_code == 0
    tentative = [line for line in result.output.splitlines() if line.startswith("tentative: ")]
    assert tentative and "from 5 documents (fewer than 50 relations or 20 documents)" in tentative[0]
    assert tentative[0].startswith("tentative: the placed actors have ")
    assert result.output.splitlines()[-1].startswith("counts are events (")
    assert "unplaced, thin evidence" in result.output  # the actors named once or twice are not given a bloc


def test_analysis_cli_stance_table(runner, camps_store):
    result = cli(runner, "stance", "Russia", "Belarus", "--store", camps_store)
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].startswith("Russia and Belarus: net +")  # same camp: cooperation
    assert "Russia -> Belarus" in result.output and "Belarus -> Russia" in result.output
    assert "by month (both directions):" in result.output
    assert re.search(r"^2024-0\d  ", result.output, re.MULTILINE)
    assert "trend: " in result.output and "strongest evidence:" in result.output
    hostile = cli(runner, "stance", "Russia", "Poland", "--store", camps_store)
    assert hostile.output.startswith("Russia and Poland: net -")  # across camps: conflict


def test_analysis_cli_stance_lists_structural_ties_apart(runner, seeds_store_path):
    # "Russia blames ally Armenia ...": the alliance is stated, not done, and adds nothing to the score
    result = cli(runner, "stance", "Russia", "Armenia", "--store", seeds_store_path)
    assert result.exit_code == 0, result.output
    table = result.output.split("\n\n")[0]
    assert ("structural ties, stated but not counted (a standing state, not an act): "
            "Russia -> Armenia ALLY_OF x") in table
    assert "ALLY_OF" not in table.splitlines()[2]  # the Russia -> Armenia row counts events only
    payload = json.loads(cli(runner, "stance", "Russia", "Armenia", "--format", "json",
                             "--store", seeds_store_path).output)
    forward = payload["directions"][0]
    assert "ALLY_OF" not in forward["counts"] and forward["structural_not_counted"]["ALLY_OF"] >= 1
    assert all(e["relation"] != "ALLY_OF" for e in payload["evidence"])


def test_analysis_cli_central_and_path(runner, camps_store):
    central = json.loads(cli(runner, "central", "--format", "json", "--store", camps_store).output)
    assert {row["actor"] for row in central} == {"Russia", "Belarus", "Iran", "Poland", "Lithuania",
                                                  "United States", "Estonia", "Germany"}
    weights = [row["weighted_degree"] for row in central]
    assert weights == sorted(weights, reverse=True)
    path = cli(runner, "path", "United States", "Belarus", "--store", camps_store)
    assert path.exit_code == 0
    assert path.output.startswith("path 1: United States - ")
    assert "    [" in path.output  # evidence for each hop


@pytest.mark.parametrize("args", [["plot", "stance", "Russia", "Poland"], ["plot", "alliances"]])
@pytest.mark.parametrize("suffix", [".png", ".svg"])
def test_analysis_cli_plots_write_pictures(runner, camps_store, tmp_path, args, suffix):
    out = tmp_path / f"picture{suffix}"
    result = cli(runner, *args, "-o", out, "--store", camps_store)
    assert result.exit_code == 0, result.output
    data = out.read_bytes()
    assert data.startswith(b"\x89PNG") if suffix == ".png" else b"<svg" in data[:2000]


def test_analysis_cli_plot_refuses_unknown_picture_format(runner, camps_store, tmp_path):
    result = cli(runner, "plot", "alliances", "-o", tmp_path / "x.gif", "--store", camps_store)
    assert result.exit_code == 1 and "write the picture as .png, .svg or .pdf" in result.output


def test_analysis_cli_graph_and_filtered_export(runner, camps_store, tmp_path):
    ego = tmp_path / "ego.html"
    assert cli(runner, "graph", "Belarus", "--depth", "1", "-o", ego, "--store", camps_store).exit_code == 0
    page = ego.read_text(encoding="utf-8")
    assert '"Belarus"' in page and "bloc 1" in page
    conflict = tmp_path / "conflict.html"
    result = cli(runner, "export", "--format", "html", "--quad", "material-conflict", "--color", "type",
                 "-o", conflict, "--store", camps_store)
    assert result.exit_code == 0, result.output
    assert "ASSAULT" in conflict.read_text(encoding="utf-8")
    assert "CONSULT" not in conflict.read_text(encoding="utf-8")


def test_analysis_cli_filters_shape_no_rdf_export(runner, camps_store):
    # RDF exports hold the whole store; the filters shape the tables and graphs
    result = cli(runner, "export", "--format", "ttl", "--quad", "material-conflict", "--store", camps_store)
    assert result.exit_code == 2 and "exports the whole store" in result.output
    result = cli(runner, "export", "--format", "jsonl", "--min-count", "2", "--store", camps_store)
    assert result.exit_code == 2 and "shape the html graph only" in result.output
