"""Evaluative speech: a speaker's judgement of another actor's act, read as PLOVER codes it.

"Chirac said the US-led war was illegal" is France ACCUSE United States; "X called Y's proposal a
positive step" is X SUPPORT Y. The judgement words and speech verbs are data
(ontology/evaluations.tsv); the target is whoever owns the judged thing, never the speaker.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, replace
from functools import cache
from typing import TYPE_CHECKING

from .actors import MentionIndex
from ..data import cue, read_table
from .modality import modality
from .nlp import words
from ..records import Relation
from .relations import IDEA_NOUNS, LINK_RELIABILITY, Arg, Frame, _pos_group
from ..vocab import RELATION_TYPES

if TYPE_CHECKING:
    from .relations import RelationReader

# Verbs linking an evaluated thing to its judgement ("the war was illegal", "seems counterproductive")
COPULAS = cue("copulas")
# Participles whose modifier owns the noun they modify ("the US-led war", "Israeli-backed plan")
OWNER_PARTICIPLES = cue("owner_participles")


@dataclass(frozen=True)
class Evaluations:
    """ontology/evaluations.tsv: judgements (word, pos) -> (rest of the phrase, type), and speech verbs."""

    judgements: dict[tuple[str, str], tuple[tuple[tuple[str, ...], str], ...]]
    speech: frozenset[str]


@cache
def load_evaluations() -> Evaluations:
    judgements: dict[tuple[str, str], list[tuple[tuple[str, ...], str]]] = defaultdict(list)
    speech: set[str] = set()
    for row in read_table("evaluations.tsv"):
        words = tuple(row["lemma"].lower().split())
        if row["pos"] == "SPEECH":
            speech.add(words[0])
            continue
        if row["pos"] not in ("ADJ", "NOUN", "VERB"):
            raise ValueError(f"evaluations.tsv: pos must be ADJ, NOUN, VERB or SPEECH ({row['lemma']!r})")
        if row["type"] not in RELATION_TYPES:
            raise ValueError(f"evaluations.tsv: unknown relation type {row['type']!r} for {row['lemma']!r}")
        judgements[(words[0], row["pos"])].append((words[1:], row["type"]))
    return Evaluations({k: tuple(v) for k, v in judgements.items()}, frozenset(speech))


class EvaluativeReader:
    """Reads ACCUSE and SUPPORT relations off judgements, with the argument reading of a RelationReader."""

    def __init__(self, reader: RelationReader):
        self.reader = reader
        self.evaluations = load_evaluations()
        self.first_words = {word for word, _ in self.evaluations.judgements}  # what judgement() looks up

    def judgement(self, token) -> str | None:
        """The relation type a judgement word implies, if ``token`` is one (with its phrase's rest)."""
        group = _pos_group(token)
        if token.tag_ == "VBN" and token.dep_ != "ROOT" or token.pos_ == "ADJ":
            group = "ADJ"  # "seriously flawed"
        for word in {token.lemma_.lower(), token.lower_}:
            for rest, rtype in self.evaluations.judgements.get((word, group), ()):
                following = [t.lower_ for t in token.doc[token.i + 1:token.i + 1 + len(rest)]]
                if tuple(following) == rest:
                    return rtype
        return None

    def evaluated(self, token) -> tuple | None:
        """(speech verb, evaluated thing, anchor) for a judgement word, or None: 'Chirac said the war was
        illegal', 'branded X's decision illegal', 'called the vote a sham', 'described X as unacceptable',
        'the vote was condemned by X as flawed', 'said the policy violates ...'."""
        speech = self.evaluations.speech
        group = _pos_group(token)
        if group == "VERB" and token.tag_ != "VBN":
            subjects = [c for c in token.children if c.dep_ == "nsubj"]
            if token.dep_ == "ccomp" and subjects and token.head.lemma_.lower() in speech:
                return token.head, subjects[0], token
            return None
        anchor = token
        if token.dep_ == "amod" and _pos_group(token.head) == "NOUN" and token.head.dep_ in (
                "attr", "oprd", "pobj", "ccomp", "xcomp"):
            anchor = token.head  # "was a positive step"
        head = anchor.head
        if head.i == anchor.i:
            return None
        subjects = [c for c in anchor.children if c.dep_ in ("nsubj", "nsubjpass")]

        def thing(verb):
            objects = [c for c in verb.children if c.dep_ in ("dobj", "nsubjpass")]
            if objects:
                return objects[0]
            if verb.dep_ == "acl" and verb.tag_ == "VBN":
                return verb.head  # "an election condemned by Washington as flawed"
            return None

        if anchor.dep_ in ("acomp", "attr") and head.lemma_.lower() in COPULAS:
            copula_subjects = [c for c in head.children if c.dep_ in ("nsubj", "nsubjpass")]
            if copula_subjects and head.dep_ == "ccomp" and head.head.lemma_.lower() in speech:
                return head.head, copula_subjects[0], anchor
            return None
        if anchor.dep_ in ("ccomp", "xcomp", "oprd") and head.lemma_.lower() in speech:
            if subjects:
                return head, subjects[0], anchor  # "branded Israel's decision illegal"
            found = thing(head)
            return (head, found, anchor) if found is not None else None
        if head.lower_ == "as" and head.dep_ == "prep" and head.head.lemma_.lower() in speech:
            found = thing(head.head)  # "described the policy as unacceptable"
            return (head.head, found, anchor) if found is not None else None
        if anchor.dep_ in ("advcl", "oprd") and head.lemma_.lower() in speech and any(
                c.lower_ == "as" for c in anchor.children):
            found = thing(head)  # "was condemned by Washington as seriously flawed"
            return (head, found, anchor) if found is not None else None
        return None

    def owners(self, noun, index: MentionIndex) -> list[Arg]:
        """Whose the evaluated thing is: the actor itself ("called Georgia a threat"), its possessor or actor
        modifier ("Israel's decision", "the Israeli policy"), a '-led' participle's modifier ("the US-led
        war"), or its maker ("the plan drafted by France", "the policy of Israel")."""
        if noun.pos_ == "PRON" and noun.lower_ in ("it", "this", "that", "which", "what"):
            return []
        found = self.reader._mentions_at(noun, index, 1.0, depth=1, of_phrase=False)
        if found:
            return found
        possessor = LINK_RELIABILITY["possessor"]
        for child in noun.children:
            if child.i < noun.i and child.dep_ in ("poss", "compound", "amod", "nmod"):
                mention = index.at(child)
                if mention is not None and mention.kind == "territory" and child.dep_ != "poss":
                    continue
                found += self.reader._mentions_at(child, index, possessor, 1, of_phrase=False)
                if child.tag_ == "VBN" and child.dep_ == "amod" and child.lemma_.lower() in OWNER_PARTICIPLES:
                    found += self.reader._sources(child, index, possessor)  # "the US-led war"
            elif child.dep_ == "acl" and child.tag_ == "VBN" and child.lemma_.lower() in OWNER_PARTICIPLES:
                found += [a for grand in child.children if grand.dep_ == "agent" for g in grand.children
                          if g.dep_ == "pobj" for a in self.reader._mentions_at(g, index, possessor, 1, of_phrase=False)]
            elif child.dep_ == "prep" and (child.lower_ in ("by", "from") or (
                    child.lower_ == "of" and noun.lemma_.lower() in IDEA_NOUNS)):
                found += [a for g in child.children if g.dep_ == "pobj"
                          for a in self.reader._mentions_at(g, index, possessor, 1, of_phrase=False)]
        return found

    def relations(self, doc, index: MentionIndex, seen: set, doc_id: str, text: str,
                  offset: int) -> Iterator[Relation]:
        """PLOVER codes a speaker calling another actor's act illegal, a sham or a violation as ACCUSE, and
        calling it constructive or a step forward as SUPPORT (ontology/evaluations.tsv)."""
        lemmas, lowers, _ = words(doc)
        first = self.first_words
        for token in [doc[i] for i, (lemma, lower) in enumerate(zip(lemmas, lowers))
                      if lemma in first or lower in first]:
            rtype = self.judgement(token)
            if rtype is None:
                continue
            found = self.evaluated(token)
            if found is None:
                continue
            verb, evaluated, anchor = found
            targets = self.owners(evaluated, index)
            if not targets:
                continue
            sources = self.reader.coded(self.reader._sources(verb, index))
            frame = Frame(token.lemma_.lower(), _pos_group(token) or "ADJ", None, "evaluation", rtype, "forward")
            sent = (token.sent.start, token.sent.end)
            for s_arg in sources:
                for t_arg in targets:
                    s_id, t_id = s_arg.mention.actor.id, t_arg.mention.actor.id
                    if s_arg.mention.actor.rolled_up() == t_arg.mention.actor.rolled_up():
                        continue  # the speaker's own act
                    if any(k[:3] == (s_id, t_id, rtype) and sent[0] <= k[3] < sent[1] for k in seen):
                        continue  # already read off the speech verb ("condemned Israel's policy as ...")
                    seen.add((s_id, t_id, rtype, token.i))
                    relation = self.reader._relation(anchor, frame, s_arg, t_arg, doc_id, text, offset)
                    negated, hypothetical = modality(verb, speech_act=True)
                    if token.i != anchor.i:
                        n, h = modality(token)
                        negated, hypothetical = negated or n, hypothetical or h
                    yield replace(relation, trigger=token.text, negated=relation.negated or negated,
                                  hypothetical=relation.hypothetical or hypothetical)
