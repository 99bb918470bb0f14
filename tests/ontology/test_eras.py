"""Kinds that follow the dates, and dates that fit the history (ontology v2, step 4).

- The shapes of shapes.ttl section 11 (RoleEraShape, RoleEraQualityShape, CCGSubICBOverlapShape, PCNEraShape,
  KindSupportShape): their role codes and kinds agree with the ontology's mappings, a clean 2022 reform passes, a
  kind without a supporting holding gives only a warning. The bad_*.ttl fixtures of these shapes are checked with
  the others in test_ontology.py (EXPECTED_VIOLATIONS).
- The guide's query "kinds on a date" (docs/ontology.md section 5) gives what ``kinds_on`` (graphkit/store/base.py)
  gives: on the shape fixtures, and on every organisation of a store built from ODS files, either side of
  1 July 2022.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, SH

from graphkit.core.nhs import TIME_BOUNDED_CLASSES
from graphkit.rdf.emit import ONTOLOGY_GRAPH, RESOLVED
from graphkit.store.base import RoleRow, kinds_on
from tests.conftest import SEEDS
from tests.ontology.test_ontology import (
    GUIDE,
    ID,
    ODSROLE,
    PCG,
    PCGSH,
    codes_graph,
    data_graph,
    pcg_graph,
    shapes_graph,
    validation,
)

ODSROLE_IRI = str(ODSROLE)


def _selects(shape: URIRef) -> list[str]:
    g = shapes_graph()
    return [str(g.value(c, SH.select)) for c in g.objects(shape, SH.sparql)]


def _time_bounded_mappings() -> set[tuple[str, str]]:
    """(class, role code) for every role that pcg:mapsToClass a class marked pcg:timeBounded true."""
    bounded = set(pcg_graph().subjects(PCG.timeBounded, Literal(True)))
    return {(str(c).removeprefix(str(PCG)), str(r).removeprefix(ODSROLE_IRI))
            for r, c in codes_graph().subject_objects(PCG.mapsToClass) if c in bounded}


# ---------------------------------------------------------------------------------------------
# the shapes agree with the ontology


def test_kind_support_checks_the_time_bounded_kinds_and_their_roles() -> None:
    """KindSupportShape writes the role-kind pairs into its query (pySHACL does not copy annotations such as
    pcg:mapsToClass from the ontology graph): they must be the ontology's."""
    shape = PCGSH.KindSupportShape
    targets = {str(c).removeprefix(str(PCG)) for c in shapes_graph().objects(shape, SH.targetClass)}
    assert targets == set(TIME_BOUNDED_CLASSES)
    (select,) = _selects(shape)
    pairs = set(re.findall(r"\?value = pcg:(\w+) && \?r2 = <" + re.escape(ODSROLE_IRI) + r"(RO\d+)>", select))
    listed = set(re.findall(r"pcg:(\w+)", select.split("FILTER EXISTS")[0])) - {"odsRole", "holder"}
    assert pairs == _time_bounded_mappings()
    assert listed == targets
    assert {c for c, _ in _time_bounded_mappings()} == set(TIME_BOUNDED_CLASSES)


def test_the_era_shapes_name_the_roles_of_the_time_bounded_kinds_and_the_pcn_role() -> None:
    roles = {r for q in _selects(PCGSH.RoleEraShape) for r in re.findall(re.escape(ODSROLE_IRI) + r"(RO\d+)", q)}
    assert roles == {r for _, r in _time_bounded_mappings()} | {"RO272"}
    assert list(codes_graph().objects(ODSROLE.RO272, PCG.mapsToClass)) == [PCG.PrimaryCareNetwork]
    (overlap,) = _selects(PCGSH.CCGSubICBOverlapShape)
    assert {"RO98", "RO319"} == set(re.findall(re.escape(ODSROLE_IRI) + r"(RO\d+)", overlap))


def test_the_new_shapes_state_the_basis_of_their_dates() -> None:
    g = shapes_graph()
    for name in ("RoleEraShape", "RoleEraQualityShape", "CCGSubICBOverlapShape", "PCNEraShape", "KindSupportShape"):
        assert "National store" in str(g.value(PCGSH[name], RDFS.comment)), name
    assert "Health and Care Act 2022" in str(g.value(PCGSH.RoleEraShape, RDFS.comment))
    assert "Health and Social Care Act 2012" in str(g.value(PCGSH.RoleEraQualityShape, RDFS.comment))
    assert "Network Contract DES" in str(g.value(PCGSH.PCNEraShape, RDFS.comment))


def test_the_2022_reform_as_the_project_records_it_gives_no_result() -> None:
    conforms, keys, _ = validation("ok_ccg_to_sub_icb.ttl")
    assert conforms
    assert keys == ()


def test_a_kind_without_a_supporting_holding_gives_only_a_warning() -> None:
    conforms, keys, rows = validation("warn_kind_unsupported.ttl")
    assert conforms
    assert keys == (("Warning", str(ID["org/QHM"]), str(RDF.type), "SPARQLConstraintComponent"),)
    ((_, message, value),) = rows
    assert value == str(PCG.SustainabilityAndTransformationPartnership)
    assert "QHM" in message


def test_era_shapes_leave_undated_and_open_facts_of_their_era_alone() -> None:
    """good.ttl's PCN membership begins on 1 July 2019 itself and 16C, QHM have no role holdings: nothing."""
    _, keys, _ = validation("good.ttl")
    assert keys == ()


# ---------------------------------------------------------------------------------------------
# the guide's query "kinds on a date" agrees with kinds_on

_VALUES = re.compile(r"VALUES \(\?code \?day\) \{[^\n]*\}")


def _kinds_query() -> str:
    queries = [q for q in re.findall(r"```sparql\n(.*?)```", GUIDE.read_text(encoding="utf-8"), flags=re.S)
               if "pcg:timeBounded" in q]
    assert len(queries) == 1
    assert len(_VALUES.findall(queries[0])) == 1
    return queries[0]


def _with(query: str, pairs: list[tuple[str, dt.date]]) -> str:
    rows = " ".join(f'("{code}" "{day.isoformat()}"^^xsd:date)' for code, day in pairs)
    return _VALUES.sub(lambda _: f"VALUES (?code ?day) {{ {rows} }}", query)


def _local(iri: str) -> str:
    return iri.removeprefix(str(PCG))


DAYS = [dt.date(2015, 1, 1), dt.date(2021, 6, 1), dt.date(2022, 6, 30), dt.date(2022, 7, 1), dt.date(2025, 1, 1)]


def test_guide_query_kinds_on_a_date_on_the_shape_fixtures() -> None:
    """The guide's own example: 16C a CCG on 30 June 2022 and a sub-ICB location on 1 July 2022 when its holdings
    say so (ok_ccg_to_sub_icb.ttl); both on every day when it has none (good.ttl); as kinds_on says."""
    def answer(g: Graph, pairs: list[tuple[str, dt.date]]) -> dict[tuple[str, dt.date], set[str]]:
        out: dict[tuple[str, dt.date], set[str]] = {p: set() for p in pairs}
        for r in g.query(_with(_kinds_query(), pairs)):
            out[(str(r.code), r.day.toPython())].add(_local(str(r.kind)))
        return out

    onto = pcg_graph() + codes_graph()
    pairs = [(code, day) for code in ("16C", "QHM", "A81001") for day in DAYS]
    with_roles = answer(data_graph("ok_ccg_to_sub_icb.ttl") + onto, pairs)
    assert with_roles[("16C", dt.date(2022, 6, 30))] == {"ClinicalCommissioningGroup"}
    assert with_roles[("16C", dt.date(2022, 7, 1))] == {"SubICBLocation"}
    assert with_roles[("QHM", dt.date(2022, 6, 30))] == {"SustainabilityAndTransformationPartnership"}
    assert with_roles[("QHM", dt.date(2022, 7, 1))] == {"IntegratedCareBoard"}
    without = answer(data_graph("good.ttl") + onto, pairs)
    assert without[("16C", dt.date(2025, 1, 1))] == {"ClinicalCommissioningGroup", "SubICBLocation"}
    assert without[("A81001", dt.date(2015, 1, 1))] == {"GPPractice"}

    roles = [RoleRow("16C", "RO98", dt.date(2013, 4, 1), dt.date(2022, 6, 30)),
             RoleRow("16C", "RO319", dt.date(2022, 7, 1), None),
             RoleRow("QHM", "RO262", None, dt.date(2022, 6, 30)), RoleRow("QHM", "RO318", dt.date(2022, 7, 1), None)]
    all_kinds = {"16C": ("ClinicalCommissioningGroup", "SubICBLocation"),
                 "QHM": ("IntegratedCareBoard", "SustainabilityAndTransformationPartnership"),
                 "A81001": ("GPPractice",)}
    for (code, day), kinds in with_roles.items():
        assert kinds == set(kinds_on(all_kinds[code], [r for r in roles if r.code == code], day)), (code, day)
    for (code, day), kinds in without.items():
        assert kinds == set(kinds_on(all_kinds[code], [], day)), (code, day)


@pytest.fixture(scope="module")
def ods_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """A store built from the ODS commissioner file (CCGs that became sub-ICB locations, CCGs that merged away
    before 2022, commissioning hubs) and the ONS ICB list (ICBs from 1 July 2022): under a second to build."""
    from graphkit.store.build import InputFile, build
    from graphkit.store.oxigraph import OxigraphStore

    path: Path = tmp_path_factory.mktemp("eras") / "store"
    build([InputFile(SEEDS / "ods" / "eccg_2025-12.csv"), InputFile(SEEDS / "ods" / "icb_names_codes_dec_2024.csv")],
          path)
    store = OxigraphStore(path)
    yield store
    store.close()


def test_guide_query_kinds_on_a_date_agrees_with_kinds_on(ods_store: Any) -> None:
    rows, roles = ods_store.org_rows()
    by_code: dict[str, list[RoleRow]] = defaultdict(list)
    for r in roles:
        by_code[r.code].append(r)
    expected = {(row.code, day): set(kinds_on(row.all_kinds, by_code[row.code], day)) for row in rows for day in DAYS}

    found: dict[tuple[str, dt.date], set[str]] = {key: set() for key in expected}
    query = _with(_kinds_query(), list(expected))
    graphs = [ox.NamedNode(str(RESOLVED)), ox.NamedNode(str(ONTOLOGY_GRAPH))]  # as the guide says to run it
    for s in ods_store.dataset().query(query, default_graph=graphs):
        found[(s["code"].value, dt.date.fromisoformat(s["day"].value))].add(_local(s["kind"].value))
    assert found == expected

    # the store holds the cases that matter: codes that change kind on 1 July 2022, and CCGs gone before it
    assert expected[("16C", dt.date(2022, 6, 30))] == {"ClinicalCommissioningGroup"}
    assert expected[("16C", dt.date(2022, 7, 1))] == {"SubICBLocation"}
    assert expected[("QHM", dt.date(2022, 6, 30))] == set()
    assert expected[("QHM", dt.date(2022, 7, 1))] == {"IntegratedCareBoard"}
    codes = {code for code, _ in expected}
    changing = {c for c in codes if expected[(c, dt.date(2021, 6, 1))] != expected[(c, dt.date(2025, 1, 1))]}
    gone = {c for c in codes if "ClinicalCommissioningGroup" in expected[(c, dt.date(2015, 1, 1))]
            and not expected[(c, dt.date(2021, 6, 1))]}
    assert len(changing) > 100 and gone
    assert sum(len(k) for k in found.values()) > 500
