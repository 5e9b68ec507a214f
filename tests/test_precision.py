"""Precision: events only expected, alleged, sought or called off are not asserted; a noun's actor is
its own owner or a light verb's subject; figurative conflict and phrase-level alliances are not coded."""

import pytest

from tests.conftest import asserted


@pytest.mark.parametrize("text, unwanted", [
    ("Australia rejected allegations that Iraq abused Kuwait.", ("Iraq", "ASSAULT", "Kuwait")),
    ("Turkey is unlikely to join the EU.", ("Turkey", "MEMBER_OF", "European Union")),
    ("Russia pledged aid to Iraq.", ("Russia", "AID", "Iraq")),
    ("Talks between Iran and Britain are due to be held next week.", ("Iran", "CONSULT", "United Kingdom")),
    ("Canada turns down plea for more troops to protect UN staff in Iraq", ("Canada", "AID", "United Nations")),
])
def test_precision_not_asserted(extractor, text, unwanted):
    assert unwanted not in asserted(extractor, text)


@pytest.mark.parametrize("text, unwanted", [
    ("Egypt condemned the attack on Israel.", ("Egypt", "ASSAULT", "Israel")),
    ("Iran blamed the attack on Israel.", ("Iran", "ASSAULT", "Israel")),
])
def test_precision_noun_source_not_inherited(extractor, text, unwanted):
    assert unwanted not in asserted(extractor, text)


@pytest.mark.parametrize("text, expected", [
    ("Syria launched an attack on Israel.", ("Syria", "ASSAULT", "Israel")),
    ("Syria held talks with Jordan.", ("Syria", "CONSULT", "Jordan")),
    ("France imposed sanctions on Iran.", ("France", "SANCTION", "Iran")),
])
def test_precision_light_verbs_keep_source(extractor, text, expected):
    assert expected in asserted(extractor, text)


@pytest.mark.parametrize("text, unwanted", [
    ("The United States lifted sanctions on Libya.", ("United States", "SANCTION", "Libya")),
    ("Japan halted aid to North Korea.", ("Japan", "AID", "North Korea")),
    ("India suspended talks with Pakistan.", ("India", "CONSULT", "Pakistan")),
])
def test_precision_ended_events_negated(extractor, text, unwanted):
    assert unwanted not in asserted(extractor, text)


@pytest.mark.parametrize("text, unwanted", [
    ("France shot down a German proposal.", ("France", "ASSAULT", "Germany")),
])
def test_precision_figurative_conflict(extractor, text, unwanted):
    assert unwanted not in asserted(extractor, text)


@pytest.mark.parametrize("text, unwanted", [
    ("Jordan's court jailed a militant on Sunday for financing al Qaeda ally Abu Musab al-Zarqawi's bombings in Iraq.",
     "ALLY_OF"),
    ("Critics noted the seizure by Al-Qaeda's Pakistani allies of two Chinese engineers.", "ALLY_OF"),
    ("Israel's opposition Labour party has clinched a deal with Prime Minister Ariel Sharon's Likud party to join his "
     "coalition.", "MEMBER_OF"),
])
def test_precision_phrase_alliances(extractor, text, unwanted):
    assert unwanted not in {t for _, t, _ in asserted(extractor, text)}


@pytest.mark.parametrize("text, unwanted", [
    ("Afghan President Hamid Karzai is to visit Pakistan next week.", ("Afghanistan", "CONSULT", "Pakistan")),
    ("Japan to deport Bobby Fischer", ("Japan", "COERCE", "Bobby Fischer")),
    ("China warned Singapore officials against visiting Taiwan.", ("Singapore", "CONSULT", "Taiwan")),
])
def test_precision_scheduled_or_plotted(extractor, text, unwanted):
    assert unwanted not in asserted(extractor, text)


def test_precision_plot_is_not_the_act(extractor):
    assert "ASSAULT" not in {t for _, t, _ in asserted(extractor, "Colombian rebels plotted to assassinate George Bush.")}


@pytest.mark.parametrize("text, unwanted", [
    ("China sent a message to Cambodia to congratulate its new king.", ("China", "AID", "Cambodia")),
    ("An Israeli diplomat met with an analyst investigated by the FBI.", ("Israel", "CONSULT", "FBI")),
])
def test_precision_no_party_through_things(extractor, text, unwanted):
    assert unwanted not in asserted(extractor, text)


@pytest.mark.parametrize("text, expected", [
    ("Western leaders united to condemn Syria.", ("West", "ACCUSE", "Syria")),
    ("Britain sent troops to Iraq.", ("United Kingdom", "AID", "Iraq")),
    ("Israel levels new accusations against Syria.", ("Israel", "ACCUSE", "Syria")),
])
def test_precision_still_asserted(extractor, text, expected):
    assert expected in asserted(extractor, text)
