"""The data behind the HTML graph (kg.export.graph_data, html_page): the top-N cut, aliases for the
search box, counts by quad class for the filters, bloc colours; on hand-made relations."""

import json
import re

import pytest

from kg.export import BLOC_COLOURS, DEFAULT_TOP, UNPLACED_COLOUR, graph_data, html_page
from kg.graph import relations_graph
from kg.records import Actor, Relation
from kg.vocab import RELATION_TYPES

ARMENIA = Actor("Armenia", "Armenia", "State", "Q399", ("Republic of Armenia", "Yerevan"))
AZERBAIJAN = Actor("Azerbaijan", "Azerbaijan", "State", "Q227", ("Baku",))
RUSSIA = Actor("Russia", "Russia", "State", "Q159")
EU = Actor("European_Union", "European Union", "Organization", "Q458", ("EU",))
OSCE = Actor("OSCE", "OSCE", "Organization")


def rel(source, rtype, target, doc="d1", start=0, confidence=0.9, sentence="s."):
    t = RELATION_TYPES[rtype]
    return Relation(doc, source, target, rtype, t.quad, t.polarity, False, False, confidence, sentence, start,
                    start + 2, "x", "v")


# Armenia 6 relations, Azerbaijan 5, Russia 3, EU 2, OSCE 0 (negated: not drawn)
RELATIONS = [rel(ARMENIA, "ACCUSE", AZERBAIJAN, start=0), rel(AZERBAIJAN, "ASSAULT", ARMENIA, start=1),
             rel(AZERBAIJAN, "ASSAULT", ARMENIA, start=2), rel(ARMENIA, "CONSULT", RUSSIA, start=3),
             rel(RUSSIA, "AID", ARMENIA, start=4), rel(EU, "REQUEST", AZERBAIJAN, start=5),
             rel(AZERBAIJAN, "AGREE", RUSSIA, start=6), rel(EU, "CONSULT", ARMENIA, start=7)]


def data_of(relations=RELATIONS, **options):
    return graph_data(relations_graph(relations), **options)


def test_html_graph_data_keeps_the_top_actors_by_count_and_lists_the_rest():
    data = data_of(top=2)
    assert [n["id"] for n in data["nodes"]] == ["Armenia", "Azerbaijan"]
    assert [n["count"] for n in data["nodes"]] == [6, 5]
    assert [(n["id"], n["count"]) for n in data["omitted"]] == [("Russia", 3), ("European_Union", 2)]
    assert {(e["from"], e["to"]) for e in data["edges"]} == {("Armenia", "Azerbaijan"), ("Azerbaijan", "Armenia")}
    assert data["note"] == "showing the top 2 of 4 actors by count; --top 0 for all"
    assert data["actors"] == {"shown": 2, "total": 4}


@pytest.mark.parametrize("top", [0, 4, 10])
def test_html_graph_data_top_zero_or_enough_draws_everyone_without_a_note(top):
    data = data_of(top=top)
    assert len(data["nodes"]) == 4 and data["omitted"] == [] and data["note"] == ""


def test_html_graph_data_keeps_the_focus_whatever_its_count():
    data = data_of(top=2, focus="European_Union")
    assert [n["id"] for n in data["nodes"]] == ["European_Union", "Armenia"]
    assert data["focus"] == "European_Union"


def test_html_graph_data_nodes_grow_with_their_count():
    sizes = [n["size"] for n in data_of()["nodes"]]
    assert sizes == sorted(sizes, reverse=True) and sizes[0] > sizes[-1]


def test_html_graph_data_aliases_for_the_search_box():
    data = data_of(aliases={"Armenia": ("Armenia", "Republic of Armenia", "ARM")})
    armenia = next(n for n in data["nodes"] if n["id"] == "Armenia")
    assert armenia["aliases"] == ["Republic of Armenia", "ARM"]  # the label itself is not an alias
    assert "also: Republic of Armenia, ARM" in armenia["title"]


def test_html_page_takes_aliases_from_the_records_and_the_store():
    page = html_page(RELATIONS, aliases={"Russia": ("Russian Federation",)}, top=0)
    data = json.loads(re.search(r'id="kg-data">(.*?)</script>', page, re.S).group(1))
    aliases = {n["id"]: n["aliases"] for n in data["nodes"]}
    assert aliases["Armenia"] == ["Republic of Armenia", "Yerevan"]
    assert aliases["Russia"] == ["Russian Federation"]
    assert aliases["European_Union"] == ["EU"]


def test_html_graph_data_counts_each_pair_by_quad_class_and_type():
    edges = {(e["from"], e["to"]): e for e in data_of()["edges"]}
    assert edges[("Azerbaijan", "Armenia")]["quads"] == {"material-conflict": 2}
    assert edges[("Azerbaijan", "Armenia")]["types"] == {"ASSAULT": 2}
    assert edges[("Armenia", "Azerbaijan")]["quads"] == {"verbal-conflict": 1}
    assert edges[("Russia", "Armenia")]["quads"] == {"material-cooperation": 1}
    assert data_of()["quads"] == ["verbal-cooperation", "material-cooperation", "verbal-conflict", "material-conflict"]
    assert data_of()["relationTypes"]["ASSAULT"] == {"quad": "material-conflict", "polarity": -1}


def test_html_graph_data_keeps_the_strongest_evidence_of_each_quad_class():
    relations = ([rel(ARMENIA, "ACCUSE", AZERBAIJAN, start=i, confidence=0.5 + i / 100, sentence=f"accuse {i}")
                  for i in range(4)] + [rel(ARMENIA, "CONSULT", AZERBAIJAN, start=9, confidence=0.1, sentence="talks")])
    (edge,) = data_of(relations, max_evidence=2)["edges"]
    assert edge["count"] == 5
    assert [ev[-1] for ev in edge["evidence"]] == ["accuse 3", "accuse 2", "talks"]
    assert edge["evidence"][0][:3] == ["ACCUSE", "verbal-conflict", "d1"]


def test_html_graph_data_colours_by_bloc_index_and_greys_the_unplaced():
    data = data_of(color_by="bloc", membership={"Armenia": 0, "Russia": 0, "Azerbaijan": 1},
                   strength={"Armenia": 5.0, "Russia": 2.0, "Azerbaijan": 4.0})
    colour = {n["id"]: n["color"] for n in data["nodes"]}
    assert colour == {"Armenia": BLOC_COLOURS[0], "Russia": BLOC_COLOURS[0], "Azerbaijan": BLOC_COLOURS[1],
                      "European_Union": UNPLACED_COLOUR}
    assert UNPLACED_COLOUR not in BLOC_COLOURS
    eu = next(n for n in data["nodes"] if n["id"] == "European_Union")
    assert eu["bloc"] is None and "bloc: unplaced" in eu["title"]
    assert data["legend"] == [["bloc 1 (Armenia)", BLOC_COLOURS[0]], ["bloc 2 (Azerbaijan)", BLOC_COLOURS[1]],
                              ["unplaced (no bloc)", UNPLACED_COLOUR]]


def test_html_graph_data_by_type_when_no_bloc_is_known():
    data = data_of(color_by="bloc", membership={})
    assert data["colourBy"] == "type"
    assert all("bloc" not in n["title"] for n in data["nodes"])


def test_html_page_is_one_file_with_no_placeholder_left():
    page = html_page(RELATIONS)
    assert "{{" not in page.split('id="kg-data"')[0]
    assert "new vis.Network" in page and "vis-network" in page
    assert not re.search(r"<(script|link|img)[^>]+(src|href)=", page)


def test_html_cli_top_option(runner, seeds_store_path, tmp_path):
    from kg.cli import cli

    page = tmp_path / "g.html"
    result = runner.invoke(cli, ["export", "--format", "html", "--top", "3", "-o", str(page), "--store", str(seeds_store_path)])
    assert result.exit_code == 0, result.output
    data = json.loads(re.search(r'id="kg-data">(.*?)</script>', page.read_text(encoding="utf-8"), re.S).group(1))
    assert len(data["nodes"]) == 3 and data["note"].startswith("showing the top 3 of ")
    result = runner.invoke(cli, ["export", "--format", "ttl", "--top", "3", "--store", str(seeds_store_path)])
    assert result.exit_code == 2 and "shape the html graph" in result.output
    top = next(p for p in cli.commands["graph"].params if p.name == "top")
    assert top.default == DEFAULT_TOP


def test_html_store_aliases_are_the_actors_other_names(seeds_store):
    from kg.export import store_aliases

    aliases = store_aliases(seeds_store)
    assert {"Republic of Armenia", "Yerevan"} <= set(aliases["Armenia"])
    assert "Armenia" not in aliases["Armenia"]
