"""A speaker's judgement of another actor's act (ontology/evaluations.tsv): calling it illegal, a sham or a
violation is ACCUSE against its owner, calling it constructive or a step forward is SUPPORT."""

import pytest

from tests.conftest import asserted


def all_relations(extractor, text):
    return {(r.source.rolled_up().label, r.type, r.target.rolled_up().label)
            for r in extractor.relations(text)}


@pytest.mark.parametrize("text, expected", [
    ("France said the US-led war in Iraq was illegal.", ("France", "ACCUSE", "United States")),
    ("The US-led war in Iraq was illegal, France said.", ("France", "ACCUSE", "United States")),
    ("Russia called the Ukrainian election a sham.", ("Russia", "ACCUSE", "Ukraine")),
    ("Germany described the Israeli policy as unacceptable.", ("Germany", "ACCUSE", "Israel")),
    ("Germany dismissed the Ukrainian election as a farce.", ("Germany", "ACCUSE", "Ukraine")),
    ("The Ukrainian election was condemned by Washington as seriously flawed.", ("United States", "ACCUSE", "Ukraine")),
    ("Egypt says the Israeli policy contravenes international law.", ("Egypt", "ACCUSE", "Israel")),
    ("Syria said the Israeli raid was a violation of its sovereignty.", ("Syria", "ACCUSE", "Israel")),
    ("Russia called Georgia a threat.", ("Russia", "ACCUSE", "Georgia")),
])
def test_evaluative_accuse_owner(extractor, text, expected):
    assert expected in asserted(extractor, text)


@pytest.mark.parametrize("text, expected", [
    ("Britain said Iran's proposal was a positive step.", ("United Kingdom", "SUPPORT", "Iran")),
    ("Japan said the Chinese proposal was constructive.", ("Japan", "SUPPORT", "China")),
])
def test_evaluative_support_owner(extractor, text, expected):
    assert expected in asserted(extractor, text)


@pytest.mark.parametrize("text, unwanted", [
    ("France said the US-led war in Iraq was not illegal.", ("France", "ACCUSE", "United States")),
    ("France did not say the US-led war in Iraq was illegal.", ("France", "ACCUSE", "United States")),
    ("France said the US-led war in Iraq would be illegal.", ("France", "ACCUSE", "United States")),
    ("Britain said the Ukrainian election was not a positive step.", ("United Kingdom", "SUPPORT", "Ukraine")),
])
def test_evaluative_negated_or_possible_not_asserted(extractor, text, unwanted):
    assert unwanted not in asserted(extractor, text)


@pytest.mark.parametrize("text", [
    "France said the war was illegal.",  # no owner
    "Iran said its nuclear programme was illegal.",  # the speaker's own act
    "Germany said it was unacceptable.",  # a pronoun is no owner
    "The Israeli policy is illegal.",  # no speaker
])
def test_evaluative_needs_owner_and_speaker(extractor, text):
    assert not any(t in ("ACCUSE", "SUPPORT") for _, t, _ in all_relations(extractor, text))


def test_evaluative_no_duplicate_of_speech_verb(extractor):
    relations = [r for r in extractor.relations("France condemned the Israeli policy as illegal.")
                 if r.asserted and r.type == "ACCUSE"]
    assert len(relations) == 1
