"""Where each field sits in a record: byte offsets and lengths, OCCURS expanded, REDEFINES overlaid.

Without OCCURS DEPENDING ON (ODO) every record has the same layout and it is worked out once. With ODO a
table holds as many elements as its counter says and the fields after it move, so positions are
worked out for a whole batch of records at a time: offsets become numpy arrays (one entry per record)
and each table element carries a mask of the records that have it. This keeps variable layouts
vectorised too; the walk costs one pass over the field tree per batch, not per record.

Counters are read through a callback so this module knows nothing about byte decoding. An element's
counter may sit inside an enclosing table element (a count per element); the value read most recently
before the table is the one used, as the COBOL rule "the counter precedes the table" implies.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from .errors import LayoutError
from .parser import Copybook, CopybookField, Occurs, Usage
from .picture import PictureCategory

Offset = int | np.ndarray
_RECORD_LEVELS = (1, 77)  # levels that start a record description of their own, at offset 0


# The longest record z/OS allows: a larger layout is a mistake (or hostile) and would take forever to place.
MAX_RECORD_LENGTH = 32_760


@dataclass(frozen=True)
class LayoutRow:
    """One line of the layout table (`sfsync legacy layout`); offsets are 0-based bytes."""

    path: str
    level: int
    picture: str | None
    usage: str
    offset: int
    length: int
    digits: int | None
    scale: int | None
    signed: bool
    occurs: str | None
    redefines: str | None


@dataclass(frozen=True)
class Position:
    """A byte offset kept as shared base + constant, so fields after an ODO table share one array."""

    base: Offset
    delta: int = 0

    def __add__(self, size: int) -> Position:
        return Position(self.base, self.delta + size)

    def resolve(self) -> Offset:
        return self.base + self.delta


@dataclass(frozen=True)
class PlacedField:
    """One occurrence of an item at its position in a batch of records.

    `offset` and `length` are ints when they are the same for every record, otherwise arrays with one
    entry per record. `active` marks the records that have this occurrence (None: all of them).
    `alternatives` lists the REDEFINES areas enclosing the item as (area key, alternative index).
    """

    path: str
    field: CopybookField
    start: Position
    end: Position
    active: np.ndarray | None
    alternatives: tuple[tuple[str, int], ...]

    @property
    def offset(self) -> Offset:
        return self.start.resolve()

    @property
    def length(self) -> Offset:
        if self.start.base is self.end.base:
            return self.end.delta - self.start.delta
        return self.end.resolve() - self.start.resolve()


@dataclass(frozen=True)
class OccursProblem:
    """Records whose ODO counter was unreadable or out of range; their count was clamped into range."""

    counter: PlacedField
    table_path: str
    occurs: Occurs
    rows: np.ndarray
    values: np.ndarray
    readable: np.ndarray


@dataclass
class Placement:
    """Every item of a batch's layout in record order (groups before their children)."""

    items: list[PlacedField] = field(default_factory=list)
    problems: list[OccursProblem] = field(default_factory=list)

    def elementary(self) -> list[PlacedField]:
        return [item for item in self.items if not item.field.is_group]

    def rows(self, record: int = 0) -> list[LayoutRow]:
        """The layout as one record of the batch sees it (ODO tables at that record's counts)."""
        rows = []
        for item in self.items:
            if item.active is not None and not item.active[record]:
                continue
            rows.append(_row(item, _for_record(item.offset, record), _for_record(item.length, record)))
        return rows


CounterReader = Callable[[PlacedField], tuple[np.ndarray, np.ndarray]]
"""Decodes a counter field for every record of the batch: (int64 values, readable mask)."""


@dataclass(eq=False)
class _Node:
    field: CopybookField
    path_name: str
    areas: list[list[_Node]]
    element_size: int  # one occurrence, with every ODO table inside at its maximum
    element_varies: bool  # an ODO table inside it makes one occurrence's size vary by record

    @property
    def dynamic(self) -> bool:
        """Its total size varies by record: it is an ODO table or holds one."""
        odo = self.field.occurs is not None and self.field.occurs.depending_on is not None
        return odo or self.element_varies

    @property
    def max_size(self) -> int:
        return self.element_size * (self.field.occurs.max_count if self.field.occurs else 1)


class Layout:
    """Byte layout of a copybook's records."""

    def __init__(self, copybook: Copybook) -> None:
        self.copybook = copybook
        self._filler_count = 0
        nodes = [self._build(record) for record in copybook.records]
        self._check_unique_names(nodes, "the copybook")
        self._areas = _group_areas(nodes, copybook.source)
        self.counter_names = self._check_counters()
        self.record_length = sum(max(node.max_size for node in area) for area in self._areas)
        if self.record_length > MAX_RECORD_LENGTH:
            raise _error(
                copybook.source,
                copybook.records[0],
                f"records of {self.record_length:,} bytes; the largest z/OS record is {MAX_RECORD_LENGTH:,}",
            )
        self.is_variable = any(node.dynamic for area in self._areas for node in area)

    def rows(self) -> list[LayoutRow]:
        """Static layout: every OCCURS expanded, ODO tables at their maximum count."""
        return self.place().rows()

    def place(self, read_counter: CounterReader | None = None) -> Placement:
        """Lay out a batch of records, reading their ODO counters with `read_counter`.

        Without a reader: the static layout (ODO tables at their maximum), with int offsets.
        """
        placer = _Placer(self.counter_names, read_counter)
        placer.place_areas(self._areas, Position(0), None, "", ())
        return placer.placement

    # -- building the node tree -------------------------------------------------------------------------

    def _build(self, item: CopybookField) -> _Node:
        if item.is_filler:
            self._filler_count += 1
            path_name = f"FILLER_{self._filler_count}"
        else:
            path_name = item.name
        children = [self._build(child) for child in item.children]
        self._check_unique_names(children, item.name)
        areas = _group_areas(children, self.copybook.source)
        if item.is_group:
            element_size = sum(max(node.max_size for node in area) for area in areas)
        else:
            element_size = item.storage_length
        if item.occurs is not None and item.level in _RECORD_LEVELS:
            raise _error(self.copybook.source, item, f"OCCURS is not allowed at level {item.level:02d}")
        return _Node(item, path_name, areas, element_size, any(child.dynamic for child in children))

    def _check_unique_names(self, nodes: list[_Node], owner: str) -> None:
        seen: set[str] = set()
        for node in nodes:
            if node.path_name in seen:
                raise _error(
                    self.copybook.source,
                    node.field,
                    f"{node.path_name} appears twice in {owner}, so its column would be ambiguous",
                )
            seen.add(node.path_name)

    def _check_counters(self) -> frozenset[str]:
        """Every DEPENDING ON must name an integer item that comes before the table and outside it.

        A counter inside a table element is fine when the ODO table sits in the same element (a count per
        element); a counter in a table the ODO table is not part of would be ambiguous.
        """
        fields = list(self.copybook.fields())
        repeated_ancestors = _repeated_ancestors(self.copybook)
        names = set()
        for table in fields:
            if table.occurs is None or table.occurs.depending_on is None:
                continue
            name = table.occurs.depending_on
            inside = set(table.walk())
            candidates = [
                item for item in fields if item.name == name and item.line < table.line and item not in inside
            ]
            if not candidates:
                raise _error(
                    self.copybook.source,
                    table,
                    f"DEPENDING ON {name} names no item declared before the table",
                )
            counter = candidates[-1]
            if not repeated_ancestors[counter] <= repeated_ancestors[table] | {table}:
                raise _error(
                    self.copybook.source, table, f"DEPENDING ON {name} names an item inside another table"
                )
            picture = counter.picture
            if (
                counter.is_group
                or picture is None
                or picture.category is not PictureCategory.NUMERIC
                or picture.scale != 0
                or counter.usage in (Usage.FLOAT_SINGLE, Usage.FLOAT_DOUBLE)
            ):
                raise _error(self.copybook.source, table, f"DEPENDING ON {name} must name an integer item")
            names.add(name)
        return frozenset(names)


class _Placer:
    """One walk over the node tree, for the static layout or for one batch of records."""

    def __init__(self, counter_names: frozenset[str], read_counter: CounterReader | None) -> None:
        self.counter_names = counter_names
        self.read_counter = read_counter
        self.placement = Placement()
        self.counters: dict[str, tuple[np.ndarray, np.ndarray, PlacedField]] = {}

    @property
    def static(self) -> bool:
        return self.read_counter is None

    def place_areas(
        self,
        areas: list[list[_Node]],
        position: Position,
        active: np.ndarray | None,
        prefix: str,
        alternatives: tuple[tuple[str, int], ...],
    ) -> Position:
        for area_index, area in enumerate(areas):
            if len(area) == 1:
                position = self.place_node(area[0], position, active, prefix, alternatives)
                continue
            key = f"{prefix}#{area_index}"
            ends = [
                self.place_node(node, position, active, prefix, (*alternatives, (key, index)))
                for index, node in enumerate(area)
            ]
            position = _furthest(ends)
        return position

    def place_node(
        self,
        node: _Node,
        position: Position,
        active: np.ndarray | None,
        prefix: str,
        alternatives: tuple[tuple[str, int], ...],
    ) -> Position:
        item = node.field
        occurs = item.occurs
        counts = None
        repeat = occurs.max_count if occurs else 1
        if occurs is not None and occurs.depending_on is not None and not self.static:
            counts = self._odo_counts(node, active, prefix)
            repeat = int(counts.max(initial=0))
        start = position
        for index in range(repeat):
            path = f"{prefix}{node.path_name}({index + 1})" if occurs else f"{prefix}{node.path_name}"
            here = active
            if counts is not None:
                here = counts > index if active is None else active & (counts > index)
            if node.element_varies and counts is not None:
                end = self._place_one(node, position, here, path, alternatives)
                position = Position(np.where(here, end.resolve(), position.resolve()))
            else:
                position = self._place_one(node, position, here, path, alternatives)
        if counts is not None and not node.element_varies:
            # Elements of fixed size: the table ends `count` elements after it starts, per record.
            position = Position(start.resolve() + counts * node.element_size)
        return position

    def _place_one(
        self,
        node: _Node,
        position: Position,
        active: np.ndarray | None,
        path: str,
        alternatives: tuple[tuple[str, int], ...],
    ) -> Position:
        items = self.placement.items
        if not node.areas:
            placed = PlacedField(
                path, node.field, position, position + node.element_size, active, alternatives
            )
            items.append(placed)
            if node.field.name in self.counter_names and self.read_counter is not None:
                values, readable = self.read_counter(placed)
                self._remember_counter(node.field.name, values, readable, placed, active)
            return placed.end
        slot = len(items)
        items.append(PlacedField(path, node.field, position, position, active, alternatives))
        end = self.place_areas(node.areas, position, active, path + ".", alternatives)
        items[slot] = PlacedField(path, node.field, position, end, active, alternatives)
        return end

    def _remember_counter(
        self,
        name: str,
        values: np.ndarray,
        readable: np.ndarray,
        placed: PlacedField,
        active: np.ndarray | None,
    ) -> None:
        if active is not None and name in self.counters:
            old_values, old_readable, _ = self.counters[name]
            values = np.where(active, values, old_values)
            readable = np.where(active, readable, old_readable)
        self.counters[name] = (values, readable, placed)

    def _odo_counts(self, node: _Node, active: np.ndarray | None, prefix: str) -> np.ndarray:
        occurs = node.field.occurs
        assert occurs is not None and occurs.depending_on is not None
        values, readable, counter = self.counters[occurs.depending_on]
        counts = np.clip(values, occurs.min_count, occurs.max_count)
        counts[~readable] = occurs.min_count
        in_scope = np.ones(len(values), dtype=bool) if active is None else active
        bad = in_scope & (~readable | (values != counts))
        if bad.any():
            rows = np.flatnonzero(bad)
            self.placement.problems.append(
                OccursProblem(
                    counter, f"{prefix}{node.path_name}", occurs, rows, values[rows], readable[rows]
                )
            )
        return np.where(in_scope, counts, 0)


def _repeated_ancestors(copybook: Copybook) -> dict[CopybookField, frozenset[CopybookField]]:
    """For each item, the enclosing items that have an OCCURS clause (itself excluded)."""
    result: dict[CopybookField, frozenset[CopybookField]] = {}

    def visit(item: CopybookField, enclosing: frozenset[CopybookField]) -> None:
        result[item] = enclosing
        inner = enclosing | {item} if item.occurs else enclosing
        for child in item.children:
            visit(child, inner)

    for record in copybook.records:
        visit(record, frozenset())
    return result


def _group_areas(nodes: list[_Node], source: str) -> list[list[_Node]]:
    """Siblings → areas: an item and the items that REDEFINES it share one area (sized by the largest).

    Consecutive level-01 (or 77) records overlay each other too: they describe alternative record types.
    """
    areas: list[list[_Node]] = []
    for node in nodes:
        item = node.field
        if item.redefines is not None:
            if not areas or item.redefines not in {member.field.name for member in areas[-1]}:
                raise _error(
                    source, item, f"REDEFINES {item.redefines} does not name the item just before it"
                )
            areas[-1].append(node)
        elif item.level in _RECORD_LEVELS and areas and areas[-1][0].field.level in _RECORD_LEVELS:
            areas[-1].append(node)
        else:
            areas.append([node])
    return areas


def _furthest(ends: list[Position]) -> Position:
    if all(end.base is ends[0].base for end in ends):
        return Position(ends[0].base, max(end.delta for end in ends))
    return Position(functools.reduce(np.maximum, [end.resolve() for end in ends]))


def _for_record(value: Offset, record: int) -> int:
    return int(value[record]) if isinstance(value, np.ndarray) else int(value)


def _row(item: PlacedField, offset: int, length: int) -> LayoutRow:
    copy_field = item.field
    picture = copy_field.picture
    numeric = picture is not None and picture.is_numeric
    return LayoutRow(
        path=item.path,
        level=copy_field.level,
        picture=picture.text if picture else None,
        usage="GROUP" if copy_field.is_group else str(copy_field.usage),
        offset=offset,
        length=length,
        digits=picture.digits if numeric and picture else None,
        scale=picture.scale if numeric and picture else None,
        signed=bool(picture and picture.signed),
        occurs=copy_field.occurs.describe() if copy_field.occurs else None,
        redefines=copy_field.redefines,
    )


def _error(source: str, item: CopybookField, reason: str) -> LayoutError:
    return LayoutError(reason, source=source, line=item.line, text=item.source_text)
