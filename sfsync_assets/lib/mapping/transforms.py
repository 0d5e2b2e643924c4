"""The transforms a mapping YAML chains by name: `trim`, `{map: payment_terms}`, `{phone_e164: {...}}`.

A step receives a non-null value and the record's context. It returns the new value (null ends the chain),
raises `Rejected` when the value cannot be used, or notes a repair on the context and returns the fixed value.
Steps are compiled once per mapping file, so a bad argument is a configuration error at load, not a failed run.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from . import text
from .context import FieldContext
from .countries import to_iso2
from .findings import Rejected, Rule
from .phones import parse_integer_phone, parse_phone
from .picklists import UnknownPicklist, ValueMap, check_picklist, picklist_values

CompiledStep = Callable[[Any, FieldContext], Any]


class TransformArgumentError(ValueError):
    """A step whose name or argument cannot be used; the message says what the step expects."""


@dataclass(frozen=True)
class Step:
    """One entry of a `transforms:` list: a name, with an argument when the transform takes one."""

    name: str
    argument: Any = None

    @classmethod
    def parse(cls, entry: Any) -> Step:
        if isinstance(entry, str):
            step = cls(entry)
        elif isinstance(entry, dict) and len(entry) == 1:
            ((name, argument),) = entry.items()
            step = cls(str(name), argument)
        else:
            raise TransformArgumentError(
                f"expected a transform name or a one-key mapping such as {{map: payment_terms}}, got {entry!r}"
            )
        if step.name not in BUILDERS:
            raise TransformArgumentError(
                f"unknown transform {step.name!r}; expected one of {sorted(BUILDERS)}"
            )
        return step

    def compile(self, value_maps: Mapping[str, ValueMap]) -> CompiledStep:
        return BUILDERS[self.name](self.argument, value_maps)


def _without_argument(name: str, function: Callable[[str], Any]) -> Callable[..., CompiledStep]:
    def build(argument: Any, _maps: Mapping[str, ValueMap]) -> CompiledStep:
        if argument is not None:
            raise TransformArgumentError(f"transform {name!r} takes no argument, got {argument!r}")
        return lambda value, _context: function(str(value))

    return build


def _repair_mojibake(argument: Any, _maps: Mapping[str, ValueMap]) -> CompiledStep:
    if argument is not None:
        raise TransformArgumentError(f"transform 'repair_mojibake' takes no argument, got {argument!r}")

    def step(value: Any, context: FieldContext) -> str:
        repaired, changed = text.repair_mojibake(str(value))
        if changed:
            context.repaired(
                Rule.MOJIBAKE, f"{value!r} is UTF-8 text read as cp1252; repaired to {repaired!r}"
            )
        return repaired

    return step


def _phone_e164(argument: Any, _maps: Mapping[str, ValueMap]) -> CompiledStep:
    options = _options("phone_e164", argument, required=(), optional=("integer_storage",))
    integer_storage = bool(options.get("integer_storage", False))

    def step(value: Any, context: FieldContext) -> str:
        if not integer_storage:
            return parse_phone(str(value), context.region).e164
        parsed = parse_integer_phone(str(value), context.region)
        if parsed.trunk_zero_restored:
            context.repaired(
                Rule.PHONE_LEADING_ZERO_LOST,
                f"{value} was stored as an integer and lost its trunk zero; restored as {parsed.e164}",
            )
        return parsed.e164

    return step


def _map(argument: Any, value_maps: Mapping[str, ValueMap]) -> CompiledStep:
    if not isinstance(argument, str) or argument not in value_maps:
        raise TransformArgumentError(
            f"transform 'map' expects the name of a value map of this file ({sorted(value_maps)}), got {argument!r}"
        )
    value_map = value_maps[argument]
    return lambda value, _context: value_map.apply(str(value))


def _picklist(argument: Any, _maps: Mapping[str, ValueMap]) -> CompiledStep:
    if not isinstance(argument, str):
        raise TransformArgumentError(f"transform 'picklist' expects Object.Field, got {argument!r}")
    try:
        picklist_values(argument)
    except UnknownPicklist as error:
        raise TransformArgumentError(f"transform 'picklist': {error}") from error
    return lambda value, _context: check_picklist(str(value), argument)


def _template(argument: Any, _maps: Mapping[str, ValueMap]) -> CompiledStep:
    if not isinstance(argument, str) or argument.count("{}") != 1:
        raise TransformArgumentError(
            f"transform 'template' expects a text with one {{}} placeholder, got {argument!r}"
        )
    return lambda value, _context: argument.format(value)


def _to_usd(argument: Any, _maps: Mapping[str, ValueMap]) -> CompiledStep:
    options = _options(
        "to_usd", argument, required=("currency_from", "date_from"), optional=("rate_date_to",)
    )

    def step(value: Any, context: FieldContext) -> float:
        if context.rates is None:
            raise Rejected(Rule.NO_EXCHANGE_RATE, "no currency rate table was loaded for this mapping")
        currency, on = context.record.get(options["currency_from"]), context.record.get(options["date_from"])
        if not currency or not isinstance(on, date):
            raise Rejected(
                Rule.NO_EXCHANGE_RATE,
                f"cannot convert {value}: currency {currency!r} or date {on!r} of the record is missing",
            )
        conversion = context.rates.convert(
            float(value), str(currency), on.date() if isinstance(on, datetime) else on
        )
        if "rate_date_to" in options:
            context.extras[options["rate_date_to"]] = conversion.rate_date
        return conversion.amount_usd

    return step


def _options(
    name: str, argument: Any, required: tuple[str, ...], optional: tuple[str, ...]
) -> dict[str, Any]:
    options = {} if argument is None else argument
    if not isinstance(options, dict):
        raise TransformArgumentError(f"transform {name!r} expects options {list(required + optional)}")
    missing = [key for key in required if key not in options]
    unknown = sorted(set(options) - set(required) - set(optional))
    if missing or unknown:
        raise TransformArgumentError(
            f"transform {name!r} expects options {list(required)} (required) and {list(optional)} (optional); "
            f"missing {missing}, unknown {unknown}"
        )
    return options


BUILDERS: dict[str, Callable[[Any, Mapping[str, ValueMap]], CompiledStep]] = {
    "trim": _without_argument("trim", text.trim),
    "collapse_whitespace": _without_argument("collapse_whitespace", text.collapse_whitespace),
    "lower": _without_argument("lower", str.lower),
    "upper": _without_argument("upper", str.upper),
    "email": _without_argument("email", text.normalize_email),
    "website_host": _without_argument("website_host", text.website_host),
    "company_name_key": _without_argument("company_name_key", text.company_name_key),
    "country_iso2": _without_argument("country_iso2", to_iso2),
    "repair_mojibake": _repair_mojibake,
    "phone_e164": _phone_e164,
    "map": _map,
    "picklist": _picklist,
    "template": _template,
    "to_usd": _to_usd,
}
