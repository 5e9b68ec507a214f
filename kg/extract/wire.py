"""Wire copy: where a news text has datelines, wire credits, HTML debris and a headline.

Agency items read "headline\\nTEHRAN (Reuters) - lede ..." or "headline (AFP)\\nAFP - lede ...". The
dateline and the credit are not part of any sentence, so the parser should not see them: ``masked``
turns their characters into spaces, keeping the text's length and every offset, so evidence is still
sliced from the original text. The headline (``headline_span``) is a unit of its own: title-cased and
often verbless, it parses badly, so the actor resolver takes from it only the gazetteer's actors and
the names the text repeats below it.

>>> masked("BAGHDAD (Reuters) - Gunmen killed a governor.")
'                    Gunmen killed a governor.'
>>> masked("BRITAIN has warned Sudan.")
'BRITAIN has warned Sudan.'
"""

from __future__ import annotations

import re

__all__ = ["HEADLINE", "dateline_spans", "headline_span", "masked", "set_blank_sentences"]

# The key under which a Doc's user_data carries the headline's (start, end) characters in that Doc.
HEADLINE = "kg_headline"

# A headline is a first line of at most this many words, followed by more text.
HEADLINE_WORDS = 25

# Words are bounded, so that a line is matched in constant time, however long it is.
_CAPS_WORD = r"[A-Z][A-Z.'’&-]{0,30}[A-Z.]"  # TEHRAN, U.S., PORT-AU-PRINCE, S.C. (two characters at least)
_NAME_WORD = r"[A-Z][A-Za-z.'’&-]{0,30}"  # Canadian, Press, USATODAY.com, Bandar
_CAPS = rf"{_CAPS_WORD}(?:(?: {{1,3}}|/){_CAPS_WORD}){{0,5}}"  # US NAVAL BASE GUANTANAMO BAY, DUBAI/PARIS
_NAME = rf"{_NAME_WORD}(?:(?: {{1,3}}|/){_NAME_WORD}){{0,3}}"  # Los Angeles Times, Bandar Seri Begawan
_REGION = rf"(?: ?, ?(?:{_NAME}|{_CAPS})){{0,2}},?"  # , Ivory Coast / , S.C. / , WEST BANK / , Chad,
_MONTH = (r"(?i:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
          r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\b\.?")
_DAY = rf"(?:[,.]? ?(?:\d{{1,2}} )?{_MONTH} ?\d{{0,2}}\.?(?:,? \d{{4}})?)"  # , Aug. 25. / , 7 September 2004
_PAREN = r"\([A-Za-z0-9][^()\n]{0,40}\)"  # (Reuters), (AFP), (IslamOnline.net  amp; News Agencies), (09/21/04)
_DATE, _WIRE = rf"{_DAY}?", rf"(?: ?{_PAREN})"
_DASH = r" ?\.? *(?:--?|–|—) +"  # " - ", " -- ", "(Zenit.org).- "
_COLON = r" *: +"
_SENTENCE = r"(?=[A-Z0-9\"'“‘(])"  # what follows a dateline: the first sentence

# What a line may start with before its first sentence, tried in turn until none matches:
# "<p> By Jude Webber</p>", "Canadian Press - ", "VANCOUVER (CP) - ", "JERUSALEM: ", "(AGI) - ".
_DATELINE = re.compile(
    "|".join([
        # an ALL-CAPS place, its region, date and wire, then a dash or a colon
        rf"{_CAPS}{_REGION}{_DATE}{_WIRE}?(?:{_DASH}|{_COLON})",
        # a capitalised place or credit (AP, Reuters, Canadian Press, Vienna, Austria, World News:),
        # then the first sentence
        rf"{_NAME}{_REGION}{_DATE}{_WIRE}?(?:{_DASH}|{_COLON}){_SENTENCE}",
        # a place with a date and a wire whose dash was lost: "Taipei, Nov. 12 (CNA) Academia ..."
        rf"(?:{_NAME}|{_CAPS}){_REGION}{_DAY}{_WIRE} +{_SENTENCE}",
        # a wire or a date alone: "(AGI) - ", "17 November 2004 -- ", "(CBS/AP) A video ..."
        rf"(?:{_PAREN}|{_DAY})(?:{_DASH}|{_COLON})",
        rf"{_PAREN} +(?=[A-Z])",
    ])
)
_BYLINE = re.compile(rf"By {_NAME}(?=\s*(?:<|&lt;|\n|$))")
# Markup that was escaped or left in the copy: <p>, </p>, &lt;b&gt;, remnants such as " amp; ", and the
# "&lt;b&gt;...&lt;/b&gt;" that marks a cut headline
_MARKUP = re.compile(r"&lt;b&gt;\s*\.\.\.\s*&lt;/b&gt;|</?[A-Za-z][^<>\n]{0,40}>|&lt;/?[A-Za-z][^\n]{0,40}?&gt;"
                     r"|(?<![\w&])(?:amp|gt|lt|quot|nbsp);")
# A wire credit closing a headline: "... deadlock on Kashmir (AFP)", "(Canadian Press)", "(Update1)"
_HEADLINE_CREDIT = re.compile(rf"\s\((?:{_NAME}|{_CAPS})\)\s*$")
# "... Opposed by U.S." ends a headline, not a sentence
_ABBREVIATION_END = re.compile(r"\b(?:[A-Z]\.){2,}$")
_SENTENCE_END = re.compile(r"(?<!\.\.)[.;,]['\"’”)]*$")


def headline_span(text: str) -> tuple[int, int] | None:
    """The characters of ``text``'s headline: its first line, when more text follows and the line is
    short and ends without a full stop (a normal article's first sentence ends with one).

    >>> headline_span("Blair Backs Bush\\nAP - Prime Minister Tony Blair ...")
    (0, 16)
    >>> headline_span("Kenya condemned Somalia on Friday.\\nSomalia rejected it.") is None
    True
    """
    end = text.find("\n")
    if end < 0 or not text[end:].strip():
        return None
    line = _MARKUP.sub(" ", text[:end]).strip()
    if not line or len(line.split()) > HEADLINE_WORDS or (_SENTENCE_END.search(line) and not _ABBREVIATION_END.search(line)):
        return None
    start = len(text) - len(text.lstrip())
    return start, len(text[:end].rstrip())


def dateline_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of every dateline, wire credit, byline and piece of markup in ``text``: the
    characters that belong to no sentence. Datelines are read where a line starts (after markup),
    never in the headline; a credit closing the headline counts too.

    >>> dateline_spans("Iran Warns Israel\\nTEHRAN (Reuters) - A senior official said ...")
    [(18, 37)]
    """
    spans = [m.span() for m in _MARKUP.finditer(text)]
    headline = headline_span(text)
    if headline is not None:
        credit = _HEADLINE_CREDIT.search(text, headline[0], headline[1])
        if credit is not None:
            spans.append((credit.start() + 1, credit.end()))
    for line in re.finditer(r"^.*$", text, re.MULTILINE):
        if headline is not None and line.start() == 0:  # the headline is the first line
            continue
        spans.extend(_line_start(text, line.start(), line.end()))
    return _merged(spans)


def masked(text: str, spans: list[tuple[int, int]] | None = None) -> str:
    """``text`` with its datelines, credits and markup (``spans``, by default ``dateline_spans``)
    blanked out: same length, same offsets."""
    spans = dateline_spans(text) if spans is None else spans
    if not spans:
        return text
    out = list(text)
    for start, end in spans:
        for i in range(start, end):
            if not out[i].isspace():
                out[i] = " "
    return "".join(out)


def set_blank_sentences(doc, spans: list[tuple[int, int]]) -> None:
    """Makes each blanked-out dateline or credit in a Doc of masked text that touches a line break (or
    an end of the Doc) a sentence of its own, before the parser runs: otherwise its white space joins
    the headline's sentence, and a relation's evidence, sliced from the original text, would end
    with "(AFP)\\nAFP -". A span blanked in mid-line (markup) stays inside its sentence."""
    if not spans:
        return
    from .nlp import spaces

    last = len(doc) - 1
    for i in spaces(doc):
        token = doc[i]
        if not ("\n" in token.text or i in (0, last)):
            continue
        start, end = token.idx, token.idx + len(token.text)
        if any(a < end and start < b for a, b in spans):
            token.is_sent_start = True
            if token.i < last:
                doc[token.i + 1].is_sent_start = True


def _line_start(text: str, pos: int, end: int) -> list[tuple[int, int]]:
    """The credits, bylines and markup a line starts with, one after the other."""
    found = []
    while pos < end:
        while pos < end and text[pos].isspace():
            pos += 1
        for pattern in (_MARKUP, _BYLINE, _DATELINE):
            m = pattern.match(text, pos, end)
            if m is not None and m.end() > pos:
                found.append(m.span())
                pos = m.end()
                break
        else:
            break
    return found


def _merged(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if out and start <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], end))
        else:
            out.append((start, end))
    return out
