"""The actor gazetteer: canonical actors and every surface form that names them."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import cache

from .data import read_table, split_list
from .records import Actor

# How a surface form names its actor; the extractor trusts them in this order.
NAME, SEAT, MODIFIER, TERRITORY = "name", "seat", "modifier", "territory"


def actor_id(label: str) -> str:
    """A readable, IRI-safe id for a label: 'United States' -> 'United_States'."""
    text = unicodedata.normalize("NFKD", label)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = re.sub(r"[^A-Za-z0-9.\-]+", "_", text).strip("_.")
    return text or "actor"


@dataclass(frozen=True)
class Form:
    """A surface form of an actor: its text, the actor, and how it names it."""

    text: str
    actor: Actor
    kind: str


@dataclass
class Gazetteer:
    """Known actors, their surface forms, known office holders and agent nouns."""

    actors: dict[str, Actor] = field(default_factory=dict)
    forms: dict[str, Form] = field(default_factory=dict)
    persons: dict[str, Actor] = field(default_factory=dict)  # every alias -> person
    agents: dict[str, str] = field(default_factory=dict)  # agent noun lemma -> sector

    def add_form(self, text: str, actor: Actor, kind: str) -> None:
        text = text.strip()
        if text.lower().startswith("the "):
            text = text[4:]
        if not text:
            return
        known = self.forms.get(text)
        # A name outranks a seat or modifier spelled the same way ("US" names the United States).
        if known is None or _rank(kind) < _rank(known.kind):
            self.forms[text] = Form(text, actor, kind)

    def find(self, name: str) -> Actor | None:
        """The actor a user means by ``name``: id, label, alias, ISO code or Wikidata id, any case."""
        key = name.strip().casefold()
        for actor in self.actors.values():
            names = {actor.id, actor.label, actor.wikidata or "", *actor.aliases}
            if key in {n.casefold() for n in names}:
                return actor
        for text, form in self.forms.items():
            if text.casefold() == key:
                return form.actor
        return None


def _rank(kind: str) -> int:
    return {NAME: 0, SEAT: 1, MODIFIER: 2, TERRITORY: 3}.get(kind, 4)


def _state_rows():
    import pycountry

    for row in read_table("states.tsv"):
        country = pycountry.countries.get(alpha_3=row["iso3"])
        names = [row["label"], *split_list(row["aliases"])]
        if country is not None:
            for attr in ("name", "official_name", "common_name"):
                value = getattr(country, attr, None)
                # "Korea, Republic of" is an index form, never written in news
                if value and "," not in value:
                    names.append(value)
        yield row, names


def _add_forms(gaz: Gazetteer, actor: Actor, names: list[str], row: dict[str, str]) -> None:
    """An actor's names, and the seats, modifiers and territories its table row lists."""
    for name in names:
        gaz.add_form(name, actor, NAME)
    for column, kind in (("seats", SEAT), ("adjectives", MODIFIER), ("territories", TERRITORY)):
        for form in split_list(row.get(column, "")):
            gaz.add_form(form, actor, kind)


@cache
def load_gazetteer() -> Gazetteer:
    """The gazetteer built from ontology/states.tsv (with pycountry), actors.tsv and persons.tsv."""
    gaz = Gazetteer()
    for row, names in _state_rows():
        unique = list(dict.fromkeys(n.removeprefix("the ") for n in names))
        aliases = tuple(n for n in unique + split_list(row["seats"]) if n != row["label"])
        actor = Actor(
            id=actor_id(row["label"]),
            label=row["label"],
            type="State",
            wikidata=row["wikidata"] or None,
            aliases=aliases + (row["iso3"],),
        )
        gaz.actors[actor.id] = actor
        gaz.actors.setdefault(row["iso3"], actor)  # persons.tsv refers to states by ISO code
        _add_forms(gaz, actor, unique, row)

    for row in read_table("actors.tsv"):
        aliases = tuple(split_list(row["aliases"]) + split_list(row["seats"]))
        actor = Actor(row["id"], row["label"], row["type"], row["wikidata"] or None, aliases)
        gaz.actors[actor.id] = actor
        _add_forms(gaz, actor, [row["label"], *split_list(row["aliases"])], row)

    for row in read_table("persons.tsv"):
        represents = gaz.actors.get(row["represents"])
        aliases = tuple(split_list(row["aliases"]))
        person = Actor(
            id=actor_id(row["label"]),
            label=row["label"],
            type="Person",
            wikidata=row["wikidata"] or None,
            aliases=aliases,
            represents=represents,
            role=row["role"] or None,
        )
        for name in (row["label"], *aliases):
            gaz.persons[name] = person

    for row in read_table("agents.tsv"):
        gaz.agents[row["lemma"]] = row["sector"]
    # drop the ISO-code keys used only to resolve persons.tsv
    gaz.actors = {k: v for k, v in gaz.actors.items() if k == v.id}
    return gaz
