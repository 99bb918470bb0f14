"""Facts about the NHS that the code relies on, in one place."""

from __future__ import annotations

import datetime as dt

# ICBs and sub-ICB locations replaced STPs and CCGs on 1 July 2022 (Health and Care Act 2022).
ICB_DAY = dt.date(2022, 7, 1)
CCG_LAST_DAY = dt.date(2022, 6, 30)
ICB_RULE = "Health and Care Act 2022: CCGs and STPs replaced by ICBs and sub-ICB locations on 2022-07-01"

# ODS role code -> ontology class of an organisation holding the role (during the holding).
ROLE_CLASS = {
    "RO177": "PrescribingCostCentre",
    "RO76": "GPPractice",
    "RO87": "WalkInCentre",
    "RO272": "PrimaryCareNetwork",
    "RO98": "ClinicalCommissioningGroup",
    "RO319": "SubICBLocation",
    "RO262": "SustainabilityAndTransformationPartnership",
    "RO318": "IntegratedCareBoard",
    "RO197": "NHSTrust",
    "RO57": "FoundationTrust",
    "RO209": "NHSEnglandRegion",
    "RO218": "CommissioningHub",
}
# Kinds an organisation holds only for a period (the same code changes kind in 2022).
TIME_BOUNDED_CLASSES = frozenset(
    {
        "ClinicalCommissioningGroup",
        "SubICBLocation",
        "SustainabilityAndTransformationPartnership",
        "IntegratedCareBoard",
    }
)
# Tie kinds recorded as a dated relation between two organisations (pcg:DatedRelation: fromOrganisation,
# toOrganisation, validDuring), not as an org:Membership: commissioning, operation, payee and part-of structure.
# The ontology is the authority; a test keeps this set equal to its subclasses of pcg:DatedRelation.
DATED_RELATION_KINDS = frozenset(
    {
        "CommissionerAssignment",
        "NominatedPayeeAssignment",
        "OperatorAssignment",
        "StructuralMembership",
        "SystemMembership",
        "RegionMembership",
        "UnitMembership",
        "ConstituentMembership",
    }
)


def is_ods_code(code: str, fictional: bool = False) -> bool:
    """Whether an organisation's code is an NHS ODS code (held as pcg:odsCode) rather than one the project or a
    curated table gives (pcg:localCode): ODS codes contain no hyphen, and a fictional organisation's code is never
    an ODS code."""
    return not fictional and "-" not in code


#: FHIR identifier systems of the two kinds of organisation code (pcg:identifierSystem in the ontology).
ODS_CODE_SYSTEM = "https://fhir.nhs.uk/Id/ods-organization-code"
LOCAL_CODE_SYSTEM = "https://w3id.org/pcgraph/id/org/"
