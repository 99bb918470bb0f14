"""Merge rule 4, continued (graphkit/ingest/merge.py ``date_between_snapshots``): a change the files show only
between two snapshots is dated by the best evidence inside the interval it is known to lie in, and keeps that
interval and its basis; rules 2 and 3 report a newer file's earlier end as a conflict naming both files."""

from __future__ import annotations

import datetime as dt

from graphkit.core.model import ImportResult, Organisation, RegionObservation, Relation, RoleHolding, Source
from graphkit.ingest.merge import merge

D = dt.date.fromisoformat


def _source(slug: str, kind: str, vintage: str) -> Source:
    return Source(slug, f"{slug}.csv", kind, D(vintage), "0" * 64, "NHS Digital", "OGL-UK-3.0")


def _map(slug: str, vintage: str, system_of: dict[str, str], region_of: dict[str, str]) -> ImportResult:
    """A practice-map-like snapshot: commissioner -> system, system -> region, observed on the vintage."""
    r = ImportResult(_source(slug, "gp-reg-pat-prac-map", vintage))
    line = 2
    for area, system in system_of.items():
        r.organisations.append(Organisation(area, f"area {area}", ("ClinicalCommissioningGroup",), line))
        r.relations.append(Relation("SystemMembership", area, system, line, observed=D(vintage)))
        line += 1
    for system, region in region_of.items():
        r.organisations.append(Organisation(system, f"system {system}", ("IntegratedCareBoard",), line))
        r.relations.append(Relation("RegionMembership", system, region, line, observed=D(vintage)))
        line += 1
    return r


def _roles(*holdings: tuple[str, str, str | None, str | None]) -> ImportResult:
    r = ImportResult(_source("roles_2025-12", "eccg", "2025-12-01"))
    for i, (code, role, start, end) in enumerate(holdings, start=2):
        r.roles.append(RoleHolding(code, role, i, D(start) if start else None, D(end) if end else None))
    return r


def _tie(graph, kind: str, member: str, organisation: str):
    [t] = [t for t in graph.ties if (t.kind, t.member, t.organisation) == (kind, member, organisation)]
    return t


def test_a_move_between_systems_is_dated_by_the_day_their_roles_name_inside_its_interval() -> None:
    old = _map("map_2022-01", "2022-01-01", {"X1A": "QAA", "X2B": "QBB"}, {"QAA": "Y63", "QBB": "Y60"})
    new = _map("map_2025-12", "2025-12-01", {"X1A": "QBB", "X2B": "QBB"}, {"QAA": "Y63", "QBB": "Y60"})
    roles = _roles(("QAA", "RO262", None, "2022-06-30"), ("QAA", "RO318", "2022-07-01", None),
                   ("QBB", "RO318", "2022-07-01", None))
    pay = ImportResult(_source("nhspaymentsgp_2020-21", "nhs-payments-gp", "2021-03-31"))
    pay.region_observations.append(RegionObservation("X1A", "Y63", 40, D("2021-03-31")))  # still QAA's region
    pay22 = ImportResult(_source("nhspaymentsgp_2021-22", "nhs-payments-gp", "2022-03-31"))
    pay22.region_observations.append(RegionObservation("X1A", "Y60", 41, D("2022-03-31")))  # QBB's: bounds nothing
    g = merge([old, new, roles, pay, pay22])
    moved = _tie(g, "SystemMembership", "X1A", "QBB")
    assert moved.start == D("2022-07-01")
    assert moved.start_interval == (D("2022-01-02"), D("2025-12-01"))
    assert "QAA held RO262 until 2022-06-30" in (moved.start_basis or "")
    assert "nhspaymentsgp_2021-22 line 41" in (moved.start_basis or "")
    before = _tie(g, "SystemMembership", "X1A", "QAA")
    assert (before.end, before.end_inferred) == (D("2022-06-30"), True)
    assert g.inferred == [moved]
    # the member that did not move keeps one open tie, with no interval
    stayed = _tie(g, "SystemMembership", "X2B", "QBB")
    assert (stayed.start, stayed.end, stayed.start_interval) == (D("2022-01-01"), None, None)


def test_a_payments_region_of_the_old_system_after_the_roles_day_moves_the_day_to_the_year_after() -> None:
    old = _map("map_2022-01", "2022-01-01", {"X1A": "QAA"}, {"QAA": "Y63", "QBB": "Y60"})
    new = _map("map_2025-12", "2025-12-01", {"X1A": "QBB"}, {"QAA": "Y63", "QBB": "Y60"})
    roles = _roles(("QAA", "RO262", None, "2022-06-30"), ("QBB", "RO318", "2022-07-01", None))
    pay = ImportResult(_source("nhspaymentsgp_2022-23", "nhs-payments-gp", "2023-03-31"))
    pay.region_observations.append(RegionObservation("X1A", "Y63", 7, D("2023-03-31")))
    g = merge([old, new, roles, pay])
    moved = _tie(g, "SystemMembership", "X1A", "QBB")
    # the roles' day is no longer inside the interval: no evidence names a day, so the first file showing it
    assert moved.start_interval == (D("2023-04-01"), D("2025-12-01"))
    assert moved.start == D("2025-12-01")
    assert "no evidence names a day" in (moved.start_basis or "")
    assert g.inferred == []
    assert _tie(g, "SystemMembership", "X1A", "QAA").end_inferred is False


def test_an_old_organisation_closing_the_day_before_the_new_one_opens_dates_the_change_exactly() -> None:
    old = ImportResult(_source("epcn_2019-12", "epcn", "2019-12-01"))
    old.organisations += [Organisation("04D", "old CCG", ("ClinicalCommissioningGroup",), 2, end=D("2020-03-31")),
                          Organisation("U38661", "a PCN", ("PrimaryCareNetwork",), 3)]
    old.relations.append(Relation("CommissionerAssignment", "U38661", "04D", 3, observed=D("2019-12-01")))
    new = ImportResult(_source("epcn_2022-05", "epcn", "2022-05-01"))
    new.organisations.append(Organisation("71E", "new CCG", ("ClinicalCommissioningGroup",), 2, start=D("2020-04-01")))
    new.relations.append(Relation("CommissionerAssignment", "U38661", "71E", 9, observed=D("2022-05-01")))
    g = merge([old, new])
    moved = _tie(g, "CommissionerAssignment", "U38661", "71E")
    assert (moved.start, moved.start_interval) == (D("2020-04-01"), (D("2020-04-01"), D("2020-04-01")))
    assert "04D closed on 2020-03-31" in (moved.start_basis or "")
    assert "71E opened on 2020-04-01" in (moved.start_basis or "")
    assert _tie(g, "CommissionerAssignment", "U38661", "04D").end == D("2020-03-31")


def test_a_newer_file_ending_a_tie_before_an_older_file_showed_it_is_a_conflict_naming_both() -> None:
    older = ImportResult(_source("epraccur_2019-12", "epraccur", "2019-12-01"))
    older.relations.append(Relation("CommissionerAssignment", "A82060", "01H", 14, start=D("2013-04-01"),
                                    observed=D("2019-12-01")))
    newer = ImportResult(_source("epraccur_2023-12", "epraccur", "2023-12-01"))
    newer.relations.append(Relation("CommissionerAssignment", "A82060", "01H", 15, start=D("2013-04-01"),
                                    end=D("2019-11-30")))
    g = merge([older, newer])
    assert _tie(g, "CommissionerAssignment", "A82060", "01H").end == D("2019-11-30")
    [c] = g.conflicts
    assert (c.rule, c.source.slug, c.line, c.day) == ("newer-file-ends-tie-earlier", "epraccur_2019-12", 14,
                                                      D("2019-12-01"))
    assert "epraccur_2023-12 line 15 ends it on 2019-11-30" in c.reason
    # a newer file that agrees, or ends the tie after the older file's date, is no conflict
    later = ImportResult(_source("epraccur_2023-12", "epraccur", "2023-12-01"))
    later.relations.append(Relation("CommissionerAssignment", "A82060", "01H", 15, start=D("2013-04-01"),
                                    end=D("2020-03-31")))
    assert merge([older, later]).conflicts == []


def test_a_payments_commissioner_or_region_the_graph_does_not_hold_is_a_conflict_naming_the_graphs_files() -> None:
    from graphkit.core.model import ContractFact

    dated = ImportResult(_source("epraccur_2023-12", "epraccur", "2023-12-01"))
    dated.relations.append(Relation("CommissionerAssignment", "M85721", "05L", 7, start=D("2013-04-01"),
                                    end=D("2022-06-30")))
    maps = _map("map_2022-01", "2022-01-01", {"05L": "QUA"}, {"QUA": "Y60"})
    pay = ImportResult(_source("nhspaymentsgp_2021-22", "nhs-payments-gp", "2022-03-31"))
    pay.contracts += [ContractFact("M85721", "2021-22", "GMS", "D2P2L", 12),
                      ContractFact("M85722", "2021-22", "GMS", "05L", 13)]  # no tie in the graph: not a conflict
    pay.region_observations += [RegionObservation("05L", "Y60", 12, D("2022-03-31")),
                                RegionObservation("05L", "Y61", 14, D("2022-03-31"))]
    g = merge([dated, maps, pay])
    got = sorted((c.kind, c.member, c.organisation, c.line) for c in g.conflicts)
    assert got == [("CommissionerAssignment", "M85721", "D2P2L", 12), ("RegionMembership", "05L", "Y61", 14)]
    assert all(c.rule == "payments-geography-differs" for c in g.conflicts)
    assert "05L (epraccur_2023-12)" in next(c.reason for c in g.conflicts if c.line == 12)
