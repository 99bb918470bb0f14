"""People and the posts they hold: the boundary spanners' raw material (curated tables)."""

from __future__ import annotations

import dataclasses
from typing import Annotated

from fastapi import APIRouter, Path, Query

from api.deps import CODE_PATTERN, ERRORS, OptionalAsOf, Paging, Store
from api.schemas import Person, Post, PostList
from graphkit.core.temporal import holds_on
from graphkit.store.base import post_key

router = APIRouter(tags=["people"])


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
    held = [x for x in sorted(p.posts, key=post_key) if as_of is None or holds_on(x.start, x.end, as_of)]
    return Person.model_validate(dataclasses.replace(p, posts=tuple(held)))


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
    posts = sorted(
        store.posts(  # an unknown organisation is NotFound, named
            organisation=organisation.upper() if organisation else None,
            person=person.upper() if person else None,
            as_of=as_of,
        ),
        key=post_key,
    )
    if person is not None and not posts:
        store.person(person.upper())  # no posts: NotFound when nobody has the id
    return PostList(data=[Post.model_validate(p) for p in page.cut(posts)], count=len(posts))
