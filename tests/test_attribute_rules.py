"""kg's pipeline applies the model's attribute rules by lookup and remembers its lemmatizer's answers:
tokens must come out as from spaCy's."""

from __future__ import annotations

import pytest
import spacy
from spacy.tokens import Doc

from kg.extract.attribute_rules import IndexedAttributeRuler, index_attribute_ruler
from kg.extract.lemmas import RememberingLemmatizer
from kg.extract.nlp import LINE_BREAKS, model_name

from tests.conftest import SEEDS

pytestmark = pytest.mark.timeout(300)

# Contractions, colloquial spellings and whitespace: the rules the lookup leaves to spaCy's Matcher
# (several tokens, regular expressions) and the ones that read DEP and IS_SPACE.
COLLOQUIAL = (
    "Y'all ain't gonna believe it, c'mon. Let's go, we gotta leave. There is a plan and there's more: "
    "I told him, you told me, it's done. Somethin' happened to 'em; nothin' doin'. I'd go if I could. "
    "She'd have gone. They've been doing it, haven't they? He did. Did he? Do it now! That is what "
    "that man said, those who know. Ol' Pete wo n't go, ca n't stay. Got ta run.\n\n  \n Spaces   here."
)


def annotations(doc: Doc) -> list[tuple]:
    return [(t.text, t.pos_, t.tag_, str(t.morph), t.lemma_, t.dep_, t.head.i) for t in doc]


def test_nlp_pipeline_annotates_tokens_as_the_models_own(nlp):
    stock = spacy.load(model_name())
    assert isinstance(nlp.get_pipe("attribute_ruler"), IndexedAttributeRuler)
    assert isinstance(nlp.get_pipe("lemmatizer"), RememberingLemmatizer)
    ours = nlp.select_pipes(disable=[LINE_BREAKS])  # line breaks change sentences, not what is compared
    try:
        texts = [p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt"))] + [COLLOQUIAL]
        for expected, got in zip(stock.pipe(texts), nlp.pipe(texts)):
            assert annotations(got) == annotations(expected)
    finally:
        ours.restore()
    assert len(nlp.get_pipe("attribute_ruler").residual)  # the colloquial text reached the Matcher too


def ruled(ruler, words: list[str], tags: list[str], deps: list[str]) -> list[tuple]:
    doc = Doc(ruler.vocab, words=words, tags=tags, deps=deps, heads=[0] * len(words))
    return annotations(ruler(doc))


def test_attribute_rules_later_rules_win_and_multi_token_rules_keep_their_place():
    nlp = spacy.blank("en")
    stock = nlp.add_pipe("attribute_ruler")
    stock.add([[{"TAG": "NN"}]], {"POS": "NOUN", "MORPH": "Number=Sing"})
    stock.add([[{"LOWER": {"IN": ["ban", "deal"]}, "TAG": "NN"}]], {"LEMMA": "pact"})
    stock.add([[{"LOWER": "the"}, {"TAG": "NN"}]], {"POS": "PROPN"}, index=1)  # Matcher-only rule
    stock.add([[{"TAG": "NN", "DEP": {"NOT_IN": ["nsubj"]}}]], {"POS": "X"})  # after it: wins over it
    stock.add([[{"IS_SPACE": True}]], {"POS": "SPACE", "TAG": "_SP"})
    stock.add([[{"TAG": {"IN": ["VBD", "VBZ"]}, "LOWER": {"REGEX": "^sign"}}]], {"LEMMA": "sign"})
    ours = IndexedAttributeRuler(nlp.vocab).take_rules(stock)
    words = ["The", "deal", "signed", "the", "ban", "and", "the", "pact", " ", "banned", "deal"]
    tags = ["DT", "NN", "VBD", "DT", "NN", "CC", "DT", "NN", "XX", "VBD", "NN"]
    deps = ["det", "nsubj", "ROOT", "det", "dobj", "cc", "det", "conj", "dep", "conj", "dobj"]
    for _ in range(2):  # the second time from the table it filled
        assert ruled(ours, words, tags, deps) == ruled(stock, words, tags, deps)


def test_attribute_rules_without_their_rules_refuse_to_annotate():
    nlp = spacy.blank("en")
    nlp.add_pipe("kg_attribute_ruler")  # as a saved kg pipeline would come back: no rules
    with pytest.raises(ValueError, match="load_nlp"):
        nlp("Russia accused the West.")


def test_index_attribute_ruler_leaves_a_pipeline_without_one_alone():
    nlp = spacy.blank("en")
    index_attribute_ruler(nlp)
    assert nlp.pipe_names == []


def test_lemmas_are_remembered_by_text_pos_and_morphology_as_the_model_finds_them():
    stock = spacy.load(model_name())
    ours = RememberingLemmatizer(stock.vocab).take(stock.get_pipe("lemmatizer"))
    words = ["saw", "saw", "saw", "leaves", "leaves", "Leaves", "better", "leaves", "was", "talks"]
    pos = ["VERB", "NOUN", "NOUN", "NOUN", "VERB", "PROPN", "ADJ", "NOUN", "AUX", "NOUN"]
    morphs = ["Tense=Past|VerbForm=Fin", "Number=Sing", "Number=Plur", "Number=Plur", "Number=Sing|Person=3",
              "Number=Sing", "Degree=Cmp", "Number=Sing", "Tense=Past", "Number=Plur"]

    def lemmatized(lemmatizer) -> list[str]:
        doc = Doc(stock.vocab, words=words, pos=pos, morphs=morphs)
        doc[9].lemma_ = "talk-preset"  # a lemma the attribute ruler set stays
        return [t.lemma_ for t in lemmatizer(doc)]

    expected = lemmatized(stock.get_pipe("lemmatizer"))
    assert expected[:4] == ["see", "saw", "saw", "leaf"] and expected[7] == "leaves" and expected[-1] == "talk-preset"
    for _ in range(3):  # the first Doc goes to the model's component; then from the table, filled then read
        assert lemmatized(ours) == expected
    assert len(ours.memo) == 9


def test_lemmas_without_the_models_lemmatizer_refuse_to_annotate():
    nlp = spacy.blank("en")
    nlp.add_pipe("kg_lemmatizer")  # as a saved kg pipeline would come back
    with pytest.raises(ValueError, match="load_nlp"):
        nlp("Russia accused the West.")


def test_words_are_each_tokens_lemma_form_and_pos_as_spacy_gives_them(nlp):
    from kg.extract.nlp import words

    texts = [p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt"))] + [COLLOQUIAL, ""]
    for doc in nlp.pipe(texts):
        expected = ([t.lemma_.lower() for t in doc], [t.lower_ for t in doc], [t.pos_ for t in doc])
        assert words(doc) == expected
        assert words(doc) is words(doc)  # read once, kept with the Doc


def test_attribute_rules_try_the_matcher_only_on_a_doc_some_residual_rule_could_match(monkeypatch):
    nlp = spacy.blank("en")
    stock = nlp.add_pipe("attribute_ruler")
    stock.add([[{"LOWER": "gon"}, {"LOWER": "na"}]], {"LEMMA": "go"})
    stock.add([[{"LOWER": {"REGEX": "^n[ou]thin'$"}}]], {"LEMMA": "nothing"})
    stock.add([[{"DEP": "expl"}, {"LOWER": {"IN": ["is", "was"]}}]], {"POS": "AUX"}, index=1)
    ours = IndexedAttributeRuler(nlp.vocab).take_rules(stock)
    tried = []
    apply = ours._apply_residual
    monkeypatch.setattr(ours, "_apply_residual", lambda doc, outcome: tried.append(doc.text) or apply(doc, outcome))
    cases = [(["we", "were", "gon", "na", "go"], True), (["nothin'", "doing"], True),
             (["gon", "home", "na"], True),  # both words, no match: tried, nothing set
             (["there", "was", "a", "vote"], True), (["there", "were", "votes"], False),
             (["the", "talks", "went", "on"], False)]
    for words, expected in cases:
        deps = ["expl" if w == "there" else "dep" for w in words]
        tried.clear()
        assert ruled(ours, words, ["XX"] * len(words), deps) == ruled(stock, words, ["XX"] * len(words), deps)
        assert bool(tried) == expected, words
