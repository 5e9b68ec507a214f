"""The build's end step: regroups the store's statements into events and recounts the dyad table, one
grouping key at a time, so that what it holds follows the largest dyad, not the store.

One streamed pass over the statements spills a compact row per statement to a temporary SQLite file,
beside the stored event links, dyad rows and neighbour summaries. The statements come back sorted by
their grouping key (relation type and ends, persons rolled up, either order for undirected types): an
event never spans two keys (kg.events.group_events) and neither does a dyad row, so each key's events
and rows are made, compared with what the store holds and written before the next key is read. What
stays in memory throughout is bounded by the actors: who acts for whom, labels, per-actor counts.

A build that adds to a graph whose table is current notes what it writes and replaces (Changed),
and its end step goes over only the keys those documents touch, and of each only the months its
changes can reach when that gives the same result (kg.recount_scope): the same spill and the same
steps, filled from the documents those rows count and the stored events and rows, read by index,
with the actors' counts moved by what changed.
"""

from __future__ import annotations

import contextlib
import itertools
import sqlite3
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator

import pyoxigraph as ox

from . import dyads, events, recount_scope
from .vocab import ACTOR, DCTERMS, EV, KG, PROV, RDF, RELATION_TYPES

_SCHEMA = """
CREATE TABLE attribute (subject TEXT, graph TEXT, field INTEGER, value TEXT);
CREATE TABLE statement (key INTEGER, statement TEXT, doc TEXT, start INTEGER, stated_source TEXT,
                        stated_target TEXT, source TEXT, target TEXT, type TEXT, confidence TEXT,
                        background INTEGER, stated TEXT);
CREATE TABLE raw (statement TEXT, doc TEXT, type TEXT, stated_source TEXT, stated_target TEXT, start TEXT,
                  confidence TEXT, negated TEXT, hypothetical TEXT, background TEXT, stated TEXT);
CREATE TABLE document (doc TEXT PRIMARY KEY, id TEXT, date TEXT) WITHOUT ROWID;
CREATE TABLE link (event TEXT, digest INTEGER);
CREATE TABLE stored (subject TEXT, graph INTEGER, field INTEGER, value TEXT);
CREATE TABLE summary (actor TEXT PRIMARY KEY, text TEXT) WITHOUT ROWID;
CREATE TABLE fresh (iri TEXT PRIMARY KEY) WITHOUT ROWID;
CREATE TABLE neighbour (actor TEXT, direction TEXT, type TEXT, other TEXT, events INTEGER, mentions INTEGER);
"""
_GROUPED = """
SELECT s.key, s.statement, s.doc, s.start, s.stated_source, s.stated_target, s.source, s.target, s.type,
       s.confidence, s.background, s.stated, d.id, d.date
FROM statement s LEFT JOIN document d ON d.doc = s.doc
ORDER BY s.key, s.statement, s.doc, s.type, s.stated_source, s.stated_target, s.start, s.confidence, s.background,
         s.stated"""
# What the table counts of a statement (kg.dyads.STATEMENTS) and of a document (kg.dyads.DOCUMENTS), by
# field number; _TYPE and _DOCUMENT are read from rdf:type.
_PREDICATES = [KG + "source", KG + "target", KG + "start", KG + "confidence", KG + "negated", KG + "hypothetical",
               PROV + "wasDerivedFrom", KG + "background", DCTERMS + "date", DCTERMS + "identifier"]
(_SOURCE, _TARGET, _START, _CONFIDENCE, _NEGATED, _HYPOTHETICAL, _DERIVED, _BACKGROUND, _DATE, _IDENTIFIER, _TYPE,
 _DOCUMENT) = range(12)
_REQUIRED = (_TYPE, _SOURCE, _TARGET, _START, _CONFIDENCE, _NEGATED, _HYPOTHETICAL, _DERIVED)
_A = ox.NamedNode(RDF + "type")
_GRAPHS = (dyads.TOTALS, dyads.DYADS)  # a stored row's graph, by its number in the spill
_FIELDS = list(dyads._FIELDS)  # a stored row's predicates, by number
_CHANGES = 20_000  # quads removed and added are written in lots of this many
_SIGN = 1 << 63


def recount(writer, window: int | None = None, fed: Feed | None = None, changed: Changed | None = None) -> int:
    """Regroups every asserted statement of the store a build is writing (a kg.store.Writer) into events
    and recounts the dyad table from them, writes what changed (events, rows, actor counts, neighbour
    summaries), marks the table current, and returns how many events the store holds.

    ``window`` None keeps the store's event window (kg.events.EVENT_WINDOW_DAYS for a store without
    events). An event's IRI names its type, dyad and anchor and a row's its dyad, type and period, so
    an event or a row whose content is as stored is left alone. ``fed``: a Feed that saw every
    document the graph holds as it was written (a build of a fresh graph), so that the statements
    are not read back from the store. ``changed``: what a build that added to a graph wrote (a
    Changed), so that only the grouping keys it touched are counted again, when that is enough."""
    from .statements import store_actors

    stored_window = events.stored_window(writer)
    if window is None:
        window = events.EVENT_WINDOW_DAYS if stored_window is None else stored_window
    if changed is not None and (total := _recount_changed(writer, window, stored_window, changed)) is not None:
        return total
    with contextlib.ExitStack() as stack:
        db = (fed or stack.enter_context(Feed())).db
        acting = _acting(writer)
        named: Counter = Counter()  # statements naming each actor as stated
        if fed is None:
            _load_documents(db, writer)
        _key_statements(db, acting, named)
        _load_stored(db, writer)
        changes = _Changes(writer)
        total, named_events = _regroup(db, writer, changes, window)
        # read after the keys, through SPARQL: a build's bulk load of its documents goes on meanwhile
        labels = {iri: actor.label for iri, actor in store_actors(writer).items()}
        held_actors = {count.actor: count for count in dyads._stored_actor_counts(writer)}
        _remove_gone_events(db, writer, changes)
        if stored_window != window:
            changes.replace(writer.quads_for_pattern(events.EVENTS, events._WINDOW, None, events.EVENTS),
                            [events._window_quad(window)])
        _remove_gone_rows(db, writer, changes)
        fresh_actors = {actor: dyads.ActorCount(actor, statements, named_events[actor])
                        for actor, statements in sorted(named.items())}
        for actor, stored in held_actors.items():
            if fresh_actors.get(actor) != stored:
                changes.replace(dyads.actor_count_quads(stored), ())
        changes.replace((), (q for actor, count in fresh_actors.items() if held_actors.get(actor) != count
                             for q in dyads.actor_count_quads(count)))
        _update_summaries(db, writer, changes, labels)
        _mark_current(writer, changes)
    return total


def _regroup(db: sqlite3.Connection, writer, changes: _Changes, window: int,
             settled: dict[int, recount_scope.Settled] | None = None) -> tuple[int, Counter]:
    """Groups the spilled statements into events and rows, key by key, and writes what is not as the
    spilled links and rows say it is stored; returns the events made and, by actor as stated, how
    many of them its statements report. ``settled``: keys (by hash) already counted over some months
    (kg.recount_scope), whose events and rows are written as they are."""
    from .analysis.signed import load_weights

    weights = load_weights()
    # a graph without events or rows yet (a fresh build): nothing to compare with, nothing gone
    any_held = bool(db.execute("SELECT EXISTS (SELECT 1 FROM link) OR EXISTS (SELECT 1 FROM stored)").fetchone()[0])
    named_events: Counter = Counter()
    total = 0
    settled = dict(settled or {})
    for key, group in itertools.groupby(db.execute(_GROUPED), key=lambda r: r[0]):
        statements = [dyads.CountedStatement(*r[1:]) for r in group]
        if key in settled:
            done = settled.pop(key)
            made, rows = done.made, done.rows()
        else:
            made = events.group_events([events.StatementRow(s.statement, s.doc, s.source, s.target, s.type,
                                                            s.doc_date) for s in statements if not s.background], window)
            rows = dyads.count_dyads(statements, made, weights)
        total += len(made)
        _update_events(db, writer, changes, made, any_held)
        _update_rows(db, writer, changes, rows, any_held)
        for actor, count in _events_naming(statements, made).items():
            named_events[actor] += count
    for done in settled.values():  # keys none of whose statements is left in the documents read
        _update_events(db, writer, changes, done.made, any_held)
        _update_rows(db, writer, changes, done.rows(), any_held)
    return total, named_events


def _mark_current(writer, changes: _Changes) -> None:
    changes.replace((q for q in writer.quads_for_pattern(dyads.DYADS, dyads._CURRENT, None, dyads.DYADS)
                     if q.object != dyads.LAYOUT),
                    [ox.Quad(dyads.DYADS, dyads._CURRENT, dyads.LAYOUT, dyads.DYADS)])
    changes.flush()


class Feed:
    """The statements and documents a build writes, spilled as it writes them (``add``), so that the
    end step of a build that wrote the whole graph reads them from here and not back from the store;
    a context manager that closes it. Its file is SQLite's private temporary one (in TMPDIR), which
    is unlinked as soon as it is opened: a build that is killed leaves nothing behind."""

    def __init__(self) -> None:
        self.db = _spill()

    def add(self, quads: Iterable[ox.Quad]) -> None:
        """Spills what the table counts of the quads of one or more documents, as _attributes reads it."""
        subjects: dict[tuple[str, str], dict[int, list[str]]] = {}
        for quad in dict.fromkeys(quads):  # a store holds a quad once
            graph, predicate = quad.graph_name, quad.predicate.value
            if not isinstance(graph, ox.NamedNode) or graph == events.EVENTS:
                continue
            field = _FIELD_OF.get(predicate)
            value = quad.object.value
            if field is None and predicate == _A.value:
                field = _TYPE if value in _TYPE_OF else _DOCUMENT if value == KG + "Document" else None
                value = _TYPE_OF.get(value, value)
            if field is not None:
                subjects.setdefault((quad.subject.value, graph.value), defaultdict(list))[field].append(value)
        statements: list[tuple] = []
        documents: list[tuple] = []
        for (subject, graph), fields in subjects.items():
            statements.extend(_relations(subject, graph, fields))
            documents.extend(_document(subject, graph, fields))
        _insert(self.db, statements, documents)

    def __enter__(self) -> Feed:
        return self

    def __exit__(self, *exc) -> None:
        self.db.close()


class Changed:
    """What a build that adds to a graph writes, so that its end step counts again only the grouping keys
    it touched: the documents it writes and, as the table counted them, those it replaces (spilled as a
    Feed spills them), and, as they were when it started, whether the table was current and each
    actor's label and whom it acts for. Create it before the build's first commit, write each document
    through ``write``; a context manager that deletes its files."""

    LIMIT = 5_000  # documents: past this many, the end step counts the whole table again

    def __init__(self, writer) -> None:
        self.current = dyads.is_current(writer)
        self.actors = _actor_state(writer) if self.current else {}
        self.added, self.before, self.rewritten = Feed(), Feed(), Feed()
        self.written: set[str] = set()

    def write(self, writer, graph: ox.NamedNode, quads: Iterable[ox.Quad]) -> None:
        """Replaces the document ``graph`` with ``quads`` in ``writer``, noting what it held and holds."""
        quads = list(quads)
        if self.current and len(self.written) < self.LIMIT:
            if graph.value in self.written:  # written earlier by this build: never counted by the table
                self.rewritten.add(writer.graph_quads(graph, _COUNTED))
            elif writer.contains_named_graph(graph):
                self.before.add(writer.graph_quads(graph, _COUNTED))
            self.added.add(quads)
        self.written.add(graph.value)
        writer.replace_graph(graph, quads)

    def __enter__(self) -> Changed:
        return self

    def __exit__(self, *exc) -> None:
        for feed in (self.added, self.before, self.rewritten):
            feed.__exit__(*exc)


def _actor_state(store) -> dict[str, tuple[str, str | None]]:
    """Actor IRI -> (label, the actor it acts for): what the table's keys and summaries depend on."""
    from .statements import store_actors

    acting = _acting(store)
    return {iri: (actor.label, acting.get(iri)) for iri, actor in store_actors(store).items()}


def _acting(store) -> dict[str, str]:
    """Person IRI -> the actor it acts for (prov:actedOnBehalfOf in the actors graph)."""
    return {q.subject.value: q.object.value for q in store.quads_for_pattern(None, dyads._ACTED_FOR, None, dyads._ACTORS)}


def _recount_changed(writer, window: int, stored_window: int | None, changed: Changed) -> int | None:
    """The end step of a build that added to a graph, over the grouping keys its documents (as written
    and as replaced) touch: the documents their stored rows count and those the build wrote, their
    stored events and rows, and the neighbour summaries and counts of the actors at their ends; the
    other keys' events and rows stay as they are. None, having written nothing, when that would not be the whole recount's
    result: the table was not current when the build started, the event window changed, an actor's
    label or whom it acts for changed, or the build wrote more than Changed.LIMIT documents."""
    if not changed.current or stored_window != window or len(changed.written) > Changed.LIMIT:
        return None
    now = _actor_state(writer)
    if any(now.get(iri, state) != state for iri, state in changed.actors.items()):
        return None
    acting = {iri: up for iri, (_, up) in now.items() if up is not None}
    # what the table counted was keyed by whom persons acted for then: a person the build's documents
    # no longer name has gone from the actors graph by now
    acted = {iri: up for iri, (_, up) in changed.actors.items() if up is not None} | acting
    keys: set[tuple[str, str, str]] = set()
    changed_of: dict[tuple[str, str, str], list[tuple[bool, str | None]]] = defaultdict(list)
    added, removed = Counter(), Counter()  # relation rows naming each actor as stated
    stated_before: dict[str, set[str]] = defaultdict(set)  # statements as the table counted them
    key_before: dict[str, int] = {}  # and their grouping keys
    for feed, named, counted, keyed_by in ((changed.added, added, False, acting), (changed.before, removed, True, acted),
                                           (changed.rewritten, removed, False, acted)):
        for *raw, date in feed.db.execute(_RAW_DATED):
            named.update({raw[3], raw[4]})
            if (key := _key(raw, keyed_by)) is not None:
                keys.add(key)
                changed_of[key].append((raw[9] == "true", date))
                if counted:
                    key_before[raw[0]] = hash(key)
            if counted:
                stated_before[raw[0]].update((raw[3], raw[4]))
    with Feed() as scope:
        db = scope.db
        try:
            totals = _load_stored_totals(db, writer, keys)
        except _Unscoped:
            return None
        shared = Counter(hash(key) for key in keys)  # keys that share a hash are counted whole
        scopes = {key: planned for key in keys
                  if shared[hash(key)] == 1
                  and (planned := recount_scope.plan(totals[key], changed_of[key], window)) is not None
                  and planned.worth_it()}
        settled, held_events = _count_keys(db, writer, scope, keys, totals, scopes, changed.written, stated_before,
                                           key_before, acting, window)
        _load_stored_months(db, writer, totals, {key: scopes[key].months for key in scopes if hash(key) in settled})
        _load_neighbours(db, writer, keys)
        changes = _Changes(writer)
        _, named_events = _regroup(db, writer, changes, window, settled)
        _remove_gone_events(db, writer, changes)
        _remove_gone_rows(db, writer, changes)
        before_events: Counter = Counter()  # the events of these keys, as stored, naming each actor
        for statements in held_events.values():
            naming = set()
            for statement in statements:
                naming |= stated_before.get(statement) or {actor for pair in db.execute(
                    "SELECT stated_source, stated_target FROM statement WHERE statement = ?", (statement,)) for actor in pair}
            before_events.update(naming)
        held_actors = {count.actor: count for count in dyads._stored_actor_counts(writer)}
        for actor in sorted(set(added) | set(removed) | set(before_events) | set(named_events)):
            held = held_actors.get(actor)
            relations = (held.relations if held else 0) + added[actor] - removed[actor]
            fresh = dyads.ActorCount(actor, relations, (held.events if held else 0) - before_events[actor]
                                     + named_events[actor]) if relations > 0 else None
            if fresh != held:
                changes.replace(dyads.actor_count_quads(held) if held else (),
                                dyads.actor_count_quads(fresh) if fresh else ())
        _update_summaries(db, writer, changes, {iri: label for iri, (label, _) in now.items()})
        _mark_current(writer, changes)
    return int(next(iter(writer.query(_EVENT_COUNT)))["n"].value)


_EVENT_COUNT = "SELECT (COUNT(?event) AS ?n) WHERE { GRAPH <https://w3id.org/kg/graph/events> { ?event a kg:Event } }"


class _Unscoped(Exception):
    """What the end step reads of the keys a build touched shows that only a whole recount is right."""


def _row_ends(keys: Iterable[tuple[str, str, str]]) -> Iterator[tuple[str, str, str]]:
    """(source, target, type) of the rows the keys can have: both ways for an undirected type, whose
    events count in the direction each records."""
    for rtype, a, b in sorted(keys):
        yield a, b, rtype
        if RELATION_TYPES[rtype].symmetric and a != b:
            yield b, a, rtype


def _load_stored_totals(db: sqlite3.Connection, writer, keys: set) -> dict[tuple, dict[tuple[str, str], dyads.DyadCount]]:
    """Spills the stored total rows of these grouping keys, each read by its IRI (it names its dyad and
    type); returns them by key and (source, target), their documents' keys packed (kg.dyads.pack_keys:
    a hub's rows count a document in every few of a large store)."""
    totals: dict[tuple, dict[tuple[str, str], dyads.DyadCount]] = {}
    for key in sorted(keys):
        totals[key] = {}
        for source, target, rtype in _row_ends([key]):
            values = _spill_row(db, writer, dyads.DyadCount(source, target, rtype, None, 0, 0).iri, dyads.TOTALS)
            if "docs" in values:
                if not dyads._KEYS.fullmatch(values["docs"]):
                    raise _Unscoped  # not as kg writes rows (edited by hand): the whole recount replaces it
                values["docs"] = dyads.pack_keys(values["docs"])
            try:
                row = dyads._from_values(values)
            except ValueError:
                raise _Unscoped from None
            if row is not None:
                totals[key][(source, target)] = row
    return totals


def _load_stored_months(db: sqlite3.Connection, writer, totals: dict[tuple, dict], months: dict[tuple, list[str]]) -> None:
    """Spills the stored monthly rows of these keys that are counted again: of a key with ``months``,
    those months' rows; of the others, every period's (a total row lists them)."""
    for key, rows in totals.items():
        wanted = set(months[key]) if key in months else None
        for (source, target), total in rows.items():
            for period, _, _ in total.periods:
                if wanted is None or period in wanted:
                    _spill_row(db, writer, dyads.DyadCount(source, target, total.type, period, 0, 0).iri, dyads.DYADS)
    db.execute("CREATE INDEX stored_subject ON stored (subject)")


def _spill_row(db: sqlite3.Connection, writer, iri: str, graph: ox.NamedNode) -> dict[str, str]:
    """Spills one stored row of the table; returns its values by field name."""
    values = {}
    for quad in writer.quads_for_pattern(ox.NamedNode(iri), None, None, graph):
        if (field := _FIELD_NUMBER.get(quad.predicate.value)) is not None:
            db.execute("INSERT INTO stored VALUES (?,?,?,?)", (iri, _GRAPHS.index(graph), field, quad.object.value))
            values[dyads._FIELDS[quad.predicate.value]] = quad.object.value
    return values


def _count_keys(db: sqlite3.Connection, writer, scope: Feed, keys: set, totals: dict, scopes: dict, written: set[str],
                stated_before: dict[str, set[str]], key_before: dict[str, int], acting: dict[str, str],
                window: int) -> tuple[dict[int, recount_scope.Settled], dict[str, list[str]]]:
    """Spills the statements of these grouping keys that the end step counts again, and the stored
    events it may change, with their links: of a key in ``scopes``, those of the documents of its
    months (kg.recount_scope), and the key counted there (taken further, or whole, as that says); of
    the others, those of every document the key's rows count. Returns the keys counted over their
    months, by hash, and the stored events of what is counted again, with their statements."""
    from .analysis.signed import load_weights
    from .rdf import doc_key

    weights = load_weights()
    db.execute("CREATE TEMP TABLE wanted (key INTEGER PRIMARY KEY)")
    db.executemany("INSERT OR IGNORE INTO wanted VALUES (?)", ((hash(key),) for key in keys))
    pending = dict(scopes)
    whole = [key for key in keys if key not in scopes]
    settled: dict[int, recount_scope.Settled] = {}
    read = {doc_key(doc) for doc in written}
    held: dict[str, list[str]] = {}  # stored event -> its statements
    stored_event: dict[str, str] = {}  # statement -> its stored event
    event_period: dict[str, str] = {}
    looked_up: set[str] = set()
    first, rounds = True, 0
    while True:
        documents = {dyads.key_text(doc) for key in whole for row in totals[key].values() for doc in row.docs}
        documents.update(doc for planned in pending.values() for doc in planned.documents())
        documents -= read
        if first or documents:
            _load_documents_of(writer, scope, documents, written if first else set())
            read |= documents
            _key_statements(db, acting, Counter())
            db.execute("DELETE FROM statement WHERE key NOT IN (SELECT key FROM wanted)")
            if first:
                db.execute("CREATE INDEX statement_iri ON statement (statement)")
                db.execute("CREATE INDEX statement_key ON statement (key)")
            fresh = [s for s, in db.execute("SELECT DISTINCT statement FROM statement") if s not in looked_up]
            fresh += [s for s in sorted(stated_before) if s not in looked_up] if first else []
            _held_events(writer, fresh, held, stored_event, event_period)
            looked_up.update(fresh)
            first = False
        whole = []
        if not pending:
            break
        rounds += 1
        for key, planned in list(pending.items()):
            statements = [statement for row in db.execute(_OF_KEY, (hash(key),))
                          if _counted_key(statement := dyads.CountedStatement(*row)) == key]
            outcome = recount_scope.settle(planned, statements, stored_event, event_period, written, stated_before,
                                           window, weights, writer)
            if isinstance(outcome, recount_scope.Settled):
                settled[hash(key)] = outcome
                del pending[key]
                continue
            if outcome != recount_scope.WHOLE and rounds <= recount_scope.ROUNDS:
                planned.months = outcome
                if planned.worth_it():
                    continue
            whole.append(key)
            del pending[key]
    months_of = {hash(key): set(planned.months) for key, planned in scopes.items() if hash(key) in settled}
    key_of = dict(key_before)
    key_of.update(db.execute("SELECT statement, key FROM statement"))
    # of a key counted over its months, only the events anchored there are counted again
    kept = {}
    for event, statements in held.items():
        key = next((key_of[statement] for statement in statements if statement in key_of), None)
        if (months := months_of.get(key)) is None or event_period[event] in months:
            kept[event] = statements
    db.executemany("INSERT INTO link VALUES (?,?)", ((event, _signed(events._digest(statement)))
                                                     for event, reported in kept.items() for statement in reported))
    db.execute("CREATE INDEX link_event ON link (event)")
    return settled, kept


_RAW_DATED = "SELECT r.*, d.date FROM raw r LEFT JOIN document d ON d.doc = r.doc"
_OF_KEY = """
SELECT s.statement, s.doc, s.start, s.stated_source, s.stated_target, s.source, s.target, s.type, s.confidence,
       s.background, s.stated, d.id, d.date
FROM statement s LEFT JOIN document d ON d.doc = s.doc WHERE s.key = ?
ORDER BY s.statement, s.doc, s.type, s.stated_source, s.stated_target, s.start, s.confidence, s.background, s.stated"""


def _counted_key(s: dyads.CountedStatement) -> tuple[str, str, str]:
    return _grouping_key(s.type, s.source, s.target)


def _grouping_key(rtype: str, source: str, target: str) -> tuple[str, str, str]:
    """Relation type and ends (rolled up), in either order for an undirected type."""
    return (rtype, *sorted((source, target))) if RELATION_TYPES[rtype].symmetric else (rtype, source, target)


def _load_documents_of(writer, scope: Feed, documents: set[str], written: set[str]) -> None:
    """Spills the statements and documents of the graphs of these document keys and of the documents
    this build wrote: of each graph, the quads of what the table counts (Writer.graph_quads), half
    its quads, without its text and evidence."""
    from .rdf import doc_key

    graphs = {ox.NamedNode(doc) for doc in written}
    graphs.update(dyads.documents_by_key(writer, documents - {doc_key(doc) for doc in written}).values())
    listed = sorted(graphs, key=lambda graph: graph.value)
    for start in range(0, len(listed), 200):  # a subject's quads all in one call, as Feed.add needs
        scope.add(quad for graph in listed[start:start + 200] for quad in writer.graph_quads(graph, _COUNTED))


def _held_events(writer, statements: Iterable[str], held: dict[str, list[str]], stored_event: dict[str, str],
                 event_period: dict[str, str]) -> None:
    """Reads the stored events these statements report, with all their statements (every statement of
    an event is of its grouping key) and the period each is counted in, into ``held``,
    ``stored_event`` (statement -> event) and ``event_period``."""
    for statement in statements:
        for link in writer.quads_for_pattern(ox.NamedNode(statement), events._REPORTS, None, events.EVENTS):
            event = link.object
            if event.value not in held:
                held[event.value] = reported = [q.subject.value for q in
                                                writer.quads_for_pattern(None, events._REPORTS, event, events.EVENTS)]
                stored_event.update((s, event.value) for s in reported)
                date = next(writer.quads_for_pattern(event, events._DATE, None, events.EVENTS), None)
                event_period[event.value] = dyads.period_of(date.object.value if date is not None else None)


def _load_neighbours(db: sqlite3.Connection, writer, keys: set) -> None:
    """Spills the stored neighbour summaries of the keys' ends and those of their lines that other keys
    give (which the recount of ``keys`` leaves as they are)."""
    for actor in sorted({actor for _, a, b in keys for actor in (a, b)}):
        quad = next(iter(writer.quads_for_pattern(ox.NamedNode(actor), dyads._SUMMARY, None, dyads.TOTALS)), None)
        if quad is None:
            continue
        db.execute("INSERT OR REPLACE INTO summary VALUES (?,?)", (actor, quad.object.value))
        for line in dyads._summary_of(quad.object.value) if quad.object.value else ():
            source, target = (actor, line.other) if line.direction == "out" else (line.other, actor)
            ends = tuple(sorted((source, target))) if RELATION_TYPES[line.type].symmetric else (source, target)
            if (line.type, *ends) not in keys:
                db.execute("INSERT INTO neighbour VALUES (?,?,?,?,?,?)",
                           (actor, line.direction, line.type, line.other, line.events, line.mentions))


_FIELD_OF = {predicate: field for field, predicate in enumerate(_PREDICATES)}
_FIELD_NUMBER = {predicate: n for n, predicate in enumerate(_FIELDS)}  # a stored row's fields
_COUNTED = frozenset([*map(ox.NamedNode, _PREDICATES), _A])  # the predicates Feed.add reads
_TYPE_OF = {EV + name: name for name in RELATION_TYPES}


def _spill() -> sqlite3.Connection:
    # "": a private scratch file, deleted when closed; no journal, no syncing, a small page cache
    db = sqlite3.connect("", isolation_level=None)
    for pragma in ("journal_mode = OFF", "synchronous = OFF", "cache_size = -16000", "temp_store = FILE",
                   "locking_mode = EXCLUSIVE"):
        db.execute(f"PRAGMA {pragma}")
    db.executescript(_SCHEMA)
    db.execute("BEGIN")
    return db


def _load_documents(db: sqlite3.Connection, writer) -> None:
    """Spills the statements and documents the store holds, as a Feed would have seen them written."""
    db.executemany("INSERT INTO attribute VALUES (?,?,?,?)", _attributes(writer))
    statements: list[tuple] = []  # a thousand at a time
    documents: list[tuple] = []
    for (subject, graph), values in itertools.groupby(
            db.execute("SELECT subject, graph, field, value FROM attribute ORDER BY subject, graph"),
            key=lambda r: (r[0], r[1])):
        fields: dict[int, list[str]] = defaultdict(list)
        for _, _, field, value in values:
            fields[field].append(value)
        statements.extend(_relations(subject, graph, fields))
        documents.extend(_document(subject, graph, fields))
        if len(statements) + len(documents) >= 1000:
            _insert(db, statements, documents)
    _insert(db, statements, documents)
    db.execute("DELETE FROM attribute")


def _key_statements(db: sqlite3.Connection, acting: dict[str, str], named: Counter) -> None:
    """The spilled statements as the table counts them: persons rolled up (``acting``), each with its
    grouping key; ``named`` counts every statement by the actors it names."""
    db.executemany("INSERT INTO statement VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
                   (keyed for raw in db.execute("SELECT * FROM raw") for keyed in _keyed(raw, acting, named)))
    db.execute("DELETE FROM raw")


def _load_stored(db: sqlite3.Connection, writer) -> None:
    """Spills the event links, dyad rows and neighbour summaries the store holds."""
    db.executemany("INSERT INTO link VALUES (?,?)",
                   ((q.object.value, _signed(events._digest(q.subject.value)))
                    for q in writer.quads_for_pattern(None, events._REPORTS, None, events.EVENTS)))
    db.executemany("INSERT INTO stored VALUES (?,?,?,?)",
                   ((quad.subject.value, n, _FIELD_NUMBER[quad.predicate.value], quad.object.value)
                    for n, graph in enumerate(_GRAPHS) for quad in writer.quads_for_pattern(None, None, None, graph)
                    if quad.predicate.value in _FIELD_NUMBER))
    db.executemany("INSERT OR REPLACE INTO summary VALUES (?,?)",
                   ((q.subject.value, q.object.value)
                    for q in writer.quads_for_pattern(None, dyads._SUMMARY, None, dyads.TOTALS)))
    db.execute("CREATE INDEX link_event ON link (event)")
    db.execute("CREATE INDEX stored_subject ON stored (subject)")


def _insert(db: sqlite3.Connection, statements: list[tuple], documents: list[tuple]) -> None:
    db.executemany("INSERT INTO raw VALUES (?,?,?,?,?,?,?,?,?,?,?)", statements)
    db.executemany("INSERT OR REPLACE INTO document VALUES (?,?,?)", documents)
    statements.clear()
    documents.clear()


def _attributes(writer) -> Iterator[tuple[str, str, int, str]]:
    """(subject, graph, field, value) of every quad in a document's graph that tells what the table
    counts of a statement or a document, read by index one predicate (and relation type) at a time and
    joined in the spill, so that no join state is held outside it."""
    patterns = [(field, ox.NamedNode(predicate), None) for field, predicate in enumerate(_PREDICATES)]
    patterns += [(_TYPE, _A, ox.NamedNode(EV + name)) for name in RELATION_TYPES]
    patterns.append((_DOCUMENT, _A, ox.NamedNode(KG + "Document")))
    for field, predicate, value in patterns:
        for quad in writer.quads_for_pattern(None, predicate, value, None):
            graph = quad.graph_name
            if isinstance(graph, ox.NamedNode) and graph != events.EVENTS:
                yield (quad.subject.value, graph.value, field,
                       quad.object.value.removeprefix(EV) if field == _TYPE else quad.object.value)


def _relations(statement: str, doc: str, fields: dict[int, list[str]]) -> Iterator[tuple]:
    """The relation rows one subject of a document's graph makes, as stated (``fields``: its values by
    field number), as the statements' SPARQL join (kg.dyads.STATEMENTS) gives them."""
    if not all(fields.get(field) for field in _REQUIRED) or doc not in fields[_DERIVED]:
        return
    for rtype, source, target, start, confidence, negated, hypothetical, background, stated in itertools.product(
            fields[_TYPE], fields[_SOURCE], fields[_TARGET], fields[_START], fields[_CONFIDENCE], fields[_NEGATED],
            fields[_HYPOTHETICAL], fields.get(_BACKGROUND) or [None], fields.get(_DATE) or [None]):
        yield (statement, doc, rtype, source, target, start, confidence, negated, hypothetical, background, stated)


def _document(subject: str, graph: str, fields: dict[int, list[str]]) -> Iterator[tuple]:
    if fields.get(_DOCUMENT) and fields.get(_IDENTIFIER) and subject == graph:
        yield from ((subject, identifier, date) for identifier in fields[_IDENTIFIER]
                    for date in fields.get(_DATE) or [None])


def _keyed(raw: tuple, acting: dict[str, str], named: Counter) -> Iterator[tuple]:
    """One relation row as the table counts it (asserted; background only when dated), with its
    grouping key; ``named`` counts it by the actors it names as stated."""
    statement, doc, rtype, stated_source, stated_target, start, confidence, negated, hypothetical, background, \
        stated = raw
    for actor in {stated_source, stated_target}:
        named[actor] += 1
    key = _key(raw, acting)
    if key is None:
        return
    source, target = acting.get(stated_source, stated_source), acting.get(stated_target, stated_target)
    # a hash of the key: two keys that share one are one group, which events and rows tell apart
    yield (hash(key), statement, doc, int(start), stated_source, stated_target, source, target,
           rtype, confidence, background == "true", stated)


def _key(raw: tuple, acting: dict[str, str]) -> tuple[str, str, str] | None:
    """The grouping key of one relation row (relation type and ends, persons rolled up, in either order
    for an undirected type), or None when the table does not count it."""
    _, _, rtype, stated_source, stated_target, _, _, negated, hypothetical, background, stated = raw
    if negated == "true" or hypothetical == "true":
        return None
    if background == "true" and not stated:
        return None  # undated background is no current relation
    source, target = acting.get(stated_source, stated_source), acting.get(stated_target, stated_target)
    if source == target:  # a person acting towards their own state: no relation between actors
        return None
    return _grouping_key(rtype, source, target)


def _update_events(db: sqlite3.Connection, writer, changes: _Changes, made: list[events.Event],
                   any_held: bool) -> None:
    """Writes the events of one key whose statements are not as stored: an event's stored statements
    are told by their number and digest, as telling as the sets. ``any_held``: whether the store holds
    any event or row at all."""
    for event in made:
        if not any_held:
            changes.replace((), events.event_quads(event))
            continue
        db.execute("INSERT OR IGNORE INTO fresh VALUES (?)", (event.iri,))
        held = [digest for digest, in db.execute("SELECT digest FROM link WHERE event = ?", (event.iri,))]
        if held:
            combined = 0
            for digest in held:
                combined ^= digest & (_SIGN * 2 - 1)
            if (len(held), combined) == (len(event.statements), events._digests(event.statements)):
                continue
            changes.replace(_event_node(writer, event.iri), ())
        changes.replace((), events.event_quads(event))


def _event_node(writer, iri: str) -> list[ox.Quad]:
    node = ox.NamedNode(iri)
    return [*writer.quads_for_pattern(node, None, None, events.EVENTS),
            *writer.quads_for_pattern(None, events._REPORTS, node, events.EVENTS)]


def _remove_gone_events(db: sqlite3.Connection, writer, changes: _Changes) -> None:
    for iri, in db.execute("SELECT DISTINCT event FROM link WHERE event NOT IN (SELECT iri FROM fresh)"):
        changes.replace(_event_node(writer, iri), ())


def _update_rows(db: sqlite3.Connection, writer, changes: _Changes, rows: list[dyads.DyadCount],
                 any_held: bool) -> None:
    """Writes the rows of one key that are not as stored, and keeps the total rows' neighbour lines."""
    for row in rows:
        same = False
        if any_held:
            graph = dyads._graph_of(row)
            db.execute("INSERT OR IGNORE INTO fresh VALUES (?)", (row.iri,))
            for number, stored in _stored_rows(db.execute("SELECT graph, field, value FROM stored WHERE subject = ?",
                                                          (row.iri,))):
                if (stored, _GRAPHS[number]) == (row, graph):
                    same = True
                else:
                    changes.replace(writer.quads_for_pattern(ox.NamedNode(row.iri), None, None, _GRAPHS[number]),
                                    ())
        if not same:
            changes.replace((), dyads.row_quads(row))
        if row.period is None:
            db.executemany("INSERT INTO neighbour VALUES (?,?,?,?,?,?)",
                           ((row.source, "out", row.type, row.target, row.events, row.mentions),
                            (row.target, "in", row.type, row.source, row.events, row.mentions)))


def _stored_rows(values: Iterable[tuple[int, int, str]]) -> Iterator[tuple[int, dyads.DyadCount]]:
    """The stored rows of one subject, by graph, from its spilled (graph, field, value) triples."""
    by_graph: dict[int, dict[str, str]] = defaultdict(dict)
    for number, field, value in values:
        by_graph[number][dyads._FIELDS[_FIELDS[field]]] = value
    for number, fields in sorted(by_graph.items()):
        try:
            row = dyads._from_values(fields)
        except ValueError:  # not as kg writes rows (edited by hand): equal to no fresh row, so replaced
            row = _MALFORMED
        if row is not None:
            yield number, row


_MALFORMED = object()


def _remove_gone_rows(db: sqlite3.Connection, writer, changes: _Changes) -> None:
    gone = db.execute("SELECT subject, graph, field, value FROM stored WHERE subject NOT IN (SELECT iri FROM fresh) "
                      "ORDER BY subject")
    for subject, values in itertools.groupby(gone, key=lambda r: r[0]):
        for number, _ in _stored_rows(value[1:] for value in values):
            changes.replace(writer.quads_for_pattern(ox.NamedNode(subject), None, None, _GRAPHS[number]), ())


def _events_naming(statements: list[dyads.CountedStatement], made: list[events.Event]) -> Counter:
    """Actor as stated -> how many of ``made`` (the events of one key) its statements report."""
    of_statement = {statement: event.iri for event in made for statement in event.statements}
    naming: dict[str, set[str]] = defaultdict(set)
    for s in statements:
        event = of_statement.get(s.statement)
        if event is not None:
            for actor in {s.stated_source, s.stated_target}:
                naming[actor].add(event)
    return Counter({actor: len(reported) for actor, reported in naming.items()})


def _update_summaries(db: sqlite3.Connection, writer, changes: _Changes, labels: dict[str, str]) -> None:
    """Writes each actor's neighbour summary (kg.dyads.neighbour_summaries) that is not as stored."""
    lines = db.execute("SELECT actor, direction, type, other, events, mentions FROM neighbour ORDER BY actor")
    for actor, group in itertools.groupby(lines, key=lambda r: r[0]):
        neighbours = sorted((dyads.Neighbour(direction, rtype, other, labels.get(other, other.removeprefix(ACTOR)),
                                             count, mentions)
                             for _, direction, rtype, other, count, mentions in group),
                            key=lambda n: (n.other, n.type, n.direction))
        text = dyads._summary_text(neighbours)
        held = db.execute("SELECT text FROM summary WHERE actor = ?", (actor,)).fetchone()
        db.execute("DELETE FROM summary WHERE actor = ?", (actor,))
        if held is not None and held[0] == text:
            continue
        node = ox.NamedNode(actor)
        if held is not None:
            changes.replace(writer.quads_for_pattern(node, dyads._SUMMARY, None, dyads.TOTALS), ())
        changes.replace((), [ox.Quad(node, dyads._SUMMARY, ox.Literal(text), dyads.TOTALS)])
    for actor, _ in db.execute("SELECT actor, text FROM summary").fetchall():  # actors without neighbours now
        changes.replace(writer.quads_for_pattern(ox.NamedNode(actor), dyads._SUMMARY, None, dyads.TOTALS), ())


def _signed(digest: int) -> int:
    """An unsigned 64-bit digest as SQLite's signed integer."""
    return digest - 2 * _SIGN if digest >= _SIGN else digest


class _Changes:
    """Quads to remove and to add, written in lots: one writer.change per lot, removals first."""

    def __init__(self, writer):
        self.writer = writer
        self.removed: list[ox.Quad] = []
        self.added: list[ox.Quad] = []

    def replace(self, removed: Iterable[ox.Quad], added: Iterable[ox.Quad]) -> None:
        self.removed.extend(removed)
        self.added.extend(added)
        if len(self.removed) + len(self.added) >= _CHANGES:
            self.flush()

    def flush(self) -> None:
        self.writer.change(self.removed, self.added)
        self.removed, self.added = [], []
