"""JSON records masked field by field: a key names the kind of its value, nested objects and lists included,
and text that is itself a JSON document (payload and audit columns) is masked as one."""

from __future__ import annotations

import json
from typing import Any

from .columns import column_kind
from .values import Masker


def mask_record(masker: Masker, record: Any) -> Any:
    if isinstance(record, dict):
        return {key: _masked_field(masker, key, value) for key, value in record.items()}
    if isinstance(record, list):
        return [mask_record(masker, item) for item in record]
    return record


def _masked_field(masker: Masker, key: str, value: Any) -> Any:
    if isinstance(value, dict | list):
        return mask_record(masker, value)
    kind = column_kind(key)
    return value if kind is None else masker.mask(kind, value)


def mask_json_text(masker: Masker, text: str) -> str:
    """A JSON object or array held as text, masked; other text is returned as it is."""
    if not text.lstrip().startswith(("{", "[")):
        return text
    try:
        document = json.loads(text)
    except json.JSONDecodeError:
        return text
    return json.dumps(mask_record(masker, document), ensure_ascii=False, separators=(",", ":"))
