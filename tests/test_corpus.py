"""Reading corpora: file kinds, metadata, encodings and files that are not articles."""

import json
import os

import pytest

from kg.corpus import corpus_files, decode, html_to_text, read_corpus


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


def test_corpus_duplicate_ids_keep_the_first(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    (tmp_path / "a" / "x.txt").write_text("First.", encoding="utf-8")
    (tmp_path / "b" / "x.txt").write_text("Second.", encoding="utf-8")
    docs, skipped = read([tmp_path])
    assert [d.text for d in docs] == ["First."]
    assert "already read" in skipped[0].reason


def test_corpus_symlink_loop_is_walked_once(tmp_path):
    (tmp_path / "a.txt").write_text("Text.", encoding="utf-8")
    (tmp_path / "loop").symlink_to(tmp_path, target_is_directory=True)
    assert [f.name for f in corpus_files([tmp_path])] == ["a.txt"]


def test_corpus_html_drops_scripts_styles_and_keeps_paragraphs():
    title, text = html_to_text("<title>x</title><p>One &lt;b&gt;</p><script>var a='<p>'</script><p>Two</p>")
    assert text == "One <b>\n\nTwo"
