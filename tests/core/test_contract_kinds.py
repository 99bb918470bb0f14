"""The one vocabulary of contract kinds (graphkit/core/contract_kinds.py): the ontology's contract classes, the
payments file's forms as other names, and the 422 for anything else."""

from __future__ import annotations

import doctest

import pytest
from rdflib.namespace import RDFS

from graphkit.core import contract_kinds
from graphkit.core.namespaces import PCG_NS
from graphkit.errors import BadParameter


def _local(iri: object) -> str:
    return str(iri)[len(str(PCG_NS)):]


def test_the_kinds_are_the_ontologys_contract_classes_and_their_subclass_relations() -> None:
    from graphkit.ontology.shapes import ontology_graph

    g = ontology_graph()
    classes = {_local(c) for c in g.transitive_subjects(RDFS.subClassOf, PCG_NS.Contract)}
    assert set(contract_kinds.KINDS) == classes  # transitive_subjects includes pcg:Contract itself
    parents = {
        k: _local(p) for k in classes - {"Contract"}
        for p in g.objects(PCG_NS[k], RDFS.subClassOf) if str(p).startswith(str(PCG_NS)) and _local(p) != "Contract"
    }
    assert parents == contract_kinds.PARENT


def test_the_payments_forms_name_the_classes_the_graph_gives_them() -> None:
    from graphkit.rdf.quads import CONTRACT_CLASS

    assert {s: _local(c) for s, c in CONTRACT_CLASS.items()} == {"GMS": "GMSContract", "PMS": "PMSContract",
                                                                  "APMS": "APMSContract"}
    assert contract_kinds.kind_of_stated("Unknown") == contract_kinds.kind_of_stated("") == "Contract"
    assert contract_kinds.kind_of_class("NotAClass") == "Contract"


def test_resolve_accepts_both_forms_in_any_case_and_refuses_the_rest_naming_the_parameter() -> None:
    assert [contract_kinds.resolve(v) for v in ("APMS", "apms", "APMSContract", "subcontract", "Unknown")] == [
        "APMSContract", "APMSContract", "APMSContract", "Subcontract", "Contract"]
    with pytest.raises(BadParameter) as e:
        contract_kinds.resolve("Foo")
    assert e.value.http_status == 422
    assert e.value.details["parameter"] == "type" and e.value.details["unknown"] == ["Foo"]
    assert e.value.details["allowed"] == list(contract_kinds.ACCEPTED)
    assert "'Foo'" in e.value.message and "APMSContract" in e.value.message and "Unknown" in e.value.message


def test_a_kind_includes_its_subclasses_only() -> None:
    assert contract_kinds.is_a("NetworkContractDES", "EnhancedServiceAgreement")
    assert not contract_kinds.is_a("EnhancedServiceAgreement", "NetworkContractDES")
    assert not contract_kinds.is_a("CaretakerContract", "APMSContract")
    assert not contract_kinds.is_a("APMSContract", "Contract")  # Contract is "type not known", not every contract


def test_the_modules_examples() -> None:
    result = doctest.testmod(contract_kinds)
    assert result.attempted >= 3 and result.failed == 0


def test_docs_api_lists_the_vocabulary_as_defined() -> None:
    from graphkit.config import PROJECT_ROOT

    text = (PROJECT_ROOT / "docs" / "api.md").read_text(encoding="utf-8")
    table = text[text.index("| kind | what it is | payments form (`stated_type`) |"):]
    rows = [line.split("|")[1:4] for line in table.splitlines()[2:] if line.startswith("| `")]
    assert [r[0].strip().strip("`") for r in rows] == list(contract_kinds.KINDS)
    forms = {r[2].strip().strip("`"): r[0].strip().strip("`") for r in rows if r[2].strip() != "—"}
    assert forms == contract_kinds.STATED
