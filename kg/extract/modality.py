"""Negation and modality: whether a trigger's event happened, was denied, or is only possible.

A negation or a negating governor ("refused to", "Moscow's refusal to") makes a relation negated; a
modal, a conditional, an intent or prospect governor ("ready to", "is expected to"), a claim
("allegations that", "accused X of doing"), a hedge ("allegedly") or an impending frame ("on the eve
of") makes it hypothetical. The word lists are ontology/cues.tsv.
"""

from __future__ import annotations

from .actors import climb
from ..data import cue

# Closed word lists: ontology/cues.tsv says what each does.
MODALS = cue("modals")
CONDITIONALS = cue("conditionals")
NEGATORS = cue("negators")
INTENT = cue("intent")
ATTEMPTS = cue("attempts")
PROSPECT = cue("prospect")
HEARSAY = cue("hearsay")
PROMISSORY = cue("promissory")
ENDERS = cue("enders")
HEDGES = cue("hedges")
AWAITING = cue("awaiting")
IMPENDING = cue("impending")
ENDER_PARTICLES = {"break": "off", "call": "off"}


def pos_group(token) -> str | None:
    if token.pos_ in ("VERB", "AUX"):
        return "VERB"
    if token.pos_ in ("NOUN", "PROPN"):
        return "NOUN"
    if token.pos_ == "ADJ":
        return "ADJ"
    return None


def modality(token, speech_act: bool = False) -> tuple[bool, bool]:
    """(negated, hypothetical) for a trigger. ``speech_act``: a verbal relation (asking, accusing),
    which happens even when only attempted ("tried to persuade X" did ask X)."""
    negated = hypothetical = False
    clause = token
    if any(c.dep_ in ("advmod", "amod") and c.lower_ in HEDGES for c in token.children):
        hypothetical = True  # "allegedly abusing inmates", "the alleged abuse": not asserted
    if pos_group(token) == "NOUN" and any(
            c.dep_ == "amod" and c.tag_ in ("VBG", "VBN") and c.lemma_.lower() in INTENT | PROMISSORY | PROSPECT
            for c in token.children):
        hypothetical = True  # "threatening attacks on the US", "the planned withdrawal"
    if pos_group(token) == "NOUN" and token.dep_ == "conj" and token.head.i != token.i:
        # "backed an arms embargo and other UN sanctions": the sanctions stand where the embargo does
        first = climb(token, lambda t: t.dep_ != "conj")
        if first.dep_ in ("dobj", "nsubjpass", "pobj"):
            n, h = modality(first, speech_act)
            negated, hypothetical = negated or n, hypothetical or h
    if pos_group(token) in ("NOUN", "ADJ"):
        if any(c.dep_ == "det" and c.lower_ == "no" for c in token.children):
            negated = True
        if token.dep_ in ("dobj", "nsubjpass") and token.head.i != token.i and pos_group(token) == "NOUN":
            verb = token.head
            lemma = verb.lemma_.lower()
            particles = {c.lower_ for c in verb.children if c.dep_ == "prt"}
            if lemma in ENDERS and ENDER_PARTICLES.get(lemma, next(iter(particles), None)) in particles | {None}:
                negated = True  # "lifted sanctions on Libya", "called off the strike"
            elif lemma in PROMISSORY:
                hypothetical = True  # "pledged aid to Iraq", "sought talks with"
        elif token.dep_ == "pobj" and (token.head.lower_ in ("for", "toward", "towards") and (
                token.head.head.lemma_.lower() in AWAITING | INTENT | PROSPECT | PROMISSORY) or (
                token.head.lower_ == "of" and token.head.head.lemma_.lower() in IMPENDING)):
            hypothetical = True  # "called for talks with", "a plea for troops", "prepare for a withdrawal"
        if token.dep_ in ("dobj", "attr", "acomp", "oprd") and token.head.i != token.i:
            clause = token.head
    level = 0
    if pos_group(token) == "NOUN" and token.dep_ == "pobj" and token.head.dep_ == "prep" and \
            token.head.head.pos_ == "VERB" and token.head.head.dep_ in ("xcomp", "ccomp", "acl", "advcl", "pcomp"):
        clause = token.head.head  # "agreed to participate in peace talks": the talks are still to come
    while True:
        for child in clause.children:
            if child.dep_ == "neg":
                if level == 0:
                    negated = True
                else:
                    hypothetical = True
            elif child.dep_ in ("aux", "auxpass") and child.lemma_.lower() in MODALS:
                hypothetical = True
            elif child.dep_ == "mark" and child.lower_ in CONDITIONALS:
                hypothetical = True
        if clause.dep_ in ("xcomp", "acl", "ccomp") and clause.head.i != clause.i and level < 4:
            governor = clause.head.lemma_.lower()
            if governor in NEGATORS:
                # "refused to quit" did not quit; "denied that it attacked" is not asserted
                if clause.dep_ == "ccomp":
                    hypothetical = True
                else:
                    negated = True
            elif governor in INTENT and clause.dep_ != "ccomp" and not (speech_act and governor in ATTEMPTS):
                hypothetical = True
            elif governor in PROSPECT and clause.dep_ != "ccomp":
                hypothetical = True  # "is expected to sign", "unlikely to join", "pressed X to accept"
            elif governor in HEARSAY and ((clause.dep_ != "xcomp" and (
                    pos_group(clause.head) == "NOUN" or governor in ("allege", "contend", "insinuate"))) or (
                    clause.dep_ == "xcomp" and governor in ("claim", "allege", "purport"))):
                hypothetical = True  # "allegations that X was abused", "alleged that X attacked"
            clause = clause.head
            level += 1
            continue
        if clause.dep_ in ("conj",) and clause.head.i != clause.i and level < 4:
            clause = clause.head
            level += 1
            continue
        if clause.dep_ == "pcomp" and clause.head.dep_ == "prep" and level < 4:
            # "hopes of joining the bloc", "a bid for joining"
            governor = clause.head.head.lemma_.lower()
            if clause.head.lower_ == "against" and clause.head.head.dep_ == "dobj":
                governor = clause.head.head.head.lemma_.lower()  # "warned X officials against visiting"
            if governor in INTENT or governor in PROSPECT:
                hypothetical = True
            elif governor in NEGATORS:
                negated = True
            elif governor in HEARSAY and clause.head.lower_ == "of":
                hypothetical = True  # "accused China of jailing X": the jailing is the accuser's claim
            if clause.head.head.pos_ in ("VERB", "AUX") and clause.head.head.i != clause.i:
                # "a report that X had collaborated with Iran by giving Tehran ...": up to the verb
                clause = clause.head.head
                level += 1
                continue
        if clause.dep_ == "advcl" and clause.head.i != clause.i and any(
                c.dep_ in ("advmod", "mark") and c.lower_ in ("when", "once", "after", "before", "until")
                for c in clause.children) and any(
                c.dep_ == "aux" and c.lower_ in ("will", "'ll", "shall") for c in clause.head.children):
            hypothetical = True  # "will top the agenda when X welcomes Y": still to come
        if clause.dep_ == "ROOT" and any(c.dep_ == "aux" and c.lower_ == "to" for c in clause.children):
            hypothetical = True  # a headline's "Japan to deport X" is to come
        if not speech_act and clause.dep_ == "advcl" and any(c.dep_ == "aux" and c.lower_ == "to"
                                                            for c in clause.children):
            hypothetical = True  # a purpose: "turned down a plea for troops to protect UN staff"
        if clause.dep_ == "advcl" and any(c.dep_ == "mark" and c.lower_ in CONDITIONALS for c in clause.children):
            hypothetical = True
        break
    if pos_group(token) == "NOUN" and token.dep_ in ("nsubj", "nsubjpass") and token.head.pos_ in ("VERB", "AUX"):
        # "talks will be held", "talks are due to be held", "no talks were held"
        n, h = modality(token.head)
        h = h or any(c.dep_ in ("acomp", "xcomp") and c.lemma_.lower() in PROSPECT | INTENT
                     for c in token.head.children)
        negated, hypothetical = negated or n, hypothetical or h
    return negated, hypothetical
