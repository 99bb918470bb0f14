"""Kinds of contract: one vocabulary for the contracts of every source.

NHS Payments to General Practice states a practice's contract type as GMS, PMS, APMS or Unknown; the curated tables
name a contract class of the ontology (``APMSContract``, ``ServiceContract``, ``Subcontract`` ...). Both are read
into this one vocabulary: the ontology's classes of ``pcg:Contract`` by local name (ontology/pcg.ttl), with
``Contract`` for a contract whose type is not known (the ontology types such a contract ``pcg:Contract`` only).
The payments file's forms are accepted as other names of their classes: ``APMS`` is ``APMSContract``, ``Unknown`` is
``Contract``, so ``type=APMS`` and ``type=APMSContract`` find the same contracts, national and curated.

A kind includes its subclasses: ``EnhancedServiceAgreement`` finds the ``NetworkContractDES`` agreements too.
``Contract`` is the kind "type not known", not every contract (leave the filter out for every contract).

A test keeps :data:`KINDS` equal to the ontology's subclasses of ``pcg:Contract`` (with ``Contract`` itself) and
:data:`PARENT` to their subclass relations.
"""

from __future__ import annotations

from graphkit.errors import BadParameter

#: Every kind, with what it means (in the order the API documents them).
KINDS: dict[str, str] = {
    "GMSContract": "General Medical Services contract (payments: GMS)",
    "PMSContract": "Personal Medical Services agreement (payments: PMS)",
    "APMSContract": "Alternative Provider Medical Services contract (payments: APMS)",
    "Contract": "a contract whose type is not known (payments: Unknown)",
    "ServiceContract": "a contract for a service other than core medical services",
    "EnhancedServiceAgreement": "an enhanced-service agreement (with NetworkContractDES)",
    "NetworkContractDES": "the Network Contract Directed Enhanced Service",
    "CaretakerContract": "a time-limited contract to run a failing or orphaned practice",
    "Subcontract": "a contract to deliver part of another contract (its parent)",
}

#: The kinds that are a subclass of another kind than ``Contract``: kind -> its parent kind.
PARENT: dict[str, str] = {"NetworkContractDES": "EnhancedServiceAgreement"}

#: The contract types NHS Payments to General Practice states, and their kind.
STATED: dict[str, str] = {"GMS": "GMSContract", "PMS": "PMSContract", "APMS": "APMSContract", "Unknown": "Contract"}

#: Every value a ``type`` filter accepts: the kinds, then the payments file's forms.
ACCEPTED: tuple[str, ...] = (*KINDS, *STATED)

_BY_LOWER = {name.lower(): STATED.get(name, name) for name in ACCEPTED}


def kind_of_stated(stated: str | None) -> str:
    """The kind of a contract type as the payments file states it (GMS, PMS, APMS; anything else is ``Contract``).

    >>> kind_of_stated("APMS"), kind_of_stated("Unknown"), kind_of_stated(None)
    ('APMSContract', 'Contract', 'Contract')
    """
    return STATED.get(stated or "", "Contract")


def kind_of_class(name: str) -> str:
    """The kind of a curated contract class: the class itself when it is a kind, else ``Contract``."""
    return name if name in KINDS else "Contract"


def resolve(asked: str, parameter: str = "type") -> str:
    """The kind a filter value names: a kind or a payments form, in any case. BadParameter (422) naming the
    parameter and every accepted value otherwise.

    >>> resolve("APMS"), resolve("apmscontract"), resolve("Unknown")
    ('APMSContract', 'APMSContract', 'Contract')
    """
    kind = _BY_LOWER.get(asked.strip().lower())
    if kind is None:
        raise BadParameter(
            f"{parameter}: unknown kind of contract {asked!r}; one of: {', '.join(ACCEPTED)}",
            details={"parameter": parameter, "unknown": [asked], "allowed": list(ACCEPTED)},
        )
    return kind


def is_a(kind: str, wanted: str) -> bool:
    """True when a contract of ``kind`` is of the kind ``wanted`` (itself or a subclass of it).

    >>> is_a("NetworkContractDES", "EnhancedServiceAgreement"), is_a("CaretakerContract", "APMSContract")
    (True, False)
    """
    while True:
        if kind == wanted:
            return True
        if kind not in PARENT:
            return False
        kind = PARENT[kind]


def describe() -> str:
    """The vocabulary in words, for the API's descriptions."""
    kinds = "; ".join(f"`{k}` ({v})" for k, v in KINDS.items())
    forms = ", ".join(f"`{s}` = `{k}`" for s, k in STATED.items())
    return f"One of: {kinds}. The payments file's forms are accepted too: {forms}. Any case."
