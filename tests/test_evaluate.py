"""Scoring against gold: the three levels and the schema's rules."""

import json

import pytest

from kg.errors import GoldError
from kg.evaluate import Item, evaluate, read_gold


def item(source, relation, target, quad=None, core=True, doc="d1"):
    from kg.vocab import RELATION_TYPES

    return Item(doc, source, relation, target, quad or RELATION_TYPES[relation].quad, "", core)


def test_evaluate_strict_dyad_quad_and_dyad_levels():
    gold = [item("Q1", "ACCUSE", "Q2"), item("Q3", "AID", "Q1")]
    predicted = [item("Q1", "REJECT", "Q2"),  # right dyad and quad, wrong type
                 item("Q3", "COOPERATE", "Q1")]  # right dyad and quad (material-cooperation)
    result = evaluate(predicted, gold)
    assert result.levels["strict"].f1 == 0
    assert result.levels["dyad+quad"].f1 == 1
    assert result.levels["dyad"].f1 == 1


@pytest.mark.parametrize("relation", ["CONSULT", "AGREE", "ALLY_OF"])
def test_evaluate_undirected_types_match_either_direction(relation):
    result = evaluate([item("Q2", relation, "Q1")], [item("Q1", relation, "Q2")])
    assert result.levels["strict"].f1 == 1


def test_evaluate_directed_types_do_not_match_reversed():
    result = evaluate([item("Q2", "ACCUSE", "Q1")], [item("Q1", "ACCUSE", "Q2")])
    assert result.levels["strict"].precision == 0 and result.levels["dyad"].recall == 0


def test_evaluate_duplicates_collapse_and_non_core_counts_only_for_precision():
    gold = [item("Q1", "ACCUSE", "Q2"), item("Q1", "SUPPORT", "Q3", core=False)]
    predicted = [item("Q1", "ACCUSE", "Q2")] * 3 + [item("Q1", "SUPPORT", "Q3")]
    strict = evaluate(predicted, gold).levels["strict"]
    assert (strict.tp_precision, strict.predicted) == (2, 2)
    assert (strict.tp_recall, strict.gold) == (1, 1)


def test_evaluate_micro_average_over_documents():
    gold = [item("Q1", "ACCUSE", "Q2", doc="a"), item("Q1", "ACCUSE", "Q2", doc="b")]
    predicted = [item("Q1", "ACCUSE", "Q2", doc="a"), item("Q1", "ACCUSE", "Q3", doc="b")]
    strict = evaluate(predicted, gold).levels["strict"]
    assert strict.precision == 0.5 and strict.recall == 0.5


def test_evaluate_reports_misses_and_false_positives():
    result = evaluate([item("Q1", "ACCUSE", "Q9")], [item("Q1", "ACCUSE", "Q2")])
    assert [(m.source, m.target) for m in result.misses] == [("Q1", "Q2")]
    assert [(f.source, f.target) for f in result.false_positives] == [("Q1", "Q9")]


def test_evaluate_read_gold_rejects_lines_off_schema(tmp_path):
    path = tmp_path / "g.jsonl"
    path.write_text(json.dumps({"doc": "d", "source": "Q1", "relation": "LOVE", "target": "Q2"}) + "\n")
    with pytest.raises(GoldError, match="g.jsonl:1"):
        read_gold(path)


def test_evaluate_read_seed_gold():
    from tests.conftest import SEEDS

    gold = read_gold(SEEDS / "gold")
    assert len({g.doc for g in gold}) == 5 and any(g.core for g in gold)


def test_evaluate_cli_on_the_seed_gold_meets_the_floors(runner):
    """The development floors of the extraction issues: strict F1 >= 0.80, dyad+quad F1 >= 0.80."""
    from kg.cli import cli
    from tests.conftest import SEEDS

    result = runner.invoke(cli, ["eval", str(SEEDS / "gold"), "--format", "json", "--errors"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output[result.output.index("{"):])
    assert report["documents"] == 5
    assert report["levels"]["strict"]["f1"] >= 0.80
    assert report["levels"]["dyad+quad"]["f1"] >= 0.80
    assert report["levels"]["dyad"]["f1"] >= report["levels"]["strict"]["f1"]
    assert {"misses", "false_positives"} <= set(report)


def test_evaluate_cli_table_and_errors(runner):
    from kg.cli import cli
    from tests.conftest import SEEDS

    result = runner.invoke(cli, ["eval", str(SEEDS / "gold"), "--errors"])
    assert result.exit_code == 0
    assert "level      precision  recall  f1" in result.output
    assert "by relation type (strict):" in result.output and "missed core gold relations" in result.output


def test_evaluate_cli_without_articles_says_to_pass_corpus(runner, tmp_path):
    from kg.cli import cli

    (tmp_path / "gold").mkdir()
    (tmp_path / "gold" / "x.jsonl").write_text(json.dumps(
        {"doc": "nowhere", "source": "Q1", "relation": "ACCUSE", "target": "Q2"}) + "\n")
    result = runner.invoke(cli, ["eval", str(tmp_path / "gold")])
    assert result.exit_code == 1 and "pass --corpus DIR" in result.output


def test_evaluate_finds_articles_beside_a_gold_folder_not_the_gold_files(tmp_path):
    from kg.evaluate import find_corpus

    (tmp_path / "gold").mkdir()
    (tmp_path / "seeds").mkdir()
    (tmp_path / "gold" / "a1.jsonl").write_text(json.dumps(
        {"doc": "a1", "source": "Q1", "relation": "ACCUSE", "target": "Q2"}) + "\n")
    (tmp_path / "seeds" / "a1.txt").write_text("Text.")
    (tmp_path / "STYLE.md").write_text("not an article of the gold")
    gold = read_gold(tmp_path / "gold")
    assert find_corpus(gold, tmp_path / "gold") == [tmp_path / "seeds" / "a1.txt"]


def test_evaluate_cli_leaves_the_users_store_alone(runner, tmp_path, monkeypatch):
    """kg eval builds into a temporary store: the working directory's .kg (or KG_STORE) gains nothing."""
    from kg.cli import cli
    from tests.conftest import SEEDS

    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("KG_STORE", raising=False)
    result = runner.invoke(cli, ["eval", str(SEEDS / "gold")])
    assert result.exit_code == 0, result.output
    assert not (tmp_path / ".kg").exists()


def test_evaluate_cli_counts_what_is_extracted_from_a_document_with_an_empty_gold_file(runner, tmp_path):
    """A document whose gold file is empty asserts nothing: every relation read from it is a false positive."""
    from kg.cli import cli

    (tmp_path / "gold").mkdir()
    (tmp_path / "texts").mkdir()
    (tmp_path / "texts" / "a.txt").write_text("Kenya condemned Somalia.", encoding="utf-8")
    (tmp_path / "texts" / "b.txt").write_text("Kenya condemned Somalia on Monday.", encoding="utf-8")
    (tmp_path / "gold" / "a.jsonl").write_text(json.dumps(
        {"doc": "a", "source": "Q114", "relation": "ACCUSE", "target": "Q1045"}) + "\n")
    (tmp_path / "gold" / "b.jsonl").write_text("")
    result = runner.invoke(cli, ["eval", str(tmp_path / "gold"), "--format", "json", "--errors"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output[result.output.index("{"):])
    assert report["documents"] == 2
    strict = report["levels"]["strict"]
    assert (strict["correct_predictions"], strict["predictions"]) == (1, 2)
    assert [fp["doc"] for fp in report["false_positives"]] == ["b"]
