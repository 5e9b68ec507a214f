"""The actor gazetteer: canonical actors and every surface form that names them."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path
from dataclasses import dataclass, field
from functools import cache

from ..data import read_columns, read_table, read_tsv, split_list
from ..errors import GazetteerError
from ..records import ACTOR_TYPES, Actor

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
    iso3: dict[str, str] = field(default_factory=dict)  # ISO 3166 alpha-3 code -> state actor id

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

    rows = list(read_table("states.tsv"))
    # a name our table gives one state is not another's by pycountry ("Congo" in wire copy is the DR Congo)
    claimed = {name: row["iso3"] for row in rows for name in [row["label"], *split_list(row["aliases"])]}
    for row in rows:
        country = pycountry.countries.get(alpha_3=row["iso3"])
        names = [row["label"], *split_list(row["aliases"])]
        if country is not None:
            for attr in ("name", "official_name", "common_name"):
                value = getattr(country, attr, None)
                # "Korea, Republic of" is an index form, never written in news
                if value and "," not in value and claimed.get(value, row["iso3"]) == row["iso3"]:
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
def load_gazetteer(extra: tuple[str, ...] = ()) -> Gazetteer:
    """The gazetteer built from ontology/states.tsv (with pycountry), actors.tsv and persons.tsv,
    plus the user's own tables in ``extra`` (``kg build --gazetteer FILE``): rows in the columns of
    actors.tsv or of persons.tsv, which add actors and persons or override ours of the same id."""
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
        gaz.iso3[row["iso3"]] = actor.id
        _add_forms(gaz, actor, unique, row)

    for row in read_table("actors.tsv"):
        _add_actor_row(gaz, row)
    for row in read_table("persons.tsv"):
        _add_person_row(gaz, row)
    for path in extra:
        _add_user_table(gaz, Path(path))

    for row in read_table("agents.tsv"):
        gaz.agents[row["lemma"]] = row["sector"]
    # drop the ISO-code keys used only to resolve persons.tsv
    gaz.actors = {k: v for k, v in gaz.actors.items() if k == v.id}
    return gaz


def _add_actor_row(gaz: Gazetteer, row: dict[str, str]) -> Actor:
    aliases = tuple(split_list(row.get("aliases", "")) + split_list(row.get("seats", "")))
    actor = Actor(row.get("id") or actor_id(row["label"]), row["label"], row["type"], row.get("wikidata") or None,
                  aliases)
    gaz.actors[actor.id] = actor
    _add_forms(gaz, actor, [row["label"], *split_list(row.get("aliases", ""))], row)
    return actor


def _add_person_row(gaz: Gazetteer, row: dict[str, str]) -> Actor:
    aliases = tuple(split_list(row.get("aliases", "")))
    person = Actor(
        id=actor_id(row["label"]),
        label=row["label"],
        type="Person",
        wikidata=row.get("wikidata") or None,
        aliases=aliases,
        represents=gaz.actors.get(row.get("represents", "")),
        role=row.get("role") or None,
    )
    for name in (row["label"], *aliases):
        gaz.persons[name] = person
    return person


def _add_user_table(gaz: Gazetteer, path: Path) -> None:
    """A user's gazetteer table: actors (columns of actors.tsv) or persons (columns of persons.tsv)."""
    try:
        rows = list(read_tsv(path))
    except (OSError, UnicodeDecodeError) as exc:
        raise GazetteerError(f"{path}: cannot read this gazetteer ({getattr(exc, 'strerror', None) or exc})") from exc
    for number, row in enumerate(rows, start=1):
        where = f"{path}: row {number}"
        if not row.get("label"):
            raise GazetteerError(f"{where} has no label; a gazetteer needs the columns of ontology/actors.tsv "
                                 f"(id, label, type, wikidata, aliases, ...) or of ontology/persons.tsv "
                                 f"(label, represents, role, wikidata, aliases)")
        if "represents" in row:
            if row["represents"] and row["represents"] not in gaz.actors:
                raise GazetteerError(f"{where}: represents {row['represents']!r}, which is no actor id or "
                                     f"ISO 3166 alpha-3 code (kg actors lists the ids)")
            _add_person_row(gaz, row)
        elif row.get("type") in ACTOR_TYPES:
            actor = _add_actor_row(gaz, row)
            for text, form in list(gaz.forms.items()):  # our forms of an actor the user redefines
                if form.actor.id == actor.id:
                    gaz.forms[text] = Form(text, actor, form.kind)
        else:
            raise GazetteerError(f"{where}: type must be one of {', '.join(ACTOR_TYPES)} "
                                 f"(got {row.get('type')!r})")


# -- office holders of other years: the Phoenix actor dictionaries (ontology/phoenix/)

# The sectors of a country code whose holders act for the state (CAMEO: government, military,
# police, intelligence, judiciary, legislature). Opposition, rebels, elites (former officials) and
# civil society do not: a rebel leader's word is not the state's.
STATE_SECTORS = {"GOV", "MIL", "COP", "SPY", "JUD", "LEG"}


@dataclass(frozen=True)
class Role:
    """One period of an office holder's coded role; dates are ISO, start inclusive, end exclusive."""

    code: str
    country: str | None
    start: str | None
    end: str | None

    def holds_on(self, day: str) -> bool:
        return (self.start is None or self.start <= day) and (self.end is None or day < self.end)


@dataclass(frozen=True)
class OfficeHolder:
    """A person of the Phoenix dictionaries with their dated roles and a default (undated) one."""

    label: str
    aliases: tuple[str, ...]
    roles: tuple[Role, ...]

    def role_on(self, date: str | None) -> Role | None:
        """The role on ``date`` (YYYY, YYYY-MM or YYYY-MM-DD), as PETRARCH reads its dictionaries:
        the dated role that holds then, else the default (undated) role, which is also the role of
        an undated document (``kg build --date`` gives undated documents a date)."""
        default = next((r for r in self.roles if r.start is None and r.end is None), None)
        if not date:
            return default
        day = _day_of(date)
        dated = [r for r in self.roles if r.start or r.end]
        found = next((r for r in dated if r.holds_on(day)), None)
        if found is None or not _acts_for_code(found):
            # a year or month known only ("2004"): an office held during part of it counts, the
            # latest one first (Shaukat Aziz became Pakistan's prime minister in August 2004)
            first, last = _span_of(date)
            acting = [r for r in dated if _acts_for_code(r) and (r.start is None or r.start < last)
                      and (r.end is None or first < r.end)]
            if acting:
                found = max(acting, key=lambda r: r.start or "")
        return found or default


@dataclass
class OfficeHolders:
    """Office holders by full name and alias, by surname, and by first word, as the labels of their
    rows; a holder is made from its rows when a name is first looked up (25,000 rows are read at
    every start, and a document names a few)."""

    rows: dict[str, list[tuple[str, ...]]] = field(default_factory=dict)  # label -> (code, country, start, end)
    by_name: dict[str, list[str]] = field(default_factory=dict)
    by_surname: dict[str, list[str]] = field(default_factory=dict)
    by_first_word: dict[str, list[str]] = field(default_factory=dict)  # "kim" of "Kim Jong Il"
    aliases: dict[str, tuple[str, ...]] = field(default_factory=dict)  # label -> its aliases
    code_actors: dict[str, str] = field(default_factory=dict)  # CAMEO code prefix -> kg actor id
    _made: dict[str, OfficeHolder] = field(default_factory=dict, repr=False)

    def holder(self, label: str) -> OfficeHolder:
        made = self._made.get(label)
        if made is None:
            roles = tuple(Role(code, country or None, start or None, end or None)
                          for code, country, start, end in self.rows[label])
            made = self._made[label] = OfficeHolder(label, self.aliases.get(label, ()), roles)
        return made

    def named(self, name: str) -> list[OfficeHolder]:
        return [self.holder(label) for label in self.by_name.get(name.casefold(), ())]

    def surnamed(self, surname: str) -> list[OfficeHolder]:
        return [self.holder(label) for label in self.by_surname.get(surname.casefold(), ())]

    def first_named(self, word: str) -> list[OfficeHolder]:
        return [self.holder(label) for label in self.by_first_word.get(word.casefold(), ())]

    def acts_for(self, role: Role | None, gaz: Gazetteer) -> Actor | None:
        """The state or organisation a role acts for, if any."""
        if role is None:
            return None
        if role.country and role.code[3:6] in STATE_SECTORS:
            return gaz.actors.get(gaz.iso3.get(role.country, ""))
        prefixes = [p for p in self.code_actors if role.code.startswith(p)]
        if prefixes:
            return gaz.actors.get(self.code_actors[max(prefixes, key=len)])
        return None


    def find(self, name: str, date: str | None, gaz: Gazetteer) -> tuple[OfficeHolder, Actor | None] | None:
        """The office holder ``name`` means in a document of ``date``, and whom they act for then.

        A full name or alias that names one holder acting on that date is that holder; else the
        holders of its surname (and first name, if given) acting on that date, if that leaves one
        ("George Bush" in 2004 is the son, who acted for the United States then). When nobody of
        that name acts for anyone on that date (or the document is undated), a full name or alias
        of one holder still means that person, unaffiliated.
        """
        exact = self.named(name)
        acting = [(h, a) for h in exact if (a := self.acts_for(h.role_on(date), gaz)) is not None]
        if len(acting) == 1:
            return acting[0]
        words = name.split()
        same = [h for h in self.surnamed(words[-1])
                if len(words) == 1 or h.label.split()[0].casefold() == words[0].casefold()] if words else []
        acting = [(h, a) for h in same if (a := self.acts_for(h.role_on(date), gaz)) is not None]
        if len(words) == 1:  # a family name written first ("Kim Jong Il"), or a given name, in office too
            acting += [(h, a) for h in self.first_named(name)
                       if (a := self.acts_for(h.role_on(date), gaz)) is not None]
        if len(acting) == 1:
            return acting[0]
        if acting or len(exact) != 1:
            return None  # several in office on that date, or a name we cannot pin down: no guess
        return exact[0], None


def _acts_for_code(role: Role) -> bool:
    return (bool(role.country) and role.code[3:6] in STATE_SECTORS) or role.code.startswith(("IGO", "NGO"))


def _day_of(date: str) -> str:
    """A comparable day for a document date: the middle of a year or month given alone."""
    date = date.strip()
    if re.fullmatch(r"\d{4}", date):
        return f"{date}-07-01"
    if re.fullmatch(r"\d{4}-\d{2}", date):
        return f"{date}-15"
    return date[:10]


def _span_of(date: str) -> tuple[str, str]:
    """The days a document date covers, start inclusive, end exclusive: a year or a month given alone is
    all of it; a full date is that day."""
    date = date.strip()
    if re.fullmatch(r"\d{4}", date):
        return f"{date}-01-01", f"{int(date) + 1:04d}-01-01"
    if re.fullmatch(r"\d{4}-\d{2}", date):
        year, month = int(date[:4]), int(date[5:7])
        following = f"{year + 1:04d}-01" if month == 12 else f"{year:04d}-{month + 1:02d}"
        return f"{date}-01", f"{following}-01"
    return date[:10], date[:10] + "~"  # '~' sorts after any digit: the end of that day


@cache
def load_office_holders() -> OfficeHolders:
    """ontology/phoenix/persons.tsv (converted from PETRARCH2's Phoenix dictionaries, MIT) indexed."""
    holders = OfficeHolders()
    rows, aliases = holders.rows, holders.aliases
    for label, code, country, start, end, listed in read_columns(
            "phoenix/persons.tsv", ("label", "code", "country", "start", "end", "aliases")):
        held = rows.get(label)
        if held is None:
            held = rows[label] = []
        held.append((code, country, start, end))
        if listed:
            aliases[label] = (*aliases.get(label, ()), *split_list(listed))
    for row in read_table("phoenix/codes.tsv"):
        holders.code_actors[row["code"]] = row["actor"]
    by_name, by_surname, by_first_word = holders.by_name, holders.by_surname, holders.by_first_word
    for label in rows:
        names = aliases.get(label)
        if names:
            names = aliases[label] = tuple(dict.fromkeys(names))
            keys = {label.casefold(), *(name.casefold() for name in names)}
        else:
            keys = (label.casefold(),)
        for key in keys:
            listed = by_name.get(key)
            if listed is None:
                by_name[key] = [label]
            else:
                listed.append(label)
        words = label.split()
        if len(words) > 1:
            by_surname.setdefault(words[-1].casefold(), []).append(label)
            by_first_word.setdefault(words[0].casefold(), []).append(label)
    return holders
