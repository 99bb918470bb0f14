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
STAGING = {
    "Organisation": "StagingOrganisation",
    "SourceDocument": "StagingSourceDocument",
    "Contract": "StagingContract",
    "ChangeEvent": "StagingChangeEvent",
}
STAGING_ORG = STAGING[ORG_LABEL]
STAGING_SOURCE = STAGING["SourceDocument"]
# W3C ORG properties used as relationship types (the ontology reuses them)
W3C_ORG_RELS = {"originalOrganization": "ORIGINAL_ORGANIZATION", "resultingOrganization": "RESULTING_ORGANIZATION"}


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
    "CREATE CONSTRAINT contract_iri IF NOT EXISTS FOR (n:Contract) REQUIRE n.iri IS UNIQUE",
    "CREATE CONSTRAINT event_iri IF NOT EXISTS FOR (n:ChangeEvent) REQUIRE n.iri IS UNIQUE",
    "CREATE CONSTRAINT role_code IF NOT EXISTS FOR (n:OdsRole) REQUIRE n.code IS UNIQUE",
    f"CREATE INDEX org_name IF NOT EXISTS FOR (n:{ORG_LABEL}) ON (n.name)",
    "CREATE INDEX contract_year IF NOT EXISTS FOR (n:Contract) ON (n.financialYear)",
    "CREATE INDEX contract_holder IF NOT EXISTS FOR (n:Contract) ON (n.holderCode)",
    *(
        f"CREATE CONSTRAINT {staging.lower()}_iri IF NOT EXISTS FOR (n:{staging}) REQUIRE n.iri IS UNIQUE"
        for staging in STAGING.values()
    ),
    f"CREATE CONSTRAINT staging_org_code IF NOT EXISTS FOR (n:{STAGING_ORG}) REQUIRE n.odsCode IS UNIQUE",
]

# Left over by an interrupted load: removed before the next one starts.
DROP_STAGING = f"""
MATCH (n) WHERE {" OR ".join(f"n:{s}" for s in STAGING.values())}
CALL (n) {{ DETACH DELETE n }} IN TRANSACTIONS OF 10000 ROWS
"""
# The swap, in one transaction: the previous graph goes, the staged one takes its labels.
SWAP = [
    f"MATCH (n) WHERE {' OR '.join(f'n:{live}' for live in STAGING)} DETACH DELETE n",
    *(f"MATCH (n:{staging}) REMOVE n:{staging} SET n:{live}" for live, staging in STAGING.items()),
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


def merge_events(kind: str) -> str:
    original, resulting = W3C_ORG_RELS["originalOrganization"], W3C_ORG_RELS["resultingOrganization"]
    return f"""
UNWIND $rows AS row
MERGE (e:{STAGING["ChangeEvent"]} {{iri: row.iri}})
SET e += row.props, e:{label(kind)}
WITH e, row
CALL (e, row) {{
  MATCH (r:{STAGING_ORG} {{odsCode: row.result}})
  MERGE (e)-[:{resulting}]->(r)
}}
CALL (e, row) {{
  UNWIND row.originals AS code
  MATCH (o:{STAGING_ORG} {{odsCode: code}})
  MERGE (e)-[:{original}]->(o)
}}
"""


def merge_contracts(kind: str | None) -> str:
    """Contracts of one class (GMSContract ...; None: type not stated), with their holder and commissioner."""
    extra = f", c:{label(kind)}" if kind else ""
    return f"""
UNWIND $rows AS row
MERGE (c:{STAGING["Contract"]} {{iri: row.iri}})
SET c += row.props{extra}
WITH c, row
CALL (c, row) {{
  MATCH (h:{STAGING_ORG} {{odsCode: row.props.holderCode}})
  MERGE (c)-[:{rel_type("contractHolder")}]->(h)
}}
CALL (c, row) {{
  MATCH (o:{STAGING_ORG} {{odsCode: row.props.commissionerCode}})
  MERGE (c)-[:{rel_type("commissioner")}]->(o)
}}
"""


# -- reading the whole graph back (export) ---------------------------------------------------------
ALL_SOURCES = "MATCH (s:SourceDocument) RETURN s {.*} AS s ORDER BY s.slug"
ALL_ORGS = f"MATCH (o:{ORG_LABEL}) RETURN o {{.*}} AS o"
ALL_TIES = f"""
MATCH (m:{ORG_LABEL})-[t]->(o:{ORG_LABEL}) WHERE t.kind IS NOT NULL
RETURN m.odsCode AS member, o.odsCode AS organisation, t {{.*}} AS t
"""
ALL_ROLES = f"""
MATCH (o:{ORG_LABEL})-[h:HOLDS_ROLE]->(r:OdsRole) RETURN o.odsCode AS code, r.code AS role, h {{.*}} AS h
"""
ALL_EVENTS = "MATCH (e:ChangeEvent) RETURN e {.*} AS e"
ALL_CONTRACTS = "MATCH (c:Contract) RETURN c {.*} AS c"

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
