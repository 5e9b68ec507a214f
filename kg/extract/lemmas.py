"""The model's rule lemmatizer, its answers remembered.

spaCy's rule lemmatizer works out each token's lemma from its text, coarse POS and morphology. It
caches what its rules find, but not its most frequent answer: a singular noun, a base-form verb or a
positive adjective is its own lower case, found again for every token by reading the morphology
into a dict. kg's component remembers every answer by (text, POS, morphology), which is all the
answer depends on, and asks the model's lemmatizer only about combinations it has not met: the same
lemmas (tests/test_attribute_rules.py compares the pipelines), in a third of the time.
"""

from __future__ import annotations

import numpy as np
from spacy.attrs import LEMMA, MORPH, ORTH, POS
from spacy.language import Language
from spacy.tokens import Doc

FACTORY = "kg_lemmatizer"
MEMO_LIMIT = 200_000  # combinations kept before the table starts again


class RememberingLemmatizer:
    """A drop-in for a spaCy rule Lemmatizer that has been given it (``take``)."""

    def __init__(self, vocab) -> None:
        self.vocab = vocab
        self.lemmatizer = None  # the model's own component, asked about new combinations
        self.memo: dict[tuple[int, int, int], str] = {}
        self.checked = False  # whether the model's component has checked its tables

    def take(self, lemmatizer) -> RememberingLemmatizer:
        self.lemmatizer = lemmatizer
        self.memo.clear()
        self.checked = False
        return self

    def __call__(self, doc: Doc) -> Doc:
        if self.lemmatizer is None:  # a pipeline saved and loaded again: the rules are not here
            raise ValueError(f"{FACTORY} has no lemmatizer to ask: load the pipeline with kg.extract.nlp.load_nlp")
        if not self.checked:  # the first Doc goes through the model's component, which checks its tables
            self.lemmatizer(doc)
            self.checked = True
            return doc
        if not len(doc):
            return doc
        memo, strings, overwrite = self.memo, self.vocab.strings, self.lemmatizer.overwrite
        if len(memo) > MEMO_LIMIT:
            memo.clear()
        columns = doc.to_array([ORTH, POS, MORPH, LEMMA]).tolist()
        lemmas = []
        for i, (orth, pos, morph, lemma) in enumerate(columns):
            if lemma and not overwrite:  # set by the attribute ruler: kept, as the model's component does
                lemmas.append(lemma)
                continue
            key = (orth, pos, morph)
            text = memo.get(key)
            if text is None:
                text = memo[key] = self.lemmatizer.lemmatize(doc[i])[0]
            lemmas.append(strings.add(text))
        doc.from_array([LEMMA], np.array(lemmas, dtype=np.uint64).reshape(-1, 1))
        return doc

    def pipe(self, stream, batch_size: int = 128):
        for doc in stream:
            yield self(doc)


@Language.factory(FACTORY)
def make_remembering_lemmatizer(nlp: Language, name: str) -> RememberingLemmatizer:
    return RememberingLemmatizer(nlp.vocab)


def remember_lemmas(nlp: Language) -> None:
    """Puts a RememberingLemmatizer in the place of ``nlp``'s rule lemmatizer."""
    if "lemmatizer" not in nlp.pipe_names:
        return
    lemmatizer = nlp.get_pipe("lemmatizer")
    if getattr(lemmatizer, "mode", None) != "rule" or not hasattr(lemmatizer, "lemmatize"):
        return  # another mode or kind of lemmatizer: left as it is
    nlp.replace_pipe("lemmatizer", FACTORY).take(lemmatizer)
