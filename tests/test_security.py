"""kg against hostile input: queries that reach the network, run away or crash the parser, article
text that drives the terminal, output paths that are devices, FIFOs or planted links."""

from __future__ import annotations

import os
import signal
import socket
import stat
import subprocess
import sys
import threading
import time

import pytest

from kg.cli import cli
from kg.errors import KgError, QueryError
from kg.store import Store

KG = [sys.executable, "-m", "kg.cli"]
RUNAWAY = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i } ORDER BY ?a"
UNSAFE = ("\x1b", "\x07", "\x9b", "\u202e", "\r")


def kg(*args, **kwargs):
    kwargs.setdefault("timeout", 60)
    return subprocess.run([*KG, *map(str, args)], capture_output=True, text=True, **kwargs)


def one_error_line(stderr: str) -> str:
    lines = stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: ") and "Traceback" not in stderr, stderr
    return lines[0]


class Listener:
    """A local HTTP endpoint that counts connections and answers each with an empty SPARQL result."""

    def __init__(self):
        self.socket = socket.create_server(("127.0.0.1", 0))
        self.socket.settimeout(0.2)
        self.port = self.socket.getsockname()[1]
        self.connections = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self):
        body = b'{"head": {"vars": ["s"]}, "results": {"bindings": []}}'
        while not self._stop.is_set():
            try:
                conn, _ = self.socket.accept()
            except OSError:
                continue
            self.connections += 1
            with conn:
                conn.settimeout(2)
                try:
                    conn.recv(65536)
                    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/sparql-results+json\r\n"
                                 b"Content-Length: %d\r\nConnection: close\r\n\r\n%s" % (len(body), body))
                except OSError:
                    pass

    def close(self):
        self._stop.set()
        self._thread.join(2)
        self.socket.close()


@pytest.fixture
def listener():
    server = Listener()
    yield server
    server.close()


# -- SERVICE: no network unless asked


@pytest.mark.timeout(60)
@pytest.mark.parametrize("template", [
    "SELECT * WHERE {{ SERVICE <http://127.0.0.1:{port}/sparql> {{ ?s ?p ?o }} }}",
    "select * where {{ service silent <http://127.0.0.1:{port}/sparql> {{ ?s ?p ?o }} }}",
    "PREFIX e: <http://127.0.0.1:{port}/> SELECT * WHERE {{ # a comment\n SERVICE e:sparql {{ ?s ?p ?o }} }}",
    "PREFIX : <http://127.0.0.1:{port}/> SELECT * WHERE {{ SERVICE:sparql {{ ?s ?p ?o }} }}",
])
def test_security_service_is_refused_and_reaches_nothing(runner, seeds_store_path, listener, template):
    query = template.format(port=listener.port)
    result = runner.invoke(cli, ["query", query, "--store", str(seeds_store_path)])
    assert result.exit_code == 1
    assert "SERVICE" in one_error_line(result.output) and "--allow-service" in result.output
    time.sleep(0.3)
    assert listener.connections == 0


@pytest.mark.timeout(60)
def test_security_query_process_has_no_network_even_past_the_guard(seeds_store, listener):
    """The second line: a SERVICE the text check missed still cannot open a socket (seccomp)."""
    from kg import sandbox

    query = f"SELECT * WHERE {{ SERVICE <http://127.0.0.1:{listener.port}/sparql> {{ ?s ?p ?o }} }}"
    with pytest.raises(QueryError):
        sandbox.run_isolated(seeds_store.generation_path(), query, {}, prefixes={}, timeout=20)
    time.sleep(0.3)
    assert listener.connections == 0


@pytest.mark.timeout(60)
def test_security_allow_service_opts_in(runner, seeds_store_path, listener):
    query = f"SELECT ?s WHERE {{ SERVICE <http://127.0.0.1:{listener.port}/sparql> {{ ?s ?p ?o }} }}"
    result = runner.invoke(cli, ["query", query, "--allow-service", "--timeout", "20",
                                 "--store", str(seeds_store_path)])
    assert result.exit_code == 0, result.output
    assert listener.connections == 1


@pytest.mark.parametrize("query", [
    'SELECT ?s WHERE { ?s rdfs:label "SERVICE <http://127.0.0.1:1/>" }',
    "SELECT ?s WHERE { ?s <http://example.org/service> ?o } # SERVICE <http://127.0.0.1:1/>",
    "SELECT ?service WHERE { ?service ?p ?o }",
])
def test_security_service_in_strings_iris_comments_and_names_is_not_a_clause(query):
    from kg.sparql_guard import check_query_text

    check_query_text(query)


# -- runaway queries: time, memory, Ctrl-C


@pytest.mark.timeout(60)
def test_security_query_timeout_stops_a_runaway(runner, seeds_store_path):
    result = runner.invoke(cli, ["query", RUNAWAY, "--timeout", "0.5", "--store", str(seeds_store_path)])
    assert result.exit_code == 1
    assert "took longer than 0.5 s" in one_error_line(result.output)


@pytest.mark.timeout(60)
def test_security_query_memory_limit_stops_a_runaway(runner, seeds_store_path):
    result = runner.invoke(cli, ["query", RUNAWAY, "--max-memory", "300", "--timeout", "30",
                                 "--store", str(seeds_store_path)])
    assert result.exit_code == 1
    assert "more than 300 MB of memory" in one_error_line(result.output)


@pytest.mark.timeout(60)
def test_security_query_result_size_is_bounded(runner, seeds_store_path):
    result = runner.invoke(cli, ["query", "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f }", "--max-result", "1",
                                 "--store", str(seeds_store_path)])
    assert result.exit_code == 1
    assert "larger than 1 MB" in one_error_line(result.output)


def _children(pid: int) -> set[int]:
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as f:
            return {int(p) for p in f.read().split()}
    except OSError:
        return set()


@pytest.mark.timeout(60)
def test_security_ctrl_c_stops_a_query_at_once(seeds_store_path):
    process = subprocess.Popen([*KG, "query", RUNAWAY, "--timeout", "0", "--max-memory", "1000",
                                "--store", str(seeds_store_path)], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True)
    try:
        deadline = time.monotonic() + 20
        while not _children(process.pid) and time.monotonic() < deadline:
            time.sleep(0.05)
        children = _children(process.pid)
        time.sleep(0.3)
        process.send_signal(signal.SIGINT)
        _, stderr = process.communicate(timeout=10)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode == 130
    assert one_error_line(stderr) == "Error: interrupted"
    time.sleep(0.2)
    assert not any(os.path.exists(f"/proc/{child}") and "kg.sandbox" in open(f"/proc/{child}/cmdline").read()
                   for child in children)


@pytest.mark.timeout(60)
def test_security_library_queries_have_a_timeout(seeds_store_path):
    """kg's own queries run in the process: a timeout, and Ctrl-C, still stop the wait."""
    code = (
        "import sys\nfrom kg.store import Store\nfrom kg.errors import QueryLimit\n"
        f"store = Store({str(seeds_store_path)!r})\n"
        "try:\n"
        "    store.query('SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }', timeout=0.5)\n"
        "except QueryLimit as exc:\n    print('limit:', exc)\n    sys.exit(0)\n"
        "sys.exit(5)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=30)
    assert result.returncode == 0, result.stderr
    assert "took longer than 0.5 s" in result.stdout


def test_security_library_query_results_read_like_pyoxigraphs(seeds_store):
    rows = seeds_store.query("SELECT ?s WHERE { ?s a kg:State } LIMIT 2")
    assert [v.value for v in rows.variables] == ["s"] and len(rows) == 2
    assert bool(seeds_store.query("ASK { ?s a kg:State }")) is True


# -- the parser: deep nesting and long chains never crash kg


@pytest.mark.timeout(60)
@pytest.mark.parametrize("query", [
    "SELECT * WHERE " + "{" * 3000 + "}" * 3000,
    "SELECT * WHERE { FILTER(" + "(" * 10000 + "1" + ")" * 10000 + ") }",
    "SELECT * WHERE { BIND(" + "CONCAT(" * 1000 + "'a'" + ")" * 1000 + " AS ?x) }",
])
def test_security_deep_nesting_is_refused_before_parsing(seeds_store_path, query):
    result = kg("query", query, "--store", seeds_store_path)
    assert result.returncode == 1, result.stderr[-300:]
    assert "deep; kg accepts at most" in one_error_line(result.stderr)


@pytest.mark.timeout(60)
def test_security_a_parser_crash_stays_in_the_query_process(seeds_store_path, tmp_path):
    """A flat query the nesting check lets through but the engine cannot take: one line, no SIGSEGV."""
    query = tmp_path / "long.rq"
    query.write_text("SELECT * WHERE { ?s ?p ?o " + "FILTER(true) " * 20000 + "}", encoding="utf-8")
    result = kg("query", query, "--timeout", "30", "--store", seeds_store_path)
    assert result.returncode == 1, result.stderr[-300:]
    assert "crashed" in one_error_line(result.stderr) or "took longer" in result.stderr


@pytest.mark.parametrize("text, depth", [
    ("SELECT * WHERE { ?s ?p ?o }", 1),
    ('SELECT * WHERE { ?s ?p "{{{{(((" }', 1),
    ("SELECT * WHERE { ?s <http://x/a(b)> ?o } # {{{{", 1),
    ("SELECT * WHERE { { ?s ?p [ ?q ( 1 2 ) ] } }", 4),
    ("SELECT * WHERE \\u007B\\u007B ?s ?p ?o } }", 2),
])
def test_security_nesting_depth_reads_strings_iris_and_comments(text, depth):
    from kg.sparql_guard import nesting_depth

    assert nesting_depth(text) == depth


# -- terminal escapes in article text, labels and file names


HOSTILE = "\x1b]0;pwned\x07\x1b]52;c;cHduZWQ=\x07\u202eevil\x9b31m\r"


@pytest.fixture
def hostile_store(store_copy):
    """The seeds store with hostile text in every evidence sentence and in Armenia's and Russia's labels."""
    store = Store(store_copy)
    text = "".join(f"\\u{ord(c):04x}" for c in HOSTILE)  # as SPARQL escapes
    with store.writer() as writer:
        writer.store.update(f"""
            DELETE {{ GRAPH ?g {{ ?s <https://w3id.org/kg/ontology#evidence> ?e }} }}
            INSERT {{ GRAPH ?g {{ ?s <https://w3id.org/kg/ontology#evidence> ?hostile }} }}
            WHERE {{ GRAPH ?g {{ ?s <https://w3id.org/kg/ontology#evidence> ?e }}
                     BIND(CONCAT("{text}", ?e) AS ?hostile) }}""")
        writer.store.update(f"""
            DELETE {{ GRAPH ?g {{ ?a <http://www.w3.org/2000/01/rdf-schema#label> ?l }} }}
            INSERT {{ GRAPH ?g {{ ?a <http://www.w3.org/2000/01/rdf-schema#label> ?hostile }} }}
            WHERE {{ VALUES ?a {{ <https://w3id.org/kg/actor/Armenia> <https://w3id.org/kg/actor/Russia> }}
                     GRAPH ?g {{ ?a <http://www.w3.org/2000/01/rdf-schema#label> ?l }}
                     BIND(CONCAT(?l, "{text}") AS ?hostile) }}""")
    return store_copy


@pytest.mark.parametrize("args", [
    ["neighbors", "Armenia", "--evidence"],
    ["neighbors", "Armenia", "--evidence", "--format", "csv"],
    ["neighbors", "Armenia", "--evidence", "--format", "json"],
    ["stance", "Russia", "Armenia"],
    ["stance", "Russia", "Armenia", "--format", "json"],
    ["path", "Russia", "United States"],
    ["actors"],
    ["actors", "--format", "csv"],
    ["central"],
    ["alliances"],
    ["query", "evidence", "--param", "source=Russia", "--param", "target=Armenia"],
    ["query", "SELECT ?e WHERE { ?s kg:evidence ?e }", "--format", "csv"],
    ["query", "SELECT ?e WHERE { ?s kg:evidence ?e }", "--format", "json"],
    ["query", "CONSTRUCT { ?s kg:evidence ?e } WHERE { ?s kg:evidence ?e }"],
    ["export", "--format", "nq"],
    ["export", "--format", "jsonl"],
])
def test_security_article_text_never_reaches_the_terminal_raw(runner, hostile_store, args):
    result = runner.invoke(cli, [*args, "--store", str(hostile_store)])
    assert result.exit_code == 0, result.output[-500:]
    assert not any(c in result.output for c in UNSAFE)
    assert "\\u001b" in result.output.lower()  # escaped, not lost


@pytest.mark.parametrize("fmt", ["nq", "jsonl"])
def test_security_escaped_exports_read_back_as_the_same_text(runner, hostile_store, fmt):
    import json

    import pyoxigraph as ox

    result = runner.invoke(cli, ["export", "--format", fmt, "--store", str(hostile_store)])
    if fmt == "nq":
        texts = {q.object.value for q in ox.parse(result.output.encode("utf-8"), ox.RdfFormat.N_QUADS)
                 if q.predicate.value.endswith("#evidence")}
    else:
        texts = {json.loads(line)["sentence"] for line in result.output.splitlines()}
    assert texts and all(t.startswith(HOSTILE) for t in texts)


def test_security_unknown_actor_with_escapes_is_one_safe_line(runner, seeds_store_path):
    result = runner.invoke(cli, ["neighbors", "Arm\x1b]0;x\x07enia\nwarning: forged", "--store",
                                 str(seeds_store_path)])
    assert result.exit_code == 1
    line = one_error_line(result.output)
    assert not any(c in line for c in UNSAFE) and "forged" in line


@pytest.mark.timeout(120)
def test_security_a_newline_in_a_file_name_forges_no_warning(runner, tmp_path, blank_model):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.txt").write_text("Russia accused Armenia.", encoding="utf-8")
    (corpus / "empty\nwarning: all is well\x1b]0;x\x07.txt").write_bytes(b"")
    result = runner.invoke(cli, ["build", str(corpus), "--model", str(blank_model), "-q",
                                 "--store", str(tmp_path / "s")])
    assert result.exit_code == 3, result.output
    warnings = [line for line in result.output.splitlines() if line.startswith("warning:")]
    assert len(warnings) == 1 and "\\u000a" in warnings[0] and "\x1b" not in result.output


# -- -o FILE: devices, FIFOs, planted links


@pytest.mark.timeout(60)
def test_security_output_to_a_fifo_writes_it_and_keeps_it(runner, seeds_store_path, tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    received = []

    def read():
        with open(fifo, "rb") as f:
            received.append(f.read())

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    result = runner.invoke(cli, ["export", "--format", "nq", "-o", str(fifo), "--store", str(seeds_store_path)])
    reader.join(10)
    if reader.is_alive():  # kg never opened the FIFO: unblock the reader
        with open(fifo, "wb"):
            pass
    assert result.exit_code == 0, result.output
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
    assert received and received[0].count(b"\n") > 100


def test_security_output_to_a_device_writes_through_it(runner, seeds_store_path, tmp_path):
    link = tmp_path / "null"
    link.symlink_to(os.devnull)
    for args in (["export", "--format", "ttl"], ["export", "--format", "html"], ["graph", "Armenia"],
                 ["plot", "stance", "Russia", "Armenia"]):
        name = link if args[0] != "plot" else tmp_path / "null.png"
        if args[0] == "plot":
            name.symlink_to(os.devnull)
        result = runner.invoke(cli, [*args, "-o", str(name), "--store", str(seeds_store_path)])
        assert result.exit_code == 0, result.output
        assert name.is_symlink() and stat.S_ISCHR(os.stat(name).st_mode)


def test_security_a_planted_part_file_is_never_written_through(runner, seeds_store_path, tmp_path):
    victim = tmp_path / "victim"
    victim.write_text("precious\n")
    output = tmp_path / "graph.nq"
    (tmp_path / "graph.nq.part").symlink_to(victim)
    result = runner.invoke(cli, ["export", "--format", "nq", "-o", str(output), "--store", str(seeds_store_path)])
    assert result.exit_code == 0, result.output
    assert victim.read_text() == "precious\n"
    assert output.is_file() and not output.is_symlink() and output.stat().st_size > 1000
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".graph")] == []


@pytest.mark.parametrize("planted", ["write.lock", "kg-store.json.tmp"])
def test_security_planted_links_in_the_store_are_never_followed(tmp_path, planted):
    import pyoxigraph as ox

    victim = tmp_path / "victim"
    victim.write_text("precious\n")
    store = Store(tmp_path / "s")
    (tmp_path / "s").mkdir()
    (tmp_path / "s" / planted).symlink_to(victim)
    quad = ox.Quad(ox.NamedNode("https://x/a"), ox.NamedNode("https://x/b"), ox.Literal("1"),
                   ox.NamedNode("https://x/g"))
    try:
        with store.writer() as writer:
            writer.replace_graph(quad.graph_name, [quad])
    except KgError as exc:
        assert "symbolic link" in str(exc)
    assert victim.read_text() == "precious\n"


# -- queries that used to be tracebacks


def test_security_param_for_a_variable_the_query_lacks_is_named(runner, seeds_store_path):
    result = runner.invoke(cli, ["query", "SELECT ?a WHERE { ?a ?b ?c } LIMIT 1", "--param", "v=x",
                                 "--store", str(seeds_store_path)])
    assert result.exit_code == 1
    assert one_error_line(result.output) == ("Error: unknown parameter 'v': --param binds a variable the query "
                                             "selects, and this query's variables are ?a, ?b, ?c")


def test_security_query_file_that_is_not_utf8(runner, seeds_store_path, tmp_path):
    bad = tmp_path / "bad.rq"
    bad.write_bytes(b"SELECT \xff ?s WHERE { ?s ?p ?o }")
    result = runner.invoke(cli, ["query", str(bad), "--store", str(seeds_store_path)])
    assert result.exit_code == 1
    assert "is not UTF-8 text" in one_error_line(result.output)


def test_security_surrogate_escaped_param_is_one_line(seeds_store_path):
    result = subprocess.run([*KG, "query", "SELECT ?v WHERE { ?s ?p ?v } LIMIT 1", "--param",
                             os.fsencode("v=a") + b"\xff", "--store", str(seeds_store_path)],
                            capture_output=True, timeout=60)
    assert result.returncode == 1
    assert "not valid UTF-8" in one_error_line(result.stderr.decode())


def test_security_query_text_is_never_echoed_in_full(runner, seeds_store_path):
    result = runner.invoke(cli, ["query", "x" * 120_000, "--store", str(seeds_store_path)])
    assert result.exit_code == 1
    assert len(one_error_line(result.output)) < 700


@pytest.mark.parametrize("command", [["neighbors"], ["stance", "Russia"], ["query", "neighbors", "--param"]])
def test_security_a_huge_argument_is_shortened_in_the_error(runner, seeds_store_path, command):
    huge = "a" * 120_000
    args = [*command, f"actor={huge}"] if command[-1] == "--param" else [*command, huge]
    result = runner.invoke(cli, [*args, "--store", str(seeds_store_path)])
    assert result.exit_code == 1
    assert len(one_error_line(result.output)) < 700
