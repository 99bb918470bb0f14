# mypy: disable-error-code="arg-type,attr-defined,union-attr"
"""The ontology (ontology/pcg.ttl, ods-codes.ttl), its SHACL shapes (shapes.ttl) and the guide
(docs/ontology.md).

The shape tests validate the hand-written graphs in tests/data/shapes/: good.ttl conforms with no
results at all; every bad_*.ttl / warn_*.ttl / ok_*.ttl is an *overlay*, validated together with
good.ttl, that adds exactly the problem it is named after. They use the call the importers use,
``pyshacl.validate(data, shacl_graph=shapes, ont_graph=ontology, inference="rdfs")``, and check that
``inference="none"`` gives the same results.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import pyshacl
import pytest
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.namespace import DCTERMS, FOAF, ORG, OWL, PROV, RDF, RDFS, SH, SKOS

ROOT = Path(__file__).resolve().parents[2]
ONTOLOGY_DIR = ROOT / "ontology"
SHAPES_DATA = Path(__file__).resolve().parents[1] / "data" / "shapes"
GUIDE = ROOT / "docs" / "ontology.md"

PCG = Namespace("https://w3id.org/pcgraph/def#")
ODSROLE = Namespace("https://w3id.org/pcgraph/ods/role/")
ODSREL = Namespace("https://w3id.org/pcgraph/ods/rel/")
PCGSH = Namespace("https://w3id.org/pcgraph/shapes#")
ID = Namespace("https://w3id.org/pcgraph/id/")
SCHEMA = Namespace("https://schema.org/")
# plain namespaces: rdflib's closed TIME/XSD warn when pytest probes module attributes
TIME = Namespace("http://www.w3.org/2006/time#")
XSD = Namespace("http://www.w3.org/2001/XMLSchema#")
ONTOLOGY_IRI = URIRef("https://w3id.org/pcgraph/def")


# ---------------------------------------------------------------------------------------------
# loading (cached: the files are read-only)


@cache
def pcg_graph() -> Graph:
    return Graph().parse(ONTOLOGY_DIR / "pcg.ttl", format="turtle")


@cache
def codes_graph() -> Graph:
    return Graph().parse(ONTOLOGY_DIR / "ods-codes.ttl", format="turtle")


@cache
def shapes_graph() -> Graph:
    return Graph().parse(ONTOLOGY_DIR / "shapes.ttl", format="turtle")


@cache
def all_term_graphs() -> Graph:
    """Every ontology file that defines pcg: terms (pcg.ttl, ods-codes.ttl, and any sibling such as
    pcg-import.ttl), without the shapes."""
    g = Graph()
    for f in sorted(ONTOLOGY_DIR.glob("*.ttl")):
        if f.name != "shapes.ttl":
            g.parse(f, format="turtle")
    return g


def defined_pcg_terms() -> set[URIRef]:
    g = all_term_graphs()
    return {s for s in g.subjects(RDF.type, None) if isinstance(s, URIRef) and s.startswith(str(PCG))}


def data_graph(name: str) -> Graph:
    g = Graph().parse(SHAPES_DATA / "good.ttl", format="turtle")
    if name != "good.ttl":
        g.parse(SHAPES_DATA / name, format="turtle")
    return g


Key = tuple[str, str, str | None, str]  # severity, focus, path, constraint component
Row = tuple[Key, str, str | None]  # key, message, value


@cache
def validation(name: str, inference: str = "rdfs") -> tuple[bool, tuple[Key, ...], tuple[Row, ...]]:
    """(conforms with allow_warnings=True, result keys, (key, message, value) per result)."""
    conforms, report, _ = pyshacl.validate(
        data_graph(name), shacl_graph=shapes_graph(), ont_graph=pcg_graph(), inference=inference,
        allow_warnings=True,
    )
    rows: list[Row] = []
    for r in report.subjects(RDF.type, SH.ValidationResult):
        path = report.value(r, SH.resultPath)
        key = (
            str(report.value(r, SH.resultSeverity)).removeprefix(str(SH)),
            str(report.value(r, SH.focusNode)),
            None if path is None else str(path),
            str(report.value(r, SH.sourceConstraintComponent)).removeprefix(str(SH)),
        )
        value = report.value(r, SH.value)
        rows.append((key, str(report.value(r, SH.resultMessage) or ""), None if value is None else str(value)))
    rows.sort(key=lambda x: (x[0][0], x[0][1], x[0][2] or "", x[0][3], x[1]))
    return conforms, tuple(k for k, _, _ in rows), tuple(rows)


# ---------------------------------------------------------------------------------------------
# the ontology


@pytest.mark.parametrize("name", ["pcg.ttl", "ods-codes.ttl", "shapes.ttl"])
def test_files_parse(name: str) -> None:
    g = Graph().parse(ONTOLOGY_DIR / name, format="turtle")
    assert len(g) > 100


def test_ontology_header() -> None:
    g = pcg_graph()
    assert (ONTOLOGY_IRI, RDF.type, OWL.Ontology) in g
    for p in (DCTERMS.title, DCTERMS.description, DCTERMS.license, RDFS.comment):
        assert g.value(ONTOLOGY_IRI, p) is not None, p
    assert str(g.value(ONTOLOGY_IRI, OWL.versionInfo)) == "2.6.0"
    assert g.value(ONTOLOGY_IRI, OWL.versionIRI) == URIRef("https://w3id.org/pcgraph/def/2.6.0")
    assert g.value(ONTOLOGY_IRI, OWL.priorVersion) == URIRef("https://w3id.org/pcgraph/def/2.5.0")
    assert set(g.objects(ONTOLOGY_IRI, OWL.imports)) == {URIRef("http://www.w3.org/ns/org#"),
                                                         URIRef("http://www.w3.org/ns/prov-o#")}


TERM_TYPES = (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty, OWL.NamedIndividual,
              SKOS.Concept, SKOS.ConceptScheme)


def _pcg_terms(g: Graph) -> set[URIRef]:
    return {s for t in TERM_TYPES for s in g.subjects(RDF.type, t)
            if isinstance(s, URIRef) and s.startswith(str(PCG))}


def test_every_pcg_term_has_an_english_label_and_comment() -> None:
    g = pcg_graph()
    terms = _pcg_terms(g)
    assert len(terms) > 150
    missing = []
    for t in sorted(terms):
        for p in (RDFS.label, RDFS.comment):
            if not any(isinstance(o, Literal) and o.language == "en" and str(o).strip() for o in g.objects(t, p)):
                missing.append(f"{t.removeprefix(str(PCG))}: {p.n3(g.namespace_manager)}")
    assert not missing, missing


def test_size_is_that_of_a_useful_ontology() -> None:
    g = pcg_graph()
    classes = {s for s in g.subjects(RDF.type, OWL.Class) if s.startswith(str(PCG))}
    props = {s for t in (OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty)
             for s in g.subjects(RDF.type, t) if s.startswith(str(PCG))}
    assert 80 <= len(classes) <= 120
    assert 45 <= len(props) <= 70


def test_pcg_terms_used_anywhere_are_defined() -> None:
    """A pcg: term mentioned in the ontology, the shapes, the test data or the guide must be defined."""
    defined = defined_pcg_terms()
    used: dict[str, set[URIRef]] = {}
    graphs = {"pcg.ttl": pcg_graph(), "ods-codes.ttl": codes_graph(), "shapes.ttl": shapes_graph()}
    graphs.update({p.name: Graph().parse(p, format="turtle") for p in sorted(SHAPES_DATA.glob("*.ttl"))})
    for name, g in graphs.items():
        for triple in g:
            for term in triple:
                if isinstance(term, URIRef) and term.startswith(str(PCG)) and term != PCG[""]:
                    used.setdefault(name, set()).add(term)
    # the guide and the SPARQL inside the shapes, by name
    texts = {"docs/ontology.md": GUIDE.read_text(encoding="utf-8"),
             "shapes.ttl (SPARQL)": " ".join(str(o) for o in shapes_graph().objects(None, SH.select))}
    for name, text in texts.items():
        for local in re.findall(r"\bpcg:([A-Za-z][A-Za-z0-9]*)", text):
            used.setdefault(name, set()).add(PCG[local])
    undefined = {name: sorted(t.removeprefix(str(PCG)) for t in terms - defined) for name, terms in used.items()}
    assert not any(undefined.values()), {k: v for k, v in undefined.items() if v}


def _superclasses(g: Graph, cls: URIRef) -> set[URIRef]:
    return set(g.transitive_objects(cls, RDFS.subClassOf))


REQUIRED_ORGANISATION_CLASSES = [
    "GPPractice", "BranchSurgery", "PrescribingCostCentre", "WalkInCentre", "SuperPractice", "PrimaryCareNetwork",
    "GPFederation", "MetaOrganisation", "SubfederationGroup", "GPProviderCollaborative", "JointVenture",
    "ClinicalCommissioningGroup", "CCGLocality", "SubICBLocation", "IntegratedCareBoard",
    "SustainabilityAndTransformationPartnership", "IntegratedCareSystem", "NHSEnglandRegion", "NHSEngland",
    "PrimaryCareTrust", "NHSTrust", "FoundationTrust", "AcuteTrust", "CommunityTrust", "MentalHealthTrust",
    "AmbulanceTrust", "LocalAuthority", "CareQualityCommission", "LocalMedicalCommittee", "CommissioningSupportUnit",
]
REQUIRED_BODIES = ["FederationBoard", "CCGGoverningBody", "CCGCommittee", "STPBoard"]


@pytest.mark.parametrize("local", REQUIRED_ORGANISATION_CLASSES + REQUIRED_BODIES)
def test_organisation_classes_are_w3c_organisations(local: str) -> None:
    g = pcg_graph()
    assert (PCG[local], RDF.type, OWL.Class) in g
    supers = _superclasses(g, PCG[local])
    assert ORG.Organization in supers
    assert supers & {ORG.FormalOrganization, ORG.OrganizationalCollaboration, ORG.OrganizationalUnit}
    if local in REQUIRED_BODIES:
        assert ORG.OrganizationalUnit in supers


@pytest.mark.parametrize(("local", "w3c"), [
    ("PCNMembership", ORG.Membership), ("FederationMembership", ORG.Membership),
    ("SubfederationMembership", ORG.Membership), ("LocalityMembership", ORG.Membership),
    ("CollaborationMembership", ORG.Membership), ("PCNMembership", PROV.Entity),
    ("CommissionerAssignment", PROV.Entity), ("SystemMembership", PROV.Entity), ("RoleHolding", PROV.Entity),
    ("Tie", PROV.Entity), ("PostHolding", PROV.Entity),
    ("Merger", ORG.ChangeEvent), ("Succession", ORG.ChangeEvent),
    ("Contract", PROV.Entity), ("SourceDocument", PROV.Entity), ("Person", FOAF.Person),
    ("GovernanceRole", ORG.Role),
])
def test_reuse_of_w3c_terms(local: str, w3c: URIRef) -> None:
    assert w3c in _superclasses(pcg_graph(), PCG[local])


@pytest.mark.parametrize("local", ["CommissionerAssignment", "NominatedPayeeAssignment", "OperatorAssignment",
                                   "StructuralMembership", "SystemMembership", "RegionMembership",
                                   "UnitMembership", "ConstituentMembership"])
def test_commissioning_operation_payee_and_part_of_are_dated_relations_not_memberships(local: str) -> None:
    """`?m a org:Membership` finds members only: an ICB's sub-ICB locations and a CCG's practices are related to
    it by a pcg:DatedRelation, which the ontology makes disjoint with org:Membership."""
    g = pcg_graph()
    supers = _superclasses(g, PCG[local])
    assert PCG.DatedRelation in supers and ORG.Membership not in supers
    disjoint = [list(Collection(g, m)) for d in g.subjects(RDF.type, OWL.AllDisjointClasses)
                for m in g.objects(d, OWL.members)]
    assert (PCG.DatedRelation, OWL.disjointWith, ORG.Membership) in g
    assert any({PCG.DatedRelation, ORG.Membership, PCG.Tie, PCG.RoleHolding, PCG.Contract} <= set(d)
               for d in disjoint)


def test_the_dated_relation_kinds_the_code_knows_are_the_ontologys() -> None:
    from graphkit.core.nhs import DATED_RELATION_KINDS

    g = pcg_graph()
    below = {str(c).rsplit("#", 1)[-1] for c in g.transitive_subjects(RDFS.subClassOf, PCG.DatedRelation)}
    assert below - {"DatedRelation"} == set(DATED_RELATION_KINDS)


def test_every_membership_and_relation_class_names_its_shortcut_with_org_role_property() -> None:
    g = pcg_graph()
    classes = [c for c in g.subjects(RDF.type, OWL.Class) if str(c).startswith(str(PCG))
               and ({ORG.Membership, PCG.DatedRelation} & _superclasses(g, c)) and c != PCG.PostHolding]
    assert len(classes) >= 13
    assert not list(g.subjects(PCG.reifiesProperty, None))  # deprecated: replaced by org:roleProperty
    for c in classes:
        assert any(g.objects(c, ORG.roleProperty)) or any(
            g.objects(sup, ORG.roleProperty) for sup in _superclasses(g, c) if str(sup).startswith(str(PCG))
        ), c


def test_role_codes_are_complete_skos_concepts() -> None:
    g = codes_graph()
    scheme = ODSROLE.scheme
    assert (scheme, RDF.type, SKOS.ConceptScheme) in g
    roles = set(g.subjects(SKOS.inScheme, scheme))
    assert len(roles) == 190
    for r in roles:
        assert (r, RDF.type, SKOS.Concept) in g
        notation = str(g.value(r, SKOS.notation))
        assert re.fullmatch(r"RO\d+", notation) and r == ODSROLE[notation]
        assert g.value(r, SKOS.prefLabel).language == "en"
        assert isinstance(g.value(r, PCG.canBePrimaryRole).toPython(), bool)


@pytest.mark.parametrize("scheme", [ODSROLE.scheme, ODSREL.scheme])
def test_mapped_codes_point_at_existing_classes(scheme: URIRef) -> None:
    g, onto = codes_graph(), pcg_graph() + Graph().parse(ONTOLOGY_DIR / "pcg-import.ttl", format="turtle")
    mapped = [(c, cls) for c in g.subjects(SKOS.inScheme, scheme) for cls in g.objects(c, PCG.mapsToClass)]
    assert mapped
    for concept, cls in mapped:
        assert (cls, RDF.type, OWL.Class) in onto, (concept, cls)


@pytest.mark.parametrize(("role", "cls"), [
    ("RO76", "GPPractice"), ("RO272", "PrimaryCareNetwork"), ("RO319", "SubICBLocation"),
    ("RO318", "IntegratedCareBoard"), ("RO98", "ClinicalCommissioningGroup"),
    ("RO262", "SustainabilityAndTransformationPartnership"), ("RO261", "StrategicPartnership"),
    ("RO209", "NHSEnglandRegion"), ("RO197", "NHSTrust"), ("RO57", "FoundationTrust"),
    ("RO177", "PrescribingCostCentre"), ("RO96", "BranchSurgery"), ("RO87", "WalkInCentre"),
    ("RO179", "PrimaryCareTrust"), ("RO213", "CommissioningSupportUnit"), ("RO218", "CommissioningHub"),
])
def test_key_role_mappings(role: str, cls: str) -> None:
    assert list(codes_graph().objects(ODSROLE[role], PCG.mapsToClass)) == [PCG[cls]]


def test_the_importers_role_classes_are_the_ontologys_mappings() -> None:
    """core/nhs.py ROLE_CLASS (the kinds the importers and kinds_on give) agrees with pcg:mapsToClass."""
    from graphkit.core.nhs import ROLE_CLASS

    g = codes_graph()
    assert {role: [str(c).rsplit("#", 1)[-1] for c in g.objects(ODSROLE[role], PCG.mapsToClass)]
            for role in ROLE_CLASS} == {role: [cls] for role, cls in ROLE_CLASS.items()}


def test_the_time_bounded_classes_are_marked_in_the_ontology() -> None:
    from graphkit.core.nhs import TIME_BOUNDED_CLASSES

    marked = {str(c).rsplit("#", 1)[-1] for c in pcg_graph().subjects(PCG.timeBounded, Literal(True))}
    assert marked == set(TIME_BOUNDED_CLASSES) and len(marked) == 4


@pytest.mark.parametrize(("rel", "prop", "cls"), [
    ("RE4", PCG.commissionedBy, "CommissionerAssignment"), ("RE6", PCG.operatedBy, "OperatorAssignment"),
    ("RE8", PCG.partnerTo, "PCNMembership"), ("RE9", PCG.nominatedPayeeFor, "NominatedPayeeAssignment"),
    ("RE11", PCG.constituentOf, "ConstituentMembership"), ("RE2", ORG.unitOf, "UnitMembership"),
])
def test_relationship_codes_map_to_a_property_and_a_tie_class(rel: str, prop: URIRef, cls: str) -> None:
    g, onto = codes_graph(), pcg_graph()
    assert g.value(ODSREL[rel], SKOS.notation) == Literal(rel)
    assert g.value(ODSREL[rel], PCG.mapsToProperty) == prop
    assert g.value(ODSREL[rel], PCG.mapsToClass) == PCG[cls]
    assert {ORG.Membership, PCG.DatedRelation} & _superclasses(onto, PCG[cls])
    if prop.startswith(str(PCG)):
        assert (prop, RDF.type, OWL.ObjectProperty) in onto
    assert onto.value(PCG[cls], ORG.roleProperty) == prop


def test_relationship_scheme_has_the_ods_codes() -> None:
    codes = {str(o) for o in codes_graph().objects(None, SKOS.notation) if str(o).startswith("RE")}
    assert codes == {"RE1", "RE2", "RE3", "RE4", "RE5", "RE6", "RE8", "RE9", "RE10", "RE11"}


@pytest.mark.parametrize(("local", "source"), [
    ("Subcontract", "project"), ("Multiscalar", "project"), ("LimitedMultiscalar", "project"),
    ("IntegratedCareBoard", "project"), ("Pluricentric", "seed+project"), ("Unicentric", "seed+project"),
    ("Uniscalar", "seed+project"), ("GPFederation", "seed"), ("SubICBLocation", "ODS"),
])
def test_own_definitions_are_marked(local: str, source: str) -> None:
    g = pcg_graph()
    assert str(g.value(PCG[local], PCG.definitionSource)) == source
    assert g.value(PCG[local], RDFS.comment) is not None


def test_seed_citations_have_the_file_line_form() -> None:
    g = pcg_graph()
    cites = [str(o) for o in g.objects(None, DCTERMS.source)]
    assert len(cites) > 100
    malformed = [c for c in cites if not re.fullmatch(r"00[0-4]:\d+", c)]
    assert not malformed, malformed


def test_hood_modes_are_exactly_four() -> None:
    g = pcg_graph()
    one_of = g.value(PCG.HoodMode, OWL.oneOf)
    members = set(Collection(g, one_of))
    assert members == {PCG.Oversight, PCG.Competition, PCG.Mutuality, PCG.ContrivedRandomness}
    assert set(g.subjects(RDF.type, PCG.HoodMode)) == members


def test_checked_object_ranges_are_not_rdfs_ranges() -> None:
    """Under RDFS inference an rdfs:range would infer the very type a shape checks."""
    g = pcg_graph()
    for p in (PCG.fromOrganisation, PCG.toOrganisation, PCG.post, PCG.contractHolder, PCG.commissioner, PCG.holder,
              PCG.tieFrom, PCG.tieTo, PCG.partnerTo, PCG.commissionedBy, PCG.odsCode):
        assert g.value(p, RDFS.range) in (None, XSD.string), p
    assert g.value(PCG.fromOrganisation, SCHEMA.rangeIncludes) == ORG.Organization


# ---------------------------------------------------------------------------------------------
# the shapes: well-formed


def _node_shapes() -> list[URIRef]:
    return sorted(shapes_graph().subjects(RDF.type, SH.NodeShape))


def test_shapes_state_severity_names_and_messages() -> None:
    g = shapes_graph()
    problems = []
    for ns in _node_shapes():
        if g.value(ns, SH.severity) not in (SH.Violation, SH.Warning):
            problems.append(f"{ns}: no severity")
        for sparql in g.objects(ns, SH.sparql):
            if g.value(sparql, SH.message) is None:
                problems.append(f"{ns}: SPARQL constraint without message")
        for ps in g.objects(ns, SH.property):
            label = f"{ns} / {g.value(ps, SH.name) or g.value(ps, SH.path)}"
            if g.value(ps, SH.name) is None:
                problems.append(f"{label}: no sh:name")
            if g.value(ps, SH.severity) not in (SH.Violation, SH.Warning):
                problems.append(f"{label}: no severity")
            sparqls = list(g.objects(ps, SH.sparql))
            messages = [g.value(ps, SH.message)] if not sparqls else [g.value(s, SH.message) for s in sparqls]
            if g.value(ps, SH.message) is None and None in messages:
                problems.append(f"{label}: no message")
            if sparqls and g.value(ps, SH.severity) != g.value(ns, SH.severity):
                problems.append(f"{label}: SPARQL severity differs from its node shape")
        has_parts = any(g.objects(ns, SH.property)) or any(g.objects(ns, SH.sparql))
        if not has_parts and g.value(ns, SH.message) is None:
            problems.append(f"{ns}: node-level constraint without message")
    assert not problems, problems


def test_every_shape_has_a_target() -> None:
    g = shapes_graph()
    targets = (SH.targetClass, SH.targetNode, SH.targetObjectsOf, SH.targetSubjectsOf)
    assert all(any(g.objects(ns, t) for t in targets) for ns in _node_shapes())


@pytest.mark.parametrize(("shape", "good", "bad"), [
    ("GPPracticeCodeShape", ["A81001", "W00005", "Y02345"], ["A1234", "A812345", "AB1234", "U8914", "ZZF101"]),
    ("PCNCodeShape", ["U89141", "U00070"], ["U8914", "V89141", "U891410", "ZZF300"]),
    ("CommissionerCodeShape", ["01K", "16C", "00C", "X2C4Y", "A3A8R"], ["1K", "01KA", "X2C4", "01k", "ZZF201"]),
    ("SystemCodeShape", ["QHM", "QE1", "Z9B2Z", "S1Y5D"], ["Q1", "RHM", "QHMM", "Z9B2", "ZZF900"]),
    ("RegionCodeShape", ["Y63", "Y56"], ["Y6", "Q63", "Y630", "ZZF700"]),
    ("TrustCodeShape", ["RVV", "R1H", "TAD", "G6V2S"], ["X24", "R", "RVVKCX1", "ZZF500"]),
])
def test_code_patterns_fit_real_codes(shape: str, good: list[str], bad: list[str]) -> None:
    """The per-kind patterns accept the code forms found in the real ODS files (2019-2026)."""
    g = shapes_graph()
    patterns = [str(g.value(ps, SH.pattern)) for ps in g.objects(PCGSH[shape], SH.property)
                if g.value(ps, SH.path) == PCG.odsCode and g.value(ps, SH.pattern) is not None]
    assert len(patterns) == 1
    regex = re.compile(patterns[0])
    assert [c for c in good if not regex.search(c)] == []
    assert [c for c in bad if regex.search(c)] == []


# ---------------------------------------------------------------------------------------------
# the shapes on the test data


def test_good_graph_conforms_without_any_result() -> None:
    conforms, keys, _ = validation("good.ttl")
    assert conforms
    assert keys == ()


def _o(code: str) -> str:
    return str(ID[f"org/{code}"])


O_MEMBER, O_ORG = str(ORG.member), str(ORG.organization)

# file -> the exact set of (focus node, path, constraint component) of its Violations
EXPECTED_VIOLATIONS: dict[str, set[tuple[str, str | None, str]]] = {
    "bad_missing_code.ttl": {(_o("A81002"), str(ORG.identifier), "SPARQLConstraintComponent")},
    "bad_practice_code.ttl": {(_o("A1234"), str(PCG.odsCode), "PatternConstraintComponent")},
    "bad_end_before_start.ttl": {
        (str(ID["interval/2020-05-01_2020-04-30"]), str(TIME.hasEnd), "SPARQLConstraintComponent")},
    "bad_one_day_proper_interval.ttl": {
        (str(ID["interval/2021-03-31_2021-03-31"]), str(RDF.type), "SPARQLConstraintComponent")},
    "bad_end_marker.ttl": {
        (str(ID["membership/PCNMembership-A81003-U89141"]), str(PCG.endPrecision), "SPARQLConstraintComponent"),
        (str(ID["membership/PCNMembership-A81003-U89141-b"]), str(PCG.endPrecision), "SPARQLConstraintComponent")},
    "bad_pcn_membership_ccg.ttl": {
        (str(ID["membership/PCNMembership-A81001-16C"]), O_ORG, "ClassConstraintComponent")},
    "bad_commissioner_target.ttl": {
        (str(ID["membership/CommissionerAssignment-A81001-QHM"]), str(PCG.toOrganisation), "OrConstraintComponent")},
    "bad_contract_no_holder.ttl": {
        (str(ID["contract/unknown-2022-23"]), str(PCG.contractHolder), "MinCountConstraintComponent")},
    "bad_contract_no_commissioner.ttl": {
        (str(ID["contract/A81001-2021-22"]), str(PCG.commissioner), "SPARQLConstraintComponent")},
    "bad_subcontract_commissioner.ttl": {
        (str(ID["contract/ZZF101-iagp-sub"]), str(PCG.commissioner), "SPARQLConstraintComponent")},
    "bad_post_holder_not_person.ttl": {
        (str(ID["postholding/ZZF101-ZZF001-BOARD-chair"]), O_MEMBER, "ClassConstraintComponent")},
    "bad_post_not_in_org.ttl": {
        (str(ID["post/floating-director"]), str(ORG.postIn), "MinCountConstraintComponent")},
    "bad_missing_provenance.ttl": {
        (str(ID["membership/CommissionerAssignment-A81001-16C-2020"]), str(PROV.wasDerivedFrom),
         "MinCountConstraintComponent")},
    "bad_fictional_code.ttl": {
        (_o("A99999"), str(PCG.localCode), "PatternConstraintComponent"),
        (_o("ZZF999"), str(PCG.localCode), "SPARQLConstraintComponent"),
        (_o("ZZF998"), str(PCG.odsCode), "MaxCountConstraintComponent"),
        (_o("ZZF998"), str(PCG.odsCode), "SPARQLConstraintComponent"),
        (_o("ZZF998"), str(PCG.odsCode), "PatternConstraintComponent")},
    "bad_role_holding.ttl": {
        (str(ID["roleholding/A81001-RO177"]), str(PCG.holder), "MinCountConstraintComponent"),
        (str(ID["roleholding/A81001-RO177"]), str(PCG.odsRole), "NodeKindConstraintComponent"),
        (str(ID["roleholding/A81001-RO177"]), str(PCG.odsRole), "PatternConstraintComponent")},
    "bad_governance_tie.ttl": {
        (str(ID["tie/ZZF001-ZZF101-bad"]), str(PCG.hoodMode), "InConstraintComponent")},
    # the columns of 2.3.0 on the wrong kind of fact (docs/curated.md; tests/ingest/test_curated_events.py)
    "bad_events.ttl": {
        (str(ID["tie/ZZF001-ZZF101-partnership"]), str(PCG.selectionBasis), "SPARQLConstraintComponent"),
        (str(ID["tie/ZZF101-ZZF002-approach-won"]), str(PCG.outcome), "InConstraintComponent"),
        (str(ID["tie/ZZF001-ZZF101-governance-lot"]), str(PCG.lot), "SPARQLConstraintComponent"),
        (str(ID["tie/ZZF002-ZZF201-bid-twice"]), str(PCG.outcome), "MaxCountConstraintComponent"),
        (str(ID["tie/ZZF001-ZZF101-governance"]), str(PCG.commissioningRole), "SPARQLConstraintComponent"),
        (str(ID["postholding/P0002-ZZF001-BOARD-chair"]), str(PCG.commissioningRole), "DatatypeConstraintComponent")},
    "bad_source_document.ttl": {
        (str(ID["source/unlicensed"]), str(DCTERMS.license), "MinCountConstraintComponent"),
        (str(ID["source/unlicensed"]), str(PCG.sha256), "PatternConstraintComponent")},
    "bad_instant_date.ttl": {
        (str(ID["instant/2021-13-01"]), str(TIME.inXSDDate), "DatatypeConstraintComponent")},
    "bad_event_v1.ttl": {
        (str(ID["event/merger-ZZF202-ZZF201-v1"]), str(PROV.wasDerivedFrom), "MaxCountConstraintComponent"),
        (str(ID["event/merger-ZZF202-ZZF201-v1"]), str(PCG.eventDate), "MaxCountConstraintComponent"),
        (str(ID["event/merger-ZZF202-ZZF201-v1"]), str(PCG.attestedBy), "MinCountConstraintComponent")},
    "bad_fictional_link.ttl": {
        (str(ID["membership/FederationMembership-A81001-ZZF001"]), O_ORG, "SPARQLConstraintComponent"),
        (str(ID["tie/ZZF101-A81001-risk"]), str(PCG.tieTo), "SPARQLConstraintComponent"),
        (str(ID["contract/ZZF001-ea-16C"]), str(PCG.commissioner), "SPARQLConstraintComponent"),
        (str(ID["contract/ZZF001-iagp"]), str(PCG.deliveredBy), "SPARQLConstraintComponent"),
        (str(ID["contract/A81001-iagp-sub"]), str(PCG.parentContract), "SPARQLConstraintComponent"),
        (str(ID["postholding/P0001-16C-governing-body"]), O_MEMBER, "SPARQLConstraintComponent"),
        (str(ID["membership/CommissionerAssignment-ZZF101-16C"]), str(PCG.toOrganisation), "SPARQLConstraintComponent"),
        (str(ID["postholding/P0001-ZZF001-BOARD-gp"]), str(PCG.represents), "SPARQLConstraintComponent"),
        (str(ID["event/merger-ZZF101-A81001"]), str(ORG.resultingOrganization), "SPARQLConstraintComponent")},
    # dates that fit the history (shapes.ttl section 11)
    "bad_pcn_before_2019.ttl": {
        (str(ID["membership/PCNMembership-A81005-U89141-2018-04-01"]), str(ORG.memberDuring),
         "SPARQLConstraintComponent"),
        (str(ID["membership/PCNMembership-A81006-U89141-2019-03-31"]), str(PCG.observedOn),
         "SPARQLConstraintComponent"),
        (str(ID["roleholding/U89141-RO272"]), str(PCG.validDuring), "SPARQLConstraintComponent"),
        (str(ID["contract/A81001-ncdes-2018-19"]), str(PCG.financialYear), "SPARQLConstraintComponent")},
    "bad_sub_icb_before_2022.ttl": {
        (str(ID["roleholding/16C-RO319"]), str(PCG.validDuring), "SPARQLConstraintComponent"),
        (str(ID["roleholding/QHM-RO318"]), str(PCG.validDuring), "SPARQLConstraintComponent")},
    "bad_ccg_sub_icb_overlap.ttl": {
        (str(ID["roleholding/16C-RO319"]), str(PCG.validDuring), "SPARQLConstraintComponent"),
        (str(ID["roleholding/16C-RO98"]), str(PCG.validDuring), "SPARQLConstraintComponent")},
}


def test_every_bad_file_has_an_expectation() -> None:
    assert {p.name for p in SHAPES_DATA.glob("bad_*.ttl")} == set(EXPECTED_VIOLATIONS)


@pytest.mark.parametrize("name", sorted(EXPECTED_VIOLATIONS))
def test_bad_file_fails_with_the_expected_violations(name: str) -> None:
    conforms, _, rows = validation(name)
    assert not conforms
    violations = {(k[1], k[2], k[3]) for k, _, _ in rows if k[0] == "Violation"}
    assert violations == EXPECTED_VIOLATIONS[name]
    assert all(msg.strip() for k, msg, _ in rows if k[0] == "Violation")


def test_a_fictional_link_names_both_ends_and_the_link() -> None:
    _, _, rows = validation("bad_fictional_link.ttl")
    messages = {(k[1], k[2]): (message, value) for k, message, value in rows
                if k[0] == "Violation" and k[3] == "SPARQLConstraintComponent"}
    person = str(ID["person/P0001"])
    expected = {  # (focus, path): (the fictional end, the real end, the link), and the value reported
        (str(ID["membership/FederationMembership-A81001-ZZF001"]), O_ORG):
            (_o("ZZF001"), _o("A81001"), "org:member - org:organization", _o("ZZF001")),
        (str(ID["contract/ZZF001-ea-16C"]), str(PCG.commissioner)):
            (_o("ZZF001"), _o("16C"), "pcg:contractHolder - pcg:commissioner", _o("16C")),
        (str(ID["contract/A81001-iagp-sub"]), str(PCG.parentContract)):
            (_o("ZZF001"), _o("A81001"), "pcg:contractHolder - pcg:parentContract/pcg:contractHolder", _o("ZZF001")),
        (str(ID["postholding/P0001-16C-governing-body"]), O_MEMBER):
            (person, _o("16C"), "pcg:post/org:postIn - org:member", person),
        (str(ID["membership/CommissionerAssignment-ZZF101-16C"]), str(PCG.toOrganisation)):
            (_o("ZZF101"), _o("16C"), "pcg:fromOrganisation - pcg:toOrganisation", _o("16C")),
        (str(ID["event/merger-ZZF101-A81001"]), str(ORG.resultingOrganization)):
            (_o("ZZF101"), _o("A81001"), "org:originalOrganization - org:resultingOrganization", _o("A81001")),
    }
    for key, (fictional, real, link, value) in expected.items():
        message, reported = messages[key]
        assert f"links the fictional {fictional} with the real {real} ({link})" in message, message
        assert "must never be linked to real ones" in message and reported == value


def test_overlapping_pcn_memberships_give_only_a_warning() -> None:
    name = "warn_pcn_overlap.ttl"
    strict, _, _ = pyshacl.validate(data_graph(name), shacl_graph=shapes_graph(), ont_graph=pcg_graph(),
                                    inference="rdfs")
    assert strict is False  # pyshacl counts warnings against conformance by default ...
    conforms, keys, rows = validation(name)
    assert conforms  # ... and not with allow_warnings=True
    assert keys == (("Warning", _o("A81004"), O_MEMBER, "SPARQLConstraintComponent"),)
    (_, message, value), = rows
    assert value == _o("U89141")
    assert "A81004" in message and "U00070" in message and "U89141" in message


def test_a_clean_pcn_move_and_observed_only_memberships_give_no_warning() -> None:
    conforms, keys, _ = validation("ok_pcn_move.ttl")
    assert conforms
    assert keys == ()


def test_the_overlap_is_not_reported_when_the_target_is_not_a_pcn() -> None:
    """bad_pcn_membership_ccg.ttl puts A81001 'in' 16C: that is a violation, not a PCN overlap."""
    _, keys, _ = validation("bad_pcn_membership_ccg.ttl")
    assert not [k for k in keys if k[0] == "Warning"]


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(p.name for p in SHAPES_DATA.glob("*.ttl")))
def test_results_do_not_depend_on_rdfs_inference(name: str) -> None:
    """pyshacl follows rdfs:subClassOf by itself; the shapes need no other entailment, so the
    faster inference="none" is safe."""
    assert validation(name, "none")[1] == validation(name, "rdfs")[1]


def test_codes_ttl_can_be_mixed_into_the_ontology_graph() -> None:
    ont = pcg_graph() + codes_graph()
    conforms, _, text = pyshacl.validate(data_graph("good.ttl"), shacl_graph=shapes_graph(), ont_graph=ont,
                                         inference="rdfs")
    assert conforms, text


def test_warnings_are_loaded_violations_block() -> None:
    """The two severities in use, and nothing else."""
    g = shapes_graph()
    severities = {o for o in g.objects(None, SH.severity)}
    assert severities == {SH.Violation, SH.Warning}
    warnings = {ns for ns in _node_shapes() if g.value(ns, SH.severity) == SH.Warning}
    assert PCGSH.PCNOverlapShape in warnings
    assert PCGSH.FactProvenanceShape not in warnings


# ---------------------------------------------------------------------------------------------
# the guide's SPARQL examples run on the good graph


def _guide_queries() -> list[str]:
    return re.findall(r"```sparql\n(.*?)```", GUIDE.read_text(encoding="utf-8"), flags=re.S)


def _good_with_ontology() -> Graph:
    return data_graph("good.ttl") + pcg_graph()


def test_guide_has_sparql_examples() -> None:
    assert len(_guide_queries()) >= 3


def test_guide_query_practices_in_pcn_as_of_a_date() -> None:
    rows = list(_good_with_ontology().query(_guide_queries()[0]))
    assert [(str(r.pcnCode), str(r.practiceCode)) for r in rows] == [("U89141", "A81001")]
    assert str(rows[0].file).startswith("ePCN")


def test_guide_query_commissioning_chain() -> None:
    rows = list(_good_with_ontology().query(_guide_queries()[1]))
    links = sorted((str(r.kind).removeprefix(str(PCG)), str(r.to)) for r in rows)
    assert links == [("CommissionerAssignment", "16C"), ("RegionMembership", "Y63"), ("SystemMembership", "QHM")]


def test_guide_query_effective_commissioner_of_a_subcontract() -> None:
    rows = list(_good_with_ontology().query(_guide_queries()[2]))
    by_contract = {str(r.contract).rsplit("/", 1)[1]: r for r in rows}
    assert str(by_contract["ZZF002-iagp-sub"].commissionerCode) == "ZZF001"
    assert str(by_contract["A81001-2022-23"].commissionerCode) == "16C"
    assert str(by_contract["ZZF001-iagp"].deliveredByCode) == "ZZF002"


def test_guide_query_posts() -> None:
    rows = list(_good_with_ontology().query(_guide_queries()[3]))
    assert [(r.role, str(r.parentOrganisation)) for r in rows] == [(PCG.BoardChair, "Expanding (fictional federation)")]


def test_guide_lists_every_shape() -> None:
    text = GUIDE.read_text(encoding="utf-8")
    missing = [str(ns).removeprefix(str(PCGSH)) for ns in _node_shapes()
               if not isinstance(ns, BNode) and str(ns).removeprefix(str(PCGSH)) not in text]
    assert not missing, missing


def test_the_identifier_systems_the_exports_state_are_the_ontologys() -> None:
    from graphkit.core.nhs import LOCAL_CODE_SYSTEM, ODS_CODE_SYSTEM

    g = pcg_graph()
    assert str(g.value(PCG.odsCode, PCG.identifierSystem)) == ODS_CODE_SYSTEM
    assert str(g.value(PCG.localCode, PCG.identifierSystem)) == LOCAL_CODE_SYSTEM
    assert (PCG.odsCode, RDFS.subPropertyOf, ORG.identifier) in g
    assert (PCG.localCode, RDFS.subPropertyOf, ORG.identifier) in g
