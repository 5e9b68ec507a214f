"""The baseline a user would try first: plain subject-verb-object triples matched to the gazetteer.

This is the reading of textacy's `subject_verb_object_triples` (subjects: nsubj/nsubjpass of a
verb, with conjuncts; objects: dobj/attr/dative, with conjuncts; the verb's lemma), written out
here so the benchmark needs no extra dependency. Subjects and objects count only when their
phrase is a gazetteer name, seat or demonym; the verb's type comes from kg's own lexicon (its
first frame), which is generous to the baseline. Scored by the same code as `kg eval`.

    python bench/baseline.py [GOLD_DIR]
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kg.corpus import read_files  # noqa: E402
from kg.evaluate import Item, evaluate, find_corpus, read_gold  # noqa: E402
from kg.extract.gazetteer import load_gazetteer  # noqa: E402
from kg.extract.nlp import load_nlp  # noqa: E402
from kg.extract.relations import load_lexicon  # noqa: E402
from kg.vocab import RELATION_TYPES  # noqa: E402

SUBJECTS = {"nsubj", "nsubjpass"}
OBJECTS = {"dobj", "attr", "dative"}


def _with_conjuncts(token):
    yield token
    for child in token.children:
        if child.dep_ == "conj":
            yield from _with_conjuncts(child)


def _actor(token, gazetteer):
    """The gazetteer actor named by the token's compound phrase ("European Union", "Moscow")."""
    words = [t for t in token.subtree if t.dep_ in ("compound", "amod") and t.i < token.i] + [token]
    for start in range(len(words)):
        text = " ".join(t.text for t in words[start:])
        form = gazetteer.forms.get(text)
        if form is not None:
            return form.actor
    return None


def svo_triples(doc):
    """(subject token, verb token, object token) as textacy reads them."""
    for verb in doc:
        if verb.pos_ not in ("VERB", "AUX"):
            continue
        subjects = [s for c in verb.children if c.dep_ in SUBJECTS for s in _with_conjuncts(c)]
        objects = [o for c in verb.children if c.dep_ in OBJECTS for o in _with_conjuncts(c)]
        for s in subjects:
            for o in objects:
                yield s, verb, o


def baseline_items(documents, nlp, gazetteer, lexicon) -> list[Item]:
    items = []
    for document, doc in zip(documents, nlp.pipe([d.text for d in documents])):
        for s, verb, o in svo_triples(doc):
            frames = lexicon.get((verb.lemma_.lower(), "VERB"))
            source, target = _actor(s, gazetteer), _actor(o, gazetteer)
            if not frames or source is None or target is None or source.id == target.id:
                continue
            rtype = RELATION_TYPES[frames[0].type]
            key = lambda a: a.wikidata or a.label  # noqa: E731
            items.append(Item(document.id, key(source), rtype.name, key(target), rtype.quad, s.sent.text))
    return items


def main() -> None:
    gold_path = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "seeds" / "gold"
    gold = read_gold(gold_path)
    documents = list(read_files(find_corpus(gold, gold_path)))
    items = baseline_items(documents, load_nlp(), load_gazetteer(), load_lexicon())
    result = evaluate(items, gold)
    print(f"baseline (plain SVO + gazetteer) on {gold_path}: {result.documents} documents")
    print(f"{'level':<10} {'precision':>9} {'recall':>7} {'f1':>6}  correct/predicted  found/gold")
    for name, score in result.levels.items():
        print(f"{name:<10} {score.precision:9.3f} {score.recall:7.3f} {score.f1:6.3f}  "
              f"{score.tp_precision:>7}/{score.predicted:<9} {score.tp_recall:>5}/{score.gold}")


if __name__ == "__main__":
    main()
