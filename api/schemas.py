"""Response schemas of the API, kept apart from the domain views in graphkit.store.

One piece, though past 400 lines: these models are the API's public contract, which FastAPI turns into the one
OpenAPI document (docs/api.md); most of the lines are each field's description and example, and every model is a
few lines with no logic, so splitting them by router would scatter the contract without separating any concern.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from graphkit.core import contract_kinds


class View(BaseModel):
    """A schema filled from the store's view of the same name and fields (graphkit.store.base)."""

    model_config = ConfigDict(from_attributes=True)


class ErrorBody(BaseModel):
    status: int = Field(description="HTTP status code.", examples=[404])
    code: str = Field(description="Machine-readable error code.", examples=["not_found"])
    message: str = Field(
        description="What went wrong, for a person.", examples=["no organisation with ODS code 'A00000'"]
    )
    details: dict[str, Any] = Field(default_factory=dict, description="Extra facts, e.g. the parameter at fault.")


class ErrorEnvelope(BaseModel):
    error: ErrorBody


class Health(BaseModel):
    status: str = Field(description="'ok' when the store answers.", examples=["ok"])
    store: str = Field(description="Store kind: 'oxigraph' (embedded) or 'neo4j'.", examples=["oxigraph"])
    organisations: int = Field(description="Number of organisations loaded.", examples=[7575])
    version: str = Field(description="graphkit version.", examples=["0.1.0"])
    indexes_ready: bool = Field(
        description="True once the in-memory indexes of the store served (search, list sizes, the ties of the "
        "analyses' projection, the practice contracts' keys) are built; the server builds them in the background "
        "when it starts and when it switches to a new build, and until then the first search or analysis waits "
        "for them.",
        examples=[True],
    )


class Tie(View):
    kind: str = Field(
        description="Kind of tie (ontology class), e.g. PCNMembership, CommissionerAssignment, "
        "SystemMembership, RegionMembership.",
        examples=["PCNMembership"],
    )
    member: str = Field(description="ODS code of the member (the lower organisation).", examples=["A81001"])
    member_name: str = Field(description="Current name of the member.", examples=["THE DENSHAM SURGERY"])
    organisation: str = Field(description="ODS code of the organisation it belongs to.", examples=["U89141"])
    organisation_name: str = Field(description="Current name of that organisation.", examples=["STOCKTON PCN"])
    start: dt.date | None = Field(
        None,
        description="First day of the tie; for a tie seen only in snapshot files, the first day it was seen.",
        examples=["2019-10-01"],
    )
    end: dt.date | None = Field(
        None, description="Last day of the tie (inclusive); null while it holds.", examples=[None]
    )
    derived: bool = Field(
        description="True when the period was derived: from snapshot observations, or closed by "
        "a newer file that no longer lists the tie.",
        examples=[False],
    )
    end_evidence: str | None = Field(default=None, description="The newer source file whose silence closed the tie, "
                                     "or that first shows the member's next tie.")
    sources: list[str] = Field(
        description="Source files (slugs) that state the tie.", examples=[["ePCN_2024-10_core_partner_details"]]
    )
    start_earliest: dt.date | None = Field(
        default=None, description="For a tie the files show only between two snapshots: the earliest day it can "
        "have begun (start is the day the evidence names between start_earliest and start_latest).",
        examples=["2022-01-02"])
    start_latest: dt.date | None = Field(
        default=None, description="For such a tie: the latest day it can have begun.", examples=["2025-12-01"])
    start_basis: str | None = Field(
        default=None, description="For such a tie: the evidence that bounds and dates its start, naming files and "
        "lines.", examples=["QF7 held RO262 until 2022-06-30, QT1 holds RO318 from 2022-07-01"])
    end_inferred: bool = Field(
        default=False, description="True when the end is the day before the member's next tie began, a day "
        "dated by evidence (that tie's start_basis) rather than stated by a file.")


class Name(View):
    name: str = Field(description="A name a source gives the organisation.", examples=["THE DENSHAM SURGERY"])
    source: str = Field(description="The source file (slug).", examples=["epraccur_2026-02"])
    vintage: dt.date = Field(description="The vintage of that file.", examples=["2026-02-01"])


class Organisation(View):
    code: str = Field(description="ODS code.", examples=["A81001"])
    name: str = Field(description="Name in the newest source.", examples=["THE DENSHAM SURGERY"])
    kinds: list[str] = Field(
        description="Ontology classes that hold on the as-of date (a CCG code is a SubICBLocation from 2022-07-01).",
        examples=[["GPPractice", "PrescribingCostCentre"]],
    )
    all_kinds: list[str] = Field(description="Every class the organisation has had.", examples=[["GPPractice"]])
    start: dt.date | None = Field(
        default=None, description="Open date (ODS operational start).", examples=["1974-04-01"]
    )
    end: dt.date | None = Field(default=None, description="Close date (inclusive), if closed.", examples=[None])
    status: str | None = Field(
        None, description="ODS status in the newest file: ACTIVE, CLOSED, DORMANT, PROPOSED.", examples=["ACTIVE"]
    )
    fictional: bool = Field(description="True for the synthetic case-study organisations.", examples=[False])
    footprint_basis: str | None = Field(
        None, description="A grouping of practices (curated): FootprintPlace when its population lies in one defined "
        "geographical area, FootprintMosaic when its practices are scattered among other groupings' (a concept of "
        "pcg:FootprintBasisScheme); null when not stated.", examples=["FootprintMosaic"])
    note: str | None = Field(
        None, description="A curated organisation's note: the curator's words on the rows that state it (what the "
        "source says, what was assumed), each row's note once, joined by \" | \"; evidence for a reader, not a fact "
        "of the domain. Null for an organisation only the national files state.",
        examples=["Site D; pseudonym (004:136). | CONTRADICTION (size), row 2 of 2: ..."])
    as_of: dt.date = Field(description="The date the kinds and parents were taken at.", examples=["2025-01-01"])
    parents: list[Tie] = Field(description="Ties upwards (PCN, commissioner, ICB, region) holding on the date.")
    names: list[Name] = Field(description="Every name the sources give, by vintage.")
    sources: list[str] = Field(description="Source files (slugs) that describe the organisation.")


class HierarchyOrganisation(BaseModel):
    code: str = Field(description="ODS code.", examples=["16C"])
    name: str = Field(description="Current name.", examples=["NHS North East and North Cumbria ICB - 16C"])
    kinds: list[str] = Field(description="Classes on the as-of date.", examples=[["SubICBLocation"]])


class HierarchyLevel(BaseModel):
    level: str = Field(
        description="practice, PCN, commissioner (CCG or sub-ICB location), system (STP or ICB) or region.",
        examples=["commissioner"],
    )
    via: str | None = Field(
        None, description="The kind of tie that leads to this level.", examples=["CommissionerAssignment"]
    )
    organisations: list[HierarchyOrganisation] = Field(
        description="Usually one; two when the sources record two at once (reported as a data-quality warning)."
    )


class Hierarchy(BaseModel):
    code: str = Field(description="ODS code asked for.", examples=["A81001"])
    as_of: dt.date = Field(description="The date.", examples=["2021-06-01"])
    levels: list[HierarchyLevel] = Field(description="From the organisation up to its NHS England region.")


class TieList(BaseModel):
    data: list[Tie] = Field(description="The ties.")
    count: int = Field(description="Number of ties in data.", examples=[3])


class AnalysisInfo(BaseModel):
    name: str = Field(description="Analysis name.", examples=["footprint"])
    description: str = Field(description="What it measures, in one line.")
    params: list[dict[str, Any]] = Field(
        description="Its parameters: name, type, default, description, required, and for numbers the allowed range "
        "(minimum, exclusive_minimum, maximum; null where unbounded)."
    )
    checks: list[str] = Field(description="Rules between parameters, e.g. 'low must not exceed high'.")
    graph: dict[str, Any] = Field(description="What the analysis needs from the projected graph.")
    returns: str = Field(description="What it returns.")
    temporal: bool = Field(
        False, description="True when it reads the curated layers on every date (each post, tie and contract with its "
        "dates) and answers for `as_of` (and `since`..`until` where it has them), rather than the graph projected on "
        "one date.")


class AnalysisList(BaseModel):
    data: list[AnalysisInfo] = Field(description="The registered analyses.")
    count: int = Field(description="Number of analyses.", examples=[11])


class AnalysisResult(BaseModel):
    name: str = Field(description="The analysis run.", examples=["footprint"])
    as_of: dt.date = Field(description="The date the graph was projected at.", examples=["2024-10-01"])
    params: dict[str, Any] = Field(description="The analysis parameters given.")
    result: Any = Field(description="The analysis's answer (plain data; see docs/analyses.md).")


class Page(BaseModel):
    count: int = Field(description="Number of items matching the query; `data` holds the page asked for.", examples=[7])


class OrganisationHit(View):
    code: str = Field(description="ODS code (or project code for an organisation outside ODS).", examples=["A81001"])
    name: str = Field(description="Name in the newest source.", examples=["THE DENSHAM SURGERY"])
    kinds: list[str] = Field(description="Ontology classes that hold on the as-of date.", examples=[["GPPractice"]])
    start: dt.date | None = Field(default=None, description="Open date.", examples=["1974-04-01"])
    end: dt.date | None = Field(default=None, description="Close date (inclusive), if closed.", examples=[None])


class OrganisationList(Page):
    data: list[OrganisationHit] = Field(description="Organisations ordered by name, then code.")


class RoleHolding(BaseModel):
    role: str = Field(description="ODS role code, e.g. RO98 (CCG) or RO319 (sub-ICB location).", examples=["RO98"])
    kind: str | None = Field(
        default=None,
        description="The ontology class this role makes the organisation, if any.",
        examples=["ClinicalCommissioningGroup"],
    )
    start: dt.date | None = Field(default=None, description="First day the role holds.", examples=["2013-04-01"])
    end: dt.date | None = Field(
        default=None, description="Last day the role holds (inclusive).", examples=["2022-06-30"]
    )
    sources: list[str] = Field(description="Source files (slugs) that state the role.", examples=[["eccg_2025-12"]])


class ChangeEvent(View):
    day: dt.date = Field(description="The day the change took effect.", examples=["2020-04-01"])
    kind: str = Field(description="Merger (several originals) or Succession (one).", examples=["Merger"])
    originals: list[str] = Field(
        description="ODS codes of the organisations that ended.", examples=[["00C", "00K", "00M"]]
    )
    result: str = Field(description="ODS code of the organisation that took their members.", examples=["16C"])
    sources: list[str] = Field(description="Source files (slugs) whose comparison shows the change.")


class History(BaseModel):
    code: str = Field(description="ODS code.", examples=["16C"])
    name: str = Field(description="Name in the newest source.", examples=["NHS NORTH EAST AND NORTH CUMBRIA ICB - 16C"])
    start: dt.date | None = Field(default=None, description="Open date.", examples=["2020-04-01"])
    end: dt.date | None = Field(default=None, description="Close date (inclusive), if closed.", examples=[None])
    names: list[Name] = Field(description="Every name the sources give, by vintage.")
    roles: list[RoleHolding] = Field(
        description="Every ODS role over time, with its sources (a CCG code turns sub-ICB location on 2022-07-01)."
    )
    events: list[ChangeEvent] = Field(description="Mergers and successions it took part in, by day.")
    memberships: list[Tie] = Field(description="Every tie over time, upwards and downwards, by start date.")


class Statement(View):
    fact_kind: str = Field(
        description="Organisation, a tie class, RoleHolding or Contract.", examples=["PCNMembership"]
    )
    fact: str = Field(description="IRI of the fact in the graph.")
    source: str = Field(description="Source file (slug).", examples=["ePCN_2024-10_core_partner_details"])
    file_name: str = Field(description="Name of the source file.", examples=["ePCN.xlsx"])
    vintage: dt.date = Field(description="Vintage of the file.", examples=["2024-10-01"])
    line: int = Field(description="Line (row) of the file that states the fact.", examples=[12])


class StatementList(Page):
    data: list[Statement] = Field(description="Every statement about the organisation, by source and line.")


class ServiceAmount(BaseModel):
    service: str = Field(description="Service (concept of the ontology's service scheme).", examples=["MinorSurgery"])
    amount_gbp: float = Field(description="Amount paid for it in the year, GBP.", examples=[1234.56])


class Contract(BaseModel):
    id: str = Field(
        description="Contract id: HOLDER/YEAR for a practice-year contract, the curated id otherwise.",
        examples=["A81001/2022-23"],
    )
    origin: Literal["payments", "curated"] = Field(
        description="payments: a practice's contract for a financial year (NHS Payments to General Practice); "
        "curated: a contract, subcontract or service agreement from the curated tables.",
        examples=["payments"],
    )
    kind: str = Field(
        description="Kind of contract, one vocabulary for both origins (the ontology's contract classes; `Contract`: "
        "type not known): " + ", ".join(contract_kinds.KINDS) + ".",
        examples=["APMSContract"],
    )
    stated_type: str | None = Field(
        default=None,
        description="The contract type exactly as NHS Payments to General Practice states it: GMS, PMS, APMS or "
        "Unknown (payments); null for curated contracts.",
        examples=["APMS"],
    )
    holder: str = Field(description="ODS code of the holder.", examples=["A81001"])
    holder_name: str | None = Field(default=None, description="Name of the holder.", examples=["THE DENSHAM SURGERY"])
    commissioner: str | None = Field(
        default=None, description="ODS code of the commissioner as stated.", examples=["16C"]
    )
    financial_year: str | None = Field(
        default=None, description="Financial year (payments), e.g. 2022-23.", examples=["2022-23"]
    )
    start: dt.date | None = Field(default=None, description="First day (curated contracts).", examples=[None])
    end: dt.date | None = Field(default=None, description="Last day, inclusive (curated contracts).", examples=[None])
    amount_gbp: float | None = Field(
        default=None, description="Total paid in the year (payments) or the contract value.", examples=[1234567.89]
    )
    services: list[ServiceAmount] = Field(description="Enhanced and other services paid under it, with amounts.")
    list_size: int | None = Field(default=None, description="Registered patients (payments).", examples=[7000])
    weighted_list_size: float | None = Field(
        default=None, description="Weighted list size (payments).", examples=[7400.5]
    )
    dispensing: bool | None = Field(default=None, description="A dispensing practice (payments).", examples=[False])
    rurality: str | None = Field(default=None, description="Rurality as stated (payments).", examples=["Urban"])
    service: str | None = Field(default=None, description="The service a curated contract is for.", examples=[None])
    parent: str | None = Field(default=None, description="The contract a subcontract sits under.", examples=[None])
    delivered_by: list[str] = Field(description="ODS codes of the organisations that deliver under it (curated).")
    supported_by: list[str] = Field(
        default_factory=list,
        description="Codes of organisations that backed its bid or support its delivery without holding it or "
                    "delivering under it (curated).",
    )
    succeeds: str | None = Field(
        default=None, description="The contract it replaced, e.g. on a retender (curated): who held it before is "
        "that contract's holder.", examples=["ZZC-STR-APMS-OLD-10"],
    )
    note: str | None = Field(default=None, description="The curated row's note, as the table gives it.",
                             examples=[None])
    source: str = Field(description="Source file (slug).", examples=["nhs-payments-gp_2022-23"])
    line: int = Field(description="Line of the source file.", examples=[42])


class ContractList(Page):
    data: list[Contract] = Field(description="Contracts ordered by origin, year, holder and id.")


class Post(View):
    person_id: str = Field(description="Person id (GMC-... or project id).", examples=["ZZP-EXP-CHAIR"])
    person_name: str = Field(description="Name as the source gives it.", examples=["Chair of Expanding federation"])
    organisation: str = Field(description="Code of the organisation the post is in.", examples=["ZZF-EXPANDING-BOARD"])
    organisation_name: str = Field(description="Its name.", examples=["Expanding federation board"])
    role: str | None = Field(
        default=None, description="Role of the ontology, e.g. BoardChair.", examples=["BoardChair"]
    )
    title: str | None = Field(default=None, description="The post as the source names it.", examples=["Chair"])
    start: dt.date | None = Field(default=None, description="First day in post.", examples=["2016-04-01"])
    end: dt.date | None = Field(default=None, description="Last day in post (inclusive).", examples=[None])
    represents: str | None = Field(
        default=None, description="Code of the organisation the holder represents.", examples=[None]
    )
    appointment: str | None = Field(default=None, description="Elected, CoOpted or Appointed.", examples=["Elected"])
    voting: bool | None = Field(default=None, description="A voting seat.", examples=[True])
    commissioning: bool | None = Field(
        default=None, description="True when the post takes part in commissioning decisions, false when the source "
        "says it does not (a non-commissioning role); null when not stated.", examples=[None]
    )
    note: str | None = Field(default=None, description="The curated row's note: the curator's words on the post "
                             "(what the source says, what was assumed).", examples=[None])
    source: str = Field(description="Curated table (slug).", examples=["casestudies"])
    line: int = Field(description="Line of the table.", examples=[12])
    citations: list[str] = Field(description="Where the fact comes from (report:line, URL).", examples=[["004:190"]])


class PostList(Page):
    data: list[Post] = Field(description="Posts ordered by person, organisation and start.")


class Person(View):
    person_id: str = Field(description="Person id.", examples=["ZZP-EXP-CHAIR"])
    name: str = Field(description="Name as the source gives it.", examples=["Chair of Expanding federation"])
    fictional: bool = Field(description="True for the case studies' people.", examples=[True])
    source: str = Field(description="Curated table (slug).", examples=["casestudies"])
    line: int = Field(description="Line of the people table.", examples=[3])
    citations: list[str] = Field(description="Where the person comes from.", examples=[["004:190"]])
    posts: list[Post] = Field(description="Every post the person has held.")


class EconomyNode(BaseModel):
    code: str = Field(description="ODS code.", examples=["U89141"])
    name: str = Field(description="Name.", examples=["STOCKTON PCN"])
    kinds: list[str] = Field(description="Classes on the date.", examples=[["PrimaryCareNetwork"]])
    level: str = Field(description="practice, PCN, commissioner, system, region or other.", examples=["PCN"])
    centre: bool = Field(description="True for the organisation asked about.", examples=[True])
    list_size: int | None = Field(
        default=None,
        description="Registered patients, where the store has them: for a practice, the list size of its contract "
        "in the NHS Payments to General Practice file of the financial year holding `as_of`, or else of the "
        "latest earlier year there is (`list_size_year` says which); otherwise the organisation's own list size "
        "in a curated table (for a case-study federation, its population as the report gives it). Null when "
        "neither is known (PCNs, commissioners and most other organisations).",
        examples=[4029],
    )
    list_size_year: str | None = Field(
        default=None,
        description="The financial year of the payments file `list_size` comes from; null for a curated figure "
        "or none.",
        examples=["2022-23"],
    )


class EconomyEdge(BaseModel):
    kind: str = Field(
        description="Kind of tie: a membership (PCNMembership, FederationMembership, ...), a curated tie "
        "(RiskSharingTie, PeerNetworkTie, ServiceProvisionTie, GovernanceTie, ...), a curated contract's class "
        "(ServiceContract, APMSContract, ...) or DeliversUnder.",
        examples=["PCNMembership"],
    )
    category: Literal["membership", "tie", "contract"] = Field(
        description="membership: a tie of ODS or the curated tables followed to find the economy (member -> "
        "organisation); tie: a curated lateral, functional or governance tie between two organisations of the "
        "economy (from -> to); contract: a curated contract, holder -> commissioner, or a delivery under one, "
        "deliverer -> holder (both ends in the economy).",
        examples=["membership"],
    )
    member: str = Field(
        description="Code of the member; for a tie, the organisation it runs from; for a contract, the holder "
        "(the deliverer for DeliversUnder).",
        examples=["A81001"],
    )
    organisation: str = Field(
        description="Code of the organisation; for a tie, the one it runs to; for a contract, the commissioner "
        "(the holder for DeliversUnder).",
        examples=["U89141"],
    )
    start: dt.date | None = Field(default=None, description="First day of the tie.", examples=["2019-07-01"])
    end: dt.date | None = Field(default=None, description="Last day (inclusive).", examples=[None])
    derived: bool = Field(description="True when the period was derived.", examples=[False])
    contract: str | None = Field(
        default=None, description="The curated contract's identifier, for the category contract.", examples=[None]
    )


class Economy(BaseModel):
    code: str = Field(description="The centre asked about.", examples=["U89141"])
    as_of: dt.date = Field(description="The date.", examples=["2024-10-01"])
    depth: int = Field(description="Membership ties followed out from the centre.", examples=[2])
    nodes: list[EconomyNode] = Field(description="Organisations within `depth` membership ties, by code.")
    edges: list[EconomyEdge] = Field(
        description="The memberships followed, then the curated ties and contracts among the organisations, "
        "holding on the date; by category, kind, member and organisation."
    )


#: The limits a query request may ask for, the same for SPARQL and Cypher.
RowCap = Annotated[
    int, Field(ge=1, le=10000, description="Row cap: at most this many rows come back.", examples=[1000])
]
TimeLimit = Annotated[float, Field(gt=0, le=60, description="Time limit in seconds.", examples=[10.0])]


class SparqlRequest(BaseModel):
    query: str = Field(
        description="A SPARQL 1.1 query (SELECT, ASK, CONSTRUCT or DESCRIBE). The project prefixes (pcg:, org:, "
        "skos:, time:, prov:, ...) are predeclared; the default graph is the union of all graphs.",
        examples=["SELECT (COUNT(?p) AS ?n) WHERE { ?p a pcg:GPPractice }"],
        min_length=1,
        max_length=20000,
    )
    limit: RowCap = 1000
    timeout_s: TimeLimit = 10.0


class CypherRequest(BaseModel):
    query: str = Field(
        description="A read-only Cypher query.",
        min_length=1,
        max_length=20000,
        examples=["MATCH (o:Organisation:GPPractice) RETURN count(o) AS n"],
    )
    parameters: dict[str, Any] = Field(
        default_factory=dict, description="Query parameters ($name).", examples=[{"code": "A81001"}]
    )
    limit: RowCap = 1000
    timeout_s: TimeLimit = 10.0


class QueryResult(Page):
    form: str = Field(
        description="select, ask or graph (CONSTRUCT/DESCRIBE: rows of subject, predicate, object).",
        examples=["select"],
    )
    columns: list[str] = Field(description="Column (variable) names.", examples=[["n"]])
    data: list[dict[str, Any]] = Field(
        description="Rows: SPARQL terms as in the SPARQL 1.1 JSON results format; "
        "Cypher values as JSON (nodes as labels and properties)."
    )
    truncated: bool = Field(description="True when the row cap cut the answer.", examples=[False])
    boolean: bool | None = Field(default=None, description="The answer of an ASK query.", examples=[None])
    elapsed_ms: float = Field(description="Time the query took, in milliseconds.", examples=[12.5])


class ChangeItem(View):
    day: dt.date = Field(description="The first day of the new state.", examples=["2022-04-01"])
    kind: str = Field(description="opened, closed, renamed, merged, succeeded, role_changed, joined_pcn, left_pcn, "
                      "moved_pcn, moved_commissioner, moved_system, moved_region, contract_type_changed, apms_started "
                      "or apms_ended.", examples=["moved_pcn"])
    code: str = Field(description="Code of the organisation that changed (the result, for a merger).",
                      examples=["B81003"])
    name: str = Field(description="Its name in the newest source.", examples=["THE SPRINGS SURGERY"])
    before: str | None = Field(default=None, description="The old state: PCN, commissioner, role, contract type, "
                               "name (renamed) or the merged originals.", examples=["U93843"])
    after: str | None = Field(default=None, description="The new state.", examples=["U87666"])
    precision: str = Field(description="How the day is known: exact (a file states it), no_later_than (a newer file "
                           "no longer shows the old state), first_observed (first seen on that day in a file of "
                           "snapshots), inferred (seen only between two snapshots and dated inside that interval "
                           "by evidence: earliest, latest and basis say how), financial_year (a payments year "
                           "starting that day).", examples=["exact"])
    earliest: dt.date | None = Field(default=None, description="For a change seen only between two snapshots: the "
                                     "earliest day it can have happened (the day after the old state was last "
                                     "shown, narrowed by evidence).", examples=["2022-01-02"])
    latest: dt.date | None = Field(default=None, description="For such a change: the latest day it can have "
                                   "happened (the first file showing the new state, narrowed by evidence).",
                                   examples=["2025-12-01"])
    basis: str | None = Field(default=None, description="For such a change: the evidence that bounds and dates it, "
                              "naming files and lines.")
    sources: list[str] = Field(description="Source files (slugs) that state the old and the new state.")
    detail: str = Field(description="The change in words, with the dates of both states.",
                        examples=["PANACEA PCN until 2022-03-31; ... from 2022-04-01"])


class ChangeList(Page):
    summary: dict[str, int] = Field(description="The number of changes of each kind, over all pages.",
                                    examples=[{"moved_pcn": 8}])
    data: list[ChangeItem] = Field(description="The changes of the page, by day, kind and code.")


class CrosswalkRowItem(BaseModel):
    from_code: str = Field(description="Code of the old area.", examples=["00K"])
    from_name: str = Field(description="Its name in the newest source.")
    to_code: str = Field(description="Code of the new area.", examples=["QHM"])
    to_name: str = Field(description="Its name in the newest source.")
    practices: int = Field(description="GP practices of the old area that went to the new one.", examples=[33])
    patients: int = Field(description="Their registered patients (list-size year of the crosswalk).")
    practice_weight: float = Field(description="Share of the old area's mapped practices.", examples=[1.0])
    patient_weight: float = Field(description="Share of the old area's mapped patients.", examples=[1.0])


class CrosswalkResult(BaseModel):
    from_level: str = Field(description="Level of the old areas.", examples=["commissioner"])
    from_date: dt.date = Field(description="Date of the old areas.", examples=["2021-06-01"])
    to_level: str = Field(description="Level of the new areas.", examples=["system"])
    to_date: dt.date = Field(description="Date of the new areas.", examples=["2024-10-01"])
    list_size_year: str | None = Field(description="Financial year of the list sizes weighting patients (the held "
                                       "year nearest the first date).", examples=["2021-22"])
    rows: list[CrosswalkRowItem] = Field(description="One row per (old area, new area) pair that shares practices.")
    areas: list[dict[str, Any]] = Field(description="Per old area: practices, patients, how many new areas, the "
                                        "main one, the share that maps to it (clean_share by patients, "
                                        "clean_practice_share by practices) and the practices that break the "
                                        "nesting.")
    unmapped: list[dict[str, Any]] = Field(description="Practices open on the first date with no old or no new "
                                           "area, with the reason: listed, never dropped.")
    sources: list[str] = Field(description="Source files (slugs) of the ties the crosswalk follows.")
