"""FHIR R4 resources made from the graph's views: what the read-only facade under ``/fhir`` serves
(api/routers/fhir.py; docs/api.md, "FHIR R4").

Shaped like the NHS's own Organisation Data Terminology (ODT) FHIR R4 API wherever that API has a shape for what the
graph holds: organisations carry the identifier system ``https://fhir.nhs.uk/Id/ods-organization-code``, their ODS
role codes (CodeSystem ``ODSOrganisationRole``) in ``type`` and, with their dates, in
``Extension-England-OrganisationRole`` holding an ``Extension-England-TypedPeriod`` (dateType ``Operational``); ties
are ``OrganizationAffiliation`` resources coded with the ODS relationship code (CodeSystem ``ODSRelationship``) where
ODS has one. The system and extension URLs are those of the NHS England FHIR Implementation Guide (its CodeSystems
England-ODSOrganisationRole, England-ODSRelationship and England-PeriodType). What ODS has no code for (the graph's
own kinds of organisation and tie, the evidence that dates a tie, the date asked for, every source) uses the
project's CodeSystems and extensions under :data:`FACADE`.

Pure functions of the views (no store access except :func:`source_vintages`): every dictionary they return is valid
FHIR R4 JSON (no empty arrays, objects or strings; dates as ``YYYY-MM-DD``); tests/api/test_fhir.py validates them with
``fhir.resources``.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import re
import unicodedata
from collections.abc import Iterable, Mapping
from typing import Any

from graphkit.core.namespaces import source_iri
from graphkit.core.nhs import LOCAL_CODE_SYSTEM, ODS_CODE_SYSTEM, ROLE_CLASS, is_ods_code
from graphkit.core.temporal import holds_on
from graphkit.store.base import GraphStore, OrganisationView, RoleRow, TieView

FHIR_VERSION = "4.0.1"
#: ODS's CodeSystems, as the NHS England FHIR Implementation Guide names them
ODS_ROLE_SYSTEM = "https://digital.nhs.uk/services/organisation-data-service/CodeSystem/ODSOrganisationRole"
ODS_RELATIONSHIP_SYSTEM = "https://digital.nhs.uk/services/organisation-data-service/CodeSystem/ODSRelationship"
PERIOD_TYPE_SYSTEM = "https://fhir.nhs.uk/England/CodeSystem/England-PeriodType"
ROLE_EXTENSION = "https://fhir.nhs.uk/England/StructureDefinition/Extension-England-OrganisationRole"
TYPED_PERIOD_EXTENSION = "https://fhir.nhs.uk/England/StructureDefinition/Extension-England-TypedPeriod"
#: the project's own CodeSystems and extensions
FACADE = "https://w3id.org/pcgraph/fhir/"
KIND_SYSTEM = FACADE + "CodeSystem/organisation-kind"  # codes: the ontology's classes (GPPractice, ...)
TIE_KIND_SYSTEM = FACADE + "CodeSystem/tie-kind"  # codes: the ontology's tie classes (PCNMembership, ...)
ERROR_SYSTEM = FACADE + "CodeSystem/error"  # codes: the API's error codes (not_found, bad_parameter, ...)
TAG_SYSTEM = FACADE + "CodeSystem/tag"  # code fictional: an organisation of the case studies (meta.tag)
AS_OF_EXTENSION = FACADE + "StructureDefinition/as-of"  # valueDate: the date the resource was taken at
SOURCE_EXTENSION = FACADE + "StructureDefinition/source"  # valueUri, repeated: every source file stating it
DATING_EXTENSION = FACADE + "StructureDefinition/tie-dating"  # how a tie's period was dated (sub-extensions)

#: an id of FHIR R4 (the id datatype): at most 64 letters, digits, ``-`` and ``.``
_FHIR_ID = re.compile(r"^[A-Za-z0-9\-.]{1,64}$")


@functools.cache
def _labels() -> tuple[dict[str, str], dict[str, str], dict[str, str], dict[str, str]]:
    """From the ontology (ontology/ods-codes.ttl, pcg.ttl): ODS role code -> ODS's name; ODS relationship code ->
    ODS's name; tie class -> its ODS relationship code (pcg:mapsToClass); ontology class -> its label."""
    from rdflib.namespace import RDFS, SKOS

    from graphkit.core.namespaces import ODSREL_NS, ODSROLE_NS, PCG_NS
    from graphkit.ontology.shacl import ontology_graph

    g = ontology_graph()
    roles: dict[str, str] = {}
    for concept in g.subjects(SKOS.inScheme, ODSROLE_NS.scheme):
        # ODS's own name: the altLabel where the prefLabel adds the code to tell two apart (RO69, RO232)
        label = g.value(concept, SKOS.altLabel) or g.value(concept, SKOS.prefLabel)
        roles[str(g.value(concept, SKOS.notation))] = str(label)
    rels: dict[str, str] = {}
    rel_of_kind: dict[str, str] = {}
    for concept in g.subjects(SKOS.inScheme, ODSREL_NS.scheme):
        code = str(g.value(concept, SKOS.notation))
        rels[code] = str(g.value(concept, SKOS.prefLabel))
        cls = g.value(concept, PCG_NS.mapsToClass)
        if cls is not None and str(cls).startswith(str(PCG_NS)):
            rel_of_kind[str(cls)[len(str(PCG_NS)) :]] = code
    classes = {
        str(c)[len(str(PCG_NS)) :]: str(label)
        for c, label in g.subject_objects(RDFS.label)
        if str(c).startswith(str(PCG_NS)) and getattr(label, "language", None) in (None, "en")
    }
    return roles, rels, rel_of_kind, classes


def role_display(role: str) -> str | None:
    """ODS's name of a role code (``RO76`` -> ``GP PRACTICE``); None for a code the project's list lacks."""
    return _labels()[0].get(role)


def relationship_of(kind: str) -> str | None:
    """The ODS relationship code of a tie kind (``PCNMembership`` -> ``RE8``), None where ODS has none."""
    return _labels()[2].get(kind)


def kind_label(kind: str) -> str:
    """The ontology's label of a class (``PCNMembership`` -> ``PCN membership``), else the class's name."""
    return _labels()[3].get(kind, kind)


def searchable_roles() -> dict[str, str]:
    """ODS role code -> the ontology class an organisation has while holding it: the role codes a search by
    ``type`` can answer."""
    return dict(ROLE_CLASS)


# -- small pieces -------------------------------------------------------------------------------------------------
def _coding(system: str, code: str, display: str | None = None) -> dict[str, str]:
    out = {"system": system, "code": code}
    if display:
        out["display"] = display
    return out


def _period(start: dt.date | None, end: dt.date | None) -> dict[str, str]:
    out = {}
    if start is not None:
        out["start"] = start.isoformat()
    if end is not None:
        out["end"] = end.isoformat()
    return out


def _typed_period(start: dt.date | None, end: dt.date | None) -> dict[str, Any] | None:
    """ODS's Extension-England-TypedPeriod with dateType Operational (the dates ODS's files give every record);
    None without dates."""
    period = _period(start, end)
    if not period:
        return None
    return {"url": TYPED_PERIOD_EXTENSION, "extension": [
        {"url": "dateType", "valueCoding": _coding(PERIOD_TYPE_SYSTEM, "Operational", "Operational")},
        {"url": "period", "valuePeriod": period},
    ]}


def reference(code: str, name: str | None = None) -> dict[str, Any]:
    """A Reference to the Organization of this code, with its identifier and name."""
    out: dict[str, Any] = {"reference": f"Organization/{code}", "identifier": identifier(code)}
    if name:
        out["display"] = name
    return out


def identifier(code: str, fictional: bool = False) -> dict[str, str]:
    """The organisation's code as a FHIR Identifier: ODS's system for an ODS code, the project's for its own codes
    (``ZZF-…``, ``ZZN-…``)."""
    system = ODS_CODE_SYSTEM if is_ods_code(code, fictional) else LOCAL_CODE_SYSTEM
    return {"use": "official", "system": system, "value": code}


def source_vintages(store: GraphStore) -> dict[str, dt.date]:
    """Source slug -> the vintage of that file, for every file the store was built from (its description of the
    files, read once per store and kept with it)."""
    from graphkit.store.areas import held

    return held(store, "_fhir_source_vintages", lambda: {s.slug: s.vintage for s in store.source_files()})


def _by_vintage(slugs: Iterable[str], vintages: Mapping[str, dt.date]) -> list[str]:
    """Slugs oldest first by their file's vintage (those of unknown vintage first), then by name."""
    return sorted(set(slugs), key=lambda s: (vintages.get(s, dt.date.min), s))


def _meta_and_sources(slugs: Iterable[str], vintages: Mapping[str, dt.date]) -> tuple[dict[str, Any], list[dict]]:
    """``meta`` whose ``source`` is the newest file stating the resource (its IRI, as in the graph's named graphs and
    /organisations/{code}/provenance), and one source extension per file stating it, oldest first."""
    ordered = _by_vintage(slugs, vintages)
    meta: dict[str, Any] = {"source": str(source_iri(ordered[-1]))} if ordered else {}
    return meta, [{"url": SOURCE_EXTENSION, "valueUri": str(source_iri(s))} for s in ordered]


# -- Organization ---------------------------------------------------------------------------------------------------
def organization(
    view: OrganisationView, roles: Iterable[RoleRow], as_of: dt.date, *, part_of: tuple[str, str] | None = None,
) -> dict[str, Any]:
    """The Organization of ``view`` (taken on ``as_of``): ``active`` when open on the date; ``type`` the ODS roles it
    holds on the date, then the ontology's kinds it has on the date; every ODS role holding with its dates and whether
    it holds on the date (Extension-England-OrganisationRole); its own dates (Extension-England-TypedPeriod); its
    older names as ``alias``; ``partOf`` the organisation above it (code, name), when given."""
    roles = sorted(roles, key=lambda r: (r.role, r.start or dt.date.min))
    vintages = {n.source: n.vintage for n in view.names}
    meta, sources = _meta_and_sources(view.sources, vintages)
    extensions: list[dict[str, Any]] = []
    own = _typed_period(view.start, view.end)
    if own:
        extensions.append(own)
    for r in roles:
        parts: list[dict[str, Any]] = [
            {"url": "roleCode", "valueCodeableConcept": {"coding": [_coding(ODS_ROLE_SYSTEM, r.role,
                                                                            role_display(r.role))]}},
        ]
        dates = _typed_period(r.start, r.end)
        if dates:
            parts.append(dates)
        parts.append({"url": "active", "valueBoolean": holds_on(r.start, r.end, as_of)})
        extensions.append({"url": ROLE_EXTENSION, "extension": parts})
    extensions.append({"url": AS_OF_EXTENSION, "valueDate": as_of.isoformat()})
    extensions.extend(sources)

    types: list[dict[str, Any]] = []
    for role in sorted({r.role for r in roles if holds_on(r.start, r.end, as_of)}):
        display = role_display(role)
        concept: dict[str, Any] = {"coding": [_coding(ODS_ROLE_SYSTEM, role, display)]}
        if display:
            concept["text"] = display
        types.append(concept)
    for kind in view.kinds:
        types.append({"coding": [_coding(KIND_SYSTEM, kind, kind_label(kind))], "text": kind_label(kind)})

    if view.fictional:
        meta["tag"] = [_coding(TAG_SYSTEM, "fictional", "fictional (a case study of the federation report)")]
    out: dict[str, Any] = {"resourceType": "Organization", "id": view.code}
    if meta:
        out["meta"] = meta
    out["extension"] = extensions
    out["identifier"] = [identifier(view.code, view.fictional)]
    out["active"] = holds_on(view.start, view.end, as_of)
    if types:
        out["type"] = types
    if view.name:
        out["name"] = view.name
    seen = {view.name.casefold()}
    aliases = []
    for n in sorted(view.names, key=lambda n: (n.vintage, n.source), reverse=True):  # newest first
        if n.name and n.name.casefold() not in seen:
            seen.add(n.name.casefold())
            aliases.append(n.name)
    if aliases:
        out["alias"] = aliases
    if part_of is not None:
        out["partOf"] = reference(*part_of)
    return out


def name_matches(name: str, value: str, mode: str) -> bool:
    """FHIR string search on a name: ``starts`` (the default: the name starts with the value), ``contains`` or
    ``exact`` (the whole name, case and accents as given); the first two ignore case and accents."""
    if mode == "exact":
        return name == value
    folded, wanted = _fold(name), _fold(value)
    return folded.startswith(wanted) if mode == "starts" else wanted in folded


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()


# -- OrganizationAffiliation ----------------------------------------------------------------------------------------
def affiliation_id(t: TieView) -> str:
    """The id of a tie's OrganizationAffiliation: ``member.organisation.kind.start`` (``x`` for an unknown start;
    codes hold no ``.``), stable across builds while the tie keeps its start; a digest of that when it would pass FHIR's
    64 characters."""
    raw = f"{t.member}.{t.organisation}.{t.kind}.{t.start.isoformat() if t.start else 'x'}"
    if _FHIR_ID.match(raw):
        return raw
    return "h" + hashlib.sha256(raw.encode()).hexdigest()[:40]


def parse_affiliation_id(value: str) -> tuple[str, str, str, dt.date | None] | None:
    """(member, organisation, kind, start) from an id :func:`affiliation_id` wrote in full; None for a digest or
    anything else."""
    parts = value.split(".")
    if len(parts) != 4 or not all(parts):
        return None
    member, organisation, kind, start = parts
    if start == "x":
        return member, organisation, kind, None
    try:
        return member, organisation, kind, dt.date.fromisoformat(start)
    except ValueError:
        return None


def affiliation(t: TieView, day: dt.date, vintages: Mapping[str, dt.date]) -> dict[str, Any]:
    """The OrganizationAffiliation of a tie: ``organization`` the higher organisation (the PCN, commissioner, system,
    region, federation), ``participatingOrganization`` the member, ``period`` the tie's dates (the end inclusive, as
    ODS's), ``active`` whether it holds on ``day``, ``code`` the tie's kind in the project's CodeSystem and, where ODS
    has one, its ODS relationship code; how the period was dated, when it was (tie-dating extension); every source."""
    meta, sources = _meta_and_sources(t.sources, vintages)
    extensions: list[dict[str, Any]] = []
    dating: list[dict[str, Any]] = []
    if t.derived:
        dating.append({"url": "derived", "valueBoolean": True})
    if t.start_earliest is not None:
        dating.append({"url": "startEarliest", "valueDate": t.start_earliest.isoformat()})
    if t.start_latest is not None:
        dating.append({"url": "startLatest", "valueDate": t.start_latest.isoformat()})
    if t.start_basis:
        dating.append({"url": "startBasis", "valueString": t.start_basis})
    if t.end_evidence:
        dating.append({"url": "endEvidence", "valueUri": str(source_iri(t.end_evidence))})
    if t.end_inferred:
        dating.append({"url": "endInferred", "valueBoolean": True})
    if dating:
        extensions.append({"url": DATING_EXTENSION, "extension": dating})
    extensions.extend(sources)

    codings = [_coding(TIE_KIND_SYSTEM, t.kind, kind_label(t.kind))]
    rel = relationship_of(t.kind)
    if rel is not None:
        codings.append(_coding(ODS_RELATIONSHIP_SYSTEM, rel, _labels()[1].get(rel)))

    out: dict[str, Any] = {"resourceType": "OrganizationAffiliation", "id": affiliation_id(t)}
    if meta:
        out["meta"] = meta
    if extensions:
        out["extension"] = extensions
    out["active"] = holds_on(t.start, t.end, day)
    period = _period(t.start, t.end)
    if period:
        out["period"] = period
    out["organization"] = reference(t.organisation, t.organisation_name)
    out["participatingOrganization"] = reference(t.member, t.member_name)
    out["code"] = [{"coding": codings, "text": kind_label(t.kind)}]
    return out


# -- Bundle, OperationOutcome, CapabilityStatement ---------------------------------------------------------------
def bundle(total: int, entries: Iterable[tuple[str, dict[str, Any]]], links: Iterable[tuple[str, str]]
           ) -> dict[str, Any]:
    """A searchset Bundle: ``total`` matches, the page's (fullUrl, resource) entries, and the paging links."""
    out: dict[str, Any] = {"resourceType": "Bundle", "type": "searchset", "total": total}
    link = [{"relation": rel, "url": url} for rel, url in links]
    if link:
        out["link"] = link
    entry = [{"fullUrl": url, "resource": res, "search": {"mode": "match"}} for url, res in entries]
    if entry:
        out["entry"] = entry
    return out


#: HTTP status -> the OperationOutcome issue code (FHIR's IssueType) of an error
ISSUE_TYPE = {400: "invalid", 404: "not-found", 405: "not-supported", 413: "too-long", 422: "invalid",
              429: "throttled", 500: "exception", 503: "transient"}


def operation_outcome(status: int, code: str, message: str, *, issue: str | None = None) -> dict[str, Any]:
    """An OperationOutcome carrying what the API's error envelope carries: the project's error ``code`` (as a coding
    of :data:`ERROR_SYSTEM`) and the ``message`` (as ``diagnostics``); the issue type follows the HTTP status unless
    given (``not-supported`` for a search FHIR allows but this facade does not answer)."""
    return {"resourceType": "OperationOutcome", "issue": [{
        "severity": "error",
        "code": issue or ISSUE_TYPE.get(status, "processing"),
        "details": {"coding": [_coding(ERROR_SYSTEM, code)], "text": message},
        "diagnostics": message,
    }]}


#: the date the facade's capabilities (the CapabilityStatement) last changed
CAPABILITY_DATE = "2026-12-07"

ORGANIZATION_SEARCH = (
    ("name", "string", "The organisation's current name starts with the value (case and accents ignored); "
     "name:contains: contains it; name:exact: is it. Lists the organisations open on as_of."),
    ("type", "token", "An ODS role code (system " + ODS_ROLE_SYSTEM + ", e.g. RO76, RO272, RO319) held on as_of, or "
     "a kind of the graph (system " + KIND_SYSTEM + ", e.g. GPPractice); comma-separated values: any of them."),
    ("identifier", "token", "The ODS code (system " + ODS_CODE_SYSTEM + ") or the project's code (system "
     + LOCAL_CODE_SYSTEM + "): that organisation, whatever its dates."),
    ("as_of", "date", "Facade extension: the date the resources are taken at (YYYY-MM-DD, today when omitted): "
     "active, type, partOf and the roles' active flags follow it."),
)
AFFILIATION_SEARCH = (
    ("organization", "reference", "The higher organisation of the tie (Organization/{code} or the code)."),
    ("participating-organization", "reference", "The member of the tie (Organization/{code} or the code)."),
    ("date", "date", "A day (YYYY-MM-DD, optionally prefixed eq): the ties holding on that day (their period "
     "includes it). Without it, every tie of all of history."),
    ("role", "token", "The tie's kind: an ODS relationship code (system " + ODS_RELATIONSHIP_SYSTEM + ", e.g. RE8, "
     "RE4) or a kind of the graph (system " + TIE_KIND_SYSTEM + ", e.g. PCNMembership); comma-separated: any."),
)


def capability_statement(base: str, version: str) -> dict[str, Any]:
    """The CapabilityStatement of the facade at ``base`` (its /fhir URL): FHIR R4, JSON, read-only."""
    def params(spec: Iterable[tuple[str, str, str]]) -> list[dict[str, str]]:
        return [{"name": n, "type": t, "documentation": d} for n, t, d in spec]

    paging = " Pages: _count (0-1000, default 100; 0 gives the total alone) and _offset; the Bundle links first, " \
             "previous, next and last pages."
    return {
        "resourceType": "CapabilityStatement",
        "id": "graphkit",
        "name": "GraphkitFhirFacade",
        "title": "graphkit: a read-only FHIR R4 facade over the knowledge graph of England's primary-care "
        "organisations",
        "status": "active",
        "experimental": False,
        "date": CAPABILITY_DATE,
        "publisher": "graphkit",
        "description": "Organizations (ODS codes, ODS role codes with their dates, every name) and their ties as "
        "OrganizationAffiliations (PCN memberships, commissioners, systems, regions, federations...), on any date, "
        "with the source file of every fact. Read-only; JSON only. Differs from the NHS ODS FHIR API (Organisation "
        "Data Terminology): see docs/api.md, 'FHIR R4'.",
        "kind": "instance",
        "software": {"name": "graphkit", "version": version},
        "implementation": {"description": "graphkit FHIR R4 facade", "url": base},
        "fhirVersion": FHIR_VERSION,
        "format": ["json"],
        "rest": [{
            "mode": "server",
            "documentation": "Read and search only. Errors are OperationOutcome resources with the HTTP status of the "
            "API's error envelope.",
            "resource": [
                {"type": "Organization", "interaction": [{"code": "read"}, {"code": "search-type"}],
                 "documentation": "id = the ODS code (or the project's code of an organisation outside ODS); read "
                 "takes as_of too." + paging,
                 "searchParam": params(ORGANIZATION_SEARCH)},
                {"type": "OrganizationAffiliation", "interaction": [{"code": "read"}, {"code": "search-type"}],
                 "documentation": "One per tie of the graph." + paging,
                 "searchParam": params(AFFILIATION_SEARCH)},
            ],
        }],
    }


# -- from the store -------------------------------------------------------------------------------------------------
#: the tie that leads from an organisation of each level (graphkit.store.base.level_of) to the one it is part of:
#: the hierarchy of /organisations/{code}/hierarchy without its PCN level (a network: an OrganizationAffiliation)
PART_OF_VIA = {"practice": "CommissionerAssignment", "PCN": "CommissionerAssignment",
               "commissioner": "SystemMembership", "system": "RegionMembership"}


def part_of(view: OrganisationView) -> tuple[str, str] | None:
    """(code, name) of the organisation ``view`` is part of on its date: a practice's or PCN's commissioner (CCG or
    sub-ICB location), a commissioner's system (STP or ICB), a system's region; None when there is none, or two
    (a conflict the data-quality report names)."""
    from graphkit.store.base import level_of

    via = PART_OF_VIA.get(level_of(view.kinds))
    above = sorted({(t.organisation, t.organisation_name) for t in view.parents if t.kind == via})
    return above[0] if len(above) == 1 else None


def organization_of(store: GraphStore, code: str, as_of: dt.date) -> dict[str, Any]:
    """The Organization of ``code`` on ``as_of`` (NotFound names an unknown code)."""
    view = store.organisation(code, as_of)
    return organization(view, store.roles(code), as_of, part_of=part_of(view))
