"""Golden records against the ERP's own rows, on the fields the ERP owns.

Both sides are in canonical spelling (the ERP's staged rows went through the same mapping the golden records were
built from), keyed by the ERP's id. A field the ERP leaves empty is not compared: survivorship rightly takes it
from another system.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from .checksums import WireValues
from .comparison import Comparison, compare


def compare_with_erp(
    golden: Mapping[str, WireValues], erp: Mapping[str, WireValues], fields: Sequence[str]
) -> Comparison:
    expected = {
        key: {
            field: values.get(field) if erp.get(key, {}).get(field) is not None else None for field in fields
        }
        for key, values in golden.items()
    }
    return compare(expected, erp, fields)
