"""The remote store: a SPARQL server read through the SPARQL 1.1 Protocol and written through SPARQL Update.

One base address and the server's paths below it: Oxigraph server answers queries at /query and
updates at /update (the defaults); Fuseki at /DATASET/query and /DATASET/update, so its base is
http://HOST:3030/DATASET. ``KG_STORE_QUERY`` and ``KG_STORE_UPDATE`` override the paths (a path
joined to the base, or a whole address); ``KG_STORE_UNION`` is the URL parameter that makes a
query's default graph the union of all graphs (Oxigraph's ``union-default-graph``; empty for a
server whose default graph already is the union). Credentials come from ``KG_STORE_USER`` and
``KG_STORE_PASSWORD``, or ``KG_STORE_TOKEN`` (a bearer token), or ~/.netrc; never from the address.

Only the standard library's http.client speaks HTTP: every request is a POST on a kept-alive
connection (a build makes thousands; a new connection for each cost more than the request), and a
request that finds its idle connection closed by the server is sent once more on a new one (kg's
queries read, and its updates leave the same graph when applied twice). Redirects are reported,
never followed; no HTTP proxy is used. Parameters are bound by a VALUES block written from
pyoxigraph's own serialisation of the terms, never by pasting text. A writer keeps what a build writes and sends it
as one SPARQL Update request per commit, which Oxigraph applies as one transaction; its reads see
the pending writes (quads by pattern are merged with them; a SPARQL query sends them first). kg
takes no lock on a server: two builds into one store interleave their transactions.
"""

from __future__ import annotations

import base64
import http.client
import os
import re
import socket
import threading
import urllib.parse
from collections.abc import Collection, Iterable, Iterator
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
_IDLE_CONNECTIONS = 4  # kept-alive connections an endpoint holds between requests
_DRAIN = 64 * 1024  # bytes of an answer read no further that are still read, to keep its connection
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

    def close(self) -> None:
        self.endpoint.close()

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

    Pending changes are kept as their net effect, graph by graph: graphs dropped, quads removed,
    quads added (and, for a fresh build, every kg graph dropped), so reads by pattern can merge them
    with the server's. What it reads of the server until the next update is kept too: a read of a
    subject in a named graph (a document's own graph, an actor's description) asks once for all of
    that subject's quads there and whether the graph holds anything, so a build's four lookups of a
    document and its check for the graph take one request.
    """

    def __init__(self, endpoint: Endpoint, fresh: bool = False):
        self.endpoint = endpoint
        self.commits = 0
        self._wipe = fresh
        self._dropped: set[ox.NamedNode] = set()
        self._removed: dict[ox.NamedNode, set[ox.Quad]] = {}  # by graph
        self._added: dict[ox.NamedNode, set[ox.Quad]] = {}
        self._described: dict[tuple[ox.NamedNode, ox.NamedNode], list[ox.Quad]] = {}  # (subject, graph)
        self._filled: dict[ox.NamedNode, bool] = {}  # whether the server holds quads in a graph
        self._closed = False

    def replace_graph(self, graph: ox.NamedNode, quads: Iterable[ox.Quad]) -> None:
        self._open()
        self._dropped.add(graph)
        self._added.pop(graph, None)
        self._removed.pop(graph, None)
        self.change((), quads)

    def change(self, removed: Iterable[ox.Quad], added: Iterable[ox.Quad], bulk: bool = False) -> None:
        self._open()  # one update request per commit, bulk or not
        for quad in removed:
            self._added.get(quad.graph_name, set()).discard(quad)
            self._removed.setdefault(quad.graph_name, set()).add(quad)
        for quad in added:
            self._removed.get(quad.graph_name, set()).discard(quad)
            self._added.setdefault(quad.graph_name, set()).add(quad)

    def query(self, sparql: str, bindings: dict | None = None):
        self._send()  # the server answers SPARQL over what it holds, so it must hold the pending writes
        return self.endpoint.query(with_values(sparql, bindings or {}), QUERY_TIMEOUT)

    def quads_for_pattern(self, subject=None, predicate=None, object=None, graph=None) -> Iterator[ox.Quad]:
        self._open()
        pattern = (subject, predicate, object, graph)
        if not self._wipe:
            for quad in self._held(pattern):
                where = quad.graph_name
                if where not in self._dropped and quad not in self._removed.get(where, ()) \
                        and quad not in self._added.get(where, ()):
                    yield quad
        for pending in ([self._added.get(graph, set())] if graph is not None else list(self._added.values())):
            for quad in list(pending):
                if _matches(quad, pattern):
                    yield quad

    def contains_named_graph(self, graph: ox.NamedNode) -> bool:
        self._open()
        if self._added.get(graph):
            return True
        if self._wipe or graph in self._dropped:
            return False
        if self._removed.get(graph):  # whether anything is left of the server's quads there
            return next(self.quads_for_pattern(None, None, None, graph), None) is not None
        if graph not in self._filled:
            self._filled[graph] = bool(self.endpoint.query(f"ASK {{ GRAPH {_term(graph)} {{ ?s ?p ?o }} }}",
                                                           QUERY_TIMEOUT))
        return self._filled[graph]

    def commit(self) -> str:
        self._send()
        self.commits += 1
        return str(self.commits)

    def close(self) -> None:
        self._closed = True
        self._dropped, self._removed, self._added = set(), {}, {}
        self._described, self._filled = {}, {}

    def _open(self) -> None:
        if self._closed:
            raise RuntimeError("the writer was already closed")

    def _held(self, pattern: tuple) -> Iterable[ox.Quad]:
        """The server's quads that match ``pattern``; a subject's in a named graph from what was read."""
        subject, _, _, graph = pattern
        if not (isinstance(subject, ox.NamedNode) and isinstance(graph, ox.NamedNode)):
            return self.endpoint.quads_for_pattern(*pattern)
        if (subject, graph) not in self._described:
            quads, filled = self.endpoint.describe(subject, graph)
            self._described[subject, graph] = quads
            self._filled[graph] = filled
        return [quad for quad in self._described[subject, graph] if _matches(quad, pattern)]

    def _send(self) -> None:
        self._open()
        removed = [quad for quads in self._removed.values() for quad in quads]
        added = [quad for quads in self._added.values() for quad in quads]
        if self._wipe or self._dropped or removed or added:
            self.endpoint.update(update_text(self._wipe, self._dropped, removed, added))
        self._wipe, self._dropped, self._removed, self._added = False, set(), {}, {}
        self._described, self._filled = {}, {}  # the server's graph has changed


class Endpoint:
    """A SPARQL server's query and update addresses, and how kg authenticates to it."""

    def __init__(self, location: str, query_url: str, update_url: str, union: str, authorization: str | None):
        self.location, self.query_url, self.update_url = location, query_url, update_url
        self.union, self.authorization = union, authorization
        self._idle: list[tuple[tuple, http.client.HTTPConnection]] = []  # (scheme, host, port), connection
        self._lock = threading.Lock()  # queries run in threads of their own (base.in_thread)

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
        with self._post(self._with_union(self.query_url), _prologue({}) + sparql, "application/sparql-query",
                        QUERY_TIMEOUT, accept="application/sparql-results+json") as response:
            try:
                for row in ox.parse_query_results(response, ox.QueryResultsFormat.JSON):
                    yield ox.Quad(*(term if term is not None else row[name] for term, name
                                    in zip((subject, predicate, object, graph), "spog")))
            except (OSError, socket.timeout) as exc:
                raise _unreachable(self.location, exc) from exc
            except SyntaxError as exc:
                raise StoreUnreachable(f"the store at {self.location} sent results kg cannot read ({exc})") \
                    from exc

    def describe(self, subject: ox.NamedNode, graph: ox.NamedNode) -> tuple[list[ox.Quad], bool]:
        """``subject``'s quads in ``graph``, and whether ``graph`` holds any quad: one request."""
        sparql = (f"SELECT ?p ?o ?any WHERE {{ {{ GRAPH {_term(graph)} {{ {_term(subject)} ?p ?o }} }} UNION "
                  f"{{ SELECT ?any WHERE {{ GRAPH {_term(graph)} {{ ?any ?x ?y }} }} LIMIT 1 }} }}")
        quads, filled = [], False
        for row in self.query(sparql, QUERY_TIMEOUT, prefixes={}):
            if row["p"] is not None:
                quads.append(ox.Quad(subject, row["p"], row["o"], graph))
            filled = True
        return quads, filled

    # -- updates
    def update(self, text: str) -> None:
        with self._post(self.update_url, text, "application/sparql-update", UPDATE_TIMEOUT) as response:
            response.read()

    # -- HTTP
    def _with_union(self, url: str) -> str:
        if not self.union:
            return url
        return url + ("&" if "?" in url else "?") + self.union

    @contextmanager
    def _post(self, url: str, text: str, content_type: str, timeout: float | None,
              accept: str = "*/*") -> Iterator[http.client.HTTPResponse]:
        """The server's answer to a POST of ``text``, on a kept-alive connection that goes back to the
        endpoint when the answer was read to its end (or nearly: the rest is read for it)."""
        parts = urllib.parse.urlsplit(url)
        server = (parts.scheme.lower(), parts.hostname, parts.port)
        target = urllib.parse.urlunsplit(("", "", parts.path or "/", parts.query, ""))
        headers = {"Content-Type": f"{content_type}; charset=utf-8", "Accept": accept, "User-Agent": "kg"}
        if self.authorization:
            headers["Authorization"] = self.authorization
        body = text.encode("utf-8")
        while True:
            connection, reused = self._connection(server)
            try:
                connection.timeout = timeout if timeout else None
                if connection.sock is not None:
                    connection.sock.settimeout(connection.timeout)
                connection.request("POST", target, body=body, headers=headers)
                response = connection.getresponse()
                break
            except ConnectionError as exc:  # the server closed an idle connection: once more on a new one
                connection.close()
                if not reused:
                    raise _unreachable(self.location, exc) from None
            except (OSError, http.client.HTTPException) as exc:
                connection.close()
                raise _unreachable(self.location, exc) from None
        if response.status >= 300:
            try:
                detail = response.read(4096)
            except (OSError, http.client.HTTPException):
                detail = b""
            connection.close()
            raise _refused(self.location, url.split("?")[0], response.status, response.headers, detail)
        try:
            yield response
        finally:
            self._release(server, connection, response)

    def _connection(self, server: tuple) -> tuple[http.client.HTTPConnection, bool]:
        """An idle connection to ``server``, or a new one; and whether it was idle."""
        with self._lock:
            for i, (held, connection) in enumerate(self._idle):
                if held == server:
                    del self._idle[i]
                    return connection, True
        scheme, host, port = server
        if scheme == "https":
            return http.client.HTTPSConnection(host, port), False
        return http.client.HTTPConnection(host, port), False

    def _release(self, server: tuple, connection: http.client.HTTPConnection,
                 response: http.client.HTTPResponse) -> None:
        """Keeps the connection for the next request if its answer is read (a little left unread, as
        when a caller wanted only the first quad, is read here); else closes it."""
        try:
            if not response.isclosed():
                response.read(_DRAIN)
        except (OSError, http.client.HTTPException):
            pass
        if not response.isclosed() or connection.sock is None:
            connection.close()
            return
        with self._lock:
            if len(self._idle) < _IDLE_CONNECTIONS:
                self._idle.append((server, connection))
                return
        connection.close()

    def close(self) -> None:
        """Closes the kept-alive connections."""
        with self._lock:
            idle, self._idle = self._idle, []
        for _, connection in idle:
            connection.close()


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


def update_text(wipe: bool, dropped: Iterable[ox.NamedNode], removed: Collection[ox.Quad],
                added: Collection[ox.Quad]) -> str:
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


def _refused(location: str, url: str, status: int, headers, body: bytes) -> Exception:
    detail = _clean(body.decode("utf-8", "replace"))
    said = f": {detail}" if detail else ""
    if status in (401, 403):
        return StoreAccessDenied(
            f"the store at {location} refused access (HTTP {status}): set KG_STORE_USER and KG_STORE_PASSWORD "
            f"(or KG_STORE_TOKEN), or a ~/.netrc entry for its host")
    if status in (301, 302, 303, 307, 308):
        return StoreUnreachable(f"the store at {location} redirects to {headers.get('Location')}: give that "
                                f"address as --store")
    if status in (404, 405):
        return StoreUnreachable(f"{url} is no SPARQL endpoint (HTTP {status}): check --store, KG_STORE_QUERY "
                                f"and KG_STORE_UPDATE")
    if status == 400:
        return QueryError(f"the store at {location} rejected a request (HTTP 400{said})")
    return StoreUnreachable(f"the store at {location} failed (HTTP {status}{said}): check the server")


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
