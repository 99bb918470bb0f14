"""Contracts: who holds which contract, the services paid under it, subcontracts and who delivers under whom."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Query

from api.deps import CODE_PATTERN, DATE_PATTERN, ERRORS, Paging, Store
from api.schemas import Contract, ContractList, ServiceAmount
from graphkit.core import contract_kinds
from graphkit.core.temporal import parse_as_of
from graphkit.store.base import AgreementView, ContractView, GraphStore, financial_year_end
from graphkit.store.shared import descendants

router = APIRouter(tags=["contracts"])


def _code(description: str, example: str) -> object:
    return Query(description=description, examples=[example], min_length=2, max_length=40, pattern=CODE_PATTERN)


def payments_contract(c: ContractView) -> Contract:
    return Contract(
        id=f"{c.holder}/{c.financial_year}",
        origin="payments",
        kind=c.kind,
        stated_type=c.contract_type,
        holder=c.holder,
        holder_name=c.holder_name,
        commissioner=c.commissioner,
        financial_year=c.financial_year,
        amount_gbp=c.amount_gbp,
        services=[ServiceAmount(service=s, amount_gbp=a) for s, a in c.services],
        list_size=c.list_size,
        weighted_list_size=c.weighted_list_size,
        dispensing=c.dispensing,
        rurality=c.rurality,
        delivered_by=[],
        source=c.source,
        line=c.line,
    )


def curated_contract(a: AgreementView, names: dict[str, str]) -> Contract:
    return Contract(
        id=a.contract_id,
        origin="curated",
        kind=contract_kinds.kind_of_class(a.kind),
        holder=a.holder,
        holder_name=names.get(a.holder),
        commissioner=a.commissioner,
        start=a.start,
        end=a.end,
        amount_gbp=a.amount_gbp,
        services=[],
        service=a.service,
        parent=a.parent,
        delivered_by=list(a.delivered_by),
        supported_by=list(a.supported_by),
        succeeds=a.succeeds,
        note=a.note,
        source=a.source,
        line=a.line,
    )


def _overlaps_year(a: AgreementView, year: str) -> bool:
    last = financial_year_end(year)
    first = dt.date(last.year - 1, 4, 1)
    return (a.start is None or a.start <= last) and (a.end is None or a.end >= first)


@router.get(
    "/contracts",
    response_model=ContractList,
    responses=ERRORS,
    summary="Who holds which contract",
    description="Contracts of two origins, filtered alike. *payments*: each practice's contract for a financial "
    "year as NHS Payments to General Practice states it (`stated_type` GMS, PMS, APMS or Unknown), with the "
    "commissioner, list sizes and every enhanced or other service paid, with its amount. *curated*: contracts, "
    "subcontracts and service agreements from the curated tables, with the contract they sit under and the "
    "organisations that deliver under them. Every contract carries its `kind` in one vocabulary for both origins, "
    "the ontology's contract classes, and `type` filters on it: `type=APMS` and `type=APMSContract` both find the "
    "practices' APMS contracts and the curated APMSContract ones; an unknown `type` is a 422 listing the accepted "
    "ones. `dispensing` keeps the practices that dispensed (or did not) in the year. An unknown `holder`, "
    "`commissioner` or `within` is a 404. `within` keeps holders below an area on "
    "`as_of` (or, without it, on the last day of `year`, or today); `as_of` also keeps only curated contracts "
    "running on that date; `year` keeps practice contracts of that financial year and curated contracts running "
    "in it.",
)
def list_contracts(
    store: Store,
    page: Paging,
    holder: Annotated[str | None, _code("ODS code of the holder.", "A81001")] = None,
    type: Annotated[
        str | None,
        Query(description="Kind of contract (a kind includes its subclasses). " + contract_kinds.describe(),
              examples=["APMS"], max_length=60),
    ] = None,
    commissioner: Annotated[str | None, _code("ODS code of the commissioner as stated.", "16C")] = None,
    within: Annotated[str | None, _code("Code of an area: holders below it.", "QHM")] = None,
    year: Annotated[
        str | None,
        Query(description="Financial year, written 2022-23.", examples=["2022-23"], pattern=r"^\d{4}-\d{2}$"),
    ] = None,
    as_of: Annotated[
        str | None,
        Query(description="Date for the area and for curated contracts (YYYY-MM-DD).", examples=["2023-01-01"],
              pattern=DATE_PATTERN),
    ] = None,
    dispensing: Annotated[
        bool | None,
        Query(description="Only practice contracts of practices that dispensed (true) or did not (false) in the "
              "year, as the payments file states it; curated contracts state no dispensing and are left out.",
              examples=[True]),
    ] = None,
) -> ContractList:
    day = parse_as_of(as_of) if as_of else None
    kind = contract_kinds.resolve(type) if type is not None else None  # unknown: 422 listing the accepted kinds
    holder, commissioner, within = (c.upper() if c else None for c in (holder, commissioner, within))
    payments, n_payments = store.contracts_page(  # a year that is not a financial year: 422 naming `year`
        holder=holder, contract_type=kind, commissioner=commissioner, within=within, year=year, as_of=day,
        limit=page.limit, offset=page.offset, dispensing=dispensing,
    )
    curated = [] if dispensing is not None else curated_contracts(store, holder, kind, commissioner, within, year, day)
    # payments first (in the store's order: year, holder), then the curated contracts by id
    start = max(0, page.offset - n_payments)
    room = page.limit - len(payments)
    data = [payments_contract(c) for c in payments] + curated[start : start + room]
    return ContractList(data=data, count=n_payments + len(curated))


def curated_contracts(
    store: GraphStore, holder: str | None, kind: str | None, commissioner: str | None, within: str | None,
    year: str | None, day: dt.date | None,
) -> list[Contract]:
    """The curated contracts kept by the filters (``kind``: a kind of graphkit.core.contract_kinds, with its
    subclasses), by id."""
    agreements = store.agreements(as_of=day)
    if not agreements:
        return []
    area = None
    if within is not None:
        area = descendants(store, within, day or (financial_year_end(year) if year else dt.date.today())) | {within}
    kept = [
        a for a in agreements
        if (holder is None or a.holder == holder)
        and (kind is None or contract_kinds.is_a(contract_kinds.kind_of_class(a.kind), kind))
        and (commissioner is None or a.commissioner == commissioner)
        and (area is None or a.holder in area)
        and (year is None or _overlaps_year(a, year))
    ]
    rows, _ = store.org_rows(codes=sorted({a.holder for a in kept}))
    names = {r.code: r.name for r in rows}
    return sorted((curated_contract(a, names) for a in kept), key=lambda c: c.id)
