"""RDF mapping: documents, relations and actors as quads (statement nodes plus direct edges)."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Iterator
from functools import lru_cache
from urllib.parse import quote

from pyoxigraph import Literal, NamedNode, Quad

from .records import Actor, Document, Relation
from .vocab import (
    ACTOR,
    ACTORS_GRAPH,
    DCTERMS,
    DOCUMENT,
    EV,
    KG,
    OWL,
    PROV,
    QUAD_CLASSES,
    RDF,
    RDFS,
    RELATION_TYPES,
    SKOS,
    STATEMENT,
    WD,
    XSD,
)

A = NamedNode(RDF + "type")
XSD_BOOLEAN = NamedNode(XSD + "boolean")
XSD_INTEGER = NamedNode(XSD + "integer")
XSD_DECIMAL = NamedNode(XSD + "decimal")
ACTORS = NamedNode(ACTORS_GRAPH)


def kg(name: str) -> NamedNode:
    return NamedNode(KG + name)


def iri_part(value: str) -> str:
    """``value`` made safe as the last segment of an IRI."""
    return quote(value, safe="-_.~")


def actor_iri(actor: Actor | str) -> NamedNode:
    return _actor_iri(actor if isinstance(actor, str) else actor.id)


@lru_cache(maxsize=65_536)
def _actor_iri(actor_id: str) -> NamedNode:  # a build names the same few hundred actors again and again
    return NamedNode(ACTOR + iri_part(actor_id))


def document_iri(doc_id: str) -> NamedNode:
    return NamedNode(DOCUMENT + iri_part(doc_id))


def doc_key(doc: str) -> str:
    """A short key for a document IRI: 12 hex digits of its SHA-256 (48 bits: no collision to fear
    below millions of documents), so that the dyad table's rows can say which documents they come
    from; a document's graph states it (kg:documentKey), so that a key leads to its document."""
    return hashlib.sha256(doc.encode("utf-8", "surrogatepass")).hexdigest()[:12]


def statement_iri(relation: Relation) -> NamedNode:
    """A stable IRI: the same relation read from the same sentence always gets the same one."""
    key = "\x1f".join(map(str, (relation.doc, relation.start, relation.end, relation.source.id, relation.type,
                                relation.target.id, relation.negated, relation.hypothetical)))
    return NamedNode(STATEMENT + hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()[:24])


def _string(value: str) -> Literal:
    # Lone surrogates cannot be stored; replace them rather than fail the whole document.
    return Literal(value.encode("utf-8", "replace").decode("utf-8") if _has_surrogate(value) else value)


def _has_surrogate(value: str) -> bool:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:  # only a lone surrogate cannot be encoded
        return True
    return False


def _boolean(value: bool) -> Literal:
    return Literal("true" if value else "false", datatype=XSD_BOOLEAN)


def _date(value: str) -> Literal:
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        return Literal(value, datatype=NamedNode(XSD + "date"))
    if re.fullmatch(r"\d{4}-\d{2}", value):
        return Literal(value, datatype=NamedNode(XSD + "gYearMonth"))
    if re.fullmatch(r"\d{4}", value):
        return Literal(value, datatype=NamedNode(XSD + "gYear"))
    return _string(value)


@lru_cache(maxsize=16_384)
def date_literal(value: str) -> Literal:
    """A date as given (YYYY, YYYY-MM or YYYY-MM-DD) with its XSD type; anything else as a string."""
    return _date(value)


def document_quads(document: Document, relations: Iterable[Relation], extractor: str) -> Iterator[Quad]:
    """The quads of one document's named graph: the document, its statements and direct edges."""
    graph = document_iri(document.id)
    doc = graph
    yield Quad(doc, A, kg("Document"), graph)
    yield Quad(doc, NamedNode(DCTERMS + "identifier"), _string(document.id), graph)
    yield Quad(doc, kg("sha256"), Literal(document.sha256), graph)
    yield Quad(doc, kg("documentKey"), Literal(doc_key(doc.value)), graph)
    yield Quad(doc, kg("extractorVersion"), Literal(extractor), graph)
    if document.origin:
        yield Quad(doc, kg("origin"), _string(document.origin), graph)
    if document.title:
        yield Quad(doc, NamedNode(DCTERMS + "title"), _string(document.title), graph)
    if document.date:
        yield Quad(doc, NamedNode(DCTERMS + "date"), _date(document.date), graph)
        yield Quad(doc, kg("dateApproximate"), _boolean(document.date_approximate), graph)
    if document.source:
        yield Quad(doc, NamedNode(DCTERMS + "publisher"), _string(document.source), graph)
    if document.url and re.fullmatch(r"https?://[^\s<>\"{}|\\^`]+", document.url):
        yield Quad(doc, NamedNode(DCTERMS + "source"), NamedNode(document.url), graph)
    edges: set[tuple[NamedNode, NamedNode, NamedNode]] = set()
    for relation in relations:
        yield from _statement_quads(relation, graph)
        if relation.asserted:
            rtype = RELATION_TYPES[relation.type]
            prop = NamedNode(rtype.property_iri)
            src, tgt = relation.source, relation.target
            edges.add((actor_iri(src), prop, actor_iri(tgt)))
            # both levels: the person's edge and the edge of the state it acts for
            if src.represents is not None or tgt.represents is not None:
                rolled = (actor_iri(src.rolled_up()), prop, actor_iri(tgt.rolled_up()))
                if rolled[0] != rolled[2]:
                    edges.add(rolled)
    for s, p, o in sorted(edges, key=lambda e: (e[0].value, e[1].value, e[2].value)):
        yield Quad(s, p, o, graph)


_SOURCE, _TARGET, _QUAD, _POLARITY = kg("source"), kg("target"), kg("quad"), kg("polarity")
_NEGATED, _HYPOTHETICAL, _CONFIDENCE, _EVIDENCE = kg("negated"), kg("hypothetical"), kg("confidence"), kg("evidence")
_START, _END, _TRIGGER, _EXTRACTOR = kg("start"), kg("end"), kg("trigger"), kg("extractorVersion")
_BACKGROUND, _SOURCE_SECTOR, _TARGET_SECTOR = kg("background"), kg("sourceSector"), kg("targetSector")
_DATE, _DERIVED = NamedNode(DCTERMS + "date"), NamedNode(PROV + "wasDerivedFrom")
_TRUE, _FALSE = Literal("true", datatype=XSD_BOOLEAN), Literal("false", datatype=XSD_BOOLEAN)
_TYPES = {name: NamedNode(EV + rtype.name) for name, rtype in RELATION_TYPES.items()}
_QUADS = {quad: kg(name) for quad, name in QUAD_CLASSES.items()}


def _statement_quads(relation: Relation, graph: NamedNode) -> Iterator[Quad]:
    s = statement_iri(relation)
    yield Quad(s, A, _TYPES[relation.type], graph)
    yield Quad(s, _SOURCE, actor_iri(relation.source), graph)
    yield Quad(s, _TARGET, actor_iri(relation.target), graph)
    yield Quad(s, _QUAD, _QUADS[relation.quad], graph)
    yield Quad(s, _POLARITY, Literal(str(relation.polarity), datatype=XSD_INTEGER), graph)
    yield Quad(s, _NEGATED, _TRUE if relation.negated else _FALSE, graph)
    yield Quad(s, _HYPOTHETICAL, _TRUE if relation.hypothetical else _FALSE, graph)
    yield Quad(s, _CONFIDENCE, Literal(f"{relation.confidence:.3f}", datatype=XSD_DECIMAL), graph)
    yield Quad(s, _EVIDENCE, _string(relation.sentence), graph)
    yield Quad(s, _START, Literal(str(relation.start), datatype=XSD_INTEGER), graph)
    yield Quad(s, _END, Literal(str(relation.end), datatype=XSD_INTEGER), graph)
    yield Quad(s, _TRIGGER, _string(relation.trigger), graph)
    yield Quad(s, _EXTRACTOR, Literal(relation.extractor), graph)
    if relation.background:
        yield Quad(s, _BACKGROUND, _TRUE, graph)
    if relation.date:
        yield Quad(s, _DATE, _date(relation.date), graph)
    if relation.source_sector:
        yield Quad(s, _SOURCE_SECTOR, Literal(relation.source_sector), graph)
    if relation.target_sector:
        yield Quad(s, _TARGET_SECTOR, Literal(relation.target_sector), graph)
    yield Quad(s, _DERIVED, graph, graph)


def actor_quads(actor: Actor) -> Iterator[Quad]:
    """The description of one actor, for the actors graph."""
    node = actor_iri(actor)
    yield Quad(node, A, kg(actor.type), ACTORS)
    yield Quad(node, NamedNode(RDFS + "label"), _string(actor.label), ACTORS)
    yield Quad(node, NamedNode(SKOS + "prefLabel"), _string(actor.label), ACTORS)
    for alias in sorted(set(actor.aliases) - {actor.label}):
        yield Quad(node, NamedNode(SKOS + "altLabel"), _string(alias), ACTORS)
    if actor.wikidata:
        yield Quad(node, NamedNode(OWL + "sameAs"), NamedNode(WD + actor.wikidata), ACTORS)
    if actor.role:
        yield Quad(node, kg("role"), _string(actor.role), ACTORS)
    if actor.represents is not None:
        yield Quad(node, NamedNode(PROV + "actedOnBehalfOf"), actor_iri(actor.represents), ACTORS)
    for key in sorted(name_keys(actor)):
        yield Quad(node, kg("nameKey"), _string(key), ACTORS)


def name_keys(actor: Actor) -> set[str]:
    """The names an actor is found by (kg.lookup), case-folded: label, aliases, id, Wikidata id."""
    names = {actor.label, *actor.aliases, actor.id, actor.id.replace("_", " "), actor.wikidata or ""}
    return {name.strip().casefold() for name in names if name and name.strip()}


def actors_of(relations: Iterable[Relation]) -> dict[str, Actor]:
    """Every actor the relations name, with the states and organisations persons act for."""
    actors: dict[str, Actor] = {}
    for relation in relations:
        for actor in (relation.source, relation.target):
            actors.setdefault(actor.id, actor)
            if actor.represents is not None:
                actors.setdefault(actor.represents.id, actor.represents)
    return actors

