"""The public Python API, as a notebook uses it: from kg import api, then functions of a store."""

import kg
from kg import api


def test_api_reads_a_store_by_its_path(seeds_store_path):
    actor, rows = api.neighbors(seeds_store_path, "Yerevan")
    assert actor.id == "Armenia" and rows
    assert {row["quad"] for row in api.query(seeds_store_path, "quad-counts")} >= {"verbal-conflict"}
    assert api.query(seeds_store_path, "SELECT (COUNT(*) AS ?n) WHERE { ?s a kg:Document }") == [{"n": "5"}]


def test_api_analyses_take_a_filter(seeds_store_path):
    every = api.relations(seeds_store_path, kg.Filter())
    states = api.relations(seeds_store_path, kg.Filter(actor_types=frozenset({"State"})))
    assert 0 < len(states) < len(every)
    result = api.stance(seeds_store_path, "Moscow", "Yerevan")
    assert result.forward.counts and result.net < 0
    partition = api.alliances(seeds_store_path)
    assert partition.blocs and partition.unplaced is not None
    assert api.graph(seeds_store_path, count="mentions").number_of_edges() == len(every)
    assert api.graph(seeds_store_path).number_of_edges() < len(every)  # events: the reports of one incident once
    assert "<html" in api.html(seeds_store_path, top=10)


def test_api_import_is_cheap():
    import subprocess
    import sys

    loaded = subprocess.run([sys.executable, "-c", "import kg, sys; kg.Store; print('spacy' in sys.modules, 'pyoxigraph' in sys.modules)"],
                            capture_output=True, text=True, timeout=60).stdout.split()
    assert loaded == ["False", "True"]  # the store, not spaCy


def test_api_counts_as_the_cli_does(runner, seeds_store_path):
    import json

    from kg.cli import cli

    shown = json.loads(runner.invoke(cli, ["stance", "Russia", "Armenia", "--format", "json", "--store",
                                           str(seeds_store_path)]).output)
    assert api.stance(seeds_store_path, "Russia", "Armenia").net == shown["net"]
    assert api.stance(seeds_store_path, "Russia", "Armenia", count="mentions").net < shown["net"]
