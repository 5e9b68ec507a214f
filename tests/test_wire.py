"""Wire copy: datelines, credits and markup are blanked out for the parser; headlines are read warily."""

import pytest

from kg.extract.wire import dateline_spans, headline_span, masked


def blanked(text):
    return [text[a:b] for a, b in dateline_spans(text)]


def actors(relations):
    return {a.rolled_up().label for r in relations for a in (r.source, r.target)}


@pytest.mark.parametrize(
    "text, expected",
    [
        ("UNITED NATIONS (Reuters) - Delegates met on Friday.", ["UNITED NATIONS (Reuters) - "]),
        ("ABIDJAN, Ivory Coast (AP) -- Troops fired on a crowd.", ["ABIDJAN, Ivory Coast (AP) -- "]),
        ("TEHRAN (Reuters) - A senior official spoke.", ["TEHRAN (Reuters) - "]),
        ("WASHINGTON - The senator said no.", ["WASHINGTON - "]),
        ("AFP - Ethnic violence flared again.", ["AFP - "]),
        ("Reuters - Rebels seized the town.", ["Reuters - "]),
        ("Canadian Press - OTTAWA (CP) - The minister resigned.", ["Canadian Press - OTTAWA (CP) - "]),
        ("KANDAHAR, Afghanistan : A bomb went off.", ["KANDAHAR, Afghanistan : "]),
        ("JERUSALEM: The cabinet met.", ["JERUSALEM: "]),
        ("NAIROBI, Aug. 25. - Kenya said no.", ["NAIROBI, Aug. 25. - "]),
        ("LIMA, Oct 2 (AFP) - Peru said no.", ["LIMA, Oct 2 (AFP) - "]),
        ("Quito, Sept. 8 (NNN): Ecuador said no.", ["Quito, Sept. 8 (NNN): "]),
        ("(AGI) - The minister said no.", ["(AGI) - "]),
        ("<p></p><p> By Jane Doe</p><p> LIMA, Peru (Reuters) - Peru said no.",
         ["<p></p><p>", "By Jane Doe</p><p>", "LIMA, Peru (Reuters) - "]),
        ("Talks Fail\nKIEV (Reuters) - Talks failed.", ["KIEV (Reuters) - "]),
        ("Talks Fail in Kiev (AFP)\n\nAFP - Talks failed.", ["(AFP)", "AFP - "]),
        ("Talks Fail in &lt;b&gt;...&lt;/b&gt;\nTalks failed.", ["&lt;b&gt;...&lt;/b&gt;"]),
    ],
)
def test_wire_dateline_spans_found(text, expected):
    assert blanked(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "BRITAIN has warned Sudan about the deadline.",
        "ISRAEL killed two militants on Friday.",
        "UN Secretary-General Jane Doe arrived in Nairobi.",
        "US troops attacked the town.",
        "Kenya condemned Somalia on Friday.",
        "At least nine people - seven of them children - died.",
        "The talks - held in Geneva - failed.",
        "Read more:\n\nArmenia will not host drills this year",
        "Kenya - a key ally - voted no.",
        # a headline is never read as a dateline
        "Kenya - Somalia Talks Fail\nThe talks failed.",
    ],
)
def test_wire_dateline_spans_not_found(text):
    assert blanked(text) == []


@pytest.mark.parametrize(
    "text",
    [
        "Talks Fail in Kiev (AFP)\nAFP - Ukraine criticized Russia.",
        "Canadian Press - OTTAWA (CP) - Canada criticized Russia.",
        "<p></p><p> By Jane Doe</p><p> LIMA, Peru (Reuters) - Peru said no.",
        "Kenya condemned Somalia on Friday.",
        "",
    ],
)
def test_wire_masked_keeps_length_and_offsets(text):
    out = masked(text)
    assert len(out) == len(text)
    assert all(a == b or (b == " " and not a.isspace()) for a, b in zip(text, out))
    assert out.endswith(text[len(text.rstrip(".")) - 1:] if text else "")


@pytest.mark.parametrize(
    "text, headline",
    [
        ("Blair Backs Bush\nAP - Tony Blair praised the plan.", "Blair Backs Bush"),
        ("Kenya Condemns Somalia (AFP)\n\nAFP - Kenya condemned Somalia.", "Kenya Condemns Somalia (AFP)"),
        ("Is Iran Next?\nOfficials weighed their options.", "Is Iran Next?"),
        ("Kenya condemned Somalia on Friday.\nSomalia rejected the claim.", None),  # a sentence
        ("Blair Backs Bush", None),  # one line: nothing below it
        ("Blair Backs Bush\n\n", None),
        (" ".join(["word"] * 30) + "\nMore text.", None),  # too long for a headline
    ],
)
def test_wire_headline_span(text, headline):
    span = headline_span(text)
    assert (text[span[0]:span[1]] if span else None) == headline


@pytest.mark.parametrize(
    "dateline, region",
    [
        ("KABUL, Afghanistan -- ", "Afghanistan"),
        ("ABIDJAN, Ivory Coast (AP) - ", "Côte d'Ivoire"),
        ("Nairobi, Kenya - ", "Kenya"),
        ("BAGHDAD, Iraq, Sept 26 (AFP) -- ", "Iraq"),
    ],
)
def test_wire_no_actor_from_dateline(extractor, dateline, region):
    text = f"Border Clash\n{dateline}Rebel commanders accused India of shelling the border."
    assert region not in actors(extractor.relations(text))


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Talks Stall\nUNITED NATIONS (Reuters) - Israel urged the Security Council to act.",
         "Israel urged the Security Council to act."),
        ("Talks Stall (AFP)\n\nAFP - Canada criticized Russia on Tuesday.", "Canada criticized Russia on Tuesday."),
        ("Canadian Press - OTTAWA (CP) - Canada criticized Russia on Tuesday.", "Canada criticized Russia on Tuesday."),
        ("Canada criticizes Russia over raid (AFP)\nAFP - Officials spoke.", "Canada criticizes Russia over raid"),
    ],
)
def test_wire_evidence_leaves_out_datelines_and_credits(extractor, text, expected):
    relations = extractor.relations(text)
    assert relations
    for r in relations:
        assert text[r.start:r.end] == r.sentence == expected


@pytest.mark.parametrize(
    "headline",
    ["Chavez Visit to Spain Sparks Row", "Putin Visit to India Sparks Row", "Cartel Boss Sent to U.S. on Drug Charges"],
)
def test_wire_no_unlinked_actor_from_headline_fragment(extractor, headline):
    relations = extractor.relations(f"{headline}\nAP - Officials said on Monday that talks would go on.")
    assert all(a.wikidata is not None for r in relations for a in (r.source, r.target))


def test_wire_headline_name_named_again_below_is_an_actor(extractor):
    text = "Japan to Deport Chess Champion John Smith\nTOKYO (Reuters) - Japan will deport John Smith, officials said."
    named = [r for r in extractor.relations(text) if r.sentence.startswith("Japan to Deport")]
    assert [(r.source.label, r.target.label) for r in named] == [("Japan", "John Smith")]


def test_wire_headline_name_not_named_again_is_no_actor(extractor):
    text = "Japan to Deport Chess Champion John Smith\nTOKYO (Reuters) - Officials said the decision was final."
    assert "John Smith" not in actors(extractor.relations(text))


def test_wire_headline_relation_between_known_actors_is_kept(extractor):
    text = "Kenya condemns Somalia over raid\n\nThe talks in Nairobi failed on Friday."
    assert [(r.source.label, r.type, r.target.label) for r in extractor.relations(text)] == \
        [("Kenya", "ACCUSE", "Somalia")]


@pytest.mark.parametrize(
    "text",
    [
        "Kenya condemned Somalia on Friday.",
        "Kenya condemned Somalia on Friday.\n\nThe talks in Nairobi failed.",
        "Kenya condemned Somalia on Friday, officials in Nairobi said\nThe talks failed.",
    ],
)
def test_wire_first_sentence_of_an_article_keeps_its_relation(extractor, text):
    assert ("Kenya", "ACCUSE", "Somalia") in {(r.source.label, r.type, r.target.label)
                                              for r in extractor.relations(text)}


def test_wire_capitalised_first_word_of_a_lede_is_an_actor(extractor):
    text = "Sudan Defiant\n\nBRITAIN has warned Sudan that time is running out."
    assert ("United Kingdom", "Sudan") in {(r.source.label, r.target.label) for r in extractor.relations(text)}


def test_wire_docstring_examples_hold():
    import doctest

    import kg.extract.wire

    assert doctest.testmod(kg.extract.wire).failed == 0


@pytest.mark.parametrize("text, expected", [
    ("The United Nations signed an agreement with the new International  Criminal Court.",
     ("United Nations", "AGREE", "International Criminal Court")),
    ("Kenya condemned the  African  Union on Monday.", ("Kenya", "ACCUSE", "African Union")),
])
def test_wire_names_wrapped_with_runs_of_spaces_are_still_known(extractor, text, expected):
    found = {(r.source.rolled_up().label, r.type, r.target.rolled_up().label) for r in extractor.relations(text)}
    assert expected in found


def test_wire_a_headline_may_end_with_an_abbreviation():
    from kg.extract.wire import headline_span

    assert headline_span("UN Signs Pact Opposed by U.S.\nUNITED NATIONS (Reuters) - The UN signed ...") == (0, 29)
