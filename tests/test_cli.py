"""The command line, used as a person would: exit codes, one-line errors, real output."""

import csv
import io
import json
import re
import subprocess
import sys
from importlib.metadata import entry_points

import pytest

from kg.cli import cli
from kg.store import Store

COMMANDS = ["build", "neighbors", "query", "actors", "export", "validate", "eval", "stance", "alliances", "central",
            "path", "graph", "plot stance", "plot alliances"]


def run(runner, *args):
    return runner.invoke(cli, [str(a) for a in args], catch_exceptions=False)


@pytest.mark.parametrize("command", COMMANDS)
def test_cli_every_command_has_help_with_an_example(runner, command):
    result = run(runner, *command.split(), "--help")
    assert result.exit_code == 0
    assert "Example:" in result.output
    # every command reads or writes a store, but kg eval, which builds into a temporary one
    assert ("--store" in result.output) == (command != "eval")


@pytest.mark.timeout(60)
def test_cli_ctrl_c_as_the_command_starts_is_one_line_and_exit_130():
    # Ctrl-C pressed as kg starts lands while it imports click: before, Python printed a traceback
    script = ("import sys\n"
              "class CtrlC:  # what a Ctrl-C at that instant raises\n"
              "    def find_spec(self, name, path=None, target=None):\n"
              "        if name == 'click':\n"
              "            raise KeyboardInterrupt\n"
              "sys.meta_path.insert(0, CtrlC())\n"
              "from kg.entry import main\n"
              "main()\n")
    result = subprocess.run([sys.executable, "-c", script, "actors"], capture_output=True, text=True, timeout=30)
    assert (result.returncode, result.stderr) == (130, "Error: interrupted\n")
    (kg,) = entry_points(group="console_scripts", name="kg")
    assert kg.value == "kg.entry:main"  # the kg command a user runs starts there


def test_cli_neighbors_of_armenia(runner, seeds_store_path):
    result = run(runner, "neighbors", "Armenia", "--store", seeds_store_path, "--format", "json")
    assert result.exit_code == 0
    payload = json.loads(result.output)
    assert payload["actor"] == {"id": "Armenia", "label": "Armenia", "type": "State", "wikidata": "Q399"}
    rows = payload["neighbors"]
    labels = {r["actor"] for r in rows}
    assert {"Russia", "Azerbaijan", "Collective Security Treaty Organization", "European Union",
            "United States"} <= labels
    russia = {(r["relation"], r["direction"]) for r in rows if r["actor"] == "Russia"}
    assert ("ACCUSE", "in") in russia and ("ALLY_OF", "in") in russia
    assert ("CONSULT", "in") in {(r["relation"], r["direction"]) for r in rows if r["actor"] == "United States"}
    assert ("MEMBER_OF", "out") in {(r["relation"], r["direction"]) for r in rows
                                   if r["actor"] == "Collective Security Treaty Organization"}


@pytest.mark.parametrize("name", ["armenia", "ARMENIA", "Yerevan", "Q399", "Republic of Armenia"])
def test_cli_neighbors_by_any_name(runner, seeds_store_path, name):
    result = run(runner, "neighbors", name, "--store", seeds_store_path)
    assert result.exit_code == 0
    assert result.output.startswith("Armenia (State, Q399): ")


def test_cli_alias_moscow_is_russia(runner, seeds_store_path):
    result = run(runner, "neighbors", "Moscow", "--store", seeds_store_path)
    assert result.output.startswith("Russia (State, Q159): ")


def test_cli_neighbors_filters_and_evidence(runner, seeds_store_path):
    result = run(runner, "neighbors", "Russia", "--relation", "accuse", "--direction", "out", "--evidence",
                 "--store", seeds_store_path)
    assert result.exit_code == 0
    *rows, note = [line for line in result.output.splitlines()[1:] if not line.startswith("    ")]
    assert rows and all("  ACCUSE  out  " in row for row in rows)
    assert note.startswith("counts are events")
    assert "    [001_a300e4e0efe2f159] Russian Foreign Minister Sergei Lavrov accused the West" in result.output


def test_cli_neighbors_csv_is_parseable(runner, seeds_store_path):
    result = run(runner, "neighbors", "Armenia", "--format", "csv", "--store", seeds_store_path)
    rows = list(csv.DictReader(io.StringIO(result.output)))
    assert rows and set(rows[0]) == {"neighbour", "relation", "direction", "count", "stance"}


def test_cli_unknown_actor_is_one_line_with_suggestions(runner, seeds_store_path):
    result = runner.invoke(cli, ["neighbors", "Armenai", "--store", str(seeds_store_path)])
    assert result.exit_code == 1
    assert result.output == ("Error: unknown actor 'Armenai'. Did you mean: Armenia? "
                             "(kg actors lists the known ones)\n")


def test_cli_injection_in_actor_name_leaves_store_unchanged(runner, seeds_store_path):
    before = len(Store(seeds_store_path))
    result = runner.invoke(cli, ["neighbors", 'Armenia" } ; DROP ALL ; #', "--store", str(seeds_store_path)])
    assert result.exit_code == 1 and "unknown actor" in result.output
    assert len(Store(seeds_store_path)) == before


def test_cli_missing_store_says_to_build(runner, tmp_path):
    result = runner.invoke(cli, ["neighbors", "Armenia", "--store", str(tmp_path / "none")])
    assert result.exit_code == 1
    assert result.output == f"Error: no graph in {tmp_path / 'none'} yet: run 'kg build' first (or pass --store)\n"


def test_cli_rebuilding_the_same_corpus_adds_nothing(runner, store_copy, nlp):
    from tests.conftest import SEEDS

    before = sorted(map(str, Store(store_copy).quads()))
    result = run(runner, "build", SEEDS, "--store", store_copy)
    assert result.exit_code == 0
    assert re.match(r"built 5 documents \(0 extracted, 5 unchanged\), \d+ relations, \d+ actors in", result.output)
    assert sorted(map(str, Store(store_copy).quads())) == before


def test_cli_rebuild_flag_gives_the_same_triples(runner, store_copy):
    from tests.conftest import SEEDS

    before = sorted(map(str, Store(store_copy).quads()))
    result = run(runner, "build", SEEDS, "--rebuild", "--store", store_copy)
    assert "(5 extracted, 0 unchanged)" in result.output
    assert sorted(map(str, Store(store_copy).quads())) == before


def test_cli_build_skips_unreadable_file_and_builds_the_rest(runner, tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "good.txt").write_text("Kenya condemned Somalia on Friday.", encoding="utf-8")
    (corpus / "photo.txt").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(200))
    result = runner.invoke(cli, ["build", str(corpus), "--store", str(tmp_path / "s")])
    assert result.exit_code == 3
    photo = corpus / "photo.txt"
    assert f'warning: skipped "{photo}": binary file (a PNG image)' in result.output
    assert "built 1 documents (1 extracted, 0 unchanged, 1 skipped)" in result.output
    assert run(runner, "neighbors", "Kenya", "--store", tmp_path / "s").output.startswith("Kenya (State, Q114)")


def test_cli_build_missing_path_is_one_line(runner, tmp_path):
    result = runner.invoke(cli, ["build", str(tmp_path / "nope"), "--store", str(tmp_path / "s")])
    assert result.exit_code == 1
    assert result.output == f"Error: {tmp_path / 'nope'}: no such file or folder\n"


def test_cli_query_refuses_updates(runner, seeds_store_path):
    before = len(Store(seeds_store_path))
    result = runner.invoke(cli, ["query", "DROP ALL", "--store", str(seeds_store_path)])
    assert result.exit_code == 1
    assert result.output == "Error: SPARQL updates (DROP) are refused: kg query only reads; change the graph with kg build\n"
    assert len(Store(seeds_store_path)) == before


def test_cli_query_select_table_and_json(runner, seeds_store_path):
    text = "SELECT ?label WHERE { ?a a kg:State ; rdfs:label ?label } ORDER BY ?label"
    table = run(runner, "query", text, "--store", seeds_store_path)
    assert table.output.splitlines()[0] == "label" and "Armenia" in table.output
    data = json.loads(run(runner, "query", text, "--format", "json", "--store", seeds_store_path).output)
    assert {"value": "Armenia", "type": "literal"} in [b["label"] for b in data["results"]["bindings"]]


def test_cli_query_named_with_param(runner, seeds_store_path):
    result = run(runner, "query", "evidence", "--param", "source=Russia", "--param", "target=the West",
                 "--store", seeds_store_path)
    assert result.exit_code == 0
    assert "accused the West" in result.output


def test_cli_query_list(runner):
    result = run(runner, "query", "--list")
    assert "neighbors --param actor=..." in result.output


def test_cli_query_malformed_is_one_line(runner, seeds_store_path):
    result = runner.invoke(cli, ["query", "SELECT ?s WHERE { ?s ?p", "--store", str(seeds_store_path)])
    assert result.exit_code == 1
    assert result.output.startswith("Error: SPARQL syntax error: ") and result.output.count("\n") == 1


def test_cli_actors_lists_types_and_wikidata(runner, seeds_store_path):
    result = run(runner, "actors", "arm", "--format", "json", "--store", seeds_store_path)
    rows = json.loads(result.output)
    assert {"actor": "Armenia", "type": "State", "wikidata": "Q399"}.items() <= rows[0].items()


def test_cli_export_jsonl_has_exactly_the_documented_fields(runner, seeds_store_path):
    result = run(runner, "export", "--format", "jsonl", "--store", seeds_store_path)
    lines = [json.loads(line) for line in result.output.splitlines()]
    assert lines
    fields = ["doc", "date", "title", "url", "source", "target", "relation", "quad", "goldstein", "polarity", "negated",
              "hypothetical", "background", "stated_date", "confidence", "trigger", "sentence", "start", "end"]
    for line in lines:
        assert list(line) == fields
        for end in ("source", "target"):
            assert list(line[end]) == ["id", "label", "type", "wikidata", "country", "represents"]
            if line[end]["represents"] is not None:
                assert list(line[end]["represents"]) == ["id", "label", "type", "wikidata", "country"]
    persons = [line for line in lines if line["source"]["type"] == "Person"]
    assert any(p["source"]["represents"]["label"] == "Russia" for p in persons)


def test_cli_export_html_loads_no_remote_script(runner, seeds_store_path, tmp_path):
    out = tmp_path / "graph.html"
    result = run(runner, "export", "--format", "html", "-o", out, "--store", seeds_store_path)
    assert result.exit_code == 0
    page = out.read_text(encoding="utf-8")
    assert "new vis.Network" in page
    assert not re.search(r"<script[^>]+src=", page)
    assert not re.search(r"<link[^>]+href=[\"']?https?:", page)


@pytest.mark.parametrize("fmt", ["ttl", "nq", "jsonld", "graphml", "gexf"])
def test_cli_export_formats_parse(runner, seeds_store_path, tmp_path, fmt):
    import networkx as nx
    import rdflib

    out = tmp_path / f"graph.{fmt}"
    assert run(runner, "export", "--format", fmt, "-o", out, "--store", seeds_store_path).exit_code == 0
    if fmt in ("graphml", "gexf"):
        graph = (nx.read_graphml if fmt == "graphml" else nx.read_gexf)(out)
        assert "Armenia" in graph
    else:
        kind = {"ttl": "turtle", "nq": "nquads", "jsonld": "json-ld"}[fmt]
        dataset = rdflib.Dataset().parse(out, format=kind)
        assert len(dataset) > 100


def test_cli_validate(runner, seeds_store_path):
    result = run(runner, "validate", "--store", seeds_store_path)
    assert result.exit_code == 0 and result.output.startswith("valid: ")


def test_cli_query_only_commands_do_not_import_spacy():
    import subprocess
    import sys

    code = ("import sys; from kg.cli import cli; "
            "from click.testing import CliRunner; CliRunner().invoke(cli, ['neighbors', 'x', '--store', '/nonexistent']); "
            "import kg.neighbors, kg.export, kg.queries, kg.lookup, kg.statements, kg.graph; "
            "print('spacy' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
