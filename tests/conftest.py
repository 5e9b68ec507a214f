"""Shared fixtures: the spaCy pipeline and a store built from seeds/, each made once per session."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"


def asserted(extractor, text: str) -> set[tuple[str, str, str]]:
    """(source, TYPE, target) of the asserted relations in ``text``, persons rolled up to the actor
    they act for: what the extraction tests compare."""
    return {(r.source.rolled_up().label, r.type, r.target.rolled_up().label)
            for r in extractor.relations(text) if r.asserted}


@pytest.fixture(scope="session")
def nlp():
    from kg.extract.nlp import load_nlp

    return load_nlp()


@pytest.fixture(scope="session")
def extractor(nlp):
    from kg.extract import Extractor

    return Extractor(nlp=nlp)


@pytest.fixture(scope="session")
def seeds_store_path(tmp_path_factory, nlp) -> Path:
    """A store built once from seeds/; tests that change a store copy it first."""
    from kg.build import build
    from kg.store import Store

    path = tmp_path_factory.mktemp("seeds") / "store"
    build([SEEDS], Store(path), nlp=nlp)
    return path


@pytest.fixture
def seeds_store(seeds_store_path):
    from kg.store import Store

    return Store(seeds_store_path)


@pytest.fixture(scope="session")
def blank_model(tmp_path_factory) -> Path:
    """A pipeline that only tokenises and splits sentences: for tests about size, files and the store,
    not language."""
    import spacy

    path = tmp_path_factory.mktemp("blank") / "model"
    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    nlp.to_disk(path)
    return path


@pytest.fixture
def store_copy(seeds_store_path, tmp_path) -> Path:
    """A private copy of the seeds store, for tests that write."""
    target = tmp_path / "store"
    shutil.copytree(seeds_store_path, target, symlinks=True)
    return target


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


# Hypothesis: a quick, derandomised profile for make test (the same examples on every run, so CI is
# deterministic), and a long random one for make fuzz (HYPOTHESIS_PROFILE=fuzz).
try:
    import os

    from hypothesis import HealthCheck, settings

    settings.register_profile("default", max_examples=25, deadline=None, derandomize=True, database=None,
                              suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
    settings.register_profile("fuzz", max_examples=600, deadline=None,
                              suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
    settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))
except ImportError:  # hypothesis is a dev dependency
    pass
