"""Validation: checks a store against the SHACL shapes in ontology/shapes.ttl (with pyshacl), in chunks.

The union of the store's graphs is too large to copy into rdflib at once, so it is checked piece by
piece, each piece with what its shapes need from elsewhere. The context (the ontology, the actors
and any graph that is neither a document's nor the events') is held throughout: the actors' types
and the class hierarchy answer every sh:class. Then come whole document graphs, each statement with
its kg:reports links and the types of the events they name, then the events graph, whole subjects at
a time, each event with the statements that report it (their kg:negated and kg:hypothetical). A chunk
closes once it holds ``chunk`` quads, so memory is bounded by the context and the chunk, not by the
store. Every node is checked where it is described: documents and statements in their document's
graph, events in the events graph, actors in the context."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

import pyoxigraph as ox

from .data import ontology_path
from .store import Store
from .vocab import EVENTS_GRAPH, KG, PROV, RDF, XSD

CHUNK = 50_000  # quads of document or event graphs checked together, beside the context

_EVENTS = ox.NamedNode(EVENTS_GRAPH)
_TYPE = ox.NamedNode(RDF + "type")
_REPORTS = ox.NamedNode(KG + "reports")
_DERIVED = ox.NamedNode(PROV + "wasDerivedFrom")
_MENTIONS = ox.NamedNode(KG + "mentions")
_MODALITY = (ox.NamedNode(KG + "negated"), ox.NamedNode(KG + "hypothetical"))
_STRING = XSD + "string"


@dataclass
class ValidationReport:
    conforms: bool
    checked: int
    problems: list[str] = field(default_factory=list)


def validate(store: Store, chunk: int = CHUNK) -> ValidationReport:
    """Validates the union of the store's graphs; each problem is one line: node, path, message."""
    import rdflib

    from .statements import document_graphs, named_graphs

    shapes = rdflib.Graph().parse(ontology_path("shapes.ttl"), format="turtle")
    documents = {graph.value for _, graph in document_graphs(store)}
    context_graphs = [ox.DefaultGraph(), *(g for g in named_graphs(store) if g.value not in documents and g != _EVENTS)]
    context = rdflib.Graph()
    described: set[ox.NamedNode | ox.BlankNode] = set()
    for graph in context_graphs:
        for quad in store.quads_for_pattern(None, None, None, graph):
            context.add(_rdflib_triple(quad))
            described.add(quad.subject)
    problems: set[str] = set()
    conforms = _check(context, shapes, problems)
    checked = len(set(context.subjects(rdflib.RDF.type, None)))
    facts = list(_class_facts(context, shapes))
    del context
    for own in _chunks(store, sorted(documents), chunk):
        # a new graph for each chunk: one emptied by remove() keeps its memory, and pyshacl's with it
        data = rdflib.Graph()
        for triple in [*facts, *map(_rdflib_triple, own), *map(_rdflib_triple, _support(store, own))]:
            data.add(triple)
        conforms = _check(data, shapes, problems) and conforms
        checked += len({q.subject for q in own if q.predicate == _TYPE and q.subject not in described})
        del data
    return ValidationReport(conforms, checked, sorted(problems))


def _class_facts(context, shapes):
    """What the context tells a chunk: each of its nodes' classes (through rdfs:subClassOf), as rdf:type
    triples, but for the classes a shape targets, which would make the node a focus again. So a
    statement's sh:class kg:Actor holds for an actor of the actors graph, whose own shape was
    checked with the context."""
    import rdflib

    sh = rdflib.Namespace("http://www.w3.org/ns/shacl#")
    targeted = {c for target in shapes.objects(None, sh.targetClass)
                for c in context.transitive_subjects(rdflib.RDFS.subClassOf, target)}
    facts = rdflib.Graph()
    for node, kind in context.subject_objects(rdflib.RDF.type):
        for cls in context.transitive_objects(kind, rdflib.RDFS.subClassOf):
            if cls not in targeted:
                facts.add((node, rdflib.RDF.type, cls))
    return facts


def _check(data, shapes, problems: set[str]) -> bool:
    """Runs pyshacl on ``data``, adding each problem's line to ``problems``."""
    import rdflib
    from pyshacl import validate as shacl_validate

    conforms, results, _ = shacl_validate(data, shacl_graph=shapes, inference="none", allow_warnings=True,
                                          inplace=True)
    sh = rdflib.Namespace("http://www.w3.org/ns/shacl#")
    for result in results.subjects(rdflib.RDF.type, sh.ValidationResult):
        node = results.value(result, sh.focusNode)
        path = results.value(result, sh.resultPath)
        message = results.value(result, sh.resultMessage)
        problems.add(f"{node} {path or ''}: {message}")
    return bool(conforms)


def _chunks(store: Store, documents: list[str], size: int) -> Iterator[list[ox.Quad]]:
    """Whole document graphs, then whole subjects of the events graph, ``size`` quads or so at a time."""
    held: list[ox.Quad] = []
    for document in documents:
        held.extend(store.quads_for_pattern(None, None, None, ox.NamedNode(document)))
        if len(held) >= size:
            yield held
            held = []
    subject = None
    for quad in store.quads_for_pattern(None, None, None, _EVENTS):  # grouped by subject
        if quad.subject != subject and len(held) >= size:
            yield held
            held = []
        subject = quad.subject
        held.append(quad)
    if held:
        yield held


def _support(store: Store, own: list[ox.Quad]) -> Iterator[ox.Quad]:
    """What the shapes of a chunk's nodes read beyond the chunk and the context: a statement's kg:reports
    links and the types of the events they name; the statements that report an event, with their
    kg:negated and kg:hypothetical."""
    statements = {q.subject for q in own if q.predicate == _DERIVED and q.graph_name != _EVENTS}
    for statement in statements:
        for link in store.quads_for_pattern(statement, _REPORTS, None, _EVENTS):
            yield link
            yield from store.quads_for_pattern(link.object, _TYPE, None, _EVENTS)
    events = {q.subject for q in own if q.graph_name == _EVENTS and q.predicate == _MENTIONS}
    for event in events:
        for link in store.quads_for_pattern(None, _REPORTS, event, _EVENTS):
            yield link
            for predicate in _MODALITY:
                yield from store.quads_for_pattern(link.subject, predicate, None, None)


def _rdflib_triple(quad: ox.Quad) -> tuple:
    return _rdflib_term(quad.subject), _rdflib_term(quad.predicate), _rdflib_term(quad.object)


def _rdflib_term(term):
    """The rdflib term for a pyoxigraph one (as rdflib reads it from N-Triples)."""
    import rdflib

    if isinstance(term, ox.NamedNode):
        return rdflib.URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return rdflib.BNode(term.value)
    if term.language:
        return rdflib.Literal(term.value, lang=term.language)
    if term.datatype.value == _STRING:
        return rdflib.Literal(term.value)
    return rdflib.Literal(term.value, datatype=rdflib.URIRef(term.datatype.value))
