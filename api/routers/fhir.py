"""A read-only FHIR R4 facade: Organization and OrganizationAffiliation (read and search) and the
CapabilityStatement, as ``application/fhir+json`` (docs/api.md, "FHIR R4"; the resources: graphkit/outputs/fhir.py).

Errors under /fhir are FHIR OperationOutcome resources with the status and the code the API's error envelope would
have (the code as a coding, the message as diagnostics): the routes' own class turns every error of a route (a
malformed parameter, an unknown code, a bug) into one, and a catch-all answers unknown resources (404) and methods
other than GET (405) the same way. What the server's guard refuses before any route runs (an unknown Host, a body or
an answer too large) keeps the envelope.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Callable, Coroutine
from typing import Annotated, Any, Literal
from urllib.parse import urlencode

from fastapi import APIRouter, Path, Query, Request, Response
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from pydantic import BaseModel, ConfigDict, Field

import graphkit
from api.deps import CODE_PATTERN, DATE_PATTERN, Code, Store
from api.errors import described
from graphkit.core.nhs import LOCAL_CODE_SYSTEM, ODS_CODE_SYSTEM
from graphkit.core.temporal import parse_as_of
from graphkit.errors import BadParameter, GraphkitError, NotFound
from graphkit.outputs import fhir
from graphkit.store.base import TieView, tie_kinds

MEDIA_TYPE = "application/fhir+json"
MAX_COUNT = 200  # each entry is a whole resource, with its role holdings read for it
DEFAULT_COUNT = 100
_CODE = re.compile(CODE_PATTERN)


class FhirResponse(JSONResponse):
    media_type = MEDIA_TYPE


class UnsupportedSearch(GraphkitError, code="not_supported", http_status=400, exit_code=2):
    """A search FHIR allows that this facade does not answer (a date prefix other than eq, a role it cannot search
    by): 400, with an OperationOutcome of issue type not-supported."""


def outcome(status: int, code: str, message: str, issue: str | None = None) -> FhirResponse:
    return FhirResponse(fhir.operation_outcome(status, code, message, issue=issue), status_code=status)


class FhirRoute(APIRoute):
    """A route whose every error is an OperationOutcome (never the API's error envelope, never a bare 500)."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def fhir_handler(request: Request) -> Response:
            try:
                return await handler(request)
            except Exception as exc:  # as the envelope would say it (api/errors.py), as an OperationOutcome
                d = described(exc, request)
                response = outcome(d.status, d.code, d.message,
                                   "not-supported" if isinstance(exc, UnsupportedSearch) else None)
                response.headers.update(d.headers)
                return response

        return fhir_handler


router = APIRouter(prefix="/fhir", tags=["fhir"], route_class=FhirRoute)


# -- what the OpenAPI document says of the answers (the resources are FHIR's; these only outline them) ------------
class _Fhir(BaseModel):
    model_config = ConfigDict(extra="allow")


class FhirOrganization(_Fhir):
    """A FHIR R4 Organization (graphkit/outputs/fhir.py; docs/api.md, "FHIR R4")."""

    resourceType: Literal["Organization"] = Field(description="Always Organization.")
    id: str = Field(description="The ODS code (or the project's code of an organisation outside ODS).",
                    examples=["H84031"])
    identifier: list[dict[str, Any]] = Field(description="The code, system https://fhir.nhs.uk/Id/ods-organization-"
                                             "code (or https://w3id.org/pcgraph/id/org/ for the project's codes).")
    active: bool = Field(description="Open on as_of.")


class FhirOrganizationAffiliation(_Fhir):
    """A FHIR R4 OrganizationAffiliation: one tie of the graph."""

    resourceType: Literal["OrganizationAffiliation"] = Field(description="Always OrganizationAffiliation.")
    id: str = Field(description="member.organisation.kind.start.", examples=["H84031.U96434.PCNMembership.2024-10-01"])
    organization: dict[str, Any] = Field(description="The higher organisation (the PCN, commissioner, system, ...).")
    participatingOrganization: dict[str, Any] = Field(description="The member.")


class FhirBundle(_Fhir):
    """A FHIR R4 Bundle of type searchset."""

    resourceType: Literal["Bundle"] = Field(description="Always Bundle.")
    type: Literal["searchset"] = Field(description="Always searchset.")
    total: int = Field(description="Every match; entry holds the page asked for.", examples=[2])


class FhirCapabilityStatement(_Fhir):
    """A FHIR R4 CapabilityStatement."""

    resourceType: Literal["CapabilityStatement"] = Field(description="Always CapabilityStatement.")
    fhirVersion: Literal["4.0.1"] = Field(description="FHIR R4.")


class FhirOperationOutcome(_Fhir):
    """A FHIR R4 OperationOutcome: the error, with the API's error code as a coding of
    https://w3id.org/pcgraph/fhir/CodeSystem/error and its message as diagnostics."""

    resourceType: Literal["OperationOutcome"] = Field(description="Always OperationOutcome.")
    issue: list[dict[str, Any]] = Field(description="One issue: severity error, its FHIR issue type, the code and "
                                        "the message.")


def _errors(*statuses: int) -> dict[int | str, dict[str, Any]]:
    said = {
        400: "A search this facade does not answer (issue type not-supported), e.g. a date prefix other than eq or "
             "a type it cannot search by.",
        404: "No organisation (or tie) with that id; the message names it.",
        422: "A parameter is malformed; the message names it.",
        500: "A bug, logged by the server; no internals in the answer.",
    }
    return {s: {"model": FhirOperationOutcome, "description": said[s] + " An OperationOutcome."} for s in statuses}


AsOfParam = Annotated[str | None, Query(
    description="Facade extension (FHIR has no such parameter): the date the resources are taken at, YYYY-MM-DD; "
    "today when omitted. active, type, partOf and each role's active flag follow it.",
    examples=["2024-09-01"], pattern=DATE_PATTERN)]
CountParam = Annotated[int, Query(
    alias="_count", ge=0, le=MAX_COUNT, description=f"Most resources in the page (0 to {MAX_COUNT}; 0 gives the "
    "total alone).", examples=[20])]
OffsetParam = Annotated[int, Query(alias="_offset", ge=0, description="Matches to skip (the next page's is in the "
                                   "Bundle's next link).", examples=[0])]


def _base(request: Request) -> str:
    return str(request.base_url).rstrip("/") + "/fhir"


def _links(request: Request, resource: str, used: list[tuple[str, str]], total: int, count: int, offset: int
           ) -> list[tuple[str, str]]:
    """self, first, previous, next and last page, each with the parameters the search used."""
    def url(at: int) -> str:
        return f"{_base(request)}/{resource}?" + urlencode([*used, ("_count", str(count)), ("_offset", str(at))])

    links = [("self", url(offset))]
    if count:
        last = max(0, (total - 1) // count * count)
        links.append(("first", url(0)))
        if offset > 0:
            links.append(("previous", url(max(0, offset - count))))
        if offset + count < total:
            links.append(("next", url(offset + count)))
        links.append(("last", url(last)))
    return links


def _tokens(value: str) -> list[tuple[str | None, str]]:
    """(system, code) of each comma-separated token (system None when not given)."""
    out: list[tuple[str | None, str]] = []
    for part in value.split(","):
        system, bar, code = part.strip().partition("|")
        out.append((system or None, code) if bar else (None, system))
    return out


# -- routes ---------------------------------------------------------------------------------------------------------
@router.get(
    "/metadata",
    response_class=FhirResponse,
    responses={200: {"model": FhirCapabilityStatement, "description": "The CapabilityStatement."}, **_errors(500)},
    summary="FHIR CapabilityStatement of the facade",
    description="What the FHIR R4 facade answers: Organization and OrganizationAffiliation, read and search, their "
    "search parameters, JSON only, read-only (kind instance).",
)
def metadata(request: Request) -> FhirResponse:
    return FhirResponse(fhir.capability_statement(_base(request), graphkit.__version__))


@router.get(
    "/Organization/{code}",
    response_class=FhirResponse,
    responses={200: {"model": FhirOrganization, "description": "The Organization."}, **_errors(404, 422, 500)},
    summary="FHIR Organization by ODS code",
    description="The organisation as a FHIR R4 Organization taken on `as_of`: id and identifier its ODS code, name, "
    "older names as alias, active (open on the date), type (the ODS role codes it holds on the date, system "
    "ODSOrganisationRole, then the graph's kinds), every ODS role holding with its dates "
    "(Extension-England-OrganisationRole), its open and close dates (Extension-England-TypedPeriod, Operational), "
    "partOf (its commissioner, system or region on the date) and meta.source (the newest source file; every file in "
    "the source extensions). An unknown code is a 404 OperationOutcome.",
)
def read_organization(store: Store, code: Code, as_of: AsOfParam = None) -> FhirResponse:
    return FhirResponse(fhir.organization_of(store, code.upper(), parse_as_of(as_of)))


@router.get(
    "/Organization",
    response_class=FhirResponse,
    responses={200: {"model": FhirBundle, "description": "A searchset Bundle of Organizations."},
               **_errors(400, 422, 500)},
    summary="Search FHIR Organizations by name, type or identifier",
    description="Organizations as a searchset Bundle, by name (by default: the current name starts with the value, "
    "case and accents ignored; `name:contains`, `name:exact`), type (an ODS role code held on `as_of`, e.g. RO76 "
    "GP practice, RO272 PCN, RO319 sub-ICB location, RO98 CCG, RO318 ICB, or a kind of the graph, e.g. GPPractice; "
    "`system|code` or the code; comma-separated: any) and identifier (the ODS code, `system|code` or the code). By "
    "name and type: the organisations open on `as_of`, by name then code, from the search index held in memory. By "
    "identifier: that organisation whatever its dates (`active` says whether it is open). Paged by `_count` and "
    "`_offset`, with first, previous, next and last links.",
)
def search_organizations(
    request: Request,
    store: Store,
    count: CountParam = DEFAULT_COUNT,
    offset: OffsetParam = 0,
    as_of: AsOfParam = None,
    name: Annotated[str | None, Query(
        description="The current name starts with this (case and accents ignored).", examples=["JUBILEE"],
        min_length=1, max_length=100)] = None,
    name_contains: Annotated[str | None, Query(
        alias="name:contains", description="The current name contains this (case and accents ignored).",
        examples=["twickenham"], min_length=1, max_length=100)] = None,
    name_exact: Annotated[str | None, Query(
        alias="name:exact", description="The current name is exactly this.", examples=["JUBILEE SURGERY"],
        min_length=1, max_length=100)] = None,
    type: Annotated[str | None, Query(
        description="ODS role code or kind of the graph, as `system|code` or `code`; comma-separated: any.",
        examples=["RO272"], min_length=1, max_length=400)] = None,
    identifier: Annotated[str | None, Query(
        description="The organisation's code, as `system|code` or `code` (system "
        "https://fhir.nhs.uk/Id/ods-organization-code, or https://w3id.org/pcgraph/id/org/ for the project's codes).",
        examples=["https://fhir.nhs.uk/Id/ods-organization-code|H84031"], min_length=1, max_length=400)] = None,
) -> FhirResponse:
    day = parse_as_of(as_of)
    used = [(k, v) for k, v in (("name", name), ("name:contains", name_contains), ("name:exact", name_exact),
                                ("type", type), ("identifier", identifier), ("as_of", as_of)) if v is not None]
    names = [(mode, v) for mode, v in (("starts", name), ("contains", name_contains), ("exact", name_exact))
             if v is not None]
    kinds = _organisation_kinds(type) if type is not None else None

    def named(n: str) -> bool:
        return all(fhir.name_matches(n, v, mode) for mode, v in names)

    codes: list[str]
    if identifier is not None:
        code = _identified(identifier)
        codes = []
        if code is not None and kinds != []:
            try:
                view = store.organisation(code, day)
            except NotFound:  # unknown: no match
                view = None
            if view is not None and named(view.name) and (kinds is None or set(kinds) & set(view.kinds)):
                codes = [code]
        total = len(codes)
        codes = codes[offset : offset + count]
    elif not names and (kinds is None or len(kinds) == 1):  # the index pages itself
        page, total = store.search(None, kind=kinds[0] if kinds else None, as_of=day, limit=max(count, 1),
                                   offset=offset)
        codes = [h.code for h in page][:count]
    else:
        q = max((v for _, v in names), key=len, default=None)  # the index's own filter first: names containing it
        found: dict[str, str] = {}
        for kind in kinds if kinds is not None else [None]:
            hits, _ = store.search(q, kind=kind, as_of=day, limit=10**9, offset=0)
            found.update((h.code, h.name) for h in hits if named(h.name))
        ordered = sorted(found, key=lambda c: (found[c], c))
        total = len(ordered)
        codes = ordered[offset : offset + count]
    base = _base(request)
    entries = [(f"{base}/Organization/{c}", fhir.organization_of(store, c, day)) for c in codes]
    return FhirResponse(fhir.bundle(total, entries, _links(request, "Organization", used, total, count, offset)))


def _organisation_kinds(value: str) -> list[str]:
    """The graph's kinds a ``type`` token names (an empty list: none can match)."""
    roles = fhir.searchable_roles()
    kinds: list[str] = []
    for system, code in _tokens(value):
        if system in (None, fhir.ODS_ROLE_SYSTEM) and re.fullmatch(r"RO\d+", code):
            if code in roles:
                kinds.append(roles[code])
            elif fhir.role_display(code) is not None:
                raise UnsupportedSearch(
                    f"type {code} ({fhir.role_display(code)}) is an ODS role this facade cannot search by; it searches "
                    "by " + ", ".join(f"{r} ({fhir.role_display(r)})" for r in sorted(roles)),
                    details={"parameter": "type"})
        elif system in (None, fhir.KIND_SYSTEM) and code in _organisation_classes():
            kinds.append(code)
    return sorted(set(kinds))


@functools.cache
def _organisation_classes() -> frozenset[str]:
    from graphkit.ontology.vocab import PCG

    return frozenset({k for k in dir(PCG) if k[:1].isupper()} - set(tie_kinds()))


def _identified(value: str) -> str | None:
    """The code an ``identifier`` token names, when its system is one of the two of organisation codes."""
    system, bar, code = value.partition("|")
    if not bar:
        system, code = "", value
    if system not in ("", ODS_CODE_SYSTEM, LOCAL_CODE_SYSTEM) or not _CODE.match(code):
        return None
    return code.upper()


@router.get(
    "/OrganizationAffiliation/{id}",
    response_class=FhirResponse,
    responses={200: {"model": FhirOrganizationAffiliation, "description": "The OrganizationAffiliation."},
               **_errors(404, 422, 500)},
    summary="FHIR OrganizationAffiliation by id",
    description="One tie as an OrganizationAffiliation, by the id the searches give (`member.organisation.kind."
    "start`); `active` on `date` (today when omitted). An unknown id is a 404 OperationOutcome.",
)
def read_affiliation(
    store: Store,
    id: Annotated[str, Path(description="The OrganizationAffiliation's id, as a search gave it.",
                            examples=["H84031.U96434.PCNMembership.2024-10-01"], min_length=1, max_length=64,
                            pattern=r"^[A-Za-z0-9\-.]{1,64}$")],
    date: Annotated[str | None, Query(description="Facade extension: the day `active` is taken at, YYYY-MM-DD; "
                                      "today when omitted.", examples=["2024-09-01"], pattern=DATE_PATTERN)] = None,
) -> FhirResponse:
    day = parse_as_of(date, name="date")
    parsed = fhir.parse_affiliation_id(id)
    if parsed is not None:
        member, _, kind, _ = parsed
        candidates = store.ties_of_many([member.upper()], "up", kind=kind) if _CODE.match(member) \
            and kind in tie_kinds() else []
    elif re.fullmatch(r"h[0-9a-f]{40}", id):  # a digest: found among every tie (the held tie index, when built)
        candidates = store.ties_of_kinds(tie_kinds())
    else:
        candidates = []
    for t in candidates:
        if fhir.affiliation_id(t) == id:
            return FhirResponse(fhir.affiliation(t, day, fhir.source_vintages(store)))
    raise NotFound(f"no OrganizationAffiliation with id {id!r}", details={"id": id})


@router.get(
    "/OrganizationAffiliation",
    response_class=FhirResponse,
    responses={200: {"model": FhirBundle, "description": "A searchset Bundle of OrganizationAffiliations."},
               **_errors(400, 422, 500)},
    summary="Search FHIR OrganizationAffiliations: the ties of an organisation, on a date",
    description="Every tie as an OrganizationAffiliation (PCN membership, commissioner, system, region, federation "
    "and other curated memberships): `organization` the higher organisation, `participatingOrganization` the member, "
    "`period` the tie's dates (end inclusive), `code` its kind (an ODS relationship code where ODS has one: RE8 PCN "
    "membership, RE4 commissioner), `active` on `date` (today without it). `date=YYYY-MM-DD` (or `eq` before it) "
    "keeps the ties holding on that day; other prefixes are a 400. Unknown organisations match nothing. By start, "
    "kind, member and organisation; paged by `_count` and `_offset`.",
)
def search_affiliations(
    request: Request,
    store: Store,
    count: CountParam = DEFAULT_COUNT,
    offset: OffsetParam = 0,
    organization: Annotated[str | None, Query(
        description="The higher organisation: `Organization/{code}` or the code.", examples=["Organization/U96434"],
        min_length=1, max_length=400)] = None,
    participating: Annotated[str | None, Query(
        alias="participating-organization", description="The member: `Organization/{code}` or the code.",
        examples=["Organization/H84031"], min_length=1, max_length=400)] = None,
    date: Annotated[str | None, Query(
        description="A day, YYYY-MM-DD (optionally `eq2024-09-01`): the ties holding on it.", examples=["2024-09-01"],
        min_length=1, max_length=40)] = None,
    role: Annotated[str | None, Query(
        description="The tie's kind: an ODS relationship code (RE8, RE4, ...) or a kind of the graph "
        "(PCNMembership, ...), as `system|code` or `code`; comma-separated: any.", examples=["RE8"],
        min_length=1, max_length=400)] = None,
) -> FhirResponse:
    day = _holding_day(date) if date is not None else None
    kinds = _tie_kinds(role) if role is not None else None
    if organization is None and participating is None and kinds != []:
        # every tie of the country on every date is a bulk export, not a search: /export or GET /ties serve it
        raise UnsupportedSearch("give organization or participating-organization: a search of every tie of the "
                                "country is not answered here", details={"parameter": "organization"})
    used = [(k, v) for k, v in (("organization", organization), ("participating-organization", participating),
                                ("date", date), ("role", role)) if v is not None]
    parent = _referenced(organization, "organization") if organization is not None else None
    member = _referenced(participating, "participating-organization") if participating is not None else None
    ties: list[TieView]
    if kinds == [] or (organization is not None and parent is None) or (participating is not None and member is None):
        ties = []
    elif member is not None:
        ties = [t for t in store.ties_of_many([member], "up", as_of=day) if parent is None or t.organisation == parent]
    elif parent is not None:
        ties = store.ties_of_many([parent], "down", as_of=day)
    else:
        ties = store.ties_of_kinds(kinds or tie_kinds(), as_of=day)
    if kinds:
        ties = [t for t in ties if t.kind in kinds]
    ties.sort(key=lambda t: (t.start or dt.date.min, t.kind, t.member, t.organisation))
    total = len(ties)
    page = ties[offset : offset + count]
    vintages = fhir.source_vintages(store) if page else {}
    today = day or dt.date.today()
    base = _base(request)
    entries = []
    for t in page:
        resource = fhir.affiliation(t, today, vintages)
        entries.append((f"{base}/OrganizationAffiliation/{resource['id']}", resource))
    return FhirResponse(fhir.bundle(total, entries,
                                    _links(request, "OrganizationAffiliation", used, total, count, offset)))


def _holding_day(value: str) -> dt.date:
    prefix = value[:2]
    if prefix == "eq":
        value = value[2:]
        if not value:
            raise BadParameter("date: a day is needed after eq (eqYYYY-MM-DD)", details={"parameter": "date"})
    elif prefix in ("ne", "gt", "lt", "ge", "le", "sa", "eb", "ap"):
        raise UnsupportedSearch(f"date prefix {prefix!r} is not supported: give a day (YYYY-MM-DD, or eq before it) "
                                "to keep the ties holding on it", details={"parameter": "date"})
    return parse_as_of(value, name="date")


def _tie_kinds(value: str) -> list[str]:
    every = set(tie_kinds())
    kinds: set[str] = set()
    for system, code in _tokens(value):
        if system in (None, fhir.ODS_RELATIONSHIP_SYSTEM) and re.fullmatch(r"RE\d+", code):
            kinds |= {k for k in every if fhir.relationship_of(k) == code}
        elif system in (None, fhir.TIE_KIND_SYSTEM) and code in every:
            kinds.add(code)
    return sorted(kinds)


def _referenced(value: str, parameter: str) -> str | None:
    """The code of the Organization a reference parameter names (``Organization/U96434``, a full URL ending so, or the
    code); None for a code no organisation can have."""
    head, slash, code = value.rpartition("/")
    if slash and not (head == "Organization" or head.endswith("/Organization")):
        raise BadParameter(f"{parameter} must reference an Organization (Organization/{{code}} or the code), got "
                           f"{value!r}", details={"parameter": parameter})
    return code.upper() if _CODE.match(code) else None


# -- the rest of /fhir: unknown resources and methods, as OperationOutcomes -------------------------------------------
_OTHER_METHODS = ["GET", "HEAD", "OPTIONS", "POST", "PUT", "PATCH", "DELETE"]


@router.api_route("", methods=_OTHER_METHODS, include_in_schema=False)
@router.api_route("/{rest:path}", methods=_OTHER_METHODS, include_in_schema=False)
def elsewhere(request: Request) -> FhirResponse:
    if request.method != "GET":
        return outcome(405, "method_not_allowed", f"{request.method} is not allowed: this FHIR facade is read-only",
                       "not-supported")
    return outcome(404, "not_found", f"no FHIR route {request.url.path} (this facade serves Organization, "
                   "OrganizationAffiliation and metadata)", "not-supported")
