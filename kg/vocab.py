"""kg's RDF vocabulary: namespaces, relation types and quad classes (checked against ontology/kg.ttl)."""

from __future__ import annotations

from dataclasses import dataclass

KG = "https://w3id.org/kg/ontology#"
EV = "https://w3id.org/kg/event#"
REL = "https://w3id.org/kg/relation#"
ACTOR = "https://w3id.org/kg/actor/"
STATEMENT = "https://w3id.org/kg/statement/"
DOCUMENT = "https://w3id.org/kg/document/"
INCIDENT = "https://w3id.org/kg/incident/"  # event nodes: one per incident, however many reports
ACTORS_GRAPH = "https://w3id.org/kg/graph/actors"
EVENTS_GRAPH = "https://w3id.org/kg/graph/events"
DYADS_GRAPH = "https://w3id.org/kg/graph/dyads"  # the dyad table (kg.dyads): derived counts, by month
TOTALS_GRAPH = "https://w3id.org/kg/graph/dyad-totals"  # the same over all periods
ONTOLOGY_GRAPH = "https://w3id.org/kg/graph/ontology"
WD = "http://www.wikidata.org/entity/"

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
OWL = "http://www.w3.org/2002/07/owl#"
XSD = "http://www.w3.org/2001/XMLSchema#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
PROV = "http://www.w3.org/ns/prov#"
DCTERMS = "http://purl.org/dc/terms/"

PREFIXES = {
    "kg": KG,
    "ev": EV,
    "rel": REL,
    "actor": ACTOR,
    "stmt": STATEMENT,
    "doc": DOCUMENT,
    "incident": INCIDENT,
    "wd": WD,
    "rdf": RDF,
    "rdfs": RDFS,
    "owl": OWL,
    "xsd": XSD,
    "skos": SKOS,
    "prov": PROV,
    "dcterms": DCTERMS,
}

SPARQL_PROLOGUE = "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in PREFIXES.items())


@dataclass(frozen=True)
class RelationType:
    """A relation type: its PLOVER name, quad class, polarity and direct actor-to-actor property."""

    name: str
    quad: str  # as in the gold schema: verbal-cooperation, ..., structural
    polarity: int
    property: str  # local name in the rel: namespace
    symmetric: bool = False

    @property
    def iri(self) -> str:
        return EV + self.name

    @property
    def property_iri(self) -> str:
        return REL + self.property


QUAD_CLASSES = {
    "verbal-cooperation": "VerbalCooperation",
    "material-cooperation": "MaterialCooperation",
    "verbal-conflict": "VerbalConflict",
    "material-conflict": "MaterialConflict",
    "structural": "Structural",
}
QUAD_BY_CLASS = {v: k for k, v in QUAD_CLASSES.items()}


def _types() -> dict[str, RelationType]:
    table = [
        ("AGREE", "verbal-cooperation", 1, "agrees", True),
        ("CONSULT", "verbal-cooperation", 1, "consults", True),
        ("SUPPORT", "verbal-cooperation", 1, "supports", False),
        ("CONCEDE", "verbal-cooperation", 1, "concedesTo", False),
        ("COOPERATE", "material-cooperation", 1, "cooperatesWith", False),
        ("AID", "material-cooperation", 1, "aids", False),
        ("RETREAT", "material-cooperation", 1, "retreatsFrom", False),
        ("REQUEST", "verbal-conflict", -1, "requests", False),
        ("ACCUSE", "verbal-conflict", -1, "accuses", False),
        ("REJECT", "verbal-conflict", -1, "rejects", False),
        ("THREATEN", "verbal-conflict", -1, "threatens", False),
        ("PROTEST", "material-conflict", -1, "protestsAgainst", False),
        ("SANCTION", "material-conflict", -1, "sanctions", False),
        ("MOBILIZE", "material-conflict", -1, "mobilizesAgainst", False),
        ("COERCE", "material-conflict", -1, "coerces", False),
        ("ASSAULT", "material-conflict", -1, "assaults", False),
        ("MEMBER_OF", "structural", 0, "memberOf", False),
        ("ALLY_OF", "structural", 1, "allyOf", True),
    ]
    return {name: RelationType(name, quad, pol, prop, sym) for name, quad, pol, prop, sym in table}


RELATION_TYPES: dict[str, RelationType] = _types()
RELATION_BY_PROPERTY = {t.property: t for t in RELATION_TYPES.values()}
