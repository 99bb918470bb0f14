"""Clinical elites and restratification (domain-model §3.5).

Input: the curated layers on every date (``GraphStore.history``: ``PostHolding`` edges person -> organisation with
``start``/``end``, ``UnitMembership`` unit -> organisation, organisations with a ``kind``) and a date.

Definitions (§3.5, Freidson's restratification in seed 000, ``000:106``, ``000:390``, ``000:396-398``):

* A **clinical post** is a post in a practice as a GP, nurse or practice manager (roles :data:`PROFESSION_BY_ROLE`).
* A **governance post** is a post in a body above or beside the practice (:data:`GOVERNANCE_KINDS`: CCG and its
  governing body and committees, PCT, federation and its board, LMC, STP/ICS/ICB and their boards, other governance
  bodies), or a PCN clinical director's post. A member organisation leads' group (one lead per practice, Small's
  MOL) and a patient representative's seat are representation of the rank and file, not governance posts.
* A **clinical-elite** person holds a clinical post and a governance post on the same day; a **rank-and-file**
  clinician holds clinical posts only.
* A **seat** is a post in a governing body (:data:`SEAT_KINDS`: federation boards, CCG governing bodies and
  committees, STP boards and other governance bodies) or a board role on the organisation itself.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import networkx as nx

from graphkit.analysis._common import SCALE_LEVEL_BY_KIND
from graphkit.analysis.history import (
    PRACTICE_KINDS,
    Post,
    acting_for,
    kind_of,
    posts,
    within,
)
from graphkit.core.temporal import holds_on

#: The profession a clinical post shows, by its role.
PROFESSION_BY_ROLE: Mapping[str, str] = {
    "GPPartner": "GP", "SalariedGP": "GP", "PracticeNurse": "nurse", "PracticeManager": "practice manager",
}
#: Bodies above or beside the practice whose posts are governance posts (§3.5).
GOVERNANCE_KINDS = frozenset({
    "ClinicalCommissioningGroup", "SubICBLocation", "CCGGoverningBody", "CCGCommittee", "PrimaryCareTrust",
    "CommissioningBody", "GPFederation", "FederationBoard", "SubfederationGroup", "LocalMedicalCommittee",
    "SustainabilityAndTransformationPartnership", "STPBoard", "IntegratedCareSystem", "IntegratedCareBoard",
    "GovernanceBody", "GPProviderCollaborative", "NHSEngland", "NHSEnglandRegion",
})
#: Governing bodies: a post in one is a seat.
SEAT_KINDS = frozenset({"FederationBoard", "CCGGoverningBody", "CCGCommittee", "STPBoard", "GovernanceBody"})
#: Board roles: a post with one of these, on the organisation itself, is a seat too.
BOARD_ROLES = frozenset({
    "BoardChair", "BoardGPMember", "BoardDirector", "NonExecutiveDirector", "BoardSecretary",
    "CCGGoverningBodyMember", "STPBoardMember", "CommitteeMember",
})
#: Roles that represent the rank and file or the public rather than govern.
NOT_GOVERNANCE_ROLES = frozenset({"MemberOrganisationLead", "PatientRepresentative"})


def is_clinical(G: nx.Graph, p: Post) -> bool:
    return kind_of(G, p.organisation) in PRACTICE_KINDS and p.role in PROFESSION_BY_ROLE


def is_governance(G: nx.Graph, p: Post) -> bool:
    if p.role in NOT_GOVERNANCE_ROLES:
        return False
    kind = kind_of(G, p.organisation)
    return kind in GOVERNANCE_KINDS or (p.role == "PCNClinicalDirector")


def is_seat(G: nx.Graph, p: Post) -> bool:
    if p.role in NOT_GOVERNANCE_ROLES:
        return False
    return kind_of(G, p.organisation) in SEAT_KINDS or (p.role in BOARD_ROLES and is_governance(G, p))


def on(ps: Iterable[Post], day: dt.date) -> list[Post]:
    return [p for p in ps if holds_on(p.start, p.end, day)]


def level(G: nx.Graph, org: str, day: dt.date) -> int | None:
    """The scale level of the organisation a post in ``org`` acts for (a board's federation, a governing body's
    CCG): 1 practice, 2 PCN / subfederation group, 3 federation / CCG / LMC, 4 STP / ICS / ICB, 5 national."""
    for parent, _ in acting_for(G, org, (day, day)):
        found = SCALE_LEVEL_BY_KIND.get(kind_of(G, parent) or "")
        if found is not None:
            return found
    return SCALE_LEVEL_BY_KIND.get(kind_of(G, org) or "")


def gini(values: Iterable[float]) -> float | None:
    """Gini coefficient of non-negative values: 0 when all are equal, (n-1)/n when one holds everything; None when
    there are none or all are zero.

    >>> gini([1, 1, 1, 1]), gini([0, 0, 0, 4]), gini([0, 0])
    (0.0, 0.75, None)
    >>> round(gini([1, 2, 3, 4]), 4)   # 2·(1·1+2·2+3·3+4·4)/(4·10) − 5/4
    0.25
    """
    xs = sorted(float(v) for v in values)
    n, total = len(xs), sum(xs)
    if n == 0 or total == 0:
        return None
    return 2 * sum((i + 1) * x for i, x in enumerate(xs)) / (n * total) - (n + 1) / n


def top_decile_share(values: Iterable[float]) -> float | None:
    """Share of the total held by the top tenth of holders (at least one holder): ``ceil(n/10)`` largest / total.

    >>> top_decile_share([5] + [1] * 9), top_decile_share([0, 0])
    (0.35714285714285715, None)
    """
    xs = sorted((float(v) for v in values), reverse=True)
    total = sum(xs)
    if not xs or total == 0:
        return None
    return sum(xs[: math.ceil(len(xs) / 10)]) / total


@dataclass(frozen=True)
class PersonStrata:
    """One person's posts on the day, read as clinical and governance posts."""

    person: str
    name: str | None
    elite: bool
    professions: list[str]
    clinical_posts: list[dict[str, Any]]
    governance_posts: list[dict[str, Any]]
    strata: list[int]
    reason: str


@dataclass(frozen=True)
class EliteResult:
    as_of: dt.date
    area: str | None
    people: list[PersonStrata]
    elite: list[str]
    clinicians: int
    elite_clinicians: int
    seats: int
    elite_seats: int
    elite_seat_share: float | None
    seats_by_body: dict[str, dict[str, Any]]
    governance_posts_per_person: dict[str, int]
    gini: float | None
    top_decile_share: float | None
    strata_spanned: dict[str, int]
    restratification: dict[str, Any] | None
    oversight_by_peers: dict[str, Any] = field(default_factory=dict)
    definitions: dict[str, str] = field(default_factory=dict)


def _share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def people_on(G: nx.Graph, day: dt.date, scope: set[str] | None = None) -> dict[str, PersonStrata]:
    """Each person with a post on the day (in ``scope`` when given: a post at one of those organisations), read
    as clinical and governance posts, with whether they are clinical elite and why."""
    by_person: dict[str, list[Post]] = {}
    for p in posts(G):
        if holds_on(p.start, p.end, day):
            by_person.setdefault(p.person, []).append(p)
    out: dict[str, PersonStrata] = {}
    for person, held in sorted(by_person.items()):
        if scope is not None and not any(p.organisation in scope for p in held):
            continue
        clinical = [p for p in held if is_clinical(G, p)]
        governance = [p for p in held if is_governance(G, p)]
        elite = bool(clinical and governance)
        professions = sorted({PROFESSION_BY_ROLE[p.role] for p in clinical if p.role})
        levels = sorted({lv for p in held if (lv := level(G, p.organisation, day)) is not None})
        if elite:
            homes = ", ".join(sorted({p.organisation for p in clinical}))
            bodies = ", ".join(sorted({p.organisation for p in governance}))
            reason = f"clinical post ({', '.join(professions)}) at {homes} and governance post at {bodies} on {day}"
        elif clinical:
            reason = "clinical posts only: rank and file"
        else:
            reason = ("no clinical post in a practice: not a clinician" if governance
                      else "no clinical or governance post")
        out[person] = PersonStrata(
            person=person, name=G.nodes[person].get("name") if person in G else None, elite=elite,
            professions=professions, clinical_posts=[p.evidence() for p in clinical],
            governance_posts=[p.evidence() for p in governance], strata=levels, reason=reason,
        )
    return out


def clinical_elites(G: nx.Graph, as_of: dt.date, *, area: str | None = None,
                    since: dt.date | None = None) -> EliteResult:
    """Clinical elites on ``as_of`` (in ``area`` when given: the posts at the area, its units and members, one level
    down at a time, see :func:`graphkit.analysis.history.within`), with:

    * elite seat share = seats held by clinical-elite persons / seats (§3.5 "elite share");
    * concentration: the Gini coefficient and top-decile share of governance posts per person, over every person
      holding a post in scope (those with none count as 0: a narrow elite shows as a high Gini);
    * strata spanned: for each clinical-elite person, the number of distinct scale levels among their posts;
    * restratification (with ``since``): the share of clinicians (persons with a clinical post) who hold a
      governance post, on ``since`` and on ``as_of``, and its change (§3.5 restratification index);
    * oversight by peers: of the oversight and peer-review ties to practices, the share whose overseer has a
      clinical-elite carrier of a profession found at the practice (computed by the governance profile).

    Complexity: O(P log P + P·u) for P post holdings and u units per organisation.
    """
    scope = _scope(G, area, as_of)
    people = people_on(G, as_of, scope)
    seats_by_body: dict[str, dict[str, Any]] = {}
    for p in posts(G):
        if not holds_on(p.start, p.end, as_of) or (scope is not None and p.organisation not in scope):
            continue
        if not is_seat(G, p):
            continue
        body = seats_by_body.setdefault(p.organisation, {"seats": 0, "elite_seats": 0, "elite": []})
        body["seats"] += 1
        if people.get(p.person) is not None and people[p.person].elite:
            body["elite_seats"] += 1
            body["elite"].append(p.person)
    for body in seats_by_body.values():
        body["elite_share"] = _share(body["elite_seats"], body["seats"])
    seats = sum(b["seats"] for b in seats_by_body.values())
    elite_seats = sum(b["elite_seats"] for b in seats_by_body.values())
    per_person = {
        person: sum(1 for p in ps.governance_posts if scope is None or p["organisation"] in scope)
        for person, ps in people.items()
    }
    clinicians = [ps for ps in people.values() if ps.clinical_posts]
    restrat = None
    if since is not None:
        before = people_on(G, since, _scope(G, area, since))
        then_clin = [ps for ps in before.values() if ps.clinical_posts]
        share_then = _share(sum(ps.elite for ps in then_clin), len(then_clin))
        share_now = _share(sum(ps.elite for ps in clinicians), len(clinicians))
        restrat = {
            "since": since, "clinicians_then": len(then_clin), "elite_then": sum(ps.elite for ps in then_clin),
            "share_then": share_then, "clinicians_now": len(clinicians),
            "elite_now": sum(ps.elite for ps in clinicians), "share_now": share_now,
            "index": None if share_then is None or share_now is None else share_now - share_then,
        }
    elite = sorted(p for p, ps in people.items() if ps.elite)
    from graphkit.analysis import governance  # the governance profile reads the elites too

    return EliteResult(
        as_of=as_of, area=area, people=list(people.values()), elite=elite, clinicians=len(clinicians),
        elite_clinicians=len(elite), seats=seats, elite_seats=elite_seats,
        elite_seat_share=_share(elite_seats, seats), seats_by_body=dict(sorted(seats_by_body.items())),
        governance_posts_per_person=per_person, gini=gini(per_person.values()),
        top_decile_share=top_decile_share(per_person.values()),
        strata_spanned={p: len(people[p].strata) for p in elite}, restratification=restrat,
        oversight_by_peers=governance.governance_profile(G, as_of, area=area).peer_oversight,
        definitions={
            "clinical_post": "a post in a practice as GP, nurse or practice manager (roles "
                             + ", ".join(sorted(PROFESSION_BY_ROLE)) + ")",
            "governance_post": "a post in a body above or beside the practice (" + ", ".join(sorted(GOVERNANCE_KINDS))
                               + ") or as PCN clinical director; not a member organisation lead or patient "
                               "representative",
            "clinical_elite": "holds a clinical post and a governance post on the date (domain-model §3.5)",
            "seat": "a post in a governing body (" + ", ".join(sorted(SEAT_KINDS)) + ") or a board role",
        },
    )


def _scope(G: nx.Graph, area: str | None, day: dt.date) -> set[str] | None:
    return None if area is None else within(G, area, day)


def elite_people(G: nx.Graph, day: dt.date) -> dict[str, PersonStrata]:
    """Every person with a post on the day, keyed by id (for the governance profile's oversight carriers)."""
    return people_on(G, day)
