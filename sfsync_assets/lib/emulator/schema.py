"""The org's metadata: objects, fields, and duplicate rules, as describe calls report them.

Standard objects ship in `standard_objects.yaml`; an org schema file adds custom fields, custom objects and
duplicate rules (the same file a user writes to mirror their real org). Everything that validates records,
compiles SOQL or renders describe results reads this one model.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

STANDARD_OBJECTS_FILE = Path(__file__).with_name("standard_objects.yaml")

FIELD_TYPES = {
    "id",
    "string",
    "textarea",
    "email",
    "phone",
    "url",
    "picklist",
    "multipicklist",
    "boolean",
    "int",
    "double",
    "currency",
    "percent",
    "date",
    "datetime",
    "reference",
}
TEXT_TYPES = {"id", "string", "textarea", "email", "phone", "url", "picklist", "multipicklist", "reference"}
NUMBER_TYPES = {"int", "double", "currency", "percent"}
SYSTEM_FIELD_NAMES = (
    "Id",
    "IsDeleted",
    "CreatedDate",
    "CreatedById",
    "LastModifiedDate",
    "LastModifiedById",
    "SystemModstamp",
)
# Shape of a field entry in YAML; anything else is a schema error naming the key.
_FIELD_KEYS = {
    "type",
    "length",
    "required",
    "unique",
    "external_id",
    "values",
    "restricted",
    "default",
    "reference_to",
    "relationship_name",
    "calculated",
    "precision",
    "scale",
    "label",
}


class SchemaError(ValueError):
    """An org schema file that cannot be loaded; the message names the file, key and expectation."""


@dataclass(frozen=True)
class FieldDef:
    """One field as describe reports it."""

    name: str
    type: str
    label: str
    length: int = 0
    required: bool = False
    unique: bool = False
    external_id: bool = False
    picklist_values: tuple[str, ...] = ()
    restricted_picklist: bool = False
    default: Any = None
    reference_to: tuple[str, ...] = ()
    relationship_name: str | None = None
    calculated: bool = False
    system: bool = False
    custom: bool = False
    precision: int = 0
    scale: int = 0

    @property
    def createable(self) -> bool:
        return not (self.system or self.calculated)

    @property
    def updateable(self) -> bool:
        return self.createable

    @property
    def nillable(self) -> bool:
        return not self.required and self.type != "boolean" and self.name != "Id"

    @property
    def is_text(self) -> bool:
        return self.type in TEXT_TYPES


@dataclass
class DuplicateRule:
    """Records of `object_name` whose `match_fields` all equal (case-insensitively) an existing record's."""

    name: str
    object_name: str
    match_fields: tuple[str, ...]
    block: bool = True


@dataclass
class ObjectDef:
    name: str
    label: str
    key_prefix: str
    custom: bool = False
    name_field: str | None = "Name"
    fields: dict[str, FieldDef] = field(default_factory=dict)  # keyed by lower-case API name
    duplicate_rules: list[DuplicateRule] = field(default_factory=list)

    @property
    def table(self) -> str:
        """SQLite table that stores this object's records."""
        return "obj_" + self.name.lower()

    def field(self, name: str) -> FieldDef | None:
        return self.fields.get(name.lower())

    def relationship(self, relationship_name: str) -> FieldDef | None:
        """The lookup field whose relationship name is `relationship_name` (e.g. `Account` → `AccountId`)."""
        wanted = relationship_name.lower()
        for candidate in self.fields.values():
            if candidate.relationship_name and candidate.relationship_name.lower() == wanted:
                return candidate
        return None

    def external_id_fields(self) -> list[FieldDef]:
        return [f for f in self.fields.values() if f.external_id]


@dataclass
class OrgSchema:
    objects: dict[str, ObjectDef] = field(default_factory=dict)  # keyed by lower-case API name

    def object(self, name: str) -> ObjectDef | None:
        return self.objects.get(name.lower())

    def object_by_prefix(self, key_prefix: str) -> ObjectDef | None:
        for candidate in self.objects.values():
            if candidate.key_prefix == key_prefix:
                return candidate
        return None


def load_schema(org_schema_file: Path | None = None) -> OrgSchema:
    """Standard objects plus the custom fields, custom objects and duplicate rules of `org_schema_file`."""
    schema = OrgSchema()
    standard = _read_yaml(STANDARD_OBJECTS_FILE)
    for object_name, spec in standard.items():
        _add_object(schema, STANDARD_OBJECTS_FILE, object_name, spec, custom=False)
    if org_schema_file is None:
        return schema
    org = _read_yaml(org_schema_file)
    unknown = set(org) - {"custom_fields", "custom_objects", "duplicate_rules"}
    if unknown:
        raise SchemaError(
            f"{org_schema_file}: unknown top-level key(s) {sorted(unknown)}; "
            "expected custom_fields, custom_objects, duplicate_rules"
        )
    for object_name, spec in (org.get("custom_objects") or {}).items():
        if not object_name.endswith("__c"):
            raise SchemaError(
                f"{org_schema_file}: custom_objects.{object_name}: custom object names end in __c"
            )
        _add_object(schema, org_schema_file, object_name, spec, custom=True)
    for object_name, fields in (org.get("custom_fields") or {}).items():
        target = schema.object(object_name)
        if target is None:
            raise SchemaError(f"{org_schema_file}: custom_fields.{object_name}: no such object")
        for field_name, field_spec in (fields or {}).items():
            if not field_name.endswith("__c"):
                raise SchemaError(
                    f"{org_schema_file}: custom_fields.{object_name}.{field_name}: custom field names end in __c"
                )
            target.fields[field_name.lower()] = _field(
                org_schema_file,
                f"custom_fields.{object_name}.{field_name}",
                field_name,
                field_spec,
                custom=True,
            )
    for index, rule in enumerate(org.get("duplicate_rules") or []):
        _add_duplicate_rule(schema, org_schema_file, index, rule)
    _check_references(schema, org_schema_file)
    return schema


def _read_yaml(path: Path) -> dict[str, Any]:
    try:
        content = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise SchemaError(f"{path}: cannot read org schema: {error}") from error
    if not isinstance(content, dict):
        raise SchemaError(f"{path}: expected a mapping at the top level")
    return content


def _add_object(schema: OrgSchema, path: Path, object_name: str, spec: dict[str, Any], custom: bool) -> None:
    where = f"{'custom_objects.' if custom else ''}{object_name}"
    if not isinstance(spec, dict):
        raise SchemaError(f"{path}: {where}: expected a mapping with label, key_prefix and fields")
    key_prefix = str(spec.get("key_prefix", ""))
    if len(key_prefix) != 3 or not key_prefix.isalnum():
        raise SchemaError(
            f"{path}: {where}.key_prefix: expected 3 alphanumeric characters, got {key_prefix!r}"
        )
    if schema.object_by_prefix(key_prefix):
        raise SchemaError(f"{path}: {where}.key_prefix: {key_prefix} is already used")
    obj = ObjectDef(
        name=object_name,
        label=str(spec.get("label", object_name)),
        key_prefix=key_prefix,
        custom=custom,
        name_field=spec.get("name_field", "Name"),
    )
    for system_field in _system_fields():
        obj.fields[system_field.name.lower()] = system_field
    if spec.get("owned") or custom:
        obj.fields["ownerid"] = FieldDef(
            "OwnerId", "reference", "Owner ID", length=18, reference_to=("User",), relationship_name="Owner"
        )
    if custom:
        obj.fields["name"] = FieldDef("Name", "string", f"{obj.label} Name", length=80)
    for field_name, field_spec in (spec.get("fields") or {}).items():
        obj.fields[field_name.lower()] = _field(
            path, f"{where}.fields.{field_name}", field_name, field_spec, custom
        )
    schema.objects[object_name.lower()] = obj


def _system_fields() -> list[FieldDef]:
    user = ("User",)
    return [
        FieldDef("Id", "id", "Record ID", length=18, system=True, unique=True),
        FieldDef("IsDeleted", "boolean", "Deleted", system=True, default=False),
        FieldDef("CreatedDate", "datetime", "Created Date", system=True),
        FieldDef(
            "CreatedById",
            "reference",
            "Created By ID",
            18,
            system=True,
            reference_to=user,
            relationship_name="CreatedBy",
        ),
        FieldDef("LastModifiedDate", "datetime", "Last Modified Date", system=True),
        FieldDef(
            "LastModifiedById",
            "reference",
            "Last Modified By ID",
            18,
            system=True,
            reference_to=user,
            relationship_name="LastModifiedBy",
        ),
        FieldDef("SystemModstamp", "datetime", "System Modstamp", system=True),
    ]


def _field(path: Path, where: str, name: str, spec: dict[str, Any], custom: bool) -> FieldDef:
    if not isinstance(spec, dict):
        raise SchemaError(f"{path}: {where}: expected a mapping with at least `type`")
    unknown = set(spec) - _FIELD_KEYS
    if unknown:
        raise SchemaError(
            f"{path}: {where}: unknown key(s) {sorted(unknown)}; expected some of {sorted(_FIELD_KEYS)}"
        )
    field_type = spec.get("type")
    if field_type not in FIELD_TYPES:
        raise SchemaError(f"{path}: {where}.type: expected one of {sorted(FIELD_TYPES)}, got {field_type!r}")
    values = tuple(str(v) for v in spec.get("values") or ())
    if field_type in {"picklist", "multipicklist"} and not values:
        raise SchemaError(f"{path}: {where}.values: a picklist needs at least one value")
    reference_to = spec.get("reference_to")
    if field_type == "reference" and not reference_to:
        raise SchemaError(f"{path}: {where}.reference_to: a reference field names the object it points to")
    if isinstance(reference_to, str):
        reference_to = (reference_to,)
    relationship_name = spec.get("relationship_name")
    if field_type == "reference" and not relationship_name:
        relationship_name = name[:-3] + "__r" if name.endswith("__c") else name.removesuffix("Id")
    default_length = {
        "string": 255,
        "textarea": 32768,
        "email": 80,
        "phone": 40,
        "url": 255,
        "picklist": 255,
        "multipicklist": 4099,
        "reference": 18,
        "id": 18,
    }.get(field_type, 0)
    return FieldDef(
        name=name,
        type=field_type,
        label=str(spec.get("label", name.removesuffix("__c").replace("_", " "))),
        length=int(spec.get("length", default_length)),
        required=bool(spec.get("required", False)),
        unique=bool(spec.get("unique", False)),
        external_id=bool(spec.get("external_id", False)),
        picklist_values=values,
        restricted_picklist=bool(spec.get("restricted", False)),
        default=spec.get("default"),
        reference_to=tuple(reference_to or ()),
        relationship_name=relationship_name,
        calculated=bool(spec.get("calculated", False)),
        custom=custom,
        precision=int(spec.get("precision", 18 if field_type in {"currency", "double", "percent"} else 0)),
        scale=int(spec.get("scale", 2 if field_type in {"currency", "double"} else 0)),
    )


def _add_duplicate_rule(schema: OrgSchema, path: Path, index: int, rule: dict[str, Any]) -> None:
    where = f"duplicate_rules[{index}]"
    if not isinstance(rule, dict) or not {"name", "object", "match_fields"} <= set(rule):
        raise SchemaError(f"{path}: {where}: expected name, object and match_fields")
    target = schema.object(str(rule["object"]))
    if target is None:
        raise SchemaError(f"{path}: {where}.object: no such object {rule['object']!r}")
    match_fields = tuple(str(f) for f in rule["match_fields"])
    for match_field in match_fields:
        if target.field(match_field) is None:
            raise SchemaError(f"{path}: {where}.match_fields: {target.name} has no field {match_field!r}")
    action = rule.get("action", "block")
    if action not in {"block", "allow"}:
        raise SchemaError(f"{path}: {where}.action: expected block or allow, got {action!r}")
    target.duplicate_rules.append(
        DuplicateRule(
            str(rule["name"]),
            target.name,
            tuple(target.field(f).name for f in match_fields),
            action == "block",
        )
    )


def _check_references(schema: OrgSchema, path: Path) -> None:
    for obj in schema.objects.values():
        for candidate in obj.fields.values():
            for referenced in candidate.reference_to:
                if schema.object(referenced) is None:
                    raise SchemaError(
                        f"{path}: {obj.name}.{candidate.name}.reference_to: no such object {referenced!r}"
                    )
