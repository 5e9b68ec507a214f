"""Actor lookup in a store: any name, alias, id or Wikidata id, case-insensitive."""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from .errors import UnknownActor
from .store import Store
from .vocab import ACTOR, ACTORS_GRAPH, KG, OWL, RDF, RDFS, WD

NAMES = """
SELECT ?actor ?label ?class ?wd ?name WHERE {
  GRAPH <https://w3id.org/kg/graph/actors> {
    ?actor a ?class ; rdfs:label ?label .
    OPTIONAL { ?actor owl:sameAs ?wd }
    { ?actor rdfs:label ?name } UNION { ?actor skos:altLabel ?name }
  }
}"""

TYPE_ORDER = {"State": 0, "Organization": 1, "Group": 2, "Person": 3}


@dataclass(frozen=True)
class ActorRef:
    """An actor as the store knows it."""

    iri: str
    label: str
    type: str
    wikidata: str | None

    @property
    def id(self) -> str:
        from urllib.parse import unquote

        return unquote(self.iri.removeprefix(ACTOR))


def actor_names(store: Store) -> dict[str, list[ActorRef]]:
    """Every name (casefolded) -> the actors it names; ids and Wikidata ids count as names."""
    names: dict[str, list[ActorRef]] = {}
    for row in store.query(NAMES):
        wd = row["wd"].value.removeprefix(WD) if row["wd"] is not None else None
        ref = ActorRef(row["actor"].value, row["label"].value, row["class"].value.removeprefix(KG), wd)
        for name in {row["name"].value, ref.id, ref.id.replace("_", " "), wd or ""}:
            if name:
                bucket = names.setdefault(name.casefold(), [])
                if ref not in bucket:
                    bucket.append(ref)
    return names


def _refs(store: Store, actor, graph) -> list[ActorRef]:
    """An actor's references (one per class, label and Wikidata id, as a join of them would give),
    from one indexed read of its quads in the actors graph."""
    values: dict[str, list[str]] = {}
    for quad in store.quads_for_pattern(actor, None, None, graph):
        values.setdefault(quad.predicate.value, []).append(quad.object.value)
    wds = values.get(OWL + "sameAs") or [None]
    return [ActorRef(actor.value, label, kind.removeprefix(KG), wd.removeprefix(WD) if wd else None)
            for kind in values.get(RDF + "type", []) for label in values.get(RDFS + "label", []) for wd in wds]


def find_actor(store: Store, name: str) -> ActorRef:
    """The actor ``name`` means; a person's surname alone will do when one person has it ("Bush");
    raises UnknownActor with the closest known names (all the persons of that surname, if several).

    A name, alias, id or Wikidata id is found through the actors' name keys (kg:nameKey, an index);
    only a surname, an unknown name or a store without keys reads every name."""
    import pyoxigraph as ox

    key = name.strip().casefold()
    graph = ox.NamedNode(ACTORS_GRAPH)
    refs = set()
    for keyed in store.quads_for_pattern(None, ox.NamedNode(KG + "nameKey"), ox.Literal(key), graph):
        refs.update(_refs(store, keyed.subject, graph))
    if refs:
        return sorted(refs, key=lambda r: (TYPE_ORDER.get(r.type, 9), r.label))[0]
    names = actor_names(store)
    matches = names.get(key)
    if matches:
        return sorted(matches, key=lambda r: (TYPE_ORDER.get(r.type, 9), r.label))[0]
    surnamed = sorted({ref for refs in names.values() for ref in refs
                       if ref.type == "Person" and len(ref.label.split()) > 1
                       and ref.label.split()[-1].casefold() == key}, key=lambda r: r.label)
    if len(surnamed) == 1:
        return surnamed[0]
    if surnamed:
        raise UnknownActor(name, [ref.label for ref in surnamed][:5])
    labels = {ref.label.casefold(): ref.label for refs in names.values() for ref in refs}
    candidates = {**{k: refs[0].label for k, refs in names.items()}, **labels}
    close = difflib.get_close_matches(name.strip().casefold(), list(candidates), n=8, cutoff=0.6)
    suggestions = list(dict.fromkeys(candidates[c] for c in close))[:5]
    raise UnknownActor(name, suggestions)
