"""Field paths (`Account.Owner.Name`) resolved against the schema into columns of LEFT-JOINed parent tables.

Each distinct relationship path is joined once, on the parent's unique `Id`, so a null lookup yields nulls
rather than dropping the row, and a row count can leave out the joins its WHERE does not read. As in SOQL, a
path may start with the queried object's own name (`SELECT Account.Name FROM Account`). A polymorphic lookup
joins the first object it may point to.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from ..schema import FieldDef, ObjectDef, OrgSchema
from ..tables import quote
from .ast import FieldPath
from .query_errors import no_such_column, unknown_relationship


@dataclass(frozen=True)
class ParentHop:
    """A parent reached through the relationship path `relationships` (canonical names, root side first)."""

    relationships: tuple[str, ...]
    object: ObjectDef
    alias: str


@dataclass(frozen=True)
class ResolvedField:
    names: tuple[str, ...]  # canonical API names: relationship names, then the field name
    field: FieldDef
    column: str  # SQL expression, e.g. "r_1"."Name"
    hops: tuple[ParentHop, ...]
    object: ObjectDef  # the object that owns `field`


class ParentJoins:
    def __init__(self, schema: OrgSchema, root: ObjectDef, root_alias: str, source: str) -> None:
        self.schema = schema
        self.root = root
        self.root_alias = root_alias
        self.source = source
        self._hops: dict[tuple[str, ...], ParentHop] = {}
        self._join_clauses: dict[str, str] = {}  # by alias, in join order

    def resolve(self, path: FieldPath) -> ResolvedField:
        names = path.names
        starts_with_root = len(names) > 1 and names[0].lower() == self.root.name.lower()
        if starts_with_root and not self.root.relationship(names[0]):
            names = names[1:]
        owner, alias = self.root, self.root_alias
        hops: list[ParentHop] = []
        canonical: list[str] = []
        for relationship_name in names[:-1]:
            lookup = owner.relationship(relationship_name)
            if lookup is None:
                raise unknown_relationship(self.source, path.offset, relationship_name)
            canonical.append(lookup.relationship_name or relationship_name)
            hop = self._join(tuple(canonical), lookup, alias)
            hops.append(hop)
            owner, alias = hop.object, hop.alias
        field = owner.field(names[-1])
        if field is None:
            raise no_such_column(self.source, path.offset, names[-1], owner.name)
        column = f"{quote(alias)}.{quote(field.name)}"
        return ResolvedField((*canonical, field.name), field, column, tuple(hops), owner)

    def from_clause(self, aliases: Collection[str] | None = None) -> str:
        """The root table and its joins (only those of `aliases`, parents of the fields a WHERE reads, if given)."""
        joins = [
            clause for alias, clause in self._join_clauses.items() if aliases is None or alias in aliases
        ]
        return " ".join([f"{quote(self.root.table)} AS {quote(self.root_alias)}", *joins])

    def _join(self, relationships: tuple[str, ...], lookup: FieldDef, child_alias: str) -> ParentHop:
        key = tuple(name.lower() for name in relationships)
        hop = self._hops.get(key)
        if hop is None:
            parent = self.schema.object(lookup.reference_to[0])
            assert parent is not None, "load_schema checks that every reference_to names an object"
            hop = ParentHop(relationships, parent, f"{self.root_alias}_{len(self._hops) + 1}")
            self._hops[key] = hop
            self._join_clauses[hop.alias] = (
                f"LEFT JOIN {quote(parent.table)} AS {quote(hop.alias)} "
                f"ON {quote(hop.alias)}.{quote('Id')} = {quote(child_alias)}.{quote(lookup.name)}"
            )
        return hop
