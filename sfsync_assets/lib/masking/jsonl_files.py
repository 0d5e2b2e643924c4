"""`salesforce/<Object>.jsonl`: one record per line, masked field by field, written in the same compact form."""

from __future__ import annotations

import json
from pathlib import Path

from .errors import MaskingError
from .records import mask_record
from .values import Masker


def mask_jsonl(masker: Masker, source: Path, target: Path) -> int:
    """Mask every line of `source` into `target`; returns the number of records."""
    count = 0
    with source.open(encoding="utf-8") as lines, target.open("w", encoding="utf-8") as out:
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                out.write(line)
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as error:
                raise MaskingError(f"{source}, line {number}: not a JSON record ({error.msg})") from None
            out.write(
                json.dumps(mask_record(masker, record), ensure_ascii=False, separators=(",", ":")) + "\n"
            )
            count += 1
    return count
