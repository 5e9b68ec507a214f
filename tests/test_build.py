"""Building real corpora: time budgets, progress, batches that survive interruption, workers that
die with the build, and no document silently replaced by another. Each test fails without its fix."""

import os
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from kg.build import build
from kg.store import Store
from tests import fake_workers
from tests.conftest import SEEDS

KG = [sys.executable, "-m", "kg.cli"]
SENTENCES = ["Kenya condemned Somalia.", "Ethiopia urged Eritrea to withdraw.", "Turkey met Greece.",
             "Russia accused the West.", "Chad accused Sudan of raids.", "Armenia met the EU."]


def write_corpus(folder: Path, count: int, prefix: str = "doc") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for k in range(count):
        (folder / f"{prefix}{k:03d}.txt").write_text(f"{SENTENCES[k % len(SENTENCES)]} Item {k}.", encoding="utf-8")
    return folder


def stored_ids(store_path: Path) -> list[str]:
    store = Store(store_path)
    try:
        rows = store.query("SELECT ?id WHERE { ?d a kg:Document ; dcterms:identifier ?id }")
        return sorted(row["id"].value for row in rows)
    finally:
        store.close()


# -- a time budget per document


@pytest.fixture
def slow_on_marker(monkeypatch):
    """An extractor that takes 30 s over any text containing SLOWDOWN: a stand-in for a pathological text."""
    from kg.extract.relations import RelationReader

    original = RelationReader.relations

    def relations(self, doc, *args, **kwargs):
        if "SLOWDOWN" in doc.text:
            time.sleep(30)
        return original(self, doc, *args, **kwargs)

    monkeypatch.setattr(RelationReader, "relations", relations)


def test_build_document_over_its_time_budget_is_skipped_and_the_build_goes_on(tmp_path, nlp, slow_on_marker):
    corpus = write_corpus(tmp_path / "corpus", 3)
    (corpus / "doc001.txt").write_text("SLOWDOWN. Kenya condemned Somalia.", encoding="utf-8")
    skipped = []
    started = time.monotonic()
    report = build([corpus], Store(tmp_path / "s"), nlp=nlp, doc_timeout=0.5, on_skip=skipped.append)
    assert time.monotonic() - started < 20
    assert (report.extracted, report.skipped) == (2, 1)
    assert [Path(s.path).name for s in skipped] == ["doc001.txt"]
    assert "longer than its time budget of 0.5 s" in skipped[0].reason
    assert stored_ids(tmp_path / "s") == ["doc000", "doc002"]


def test_build_cli_time_budget_warns_once_and_exits_3(runner, tmp_path, slow_on_marker):
    from kg.cli import cli

    corpus = write_corpus(tmp_path / "corpus", 2)
    (corpus / "slow.txt").write_text("SLOWDOWN. Turkey met Greece.", encoding="utf-8")
    result = runner.invoke(cli, ["build", str(corpus), "--doc-timeout", "0.5", "--store", str(tmp_path / "s")])
    assert result.exit_code == 3
    warnings = [line for line in result.output.splitlines() if line.startswith("warning:")]
    assert len(warnings) == 1 and "slow.txt" in warnings[0] and "--doc-timeout" in warnings[0]
    assert "built 2 documents (2 extracted, 0 unchanged, 1 skipped)" in result.output


def test_build_time_budget_scales_with_length_and_honours_an_outer_alarm():
    from kg.extract import DocumentTimeout, deadline, time_budget
    from kg.records import Document

    assert time_budget(Document("a", "x" * 100, ""), 5.0) == 5.0
    assert time_budget(Document("a", "x" * 20_000, ""), 5.0) == 100.0
    assert time_budget(Document("a", "x", ""), None) is None
    fired = []
    previous = signal.signal(signal.SIGALRM, lambda *_: fired.append(True))
    try:
        signal.setitimer(signal.ITIMER_REAL, 5.0)
        with pytest.raises(DocumentTimeout):
            with deadline(0.05):
                time.sleep(2)
        remaining = signal.getitimer(signal.ITIMER_REAL)[0]
        assert 3.0 < remaining <= 5.0  # the outer alarm is re-armed, less the time spent
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


# -- progress


def test_build_progress_in_a_log_is_a_status_line_now_and_then(tmp_path):
    result = subprocess.run([*KG, "build", str(SEEDS), "--store", str(tmp_path / "s"), "--status-every", "0.1"],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0
    lines = [line for line in result.stderr.splitlines() if line.startswith("kg build: ")]
    assert lines, result.stderr
    assert re.fullmatch(r"kg build: \d+ of 5 documents \(\d+%\), [\d.]+/s, 0 skipped, 0:\d\d elapsed", lines[-1])
    assert "built 5 documents" in result.stdout


def test_build_quiet_shows_no_progress(tmp_path):
    result = subprocess.run([*KG, "build", str(SEEDS), "--store", str(tmp_path / "s"), "--status-every", "0.1",
                             "--quiet"], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0 and result.stderr == ""


def test_build_progress_bar_on_a_terminal(tmp_path):
    import pty

    leader, follower = pty.openpty()
    process = subprocess.Popen([*KG, "build", str(SEEDS), "--store", str(tmp_path / "s")],
                               stdout=subprocess.DEVNULL, stderr=follower)
    os.close(follower)
    output = b""
    while True:
        try:
            chunk = os.read(leader, 4096)
        except OSError:  # the terminal closed with the process
            break
        if not chunk:
            break
        output += chunk
    os.close(leader)
    assert process.wait(timeout=120) == 0
    text = output.decode("utf-8", "replace")
    assert "building" in text and "5/5" in text and "kg build: " not in text


# -- batches: an interruption keeps whole batches, and the next build goes on from there


def test_build_interrupted_keeps_whole_batches_and_the_next_build_resumes(tmp_path, nlp):
    corpus = write_corpus(tmp_path / "corpus", 7)
    store = tmp_path / "s"

    def interrupt_after_five(report):
        if report.extracted == 5:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        build([corpus], Store(store), nlp=nlp, batch_documents=2, on_progress=interrupt_after_five)
    assert stored_ids(store) == ["doc000", "doc001", "doc002", "doc003"]  # two whole batches, not the fifth
    report = build([corpus], Store(store), nlp=nlp)
    assert (report.unchanged, report.extracted) == (4, 3)
    assert stored_ids(store) == [f"doc{k:03d}" for k in range(7)]


def test_build_readers_see_each_batch_as_it_is_committed(tmp_path, nlp):
    corpus = write_corpus(tmp_path / "corpus", 6)
    store = tmp_path / "s"
    seen = []

    def look(report):
        if report.extracted in (3, 5):
            seen.append(len(stored_ids(store)))

    build([corpus], Store(store), nlp=nlp, batch_documents=2, on_progress=look)
    assert seen == [2, 4]


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def _cmdline(pid: int) -> bytes:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:  # ended meanwhile
        return b""


def _start_workers_build(tmp_path, count=1000):
    corpus = write_corpus(tmp_path / "corpus", count)
    store = tmp_path / "s"
    # Ctrl-C as at a terminal: a test run started in the background (`make test &`) ignores SIGINT,
    # and a child would inherit that (as `nohup kg build &` should)
    process = subprocess.Popen([*KG, "build", str(corpus), "--store", str(store), "--workers", "2",
                                "--commit-every", "20", "--quiet"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    deadline = time.monotonic() + 90
    workers: list[int] = []
    while time.monotonic() < deadline and process.poll() is None:
        # the spawned workers, not Python's resource tracker (multiprocessing.resource_tracker)
        workers = [pid for pid in _children(process.pid) if b"multiprocessing.spawn" in _cmdline(pid)]
        if len(workers) >= 2 and (store / "kg-store.json").exists():
            break
        time.sleep(0.05)
    assert process.poll() is None and len(workers) >= 2, "the build did not reach its workers"
    return process, workers, store


@pytest.mark.timeout(240)
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
@pytest.mark.parametrize("how", ["SIGKILL", "SIGTERM", "SIGINT"])
def test_build_workers_die_with_the_build_and_free_the_store(tmp_path, how):
    process, workers, store = _start_workers_build(tmp_path)
    assert process.poll() is None, "the build ended before it could be stopped"
    stopped = time.monotonic()
    if how == "SIGINT":  # Ctrl-C at a terminal reaches the whole foreground process group
        process.send_signal(signal.SIGINT)
        for pid in workers:
            os.kill(pid, signal.SIGINT)
    else:
        process.send_signal(getattr(signal, how))
    process.wait(timeout=30)
    waited = time.monotonic() - stopped
    deadline = time.monotonic() + 10
    while any(_alive(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not any(_alive(pid) for pid in workers), f"orphan workers after {how}"
    if how != "SIGKILL":
        stderr = process.stderr.read()
        assert process.returncode == 130 and waited < 5, stderr[-2000:]
        assert stderr.count("\n") == 1 and "interrupted" in stderr and "Traceback" not in stderr
    kept = stored_ids(store)
    assert len(kept) % 20 == 0  # whole batches only
    again = subprocess.run([*KG, "build", str(tmp_path / "corpus"), "--store", str(store), "--quiet"],
                           capture_output=True, text=True, timeout=200)
    assert again.returncode == 0, again.stderr  # the lock went with the build
    assert f"({1000 - len(kept)} extracted, {len(kept)} unchanged)" in again.stdout


@pytest.mark.timeout(240)
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_build_goes_on_when_a_worker_is_killed_and_loses_nothing(tmp_path):
    # the kernel's out-of-memory killer, or a crash: before, the dead worker's batch was waited for ever
    process, workers, store = _start_workers_build(tmp_path, count=300)
    os.kill(workers[0], signal.SIGKILL)
    out, err = process.communicate(timeout=200)
    assert process.returncode == 0, err[-2000:]
    assert "(300 extracted, 0 unchanged)" in out and "warning" not in err
    assert len(stored_ids(store)) == 300


@pytest.mark.timeout(240)
def test_workers_skip_only_the_document_that_kills_its_worker():
    from kg.extract.workers import DIED, extract_in_workers
    from kg.records import Document

    texts = [f"{SENTENCES[k % len(SENTENCES)]} Item {k}." for k in range(40)]
    texts[20] = "CRASH. Turkey met Greece."
    documents = [Document(f"doc{k:02d}", text, str(k)) for k, text in enumerate(texts)]
    extractions = list(extract_in_workers(documents, 2, serve=fake_workers.serve_crashing_on_marker))
    assert [e.document.id for e in extractions] == [d.id for d in documents]  # all, in input order
    assert [e.document.id for e in extractions if e.failure] == ["doc20"]
    assert extractions[20].failure == DIED
    assert all(e.relations for k, e in enumerate(extractions) if k != 20)


@pytest.mark.timeout(240)
def test_workers_that_only_parse_skip_the_document_that_kills_theirs_and_the_build_reads_the_rest(extractor):
    from kg.extract.workers import DIED, extract_in_workers
    from kg.records import Document

    texts = [f"{SENTENCES[k % len(SENTENCES)]} Item {k}." for k in range(40)]
    texts[20] = "CRASH. Turkey met Greece."
    documents = [Document(f"doc{k:02d}", text, str(k)) for k, text in enumerate(texts)]
    extractions = list(extract_in_workers(documents, 1, serve=fake_workers.serve_parses_crashing_on_marker,
                                          reader=lambda: extractor))
    assert [e.document.id for e in extractions] == [d.id for d in documents]  # all, in input order
    assert [e.document.id for e in extractions if e.failure] == ["doc20"]
    assert extractions[20].failure == DIED
    expected = list(extractor.extract(documents[:20] + documents[21:]))
    assert extractions[:20] + extractions[21:] == expected and all(e.relations for e in expected)


@pytest.mark.timeout(240)
def test_workers_that_only_parse_read_a_long_document_themselves(extractor):
    from kg.extract.workers import extract_in_workers
    from kg.records import Document

    class Noting:  # the build's reader, noting what the worker sent
        came: list[str] = []

        def read(self, parses, doc_timeout=None):
            def noted():
                for parsed in parses:
                    self.came.append(type(parsed).__name__)
                    yield parsed
            return extractor.read(noted(), doc_timeout)

    texts = ["Kenya condemned Somalia.", "Ethiopia urged Eritrea to withdraw. " * 3, "Turkey met Greece."]
    documents = [Document(f"doc{k}", text, str(k)) for k, text in enumerate(texts)]
    reader = Noting()
    extractions = list(extract_in_workers(documents, 1, serve=fake_workers.serve_parses_sending_only_short_ones,
                                          reader=lambda: reader))
    assert reader.came == ["Parsed", "Extraction", "Parsed"]  # the long one (60 characters or more) read there
    assert extractions == list(extractor.extract(documents)) and all(e.relations for e in extractions)


def numbered(texts):
    from kg.records import Document

    return [Document(f"d{k:04d}", text, str(k)) for k, text in enumerate(texts)]


@pytest.mark.timeout(120)
def test_workers_read_again_as_they_were_the_batches_a_dead_worker_had_not_begun():
    from kg.extract.workers import extract_in_workers

    # d0003 kills its worker: its batch is read again a document at a time by the next, which dies
    # after answering d0007 (as the out-of-memory killer could kill it) holding d0008 and the rest,
    # unread; d0040's worker does the same between two whole batches
    texts = [f"fine {k}" for k in range(64)]
    texts[3], texts[7], texts[40] = "CRASH", "EXIT", "EXIT"
    documents = numbered(texts)
    extractions = list(extract_in_workers(documents, 2, batch=16, serve=fake_workers.serve_by_marker))
    assert [e.document.id for e in extractions] == [d.id for d in documents]
    assert [e.document.id for e in extractions if e.failure] == ["d0003"]


@pytest.mark.timeout(120)
def test_workers_skip_a_run_of_documents_that_each_kill_their_worker():
    from kg.extract.workers import DIED, extract_in_workers

    documents = numbered(["CRASH" if 20 <= k < 26 else f"fine {k}" for k in range(48)])
    extractions = list(extract_in_workers(documents, 2, serve=fake_workers.serve_by_marker))
    assert [e.document.id for e in extractions] == [d.id for d in documents]
    assert [e.document.id for e in extractions if e.failure == DIED] == [f"d{k:04d}" for k in range(20, 26)]


@pytest.mark.timeout(120)
def test_workers_leave_ctrl_c_and_sigterm_to_the_build_while_one_starts(monkeypatch):
    import multiprocessing.context
    import multiprocessing.resource_tracker

    from kg.extract.workers import extract_in_workers

    # as in a fresh kg build: the first worker's start also launches Python's resource tracker,
    # which unblocks SIGINT and SIGTERM when it has started (a Ctrl-C then was lost)
    multiprocessing.resource_tracker._resource_tracker._stop()
    held = {signal.SIGINT, signal.SIGTERM}
    during = []
    start = multiprocessing.context.SpawnProcess.start

    def started(self):
        start(self)
        during.append(held <= signal.pthread_sigmask(signal.SIG_BLOCK, []))

    monkeypatch.setattr(multiprocessing.context.SpawnProcess, "start", started)
    handlers = [signal.getsignal(signum) for signum in held]  # SIGINT is ignored where make runs in the background
    extractions = list(extract_in_workers(numbered(["fine 1", "fine 2"]), 1, serve=fake_workers.serve_by_marker))
    assert len(extractions) == 2
    assert during == [True]  # held until the worker had its setup: they reach the build after
    assert not held & signal.pthread_sigmask(signal.SIG_BLOCK, [])
    assert [signal.getsignal(signum) for signum in held] == handlers


@pytest.mark.timeout(120)
def test_workers_a_ctrl_c_while_one_starts_reaches_the_build_once_it_has_started(monkeypatch):
    import multiprocessing.context

    from kg.extract.workers import extract_in_workers

    start, started = multiprocessing.context.SpawnProcess.start, []

    def interrupted(self):
        start(self)
        os.kill(os.getpid(), signal.SIGINT)  # to the process: any of its threads may take it
        started.append(self.pid)

    monkeypatch.setattr(multiprocessing.context.SpawnProcess, "start", interrupted)
    # another thread, as a build has (its bulk loads, its workers' answers), which the kernel may
    # hand a signal sent to the process while the starting thread blocks it
    threading.Thread(target=time.sleep, args=(2,), daemon=True).start()
    handler = signal.signal(signal.SIGINT, signal.default_int_handler)  # as in a terminal (make may run with it ignored)
    try:
        with pytest.raises(KeyboardInterrupt):
            list(extract_in_workers(numbered(["fine 1"]), 1, serve=fake_workers.serve_by_marker))
        assert len(started) == 1  # the start was not cut short: the worker had its setup
        assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
    finally:
        signal.signal(signal.SIGINT, handler)


@pytest.mark.timeout(120)
def test_workers_read_little_ahead_of_a_slow_document():
    from kg.extract import workers
    from kg.extract.workers import extract_in_workers

    pulled = []

    def documents():
        for document in numbered(["SLEEP:2"] + [f"fine {k}" for k in range(1, 1000)]):
            pulled.append(document.id)
            yield document

    extractions = extract_in_workers(documents(), 2, serve=fake_workers.serve_by_marker)
    first = next(extractions)
    # not the whole corpus: the batches held by the workers and done behind the slow one, and one more
    assert first.document.id == "d0000" and len(pulled) <= workers.BATCH * (workers.AHEAD * 2 + 2 * 2 + 1)
    assert len(list(extractions)) == 999


@pytest.mark.timeout(120)
def test_workers_that_die_as_they_start_stop_the_build_with_one_line(tmp_path, runner, monkeypatch):
    from kg.cli import cli
    from kg.errors import WorkersDied
    from kg.extract import workers
    from kg.records import Document

    with pytest.raises(WorkersDied, match="died as they started"):
        list(workers.extract_in_workers([Document("a", "Turkey met Greece.", "0")], 2, serve=fake_workers.serve_dying_at_once))
    real = workers.extract_in_workers
    monkeypatch.setattr(workers, "extract_in_workers",
                        lambda *args, **kwargs: real(*args, **kwargs, serve=fake_workers.serve_dying_at_once))
    monkeypatch.setattr("kg.extract.extract_in_workers", workers.extract_in_workers)
    result = runner.invoke(cli, ["build", str(write_corpus(tmp_path / "c", 3)), "--workers", "2",
                                 "--store", str(tmp_path / "s")])
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert result.output.count("\n") == 1 and "worker processes in a row died as they started" in result.output


# -- a document's identity: never silently replaced by another file's


def test_build_same_file_name_in_two_folders_keeps_both(runner, tmp_path):
    from kg.cli import cli

    for month, text in (("jan", "Kenya condemned Somalia."), ("feb", "Turkey met Greece.")):
        (tmp_path / month).mkdir()
        (tmp_path / month / "report.txt").write_text(text, encoding="utf-8")
    store = str(tmp_path / "s")
    first = runner.invoke(cli, ["build", str(tmp_path / "jan"), "--store", store])
    second = runner.invoke(cli, ["build", str(tmp_path / "feb"), "--store", store])
    assert first.exit_code == second.exit_code == 0
    assert "note: " in second.output and "kept as 'feb/report'" in second.output
    assert stored_ids(tmp_path / "s") == ["feb/report", "report"]
    again = runner.invoke(cli, ["build", str(tmp_path / "jan"), str(tmp_path / "feb"), "--store", store])
    assert "(0 extracted, 2 unchanged)" in again.output and "note:" not in again.output


def test_build_feeds_without_ids_in_two_folders_keep_both(tmp_path, nlp):
    for month, text in (("jan", "Kenya condemned Somalia."), ("feb", "Turkey met Greece.")):
        (tmp_path / month).mkdir()
        (tmp_path / month / "feed.jsonl").write_text(f'{{"text": "{text}"}}\n', encoding="utf-8")
    notes = []
    build([tmp_path / "jan", tmp_path / "feb"], Store(tmp_path / "s"), nlp=nlp, on_note=notes.append)
    assert stored_ids(tmp_path / "s") == ["feb/feed-1", "feed-1"] and len(notes) == 1


def test_build_changed_file_replaces_its_own_document(tmp_path, nlp):
    corpus = tmp_path / "jan"
    corpus.mkdir()
    (corpus / "report.txt").write_text("Kenya condemned Somalia.", encoding="utf-8")
    build([corpus], Store(tmp_path / "s"), nlp=nlp)
    (corpus / "report.txt").write_text("Turkey met Greece.", encoding="utf-8")
    report = build([corpus], Store(tmp_path / "s"), nlp=nlp)
    assert report.extracted == 1 and stored_ids(tmp_path / "s") == ["report"]


# -- files that are not files, names and lines that are not text


@pytest.mark.timeout(60)
def test_build_fifo_and_hostile_names_neither_hang_nor_trace(tmp_path):
    corpus = write_corpus(tmp_path / "corpus", 1)
    os.mkfifo(corpus / "pipe.txt")
    os.symlink("/dev/zero", corpus / "zero.txt")
    (corpus / "deep.jsonl").write_text("[" * 100_000 + "]" * 100_000 + "\n", encoding="utf-8")
    with open(os.fsencode(corpus) + b"/caf\xe9.txt", "w", encoding="utf-8") as f:
        f.write("Chad accused Sudan of raids.")
    result = subprocess.run([*KG, "build", str(corpus), "--store", str(tmp_path / "s")],
                            capture_output=True, text=True, timeout=50)
    assert result.returncode == 3, result.stderr
    assert "Traceback" not in result.stderr
    warnings = result.stderr.splitlines()
    assert len(warnings) == 3 and all(w.startswith("warning: skipped ") for w in warnings)
    assert "built 2 documents (2 extracted, 0 unchanged, 3 skipped)" in result.stdout


def test_build_malformed_manifest_is_one_error_line(tmp_path):
    corpus = write_corpus(tmp_path / "corpus", 1)
    (corpus / "corpus.json").write_text('{"exclude": "gold/*", "documents": []}', encoding="utf-8")
    result = subprocess.run([*KG, "build", str(corpus), "--store", str(tmp_path / "s")],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 1 and result.stderr.count("\n") == 1
    assert result.stderr.startswith("Error: ") and "corpus.json" in result.stderr


# -- the bulk path: a fresh graph is loaded batch by batch through the bulk loader


def test_build_fresh_graph_loads_in_bulk_and_holds_what_an_incremental_build_holds(tmp_path, nlp, monkeypatch):
    from kg.store import EmbeddedWriter as Writer

    loads = []
    change = Writer.change

    def recording(self, removed, added, bulk=False):
        added = list(added)
        loads.append((bulk, sum(1 for q in added if q.predicate.value.endswith("#sha256"))))
        return change(self, removed, added, bulk)

    monkeypatch.setattr(Writer, "change", recording)
    corpus = write_corpus(tmp_path / "corpus", 7)
    build([corpus], Store(tmp_path / "fresh"), nlp=nlp, batch_documents=3)
    assert [n for bulk, n in loads if bulk and n] == [3, 3, 1]  # each batch's documents in one bulk load
    loads.clear()
    growing = write_corpus(tmp_path / "growing", 3)
    build([growing], Store(tmp_path / "grown"), nlp=nlp)
    loads.clear()
    build([write_corpus(growing, 7)], Store(tmp_path / "grown"), nlp=nlp, batch_documents=3)
    assert not [n for bulk, n in loads if n]  # added to a graph: one transaction per document

    def quads(path):
        return {str(q).replace("/growing/", "/corpus/") for q in Store(path).quads()}

    assert quads(tmp_path / "fresh") == quads(tmp_path / "grown")


def test_build_hands_a_batch_to_the_loader_in_lots_while_it_reads_and_stores_the_same_graph(tmp_path, nlp,
                                                                                             monkeypatch):
    import kg.build
    from kg.store import EmbeddedWriter as Writer

    corpus = write_corpus(tmp_path / "corpus", 7)
    build([corpus], Store(tmp_path / "whole"), nlp=nlp, batch_documents=3)
    loads = []
    change = Writer.change

    def recording(self, removed, added, bulk=False):
        added = list(added)
        loads.append(sum(1 for q in added if bulk and q.predicate.value.endswith("#sha256")))
        return change(self, removed, added, bulk)

    monkeypatch.setattr(Writer, "change", recording)
    monkeypatch.setattr(kg.build, "HAND_QUADS", 1)  # a lot as soon as the loader is free
    build([corpus], Store(tmp_path / "lots"), nlp=nlp, batch_documents=3)
    lots = [n for n in loads if n]
    assert sum(lots) == 7 and len(lots) > 3  # the first document of a batch always goes alone

    def quads(path):
        return {str(q) for q in Store(path).quads()}

    assert quads(tmp_path / "lots") == quads(tmp_path / "whole")


def test_build_leaves_one_generation_and_no_write_ahead_log_behind(tmp_path, nlp):
    store = tmp_path / "s"

    def logs(generation):
        return {p.name: p.stat().st_size for p in (store / generation).glob("*.log")}

    build([SEEDS], Store(store), nlp=nlp, batch_documents=2)
    assert sorted(p.name for p in store.iterdir() if p.is_dir()) == ["gen-000003"]
    assert sum(logs("gen-000003").values()) < 4096, logs("gen-000003")  # a checkpoint copies a live log
    build([write_corpus(tmp_path / "more", 3)], Store(store), nlp=nlp)
    assert sorted(p.name for p in store.iterdir() if p.is_dir()) == ["gen-000004"]
    assert sum(logs("gen-000004").values()) < 4096, logs("gen-000004")


# -- a build that adds to a large store parses apart from the end step


def test_store_tells_its_size_on_disk(tmp_path, seeds_store_path):
    assert Store(tmp_path / "none").size_on_disk() is None
    size = Store(seeds_store_path).size_on_disk()
    generation = seeds_store_path / Store(seeds_store_path).pointer()["generation"]
    assert size == sum(p.stat().st_size for p in generation.iterdir() if p.is_file()) > 0


def test_build_again_in_the_process_of_one_stopped_with_its_working_copy_held_in_a_cycle(tmp_path, nlp,
                                                                                         monkeypatch):
    # Ctrl-C in a notebook: the stopped build's frames (and an iterator over its working copy) stay
    # alive until the garbage collector frees them, after the next build has made its own copy
    import kg.build

    corpus = [str(SEEDS), str(write_corpus(tmp_path / "items", 30))]
    build(corpus, Store(tmp_path / "reference"), nlp=nlp)
    build([str(SEEDS)], Store(tmp_path / "s"), nlp=nlp)
    recount = kg.build.recount

    def stopped(writer, *args, **kwargs):
        held = {"iterator": writer.quads_for_pattern()}
        held["itself"] = held
        next(held["iterator"])
        raise KeyboardInterrupt

    monkeypatch.setattr(kg.build, "recount", stopped)
    with pytest.raises(KeyboardInterrupt):
        build(corpus, Store(tmp_path / "s"), nlp=nlp, batch_documents=5)
    monkeypatch.setattr(kg.build, "recount", recount)
    for _ in range(2):
        build(corpus, Store(tmp_path / "s"), nlp=nlp)
        assert sorted(map(str, Store(tmp_path / "s").quads())) == sorted(map(str, Store(tmp_path / "reference").quads()))


def test_build_left_to_choose_parses_beside_itself_with_two_cores_and_enough_to_read(tmp_path, nlp, monkeypatch):
    import kg.build
    import kg.extract

    corpus = write_corpus(tmp_path / "corpus", 6)
    chars = sum(len(path.read_text(encoding="utf-8")) for path in corpus.iterdir())
    calls = []
    extractor = kg.extract.Extractor

    def spied(stream, workers, reader=None, **kwargs):  # reads in this process: what is checked is the choice
        calls.append((workers, "reads the parses" if reader else "the worker reads"))
        return extractor(nlp=nlp).extract(stream)

    monkeypatch.setattr(kg.extract, "extract_in_workers", spied)
    shared = nlp  # the model loaded once for the tests stands in for the one a build loads
    monkeypatch.setattr(kg.extract, "Extractor", lambda nlp=None, **options: extractor(nlp=nlp or shared, **options))
    chosen = {}
    for case, (cores, limit, workers) in {
        "two cores, enough to read": (2, chars, None),
        "one core": (1, chars, None),
        "too little to read": (2, chars + 1, None),
        "--workers 1": (2, chars, 1),
    }.items():
        monkeypatch.setattr(kg.build, "cores", lambda: cores)
        monkeypatch.setattr(kg.build, "APART_CHARS", limit)
        calls.clear()
        report = build([corpus], Store(tmp_path / case), workers=workers)
        assert report.extracted == 6
        chosen[case] = calls[:]
    assert chosen == {"two cores, enough to read": [(1, "reads the parses")], "one core": [], "too little to read": [],
                      "--workers 1": []}
    assert stored_ids(tmp_path / "two cores, enough to read") == stored_ids(tmp_path / "one core")


def test_build_from_empty_parsed_in_a_worker_writes_what_one_parsed_here_writes(tmp_path, nlp, monkeypatch):
    import kg.build

    corpus = write_corpus(tmp_path / "corpus", 8)
    monkeypatch.setattr(kg.build, "cores", lambda: 2)
    monkeypatch.setattr(kg.build, "APART_CHARS", 1)
    build([corpus], Store(tmp_path / "here"), nlp=nlp)
    build([corpus], Store(tmp_path / "apart"), workers=None)  # a real worker process, with its own model
    dump = "SELECT ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } FILTER(?p != prov:generatedAtTime) }"
    rows = {how: sorted(tuple(str(term) for term in row) for row in Store(tmp_path / how).query(dump))
            for how in ("here", "apart")}
    assert rows["apart"] == rows["here"] and len(rows["here"]) > 100


def test_build_help_gives_the_amount_of_text_a_worker_is_started_for():
    from click.testing import CliRunner

    import kg.build
    from kg.cli import cli

    help_text = " ".join(CliRunner().invoke(cli, ["build", "--help"]).output.split())
    assert f"{kg.build.APART_CHARS:,} characters" in help_text


def test_build_adding_to_a_large_store_parses_in_a_worker_and_writes_the_same(tmp_path, nlp, monkeypatch):
    import kg.build
    import kg.extract

    first, added = write_corpus(tmp_path / "first", 4), write_corpus(tmp_path / "added", 6, prefix="new")
    calls = []
    in_workers = kg.extract.extract_in_workers

    def spied(*args, **kwargs):
        calls.append((args[1], kwargs.get("reader")))
        return in_workers(*args, **kwargs)

    monkeypatch.setattr(kg.extract, "extract_in_workers", spied)
    stores = {}
    for how, limit in (("in-process", 1 << 62), ("apart", 0)):
        monkeypatch.setattr(kg.build, "PARSE_APART_BYTES", limit)
        stores[how] = tmp_path / how
        build([first], Store(stores[how]), nlp=nlp)
        report = build([first, added], Store(stores[how]), nlp=nlp if how == "in-process" else None)
        assert (report.extracted, report.unchanged) == (6, 4)
    # one worker process, for the build that added to the "large" store, which reads the parses too:
    # the build's process, beside a large store, never loads spaCy
    assert calls == [(1, None)]
    dump = "SELECT ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } FILTER(?p != prov:generatedAtTime) }"
    rows = {how: sorted(tuple(str(term) for term in row) for row in Store(path).query(dump))
            for how, path in stores.items()}
    assert rows["apart"] == rows["in-process"]
