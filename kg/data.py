"""Finds and reads kg's data files in ontology/ (in a checkout, or packaged inside kg/)."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from functools import cache
from pathlib import Path


@cache
def ontology_dir() -> Path:
    """The ontology folder: packaged beside the modules in a wheel, at the top of a checkout."""
    here = Path(__file__).resolve().parent
    for candidate in (here / "ontology", here.parent / "ontology"):
        if (candidate / "kg.ttl").is_file():
            return candidate
    raise FileNotFoundError("kg's ontology/ folder is missing: reinstall kg")


def ontology_path(*parts: str) -> Path:
    return ontology_dir().joinpath(*parts)


def read_table(name: str) -> Iterator[dict[str, str]]:
    """Rows of a tab-separated file in ontology/, skipping '#' comment lines."""
    yield from read_tsv(ontology_path(name))


def read_tsv(path: Path) -> Iterator[dict[str, str]]:
    """Rows of a tab-separated file with a header line, skipping '#' comment lines."""
    with Path(path).open(encoding="utf-8", newline="") as f:
        lines = (line for line in f if line.strip() and not line.startswith("#"))
        for row in csv.DictReader(lines, delimiter="\t", quoting=csv.QUOTE_NONE):
            yield {k: (v or "").strip() for k, v in row.items() if k is not None}


def read_columns(name: str, columns: tuple[str, ...]) -> Iterator[tuple[str, ...]]:
    """The named columns of each row of a tab-separated file in ontology/, as read_table reads them
    (values stripped, a missing cell empty), without a dict per row: for tables of tens of thousands
    of rows read at every start."""
    with ontology_path(name).open(encoding="utf-8", newline="") as f:
        lines = (line.rstrip("\r\n") for line in f if line.strip() and not line.startswith("#"))
        header = next(lines, "").split("\t")
        positions = [header.index(column) for column in columns]
        for line in lines:
            cells = line.split("\t")
            yield tuple(cells[i].strip() if i < len(cells) else "" for i in positions)


def split_list(cell: str) -> list[str]:
    """A '|'-separated cell as a list, without empty items."""
    return [item.strip() for item in cell.split("|") if item.strip()]


@cache
def load_cues() -> dict[str, frozenset[str]]:
    """ontology/cues.tsv: the named closed word lists (modals, negators, light verbs, ...)."""
    return {row["set"]: frozenset(w.lower() for w in split_list(row["words"])) for row in read_table("cues.tsv")}


def cue(name: str) -> frozenset[str]:
    """One list of ontology/cues.tsv by name; a missing list is a packaging error, said plainly."""
    cues = load_cues()
    if name not in cues:
        raise KeyError(f"ontology/cues.tsv has no list {name!r}: reinstall kg")
    return cues[name]
