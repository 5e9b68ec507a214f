"""Extraction: from a document's text to typed, sourced relations between canonical actors.

The pipeline (kg.extract.pipeline: Extractor, time budgets; kg.extract.workers: worker processes;
kg.extract.parses: a parse sent from the process that made it to the one that reads it) runs
spaCy (nlp), finds actors with the gazetteer (gazetteer, actors), reads relations from the parse
(relations, modality, evaluative, timing), and knows news formats (wire, genre). spaCy itself is
imported only when a pipeline is loaded."""

from .pipeline import (CHUNK_CHARS, DOC_TIMEOUT, DocumentTimeout, Extraction, Extractor, deadline,
                       extractor_version, time_budget)
from .workers import extract_in_workers

__all__ = ["CHUNK_CHARS", "DOC_TIMEOUT", "DocumentTimeout", "Extraction", "Extractor", "deadline",
           "extract_in_workers", "extractor_version", "time_budget"]
