"""The remote store: a SPARQL server read through the SPARQL 1.1 Protocol and written through SPARQL Update.

One base address and the server's paths below it: Oxigraph server answers queries at /query and
updates at /update (the defaults); Fuseki at /DATASET/query and /DATASET/update, so its base is
http://HOST:3030/DATASET. ``KG_STORE_QUERY`` and ``KG_STORE_UPDATE`` override the paths (a path
joined to the base, or a whole address); ``KG_STORE_UNION`` is the URL parameter that makes a
query's default graph the union of all graphs (Oxigraph's ``union-default-graph``; empty for a
server whose default graph already is the union). Credentials come from ``KG_STORE_USER`` and
``KG_STORE_PASSWORD``, or ``KG_STORE_TOKEN`` (a bearer token), or ~/.netrc; never from the address.

Only the standard library's urllib speaks HTTP: kg sends one POST per request and needs neither
sessions nor retries. Parameters are bound by a VALUES block written from pyoxigraph's own
serialisation of the terms, never by pasting text. A writer keeps what a build writes and sends it
as one SPARQL Update request per commit, which Oxigraph applies as one transaction; its reads see
the pending writes (quads by pattern are merged with them; a SPARQL query sends them first). kg
takes no lock on a server: two builds into one store interleave their transactions.
"""

from __future__ import annotations

import base64
import os
import re
import socket
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

import pyoxigraph as ox

from ..errors import QueryError, QueryLimit, StoreAccessDenied, StoreNotFound, StoreUnreachable
from ..vocab import ONTOLOGY_GRAPH, PREFIXES
from . import base
from .base import QUERY_TIMEOUT, Solutions, in_thread

QUERY_PATH = "/query"  # Oxigraph server's, and Fuseki's under its dataset
UPDATE_PATH = "/update"
UNION_PARAMETER = "union-default-graph"  # Oxigraph server's; Fuseki's: default-graph-uri=urn:x-arq:UnionGraph
UPDATE_TIMEOUT = 600.0  # seconds for one commit's update request
KG_GRAPHS = "https://w3id.org/kg/"  # every graph kg writes is named under this (a fresh build drops them)
ACCEPT = ("application/sparql-results+json, application/n-triples;q=0.9, application/sparql-results+xml;q=0.5, "
          "text/tab-separated-values;q=0.4")
_ERROR_TEXT = 300  # characters of a server's error message kept in ours
_VARIABLE = re.compile(r"[A-Za-z_]\w*")


class RemoteStore(base.Store):
    """A kg store on a SPARQL server, at an http:// or https:// address."""

    def __init__(self, location: str | None = None):
        self.path = (location or base.default_store_location()).rstrip("/")
        self.endpoint = Endpoint.from_environment(self.path)
        self._checked = False

    def __repr__(self) -> str:
        return f"RemoteStore({self.path!r})"

    # -- reading
    def exists(self) -> bool:
        return bool(self.endpoint.query(f"ASK {{ GRAPH <{ONTOLOGY_GRAPH}> {{ ?s ?p ?o }} }}", QUERY_TIMEOUT))

    def pointer(self) -> dict:
        if not self.exists():
            raise StoreNotFound(f"no graph at {self.path} yet: run 'kg build --store {self.path}' first")
        self._checked = True
        return {"location": self.path}

    def _check(self) -> None:
        if not self._checked:
            self.pointer()

    def query(self, sparql: str, bindings: dict[str, ox.NamedNode | ox.Literal] | None = None,
              timeout: float | None = QUERY_TIMEOUT):
        self._check()
        return self.endpoint.query(with_values(sparql, bindings or {}), timeout)

    def quads_for_pattern(self, subject=None, predicate=None, object=None, graph=None) -> Iterator[ox.Quad]:
        self._check()
        return self.endpoint.quads_for_pattern(subject, predicate, object, graph)

    def __len__(self) -> int:
        self._check()
        row = next(iter(self.endpoint.query("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }",
                                            QUERY_TIMEOUT)))
        return int(row["n"].value)

    def run_isolated(self, text, bindings, *, prefixes, timeout, max_memory, max_result, allow_network):
        """The server is the sandbox: it runs the query under its own limits, and kg stops waiting
        after ``timeout`` seconds or ``max_result`` MB (``max_memory`` is the server's business)."""
        self._check()
        result = self.endpoint.query(with_values(text, bindings), timeout, prefixes=prefixes,
                                     max_bytes=max_result * 1024 * 1024 if max_result else None, whole=False)
        if isinstance(result, list):
            from ..sandbox import Triples

            return Triples(result)
        return result

    # -- writing
    @contextmanager
    def writer(self, fresh: bool = False) -> Iterator[RemoteWriter]:
        writer = RemoteWriter(self.endpoint, fresh)
        try:
            yield writer
            writer.commit()
        finally:
            writer.close()
            self._checked = False


class RemoteWriter(base.Writer):
    """What a build writes to a remote store, held until a commit sends it as one update request.

    Pending changes are kept as their net effect: graphs dropped, quads removed, quads added (and,
    for a fresh build, every kg graph dropped), so reads by pattern can merge them with the server's.
    """

    def __init__(self, endpoint: Endpoint, fresh: bool = False):
        self.endpoint = endpoint
        self.commits = 0
        self._wipe = fresh
        self._dropped: set[ox.NamedNode] = set()
        self._removed: set[ox.Quad] = set()
        self._added: set[ox.Quad] = set()
        self._closed = False

    def replace_graph(self, graph: ox.NamedNode, quads: Iterable[ox.Quad]) -> None:
        self._open()
        self._dropped.add(graph)
        self._added = {q for q in self._added if q.graph_name != graph}
        self._removed = {q for q in self._removed if q.graph_name != graph}
        self._added.update(quads)

    def change(self, removed: Iterable[ox.Quad], added: Iterable[ox.Quad], bulk: bool = False) -> None:
        self._open()  # one update request per commit, bulk or not
        for quad in removed:
            self._added.discard(quad)
            self._removed.add(quad)
        for quad in added:
            self._removed.discard(quad)
            self._added.add(quad)

    def query(self, sparql: str, bindings: dict | None = None):
        self._send()  # the server answers SPARQL over what it holds, so it must hold the pending writes
        return self.endpoint.query(with_values(sparql, bindings or {}), QUERY_TIMEOUT)

    def quads_for_pattern(self, subject=None, predicate=None, object=None, graph=None) -> Iterator[ox.Quad]:
        self._open()
        pattern = (subject, predicate, object, graph)
        if not self._wipe:
            for quad in self.endpoint.quads_for_pattern(*pattern):
                if quad.graph_name not in self._dropped and quad not in self._removed and quad not in self._added:
                    yield quad
        for quad in list(self._added):
            if _matches(quad, pattern):
                yield quad

    def contains_named_graph(self, graph: ox.NamedNode) -> bool:
        return next(self.quads_for_pattern(None, None, None, graph), None) is not None

    def commit(self) -> str:
        self._send()
        self.commits += 1
        return str(self.commits)

    def close(self) -> None:
        self._closed = True
        self._dropped, self._removed, self._added = set(), set(), set()

    def _open(self) -> None:
        if self._closed:
            raise RuntimeError("the writer was already closed")

    def _send(self) -> None:
        self._open()
        if self._wipe or self._dropped or self._removed or self._added:
            self.endpoint.update(update_text(self._wipe, self._dropped, self._removed, self._added))
        self._wipe, self._dropped, self._removed, self._added = False, set(), set(), set()


class Endpoint:
    """A SPARQL server's query and update addresses, and how kg authenticates to it."""

    def __init__(self, location: str, query_url: str, update_url: str, union: str, authorization: str | None):
        self.location, self.query_url, self.update_url = location, query_url, update_url
        self.union, self.authorization = union, authorization
        self._opener = urllib.request.build_opener(_NoRedirect())

    @classmethod
    def from_environment(cls, location: str) -> Endpoint:
        parts = urllib.parse.urlsplit(location)
        if parts.username is not None or parts.password is not None:
            raise StoreAccessDenied(f"the store address {_without_userinfo(parts)} carries credentials: remove "
                                    f"them and set KG_STORE_USER and KG_STORE_PASSWORD, or a ~/.netrc entry")
        if not parts.hostname:
            raise StoreUnreachable(f"{location!r} is no server address: write http://HOST:PORT/...")
        query = _join(location, os.environ.get("KG_STORE_QUERY", QUERY_PATH))
        update = _join(location, os.environ.get("KG_STORE_UPDATE", UPDATE_PATH))
        return cls(location, query, update, os.environ.get("KG_STORE_UNION", UNION_PARAMETER),
                   _authorization(parts.hostname))

    # -- queries
    def query(self, sparql: str, timeout: float | None, *, prefixes: dict[str, str] = PREFIXES,
              max_bytes: int | None = None, whole: bool = True):
        """The query's result: Solutions (or QuerySolutions when not ``whole``), a QueryBoolean or a
        list of Triples."""
        text = _prologue(prefixes) + sparql

        def run():
            with self._post(self._with_union(self.query_url), text, "application/sparql-query", timeout,
                            accept=ACCEPT) as response:
                return response.headers.get_content_type(), _read(response, max_bytes, self.location)

        media_type, body = in_thread(run, timeout)
        # parsed here: pyoxigraph's QuerySolutions must stay in the thread that made them
        return _parse_result(body, media_type, self.location, whole)

    def quads_for_pattern(self, subject=None, predicate=None, object=None, graph=None) -> Iterator[ox.Quad]:
        """Streams the quads that match from the server (kg writes named graphs only: the default graph
        is never matched)."""
        if isinstance(graph, ox.DefaultGraph):
            return
        terms = [_term(t) if t is not None else f"?{v}" for t, v in zip((subject, predicate, object, graph), "spog")]
        sparql = f"SELECT ?s ?p ?o ?g WHERE {{ GRAPH {terms[3]} {{ {terms[0]} {terms[1]} {terms[2]} }} }}"
        response = self._post(self._with_union(self.query_url), _prologue({}) + sparql, "application/sparql-query",
                              QUERY_TIMEOUT, accept="application/sparql-results+json")
        with response:
            try:
                for row in ox.parse_query_results(response, ox.QueryResultsFormat.JSON):
                    yield ox.Quad(*(term if term is not None else row[name] for term, name
                                    in zip((subject, predicate, object, graph), "spog")))
            except (OSError, socket.timeout) as exc:
                raise _unreachable(self.location, exc) from exc
            except SyntaxError as exc:
                raise StoreUnreachable(f"the store at {self.location} sent results kg cannot read ({exc})") \
                    from exc

    # -- updates
    def update(self, text: str) -> None:
        with self._post(self.update_url, text, "application/sparql-update", UPDATE_TIMEOUT) as response:
            response.read()

    # -- HTTP
    def _with_union(self, url: str) -> str:
        if not self.union:
            return url
        return url + ("&" if "?" in url else "?") + self.union

    def _post(self, url: str, text: str, content_type: str, timeout: float | None, accept: str = "*/*"):
        request = urllib.request.Request(url, data=text.encode("utf-8"), method="POST", headers={
            "Content-Type": f"{content_type}; charset=utf-8", "Accept": accept, "User-Agent": "kg"})
        if self.authorization:
            request.add_unredirected_header("Authorization", self.authorization)
        try:
            return self._opener.open(request, timeout=timeout if timeout else None)
        except urllib.error.HTTPError as exc:
            raise _refused(self.location, url.split("?")[0], exc) from None
        except (urllib.error.URLError, OSError, socket.timeout) as exc:
            raise _unreachable(self.location, exc) from None


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """A redirect is reported, never followed: credentials go to the address the user gave, no other."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


def with_values(sparql: str, bindings: dict[str, ox.NamedNode | ox.Literal]) -> str:
    """``sparql`` with ``bindings`` joined at the start of its WHERE group as a VALUES block, written
    from pyoxigraph's serialisation of each term (so a value can never be read as SPARQL)."""
    if not bindings:
        return sparql
    names, terms = [], []
    for name, term in bindings.items():
        if not _VARIABLE.fullmatch(name):
            raise QueryError(f"{name!r} is not a SPARQL variable name")
        names.append(f"?{name}")
        terms.append(_term(term))
    block = f" VALUES ({' '.join(names)}) {{ ({' '.join(terms)}) }} "
    where = _where_brace(sparql)
    if where is None:  # CONSTRUCT WHERE { triples } allows no VALUES inside: the query's own trailing one
        return f"{sparql}\n{block}"
    return sparql[:where + 1] + block + sparql[where + 1:]


_LEXEMES = re.compile(r"""
    (?P<skip>\#[^\n]*
      | "{3}(?:[^"\\]|\\.|"(?!""))*"{3} | '{3}(?:[^'\\]|\\.|'(?!''))*'{3}
      | "(?:[^"\\\n]|\\.)*" | '(?:[^'\\\n]|\\.)*'
      | <[^<>"{}|^`\\\x00-\x20]*>
      | [?$]\w+)
  | (?P<word>[A-Za-z_][\w-]*)
  | (?P<brace>[{}])
""", re.VERBOSE | re.DOTALL)
_FORMS = ("SELECT", "CONSTRUCT", "ASK", "DESCRIBE")


def _where_brace(sparql: str) -> int | None:
    """The offset of the brace that opens the query's WHERE group; None for CONSTRUCT WHERE's short
    form, whose group may hold triples only. Comments, strings and IRIs are skipped whole."""
    depth, form, previous, template = 0, None, None, False
    for match in _LEXEMES.finditer(sparql):
        kind, text = match.lastgroup, match.group()
        if kind == "word":
            previous = text.upper()
            form = form or (previous if previous in _FORMS else None)
        elif kind == "brace":
            if text == "{":
                if depth == 0:
                    if form == "CONSTRUCT" and previous == "CONSTRUCT":
                        template = True
                    elif form == "CONSTRUCT" and not template:
                        return None
                    else:
                        return match.start()
                depth += 1
            else:
                depth -= 1
            previous = text
        else:
            previous = None
    return None


def _term(term) -> str:
    if isinstance(term, (ox.NamedNode, ox.Literal)):
        return str(term)  # pyoxigraph's N-Triples serialisation: escaped, and valid SPARQL
    raise QueryError(f"only IRIs and literals can be bound, not {type(term).__name__}")


def _prologue(prefixes: dict[str, str]) -> str:
    return "".join(f"PREFIX {name}: {ox.NamedNode(iri)}\n" for name, iri in prefixes.items())


def update_text(wipe: bool, dropped: set[ox.NamedNode], removed: set[ox.Quad], added: set[ox.Quad]) -> str:
    """One SPARQL Update request with the net effect of a writer's pending changes."""
    operations = []
    if wipe:
        operations.append(f"DELETE {{ GRAPH ?g {{ ?s ?p ?o }} }} WHERE {{ GRAPH ?g {{ ?s ?p ?o }} "
                          f"FILTER(STRSTARTS(STR(?g), {ox.Literal(KG_GRAPHS)})) }}")
    # DELETE WHERE rather than DROP GRAPH: every SPARQL 1.1 server has it (QLever has no DROP)
    operations.extend(f"DELETE WHERE {{ GRAPH {graph} {{ ?s ?p ?o }} }}" for graph in sorted(dropped, key=str))
    if removed:
        if any(isinstance(t, ox.BlankNode) for q in removed for t in (q.subject, q.object)):
            raise QueryError("a remote store cannot remove blank nodes (DELETE DATA allows none)")
        operations.append(f"DELETE DATA {{ {_quad_data(removed)} }}")
    if added:
        operations.append(f"INSERT DATA {{ {_quad_data(added)} }}")
    return " ;\n".join(operations)


def _quad_data(quads: Iterable[ox.Quad]) -> str:
    by_graph: dict[str, list[str]] = {}
    for quad in quads:
        if isinstance(quad.graph_name, ox.DefaultGraph):
            raise QueryError("kg writes named graphs only")
        by_graph.setdefault(str(quad.graph_name), []).append(f"{quad.subject} {quad.predicate} {quad.object} .")
    return "\n".join(f"GRAPH {graph} {{\n{chr(10).join(sorted(lines))}\n}}" for graph, lines in sorted(by_graph.items()))


def _matches(quad: ox.Quad, pattern: tuple) -> bool:
    return all(term is None or term == value
               for term, value in zip(pattern, (quad.subject, quad.predicate, quad.object, quad.graph_name)))


def _join(location: str, path: str) -> str:
    if path.lower().startswith(("http://", "https://")):
        return path
    return location + ("/" + path.lstrip("/") if path else "")


def _authorization(host: str) -> str | None:
    """Basic credentials from KG_STORE_USER/KG_STORE_PASSWORD or ~/.netrc, or KG_STORE_TOKEN as a bearer."""
    token = os.environ.get("KG_STORE_TOKEN")
    if token:
        return f"Bearer {token}"
    user, password = os.environ.get("KG_STORE_USER"), os.environ.get("KG_STORE_PASSWORD")
    if user is None:
        import netrc

        try:
            entry = netrc.netrc().authenticators(host)
        except (FileNotFoundError, netrc.NetrcParseError, OSError):
            entry = None
        if entry is None:
            return None
        user, _, password = entry
    pair = f"{user}:{password or ''}".encode()
    return "Basic " + base64.b64encode(pair).decode("ascii")


def _without_userinfo(parts: urllib.parse.SplitResult) -> str:
    host = parts.hostname or ""
    return urllib.parse.urlunsplit(parts._replace(netloc=host + (f":{parts.port}" if parts.port else "")))


def _read(response, max_bytes: int | None, location: str) -> bytes:
    try:
        if max_bytes is None:
            return response.read()
        body = response.read(max_bytes + 1)
    except (OSError, socket.timeout) as exc:
        raise _unreachable(location, exc) from exc
    if len(body) > max_bytes:
        raise QueryLimit(f"the query's result is over {max_bytes // (1024 * 1024)} MB: narrow it, or raise "
                         f"--max-result")
    return body


def _parse_result(body: bytes, media_type: str, location: str, whole: bool):
    try:
        try:
            results_format = ox.QueryResultsFormat.from_media_type(media_type)
        except ValueError:
            results_format = None
        if results_format is not None:
            result = ox.parse_query_results(body, results_format)
            if isinstance(result, ox.QuerySolutions) and whole:
                return Solutions(result, result.variables)
            return result
        rdf_format = ox.RdfFormat.from_media_type(media_type)
        if rdf_format is None:
            raise SyntaxError(f"an answer of type {media_type}")
        return [ox.Triple(q.subject, q.predicate, q.object) for q in ox.parse(body, rdf_format)]
    except (SyntaxError, ValueError) as exc:
        raise StoreUnreachable(f"the store at {location} sent a result kg cannot read ({_clean(str(exc))})") \
            from exc


def _refused(location: str, url: str, exc: urllib.error.HTTPError) -> Exception:
    try:
        detail = _clean(exc.read(4096).decode("utf-8", "replace"))
    except OSError:
        detail = ""
    finally:
        exc.close()
    said = f": {detail}" if detail else ""
    if exc.code in (401, 403):
        return StoreAccessDenied(
            f"the store at {location} refused access (HTTP {exc.code}): set KG_STORE_USER and KG_STORE_PASSWORD "
            f"(or KG_STORE_TOKEN), or a ~/.netrc entry for its host")
    if exc.code in (301, 302, 303, 307, 308):
        return StoreUnreachable(f"the store at {location} redirects to {exc.headers.get('Location')}: give that "
                                f"address as --store")
    if exc.code in (404, 405):
        return StoreUnreachable(f"{url} is no SPARQL endpoint (HTTP {exc.code}): check --store, KG_STORE_QUERY "
                                f"and KG_STORE_UPDATE")
    if exc.code == 400:
        return QueryError(f"the store at {location} rejected a request (HTTP 400{said})")
    return StoreUnreachable(f"the store at {location} failed (HTTP {exc.code}{said}): check the server")


def _unreachable(location: str, exc: BaseException) -> StoreUnreachable:
    reason = getattr(exc, "reason", exc)
    if isinstance(reason, (socket.timeout, TimeoutError)):
        return StoreUnreachable(f"the store at {location} did not answer in time: check the server, or that "
                                f"it is not overloaded")
    text = _clean(getattr(reason, "strerror", None) or str(reason)) or type(reason).__name__
    return StoreUnreachable(f"cannot reach the store at {location} ({text}): start the server, or check --store")


def _clean(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= _ERROR_TEXT else text[:_ERROR_TEXT - 1] + "\u2026"
