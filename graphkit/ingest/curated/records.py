"""The rows of a curated set made records: each table's ``Source`` and vintage, the checks that join tables of
the set (a post's person, a delivery's contract, a subcontract's parent), and one builder per table."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from graphkit.core import model
from graphkit.core.model import ImportResult, Source
from graphkit.errors import InputProblem
from graphkit.ingest.curated.read import Table
from graphkit.ingest.curated.tables import CURATED, FICTIONAL_CODE, TABLES, notation_of, vocabulary
from graphkit.ingest.curated.values import iso_date
from graphkit.ingest.importers.files import excerpt

#: Tie kinds that carry a rule's evidence: Hood mode, monitoring, sanction, compliance.
DIRECTIVE_KINDS = frozenset({"GovernanceTie", "DirectiveTie"})
#: The outcomes (concepts of pcg:OutcomeScheme) each kind of tie may have: an approach's, a bid's.
OUTCOMES = {
    "ApproachTie": ("ApproachJoined", "ApproachStayed", "ApproachRefused", "ApproachPending"),
    "BidTie": ("BidWon", "BidLost", "BidWithdrawn", "BidNotMade"),
}


def records(tables: list[Table], set_name: str, problems: list[InputProblem]) -> list[ImportResult]:
    """One import result per table of the set ``set_name``, dated by the table's '# vintage:' (else the set's first
    stated vintage, else the latest date in the set); every row that breaks a rule is a problem in ``problems``."""
    every_date = [d for t in tables for d in t.dates]
    stated = [d for d in (iso_date(t.meta.get("vintage", "")) for t in tables) if d is not None]
    results = []
    by_table = {t.name: t for t in tables}
    people = {row["person_id"]: line for line, row in by_table["people"].rows} if "people" in by_table else {}
    contracts: dict[str, tuple[int, dict[str, Any]]] = {}
    if "contracts" in by_table:
        for line, row in by_table["contracts"].rows:
            if row["contract_id"] in contracts:
                problems.append(InputProblem(str(by_table["contracts"].path), line, "contract_id",
                                             f"contract id already used on line {contracts[row['contract_id']][0]}",
                                             row["contract_id"]))
                continue
            contracts[row["contract_id"]] = (line, row)
    memberships = set(vocabulary()["org_membership"])
    for t in tables:
        own = iso_date(t.meta.get("vintage", ""))
        if own is not None or stated:
            vintage = own or stated[0]
        elif every_date:
            vintage = max(every_date)
        else:
            problems.append(InputProblem(str(t.path), None, "vintage", "no date in the set: add a comment line "
                                         "'# vintage: YYYY-MM-DD' (the day the table was last checked)"))
            continue
        source = Source(
            slug=f"{CURATED}-{set_name}-{t.name}",
            file_name=f"{set_name}/{t.path.name}",
            kind=f"{CURATED}-{t.name}",
            vintage=vintage,
            sha256=t.sha256,
            publisher=t.meta.get("publisher", "curated input (publisher not stated)"),
            licence=t.meta.get("licence", "not stated"),
            title=TABLES[t.name][0],
        )
        result = ImportResult(source=source, rows=len(t.rows) + len(t.repeats), rejects=list(t.repeats),
                              path=str(t.path))
        build_row: Callable[[ImportResult, int, dict[str, Any], Callable[[str, str, Any], None]], None]
        build_row = _BUILDERS[t.name]
        for line, row in t.rows:
            def problem(column: str, message: str, value: Any = None, _line: int = line, _t: Table = t) -> None:
                problems.append(InputProblem(str(_t.path), _line, column, message,
                                             None if value is None else excerpt(str(value))))

            if row.get("start") and row.get("end") and row["end"] < row["start"]:
                problem("end", f"ends before it starts ({row['start']})", row["end"])
                continue
            if t.name == "posts" and row["person_id"] not in people:
                problem("person_id", "no such person in people.csv of this set", row["person_id"])
                continue
            if t.name == "deliveries":
                if row["contract_id"] not in contracts:
                    problem("contract_id", "no such contract in contracts.csv of this set", row["contract_id"])
                    continue
                row = {**row, "holder": contracts[row["contract_id"]][1]["holder"]}
            if t.name == "contracts" and row.get("parent_contract") is not None:
                parent = contracts.get(row["parent_contract"])
                if parent is None:
                    problem("parent_contract", "no such contract in contracts.csv of this set", row["parent_contract"])
                    continue
                if row.get("commissioner") and row["commissioner"] != parent[1]["holder"]:
                    problem("commissioner", f"a subcontract's commissioner is the holder of its parent contract "
                            f"({parent[1]['holder']}); leave it empty", row["commissioner"])
                    continue
            if t.name == "contracts" and row.get("succeeds") is not None:
                if row["succeeds"] == row["contract_id"]:
                    problem("succeeds", "a contract does not succeed itself", row["succeeds"])
                    continue
                if row["succeeds"] not in contracts:
                    problem("succeeds", "no such contract in contracts.csv of this set", row["succeeds"])
                    continue
            if t.name == "memberships" and row["kind"] not in memberships:
                for column, key in (("tier", "membership_tier"), ("exit_reason", "exit_reason")):
                    if row.get(column) is not None:
                        problem(column, f"only a membership ({', '.join(sorted(memberships))}) has a {column}; a "
                                f"{row['kind']} is a dated relation", notation_of(key, row[column]))
                        break
                else:
                    build_row(result, line, row, problem)
                continue
            if t.name == "memberships" and row.get("exit_reason") is not None and row.get("end") is None:
                problem("exit_reason", "an exit reason is for a membership that ended: give its end",
                        notation_of("exit_reason", row["exit_reason"]))
                continue
            build_row(result, line, row, problem)
        results.append(result)
    return results


def _organisation(result: ImportResult, line: int, row: dict[str, Any], problem: Callable[..., None]) -> None:
    code, fictional = row["code"], bool(row.get("fictional"))
    if fictional and not FICTIONAL_CODE.match(code):
        problem("code", "a fictional organisation's code is ZZF- followed by letters and digits", code)
        return
    if FICTIONAL_CODE.match(code) and not fictional:
        problem("fictional", "a ZZF- code is reserved for fictional organisations: set fictional to true", code)
        return
    result.organisations.append(
        model.Organisation(
            code=code, name=row["name"], kinds=(row["kind"],), line=line, start=row.get("start"),
            end=row.get("end"), fictional=fictional, list_size=row.get("list_size"), citations=row["source"],
            central_functions=row.get("central_functions") or (), exit_costs=row.get("exit_costs") or (),
            note=row.get("note"), footprint_basis=row.get("footprint_basis"),
        )
    )


def _membership(result: ImportResult, line: int, row: dict[str, Any], problem: Callable[..., None]) -> None:
    if row["member"] == row["organisation"]:
        problem("organisation", "an organisation cannot be a member of itself", row["organisation"])
        return
    result.relations.append(
        model.Relation(kind=row["kind"], member=row["member"], organisation=row["organisation"], line=line,
                 start=row["start"], end=row.get("end"), citations=row["source"], note=row.get("note"),
                 tier=row.get("tier"), exit_reason=row.get("exit_reason"))
    )


def _person(result: ImportResult, line: int, row: dict[str, Any], problem: Callable[..., None]) -> None:
    pid, fictional = row["person_id"], bool(row.get("fictional"))
    if pid.startswith("ZZP-") != fictional:
        problem("fictional", "ZZP- ids are for fictional people, and fictional people have ZZP- ids", pid)
        return
    if any(p.person_id == pid for p in result.people):
        problem("person_id", "person id already used in this table", pid)
        return
    result.people.append(model.Person(pid, row["name"], line, fictional, row["source"], note=row.get("note")))


def _post(result: ImportResult, line: int, row: dict[str, Any], problem: Callable[..., None]) -> None:
    result.posts.append(
        model.PostHolding(
            person_id=row["person_id"], organisation=row["organisation"], role=row.get("role"), line=line,
            title=row.get("post"), start=row.get("start"), end=row.get("end"), represents=row.get("represents"),
            appointment=row.get("appointment"), voting=row.get("voting"), citations=row["source"],
            commissioning=row.get("commissioning"), note=row.get("note"),
        )
    )


def _contract(result: ImportResult, line: int, row: dict[str, Any], problem: Callable[..., None]) -> None:
    kind = row["kind"]
    if kind == "Subcontract" and row.get("parent_contract") is None:
        problem("parent_contract", "a Subcontract names its parent contract")
        return
    if kind != "Subcontract" and row.get("parent_contract") is not None:
        problem("kind", "only a Subcontract has a parent contract", kind)
        return
    if kind != "Subcontract" and row.get("commissioner") is None:
        problem("commissioner", "a contract other than a subcontract names its commissioner")
        return
    if row["holder"] in (row.get("supported_by") or ()):
        problem("supported_by", "the holder does not support its own contract", row["holder"])
        return
    result.agreements.append(
        model.Agreement(
            contract_id=row["contract_id"], kind=kind, holder=row["holder"], line=line,
            commissioner=row.get("commissioner"), service=row.get("service"), parent=row.get("parent_contract"),
            start=row.get("start"), end=row.get("end"), amount=row.get("amount_gbp"),
            supported_by=row.get("supported_by") or (), citations=row["source"], note=row.get("note"),
            succeeds=row.get("succeeds"),
        )
    )


def _delivery(result: ImportResult, line: int, row: dict[str, Any], problem: Callable[..., None]) -> None:
    if row["provider"] == row["holder"]:
        problem("provider", "the provider holds this contract itself; a delivery row is for another organisation",
                row["provider"])
        return
    result.deliveries.append(
        model.Delivery(provider=row["provider"], contract_id=row["contract_id"], holder=row["holder"], line=line,
                 start=row.get("start"), end=row.get("end"), citations=row["source"], note=row.get("note"))
    )


def _tie(result: ImportResult, line: int, row: dict[str, Any], problem: Callable[..., None]) -> None:
    if row["from"] == row["to"]:
        problem("to", "a tie joins two different organisations", row["to"])
        return
    kind = row["kind"]
    if kind == "GovernanceTie" and row.get("hood_mode") is None:
        problem("hood_mode", "a GovernanceTie names its Hood mode (a rule with no Hood mode is a DirectiveTie)")
        return
    if kind not in DIRECTIVE_KINDS and row.get("hood_mode") is not None:
        problem("hood_mode", "only a GovernanceTie or a DirectiveTie has a Hood mode (the ontology's pcg:hoodMode); "
                "describe other ties with mechanism", row["hood_mode"])
        return
    for column in ("monitored", "sanction", "compliance"):
        if kind not in DIRECTIVE_KINDS and row.get(column) is not None:
            problem(column, f"only a DirectiveTie or a GovernanceTie has {column}", row[column])
            return
    if kind != "DependenceTie" and row.get("function") is not None:
        problem("function", "only a DependenceTie names the function a member relies on the centre for",
                row["function"])
        return
    if kind != "GovernanceTie" and row.get("selection_basis") is not None:
        problem("selection_basis", "only a GovernanceTie (an inspection or review) says how the overseen were chosen",
                notation_of("selection_basis", row["selection_basis"]))
        return
    if row.get("outcome") is not None:
        allowed = OUTCOMES.get(kind)
        if allowed is None:
            problem("outcome", "only an ApproachTie or a BidTie has an outcome", notation_of("outcome", row["outcome"]))
            return
        if row["outcome"] not in allowed:
            problem("outcome", f"not an outcome of a tie of kind {kind}; one of: "
                    f"{', '.join(notation_of('outcome', c) for c in allowed)}", notation_of("outcome", row["outcome"]))
            return
    if kind != "BidTie" and row.get("lot") is not None:
        problem("lot", "only a BidTie names a tender's lot", row["lot"])
        return
    if row.get("status") == "TiePlanned" and row.get("end") is not None:
        problem("end", "a planned tie has not started, so it has no end", row["end"])
        return
    if row["kind"] != "CompetitionTie" and row.get("arena") is not None:
        problem("arena", "only a CompetitionTie has an arena", row["arena"])
        return
    if row.get("initiated_by") is not None and row["initiated_by"] not in (row["from"], row["to"]):
        problem("initiated_by", "the side that started a tie is its from or its to", row["initiated_by"])
        return
    result.lateral_ties.append(
        model.LateralTie(kind=row["kind"], tie_from=row["from"], tie_to=row["to"], line=line, start=row.get("start"),
                   end=row.get("end"), hood_mode=row.get("hood_mode"), mechanism=row.get("mechanism"),
                   arena=row.get("arena"), initiated_by=row.get("initiated_by"), horizon=row.get("horizon"),
                   status=row.get("status"), monitored=row.get("monitored"), sanction=row.get("sanction"),
                   compliance=row.get("compliance"), function=row.get("function"), citations=row["source"],
                   selection_basis=row.get("selection_basis"), outcome=row.get("outcome"), lot=row.get("lot"),
                   note=row.get("note"))
    )


_BUILDERS: dict[str, Callable[..., None]] = {
    "organisations": _organisation,
    "memberships": _membership,
    "people": _person,
    "posts": _post,
    "contracts": _contract,
    "deliveries": _delivery,
    "ties": _tie,
}
