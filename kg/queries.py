"""SPARQL queries: read-only checks, named queries from ontology/queries/, bound parameters."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

import pyoxigraph as ox

from . import sandbox
from .data import ontology_path
from .errors import QueryError
from .safe import printable, shorten
from .sparql_guard import check_query_text, variables
from .store import Store
from .vocab import PREFIXES

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
        except UnicodeDecodeError as exc:
            raise QueryError(f"{path} is not UTF-8 text (byte {exc.object[exc.start]:#04x} at offset {exc.start}): "
                             f"save it as UTF-8") from exc
    if query_form(query_or_file) is None or re.fullmatch(r"[\w-]+", query_or_file.strip()):
        known = ", ".join(named) or "none"
        raise QueryError(f"{shorten(query_or_file)!r} is neither SPARQL nor a named query "
                         f"(named queries: {known})")
    return query_or_file, {}


def _text(value: str, what: str) -> str:
    """``value`` if it is valid Unicode; an argument with bytes that are not UTF-8 reaches Python
    with lone surrogates, which no SPARQL string can hold."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise QueryError(f"{what} is not valid UTF-8 text: check its encoding") from None
    return value


def bind_params(store: Store, declared: dict[str, str], given: dict[str, str]) -> dict[str, ox.NamedNode | ox.Literal]:
    """SPARQL bindings for ``given`` values: actors resolved to their IRIs, the rest as literals."""
    from .lookup import find_actor

    missing = sorted(set(declared) - set(given))
    if missing:
        raise QueryError(f"missing parameter {missing[0]!r}: add --param {missing[0]}=VALUE")
    bindings: dict[str, ox.NamedNode | ox.Literal] = {}
    for name, value in given.items():
        if not re.fullmatch(r"[A-Za-z_]\w*", name):
            raise QueryError(f"parameter name {printable(shorten(name))!r} is not a SPARQL variable name")
        value = _text(value, f"the value of parameter {name}")
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


def run_query(store: Store, query_or_file: str, params: dict[str, str] | None = None, *,
              timeout: float | None = sandbox.DEFAULT_TIMEOUT, max_memory: int | None = sandbox.DEFAULT_MAX_MEMORY,
              max_result: int = sandbox.DEFAULT_MAX_RESULT, allow_service: bool = False):
    """Runs a read-only query (named, from a file, or literal) with bound parameters.

    On an embedded store the query runs in a child process (kg.sandbox): it is stopped after
    ``timeout`` seconds, at ``max_memory`` MB or a result of ``max_result`` MB, or by Ctrl-C, and it
    cannot reach the network; SERVICE is refused unless ``allow_service``. A remote store's server
    runs it, under ``timeout`` and ``max_result`` (kg.store.remote). Returns QuerySolutions, a QueryBoolean, or
    kg.sandbox.Triples for CONSTRUCT and DESCRIBE.
    """
    text, declared = resolve_query(_text(query_or_file, "the query"))
    text = _text(text, "the query")
    check_read_only(text)
    check_query_text(text, allow_service=allow_service)
    bindings = bind_params(store, declared, params or {})
    try:
        return store.run_isolated(text, bindings, prefixes=PREFIXES, timeout=timeout, max_memory=max_memory,
                                  max_result=max_result, allow_network=allow_service)
    except QueryError as exc:
        if exc.kind != "unbound":
            raise
        unknown = [name for name in bindings if f"?{name} " in f"{exc} "] or sorted(bindings)
        known = ", ".join(f"?{v}" for v in variables(text)) or "none"
        raise QueryError(f"unknown parameter {unknown[0]!r}: --param binds a variable the query selects, "
                         f"and this query's variables are {known}") from exc
