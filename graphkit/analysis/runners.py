"""The built-in analyses, registered in :mod:`graphkit.analysis.registry`.

Each runner takes the projected graph and keyword parameters (already converted by the registry) and returns
plain data; the registry turns it into JSON-ready values. The ``graph`` metadata tells the projection code what
to put in the graph (see also ``docs/analyses.md``).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable
from typing import Any

import networkx as nx

from graphkit.analysis import (
    activities,
    brokerage,
    churn,
    competition,
    conflicts,
    contracts,
    elites,
    footprint,
    governance,
    interdependence,
    style,
)
from graphkit.analysis._common import (
    FUNCTIONAL_KIND_ORDER,
    POST_KIND,
    Area,
    edge_kind,
    edges,
    members_of,
    node_kind,
    to_jsonable,
)
from graphkit.analysis.registry import Check, Param, at_most, register

_CENTRE = Param("centre", "str", None, "Id (ODS or synthetic code) of the federation or PCN centre node.", True)

# -- the every-centre mode and the area of the analyses of one date ---------------------------------------------------

#: The kinds of centre the every-centre mode lists (``kind``), with their node kind and membership edge kind.
CENTRE_KINDS: dict[str, tuple[str, str]] = {"federation": ("GPFederation", "FederationMembership"),
                                            "pcn": ("PrimaryCareNetwork", "PCNMembership")}
#: Rows of the every-centre mode when no ``limit`` is given (as the API's other paged routes).
PAGE_LIMIT = 100
PAGE_MAX = 10_000

_ONE_CENTRE = Param("centre", "str", None, "Id (ODS or synthetic code) of the federation or PCN centre node. Omit it "
                    "and give kind for every centre of that kind, one row each.")
_KIND = Param("kind", "str", None, "Every centre of this kind, one row each, paged (omit centre): federation "
              "(GPFederation) or pcn (PrimaryCareNetwork); with area, the centres in the area (one of its codes, or "
              "a member practice in it).", choices=tuple(CENTRE_KINDS))
_IN_AREA = Param("area", "area", None, "Only organisations in this area on as_of (optional): the code of a sub-ICB "
                 "location or CCG, an ICB or STP, an NHS England region, or a curated commissioner (ZZF-CCG-STR). "
                 "404 if unknown, 422 if its kind cannot hold practices.")
_LIMIT = Param("limit", "int", None, f"Every-centre mode (kind): most rows to return (default {PAGE_LIMIT}).",
               minimum=1, maximum=PAGE_MAX)
_OFFSET = Param("offset", "int", None, "Every-centre mode (kind): rows to skip, for the next page (default 0).",
                minimum=0)


def _modes(*, blob: bool) -> list[Check]:
    """The rules of the modes: one centre (``centre``), every centre of a kind (``kind``, paged, in ``area``), and
    for an analysis with a whole-graph answer (``blob``) neither (in ``area``)."""
    checks = [
        Check(("centre", "kind"), lambda v: v["centre"] is None or v["kind"] is None,
              "give centre (one centre) or kind (every centre of that kind), not both"),
        Check(("centre", "area", "limit", "offset"),
              lambda v: v["centre"] is None or (v["area"] is None and v["limit"] is None and v["offset"] is None),
              "area, limit and offset go with kind (every centre), not with centre"),
    ]
    if blob:
        checks.append(Check(("kind", "limit", "offset"),
                            lambda v: v["kind"] is not None or (v["limit"] is None and v["offset"] is None),
                            "limit and offset page the rows of kind (every centre)"))
    else:
        checks.append(Check(("centre", "kind"), lambda v: v["centre"] is not None or v["kind"] is not None,
                            "give centre (one centre) or kind (every centre of that kind, one row each)"))
    return checks


def centres_of(graph: nx.Graph, kind: str, area: Area | None = None) -> list[str]:
    """The centres of a kind (``federation`` or ``pcn``) in the graph, in ``area`` when given, by code."""
    wanted = CENTRE_KINDS[kind][0]
    return sorted(str(n) for n in graph if node_kind(graph, n) == wanted
                  and (area is None or area.holds_centre(graph, n)))


def every_centre(graph: nx.Graph, kind: str, area: Area | None, limit: int | None, offset: int | None,
                 row: Callable[[str], dict[str, Any]],
                 prepare: Callable[[list[str]], None] | None = None) -> dict[str, Any]:
    """One row per centre of ``kind`` (in ``area``), the page ``offset``..``offset + limit`` of them by code:
    ``{"kind", "area", "count" (every centre, every page), "limit", "offset", "data"}``. A row is the centre, its
    name, ``undetermined`` false and what ``row`` gives (``verdict``, ``reason`` and the single-centre answer);
    where ``row`` raises ValueError (the analysis cannot be determined for that centre, a 422 for one centre) the
    row says so: ``undetermined`` true, ``verdict`` null and ``reason`` the message. ``prepare`` is called once
    with the page's centres before their rows."""
    centres = centres_of(graph, kind, area)
    size = PAGE_LIMIT if limit is None else limit
    start = offset or 0
    page = centres[start:start + size]
    if prepare is not None:
        prepare(page)
    data = []
    for c in page:
        head = {"centre": c, "name": graph.nodes[c].get("name")}
        try:
            data.append({**head, "undetermined": False, **row(c)})
        except ValueError as exc:
            data.append({**head, "undetermined": True, "verdict": None, "reason": str(exc)})
    return {"kind": kind, "area": area.summary() if area is not None else None, "count": len(centres),
            "limit": size, "offset": start, "data": data}


def in_area(graph: nx.Graph, node: Any, area: Area) -> bool:
    """Whether an organisation of the graph is in the area on the date: one of its codes, a practice assigned to
    it, a centre with a member practice in it, or a unit (a board, a subfederation group) of one of those."""
    if area.holds_practice(graph, node) or area.holds_centre(graph, node):
        return True
    return node in graph and graph.is_directed() and any(
        edge_kind(d) in ("UnitMembership", "SubfederationMembership") and area.holds_centre(graph, v)
        for _, v, d in graph.out_edges(node, data=True))

def _layer(
    layer: str, description: str, node_kinds: list[str], edge_kinds: list[str], node_attributes: list[str],
    edge_attributes: list[str], **extra: str,
) -> dict[str, Any]:
    """The ``graph`` metadata of an analysis: a directed multigraph of ``layer`` and the kinds and attributes it
    reads (``extra``: the parameter that names the centre, or a second graph)."""
    return {
        "layer": layer, "description": description, "directed": True, "multigraph": True,
        "node_kinds": node_kinds, "edge_kinds": edge_kinds, "node_attributes": node_attributes,
        "edge_attributes": edge_attributes, **extra,
    }


_FED_GRAPH = _layer(
    "G_fed", "One meta-organisation as of a date: its centre, member practices and subfederation groups.",
    ["GPFederation", "PrimaryCareNetwork", "GPPractice", "SubfederationGroup"],
    ["FederationMembership", "PCNMembership", "SubfederationMembership", *FUNCTIONAL_KIND_ORDER],
    ["kind", "name"], ["kind", "mutual"], centre_param="centre",
)

#: Bounds of the classification thresholds. LTS, FR and the dependence index are shares, so their cut-offs lie in
#: [0, 1]; a count of local centres and a mean lateral degree cannot be negative.
_THRESHOLD_BOUNDS: dict[str, tuple[float, float | None]] = {
    "pluricentric_min_lts": (0, 1),
    "pluricentric_max_fragmentation": (0, 1),
    "pluricentric_min_local_centres": (0, None),
    "unicentric_max_lts": (0, 1),
    "unicentric_min_fragmentation": (0, 1),
    "low_max_lateral_degree": (0, None),
    "low_max_dependence": (0, 1),
}


def _threshold_params() -> list[Param]:
    out = []
    for f in dataclasses.fields(interdependence.InterdependenceThresholds):
        kind = "int" if f.type in (int, "int") else "float"
        low, high = _THRESHOLD_BOUNDS[f.name]
        out.append(Param(f.name, kind, f.default, f"Classification threshold {f.name} (docs/analyses.md).",
                         minimum=low, maximum=high))
    return out


#: The kinds of a meta-organisation: the centres interdependence and style read (a federation, a PCN, a provider
#: collaborative or joint venture of practices); a node of another kind (a CCG, a practice) is refused.
META_KINDS = frozenset({"GPFederation", "PrimaryCareNetwork", "GPProviderCollaborative", "JointVenture",
                        "SubfederationGroup"})


def _meta_centre(graph: nx.Graph, centre: str) -> None:
    """ValueError (answered 422 by the API) when the centre has a kind that is not a meta-organisation's."""
    kind = node_kind(graph, centre)
    if kind is not None and kind not in META_KINDS:
        raise ValueError(f"{centre!r} is a {kind}, not a meta-organisation (one of {', '.join(sorted(META_KINDS))})")


@register(
    "interdependence",
    "Unicentric vs pluricentric relationships in a federation or PCN (LTS, C_D, FR, ENC, local centres).",
    params=[
        _ONE_CENTRE, _KIND, _IN_AREA, _LIMIT, _OFFSET,
        Param("seed", "int", 0, "Seed of the Louvain run (results repeat for a given seed).",
              minimum=0, maximum=2**32 - 1),
        Param("min_members", "int", 3, "Members a Louvain community needs to count as a local centre.", minimum=1),
        Param("hub_sd", "float", 1.0, "A hub's degree is at least mean + hub_sd standard deviations.",
              minimum=0, maximum=100),
        *_threshold_params(),
    ],
    # the unicentric and pluricentric bands of §3.1 must not overlap, or one network could be both
    checks=[
        at_most("unicentric_max_lts", "pluricentric_min_lts", "the unicentric and pluricentric LTS bands"),
        at_most("pluricentric_max_fragmentation", "unicentric_min_fragmentation",
                "the pluricentric and unicentric FR bands"),
        *_modes(blob=False),
    ],
    graph=_FED_GRAPH,
    returns="InterdependenceResult: the measures, 'classification' and 'reason'. With kind (no centre): {'kind', "
            "'area', 'count', 'limit', 'offset', 'data'}, a row per centre: 'centre', 'name', 'undetermined', "
            "'verdict' (the classification), 'reason', and the centre's InterdependenceResult.",
)
def _interdependence(
    graph: nx.Graph, *, centre: str | None, kind: str | None, area: Area | None, limit: int | None,
    offset: int | None, seed: int, min_members: int, hub_sd: float, **thresholds: Any
) -> Any:
    def one(code: str) -> interdependence.InterdependenceResult:
        _meta_centre(graph, code)
        if not members_of(graph, code):
            # nothing to measure: "low interdependence" of no members would be no finding
            raise ValueError(f"{code!r} has no members on the date: its interdependence is undetermined")
        return interdependence.interdependence(
            graph, code, seed=seed, min_members=min_members, hub_sd=hub_sd,
            thresholds=interdependence.InterdependenceThresholds(**thresholds),
        )

    if centre is not None:
        return one(centre)

    def row(code: str) -> dict[str, Any]:
        r = one(code)
        return {"verdict": r.classification, **to_jsonable(r)}

    assert kind is not None  # the modes' checks
    return every_centre(graph, kind, area, limit, offset, row)


@register(
    "style",
    "Meta-organisation style from control and system proactivity (authoritative/indulgent/neglectful/authoritarian).",
    params=[
        _ONE_CENTRE, _KIND, _IN_AREA, _LIMIT, _OFFSET,
        Param("tau", "float", 0.5, "Threshold between low and high on both scores.", minimum=0, maximum=1),
        Param("tau_low", "float", 0.25, "Proactivity threshold between neglectful and indulgent (<= tau).",
              minimum=0, maximum=1),
        Param("unmonitored_weight", "float", 0.5, "Directive coverage credit of a member with unmonitored rules.",
              minimum=0, maximum=1),
        Param("previous_as_of", "projection", None, "An earlier date (YYYY-MM-DD, optional): the graph is projected "
              "on it too, and each centre's style then is given with whether it changed ('previous')."),
    ],
    checks=[at_most("tau_low", "tau"), *_modes(blob=False)],
    graph=_layer(
        "G_fed + B + external ties",
        "The meta-organisation with its directives, board members' posts and external ties.",
        ["GPFederation", "PrimaryCareNetwork", "GPPractice", "FederationBoard", "Person", "STPBoard"],
        ["FederationMembership", "PCNMembership", "DirectsTie", "PostHolding", "CoProduces", "Initiates"],
        ["kind", "scale_level", "central_functions", "monitoring", "governance_team", "exit_cost"],
        ["kind", "monitored", "sanction", "requirement", "role", "formal_seat", "initiated_by_centre", "horizon"],
        centre_param="centre", second_graph_param="previous_as_of",
    ),
    returns="StyleResult: ctrl, pro, style, their sub-indicators and the evidence. With kind (no centre): {'kind', "
            "'area', 'count', 'limit', 'offset', 'data'}, a row per centre: 'centre', 'name', 'undetermined', "
            "'verdict' (the style), 'reason' (the rule that decided it), and the centre's StyleResult. With "
            "previous_as_of, each answer has 'previous': the style, CTRL and PRO then, and 'change' ('unchanged' or "
            "'before -> after'), or the reason there is none.",
)
def _style(
    graph: nx.Graph, *, centre: str | None, kind: str | None, area: Area | None, limit: int | None,
    offset: int | None, tau: float, tau_low: float, unmonitored_weight: float, previous_as_of: nx.Graph | None
) -> Any:
    thresholds = style.StyleThresholds(tau=tau, tau_low=tau_low)

    def on(g: nx.Graph, code: str) -> style.StyleResult:
        _meta_centre(g, code)
        if not members_of(g, code) and not style.board_members(g, code)[0]:
            # nothing to score: a style of no members and no board is no finding (not "neglectful")
            raise ValueError(f"{code!r} has no members and no board on the date: its style is undetermined")
        return style.style(g, code, thresholds=thresholds, unmonitored_weight=unmonitored_weight)

    def then(code: str, now: style.StyleResult) -> dict[str, Any]:
        """The centre's style on the earlier date and whether it changed, or why there is none to compare."""
        assert previous_as_of is not None
        try:
            before = on(previous_as_of, code)
        except (KeyError, ValueError) as e:  # not in the graph then, not a meta-organisation then, or nothing to score
            reason = str(e.args[0]) if e.args else str(e)
            return {"style": None, "ctrl": None, "pro": None, "rule": None, "change": None,
                    "reason": f"no style on the earlier date: {reason}"}
        change = "unchanged" if before.style == now.style else f"{before.style} -> {now.style}"
        return {"style": before.style, "ctrl": before.ctrl, "pro": before.pro, "rule": before.reasons.get("rule"),
                "change": change, "reason": f"{change}: CTRL {before.ctrl:.3f} -> {now.ctrl:.3f}, "
                                            f"PRO {before.pro:.3f} -> {now.pro:.3f}"}

    def one(code: str) -> Any:
        r = on(graph, code)
        return r if previous_as_of is None else {**to_jsonable(r), "previous": then(code, r)}

    if centre is not None:
        return one(centre)

    def row(code: str) -> dict[str, Any]:
        r = on(graph, code)
        extra = {} if previous_as_of is None else {"previous": then(code, r)}
        return {"verdict": r.style, "reason": r.reasons.get("rule"), **to_jsonable(r), **extra}

    assert kind is not None  # the modes' checks
    return every_centre(graph, kind, area, limit, offset, row)


def _flows(graph: nx.Graph, kinds: str) -> nx.DiGraph | None:
    wanted = {k.strip() for k in kinds.split(",") if k.strip()}
    D = nx.DiGraph()
    for u, v, data in edges(graph):
        kind = edge_kind(data)
        if kind == POST_KIND or (wanted and kind not in wanted):
            continue
        D.add_edge(u, v)
        if not graph.is_directed() or data.get("mutual"):
            D.add_edge(v, u)
    for n in D.nodes:
        D.nodes[n].update(graph.nodes[n])
    return D if D.number_of_edges() else None


@register(
    "boundary-spanners",
    "Rank people and organisations as boundary spanners (betweenness, affiliation diversity, brokerage).",
    params=[
        Param("top_fraction", "float", 0.1, "Share of highest-betweenness nodes that meet the betweenness test.",
              minimum=0, maximum=1, exclusive_minimum=True),
        Param("min_types", "int", 3, "Kinds of organisation that make a spanner on their own.", minimum=1),
        Param("group_attr", "str", "group", "Node attribute giving Gould-Fernandez groups on the flow ties."),
        Param("flow_kinds", "str", "", "Comma-separated edge kinds used as directed flow ties (empty: all but posts)."),
        dataclasses.replace(_IN_AREA, description=_IN_AREA.description + " The ranking is of the whole graph (a "
                            "spanner spans out of the area too); the rows kept are the area's organisations and the "
                            "people with a post in one of them."),
    ],
    graph=_layer(
        "B (+ G_org)", "People and organisations with PostHolding edges; other edges are directed flow ties.",
        ["Person", "any organisation kind"], ["PostHolding", "any directed tie (flows)"],
        ["kind", "name", "scale_level", "bipartite", "group"], ["kind", "role", "mutual"],
    ),
    returns="BoundarySpanners: 'people' and 'organisations', each a ranked list with the evidence; with area, "
            "'area' (code, kind, name) too.",
)
def _boundary_spanners(
    graph: nx.Graph, *, top_fraction: float, min_types: int, group_attr: str, flow_kinds: str, area: Area | None
) -> Any:
    flows = _flows(graph, flow_kinds)
    ranking = brokerage.boundary_spanners(
        graph, flows=flows, group_attr=group_attr, top_fraction=top_fraction, min_types=min_types
    )
    if area is None:
        return ranking
    orgs = [r for r in ranking.organisations if in_area(graph, r.node, area)]
    kept = {r.node for r in orgs}
    people = [r for r in ranking.people if any(
        edge_kind(d) == POST_KIND and (v in kept or in_area(graph, v, area))
        for _, v, d in graph.out_edges(r.node, data=True))]
    return {"area": area.summary(), "people": people, "organisations": orgs}


def _practice_space(graph: nx.Graph) -> nx.Graph:
    space = nx.Graph()
    for u, v, data in edges(graph):
        if edge_kind(data) == competition.ADJACENT_KIND and node_kind(graph, u) == node_kind(graph, v) == "GPPractice":
            space.add_edge(str(u), str(v))
    return space


def _membership_params(kind: str, kind_help: str, area_help: str, weighted_help: str) -> list[Param]:
    """The parameters of the analyses that read memberships and practice areas: which membership kind, which area
    attribute, and whether practices weigh by their list size."""
    return [
        Param("membership_kind", "str", kind, kind_help),
        Param("area_attr", "str", "area", area_help),
        Param("weighted", "bool", False, weighted_help),
    ]


def _memberships(
    graph: nx.Graph, membership_kind: str, area_attr: str, weighted: bool
) -> tuple[dict[str, set[str]], dict[str, str], dict[str, int], dict[str, float] | None]:
    """Members per organisation, area per practice, list sizes, and the weights (list sizes, or None unweighted)."""
    members, area_of, sizes = footprint.inputs_from_graph(
        graph, membership_kinds={membership_kind}, area_attr=area_attr
    )
    if not any(area_attr in d for _, d in graph.nodes(data=True)) and any(
            node_kind(graph, n) == footprint.PRACTICE_KIND for n in graph):
        raise ValueError(f"area_attr {area_attr!r}: no practice of the graph carries it (the projection gives "
                         "'area', the sub-ICB location or CCG)")
    return members, area_of, sizes, {k: float(v) for k, v in sizes.items()} if weighted else None


def _area_practices(graph: nx.Graph, area: Area, area_of: dict[str, str]) -> list[str]:
    """The GP practices of the area on the date (a practice with an area, one of the area's codes or assigned to
    one)."""
    return sorted(p for p in area_of if area.holds_practice(graph, p))


def _area_summary(graph: nx.Graph, area: Area, area_of: dict[str, str], members: dict[str, set[str]]
                  ) -> dict[str, Any]:
    """The area with its GP practices on the date: how many, the organisations each practice is in (``membership``,
    every practice of the area, an empty list for one in none) and those in none."""
    practices = _area_practices(graph, area, area_of)
    of: dict[str, list[str]] = {p: [] for p in practices}
    for organisation, held in members.items():
        for p in held:
            if p in of:
                of[p].append(organisation)
    outside = [p for p in practices if not of[p]]
    return {**area.summary(), "practices": len(practices), "in_an_organisation": len(practices) - len(outside),
            "outside": outside, "membership": {p: sorted(o) for p, o in of.items()}}


def _membership_kind_of(graph: nx.Graph, centre: str, membership_kind: str | None) -> str:
    """The membership edge kind of a centre's footprint: a PCN's PCNMembership, a federation's FederationMembership
    (ValueError for another kind of node, or a ``membership_kind`` that says otherwise)."""
    kind = node_kind(graph, centre)
    wanted = next((m for node, m in CENTRE_KINDS.values() if node == kind), None)
    if wanted is None:
        raise ValueError(f"{centre!r} is a {kind}, not a PCN or a federation: it has no footprint")
    if membership_kind is not None and membership_kind != wanted:
        raise ValueError(f"{centre!r} is a {kind}: its members are read by {wanted}, not {membership_kind}")
    return wanted


@register(
    "footprint",
    "Coterminosity of PCNs or federations with sub-ICB/CCG areas, boundary crossing and PCN population bands.",
    params=[
        _ONE_CENTRE, _KIND,
        dataclasses.replace(_IN_AREA, description=_IN_AREA.description + " Without kind: the PCNs or federations "
                            "with a member practice in the area, and 'area' with its GP practices (how many, in an "
                            "organisation, outside); every share is still of whole areas."),
        _LIMIT, _OFFSET,
        Param("membership_kind", "str", None, "Membership edge kind: PCNMembership (the default without centre or "
              "kind) or FederationMembership; with centre or kind it follows the centre's kind.",
              choices=("PCNMembership", "FederationMembership")),
        Param("area_attr", "str", "area", "Practice attribute holding the area code (sub-ICB location or CCG)."),
        Param("weighted", "bool", False, "Weight shares by practice list size instead of counting practices."),
        Param("threshold", "float", 0.9, "Coverage and containment needed to call a footprint coterminous.",
              minimum=0, maximum=1),
        Param("low", "int", footprint.PCN_LOW, "Lower bound of the population guidance.", minimum=0),
        Param("high", "int", footprint.PCN_HIGH, "Upper bound of the population guidance.", minimum=0),
    ],
    checks=[
        at_most("low", "high"), *_modes(blob=True),
        Check(("kind", "membership_kind"),
              lambda v: v["kind"] is None or v["membership_kind"] in (None, CENTRE_KINDS[v["kind"]][1]),
              "membership_kind must be that of kind (pcn: PCNMembership, federation: FederationMembership)"),
    ],
    graph=_layer(
        "G_org", "Practices with area and list size, and their memberships of PCNs or federations.",
        ["GPPractice", "PrimaryCareNetwork", "GPFederation"],
        ["PCNMembership", "FederationMembership", "AdjacentTo (optional, practice-practice)"],
        ["kind", "area", "list_size"], ["kind"],
    ),
    returns="{'footprints', 'multi_area', 'population', 'contiguity'} keyed by organisation (with area: and "
            "'area'). With centre: that organisation's row; with kind: {'kind', 'area', 'count', 'limit', 'offset', "
            "'data'}, a row per centre: 'centre', 'name', 'undetermined', 'verdict' (coterminous or not), 'reason', "
            "its footprint, 'population' and 'contiguity'.",
)
def _footprint(
    graph: nx.Graph, *, centre: str | None, kind: str | None, area: Area | None, limit: int | None,
    offset: int | None, membership_kind: str | None, area_attr: str, weighted: bool, threshold: float, low: int,
    high: int,
) -> Any:
    if centre is not None:
        membership_kind = _membership_kind_of(graph, centre, membership_kind)
    elif kind is not None:
        membership_kind = CENTRE_KINDS[kind][1]
    members, area_of, sizes, weight = _memberships(graph, membership_kind or "PCNMembership", area_attr, weighted)
    space = _practice_space(graph)
    if centre is None and kind is None:
        if area is not None:
            members = {o: ms for o, ms in members.items() if area.holds_centre(graph, o)}
        out = {
            "footprints": footprint.footprints(members, area_of, weight=weight, threshold=threshold),
            "multi_area": footprint.multi_area_organisations(members, area_of),
            "population": footprint.population_bands(members, sizes, low=low, high=high),
            "contiguity": {o: footprint.contiguity(m, space) for o, m in sorted(members.items())}
            if space.number_of_edges()
            else {},
        }
        if area is not None:
            out["area"] = _area_summary(graph, area, area_of, members)
        return out
    found: dict[str, footprint.Footprint] = {}

    def prepare(page: list[str]) -> None:
        found.update(footprint.footprints({c: members.get(c, set()) for c in page}, area_of, weight=weight,
                                          threshold=threshold))

    def row(code: str) -> dict[str, Any]:
        f = found[code]
        if f.modal_area is None:
            raise ValueError(f"{code!r} has no member practice with {area_attr!r} on the date: its footprint is "
                             "undetermined")
        located = f.n_members - len(f.members_without_area)
        reason = (f"coverage {f.coverage:.3g} (its members are that share of {f.modal_area}'s practices) and "
                  f"containment {f.containment:.3g} ({f.areas[f.modal_area]} of its {located} placed members are in "
                  f"{f.modal_area}, its modal area); coterminous needs both >= {threshold}")
        band = footprint.population_bands({code: members.get(code, set())}, sizes, low=low, high=high)[code]
        return {"verdict": "coterminous" if f.coterminous else "not coterminous", "reason": reason,
                **to_jsonable(f), "population": band,
                "contiguity": footprint.contiguity(members.get(code, set()), space) if space.number_of_edges()
                else None}

    if centre is not None:
        prepare([centre])
        return {"centre": centre, "name": graph.nodes[centre].get("name"), "undetermined": False, **row(centre)}
    assert kind is not None
    return every_centre(graph, kind, area, limit, offset, row, prepare)


@register(
    "competition",
    "Competition for members: choice sets, contestability, membership HHI per area and churn between snapshots.",
    params=[
        *_membership_params(
            "FederationMembership", "Membership edge kind.", "Practice attribute holding the area code.",
            "Weight HHI shares by practice list size.",
        ),
        Param("previous_as_of", "projection", None, "An earlier date (YYYY-MM-DD, optional): the graph is projected "
              "on it too, and the churn of memberships from then to as_of is given."),
        dataclasses.replace(_IN_AREA, description=_IN_AREA.description + " Choice sets and churn of the area's "
                            "practices, contestability of the federations with a member practice in it (of all their "
                            "members), concentration of its commissioners; 'area' gives its GP practices."),
    ],
    graph=_layer(
        "G_org", "Practices with area (and list size), their federation memberships, optional area adjacency.",
        ["GPPractice", "GPFederation", "SubICBLocation", "ClinicalCommissioningGroup"],
        ["FederationMembership", "AdjacentTo (optional, area-area)"], ["kind", "area", "list_size"], ["kind"],
        second_graph_param="previous_as_of",
    ),
    returns="{'choice_sets', 'choice_set_sizes', 'contestability', 'concentration', 'churn' (or null)}; with area, "
            "'area' too.",
)
def _competition(
    graph: nx.Graph, *, membership_kind: str, area_attr: str, weighted: bool, previous_as_of: nx.Graph | None,
    area: Area | None,
) -> dict[str, Any]:
    members, area_of, _, weight = _memberships(graph, membership_kind, area_attr, weighted)
    practices = {str(n) for n in graph.nodes if node_kind(graph, n) == "GPPractice"} | set(area_of)
    choice = competition.choice_sets(
        members, area_of, adjacency=competition.area_adjacency_from_graph(graph), practices=practices
    )
    contest = competition.contestability(members, choice)
    hhi = competition.membership_hhi(members, area_of, weight=weight)
    churn = None
    if previous_as_of is not None:  # the graph projected on that date (registry type "projection")
        before, _, _ = footprint.inputs_from_graph(previous_as_of, membership_kinds={membership_kind},
                                                   area_attr=area_attr)
        after = members
        if area is not None:  # the area's practices on either date
            def local(ms: dict[str, set[str]], g: nx.Graph) -> dict[str, set[str]]:
                kept = {o: {m for m in m_s if area.holds_practice(graph, m) or area.holds_practice(g, m)}
                        for o, m_s in ms.items()}
                return {o: m_s for o, m_s in kept.items() if m_s}  # organisations with a practice of the area
            before, after = local(before, previous_as_of), local(members, graph)
        churn = competition.membership_churn(before, after)
    out: dict[str, Any] = {}
    if area is not None:
        local_practices = set(_area_practices(graph, area, area_of))
        choice = {p: c for p, c in choice.items() if p in local_practices}
        contest = {f: c for f, c in contest.items() if area.holds_centre(graph, f)}
        hhi = {a: h for a, h in hhi.items() if a in area.codes}
        out["area"] = {**area.summary(), "practices": len(local_practices)}
    return {
        "choice_sets": choice,
        "choice_set_sizes": {p: len(c) for p, c in choice.items()},
        "contestability": contest,
        "concentration": hhi,
        "churn": churn,
        **out,
    }


@register(
    "contract-chain",
    "Who holds a contract and who delivers under it, transitively (subcontracts of subcontracts).",
    params=[
        Param("contract", "str", None, "Only chains under this contract id (optional)."),
        Param("holder", "str", None, "Only chains starting at this organisation (optional)."),
        dataclasses.replace(_IN_AREA, description=_IN_AREA.description + " Chains with an organisation in the area "
                            "(the holder or a deliverer)."),
    ],
    graph=_layer(
        "G_org + contracts", "Organisations and contracts with holding, delivery and parent-contract edges.",
        ["Contract", "Subcontract", "*Contract", "any organisation kind"],
        ["ContractHolder", "DeliversUnder", "DeliveredBy", "ParentContract"], ["kind"], ["kind", "contract"],
    ),
    returns="A list of chains: {'contract', 'holder', 'path', 'contracts'}.",
)
def _contract_chain(graph: nx.Graph, *, contract: str | None, holder: str | None,
                    area: Area | None) -> list[contracts.ContractChain]:
    chains = contracts.contract_chains(graph, contract=contract, holder=holder)
    if area is None:
        return chains
    return [c for c in chains if any(in_area(graph, n, area) for n in c.path)]


# -- the analyses of change over time (temporal: they read GraphStore.history and get as_of) -------------------------

_AREA = Param("area", "str", None, "Only this area (optional): an organisation code; the area, its units and its "
              "members one level down at a time (a CCG's practices, an STP's CCGs and their practices).")
_SINCE = Param("since", "date", None, "First day of the period (YYYY-MM-DD, optional: from the start of the data).")
_UNTIL = Param("until", "date", None, "Last day of the period (YYYY-MM-DD, optional: as_of).")
_PERIOD = [at_most("since", "until", "a period runs forward")]


def _history_layer(description: str, node_kinds: list[str], edge_kinds: list[str], edge_attributes: list[str],
                   **extra: str) -> dict[str, Any]:
    return _layer("history", description, node_kinds, edge_kinds, ["kind", "name", "scale_level"],
                  ["kind", "start", "end", *edge_attributes], **extra)


@register(
    "governance-profile",
    "Hood's governance profile (oversight, competition, mutuality, contrived randomness) per dyad and overseer, "
    "with hybrids (comptrol) and the flow hierarchy.",
    params=[
        _AREA,
        Param("theta", "float", governance.THETA, "A mode counts toward a hybrid at this share or above (θ, "
              "domain-model §3.4: the equal share of four modes).", minimum=0, maximum=1),
        Param("elite_share", "float", governance.ELITE_SHARE, "Clinical-elite share of the oversight's carriers "
              "that makes restratified oversight (a majority).", minimum=0, maximum=1),
    ],
    graph=_history_layer(
        "Governance and directive ties with their Hood mode, posts of the overseers' people.",
        ["any organisation kind", "Person"], ["DirectsTie", "GovernanceTie", "PostHolding", "UnitMembership"],
        ["hood_mode", "selection_basis", "role"],
    ),
    returns="GovernanceResult: per dyad and overseer the counts, h = (O, K, M, R), hybrids and reasons; the flow "
            "hierarchy, reciprocity, peer shares and random inspection share.",
    temporal=True,
)
def _governance(graph: nx.Graph, *, as_of: dt.date, area: str | None, theta: float,
                elite_share: float) -> governance.GovernanceResult:
    return governance.governance_profile(graph, as_of, area=area, theta=theta, elite_share=elite_share)


@register(
    "clinical-elites",
    "Clinical elites: elite share of governance seats, concentration of governance posts, strata spanned and the "
    "restratification index since a date.",
    params=[_AREA, Param("since", "date", None, "Earlier date for the restratification index (optional).")],
    graph=_history_layer("People's posts with their dates, organisations and their units.",
                         ["any organisation kind", "Person"], ["PostHolding", "UnitMembership"], ["role"]),
    returns="EliteResult: people with their clinical and governance posts and verdict, seats, Gini, top-decile "
            "share, strata spanned, restratification.",
    temporal=True,
)
def _elites(graph: nx.Graph, *, as_of: dt.date, area: str | None, since: dt.date | None) -> elites.EliteResult:
    if since is not None and since > as_of:
        raise ValueError(f"since ({since}) must not be after as_of ({as_of})")
    return elites.clinical_elites(graph, as_of, area=area, since=since)


@register(
    "conflicts-of-interest",
    "People on a commissioner and on a provider it contracts with, at once: the paths with the contract, posts, "
    "dates and sources; and the interlocks.",
    params=[
        _AREA, _SINCE, _UNTIL,
        Param("include_core", "bool", False, "Count core GMS/PMS contracts of practices too."),
        Param("include_undated", "bool", True, "Keep paths that rely on a fact with no start date (marked)."),
    ],
    checks=_PERIOD,
    graph=_history_layer(
        "Posts, units, contracts with their commissioner, holders, joint ventures and deliveries.",
        ["any organisation kind", "Person", "*Contract"],
        ["PostHolding", "UnitMembership", "ContractHolder", "DeliveredBy", "CollaborationMembership"],
        ["role", "commissioning", "represents"],
    ),
    returns="ConflictResult: 'paths' (each with person, commissioner, provider, contract, link, window, undated "
            "facts, reason), 'interlocks', 'declared_separate', 'counts'.",
    temporal=True,
)
def _conflicts(graph: nx.Graph, *, as_of: dt.date, area: str | None, since: dt.date | None,
               until: dt.date | None, include_core: bool, include_undated: bool) -> conflicts.ConflictResult:
    return conflicts.conflicts_of_interest(graph, as_of, area=area, since=since, until=until,
                                           include_core=include_core, include_undated=include_undated)


@register(
    "activities",
    "What a federation's centre does: directing (with compliance), engineering (ΔLTS), co-producing (reach).",
    params=[
        _CENTRE, _SINCE, _UNTIL,
        Param("months", "int", 12, "Months after an engineering activity at which its effect is read.",
              minimum=1, maximum=120),
    ],
    checks=_PERIOD,
    graph=_history_layer(
        "The centre's directive, facilitation and engagement ties; its members and their functional ties.",
        ["GPFederation", "PrimaryCareNetwork", "GPPractice", "SubfederationGroup", "any partner kind"],
        ["DirectsTie", "FacilitationTie", "PartnershipTie", "EngagementTie", "RepresentationTie", "LearningTie",
         "FederationMembership", "SubfederationMembership", "BidTie", *FUNCTIONAL_KIND_ORDER],
        ["requirement", "mechanism", "compliance", "monitored", "sanction", "outcome"], centre_param="centre",
    ),
    returns="ActivityResult: the activities with their targets and measures, the mix, directing compliance, "
            "co-production footprint and reach, challenge capacity.",
    temporal=True,
)
def _activities(graph: nx.Graph, *, as_of: dt.date, centre: str, since: dt.date | None, until: dt.date | None,
                months: int) -> activities.ActivityResult:
    return activities.activities(graph, as_of, centre=centre, since=since, until=until, months=months)


@register(
    "membership-churn",
    "Competition over time: joins, leaves and switches between federations, approaches and their conversion, "
    "contestability, and bid rivalry per tender lot.",
    params=[
        _AREA, _SINCE, _UNTIL,
        Param("switch_days", "int", churn.SWITCH_DAYS, "A leave and a join at most this many days apart are one "
              "switch (memberships are often dated only to the year).", minimum=0, maximum=3650),
    ],
    checks=_PERIOD,
    graph=_history_layer(
        "Federation memberships with dates, commissioner assignments, approach and bid ties.",
        ["GPPractice", "GPFederation", "ClinicalCommissioningGroup", "SubICBLocation"],
        ["FederationMembership", "CommissionerAssignment", "ApproachTie", "BidTie"], ["outcome", "lot"],
    ),
    returns="ChurnResult: joins, leaves, switches, per-federation counts, approaches and conversion rate, "
            "contestability, concentration, tenders with their bidders.",
    temporal=True,
)
def _churn(graph: nx.Graph, *, as_of: dt.date, area: str | None, since: dt.date | None, until: dt.date | None,
           switch_days: int) -> churn.ChurnResult:
    return churn.membership_churn(graph, as_of, area=area, since=since, until=until, switch_days=switch_days)
