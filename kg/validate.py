"""Validation: checks a store against the SHACL shapes in ontology/shapes.ttl.

The shapes are compiled to SPARQL (kg.shacl) and checked by the store's own query engine, where terms
stay encoded: for each constraint, a counting query proves it holds, or else a query names its
violations, each a scan of a predicate (or of the focus nodes) joined by hash. Nothing is copied out
of the store but the findings, so time is linear in the store with a small constant, and memory is
Oxigraph's sets and hash tables for one query at a time (the distinct nodes of one class or
predicate), not the store. A
problem is one line: the node, the path (an inverse path as ^IRI), pyshacl's message.

A shape that uses a feature kg.shacl does not translate (its module docstring lists what it does)
is not skipped: it is checked with pyshacl, in chunks. The union of the store's graphs is too large
to copy into rdflib at once, so that check goes piece by piece, each piece with what its shapes
need from elsewhere. The context (the ontology, the actors and any graph that is neither a
document's nor the events') is held throughout: the actors' types and the class hierarchy answer
every sh:class. Then come whole document graphs, each statement with its kg:reports links and the
types of the events they name, then the events graph, whole subjects at a time, each event with the
statements that report it (their kg:negated and kg:hypothetical). A chunk closes once it holds
``chunk`` quads."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from .data import ontology_path
from .store import Store
from .vocab import EVENTS_GRAPH, KG, PROV, RDF, RDFS, XSD

CHUNK = 50_000  # quads of document or event graphs checked together by pyshacl, beside the context

_EVENTS = ox.NamedNode(EVENTS_GRAPH)
_TYPE = ox.NamedNode(RDF + "type")
_REPORTS = ox.NamedNode(KG + "reports")
_DERIVED = ox.NamedNode(PROV + "wasDerivedFrom")
_MENTIONS = ox.NamedNode(KG + "mentions")
_MODALITY = (ox.NamedNode(KG + "negated"), ox.NamedNode(KG + "hypothetical"))
_STRING = XSD + "string"
_VIOLATION = "http://www.w3.org/ns/shacl#Violation"
_TARGETS = ("targetClass", "targetSubjectsOf", "targetObjectsOf", "targetNode")


@dataclass
class ValidationReport:
    conforms: bool
    checked: int  # distinct focus nodes
    problems: list[str] = field(default_factory=list)
    by_pyshacl: list[str] = field(default_factory=list)  # shapes the compiler does not translate


def validate(store: Store, chunk: int = CHUNK, shapes: str | Path | None = None) -> ValidationReport:
    """Validates the union of the store's graphs against ``shapes`` (default ontology/shapes.ttl); each
    problem is one line: node, path, message. ``chunk`` bounds pyshacl's pieces, for shapes only it checks."""
    import rdflib

    from . import shacl

    graph = rdflib.Graph().parse(shapes or ontology_path("shapes.ttl"), format="turtle")
    compiler = shacl.Compiler(graph, _subclasses(store))
    problems: set[str] = set()
    conforms, targets, by_pyshacl = True, [], []
    for node in compiler.top_level():
        try:
            shape = compiler.shape(node)
            found = list(shacl.results(compiler, shape, shacl.target_focus(shape), store.stream))
        except shacl.UnsupportedShape:  # at compile time, or a blank node that a query cannot name
            by_pyshacl.append(node)
            continue
        targets.extend(shape.targets)
        for result in found:
            problems.add(f"{result.focus.value} {result.path or ''}: {result.message}")
            conforms = conforms and result.severity != _VIOLATION
    if by_pyshacl:
        conforms = _pyshacl_validate(store, _only(graph, by_pyshacl), chunk, problems) and conforms
        for node in by_pyshacl:
            try:
                targets.extend(compiler.targets(node))
            except shacl.UnsupportedShape:
                pass
    checked = int(next(iter(store.stream(shacl.count_query(targets))))["n"].value) if targets else 0
    return ValidationReport(conforms, checked, sorted(problems), sorted(map(str, by_pyshacl)))


def _subclasses(store: Store):
    """A function from a class to it and its subclasses (rdfs:subClassOf in any graph of the store)."""
    below = defaultdict(set)
    for row in store.query(f"SELECT ?sub ?sup WHERE {{ ?sub <{RDFS}subClassOf> ?sup }}"):
        below[row["sup"].value].add(row["sub"].value)

    def closure(cls: str) -> list[str]:
        found, todo = {cls}, [cls]
        while todo:
            for sub in below.get(todo.pop(), ()):
                if sub not in found:
                    found.add(sub)
                    todo.append(sub)
        return sorted(found)

    return closure


def _only(graph, shapes: list):
    """A copy of the shapes graph in which only ``shapes`` have targets (the others stay, for reference)."""
    import rdflib

    sh = rdflib.Namespace("http://www.w3.org/ns/shacl#")
    kept = {*shapes}
    only = rdflib.Graph()
    for prefix, namespace in graph.namespaces():
        only.bind(prefix, namespace)
    for s, p, o in graph:
        if s not in kept and (p in [sh[t] for t in _TARGETS] or
                              (p == rdflib.RDF.type and o in (rdflib.RDFS.Class, rdflib.OWL.Class))):
            continue
        only.add((s, p, o))
    return only


def _pyshacl_validate(store: Store, shapes, chunk: int, problems: set[str]) -> bool:
    """The store checked by pyshacl, in chunks (see the module docstring); adds each problem's line."""
    import rdflib

    from .statements import document_graphs, named_graphs

    documents = {graph.value for _, graph in document_graphs(store)}
    context_graphs = [ox.DefaultGraph(), *(g for g in named_graphs(store) if g.value not in documents and g != _EVENTS)]
    context = rdflib.Graph()
    for graph in context_graphs:
        for quad in store.quads_for_pattern(None, None, None, graph):
            context.add(_rdflib_triple(quad))
    conforms = _check(context, shapes, problems)
    facts = list(_class_facts(context, shapes))
    del context
    for own in _chunks(store, sorted(documents), chunk):
        # a new graph for each chunk: one emptied by remove() keeps its memory, and pyshacl's with it
        data = rdflib.Graph()
        for triple in [*facts, *map(_rdflib_triple, own), *map(_rdflib_triple, _support(store, own))]:
            data.add(triple)
        conforms = _check(data, shapes, problems) and conforms
        del data
    return conforms


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
        inverse = results.value(path, sh.inversePath) if isinstance(path, rdflib.BNode) else None
        message = results.value(result, sh.resultMessage)
        problems.add(f"{node} {'^' + str(inverse) if inverse is not None else path or ''}: {message}")
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
