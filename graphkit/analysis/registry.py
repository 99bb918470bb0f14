"""The analysis registry: one entry per analysis, with JSON-ready metadata for the CLI (``graphkit analyse NAME``)
and the API (``GET /analyses``, ``GET /analyses/{name}``).

An entry records its name, a one-line description, its parameters (name, type, default, description, whether
required), the graph it needs (layer, node and edge kinds and attributes) and what it returns. The registered
function takes the projected graph first and the parameters as keywords, and returns JSON-ready data.

>>> [a["name"] for a in list_analyses()]  # doctest: +NORMALIZE_WHITESPACE
['activities', 'boundary-spanners', 'clinical-elites', 'competition', 'conflicts-of-interest', 'contract-chain',
 'footprint', 'governance-profile', 'interdependence', 'membership-churn', 'style']
>>> get("style").params[0].name
'centre'
"""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import networkx as nx

from graphkit.analysis._common import AREA_KINDS, Area, node_kind, to_jsonable
from graphkit.errors import BadParameter, NotFound

#: Parameter types the registry understands. "projection" is a second projection: a date (YYYY-MM-DD) on which the
#: caller (the API, the CLI: :meth:`Analysis.run_for` with ``project``) projects the graph again, e.g. an earlier
#: snapshot for churn; a library caller may pass the projected graph itself. "area" is the code of an area (a
#: commissioner, system or region): the caller (:meth:`Analysis.run_for` with ``area``) resolves it to an
#: :class:`~graphkit.analysis._common.Area`, the organisations below it on the date; a library call resolves it in
#: the graph (:func:`graph_area`).
PARAM_TYPES: frozenset[str] = frozenset({"str", "int", "float", "bool", "date", "projection", "area"})

_TRUE = {"true", "1", "yes", "on"}
_FALSE = {"false", "0", "no", "off"}


class UnknownAnalysis(NotFound, KeyError):
    """No analysis has that name (a :class:`graphkit.errors.NotFound`, and a ``KeyError`` for dict-like use)."""

    def __str__(self) -> str:
        return self.message


@dataclass(frozen=True)
class Param:
    """One parameter of an analysis. Numbers are always finite; ``minimum``/``maximum`` bound them (inclusive, or
    exclusive at the bottom with ``exclusive_minimum``), and both the CLI and the API refuse a value outside."""

    name: str
    type: str
    default: Any = None
    description: str = ""
    required: bool = False
    minimum: float | None = None
    maximum: float | None = None
    exclusive_minimum: bool = False
    #: the values a ``str`` parameter may take (None: any); another value is refused naming them
    choices: tuple[str, ...] | None = None

    def __post_init__(self) -> None:
        if self.type not in PARAM_TYPES:
            raise ValueError(f"parameter {self.name!r}: unknown type {self.type!r}")
        if self.choices is not None and self.type != "str":
            raise ValueError(f"parameter {self.name!r}: only a str parameter has choices")
        if self.default is not None and self.type in ("int", "float"):
            self.check_range(self.default)  # a default outside its own range is a bug

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready description, with the bounds and the allowed values (null where there are none).

        >>> Param("seed", "int", 0, "Louvain seed").to_dict()  # doctest: +NORMALIZE_WHITESPACE
        {'name': 'seed', 'type': 'int', 'default': 0, 'description': 'Louvain seed', 'required': False,
         'minimum': None, 'exclusive_minimum': False, 'maximum': None, 'choices': None}
        """
        return {
            "name": self.name,
            "type": self.type,
            "default": to_jsonable(self.default),
            "description": self.description,
            "required": self.required,
            "minimum": self.minimum,
            "exclusive_minimum": self.exclusive_minimum,
            "maximum": self.maximum,
            "choices": list(self.choices) if self.choices is not None else None,
        }

    def range_text(self) -> str:
        """The allowed range in words, e.g. ``0 < x <= 1``.

        >>> Param("share", "float", minimum=0, maximum=1, exclusive_minimum=True).range_text()
        'share > 0 and share <= 1'
        """
        parts = []
        if self.minimum is not None:
            parts.append(f"{self.name} {'>' if self.exclusive_minimum else '>='} {self.minimum:g}")
        if self.maximum is not None:
            parts.append(f"{self.name} <= {self.maximum:g}")
        return " and ".join(parts) or "any finite number"

    def check_range(self, value: float) -> None:
        """Raise BadParameter for a value that is not finite or lies outside the bounds.

        >>> Param("share", "float", minimum=0, maximum=1, exclusive_minimum=True).check_range(2.0)
        Traceback (most recent call last):
        ...
        graphkit.errors.BadParameter: parameter 'share' (float) must satisfy share > 0 and share <= 1, got 2.0
        """
        low, high = self.minimum, self.maximum
        too_low = low is not None and (value <= low if self.exclusive_minimum else value < low)
        too_high = high is not None and value > high
        if not math.isfinite(value):
            problem = "must be a finite number"
        elif too_low or too_high:
            problem = f"must satisfy {self.range_text()}"
        else:
            return
        raise BadParameter(
            f"parameter {self.name!r} ({self.type}) {problem}, got {value!r}",
            details={"parameter": self.name, "type": self.type, "value": str(value), "allowed": self.range_text()},
        )

    def coerce(self, value: Any) -> Any:
        """Convert a value (possibly text from a command line or query string) to the parameter's type.

        >>> Param("x", "float").coerce("0.25"), Param("b", "bool").coerce("yes"), Param("s", "str").coerce(None)
        (0.25, True, None)
        >>> Param("kind", "str", choices=("federation", "pcn")).coerce("ccg")
        Traceback (most recent call last):
        ...
        graphkit.errors.BadParameter: parameter 'kind' must be one of federation, pcn, got 'ccg'
        """
        if value is None:
            return None
        if self.choices is not None and str(value).strip() not in self.choices:
            raise BadParameter(
                f"parameter {self.name!r} must be one of {', '.join(self.choices)}, got {value!r}",
                details={"parameter": self.name, "type": self.type, "value": str(value),
                         "allowed": list(self.choices)},
            )
        try:
            if self.type == "projection" and isinstance(value, nx.Graph):
                return value  # already projected (a library caller)
            if self.type == "area":
                if isinstance(value, Area):
                    return value  # already resolved (a library caller)
                code = str(value).strip().upper()
                if not code:
                    raise ValueError("an area code is needed")
                return code
            if self.type in ("date", "projection"):
                if isinstance(value, dt.date):
                    return value
                return dt.date.fromisoformat(str(value).strip())
            if self.type == "bool":
                if isinstance(value, bool):
                    return value
                text = str(value).strip().lower()
                if text in _TRUE | _FALSE:
                    return text in _TRUE
                raise ValueError(f"not a boolean: {value!r}")
            if self.type == "int":
                if isinstance(value, float) and not value.is_integer():
                    raise ValueError(f"not an integer: {value!r}")
                number: float = int(value)
            elif self.type == "float":
                number = float(value)
            else:
                return str(value).strip() if self.choices is not None else str(value)
        except (TypeError, ValueError, OverflowError) as exc:
            raise BadParameter(
                f"parameter {self.name!r} ({self.type}): {exc}", details={"parameter": self.name, "type": self.type}
            ) from exc
        self.check_range(number)
        return number


@dataclass(frozen=True)
class Check:
    """A rule between parameters, e.g. ``low <= high``: ``holds`` gets the bound values; ``rule`` says it in words.

    >>> Check(("low", "high"), lambda v: v["low"] <= v["high"], "low must not exceed high").holds({"low": 1, "high": 0})
    False
    """

    params: tuple[str, ...]
    holds: Callable[[Mapping[str, Any]], bool] = field(compare=False)
    rule: str


def at_most(lower: str, upper: str, why: str = "") -> Check:
    """The check ``lower <= upper`` (two parameters of the same analysis)."""
    text = f"{lower} must not exceed {upper}" + (f" ({why})" if why else "")
    return Check((lower, upper), lambda v: v[lower] is None or v[upper] is None or v[lower] <= v[upper], text)


@dataclass(frozen=True)
class Analysis:
    """A registered analysis."""

    name: str
    description: str
    params: tuple[Param, ...]
    graph: Mapping[str, Any]
    returns: str
    func: Callable[..., Any] = field(repr=False, compare=False)
    checks: tuple[Check, ...] = ()
    #: True when the analysis reads change over time: it gets the curated layers on every date (each edge with its
    #: start and end, ``GraphStore.history``) and the date as ``as_of``, not the graph projected on one date.
    temporal: bool = False

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready metadata (everything but the function).

        >>> sorted(get("contract-chain").to_dict())
        ['checks', 'description', 'graph', 'name', 'params', 'returns', 'temporal']
        """
        return {
            "name": self.name,
            "description": self.description,
            "params": [p.to_dict() for p in self.params],
            "checks": [c.rule for c in self.checks],
            "graph": to_jsonable(self.graph),
            "returns": self.returns,
            "temporal": self.temporal,
        }

    def bind(self, values: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """Check and convert parameter values: unknown names and missing required ones raise
        :class:`graphkit.errors.BadParameter`; absent ones take their default.

        >>> get("interdependence").bind({"centre": "ZZF001", "seed": "7"})["seed"]
        7
        >>> get("interdependence").bind({"colour": "red"})
        Traceback (most recent call last):
        ...
        graphkit.errors.BadParameter: analysis 'interdependence' has no parameter 'colour'
        """
        values = dict(values or {})
        known = {p.name: p for p in self.params}
        for name in values:
            if name not in known:
                raise BadParameter(
                    f"analysis {self.name!r} has no parameter {name!r}",
                    details={"analysis": self.name, "parameter": name, "known": sorted(known)},
                )
        bound: dict[str, Any] = {}
        for p in self.params:
            if p.name in values and values[p.name] is not None:
                bound[p.name] = p.coerce(values[p.name])
            elif p.required:
                raise BadParameter(
                    f"analysis {self.name!r} needs parameter {p.name!r}",
                    details={"analysis": self.name, "parameter": p.name},
                )
            else:
                bound[p.name] = p.default
        for check in self.checks:
            if not check.holds(bound):
                raise BadParameter(
                    f"analysis {self.name!r}: {check.rule}, got "
                    + ", ".join(f"{n}={bound[n]!r}" for n in check.params),
                    details={"analysis": self.name, "parameters": list(check.params), "rule": check.rule},
                )
        return bound

    def run(self, graph: nx.Graph, as_of: dt.date | None = None, **values: Any) -> Any:
        """Bind the parameters, run the analysis on ``graph`` and return JSON-ready data. A temporal analysis
        reads the graph on ``as_of`` (today when None); an ``area`` is resolved in the graph (:func:`graph_area`).

        >>> from graphkit.analysis import examples
        >>> get("interdependence").run(examples.star(4), centre="ZZF001")["classification"]
        'unicentric'
        """
        return to_jsonable(self._call(graph, self._projected(graph, self.bind(values), None, None), as_of))

    def _projected(self, graph: nx.Graph, bound: dict[str, Any], project: Callable[[dt.date], nx.Graph] | None,
                   area: Callable[[str], Area] | None) -> dict[str, Any]:
        """The bound values with each ``projection`` parameter given as a date replaced by the graph ``project``
        gives for that date (BadParameter when there is no ``project``: a library call must pass the graph), and each
        ``area`` parameter given as a code replaced by the :class:`Area` ``area`` gives for it (without ``area``:
        :func:`graph_area`, the area as the graph holds it)."""
        for p in self.params:
            value = bound.get(p.name)
            if p.type == "projection" and isinstance(value, dt.date):
                if project is None:
                    raise BadParameter(f"parameter {p.name!r} needs a store to project the graph on {value}: pass "
                                       "the projected graph", details={"parameter": p.name})
                bound[p.name] = project(value)
            elif p.type == "area" and isinstance(value, str):
                bound[p.name] = check_area(area(value) if area is not None else graph_area(graph, value),
                                           p.name)
        return bound

    def _call(self, graph: nx.Graph, bound: Mapping[str, Any], as_of: dt.date | None) -> Any:
        if self.temporal:
            return self.func(graph, as_of=as_of or dt.date.today(), **bound)
        return self.func(graph, **bound)

    def run_for(self, graph: nx.Graph, values: Mapping[str, Any], *, as_of: str,
                require: Callable[[str], None] | None = None,
                project: Callable[[dt.date], nx.Graph] | None = None,
                area: Callable[[str], Area] | None = None) -> Any:
        """:meth:`run` for the API and the command line: a centre, holder or area that is not in the graph (projected
        as of ``as_of``) is NotFound, and parameter values that contradict each other (``tau_low`` above ``tau``) are
        BadParameter, each named, rather than an error from inside the analysis. ``require`` (raising NotFound for a
        code the store does not hold) replaces the graph check for a temporal analysis: an organisation of the store
        with no curated fact on any date gets an empty answer, not a 404. ``project`` projects the graph on the date
        of a ``projection`` parameter (a second snapshot); without it such a parameter is refused. ``area`` gives
        the :class:`Area` of a code on ``as_of`` (``graphkit.store.areas.area_scope``: NotFound for an unknown code)
        for an ``area`` parameter; an area whose kind cannot hold practices is BadParameter."""
        bound = self._projected(graph, self.bind(values), project, area)
        for p in self.params:
            code = bound.get(p.name) if p.name in ("centre", "holder", "area", "contract") else None
            if code is None or isinstance(code, Area):
                continue
            if p.name == "contract":  # a contract is the node contract:{id} of the projection
                if f"contract:{code}" not in graph and code not in graph:
                    raise NotFound(f"no contract {code!r} as of {as_of}", details={"parameter": p.name, "code": code})
                continue
            if self.temporal and require is not None:
                require(code)
            elif code not in graph:
                where = "on any date" if self.temporal else f"as of {as_of}"
                raise NotFound(f"{code!r} is not in the graph {where}", details={"parameter": p.name, "code": code})
        try:
            return to_jsonable(self._call(graph, bound, dt.date.fromisoformat(as_of)))
        except ValueError as exc:
            raise BadParameter(f"analysis {self.name!r}: {exc}", details={"analysis": self.name}) from None


#: How many levels below an area :func:`graph_area` walks (region -> system -> commissioner -> PCN / practice), as
#: ``graphkit.store.areas.MAX_AREA_DEPTH``.
AREA_DEPTH = 4
#: The ties an area holds its organisations by (member -> organisation), as the store's area walk follows them.
AREA_TIES = frozenset({"CommissionerAssignment", "SystemMembership", "RegionMembership", "LocalityMembership",
                       "UnitMembership", "PCNMembership"})


def graph_area(graph: nx.Graph, code: str) -> Area:
    """The area ``code`` as a projected graph holds it, for a library call with no store: the organisations below it
    through its :data:`AREA_TIES` (a projection holds only what holds on its date, so no date is read). NotFound when
    the graph has no node ``code``. The API and the CLI ask the store instead (a projection holds no ICB or region).

    >>> g = nx.MultiDiGraph([("P1", "16C", {"kind": "CommissionerAssignment"})])
    >>> g.nodes["16C"]["kind"] = "SubICBLocation"
    >>> sorted(graph_area(g, "16C").codes)
    ['16C', 'P1']
    """
    if code not in graph:
        raise NotFound(f"area {code!r} is not in the graph", details={"parameter": "area", "code": code})
    seen, frontier = {code}, {code}
    for _ in range(AREA_DEPTH):
        found = {str(u) for org in frontier for u, _, d in graph.in_edges(org, data=True)
                 if d.get("kind") in AREA_TIES} - seen
        if not found:
            break
        seen |= found
        frontier = found
    return Area(code, node_kind(graph, code) or "", graph.nodes[code].get("name"), frozenset(seen))


def check_area(area: Area, parameter: str = "area") -> Area:
    """The area, or BadParameter when its kind on the date is not one that holds practices (:data:`AREA_KINDS`).

    >>> check_area(Area("A81001", "GPPractice", None, frozenset({"A81001"})))  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    graphkit.errors.BadParameter: area 'A81001' is a GPPractice on the date, not an area that holds practices (...)
    """
    if area.kind in AREA_KINDS:
        return area
    allowed = sorted(AREA_KINDS)
    what = f"a {area.kind}" if area.kind else "of no kind (not in existence)"
    raise BadParameter(
        f"area {area.code!r} is {what} on the date, not an area that holds practices (one of {', '.join(allowed)})",
        details={"parameter": parameter, "code": area.code, "kind": area.kind or None, "allowed": allowed},
    )


def area_from(scope: Callable[[str], tuple[str | None, Sequence[str], Collection[str]]]) -> Callable[[str], Area]:
    """The ``area`` callback of :meth:`Analysis.run_for` from a store's answer for a code on the date: its name, its
    kinds then and the organisations below it (``graphkit.store.areas.area_scope``). The area's kind is the one of
    its kinds that holds practices, else its first.

    >>> area_from(lambda code: ("Tees Valley", ("SubICBLocation",), {"16C", "A81001"}))("16C").kind
    'SubICBLocation'
    """

    def resolve(code: str) -> Area:
        name, kinds, codes = scope(code)
        kind = next((k for k in sorted(kinds) if k in AREA_KINDS), kinds[0] if kinds else "")
        return Area(code, kind, name, frozenset(codes) | {code})

    return resolve


REGISTRY: dict[str, Analysis] = {}


def _params(params: Sequence[Param] | Mapping[str, Mapping[str, Any]]) -> tuple[Param, ...]:
    if isinstance(params, Mapping):
        return tuple(Param(name=n, **dict(spec)) for n, spec in params.items())
    return tuple(params)


def register(
    name: str,
    description: str,
    *,
    params: Sequence[Param] | Mapping[str, Mapping[str, Any]] = (),
    graph: Mapping[str, Any] | None = None,
    returns: str = "",
    checks: Sequence[Check] = (),
    temporal: bool = False,
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Decorator: register ``func(graph, **params)`` under ``name``.

    ``params``: :class:`Param` objects, or a mapping name -> {"type", "default", "description", "required"}.
    ``graph``: what the analysis needs from the projection (layer, kinds, attributes); must be JSON-serialisable.
    ``checks``: rules between parameters (:class:`Check`), refused with BadParameter when broken.
    ``temporal``: the analysis reads the curated layers on every date and gets ``as_of`` (:attr:`Analysis.temporal`).
    Registering a name twice raises ``ValueError``.

    >>> @register("demo-count", "Count the nodes.", params={"plus": {"type": "int", "default": 0}})
    ... def _count(graph, plus=0):
    ...     return graph.number_of_nodes() + plus
    >>> get("demo-count").run(nx.path_graph(3), plus="2")
    5
    >>> del REGISTRY["demo-count"]
    """
    spec = _params(params)
    meta = dict(graph or {})
    json.dumps(to_jsonable(meta))  # fail early on metadata the API could not serve
    if "\n" in description.strip():
        raise ValueError("the description must be one line")

    def decorate(func: Callable[..., Any]) -> Callable[..., Any]:
        if name in REGISTRY:
            raise ValueError(f"analysis {name!r} is already registered")
        REGISTRY[name] = Analysis(name, description.strip(), spec, meta, returns, func, tuple(checks), temporal)
        return func

    return decorate


def get(name: str) -> Analysis:
    """The analysis called ``name``; :class:`UnknownAnalysis` (a ``NotFound``) if there is none.

    >>> get("footprint").name
    'footprint'
    >>> get("nope")
    Traceback (most recent call last):
    ...
    graphkit.analysis.registry.UnknownAnalysis: no analysis called 'nope'
    """
    try:
        return REGISTRY[name]
    except KeyError:
        raise UnknownAnalysis(
            f"no analysis called {name!r}", details={"analysis": name, "known": sorted(REGISTRY)}
        ) from None


def list_analyses() -> list[dict[str, Any]]:
    """JSON-ready metadata of every analysis, sorted by name (see :meth:`Analysis.to_dict`).

    >>> import json; len(json.dumps(list_analyses())) > 0
    True
    """
    return [REGISTRY[n].to_dict() for n in sorted(REGISTRY)]


def run(name: str, graph: nx.Graph, **values: Any) -> Any:
    """Shortcut for ``get(name).run(graph, **values)``.

    >>> from graphkit.analysis import examples
    >>> run("style", examples.star(4), centre="ZZF001")["style"]
    'neglectful'
    """
    return get(name).run(graph, **values)


# The built-in analyses register themselves on import (kept last: runners imports this module).
from graphkit.analysis import runners as _runners  # noqa: E402, F401
