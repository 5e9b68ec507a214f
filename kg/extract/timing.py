"""When a relation happened, where its sentence says: "in 1996 Israel accused Syria" is dated 1996,
"for years Russia has blocked Georgia's bid" is background, not news of the day.

A relation is read as of its document's date unless its clause carries a time adjunct that places
it earlier: a year before the document's ("in 1996", "in the 1990s"), "last year", "two years ago",
or a standing state ("for years", "since 1991", "in the past", "previously"). Such a relation keeps
the date the text gives it, or none, and is marked as background: analyses date it to that past or
leave it out of their timelines, and never count it as the document's news. The word lists are
ontology/cues.tsv.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..data import cue

LONG_SPANS = cue("long_spans")
BACKGROUND_ADVERBS = cue("background_adverbs")
NUMBERS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
           "ten": 10, "a": 1, "an": 1}
YEAR = re.compile(r"^(1[89]\d\d|20\d\d)s?$")


@dataclass(frozen=True)
class Timing:
    background: bool = False
    date: str | None = None  # YYYY, or a decade as YYYYs; only when the text gives it


CURRENT = Timing()


def timing(token, document_date: str | None) -> Timing:
    """The time the clause of ``token`` (a trigger) gives its event, against the document's date."""
    year = int(document_date[:4]) if document_date and document_date[:4].isdigit() else None
    for head in _clause_heads(token):
        for child in head.children:
            found = _adjunct(child, year)
            if found is not None:
                return _last(found, document_date)
    return CURRENT


def _last(found: Timing, document_date: str | None) -> Timing:
    """'last week' and 'last month' dated from the document's date where it names the day or month."""
    import datetime

    if found.date not in ("last week", "last month"):
        return found
    date = None
    if found.date == "last week" and document_date and len(document_date) == 10:
        try:
            date = (datetime.date.fromisoformat(document_date) - datetime.timedelta(days=7)).isoformat()
        except ValueError:
            date = None
    elif found.date == "last month" and document_date and len(document_date) >= 7:
        y, m = int(document_date[:4]), int(document_date[5:7])
        date = f"{y - 1}-12" if m == 1 else f"{y}-{m - 1:02d}"
    return Timing(background=True, date=date)


def _clause_heads(token):
    """The trigger and the verbs up to its clause's head: "accused" in "in 1996 Israel accused Syria of
    sponsoring attacks" carries the date for "sponsoring" too; an event noun takes its verb's."""
    heads = [token]
    current = token
    for _ in range(4):
        if current.dep_ in ("ROOT", "conj", "ccomp", "advcl", "relcl", "parataxis") and current.pos_ in ("VERB", "AUX"):
            break
        if current.head.i == current.i:
            break
        current = current.head
        heads.append(current)
    return heads


def _adjunct(child, year: int | None) -> Timing | None:
    word = child.lower_
    if child.dep_ == "prep" and word in ("in", "during", "since", "for", "until"):
        objects = [c for c in child.children if c.dep_ == "pobj"]
        if not objects:
            return None
        obj = objects[0]
        if word == "since" and any(
                (m := YEAR.match(t.text)) and (year is None or int(m.group(1)[:4]) < year) for t in obj.subtree):
            # "since 1991 X has occupied Y", "since the collapse of the Soviet Union in 1991": a standing
            # state ("since Monday" is still news)
            return Timing(background=True)
        if word == "for" and obj.lemma_.lower() in LONG_SPANS and not _counted(obj):
            return Timing(background=True)  # "for years", "for decades"
        if word in ("in", "during", "until"):
            if obj.lemma_.lower() == "past" and any(c.lower_ == "the" for c in obj.children):
                return Timing(background=True)  # "in the past"
            match = YEAR.match(obj.text)
            if match and obj.ent_type_ == "DATE":
                given = int(match.group(1)[:4])
                if year is None or given < year:
                    return Timing(background=year is not None or match.group(0).endswith("s"), date=obj.text)
        return None
    if word == "ago" or (child.dep_ in ("npadvmod", "tmod") and any(c.lower_ == "ago" for c in child.children)):
        units = [t for t in (child, *child.children) if t.lemma_.lower() in LONG_SPANS]
        return Timing(background=True) if units else None  # "two years ago"; "two days ago" is still news
    if child.dep_ in ("npadvmod", "tmod") and child.lemma_.lower() in LONG_SPANS and any(
            c.lower_ == "last" for c in child.children):
        # "last year" is dated; "last month" and "last week" too where the document's date allows (_last)
        unit = child.lemma_.lower()
        if unit == "year":
            return Timing(background=True, date=str(year - 1) if year else None)
        return Timing(background=True, date=f"last {unit}" if unit in ("week", "month") else None)
    if child.dep_ == "advmod" and word in BACKGROUND_ADVERBS:
        return Timing(background=True)  # "previously", "has long backed"
    return None


def _counted(obj) -> bool:
    """'for two years' is a span one can date; 'for years' is not."""
    return any(c.dep_ == "nummod" and c.lower_ not in ("many", "several") for c in obj.children)
