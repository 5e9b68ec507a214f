"""Relation extraction: reads typed relations between actor mentions off the dependency parse.

A relation needs a trigger (a verb, noun or adjective in ontology/lexicon.tsv), a source found
through the trigger's subject (or passive agent, or a noun's possessor) and a target in the slot
the lexicon names (direct object, dative, or the object of a given preposition). Negation and
modality are read from the trigger's own dependents and from the verbs that govern it.

Confidence is the product of the reliabilities of the links followed (see LINK_RELIABILITY):
a named subject and a named direct object of a listed verb give 0.95; every weaker link
(a pronoun, a possessor instead of the argument itself, a subject inherited from a governing
verb, a nominal trigger) multiplies it down.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, replace
from functools import cache

from .actors import DOCUMENT_DATE, MentionIndex, PersonRegistry, climb
from ..data import cue, read_table, split_list
from .modality import CONDITIONALS, modality
from .modality import pos_group as _pos_group
from .nlp import words
from ..records import Mention, Relation
from .timing import timing
from ..vocab import RELATION_TYPES

BASE_CONFIDENCE = 0.95
LINK_RELIABILITY = {
    "name": 1.0,
    "person": 1.0,
    "seat": 0.95,
    "body": 0.95,
    "surname": 0.95,
    "modifier": 0.9,
    "pronoun": 0.8,
    "anaphor": 0.75,  # "the alliance", "the country": the last organisation or state named
    "possessor": 0.8,  # "criticized Armenia's attempts": the argument is the attempts, not Armenia
    "conjunct": 0.95,  # "Russia and Armenia", reached through coordination
    "inherited": 0.9,  # subject taken from a governing verb ("Russia wants to meet X")
    "nominal": 0.85,  # trigger is a noun ("Moscow's refusal", "talks with")
    "reverse": 0.9,  # roles swapped by the lexicon ("X includes Y")
}

# Closed word lists (modals, negators, light verbs, ...) are data: ontology/cues.tsv says what each does.
SELF_INTENT = cue("self_intent")
LIGHT_VERBS = cue("light_verbs")
MESSAGE_NOUNS = cue("message_nouns")
IDEA_NOUNS = cue("idea_nouns")
ROUTE_NOUNS = cue("route_nouns")
MEMBER_NOUNS = cue("member_nouns")
INSTRUMENT_VERBS = cue("instrument_verbs")
WARNINGS = cue("warnings")
LEADER_PARTICIPLES = cue("leader_participles")
SITUATION_NOUNS = cue("situation_nouns")
PLACE_NOUNS = cue("place_nouns")
QUANTITIES = {"thousand", "hundred", "dozen", "million", "score", "number", "scores", "tens"}
HOSTING = cue("hosting")
LEAVING = cue("leaving")
AUDIENCES = cue("audiences")
TRAVEL = cue("travel")
SEIZING = {"seize", "capture", "grab", "snatch"}
RELEASING = {"release", "pardon", "repatriate"}
SHOOTING = {"fire", "shoot", "open"}
ROLE_NOUNS = cue("role_nouns")
PARTICIPATION = cue("participation_nouns")
RELATIONAL_NOUNS = cue("relational_nouns")
# Envoys whose other actor modifier names where they are posted ("its Havana ambassador")
POSTED = {"ambassador", "envoy", "embassy", "consul", "consulate", "diplomat", "mission"}
INCIDENTAL_NOUNS = cue("people_nouns") | PLACE_NOUNS | cue("facility_nouns")
CONSEQUENCES = cue("consequences")
# What an event can do to someone, so that its owner acts: "the Israeli offensive killed ten"
EVENT_AGENT_TYPES = {"ASSAULT", "COERCE"}
RELATIVE_PRONOUNS = {"that", "which", "who", "whom"}


@dataclass(frozen=True)
class Frame:
    """One lexicon row: a predicate, the slot its target sits in, and the relation type."""

    lemma: str
    pos: str
    particle: str | None
    slot: str
    type: str
    direction: str  # forward | reverse | mutual

    @property
    def reverse(self) -> bool:
        return self.direction == "reverse"


@cache
def load_lexicon() -> dict[tuple[str, str], tuple[Frame, ...]]:
    """ontology/lexicon.tsv as (lemma, pos) -> frames."""
    frames: dict[tuple[str, str], list[Frame]] = defaultdict(list)
    for row in read_table("lexicon.tsv"):
        if row["type"] not in RELATION_TYPES:
            raise ValueError(f"lexicon.tsv: unknown relation type {row['type']!r} for {row['lemma']!r}")
        particle = None if row["particle"] in ("", "-") else row["particle"]
        if row["direction"] not in ("forward", "reverse", "mutual"):
            raise ValueError(f"lexicon.tsv: direction must be forward, reverse or mutual ({row['lemma']!r})")
        frame = Frame(row["lemma"], row["pos"], particle, row["slot"], row["type"], row["direction"])
        frames[(frame.lemma, frame.pos)].append(frame)
    return {key: tuple(value) for key, value in frames.items()}


@cache
def load_nominals() -> dict[str, tuple[str, ...]]:
    """ontology/nominals.tsv: verb lemma -> the event nouns that name what it does."""
    return {row["verb"]: tuple(split_list(row["nouns"])) for row in read_table("nominals.tsv")}


@dataclass(frozen=True)
class Arg:
    """An actor mention found in an argument slot, with the reliability of the path to it."""

    mention: Mention
    reliability: float
    event: bool = False  # the owner of an event noun acting as subject ("an Israeli pullout held ...")
    incidental: bool = False  # the state of people or places named by it ("Malaysian fugitives")


class RelationReader:
    """Reads relations from the sentences of a parsed document, given its actor mentions."""

    def __init__(self, lexicon=None, extractor_version: str = "0"):
        self.lexicon = lexicon if lexicon is not None else load_lexicon()
        self.nominals = load_nominals()
        # nouns that name events, whose owner is no agent of talk or cooperation: "an Israeli pullout
        # held a meeting" is a misparse, "the Israeli offensive killed 10" is Israel's assault
        self.event_nouns = {n for nouns in self.nominals.values() for n in nouns} | {
            lemma for lemma, pos in self.lexicon if pos == "NOUN"}
        from .evaluative import EvaluativeReader  # it builds on this module's argument reading

        self.evaluative = EvaluativeReader(self)
        self.read_lemmas = {lemma for lemma, _ in self.lexicon} | set(self.nominals)
        self.version = extractor_version
        self.context = PersonRegistry()

    def relations(self, doc, index: MentionIndex, doc_id: str, text: str, offset: int = 0,
                  context: PersonRegistry | None = None) -> Iterator[Relation]:
        """Relations in ``doc``, whose text starts at ``offset`` of the document ``text``.

        ``context`` is what earlier chunks of the same document introduced (event nouns' owners).
        """
        self.context = context if context is not None else PersonRegistry()
        seen: set[tuple] = set()
        # only a word of the lexicon or an event verb can do anything below
        lemmas = words(doc)[0]
        for token in [doc[i] for i, lemma in enumerate(lemmas) if lemma in self.read_lemmas]:
            self._remember_event(token, index)
            group = _pos_group(token)
            frames = self.lexicon.get((token.lemma_.lower(), group)) if group else None
            if not frames or _participle_modifier(token):
                continue
            particles = {c.lower_ for c in token.children if c.dep_ == "prt"}
            sources = None
            for frame in frames:
                if frame.particle is not None and frame.particle not in particles:
                    continue
                if frame.type == "AID" and group == "VERB" and any(
                        c.dep_ == "dobj" and c.lemma_.lower() in MESSAGE_NOUNS for c in token.children):
                    continue  # "sent a message to X" gives X no aid
                targets = self._slot(token, frame.slot, index, particles) if frame.slot != "-" else []
                if frame.type == "THREATEN" and token.lemma_.lower() in WARNINGS and self._criticises(token):
                    # "warned Sudan that it still has a lot of work to do" is criticism, not a threat
                    frame = replace(frame, type="ACCUSE")
                if frame.type == "COERCE" and token.lemma_.lower() in ("block", "veto") and any(
                        c.dep_ == "dobj" and c.lemma_.lower() in IDEA_NOUNS | PARTICIPATION for c in token.children):
                    frame = replace(frame, type="REJECT")  # "blocked Australia's involvement": a veto
                if frame.type == "REJECT" and token.lemma_.lower() in LEAVING:
                    # one leaves an organisation or talks, not a country: "left Colombia's battlefields"
                    targets = [a for a in targets if a.mention.actor.rolled_up().type == "Organization"]
                if frame.type == "CONSULT" and frame.slot == "prep:to" and token.lemma_.lower() in ("speak", "talk"):
                    # "speaking to Iraq's National Council": one addresses an assembly, one does not meet it
                    targets = [a for a in targets if not _audience(a)]
                if frame.type == "SUPPORT" and token.lemma_.lower() in HOSTING and any(
                        c.dep_ == "prep" and c.lower_ in ("to", "in", "at") for c in token.children):
                    # "welcomed Chirac to a summit", "greeted the envoy in Cairo": a host meets a guest
                    frame = replace(frame, type="CONSULT")
                if frame.direction == "mutual":
                    if frame.slot == "-":
                        sources = self._sources(token, index) if sources is None else sources
                        group = sources
                    else:
                        group = targets
                    group = [a for a in self.coded(group) if not a.incidental]
                    for s_arg, t_arg in _pairs(group, RELATION_TYPES[frame.type].symmetric):
                        yield from self._emit(token, frame, s_arg, t_arg, seen, doc_id, text, offset)
                    continue
                if not targets:
                    continue
                if sources is None:
                    sources = self._sources(token, index)
                acting = [a for a in self.coded(sources) if not a.incidental]
                if frame.type not in EVENT_AGENT_TYPES:
                    acting = [a for a in acting if not a.event]
                if RELATION_TYPES[frame.type].quad.startswith("verbal") and frame.type != "THREATEN" \
                        and token.lemma_.lower() not in RELEASING:
                    # words are said to people, not states; but freeing a state's citizens is a concession to it
                    targets = [a for a in targets if not a.incidental]
                srcs, tgts = (targets, acting) if frame.reverse else (acting, targets)
                addressed = {a.mention.actor.rolled_up() for a in tgts}
                for s_arg in srcs:
                    said = frame
                    if frame.type == "REQUEST" and s_arg.mention.actor.rolled_up() in addressed:
                        # "Russia called on India and Russia to work together": an intent, not a demand
                        said = replace(frame, type="AGREE")
                    for t_arg in tgts:
                        yield from self._emit(token, said, s_arg, t_arg, seen, doc_id, text, offset)
        yield from self._structural(doc, index, seen, doc_id, text, offset)
        yield from self.evaluative.relations(doc, index, seen, doc_id, text, offset)

    def coded(self, args: list[Arg]) -> list[Arg]:
        """The arguments that may act: not a person nobody knows and no title ties to an actor."""
        return [a for a in args if a.mention.actor.id not in self.context.uncoded]

    def _remember_event(self, token, index: MentionIndex) -> None:
        """Who did what an event noun may later name: 'Russia proposed ...' -> the offer is Russia's."""
        nouns = self.nominals.get(token.lemma_.lower()) if token.pos_ == "VERB" else None
        if not nouns:
            return
        sources = self._sources(token, index)
        if sources:
            owner = sources[0].mention.actor.rolled_up()
            for noun in nouns:
                self.context.event_owner[noun] = owner

    def _emit(self, token, frame: Frame, source: Arg, target: Arg, seen: set, doc_id: str, text: str,
              offset: int) -> Iterator[Relation]:
        lemma = token.lemma_.lower()
        if frame.type == "COERCE" and lemma in SEIZING and source.mention.actor.rolled_up().type == "Group":
            frame = replace(frame, type="ASSAULT")  # militants seizing a journalist abduct him (PLOVER)
        if frame.type == "COERCE" and _shot(token):
            frame = replace(frame, type="ASSAULT")  # "fired to disperse protesters": force, not coercion
        if frame.type == "REQUEST" and _pos_group(token) == "NOUN" and source.mention.sector == "military":
            return  # "troops stepped up pressure on insurgents": military pressure is no demand
        if frame.type == "SUPPORT" and _pos_group(token) == "VERB" and source.mention.sector == "military" \
                and target.mention.sector == "military":
            frame = replace(frame, type="COOPERATE")  # "US forces supported Iraqi troops in raids"
        if frame.type == "ALLY_OF" and _canonical(target) < _canonical(source):
            source, target = target, source  # an alliance has no direction: written once, as the gold writes it
        key = (source.mention.actor.id, target.mention.actor.id, frame.type, token.i)
        if key in seen or source.mention.actor.rolled_up() == target.mention.actor.rolled_up():
            return
        if _same_name(source.mention.actor, target.mention.actor):
            return  # "ConocoPhillips" and "Conoco": one unlinked name written two ways
        if frame.type == "MEMBER_OF" and target.mention.actor.rolled_up().type not in ("Organization",):
            return  # membership is in an organisation, not in a person's coalition or a state
        if frame.type == "MEMBER_OF" and source.mention.actor.type == "Person":
            return  # "a delegation led by Chairman Abbas": leading is a title, not a membership
        if token.lemma_.lower() in TRAVEL and not (source.mention.actor.rolled_up().type == "State"
                                                   and target.mention.actor.type == "State"):
            return  # a state's envoy arriving in a capital visits; "UN council arrives in Nairobi" meets there
        if frame.type in ("ALLY_OF", "MEMBER_OF") and _pos_group(token) == "NOUN" and any(
                a.mention.actor.type == "State" and token.doc[a.mention.start].pos_ == "ADJ"
                for a in (source, target)):
            return  # "Al-Qaeda's Pakistani allies" are Pakistanis, not Pakistan
        seen.add(key)
        if _pos_group(token) == "NOUN":
            self.context.event_owner[token.lemma_.lower()] = source.mention.actor.rolled_up()
        relation = self._relation(token, frame, source, target, doc_id, text, offset)
        yield relation
        yield from self._intent(token, frame, relation)

    def _intent(self, token, frame: Frame, relation: Relation) -> Iterator[Relation]:
        """PLOVER codes an expressed intent: to cooperate is AGREE, to do material harm is THREATEN.
        'Vietnam wants to meet China' -> AGREE; 'Iran vowed to strike Israel' -> THREATEN."""
        if not relation.hypothetical or relation.negated or frame.type in ("MEMBER_OF", "ALLY_OF"):
            return
        rtype = RELATION_TYPES[frame.type]
        intent = "AGREE" if rtype.polarity > 0 else "THREATEN" if rtype.quad == "material-conflict" else None
        # up the chain of complements and conjuncts to the nearest intent verb: "wants to meet and
        # help X" -> want
        governor = climb(token, lambda t: t.dep_ not in ("xcomp", "conj", "pobj", "prep") or (
            t.i != token.i and t.lemma_.lower() in SELF_INTENT))
        if intent is None or governor.i == token.i or governor.lemma_.lower() not in SELF_INTENT:
            return
        # "decides whether to endorse": an open question is no intent
        if any(c.dep_ == "mark" and c.lower_ in CONDITIONALS for t in token.doc[governor.i + 1:token.i + 1]
               for c in t.children if t.head.i in (governor.i, t.i) or t.i == token.i):
            return
        # the intent itself must be stated, not denied or merely possible ("did not want to")
        negated, hypothetical = modality(governor, speech_act=True)
        if negated or hypothetical:
            return
        derived = RELATION_TYPES[intent]
        yield replace(relation, type=derived.name, quad=derived.quad, polarity=derived.polarity, negated=False,
                      hypothetical=False, trigger=governor.text,
                      confidence=round(relation.confidence * LINK_RELIABILITY["inherited"], 3))

    # -- standing relations written as noun phrases
    def _structural(self, doc, index: MentionIndex, seen: set, doc_id: str, text: str,
                    offset: int) -> Iterator[Relation]:
        """'allies Moscow and Yerevan', 'Russia blames ally Armenia', 'Russia and other CSTO member states'."""
        for token in doc:
            lemma = token.lemma_.lower()
            if lemma == "ally" and token.pos_ == "NOUN":
                members = self._apposed(token, index)
                # "al Qaeda ally Zarqawi": a person is no party to an alliance between states
                if any(m.mention.actor.rolled_up().type == "Person" for m in members):
                    continue
                patron = any(c.dep_ in ("poss", "compound", "amod", "nmod") and c.i < token.i and index.at(c) is not None
                             for c in token.children)
                frame = Frame("ally", "NOUN", None, "appos", "ALLY_OF", "mutual")
                if len(members) >= 2:
                    for s_arg, t_arg in _pairs(members, True):
                        yield from self._emit(token, frame, s_arg, t_arg, seen, doc_id, text, offset)
                elif len(members) == 1 and not patron:
                    # the ally of the governing verb's subject ("Russia blames ally Armenia"), or of
                    # a verbless root's owner ("Putin's meeting with ally Lukashenko")
                    governor = token.head if token.dep_ in ("dobj", "compound", "appos") else None
                    if governor is not None:
                        governor = climb(governor, lambda t: t.pos_ in ("VERB", "AUX"))
                    for s_arg in self._sources(governor, index) if governor is not None else []:
                        yield from self._emit(token, frame, s_arg, members[0], seen, doc_id, text, offset)
            elif lemma in MEMBER_NOUNS and token.dep_ == "conj" and any(
                    c.dep_ == "amod" and c.lower_ == "other" for c in token.children):
                organisation = _organisation_modifier(token, index)
                if organisation is None:
                    continue
                frame = Frame(lemma, "NOUN", None, "conj", "MEMBER_OF", "forward")
                for member in self._mentions_at(token.head, index, LINK_RELIABILITY["inherited"], of_phrase=False):
                    if member.mention.actor.type == "State":
                        yield from self._emit(token, frame, member, Arg(organisation, 0.9), seen, doc_id, text, offset)

    def _apposed(self, token, index: MentionIndex) -> list[Arg]:
        """The actors a noun like 'ally' is apposed to: 'allies Moscow and Yerevan', 'ally Armenia'."""
        found: list[Arg] = []
        for child in token.children:
            if child.dep_ in ("appos", "compound") and index.at(child) is not None and child.pos_ == "PROPN":
                found += self._mentions_at(child, index, 1.0, of_phrase=False)
        if token.dep_ in ("compound", "appos") and index.at(token.head) is not None:
            found += self._mentions_at(token.head, index, 1.0, of_phrase=False)
        nxt = token.nbor() if token.i + 1 < len(token.doc) else None
        if not found and nxt is not None and nxt.pos_ == "PROPN" and index.at(nxt) is not None:
            found += self._mentions_at(nxt, index, 0.9, of_phrase=False)  # "blames ally Armenia"
        unique = {a.mention.actor.rolled_up().id: a for a in found}
        return list(unique.values())

    # -- arguments
    def _mentions_at(self, token, index: MentionIndex, reliability: float, depth: int = 0,
                     of_phrase: bool = True) -> list[Arg]:
        """Actor mentions standing for ``token``'s phrase: the token itself, its conjuncts, its possessor.

        ``of_phrase`` also looks into an "of" complement ("the actions of Russia"): right for a
        target, wrong for a subject ("criticism of Moscow" is not Moscow acting).
        """
        found: list[Arg] = []
        mentions = index.all_at(token)
        for mention in mentions:
            found.append(Arg(mention, reliability * LINK_RELIABILITY.get(mention.kind, 0.9)))
        if mentions and of_phrase and depth == 0 and token.lemma_.lower() in POSTED:
            # "recalled its Havana ambassador": the envoy is the recaller's, the posting is Cuba
            own = {m.actor.rolled_up() for m in mentions}
            for child in token.children:
                posting = index.at(child)
                if child.dep_ in ("compound", "amod") and posting is not None and posting.kind in ("name", "seat") \
                        and posting.actor.rolled_up() not in own:
                    found.append(Arg(posting, reliability * LINK_RELIABILITY["possessor"]))
        if not mentions and depth == 0 and (token.lemma_.lower() in QUANTITIES or token.pos_ == "NUM"):
            # "thousands of demonstrators", "dozens of Palestinian militants": the people counted
            for child in token.children:
                if child.dep_ == "prep" and child.lower_ == "of":
                    found += [a for g in child.children if g.dep_ == "pobj"
                              for a in self._mentions_at(g, index, reliability, 0, of_phrase)]
        if not mentions and not found and depth == 0:
            # "Sharon's Likud party": the party is named; its leader in the possessive is not a party to it
            named = any(c.dep_ == "compound" and (m := index.at(c)) is not None and m.kind == "name"
                        and m.actor.type in ("Organization", "Group") for c in token.children)
            for child in token.children:
                if child.dep_ == "amod" and child.tag_ == "VBN" and child.lemma_.lower() in LEADER_PARTICIPLES:
                    # "US-led forces", "the Saudi-led coalition" are their leader's (not "US-backed militias")
                    found += self._sources(child, index, reliability * LINK_RELIABILITY["possessor"])
                elif child.dep_ in ("poss", "compound", "amod") and child.i < token.i:
                    # "Karabakh peacekeepers" are not the region's: a territory is an owner only by "of"
                    owner = index.at(child)
                    if child.dep_ == "poss" and (token.lemma_.lower() in RELATIONAL_NOUNS or named):
                        continue  # "Washington's allies" are not Washington
                    if owner is not None and owner.kind == "territory" and child.dep_ != "poss":
                        continue
                    if child.dep_ == "compound" and token.lemma_.lower() in SITUATION_NOUNS:
                        continue  # "support for the Iraq war" is no support for Iraq: the name says where
                    if any(t.lemma_.lower() in INCIDENTAL_NOUNS | SITUATION_NOUNS for t in token.doc[child.i + 1:token.i]):
                        continue  # "Iraq hostage mediators": the name is the hostages', not the mediators'
                    found += self._mentions_at(child, index, reliability * LINK_RELIABILITY["possessor"], 1)
                elif of_phrase and child.dep_ == "prep" and (child.lower_ in ("of", "from", "by") or (
                        child.lower_ in ("with", "between") and self._takes(token, child.lower_)) or (
                        child.lower_ in ("with", "to") and _acted_on_route(token))):
                    for pobj in child.children:
                        if pobj.dep_ == "pobj":
                            found += self._mentions_at(pobj, index, reliability * LINK_RELIABILITY["possessor"], 1)
                elif of_phrase and child.dep_ == "acl" and not found:
                    # "a mission offered by the CSTO", "plans to host CSTO drills"
                    for grand in child.children:
                        if grand.dep_ == "agent" and self._made_thing(token):
                            found += [a for g in grand.children if g.dep_ == "pobj"
                                      for a in self._mentions_at(g, index, reliability * LINK_RELIABILITY["possessor"], 1)]
                        elif grand.dep_ == "dobj" and (_acted_on_route(token) or any(
                                a.lower_ == "to" for a in child.children if a.dep_ == "aux")):
                            found += self._mentions_at(grand, index, reliability * LINK_RELIABILITY["possessor"] ** 2, 0,
                                                       of_phrase=False)
        if not found and depth == 0 and of_phrase and self._made_thing(token):
            # "dismissed the accusations by Georgia" with "by Georgia" hung on the verb
            for word in ("by", "from"):
                for pobj in _misattached_pobjs(token, word):
                    found += self._mentions_at(pobj, index, reliability * LINK_RELIABILITY["possessor"], 1)
        if not found and depth == 0 and of_phrase and _acted_on_route(token):
            # "blocked the road to Armenia" with "to Armenia" hung on the verb
            for word in ("to", "with"):
                for pobj in _misattached_pobjs(token, word):
                    found += self._mentions_at(pobj, index, reliability * LINK_RELIABILITY["possessor"], 1)
        if not found and depth == 0 and of_phrase:
            found += self._event_owner(token, reliability)
        if not mentions and depth == 0 and token.lemma_.lower() in INCIDENTAL_NOUNS:
            # "two Malaysian fugitives", "Sri Lanka's monks", "his Tokyo hospital": people and places
            # are their state's only as victims of harm
            found = [replace(a, incidental=True) for a in found]
        for child in token.children:
            if child.dep_ == "conj":
                found += self._mentions_at(child, index, reliability * LINK_RELIABILITY["conjunct"], depth,
                                           of_phrase)
        return found

    def _is_conflict_trigger(self, token) -> bool:
        frames = self.lexicon.get((token.lemma_.lower(), _pos_group(token)), ())
        return any(RELATION_TYPES[f.type].polarity < 0 for f in frames)

    def _criticises(self, token) -> bool:
        """Whether a warning only finds fault: a that-clause naming no harm to come ("warned Sudan that it
        still has a lot of work to do"), unlike "warned X of consequences", "warned X not to cross the
        line", "warned X against visits" or "warned that it would strike"."""
        clauses = [c for c in token.children if c.dep_ == "ccomp"]
        if not clauses or any(c.dep_ in ("xcomp", "prep") for c in token.children):
            return False
        return not any(t.lemma_.lower() in CONSEQUENCES or self._is_harm(t) or (
            t.dep_ == "aux" and t.lower_ in ("will", "would", "'ll")) for c in clauses for t in c.subtree)

    def _is_harm(self, token) -> bool:
        """A trigger of material conflict (an attack, a killing, an arrest), not of words."""
        frames = self.lexicon.get((token.lemma_.lower(), _pos_group(token)), ())
        return any(RELATION_TYPES[f.type].quad == "material-conflict" for f in frames)

    def _made_thing(self, noun) -> bool:
        """A noun whose maker an agent names ("a mission offered by X", "a plan drafted by X"), unlike a
        person acted on ("an analyst investigated by the FBI" is no FBI analyst)."""
        lemma = noun.lemma_.lower()
        return (lemma in IDEA_NOUNS or lemma in MESSAGE_NOUNS or (lemma, "NOUN") in self.lexicon
                or any(lemma in nouns for nouns in self.nominals.values()))

    def _is_verbal(self, token) -> bool:
        frames = self.lexicon.get((token.lemma_.lower(), _pos_group(token)), ())
        return all(RELATION_TYPES[f.type].quad.startswith("verbal") for f in frames)

    def _takes(self, noun, preposition: str) -> bool:
        """Whether the lexicon gives ``noun`` a frame with this preposition ("talks with", "talks between")."""
        frames = self.lexicon.get((noun.lemma_.lower(), "NOUN"), ())
        return any(f.slot == f"prep:{preposition}" for f in frames)

    def _event_owner(self, token, reliability: float) -> list[Arg]:
        """'turned down the offer', 'hailed the deployment': the actor who last made that offer."""
        if _pos_group(token) != "NOUN":
            return []
        definite = any(c.dep_ in ("det", "predet") and c.lower_ in ("the", "this", "that", "such")
                       for c in token.children)
        owner = self.context.event_owner.get(token.lemma_.lower())
        if not definite or owner is None:
            return []
        return [Arg(Mention(owner, token.i, token.i + 1, "anaphor"), reliability * LINK_RELIABILITY["anaphor"])]

    def _slot(self, token, slot: str, index: MentionIndex, particles: set[str]) -> list[Arg]:
        passive = any(c.dep_ in ("nsubjpass", "auxpass") for c in token.children)
        fillers = []
        if slot in ("dobj", "dobj:self"):
            deps = ("nsubjpass",) if passive else ("dobj",)
            fillers = [c for c in token.children if c.dep_ in deps]
            if not fillers:  # "sealed off the Gaza Strip" parsed with the object under the particle
                fillers = [g for c in token.children if c.dep_ == "prt" for g in c.children if g.dep_ == "pobj"]
            if slot == "dobj:self":
                # the object itself, never its owner: "received a delegation", not "received a green
                # light from Washington"
                return [a for f in fillers for a in self._mentions_at(f, index, 1.0, depth=1)]
        elif slot == "dative":
            fillers = [c for c in token.children if c.dep_ in ("dative", "iobj")]
        elif slot == "attr":
            fillers = [c for c in token.children if c.dep_ == "attr"]
        elif slot == "xcomp":  # "refused to appoint the alliance's deputy", "refused to meet X"
            for clause in (c for c in token.children if c.dep_ == "xcomp"):
                # refusing a hostile act toward X ("refused to quit / condemn X") is no rejection of X
                if self._is_conflict_trigger(clause):
                    continue
                fillers += [g for g in clause.children if g.dep_ == "dobj"]
        elif slot == "control":  # "wants Russian peacekeepers to do more"
            if any(c.dep_ in ("xcomp", "ccomp") for c in token.children):
                fillers = [c for c in token.children if c.dep_ == "dobj"]
                fillers += [g for c in token.children if c.dep_ == "ccomp" for g in c.children if g.dep_ == "nsubj"]
        elif slot == "head":  # "a military alliance led by Moscow", "the Russia-led CSTO"
            if token.dep_ in ("acl", "amod") and token.tag_ == "VBN":
                return self._antecedent(token.head, index, 1.0)
            return []
        elif slot == "recipient":  # "refused a mission offered by X": the refuser is who X offered it to
            if token.dep_ == "acl" and token.tag_ == "VBN" and any(c.dep_ == "agent" for c in token.children):
                noun = token.head
                governor = noun.head if noun.dep_ in ("dobj", "nsubjpass", "attr") else (
                    noun.head.head if noun.dep_ == "pobj" and noun.head.dep_ == "prep" else None)
                if governor is not None and governor.i != noun.i:
                    return self._sources(governor, index)
            return []
        elif slot in ("ccomp:subject", "ccomp:obligation"):
            for clause in (c for c in token.children if c.dep_ == "ccomp"):
                if slot == "ccomp:obligation" and not _obliged(clause):
                    continue
                fillers += [g for g in clause.children if g.dep_ in ("nsubj", "nsubjpass")]
            return [a for f in fillers for a in self._mentions_at(f, index, 1.0, of_phrase=False)]
        elif slot.startswith("prep:"):
            word = slot[5:]
            for child in token.children:
                if child.dep_ in ("prep", "agent", "dative") and child.lower_ == word:
                    fillers += [g for g in child.children if g.dep_ == "pobj"]
            if word in particles:  # "called on Yerevan" parsed with "on" as a particle
                fillers += [c for c in token.children if c.dep_ == "dobj"]
            if not fillers and _pos_group(token) == "NOUN":
                fillers += _misattached_pobjs(token, word)
            if not fillers and _pos_group(token) == "VERB":
                # "recalled its ambassador from Cuba" with "from Cuba" hung on the object
                fillers += [g for c in token.children if c.dep_ == "dobj" for p in c.children
                            if p.dep_ == "prep" and p.lower_ == word for g in p.children if g.dep_ == "pobj"]
        args: list[Arg] = []
        conflict = self._is_conflict_trigger(token) and not self._is_verbal(token)
        for filler in fillers:
            if conflict and filler.lemma_.lower() in IDEA_NOUNS and index.at(filler) is None:
                continue  # "shot down a German proposal" attacks no one
            found = self._mentions_at(filler, index, 1.0)
            if not found and conflict and filler.lemma_.lower() in PLACE_NOUNS:
                found = self._state_of_place(filler, index)
            args += found
        return args

    def _state_of_place(self, noun, index: MentionIndex) -> list[Arg]:
        """The state whose villages, towns or positions are hit: "shelled villages in Eritrea" attacks
        Eritrea (a state, not a region or a group's territory)."""
        found: list[Arg] = []
        holders = [noun, noun.head] if noun.dep_ in ("dobj", "nsubjpass") else [noun]  # "in X" on the verb
        for child in (c for holder in holders for c in holder.children):
            if child.dep_ == "prep" and child.lower_ in ("in", "inside", "across"):
                for pobj in child.children:
                    mention = index.at(pobj)
                    if pobj.dep_ == "pobj" and mention is not None and mention.actor.type == "State" \
                            and mention.kind not in ("territory", "modifier"):
                        found.append(Arg(mention, LINK_RELIABILITY["possessor"]))
        return found

    def _sources(self, token, index: MentionIndex, inherited: float = 1.0, hops: int = 0) -> list[Arg]:
        """Who acts: the subject, the passive agent, a noun's possessor, or a governing verb's subject."""
        if hops > 3:
            return []
        children = list(token.children)
        group = _pos_group(token)
        args: list[Arg] = []
        agents = [pobj for child in children if child.dep_ == "agent" for pobj in child.children if pobj.dep_ == "pobj"]
        for pobj in agents:
            args += self._mentions_at(pobj, index, inherited)
        if args or (agents and group == "VERB"):
            return args  # "were seized by assailants": the assailants, whoever they are, not anyone else
        if token.dep_ == "amod" and token.tag_ == "VBN":
            # "the Russia-led alliance", "US-backed forces": the participle's own modifier acts
            for child in children:
                if child.dep_ in ("npadvmod", "compound", "nmod", "amod") and child.i < token.i:
                    args += self._mentions_at(child, index, inherited, 1, of_phrase=False)
            return args
        if group == "NOUN" and token.dep_ == "appos" and token.head.i != token.i and token.lemma_.lower() in ROLE_NOUNS:
            # "Turkey, a long-standing member of NATO": the noun describes what it is apposed to
            apposed = self._mentions_at(token.head, index, inherited, depth=1, of_phrase=False)
            if apposed:
                return apposed
        if group == "NOUN":
            for child in children:
                if child.dep_ in ("poss", "compound", "amod") and child.i < token.i:
                    args += self._mentions_at(child, index, inherited * LINK_RELIABILITY["nominal"], 1)
            # "an attack by Hamas on an Israeli post": the noun's own agent
            for child in children:
                if not args and child.dep_ == "prep" and child.lower_ == "by" and child.i > token.i:
                    args += [a for pobj in child.children if pobj.dep_ == "pobj"
                             for a in self._mentions_at(pobj, index, inherited * LINK_RELIABILITY["nominal"], 1)]
            # "the deployment of EU observers": whose forces move is who acts
            for child in children:
                if not args and child.dep_ == "prep" and child.lower_ == "of":
                    for pobj in child.children:
                        mention = index.at(pobj)
                        if pobj.dep_ == "pobj" and mention is not None and mention.kind == "body":
                            args += self._mentions_at(pobj, index, inherited * LINK_RELIABILITY["nominal"], 1)
            if args:
                return args
        if group == "VERB" and any(c.dep_ == "auxpass" for c in children) and self._is_harm(token):
            # "Four soldiers were killed when militants blew up their post": the attackers of the
            # temporal clause did the killing
            for clause in children:
                if clause.dep_ == "advcl" and self._is_harm(clause) and any(
                        c.dep_ in ("advmod", "mark") and c.lower_ in ("when", "as", "after") for c in clause.children):
                    args += self._sources(clause, index, inherited * LINK_RELIABILITY["inherited"], hops + 1)
            if args:
                return args
        subjects = [c for c in children if c.dep_ in ("nsubj", "csubj", "expl")]
        for subject in subjects:
            if subject.lower_ in RELATIVE_PRONOUNS and token.dep_ == "relcl":
                return self._antecedent(token.head, index, inherited * LINK_RELIABILITY["inherited"])
            found = self._mentions_at(subject, index, inherited, of_phrase=False)
            lemma = subject.lemma_.lower()
            if not index.all_at(subject) and lemma in self.event_nouns and lemma not in IDEA_NOUNS | MESSAGE_NOUNS:
                found = [replace(a, event=True) for a in found]
            args += found
        if subjects:
            return args
        head = token.head
        if head.i == token.i:
            return []
        step = inherited * LINK_RELIABILITY["inherited"]
        if group == "NOUN" and token.dep_ in ("dobj", "attr", "oprd", "nsubjpass"):
            if head.lemma_.lower() not in LIGHT_VERBS:
                return []  # "condemned the attack on Israel": the condemner did not attack
            return self._sources(head, index, inherited * LINK_RELIABILITY["nominal"], hops + 1)
        if group == "NOUN" and token.dep_ == "pobj" and head.lower_ == "for" and head.head.lemma_.lower() == "responsibility" \
                and head.head.head.lemma_.lower() in ("claim", "take", "accept", "admit", "assume"):
            # "Hamas claimed responsibility for the attack": event coders credit the claimant
            return self._sources(head.head.head, index, inherited * LINK_RELIABILITY["nominal"], hops + 1)
        if group == "NOUN" and token.dep_ == "pobj" and head.lower_ in ("in", "into") and head.head.pos_ in ("VERB", "AUX"):
            if head.head.lemma_.lower() not in LIGHT_VERBS | {"engage", "participate", "join", "take"} and (
                    self._is_conflict_trigger(token) and not self._is_verbal(token) and not all(
                        f.type == "PROTEST" for f in self.lexicon.get((token.lemma_.lower(), "NOUN"), ()))):
                return []  # "hurt in a bomb attack" is no attack by the hurt; "resigned in protest" protests
            return self._sources(head.head, index, inherited * LINK_RELIABILITY["nominal"], hops + 1)
        if token.dep_ == "acl" and _pos_group(head) == "NOUN" and token.tag_ in ("VBG", "VBD", "VBZ", "VBP"):
            # a participle's subject is the noun it modifies: "the bloc comprising Russia"
            return self._mentions_at(head, index, step, 1, of_phrase=False)
        if token.dep_ == "acl" and _pos_group(head) == "NOUN":
            # a to-infinitive's subject is the noun's owner: "Moscow's refusal to use its power"
            owners = [a for c in head.children if c.dep_ in ("poss", "compound", "amod") and c.i < head.i
                      for a in self._mentions_at(c, index, step, 1, of_phrase=False)]
            if owners:
                return owners
            if any(c.dep_ == "prep" and c.lower_ in ("of", "by") for c in head.children):
                # "the efforts of some European countries to get Iran to ...": theirs, or no one's we know
                return [a for c in head.children if c.dep_ == "prep" and c.lower_ in ("of", "by")
                        for g in c.children if g.dep_ == "pobj" for a in self._mentions_at(g, index, step, 1)]
            if head.dep_ in ("dobj", "nsubj", "attr"):
                return self._sources(head.head, index, step, hops + 1) if head.dep_ != "nsubj" else []
        if token.dep_ == "pcomp" and head.dep_ == "prep" and head.head.i != head.i:
            # "blamed Armenia for canceling the talks" -> Armenia cancelled them; but "sealed off Gaza
            # by shutting the crossing" -> the sealer shut it
            governor = head.head
            objects = [c for c in governor.children if c.dep_ == "dobj"] if head.lower_ in ("for", "of", "from") else []
            controllers = self._mentions_at(objects[0], index, step, of_phrase=False) if objects else []
            return controllers or self._sources(governor, index, step, hops + 1)
        if token.dep_ == "xcomp":
            # object control: "urged the sides to comply" -> the sides comply; but an instrument is
            # no actor: "used his speech to urge X" -> the user urges
            objects = [c for c in head.children if c.dep_ == "dobj"]
            if objects and head.lemma_.lower() not in INSTRUMENT_VERBS:
                return self._mentions_at(objects[0], index, step)
            return self._sources(head, index, step, hops + 1)
        if token.dep_ in ("conj", "acomp", "advcl") and group in ("VERB", "ADJ"):
            return self._sources(head, index, step, hops + 1)
        return []

    def _antecedent(self, noun, index: MentionIndex, reliability: float) -> list[Arg]:
        """What a relative clause's noun stands for; 'X is a bloc that ...' -> X."""
        found = self._mentions_at(noun, index, reliability, of_phrase=False)
        if not found and noun.dep_ == "attr":
            for subject in noun.head.children:
                if subject.dep_ == "nsubj":
                    found += self._mentions_at(subject, index, reliability, of_phrase=False)
        return found

    # -- modality
    def _relation(self, token, frame: Frame, source: Arg, target: Arg, doc_id: str, text: str, offset: int) -> Relation:
        rtype = RELATION_TYPES[frame.type]
        confidence = BASE_CONFIDENCE * source.reliability * target.reliability
        if _pos_group(token) != "VERB":
            confidence *= LINK_RELIABILITY["nominal"]
        if frame.reverse:
            confidence *= LINK_RELIABILITY["reverse"]
        negated, hypothetical = modality(token, speech_act=rtype.quad.startswith("verbal"))
        start, end = _sentence_bounds(token.sent, text, offset)
        when = timing(token, token.doc.user_data.get(DOCUMENT_DATE))
        return Relation(
            doc=doc_id,
            source=source.mention.actor,
            target=target.mention.actor,
            type=rtype.name,
            quad=rtype.quad,
            polarity=rtype.polarity,
            negated=negated,
            hypothetical=hypothetical,
            confidence=round(confidence, 3),
            sentence=text[start:end],
            start=start,
            end=end,
            trigger=token.text,
            extractor=self.version,
            source_sector=source.mention.sector,
            target_sector=target.mention.sector,
            background=when.background,
            date=when.date,
        )




def _shot(token) -> bool:
    """Whether a coercive act is done by shooting: "fired to disperse the crowd", "opened fire to ..."."""
    governor = token.head
    return token.dep_ in ("xcomp", "advcl") and governor.i != token.i and governor.lemma_.lower() in SHOOTING


def _canonical(arg: Arg) -> str:
    """The sort key of an alliance's side: its Wikidata id (numerically), else its kg id."""
    actor = arg.mention.actor.rolled_up()
    return f"Q{int(actor.wikidata[1:]):012d}" if actor.wikidata else f"~{actor.id}"


def _same_name(a, b) -> bool:
    """Whether two actors without Wikidata ids are one name, shortened ("Conoco" / "ConocoPhillips")."""
    if a.wikidata or b.wikidata or a.type != b.type:
        return False
    x, y = ("".join(ch for ch in actor.label.lower() if ch.isalnum()) for actor in (a, b))
    return min(len(x), len(y)) >= 4 and (x.startswith(y) or y.startswith(x))


def _participle_modifier(token) -> bool:
    """A participle the parser took for a clause's verb: 'hand over wanted Chechen activists', 'the
    accused men'. After an article, a possessive, a particle or a preposition, it modifies a noun."""
    if token.tag_ not in ("VBD", "VBN"):
        return False
    before = token
    while not before.is_sent_start and before.i > 0:  # the word before, in the same sentence
        before = token.doc[before.i - 1]
        if not before.is_space:
            break
    if before.i == token.i or before.is_space:
        return False
    return before.tag_ in ("DT", "PRP$", "POS", "RP") or (before.tag_ == "IN" and before.lower_ != "that")


def _audience(arg: Arg) -> bool:
    """An assembly or audience: 'Iraq's National Council', 'the Duma'."""
    label = arg.mention.actor.label.split()
    return bool(label) and label[-1].lower() in AUDIENCES


def _pairs(group: list[Arg], symmetric: bool) -> Iterator[tuple[Arg, Arg]]:
    """Ordered pairs of distinct actors in a group: each unordered pair once when symmetric."""
    actors: dict[str, Arg] = {}
    for arg in group:
        actors.setdefault(arg.mention.actor.rolled_up().id, arg)
    items = sorted(actors.values(), key=lambda a: a.mention.start)
    for i, first in enumerate(items):
        for second in items[i + 1:]:
            yield first, second
            if not symmetric:
                yield second, first


def _acted_on_route(token) -> bool:
    """A road or corridor that is itself blocked or closed (an object, or 'the blockade of the road'),
    not the place where something happens ('deployed in the corridor')."""
    if token.lemma_.lower() not in ROUTE_NOUNS:
        return False
    return token.dep_ == "dobj" or (token.dep_ == "pobj" and token.head.lower_ == "of")


def _misattached_pobjs(noun, word: str) -> list:
    """Objects of a 'WORD' phrase right after ``noun`` that the parser hung on the governing verb:
    in 'reacted to the deployment of observers to Armenia', the second 'to' is the deployment's."""
    governor = noun.head.head if noun.dep_ == "pobj" else noun.head
    following = noun.right_edge.i + 1  # the one place such a phrase can start
    if governor.i == noun.i or following >= len(noun.doc) or following == governor.i:
        return []
    child = noun.doc[following]
    if child.head.i != governor.i or child.dep_ != "prep" or child.lower_ != word:
        return []
    return [g for g in child.children if g.dep_ == "pobj"]


def _obliged(clause) -> bool:
    """A clause that says what its subject must do: 'must', 'should', 'has to', 'needs to'."""
    for child in clause.children:
        if child.dep_ == "aux" and child.lower_ in ("must", "should", "ought"):
            return True
    return clause.lemma_ in ("have", "need") and any(c.dep_ == "xcomp" for c in clause.children)


def _organisation_modifier(token, index: MentionIndex):
    """The organisation in 'other CSTO member states' (a compound modifier, possibly nested)."""
    for child in token.subtree:
        if child.i >= token.i:
            break
        mention = index.at(child)
        if mention is not None and mention.actor.type == "Organization" and child.dep_ == "compound":
            return mention
    return None


def _sentence_bounds(sent, text: str, offset: int) -> tuple[int, int]:
    """Document offsets of a sentence, without surrounding white space."""
    start, end = offset + sent.start_char, offset + sent.end_char
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end
