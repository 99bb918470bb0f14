"""The curated tables (docs/curated.md): their columns, the values a column may hold, and the empty templates.

Each table is a title and its columns, each column written as one line: its name (``*`` when required), its
kind (code, codes, text, date, bool, int, decimal, person, contract_id, contract_ref, sources, functions,
exit_costs, function, or a vocabulary key: organisation, membership, contract, tie, service, role, appointment,
hood_mode, arena, horizon, sanction, compliance, tie_status, selection_basis, outcome, membership_tier,
exit_reason, footprint_basis)
and its help, which the templates print.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from graphkit.errors import InputError, InputProblem

CURATED = "curated"
FICTIONAL_CODE = re.compile(r"^ZZF(-[0-9A-Z]+)+$")
PROJECT_CODE = re.compile(r"^ZZN(-[0-9A-Z]+)+$")
ODS_CODE = re.compile(r"^[0-9A-Z]{3,10}$")
PERSON_ID = re.compile(r"^(GMC-[0-9]{7}|ZZP(-[0-9A-Z]+)+|ZZQ(-[0-9A-Z]+)+)$")
SEED_CITATION = re.compile(r"^[0-9]{3}:[0-9]+(-[0-9]+)?$")
DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
CONTRACT_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")
AMOUNT = re.compile(r"^-?[0-9]{1,3}(,?[0-9]{3}){0,4}(\.[0-9]{1,4})?$")  # finite, under a thousand billion
APPOINTMENT = ("Elected", "CoOpted", "Appointed")
ARENAS = ("members", "contracts", "staff", "leadership")
HOOD_MODES = ("Oversight", "Competition", "Mutuality", "ContrivedRandomness")


# -- the vocabulary the tables may use, from the ontology ----------------------------------------


@functools.cache
def vocabulary() -> dict[str, tuple[str, ...]]:
    """Allowed values per kind of column, read from ontology/*.ttl (so they follow the ontology). Parsed by
    pyoxigraph (a build or an import reads the tables: rdflib took about 0.3 s to parse the ontology)."""
    import pyoxigraph as ox

    from graphkit.core.namespaces import PCG_NS
    from graphkit.ontology.vocabgen import ONTOLOGY_FILES, ROOT

    g = ox.Store()
    for name in ONTOLOGY_FILES:
        g.load(path=str(ROOT / "ontology" / name), format=ox.RdfFormat.TURTLE)
    pcg, org = str(PCG_NS), "http://www.w3.org/ns/org#"
    rdf_type = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
    sub_class = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#subClassOf")
    in_scheme = ox.NamedNode("http://www.w3.org/2004/02/skos/core#inScheme")
    notation = ox.NamedNode("http://www.w3.org/2004/02/skos/core#notation")
    subclass_of = [(q.subject, q.object) for q in g.quads_for_pattern(None, sub_class, None)]

    def below(*roots: str) -> set[Any]:
        found: set[Any] = {ox.NamedNode(r) for r in roots}
        changed = True
        while changed:
            changed = False
            for s, o in subclass_of:
                if o in found and s not in found:
                    found.add(s)
                    changed = True
        return found

    def local(terms: set[Any]) -> tuple[str, ...]:
        return tuple(sorted(t.value[len(pcg):] for t in terms if isinstance(t, ox.NamedNode)
                            and t.value.startswith(pcg)))

    def notations(scheme: str) -> dict[str, str]:
        return {n.object.value: c.subject.value[len(pcg):]
                for c in g.quads_for_pattern(None, in_scheme, ox.NamedNode(pcg + scheme))
                if isinstance(c.subject, ox.NamedNode)
                for n in g.quads_for_pattern(c.subject, notation, None) if isinstance(n.object, ox.Literal)}

    role_classes = below(org + "Role")
    functions = notations("CentralFunctionScheme")
    schemes = {key: notations(name) for key, name in SCHEMES.items()}
    return {
        **{f"{key}_notations": tuple(sorted(v)) for key, v in schemes.items()},
        **{f"{key}_concepts": tuple(v[n] for n in sorted(v)) for key, v in schemes.items()},
        "organisation": local(below(org + "Organization", org + "FormalOrganization", org + "OrganizationalUnit")),
        # memberships and dated relations (commissioning, part-of ...); a post holding has its own table
        "membership": tuple(k for k in local(below(org + "Membership", pcg + "DatedRelation"))
                            if k not in ("DatedRelation", "PostHolding")),
        # memberships proper (org:Membership), which alone have a tier or an exit reason
        "org_membership": tuple(k for k in local(below(org + "Membership")) if k != "PostHolding"),
        "contract": local(below(pcg + "Contract")),
        "tie": tuple(k for k in local(below(pcg + "Tie")) if k != "Tie"),
        "service": local(below(pcg + "Service")),
        "role": local({q.subject for c in role_classes for q in g.quads_for_pattern(None, rdf_type, c)}),
        "function_notations": tuple(sorted(functions)),
        "function_concepts": tuple(functions[n] for n in sorted(functions)),
    }


#: Columns whose values are the notations of an ontology concept scheme: column kind -> scheme (local name).
SCHEMES = {"sanction": "SanctionScheme", "compliance": "ComplianceScheme", "tie_status": "TieStatusScheme",
           "exit_cost": "ExitCostScheme", "selection_basis": "SelectionBasisScheme", "outcome": "OutcomeScheme",
           "membership_tier": "MembershipTierScheme", "exit_reason": "ExitReasonScheme",
           "footprint_basis": "FootprintBasisScheme"}


def concept_of(key: str, notation: str) -> str:
    """The concept (local name) of a notation of one of :data:`SCHEMES`, e.g. ``concept_of("sanction", "debated")``
    is ``"SanctionDebated"``."""
    v = vocabulary()
    return dict(zip(v[f"{key}_notations"], v[f"{key}_concepts"], strict=True))[notation]


def notation_of(key: str, concept: str) -> str:
    """The notation of a concept (local name) of one of :data:`SCHEMES`."""
    v = vocabulary()
    return dict(zip(v[f"{key}_concepts"], v[f"{key}_notations"], strict=True))[concept]


def function_concept(notation: str) -> str:
    v = vocabulary()
    return dict(zip(v["function_notations"], v["function_concepts"], strict=True))[notation]


def function_notation(concept: str) -> str:
    v = vocabulary()
    return dict(zip(v["function_concepts"], v["function_notations"], strict=True))[concept]


# -- the tables ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    name: str
    kind: str  # code, text, date, bool, int, decimal, person, contract, sources, or a vocabulary key
    required: bool
    help: str


def _table(title: str, *columns: str) -> tuple[str, tuple[Column, ...]]:
    """A table's title and its columns, each written "name[*] kind help" (``*``: required)."""
    out = []
    for spec in columns:
        name, kind, help = spec.split(None, 2)
        out.append(Column(name.rstrip("*"), kind, name.endswith("*"), " ".join(help.split())))
    return title, tuple(out)


SOURCE = ("source*  sources  where the fact comes from: a seed citation NNN:LINE or NNN:FIRST-LAST (e.g. 004:190-198), "
          "a URL or a short reference; several separated by ';'")
NOTE = "note  text  free text (e.g. 'year only: 1 January assumed')"
START = "start  date  first day it holds, YYYY-MM-DD"
END = "end  date  last day it holds, YYYY-MM-DD; empty: still holds"

TABLES: dict[str, tuple[str, tuple[Column, ...]]] = {
    "organisations": _table(
        "Organisations not in ODS (federations, boards, committees...) or fictional ones; an ODS code may be "
        "listed to add a kind ODS lacks.",
        "code*              code          ODS code, or ZZF-... (fictional) / ZZN-... (real, not in ODS)",
        "name*              text          the organisation's name",
        "kind*              organisation  an organisation class of the ontology, e.g. GPFederation",
        START,
        END,
        "fictional          bool          true for a fictional (case-study) organisation; its code is ZZF-...",
        "list_size          int           registered patients, as the source states them",
        "central_functions  functions     functions the centre runs for its members, separated by ';': "
        "cqc_registration, payroll, accounting, intranet, hr, clinical_system, monitoring, governance_team",
        "exit_costs         exit_costs    what a member must unwind to leave this federation, separated by ';': "
        "registration (a shared CQC registration), systems (shared systems), staff (staff employed by the centre), "
        "investment (a sunk investment)",
        "footprint_basis    footprint_basis  a grouping of practices: place (its population lies in one defined "
        "geographical area) or mosaic (its practices are scattered among other groupings'); empty: not stated",
        SOURCE,
        NOTE,
    ),
    "memberships": _table(
        "Dated memberships: a practice in a federation, a federation's board, a subfederation group...",
        "member*        code        code of the member",
        "organisation*  code        code of the organisation it is a member of",
        "kind*          membership  a membership class, e.g. FederationMembership, UnitMembership",
        "start*         date        first day of the membership, YYYY-MM-DD",
        END,
        "tier           membership_tier  a membership (not a dated relation): the terms it is held on, equal or "
        "second_tier (a latecomer on worse terms than the original members); empty: not stated",
        "exit_reason    exit_reason  a membership with an end: why it ended, switched (left to join another), left "
        "(joined none), dissolved (the organisation dissolved), merged (the member merged into another) or closed",
        SOURCE,
        NOTE,
    ),
    "people": _table(
        "People who hold posts. No personal data beyond a name, posts and dates.",
        "person_id*  person  GMC-nnnnnnn, or ZZP-... (fictional) / ZZQ-... (project-issued)",
        "name*       text    the name (for fictional people, a label such as 'Board member A')",
        "fictional   bool    true for a fictional person; the id is ZZP-...",
        SOURCE,
        NOTE,
    ),
    "posts": _table(
        "Posts held by people in organisations: board and committee seats, lead roles.",
        "person_id*     person       a person_id of people.csv",
        "organisation*  code         code of the organisation (board, committee, federation...)",
        "post           text         the post as the source names it, e.g. 'chair'",
        "role           role         an ontology role, e.g. BoardChair, CCGGoverningBodyMember (empty: none fits)",
        "represents     code         code of the organisation the post-holder represents",
        "appointment    appointment  Elected, CoOpted or Appointed",
        "voting         bool         true or false: the post carries a vote",
        "commissioning  bool         true when the post takes part in commissioning decisions (a CCG governing "
        "body seat), false when the source says it does not (a non-commissioning GP on the CCG); empty: not stated",
        START,
        END,
        SOURCE,
        NOTE,
    ),
    "contracts": _table(
        "Contracts and subcontracts (the payments files give the practice-year GMS/PMS/APMS contracts).",
        "contract_id*     contract_id   an id for this contract, unique in the set",
        "kind*            contract      a contract class, e.g. ServiceContract, Subcontract, CaretakerContract",
        "holder*          code          code of the organisation holding the contract",
        "commissioner     code          code of the commissioner; empty for a subcontract",
        "service          service       a service class, e.g. ExtendedAccessService",
        "parent_contract  contract_ref  a subcontract's parent: a contract_id of this table",
        "supported_by     codes         organisations that backed the bid or support delivery without holding the "
        "contract or delivering under it, separated by ';'",
        "succeeds         contract_ref  the contract this one replaces (a contract_id of this table): who held it "
        "before",
        START,
        END,
        "amount_gbp       decimal       value in pounds",
        SOURCE,
        NOTE,
    ),
    "deliveries": _table(
        "Organisations delivering a service under a contract another organisation holds.",
        "provider*     code          code of the organisation that delivers",
        "contract_id*  contract_ref  a contract_id of contracts.csv (its service is delivered)",
        START,
        END,
        SOURCE,
        NOTE,
    ),
    "ties": _table(
        "Lateral and governance ties between organisations (risk sharing, staff sharing, cover, peer networks, "
        "competition...).",
        "from*         code       code of the organisation the tie starts from",
        "to*           code       code of the organisation it points to",
        "kind*         tie        a tie class, e.g. RiskSharingTie, PeerNetworkTie, CompetitionTie, DirectiveTie, "
        "DependenceTie, EngagementTie, RepresentationTie, FacilitationTie, ApproachTie (from approached or applied "
        "to join the federation to), BidTie (from bid for a tender let by the commissioner to)",
        "hood_mode     hood_mode  Oversight, Competition, Mutuality or ContrivedRandomness: always for a "
        "GovernanceTie, optional for a DirectiveTie, for no other tie",
        "mechanism     text       the concrete mechanism, free text",
        "arena         arena      what a CompetitionTie competes for: members, contracts, staff or leadership",
        "initiated_by  code       which side started the tie (the code of from or to)",
        "horizon       horizon    future (builds for the medium or long term) or operational",
        "status        tie_status  planned (not yet in force), active, disputed, partial (in part, or not as "
        "intended) or ended (with no end date: ended on a day the source does not give); empty: in force as dated",
        "monitored     bool       a DirectiveTie or GovernanceTie: true when the centre checks the rule is "
        "followed, false when nobody does",
        "sanction      sanction   a DirectiveTie or GovernanceTie: debated (a sanction debated, not applied) or "
        "applied",
        "compliance    compliance  a DirectiveTie or GovernanceTie: complied, partial or not_complied (the member's)",
        "function      function   a DependenceTie: the central function the member relies on the centre for, e.g. "
        "payroll",
        "selection_basis  selection_basis  a GovernanceTie (an inspection or review): how the overseen were chosen: "
        "random, targeted, rolling or universal",
        "outcome       outcome    an ApproachTie: joined, stayed (did not join), refused (by the federation) or "
        "pending; a BidTie: won, lost, withdrawn or not_bid (decided not to bid)",
        "lot           text       a BidTie: the tender's lot, e.g. 'IAGP northern locality 2018' (bids to the same "
        "commissioner for the same lot are rivals)",
        START,
        END,
        SOURCE,
        NOTE,
    ),
}


def template_text(table: str) -> str:
    title, columns = TABLES[table]
    lines = [f"# {table}.csv: {title}", "# Lines starting with # are comments. Columns (* = required):"]
    for c in columns:
        lines.append(f"#   {c.name}{' *' if c.required else ''}: {c.help}")
    lines.append("# Optional comment lines read by graphkit: '# vintage: YYYY-MM-DD' (the day the table was last "
                 "checked), '# publisher: ...', '# licence: ...'. See docs/curated.md.")
    lines.append(",".join(c.name for c in columns))
    return "\n".join(lines) + "\n"


def write_templates(directory: Path, *, overwrite: bool = False) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for table in TABLES:
        path = directory / f"{table}.csv"
        if path.exists() and not overwrite:
            raise InputError(InputProblem(str(path), None, None, "exists already; not overwritten (--force replaces)"))
        path.write_text(template_text(table), encoding="utf-8")
        written.append(path)
    return written


def is_curated_table(path: Path) -> bool:
    """True when the file is named like a curated table (``organisations.csv``, ``posts.csv`` ...): it is
    then read as one, and a wrong header is reported column by column rather than as an unknown file."""
    return path.suffix == ".csv" and path.stem in TABLES
