"""What every FHIR answer of the facade must be: valid FHIR R4 JSON.

``fhir.resources`` (its R4B models: the library's FHIR 4.x models on pydantic 2; R4B changed none of the elements the
facade writes: Organization, OrganizationAffiliation, Bundle, OperationOutcome, CapabilityStatement) parses the
resource, and its JSON must come back unchanged (the models coerce some wrong values, such as ``"yes"`` for a
boolean, rather than refuse them: a coercion shows as a difference). Then the rules of FHIR's JSON the models do not
check: no empty array, object or string and no null anywhere; every extension has a ``url`` and either a value or
extensions, never both (ext-1); every ``id`` is at most 64 letters, digits, ``-`` and ``.``.
"""

from __future__ import annotations

import json
import re
from typing import Any

from fhir.resources.R4B import get_fhir_model_class

FHIR_ID = re.compile(r"^[A-Za-z0-9\-.]{1,64}$")


def valid(body: dict[str, Any]) -> dict[str, Any]:
    """``body`` when it is a valid FHIR R4 resource (else an AssertionError naming what is wrong)."""
    model = get_fhir_model_class(body["resourceType"]).model_validate(body)
    assert json.loads(model.model_dump_json()) == body, "the FHIR model changed the resource: a value of a wrong type"
    _walk(body, "$")
    return body


def _walk(node: Any, where: str) -> None:
    assert node is not None, f"null at {where}"
    if isinstance(node, dict):
        assert node, f"empty object at {where}"
        for key, value in node.items():
            _walk(value, f"{where}.{key}")
        if "resourceType" in node and "id" in node:
            assert FHIR_ID.match(node["id"]), f"bad id {node['id']!r} at {where}"
        for ext in node.get("extension", []) + node.get("modifierExtension", []):
            values = [k for k in ext if k.startswith("value")]
            assert "url" in ext, f"extension without url at {where}"
            assert (len(values) == 1) != ("extension" in ext), f"extension {ext['url']} at {where}: ext-1"
    elif isinstance(node, list):
        assert node, f"empty array at {where}"
        for i, item in enumerate(node):
            _walk(item, f"{where}[{i}]")
    elif isinstance(node, str):
        assert node.strip(), f"empty string at {where}"


def bundle_resources(body: dict[str, Any]) -> list[dict[str, Any]]:
    """The resources of a searchset Bundle, each checked to sit at its fullUrl."""
    valid(body)
    assert body["resourceType"] == "Bundle" and body["type"] == "searchset"
    out = []
    for entry in body.get("entry", []):
        res = entry["resource"]
        assert entry["fullUrl"].endswith(f"/fhir/{res['resourceType']}/{res['id']}")
        assert entry["search"] == {"mode": "match"}
        out.append(res)
    return out


def links(body: dict[str, Any]) -> dict[str, str]:
    return {link["relation"]: link["url"] for link in body.get("link", [])}
