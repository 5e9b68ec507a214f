"""SHACL validation of a built store: shapes compiled to SPARQL, the same findings as pyshacl."""

import ast

import pyoxigraph as ox
import pytest
import rdflib

from kg.statements import document_graphs
from kg.store import Store
from kg.validate import validate
from kg.vocab import EVENTS_GRAPH, KG

EVENTS = ox.NamedNode(EVENTS_GRAPH)
SH = rdflib.Namespace("http://www.w3.org/ns/shacl#")


def kg(name):
    return ox.NamedNode(KG + name)


def same_order(lines) -> set[str]:
    """The lines with sh:in's list sorted: pyshacl lists it in the order of a Python set, which varies from
    one process to the next; kg validate lists it in the shapes' order."""
    def ordered(line):
        head, _, rest = line.partition(" not in list [")
        if not rest:
            return line
        items = rest.removesuffix("]")
        return f"{head} not in list {sorted(ast.literal_eval('[' + items + ']'))}"

    return {ordered(line) for line in lines}


def pyshacl_lines(store: Store, shapes) -> tuple[bool, set[str]]:
    """What pyshacl finds in the whole store, copied into rdflib, as kg validate writes it."""
    from pyshacl import validate as shacl_validate

    from kg.validate import _rdflib_triple

    data = rdflib.Graph()
    for quad in store.quads_for_pattern(None, None, None, None):
        data.add(_rdflib_triple(quad))
    shapes_graph = rdflib.Graph().parse(data=shapes, format="turtle") if isinstance(shapes, str) else \
        rdflib.Graph().parse(shapes, format="turtle")
    conforms, results, _ = shacl_validate(data, shacl_graph=shapes_graph, inference="none", allow_warnings=True)
    lines = set()
    for result in results.subjects(rdflib.RDF.type, SH.ValidationResult):
        path = results.value(result, SH.resultPath)
        if isinstance(path, rdflib.BNode):
            path = "^" + str(results.value(path, SH.inversePath))
        lines.add(f"{results.value(result, SH.focusNode)} {path or ''}: {results.value(result, SH.resultMessage)}")
    return bool(conforms), same_order(lines)


def test_validate_seeds_store_conforms(seeds_store):
    report = validate(seeds_store)
    assert report.problems == [] and report.by_pyshacl == []
    assert report.conforms and report.checked > 20


def test_validate_counts_each_focus_node_once(seeds_store):
    """Documents, statements, events and actors: a statement is the focus of two shapes, counted once."""
    focus = seeds_store.query("SELECT (COUNT(DISTINCT ?n) AS ?c) WHERE { { ?n a kg:Document } UNION "
                              "{ ?n prov:wasDerivedFrom [] } UNION { ?n kg:mentions [] } UNION "
                              "{ ?n a ?t VALUES ?t { kg:State kg:Organization kg:Group kg:Person } } }")
    assert validate(seeds_store).checked == int(next(iter(focus))["c"].value)


def plant(store: Store) -> dict[str, str]:
    """Breaks a statement of the last document, and an event through a statement of another graph."""
    last = document_graphs(store)[-1][1]
    statement = next(store.quads_for_pattern(None, kg("evidence"), None, last)).subject
    link = next(store.quads_for_pattern(None, kg("reports"), None, EVENTS))
    negated = next(store.quads_for_pattern(link.subject, kg("negated"), None, None))
    with store.writer() as writer:
        writer.change(list(store.quads_for_pattern(statement, kg("evidence"), None, last)) + [negated],
                      [ox.Quad(negated.subject, negated.predicate, ox.Literal("true", datatype=negated.object.datatype),
                               negated.graph_name)])
    return {"statement": statement.value, "event": link.object.value, "reporter": link.subject.value}


def test_validate_finds_what_was_planted(store_copy):
    store = Store(store_copy)
    planted = plant(store)
    report = validate(store)
    assert not report.conforms
    problems = {line.split(" ")[0]: line for line in report.problems}
    assert "Less than 1 values" in problems[planted["statement"]] and "#evidence" in problems[planted["statement"]]
    assert "does not conform" in problems[planted["event"]]  # reported by a statement that did not happen
    assert "^https://w3id.org/kg/ontology#reports" in problems[planted["event"]]
    assert "#negated" in problems[planted["reporter"]]  # pyshacl's detail of the event's result
    assert len(report.problems) == 3


def break_every_shape(store: Store) -> None:
    """One violation of each constraint of ontology/shapes.ttl, in a copy of the seeds store."""
    actors = ox.NamedNode("https://w3id.org/kg/graph/actors")
    actor = next(store.quads_for_pattern(None, ox.NamedNode("http://www.w3.org/2004/02/skos/core#prefLabel"), None,
                                         actors)).subject
    statements = [q.subject for q in store.quads_for_pattern(None, kg("evidence"), None, None)]
    events = sorted({q.subject for q in store.quads_for_pattern(None, kg("mentions"), None, EVENTS)}, key=str)
    document = next(store.quads_for_pattern(None, kg("sha256"), None, None))
    first, second, third = statements[:3]
    lit = ox.Literal
    integer = ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")
    added = [
        ox.Quad(actor, ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label"), lit("second label"), actors),
        ox.Quad(actor, ox.NamedNode("http://www.w3.org/2002/07/owl#sameAs"), lit("Q1"), actors),
        ox.Quad(actor, ox.NamedNode("http://www.w3.org/ns/prov#actedOnBehalfOf"), first, actors),
        ox.Quad(document.subject, kg("sha256"), lit("ABC"), document.graph_name),
        ox.Quad(first, kg("quad"), kg("Sideways"), document.graph_name),
        ox.Quad(first, kg("polarity"), lit("2", datatype=integer), document.graph_name),
        ox.Quad(second, kg("confidence"), lit("high"), document.graph_name),
        ox.Quad(second, kg("source"), ox.NamedNode("https://w3id.org/kg/actor/Nobody"), document.graph_name),
        ox.Quad(second, ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"),
                ox.NamedNode("https://w3id.org/kg/event#AID"), document.graph_name),
        ox.Quad(third, kg("start"), lit("-4", datatype=integer), document.graph_name),
        ox.Quad(third, kg("reports"), events[0], EVENTS),
        ox.Quad(third, kg("reports"), events[1], EVENTS),
        ox.Quad(events[2], kg("mentions"), lit("0", datatype=integer), EVENTS),
        ox.Quad(events[3], kg("mentions"), lit("many"), EVENTS),
        ox.Quad(ox.NamedNode("https://w3id.org/kg/incident/orphan"), kg("source"), actor, EVENTS),
    ]
    with store.writer() as writer:
        writer.change(list(store.quads_for_pattern(second, kg("negated"), None, None)), added)


def test_validate_finds_what_pyshacl_finds_in_ontology_shapes(store_copy):
    from kg.data import ontology_path

    store = Store(store_copy)
    break_every_shape(store)
    report = validate(store)
    conforms, expected = pyshacl_lines(store, ontology_path("shapes.ttl"))
    assert len(report.problems) >= 15 and not report.conforms and not conforms
    assert same_order(report.problems) == expected


EVERY_KIND = """
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix ex: <http://example.org/> .

ex:ThingShape a sh:NodeShape ;
    sh:targetClass ex:Thing ;
    sh:property [ sh:path ex:name ; sh:minCount 1 ; sh:maxCount 2 ; sh:datatype xsd:string ;
                  sh:minLength 2 ; sh:maxLength 8 ; sh:pattern "^[a-z]+$" ; sh:flags "i" ] ;
    sh:property [ sh:path ex:size ; sh:datatype xsd:integer ; sh:minInclusive 0 ; sh:maxExclusive 10 ] ;
    sh:property [ sh:path ex:weight ; sh:minExclusive 0.0 ; sh:maxInclusive 5.5 ] ;
    sh:property [ sh:path ex:friend ; sh:class ex:Thing ; sh:nodeKind sh:IRI ; sh:node ex:NamedShape ] ;
    sh:property [ sh:path ex:colour ; sh:in ( ex:red ex:green "blue" ) ] ;
    sh:property [ sh:path ex:flag ; sh:hasValue true ] ;
    sh:property [ sh:path [ sh:inversePath ex:owns ] ; sh:minCount 1 ; sh:maxCount 1 ] ;
    sh:property [ sh:path ex:tag ; sh:qualifiedValueShape [ sh:in ( ex:core ) ] ;
                  sh:qualifiedMinCount 1 ; sh:qualifiedMaxCount 1 ] ;
    sh:property [ sh:path ex:note ; sh:maxCount 0 ; sh:severity sh:Warning ; sh:message "notes are for drafts" ] .

ex:NamedShape a sh:NodeShape ; sh:property [ sh:path ex:name ; sh:minCount 1 ] .

ex:OwnerShape a sh:NodeShape ;
    sh:targetSubjectsOf ex:owns ;
    sh:or ( [ sh:path ex:name ; sh:minCount 1 ] [ sh:path ex:id ; sh:minCount 1 ] ) ;
    sh:not [ sh:class ex:Thing ] .

ex:OwnedShape a sh:NodeShape ; sh:targetObjectsOf ex:owns ; sh:xone ( [ sh:class ex:Thing ] [ sh:class ex:Tool ] ) .

ex:RootShape a sh:NodeShape ;
    sh:targetNode ex:root, ex:leaf ;
    sh:and ( [ sh:path ex:size ; sh:minCount 1 ] [ sh:path ex:name ; sh:minCount 1 ] ) ;
    sh:hasValue ex:root ; sh:nodeKind sh:BlankNodeOrIRI .
"""

EVERY_VIOLATION = """
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix ex: <http://example.org/> .

ex:ontology { ex:Gadget rdfs:subClassOf ex:Thing . }
ex:good {
    ex:a a ex:Thing ; ex:name "ab" ; ex:size 3 ; ex:weight 1.5 ; ex:friend ex:e ; ex:colour ex:red, "blue" ;
        ex:flag true ; ex:tag ex:core, ex:other .
    ex:e a ex:Thing ; ex:name "eee" ; ex:flag true ; ex:tag ex:core .
    ex:o1 ex:name "owner" ; ex:owns ex:a, ex:e, ex:tool .
    ex:tool a ex:Tool .
}
ex:bad {
    ex:b a ex:Gadget ; ex:name "b" ; ex:size 12, -1 ; ex:weight 6.0 ; ex:colour ex:blue ; ex:flag false ;
        ex:tag ex:core ; ex:friend "lit" .
    ex:c a ex:Thing ; ex:name "abc", "def", "ghi", "toolongname", "a1", 7 ; ex:weight 0 ; ex:note "draft" ;
        ex:size "three"^^xsd:integer ;
        ex:friend ex:d ; ex:flag true .
    ex:d a ex:Thing ; ex:flag true ; ex:tag ex:core, ex:core2 .
    ex:o2 ex:owns ex:c, ex:d, ex:hybrid .
    ex:o3 a ex:Thing ; ex:id "3" ; ex:owns ex:c .
    ex:hybrid a ex:Thing, ex:Tool .
    ex:root ex:size 1 .
    ex:leaf ex:size 1 ; ex:name "leaf" .
}
"""


@pytest.fixture
def every_kind_store(tmp_path) -> Store:
    store = Store(tmp_path / "store")
    with store.writer() as writer:
        writer.extend(ox.parse(EVERY_VIOLATION, format=ox.RdfFormat.TRIG))
    return store


def test_validate_finds_what_pyshacl_finds_for_every_constraint_kind(every_kind_store, tmp_path):
    shapes = tmp_path / "shapes.ttl"
    shapes.write_text(EVERY_KIND)
    report = validate(every_kind_store, shapes=shapes)
    conforms, expected = pyshacl_lines(every_kind_store, EVERY_KIND)
    assert report.by_pyshacl == []
    assert same_order(report.problems) == expected
    assert report.conforms == conforms is False
    for kind in ["Less than 1 values", "More than 2 values", "More than 1 values on <http://example.org/c>->[ sh:inv",
                 "not in list", "does not contain a value", "does not conform to Shape ex:NamedShape",
                 "does not have class", "Node Kind", "String length not >=", "String length not <=",
                 "Value is not < ", "Value is not >= ", "Value is not <= ", "Value is not > ", "does not match pattern",
                 "Literal with datatype xsd:string", "Literal with datatype xsd:integer", "notes are for drafts",
                 "MinCount 1 MaxCount 1", "exactly one shape", "one or more shapes", "must not conform",
                 "all shapes in", "value is not a in the set"]:
        assert any(kind in line for line in report.problems), kind


def test_validate_a_warning_alone_conforms(every_kind_store, tmp_path):
    shapes = tmp_path / "shapes.ttl"
    shapes.write_text(EVERY_KIND.split("ex:NamedShape")[0].replace("sh:targetClass ex:Thing ;", "sh:targetNode ex:c ;")
                      .split("    sh:property [ sh:path ex:name")[0]
                      + '    sh:property [ sh:path ex:note ; sh:maxCount 0 ; sh:severity sh:Warning ] .\n')
    report = validate(every_kind_store, shapes=shapes)
    assert report.conforms and report.problems == ["http://example.org/c http://example.org/note: "
                                                   "More than 0 values on <http://example.org/c>->ex:note"]


@pytest.mark.parametrize("chunk", [1, 200, 100_000])
def test_validate_checks_what_it_cannot_compile_with_pyshacl(store_copy, tmp_path, chunk):
    """sh:disjoint is not compiled: its shape goes to pyshacl, in chunks of any size; the others do not."""
    from kg.data import ontology_path

    shapes = tmp_path / "shapes.ttl"
    shapes.write_text(ontology_path("shapes.ttl").read_text() + "kg:SelfShape a sh:NodeShape ; "
                      "sh:targetSubjectsOf prov:wasDerivedFrom ; sh:property [ sh:path kg:source ; sh:disjoint kg:target ] .\n")
    store = Store(store_copy)
    planted = plant(store)
    last = document_graphs(store)[-1][1]
    statement = next(store.quads_for_pattern(None, kg("target"), None, last))
    source = next(store.quads_for_pattern(statement.subject, kg("source"), None, last))
    with store.writer() as writer:
        writer.change([statement], [ox.Quad(statement.subject, kg("target"), source.object, last)])
    report = validate(store, chunk=chunk, shapes=shapes)
    assert report.by_pyshacl == [KG + "SelfShape"]
    conforms, expected = pyshacl_lines(store, shapes)
    assert same_order(report.problems) == expected and report.conforms == conforms is False
    assert f"{statement.subject.value} {KG}source: Value of {statement.subject}->kg:target == " \
        f"{source.object}" in report.problems
    assert len(report.problems) == 4 and planted["statement"] in {line.split(" ")[0] for line in report.problems}
