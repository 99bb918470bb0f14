"""The 2.0.0 patterns in a built store (the case studies, fictional): memberships are memberships, every other
tie between organisations is a dated relation, and a post holding is a person's membership with a role."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox

from graphkit.core.namespaces import PREFIXES
from graphkit.rdf.emit import RESOLVED
from graphkit.store.base import tie_kinds


def _rows(store: Path, query: str) -> list[dict[str, str]]:
    s = ox.Store.read_only(str(store))
    result = s.query(query, prefixes=PREFIXES)
    names = [v.value for v in result.variables]  # type: ignore[union-attr]
    return [{n: r[n].value for n in names if r[n] is not None} for r in result]  # type: ignore[union-attr]


def test_members_of_an_organisation_are_its_members_only(case_build: tuple[Path, object]) -> None:
    rows = _rows(case_build[0], f"""SELECT ?kind (COUNT(?m) AS ?n) WHERE {{ GRAPH <{RESOLVED}> {{
        ?m a org:Membership, ?kind . FILTER (STRSTARTS(STR(?kind), STR(pcg:))) }} }} GROUP BY ?kind""")
    kinds = {r["kind"].rsplit("#", 1)[-1] for r in rows}
    assert "FederationMembership" in kinds and "PostHolding" in kinds
    assert not kinds & {"CommissionerAssignment", "UnitMembership", "SystemMembership", "DatedRelation"}
    relations = _rows(case_build[0], f"""SELECT DISTINCT ?kind WHERE {{ GRAPH <{RESOLVED}> {{
        ?r a pcg:DatedRelation, ?kind ; pcg:fromOrganisation ?a ; pcg:toOrganisation ?b ; pcg:validDuring ?i .
        FILTER (STRSTARTS(STR(?kind), STR(pcg:)) && ?kind != pcg:DatedRelation) }} }}""")
    assert "UnitMembership" in {r["kind"].rsplit("#", 1)[-1] for r in relations}
    # nothing is both, and no relation uses the membership properties
    assert not _rows(case_build[0], f"""SELECT ?x WHERE {{ GRAPH <{RESOLVED}> {{
        {{ ?x a pcg:DatedRelation, org:Membership }} UNION {{ ?x a pcg:DatedRelation ; org:member ?m }} }} }}""")


def test_a_post_holding_is_the_persons_membership_with_the_posts_organisation_and_role(
        case_build: tuple[Path, object]) -> None:
    rows = _rows(case_build[0], f"""SELECT ?h ?person ?org ?postOrg ?role ?postRole WHERE {{ GRAPH <{RESOLVED}> {{
        ?h a pcg:PostHolding ; pcg:post ?post .
        OPTIONAL {{ ?h org:member ?person }} OPTIONAL {{ ?h org:organization ?org }}
        OPTIONAL {{ ?h org:role ?role }} OPTIONAL {{ ?post org:role ?postRole }}
        ?post org:postIn ?postOrg }} }}""")
    assert len(rows) > 10
    for r in rows:
        assert r["person"].startswith("https://w3id.org/pcgraph/id/person/"), r
        assert r["org"] == r["postOrg"] and r.get("role") == r.get("postRole"), r
    assert "PostHolding" not in tie_kinds()


def _emitted(tie: object) -> set[tuple[str, str, str]]:
    from graphkit.rdf.emit import emit_tie
    from graphkit.rdf.quads import QuadSink

    sink = QuadSink()
    emit_tie(tie, sink)  # type: ignore[arg-type]
    quads = ox.parse("".join(sink.lines), format=ox.RdfFormat.N_QUADS)
    return {(str(q.subject.value), str(q.predicate.value), str(getattr(q.object, "value", q.object))) for q in quads}


def test_a_tie_closed_by_a_newer_file_is_marked_no_later_than_and_a_one_day_interval_is_not_proper() -> None:
    import datetime as dt

    from graphkit.core.model import Source
    from graphkit.ingest.merge import MergedTie, Statement

    old = Source("epcn_2021-03", "ePCN.xlsx", "epcn", dt.date(2021, 3, 31), "0" * 64, "NHS Digital", "OGL-UK-3.0")
    new = Source("epcn_2021-04", "ePCN.xlsx", "epcn", dt.date(2021, 4, 30), "1" * 64, "NHS Digital", "OGL-UK-3.0")
    day = dt.date(2021, 3, 31)
    closed = MergedTie("PCNMembership", "A81001", "U89141", day, day, [Statement(old, 2, observed=day)],
                       dated=False, end_evidence=new)
    triples = _emitted(closed)
    fact = next(s for s, p, o in triples if o == "http://www.w3.org/ns/org#Membership")
    assert (fact, "https://w3id.org/pcgraph/def#endPrecision", "https://w3id.org/pcgraph/def#EndNoLaterThan") in triples
    interval = "https://w3id.org/pcgraph/id/interval/2021-03-31_2021-03-31"
    types = {o for s, p, o in triples if s == interval and p.endswith("#type")}
    assert types == {"http://www.w3.org/2006/time#Interval"}
    # a tie whose end a source states carries no marker, and its interval is proper
    stated = MergedTie("CommissionerAssignment", "A81001", "16C", dt.date(2020, 4, 1), dt.date(2022, 6, 30),
                       [Statement(old, 3, dt.date(2020, 4, 1), dt.date(2022, 6, 30))])
    triples = _emitted(stated)
    assert not [t for t in triples if t[1].endswith("#endPrecision")]
    assert ("https://w3id.org/pcgraph/id/interval/2020-04-01_2022-06-30", "http://www.w3.org/1999/02/22-rdf-syntax-ns#type",
            "http://www.w3.org/2006/time#ProperInterval") in triples
    assert any(p == "https://w3id.org/pcgraph/def#fromOrganisation" for _, p, _ in triples)


def test_every_organisation_has_its_code_as_org_identifier_and_as_ods_or_local(case_build: tuple[Path, object]) -> None:
    rows = _rows(case_build[0], f"""SELECT ?o ?id ?ods ?local ?fictional WHERE {{ GRAPH <{RESOLVED}> {{
        ?o a org:FormalOrganization . OPTIONAL {{ ?o org:identifier ?id }} OPTIONAL {{ ?o pcg:odsCode ?ods }}
        OPTIONAL {{ ?o pcg:localCode ?local }} OPTIONAL {{ ?o pcg:fictional ?fictional }} }} }}""")
    assert len(rows) > 200
    for r in rows:
        assert r["o"].endswith("/" + r["id"]), r
        assert ("ods" in r) != ("local" in r) and r.get("ods", r.get("local")) == r["id"], r
        if r.get("fictional") == "true" or "-" in r["id"]:
            assert "local" in r, r
    assert not [r for r in rows if "ods" in r]  # the case studies are wholly fictional: local codes only
