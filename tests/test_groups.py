"""Non-state groups (ontology/agents.tsv "group"): their own actors, never rolled up to a state."""

from __future__ import annotations

import pytest

from tests.conftest import asserted


def actors(extractor, text: str) -> dict[str, str]:
    """Every actor label in the asserted relations of ``text``, with its type (rolled up)."""
    found = {}
    for r in extractor.relations(text):
        for actor in (r.source.rolled_up(), r.target.rolled_up()):
            found[actor.label] = actor.type
    return found


@pytest.mark.parametrize(
    "text, expected",
    [
        # a modifying demonym stays in the label: the state is not the party
        ("Iraqi militants beheaded a Turkish hostage.", ("Iraqi militants", "ASSAULT", "Turkey")),
        ("A Palestinian gunman shot two Israeli soldiers.", ("Palestinian gunmen", "ASSAULT", "Israel")),
        ("Colombian rebels attacked a Venezuelan army post.", ("Colombian rebels", "ASSAULT", "Venezuela")),
        ("The Nigerian army killed 24 Islamic militants.", ("Nigeria", "ASSAULT", "Islamic militants")),
        ("Seven U.S. groups criticized Israel.", ("U.S. groups", "ACCUSE", "Israel")),
    ],
)
def test_groups_keep_their_demonym(extractor, text, expected):
    assert expected in asserted(extractor, text)


@pytest.mark.parametrize(
    "text, expected",
    [
        # a place is not an owner of a group noun
        ("Militants in Iraq beheaded a British hostage.", ("militants", "ASSAULT", "United Kingdom")),
        ("Rebels from Colombia attacked a Venezuelan army post.", ("rebels", "ASSAULT", "Venezuela")),
    ],
)
def test_groups_a_place_is_not_the_owner(extractor, text, expected):
    found = asserted(extractor, text)
    assert expected in found
    assert not any(source in ("Iraq", "Colombia") for source, _, _ in found)


@pytest.mark.parametrize(
    "text, expected",
    [
        # a bare group noun is the group itself, as a subject or an object
        ("Gunmen killed the Baghdad governor.", ("gunmen", "ASSAULT", "Iraq")),
        ("BAGHDAD (Reuters) - Gunmen killed the Baghdad governor on Tuesday.", ("gunmen", "ASSAULT", "Iraq")),
        ("Insurgents attacked U.S. troops near the city.", ("insurgents", "ASSAULT", "United States")),
        ("Israeli soldiers killed two militants on Saturday.", ("Israel", "ASSAULT", "militants")),
        ("Protesters attacked the French embassy.", ("protesters", "ASSAULT", "France")),
    ],
)
def test_groups_bare_nouns_are_actors(extractor, text, expected):
    assert expected in asserted(extractor, text)


@pytest.mark.parametrize(
    "text, expected",
    [
        # a named group that modifies the noun is the group
        ("Hamas militants fired rockets at Israel.", ("Hamas", "ASSAULT", "Israel")),
        # a group noun modifying "group" names its kind
        ("An Islamic militant group kidnapped two French journalists.", ("Islamic militants", "ASSAULT", "France")),
        ("The rebel group attacked Sudan.", ("rebels", "ASSAULT", "Sudan")),
    ],
)
def test_groups_named_or_kinded(extractor, text, expected):
    assert expected in asserted(extractor, text)


@pytest.mark.parametrize(
    "text, group",
    [
        ("Iraqi insurgents attacked U.S. troops.", "Iraqi insurgents"),
        ("Chechen rebels attacked Russian troops.", "Chechen rebels"),
        ("Shi'ite militiamen attacked U.S. troops.", "Shi'ite militiamen"),
        ("Protesters attacked the French embassy.", "protesters"),
    ],
)
def test_groups_are_group_actors(extractor, text, group):
    found = actors(extractor, text)
    assert found.get(group) == "Group"
    assert all(r.source.rolled_up() == r.source for r in extractor.relations(text) if r.source.label == group)


@pytest.mark.parametrize(
    "text, expected",
    [
        # state bodies still roll up to their state
        ("Russian peacekeepers blocked the Azerbaijani protesters.", ("Russia", "COERCE", "protesters")),
        ("Officials in Seoul criticized Pyongyang.", ("South Korea", "ACCUSE", "North Korea")),
        ("Israeli troops killed a Palestinian gunman in Gaza.", ("Israel", "ASSAULT", "Palestinian gunmen")),
    ],
)
def test_groups_state_bodies_still_roll_up(extractor, text, expected):
    assert expected in asserted(extractor, text)


@pytest.mark.parametrize(
    "text",
    [
        "Sinclair Broadcast Group criticized France.",  # a name, not "Sinclair Broadcast groups"
        "Human rights groups criticized Russia.",  # "group" alone names no one
        "Anti-Castro activists criticized Cuba.",  # not "Castro activists"
    ],
)
def test_groups_names_and_bare_group_are_not_group_nouns(extractor, text):
    assert not any(label.endswith("groups") or "Castro" in label for label in actors(extractor, text))
