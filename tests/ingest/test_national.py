"""The real national files in seeds/, imported, merged and queried (issue: real national data)."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pyoxigraph as ox
import pytest

from api.app import create_app
from api.inprocess import get
from graphkit.config import Settings
from graphkit.ingest.importers.registry import read_file, recognise
from tests.conftest import DATA, SEEDS

pytestmark = pytest.mark.integration

ASOF_2024 = '"2024-10-01"^^xsd:date'


def _count(store, query: str) -> int:
    return int(store.select(query)[0]["n"].value)


def test_every_seed_file_is_recognised_by_its_shape() -> None:
    kinds = Counter(recognise(p) for p in sorted((SEEDS / "ods").glob("*.*")) if "README" not in p.name)
    kinds.update(recognise(p) for p in sorted((SEEDS / "payments").glob("*.csv.gz")))
    assert kinds == {"epraccur": 3, "eccg": 1, "etr": 2, "epcn": 8, "gp-reg-pat-prac-map": 3, "qof-mapping": 1,
                     "ons-icb": 1, "nhs-payments-gp": 4}


def test_pcn_counts_on_1_october_2024(oxigraph) -> None:
    holds = f"""GRAPH <https://w3id.org/pcgraph/id/graph/resolved> {{
        ?m a pcg:PCNMembership ; org:member ?practice ; org:organization ?pcn ; org:memberDuring ?iv .
        OPTIONAL {{ ?iv time:hasBeginning/time:inXSDDate ?s }} OPTIONAL {{ ?iv time:hasEnd/time:inXSDDate ?e }}
        FILTER ((!BOUND(?s) || ?s <= {ASOF_2024}) && (!BOUND(?e) || ?e >= {ASOF_2024})) }}"""
    assert _count(oxigraph, f"SELECT (COUNT(DISTINCT ?pcn) AS ?n) WHERE {{ {holds} }}") == 1283
    assert _count(oxigraph, f"SELECT (COUNT(DISTINCT ?practice) AS ?n) WHERE {{ {holds} }}") == 6224
    assert _count(oxigraph, f"SELECT (COUNT(?m) AS ?n) WHERE {{ {holds} }}") == 6225


def test_the_practice_in_two_pcns_that_day_is_reported_not_hidden(seed_report) -> None:
    warnings = seed_report.quality.by_rule("practice-in-two-pcns")
    on_the_day = [w for w in warnings if "2024-10-01" in w.message]
    assert [w.subject for w in on_the_day] == ["H84031"]
    assert "U84150" in on_the_day[0].message and "U96434" in on_the_day[0].message
    # the short overlaps of the Oct 2024 file (a day or two) are all listed
    assert {w.subject for w in warnings} >= {"H84031", "F82001", "K81656", "M83627", "P85004", "P85010", "P85011",
                                             "P85018", "P85605", "P85612", "P85615"}


def test_aug_2026_map_counts_match_the_file(oxigraph) -> None:
    g = "<https://w3id.org/pcgraph/id/source/gp-reg-pat-prac-map_2026-08>"
    stated = f"""GRAPH {g} {{ ?m pcg:observedOn ?d }}
                 GRAPH <https://w3id.org/pcgraph/id/graph/resolved> {{ ?m a pcg:PCNMembership ;
                   org:member ?practice ; org:organization ?pcn }}"""
    assert _count(oxigraph, f"SELECT (COUNT(DISTINCT ?pcn) AS ?n) WHERE {{ {stated} }}") == 1298
    assert _count(oxigraph, f"SELECT (COUNT(DISTINCT ?practice) AS ?n) WHERE {{ {stated} }}") == 6129 - 52


def test_pcn_history_of_a_practice_has_each_period_in_order(seed_store) -> None:
    app = create_app(Settings(store_path=seed_store))
    body = get(app, "/organisations/B81003/memberships", params={"kind": "PCNMembership", "direction": "up"}).json()
    periods = [(t["organisation"], t["start"], t["end"]) for t in body["data"]]
    assert periods == [("U93462", "2019-10-01", "2020-03-31"), ("U93843", "2020-04-01", "2022-03-31"),
                       ("U87666", "2022-04-01", None)]
    assert body["count"] == 3


def test_contract_types_per_financial_year_match_the_payments_files(oxigraph) -> None:
    rows = oxigraph.select("""SELECT ?fy ?type (COUNT(?c) AS ?n) WHERE {
        ?c a pcg:Contract ; pcg:financialYear ?fy ; pcg:contractTypeStated ?type } GROUP BY ?fy ?type""")
    counts = {(r["fy"].value, r["type"].value): int(r["n"].value) for r in rows}
    assert {k[1]: v for k, v in counts.items() if k[0] == "2022-23"} == {"GMS": 4664, "PMS": 1615, "APMS": 235,
                                                                          "Unknown": 155}
    assert {k[1]: v for k, v in counts.items() if k[0] == "2019-20"} == {"GMS": 4917, "PMS": 1794, "APMS": 180,
                                                                          "Unknown": 110}
    apms = oxigraph.select('SELECT (COUNT(?c) AS ?n) WHERE { ?c a pcg:APMSContract ; pcg:financialYear "2022-23" }')
    assert int(apms[0]["n"].value) == 235


def test_enhanced_service_payments_are_typed_facts(oxigraph) -> None:
    rows = oxigraph.select("""SELECT ?amount WHERE {
        ?p pcg:underContract ?c ; pcg:paymentFor pcg:MinorSurgery ; pcg:amountGBP ?amount .
        ?c pcg:contractHolder <https://w3id.org/pcgraph/id/org/A81001> ; pcg:financialYear "2022-23" }""")
    assert [float(r["amount"].value) for r in rows] == [441.10]


@pytest.mark.parametrize(("as_of", "expected"), [
    ("2021-06-01", [("practice", "A81001", "GPPractice"), ("PCN", "U89141", "PrimaryCareNetwork"),
                    ("commissioner", "16C", "ClinicalCommissioningGroup"),
                    ("system", "QHM", "SustainabilityAndTransformationPartnership"),
                    ("region", "Y63", "NHSEnglandRegion")]),
    ("2025-01-01", [("practice", "A81001", "GPPractice"), ("PCN", "U89141", "PrimaryCareNetwork"),
                    ("commissioner", "16C", "SubICBLocation"), ("system", "QHM", "IntegratedCareBoard"),
                    ("region", "Y63", "NHSEnglandRegion")]),
])
def test_hierarchy_of_a_practice_across_the_2022_reform(seed_store, as_of: str, expected) -> None:
    app = create_app(Settings(store_path=seed_store))
    body = get(app, "/organisations/A81001/hierarchy", params={"as_of": as_of}).json()
    got = [(lv["level"], lv["organisations"][0]["code"], lv["organisations"][0]["kinds"][0]) for lv in body["levels"]]
    assert got == expected


def test_a_tie_an_older_file_leaves_open_is_closed_by_the_newer_files_silence(oxigraph) -> None:
    # A81001's commissioner in the Dec 2019 epraccur is 00K (joined 2013, no end); the Dec 2023 file has
    # 16C from 2020-04-01: the 00K tie ends the day before, with the 2023 file as evidence.
    ties = [t for t in oxigraph.ties("A81001", "up", kind="CommissionerAssignment") if t.organisation == "00K"]
    assert len(ties) == 1
    assert (ties[0].start, ties[0].end, ties[0].end_evidence) == (dt.date(2013, 4, 1), dt.date(2020, 3, 31),
                                                                  "epraccur_2023-12")
    assert ties[0].derived


def test_facts_stated_by_several_vintages_keep_all_their_sources(oxigraph) -> None:
    (tie,) = [t for t in oxigraph.ties("A81001", "up", kind="PCNMembership")]
    assert {"ePCN_2019-12_core_partner_details", "ePCN_2024-10_core_partner_details", "nhspaymentsgp_2022-23",
            "gp-reg-pat-prac-map_2026-08", "qof_MAPPING_NHS_GEOGRAPHIES_2021"} <= set(tie.sources)
    lines = oxigraph.select("""SELECT ?g ?line WHERE { GRAPH ?g {
        <https://w3id.org/pcgraph/id/membership/PCNMembership/A81001/U89141/2019-10-01> pcg:sourceLine ?line } }""")
    by_graph = {r["g"].value.rsplit("/", 1)[-1]: int(r["line"].value) for r in lines}
    assert by_graph["gp-reg-pat-prac-map_2026-08"] == 2  # the first data row of the Aug 2026 map


def test_every_input_row_is_loaded_or_reported(seed_report) -> None:
    for r in seed_report.results:
        loaded = {x.line for x in (*r.organisations, *r.relations, *r.roles, *r.contracts)}
        reported = {x.line for x in r.rejects}
        assert r.rows == len(loaded | reported) or (r.source.kind == "epcn" and r.source.file_name.endswith("xlsx")), \
            r.source.file_name


def _digest(store) -> tuple[int, int]:
    """Order-independent digest of every quad outside the ontology graph (whose blank nodes are fresh on every
    load), and the number of quads: the sum of the quads' hashes (pyoxigraph hashes a quad from its terms, the
    same in one process), summed in C over each graph."""
    total = 0
    for g in store.named_graphs():
        if not g.value.endswith("/graph/ontology"):
            total += sum(map(hash, store.quads_for_pattern(None, None, None, g)))
    total += sum(map(hash, store.quads_for_pattern(None, None, None, ox.DefaultGraph())))
    return total % 2**64, len(store)


def test_reimporting_the_same_files_changes_nothing(tmp_path, seed_store) -> None:
    import shutil

    from graphkit.store.build import import_files, read_manifest
    from graphkit.store.oxigraph import OxigraphStore

    copy = tmp_path / "store"
    shutil.copytree(seed_store, copy)
    shutil.copy(seed_store.with_name("store.imports.json"), copy.with_name("store.imports.json"))
    before = OxigraphStore(copy)
    digest_before = _digest(before._store)
    before.close()
    report = import_files(read_manifest(copy)[:3], copy)
    after = OxigraphStore(copy)
    assert report.quads == digest_before[1]
    assert _digest(after._store) == digest_before


def test_epcn_xlsx_gives_the_same_records_as_its_csv_sheets() -> None:
    x = read_file(DATA / "real" / "ePCN_2024-10.xlsx")
    partners = read_file(SEEDS / "ods" / "ePCN_2024-10_core_partner_details.csv.gz")
    details = read_file(SEEDS / "ods" / "ePCN_2024-10_pcn_details.csv.gz")
    key = lambda r: (r.kind, r.member, r.organisation, r.start, r.end)  # noqa: E731
    assert sorted(map(key, x.relations)) == sorted(map(key, partners.relations + details.relations))
    assert sorted((h.code, h.start, h.end) for h in x.roles) == sorted((h.code, h.start, h.end) for h in details.roles)


def test_a_pcn_listed_twice_in_the_details_is_reported_and_the_first_row_kept(tmp_path) -> None:
    """The real 2024-10 details file with its first PCN repeated (another name) at the end: the repeat is rejected,
    naming the first line; nothing of it is loaded (no second organisation, role or commissioner tie)."""
    import gzip

    lines = gzip.decompress((SEEDS / "ods" / "ePCN_2024-10_pcn_details.csv.gz").read_bytes()).decode().splitlines()
    first = lines[1].split(",")
    repeat = ",".join([first[0], "ANOTHER NAME PCN", *first[2:]])
    path = tmp_path / "ePCN_2024-10_pcn_details.csv"
    path.write_text("\n".join([*lines, repeat]) + "\n")
    r = read_file(path)
    assert [(x.line, x.field, x.value) for x in r.rejects] == [(len(lines) + 1, "PCN Code", first[0])]
    assert "listed twice in the sheet (line 2)" in r.rejects[0].reason
    assert [o.name for o in r.organisations if o.code == first[0]] == [first[1]]
    assert len(r.organisations) == len(lines) - 1 and len(r.roles) == len(lines) - 1


def test_a_workbook_with_the_partner_sheet_first_keeps_the_pcn_details(tmp_path) -> None:
    """The real 2024-10 workbook with its two ePCN sheets swapped: each PCN keeps the open date, postcode and name of
    its details row (a partner row, read first, names the PCN without them)."""
    import openpyxl

    book = openpyxl.load_workbook(DATA / "real" / "ePCN_2024-10.xlsx")
    partners = next(ws for ws in book.worksheets if "Partner" in ws.title)
    book.move_sheet(partners, offset=-book.index(partners))
    assert book.worksheets[0] is partners
    swapped = tmp_path / "ePCN_2024-10.xlsx"
    book.save(swapped)
    details = {o.code: o for o in read_file(SEEDS / "ods" / "ePCN_2024-10_pcn_details.csv.gz").organisations}
    got = {o.code: o for o in read_file(swapped).organisations if o.code in details}
    assert len(got) == len(details) == 1366
    def said(o):
        return o.start, o.postcode, o.name

    differ = [c for c, d in details.items() if said(got[c]) != said(d)]
    assert differ == []


def test_ccg_and_icb_mergers_seen_across_vintages(oxigraph, seed_report) -> None:
    events = {(e.result, e.day): e for e in seed_report.graph.events}
    tees = events[("16C", dt.date(2020, 4, 1))]  # NHS Tees Valley CCG, April 2020
    assert (tees.kind, tees.originals) == ("Merger", ("00C", "00K", "00M"))
    norfolk_suffolk = [e for e in seed_report.graph.events if e.result == "T6Y0W"]
    assert len(norfolk_suffolk) == 1 and "QMM" in norfolk_suffolk[0].originals  # the 2025/26 ICB mergers
    rows = oxigraph.select("""SELECT DISTINCT ?o ?d WHERE { GRAPH <https://w3id.org/pcgraph/id/graph/resolved> {
        ?e a pcg:Merger ; org:resultingOrganization <https://w3id.org/pcgraph/id/org/16C> ;
           org:originalOrganization/pcg:odsCode ?o ; prov:startedAtTime ?start ; pcg:attestedBy ?src .
        BIND (STR(xsd:date(?start)) AS ?d) FILTER NOT EXISTS { ?e prov:wasDerivedFrom ?any } } }""")
    assert sorted((r["o"].value, r["d"].value) for r in rows) == [("00C", "2020-04-01"), ("00K", "2020-04-01"),
                                                                  ("00M", "2020-04-01")]
