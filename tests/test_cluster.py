"""Distributed extraction: kg build --cluster on a real dask.distributed cluster of two worker processes
on this machine gives the store one process gives, reports the documents it could not read, and
stops cleanly."""

import logging
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from kg.cli import cli
from tests.conftest import SEEDS
from tests.test_build import KG, stored_ids, write_corpus


@pytest.fixture(scope="module")
def cluster():
    """A LocalCluster of two worker processes on 127.0.0.1, and a client to look into it."""
    distributed = pytest.importorskip("distributed", reason="dask.distributed is not installed "
                                                            "(pip install 'kg[cluster]')")
    try:
        local = distributed.LocalCluster(n_workers=2, processes=True, threads_per_worker=1, host="127.0.0.1",
                                         dashboard_address="127.0.0.1:0", silence_logs=logging.ERROR)
        client = distributed.Client(local, set_as_default=False)
        client.wait_for_workers(2, timeout=120)
    except Exception as exc:  # noqa: BLE001 - a machine where worker processes cannot start
        pytest.skip(f"a local Dask cluster could not start here: {exc}")
    yield client
    client.close()
    local.close()


def export_jsonl(runner, store: Path) -> list[str]:
    result = runner.invoke(cli, ["export", "--format", "jsonl", "--store", str(store)])
    assert result.exit_code == 0, result.output
    return result.output.splitlines()


@pytest.mark.timeout(300)
def test_cluster_build_gives_the_relations_of_one_process(runner, cluster, seeds_store_path, tmp_path):
    from kg.store import Store

    store = tmp_path / "s"
    result = runner.invoke(cli, ["build", str(SEEDS), "--cluster", cluster.scheduler.address, "--store", str(store)])
    assert result.exit_code == 0, result.output
    assert "built 5 documents (5 extracted, 0 unchanged), 68 relations" in result.output
    relations = export_jsonl(runner, store)
    assert len(relations) == 68 and relations == export_jsonl(runner, seeds_store_path)
    assert sorted(map(str, Store(store).quads())) == sorted(map(str, Store(seeds_store_path).quads()))
    again = runner.invoke(cli, ["build", str(SEEDS), "--cluster", cluster.scheduler.address, "--store", str(store)])
    assert "(0 extracted, 5 unchanged)" in again.output


def _slow_or_failing_documents():
    """In a worker process: reading a text with SLOWDOWN spins for 30 s, with EXPLODE it raises."""
    from kg.extract.relations import RelationReader

    original = RelationReader.__dict__["relations"]

    def relations(self, doc, *args, **kwargs):
        if "SLOWDOWN" in doc.text:
            end = time.monotonic() + 30
            while time.monotonic() < end:  # Python work, as a pathological text's reading is
                pass
        if "EXPLODE" in doc.text:
            raise ValueError("a stand-in for a bug")
        return original(self, doc, *args, **kwargs)

    relations.original = original
    RelationReader.relations = relations


def _as_before():
    from kg.extract.relations import RelationReader

    RelationReader.relations = getattr(RelationReader.relations, "original", RelationReader.relations)


@pytest.mark.timeout(300)
def test_cluster_documents_over_their_budget_or_failing_are_skipped_and_named(runner, cluster, tmp_path):
    corpus = write_corpus(tmp_path / "corpus", 3)
    (corpus / "slow.txt").write_text("SLOWDOWN. Turkey met Greece.", encoding="utf-8")
    (corpus / "bug.txt").write_text("EXPLODE. Kenya condemned Somalia.", encoding="utf-8")
    cluster.run(_slow_or_failing_documents)
    try:
        started = time.monotonic()
        result = runner.invoke(cli, ["build", str(corpus), "--cluster", cluster.scheduler.address,
                                     "--doc-timeout", "0.5", "--store", str(tmp_path / "s")])
    finally:
        cluster.run(_as_before)
    assert time.monotonic() - started < 25  # the slow document was given up, not waited for
    assert result.exit_code == 3, result.output
    warnings = sorted(line for line in result.output.splitlines() if line.startswith("warning:"))
    assert len(warnings) == 2
    assert "bug.txt" in warnings[0] and "the extractor failed on it (ValueError: a stand-in for a bug)" in warnings[0]
    assert "slow.txt" in warnings[1] and "longer than its time budget of 0.5 s (--doc-timeout)" in warnings[1]
    assert "built 3 documents (3 extracted, 0 unchanged, 2 skipped)" in result.output
    assert stored_ids(tmp_path / "s") == ["doc000", "doc001", "doc002"]


class CrashOnMarker:
    """A worker plugin: on every worker, also those started later, reading a text with CRASH kills
    the worker process, as a segfault in a parser would."""

    name = "crash-on-marker"

    def setup(self, worker):
        from kg.extract.relations import RelationReader

        original = RelationReader.relations

        def relations(self, doc, *args, **kwargs):
            if "CRASH" in doc.text:
                os._exit(1)
            return original(self, doc, *args, **kwargs)

        relations.original = original
        RelationReader.relations = relations

    def teardown(self, worker):
        _as_before()


@pytest.mark.timeout(300)
def test_cluster_a_document_that_kills_its_worker_skips_its_batch(runner, cluster, tmp_path):
    from distributed.diagnostics.plugin import WorkerPlugin

    corpus = write_corpus(tmp_path / "corpus", 40)
    (corpus / "doc020.txt").write_text("CRASH. Turkey met Greece.", encoding="utf-8")
    cluster.register_plugin(type("Crash", (CrashOnMarker, WorkerPlugin), {})())
    try:
        result = runner.invoke(cli, ["build", str(corpus), "--cluster", cluster.scheduler.address,
                                     "--store", str(tmp_path / "s")])
    finally:
        cluster.unregister_worker_plugin(CrashOnMarker.name)
    assert result.exit_code == 3, result.output
    warnings = [line for line in result.output.splitlines() if line.startswith("warning:")]
    assert len(warnings) == 16 and all("a cluster worker died while reading it" in w for w in warnings)
    assert any("doc020.txt" in w for w in warnings)
    assert len(stored_ids(tmp_path / "s")) == 24
    again = runner.invoke(cli, ["build", str(corpus), "--cluster", cluster.scheduler.address,
                                "--store", str(tmp_path / "s")])
    assert "(16 extracted, 24 unchanged)" in again.output  # the batch is read again, the worker is well


@pytest.mark.timeout(300)
def test_cluster_workers_read_with_the_builds_gazetteer(runner, cluster, tmp_path):
    (tmp_path / "groups.tsv").write_text("id\tlabel\ttype\twikidata\taliases\n"
                                         "Lakeside_Front\tLakeside Front\tGroup\t\tthe Front\n", encoding="utf-8")
    (tmp_path / "news.txt").write_text("The Lakeside Front attacked Uganda.\n", encoding="utf-8")
    store = str(tmp_path / "s")
    result = runner.invoke(cli, ["build", str(tmp_path / "news.txt"), "--store", store, "--quiet",
                                 "--cluster", cluster.scheduler.address, "--gazetteer", str(tmp_path / "groups.tsv")])
    assert result.exit_code == 0, result.output
    front = runner.invoke(cli, ["neighbors", "Lakeside Front", "--store", store, "--format", "csv"])
    assert "Uganda,ASSAULT,out,1,conflict" in front.output


@pytest.mark.timeout(300)
def test_cluster_keeps_a_bounded_number_of_documents_in_flight(cluster):
    from kg.cluster import BATCH_DOCUMENTS, IN_FLIGHT_PER_THREAD, extract_on_cluster
    from kg.records import Document

    read = []

    def documents():
        for k in range(200):
            read.append(k)
            yield Document(f"d{k}", "Kenya condemned Somalia.", str(k))

    ahead = []
    extractions = extract_on_cluster(documents(), cluster.scheduler.address, doc_timeout=5.0)
    for done, extraction in enumerate(extractions, start=1):
        assert extraction.document.id == f"d{done - 1}"  # in input order
        assert [(r.source.label, r.type, r.target.label) for r in extraction.relations] == [
            ("Kenya", "ACCUSE", "Somalia")]
        ahead.append(len(read) - done)
    assert len(read) == 200
    # two worker threads: at most two batches each out, and the one being gathered
    assert max(ahead) <= (2 * IN_FLIGHT_PER_THREAD + 1) * BATCH_DOCUMENTS
    assert cluster.run_on_scheduler(lambda dask_scheduler: len(dask_scheduler.tasks)) == 0


@pytest.mark.timeout(120)
def test_cluster_a_stopped_build_leaves_tornado_quiet_for_distributeds_late_callbacks(cluster):
    import logging

    from kg.cluster import extract_on_cluster
    from kg.records import Document

    # distributed.utils.sync's cancel, run on its loop after Ctrl-C, can raise NameError, which
    # tornado logs with a traceback: after a stop, tornado's loggers stay quiet
    tornado, scheduler = logging.getLogger("tornado.application"), logging.getLogger("distributed.scheduler")
    for logger in (tornado, logging.getLogger("tornado")):
        logger.setLevel(logging.NOTSET)  # as a process that has stopped no cluster build has them
    documents = [Document(f"d{k}", "Kenya condemned Somalia.", str(k)) for k in range(200)]
    before = scheduler.level
    assert len(list(extract_on_cluster(documents[:3], cluster.scheduler.address))) == 3
    assert tornado.getEffectiveLevel() < logging.CRITICAL and scheduler.level == before  # as they were
    extractions = extract_on_cluster(documents, cluster.scheduler.address)
    next(extractions)
    with pytest.raises(KeyboardInterrupt):
        extractions.throw(KeyboardInterrupt)
    assert tornado.getEffectiveLevel() == logging.CRITICAL and scheduler.level == before


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.timeout(60)
def test_cluster_unreachable_scheduler_is_one_line_and_writes_nothing(runner, tmp_path):
    pytest.importorskip("distributed", reason="dask.distributed is not installed (pip install 'kg[cluster]')")
    address = f"tcp://127.0.0.1:{_closed_port()}"
    result = runner.invoke(cli, ["build", str(SEEDS), "--cluster", address, "--store", str(tmp_path / "s")])
    assert result.exit_code == 1
    assert result.output == (f"Error: cannot reach a Dask scheduler at {address} (Connection refused): start one "
                             f"with 'dask scheduler' and workers with 'dask worker {address}', or use local:N\n")
    assert not (tmp_path / "s").exists()


@pytest.mark.timeout(60)
@pytest.mark.parametrize("address, message", [
    ("local:0", "'local:0': write local:N with N from 1 to 64 worker processes"),
    ("http://127.0.0.1:8786", "'http://127.0.0.1:8786' is no cluster address"),
])
def test_cluster_address_that_is_none_is_one_line(runner, tmp_path, address, message):
    pytest.importorskip("distributed", reason="dask.distributed is not installed (pip install 'kg[cluster]')")
    result = runner.invoke(cli, ["build", str(SEEDS), "--cluster", address, "--store", str(tmp_path / "s")])
    assert result.exit_code == 1 and result.output.startswith(f"Error: {message}")
    assert result.output.count("\n") == 1 and not (tmp_path / "s").exists()


@pytest.mark.timeout(60)
def test_cluster_without_dask_says_what_to_install(runner, tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "distributed", None)  # as if it were not installed
    result = runner.invoke(cli, ["build", str(SEEDS), "--cluster", "local:2", "--store", str(tmp_path / "s")])
    assert result.exit_code == 1
    assert result.output == ("Error: --cluster needs dask.distributed, which is not installed: "
                             "pip install 'kg[cluster]'\n")


@pytest.mark.timeout(120)
def test_cluster_dask_is_not_imported_by_a_build_without_it(tmp_path, blank_model):
    code = ("import sys; from kg.build import build; from kg.store import Store; "
            f"build([{str(SEEDS)!r}], Store({str(tmp_path / 's')!r}), model={str(blank_model)!r}); "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('dask', 'distributed')))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=100)
    assert result.stdout.splitlines()[-1:] == ["[]"], result.stderr


@pytest.mark.timeout(240)
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
@pytest.mark.parametrize("how", ["SIGTERM", "SIGINT"])
def test_cluster_build_stopped_keeps_whole_batches_and_cancels_its_work(cluster, tmp_path, how):
    corpus = write_corpus(tmp_path / "corpus", 600)
    store = tmp_path / "s"
    process = subprocess.Popen([*KG, "build", str(corpus), "--store", str(store), "--cluster",
                                cluster.scheduler.address, "--commit-every", "20", "--quiet"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and process.poll() is None and not (store / "kg-store.json").exists():
        time.sleep(0.05)
    assert process.poll() is None, "the build ended before it could be stopped"
    stopped = time.monotonic()
    process.send_signal(getattr(signal, how))
    process.wait(timeout=30)
    assert process.returncode == 130 and time.monotonic() - stopped < 15
    stderr = process.stderr.read()
    assert stderr.count("\n") == 1 and "interrupted" in stderr and "Traceback" not in stderr, stderr
    kept = stored_ids(store)
    assert kept and len(kept) % 20 == 0  # whole batches only
    deadline = time.monotonic() + 20  # the build's tasks were cancelled, not left to run
    while cluster.run_on_scheduler(lambda dask_scheduler: len(dask_scheduler.tasks)) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert cluster.run_on_scheduler(lambda dask_scheduler: len(dask_scheduler.tasks)) == 0


@pytest.mark.timeout(300)
def test_cluster_local_starts_its_own_workers(runner, seeds_store_path, tmp_path):
    pytest.importorskip("distributed", reason="dask.distributed is not installed (pip install 'kg[cluster]')")
    store = tmp_path / "s"
    result = runner.invoke(cli, ["build", str(SEEDS), "--cluster", "local:1", "--store", str(store)])
    assert result.exit_code == 0, result.output
    assert export_jsonl(runner, store) == export_jsonl(runner, seeds_store_path)


@pytest.mark.timeout(60)
def test_cluster_time_budget_holds_in_a_worker_thread():
    """Dask runs tasks in threads, which SIGALRM never reaches: the budget is kept there too."""
    import threading

    from kg.extract import DocumentTimeout, deadline

    outcome = []

    def read(spin: float) -> None:
        try:
            with deadline(0.1):
                end = time.monotonic() + spin
                while time.monotonic() < end:
                    pass
            outcome.append("read")
        except DocumentTimeout:
            outcome.append("over budget")
        time.sleep(0.3)  # nothing asked for lands after the block
        outcome.append("after")

    for spin in (5.0, 0.01):
        thread = threading.Thread(target=read, args=(spin,))
        thread.start()
        thread.join(10)
    assert outcome == ["over budget", "after", "read", "after"]
