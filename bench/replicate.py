"""A large store from a built one: its documents and relations copied N times through kg's own RDF
path, each copy moved on by a year, so that a 100,000-article store takes minutes, not a day of parsing.

    python bench/replicate.py SOURCE_STORE TARGET_STORE --copies 10

Copy k of a document gets the id "<id>~k" and its date (and its relations' stated dates) k years
later, so events, months and dyads grow as a longer feed's would: the same actors, hubs and tails,
over more years. The target is written as `kg build` writes a fresh graph: documents in batches of
500 through the bulk loader, one commit (one generation) per batch, the actors graph, then the
events and the dyad table. Bench code: bench/run.py may import it; kg/ and tests/ never do.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import defaultdict
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kg.build import _load_ontology, _Pending, _update_actors  # noqa: E402
from kg.rdf import actors_of, document_quads  # noqa: E402
from kg.recount import recount  # noqa: E402
from kg.records import Document  # noqa: E402
from kg.statements import store_relations  # noqa: E402
from kg.store import Store  # noqa: E402

DOCUMENTS = """
SELECT ?id ?sha ?version ?date ?title WHERE {
  GRAPH ?doc { ?doc a kg:Document ; dcterms:identifier ?id ; kg:sha256 ?sha ; kg:extractorVersion ?version .
               OPTIONAL { ?doc dcterms:date ?date } OPTIONAL { ?doc dcterms:title ?title } }
} ORDER BY ?id"""
BATCH = 500


def later(date: str | None, years: int) -> str | None:
    if not date or not date[:4].isdigit():
        return date
    shifted = f"{int(date[:4]) + years:04d}{date[4:]}"
    return shifted[:4] + "-03-01" + shifted[10:] if shifted[4:10] == "-02-29" else shifted


def replicate(source: Path, target: Path, copies: int) -> tuple[int, int, float]:
    """Writes ``copies`` copies of ``source``'s documents into a fresh store at ``target``; returns
    documents and relations written, and seconds."""
    start = time.perf_counter()
    store = Store(source)
    documents = [(row["id"].value, row["sha"].value, row["version"].value,
                  row["date"].value if row["date"] is not None else None,
                  row["title"].value if row["title"] is not None else None) for row in store.query(DOCUMENTS)]
    by_doc = defaultdict(list)
    for relation in store_relations(store):
        by_doc[relation.doc].append(relation)
    store.close()
    written = relations = 0
    with Store(target).writer(fresh=True) as writer:
        _load_ontology(writer)
        pending, actors = _Pending(bulk=True), {}
        for k in range(copies):
            for doc_id, sha, version, date, title in documents:
                copy = f"{doc_id}~{k}" if k else doc_id
                document = Document(copy, "", sha, title=title, date=later(date, k))
                moved = [replace(r, doc=copy, date=later(r.date, k)) for r in by_doc.get(doc_id, ())]
                pending.add(document, document_quads(document, moved, version), version)
                actors.update(actors_of(moved))
                written += 1
                relations += len(moved)
                if written % BATCH == 0:
                    pending.write(writer)
                    _update_actors(writer, actors, replaced=False)
                    writer.commit()
                    actors = {}
        pending.write(writer)
        _update_actors(writer, actors, replaced=False)
        recount(writer)
    return written, relations, time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("source", type=Path)
    parser.add_argument("target", type=Path)
    parser.add_argument("--copies", type=int, default=10)
    args = parser.parse_args()
    documents, relations, seconds = replicate(args.source, args.target, args.copies)
    print(f"wrote {documents:,} documents, {relations:,} relations in {seconds:.1f} s -> {args.target}")


if __name__ == "__main__":
    main()
