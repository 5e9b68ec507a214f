"""Reading corpora: file kinds, metadata, encodings and files that are not articles."""

import json
import os
import random
import signal
import subprocess
import sys
import threading
import tracemalloc

import pytest

from kg.corpus import (corpus_files, count_documents, decode, html_to_text, iter_corpus_files, read_corpus,
                       read_files)
from kg.errors import CorpusError


def read(paths):
    skipped = []
    docs = list(read_corpus(paths, on_skip=skipped.append))
    return docs, skipped


def test_corpus_reads_text_markdown_html_and_jsonl(tmp_path):
    (tmp_path / "a.txt").write_text("Russia accused the West.", encoding="utf-8")
    (tmp_path / "b.md").write_text("# Title\n\nArmenia met Iran.", encoding="utf-8")
    (tmp_path / "c.html").write_text(
        "<html><head><title>T</title><style>p{}</style></head><body><script>alert(1)</script>"
        "<p>Turkey &amp; Greece talked.</p></body></html>", encoding="utf-8")
    (tmp_path / "d.jsonl").write_text(
        json.dumps({"id": "x1", "text": "Mali expelled France.", "date": "2024-02-01", "source": "AFP"}) + "\n",
        encoding="utf-8")
    docs, skipped = read([tmp_path])
    assert skipped == []
    by_id = {d.id: d for d in docs}
    assert set(by_id) == {"a", "b", "c", "x1"}
    assert by_id["c"].text == "Turkey & Greece talked."
    assert by_id["c"].title == "T"
    assert by_id["x1"].date == "2024-02-01" and by_id["x1"].source == "AFP"
    assert len(by_id["a"].sha256) == 64


def test_corpus_manifest_gives_metadata_and_excludes(tmp_path):
    (tmp_path / "gold").mkdir()
    (tmp_path / "gold" / "g.jsonl").write_text('{"doc": "a"}\n', encoding="utf-8")
    (tmp_path / "README.md").write_text("about", encoding="utf-8")
    (tmp_path / "a.txt").write_text("Text.", encoding="utf-8")
    (tmp_path / "corpus.json").write_text(json.dumps({
        "exclude": ["gold/*", "README.md"],
        "documents": {"a": {"date": "2023-01", "date_approximate": True, "source": "Agency"}}}), encoding="utf-8")
    docs, skipped = read([tmp_path])
    assert [d.id for d in docs] == ["a"] and skipped == []
    assert docs[0].date == "2023-01" and docs[0].date_approximate and docs[0].source == "Agency"


def test_corpus_seeds_are_the_five_articles():
    from tests.conftest import SEEDS

    docs, skipped = read([SEEDS])
    assert len(docs) == 5 and skipped == []
    assert all(d.date for d in docs)


def test_corpus_binary_and_empty_files_are_skipped_with_a_reason(tmp_path):
    (tmp_path / "image.txt").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)))
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "nul.txt").write_bytes(b"abc\x00\x01\x02\x03" * 100)
    (tmp_path / "good.txt").write_text("Fine.", encoding="utf-8")
    docs, skipped = read([tmp_path])
    assert [d.id for d in docs] == ["good"]
    reasons = {os.path.basename(s.path): s.reason for s in skipped}
    assert reasons["image.txt"].startswith("binary file")
    assert reasons["empty.txt"] == "empty file"
    assert reasons["nul.txt"].startswith("binary file")


@pytest.mark.parametrize(
    "data, expected",
    [
        ("Türkiye – Kyiv".encode("utf-8-sig"), "Türkiye – Kyiv"),
        ("Türkiye – Kyiv".encode("utf-16"), "Türkiye – Kyiv"),
        ("Türkiye – Kyiv".encode("utf-16-le"), "Türkiye – Kyiv"),
        ("Les Azerbaïdjanais ont protesté à Bakou contre la décision.".encode("latin-1"),
         "Les Azerbaïdjanais ont protesté à Bakou contre la décision."),
        ("“Quoted” – Erdoğan’s".encode("utf-8"), "“Quoted” – Erdoğan’s"),
        ("“Quoted” – Müller’s café".encode("cp1252"), "“Quoted” – Müller’s café"),
        ("Россия обвинила Запад в попытках разрушить отношения.".encode("cp1251"),
         "Россия обвинила Запад в попытках разрушить отношения."),
    ],
)
def test_corpus_decodes_common_encodings(data, expected):
    text, problem = decode(data)
    assert problem is None
    assert text == expected


def test_corpus_jsonl_keeps_good_lines_and_reports_bad_ones_by_line(tmp_path):
    lines = ['{"id": "ok1", "text": "One."}', "{not json", '{"id": "no-text"}', '{"text": "Two."}']
    (tmp_path / "feed.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    docs, skipped = read([tmp_path / "feed.jsonl"])
    assert [d.id for d in docs] == ["ok1", "feed-4"]
    assert [s.path.rsplit(":", 1)[1] for s in skipped] == ["2", "3"]


def test_corpus_symlink_loop_is_walked_once(tmp_path):
    (tmp_path / "a.txt").write_text("Text.", encoding="utf-8")
    (tmp_path / "loop").symlink_to(tmp_path, target_is_directory=True)
    assert [f.name for f in corpus_files([tmp_path])] == ["a.txt"]


def test_corpus_html_drops_scripts_styles_and_keeps_paragraphs():
    title, text = html_to_text("<title>x</title><p>One &lt;b&gt;</p><script>var a='<p>'</script><p>Two</p>")
    assert text == "One <b>\n\nTwo"


# -- files that are not articles: FIFOs, devices, oversized files and lines


@pytest.mark.timeout(20)
def test_corpus_fifo_in_a_folder_is_skipped_without_blocking(tmp_path):
    os.mkfifo(tmp_path / "x.txt")  # no writer: opening it for reading the usual way blocks forever
    (tmp_path / "y.txt").write_text("Fine.", encoding="utf-8")
    docs, skipped = read([tmp_path])
    assert [d.id for d in docs] == ["y"]
    assert [(os.path.basename(s.path), s.reason) for s in skipped] == [("x.txt", "not a regular file (a FIFO)")]


@pytest.mark.timeout(60)
def test_corpus_ctrl_c_while_a_file_is_opened_stops_the_reading_and_never_passes_for_an_unreadable_file(tmp_path):
    # a Ctrl-C that landed as a file object took its descriptor had the descriptor closed twice: the
    # file was reported "cannot be read (Bad file descriptor)" and the build went on, the Ctrl-C lost
    for k in range(100):
        (tmp_path / f"doc{k:03d}.txt").write_text(f"Kenya condemned Somalia on day {k}.", encoding="utf-8")
    main = threading.main_thread().ident
    rng = random.Random(7)

    def ctrl_c(signum, frame):
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGUSR1, ctrl_c)
    skipped, stopped = [], 0
    try:
        for _ in range(500):  # Ctrl-C at 500 moments of a read of the folder
            timer = threading.Timer(rng.uniform(0, 0.003), signal.pthread_kill, (main, signal.SIGUSR1))
            try:
                timer.start()
                list(read_corpus([tmp_path], on_skip=skipped.append))
                timer.join()
            except KeyboardInterrupt:
                stopped += 1
                timer.join()
    finally:
        signal.signal(signal.SIGUSR1, previous)
    assert skipped == [] and stopped > 0


@pytest.mark.timeout(20)
@pytest.mark.parametrize("make, kind", [
    (lambda p: os.mkfifo(p), "a FIFO"),
    (lambda p: p.symlink_to("/dev/null"), "a character device"),
], ids=["fifo", "link-to-dev-null"])
def test_corpus_special_file_given_directly_is_skipped(tmp_path, make, kind):
    special = tmp_path / "given"
    make(special)
    docs, skipped = read([special])
    assert docs == []
    assert [(s.path, s.reason) for s in skipped] == [(str(special), f"not a regular file ({kind})")]


@pytest.mark.timeout(20)
def test_corpus_dev_null_given_directly_is_skipped():
    docs, skipped = read(["/dev/null"])
    assert docs == [] and [(s.path, s.reason) for s in skipped] == [("/dev/null", "not a regular file (a character device)")]


@pytest.mark.timeout(60)
def test_corpus_symlink_to_dev_zero_is_skipped_without_reading_it(tmp_path):
    (tmp_path / "zero.txt").symlink_to("/dev/zero")  # endless: reading it whole never returns
    (tmp_path / "feed.jsonl").symlink_to("/dev/zero")
    # in a child with 1 GiB of address space: a reader that reads the endless file fails there
    script = ("import resource, sys\n"
              "resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))\n"
              "from kg.corpus import count_documents, read_corpus\n"
              "skipped = []\n"
              "print(len(list(read_corpus(sys.argv[1:], on_skip=skipped.append))))\n"
              "print(*skipped, sep='\\n')\n"
              "print(count_documents(sys.argv[1:]))\n")
    result = subprocess.run([sys.executable, "-c", script, str(tmp_path)], capture_output=True, text=True, timeout=30)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "0",
        'skipped "%s": not a regular file (a character device)' % (tmp_path / "feed.jsonl"),
        'skipped "%s": not a regular file (a character device)' % (tmp_path / "zero.txt"),
        "0"]


@pytest.mark.parametrize("name", ["big.txt", "big.md", "big.html"])
def test_corpus_file_over_the_size_limit_is_skipped(tmp_path, name):
    (tmp_path / name).write_text("Kenya met Chad. " * 10, encoding="utf-8")  # 160 bytes
    (tmp_path / "small.txt").write_text("Fine.", encoding="utf-8")
    skipped = []
    docs = list(read_files(corpus_files([tmp_path]), skipped.append, max_bytes=100))
    assert [d.id for d in docs] == ["small"]
    assert [(os.path.basename(s.path), s.reason) for s in skipped] == [
        (name, "160 bytes, over the 100 bytes size limit")]
    assert [d.id for d in read_files(corpus_files([tmp_path]), max_bytes=None)] == ["big", "small"]


def test_corpus_jsonl_line_over_the_size_limit_is_skipped_and_the_next_read(tmp_path):
    long = json.dumps({"id": "long", "text": "Kenya met Chad. " * 1000})
    lines = [json.dumps({"id": "a", "text": "One."}), long, json.dumps({"id": "b", "text": "Two."})]
    (tmp_path / "feed.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    skipped = []
    docs = list(read_files([tmp_path / "feed.jsonl"], skipped.append, max_bytes=200))
    assert [d.id for d in docs] == ["a", "b"]
    assert [d.path for d in docs] == [f"{tmp_path / 'feed.jsonl'}:1", f"{tmp_path / 'feed.jsonl'}:3"]
    assert [(s.path, s.reason) for s in skipped] == [
        (f"{tmp_path / 'feed.jsonl'}:2", f"line of {len(long) / 1024:.1f} KiB, over the 200 bytes size limit")]


# -- names, nesting and types that used to end in a traceback


def test_corpus_file_name_that_is_not_utf8_is_read_without_surrogates(tmp_path):
    folder = os.fsencode(tmp_path)
    try:
        with open(os.path.join(folder, b"caf\xe9.txt"), "wb") as f:
            f.write("Kenya met Chad.".encode())
    except OSError:
        pytest.skip("this file system only takes UTF-8 file names")
    with open(os.path.join(folder, b"bad\xff.txt"), "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n")
    docs, skipped = read([tmp_path])
    assert [d.id for d in docs] == ["caf\ufffd"]
    assert docs[0].path == f"{tmp_path}/caf\ufffd.txt" and docs[0].origin == f"{tmp_path.resolve()}/caf\ufffd.txt"
    assert [s.path for s in skipped] == [f"{tmp_path}/bad\ufffd.txt"]
    for text in (docs[0].id, docs[0].path, docs[0].origin, str(skipped[0])):
        text.encode("utf-8")  # a lone surrogate would raise here


def test_corpus_jsonl_line_nested_100000_deep_is_skipped(tmp_path):
    deep = "[" * 100_000 + "]" * 100_000
    deep_field = '{"text": "x", "title": ' + "[" * 100_000 + "]" * 100_000 + "}"
    lines = [deep, deep_field, json.dumps({"id": "ok", "text": "Fine."})]
    (tmp_path / "feed.jsonl").write_text("\n".join(lines), encoding="utf-8")
    docs, skipped = read([tmp_path])
    assert [d.id for d in docs] == ["ok"]
    assert [(s.path.rsplit(":", 1)[1], s.reason) for s in skipped] == [
        ("1", "JSON nested too deeply"), ("2", "JSON nested too deeply")]


def test_corpus_jsonl_fields_of_the_wrong_type_are_coerced_or_dropped(tmp_path):
    records = [
        {"id": ["a", "b"], "text": "One.", "title": {"t": 1}, "date": 2024, "source": True, "url": [1]},
        {"id": 7, "text": "Two.", "date": 2024.5, "date_approximate": "false"},
        {"id": None, "text": "Three.", "date_approximate": "yes"},
        {"id": "no text", "text": ["Four."]},
        {"id": "blank", "text": 12},
    ]
    (tmp_path / "feed.jsonl").write_text("\n".join(map(json.dumps, records)) + "\n", encoding="utf-8")
    docs, skipped = read([tmp_path])
    assert [(d.id, d.title, d.date, d.source, d.url, d.date_approximate) for d in docs] == [
        ("feed-1", None, "2024", "True", None, False),
        ("7", None, "2024.5", None, None, False),
        ("feed-3", None, None, None, None, True),
    ]
    assert [s.path.rsplit(":", 1)[1] for s in skipped] == ["4", "5"]


def test_corpus_documents_know_the_file_they_came_from(tmp_path):
    (tmp_path / "a.txt").write_text("One.", encoding="utf-8")
    (tmp_path / "feed.jsonl").write_text('{"text": "Two."}\n{"text": "Three."}\n', encoding="utf-8")
    (tmp_path / "link.txt").symlink_to(tmp_path / "a.txt")
    docs, _ = read([tmp_path])
    real = tmp_path.resolve()
    assert [(d.path, d.origin) for d in docs] == [
        (f"{tmp_path}/a.txt", f"{real}/a.txt"),
        (f"{tmp_path}/feed.jsonl:1", f"{real}/feed.jsonl"),
        (f"{tmp_path}/feed.jsonl:2", f"{real}/feed.jsonl"),
        (f"{tmp_path}/link.txt", f"{real}/a.txt"),
    ]


def test_corpus_same_id_in_two_files_is_read_from_both(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    (tmp_path / "a" / "x.txt").write_text("First.", encoding="utf-8")
    (tmp_path / "b" / "x.txt").write_text("Second.", encoding="utf-8")
    docs, skipped = read([tmp_path])
    assert [(d.id, d.text) for d in docs] == [("x", "First."), ("x", "Second.")] and skipped == []


@pytest.mark.parametrize("manifest, problem", [
    ('{"exclude": "gold/*"}', '"exclude" is a list of file patterns, not a string'),
    ('{"exclude": ["gold/*", 3]}', '"exclude" holds a number where a file pattern'),
    ('{"documents": ["a"]}', '"documents" is an object of document ids, not a list'),
    ('{"documents": {"a": "2023-01"}}', "\"documents\" 'a' is an object of metadata fields, not a string"),
    ('{"documents": {"a": {"date": {"year": 2023}}}}', "\"documents\" 'a' field 'date' is an object"),
    ('{"documents": {"a": {"source": ["AFP"]}}}', "\"documents\" 'a' field 'source' is a list"),
    ('[1, 2]', "a corpus manifest is a JSON object"),
    ("[" * 100_000 + "]" * 100_000, "JSON nested too deeply"),
    ('{"documents": {"a": ' * 100_000 + "1" + "}}" * 100_000, "JSON nested too deeply"),
    (b'{"exclude": ["caf\xe9"]}', "not UTF-8 text"),
])
def test_corpus_malformed_manifest_is_one_corpus_error(tmp_path, manifest, problem):
    (tmp_path / "a.txt").write_text("Text.", encoding="utf-8")
    if isinstance(manifest, bytes):
        (tmp_path / "corpus.json").write_bytes(manifest)
    else:
        (tmp_path / "corpus.json").write_text(manifest, encoding="utf-8")
    for paths in ([tmp_path], [tmp_path / "a.txt"]):
        with pytest.raises(CorpusError) as error:
            read(paths)
        message = str(error.value)
        assert message.startswith(f"{tmp_path / 'corpus.json'}: ") and problem in message
        assert "\n" not in message and message.endswith("fix or remove it")


def test_corpus_manifest_over_its_size_limit_is_one_corpus_error(tmp_path, monkeypatch):
    import kg.corpus

    monkeypatch.setattr(kg.corpus, "MAX_MANIFEST_BYTES", 100)
    (tmp_path / "corpus.json").write_text(json.dumps({"documents": {f"d{i}": {"date": "2023"} for i in range(20)}}))
    with pytest.raises(CorpusError, match=r"corpus\.json: a corpus manifest over 100 bytes; give per-document"):
        corpus_files([tmp_path])


def test_corpus_manifest_fields_cannot_clash_with_the_file(tmp_path):
    (tmp_path / "a.txt").write_text("Text.", encoding="utf-8")
    (tmp_path / "corpus.json").write_text(json.dumps({"documents": {"a": {
        "path": "elsewhere", "text": "other", "id": "b", "origin": "x", "date": 2023, "date_approximate": "no"}}}))
    docs, skipped = read([tmp_path])
    assert [(d.id, d.text, d.path, d.date, d.date_approximate) for d in docs] == [
        ("a", "Text.", str(tmp_path / "a.txt"), "2023", False)] and skipped == []


# -- streaming and counting


def test_corpus_files_are_listed_lazily(tmp_path):
    (tmp_path / "a.txt").write_text("One.", encoding="utf-8")
    files = iter_corpus_files([tmp_path, tmp_path / "missing"])
    assert next(files) == tmp_path / "a.txt"  # before the missing path is reached
    with pytest.raises(CorpusError, match="no such file or folder"):
        next(files)
    with pytest.raises(CorpusError, match="no such file or folder"):
        corpus_files([tmp_path / "missing"])


def test_corpus_jsonl_is_streamed_with_flat_memory(tmp_path):
    lines = 50_000  # 10 MB; tracemalloc makes each document slow, so not more
    feed = tmp_path / "feed.jsonl"
    text = b"Kenya met Chad on day %d. " + b"Nothing else happened. " * 7
    with open(feed, "wb") as f:
        f.write(b"".join(b'{"id": "d%d", "text": "%s"}\n' % (i, text % i) for i in range(lines)))
    size = feed.stat().st_size
    count, last = 0, None
    tracemalloc.start()
    try:
        for document in read_files([feed]):
            count += 1
            last = document
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert count == lines and last.id == f"d{lines - 1}"
    assert peak < 1024 * 1024 < size // 8  # a few buffers, never the file or its lines


def test_corpus_jsonl_in_utf16_and_with_a_utf8_bom_is_read_line_by_line(tmp_path):
    text = '{"id": "a", "text": "Türkiye met Greece."}\n\n{"id": "b", "text": "Кипр."}\n'
    (tmp_path / "wide.jsonl").write_bytes(text.encode("utf-16"))
    (tmp_path / "bom.jsonl").write_bytes(text.encode("utf-8-sig"))
    (tmp_path / "mixed.jsonl").write_bytes('{"id": "c", "text": "Müller’s café."}\n'.encode("cp1252")
                                           + '{"id": "d", "text": "Erdoğan."}\n'.encode("utf-8"))
    docs, skipped = read([tmp_path])
    assert [(d.id, d.text) for d in docs] == [
        ("a", "Türkiye met Greece."), ("b", "Кипр."), ("c", "Müller’s café."), ("d", "Erdoğan."),
        ("a", "Türkiye met Greece."), ("b", "Кипр.")] and skipped == []
    assert count_documents([tmp_path]) == 6


@pytest.mark.timeout(20)
def test_corpus_count_documents_counts_lines_and_files_and_never_raises(tmp_path):
    (tmp_path / "feed.jsonl").write_bytes(b'{"text": "One."}\n\n  \n{broken\n{"text": "Two."}')  # no final newline
    (tmp_path / "a.txt").write_text("Text.", encoding="utf-8")
    (tmp_path / "b.html").write_text("<p>Text.</p>", encoding="utf-8")
    (tmp_path / "gone.txt").symlink_to(tmp_path / "nowhere")
    os.mkfifo(tmp_path / "pipe.jsonl")
    os.mkfifo(tmp_path / "pipe.txt")
    assert count_documents([tmp_path]) == 3 + 2
    assert count_documents([tmp_path / "feed.jsonl", tmp_path / "missing", "/dev/null"]) == 3
    (tmp_path / "corpus.json").write_text("{broken", encoding="utf-8")
    assert count_documents([tmp_path, tmp_path / "a.txt"]) == 1  # the folder counts 0, the file given by name 1


def test_corpus_a_file_name_cannot_forge_a_warning_line(tmp_path):
    """A newline or an escape sequence in a file name stays inside one quoted warning."""
    from kg.corpus import Skipped

    line = str(Skipped(str(tmp_path / 'x.txt\nwarning: skipped "y": \x1b]0;pwned\x07'), "empty file"))
    assert "\n" not in line and "\x1b" not in line and "\x07" not in line
    assert line.startswith('skipped "') and line.endswith('": empty file')
    assert '\\"y\\"' in line  # the quotes inside the name are escaped
