"""SPARQL queries: read-only checks, named queries from ontology/queries/, bound parameters."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

import pyoxigraph as ox

from .data import ontology_path
from .errors import QueryError
from .store import Store

UPDATE_KEYWORDS = {"INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY", "WITH"}
QUERY_KEYWORDS = {"SELECT", "CONSTRUCT", "DESCRIBE", "ASK"}

_TOKEN = re.compile(
    r"""\s+|\#[^\n]*|<[^<>"{}|^`\\\s]*>|"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|[A-Za-z_][\w-]*:?[\w.-]*|.""",
    re.DOTALL,
)


def query_form(text: str) -> str | None:
    """The first keyword after the prologue (BASE/PREFIX and comments): SELECT, INSERT, ..."""
    expect = None  # what the prologue still needs: a prefix name, an IRI
    for match in _TOKEN.finditer(text):
        token = match.group(0)
        if token.isspace() or token.startswith("#"):
            continue
        upper = token.upper()
        if expect == "pname":
            expect = "iri"
            continue
        if expect == "iri":
            expect = None
            continue
        if upper == "PREFIX":
            expect = "pname"
            continue
        if upper == "BASE":
            expect = "iri"
            continue
        return upper
    return None


def check_read_only(text: str) -> None:
    """Refuses SPARQL Update, however it is written: kg query never changes the store."""
    form = query_form(text)
    if form in UPDATE_KEYWORDS:
        raise QueryError(f"SPARQL updates ({form}) are refused: kg query only reads; "
                         f"change the graph with kg build")


@dataclass(frozen=True)
class NamedQuery:
    """A query shipped in ontology/queries/NAME.rq; '# param NAME: actor|literal|iri' lines declare parameters."""

    name: str
    description: str
    params: dict[str, str]
    text: str


@cache
def named_queries() -> dict[str, NamedQuery]:
    queries = {}
    for path in sorted(ontology_path("queries").glob("*.rq")):
        text = path.read_text(encoding="utf-8")
        description, params = [], {}
        for line in text.splitlines():
            if not line.startswith("#"):
                break
            body = line.lstrip("#").strip()
            if m := re.fullmatch(r"param\s+(\w+)\s*:\s*(actor|literal|iri)", body):
                params[m.group(1)] = m.group(2)
            elif body:
                description.append(body)
        queries[path.stem] = NamedQuery(path.stem, " ".join(description), params, text)
    return queries


def resolve_query(query_or_file: str) -> tuple[str, dict[str, str]]:
    """The text and declared parameters of a named query, a .rq file, or literal SPARQL."""
    named = named_queries()
    if query_or_file in named:
        return named[query_or_file].text, named[query_or_file].params
    if re.fullmatch(r"[\w./\\-]+\.(rq|sparql)", query_or_file):
        from pathlib import Path

        path = Path(query_or_file)
        try:
            return path.read_text(encoding="utf-8"), {}
        except OSError as exc:
            raise QueryError(f"cannot read {path}: {exc.strerror or exc}") from exc
    if query_form(query_or_file) is None or re.fullmatch(r"[\w-]+", query_or_file.strip()):
        known = ", ".join(named) or "none"
        raise QueryError(f"{query_or_file!r} is neither SPARQL nor a named query (named queries: {known})")
    return query_or_file, {}


def bind_params(store: Store, declared: dict[str, str], given: dict[str, str]) -> dict[str, ox.NamedNode | ox.Literal]:
    """SPARQL bindings for ``given`` values: actors resolved to their IRIs, the rest as literals."""
    from .lookup import find_actor

    missing = sorted(set(declared) - set(given))
    if missing:
        raise QueryError(f"missing parameter {missing[0]!r}: add --param {missing[0]}=VALUE")
    bindings: dict[str, ox.NamedNode | ox.Literal] = {}
    for name, value in given.items():
        if not re.fullmatch(r"[A-Za-z_]\w*", name):
            raise QueryError(f"parameter name {name!r} is not a SPARQL variable name")
        kind = declared.get(name, "literal")
        if kind == "actor":
            bindings[name] = ox.NamedNode(find_actor(store, value).iri)
        elif kind == "iri":
            try:
                bindings[name] = ox.NamedNode(value)
            except ValueError as exc:
                raise QueryError(f"parameter {name}: {value!r} is not an IRI") from exc
        else:
            bindings[name] = ox.Literal(value)
    return bindings


def syntax_message(message: str, limit: int = 160) -> str:
    """The parser's message on one line: its position, then what it expected, cut short."""
    text = " ".join(message.split())
    if m := re.match(r"error at (\d+):(\d+): (.*)", text):
        text = f"line {m.group(1)}, column {m.group(2)}: {m.group(3)}"
    return text if len(text) <= limit else text[: limit - 1] + "\u2026"


def run_query(store: Store, query_or_file: str, params: dict[str, str] | None = None):
    """Runs a read-only query (named, from a file, or literal) with bound parameters."""
    text, declared = resolve_query(query_or_file)
    check_read_only(text)
    bindings = bind_params(store, declared, params or {})
    try:
        return store.query(text, bindings)
    except SyntaxError as exc:
        raise QueryError(f"SPARQL syntax error: {syntax_message(str(exc))}") from exc
    except (OSError, ValueError) as exc:
        raise QueryError(f"the query failed: {exc}") from exc
