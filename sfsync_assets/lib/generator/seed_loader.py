"""Load the generated org (`salesforce/*.jsonl`) into the emulator through its admin seeding API.

The admin API keeps the records' history (CreatedDate, SystemModstamp) and skips duplicate and
restricted-picklist rules, so the planted dirt gets in. Parents are seeded first; lookups are rewritten from
the generator's Ids to the Ids the org returns. When the org assigned different Ids (it was not empty), the
JSONL files and the `source_id` column of `truth/entities.csv` are rewritten so the output directory
describes the org as it is.
"""

from __future__ import annotations

import csv
import json
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from sfsync_assets.lib.emulator.admin_client import EmulatorAdmin, EmulatorAdminError
from sfsync_assets.lib.emulator.auth import OrgCredentials
from sfsync_assets.lib.emulator.schema import OrgSchema
from sfsync_assets.lib.emulator.server import ServerInfo

from .errors import SalesforceLoadError
from .salesforce_org import OBJECTS

SEED_BATCH = 10_000  # the admin API's limit per call
GENERATOR_ONLY_FIELDS = ("Id", "_source_key")


def admin_for(base_url: str | None, state_dir: Path) -> EmulatorAdmin:
    """An admin client for the emulator at `base_url` (default: the one serving `state_dir`)."""
    try:
        info = ServerInfo.load(state_dir)
        credentials = OrgCredentials.load(state_dir)
    except (FileNotFoundError, OSError) as error:
        raise SalesforceLoadError(f"cannot reach the emulator of {state_dir}: {error}") from error
    return EmulatorAdmin(base_url or info.base_url, credentials.admin_key, info.ca_file)


def _batches(path: Path, size: int) -> Iterator[list[dict[str, Any]]]:
    batch: list[dict[str, Any]] = []
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            batch.append(json.loads(line))
            if len(batch) == size:
                yield batch
                batch = []
    if batch:
        yield batch


def seed_org(
    out_dir: Path,
    admin: EmulatorAdmin,
    schema: OrgSchema,
    progress: Callable[[str], None] = lambda _line: None,
) -> dict[str, int]:
    """Seed every object in dependency order; returns records seeded per object."""
    id_map: dict[str, str] = {}
    seeded: dict[str, int] = {}
    changed = False
    directory = out_dir / "salesforce"
    with open(directory / "org_ids.csv", "w", encoding="utf-8", newline="") as mapping_file:
        mapping = csv.writer(mapping_file, lineterminator="\n")
        mapping.writerow(("object", "source_key", "generated_id", "org_id"))
        for object_name in OBJECTS:
            references = [f.name for f in schema.object(object_name).fields.values() if f.type == "reference"]
            seeded[object_name] = 0
            for batch in _batches(directory / f"{object_name}.jsonl", SEED_BATCH):
                payload = []
                for record in batch:
                    body = {k: v for k, v in record.items() if k not in GENERATOR_ONLY_FIELDS}
                    for field in references:
                        if field in body:
                            body[field] = id_map.get(body[field], body[field])
                    payload.append(body)
                try:
                    org_ids = admin.seed(object_name, payload)
                except EmulatorAdminError as error:
                    raise SalesforceLoadError(
                        f"seeding {object_name} failed after {seeded[object_name]:,} records: {error}"
                    ) from error
                for record, org_id in zip(batch, org_ids, strict=True):
                    id_map[record["Id"]] = org_id
                    changed = changed or org_id != record["Id"]
                    mapping.writerow((object_name, record["_source_key"], record["Id"], org_id))
                seeded[object_name] += len(batch)
            progress(f"seed: {object_name} {seeded[object_name]:,} records loaded into the emulator")
    if changed:
        _adopt_org_ids(out_dir, schema, id_map)
        progress(
            "seed: the org assigned other Ids; JSONL files and truth/entities.csv now carry the org's Ids"
        )
    return seeded


def _adopt_org_ids(out_dir: Path, schema: OrgSchema, id_map: dict[str, str]) -> None:
    for object_name in OBJECTS:
        references = [
            "Id",
            *(f.name for f in schema.object(object_name).fields.values() if f.type == "reference"),
        ]
        path = out_dir / "salesforce" / f"{object_name}.jsonl"
        rewritten = path.with_suffix(".jsonl.tmp")
        with (
            open(path, encoding="utf-8") as source,
            open(rewritten, "w", encoding="utf-8", newline="") as target,
        ):
            for line in source:
                record = json.loads(line)
                for field in references:
                    if field in record:
                        record[field] = id_map.get(record[field], record[field])
                target.write(json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n")
        os.replace(rewritten, path)
    entities = out_dir / "truth" / "entities.csv"
    rewritten = entities.with_suffix(".csv.tmp")
    with (
        open(entities, encoding="utf-8", newline="") as source,
        open(rewritten, "w", encoding="utf-8", newline="") as target,
    ):
        writer = csv.writer(target, lineterminator="\n")
        for row in csv.reader(source):
            if row[0] == "salesforce":
                row[3] = id_map.get(row[3], row[3])
            writer.writerow(row)
    os.replace(rewritten, entities)
