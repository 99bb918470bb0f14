"""People and the posts they hold: the boundary spanners' raw material (curated tables)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Path, Query

from api.deps import CODE_PATTERN, ERRORS, OptionalAsOf, Paging, Store
from api.schemas import Person, Post, PostList
from graphkit.store.base import PostView, post_key
from graphkit.temporal import holds_on

router = APIRouter(tags=["people"])


def post_schema(p: PostView) -> Post:
    return Post(
        person_id=p.person_id,
        person_name=p.person_name,
        organisation=p.organisation,
        organisation_name=p.organisation_name,
        role=p.role,
        title=p.title,
        start=p.start,
        end=p.end,
        represents=p.represents,
        appointment=p.appointment,
        voting=p.voting,
        source=p.source,
        line=p.line,
        citations=list(p.citations),
    )


@router.get(
    "/people/{person_id}",
    response_model=Person,
    responses=ERRORS,
    summary="A person and every post they have held",
    description="A person from the curated tables (GMC-... for a doctor with a GMC number, ZZP-.../ZZQ-... for "
    "the project's own ids), with every post: organisation, role, title, dates, whom the post represents, "
    "how it was filled and whether it votes, each with its source line and citations. With `as_of`, only "
    "the posts held on that date.",
)
def get_person(
    store: Store,
    as_of: OptionalAsOf,
    person_id: Annotated[
        str,
        Path(description="Person id.", examples=["ZZP-EXP-CHAIR"], min_length=2, max_length=60,
             pattern=CODE_PATTERN),
    ],
) -> Person:
    p = store.person(person_id.upper())
    return Person(
        person_id=p.person_id,
        name=p.name,
        fictional=p.fictional,
        source=p.source,
        line=p.line,
        citations=list(p.citations),
        posts=[
            post_schema(x) for x in sorted(p.posts, key=post_key) if as_of is None or holds_on(x.start, x.end, as_of)
        ],
    )


@router.get(
    "/posts",
    response_model=PostList,
    responses=ERRORS,
    summary="Posts in an organisation, or held by a person",
    description="Posts (board seats, clinical directors, governing-body members, ...) in `organisation` or held "
    "by `person`, holding on `as_of` (all of history when it is omitted). Without either filter, every post.",
)
def list_posts(
    store: Store,
    as_of: OptionalAsOf,
    page: Paging,
    organisation: Annotated[
        str | None,
        Query(description="Code of the organisation the posts are in.", examples=["ZZF-EXPANDING-BOARD"],
              min_length=2, max_length=40, pattern=CODE_PATTERN),
    ] = None,
    person: Annotated[
        str | None,
        Query(description="Id of the person holding the posts.", examples=["ZZP-EXP-CHAIR"], min_length=2,
              max_length=60, pattern=CODE_PATTERN),
    ] = None,
) -> PostList:
    if organisation is not None:
        store.organisation(organisation.upper(), as_of or dt.date.today())  # NotFound names an unknown code
    if person is not None:
        store.person(person.upper())
    posts = sorted(
        store.posts(
            organisation=organisation.upper() if organisation else None,
            person=person.upper() if person else None,
            as_of=as_of,
        ),
        key=post_key,
    )
    return PostList(data=[post_schema(p) for p in page.cut(posts)], count=len(posts))
