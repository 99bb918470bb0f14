"""GET /contracts and its one vocabulary of contract kinds, on a store of the national files and the case studies
together (both stores): `type=APMS` finds the practices' APMS contracts and the curated APMSContract ones, an unknown
`type` is a 422 in the error envelope, an unknown commissioner a 404."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from api.app import create_app
from graphkit.config import Settings
from graphkit.core import contract_kinds
from tests.api.conftest import error, ok
from tests.conftest import CASES

pytestmark = [pytest.mark.integration]

# seeds/casestudies/contracts.csv: 27 APMSContract rows, 12 of them (ZZC-STR-APMS-OLD-01..12) ending 2017-03-31,
# the other 15 undated or running from April 2017 with no end; one GMSContract, one Subcontract
CURATED_APMS = 27
CURATED_APMS_RUNNING_IN_2022_23 = 15
# NHS Payments to General Practice 2022-23 (tests/api/test_routes.py): 235 APMS, 4,664 GMS practice contracts
NATIONAL_APMS_2022_23 = 235
NATIONAL_GMS_2022_23 = 4664


@pytest.fixture(scope="module")
def both_path(seed_store: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The seed store (national files) with the case studies imported into it: its path."""
    from graphkit.store.build import InputFile, import_files

    copy = tmp_path_factory.mktemp("national-and-cases") / "store"
    shutil.copytree(seed_store, copy)
    imports = seed_store.with_name("store.imports.json")
    if imports.exists():
        shutil.copy(imports, copy.with_name("store.imports.json"))
    import_files([InputFile(CASES)], copy)
    return copy


@pytest.fixture(scope="module")
def both_embedded(both_path: Path) -> object:
    from graphkit.store.oxigraph import OxigraphStore

    return OxigraphStore(both_path)


@pytest.fixture
def national_cases_neo4j(neo4j_driver: object, both_path: Path, both_embedded: object) -> object:
    """A Neo4jStore holding the same graph, from the records the import kept, as `graphkit load neo4j` reads them
    (it replaces the national graph: tests/conftest.py runs this module after those that read it)."""
    from graphkit.store.records import KEPT, embedded_graph
    from tests.conftest import _load_marked

    def records() -> object:
        graph, came_from = embedded_graph(both_path)
        assert came_from == KEPT
        return graph

    return _load_marked(neo4j_driver, "national-and-cases", records,
                        both_embedded.count_organisations())  # type: ignore[attr-defined]


@pytest.fixture(params=["oxigraph", pytest.param("neo4j", marks=pytest.mark.neo4j)])
def both_app(request: pytest.FixtureRequest, both_embedded: object) -> object:
    store = both_embedded if request.param == "oxigraph" else request.getfixturevalue("national_cases_neo4j")
    return create_app(Settings(store=request.param), store=store)


def _split(body: dict) -> tuple[list[dict], list[dict]]:
    payments = [c for c in body["data"] if c["origin"] == "payments"]
    curated = [c for c in body["data"] if c["origin"] == "curated"]
    return payments, curated


def test_type_apms_finds_national_and_curated_apms_contracts(both_app) -> None:
    body = ok(both_app, "/contracts", type="APMS", year="2022-23", limit=500)
    payments, curated = _split(body)
    assert body["count"] == len(body["data"]) == NATIONAL_APMS_2022_23 + CURATED_APMS_RUNNING_IN_2022_23
    assert len(payments) == NATIONAL_APMS_2022_23 and len(curated) == CURATED_APMS_RUNNING_IN_2022_23
    assert all(c["kind"] == "APMSContract" for c in body["data"])
    assert {c["stated_type"] for c in payments} == {"APMS"} and {c["stated_type"] for c in curated} == {None}
    ids = {c["id"] for c in curated}
    assert "ZZC-STR-APMS-01" in ids and "ZZC-EMB-UNI-APMS" in ids
    assert "ZZC-STR-APMS-OLD-01" not in ids  # ended 2017-03-31, before the year
    jv = next(c for c in curated if c["id"] == "ZZC-STR-APMS-01")
    assert (jv["holder"], jv["commissioner"], jv["start"]) == ("ZZF-JV-STR-APMS", "ZZF-CCG-STR", "2017-04-01")
    assert "A81070" in {c["holder"] for c in payments}  # an APMS practice of 16C (test_routes)
    # the class name finds the same contracts, the payments form in any case too
    assert ok(both_app, "/contracts", type="APMSContract", year="2022-23", limit=500) == body
    assert ok(both_app, "/contracts", type="apms", year="2022-23", limit=500) == body


def test_every_apms_contract_of_every_year_and_the_curated_ones_after_them(both_app) -> None:
    national = ok(both_app, "/contracts", type="APMS", limit=1, offset=0)["count"] - CURATED_APMS
    assert national >= 4 * 200  # four payments years of some 235 APMS practices each
    # payments first, then the curated contracts by id: the page just after the last practice contract
    page = ok(both_app, "/contracts", type="APMSContract", limit=200, offset=national)
    assert page["count"] == national + CURATED_APMS
    assert [c["origin"] for c in page["data"]] == ["curated"] * CURATED_APMS
    ids = [c["id"] for c in page["data"]]
    assert ids == sorted(ids) and ids[0] == "ZZC-EMB-UNI-APMS" and "ZZC-STR-APMS-OLD-12" in ids


def test_type_gms_finds_the_curated_gms_contract(both_app) -> None:
    body = ok(both_app, "/contracts", type="GMS", year="2022-23", limit=1, offset=NATIONAL_GMS_2022_23)
    assert body["count"] == NATIONAL_GMS_2022_23 + 1
    assert [(c["id"], c["kind"], c["holder"]) for c in body["data"]] == [
        ("ZZC-STR-NM1-GMS", "GMSContract", "ZZF-STR-NM1")]
    assert ok(both_app, "/contracts", type="GMSContract", commissioner="ZZF-CCG-STR")["data"] == body["data"]


def test_type_subcontract_and_other_curated_kinds(both_app) -> None:
    subs = ok(both_app, "/contracts", type="Subcontract")
    assert subs["count"] == 1
    assert [(c["id"], c["kind"], c["holder"], c["parent"]) for c in subs["data"]] == [
        ("ZZC-SMALL-IAGP-NORTH-SUB", "Subcontract", "ZZF-SMALL", "ZZC-SMALL-IAGP-NORTH")]
    caretaker = ok(both_app, "/contracts", type="CaretakerContract")
    assert [c["id"] for c in caretaker["data"]] == ["ZZC-EMB-CARETAKER"]
    esa = ok(both_app, "/contracts", type="EnhancedServiceAgreement")
    assert [c["id"] for c in esa["data"]] == ["ZZC-EMB-LIS"]
    # no practice contract has an unknown type in seeds/payments, and no curated contract is untyped
    assert ok(both_app, "/contracts", type="Unknown")["count"] == ok(both_app, "/contracts", type="Contract")["count"]


def test_an_unknown_type_is_a_422_naming_the_parameter_and_the_kinds(both_app) -> None:
    body = error(both_app, "/contracts", 422, type="Foo")
    assert body["code"] == "bad_parameter"
    assert body["details"]["parameter"] == "type" and body["details"]["unknown"] == ["Foo"]
    assert body["details"]["allowed"] == list(contract_kinds.ACCEPTED)
    assert {"APMS", "APMSContract", "GMS", "Subcontract", "Unknown"} <= set(body["details"]["allowed"])
    assert "type" in body["message"] and "'Foo'" in body["message"] and "Subcontract" in body["message"]
    # with other filters too, and before any of them is looked up
    assert error(both_app, "/contracts", 422, type="GMSPMS", holder="A81001")["details"]["parameter"] == "type"


def test_an_unknown_commissioner_or_holder_is_a_404(both_app) -> None:
    for param in ("commissioner", "holder"):
        body = error(both_app, "/contracts", 404, **{param: "ZZZ999"})
        assert body["code"] == "not_found" and "ZZZ999" in body["message"]
    assert error(both_app, "/contracts", 404, commissioner="ZZF-NOPE", type="APMS")["code"] == "not_found"
    # a curated commissioner is known: its contracts, none of them a practice contract
    body = ok(both_app, "/contracts", commissioner="ZZF-CCG-EMB")
    assert body["count"] >= 7 and {c["origin"] for c in body["data"]} == {"curated"}


@pytest.mark.neo4j
def test_both_stores_answer_the_kinds_alike(both_embedded, national_cases_neo4j) -> None:
    apps = [create_app(Settings(store=s), store=x)
            for s, x in (("oxigraph", both_embedded), ("neo4j", national_cases_neo4j))]
    for params in ({"type": "APMS", "year": "2022-23", "limit": 500}, {"type": "Subcontract"},
                   {"type": "ServiceContract"}, {"type": "GMS", "holder": "A81001"}):
        first, second = (ok(app, "/contracts", **params) for app in apps)
        assert first == second and first["count"] > 0, params
