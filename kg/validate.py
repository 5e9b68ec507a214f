"""Validation: checks a store against the SHACL shapes in ontology/shapes.ttl (with pyshacl)."""

from __future__ import annotations

import io
from dataclasses import dataclass, field

import pyoxigraph as ox

from .data import ontology_path
from .store import Store


@dataclass
class ValidationReport:
    conforms: bool
    checked: int
    problems: list[str] = field(default_factory=list)


def validate(store: Store) -> ValidationReport:
    """Validates the union of the store's graphs; each problem is one line: node, path, message."""
    import rdflib
    from pyshacl import validate as shacl_validate

    buffer = io.BytesIO()
    ox.serialize(sorted({q.triple for q in store.quads()}, key=str), buffer, ox.RdfFormat.N_TRIPLES)
    data = rdflib.Graph().parse(data=buffer.getvalue().decode("utf-8"), format="nt")
    shapes = rdflib.Graph().parse(ontology_path("shapes.ttl"), format="turtle")
    conforms, results, _ = shacl_validate(data, shacl_graph=shapes, inference="none", allow_warnings=True)
    sh = rdflib.Namespace("http://www.w3.org/ns/shacl#")
    problems = []
    for result in results.subjects(rdflib.RDF.type, sh.ValidationResult):
        node = results.value(result, sh.focusNode)
        path = results.value(result, sh.resultPath)
        message = results.value(result, sh.resultMessage)
        problems.append(f"{node} {path or ''}: {message}")
    focus = {s for s in data.subjects(rdflib.RDF.type, None)}
    return ValidationReport(bool(conforms), len(focus), sorted(problems))
