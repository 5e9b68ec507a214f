"""A document's parse as bytes, so that one process parses and another reads the parse.

A build that parses in a worker process beside itself has the worker run spaCy only and send back
each piece of a document as its tokens' annotations (the columns of ``Doc.to_array`` kg reads), the
strings those name and the Doc's user data; the build's own process, which holds the vocabulary
but no model, makes the Doc again and reads relations off it (kg.extract.pipeline.Extractor.read).
Reading a parse is a tenth of the work of making it: done beside the parser, it no longer waits
for it. This is spaCy's DocBin without its compression, which cost the parser as much again.
"""

from __future__ import annotations

import pickle
from typing import NamedTuple

from ..records import Document

# What a reader sees of a token, beyond its text: ORTH and SPACY first, which make the Doc; the
# string columns carry hashes, whose strings travel with them.
ATTRS = ("ORTH", "SPACY", "TAG", "POS", "MORPH", "LEMMA", "NORM", "DEP", "HEAD", "ENT_IOB", "ENT_TYPE",
         "ENT_KB_ID", "ENT_ID", "SENT_START")
_STRING_COLUMNS = [ATTRS.index(name) for name in ("ORTH", "TAG", "MORPH", "LEMMA", "NORM", "DEP", "ENT_TYPE",
                                                   "ENT_KB_ID", "ENT_ID")]


class Parsed(NamedTuple):
    """A document parsed elsewhere: its pieces (kg.extract.pipeline.chunks), each as the offset of
    the piece in the document's text and its parse as doc_bytes made it."""

    document: Document
    pieces: tuple[tuple[int, bytes], ...]


def doc_bytes(doc) -> bytes:
    """``doc``'s annotations, the strings they name and its user data, as bytes."""
    import numpy

    array = doc.to_array(list(ATTRS))
    strings = doc.vocab.strings
    named = [strings[int(h)] for h in numpy.unique(array[:, _STRING_COLUMNS]) if h] if len(doc) else []
    return pickle.dumps((array, named, doc.user_data), protocol=pickle.HIGHEST_PROTOCOL)


def doc_from_bytes(vocab, data: bytes):
    """The Doc that doc_bytes made ``data`` of, in ``vocab`` (that of the same model)."""
    from spacy.tokens import Doc

    array, named, user_data = pickle.loads(data)
    strings = vocab.strings
    for string in named:
        strings.add(string)
    if not len(array):
        doc = Doc(vocab, words=[])
    else:
        columns = array[:, :2].T.tolist()
        doc = Doc(vocab, words=[strings[h] for h in columns[0]], spaces=[bool(s) for s in columns[1]])
        doc.from_array(list(ATTRS[2:]), array[:, 2:])
    doc.user_data.update(user_data)
    return doc
