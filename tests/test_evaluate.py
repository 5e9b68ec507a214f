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
