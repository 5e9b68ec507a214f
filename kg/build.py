"""Building: reads a corpus, extracts relations from new or changed documents, loads them as RDF."""

from __future__ import annotations

import itertools
import os
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from .corpus import OnSkip, Skipped, corpus_metadata, corpus_files, read_files
from .data import ontology_path
from .extract import extractor_version
from .rdf import ACTORS, actor_iri, actor_quads, actors_of, document_iri, document_quads
from .records import Actor, Document
from .store import Store, Writer
from .vocab import ONTOLOGY_GRAPH

KNOWN_DOCUMENTS = """
SELECT ?id ?sha ?version WHERE {
  GRAPH ?g { ?g a kg:Document ; dcterms:identifier ?id ; kg:sha256 ?sha ; kg:extractorVersion ?version }
}"""

UNREFERENCED_ACTORS = """
SELECT DISTINCT ?actor WHERE {
  GRAPH <https://w3id.org/kg/graph/actors> { ?actor a ?type }
  FILTER NOT EXISTS { GRAPH ?g { ?statement kg:source|kg:target ?actor } FILTER(?g != <https://w3id.org/kg/graph/actors>) }
  FILTER NOT EXISTS { GRAPH <https://w3id.org/kg/graph/actors> { ?person prov:actedOnBehalfOf ?actor } }
}"""

TOTALS = """
SELECT
  (COUNT(DISTINCT ?doc) AS ?documents)
  (COUNT(DISTINCT ?statement) AS ?relations)
  (COUNT(DISTINCT ?actor) AS ?actors)
WHERE {
  { GRAPH ?g { ?doc a kg:Document } }
  UNION { GRAPH ?g { ?statement kg:source ?s } }
  UNION { GRAPH <https://w3id.org/kg/graph/actors> { ?actor a ?type } }
}"""


@dataclass
class BuildReport:
    """What a build did, and what the store holds after it."""

    extracted: int = 0
    unchanged: int = 0
    new_relations: int = 0
    skipped: list[Skipped] = field(default_factory=list)
    documents: int = 0
    relations: int = 0
    actors: int = 0
    seconds: float = 0.0

    def summary(self, store: Store) -> str:
        parts = [f"{self.documents} documents ({self.extracted} extracted, {self.unchanged} unchanged"]
        if self.skipped:
            parts[0] += f", {len(self.skipped)} skipped"
        parts[0] += ")"
        parts.append(f"{self.relations} relations")
        parts.append(f"{self.actors} actors")
        return f"built {', '.join(parts)} in {self.seconds:.1f} s -> {store.path}"


def build(
    paths: Iterable[str | os.PathLike],
    store: Store,
    *,
    rebuild: bool = False,
    model: str | None = None,
    workers: int = 1,
    on_skip: OnSkip | None = None,
    on_file: Callable[[Path], None] | None = None,
    nlp=None,
) -> BuildReport:
    """Builds ``paths`` into ``store`` as one transaction; unchanged documents are not re-read.

    ``rebuild`` starts a fresh graph from this corpus (and re-extracts every document).
    """
    started = time.perf_counter()
    report = BuildReport()

    def skip(item: Skipped) -> None:
        report.skipped.append(item)
        if on_skip is not None:
            on_skip(item)

    paths = list(paths)
    files = corpus_files(paths)
    metadata = corpus_metadata(paths)
    version = extractor_version()

    def tracked(files: list[Path]) -> Iterator[Path]:
        for file in files:
            yield file
            if on_file is not None:
                on_file(file)

    with store.writer(fresh=rebuild) as writer:
        known = {} if rebuild else _known_documents(writer)

        def changed() -> Iterator[Document]:
            for document in read_files(tracked(files), skip, metadata):
                if known.get(document.id) == (document.sha256, version):
                    report.unchanged += 1
                    continue
                yield document

        documents = changed()
        first = next(documents, None)
        actors: dict[str, Actor] = {}
        if first is not None:  # spaCy is loaded only when there is something to read
            from .extract import Extractor

            extractor = Extractor(nlp=nlp, model=model)
            for document, relations in extractor.extract(itertools.chain([first], documents), n_process=workers):
                writer.replace_graph(document_iri(document.id), document_quads(document, relations, version))
                actors.update(actors_of(relations))
                report.extracted += 1
                report.new_relations += len(relations)
        _update_actors(writer, actors)
        _load_ontology(writer)
        _totals(writer, report)
    report.seconds = time.perf_counter() - started
    return report


def _known_documents(writer: Writer) -> dict[str, tuple[str, str]]:
    return {
        row["id"].value: (row["sha"].value, row["version"].value)
        for row in writer.query(KNOWN_DOCUMENTS)
    }


def _update_actors(writer: Writer, actors: dict[str, Actor]) -> None:
    """Describes the actors this build saw afresh and drops those no statement refers to any more."""
    store = writer.store
    for actor in actors.values():
        _remove_description(store, actor_iri(actor))
    store.extend([q for actor in sorted(actors.values(), key=lambda a: a.id) for q in actor_quads(actor)])
    for row in list(writer.query(UNREFERENCED_ACTORS)):
        _remove_description(store, row["actor"])


def _remove_description(store, node) -> None:
    for quad in list(store.quads_for_pattern(node, None, None, ACTORS)):
        store.remove(quad)


def _load_ontology(writer: Writer) -> None:
    """The ontology in its own graph, so queries can use type labels, quads and subclasses."""
    import pyoxigraph as ox

    graph = ox.NamedNode(ONTOLOGY_GRAPH)
    triples = ox.parse(path=str(ontology_path("kg.ttl")), format=ox.RdfFormat.TURTLE)
    writer.replace_graph(graph, [ox.Quad(t.subject, t.predicate, t.object, graph) for t in triples])


def _totals(writer: Writer, report: BuildReport) -> None:
    row = next(iter(writer.query(TOTALS)))
    report.documents = int(row["documents"].value)
    report.relations = int(row["relations"].value)
    report.actors = int(row["actors"].value)
