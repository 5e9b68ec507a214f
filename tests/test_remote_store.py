"""The remote store: kg against a real `oxigraph serve` on 127.0.0.1, compared with the embedded store."""

from __future__ import annotations

import http.server
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pyoxigraph as ox
import pytest

from kg.cli import cli
from kg.store import Store, open_store

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
G = ox.NamedNode("https://w3id.org/kg/document/t")
KG = "https://w3id.org/kg/ontology#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _oxigraph() -> str | None:
    beside = Path(sys.executable).parent / "oxigraph"
    return str(beside) if beside.exists() else shutil.which("oxigraph")


def _serve(folder: Path):
    """Starts `oxigraph serve` on a free port; yields its address; stops it after."""
    binary = _oxigraph()
    if binary is None:
        pytest.skip("no oxigraph binary: pip install oxigraph (the dev extra has it)")
    port = _free_port()
    log = open(folder.parent / f"oxigraph-{port}.log", "wb")
    try:
        server = subprocess.Popen([binary, "serve", "--location", str(folder), "--bind", f"127.0.0.1:{port}"],
                                  stdout=log, stderr=subprocess.STDOUT)
    except OSError as exc:
        log.close()
        pytest.skip(f"oxigraph serve cannot start: {exc}")
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            if server.poll() is not None:
                pytest.skip(f"oxigraph serve exited with {server.returncode}: "
                            f"{(folder.parent / f'oxigraph-{port}.log').read_text(errors='replace')[-300:]}")
            try:
                request = urllib.request.Request(url + "/query", data=b"ASK {}", method="POST",
                                                 headers={"Content-Type": "application/sparql-query"})
                with urllib.request.urlopen(request, timeout=2):
                    break
            except OSError:
                if time.monotonic() > deadline:
                    pytest.skip("oxigraph serve did not answer within 30 s")
                time.sleep(0.1)
        yield url
    finally:
        server.terminate()
        try:
            server.wait(10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        log.close()


@pytest.fixture(scope="session")
def oxigraph_server(tmp_path_factory):
    yield from _serve(tmp_path_factory.mktemp("oxigraph") / "data")


@pytest.fixture
def empty_server(tmp_path):
    yield from _serve(tmp_path / "data")


@pytest.fixture(scope="session")
def remote_seeds(oxigraph_server, nlp):
    """The address of a server that holds seeds/, built by kg through SPARQL Update."""
    from kg.build import build

    report = build([SEEDS], Store(oxigraph_server), nlp=nlp)
    assert report.extracted == 5
    return oxigraph_server


def held(url: str, graph: ox.NamedNode) -> list[ox.Quad]:
    """What the server holds in ``graph``, read past kg's check that a store was built."""
    return list(Store(url).endpoint.quads_for_pattern(graph=graph))


def _output(runner, args, store) -> str:
    result = runner.invoke(cli, [*args, "--store", str(store)])
    assert result.exit_code == 0, result.output
    return result.output


@pytest.mark.timeout(120)
@pytest.mark.parametrize("args", [
    ["neighbors", "Armenia"], ["neighbors", "CSTO", "--format", "json"], ["stance", "Russia", "Armenia"],
    ["actors"], ["central"], ["alliances"], ["export", "--format", "jsonl"], ["export", "--format", "csv"],
    ["query", "neighbors", "--param", "actor=Russia"], ["query", "actors", "--format", "json"],
    ["query", "ASK { ?s a kg:State }"],
])
def test_remote_store_answers_as_the_embedded_store(runner, remote_seeds, seeds_store_path, args):
    assert _output(runner, args, remote_seeds) == _output(runner, args, seeds_store_path)


@pytest.mark.timeout(120)
def test_remote_store_exports_the_same_quads(runner, remote_seeds, seeds_store_path):
    remote = _output(runner, ["export", "--format", "nq"], remote_seeds).splitlines()
    embedded = _output(runner, ["export", "--format", "nq"], seeds_store_path).splitlines()
    assert len(remote) > 1000
    assert sorted(remote) == sorted(embedded)
    assert len(Store(remote_seeds)) == len(Store(seeds_store_path))


@pytest.mark.timeout(120)
def test_remote_store_rebuild_of_an_unchanged_corpus_reads_nothing(runner, remote_seeds, blank_model):
    before = sorted(map(str, Store(remote_seeds).quads()))
    result = runner.invoke(cli, ["build", str(SEEDS), "--model", str(blank_model), "--store", remote_seeds])
    assert result.exit_code == 0, result.output
    assert "(0 extracted, 5 unchanged)" in result.output
    assert sorted(map(str, Store(remote_seeds).quads())) == before


def test_remote_store_is_chosen_by_kg_store(remote_seeds, monkeypatch):
    from kg.store.remote import RemoteStore

    monkeypatch.setenv("KG_STORE", remote_seeds)
    assert isinstance(open_store(), RemoteStore)
    assert open_store().path == remote_seeds


@pytest.mark.timeout(60)
def test_remote_store_binds_values_as_terms_never_as_text(remote_seeds):
    hostile = ox.Literal('x" } } ; DROP ALL ; SELECT * { #')
    rows = Store(remote_seeds).query("SELECT ?v ?n WHERE { BIND(STRLEN(?v) AS ?n) }", {"v": hostile})
    assert [(row["v"], int(row["n"].value)) for row in rows] == [(hostile, len(hostile.value))]
    assert Store(remote_seeds).query("ASK { ?s a kg:State }")


@pytest.mark.timeout(60)
def test_remote_writer_reads_its_own_pending_writes_and_commits_them_at_once(empty_server):
    store = Store(empty_server)
    quad = ox.Quad(G, ox.NamedNode("http://x/p"), ox.Literal("1"), G)
    with store.writer() as writer:
        writer.replace_graph(G, [quad])
        assert list(writer.quads_for_pattern(None, None, None, G)) == [quad]
        assert writer.contains_named_graph(G)
        assert held(empty_server, G) == []  # nothing sent before the commit
        writer.commit()
        assert held(empty_server, G) == [quad]
        writer.remove([quad])
        assert not writer.contains_named_graph(G)
        second = ox.Quad(G, ox.NamedNode("http://x/p"), ox.Literal("2"), G)
        writer.extend([second])
        assert [row["o"].value for row in writer.query("SELECT ?o WHERE { GRAPH ?g { ?s ?p ?o } }")] == ["2"]
    assert [q.object.value for q in held(empty_server, G)] == ["2"]


@pytest.mark.timeout(60)
def test_remote_writer_sends_nothing_when_the_build_fails(empty_server):
    store = Store(empty_server)
    with pytest.raises(KeyError):
        with store.writer() as writer:
            writer.extend([ox.Quad(G, ox.NamedNode("http://x/p"), ox.Literal("1"), G)])
            raise KeyError("a failed build")
    assert held(empty_server, G) == []


@pytest.mark.timeout(60)
def test_remote_fresh_writer_drops_kg_graphs_only(empty_server):
    other = ox.NamedNode("http://example.org/not-kg")
    with Store(empty_server).writer() as writer:
        writer.extend([ox.Quad(G, G, G, G), ox.Quad(other, other, other, other)])
    with Store(empty_server).writer(fresh=True) as writer:
        assert list(writer.quads_for_pattern(None, None, None, G)) == []
        writer.extend([ox.Quad(G, G, ox.Literal("new"), G)])
    assert [str(q.object) for q in held(empty_server, G)] == ['"new"']
    assert len(held(empty_server, other)) == 1


@pytest.fixture
def requests_and_connections(monkeypatch):
    """Counts the HTTP requests kg sends and the connections it opens."""
    import http.client

    from kg.store.remote import Endpoint

    counts = {"requests": 0, "connections": 0}
    post, connect = Endpoint._post, http.client.HTTPConnection.connect

    def counting_post(self, *args, **kwargs):
        counts["requests"] += 1
        return post(self, *args, **kwargs)

    def counting_connect(self):
        counts["connections"] += 1
        return connect(self)

    monkeypatch.setattr(Endpoint, "_post", counting_post)
    monkeypatch.setattr(http.client.HTTPConnection, "connect", counting_connect)
    return counts


@pytest.mark.timeout(60)
def test_remote_store_keeps_its_connection_between_requests(remote_seeds, requests_and_connections):
    store = Store(remote_seeds)
    assert len(store) > 0
    documents = store.quads_for_pattern(None, ox.NamedNode(RDF_TYPE), ox.NamedNode(KG + "Document"))
    first = next(documents)  # an answer left unread (a little of it) does not cost the connection
    del documents
    assert store.query("ASK { ?s ?p ?o }") and list(store.quads_for_pattern(first.subject, None, None, None))
    assert requests_and_connections == {"requests": 5, "connections": 1}  # one of them checks for a graph


@pytest.mark.timeout(60)
def test_remote_writer_reads_a_document_and_checks_its_graph_in_one_request(remote_seeds, requests_and_connections):
    from kg.build import _held
    from kg.rdf import document_iri

    store = Store(remote_seeds)
    store.pointer()
    requests_and_connections["requests"] = 0
    doc_id = next(iter(store.query("SELECT ?id WHERE { GRAPH ?g { ?d a kg:Document ; dcterms:identifier ?id } }")))
    with store.writer() as writer:
        held = _held(writer, doc_id["id"].value)
        assert held is not None and len(held.sha256) == 64
        assert writer.contains_named_graph(document_iri(doc_id["id"].value))
        assert _held(writer, "no-such-document") is None
        assert not writer.contains_named_graph(document_iri("no-such-document"))
        assert requests_and_connections["requests"] == 3  # the id, then one request per document


@pytest.mark.timeout(60)
def test_remote_writer_reads_the_server_afresh_after_each_commit(empty_server):
    store = Store(empty_server)
    quad = ox.Quad(G, ox.NamedNode("http://x/p"), ox.Literal("1"), G)
    with store.writer() as writer:
        assert list(writer.quads_for_pattern(G, None, None, G)) == [] and not writer.contains_named_graph(G)
        with Store(empty_server).writer() as other:  # another build writes meanwhile
            other.extend([quad])
        writer.commit()
        assert list(writer.quads_for_pattern(G, None, None, G)) == [quad] and writer.contains_named_graph(G)
        writer.remove([quad])
        assert list(writer.quads_for_pattern(G, None, None, G)) == [] and not writer.contains_named_graph(G)
    assert held(empty_server, G) == []


class _Forgetful(http.server.BaseHTTPRequestHandler):
    """A server that keeps no connection open after its answer, and does not say so."""

    protocol_version = "HTTP/1.1"
    requests = 0

    def do_POST(self):
        type(self).requests += 1
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        body = b'{"head": {}, "boolean": true}'
        self.send_response(200)
        self.send_header("Content-Type", "application/sparql-results+json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
        self.close_connection = True

    def log_message(self, *args):
        pass


@pytest.mark.timeout(60)
def test_remote_store_sends_again_on_a_new_connection_when_the_server_closed_the_old_one():
    from kg.store.remote import Endpoint

    _Forgetful.requests = 0
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Forgetful)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        endpoint = Endpoint.from_environment(f"http://127.0.0.1:{server.server_address[1]}")
        assert [bool(endpoint.query("ASK {}", 10)) for _ in range(3)] == [True, True, True]
        assert _Forgetful.requests == 3
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.timeout(60)
def test_remote_store_that_is_empty_says_to_build(runner, empty_server):
    result = runner.invoke(cli, ["neighbors", "Armenia", "--store", empty_server])
    assert result.exit_code == 1
    assert result.output == (f"Error: no graph at {empty_server} yet: run 'kg build --store {empty_server}' "
                             f"first\n")


def one_error_line(output: str) -> str:
    lines = output.strip().splitlines()
    assert len(lines) == 1, output
    return lines[0]


@pytest.mark.timeout(60)
def test_remote_store_server_down_is_one_line(runner):
    url = f"http://127.0.0.1:{_free_port()}"
    result = runner.invoke(cli, ["neighbors", "Armenia", "--store", url])
    assert result.exit_code == 1
    assert one_error_line(result.output) == (f"Error: cannot reach the store at {url} (Connection refused): start "
                                             f"the server, or check --store")


class _Refusing(http.server.BaseHTTPRequestHandler):
    """A server that answers 401 to everything, and notes the Authorization headers it was sent."""

    seen: list = []
    status = 401

    def do_POST(self):
        type(self).seen.append(self.headers.get("Authorization"))
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.send_response(self.status)
        self.send_header("WWW-Authenticate", 'Basic realm="kg"')
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def refusing_server():
    _Refusing.seen = []
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Refusing)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.mark.timeout(60)
@pytest.mark.parametrize("how", ["environment", "netrc"])
def test_remote_store_wrong_credentials_are_one_line(runner, refusing_server, tmp_path, monkeypatch, how):
    import base64

    monkeypatch.delenv("KG_STORE_TOKEN", raising=False)
    if how == "environment":
        monkeypatch.setenv("KG_STORE_USER", "reader")
        monkeypatch.setenv("KG_STORE_PASSWORD", "wrong")
    else:
        monkeypatch.delenv("KG_STORE_USER", raising=False)
        (tmp_path / ".netrc").write_text("machine 127.0.0.1 login reader password wrong\n")
        os.chmod(tmp_path / ".netrc", 0o600)
        monkeypatch.setenv("HOME", str(tmp_path))
    result = runner.invoke(cli, ["neighbors", "Armenia", "--store", refusing_server])
    assert result.exit_code == 1
    assert one_error_line(result.output) == (
        f"Error: the store at {refusing_server} refused access (HTTP 401): set KG_STORE_USER and "
        f"KG_STORE_PASSWORD (or KG_STORE_TOKEN), or a ~/.netrc entry for its host")
    assert _Refusing.seen == ["Basic " + base64.b64encode(b"reader:wrong").decode()]


@pytest.mark.timeout(60)
def test_remote_store_never_takes_credentials_from_the_address(runner):
    result = runner.invoke(cli, ["neighbors", "Armenia", "--store", "http://reader:secret@127.0.0.1:9/"])
    assert result.exit_code == 1
    assert "secret" not in result.output
    assert "carries credentials" in one_error_line(result.output)


@pytest.mark.timeout(60)
def test_remote_store_failing_server_is_one_line(runner, refusing_server, monkeypatch):
    monkeypatch.setattr(_Refusing, "status", 503)
    result = runner.invoke(cli, ["stance", "Russia", "Armenia", "--store", refusing_server])
    assert result.exit_code == 1
    assert one_error_line(result.output) == f"Error: the store at {refusing_server} failed (HTTP 503): check the server"


@pytest.mark.parametrize("query, expected", [
    ("SELECT * WHERE { ?s ?p ?x }", "SELECT * WHERE { VALUES (?x) { (<http://x/a>) }  ?s ?p ?x }"),
    ("ASK { ?s ?p ?x }", "ASK { VALUES (?x) { (<http://x/a>) }  ?s ?p ?x }"),
    ("# a { comment\nSELECT (\"{\" AS ?b) ?where { ?where ?p ?x }",
     "# a { comment\nSELECT (\"{\" AS ?b) ?where { VALUES (?x) { (<http://x/a>) }  ?where ?p ?x }"),
    ("CONSTRUCT { ?x ?p ?o } WHERE { ?x ?p ?o }",
     "CONSTRUCT { ?x ?p ?o } WHERE { VALUES (?x) { (<http://x/a>) }  ?x ?p ?o }"),
    ("CONSTRUCT WHERE { ?x ?p ?o }", "CONSTRUCT WHERE { ?x ?p ?o }\n VALUES (?x) { (<http://x/a>) } "),
])
def test_remote_store_joins_bindings_at_the_start_of_the_where_group(query, expected):
    from kg.store.remote import with_values

    assert with_values(query, {"x": ox.NamedNode("http://x/a")}) == expected
