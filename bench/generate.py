"""A deterministic generator of news-like articles, as a jsonl feed for `kg build`.

    python bench/generate.py N -o FILE [--seed S]

Each line is {"id", "title", "date", "text"}. The names are kg's own gazetteer (states and
organisations, office holders with their roles), so the extractor finds real actors. Each incident
(one PLOVER type: accuse, meet, attack, sanction, agree, request, support, reject) is reported by one
to three wires on the same date, in different wordings, so the wires group into one event; dates
spread over one year. Each article then rounds up zero to five other incidents of the day. Actors are
drawn with Zipf-like weights: a few hubs, a long tail.

Bench code: bench/run.py may import it; kg/ and tests/ never do.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kg.extract.gazetteer import load_gazetteer  # noqa: E402

WIRES = ("Reuters", "AP", "AFP", "Xinhua", "Anadolu", "DPA")
TOPICS = ("the disputed border", "energy prices", "the refugee crisis", "a new trade route",
          "the detained journalists", "water rights on the river", "the fishing dispute",
          "a prisoner exchange", "the grain corridor", "arms control")
CITIES = ("Geneva", "Vienna", "Doha", "Istanbul", "Oslo", "Nairobi", "Singapore", "Brussels")

# One incident type -> wordings; {A} and {B} are actors, {PA} a person acting for A ("President X"
# or A itself where A has no office holder), {T} a topic, {C} a city.
TEMPLATES = {
    "accuse": ("{A} accused {B} of violating the ceasefire near {T}.",
               "{PA} accused {B} of sabotaging talks over {T}.",
               "{A} condemned {B} for its conduct over {T}."),
    "meet": ("{A} held talks with {B} in {C} on {T}.",
             "{PA} met the leaders of {B} in {C} to discuss {T}.",
             "{A} met {B} in {C} on Tuesday."),
    "attack": ("{A} attacked {B} near {T}.",
               "{A} shelled {B} positions overnight, officials said.",
               "{A} launched air strikes against {B}."),
    "sanction": ("{A} imposed sanctions on {B} over {T}.",
                 "{A} sanctioned {B} over {T}, officials said.",
                 "{PA} announced new sanctions against {B}."),
    "agree": ("{A} signed an agreement with {B} on {T}.",
              "{A} and {B} signed a deal on {T} in {C}.",
              "{PA} signed a memorandum with {B} on {T}."),
    "request": ("{A} urged {B} to release the detained journalists.",
                "{PA} called on {B} to resume talks on {T}.",
                "{A} asked {B} to reopen the border crossing."),
    "support": ("{A} praised {B} for its role in {T}.",
                "{PA} praised {B} for its handling of {T}.",
                "{A} backed {B} in the dispute over {T}."),
    "reject": ("{A} rejected a proposal from {B} on {T}.",
               "{PA} rejected demands by {B} over {T}.",
               "{A} dismissed accusations by {B} over {T}."),
}
ROUNDUP = ("Separately, ", "Meanwhile, ", "In a related development, ", "Elsewhere, ", "On the same day, ")
FILLERS = ("The statement came after weeks of tension.", "Diplomats said further meetings were planned.",
           "Officials declined to comment on the timing of the move.", "The talks are expected to resume next month.",
           "Observers said the decision could affect regional trade.", "A spokesman said the position had not changed.",
           "The announcement was made at a news conference in the capital.", "Several ministers attended the session.",
           "Markets were little changed after the news.", "No casualties were reported.",
           "The foreign ministry gave no further details.", "Analysts expect the matter to drag on.")
TITLES = {"accuse": "{A} accuses {B}", "meet": "{A} and {B} hold talks", "attack": "{A} strikes {B}",
          "sanction": "{A} sanctions {B}", "agree": "{A} and {B} reach deal", "request": "{A} urges {B}",
          "support": "{A} backs {B}", "reject": "{A} rejects {B} demands"}


def actors_and_persons() -> tuple[list[str], dict[str, list[str]]]:
    """The state and organisation labels of kg's gazetteer, and per label its office holders
    ('President Emmanuel Macron')."""
    gazetteer = load_gazetteer()
    actors = sorted(a.label for a in gazetteer.actors.values() if a.type in ("State", "Organization"))
    persons: dict[str, list[str]] = {}
    for person in sorted(set(gazetteer.persons.values()), key=lambda p: p.id):
        if person.represents is not None and person.role:
            persons.setdefault(person.represents.label, []).append(f"{person.role} {person.label}")
    return actors, persons


def articles(n: int, seed: int = 1):
    """n articles as dicts, the same for the same n and seed."""
    rng = random.Random(seed)
    actors, persons = actors_and_persons()
    rng.shuffle(actors)
    weights = [1 / (rank + 1) ** 1.1 for rank in range(len(actors))]  # a few hubs, a long tail
    start = date(2025, 1, 1)
    made = 0
    incident = 0
    while made < n:
        kind = rng.choice(sorted(TEMPLATES))
        a = rng.choices(actors, weights)[0]
        b = rng.choices(actors, weights)[0]
        while b == a:
            b = rng.choice(actors)
        day = (start + timedelta(days=rng.randrange(365))).isoformat()
        topic, city = rng.choice(TOPICS), rng.choice(CITIES)
        wires = rng.sample(WIRES, rng.choice((1, 1, 2, 2, 3)))
        wordings = rng.sample(TEMPLATES[kind], len(wires))
        for wire, wording in zip(wires, wordings):
            if made == n:
                break
            pa = rng.choice(persons.get(a, [a]))
            fill = {"A": a, "B": b, "PA": pa, "T": topic, "C": city}
            lead = wording.format(**fill)
            paragraphs = [f"{lead[0].upper()}{lead[1:]} {' '.join(rng.sample(FILLERS, 2))}"]
            for _ in range(rng.randrange(6)):  # other incidents of the day, as a wire round-up has them
                other = rng.choice(sorted(TEMPLATES))
                c = rng.choices(actors, weights)[0]
                d = rng.choice([x for x in rng.choices(actors, weights, k=2) if x != c] or [actors[-1]])
                aside = rng.choice(TEMPLATES[other]).format(
                    A=c, B=d, PA=rng.choice(persons.get(c, [c])), T=rng.choice(TOPICS), C=rng.choice(CITIES))
                paragraphs.append(f"{rng.choice(ROUNDUP)}{aside} {rng.choice(FILLERS)}")
            text = "\n\n".join(paragraphs)
            yield {"id": f"{wire.lower()}-{incident:06d}", "title": TITLES[kind].format(**fill),
                   "date": day, "text": f"({wire}) {text}"}
            made += 1
        incident += 1


def write(n: int, path: Path, seed: int = 1) -> None:
    with path.open("w", encoding="utf-8") as f:
        for article in articles(n, seed):
            f.write(json.dumps(article) + "\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("n", type=int, help="number of articles")
    parser.add_argument("-o", "--output", type=Path, required=True, help="the jsonl file to write")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    write(args.n, args.output, args.seed)


if __name__ == "__main__":
    main()
