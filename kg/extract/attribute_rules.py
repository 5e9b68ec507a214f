"""The model's attribute-ruler rules, applied by table lookup instead of spaCy's Matcher.

en_core_web_sm's ``attribute_ruler`` sets each token's coarse POS, morphology and some lemmas from
179 rules (``{"TAG": "NN"}`` -> NOUN; ``{"TAG": "PRP", "LOWER": "her"}`` -> PRON, Case=Acc...).
spaCy's Matcher tries every rule at every token: a sixth of the whole parse. Nearly all of the rules
test one token's TAG, LOWER, DEP and IS_SPACE for equality or membership, so which rules hold for a
token depends only on those four values, once words no rule names are told apart from the rest: the
answer is looked up in a small table filled as new combinations appear. Rules of any other shape
(several tokens, a regular expression) still go through a Matcher. Tokens come out with the same
attributes as from spaCy's own component (tests/test_attribute_rules.py compares them).
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np
from spacy.attrs import DEP, IS_SPACE, LEMMA, LOWER, MORPH, POS, TAG
from spacy.language import Language
from spacy.matcher import Matcher
from spacy.tokens import Doc
from spacy.tokens._retokenize import set_token_attrs

FACTORY = "kg_attribute_ruler"
READ = (TAG, LOWER, DEP, IS_SPACE)  # what a rule may test, in the columns of Doc.to_array
READ_NAMES = ("TAG", "LOWER", "DEP", "IS_SPACE")
WRITTEN = (POS, MORPH, LEMMA, TAG, DEP)  # what a rule may set
UNNAMED = np.uint64(2**64 - 1)  # stands for any value no rule names (never a string's hash in practice)
MEMO_LIMIT = 200_000  # combinations kept before the table starts again


Test = tuple[int, str, Any]  # (column, "eq" | "IN" | "NOT_IN", value or frozenset of values)


class IndexedAttributeRuler:
    """A drop-in for spaCy's AttributeRuler that has read its rules (``take_rules``)."""

    def __init__(self, vocab) -> None:
        self.vocab = vocab
        self.attrs: list[dict] = []  # per rule, what it sets (normalised as AttributeRuler keeps it)
        self.indices: list[int] = []  # per rule, which token of its match it sets
        self.compiled: list[tuple[int, list[list[Test]]]] = []  # rule, its alternatives as tests
        self.residual = Matcher(vocab, validate=False)
        # per residual rule alternative, what some token of a Doc must have for it to match (None: not
        # told, always tried); the Matcher runs only on a Doc where one alternative could match
        self.needs: list[list[Need] | None] = []
        self.patterns: dict[str, re.Pattern] = {}
        self.matching: dict[tuple[str, int], bool] = {}  # (regex, lower-case form) -> whether it matches
        self.named: list[np.ndarray | None] = [None] * len(READ)  # per column, the values rules name
        self.memo: dict[tuple, int] = {}
        self.outcomes: dict[tuple[int, ...], int] = {}
        self.rules_of: list[tuple[int, ...]] = []
        self.values = np.zeros((0, len(WRITTEN)), dtype=np.uint64)
        self.sets = np.zeros((0, len(WRITTEN)), dtype=bool)
        self.ready = False  # rules taken (a pipeline saved and loaded again has none: see __call__)

    def take_rules(self, ruler) -> IndexedAttributeRuler:
        """Reads the rules of ``ruler`` (a spaCy AttributeRuler), in its order."""
        strings = self.vocab.strings
        named: list[set[int] | None] = [set() for _ in READ]
        self.needs = []
        for rule, (pattern, attrs, index) in enumerate(zip(ruler.patterns, ruler.attrs, ruler.indices)):
            self.attrs.append(attrs)
            self.indices.append(index)
            alternatives = [_tests(alt[0], strings) if len(alt) == 1 else None for alt in pattern["patterns"]]
            if (all(tests is not None for tests in alternatives) and set(attrs) <= set(WRITTEN)
                    and index in (0, -1)):
                self.compiled.append((rule, alternatives))
                for tests in alternatives:
                    for column, op, value in tests:
                        names = named[column]
                        if names is not None:
                            names.update(value if op != "eq" else (value,))
            else:
                self.residual.add(str(rule), pattern["patterns"])
                self.needs.extend(_needs(alt, strings) for alt in pattern["patterns"])
        # IS_SPACE is 0 or 1 and TAG and DEP have a few dozen values: only LOWER needs folding
        self.named = [None, np.array(sorted(named[1]), dtype=np.uint64), None, None]
        self.memo.clear()
        self.matching.clear()
        self.outcomes.clear()
        self.rules_of.clear()
        self.values = np.zeros((0, len(WRITTEN)), dtype=np.uint64)
        self.sets = np.zeros((0, len(WRITTEN)), dtype=bool)
        self._outcome(())
        self.ready = True
        return self

    def __call__(self, doc: Doc) -> Doc:
        if not self.ready:  # its rules are not saved with the pipeline: wrong annotations otherwise
            raise ValueError("kg's attribute ruler has no rules (a pipeline saved and loaded again?): "
                             "load the pipeline with kg.extract.nlp.load_nlp")
        if not len(doc):
            return doc
        keys = doc.to_array(list(READ))
        for column, names in enumerate(self.named):
            if names is not None:
                keys[:, column] = np.where(np.isin(keys[:, column], names), keys[:, column], UNNAMED)
        memo = self.memo
        if len(memo) > MEMO_LIMIT:
            memo.clear()
        outcome = np.fromiter((memo[key] if key in memo else self._lookup(key)
                               for key in map(tuple, keys.tolist())), dtype=np.intp, count=len(doc))
        sets = self.sets[outcome]
        if sets.any():
            doc.from_array(list(WRITTEN), np.where(sets, self.values[outcome], doc.to_array(list(WRITTEN))))
        if len(self.residual) and self._may_match(doc):
            self._apply_residual(doc, outcome)
        return doc

    def _may_match(self, doc: Doc) -> bool:
        """Whether some residual rule could match ``doc``: each of its tokens' tests on TAG, LOWER and
        DEP (as the compiled rules left them) holds for some token of the Doc."""
        present = [set(np.unique(column).tolist()) for column in doc.to_array([TAG, LOWER, DEP]).T]
        for needs in self.needs:
            if needs is None:
                return True
            if all(self._present(need, present) for need in needs):
                return True
        return False

    def _present(self, need: Need, present: list[set[int]]) -> bool:
        column, wanted = need
        if not isinstance(wanted, str):
            return not wanted.isdisjoint(present[column])
        if len(self.matching) > MEMO_LIMIT:
            self.matching.clear()
        pattern = self.patterns.get(wanted) or self.patterns.setdefault(wanted, re.compile(wanted))
        for value in present[column]:
            key = (wanted, value)
            found = self.matching.get(key)
            if found is None:
                found = self.matching[key] = pattern.search(self.vocab.strings[value]) is not None
            if found:
                return True
        return False

    def _apply_residual(self, doc: Doc, outcome: np.ndarray) -> None:
        # a token a residual rule sets gets all of its rules again, in order: later rules win
        targets: dict[int, set[int]] = {}
        for match_id, start, end in self.residual(doc, allow_missing=True, as_spans=False):
            rule = int(self.vocab.strings[match_id])
            index = self.indices[rule]
            token = doc[start:end][index].i  # as AttributeRuler reads a negative index
            targets.setdefault(token, set()).add(rule)
        for i, rules in targets.items():
            token = doc[i]
            for rule in sorted(rules.union(self.rules_of[outcome[i]])):
                set_token_attrs(token, self.attrs[rule])

    def _lookup(self, key: tuple) -> int:
        rules = tuple(rule for rule, alternatives in self.compiled
                      if any(all(_holds(test, key) for test in tests) for tests in alternatives))
        self.memo[key] = found = self._outcome(rules)
        return found

    def _outcome(self, rules: tuple[int, ...]) -> int:
        found = self.outcomes.get(rules)
        if found is None:
            values = np.zeros((1, len(WRITTEN)), dtype=np.uint64)
            sets = np.zeros((1, len(WRITTEN)), dtype=bool)
            for rule in rules:
                for attr, value in self.attrs[rule].items():
                    values[0, WRITTEN.index(attr)] = value
                    sets[0, WRITTEN.index(attr)] = True
            found = self.outcomes[rules] = len(self.rules_of)
            self.rules_of.append(rules)
            self.values = np.concatenate([self.values, values])
            self.sets = np.concatenate([self.sets, sets])
        return found


def _tests(token_pattern: dict, strings) -> list[Test] | None:
    """One token's pattern as tests on the READ columns, or None if it tests anything else."""
    tests: list[Test] = []
    for key, wanted in token_pattern.items():
        if key not in READ_NAMES:
            return None
        column = READ_NAMES.index(key)
        if key == "IS_SPACE":
            if not isinstance(wanted, bool):
                return None
            tests.append((column, "eq", int(wanted)))
        elif isinstance(wanted, str):
            tests.append((column, "eq", strings.add(wanted) if wanted else 0))
        elif (isinstance(wanted, dict) and len(wanted) == 1 and next(iter(wanted)) in ("IN", "NOT_IN")
              and isinstance(next(iter(wanted.values())), list)
              and all(isinstance(v, str) for v in next(iter(wanted.values())))):
            (op, values), = wanted.items()
            tests.append((column, op, frozenset(strings.add(v) if v else 0 for v in values)))
        else:
            return None
    return tests


Need = tuple[int, Any]  # (column of TAG, LOWER, DEP; a set of hashes, or a regular expression on LOWER)
NEED_COLUMNS = ("TAG", "LOWER", "DEP")


def _needs(alternative: list[dict], strings) -> list[Need] | None:
    """What a Doc must hold for one alternative of a residual rule to match: for each test of each of
    its tokens on TAG, LOWER or DEP, a token with such a value; None when it tests anything else or
    in another way (it is then always tried)."""
    needs: list[Need] = []
    for token_pattern in alternative:
        for key, wanted in token_pattern.items():
            if key not in NEED_COLUMNS:
                return None
            column = NEED_COLUMNS.index(key)
            if isinstance(wanted, str):
                needs.append((column, frozenset({strings.add(wanted) if wanted else 0})))
            elif (isinstance(wanted, dict) and len(wanted) == 1 and "IN" in wanted
                  and isinstance(wanted["IN"], list) and all(isinstance(v, str) for v in wanted["IN"])):
                needs.append((column, frozenset(strings.add(v) if v else 0 for v in wanted["IN"])))
            elif (isinstance(wanted, dict) and len(wanted) == 1 and key == "LOWER"
                  and isinstance(wanted.get("REGEX"), str)):
                needs.append((column, wanted["REGEX"]))
            else:
                return None
    return needs


def _holds(test: Test, key: tuple) -> bool:
    column, op, wanted = test
    value = key[column]
    if op == "eq":
        return value == wanted
    return (value in wanted) == (op == "IN")


@Language.factory(FACTORY)
def make_indexed_attribute_ruler(nlp: Language, name: str) -> IndexedAttributeRuler:
    return IndexedAttributeRuler(nlp.vocab)


def index_attribute_ruler(nlp: Language) -> None:
    """Puts an IndexedAttributeRuler with the rules of ``nlp``'s attribute_ruler in its place."""
    if "attribute_ruler" not in nlp.pipe_names:
        return
    ruler = nlp.get_pipe("attribute_ruler")
    if not hasattr(ruler, "patterns"):  # not spaCy's AttributeRuler: left as it is
        return
    nlp.replace_pipe("attribute_ruler", FACTORY).take_rules(ruler)
