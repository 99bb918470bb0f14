# mypy: disable-error-code="arg-type,call-overload,operator,union-attr"
"""The shapes (ontology/shapes.ttl) compiled to SPARQL and run inside Oxigraph: :func:`compile_shapes`,
:func:`validate_store`. pySHACL needs many minutes for the national graph; the compiled queries take seconds. Only
the SHACL features the shapes use are compiled (see :mod:`graphkit.ontology.shacl`); anything else raises, so a
new shape cannot be silently skipped.
"""

from __future__ import annotations

import functools
import itertools
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF, RDFS, SH

from graphkit.ontology.shapes import SEVERITY, Result, ontology_graph, result_order, shapes_graph


@dataclass(frozen=True)
class Check:
    shape: str
    constraint: str
    severity: str
    message: str
    path: str | None
    query: str  # SELECT ?this [?value] ... with ?this bound to the shape's focus nodes
    # Several constraints of one property shape checked by one query (one pass over the focus nodes' values):
    # the query also selects ?f0, ?f1, ... , true where the value breaks flags[i]; ``constraint`` names them all
    flags: tuple[str, ...] = ()
    # the focus subquery as it appears in ``narrow`` (once), and whom it targets: :func:`restricted` puts given nodes
    # in its place
    focus: str = ""
    targets: Targets | None = None
    # the same check with the focus nodes bound first and the path looked up from each: what :func:`restricted`
    # narrows to a few nodes. ``query`` may instead start from the path's triples over the whole store (faster
    # there, Oxigraph joining by hash); "" when ``query`` is that form already.
    narrow: str = ""


@dataclass(frozen=True)
class Targets:
    """The focus nodes of a shape: typed one of ``classes`` (every subclass listed), subjects or objects of a
    property, or named. Set only when types are read from rdf:type alone (``infer_from_domains=False``)."""

    classes: frozenset[str] = frozenset()
    subjects_of: frozenset[str] = frozenset()
    objects_of: frozenset[str] = frozenset()
    nodes: frozenset[str] = frozenset()


_fresh = itertools.count()
# Whether type tests also infer types from rdfs:domain/rdfs:range (as pySHACL's RDFS inference does).
# The importers type every node they write, so the national build switches this off: it is the
# expensive part of the queries.
_INFER_FROM_DOMAINS = True


@functools.cache
def _subclasses(cls: str) -> frozenset[str]:
    """cls and all its subclasses in the ontology (transitively)."""
    g = ontology_graph()
    seen = {cls}
    todo = [URIRef(cls)]
    while todo:
        c = todo.pop()
        for sub in g.subjects(RDFS.subClassOf, c):
            if str(sub) not in seen and isinstance(sub, URIRef):
                seen.add(str(sub))
                todo.append(sub)
    return frozenset(seen)


def _is_a(var: str, cls: str) -> str:
    """``var`` is an instance of ``cls`` under RDFS: typed (via subclasses) or by a property's domain or range."""
    n = next(_fresh)
    if not _INFER_FROM_DOMAINS:
        classes = " ".join(f"<{c}>" for c in sorted(_subclasses(cls)))
        return f"{{ VALUES ?_t{n} {{ {classes} }} {var} rdf:type ?_t{n} }}"
    return (
        f"{{ {var} rdf:type/rdfs:subClassOf* <{cls}> }} UNION "
        f"{{ {var} ?_p{n} ?_o{n} . ?_p{n} rdfs:domain/rdfs:subClassOf* <{cls}> }} UNION "
        f"{{ ?_s{n} ?_q{n} {var} . ?_q{n} rdfs:range/rdfs:subClassOf* <{cls}> }}"
    )


def _target_spec(g: Graph, shape: URIRef | BNode) -> Targets | None:
    if _INFER_FROM_DOMAINS:
        return None
    return Targets(
        frozenset().union(*(_subclasses(str(c)) for c in g.objects(shape, SH.targetClass))),
        frozenset(str(p) for p in g.objects(shape, SH.targetSubjectsOf)),
        frozenset(str(p) for p in g.objects(shape, SH.targetObjectsOf)),
        frozenset(str(n) for n in g.objects(shape, SH.targetNode)),
    )


def _targets(g: Graph, shape: URIRef | BNode) -> str:
    parts = []
    for cls in g.objects(shape, SH.targetClass):
        parts.append("{ " + _is_a("?this", str(cls)) + " }")
    for p in g.objects(shape, SH.targetObjectsOf):
        parts.append(f"{{ ?__s <{p}> ?this }}")
    for p in g.objects(shape, SH.targetSubjectsOf):
        parts.append(f"{{ ?this <{p}> ?__o }}")
    for n in g.objects(shape, SH.targetNode):
        parts.append(f"{{ BIND(<{n}> AS ?this) }}")
    if not parts:
        return ""
    return "{ SELECT DISTINCT ?this WHERE { " + " UNION ".join(parts) + " } }"


_SUPPORTED_PROPERTY_KEYS = {
    SH.sparql,
    SH.path,
    SH.name,
    SH.description,
    SH.minCount,
    SH.maxCount,
    SH["class"],
    SH["or"],
    SH.datatype,
    SH.pattern,
    SH.flags,
    SH["in"],
    SH.nodeKind,
    SH.minLength,
    SH.minInclusive,
    SH.disjoint,
    SH.severity,
    SH.message,
    RDFS.comment,
    SH.order,
    SH.group,
}
_SUPPORTED_SHAPE_KEYS = {
    RDF.type,
    SH.targetClass,
    SH.targetObjectsOf,
    SH.targetSubjectsOf,
    SH.targetNode,
    SH.property,
    SH.sparql,
    SH.severity,
    SH.message,
    RDFS.comment,
    RDFS.label,
    SH.name,
    SH.deactivated,
}


def _lit(x: object) -> str:
    if isinstance(x, URIRef):
        return f"<{x}>"
    assert isinstance(x, Literal)
    return x.n3()


_WHERE = re.compile(r"\bWHERE\s*\{", re.IGNORECASE)


def _with_focus(select: str, focus: str) -> str:
    """Bind ?this to the focus nodes first, as pySHACL pre-binds $this."""
    m = _WHERE.search(select)
    if m is None:
        raise NotImplementedError("SPARQL constraint without a WHERE clause")
    return select[: m.end()] + " " + focus + " " + select[m.end() :]


def _prefixes(g: Graph, constraint: URIRef | BNode) -> str:
    lines = []
    for pref_node in g.objects(constraint, SH.prefixes):
        for decl in g.objects(pref_node, SH.declare):
            lines.append(f"PREFIX {g.value(decl, SH.prefix)}: <{g.value(decl, SH.namespace)}>")
    return "\n".join(sorted(set(lines))) + "\n"


def compile_shapes(g: Graph | None = None, *, infer_from_domains: bool = True) -> list[Check]:
    """Compile the shapes to SPARQL checks. ``infer_from_domains=False`` types nodes only by their
    rdf:type (and subclasses): right for data whose every node is typed, and much faster."""
    global _INFER_FROM_DOMAINS
    _INFER_FROM_DOMAINS = infer_from_domains
    try:
        return _compile(g if g is not None else shapes_graph())
    finally:
        _INFER_FROM_DOMAINS = True


def _compile(g: Graph) -> list[Check]:
    checks: list[Check] = []
    for shape in sorted(set(g.subjects(RDF.type, SH.NodeShape)), key=str):
        if (shape, SH.deactivated, Literal(True)) in g:
            continue
        unknown = {p for p in g.predicates(shape, None)} - _SUPPORTED_SHAPE_KEYS
        if unknown:
            raise NotImplementedError(f"shape {shape}: SHACL features not compiled: {sorted(map(str, unknown))}")
        focus = _targets(g, shape)
        if not focus:
            continue
        spec = _target_spec(g, shape)
        default_sev = SEVERITY.get(g.value(shape, SH.severity), "Violation")
        shape_msg = str(g.value(shape, SH.message) or "")
        for ps in g.objects(shape, SH.property):
            checks.extend(_compile_property(g, str(shape), ps, focus, default_sev, shape_msg, spec))
        for sc in g.objects(shape, SH.sparql):
            select = str(g.value(sc, SH.select))
            sev = SEVERITY.get(g.value(sc, SH.severity), default_sev)
            msg = str(g.value(sc, SH.message) or shape_msg)
            query = _prefixes(g, sc) + _with_focus(select.replace("$this", "?this"), focus)
            checks.append(Check(str(shape), "sparql", sev, msg, None, query, focus=focus, targets=spec))
    return checks


def _compile_property(g: Graph, shape: str, ps: Any, focus: str, default_sev: str, shape_msg: str,
                      spec: Targets | None = None) -> list[Check]:
    unknown = {p for p in g.predicates(ps, None)} - _SUPPORTED_PROPERTY_KEYS
    if unknown:
        features = sorted(map(str, unknown))
        raise NotImplementedError(f"property shape of {shape}: SHACL features not compiled: {features}")
    path = g.value(ps, SH.path)
    if not isinstance(path, URIRef):
        raise NotImplementedError(f"property shape of {shape}: only IRI paths are compiled")
    p = f"<{path}>"
    sev = SEVERITY.get(g.value(ps, SH.severity), default_sev)
    msg = str(g.value(ps, SH.message) or shape_msg or g.value(ps, SH.name) or "")
    out = []
    # the value constraints (class, datatype, pattern, ...) are checked in one pass over the path's values, and
    # minCount with maxCount in one count per focus node: a query each, not one per constraint
    values: list[tuple[str, str]] = []

    def value_check(name: str, violated: str) -> None:
        values.append((name, violated))

    mn, mx = g.value(ps, SH.minCount), g.value(ps, SH.maxCount)
    counts: list[tuple[str, str]] = []
    if mn is not None and int(mn) > 0:
        counts.append(("minCount", f"?n < {int(mn)}"))
    if mx is not None:
        counts.append(("maxCount", f"?n > {int(mx)}"))
    if counts:
        minimum = mn is not None and int(mn) > 0
        # the focus nodes without a value count 0 (only minCount can fail for them)
        optional = f"OPTIONAL {{ ?this {p} ?value }}" if minimum else f"?this {p} ?value"
        binds = " ".join(f"BIND({test} AS ?f{i})" for i, (_, test) in enumerate(counts))
        flags = " ".join(f"?f{i}" for i in range(len(counts)))
        any_flag = " || ".join(f"?f{i}" for i in range(len(counts)))
        narrow = (
            f"SELECT ?this {flags} WHERE {{ "
            f"{{ SELECT ?this (COUNT(DISTINCT ?value) AS ?n) WHERE {{ {focus} {optional} }} GROUP BY ?this }} "
            f"{binds} FILTER({any_flag}) }}"
        )
        # over the whole store: the values counted per subject of the path apart, joined to the focus nodes by hash
        # (not looked up from each focus node); a focus node with no value has no count (0), and with minCount 1
        # alone is a focus node with no value at all
        counted = f"{{ SELECT ?this (COUNT(DISTINCT ?value) AS ?n) WHERE {{ ?this {p} ?value }} GROUP BY ?this }}"
        if minimum and len(counts) == 1 and int(mn) == 1:
            q = f"SELECT ?this ?f0 WHERE {{ {focus} MINUS {{ ?this {p} ?value }} BIND(true AS ?f0) }}"
        elif minimum:
            binds = " ".join(f"BIND({test.replace('?n', '?m')} AS ?f{i})" for i, (_, test) in enumerate(counts))
            q = (f"SELECT ?this {flags} WHERE {{ {focus} OPTIONAL {counted} BIND(COALESCE(?n, 0) AS ?m) {binds} "
                 f"FILTER({any_flag}) }}")
        else:
            q = (f"SELECT ?this {flags} WHERE {{ {focus} "
                 f"{{ SELECT ?this {flags} WHERE {{ {counted} {binds} FILTER({any_flag}) }} }} }}")
        names = tuple(name for name, _ in counts)
        out.append(Check(shape, "|".join(names), sev, msg, str(path), q, names, focus, spec, narrow))
    cls = g.value(ps, SH["class"])
    if cls is not None:
        value_check("class", f"NOT EXISTS {{ {_is_a('?value', str(cls))} }}")
    alternatives = g.value(ps, SH["or"])
    if alternatives is not None:
        classes = []
        for alt in Collection(g, alternatives):
            keys = set(g.predicates(alt, None))
            if keys != {SH["class"]}:
                raise NotImplementedError(f"property shape of {shape}: sh:or of anything but sh:class")
            classes.append(str(g.value(alt, SH["class"])))
        if _INFER_FROM_DOMAINS:
            value_check("or", " && ".join(f"NOT EXISTS {{ {_is_a('?value', c)} }}" for c in classes))
        else:  # one lookup against the union of the alternatives' subclasses
            n = next(_fresh)
            union = " ".join(f"<{c}>" for c in sorted(set().union(*(_subclasses(c) for c in classes))))
            value_check("or", f"NOT EXISTS {{ VALUES ?_t{n} {{ {union} }} ?value rdf:type ?_t{n} }}")
    dt = g.value(ps, SH.datatype)
    if dt is not None:
        value_check("datatype", f"!isLiteral(?value) || datatype(?value) != <{dt}>")
    pattern = g.value(ps, SH.pattern)
    if pattern is not None:
        flags = g.value(ps, SH.flags)
        f = f", {Literal(str(flags)).n3()}" if flags is not None else ""
        value_check("pattern", f"isBlank(?value) || !REGEX(STR(?value), {Literal(str(pattern)).n3()}{f})")
    members = g.value(ps, SH["in"])
    if members is not None:
        value_check("in", f"?value NOT IN ({', '.join(_lit(x) for x in Collection(g, members))})")
    kind = g.value(ps, SH.nodeKind)
    if kind is not None:
        if kind != SH.IRI:
            raise NotImplementedError(f"property shape of {shape}: sh:nodeKind {kind}")
        value_check("nodeKind", "!isIRI(?value)")
    ml = g.value(ps, SH.minLength)
    if ml is not None:
        value_check("minLength", f"isBlank(?value) || STRLEN(STR(?value)) < {int(ml)}")
    mi = g.value(ps, SH.minInclusive)
    if mi is not None:
        value_check("minInclusive", f"!(?value >= {_lit(mi)})")
    for sc in g.objects(ps, SH.sparql):
        select = str(g.value(sc, SH.select)).replace("$this", "?this").replace("$PATH", p)
        csev = SEVERITY.get(g.value(sc, SH.severity), sev)
        cmsg = str(g.value(sc, SH.message) or msg)
        out.append(Check(shape, "sparql", csev, cmsg, str(path), _prefixes(g, sc) + _with_focus(select, focus),
                         focus=focus, targets=spec))
    dis = g.value(ps, SH.disjoint)
    if dis is not None:
        value_check("disjoint", f"EXISTS {{ ?this <{dis}> ?value }}")
    if values:
        # an error in a test counts as no violation, as in a FILTER
        binds = " ".join(f"BIND(COALESCE({violated}, false) AS ?f{i})" for i, (_, violated) in enumerate(values))
        flags = " ".join(f"?f{i}" for i in range(len(values)))
        any_flag = " || ".join(f"?f{i}" for i in range(len(values)))
        narrow = (f"SELECT DISTINCT ?this ?value {flags} WHERE {{ {focus} ?this {p} ?value . {binds} "
                  f"FILTER({any_flag}) }}")
        q = narrow
        if dis is None:  # the tests read ?value alone
            # over the whole store: each distinct value of the path tested once, and only the values that fail
            # looked up and joined to the focus nodes (by hash): not every focus node's every value tested
            failing = (f"{{ SELECT ?value {flags} WHERE {{ {{ SELECT DISTINCT ?value WHERE {{ ?_s {p} ?value }} }} "
                       f"{binds} FILTER({any_flag}) }} }}")
            q = (f"SELECT DISTINCT ?this ?value {flags} WHERE {{ {focus} "
                 f"{{ SELECT ?this ?value {flags} WHERE {{ {failing} ?this {p} ?value }} }} }}")
        names = tuple(name for name, _ in values)
        out.insert(0, Check(shape, "|".join(names), sev, msg, str(path), q, names, focus, spec,
                            narrow if q != narrow else ""))
    return out


def _term(t: Any) -> str | None:
    if t is None:
        return None
    return str(t.value)


def _render(message: str, row: dict[str, Any]) -> str:
    out = message
    for k, v in row.items():
        if v is not None:
            text = _readable(str(v.value))
            out = out.replace("{$" + k + "}", text).replace("{?" + k + "}", text)
    return out


def _readable(iri: str) -> str:
    """An organisation IRI as its ODS code, other instance IRIs without the base."""
    from graphkit.core.namespaces import ID

    base = str(ID)
    if iri.startswith(base + "org/"):
        return iri[len(base) + 4 :]
    return iri[len(base) :] if iri.startswith(base) else iri


def restricted(check: Check, nodes: Iterable[str]) -> str:
    """``check``'s query over the given focus nodes (IRIs) only: a VALUES block in the place of the focus subquery
    of its ``narrow`` form (the caller gives only nodes the shape targets: :func:`targeted`)."""
    query = check.narrow or check.query
    if not check.focus or query.count(check.focus) != 1:
        raise ValueError(f"check {check.shape} {check.constraint}: its focus cannot be narrowed")
    values = " ".join(f"<{n}>" for n in sorted(nodes))
    return query.replace(check.focus, f"VALUES ?this {{ {values} }}", 1)


@dataclass
class _Node:
    types: set[str]
    out: set[str]  # predicates the node is the subject of
    into: set[str]  # predicates it is the object of


def _described(store: Any, nodes: Iterable[str], graphs: list[Any], checks: list[Check]) -> dict[str, _Node]:
    """What the checks' targets ask of each node: its rdf:types, and which of the targets' properties it is the
    subject or the object of (one lookup each, stopping at the first quad)."""
    import pyoxigraph as ox

    specs = [c.targets for c in checks if c.targets is not None]
    subjects_of = [ox.NamedNode(p) for p in sorted(set().union(*(t.subjects_of for t in specs)))]
    objects_of = [ox.NamedNode(p) for p in sorted(set().union(*(t.objects_of for t in specs)))]
    rdf_type = ox.NamedNode(str(RDF.type))
    out: dict[str, _Node] = {}
    for iri in nodes:
        node, d = ox.NamedNode(iri), _Node(set(), set(), set())
        for g in graphs:
            d.types.update(q.object.value for q in store.quads_for_pattern(node, rdf_type, None, g)
                           if isinstance(q.object, ox.NamedNode))
            d.out.update(p.value for p in subjects_of
                         if next(iter(store.quads_for_pattern(node, p, None, g)), None) is not None)
            d.into.update(p.value for p in objects_of
                          if next(iter(store.quads_for_pattern(None, p, node, g)), None) is not None)
        out[iri] = d
    return out


def targeted(check: Check, described: dict[str, _Node]) -> list[str]:
    """Which of the described nodes ``check``'s shape targets (by their rdf:type, their properties, or by name)."""
    t = check.targets
    if t is None:
        raise ValueError(f"check {check.shape} {check.constraint}: compiled with types inferred from domains")
    return [iri for iri, d in described.items()
            if iri in t.nodes or d.types & t.classes or d.out & t.subjects_of or d.into & t.objects_of]


def validate_store(
    store: Any,
    *,
    default_graph: Iterable[str] | None = None,
    checks: list[Check] | None = None,
    focus_nodes: Iterable[str] | None = None,
    threads: int = 1,
) -> list[Result]:
    """Run the compiled shapes inside an Oxigraph store (pyoxigraph.Store). The ontology must be
    in the store (in one of the default graphs) for subclass and domain reasoning.

    ``focus_nodes``: check only these nodes (IRIs), e.g. those a load changed; None checks every focus node (needs
    checks compiled with ``infer_from_domains=False``: the nodes' targets are read from their rdf:type).
    ``threads``: checks run at once (Oxigraph evaluates a query without holding the GIL)."""
    import pyoxigraph as ox

    from graphkit.core.namespaces import PREFIXES

    graphs = [ox.NamedNode(g) for g in default_graph] if default_graph is not None else None
    kwargs: dict[str, Any] = {"prefixes": PREFIXES}
    if graphs is not None:
        kwargs["default_graph"] = graphs
    else:
        kwargs["use_default_graph_as_union"] = True
    todo: list[tuple[Check, str]]
    if focus_nodes is None:
        todo = [(c, c.query) for c in (checks if checks is not None else compile_shapes())]
    else:
        checks = checks if checks is not None else compile_shapes(infer_from_domains=False)
        described = _described(store, set(focus_nodes), graphs if graphs is not None else [None], checks)
        todo = [(c, restricted(c, nodes)) for c in checks if (nodes := targeted(c, described))]

    def run(job: tuple[Check, str]) -> tuple[Check, list[dict[str, Any]]]:
        c, query = job
        sol = store.query(query, **kwargs)
        names = [v.value for v in sol.variables]
        return c, [{n: s[n] for n in names} for s in sol]

    if threads > 1 and len(todo) > 1:
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(max_workers=threads) as pool:
            answered = list(pool.map(run, todo))
    else:
        answered = [run(c) for c in todo]
    results: set[Result] = set()
    for c, rows in answered:
        for r in rows:
            value = r.get("value")
            path = r.get("path")
            if c.flags:  # the constraints this row breaks, by the flags the query selected
                broken = [name for i, name in enumerate(c.flags) if r[f"f{i}"].value == "true"]
                message = _render(c.message, {k: v for k, v in r.items() if not (k[:1] == "f" and k[1:].isdigit())})
            else:
                broken, message = [c.constraint], _render(c.message, r)
            for constraint in broken:
                results.add(
                    Result(
                        c.severity,
                        str(r["this"].value),
                        c.path or _term(path),
                        _term(value) if value is not None and not isinstance(value, ox.BlankNode) else None,
                        constraint,
                        c.shape,
                        message,
                    )
                )
    return sorted(results, key=result_order)
