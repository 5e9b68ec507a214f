"""Extraction: documents in, relations out, with spaCy's nlp.pipe over bounded chunks."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from pathlib import Path

from . import __version__
from .data import ontology_path
from .records import Document, Relation

# Long articles are parsed in pieces of at most this many characters, cut at paragraph or
# sentence boundaries, so memory stays bounded and spaCy's max_length is never reached.
CHUNK_CHARS = 20_000
DATA_FILES = ("lexicon.tsv", "states.tsv", "actors.tsv", "persons.tsv", "agents.tsv", "nominals.tsv")
CODE_FILES = ("actors.py", "corpus.py", "extract.py", "gazetteer.py", "nlp.py", "rdf.py", "relations.py")


def extractor_version() -> str:
    """kg's version plus a digest of the data and code the extractor runs: editing the lexicon (or the
    extractor) makes the next build read every document again."""
    digest = hashlib.sha256()
    for name in DATA_FILES:
        digest.update(ontology_path(name).read_bytes())
    here = Path(__file__).resolve().parent
    for name in CODE_FILES:
        digest.update((here / name).read_bytes())
    return f"{__version__}+{digest.hexdigest()[:10]}"


def chunks(text: str, limit: int = CHUNK_CHARS) -> Iterator[tuple[int, int]]:
    """(start, end) pieces of ``text`` of at most ``limit`` characters, cut at the best boundary."""
    start, n = 0, len(text)
    while start < n:
        end = min(start + limit, n)
        if end < n:
            window = text[start:end]
            for sep in ("\n\n", "\n", ". ", " "):
                cut = window.rfind(sep)
                if cut > limit // 4:
                    end = start + cut + len(sep)
                    break
        yield start, end
        start = end


def strongest(relations: list[Relation]) -> list[Relation]:
    """One relation per statement (the same relation read twice from one sentence, e.g. through two
    triggers, is one statement): the most confident reading, in text order."""
    best: dict[tuple, Relation] = {}
    for r in relations:
        key = (r.start, r.end, r.source.id, r.type, r.target.id, r.negated, r.hypothetical)
        if key not in best or r.confidence > best[key].confidence:
            best[key] = r
    return sorted(best.values(), key=lambda r: (r.start, r.source.id, r.type, r.target.id))


class Extractor:
    """Turns documents into relations: actor resolution, then relations off the parse."""

    def __init__(self, nlp=None, model: str | None = None):
        from .actors import ActorResolver
        from .gazetteer import load_gazetteer
        from .nlp import load_nlp
        from .relations import RelationReader

        self.nlp = nlp if nlp is not None else load_nlp(model)
        self.gazetteer = load_gazetteer()
        self.resolver = ActorResolver(self.nlp, self.gazetteer)
        self.version = extractor_version()
        self.reader = RelationReader(extractor_version=self.version)

    def extract(self, documents: Iterable[Document], batch_size: int = 32,
                n_process: int = 1) -> Iterator[tuple[Document, list[Relation]]]:
        """Each document with its relations, in input order."""
        from .actors import PersonRegistry

        def pieces():
            for document in documents:
                spans = list(chunks(document.text)) or [(0, 0)]
                for k, (a, b) in enumerate(spans):
                    yield document.text[a:b], (document, a, k == len(spans) - 1)

        current: list[Relation] = []
        persons = PersonRegistry()
        for doc, (document, offset, last) in self.nlp.pipe(pieces(), as_tuples=True, batch_size=batch_size,
                                                             n_process=n_process):
            index = self.resolver.resolve(doc, persons)
            current.extend(self.reader.relations(doc, index, document.id, document.text, offset, persons))
            if last:
                yield document, strongest(current)
                current, persons = [], PersonRegistry()

    def relations(self, text: str, doc_id: str = "text") -> list[Relation]:
        """Relations in one text: a convenience for notebooks and tests."""
        document = Document(doc_id, text, hashlib.sha256(text.encode()).hexdigest())
        return next(iter(self.extract([document])))[1]
