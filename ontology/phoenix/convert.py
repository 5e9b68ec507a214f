#!/usr/bin/env python3
"""Convert the Phoenix actor dictionaries of PETRARCH2 into readable tables for kg.

The Phoenix dictionaries (openeventdata/petrarch2, MIT licence) name tens of thousands of office
holders, organisations and armed groups with CAMEO codes, and give office holders date-bounded
roles ("USAGOV from 2001-01-20"). kg wants that knowledge as data it reads like the rest of
ontology/: readable names, ISO country codes and ISO dates, one fact per row. This script is how
the tables in this folder were made, kept so that they can be remade and checked; kg never
imports it.

    python3 ontology/phoenix/convert.py PATH [--out DIR]

PATH is a petrarch2 checkout, its petrarch2/ package folder, or its data/dictionaries folder.
The tables are written next to this script unless --out says otherwise. Only the standard
library is used, and the output is sorted and carries no timestamp, so a rerun on the same input
gives the same bytes. README.md in this folder explains the columns and the choices made here.
"""

from __future__ import annotations

import argparse
import re
import sys
import unicodedata
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from difflib import SequenceMatcher
from pathlib import Path

# ----------------------------------------------------------------------------------------------
# Inputs

# The actor files in the order PETR_config.ini loads them: PETRARCH merges records that share a
# phrase in this order, and so do we when a person appears in more than one file.
ACTOR_FILES = {
    "Countries": "Phoenix.Countries.actors.txt",
    "International": "Phoenix.International.actors.txt",
    "MilNonState": "Phoenix.MilNonState.actors.txt",
}
SOURCE_ORDER = {source: i for i, source in enumerate(ACTOR_FILES)}
AGENT_FILE = "Phoenix.agents.txt"
VERB_FILE = "CAMEO.2.0.txt"  # read only as a source of English words, see english_words()

# Roles that ended before this date are left out: kg reads news from 1990 on.
CUTOFF = date(1990, 1, 1)

# ----------------------------------------------------------------------------------------------
# CAMEO codes (CAMEO codebook, chapter 3)

# ISO 3166-1 alpha-3, which CAMEO uses for countries wherever a code exists.
ISO3 = frozenset(
    """
    ABW AFG AGO AIA ALA ALB AND ARE ARG ARM ASM ATA ATF ATG AUS AUT AZE BDI BEL BEN BES BFA BGD BGR
    BHR BHS BIH BLM BLR BLZ BMU BOL BRA BRB BRN BTN BVT BWA CAF CAN CCK CHE CHL CHN CIV CMR COD COG
    COK COL COM CPV CRI CUB CUW CXR CYM CYP CZE DEU DJI DMA DNK DOM DZA ECU EGY ERI ESH ESP EST ETH
    FIN FJI FLK FRA FRO FSM GAB GBR GEO GGY GHA GIB GIN GLP GMB GNB GNQ GRC GRD GRL GTM GUF GUM GUY
    HKG HMD HND HRV HTI HUN IDN IMN IND IOT IRL IRN IRQ ISL ISR ITA JAM JEY JOR JPN KAZ KEN KGZ KHM
    KIR KNA KOR KWT LAO LBN LBR LBY LCA LIE LKA LSO LTU LUX LVA MAC MAF MAR MCO MDA MDG MDV MEX MHL
    MKD MLI MLT MMR MNE MNG MNP MOZ MRT MSR MTQ MUS MWI MYS MYT NAM NCL NER NFK NGA NIC NIU NLD NOR
    NPL NRU NZL OMN PAK PAN PCN PER PHL PLW PNG POL PRI PRK PRT PRY PSE PYF QAT REU ROU RUS RWA SAU
    SDN SEN SGP SGS SHN SJM SLB SLE SLV SMR SOM SPM SRB SSD STP SUR SVK SVN SWE SWZ SXM SYC SYR TCA
    TCD TGO THA TJK TKL TKM TLS TON TTO TUN TUR TUV TWN TZA UGA UKR UMI URY USA UZB VAT VCT VEN VGB
    VIR VNM VUT WLF WSM YEM ZAF ZMB ZWE
    """.split()
)
# Withdrawn ISO 3166-3 codes of states that no longer exist; Phoenix uses them for their years.
HISTORIC = frozenset({"SUN", "YUG", "DDR", "CSK", "SCG"})
# Country parts of CAMEO codes that are not the ISO code of their country, as found in Phoenix.
CAMEO_TO_ISO = {
    "USR": "SUN",  # the Soviet Union in older records ("USRARM <900823")
    "TMP": "TLS",  # East Timor: ISO replaced TMP by TLS in 2002
    "FRY": "YUG",  # the Federal Republic of Yugoslavia, ISO YUG until 2003
    "KSV": "XKX",  # Kosovo has no ISO code; XKX is the code ontology/states.tsv uses
    "FRN": "FRA",  # a typo in "FRNWLF", Wallis and Futuna
}
# Country-like codes that are no country: KNT is Kinakuta, the invented country of the novel
# Cryptonomicon, left in the file as test data; KKL is an annotator's initials typed as a code.
NOT_COUNTRIES = frozenset({"KNT", "KKL"})
# Role codes that follow the country part (table 3.1, and PTY for parties).
SECTORS = frozenset(
    """
    COP GOV INS JUD MIL OPP REB SEP SPY UAF AGR BUS CRM CVL DEV EDU ELI ENV HLH HRI LAB LEG MED
    REF MOD RAD PTY
    """.split()
)
# Codes of actors that belong to no one country (table 3.2).
INTERNATIONAL = frozenset("IGO IMG INT MNC NGM NGO UIS".split())
# A person is kept for a role with a country or with an intergovernmental or non-governmental
# organisation; companies are left out altogether (see README.md).
ORGANISATION_PREFIXES = ("IGO", "NGO")
COMPANY_PREFIX = "MNC"


def country_of(code: str) -> str:
    """The ISO alpha-3 code a CAMEO code starts with, or '' (IGO, NGO, regions, religions...)."""
    head = code[:3]
    if head in NOT_COUNTRIES:
        return ""
    head = CAMEO_TO_ISO.get(head, head)
    return head if head in ISO3 or head in HISTORIC or head == "XKX" else ""


def affiliated(code: str) -> bool:
    """Whether a role ties a person to a state or to an organisation kg can model."""
    return bool(country_of(code)) or code.startswith(ORGANISATION_PREFIXES)


def geographic(codes: list[str]) -> bool:
    """Whether codes name a country or territory ('AZE', 'AZEUNR', 'USAASM'), not a role in it."""

    def place(code: str) -> bool:
        chunks = [code[i:i + 3] for i in range(0, len(code), 3)]
        return chunks[0] not in INTERNATIONAL and not any(c in SECTORS for c in chunks)

    return bool(codes) and all(place(c) for c in codes)


# ----------------------------------------------------------------------------------------------
# Exceptions checked by hand

# Two names lost an accented letter to a control character; others like them are dropped.
REPAIRS = {"LIAMINE Z\x1aROUAL": "LIAMINE ZEROUAL", "JAN STRASK\x1aY": "JAN STRASKY"}
# Jokes and test data, not actors: two fictional villains and a Korean folk hero.
FICTIONAL = frozenset({"ERNST STAVRO BLOFELD", "RA'S AL GHUL", "HONG KIL DONG"})
# Records whose names look like persons' but are bodies: Israel's security service and a
# Syrian armed group.
NOT_PERSONS = frozenset({"SHIN BET", "GHURABA AL SHAM"})

# ----------------------------------------------------------------------------------------------
# Words

# Words that stand before a name in a mention ("Secretary of State Colin Powell").
TITLES = frozenset(
    """
    PRESIDENT PRESIDENT-ELECT VICE VICE-PRESIDENT PRIME MINISTER PREMIER CHANCELLOR SECRETARY
    SECRETARY-GENERAL GENERAL GEN GEN. LT LT. LIEUTENANT COLONEL COL COL. ADMIRAL ADM ADM. MARSHAL
    FIELD CAPTAIN CAPT CAPT. COMMANDER KING QUEEN PRINCE PRINCESS CROWN EMIR SHEIKH SHEIK SHAIKH
    SAYYID SAYYED SEYYED SAYED AYATOLLAH GRAND HOJATOLESLAM HOJATOLISLAM IMAM MULLAH MAWLAWI CLERIC
    SIR DAME LORD LADY BARON BARONESS DR DR. MR MR. MRS MRS. MS MS. SENATOR SEN SEN. GOVERNOR GOV
    GOV. FORMER EX EX-PRESIDENT LEADER CHIEF SPOKESMAN SPOKESWOMAN DIRECTOR AMBASSADOR ENVOY OF THE
    STATE FOREIGN DEFENSE DEFENCE INTERIOR FINANCE AFFAIRS HOME JUSTICE ATTORNEY UNITED STATES
    KINGDOM NATIONS UN U.N. US U.S. UK U.K. AMERICAN SOVIET SUPREME COMMUNIST PARTY NATIONAL
    SECURITY ADVISOR ADVISER DEPUTY ACTING INTERIM CONGRESSMAN CONGRESSWOMAN REP REP. HEAD JUDGE
    COMMISSIONER MAYOR SPEAKER DIPLOMAT TOP SENIOR OPPOSITION REBEL MILITANT
    """.split()
)
# Titles that, before the end of a record's name, show that the record is a person ("Mr Obama"
# beside "Barack Obama").
PERSON_TITLES = frozenset(
    """
    MR MR. MRS MRS. MS MS. DR DR. PRESIDENT PRIME MINISTER PREMIER CHANCELLOR SECRETARY SENATOR
    SEN. GENERAL GEN GEN. SHEIKH SHEIK KING QUEEN PRINCE AYATOLLAH MULLAH LORD SIR LADY BARONESS
    BARON DAME
    GOVERNOR GOV. FORMER ACTING INTERIM VICE
    """.split()
)
# Particles that stay lower case inside a name ("Osama bin Laden", "Charles de Gaulle").
PARTICLES = frozenset(
    "AL EL BIN BINT IBN DE DEL DELLA DEI DEGLI DA DAS DO DOS DU DER DEN VAN VON ZU TER TEN".split()
)
# Parts of hyphenated names that stay lower case ("Lashkar-e-Taiba", "Izz ad-Din").
HYPHEN_PARTICLES = frozenset("AL EL I E UL UD UR US AS AD AN AZ ASH AT DA DE DI DU LA LE".split())
# Function words of names ("Organization of the Islamic Conference").
CONNECTORS = frozenset("OF THE AND FOR IN ON AT TO BY WITH AGAINST FROM OR".split())
ABBREVIATIONS = {
    "MR": "Mr", "MRS": "Mrs", "MS": "Ms", "DR": "Dr", "ST": "St", "JR": "Jr", "SR": "Sr",
    "LT": "Lt", "GEN": "Gen", "COL": "Col", "SGT": "Sgt", "MT": "Mt", "FT": "Ft", "CPL": "Cpl",
    "LTD": "Ltd", "INC": "Inc", "CO": "Co", "CORP": "Corp", "PROF": "Prof", "GOV": "Gov",
    "SEN": "Sen", "REP": "Rep", "CAPT": "Capt", "ADM": "Adm", "NG": "Ng", "NGO": "NGO",
    "NGOS": "NGOs",
}
# Acronyms kept upper case in organisation names (and in persons' titles: "US President").
ACRONYMS = frozenset(
    """
    US USA UK UN EU UAE USSR NATO PLO ANC CIA FBI KGB FSB IRA ETA PKK LTTE FARC ELN OPEC IMF WTO
    OSCE OAS OAU AU ASEAN ECOWAS OIC IAEA ICC ICJ UNHCR UNICEF UNESCO UNDP UNSC WFP TV PM AQAP
    AQIM ISIS ISIL SPLA SPLM MDC PPP BJP KMT DPP LDP SDF YPG PYD HTS IDF PA PNA
    """.split()
)
ROMAN = frozenset("II III IV VI VII VIII IX XI XII XIII XIV XV XVI".split())
# Words that mark a body, not a person ("Bush Administration", "Jabhat al-Nusra").
INSTITUTION_WORDS = frozenset(
    """
    ADMINISTRATION GOVERNMENT CABINET REGIME MINISTRY DEPARTMENT OFFICE AGENCY COUNCIL COMMITTEE
    COMMISSION PARTY ARMY FORCES FORCE MILITARY NAVY POLICE BRIGADE BRIGADES BATTALION FRONT
    MOVEMENT ORGANIZATION ORGANISATION ASSOCIATION UNION FEDERATION LEAGUE ALLIANCE COALITION
    GROUP NETWORK INSTITUTE FOUNDATION UNIVERSITY BANK FUND CORPORATION COMPANY SOCIETY CENTER
    CENTRE ASSEMBLY PARLIAMENT CONGRESS SENATE COURT TRIBUNAL REPUBLIC KINGDOM EMPIRE MISSION
    PROGRAM PROGRAMME PROJECT CAMPAIGN TRUST AUTHORITY BUREAU SERVICE SERVICES CORPS GUARD GUARDS
    MILITIA REBELS INSURGENTS FAMILY CLAN TRIBE SUPPORTERS LOYALISTS FOLLOWERS FACTION WING JIHAD
    RESISTANCE BLOC DIRECTORATE SECRETARIAT DELEGATION EMBASSY CONSULATE NEWS TIMES RADIO
    TELEVISION PRESS MAGAZINE NEWSPAPER JOURNAL CAMP COMMAND FLEET REGIMENT DIVISION UNIT UNITS
    BOARD SCHOOL COLLEGE ACADEMY HOSPITAL CHURCH MOSQUE TEMPLE CONFERENCE SUMMIT TREATY ACCORD
    ACCORDS PACT DOCTRINE PLAN ERA YEARS WAR REVOLUTION DYNASTY HOUSE PALACE ARMED TROOPS
    SOLDIERS CHAMBER JUNTA OFFICIALS PEOPLE PEOPLES PEOPLE'S BROTHERHOOD COMMUNITY MEN WOMEN
    STAFF TEAM CLUB MINISTERS LEADERS TALIBAN MUJAHIDEEN MUJAHIDIN MUJAHIDEN INTERNATIONAL
    INTERNATIONALE RIFLES SABHA INC INC. LTD WATCH FORUM STATE GANG
    JABHAT JABHA JAISH JAYSH JAIECH AHRAR KATAIB KATA'IB KATAEB LIWA HARAKAT HARAKAH HARKAT
    HIZB HEZB ANSAR SARAYA SARAYAT JAMAAT JAMA'AT JAMAAH JEMAAH JAMIAT TANZIM FAILAQ ALWIYAT
    MAJLIS JUND ASBAT USBAT LASHKAR LASKAR TEHRIK SIPAH MUNAZZAMAT
    """.split()
)
# Everyday English words that are also surnames ("Bush", "Brown", "May"), added to those of the
# CAMEO verb and agent dictionaries (see english_words()).
COMMON_WORDS = frozenset(
    """
    BUSH BROWN MAY GATES FOX PARK MOON WHITE BLACK YOUNG LONG HILL SONG BANKS POPE HALL ROCK WOOD
    GOLD SILVER NIGHT BAKER HOLDER LIBERTY WILL MARK GRACE FAITH JOY BELL GREY GRAY SMALL LITTLE
    STRONG SHARP BRIGHT GOOD BEST HARDY KEEN LOW NOBLE RICH SWEET WISE FREE FRANK HONEST HARD
    KIND NICE TRUE SAGE BOLD BRAVE CARPENTER MASON MILLER TURNER WALKER SMITH COOK HUNTER FISHER
    PORTER CARTER PAGE DEAN LAMB LAWS LOVE HOPE HEATH MOOR LAKE FORD BOND BANK CASH CROWN DAWN
    DAY DEW DOVE DRAKE DUKE EARL FIELD FIELDS FLOWER FROST GREEN HAWK HAWKS HOOD HORN JAY KNIGHT
    LANE MARSH NORTH ORANGE PARKS PEACE POOL POUND PRICE RAY REED RIVERS ROBIN ROSE SAND SHEPHERD
    SHORT SNOW SPEAR SPRING STEEL STERN STONE STORM STREET SWIFT TEMPLE THORN TOWER VINE WALL WARD
    WATERS WELLS WEST WINTER WOLF WOODS MAJOR HUNT RICE ENGLISH
    """.split()
)
# A one-word alias that ends the names of this many listed persons names none of them.
COMMON_SURNAME = 5


def english_words(directory: Path) -> frozenset[str]:
    """Ordinary English words: COMMON_WORDS and every word of the verb and agent dictionaries.

    Those files list verbs, their objects and role nouns ("SHELL", "RICE", "KING"), so a name
    that is one of their words can be read in a sentence as that word.
    """
    words: set[str] = set(COMMON_WORDS)
    for name in (VERB_FILE, AGENT_FILE):
        path = directory / name
        if path.is_file():
            with path.open(encoding="utf-8", errors="replace") as f:
                for line in f:
                    line = line.split("#", 1)[0].replace("_", " ")
                    words.update(w for w in re.findall(r"[A-Z][A-Z']+", line) if len(w) >= 3)
    return frozenset(words)


# ----------------------------------------------------------------------------------------------
# Reading the actor dictionaries


class Log:
    """What was repaired, read differently from PETRARCH or left out, for excluded.tsv."""

    def __init__(self) -> None:
        self.rows: set[tuple[str, int, str, str]] = set()
        self.counts: Counter[str] = Counter()

    def note(self, source: str, line: int, name: str, reason: str) -> None:
        self.rows.add((source, line, name, reason))
        self.counts[reason.split(":")[0]] += 1

    def count(self, reason: str, n: int = 1) -> None:
        self.counts[reason] += n


@dataclass(frozen=True)
class Restriction:
    """One [CODE dates] item; start/end are None when open, and the null code '---' is ''."""

    code: str
    start: date | None = None
    end: date | None = None
    dated: bool = False

    def covers(self, lo: date | None, hi: date | None) -> bool:
        """Whether the restriction holds on all of [lo, hi) (None: unbounded)."""
        after_start = self.start is None or (lo is not None and lo >= self.start)
        before_end = self.end is None or (hi is not None and hi <= self.end)
        return after_start and before_end


@dataclass
class Entry:
    """A record: a primary phrase, its '+' synonyms and the restrictions that follow."""

    source: str
    line: int
    names: list[str]
    restrictions: list[Restriction] = field(default_factory=list)
    comment: str = ""
    separated: bool = True  # a blank or comment line stands between it and the next record
    codes_seen: list[str] = field(default_factory=list)  # also those with unreadable dates


def parse_date(text: str) -> date:
    """YYYYMMDD, or YYMMDD with 00-30 read as 20YY and 31-99 as 19YY, as PETRARCH does."""
    if not text.isdigit() or len(text) not in (6, 8):
        raise ValueError(text)
    if len(text) == 6:
        year = int(text[:2])
        return date(year + (2000 if year <= 30 else 1900), int(text[2:4]), int(text[4:6]))
    return date(int(text[:4]), int(text[4:6]), int(text[6:8]))


def parse_restriction(body: str, entry: Entry, log: Log) -> Restriction | None:
    """'USAGOV 010120-090120', 'USAGOV >010120', 'USAELI <900101' or a bare 'USAELI'.

    PETRARCH applies a restriction from its start date (inclusive) to its end date (exclusive),
    and the dates are kept as they are. A bare single date, which PETRARCH2 misreads, is taken
    as a start, as its authors meant; unreadable dates drop the restriction.
    """
    parts = body.split()
    if not parts:
        return None
    code = parts[0].upper()
    name = entry.names[0] if entry.names else ""
    if code == "---":
        code = ""
    elif not re.fullmatch(r"[A-Z0-9]{3,}", code):
        log.note(entry.source, entry.line, name, f"unreadable code: [{body}]")
        return None
    entry.codes_seen.append(code)
    when = "".join(parts[1:])
    if not when:
        return Restriction(code)
    try:
        if when[0] == "<":
            start, end = None, parse_date(when[1:])
        elif when[0] == ">":
            start, end = parse_date(when[1:]), None
        elif "-" in when:
            first, last = when.split("-", 1)
            start, end = parse_date(first), parse_date(last)
        else:
            start, end = parse_date(when), None
            log.note(entry.source, entry.line, name, f"bare date read as a start: [{body}]")
    except ValueError:
        log.note(entry.source, entry.line, name, f"invalid date, restriction dropped: [{body}]")
        return None
    if start is not None and end is not None and start >= end:
        log.note(entry.source, entry.line, name, f"empty period, restriction dropped: [{body}]")
        return None
    return Restriction(code, start, end, dated=True)


def clean_phrase(text: str, source: str, line: int, log: Log) -> str | None:
    """A phrase as upper-case words: '_' is a space, as in PETRARCH."""
    text = " ".join(text.replace("_", " ").split()).upper().strip(" ,;:")
    text = REPAIRS.get(text, text)
    if "\x1a" in text or "\ufffd" in text:
        log.note(source, line, text.replace("\x1a", "?").replace("\ufffd", "?"),
                 "name with a lost character dropped")
        return None
    # words of punctuation only carry nothing; "A .MEDVEDEV" has a stray dot
    words = [w.lstrip(".") if len(w) > 1 else w for w in text.split()]
    return " ".join(w for w in words if re.search(r"[A-Z0-9]", w)) or None


def read_actor_file(path: Path, source: str, log: Log) -> list[Entry]:
    """The records of one actor dictionary, in file order.

    The syntax is PETRARCH2's: '#' starts a comment anywhere on a line; a line starting with
    '+' adds a synonym to the current record; a line starting with '[' (after a tab) adds
    restrictions; any other line starts a record, with optional restrictions after the phrase.
    Blank lines do not end a record, but they are noted for merge_orphans().
    """
    entries: list[Entry] = []
    current: Entry | None = None
    gap = True
    with path.open(encoding="utf-8", errors="replace") as f:
        for number, raw in enumerate(f, 1):
            text, _, comment = raw.rstrip("\n").partition("#")
            stripped = text.strip()
            if not stripped:
                gap = True
                continue
            if stripped[0] == "+":
                if current is not None:
                    for piece in stripped[1:].split("+"):  # "+A_+_B" packs two synonyms
                        name = clean_phrase(piece, source, number, log)
                        if name:
                            current.names.append(name)
            else:
                bracket = stripped.find("[")
                if stripped[0] != "[":
                    if current is not None:
                        current.separated = gap
                        entries.append(current)
                    phrase = stripped if bracket < 0 else stripped[:bracket]
                    name = clean_phrase(phrase, source, number, log)
                    current = Entry(source, number, [name] if name else [], comment=comment)
                if current is not None and bracket >= 0:
                    for body in re.findall(r"\[([^\[\]]*)\]?", stripped[bracket:]):
                        restriction = parse_restriction(body, current, log)
                        if restriction is not None:
                            current.restrictions.append(restriction)
            gap = False
    if current is not None:
        entries.append(current)
    return [e for e in entries if e.names]


def merge_orphans(entries: list[Entry], log: Log) -> list[Entry]:
    """Join code-less records to the record that directly follows them.

    Some records lost the '+' of their synonyms: "LEONID_BREZHNEV_" is followed, with no blank
    line, by "LEONID_ILYICH_BREZHNEV", "SECRETARY_BREZHNEV" ... and only the last of them carries
    the restrictions. PETRARCH reads each line as a record of its own, so Brezhnev, Gorbachev,
    Yeltsin, Medvedev and Obama's "Mr Obama" go uncoded. A record without any code that runs
    straight into the next is read as synonyms of it; a code-less record followed by a blank
    line stays alone and, having no code, yields nothing.
    """
    merged: list[Entry] = []
    pending: list[Entry] = []
    for entry in entries:
        if pending:
            first = pending[0]
            log.note(first.source, first.line, first.names[0],
                     f"code-less record joined to the next one: {entry.names[0]}")
            entry.names = [n for p in pending for n in p.names] + entry.names
            entry.line, entry.comment = first.line, entry.comment or first.comment
            pending = []
        if not entry.restrictions and not entry.separated:
            pending.append(entry)
        else:
            merged.append(entry)
    return merged + pending


# ----------------------------------------------------------------------------------------------
# Readable names


def _cap(part: str) -> str:
    """One name part in title case: "ASSAD", "O'BRIEN", "PEOPLE'S", "MCCAIN" -> "McCain"."""
    pieces = part.replace("`", "'").split("'")
    out = []
    for i, piece in enumerate(pieces):
        if i == 0 or len(pieces[i - 1]) <= 1:
            lead = len(piece) - len(piece.lstrip('"('))
            out.append(piece[:lead] + piece[lead:lead + 1].upper() + piece[lead + 1:].lower())
        else:
            out.append(piece.lower())
    text = "'".join(out)
    if re.fullmatch(r"Mc[a-z]{2,}", text):
        text = "Mc" + text[2:].capitalize()
    return text


def _word(word: str, index: int, acronyms: set[str], east_asian: bool, org: bool,
          common: frozenset[str], after_particle: bool) -> str:
    """One word of a readable name; index is its place in the name."""
    if word.startswith("(") and word.endswith(")") and len(word) > 2:
        inner = word[1:-1]
        if inner in acronyms or len(inner) <= 4 or not re.search(r"[AEIOUY]", inner):
            return word
        return "(" + _word(inner, 1, acronyms, east_asian, org, common, False) + ")"
    if re.fullmatch(r"(?:[A-Z]\.)+[A-Z]?", word):  # initials: W., U.S., D.C.
        return word
    if "/" in word.strip("/"):  # "TKP/ML-TIKKO", "BRIGADES/COMMUNIST"
        return "/".join(_word(part, index, acronyms, east_asian, org, common, after_particle)
                        for part in word.split("/"))
    stem = word.rstrip(".,")
    tail = word[len(stem):]
    if stem in ABBREVIATIONS:
        return ABBREVIATIONS[stem] + tail
    if (stem in ACRONYMS and (org or stem in TITLES)) or stem in acronyms or stem in ROMAN:
        return word
    if len(stem) >= 3 and stem.isalpha() and not re.search(r"[AEIOUY]", stem):
        return word  # FDR, KGB, PKK
    consonants = re.search(r"[B-DF-HJ-NP-TV-XZ]{4}", stem)
    if org and len(stem) <= 6 and stem not in common and consonants:
        return word  # UNHCR, OHCHR
    if index > 0 and (stem in PARTICLES or stem in CONNECTORS
                      or (after_particle and stem in {"LA", "LAS", "LOS", "LE"})):
        return stem.lower() + tail
    parts = stem.split("-")
    out = []
    for i, part in enumerate(parts):
        if i == 0:
            particle = part in PARTICLES or part in HYPHEN_PARTICLES
            out.append(part.lower() if index > 0 and particle and len(parts) > 1 else _cap(part))
        elif part in HYPHEN_PARTICLES:
            out.append(part.lower())
        elif east_asian and stem not in TITLES:
            out.append(part.lower())  # Ban Ki-moon, Kim Jong-un, Chen Shui-bian
        else:
            out.append(_cap(part))
    return "-".join(out) + tail


def readable(name: str, *, acronyms: set[str] = frozenset(), east_asian: bool = False,
             org: bool = False, common: frozenset[str] = frozenset()) -> str:
    """A Phoenix phrase as news writes it: 'GEORGE W. BUSH' -> 'George W. Bush'.

    Phoenix writes in capitals, so case is rebuilt: words are capitalised; particles and
    function words after the first word are lower case ("Osama bin Laden", "Party of God"); the
    second part of hyphenated East Asian given names is lower case ("Ban Ki-moon"); acronyms stay
    upper case: initials, known acronyms, words without a vowel ("FDR"), the initials of another
    name of the same record ("ANSF" beside "Afghan National Security Forces") and, for
    organisations, one-word names of up to four letters ("IAEA") that are not English words.
    """
    words = name.split()
    if org and len(words) == 1 and re.fullmatch(r"[A-Z]{2,4}", name) and name not in common:
        return name
    return " ".join(
        _word(w, i, acronyms, east_asian, org, common, i > 0 and words[i - 1] in PARTICLES)
        for i, w in enumerate(words))


def initials(names: list[str]) -> set[str]:
    """Acronyms the names of one record spell, so that 'ANSF' stays upper case."""
    out = set()
    for name in names:
        words = [w for w in re.split(r"[\s\-]+", name) if w and w[0].isalpha()]
        if len(words) >= 2:
            out.add("".join(w[0] for w in words))
            out.add("".join(w[0] for w in words if w not in CONNECTORS))
    return {a for a in out if len(a) >= 2}


# ----------------------------------------------------------------------------------------------
# Comparing names


def strip_titles(words: list[str], places: frozenset[str]) -> list[str]:
    """A mention without the titles before the name ("Russian President Vladimir Putin").

    A place word goes only before a title, so that "Vladimir" (also a Russian city) stays in
    "Vladimir Putin". One word at least is left.
    """
    i = 0
    while len(words) - i > 1 and (
        words[i] in TITLES or (words[i] in places and words[i + 1] in TITLES)
    ):
        i += 1
    return words[i:]


def name_tokens(name: str, places: frozenset[str]) -> list[str]:
    """The words of a mention that identify someone: no titles, particles or function words."""
    words = strip_titles(name.split(), places)
    parts = re.split(r"[\s\-]+", " ".join(words).replace(".", " "))
    return [w for w in parts
            if len(w) > 1 and w not in TITLES and w not in PARTICLES and w not in CONNECTORS]


def fold(word: str) -> str:
    """A word without accents, so that 'ERDOĞAN' and 'ERDOGAN' compare equal."""
    text = unicodedata.normalize("NFKD", word)
    return "".join(ch for ch in text if not unicodedata.combining(ch)).upper()


def same_name(a: str, b: str) -> bool:
    """Whether two name words are one name spelled two ways ('MORSI', 'MURSI', 'QADDAFI')."""
    a, b = fold(a), fold(b)
    return a == b or (min(len(a), len(b)) >= 4 and SequenceMatcher(None, a, b).ratio() >= 0.75)


def name_key(text: str) -> str:
    """A name compared loosely: 'Bashar al-Assad' and 'Bashar al Assad' are one."""
    return " ".join(fold(text).replace("-", " ").replace(".", " ").split())


def bare_person_name(name: str) -> str:
    """A name without nicknames in quotes and notes in brackets ('(1ST TIME)')."""
    name = re.sub(r'"[^"]*"|\([^)]*\)?', " ", name)
    return " ".join(name.replace('"', " ").split())


# ----------------------------------------------------------------------------------------------
# Telling persons from bodies


@dataclass
class Lexicon:
    """What the dictionaries themselves say about words."""

    first_words: frozenset[str]  # words that begin the names of listed office holders
    last_words: Counter[str]  # words that end them, with how many names they end
    places: frozenset[str]  # names of the country and territory records of the Countries file
    english: frozenset[str]  # ordinary English words

    def name_shape(self, name: str) -> list[str] | None:
        """The words of a name without titles, if it can be a person's full name."""
        if name in self.places or name in NOT_PERSONS:
            return None
        words = strip_titles(name.split(), self.places)
        if any(w.strip("()") in INSTITUTION_WORDS for w in words):
            return None
        return words if 2 <= len(words) <= 6 else None

    def looks_like_person(self, name: str) -> bool:
        """A full name whose first word begins, or last word ends, listed persons' names."""
        words = self.name_shape(name)
        if words is None:
            return False
        return words[0] in self.first_words or (
            words[-1] in self.last_words and words[0] not in self.english
            and words[0] not in self.places and words[0] not in PARTICLES)

    def strict_person(self, name: str) -> bool:
        """A full name with a known first and last word and no English, place or acronym word."""
        words = self.name_shape(name)
        return bool(words) and words[0] in self.first_words and words[-1] in self.last_words \
            and not any(w in self.english or w in self.places or w in ACRONYMS for w in words)

    def foreign_name(self, name: str) -> bool:
        """A full name none of whose words is English, a place, a number or an institution."""
        words = self.name_shape(name)
        return words is not None and not any(
            w in self.english or w in self.places or w.isdigit() for w in words)


def annotated_person(entry: Entry) -> bool:
    """Records generated from the CountryInfo and IGOrulers lists of office holders.

    A few records of those lists are bodies ("ISLAMIC_REVOLUTIONARY_COUNCIL"), which an
    institution word gives away.
    """
    return any(mark in entry.comment.upper() for mark in ("COUNTRYINFO", "IGORULERS")) and not any(
        w in INSTITUTION_WORDS for w in entry.names[0].split())


def build_lexicon(entries: list[Entry], english: frozenset[str]) -> Lexicon:
    """Place names from the country records of the Countries file, and the first and last
    words of the names of the office holders the CountryInfo and IGOrulers lists give."""
    places: set[str] = {"UNITED STATES", "UNITED NATIONS", "EUROPE", "AFRICA", "ASIA", "WEST"}
    for e in entries:
        if e.source == "Countries" and not annotated_person(e) and geographic(
                [r.code for r in e.restrictions if r.code]):
            places.update(e.names)
    first: set[str] = set()
    last: Counter[str] = Counter()
    for e in entries:
        if annotated_person(e):
            words = strip_titles(e.names[0].split(), frozenset(places))
            if len(words) >= 2 and words[0] not in TITLES and words[0] not in PARTICLES:
                first.add(words[0])
                last[words[-1]] += 1
    return Lexicon(frozenset(first), last, frozenset(places), english)


def titled_short_form(entry: Entry) -> bool:
    """Whether a synonym is a title and the end of the primary name ("President Pahor")."""
    words = entry.names[0].split()
    for name in entry.names[1:]:
        alias = name.split()
        for k in range(1, len(words)):
            head, tail = alias[:-k], alias[-k:]
            if head and tail == words[-k:] and all(w in PERSON_TITLES for w in head):
                return True
    return False


def classify(entry: Entry, lex: Lexicon) -> str:
    """'person', 'organisation', 'place', 'body' (of a state), 'company' or 'unknown'.

    Records of the CountryInfo and IGOrulers lists are persons. Other records are persons when
    the primary name looks like a full name: its first word begins the name of a listed office
    holder, or its last word ends one, or a synonym is a title and the end of the name ("Mr
    Obama"); in the Countries file, whose other records are countries and institutions named in
    English, a name with no English or place word will do. In the International file, among
    organisations named in many languages, both ends must be known name words, or the record
    dated as the IGO office-holder lists are; a name there with a title or an initial, or a
    lone name with no English word and no NGO or media code, may be a person and is left out.
    The militant-groups file marks its organisations with the annotator's initials "kkl".
    Records that are neither clearly a person nor clearly an organisation are left out rather
    than guessed.
    """
    primary = entry.names[0]
    shaped = lex.name_shape(primary) is not None
    codes = [r.code for r in entry.restrictions if r.code]
    if annotated_person(entry):
        return "person"
    if entry.source == "MilNonState" and (
        "KKL" in entry.comment.upper()
        or any(w in INSTITUTION_WORDS for n in entry.names for w in n.split())
    ):
        return "organisation"
    if any(c.startswith(COMPANY_PREFIX) for c in codes):
        return "company"
    if shaped and titled_short_form(entry):
        return "person"
    if entry.source == "International":
        if (shaped and any(r.dated for r in entry.restrictions)) or lex.strict_person(primary):
            return "person"
        words = primary.split()
        if (lex.looks_like_person(primary)
                or (words[0] in PERSON_TITLES and len(strip_titles(words, lex.places)) <= 3)
                or (shaped and len(words) <= 4
                    and any(re.fullmatch(r"[B-DF-HJ-NP-TV-XZ]\.?", w) for w in words))
                or (len(entry.names) == 1 and lex.foreign_name(primary)
                    and not any(c.startswith(("NGO", "MED")) for c in codes))):
            return "unknown"  # "Baron Robertson", "R K Pachauri", "Ejeviome Eloh Otobo"
        return "organisation"
    if lex.looks_like_person(primary):
        return "person"
    if entry.source == "Countries":
        if geographic(codes):
            return "place"
        return "person" if lex.foreign_name(primary) else "body"
    armed = any(country_of(c) and c[3:6] in {"REB", "INS", "SEP"} for c in codes)
    if len(entry.names) > 1 or armed or "(" in primary or primary in ACRONYMS:
        return "organisation"
    return "unknown"


# ----------------------------------------------------------------------------------------------
# Aliases


def alias_risk(alias: str, lex: Lexicon, *, person: bool, label_tokens: list[str] = (),
               reference: list[str] = (), label_initials: str = "") -> str | None:
    """Why an alias would be read wrongly in text, or None if it is safe enough.

    A one-word alias that is an English word ("Rice", "Major"), a place ("Jordan"), a title, a
    surname of many listed persons ("Khan") or, for a person, the bare given name ("Hamid" for
    Hamid Karzai) matches text that is not about the actor. For persons, an institution word after
    the name ("Bush Administration") names a body, and a name with no word like the label's is
    usually another person lumped into the record ("Sami Abu Zuhri" under Ahmed Yassin, "Alan
    Johnson" under David Cameron); variant spellings ("Mursi", "Morsi") and initials ("FDR")
    count as alike. For organisations, a personal name (Joseph Kony under the Lord's Resistance
    Army) names a member, and a short phrase of English words ("Islamic Group") names too many
    things.
    """
    words = alias.split()
    bare = alias.replace(".", "")
    if len(bare) <= 2 and bare not in ACRONYMS:
        return "too short"
    if alias in lex.places:
        return "place name"
    if all(w in TITLES or w in lex.places or w in CONNECTORS for w in words):
        return "title only"
    if len(words) == 1 and alias in lex.english:
        return "common English word"
    if len(words) == 1 and lex.last_words[alias] >= COMMON_SURNAME:
        return f"surname of {lex.last_words[alias]} listed persons"
    if not person:
        content = [w.strip("()") for w in words if w not in CONNECTORS]
        if len(content) <= 2 and all(w in lex.english for w in content):
            return "generic English phrase"  # "Islamic Group", "Movement of Hope"
        shape = lex.name_shape(alias)
        member = shape and len(shape[0]) >= 3 and shape[0] in lex.first_words and not any(
            w in lex.english or w in lex.places for w in shape)
        return "person named in an organisation record" if member else None
    if len(words) == 1 and len(label_tokens) >= 2 and fold(alias) == fold(label_tokens[0]):
        return "bare given name"
    hits = [i for i, w in enumerate(words)
            if any(same_name(part, r) for part in name_tokens(w, lex.places) for r in reference)]
    if not hits:
        if bare.replace(" ", "") == label_initials:
            return None
        return "shares no name with the label (another person?)"
    if any(w in INSTITUTION_WORDS for w in words[hits[-1] + 1:]):
        return "names a body, not the person"
    return None


# ----------------------------------------------------------------------------------------------
# Roles


Period = tuple[str, date | None, date | None]  # code, start (inclusive), end (exclusive)


def resolve(restrictions: list[Restriction]) -> tuple[list[Period], str | None]:
    """Non-overlapping dated roles and the default code, as PETRARCH applies them.

    On a given date PETRARCH uses the first listed restriction that holds, and an undated code
    is the default when no dated one does (the documented meaning; PETRARCH2 gives it that
    meaning whenever the undated code comes last, as it does in all but two person records).
    Overlapping periods are therefore cut so that the earlier-listed code wins, touching periods
    with one code are joined, and periods of the null code '---' hold nothing.
    """
    dated = [r for r in restrictions if r.dated]
    default = next((r.code for r in restrictions if not r.dated), None)
    points = sorted({d for r in dated for d in (r.start, r.end) if d is not None})
    bounds: list[date | None] = [None, *points, None]
    periods: list[Period] = []
    for lo, hi in zip(bounds, bounds[1:]):
        holder = next((r for r in dated if r.covers(lo, hi)), None)
        if holder is None:
            continue
        if periods and periods[-1][0] == holder.code and periods[-1][2] == lo:
            periods[-1] = (holder.code, periods[-1][1], hi)
        else:
            periods.append((holder.code, lo, hi))
    return [p for p in periods if p[0]], default or None


# ----------------------------------------------------------------------------------------------
# Persons


@dataclass
class Person:
    """A person: the readable label, the aliases kept, and the records it was built from."""

    label: str
    aliases: set[str]
    entries: list[Entry]


def east_asian(codes: list[str]) -> bool:
    """Whether a person holds a Chinese, Korean or Taiwanese role ("Kim Jong-il" style names)."""
    return any(country_of(c) in {"KOR", "PRK", "CHN", "TWN", "HKG", "MAC"} for c in codes)


def choose_label(names: list[str], lex: Lexicon) -> list[str]:
    """The words of the first name that, without titles, is a full name of two words or more."""
    for name in names:
        words = strip_titles(name.split(), lex.places)
        if len(words) >= 2 and not any(w in INSTITUTION_WORDS for w in name.split()):
            return words
    return strip_titles(names[0].split(), lex.places)


def person_records(entries: list[Entry], lex: Lexicon, log: Log) -> list[Person]:
    """One Person per label, with the aliases that pass alias_risk()."""
    people: dict[str, Person] = {}
    for e in entries:
        if any(", THEN " in n for n in e.names):
            log.note(e.source, e.line, e.names[0], "two persons in one name, dropped")
            continue
        e.names = list(dict.fromkeys(n for n in map(bare_person_name, e.names) if n))
        if not e.names:
            continue
        asian, acronyms = east_asian(e.codes_seen), initials(e.names)
        words = choose_label(e.names, lex)
        label_upper = " ".join(words)
        label = readable(label_upper, acronyms=acronyms, east_asian=asian)
        if label_upper in FICTIONAL or any(c[:3] == "KNT" for c in e.codes_seen):
            log.note(e.source, e.line, label, "fictional, dropped")
            continue
        if len(words) == 1 and (label_upper in lex.english or label_upper in lex.places
                                or label_upper in lex.first_words or label_upper in lex.last_words):
            # "HUSSEIN" (King Hussein) or "ABDULLAH" would claim every Hussein and Abdullah
            log.note(e.source, e.line, label, "one-word name that is a common name, word or "
                     "place, dropped")
            continue
        label_tokens = name_tokens(label_upper, lex.places)
        reference = label_tokens + name_tokens(e.names[0], lex.places)
        label_initials = "".join(
            w[0] for w in label_upper.replace(".", " ").split() if w not in PARTICLES)
        person = people.setdefault(label.casefold(), Person(label, set(), []))
        person.entries.append(e)
        for name in e.names:
            if name == label_upper:
                continue
            text = readable(name, acronyms=acronyms, east_asian=asian)
            risk = alias_risk(name, lex, person=True, label_tokens=label_tokens,
                              reference=reference, label_initials=label_initials)
            if risk:
                log.note(e.source, e.line, f"{label} <- {text}", f"alias dropped: {risk}")
            else:
                person.aliases.add(text)
    return list(people.values())


def merge_spellings(persons: list[Person], log: Log) -> list[Person]:
    """Join records of one person that Phoenix keeps apart, and drop aliases of several.

    Two persons are one when their labels differ only in hyphens, dots or accents, or when the
    label of one, two words or more, is an alias of the other ("K. Annan", a record of its own,
    is an alias of "Kofi Annan"); PETRARCH too merges records that share a phrase. The person
    whose label is nobody's alias names the group. An alias that two persons still share after
    that ("President Bush" for both Bushes) tells them apart from nothing and is dropped.
    """
    parent = list(range(len(persons)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    by_label: dict[str, list[int]] = {}
    for i, p in enumerate(persons):
        by_label.setdefault(name_key(p.label), []).append(i)
    for i, p in enumerate(persons):
        for j in by_label[name_key(p.label)]:
            parent[find(j)] = find(i)
        for alias in p.aliases:
            if len(name_key(alias).split()) >= 2:
                for j in by_label.get(name_key(alias), []):
                    parent[find(j)] = find(i)
    groups: dict[int, list[Person]] = {}
    for i, p in enumerate(persons):
        groups.setdefault(find(i), []).append(p)

    merged: list[Person] = []
    for people in groups.values():
        if len(people) == 1:
            merged.append(people[0])
            continue
        aliases = {name_key(a) for p in people for a in p.aliases}
        people.sort(key=lambda p: (name_key(p.label) in aliases, -len(p.entries),
                                   SOURCE_ORDER[p.entries[0].source], p.entries[0].line))
        head = people[0]
        # of spellings that differ only in hyphens, dots or accents, the richest is the label
        spellings = [p.label for p in people if name_key(p.label) == name_key(head.label)]
        label = max(spellings, key=lambda t: (sum(not c.isalnum() and c != " " or ord(c) > 127
                                                  for c in t), t))
        entries = sorted((e for p in people for e in p.entries),
                         key=lambda e: (SOURCE_ORDER[e.source], e.line))
        names = {a for p in people for a in p.aliases} | {p.label for p in people}
        log.note(head.entries[0].source, head.entries[0].line, label, "records joined as one "
                 "person: " + " | ".join(p.label for p in people if p.label != label))
        merged.append(Person(label, names, entries))

    owners: dict[str, set[int]] = {}
    for i, p in enumerate(merged):
        for name in {p.label, *p.aliases}:
            owners.setdefault(name_key(name), set()).add(i)
    for p in merged:
        shared = {a for a in p.aliases if len(owners[name_key(a)]) > 1}
        for alias in sorted(shared):
            e = p.entries[0]
            log.note(e.source, e.line, f"{p.label} <- {alias}",
                     "alias dropped: shared by several persons")
        p.aliases = {a for a in p.aliases - shared if name_key(a) != name_key(p.label)}
    return merged


def build_persons(entries: list[Entry], lex: Lexicon, log: Log) -> list[list[str]]:
    """Rows of persons.tsv: label, aliases, country, code, start, end.

    The records of one person are taken together, their restrictions in file order, as
    PETRARCH merges records that share a phrase.
    """
    rows: list[list[str]] = []
    for person in merge_spellings(person_records(entries, lex, log), log):
        first = person.entries[0]
        if len(person.entries) > 1:
            log.count("persons made of several records")
        periods, default = resolve([r for e in person.entries for r in e.restrictions])
        roles = [p for p in periods if p[2] is None or p[2] > CUTOFF]
        if default:
            roles.append((default, None, None))
        if not roles:
            log.count("persons whose roles all ended before 1990" if periods
                      else "persons without any code")
            continue
        kept = [r for r in roles if affiliated(r[0])]
        if not kept:
            log.note(first.source, first.line, person.label, "person without a state or IGO/NGO "
                     "role: " + ",".join(sorted({r[0] for r in roles})))
            continue
        log.count("roles without a state or IGO/NGO code", len(roles) - len(kept))
        aliases = "|".join(sorted(person.aliases, key=lambda a: (a.casefold(), a)))
        for code, start, end in kept:
            rows.append([person.label, aliases, country_of(code), code,
                         start.isoformat() if start else "", end.isoformat() if end else ""])
    return rows


# ----------------------------------------------------------------------------------------------
# Organisations


def acronym_in_brackets(name: str) -> re.Match[str] | None:
    """A trailing '(ETA)' or '(PDFLP)'; '(GREECE)', which tells groups apart, is no acronym."""
    m = re.search(r"\s*\(([A-Z0-9.\-]+)\)$", name)
    if m is None:
        return None
    inner = m.group(1).replace(".", "")
    if len(inner) <= 4 or not re.search(r"[AEIOU]", inner) or inner in initials([name[:m.start()]]):
        return m
    return None


def members(names: list[str], label: str, lex: Lexicon) -> set[str]:
    """Synonyms of an organisation record that name its people, not the organisation.

    Phoenix lists leaders among a group's synonyms (Nasrallah under Hezbollah, Kony under the
    Lord's Resistance Army). Once alias_risk() finds one person among them, other full names
    with no English, place or institution word and nothing of the organisation's name ("Okot
    Odhiambo") and the bare surnames of those persons ("Nasrallah") are taken as people too.
    """
    people = {n for n in names
              if alias_risk(n, lex, person=False) == "person named in an organisation record"}
    if not people:
        return set()
    own = name_tokens(label, lex.places)
    people |= {n for n in names if lex.foreign_name(n) and len(n.split()) <= 4
               and n.split()[0] not in PARTICLES
               and not any(same_name(w, o) for w in name_tokens(n, lex.places) for o in own)}
    surnames = {strip_titles(p.split(), lex.places)[-1] for p in people}
    return people | {n for n in names if len(strip_titles(n.split(), lex.places)) == 1
                     and strip_titles(n.split(), lex.places)[0] in surnames}


def build_organisations(entries: list[Entry], lex: Lexicon, log: Log) -> list[list[str]]:
    """Rows of organisations.tsv: label, aliases, code, country.

    An organisation whose code changes over time gets its undated code, or else the one it
    holds last. Records with the same label and code make one row; an alias that rows with
    other codes share is dropped.
    """
    merged: dict[tuple[str, str], tuple[str, set[str]]] = {}
    for e in entries:
        periods, default = resolve(e.restrictions)
        code = default or (periods[-1][0] if periods else None)
        if not code:
            log.count(f"{e.source} records without a code")
            continue
        name = re.sub(r"^THE ", "", e.names[0])
        m = acronym_in_brackets(name)
        extra = [m.group(1)] if m else []
        name = name[: m.start()].strip() if m else name
        if name in FICTIONAL:
            log.note(e.source, e.line, name, "fictional, dropped")
            continue
        acronyms = initials([re.sub(r"^THE ", "", n) for n in e.names]) | set(extra)
        label = readable(name, acronyms=acronyms, org=True, common=lex.english)
        candidates = []
        for raw in [re.sub(r"^THE ", "", n) for n in e.names[1:]] + extra:
            m = acronym_in_brackets(raw)
            raw = raw[: m.start()].strip() if m else raw
            if raw and raw != name:
                candidates.append(raw)
        people = members(candidates, name, lex)
        _, aliases = merged.setdefault((label.casefold(), code), (label, set()))
        for raw in candidates:
            text = readable(raw, acronyms=acronyms, org=True, common=lex.english)
            risk = ("person named in an organisation record" if raw in people
                    else alias_risk(raw, lex, person=False))
            if risk:
                log.note(e.source, e.line, f"{label} <- {text}", f"alias dropped: {risk}")
            elif text.casefold() != label.casefold():
                aliases.add(text)
    owners: dict[str, set[str]] = {}
    for (_, code), (label, aliases) in merged.items():
        for name in {label, *aliases}:
            owners.setdefault(name_key(name), set()).add(code)
    rows = []
    for (_, code), (label, aliases) in merged.items():
        shared = {a for a in aliases if len(owners[name_key(a)]) > 1}
        for alias in sorted(shared):
            log.note("organisations", 0, f"{label} <- {alias}",
                     "alias dropped: shared by organisations with other codes")
        rows.append([label, "|".join(sorted(aliases - shared, key=lambda a: (a.casefold(), a))),
                     code, country_of(code)])
    return rows


# ----------------------------------------------------------------------------------------------
# Agents


def build_agents(path: Path, log: Log) -> list[list[str]]:
    """Rows of agents.tsv: phrase, code, attach: the role nouns PETRARCH adds to actor codes.

    '~GOV' is appended to the code of the actor the noun goes with ("Russian minister" ->
    RUSGOV); 'NGO~' goes in front. Substitution markers (!PERSON! = MAN, MEN, ...) are expanded
    and irregular plurals in {...} become rows of their own; regular plurals, which PETRARCH
    makes itself, are not listed. Phrases ending in a stem ("finance minist") are kept as stems.
    """
    markers: dict[str, list[str]] = {}
    rows: set[tuple[str, str, str]] = set()
    with path.open(encoding="utf-8", errors="replace") as f:
        for number, raw in enumerate(f, 1):
            line = raw.split("#", 1)[0].strip()
            if not line or line.startswith("<!"):
                continue
            m = re.fullmatch(r"(![A-Z]+!)\s*=\s*(.+)", line)
            if m:
                markers[m.group(1)] = [w.strip() for w in m.group(2).split(",") if w.strip()]
                continue
            m = re.fullmatch(r"([^\[{]+?)\s*(?:\{([^}]*)\})?\s*\[([^\]}]+)[\]}]\s*", line)
            if not m:
                log.note("agents", number, line, "agent line without a code")
                continue
            phrase, plural, code = m.group(1), m.group(2), m.group(3).strip()
            attach = "suffix" if code.startswith("~") else "prefix" if code.endswith("~") else ""
            code = code.strip("~ ")
            if not attach or not re.fullmatch(r"[A-Z0-9]{3,}", code):
                log.note("agents", number, line, "unreadable agent code")
                continue
            for form in [phrase] + (plural.split() if plural else []):
                if re.search(r"[A-Z]![A-Z]+![A-Z]", form):
                    # "AD!MINIST!RATION": a search-and-replace slip in the file, not a marker
                    log.note("agents", number, form, "marker inside a word, skipped")
                    continue
                for text in _expand(form, markers):
                    text = " ".join(text.replace("_", " ").split()).lower()
                    if text and re.fullmatch(r"[a-z0-9 .'\-&/]+", text):
                        rows.add((text, code, attach))
    return [list(r) for r in rows]


def _expand(phrase: str, markers: dict[str, list[str]]) -> list[str]:
    """A phrase with each substitution marker replaced by each of its words."""
    m = re.search(r"![A-Z]+!", phrase)
    if not m:
        return [phrase]
    return [text for word in markers.get(m.group(0), [])
            for text in _expand(phrase[: m.start()] + word + phrase[m.end():], markers)]


# ----------------------------------------------------------------------------------------------
# Writing

HEADERS = {
    "persons.tsv": (
        "# Office holders from the Phoenix actor dictionaries of PETRARCH2 (MIT licence), one row\n"
        "# per person and role period; made by convert.py, see README.md. code: full CAMEO code;\n"
        "# country: ISO alpha-3 of its country part, empty for IGO/NGO codes. start/end: ISO\n"
        "# dates, start inclusive, end exclusive, empty when open. A row without dates is the\n"
        "# person's default role, for dates no dated row covers. Lists use \"|\".\n",
        ["label", "aliases", "country", "code", "start", "end"],
    ),
    "organisations.tsv": (
        "# Organisations and armed groups from the Phoenix International and MilNonState actor\n"
        "# dictionaries of PETRARCH2 (MIT licence); made by convert.py, see README.md.\n"
        "# code: full CAMEO code; country: ISO alpha-3 when the code starts with a country.\n"
        "# Lists use \"|\".\n",
        ["label", "aliases", "code", "country"],
    ),
    "agents.tsv": (
        "# Role nouns from Phoenix.agents.txt of PETRARCH2 (MIT licence); made by convert.py,\n"
        "# see README.md. code: CAMEO code the noun adds; attach: suffix (after the country code\n"
        "# of the actor it goes with: \"Russian troops\" -> RUS+MIL) or prefix (NGO~).\n",
        ["phrase", "code", "attach"],
    ),
    "excluded.tsv": (
        "# What convert.py left out, repaired or read differently from PETRARCH2, and why;\n"
        "# see README.md. line: line of the record in the source file.\n",
        ["source", "line", "name", "reason"],
    ),
}


def write_table(directory: Path, name: str, rows: list[list[str]],
                key: Callable[[list[str]], object] | None = None) -> int:
    """Write a table sorted by `key` (by its cells if None), under its comment and header."""
    comment, header = HEADERS[name]
    for row in rows:
        if any(ch in cell for cell in row for ch in "\t\n\r"):
            raise ValueError(f"{name}: a cell holds a tab or line break: {row!r}")
    rows = sorted(rows, key=key or (lambda r: ([c.casefold() for c in r], r)))
    text = comment + "\t".join(header) + "\n" + "".join("\t".join(r) + "\n" for r in rows)
    (directory / name).write_text(text, encoding="utf-8", newline="\n")
    return len(rows)


def find_dictionaries(path: Path) -> Path:
    """The dictionaries folder of a petrarch2 checkout, given the checkout or a folder in it."""
    for candidate in (path, path / "data" / "dictionaries",
                      path / "petrarch2" / "data" / "dictionaries"):
        if all((candidate / f).is_file() for f in ACTOR_FILES.values()):
            return candidate
    raise SystemExit(f"no Phoenix actor dictionaries under {path}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("path", type=Path, help="petrarch2 checkout or its dictionaries folder")
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent,
                        help="where to write the tables (default: this script's folder)")
    args = parser.parse_args(argv)
    directory = find_dictionaries(args.path)
    log = Log()

    entries: list[Entry] = []
    for source, filename in ACTOR_FILES.items():
        entries += merge_orphans(read_actor_file(directory / filename, source, log), log)
    lex = build_lexicon(entries, english_words(directory))
    kinds: dict[str, list[Entry]] = {}
    for e in entries:
        kind = classify(e, lex)
        kinds.setdefault(kind, []).append(e)
        if kind == "unknown":
            log.note(e.source, e.line, e.names[0],
                     "neither clearly a person nor clearly an organisation")
    log.count("companies (MNC) left out", len(kinds.get("company", [])))
    persons = build_persons(kinds.get("person", []), lex, log)
    organisations = build_organisations(kinds.get("organisation", []), lex, log)
    agents = build_agents(directory / AGENT_FILE, log) if (directory / AGENT_FILE).is_file() else []

    args.out.mkdir(parents=True, exist_ok=True)
    written = {
        # a person's rows in time order, the undated default last
        "persons.tsv": write_table(args.out, "persons.tsv", persons, key=lambda r: (
            r[0].casefold(), r[0], r[4] == r[5] == "", r[4], r[5] or "9999", r[3])),
        "organisations.tsv": write_table(args.out, "organisations.tsv", organisations),
        "agents.tsv": write_table(args.out, "agents.tsv", agents),
        "excluded.tsv": write_table(
            args.out, "excluded.tsv", [[s, str(n), name, why] for s, n, name, why in log.rows],
            key=lambda r: (SOURCE_ORDER.get(r[0], len(SOURCE_ORDER)), r[0], int(r[1]), r[2:])),
    }
    print(f"read {len(entries)} records from {directory}")
    print(", ".join(f"{kind}: {len(es)}" for kind, es in sorted(kinds.items())))
    print(f"persons.tsv: {len({r[0] for r in persons})} persons in {written['persons.tsv']} rows; "
          f"organisations.tsv: {written['organisations.tsv']}; agents.tsv: {written['agents.tsv']}"
          f"; excluded.tsv: {written['excluded.tsv']}")
    for reason, n in sorted(log.counts.items()):
        print(f"  {n:6d}  {reason}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
