"""Actor resolution: finds the canonical actor behind each mention in a parsed document."""

from __future__ import annotations

import difflib
from bisect import bisect_left
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ..data import cue, read_table
from .gazetteer import MODIFIER, TERRITORY, Gazetteer, actor_id, load_office_holders
from ..records import Actor, Mention
from .nlp import words
from .wire import HEADLINE

if TYPE_CHECKING:
    from spacy.tokens import Token

PRONOUNS = {"he", "she"}
# Third-person pronouns of states, organisations and groups: "It demanded ...", "its defence ministry",
# "They fired rockets" (groups), resolved to the last compatible subject (see ActorResolver._pronoun)
IT_PRONOUNS, THEY_PRONOUNS = {"it", "its"}, {"they", "their"}
IT_OR_THEY = IT_PRONOUNS | THEY_PRONOUNS
# A pronoun reaches back at most this many sentences (the one it is in, and the one before)
PRONOUN_REACH = 2
# Verbs whose "it" is no actor: "it is clear", "it seems", "it took two years", "it rained"
IMPERSONAL = {"be", "seem", "appear", "take", "rain", "happen", "matter", "mean", "remain", "become", "cost", "look",
              "sound", "feel", "turn", "follow", "emerge", "come", "go", "get"}
# Prepositions whose phrase is an adjunct of its clause's own event: "his" there is the subject's
# ("Wen said in his meeting with Aziz", "during her visit to Kabul")
ADJUNCT_PREPOSITIONS = {"in", "during", "after", "before", "following", "throughout", "on"}
FEMININE = {"spokeswoman", "chairwoman", "congresswoman", "businesswoman", "mrs", "mrs.", "ms", "ms.", "madam",
            "queen", "princess", "baroness", "duchess", "lady", "she", "her"}
MASCULINE = {"spokesman", "chairman", "congressman", "businessman", "mr", "mr.", "king", "prince", "sir", "lord",
             "he", "his"}
FIRST_PERSON_PLURAL = {"we", "us", "our", "ours"}
FIRST_PERSON_SINGULAR = {"i", "me", "my"}
SPEECH_VERBS = cue("speech_verbs")
OPENING_QUOTES, CLOSING_QUOTES = {"“", "«", "„"}, {"”", "»"}
QUOTE_MARKS = OPENING_QUOTES | CLOSING_QUOTES | {'"'}
POSSESSIVES = {"his", "her"}
PARTY_NOUNS = cue("party_nouns")
PARTY_MARKERS = cue("party_markers")
ORGANISATION_ANAPHORS = cue("organisation_anaphors")
STATE_ANAPHORS = cue("state_anaphors")
TITLE_DEPS = {"compound", "amod", "nmod", "poss"}
# spaCy labels under which an unknown name is still an actor (not a date, a place name we lack, ...)
ORG_LABELS = {"ORG"}
# Entity types of a word that names whose group a group noun is ("Islamic militants", "Shiite militiamen")
GROUP_QUALIFIERS = {"NORP", "GPE", "ORG", "LOC"}
# Last words of a name that make it a place, not a person ("Erez Crossing")
PLACE_WORDS = cue("route_nouns") | cue("place_nouns") | cue("facility_nouns")
# Last words of a news outlet's name: outlets report events, they are not their parties
MEDIA_WORDS = cue("media_words")
# Title words of someone who no longer holds the office
FORMER = {"former", "ex", "ex-", "retired", "onetime", "one-time", "erstwhile", "late"}
# Modifiers of officials that say they are not the place's own ("foreign ministers in Brussels")
VISITING = {"foreign", "international", "visiting", "western", "regional", "european", "arab", "african", "asian"}
# Words between a name and a body that take the name for themselves ("Iraq hostage mediators")
OWNERLESS = cue("people_nouns") | cue("situation_nouns")
# Prepositions whose object is where something happens, not who takes part
LOCATIVES = {"in", "at", "near", "outside", "inside", "around", "across", "throughout", "within"}
# Modifiers that make men gunmen ("armed men killed two soldiers")
ARMED = {"armed", "masked", "hooded", "unidentified", "unknown"}
# Entity types of a name that a group noun is part of ("Sinclair Broadcast Group")
NAMED_ENTITIES = {"ORG", "PERSON", "FAC", "WORK_OF_ART", "EVENT", "PRODUCT", "LAW"}
# The key under which a Doc's user_data carries its document's date (office holders' roles depend on it).
DOCUMENT_DATE = "kg_date"


@dataclass
class PersonRegistry:
    """What one document has introduced so far: persons (for later surnames and pronouns), the
    last organisation and the last state acting as a subject (for "the alliance", "the country")."""

    by_name: dict[str, Actor] = field(default_factory=dict)
    last: Actor | None = None
    order: list[Actor] = field(default_factory=list)  # persons by last mention, latest last
    last_organisation: Actor | None = None
    last_state_subject: Actor | None = None
    last_body: dict[str, Actor] = field(default_factory=dict)  # "peacekeeper" -> Russia
    recent_states: list[Actor] = field(default_factory=list)  # in text order
    event_owner: dict[str, Actor] = field(default_factory=dict)  # "offer" -> who last offered
    # the last subject that could be "it" (a state or organisation) and "they" (a group or a plural
    # body such as "Russian troops"), with the token where it stood; None after a subject that is
    # no actor ("The plan was rejected. It ..." is not resolved)
    # persons neither the gazetteer nor the office holders know, with no title tying them to an actor
    # (a commentator, a celebrity, a private citizen): as in PETRARCH, who cannot be coded does not act
    uncoded: set[str] = field(default_factory=set)
    # persons the document calls "former ..." anywhere: they act for no one in it, at any mention
    # ("Chalabi's convoy" in the headline, "former council president Ahmed Chalabi" in the body)
    former: set[str] = field(default_factory=set)
    last_it: tuple[Actor, int] | None = None
    last_they: tuple[Actor, int] | None = None

    def remember(self, person: Actor, surface: str) -> None:
        for part in {surface, surface.split()[-1], person.label, person.label.split()[-1]}:
            self.by_name.setdefault(part, person)
        self.mentioned(person)

    def mentioned(self, person: Actor) -> None:
        self.last = person
        if person in self.order:
            self.order.remove(person)
        self.order.append(person)

    def find(self, surname: str) -> Actor | None:
        """A person already named, by exact surname or a close spelling (Pashinian / Pashinyan)."""
        if surname in self.by_name:
            return self.by_name[surname]
        if len(surname) >= 5:
            close = difflib.get_close_matches(surname, list(self.by_name), n=1, cutoff=0.8)
            if close and close[0][0] == surname[0]:
                return self.by_name[close[0]]
        return None


class MentionIndex:
    """Token index -> mention, for one parsed document; a plural description ("the two sides")
    may stand for a group of actors."""

    def __init__(self) -> None:
        self.by_token: dict[int, Mention] = {}
        self.mentions: list[Mention] = []
        self.groups: dict[int, list[Mention]] = {}

    def add(self, mention: Mention) -> None:
        self.mentions.append(mention)
        for i in range(mention.start, mention.end):
            self.by_token[i] = mention

    def at(self, token) -> Mention | None:
        return self.by_token.get(token.i)

    def all_at(self, token) -> list[Mention]:
        """The mention at ``token``, or every member of the group it stands for."""
        if token.i in self.groups:
            return self.groups[token.i]
        mention = self.by_token.get(token.i)
        return [mention] if mention is not None else []

    def add_group(self, members: list[Mention]) -> None:
        self.add(members[0])
        self.groups[members[0].start] = members


class ActorResolver:
    """Finds actor mentions in spaCy docs using the gazetteer, titles, surnames and pronouns."""

    def __init__(self, nlp, gazetteer: Gazetteer):
        from spacy.matcher import PhraseMatcher

        self.gaz = gazetteer
        self.holders = load_office_holders()
        self._holders: dict[tuple[str, str | None], Actor | None] = {}
        self._date: str | None = None
        # non-state group nouns of ontology/agents.tsv: lemma -> (the group's plural label, whether
        # the noun alone, with no modifier naming whose group, is that group too)
        self.groups: dict[str, tuple[str, bool]] = {
            row["lemma"]: (row["group"], row.get("alone") == "yes")
            for row in read_table("agents.tsv") if row.get("group")}
        # "Gunmen" after a dateline is read as a name, lemma and all: its plural still names the noun
        self.group_plurals = {plural: lemma for lemma, (plural, _) in self.groups.items()}
        # what a body or group noun's lemma or lower-case form can be (_body_mentions, _bare_groups)
        self.body_lemmas = set(gazetteer.agents) | set(self.groups) | {"man", "men"}
        self.body_forms = set(self.groups) | set(self.group_plurals)
        self._bodies: list[int] = []  # the positions in the Doc being resolved of such words
        self.matcher = PhraseMatcher(nlp.vocab, attr="ORTH")
        forms = list(gazetteer.forms)
        self.matcher.add("ACTOR", list(nlp.tokenizer.pipe(forms)))

    def resolve(self, doc, persons: PersonRegistry) -> MentionIndex:
        """Every actor mention in ``doc``; ``persons`` carries persons across a document's chunks.

        In a title-cased headline the parser's names are often fragments ("Blair Backs Bush",
        "Powell Calls for Support", "Israel Kills"): there a name the gazetteer does not know is an
        actor only if the text names it again below the headline."""
        index = MentionIndex()
        self._date = doc.user_data.get(DOCUMENT_DATE)
        persons.last_it = persons.last_they = None  # token positions do not carry over to a new chunk
        entities = list(doc.ents)  # Span.ents walks every entity of the doc: read them once
        lemmas, lowers, _ = words(doc)
        self._bodies = [i for i, (lemma, lower) in enumerate(zip(lemmas, lowers))
                        if lemma in self.body_lemmas or lower in self.body_forms]
        headline = _headline_tokens(doc)
        fragments = self._headline_fragments(doc, entities, headline)
        self._gazetteer_mentions(doc, index, fragments)
        self._capitalised_mentions(doc, index)
        for sent in doc.sents:
            ents = [e for e in entities if sent.start <= e.start < sent.end and e.start not in fragments]
            self._person_mentions(sent, ents, index, persons, headline)
            self._body_mentions(sent, index)
            self._unknown_organisations(ents, index)
            self._quoted_first_person(sent, index)
            self._definite_descriptions(sent, index, persons)
            # again, now that references are resolved: "its defence ministry", "the country's army"
            self._body_mentions(sent, index)
            self._bare_groups(sent, index)
        return index

    @staticmethod
    def _quoted_first_person(sent, index: MentionIndex) -> None:
        """In '“We hope to cooperate with Russia,” he said', 'we' is the speaker's side and 'I' the
        speaker: the subject of a speech verb outside the quotation marks of the same sentence."""
        inside = _quoted_tokens(sent)
        if not inside:
            return
        speaker = None
        for token in sent:
            if token.i in inside or token.lemma_.lower() not in SPEECH_VERBS:
                continue
            for child in token.children:
                mention = index.at(child)
                if child.dep_ == "nsubj" and child.i not in inside and mention is not None:
                    speaker = mention.actor
                    break
            if speaker is not None:
                break
        if speaker is None:
            return
        for i in sorted(inside):
            token = sent.doc[i]
            if i in index.by_token:
                continue
            if token.lower_ in FIRST_PERSON_PLURAL:
                index.add(Mention(speaker.rolled_up(), i, i + 1, "pronoun"))
            elif token.lower_ in FIRST_PERSON_SINGULAR:
                index.add(Mention(speaker, i, i + 1, "pronoun"))

    def _definite_descriptions(self, sent, index: MentionIndex, context: PersonRegistry) -> None:
        """'the alliance' / 'the Russian-led bloc' -> the last organisation named; 'the country' -> the
        last state that was a subject; 'the peacekeepers' -> whose peacekeepers were last named;
        'It is a military alliance' -> the last organisation. Read in text order, so a description
        refers back to what came before it, in this sentence or earlier ones."""
        doc, (lemmas, lowers, pos) = sent.doc, words(sent.doc)
        for i in range(sent.start, sent.end):
            if (i not in index.by_token and pos[i] not in ("NOUN", "PROPN") and lowers[i] not in IT_OR_THEY
                    and lemmas[i] not in PARTY_NOUNS):
                continue  # no mention, description or pronoun: nothing below would read it
            token = doc[i]
            mention = index.at(token)
            if mention is not None:
                if mention.kind != "anaphor":
                    self._remember(token, mention, context)
                continue
            parties = self._parties(token, sent, index, context)
            if parties:
                index.add_group(parties)
                continue
            resolved = self._describe(token, context) or self._pronoun(token, index, context)
            if resolved is not None:
                index.add(resolved)
            elif token.dep_ in ("nsubj", "nsubjpass") and token.pos_ in ("NOUN", "PROPN"):
                # a subject that is no actor ("The plan ...") is what a later "it" or "they" means
                if token.tag_ in ("NNS", "NNPS"):
                    context.last_they = None
                else:
                    context.last_it = None

    @staticmethod
    def _parties(token, sent, index: MentionIndex, context: PersonRegistry) -> list[Mention]:
        """'the conflicting sides' -> the two states last named, other than this clause's subject."""
        if token.lemma_.lower() not in PARTY_NOUNS or token.tag_ != "NNS":
            return []
        if not any(c.lower_ in PARTY_MARKERS for c in token.children):
            return []
        subjects = {m.actor.rolled_up().id for t in sent if t.i < token.i and t.dep_ in ("nsubj", "nsubjpass")
                    for m in [index.at(t)] if m is not None}
        chosen: list[Actor] = []
        for actor in reversed(context.recent_states):
            if actor.id not in subjects and actor not in chosen:
                chosen.append(actor)
            if len(chosen) == 2:
                return [Mention(a, token.i, token.i + 1, "anaphor") for a in chosen]
        return []

    def _describe(self, token, context: PersonRegistry) -> Mention | None:
        if token.lower_ == "it" and token.dep_ == "nsubj" and context.last_organisation is not None:
            if any(c.dep_ == "attr" and c.lemma_.lower() in ORGANISATION_ANAPHORS for c in token.head.children):
                return Mention(context.last_organisation, token.i, token.i + 1, "anaphor")
            return None
        if token.pos_ != "NOUN" or token.tag_ not in ("NN", "NNS"):
            return None
        if not any(c.dep_ == "det" and c.lower_ in ("the", "this", "that", "these") for c in token.children):
            return None
        lemma = token.lemma_.lower()
        owned = any(c.dep_ in ("amod", "compound", "poss") for c in token.children)
        if lemma in context.last_body and not owned:
            return Mention(context.last_body[lemma], token.i, token.i + 1, "anaphor", self.gaz.agents.get(lemma))
        if lemma in ORGANISATION_ANAPHORS and context.last_organisation is not None:
            return Mention(context.last_organisation, token.i, token.i + 1, "anaphor")
        if lemma in STATE_ANAPHORS and context.last_state_subject is not None and not owned:
            return Mention(context.last_state_subject, token.i, token.i + 1, "anaphor")
        return None

    @staticmethod
    def _pronoun(token, index: MentionIndex, context: PersonRegistry) -> Mention | None:
        """'It demanded ...', 'its defence ministry', 'They fired rockets': the last state or organisation
        (for it/its), or group or plural body (for they/their), that was a subject no more than
        PRONOUN_REACH sentences back, with no subject that is no actor in between. A possessive first
        means its own clause's subject ("Russia said its troops ..."). Pronoun links are inferred:
        their reliability is LINK_RELIABILITY["pronoun"]."""
        word = token.lower_
        if word not in IT_PRONOUNS and word not in THEY_PRONOUNS:
            return None
        possessive = word in ("its", "their")
        if possessive and token.dep_ != "poss":
            return None
        if not possessive:
            if token.dep_ != "nsubj" or token.head.lemma_.lower() in IMPERSONAL:
                return None  # "it is clear that", "it was agreed" (passive), "it took years"
        plural = word in THEY_PRONOUNS
        if possessive:
            for subject in _clause_subjects(token):
                mention = index.at(subject)
                if mention is None or _is_plural(subject) != plural:
                    continue  # "Armenian forces fired on its positions": the forces are no "it"
                rolled = mention.actor.rolled_up()
                if rolled.type != "Person":
                    return Mention(mention.actor if rolled.type == "Group" else rolled, token.i, token.i + 1,
                                   "pronoun")
        last = context.last_they if plural else context.last_it
        if last is None:
            return None
        actor, at = last
        if at >= token.i or _sentences_between(token.doc, at, token.i) >= PRONOUN_REACH:
            return None
        if possessive and any(m.start > at and m.start < token.i and m.actor.rolled_up() != actor
                              and m.actor.rolled_up().type != "Person" and m.kind != MODIFIER
                              and _is_plural(token.doc[m.end - 1]) == plural
                              for m in index.mentions):
            return None  # "urged China to press North Korea to scrap its programmes": whose? no guess
        return Mention(actor, token.i, token.i + 1, "pronoun")

    @staticmethod
    def _remember(token, mention: Mention, context: PersonRegistry) -> None:
        actor = mention.actor.rolled_up()
        if token.dep_ in ("nsubj", "nsubjpass") and mention.kind not in (MODIFIER, TERRITORY):
            if actor.type == "Group" or (mention.kind == "body" and token.tag_ in ("NNS", "NNPS")):
                context.last_they = (actor, token.i)  # "Palestinian militants", "Russian troops"
            elif actor.type in ("State", "Organization"):
                context.last_it = (actor, token.i)
        if mention.kind == "body":
            context.last_body[token.lemma_.lower()] = actor
        if actor.type == "Organization":
            context.last_organisation = actor
        if actor.type == "State" and token.dep_ in ("nsubj", "nsubjpass") and mention.kind != MODIFIER:
            context.last_state_subject = actor
        head = _span_head(token.doc, mention)
        if actor.type == "State" and not (head.dep_ == "pobj" and head.head.lower_ in LOCATIVES):
            context.recent_states.append(actor)  # "met in Addis Ababa": a venue is no party

    # -- gazetteer names, seats and modifiers
    def _headline_fragments(self, doc, entities, headline: range) -> set[int]:
        """Start tokens of the headline's entities that are neither known persons nor named again."""
        if not headline:
            return set()
        below = doc.text[doc[headline.stop - 1].idx + len(doc[headline.stop - 1]):]
        return {e.start for e in entities if e.start in headline
                and e.text.strip() not in self.gaz.persons and e.text.strip() not in below}

    def _gazetteer_mentions(self, doc, index: MentionIndex, fragments: set[int]) -> None:
        from spacy.util import filter_spans

        spans = filter_spans([doc[s:e] for _, s, e in self.matcher(doc)])
        # "Sri Lanka's" read as a person's name is no longer than "Sri Lanka": a possessive is no part of a name
        person_ents = [_unpossessed(e) for e in doc.ents if e.label_ == "PERSON" and e.start not in fragments]
        org_ents = [e for e in doc.ents if e.label_ == "ORG" and e.start not in fragments]
        for span in spans:
            form = self.gaz.forms.get(span.text)
            if form is None:
                continue
            # "Jordan" inside "Michael Jordan": a longer person name wins over a place name,
            # but a title's modifier ("Russian" in "Russian Foreign Minister X") stays.
            if form.kind != MODIFIER and any(
                e.start <= span.start and span.end <= e.end and len(e) > len(span) for e in person_ents
            ):
                continue
            # "American Civil Liberties Union": a demonym that opens an organisation's name is no state
            if form.kind == MODIFIER and _hyphenated_person(span):
                continue  # "a Chinese-American": a person of two origins, neither state
            # ("the Russian Foreign Ministry" stays Russia's: a ministry is a body of agents.tsv)
            if form.kind == MODIFIER and any(span.end < e.end and (e.start == span.start or (
                    e.start == span.start - 1 and doc[e.start].lower_ == "the"))
                    and not {doc[e.end - 1].lemma_.lower(), doc[e.end - 1].lower_, doc[e.end - 1].lower_[:-1]}
                    & self.gaz.agents.keys() for e in org_ents):
                continue
            index.add(Mention(form.actor, span.start, span.end, form.kind))

    def _capitalised_mentions(self, doc, index: MentionIndex) -> None:
        """'BRITAIN has warned Sudan', 'PAKISTANI troops ...': a sentence whose first words are set in
        capitals, as some papers start a lede, names what those words spell in the gazetteer."""
        for sent in doc.sents:
            first = next((t for t in sent if not t.is_space), None)
            if first is None or not first.is_upper or not first.is_alpha or first.i in index.by_token:
                continue
            for n in (3, 2, 1):
                words = doc[first.i:min(first.i + n, sent.end)]
                if len(words) < n or not all(t.is_upper for t in words):
                    continue
                form = self.gaz.forms.get(" ".join(t.text.title() for t in words))
                if form is not None and not any(t.i in index.by_token for t in words):
                    index.add(Mention(form.actor, words.start, words.end, form.kind))
                    break

    # -- persons: known office holders, titled names, later surnames and pronouns
    def _person_mentions(self, sent, sent_ents, index: MentionIndex, persons: PersonRegistry,
                         headline: range) -> None:
        ents = [e for e in sent_ents if e.label_ == "PERSON"]
        covered: set[int] = set()
        for ent in ents:
            if any(i in index.by_token for i in range(ent.start, ent.end)):
                continue
            person = self._person_for(ent, index, persons)
            if person is not None:
                index.add(Mention(person, ent.start, ent.end, "person"))
                covered.update(range(ent.start, ent.end))
        doc, (_, forms, pos) = sent.doc, words(sent.doc)
        for i in range(sent.start, sent.end):
            if pos[i] != "PROPN" and forms[i] not in PRONOUNS and forms[i] not in POSSESSIVES:
                continue  # no name and no personal pronoun: nothing below would read it
            token = doc[i]
            if token.i in index.by_token or token.i in covered:
                continue
            if token.pos_ == "PROPN" and token.text[:1].isupper():
                if token.i in headline:  # no guess from a headline's fragments, a known name only
                    known = self.gaz.persons.get(token.text)
                else:
                    known = persons.find(token.text) or self.gaz.persons.get(token.text)
                if known is None and token.ent_type_ == "PERSON" and token.text not in self.gaz.forms:
                    # a surname alone only where the parser reads a person's name ("Prime" in
                    # "Prime Minister X" is nobody's surname)
                    known = self._office_holder(token.text)
                if known is not None and _is_last_name_token(token) and not _hyphenated(token):
                    index.add(Mention(known, token.i, token.i + 1, "surname"))
                    persons.mentioned(known)
            elif token.lower_ in PRONOUNS and token.dep_ in ("nsubj", "nsubjpass") and persons.last:
                index.add(Mention(persons.last, token.i, token.i + 1, "pronoun"))
            elif token.lower_ in POSSESSIVES and token.dep_ == "poss":
                subjects = [a for a in _clause_subject_actors(token, index) if a.type == "Person"]
                if _in_adjunct(token) and subjects and _may_be(subjects[0], token.lower_):
                    # "Wen said in his meeting with Aziz": the clause's own event, its subject's
                    index.add(Mention(subjects[0], token.i, token.i + 1, "pronoun"))
                    continue
                # "Zakharova scoffed at his remarks": not the clause's own subject
                for person in reversed(persons.order):
                    if person not in subjects and _may_be(person, token.lower_):
                        index.add(Mention(person, token.i, token.i + 1, "pronoun"))
                        break

    def _office_holder(self, name: str) -> Actor | None:
        """A person of the Phoenix dictionaries (ontology/phoenix/), acting for whom they acted for
        on the document's date (``doc.user_data[DOCUMENT_DATE]``)."""
        key = (name, self._date)
        if key not in self._holders:
            found = self.holders.find(name, self._date, self.gaz)
            actor = None
            if found is not None:
                holder, acts_for = found
                role = holder.role_on(self._date)
                actor = Actor(actor_id(holder.label), holder.label, "Person", None, holder.aliases, acts_for,
                              role.code if role is not None and acts_for is not None else None)
            self._holders[key] = actor
        return self._holders[key]

    def _person_for(self, ent, index: MentionIndex, persons: PersonRegistry) -> Actor | None:
        text = " ".join(_unpossessed(ent).text.split())  # "Daniel Seidemann's plea": the name is Daniel Seidemann
        if not text:
            return None
        known = self.gaz.persons.get(text) or persons.find(text) or persons.find(text.split()[-1])
        if known is None and len(text.split()) > 1:
            known = self.gaz.persons.get(text.split()[-1])
        if known is None:
            known = self._office_holder(text)
        words = text.split()
        while known is None and len(words) > 2:
            words = words[1:]  # a title the recogniser took in: "Taoiseach Bertie Ahern"
            known = self.gaz.persons.get(" ".join(words)) or self._office_holder(" ".join(words))
        affiliation, role = self._title_of(ent, index)
        if self._called_former(ent, known):
            persons.former.add(actor_id(text) if known is None else known.id)
        if known is not None:
            if known.represents is None and affiliation is not None:
                known = _with(known, affiliation, role)
            persons.remember(known, text)
            return known
        if len(text.split()) < 2:
            return None  # a lone unknown name: too often a place or a misparse
        if text.split()[-1].lower() in PLACE_WORDS:
            return None  # "Erez Crossing", "Khan Younis Camp": a place the recogniser took for a person
        person = Actor(actor_id(text), text, "Person", None, (), affiliation, role)
        persons.remember(person, text)
        if affiliation is None:
            persons.uncoded.add(person.id)
        return person

    @staticmethod
    def _called_former(ent, known: Actor | None) -> bool:
        """'former Iraqi council president Ahmed Chalabi': the title before the name says the person no
        longer holds the office that would make them act for a state. An apposition is not enough:
        'Colin Powell, a former general' describes a career, not the office held on the day."""
        if any(t.lower_ in FORMER and t.lower_ != "late" and t.i < ent.start for t in ent.root.subtree):
            return True
        before = []
        token = ent.doc[ent.start]
        while len(before) < 6 and not token.is_sent_start and token.i > 0:  # up to six words before, same sentence
            token = ent.doc[token.i - 1]
            before.insert(0, token)
        marks = [k for k, t in enumerate(before) if t.lower_ in FORMER and t.lower_ != "late"]
        # "former Iraqi governing council president X": only title words between the mark and the name
        return bool(marks) and not any(t.tag_ in ("VBD", "VBZ", "VBP", "VB", "MD") or t.text in ",;:"
                                       for t in before[marks[-1] + 1:])

    def _title_of(self, ent, index: MentionIndex) -> tuple[Actor | None, str | None]:
        """The actor and role in a person's title: 'Russian Foreign Minister X', 'the ... spokeswoman, X'."""
        root = ent.root
        heads = [root]
        if root.dep_ == "appos":
            heads.append(root.head)
        heads += [c for c in root.children if c.dep_ == "appos"]
        title_tokens = []
        for head in heads:
            for token in head.subtree:
                if token.i >= ent.start and token.i < ent.end:
                    continue
                if token.i > max(ent.end, head.i + 1) + 1 or token.dep_ in ("relcl", "acl", "prep", "punct"):
                    continue
                if head.i == root.i and token.i > ent.start:
                    continue
                title_tokens.append(token)
        affiliation = None
        for token in sorted(title_tokens, key=lambda t: t.i):
            mention = index.at(token)
            if mention is not None and mention.actor.type != "Person":
                affiliation = mention.actor.rolled_up()
                if any(t.lower_ in FORMER and t.i < token.i for t in title_tokens):
                    affiliation = None  # "former US ambassador X" acts for no one now ("British former officer" is British)
                break
        role_words = [
            t.text
            for t in sorted(title_tokens, key=lambda t: t.i)
            if index.at(t) is None and t.dep_ not in ("det", "punct", "poss") and t.pos_ in ("NOUN", "PROPN", "ADJ")
        ]
        role = " ".join(role_words) or None
        return affiliation, role

    # -- "Russian peacekeepers", "the Armenian Foreign Ministry", "Officials in Armenia"
    def _body_mentions(self, sent, index: MentionIndex) -> None:
        for _ in range(3):  # modifiers chain: Russian -> Foreign Ministry -> spokeswoman
            changed = False
            for token in self._bodies_in(sent):
                if token.i in index.by_token or token.pos_ not in ("NOUN", "PROPN"):
                    continue
                group_lemma = self._group_lemma(token)
                sector = self.gaz.agents.get(group_lemma or token.lemma_.lower())
                if sector is None:
                    continue
                if group_lemma is not None:
                    group = self._group(token, index, qualified=True)
                    if group is not None:
                        index.add(Mention(group, token.i, token.i + 1, "body", sector))
                        changed = True
                    continue
                owner = self._owner(token, index)
                if owner is not None:
                    index.add(Mention(owner.actor.rolled_up(), token.i, token.i + 1, "body", sector))
                    changed = True
                elif any(c.dep_ in ("amod", "compound") and c.i < token.i and self._group_lemma(c) is not None
                         for c in token.children):
                    # "separatist leaders", "the rebel authorities", "militant commanders": the group's
                    group = self._group(token, index, qualified=True) or self._group(token, index, qualified=False)
                    if group is not None:
                        index.add(Mention(group, token.i, token.i + 1, "body", sector))
                        changed = True
            if not changed:
                break

    # -- non-state groups: "Palestinian militants", "Hamas gunmen", "militants in Iraq", "Gunmen killed ..."
    def _group(self, token, index: MentionIndex, qualified: bool) -> Actor | None:
        """The group a group noun names: a named organisation or armed group that modifies it ("Hamas
        militants", "rebels of the FARC"), else a Group labelled by the noun's plural with the words
        naming whose group it is ("Palestinian militants", "Iraqi insurgents", "U.S. groups"). A state
        never owns it and a place is never its owner ("militants in Iraq" are militants). With
        ``qualified``, only a noun with such words; without, only the bare noun, where agents.tsv lets
        it stand alone."""
        own = self._group_lemma(token)
        plural, alone = self.groups[own] if own is not None else (None, False)
        if token.ent_type_ in NAMED_ENTITIES:
            return None  # "Sinclair Broadcast Group", "the Socialist Group": a name, read as one
        # "a militant group", "rebel groups": the kind of group a modifying group noun names
        kinds = [c for c in token.children if c.dep_ in ("amod", "compound") and c.i < token.i
                 and self._group_lemma(c) not in (None, self._group_lemma(token))]
        if kinds:
            plural, alone = self.groups[self._group_lemma(kinds[-1])]
        if plural is None:
            return None
        qualifiers: set[int] = set()
        for child in [c for head in [token, *kinds] for c in head.children]:
            if child.i > token.i or child.dep_ not in TITLE_DEPS:
                continue
            mention = index.at(child)
            if mention is not None and mention.actor.type in ("Organization", "Group") and mention.kind != TERRITORY:
                return mention.actor.rolled_up()
            if child.dep_ == "poss" or any(t.text == "-" for t in child.doc[child.left_edge.i:child.i + 1]):
                continue  # "anti-Castro activists" are not Castro's, nor "U.S.-backed militias" American
            if mention is not None and mention.actor.type != "Person":
                qualifiers.update(range(min(mention.start, child.left_edge.i), child.i + 1))
            elif child.ent_type_ in GROUP_QUALIFIERS and child.text[:1].isupper():
                qualifiers.update(t.i for t in child.subtree if t.i <= child.i and t.text[:1].isupper())
        for child in token.children:  # "rebels of the FARC": an organisation, never a place
            if child.dep_ == "prep" and child.lower_ in ("of", "from"):
                for pobj in child.children:
                    mention = index.at(pobj)
                    if pobj.dep_ == "pobj" and mention is not None and mention.kind == "name" \
                            and mention.actor.type in ("Organization", "Group"):
                        return mention.actor.rolled_up()
        if qualified != bool(qualifiers):
            return None
        if not qualifiers and (not alone or token.dep_ in ("compound", "amod") or token.pos_ not in ("NOUN", "PROPN")):
            return None
        known = self.gaz.forms.get(plural)  # "protesters" of ontology/actors.tsv, whoever's they are
        if known is not None and known.actor.type == "Group":
            return known.actor
        doc = token.doc
        words = "".join(doc[i].text_with_ws if i + 1 in qualifiers else doc[i].text + " " for i in sorted(qualifiers))
        label = " ".join(words.split() + [plural])
        return Actor(actor_id(label), label, "Group")

    def _bodies_in(self, sent) -> list[Token]:
        """The tokens of ``sent`` that may be body or group nouns (no other can be one)."""
        doc, bodies = sent.doc, self._bodies
        return [doc[i] for i in bodies[bisect_left(bodies, sent.start):bisect_left(bodies, sent.end)]]

    def _group_lemma(self, token) -> str | None:
        """The group noun of agents.tsv that ``token`` is, if any."""
        for lemma in (token.lemma_.lower(), token.lower_):
            if lemma in self.groups:
                return lemma
        if token.lemma_.lower() in ("man", "men") and "gunman" in self.groups and any(
                c.dep_ == "amod" and c.lower_ in ARMED for c in token.children):
            return "gunman"  # "armed men", "masked men" are gunmen
        if token.pos_ == "PROPN":
            return self.group_plurals.get(token.lower_)
        return None

    def _bare_groups(self, sent, index: MentionIndex) -> None:
        """'Gunmen killed the Baghdad governor', 'killed 24 militants': a group noun with no one named
        as its owner is the group itself, once no earlier mention ("the militants") claimed it."""
        for token in self._bodies_in(sent):
            lemma = self._group_lemma(token)
            if token.i in index.by_token or lemma is None or lemma not in self.gaz.agents:
                continue
            group = self._group(token, index, qualified=False)
            if group is not None:
                index.add(Mention(group, token.i, token.i + 1, "body", self.gaz.agents[lemma]))

    @staticmethod
    def _owner(token, index: MentionIndex) -> Mention | None:
        for child in token.children:
            if child.dep_ == "poss" and child.lower_ in ("its", "their") and index.at(child) is None:
                return None  # "its U.N. diplomats": whose, the pronoun says once it is resolved
        for child in token.children:
            if child.dep_ in TITLE_DEPS and child.i < token.i:
                mention = index.at(child)
                if mention is not None and mention.actor.type != "Person" and mention.kind != TERRITORY:
                    between = token.doc[mention.end:token.i]
                    if any(t.lemma_.lower() in OWNERLESS for t in between):
                        continue  # "Iraq hostage mediators", "Iraq war veterans": the name is the hostages'
                    return mention
        # "African leaders in Tanzania", "Western diplomats in Kabul": a place says where, not whose
        described = any(c.dep_ == "amod" and (c.text[:1].isupper() or c.lower_ in VISITING) for c in token.children)
        for child in token.children:  # "officials in Armenia", "forces of Azerbaijan"
            if child.dep_ == "prep" and child.lower_ in (("of", "from") if described else ("in", "of", "from")):
                for pobj in child.children:
                    mention = index.at(pobj)
                    if pobj.dep_ == "pobj" and mention is not None and mention.actor.type != "Person" \
                            and mention.kind not in (MODIFIER, TERRITORY):
                        return mention
        return None

    # -- named organisations and groups the gazetteer lacks still become actors
    def _unknown_organisations(self, sent_ents, index: MentionIndex) -> None:
        for ent in sent_ents:
            if ent.label_ not in ORG_LABELS or any(i in index.by_token for i in range(ent.start, ent.end)):
                continue
            words = [t for t in ent if not t.is_punct]
            if not words or not any(t.text[:1].isupper() for t in words) or len(ent.text) < 3:
                continue
            # wire copy wraps lines with runs of spaces ("International  Criminal Court"), which
            # the gazetteer's phrase matcher reads as extra tokens: a known name is still known
            label = " ".join(ent.text.split()).removeprefix("the ").removeprefix("The ")
            form = self.gaz.forms.get(label)
            if form is not None:
                index.add(Mention(form.actor, ent.start, ent.end, form.kind))
                continue
            if label.split()[-1].lower() in MEDIA_WORDS:
                continue  # "The New York Times", "ABC News": who reports, not a party to what it reports
            actor = Actor(actor_id(label), label, "Organization" if _looks_organised(label) else "Group")
            index.add(Mention(actor, ent.start, ent.end, "name"))


def climb(token, found: Callable[[Token], bool]) -> Token:
    """The first of ``token`` and its heads for which ``found`` holds, else the root of its sentence.

    spaCy makes a new Token object on every access, so tokens compare by index (``is`` never holds
    between two of them); at most one step per token of the document, so no tree makes it loop
    (and a document without a parse, where every token is its own head, needs no sentences)."""
    node = token
    for _ in range(len(token.doc)):
        if found(node) or node.head.i == node.i:
            break
        node = node.head
    return node


def _headline_tokens(doc) -> range:
    """The tokens of ``doc``'s headline (empty when it has none), as the extractor marked it."""
    if HEADLINE not in doc.user_data:
        return range(0)
    start, end = doc.user_data[HEADLINE]
    span = doc.char_span(start, end, alignment_mode="expand")
    return range(0) if span is None else range(span.start, span.end)


def _clause_subject_actors(token, index: MentionIndex) -> list[Actor]:
    """Every actor named in the subject phrase of the clause ``token`` sits in (appositions too:
    'The spokeswoman, Maria Zakharova, scoffed at his remarks'). A verbless headline ("Bush
    Promotes His Plan", with "Promotes" read as a name) has no clause: its root's subjects count."""
    node = climb(token, lambda t: t.pos_ in ("VERB", "AUX"))
    return [index.at(t).actor for child in node.children if child.dep_ in ("nsubj", "nsubjpass")
            for t in child.subtree if index.at(t) is not None]


def _unpossessed(span):
    """A name's span without a possessive ending that the entity recogniser took in ("Seidemann's")."""
    end = span.end
    while end > span.start and span.doc[end - 1].lower_ in ("'s", "’s", "'"):
        end -= 1
    return span.doc[span.start:end]


def _hyphenated_person(span) -> bool:
    """Whether ``span`` is part of a hyphenated name used as a noun ("accused a Chinese-American"), not as
    a modifier ("Israeli-Palestinian talks", "an Iraqi-Polish woman")."""
    doc = span.doc
    start, end = span.start, span.end
    while start >= 2 and doc[start - 1].text == "-" and not doc[start - 1].whitespace_ and not doc[start - 2].whitespace_:
        start -= 2
    while end + 1 < len(doc) and doc[end].text == "-" and not doc[end - 1].whitespace_ and not doc[end].whitespace_:
        end += 2
    if (start, end) == (span.start, span.end):
        return False
    return doc[end - 1].dep_ not in ("amod", "compound", "nmod", "npadvmod")


def _hyphenated(token) -> bool:
    """Whether ``token`` ends a hyphenated word ("US-Led", "Al-Qaeda-Linked"): no surname alone."""
    if token.i < 2:
        return False
    hyphen = token.doc[token.i - 1]
    return hyphen.text == "-" and not hyphen.whitespace_ and not token.doc[token.i - 2].whitespace_


def _in_adjunct(possessive) -> bool:
    """Whether 'his'/'her' modifies the object of an adjunct phrase of its clause's verb ("said in his
    meeting with", "during her visit"), or the instrument of 'use' ("used his speech to urge ...")."""
    noun = possessive.head
    if noun.dep_ == "dobj" and noun.head.lemma_.lower() == "use":
        return True
    prep = noun.head
    return (noun.dep_ == "pobj" and prep.dep_ == "prep" and prep.lower_ in ADJUNCT_PREPOSITIONS
            and prep.head.pos_ in ("VERB", "AUX"))


def _may_be(person: Actor, pronoun: str) -> bool:
    """Whether 'his' or 'her' may stand for ``person``: not when the person's title says otherwise
    ("the Foreign Ministry spokeswoman" is no 'his')."""
    words = set((person.role or "").lower().split())
    other = FEMININE if pronoun in MASCULINE else MASCULINE
    return not words & other


def _sentences_between(doc, start: int, end: int) -> int:
    """How many sentence starts lie after token ``start`` up to token ``end``."""
    return sum(1 for t in doc[start + 1:end + 1] if t.is_sent_start)


def _span_head(doc, mention: Mention):
    """The token of a mention whose head lies outside it ("Ababa" of "Addis Ababa")."""
    for token in doc[mention.start:mention.end]:
        if not mention.start <= token.head.i < mention.end or token.head.i == token.i:
            return token
    return doc[mention.end - 1]


def _clause_subjects(token) -> list:
    """The subject heads of the clause ``token`` sits in."""
    node = climb(token, lambda t: t.pos_ in ("VERB", "AUX"))
    return [c for c in node.children if c.dep_ in ("nsubj", "nsubjpass")]


def _is_plural(token) -> bool:
    return token.tag_ in ("NNS", "NNPS")


def _quoted_tokens(sent) -> set[int]:
    """Indices of the tokens between quotation marks in a sentence (curly, guillemets or straight)."""
    inside: set[int] = set()
    forms = words(sent.doc)[1]
    if not any(forms[i] in QUOTE_MARKS for i in range(sent.start, sent.end)):
        return inside  # most sentences quote nobody
    open_ = False
    for token in sent:
        text = token.text
        if text in OPENING_QUOTES or (text == '"' and not open_):
            open_ = True
        elif text in CLOSING_QUOTES or (text == '"' and open_):
            open_ = False
        elif open_:
            inside.add(token.i)
    return inside


def _looks_organised(label: str) -> bool:
    words = {"organization", "organisation", "union", "council", "ministry", "committee", "agency", "bank",
             "court", "fund", "association", "commission", "alliance", "league", "parliament", "assembly"}
    return any(w.lower() in words for w in label.split())


def _is_last_name_token(token) -> bool:
    nxt = token.nbor() if token.i + 1 < len(token.doc) else None
    return nxt is None or not (nxt.pos_ == "PROPN" and nxt.dep_ == "compound" and nxt.head == token.head)


def _with(person: Actor, represents: Actor, role: str | None) -> Actor:
    return Actor(person.id, person.label, person.type, person.wikidata, person.aliases, represents,
                 role or person.role)
