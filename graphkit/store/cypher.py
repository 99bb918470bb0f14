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

from graphkit.ontology.vocab import PCG

ORG_LABEL = "Organisation"
# A load writes a complete new graph under staging labels, then one transaction swaps it in.
STAGING = {
    "Organisation": "StagingOrganisation",
    "SourceDocument": "StagingSourceDocument",
    "Contract": "StagingContract",
    "ChangeEvent": "StagingChangeEvent",
    "Person": "StagingPerson",
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
    "CREATE CONSTRAINT person_iri IF NOT EXISTS FOR (n:Person) REQUIRE n.iri IS UNIQUE",
    "CREATE CONSTRAINT person_id IF NOT EXISTS FOR (n:Person) REQUIRE n.personId IS UNIQUE",
    f"CREATE INDEX org_name IF NOT EXISTS FOR (n:{ORG_LABEL}) ON (n.name)",
    "CREATE INDEX contract_year IF NOT EXISTS FOR (n:Contract) ON (n.financialYear)",
    "CREATE INDEX contract_holder IF NOT EXISTS FOR (n:Contract) ON (n.holderCode)",
]
# Constraints that versions before the CREATE load put on the staging labels: dropped when found (upkeep for nothing)
STAGING_CONSTRAINTS = [*(f"{staging.lower()}_iri" for staging in STAGING.values()), "staging_org_code"]

RETIRED = {live: "Retired" + live for live in STAGING}

# Left over by an interrupted load (staging) or swap clean-up (retired): removed before the next load.
DROP_STAGING = f"""
MATCH (n) WHERE {" OR ".join(f"n:{s}" for s in (*STAGING.values(), *RETIRED.values()))}
CALL (n) {{ DETACH DELETE n }} IN TRANSACTIONS OF 10000 ROWS
"""
# The swap, in one small transaction of label changes: the previous graph is retired (no query reads
# it), the staged one takes the live labels. The retired graph is deleted afterwards, in batches.
SWAP = [
    *(f"MATCH (n:{live}) REMOVE n:{live} SET n:{retired}" for live, retired in RETIRED.items()),
    *(f"MATCH (n:{staging}) REMOVE n:{staging} SET n:{live}" for live, staging in STAGING.items()),
]
DROP_RETIRED = f"""
MATCH (n) WHERE {" OR ".join(f"n:{r}" for r in RETIRED.values())}
CALL (n) {{ DETACH DELETE n }} IN TRANSACTIONS OF 10000 ROWS
"""
DROP_ORPHAN_ROLES = "MATCH (r:OdsRole) WHERE NOT (r)<-[:HOLDS_ROLE]-() DELETE r"

_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]*")


def _name(name: str) -> str:
    """A label or relationship type as Cypher takes it (they come from the closed vocabulary; checked again)."""
    if not _NAME.fullmatch(name):
        raise ValueError(f"not a label or relationship type: {name!r}")
    return name


def create_nodes(labels: tuple[str, ...]) -> str:
    """New nodes with these labels (a staging label first), one a row, returning the pairs of each row's number and
    its node's element id in one record (one list for the driver to unpack, not a record a node): the
    relationships of the load find their ends by these ids, with no index on the staging labels."""
    return f"""
UNWIND $rows AS row
CREATE (n:{":".join(_name(x) for x in labels)})
SET n = row.props
RETURN collect([row.i, elementId(n)]) AS made
"""


def create_rels(rel_type: str) -> str:
    """New relationships of one type, between nodes given by element id (``row.a`` to ``row.b``); returns how many
    were made (a row whose end is gone makes none: the load checks the count)."""
    return f"""
UNWIND $rows AS row
MATCH (a) WHERE elementId(a) = row.a
MATCH (b) WHERE elementId(b) = row.b
CREATE (a)-[r:{_name(rel_type)}]->(b)
SET r = row.props
RETURN count(r) AS n
"""


# The role nodes are shared by the live and the staged graph (a role is a code): merged, not staged.
MERGE_ROLE_NODES = """
UNWIND $codes AS code
MERGE (r:OdsRole {code: code})
RETURN code, elementId(r) AS id
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
_EVENT_RELS = "|".join(W3C_ORG_RELS.values())
ALL_EVENTS = "MATCH (e:ChangeEvent) RETURN e {.*} AS e"
#: The names each file gives each organisation (aligned lists on the node), for the renamings.
ALL_NAMES = f"""
MATCH (o:{ORG_LABEL})
RETURN o.odsCode AS code, o.names AS names, o.nameSources AS sources, o.nameVintages AS vintages"""
EVENTS_OF = f"""
MATCH (e:ChangeEvent)-[:{_EVENT_RELS}]->(:{ORG_LABEL} {{odsCode: $code}})
RETURN DISTINCT e {{.*}} AS e"""
ALL_CONTRACTS = "MATCH (c:Contract) RETURN c {.*} AS c"
ALL_PEOPLE = "MATCH (p:Person) RETURN p {.*} AS p"
ALL_POSTS = f"""
MATCH (p:Person)-[h:HOLDS_POST]->(o:{ORG_LABEL}) RETURN p.personId AS person, o.odsCode AS organisation, h {{.*}} AS h
"""
ALL_DELIVERIES = f"""
MATCH (o:{ORG_LABEL})-[d:{rel_type("deliversUnder")}]->(c:Contract)
RETURN o.odsCode AS provider, d {{.*}} AS d
"""
ALL_LATERAL_TIES = f"""
MATCH (a:{ORG_LABEL})-[t]->(b:{ORG_LABEL}) WHERE t.tieKind IS NOT NULL
RETURN a.odsCode AS tie_from, b.odsCode AS tie_to, t {{.*}} AS t
"""

COUNT_ORGS = f"MATCH (o:{ORG_LABEL}) RETURN count(o) AS n"

ORG_BY_CODE = f"""
MATCH (o:{ORG_LABEL} {{odsCode: $code}})
OPTIONAL MATCH (o)-[h:HOLDS_ROLE]->(r:OdsRole)
RETURN o {{.*}} AS org, collect({{role: r.code, start: h.start, end: h.end}}) AS roles
"""

# every organisation with its role holdings, for the record index a server holds (graphkit/store/shared.py)
ALL_ORG_RECORDS = f"""
MATCH (o:{ORG_LABEL})
OPTIONAL MATCH (o)-[h:HOLDS_ROLE]->(r:OdsRole)
RETURN o {{.*}} AS org, collect({{role: r.code, start: h.start, end: h.end}}) AS roles
"""

_HOLDS = "($day IS NULL OR ((t.start IS NULL OR t.start <= $day) AND (t.end IS NULL OR t.end >= $day)))"


def ties(direction: str, kind: str | None) -> str:
    """Ties of the organisations whose codes are in ``$codes``, upwards or downwards, holding on ``$day``
    (every tie when ``$day`` is null)."""
    types = f":{rel_type(kind)}" if kind else ""  # every membership kind: its relationships carry `kind`
    pattern = (
        f"(a:{ORG_LABEL})-[t{types}]->(b:{ORG_LABEL})"
        if direction == "up"
        else f"(b:{ORG_LABEL})-[t{types}]->(a:{ORG_LABEL})"
    )
    member, organisation = ("a", "b") if direction == "up" else ("b", "a")
    return f"""
MATCH {pattern}
WHERE a.odsCode IN $codes AND t.kind IS NOT NULL AND {_HOLDS}
RETURN t.kind AS kind, {member}.odsCode AS member, {member}.name AS member_name,
       {organisation}.odsCode AS organisation, {organisation}.name AS organisation_name,
       t.start AS start, t.end AS end, t.derived AS derived, t.endEvidence AS end_evidence, t.sources AS sources,
       t.startEarliest AS start_earliest, t.startLatest AS start_latest, t.startBasis AS start_basis,
       t.endInferred AS end_inferred
"""


ROLES_OF = f"""
MATCH (o:{ORG_LABEL} {{odsCode: $code}})-[h:HOLDS_ROLE]->(r:OdsRole)
RETURN r.code AS role, h.start AS start, h.end AS end
"""

PROJECTION_TIE_ROWS = f"""
MATCH (p:{ORG_LABEL}:PrescribingCostCentre)-[t:PCN_MEMBERSHIP|COMMISSIONER_ASSIGNMENT]->(o:{ORG_LABEL})
RETURN p.odsCode AS practice, p.name AS practice_name, type(t) AS type, o.odsCode AS other, o.name AS other_name,
       t.start AS start, t.end AS end
"""

SUMMARY_KINDS = f"""
MATCH (o:{ORG_LABEL}) UNWIND o.kinds AS kind RETURN kind, count(*) AS n ORDER BY kind
"""

SOURCES = "MATCH (s:SourceDocument) RETURN s.slug AS slug ORDER BY slug"

ORG_ROWS = f"""
MATCH (o:{ORG_LABEL})
WHERE ($codes IS NULL OR o.odsCode IN $codes) AND ($kind IS NULL OR $kind IN o.kinds)
  AND ($q IS NULL OR toLower(o.name) CONTAINS toLower($q) OR o.odsCode STARTS WITH toUpper($q))
RETURN o.odsCode AS code, o.name AS name, o.kinds AS kinds, o.start AS start, o.end AS end, o.listSize AS size,
       o.centralFunctions AS functions, o.exitCosts AS exits
"""

ROLES_OF_MANY = f"""
MATCH (o:{ORG_LABEL})-[h:HOLDS_ROLE]->(r:OdsRole) WHERE o.odsCode IN $codes
RETURN o.odsCode AS code, r.code AS role, h.start AS start, h.end AS end, h.sources AS sources
"""

# contracts in two steps, as the embedded store does: the matching contracts' keys (cheap), then the details of
# the page's contracts only
CONTRACT_KEYS = f"""
MATCH (c:Contract)-[:{rel_type("contractHolder")}]->(p:{ORG_LABEL}) WHERE c.financialYear IS NOT NULL
OPTIONAL MATCH (c)-[:{rel_type("commissioner")}]->(k:{ORG_LABEL})
RETURN c.financialYear AS year, p.odsCode AS holder, c.iri AS iri, c.contractTypeStated AS ctype,
       c.dispensing AS dispensing, collect(DISTINCT k.odsCode) AS commissioners
"""
CONTRACTS = f"""
MATCH (c:Contract)-[:{rel_type("contractHolder")}]->(p:{ORG_LABEL}) WHERE c.iri IN $iris
OPTIONAL MATCH (c)-[:{rel_type("commissioner")}]->(k:{ORG_LABEL})
RETURN c {{.*}} AS c, p.odsCode AS holder, p.name AS holder_name, k.odsCode AS commissioner
"""

PROVENANCE = f"""
MATCH (o:{ORG_LABEL} {{odsCode: $code}})
CALL (o) {{
  RETURN "Organisation" AS kind, o.iri AS fact, o.stSources AS sources, o.stLines AS lines
  UNION ALL
  MATCH (o)-[t]-(:{ORG_LABEL}) WHERE t.kind IS NOT NULL
  RETURN t.kind AS kind, t.iri AS fact, t.stSources AS sources, t.stLines AS lines
  UNION ALL
  MATCH (o)-[h:HOLDS_ROLE]->(:OdsRole)
  RETURN "RoleHolding" AS kind, h.iri AS fact, h.stSources AS sources, h.stLines AS lines
  UNION ALL
  MATCH (c:Contract)-[:{rel_type("contractHolder")}]->(o)
  RETURN "Contract" AS kind, c.iri AS fact, [c.source] AS sources, [c.line] AS lines
}}
RETURN kind, fact, sources, lines
"""

SOURCE_DETAILS = "MATCH (s:SourceDocument) RETURN s.slug AS slug, s.fileName AS file, s.vintage AS vintage"

POSTS = f"""
MATCH (p:Person)-[h:HOLDS_POST]->(o:{ORG_LABEL})
WHERE ($organisation IS NULL OR o.odsCode = $organisation) AND ($person IS NULL OR p.personId = $person)
  AND ($day IS NULL OR ((h.start IS NULL OR h.start <= $day) AND (h.end IS NULL OR h.end >= $day)))
RETURN p.personId AS pid, p.name AS pname, o.odsCode AS ocode, o.name AS oname, h {{.*}} AS h
"""

PERSON = "MATCH (p:Person {personId: $person}) RETURN p {.*} AS p"


def ties_of_kinds(kinds: list[str]) -> str:
    types = "|".join(rel_type(k) for k in kinds)
    return f"""
MATCH (a:{ORG_LABEL})-[t:{types}]->(b:{ORG_LABEL})
WHERE {_HOLDS}
RETURN t.kind AS kind, a.odsCode AS member, a.name AS member_name, b.odsCode AS organisation,
       b.name AS organisation_name, t.start AS start, t.end AS end, t.derived AS derived,
       t.endEvidence AS end_evidence, t.sources AS sources, t.startEarliest AS start_earliest,
       t.startLatest AS start_latest, t.startBasis AS start_basis, t.endInferred AS end_inferred
"""


LATERAL_TIES = f"""
MATCH (a:{ORG_LABEL})-[t]->(b:{ORG_LABEL}) WHERE t.tieKind IS NOT NULL AND {_HOLDS}
RETURN a.odsCode AS tie_from, b.odsCode AS tie_to, t {{.*}} AS t
"""

AGREEMENTS = f"""
MATCH (c:Contract)-[:{rel_type("contractHolder")}]->(h:{ORG_LABEL})
WHERE c.contractId IS NOT NULL
  AND ($day IS NULL OR ((c.start IS NULL OR c.start <= $day) AND (c.end IS NULL OR c.end >= $day)))
OPTIONAL MATCH (c)-[:{rel_type("commissioner")}]->(k:{ORG_LABEL})
OPTIONAL MATCH (d:{ORG_LABEL})-[:{rel_type("deliversUnder")}]->(c)
RETURN c {{.*}} AS c, h.odsCode AS holder, k.odsCode AS commissioner, collect(d.odsCode) AS delivered_by
"""

#: The note, tier and exit reason of the curated memberships that have any (ontology 2.4.0).
MEMBERSHIP_TERMS = f"""
MATCH (m:{ORG_LABEL})-[t]->(o:{ORG_LABEL})
WHERE t.kind IS NOT NULL AND (t.note IS NOT NULL OR t.tier IS NOT NULL OR t.exitReason IS NOT NULL)
RETURN t.kind AS kind, m.odsCode AS member, o.odsCode AS organisation, t.start AS start, t.note AS note,
       t.tier AS tier, t.exitReason AS exit_reason
"""

ALL_LIST_SIZES = f"""
MATCH (c:Contract)-[:{rel_type("contractHolder")}]->(p:{ORG_LABEL})
WHERE c.listSize IS NOT NULL AND c.financialYear IS NOT NULL
RETURN p.odsCode AS code, c.financialYear AS year, c.listSize AS size
"""
