"""Properties that hold for any input (hypothesis): the extractor never raises and its offsets are
exact; RDF exports round-trip; building twice changes nothing."""

import io
import shutil
import tempfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kg.build import build
from kg.corpus import document
from kg.store import Store

NAMES = ["Russia", "Armenia", "Moscow", "the Kremlin", "NATO", "the EU", "Kenyan", "Russian Foreign Minister Sergey Lavrov",
         "He", "She", "the alliance", "the two sides", "Azerbaijani forces", "Hamas", "Gaza", "Taipei"]
WORDS = ["accused", "did not criticize", "met with", "urged", "called on", "is a member of", "would attack",
         "refused to meet", "blamed", "and", "of", "for canceling talks with", "said that", "must leave", "'s refusal to",
         "the offer", "allies", "blocked the road to", "if", "."]
NOISE = ["\u200f", "\u200d", "\u202e", "\U0001F525", "\x07", "\ufeff", "\n", "\n\n", "  ", "\"", "<script>", "&amp;",
         "\u0627\u0644", "\u00e9", "\ud800"]

news_like = st.lists(st.sampled_from(NAMES + WORDS + NOISE), min_size=1, max_size=40).map(" ".join)
any_text = st.text(max_size=400)


@given(text=st.one_of(news_like, any_text))
def test_properties_extractor_never_fails_and_offsets_slice_the_evidence(extractor, text):
    doc = document("p", text)
    extraction = next(extractor.extract([doc]))  # no time budget: a hang fails the test (pytest-timeout)
    assert extraction.failure is None
    for r in extraction.relations:
        assert doc.text[r.start:r.end] == r.sentence
        assert r.sentence.strip() == r.sentence and r.sentence
        assert 0 < r.confidence <= 1


corpora = st.lists(st.one_of(news_like, st.sampled_from([
    "Russia accused the West of meddling. Armenia met the EU.",
    "Kenya condemned Somalia. Ethiopia urged Eritrea to withdraw.",
    "Turkey proposed a plan. Syria rejected the proposal.",
])), min_size=1, max_size=3)


def _build(texts, nlp, **kwargs):
    folder = Path(tempfile.mkdtemp())
    corpus = folder / "corpus"
    corpus.mkdir()
    for i, text in enumerate(texts):
        # surrogatepass: a lone surrogate becomes bytes that are not valid UTF-8, for the reader to cope with
        (corpus / f"doc{i}.txt").write_bytes((text + " Kenya condemned Somalia.").encode("utf-8", "surrogatepass"))
    store = Store(folder / "store")
    build([corpus], store, nlp=nlp, **kwargs)
    return folder, corpus, store


# each example builds a store: a quarter of the profile's examples (make fuzz raises the profile)
BUILDS = settings(max_examples=max(5, settings.default.max_examples // 4))


@BUILDS
@given(texts=corpora)
def test_properties_rdf_exports_round_trip(nlp, texts):
    import rdflib
    from rdflib.compare import isomorphic

    from kg.export import export_rdf

    folder, _, store = _build(texts, nlp)
    try:
        quads = {str(q) for q in store.quads()}
        out = io.BytesIO()
        export_rdf(store, "nq", out)
        dataset = rdflib.Dataset().parse(data=out.getvalue().decode("utf-8"), format="nquads")
        assert {q for q in dataset.quads() if q[3] is not None and str(q[3]) != str(rdflib.graph.DATASET_DEFAULT_GRAPH_ID)}
        nquads = out.getvalue().decode("utf-8")
        assert {line for line in nquads.splitlines() if line} == {q + " ." for q in quads}
        turtle = io.BytesIO()
        export_rdf(store, "ttl", turtle)
        reread = rdflib.Graph().parse(data=turtle.getvalue().decode("utf-8"), format="turtle")
        union = rdflib.Graph()
        for s, p, o, _ in dataset.quads():
            union.add((s, p, o))
        assert isomorphic(reread, union)
    finally:
        store.close()
        shutil.rmtree(folder, ignore_errors=True)


@BUILDS
@given(texts=corpora)
def test_properties_building_again_leaves_the_same_triples(nlp, texts):
    folder, corpus, store = _build(texts, nlp)
    try:
        first = sorted(map(str, store.quads()))
        store.close()
        report = build([corpus], store, nlp=nlp)
        assert report.extracted == 0 and report.unchanged == len(texts)
        assert sorted(map(str, store.quads())) == first
        store.close()
        build([corpus], store, nlp=nlp, rebuild=True)
        assert sorted(map(str, store.quads())) == first
    finally:
        store.close()
        shutil.rmtree(folder, ignore_errors=True)


@pytest.mark.parametrize("fmt", ["ttl", "nq"])
def test_properties_seed_store_round_trips(seeds_store, fmt):
    import rdflib
    from rdflib.compare import isomorphic

    from kg.export import export_rdf

    out = io.BytesIO()
    export_rdf(seeds_store, fmt, out)
    text = out.getvalue().decode("utf-8")
    if fmt == "nq":
        assert {line for line in text.splitlines() if line} == {str(q) + " ." for q in seeds_store.quads()}
    else:
        expected = rdflib.Graph()
        for q in seeds_store.quads():
            expected.parse(data=str(q.triple) + " .", format="nt")
        assert isomorphic(rdflib.Graph().parse(data=text, format="turtle"), expected)
