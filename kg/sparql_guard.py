"""Checks a user's SPARQL text before the parser sees it: no SERVICE, no deep nesting, its variables.

The scanner reads SPARQL's lexical structure only (IRIs, strings, comments, variables, words,
brackets), so a keyword inside a string or a comment is not a keyword, and it runs in linear
time whatever the text: it is the cheap first line in front of a parser that recurses (3,000
nested braces overflow its stack). The query process (``kg.sandbox``) is the second line: it
has no network and a crash there is reported, not suffered.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from .errors import QueryError

MAX_DEPTH = 64  # brackets of any kind; kg's own queries nest 5 deep

# IRIREF as the SPARQL grammar has it (no control characters or spaces, none of <>"{}|^`\),
# long strings before short ones, then variables, words (keywords and prefixed names) and any
# other single character.
_TOKEN = re.compile(
    r'''(?P<space>\s+)'''
    r'''|(?P<comment>\#[^\n\r]*)'''
    r'''|(?P<iri><[^<>"{}|^`\\\x00-\x20]*>)'''
    r'''|(?P<string>"""(?:[^"\\]|\\.|"(?!""))*"""|\'\'\'(?:[^'\\]|\\.|'(?!''))*\'\'\''''
    r'''|"(?:[^"\\\n\r]|\\.)*"|'(?:[^'\\\n\r]|\\.)*')'''
    r'''|(?P<variable>[?$][\w\u00b7\u0300-\u036f\u203f-\u2040]+)'''
    r'''|(?P<word>[^\W\d][\w-]*(?::[\w.:%-]*)?|:[\w.:%-]*)'''
    r'''|(?P<other>.)''',
    re.DOTALL,
)
OPENING = "({["
CLOSING = ")}]"


_CODEPOINT = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")


def unescape_codepoints(text: str) -> str:
    """The text with \\uXXXX and \\UXXXXXXXX replaced, as the SPARQL grammar (and oxigraph) does
    before reading anything else: ``\\u0053ERVICE`` is SERVICE."""

    def char(match: re.Match) -> str:
        code = int(match.group(1) or match.group(2), 16)
        return chr(code) if code <= 0x10FFFF else match.group(0)

    return _CODEPOINT.sub(char, text)


def tokens(text: str) -> Iterator[tuple[str, str]]:
    """(kind, text) for each token; spaces and comments are left out."""
    for match in _TOKEN.finditer(unescape_codepoints(text)):
        kind = match.lastgroup or "other"
        if kind not in ("space", "comment"):
            yield kind, match.group(0)


def nesting_depth(text: str) -> int:
    """The deepest nesting of (), {} and [] outside strings, IRIs and comments."""
    depth = deepest = 0
    for kind, token in tokens(text):
        if kind != "other":
            continue
        if token in OPENING:
            depth += 1
            deepest = max(deepest, depth)
        elif token in CLOSING:
            depth = max(depth - 1, 0)
    return deepest


def variables(text: str) -> list[str]:
    """The query's variable names (without ? or $), in order of first appearance."""
    seen: dict[str, None] = {}
    for kind, token in tokens(text):
        if kind == "variable":
            seen.setdefault(token[1:], None)
    return list(seen)


def uses_service(text: str) -> bool:
    """Whether the query has a SERVICE clause (a federated query: an HTTP request to another host)."""
    # "SERVICE:x" reads as a prefixed name to a tokenizer but as SERVICE and ":x" to a PEG parser
    return any(kind == "word" and token.split(":")[0].upper() == "SERVICE" for kind, token in tokens(text))


def check_query_text(text: str, *, allow_service: bool = False, max_depth: int = MAX_DEPTH) -> None:
    """Refuses, with one line each, what must not reach the parser or the network."""
    if not allow_service and uses_service(text):
        raise QueryError("SERVICE (a federated query to another endpoint) is refused: kg query never "
                         "reaches the network; pass --allow-service to let this query do so")
    depth = nesting_depth(text)
    if depth > max_depth:
        raise QueryError(f"the query nests brackets {depth} deep; kg accepts at most {max_depth}: "
                         f"flatten it")


def syntax_message(message: str, limit: int = 160) -> str:
    """The parser's message on one line: its position, then what it expected, cut short."""
    text = " ".join(message.split())
    if m := re.match(r"error at (\d+):(\d+): (.*)", text):
        text = f"line {m.group(1)}, column {m.group(2)}: {m.group(3)}"
    return text if len(text) <= limit else text[: limit - 1] + "\u2026"
