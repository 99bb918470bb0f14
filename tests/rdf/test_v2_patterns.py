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
