"""All Cypher of the Neo4j store, in one module. Labels and relationship types come from the
ontology vocabulary (class local names in CamelCase; tie and property names in UPPER_SNAKE); every
value is a parameter.

Mapping (docs/neo4j.md of the project gives the reasons):
- an organisation is a node ``:Organisation`` plus one label per ontology class it has had
  (``:GPPractice``, ``:PrimaryCareNetwork``, ``:SubICBLocation`` ...), keyed by ``iri`` and ``odsCode``;
- a resolved tie is a relationship from member to organisation typed by its class
  (``PCN_MEMBERSHIP``, ``COMMISSIONER_ASSIGNMENT``, ``SYSTEM_MEMBERSHIP``, ``REGION_MEMBERSHIP``) with
  ``start``/``end`` (dates, inclusive, null when open), ``derived``, ``endEvidence``, ``sources`` and
  the per-source statements as aligned lists (``stSources``, ``stLines``, ``stStarts``, ``stEnds``,
  ``stObserved``): a relationship holds one period, as a dated tie does, and queries on time are one
  hop with no join;
- a role holding is ``(:Organisation)-[:HOLDS_ROLE {role, start, end, rule, sources}]->(:OdsRole {code})``;
- a source file is a ``:SourceDocument`` node.
"""

from __future__ import annotations

import re

from graphkit.vocab import PCG

ORG_LABEL = "Organisation"
# A load writes a complete new graph under staging labels, then one transaction swaps it in.
STAGING_ORG = "StagingOrganisation"
STAGING_SOURCE = "StagingSourceDocument"


def label(kind: str) -> str:
    """A node label from an ontology class (checked against the closed vocabulary)."""
    return str(PCG[kind]).rsplit("#", 1)[-1]


def rel_type(kind: str) -> str:
    """A relationship type from an ontology class or property: PCNMembership -> PCN_MEMBERSHIP."""
    name = str(PCG[kind]).rsplit("#", 1)[-1]
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", "_", name).upper()


TIE_KINDS = ("PCNMembership", "CommissionerAssignment", "SystemMembership", "RegionMembership")

CONSTRAINTS = [
    f"CREATE CONSTRAINT org_iri IF NOT EXISTS FOR (n:{ORG_LABEL}) REQUIRE n.iri IS UNIQUE",
    f"CREATE CONSTRAINT org_code IF NOT EXISTS FOR (n:{ORG_LABEL}) REQUIRE n.odsCode IS UNIQUE",
    "CREATE CONSTRAINT source_iri IF NOT EXISTS FOR (n:SourceDocument) REQUIRE n.iri IS UNIQUE",
    "CREATE CONSTRAINT role_code IF NOT EXISTS FOR (n:OdsRole) REQUIRE n.code IS UNIQUE",
    f"CREATE INDEX org_name IF NOT EXISTS FOR (n:{ORG_LABEL}) ON (n.name)",
    f"CREATE CONSTRAINT staging_org_iri IF NOT EXISTS FOR (n:{STAGING_ORG}) REQUIRE n.iri IS UNIQUE",
    f"CREATE CONSTRAINT staging_org_code IF NOT EXISTS FOR (n:{STAGING_ORG}) REQUIRE n.odsCode IS UNIQUE",
    f"CREATE CONSTRAINT staging_source_iri IF NOT EXISTS FOR (n:{STAGING_SOURCE}) REQUIRE n.iri IS UNIQUE",
]

# Left over by an interrupted load: removed before the next one starts.
DROP_STAGING = f"""
MATCH (n) WHERE n:{STAGING_ORG} OR n:{STAGING_SOURCE}
CALL (n) {{ DETACH DELETE n }} IN TRANSACTIONS OF 10000 ROWS
"""
# The swap, in one transaction: the previous graph goes, the staged one takes its labels.
SWAP = [
    f"MATCH (n) WHERE n:{ORG_LABEL} OR n:SourceDocument DETACH DELETE n",
    f"MATCH (n:{STAGING_ORG}) REMOVE n:{STAGING_ORG} SET n:{ORG_LABEL}",
    f"MATCH (n:{STAGING_SOURCE}) REMOVE n:{STAGING_SOURCE} SET n:SourceDocument",
    "MATCH (r:OdsRole) WHERE NOT (r)<-[:HOLDS_ROLE]-() DELETE r",
]

MERGE_SOURCES = f"""
UNWIND $rows AS row
MERGE (s:{STAGING_SOURCE} {{iri: row.iri}})
SET s += row.props
"""


def merge_organisations(kind: str) -> str:
    return f"""
UNWIND $rows AS row
MERGE (o:{STAGING_ORG} {{iri: row.iri}})
SET o += row.props, o:{label(kind)}
"""


def merge_ties(kind: str) -> str:
    return f"""
UNWIND $rows AS row
MATCH (m:{STAGING_ORG} {{odsCode: row.member}})
MATCH (o:{STAGING_ORG} {{odsCode: row.organisation}})
MERGE (m)-[t:{rel_type(kind)} {{iri: row.iri}}]->(o)
SET t += row.props
"""


MERGE_ROLES = f"""
UNWIND $rows AS row
MATCH (o:{STAGING_ORG} {{odsCode: row.code}})
MERGE (r:OdsRole {{code: row.role}})
MERGE (o)-[h:HOLDS_ROLE {{iri: row.iri}}]->(r)
SET h += row.props
"""

COUNT_ORGS = f"MATCH (o:{ORG_LABEL}) RETURN count(o) AS n"

ORG_BY_CODE = f"""
MATCH (o:{ORG_LABEL} {{odsCode: $code}})
OPTIONAL MATCH (o)-[h:HOLDS_ROLE]->(r:OdsRole)
RETURN o {{.*}} AS org, collect({{role: r.code, start: h.start, end: h.end}}) AS roles
"""

_HOLDS = "($day IS NULL OR ((t.start IS NULL OR t.start <= $day) AND (t.end IS NULL OR t.end >= $day)))"


def ties(direction: str, kind: str | None) -> str:
    types = rel_type(kind) if kind else "|".join(rel_type(k) for k in TIE_KINDS)
    pattern = (
        f"(a:{ORG_LABEL} {{odsCode: $code}})-[t:{types}]->(b:{ORG_LABEL})"
        if direction == "up"
        else f"(b:{ORG_LABEL})-[t:{types}]->(a:{ORG_LABEL} {{odsCode: $code}})"
    )
    member, organisation = ("a", "b") if direction == "up" else ("b", "a")
    return f"""
MATCH {pattern}
WHERE {_HOLDS}
RETURN t.kind AS kind, {member}.odsCode AS member, {member}.name AS member_name,
       {organisation}.odsCode AS organisation, {organisation}.name AS organisation_name,
       t.start AS start, t.end AS end, t.derived AS derived, t.endEvidence AS end_evidence, t.sources AS sources
"""


ROLES_OF = f"""
MATCH (o:{ORG_LABEL} {{odsCode: $code}})-[h:HOLDS_ROLE]->(r:OdsRole)
RETURN r.code AS role, h.start AS start, h.end AS end
"""

PROJECT = f"""
MATCH (p:{ORG_LABEL}:PrescribingCostCentre)-[t:PCN_MEMBERSHIP|COMMISSIONER_ASSIGNMENT]->(o:{ORG_LABEL})
WHERE {_HOLDS}
RETURN p.odsCode AS practice, p.name AS practice_name, type(t) AS type, o.odsCode AS other, o.name AS other_name,
       t.start AS start
ORDER BY practice, coalesce(toString(t.start), ""), other
"""

SUMMARY_KINDS = f"""
MATCH (o:{ORG_LABEL}) UNWIND o.kinds AS kind RETURN kind, count(*) AS n ORDER BY kind
"""

SOURCES = "MATCH (s:SourceDocument) RETURN s.slug AS slug ORDER BY slug"
