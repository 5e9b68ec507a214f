"""The records that flow between kg's stages: documents, actors, mentions and relations."""

from __future__ import annotations

from dataclasses import dataclass, field

ACTOR_TYPES = ("State", "Organization", "Group", "Person")


@dataclass(frozen=True)
class Document:
    """One news article as read from the corpus."""

    id: str
    text: str
    sha256: str
    title: str | None = None
    date: str | None = None
    date_approximate: bool = False
    source: str | None = None
    url: str | None = None
    path: str | None = None
    origin: str | None = None  # the resolved absolute path of the file it was read from


@dataclass(frozen=True)
class Actor:
    """A canonical actor: a state, an organisation, a group or a person.

    ``id`` is stable and readable (``Russia``, ``European_Union``, ``Sergey_Lavrov``); it names
    the actor's IRI. A person acting for a state or organisation ``represents`` it.
    """

    id: str
    label: str
    type: str
    wikidata: str | None = None
    aliases: tuple[str, ...] = ()
    represents: Actor | None = field(default=None, compare=False)
    role: str | None = field(default=None, compare=False)

    def rolled_up(self) -> Actor:
        """The state or organisation this actor speaks for (itself unless a represented person)."""
        return self.represents if self.represents is not None else self


@dataclass(frozen=True)
class Mention:
    """Where an actor is named in a parsed sentence (token offsets, end exclusive)."""

    actor: Actor
    start: int
    end: int
    kind: str  # name | seat | modifier | person | surname | pronoun | body
    sector: str | None = None


@dataclass(frozen=True)
class Relation:
    """One relation read from one sentence, with its evidence."""

    doc: str
    source: Actor
    target: Actor
    type: str
    quad: str
    polarity: int
    negated: bool
    hypothetical: bool
    confidence: float
    sentence: str
    start: int
    end: int
    trigger: str
    extractor: str
    source_sector: str | None = None
    target_sector: str | None = None
    # the sentence places the event before the document's news ("in 1996", "for years"): ``date`` is
    # the time it gives (YYYY, or a decade as YYYYs), if any (kg/extract/timing.py)
    background: bool = False
    date: str | None = None

    @property
    def asserted(self) -> bool:
        """True when the text says the relation happened (not denied, not merely possible)."""
        return not (self.negated or self.hypothetical)
