"""Hostile corpora, hostile names, crashes and concurrency: kg keeps working and never loses or
corrupts the graph. Each test fails if its protection is removed."""

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from kg.store import Store
from tests.conftest import SEEDS

KG = [sys.executable, "-m", "kg.cli"]


def kg(*args, check=False, **kwargs):
    return subprocess.run([*KG, *map(str, args)], capture_output=True, text=True, check=check, **kwargs)


def triples(store_path) -> list[str]:
    store = Store(store_path)
    try:
        return sorted(map(str, store.quads()))
    finally:
        store.close()


# -- bad input to kg build


def test_robustness_big_article_is_read_in_bounded_chunks(tmp_path, blank_model):
    """Larger than spaCy's max_length (1,000,000 characters): read in chunks, not refused. make fuzz
    runs the 20 MB version (test_robustness_twenty_megabyte_article)."""
    _build_big(tmp_path, blank_model, 2_500_000, max_rss_mb=600)


@pytest.mark.slow
def test_robustness_twenty_megabyte_article(tmp_path, blank_model):
    _build_big(tmp_path, blank_model, 20_000_000, max_rss_mb=900)


def _build_big(tmp_path, blank_model, size, max_rss_mb):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    paragraph = "France criticized Mali on Monday, and talks between the two sides went on. " * 40 + "\n\n"
    with open(corpus / "huge.txt", "w", encoding="utf-8") as f:
        while f.tell() < size:
            f.write(paragraph)
    code = ("import resource, sys\nfrom kg.cli import main\ntry:\n    main()\nfinally:\n"
            "    print('maxrss', resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr)\n")
    result = subprocess.run([sys.executable, "-c", code, "build", str(corpus), "--store", str(tmp_path / "s"),
                             "--model", str(blank_model)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert "built 1 documents (1 extracted" in result.stdout
    rss_mb = int(result.stderr.split("maxrss")[-1]) / 1024
    assert rss_mb < max_rss_mb, f"peak memory {rss_mb:.0f} MB"


def test_robustness_ten_thousand_tiny_files(tmp_path, blank_model):
    corpus = tmp_path / "corpus"
    for i in range(10_000):
        folder = corpus / f"d{i // 1000}"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"n{i}.txt").write_text(f"Note {i}.", encoding="utf-8")
    result = kg("build", corpus, "--store", tmp_path / "s", "--model", blank_model)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("built 10000 documents (10000 extracted, 0 unchanged)")


def test_robustness_file_vanishing_during_the_build_is_skipped(tmp_path):
    from kg.corpus import read_files

    (tmp_path / "a.txt").write_text("First.", encoding="utf-8")
    gone = tmp_path / "gone.txt"
    skipped = []
    documents = list(read_files([tmp_path / "a.txt", gone], on_skip=skipped.append))
    assert [d.id for d in documents] == ["a"]
    assert skipped[0].path == str(gone) and skipped[0].reason.startswith("cannot be read")


def test_robustness_a_directory_named_like_an_article_is_skipped(tmp_path):
    from kg.corpus import read_files

    (tmp_path / "folder.txt").mkdir()
    skipped = []
    assert list(read_files([tmp_path / "folder.txt"], on_skip=skipped.append)) == []
    assert "cannot be read" in skipped[0].reason


@pytest.mark.parametrize(
    "text",
    [
        "Israel\u200f criticized \u202eIran\u202c on Monday.",  # RTL marks and overrides
        "Kenya\u200d condemned Somalia \U0001F1F0\U0001F1EA\U0001F525 again.",  # ZWJ, flags, emoji
        "Chad\x07 accused\x1b Sudan\x0b of raids.\x0c Mali\u2028rejected Niger.",  # control characters
        "\u0627\u0644\u0639\u0631\u0627\u0642 Iraq urged Kuwait to talk. \u05e9\u05dc\u05d5\u05dd",
        "Turkey met \ufffd Greece \ud800.",  # replacement character, a lone surrogate from json
    ],
)
def test_robustness_unusual_unicode_inside_sentences(extractor, text):
    from kg.corpus import document

    doc = document("u", text)
    extraction = next(extractor.extract([doc]))
    assert extraction.failure is None
    for r in extraction.relations:
        assert doc.text[r.start:r.end] == r.sentence


def test_robustness_build_with_hostile_files_completes_and_names_them(runner, tmp_path):
    from kg.cli import cli

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "ok.txt").write_text("Kenya condemned Somalia on Friday.", encoding="utf-8")
    (corpus / "empty.txt").write_bytes(b"")
    (corpus / "archive.txt").write_bytes(b"PK\x03\x04" + os.urandom(300))
    (corpus / "page.html").write_text("<script>alert(1)</script><style>p{}</style><p>Chad &amp; Niger met.</p>",
                                      encoding="utf-8")
    (corpus / "utf16.txt").write_bytes("Ghana praised Togo.".encode("utf-16"))
    (corpus / "latin1.txt").write_bytes("Le Bénin a critiqué le Niger. Benin criticized Niger.".encode("latin-1"))
    (corpus / "feed.jsonl").write_text('{"id": "j1", "text": "Peru met Chile."}\n{broken\n', encoding="utf-8")
    (corpus / "loop").symlink_to(corpus, target_is_directory=True)
    result = runner.invoke(cli, ["build", str(corpus), "--store", str(tmp_path / "s")])
    assert result.exit_code == 3  # completed, with skips
    warnings = [line for line in result.output.splitlines() if line.startswith("warning: skipped")]
    assert len(warnings) == 3
    assert any(w.endswith('empty.txt": empty file') for w in warnings)
    assert any(w.endswith('archive.txt": binary file (a zip archive)') for w in warnings)
    assert any('feed.jsonl:2": not valid JSON' in w for w in warnings)
    assert "built 5 documents (5 extracted, 0 unchanged, 3 skipped)" in result.output
    ids = {row["docId"].value for row in Store(tmp_path / "s").query(
        "SELECT DISTINCT ?docId WHERE { GRAPH ?g { ?g dcterms:identifier ?docId } }")}
    assert ids == {"ok", "page", "utf16", "latin1", "j1"}  # the symlink loop adds nothing


# -- names and queries


@pytest.mark.parametrize("name", ['Armenia" } ; DROP ALL ; #', "Armenia> } DROP ALL", "?actor", "<urn:x>", "'; --"])
def test_robustness_hostile_actor_names_are_unknown_and_change_nothing(runner, store_copy, name):
    from kg.cli import cli

    before = triples(store_copy)
    result = runner.invoke(cli, ["neighbors", name, "--store", str(store_copy)])
    assert result.exit_code == 1 and "unknown actor" in result.output
    assert triples(store_copy) == before


@pytest.mark.parametrize("update", ["DROP ALL", "drop all", "# note\nCLEAR ALL",
                                    "PREFIX ex: <http://example.org/> INSERT DATA { ex:a ex:b ex:c }",
                                    "DELETE WHERE { ?s ?p ?o }"])
def test_robustness_updates_leave_the_store_unchanged(runner, store_copy, update):
    from kg.cli import cli

    before = triples(store_copy)
    result = runner.invoke(cli, ["query", update, "--store", str(store_copy)])
    assert result.exit_code == 1 and "refused" in result.output
    assert triples(store_copy) == before


# -- crashes and concurrency


def test_robustness_sigkill_leaves_before_or_after_never_a_mix(tmp_path):
    """A build killed at random moments leaves a store that opens and holds the state before the
    build or the complete new one; the next build completes normally."""
    small, full = tmp_path / "small", tmp_path / "full"
    small.mkdir()
    full.mkdir()
    for f in sorted(SEEDS.glob("*.txt")):
        (full / f.name).write_text(f.read_text(encoding="utf-8"), encoding="utf-8")
    first = sorted(SEEDS.glob("*.txt"))[0]
    (small / first.name).write_text(first.read_text(encoding="utf-8"), encoding="utf-8")
    kg("build", full, "--store", tmp_path / "reference", check=True)
    after = triples(tmp_path / "reference")
    store = tmp_path / "s"
    kg("build", small, "--store", store, check=True)
    before = triples(store)
    assert before != after
    rng = random.Random(7)
    outcomes = set()
    for delay in [rng.uniform(0.3, 3.0) for _ in range(4)] + [0.05]:
        process = subprocess.Popen([*KG, "build", str(full), "--store", str(store), "--rebuild"],
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(delay)
        process.send_signal(signal.SIGKILL)
        process.wait()
        state = triples(store)
        assert state in (before, after), f"a mixed store after a kill at {delay:.2f} s"
        outcomes.add("after" if state == after else "before")
        if state == after:  # start the next round from the old state again
            kg("build", small, "--store", store, "--rebuild", check=True)
    result = kg("build", full, "--store", store, "--rebuild", check=True)
    assert "built 5 documents" in result.stdout
    assert triples(store) == after
    assert "before" in outcomes  # at least one kill interrupted a build


def test_robustness_second_build_is_refused_and_readers_keep_working(tmp_path):
    from tests.test_build import write_corpus

    # short items after the seeds, a commit after each, keep the first build writing for seconds after its first commit
    corpus = [str(SEEDS), str(write_corpus(tmp_path / "items", 150))]
    store = tmp_path / "s"
    kg("build", *corpus, "--store", store, check=True)
    before = triples(store)
    existing = set(_generations(store))
    writer = subprocess.Popen([*KG, "build", *corpus, "--store", str(store), "--rebuild", "--commit-every", "1"],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.time() + 60  # wait until the writer holds the lock and has committed a batch
        while not set(_generations(store)) - existing and writer.poll() is None and time.time() < deadline:
            time.sleep(0.02)
        assert writer.poll() is None, "the first build ended before its first commit was seen"
        second = kg("build", SEEDS, "--store", store)
        counted = kg("neighbors", "Armenia", "--store", store)
        reader = kg("neighbors", "Armenia", "--store", store, "--count", "mentions")
        assert writer.poll() is None, "the first build ended before the second was refused"
    finally:
        writer.wait(timeout=120)
    assert writer.returncode == 0, writer.stderr.read()[-2000:]
    assert second.returncode == 1
    assert "is being written by another kg build" in second.stderr
    assert second.stderr.count("\n") == 1
    # the events of a graph built from empty are counted at the build's end; its documents are there
    assert counted.returncode == 1 and counted.stderr.count("\n") == 1
    assert "is being built: its events are counted when the build ends" in counted.stderr
    assert reader.returncode == 0 and reader.stdout.startswith("Armenia (State, Q399)"), reader.stderr
    assert triples(store) == before  # the rebuild of the same corpus gives the same graph


def _generations(store: Path) -> list[str]:
    return sorted((p.name for p in store.iterdir() if p.name.startswith("gen-")), reverse=True)


def test_robustness_old_store_format_is_detected_with_the_fix(runner, store_copy):
    from kg.cli import cli
    from kg.store import POINTER

    pointer = json.loads((store_copy / POINTER).read_text())
    pointer["format"] = 0
    (store_copy / POINTER).write_text(json.dumps(pointer))
    result = runner.invoke(cli, ["neighbors", "Armenia", "--store", str(store_copy)])
    assert result.exit_code == 1
    assert "store format 0, this kg reads format 1: rebuild it with 'kg build --rebuild'" in result.output


# -- output safety


@pytest.mark.parametrize("cell, safe", [("=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")"),
                                        ("+1+2", "'+1+2"), ("-2+3", "'-2+3"), ("@SUM(A1)", "'@SUM(A1)"),
                                        ("\t=1", "'\t=1"), ("-1.5", "-1.5"), ("Armenia", "Armenia")])
def test_robustness_csv_cells_cannot_start_a_formula(cell, safe):
    from kg.output import csv_cell

    assert csv_cell(cell) == safe


def test_robustness_csv_export_of_article_text_is_neutralised(runner, tmp_path, nlp):
    from kg.build import build
    from kg.cli import cli

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "formula.txt").write_text('=HYPERLINK("http://evil") Kenya condemned Somalia.', encoding="utf-8")
    build([corpus], Store(tmp_path / "s"), nlp=nlp)
    result = runner.invoke(cli, ["neighbors", "Kenya", "--evidence", "--format", "csv", "--store", str(tmp_path / "s")])
    rows = result.output.splitlines()[1:]
    assert rows and all(not cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row.split(","))
    assert "'=HYPERLINK" in result.output
