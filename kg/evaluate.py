"""Evaluation: scores extracted relations against gold files (the format of seeds/gold/SCHEMA.md).

Per document, predicted and gold (source, relation, target) are compared at three levels: strict
(all three), dyad+quad (source, target and quad class) and dyad (source and target). CONSULT,
ALLY_OF and AGREE are undirected. At each level duplicates collapse first; a prediction is correct
when it matches any gold line, core or not; recall counts core gold lines only; counts are summed
over documents (micro-average). Persons are rolled up to the actor they act for; actors are keyed
by Wikidata id, else by label.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from .errors import GoldError
from .records import Actor, Relation
from .vocab import RELATION_TYPES

LEVELS = ("strict", "dyad+quad", "dyad")
UNDIRECTED = {"CONSULT", "ALLY_OF", "AGREE"}
GOLD_FIELDS = ("doc", "source", "relation", "target")


@dataclass(frozen=True)
class Item:
    """One relation reduced to what scoring compares, with its evidence for error reports."""

    doc: str
    source: str
    relation: str
    target: str
    quad: str
    evidence: str = ""
    core: bool = True

    def key(self, level: str) -> tuple:
        pair = (self.source, self.target)
        if self.relation in UNDIRECTED:
            pair = tuple(sorted(pair))
        extra = {"strict": (self.relation,), "dyad+quad": (self.quad,), "dyad": ()}[level]
        return (self.doc, *pair, *extra)

    def matches(self, other: Item, level: str) -> bool:
        if self.doc != other.doc:
            return False
        if level == "strict" and self.relation != other.relation:
            return False
        if level == "dyad+quad" and self.quad != other.quad:
            return False
        if (self.source, self.target) == (other.source, other.target):
            return True
        undirected = self.relation in UNDIRECTED or other.relation in UNDIRECTED
        return undirected and (self.source, self.target) == (other.target, other.source)


@dataclass
class Score:
    tp_precision: int = 0
    predicted: int = 0
    tp_recall: int = 0
    gold: int = 0

    @property
    def precision(self) -> float:
        return self.tp_precision / self.predicted if self.predicted else 0.0

    @property
    def recall(self) -> float:
        return self.tp_recall / self.gold if self.gold else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def as_dict(self) -> dict:
        return {"precision": round(self.precision, 4), "recall": round(self.recall, 4), "f1": round(self.f1, 4),
                "correct_predictions": self.tp_precision, "predictions": self.predicted,
                "found_gold": self.tp_recall, "gold": self.gold}


@dataclass
class Evaluation:
    levels: dict[str, Score] = field(default_factory=dict)
    by_type: dict[str, Score] = field(default_factory=dict)
    misses: list[Item] = field(default_factory=list)  # core gold lines not found (strict)
    false_positives: list[Item] = field(default_factory=list)  # predictions matching no gold (strict)
    documents: int = 0

    def as_dict(self, errors: bool = False) -> dict:
        data = {
            "documents": self.documents,
            "levels": {k: v.as_dict() for k, v in self.levels.items()},
            "by_type": {k: v.as_dict() for k, v in sorted(self.by_type.items())},
        }
        if errors:
            data["misses"] = [i.__dict__ for i in self.misses]
            data["false_positives"] = [i.__dict__ for i in self.false_positives]
        return data


def actor_key(actor: Actor) -> str:
    return actor.wikidata or actor.label


def predicted_items(relations: Iterable[Relation]) -> list[Item]:
    """Asserted relations as scoring items, persons rolled up to the actor they act for."""
    items = []
    for r in relations:
        if not r.asserted:
            continue
        source, target = actor_key(r.source.rolled_up()), actor_key(r.target.rolled_up())
        if source != target:
            items.append(Item(r.doc, source, r.type, target, r.quad, r.sentence))
    return items


def read_gold(path: str | Path) -> list[Item]:
    """Gold lines from a .jsonl file or every .jsonl file in a folder."""
    path = Path(path)
    files = sorted(path.glob("*.jsonl")) if path.is_dir() else [path]
    if not files or not all(f.is_file() for f in files):
        raise GoldError(f"{path}: no gold .jsonl files there")
    items = []
    for file in files:
        try:
            text = file.read_text(encoding="utf-8")
        except UnicodeDecodeError as exc:
            raise GoldError(f"{file} is not UTF-8 text (byte {exc.object[exc.start]:#04x} at offset {exc.start}): "
                            f"save it as UTF-8") from exc
        except OSError as exc:
            raise GoldError(f"cannot read {file}: {exc.strerror or exc}") from exc
        for number, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
                missing = [f for f in GOLD_FIELDS if not record.get(f)]
                if missing:
                    raise ValueError(f"missing {', '.join(missing)}")
                rtype = RELATION_TYPES[record["relation"]]
            except (ValueError, KeyError) as exc:
                raise GoldError(f"{file}:{number}: not a gold line ({exc}); see SCHEMA.md") from exc
            items.append(Item(record["doc"], record["source"], record["relation"], record["target"],
                              record.get("quad") or rtype.quad, record.get("evidence", ""),
                              bool(record.get("core", True))))
    return items


def gold_documents(path: str | Path, gold: Iterable[Item] = ()) -> set[str]:
    """Every document a gold folder speaks for: one ``<doc-id>.jsonl`` per document, empty when the
    document asserts no relation (what is extracted from it is then a false positive), plus any
    document its lines name."""
    path = Path(path)
    files = sorted(path.glob("*.jsonl")) if path.is_dir() else [path]
    return {f.stem for f in files} | {g.doc for g in gold}


def evaluate(predicted: list[Item], gold: list[Item], documents: Iterable[str] | None = None) -> Evaluation:
    """Scores predictions against gold over ``documents`` (default: those the gold lines name); every
    prediction from those documents counts, including those from a document with no gold line."""
    docs = set(documents) if documents is not None else {g.doc for g in gold}
    predicted = [p for p in predicted if p.doc in docs]
    result = Evaluation(documents=len(docs))
    for level in LEVELS:
        result.levels[level] = _score(predicted, gold, level)
    for rtype in sorted({i.relation for i in predicted + gold}):
        result.by_type[rtype] = _score([p for p in predicted if p.relation == rtype],
                                       [g for g in gold if g.relation == rtype], "strict")
    result.misses = [g for g in _unique(gold, "strict") if g.core
                     and not any(p.matches(g, "strict") for p in predicted)]
    result.false_positives = [p for p in _unique(predicted, "strict")
                              if not any(p.matches(g, "strict") for g in gold)]
    return result


def find_corpus(gold: list[Item], gold_path: str | Path, candidates: Iterable[str | Path] = (),
                documents: Iterable[str] | None = None) -> list[Path]:
    """The article files of the gold's documents (``documents``, default those the gold lines name):
    beside the gold folder, in its parent, or a candidate."""
    from .corpus import corpus_files

    gold_path = Path(gold_path)
    base = gold_path if gold_path.is_dir() else gold_path.parent
    wanted = set(documents) if documents is not None else {g.doc for g in gold}
    for folder in [*map(Path, candidates), base.parent, base.parent / "seeds", Path("seeds")]:
        if not folder.is_dir():
            continue
        files: dict[str, Path] = {}
        for f in corpus_files([folder]):
            # never the gold files themselves (they share the articles' stems); articles before feeds
            if f.stem in wanted and base.resolve() not in f.resolve().parents and (
                    f.stem not in files or files[f.stem].suffix == ".jsonl"):
                files[f.stem] = f
        if set(files) == wanted:
            return [files[d] for d in sorted(wanted)]
    raise GoldError(f"cannot find the articles of the gold documents ({', '.join(sorted(wanted)[:3])}, ...): "
                    f"pass --corpus DIR")


def _unique(items: list[Item], level: str) -> list[Item]:
    seen: dict[tuple, Item] = {}
    for item in items:
        seen.setdefault(item.key(level), item)
    return list(seen.values())


def _score(predicted: list[Item], gold: list[Item], level: str) -> Score:
    score = Score()
    by_doc: dict[str, list[Item]] = defaultdict(list)
    for g in gold:
        by_doc[g.doc].append(g)
    for p in _unique(predicted, level):
        score.predicted += 1
        if any(p.matches(g, level) for g in by_doc[p.doc]):
            score.tp_precision += 1
    preds_by_doc: dict[str, list[Item]] = defaultdict(list)
    for p in predicted:
        preds_by_doc[p.doc].append(p)
    for g in _unique([g for g in gold if g.core], level):
        score.gold += 1
        if any(p.matches(g, level) for p in preds_by_doc[g.doc]):
            score.tp_recall += 1
    return score
