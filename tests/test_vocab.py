"""The code's vocabulary and the data files agree with ontology/kg.ttl."""

import pytest
import rdflib
from rdflib.namespace import OWL, RDF, RDFS

from kg.data import ontology_path
from kg.extract.relations import load_lexicon
from kg.vocab import EV, KG, QUAD_CLASSES, REL, RELATION_TYPES

ONTOLOGY = rdflib.Graph().parse(ontology_path("kg.ttl"))


def test_vocab_every_relation_type_is_declared_with_its_quad_and_property():
    for rtype in RELATION_TYPES.values():
        node = rdflib.URIRef(EV + rtype.name)
        assert (node, RDF.type, OWL.Class) in ONTOLOGY
        quad = ONTOLOGY.value(node, rdflib.URIRef(KG + "quadClass"))
        assert quad == rdflib.URIRef(KG + QUAD_CLASSES[rtype.quad])
        assert ONTOLOGY.value(node, rdflib.URIRef(KG + "directProperty")) == rdflib.URIRef(REL + rtype.property)


def test_vocab_ontology_declares_no_relation_type_the_code_lacks():
    declared = {str(s).removeprefix(EV) for s in ONTOLOGY.subjects(RDF.type, OWL.Class) if str(s).startswith(EV)}
    assert declared == set(RELATION_TYPES)


@pytest.mark.parametrize("kind", [OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty])
def test_vocab_every_class_and_property_has_label_and_comment(kind):
    for term in ONTOLOGY.subjects(RDF.type, kind):
        assert ONTOLOGY.value(term, RDFS.label) is not None, term
        assert ONTOLOGY.value(term, RDFS.comment) is not None, term


def test_vocab_sixteen_plover_types_in_four_quads():
    plover = [t for t in RELATION_TYPES.values() if t.quad != "structural"]
    assert len(plover) == 16
    assert {t.quad for t in plover} == {"verbal-cooperation", "material-cooperation", "verbal-conflict",
                                        "material-conflict"}


def test_vocab_lexicon_uses_known_types_and_covers_all_of_them():
    types = {frame.type for frames in load_lexicon().values() for frame in frames}
    assert types == set(RELATION_TYPES)


def test_vocab_shapes_parse():
    shapes = rdflib.Graph().parse(ontology_path("shapes.ttl"))
    assert len(shapes) > 50
