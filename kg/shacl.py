"""SHACL Core shapes compiled to SPARQL, for a store to check itself.

Oxigraph scans a predicate for about a microsecond a triple while terms stay encoded, but a lookup
per node, or a function that decodes a term, costs ten times that. So every check here is set-wise:
a scan joined by hash (MINUS, GROUP BY, subqueries). Each constraint also gets a proof, counting
queries that hold one set of distinct nodes at most (a path's values are all instances of the
class; every focus node is a subject of the path and no subject has two values; ...): the exact
query, which names the violations but builds larger hash tables, runs only where its proof fails.
A ``Compiler`` reads an rdflib graph of shapes; ``results`` checks one top-level shape. It
translates what ontology/shapes.ttl uses and the rest of SHACL Core that maps onto such queries:

- targets: sh:targetClass (through rdfs:subClassOf, read from the data), sh:targetSubjectsOf,
  sh:targetObjectsOf, sh:targetNode, implicit class targets;
- paths: a predicate or sh:inversePath of one;
- sh:minCount, sh:maxCount, sh:class, sh:datatype (with ill-typed lexical forms for the
  XSD types Oxigraph casts), sh:nodeKind, sh:in, sh:hasValue, sh:pattern (with sh:flags),
  sh:minLength, sh:maxLength, sh:minInclusive, sh:maxInclusive, sh:minExclusive, sh:maxExclusive,
  sh:node (with its results as details, as pyshacl reports them), sh:property, sh:and, sh:or,
  sh:not, sh:xone, sh:qualifiedValueShape with sh:qualifiedMinCount / sh:qualifiedMaxCount;
- sh:severity, one sh:message, sh:deactivated.

Anything else in the sh: namespace on a shape (sequence or alternative paths, sh:closed, sh:equals,
sh:disjoint, sh:lessThan, sh:languageIn, sh:uniqueLang, sh:sparql, disjoint qualified shapes,
recursive shapes, ...) raises UnsupportedShape for the top-level shape that reaches it; kg.validate
checks such shapes with pyshacl instead. Messages are pyshacl's, so a result reads the same whichever
checked it (but for sh:in's list, in the shapes' order where pyshacl's varies from run to run)."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

SH = "http://www.w3.org/ns/shacl#"
_RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
_RDFS = "http://www.w3.org/2000/01/rdf-schema#"
_XSD = "http://www.w3.org/2001/XMLSchema#"
_TYPE = f"<{_RDF}type>"
# XSD datatypes whose lexical form Oxigraph checks when casting: an ill-typed literal fails the cast
_CASTABLE = {f"{_XSD}{name}" for name in ("string", "integer", "decimal", "double", "float", "boolean", "dateTime", "date")}
_NODE_KINDS = {
    "IRI": "isIRI({v})", "BlankNode": "isBlank({v})", "Literal": "isLiteral({v})",
    "BlankNodeOrIRI": "(isBlank({v}) || isIRI({v}))", "BlankNodeOrLiteral": "(isBlank({v}) || isLiteral({v}))",
    "IRIOrLiteral": "(isIRI({v}) || isLiteral({v}))",
}
_RANGES = {"minInclusive": (">=", "Value is not >= {}"), "maxInclusive": ("<=", "Value is not <= {}"),
           "minExclusive": (">", "Value is not > {}"), "maxExclusive": ("<", "Value is not < {}")}
_RANGE_LISTS = {"minInclusive": "Value is not >= in ({})", "maxInclusive": "Value is not <= in ({})",
                "minExclusive": "Value is not > in ({})", "maxExclusive": "Value is not < in ({})"}
# parameters that describe a shape without constraining anything
_DESCRIPTIVE = {"name", "description", "order", "group", "defaultValue", "severity", "message", "deactivated", "path",
                "targetClass", "targetSubjectsOf", "targetObjectsOf", "targetNode", "qualifiedMinCount",
                "qualifiedMaxCount", "qualifiedValueShapesDisjoint", "flags", "declare", "prefixes"}
_EXPRESSIONS = {"datatype", "nodeKind", "in", "hasValue", "pattern", "minLength", "maxLength", *_RANGES}
_BATCH = 500  # value nodes named in one query for sh:node's details


class UnsupportedShape(Exception):
    """A shape uses a SHACL feature this compiler does not translate."""


@dataclass(frozen=True)
class Path:
    """A predicate path or the inverse of one; ``node`` is the path as written in the shapes graph."""

    predicate: str
    inverse: bool
    node: object

    def triple(self, subject: str, value: str) -> str:
        return f"{value} <{self.predicate}> {subject} ." if self.inverse else f"{subject} <{self.predicate}> {value} ."

    def __str__(self) -> str:
        return ("^" if self.inverse else "") + self.predicate


@dataclass
class Constraint:
    """One constraint component of a shape: its kind (sh: local name) and parameters."""

    kind: str
    args: list
    low: int | None = None  # qualified counts
    high: int | None = None


@dataclass
class Shape:
    """A node or property shape: its constraints, and where it is declared, for messages."""

    node: object  # the shape in the shapes graph (rdflib term)
    path: Path | None = None
    constraints: list[Constraint] = field(default_factory=list)
    targets: list[str] = field(default_factory=list)  # SPARQL patterns that bind ?this
    severity: str = SH + "Violation"
    message: str | None = None


@dataclass
class Check:
    """One query's worth of constraints: a pattern binding ?this (the focus) to each node that violates any
    of them, with ``value`` bound to the value node (None: a result on the focus node as a whole); each
    constraint comes with its flag, a variable false where it fails (None: it fails on every row), and
    ``counted`` holds (minCount, maxCount) when the rows must be counted to tell which failed."""

    owner: Shape
    pattern: str
    value: str | None
    constraints: list[tuple[Constraint, str | None]]
    counted: tuple[int, int] | None = None
    proof: tuple | None = None  # counting queries that show nothing can fail here (see Compiler.proof)


@dataclass(frozen=True)
class Result:
    """One validation result: the focus node, the shape's path (None for a node shape), the message."""

    focus: object  # pyoxigraph term
    path: Path | None
    message: str
    severity: str


class Compiler:
    """Reads shapes from an rdflib graph of SHACL; ``classes`` maps a class to itself and its subclasses."""

    def __init__(self, shapes, classes: Callable[[str], list[str]]):
        self.graph = shapes
        self.classes = classes
        self._shapes: dict[object, Shape] = {}
        self._busy: set[object] = set()
        self._names = itertools.count()

    def top_level(self) -> list:
        """The shapes with targets (the focus nodes of a validation), in a stable order."""
        import rdflib

        sh = rdflib.Namespace(SH)
        found = set()
        for target in (sh.targetClass, sh.targetSubjectsOf, sh.targetObjectsOf, sh.targetNode):
            found.update(self.graph.subjects(target, None))
        for kind in (sh.NodeShape, sh.PropertyShape):
            for shape in self.graph.subjects(rdflib.RDF.type, kind):
                if (shape, rdflib.RDF.type, rdflib.RDFS.Class) in self.graph or \
                        (shape, rdflib.RDF.type, rdflib.OWL.Class) in self.graph:
                    found.add(shape)
        return sorted(found, key=str)

    def shape(self, node) -> Shape:
        """The compiled shape ``node`` (once per node); raises UnsupportedShape."""
        if node in self._shapes:
            return self._shapes[node]
        if node in self._busy:
            raise UnsupportedShape(f"{node} refers to itself")
        self._busy.add(node)
        try:
            shape = self._compile(node)
        finally:
            self._busy.discard(node)
        self._shapes[node] = shape
        return shape

    def _compile(self, node) -> Shape:
        import rdflib

        g, sh = self.graph, rdflib.Namespace(SH)
        shape = Shape(node)
        if any(value.toPython() is True for value in g.objects(node, sh.deactivated)):
            return shape
        severity = g.value(node, sh.severity)
        shape.severity = str(severity) if severity is not None else shape.severity
        messages = list(g.objects(node, sh.message))
        if len(messages) > 1:
            raise UnsupportedShape(f"{node} has several sh:message")
        shape.message = str(messages[0]) if messages else None
        path = g.value(node, sh.path)
        if path is not None:
            shape.path = self._path(path)
        shape.targets = self.targets(node)
        params = {str(p).removeprefix(SH) for p in g.predicates(node, None) if str(p).startswith(SH)}
        for param in sorted(params - _DESCRIPTIVE):
            values = sorted(g.objects(node, sh[param]), key=str)
            shape.constraints.extend(self._constraints(node, param, values, shape))
        return shape

    def _path(self, node) -> Path:
        import rdflib

        sh = rdflib.Namespace(SH)
        if isinstance(node, rdflib.URIRef):
            return Path(str(node), False, node)
        inverse = self.graph.value(node, sh.inversePath)
        if isinstance(inverse, rdflib.URIRef) and len(list(self.graph.predicate_objects(node))) == 1:
            return Path(str(inverse), True, node)
        raise UnsupportedShape(f"the path {node} is neither a predicate nor the inverse of one")

    def targets(self, node) -> list[str]:
        import rdflib

        g, sh = self.graph, rdflib.Namespace(SH)
        classes = [str(c) for c in g.objects(node, sh.targetClass)]
        if (node, rdflib.RDF.type, rdflib.RDFS.Class) in g or (node, rdflib.RDF.type, rdflib.OWL.Class) in g:
            classes.append(str(node))
        targets = [f"?this {_TYPE} <{c}> ." for base in sorted(classes) for c in self.classes(base)]
        targets += [f"?this <{p}> [] ." for p in sorted(map(str, g.objects(node, sh.targetSubjectsOf)))]
        targets += [f"[] <{p}> ?this ." for p in sorted(map(str, g.objects(node, sh.targetObjectsOf)))]
        targets += [f"VALUES ?this {{ {_sparql_term(n)} }}" for n in sorted(g.objects(node, sh.targetNode), key=str)]
        return targets

    def _constraints(self, node, param: str, values: list, shape: Shape) -> list[Constraint]:
        import rdflib

        g, sh = self.graph, rdflib.Namespace(SH)
        if param in ("minCount", "maxCount", "minLength", "maxLength"):
            if shape.path is None and param in ("minCount", "maxCount"):
                raise UnsupportedShape(f"{node}: sh:{param} on a node shape")
            counts = [v.toPython() for v in values]
            if len(counts) != 1 or not isinstance(counts[0], int) or counts[0] < 0:
                raise UnsupportedShape(f"{node}: sh:{param} {counts}")
            return [Constraint(param, values)]
        if param in ("class", "pattern", "node", "hasValue", "datatype", "nodeKind") or param in _RANGES:
            if param == "nodeKind" and any(str(v).removeprefix(SH) not in _NODE_KINDS for v in values):
                raise UnsupportedShape(f"{node}: sh:nodeKind {values}")
            if param == "datatype" and len(values) != 1:
                raise UnsupportedShape(f"{node}: several sh:datatype")
            if param == "pattern":
                flags = [str(f) for f in g.objects(node, sh.flags)]
                if len(flags) > 1 or any(set(f) - set("imsx") for f in flags):
                    raise UnsupportedShape(f"{node}: sh:flags {flags}")
                return [Constraint(param, values + [flags[0] if flags else ""])]
            if param == "node":
                for value in values:
                    if self.shape(value).path is not None:
                        raise UnsupportedShape(f"{node}: sh:node {value} is a property shape")
            return [Constraint(param, values)] if param not in ("hasValue", "nodeKind") else \
                [Constraint(param, [v]) for v in values]
        if param == "property":
            if shape.path is not None:
                raise UnsupportedShape(f"{node}: sh:property on a property shape")
            for value in values:
                if self.shape(value).path is None:
                    raise UnsupportedShape(f"{node}: sh:property {value} has no sh:path")
            return [Constraint(param, [v]) for v in values]
        if param == "in":
            return [Constraint(param, list(rdflib.collection.Collection(g, v))) for v in values]
        if param in ("and", "or", "xone"):
            out = []
            for value in values:
                members = list(rdflib.collection.Collection(g, value))
                for member in members:
                    self.shape(member)
                out.append(Constraint(param, [value, members]))
            return out
        if param == "not":
            for value in values:
                self.shape(value)
            return [Constraint(param, values)]
        if param == "qualifiedValueShape":
            if shape.path is None or len(values) != 1:
                raise UnsupportedShape(f"{node}: sh:qualifiedValueShape outside one property shape")
            if any(v.toPython() is True for v in g.objects(node, sh.qualifiedValueShapesDisjoint)):
                raise UnsupportedShape(f"{node}: sh:qualifiedValueShapesDisjoint")
            self.shape(values[0])
            low, high = g.value(node, sh.qualifiedMinCount), g.value(node, sh.qualifiedMaxCount)
            low, high = (None if v is None else v.toPython() for v in (low, high))
            if (low is None and high is None) or any(v is not None and (not isinstance(v, int) or v < 0) for v in (low, high)):
                raise UnsupportedShape(f"{node}: qualified counts {low}, {high}")
            return [Constraint(param, values, low, high)]
        raise UnsupportedShape(f"{node}: sh:{param}")

    # SPARQL ------------------------------------------------------------------------------------------
    # Every pattern below is set-wise: it scans a predicate (or the focus nodes) once and joins by hash
    # (MINUS, GROUP BY, subqueries), never a lookup per focus node, which costs Oxigraph ten times more.
    # ``focus(x)`` is a pattern binding x to the focus nodes; ``x`` and values are variable names.

    def var(self) -> str:
        return f"?v{next(self._names)}"

    def violations(self, shape: Shape, focus: Callable[[str], str], x: str) -> list[Check]:
        """The checks of ``shape`` (and of its nested property shapes) at the nodes ``focus`` binds to ``x``:
        one per constraint, but one for all the value expressions on a path (a flag each) and one for
        a path's sh:minCount with its sh:maxCount."""
        out = []
        path = shape.path
        expressions = [c for c in shape.constraints
                       if c.kind in _EXPRESSIONS and not (c.kind == "hasValue" and path is not None)]
        if expressions:
            out.append(self._expressions(shape, expressions, focus, x))
        counts = {c.kind: c for c in shape.constraints if c.kind in ("minCount", "maxCount")}
        low = counts["minCount"].args[0].toPython() if "minCount" in counts else 0
        if low and "maxCount" in counts:
            high = counts["maxCount"].args[0].toPython()
            v = self.var()
            conforming = (f"SELECT {x} WHERE {{ {path.triple(x, v)} }} GROUP BY {x} "
                          f"HAVING (COUNT(DISTINCT {v}) >= {low} && COUNT(DISTINCT {v}) <= {high})")
            out.append(Check(shape, f"{focus(x)} MINUS {{ {conforming} }}", None,
                             [(counts["minCount"], None), (counts["maxCount"], None)], counted=(low, high),
                             proof=self._count_proof(path.triple, focus, low, high)))
            counts = {}
        for constraint in shape.constraints:
            if constraint.kind == "property":  # on node shapes only: the nested shape's focus is ours
                out.extend(self.violations(self.shape(constraint.args[0]), focus, x))
            elif constraint in expressions or (constraint.kind in ("minCount", "maxCount") and not counts):
                continue
            elif (found := self.violation(shape, constraint, focus, x)) is not None:
                out.append(Check(shape, found[0], found[1], [(constraint, None)],
                                 proof=self.proof(shape, constraint, focus)))
        return out

    # proofs: a tree of ("all", [...]), ("any", [...]) and ("query", texts, [(a, b), ...]), where the
    # queries prove their part when each count a equals count b (or 0 when b is None). Each query holds
    # one set of distinct nodes at most (two sets in one query would hold both at once), where the
    # exact checks join by hash tables several times larger: so a store that conforms is checked in
    # little memory, and the exact queries run only where a proof fails.

    def proof(self, shape: Shape, c: Constraint, focus: Callable[[str], str]) -> tuple | None:
        """Queries that prove ``c`` holds at every node ``focus`` binds (None: none that is cheap)."""
        path, k = shape.path, c.kind
        u = self.var()
        values = focus if path is None else (lambda y: path.triple(self.var(), y))
        if k == "minCount":
            return self._count_proof(path.triple, focus, c.args[0].toPython(), None)
        if k == "maxCount":
            return self._count_proof(path.triple, focus, 0, c.args[0].toPython())
        if k == "hasValue" and path is not None:
            s = self.var()
            has = path.triple(s, _sparql_term(c.args[0]))
            return ("query", [f"SELECT (COUNT(DISTINCT {s}) AS ?with) WHERE {{ {has} }}",
                              f"SELECT (COUNT(DISTINCT {u}) AS ?all) WHERE {{ "
                              f"{{ {focus(u)} }} UNION {{ {has} BIND({s} AS {u}) }} }}"],
                    [("with", "all")])
        if k == "class":
            parts = []
            for cls in c.args:
                i, t = self.var(), self.var()
                listed = " ".join(f"<{x_}>" for x_ in self.classes(str(cls)))
                instances = f"VALUES {t} {{ {listed} }} {i} {_TYPE} {t}"
                parts.append(("query", [f"SELECT (COUNT(DISTINCT {i}) AS ?instances) WHERE {{ {instances} }}",
                                        f"SELECT (COUNT(DISTINCT {u}) AS ?all) WHERE {{ "
                                        f"{{ {instances} BIND({i} AS {u}) }} UNION {{ {values(u)} }} }}"],
                              [("instances", "all")]))
            return ("all", parts)
        if k in ("node", "and"):
            shapes = c.args if k == "node" else c.args[1]
            return self._conformance_proof([self.shape(s) for s in shapes], values)
        if k == "or":
            members = [self._members(self.shape(s)) for s in c.args[1]]
            if members and all(members):  # each alternative asks for a value of a path: the focus is in their union
                m, u = self.var(), self.var()
                union = " UNION ".join(f"{{ {triple(m, self.var())} }}" for triple in members)
                return ("query", [f"SELECT (COUNT(DISTINCT {m}) AS ?members) WHERE {{ {union} }}",
                                  f"SELECT (COUNT(DISTINCT {u}) AS ?all) WHERE {{ "
                                  f"{{ {values(u)} }} UNION {{ {union} BIND({m} AS {u}) }} }}"],
                        [("members", "all")])
            found = [self._conformance_proof([self.shape(s)], values) for s in c.args[1]]
            return None if not found or any(f is None for f in found) else ("any", found)
        if k == "qualifiedValueShape":
            inner = self.shape(c.args[0])
            if inner.path is not None or any(q.kind not in _EXPRESSIONS for q in inner.constraints):
                return None
            keep = lambda v: f"FILTER(COALESCE({' && '.join(self.check(q, v) for q in inner.constraints) or 'true'}, false))"  # noqa: E731
            return self._count_proof(path.triple, focus, c.low or 0, c.high, keep)
        return None

    def _members(self, shape: Shape) -> Callable[[str, str], str] | None:
        """The path of a shape that only asks for one value of it (sh:path P ; sh:minCount 1), else None."""
        if shape.path is None and len(shape.constraints) == 1 and shape.constraints[0].kind == "property":
            shape = self.shape(shape.constraints[0].args[0])
        if shape.path is not None and [(c.kind, c.args[0].toPython()) for c in shape.constraints] == [("minCount", 1)]:
            return shape.path.triple
        return None

    def _conformance_proof(self, shapes: list[Shape], focus: Callable[[str], str]) -> tuple | None:
        """Proves every node ``focus`` binds conforms to all of ``shapes``."""
        parts = [check.proof for shape in shapes for check in self.violations(shape, focus, self.var())]
        return None if any(p is None for p in parts) else ("all", parts)

    def _count_proof(self, triple: Callable[[str, str], str], focus: Callable[[str], str], low: int,
                     high: int | None, keep: Callable[[str], str] | None = None) -> tuple | None:
        """Proves each focus node has at least ``low`` and at most ``high`` values (those ``keep`` keeps):
        every focus node is a subject (low 1), and no subject has two values (any high from 1)."""
        if low > 1 or (high is not None and high < 1):
            return None
        u, s, v = self.var(), self.var(), self.var()
        pattern = triple(s, v) + (f" {keep(v)}" if keep else "")
        pairs = ([("subjects", "either")] if low == 1 else []) + ([("rows", "subjects")] if high is not None else [])
        if not pairs:
            return ("all", [])
        queries = [f"SELECT (COUNT({s}) AS ?rows) (COUNT(DISTINCT {s}) AS ?subjects) WHERE {{ {pattern} }}"]
        if low == 1:
            queries.append(f"SELECT (COUNT(DISTINCT {u}) AS ?either) WHERE {{ {{ {focus(u)} }} UNION "
                           f"{{ {pattern} BIND({s} AS {u}) }} }}")
        return ("query", queries, pairs)

    def _expressions(self, shape: Shape, constraints: list[Constraint], focus: Callable[[str], str], x: str) -> Check:
        """One check for the value expressions on a shape's value nodes: a flag for each, false where it fails."""
        v = x if shape.path is None else self.var()
        flags = [self.var() for _ in constraints]
        binds = " ".join(f"BIND(COALESCE({self.check(c, v)}, false) AS {f})" for c, f in zip(constraints, flags))
        failing = f"FILTER({' || '.join(f'!{f}' for f in flags)})"
        if shape.path is None:
            pattern = f"{focus(x)} {binds} {failing}"
        else:
            pattern = (f"{{ SELECT DISTINCT {x} {v} {' '.join(flags)} WHERE {{ {shape.path.triple(x, v)} {binds} "
                       f"{failing} }} }} {focus(x)}")
        w = self.var()
        values = focus(w) if shape.path is None else shape.path.triple(self.var(), w)
        tests = " && ".join(f"COALESCE({self.check(c, w)}, false)" for c in constraints)
        proof = ("query", f"SELECT (COUNT(*) AS ?failing) WHERE {{ {values} FILTER(!({tests})) }}", [("failing", None)])
        return Check(shape, pattern, v, list(zip(constraints, flags)), proof=proof)

    def bad(self, shape: Shape, focus: Callable[[str], str], x: str) -> str:
        """A pattern binding ``x`` to each focus node that does not conform to ``shape``."""
        parts = [f"{{ SELECT DISTINCT {x} WHERE {{ {check.pattern} }} }}" for check in self.violations(shape, focus, x)]
        return " UNION ".join(parts) if parts else f"VALUES {x} {{ }}"

    def values_of(self, path: Path) -> Callable[[str], str]:
        """The focus pattern of every value node of ``path``."""
        return lambda y: f"{{ SELECT DISTINCT {y} WHERE {{ {path.triple(self.var(), y)} }} }}"

    def violation(self, shape: Shape, c: Constraint, focus: Callable[[str], str], x: str) -> tuple[str, str | None] | None:
        path, k = shape.path, c.kind
        if k == "minCount":
            n = c.args[0].toPython()
            if n == 0:
                return None
            return f"{focus(x)} MINUS {{ {self._at_least(path.triple, x, n)} }}", None
        if k == "maxCount":
            v = self.var()
            return (f"{{ SELECT {x} WHERE {{ {path.triple(x, v)} }} GROUP BY {x} "
                    f"HAVING (COUNT(DISTINCT {v}) > {c.args[0].toPython()}) }} {focus(x)}"), None
        if k == "hasValue":
            value = _sparql_term(c.args[0])
            if path is None:
                return f"{focus(x)} FILTER(!sameTerm({x}, {value}))", None
            return f"{focus(x)} MINUS {{ {path.triple(x, value)} }}", None
        if k == "qualifiedValueShape":
            return self._qualified(shape, c, focus, x), None
        # a constraint on each value node: the focus node itself for a node shape
        if path is None:
            return self._failing(c, focus, x), x
        v = self.var()
        if k in _EXPRESSIONS or k == "class":  # read from the path's own triples
            return f"{{ SELECT DISTINCT {x} {v} WHERE {{ {self._failing(c, lambda y: path.triple(x, y), v)} }} }} {focus(x)}", v
        # a shape's conformance, worked out once for every distinct value of the path
        failing = f"SELECT DISTINCT {v} WHERE {{ {self._failing(c, self.values_of(path), v)} }}"
        return f"{{ SELECT DISTINCT {x} {v} WHERE {{ {path.triple(x, v)} {{ {failing} }} }} }} {focus(x)}", v

    def _failing(self, c: Constraint, focus: Callable[[str], str], x: str) -> str:
        """A pattern binding ``x`` to the nodes of ``focus`` that fail the value constraint ``c``."""
        k, args = c.kind, c.args
        if k == "class":
            parts = []
            for cls in args:
                t = self.var()
                listed = " ".join(f"<{x_}>" for x_ in self.classes(str(cls)))
                parts.append(f"{{ {focus(x)} MINUS {{ {x} {_TYPE} {t} VALUES {t} {{ {listed} }} }} }}")
            return " UNION ".join(parts)
        if k == "node":
            return " UNION ".join(f"{{ {self.bad(self.shape(s), focus, x)} }}" for s in args)
        if k == "not":
            parts = []
            for s in args:
                y = self.var()
                parts.append(f"{{ {focus(x)} MINUS {{ SELECT ({y} AS {x}) WHERE {{ {self.bad(self.shape(s), focus, y)} }} }} }}")
            return " UNION ".join(parts)
        if k == "and":
            return " UNION ".join(f"{{ {self.bad(self.shape(s), focus, x)} }}" for s in args[1]) or f"VALUES {x} {{ }}"
        if k == "or":
            if not args[1]:
                return focus(x)
            return " ".join(f"{{ SELECT DISTINCT {x} WHERE {{ {self.bad(self.shape(s), focus, x)} }} }}" for s in args[1])
        if k == "xone":
            conforming = " UNION ".join(f"{{ SELECT DISTINCT {x} WHERE {{ {focus(x)} MINUS {{ {self.bad(self.shape(s), focus, x)} }} }} }}"
                                        for s in args[1])
            if not conforming:
                return focus(x)
            return f"{focus(x)} MINUS {{ SELECT {x} WHERE {{ {conforming} }} GROUP BY {x} HAVING (COUNT(*) = 1) }}"
        return f"{focus(x)} FILTER(!COALESCE({self.check(c, x)}, false))"

    def _at_least(self, triple: Callable[[str, str], str], x: str, n: int, keep: Callable[[str], str] | None = None) -> str:
        """A pattern binding ``x`` to each node with at least ``n`` (>= 1) values (those ``keep`` keeps)."""
        v = self.var()
        pattern = triple(x, v) + (f" {keep(v)}" if keep else "")
        if n == 1:
            return pattern
        return f"SELECT {x} WHERE {{ {pattern} }} GROUP BY {x} HAVING (COUNT(DISTINCT {v}) >= {n})"

    def _qualified(self, shape: Shape, c: Constraint, focus: Callable[[str], str], x: str) -> str:
        inner = self.shape(c.args[0])
        simple = inner.path is None and all(q.kind in _EXPRESSIONS for q in inner.constraints)
        values = self.values_of(shape.path)

        def keep(v: str) -> str:
            if simple:
                return f"FILTER(COALESCE({' && '.join(self.check(q, v) for q in inner.constraints) or 'true'}, false))"
            y = self.var()
            return f"MINUS {{ SELECT ({y} AS {v}) WHERE {{ {self.bad(inner, values, y)} }} }}"

        parts = []
        if c.low:
            parts.append(f"{{ {focus(x)} MINUS {{ {self._at_least(shape.path.triple, x, c.low, keep)} }} }}")
        if c.high is not None:
            parts.append(f"{{ {{ {self._at_least(shape.path.triple, x, c.high + 1, keep)} }} {focus(x)} }}")
        return " UNION ".join(parts) or f"VALUES {x} {{ }}"

    def check(self, c: Constraint, v: str) -> str:
        """A SPARQL expression, true when value node ``v`` satisfies the constraint ``c`` (of _EXPRESSIONS)."""
        k, args = c.kind, c.args
        if k == "datatype":
            dt = str(args[0])
            if dt == _RDFS + "Literal":
                return f"isLiteral({v})"
            if dt == _RDF + "langString":
                return f"(isLiteral({v}) && lang({v}) != \"\")"
            if dt in _CASTABLE:  # the same term cast to its own datatype: well-typed, and cheaper than datatype()
                return f"sameTerm({v}, <{dt}>({v}))"
            return f"(isLiteral({v}) && datatype({v}) = <{dt}>)"
        if k == "nodeKind":
            return _NODE_KINDS[str(args[0]).removeprefix(SH)].format(v=v)
        if k == "in":
            return "(" + " || ".join([f"sameTerm({v}, {_sparql_term(x)})" for x in args] or ["false"]) + ")"
        if k == "hasValue":
            return f"sameTerm({v}, {_sparql_term(args[0])})"
        if k == "pattern":
            *patterns, flags = args
            return " && ".join(f"(!isBlank({v}) && regex(str({v}), {_sparql_term(p)}, \"{flags}\"))" for p in patterns)
        if k in ("minLength", "maxLength"):
            op = ">=" if k == "minLength" else "<="
            return f"(!isBlank({v}) && strlen(str({v})) {op} {args[0].toPython()})"
        if k in _RANGES:
            return " && ".join(f"({v} {_RANGES[k][0]} {_sparql_term(x)})" for x in args)
        raise UnsupportedShape(f"sh:{k}")  # not reached: _constraints admits only the kinds handled

    # messages ------------------------------------------------------------------------------------------

    def message(self, shape: Shape, c: Constraint, focus, value) -> str:
        """pyshacl's message for a result of ``c`` (focus and value as rdflib terms)."""
        import rdflib
        from pyshacl.rdfutil.stringify import stringify_node

        if shape.message is not None:
            return shape.message
        sg, data = self.graph, _data_graph()

        def s(node) -> str:
            return stringify_node(sg, node)

        path = s(shape.path.node) if shape.path is not None else None
        on = f"{stringify_node(data, focus)}" + (f"->{path}" if path else "")
        k, args = c.kind, c.args
        if k == "minCount":
            return f"Less than {args[0]} values on {on}"
        if k == "maxCount":
            return f"More than {args[0]} values on {on}"
        if k == "class":
            return f"Value does not have class {s(args[0])}" if len(args) < 2 else \
                f"Value class is not in classes ({', '.join(s(x) for x in args)})"
        if k == "datatype":
            return f"Value is not Literal with datatype {s(args[0])}"
        if k == "nodeKind":
            return f"Value is not of Node Kind {s(args[0])}"
        if k == "in":
            return f"Value {stringify_node(data, value)} not in list {[s(x) for x in args]}"
        if k == "pattern":
            patterns = args[:-1]
            return f"Value does not match pattern '{patterns[0].value}'" if len(patterns) < 2 else \
                "Value does not match every pattern in ('{}')".format("', '".join(str(p.value) for p in patterns))
        if k in ("minLength", "maxLength"):
            return f"String length not {'>=' if k == 'minLength' else '<='} {stringify_node(data, args[0])}"
        if k in _RANGES:
            return _RANGES[k][1].format(s(args[0])) if len(args) < 2 else \
                _RANGE_LISTS[k].format(", ".join(s(x) for x in args))
        if k == "hasValue":
            if path:
                return f"Node {on} does not contain a value in the set: {[s(args[0])]}"
            return f"Node {stringify_node(data, focus)} value is not a in the set of values: {[s(args[0])]}"
        if k == "node":
            m = f"Value does not conform to Shape {s(args[0])}." if len(args) < 2 else \
                "Value must conform to every Shape in ('{}').".format("', '".join(s(x) for x in args))
            return m + " See details for more information."
        if k == "not":
            shown = stringify_node(data, value)
            return f"Node {shown} must not conform to shape {s(args[0])}" if len(args) == 1 else \
                f"Node {shown} must not conform to any shapes in {' , '.join(s(x) for x in args)}"
        if k in ("and", "or", "xone"):
            listed = " , ".join(s(x) for x in rdflib.collection.Collection(sg, args[0]))
            verb = {"and": "must conform to all shapes in", "or": "must conform to one or more shapes in",
                    "xone": "must conform to exactly one shape in"}[k]
            return f"Node {stringify_node(data, value)} {verb} {listed}"
        if k == "qualifiedValueShape":
            counts = (f" MinCount {c.low}" if c.low is not None else "") + \
                (f" MaxCount {c.high}" if c.high is not None else "")
            return f"Focus node does not conform to shape{counts}: {s(args[0])}"
        raise UnsupportedShape(f"sh:{k}")


def results(compiler: Compiler, shape: Shape, focus: Callable[[str], str], run: Callable[[str], Iterator]) -> Iterator[Result]:
    """The results of ``shape`` for the nodes ``focus`` binds: a query per check, and for sh:node the value
    nodes' own results as details, as pyshacl reports them. ``run`` runs a SELECT query over the union of
    the store's graphs."""
    from .validate import _rdflib_term

    for check in compiler.violations(shape, focus, "?this"):
        if check.proof is not None and _proven(check.proof, run):
            continue
        owner, value = check.owner, check.value
        flags = [flag for _, flag in check.constraints if flag is not None]
        project = " ".join(["?this"] + ([value] if value not in (None, "?this") else []) + flags)
        if [c.kind for c, _ in check.constraints] == ["node"]:
            rows = _nonconforming(compiler, check, focus, run)
        else:
            rows = list(run(f"SELECT DISTINCT {project} WHERE {{ {check.pattern} }}"))
        counts = _counts(owner.path, [row["this"] for row in rows], run) if check.counted else {}
        failing: dict = {}
        for row in rows:
            node = row["this"]
            node_value = row[value.lstrip("?")] if value is not None else None
            for constraint, flag in check.constraints:
                if flag is not None and row[flag.lstrip("?")].value == "true":
                    continue
                if check.counted and not (counts.get(node, 0) < check.counted[0] if constraint.kind == "minCount"
                                          else counts.get(node, 0) > check.counted[1]):
                    continue
                failing.setdefault(constraint.kind, set()).add(node_value)
                yield Result(node, owner.path, compiler.message(owner, constraint, _rdflib_term(node),
                                                                 None if node_value is None else _rdflib_term(node_value)),
                             owner.severity)
        for constraint, _ in check.constraints:
            if constraint.kind == "node" and failing.get("node"):
                values = sorted(failing["node"], key=str)
                for start in range(0, len(values), _BATCH):
                    listed = " ".join(_ox_sparql(v) for v in values[start:start + _BATCH])
                    for target in constraint.args:
                        yield from results(compiler, compiler.shape(target), lambda y: f"VALUES {y} {{ {listed} }}", run)


def _nonconforming(compiler: Compiler, check: Check, focus: Callable[[str], str], run: Callable[[str], Iterator]) -> list:
    """The rows of an sh:node check, found step by step: the value nodes that fail each of the shape's own
    checks that its proof does not clear, then the focus nodes that have them. The same rows as the
    check's single query, without its hash joins over every value of the path."""
    (constraint, _), path = check.constraints[0], check.owner.path
    values = focus if path is None else (lambda y: path.triple(compiler.var(), y))
    bad = set()
    for target in constraint.args:
        for inner in compiler.violations(compiler.shape(target), values, "?this"):
            if inner.proof is None or not _proven(inner.proof, run):
                bad.update(row["this"] for row in run(f"SELECT DISTINCT ?this WHERE {{ {inner.pattern} }}"))
    if path is None:
        return [{"this": node} for node in sorted(bad, key=str)]
    rows, listed = [], sorted(bad, key=str)
    for start in range(0, len(listed), _BATCH):
        named = " ".join(_ox_sparql(v) for v in listed[start:start + _BATCH])
        rows += [{"this": row["this"], check.value.lstrip("?"): row["value"]} for row in run(
            f"SELECT DISTINCT ?this ?value WHERE {{ VALUES ?value {{ {named} }} {path.triple('?this', '?value')} "
            f"{focus('?this')} }}")]
    return rows


def _proven(proof: tuple, run: Callable[[str], Iterator]) -> bool:
    """Whether the queries of a proof (see Compiler.proof) show that nothing fails."""
    if proof[0] == "all":
        return all(_proven(part, run) for part in proof[1])
    if proof[0] == "any":
        return any(_proven(part, run) for part in proof[1])
    counts, names = {}, {name for pair in proof[2] for name in pair if name is not None}
    for query in [proof[1]] if isinstance(proof[1], str) else proof[1]:
        row = next(iter(run(query)))
        counts.update((name, int(row[name].value)) for name in names if f") AS ?{name})" in query)
    return all(counts[a] == (0 if b is None else counts[b]) for a, b in proof[2])


def _counts(path: Path, nodes: list, run: Callable[[str], Iterator]) -> dict:
    """How many distinct values of ``path`` each of ``nodes`` has (those with none are left out)."""
    counts = {}
    for start in range(0, len(nodes), _BATCH):
        listed = " ".join(_ox_sparql(n) for n in nodes[start:start + _BATCH])
        query = (f"SELECT ?this (COUNT(DISTINCT ?value) AS ?n) WHERE {{ VALUES ?this {{ {listed} }} "
                 f"{path.triple('?this', '?value')} }} GROUP BY ?this")
        counts.update({row["this"]: int(row["n"].value) for row in run(query)})
    return counts


def target_focus(shape: Shape) -> Callable[[str], str]:
    """The focus pattern of a shape's targets."""
    return lambda x: "{ " + " UNION ".join(f"{{ {t.replace('?this', x)} }}" for t in shape.targets) + " }"


def count_query(targets: list[str]) -> str:
    """A query counting the distinct focus nodes of these targets."""
    union = " UNION ".join(f"{{ {t} }}" for t in targets)
    return f"SELECT (COUNT(DISTINCT ?this) AS ?n) WHERE {{ {union} }}"


def _data_graph():
    """An empty rdflib graph with rdflib's default prefixes: how pyshacl shows data nodes."""
    import rdflib

    global _DATA
    if _DATA is None:
        _DATA = rdflib.Graph()
    return _DATA


_DATA = None


def _sparql_term(node) -> str:
    """An rdflib term as SPARQL text."""
    import rdflib

    if isinstance(node, rdflib.URIRef):
        return f"<{node}>"
    if isinstance(node, rdflib.Literal):
        return node.n3()
    raise UnsupportedShape(f"the blank node {node} as a value")


def _ox_sparql(term) -> str:
    """A pyoxigraph term as SPARQL text (blank nodes cannot be named in a query)."""
    import pyoxigraph as ox

    if isinstance(term, ox.BlankNode):
        raise UnsupportedShape("a blank focus node")
    return str(term)
