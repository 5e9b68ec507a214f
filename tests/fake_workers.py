"""Worker processes for the tests of kg.extract.workers, started by spawn: a module of its own, light
to import, so that a worker the tests kill and start again starts fast."""

import os
import time


def serve_crashing_on_marker(requests, answers, model, gazetteers):
    """A worker that dies, as a segfault in a parser would, on any text with CRASH in it."""
    from kg.extract import workers
    from kg.extract.relations import RelationReader

    original = RelationReader.relations

    def relations(self, doc, *args, **kwargs):
        if "CRASH" in doc.text:
            os._exit(1)
        return original(self, doc, *args, **kwargs)

    RelationReader.relations = relations
    workers.serve_batches(requests, answers, model, gazetteers)


def serve_dying_at_once(requests, answers, model, gazetteers):
    os._exit(3)


def serve_by_marker(requests, answers, model, gazetteers):
    """A worker without a model, for what workers do when they die: it reads "CRASH" by dying, "EXIT"
    by answering and then dying, "SLEEP:S" by taking S seconds; any other text has no relations."""
    from kg.extract import Extraction, workers

    def read(document):
        if document.text.startswith("CRASH"):
            os._exit(1)
        if document.text.startswith("SLEEP:"):
            time.sleep(float(document.text.split(":")[1]))
        return Extraction(document, [], None)

    answers.send(("ready", None))
    for documents, _ in workers.received(requests):
        answers.send(("reading", None))
        answers.send(("done", [read(d) for d in documents]))
        if any(d.text.startswith("EXIT") for d in documents):
            os._exit(0)


def serve_parses_crashing_on_marker(requests, answers, model, gazetteers):
    """A worker that only parses, and dies, as a segfault in the parser would, on any text with CRASH in it."""
    from kg.extract import pipeline, workers

    original = pipeline._pieces

    def pieces(nlp, documents):
        for doc, context in original(nlp, documents):
            if "CRASH" in doc.text:
                os._exit(1)
            yield doc, context

    pipeline._pieces = pieces
    workers.serve_parses(requests, answers, model, gazetteers)


def serve_parses_sending_only_short_ones(requests, answers, model, gazetteers):
    """A worker that only parses, for which a document of 60 characters or more is long."""
    from kg.extract import workers

    workers.SEND_CHARS = 60
    workers.serve_parses(requests, answers, model, gazetteers)
