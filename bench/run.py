"""Benchmarks: extraction quality against a baseline, what kg's extraction costs on top of spaCy's
own parse, and how fast a query answers.

Run with `make bench`. Prints figures and ratios; nothing here asserts a time.

    extraction ratio = (kg's Extractor over the texts) / (bare nlp.pipe over the same texts)
    neighbors wall time = a fresh `kg neighbors Armenia` process on the seeds store
"""

from __future__ import annotations

import argparse
import hashlib
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from kg.corpus import read_corpus  # noqa: E402
from kg.records import Document  # noqa: E402


def corpus(copies: int) -> list[Document]:
    """The seed articles, repeated under distinct ids so batches look like a real corpus."""
    seeds = list(read_corpus([ROOT / "seeds"]))
    docs = []
    for i in range(copies):
        for d in seeds:
            docs.append(Document(f"{d.id}-{i}", d.text, hashlib.sha256(d.text.encode()).hexdigest()))
    return docs


def best_of(runs: int, fn) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def bench_extraction(copies: int, runs: int) -> None:
    import spacy

    from kg.extract import Extractor
    from kg.nlp import model_name

    docs = corpus(copies)
    texts = [d.text for d in docs]
    chars = sum(map(len, texts))
    bare_nlp = spacy.load(model_name())
    extractor = Extractor()

    def bare():
        for _ in bare_nlp.pipe(texts, batch_size=32):
            pass

    def kg():
        for _ in extractor.extract(docs, batch_size=32):
            pass

    bare(), kg()  # warm up both
    t_bare = best_of(runs, bare)
    t_kg = best_of(runs, kg)
    relations = sum(len(r) for _, r in extractor.extract(docs))
    print(f"extraction: {len(docs)} documents, {chars / 1e6:.2f} M characters, {relations} relations "
          f"(model {model_name()}, best of {runs})")
    print(f"  bare nlp.pipe   {t_bare:7.2f} s   {chars / t_bare / 1e3:7.1f} k chars/s")
    print(f"  kg extraction   {t_kg:7.2f} s   {chars / t_kg / 1e3:7.1f} k chars/s")
    print(f"  ratio kg / bare {t_kg / t_bare:7.3f}   (target <= 1.10)")


def bench_neighbors(runs: int) -> None:
    kg = Path(sys.executable).with_name("kg")
    with tempfile.TemporaryDirectory() as tmp:
        store = Path(tmp) / "store"
        subprocess.run([str(kg), "build", str(ROOT / "seeds"), "--store", str(store)], check=True,
                       capture_output=True)
        times = []
        for _ in range(runs):
            start = time.perf_counter()
            subprocess.run([str(kg), "neighbors", "Armenia", "--store", str(store)], check=True,
                           capture_output=True)
            times.append(time.perf_counter() - start)
    print(f"kg neighbors Armenia (seeds store, new process each time, {runs} runs):")
    print(f"  median {statistics.median(times) * 1000:6.0f} ms   min {min(times) * 1000:6.0f} ms   "
          f"max {max(times) * 1000:6.0f} ms   (target: well under 1 s)")


def bench_quality() -> None:
    """kg's extractor and the plain-SVO baseline, scored by the same evaluation code on seeds/gold."""
    from baseline import baseline_items

    from kg.evaluate import evaluate, find_corpus, predicted_items, read_gold
    from kg.extract import Extractor
    from kg.gazetteer import load_gazetteer
    from kg.relations import load_lexicon

    gold_path = ROOT / "seeds" / "gold"
    gold = read_gold(gold_path)
    documents = list(read_corpus(find_corpus(gold, gold_path)))
    extractor = Extractor()
    kg_items = predicted_items(r for _, relations in extractor.extract(documents) for r in relations)
    svo_items = baseline_items(documents, extractor.nlp, load_gazetteer(), load_lexicon())
    print(f"extraction quality on seeds/gold ({len(documents)} documents, {sum(g.core for g in gold)} core gold):")
    print(f"  {'system':<22} {'level':<10} {'P':>6} {'R':>6} {'F1':>6}")
    for name, items in (("kg", kg_items), ("plain SVO + gazetteer", svo_items)):
        for level, score in evaluate(items, gold).levels.items():
            print(f"  {name:<22} {level:<10} {score.precision:6.3f} {score.recall:6.3f} {score.f1:6.3f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--copies", type=int, default=20, help="times the seed corpus is repeated")
    parser.add_argument("--runs", type=int, default=3, help="timed runs (best is kept)")
    args = parser.parse_args()
    bench_quality()
    bench_extraction(args.copies, args.runs)
    bench_neighbors(max(5, args.runs))


if __name__ == "__main__":
    main()
