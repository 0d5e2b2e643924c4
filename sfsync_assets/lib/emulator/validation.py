"""Record validation the way an org applies it to every write, whichever API the write came through.

The checks that need only the record itself live here (unknown and read-only fields, types and lengths, required
fields, restricted picklists); checks that need other records (lookups, unique values, duplicate rules) live in
the store, which owns the data.
"""

from __future__ import annotations

from typing import Any

from .errors import SalesforceApiError
from .schema import FieldDef, ObjectDef
from .values import to_storage

CREATE = "create"
UPDATE = "update"


def normalize_record(
    obj: ObjectDef, incoming: dict[str, Any], mode: str, *, allow_system_fields: bool = False
) -> dict[str, Any]:
    """Map incoming API-named values to stored values keyed by canonical field name.

    Relationship references by external id (`{"Account": {"ERP_Customer_Id__c": "C1"}}` in REST, or
    `Account.ERP_Customer_Id__c` columns in Bulk CSV) are returned under the lookup field's name as a
    `ParentReference`, for the store to resolve.
    """
    stored: dict[str, Any] = {}
    read_only: list[str] = []
    for key, value in incoming.items():
        if key == "attributes":
            continue
        reference = _relationship_reference(obj, key, value)
        if reference is not None:
            stored[reference.lookup_field.name] = reference
            continue
        field = obj.field(key)
        if field is None:
            raise SalesforceApiError(
                400, "INVALID_FIELD", f"No such column '{key}' on sobject of type {obj.name}", [key]
            )
        if field.name == "Id":
            continue
        if not allow_system_fields and not field.createable:
            read_only.append(field.name)
            continue
        stored[field.name] = to_storage(field, value, obj.name)
    if read_only:
        verb = "create" if mode == CREATE else "update"
        raise SalesforceApiError(
            400,
            "INVALID_FIELD_FOR_INSERT_UPDATE",
            f"Unable to {verb} fields: {', '.join(read_only)}. Please check the security settings of this "
            "field and verify that it is read/write for your profile or permission set.",
            read_only,
        )
    return stored


class ParentReference:
    """A lookup given as the parent's external id, resolved to the parent's Id by the store."""

    def __init__(self, lookup_field: FieldDef, parent_object: str, external_field: str, value: Any) -> None:
        self.lookup_field = lookup_field
        self.parent_object = parent_object
        self.external_field = external_field
        self.value = value


def _relationship_reference(obj: ObjectDef, key: str, value: Any) -> ParentReference | None:
    if "." in key:
        relationship_name, external_field = key.split(".", 1)
        lookup = obj.relationship(relationship_name)
        if lookup is None:
            return None
        if value in (None, ""):
            return None
        return ParentReference(lookup, lookup.reference_to[0], external_field, value)
    if isinstance(value, dict):
        lookup = obj.relationship(key)
        if lookup is None:
            return None
        keys = [k for k in value if k != "attributes"]
        if len(keys) != 1:
            raise SalesforceApiError(
                400,
                "INVALID_FIELD",
                f"A relationship reference for {key} must name exactly one external id field",
            )
        return ParentReference(lookup, lookup.reference_to[0], keys[0], value[keys[0]])
    return None


def apply_business_rules(obj: ObjectDef, merged: dict[str, Any], changed: set[str], mode: str) -> None:
    """Required fields and restricted picklists on the record as it will be saved (`merged`)."""
    missing = [
        f.name
        for f in obj.fields.values()
        if f.required
        and not f.calculated
        and merged.get(f.name) in (None, "")
        and (mode == CREATE or f.name in changed)
    ]
    if missing:
        raise SalesforceApiError(
            400, "REQUIRED_FIELD_MISSING", f"Required fields are missing: [{', '.join(missing)}]", missing
        )
    for name in changed:
        field = obj.field(name)
        value = merged.get(name)
        if field is None or value is None or not field.restricted_picklist:
            continue
        if value not in field.picklist_values:
            raise SalesforceApiError(
                400,
                "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST",
                f"{field.label}: bad value for restricted picklist field: {value}",
                [field.name],
            )


def defaults_for_create(obj: ObjectDef) -> dict[str, Any]:
    """Values a new record gets when the caller does not set them."""
    defaults: dict[str, Any] = {}
    for field in obj.fields.values():
        if field.default is None or field.system:
            continue
        defaults[field.name] = int(bool(field.default)) if field.type == "boolean" else field.default
    return defaults


def derive_calculated(obj: ObjectDef, merged: dict[str, Any]) -> None:
    """Fields the org computes itself: the person Name of Contacts, Leads and Users."""
    name_field = obj.field("Name")
    if name_field is not None and name_field.calculated:
        parts = [merged.get("FirstName"), merged.get("LastName")]
        merged["Name"] = " ".join(p for p in parts if p) or None
