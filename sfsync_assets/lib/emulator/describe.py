"""Describe results (global and per object) in the shape airbyte, dlt and simple-salesforce users read."""

from __future__ import annotations

from typing import Any

from .schema import FieldDef, ObjectDef, OrgSchema

_SOAP_TYPES = {
    "id": "tns:ID",
    "reference": "tns:ID",
    "boolean": "xsd:boolean",
    "int": "xsd:int",
    "double": "xsd:double",
    "currency": "xsd:double",
    "percent": "xsd:double",
    "date": "xsd:date",
    "datetime": "xsd:dateTime",
}


def object_urls(obj: ObjectDef, version: str) -> dict[str, str]:
    base = f"/services/data/v{version}/sobjects/{obj.name}"
    return {"sobject": base, "describe": f"{base}/describe", "rowTemplate": f"{base}/{{ID}}"}


def object_summary(obj: ObjectDef, version: str) -> dict[str, Any]:
    return {
        "name": obj.name,
        "label": obj.label,
        "labelPlural": obj.label + "s",
        "keyPrefix": obj.key_prefix,
        "custom": obj.custom,
        "queryable": True,
        "createable": True,
        "updateable": True,
        "deletable": True,
        "undeletable": True,
        "retrieveable": True,
        "searchable": True,
        "replicateable": True,
        "layoutable": True,
        "triggerable": True,
        "mergeable": False,
        "activateable": False,
        "feedEnabled": False,
        "customSetting": False,
        "deprecatedAndHidden": False,
        "urls": object_urls(obj, version),
    }


def global_describe(schema: OrgSchema, version: str) -> dict[str, Any]:
    return {
        "encoding": "UTF-8",
        "maxBatchSize": 200,
        "sobjects": [object_summary(obj, version) for obj in schema.objects.values()],
    }


def field_describe(field: FieldDef) -> dict[str, Any]:
    picklist = [
        {
            "value": value,
            "label": value,
            "active": True,
            "defaultValue": value == field.default,
            "validFor": None,
        }
        for value in field.picklist_values
    ]
    return {
        "name": field.name,
        "label": field.label,
        "type": field.type,
        "soapType": _SOAP_TYPES.get(field.type, "xsd:string"),
        "length": field.length if field.is_text else 0,
        "byteLength": field.length * 3 if field.is_text else 0,
        "precision": field.precision,
        "scale": field.scale,
        "digits": field.precision if field.type == "int" else 0,
        "nillable": field.nillable,
        "createable": field.createable,
        "updateable": field.updateable,
        "defaultedOnCreate": field.system or field.default is not None or field.name == "OwnerId",
        "defaultValue": field.default if field.type != "boolean" else bool(field.default),
        "externalId": field.external_id,
        "idLookup": field.external_id or field.name == "Id" or field.unique,
        "unique": field.unique,
        "caseSensitive": False,
        "calculated": field.calculated,
        "calculatedFormula": None,
        "custom": field.custom,
        "filterable": True,
        "sortable": field.type != "textarea",
        "groupable": field.type not in {"textarea", "double", "currency", "percent"},
        "nameField": field.name == "Name",
        "restrictedPicklist": field.restricted_picklist,
        "picklistValues": picklist,
        "referenceTo": list(field.reference_to),
        "relationshipName": field.relationship_name,
        "compoundFieldName": None,
        "autoNumber": False,
        "deprecatedAndHidden": False,
        "htmlFormatted": False,
        "dependentPicklist": False,
        "inlineHelpText": None,
    }


def object_describe(schema: OrgSchema, obj: ObjectDef, version: str) -> dict[str, Any]:
    children = []
    for child in schema.objects.values():
        for candidate in child.fields.values():
            if obj.name in candidate.reference_to and not candidate.system and candidate.name != "OwnerId":
                children.append(
                    {
                        "childSObject": child.name,
                        "field": candidate.name,
                        "cascadeDelete": False,
                        "relationshipName": (child.name + "s") if not child.custom else None,
                    }
                )
    result = object_summary(obj, version)
    result.update(
        {
            "fields": [field_describe(f) for f in obj.fields.values()],
            "childRelationships": children,
            "recordTypeInfos": [],
            "supportedScopes": [{"label": "All", "name": "everything"}],
        }
    )
    return result
