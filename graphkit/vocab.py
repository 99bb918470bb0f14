"""PROVISIONAL: replaced by the generated module once ontology/pcg.ttl exists."""

from rdflib.namespace import ClosedNamespace

PCG = ClosedNamespace(
    uri="https://w3id.org/pcgraph/def#",
    terms=[
        "PCNMembership",
        "CommissionerAssignment",
        "SystemMembership",
        "RegionMembership",
        "SourceDocument",
        "fileName",
        "sourceKind",
        "vintage",
        "sha256",
        "sourceLine",
        "odsCode",
        "postcode",
        "onsCode",
        "fictional",
        "observedOn",
        "GPPractice",
        "PrimaryCareNetwork",
        "SubICBLocation",
        "ClinicalCommissioningGroup",
        "IntegratedCareBoard",
        "SustainabilityAndTransformationPartnership",
        "NHSEnglandRegion",
    ],
)
