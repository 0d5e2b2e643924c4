"""Batches that keep all children of one parent together, because spreading them causes lock contention.

Salesforce locks the parent row while it saves a child. Children of one Account written by two batches running
in parallel wait on each other and fail with `UNABLE_TO_LOCK_ROW`. So records are grouped by parent and groups are
packed whole into batches (first-fit by size, largest first), which fills batches exactly whenever small groups
remain. Only a group larger than a batch is split.

A Bulk 2.0 job is cut by Salesforce into internal batches of 10,000 rows in upload order, so jobs are made of
batches packed with that size. When a batch cannot be filled exactly (every child of 3,333 parents with three
children each fills 9,999 rows), the next one starts a row early and one group straddles that boundary: one parent
per 10,000 rows, which costs far less than ending the job there (a job is five calls or more, and jobs queue).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from .outcomes import Write


def _groups(writes: Sequence[Write], capacity: int) -> list[list[Write]]:
    by_parent: dict[str, list[Write]] = defaultdict(list)
    for write in writes:
        by_parent[write.parent_golden_id or f"\0{write.golden_id}"].append(write)
    groups = []
    for group in by_parent.values():
        groups += [group[start : start + capacity] for start in range(0, len(group), capacity)]
    return groups


def pack_by_parent(writes: Sequence[Write], capacity: int) -> list[list[Write]]:
    """Batches of at most `capacity` writes; children of one parent share a batch unless they outnumber it."""
    by_size: dict[int, list[list[Write]]] = defaultdict(list)
    for group in _groups(writes, capacity):
        by_size[len(group)].append(group)
    sizes = sorted(by_size, reverse=True)
    batches: list[list[Write]] = []
    while any(by_size[size] for size in sizes):
        batch: list[Write] = []
        for size in sizes:
            while by_size[size] and len(batch) + size <= capacity:
                batch += by_size[size].pop()
        batches.append(batch)
    return batches


def bulk_jobs(writes: Sequence[Write], internal_batch_rows: int, max_rows_per_job: int) -> list[list[Write]]:
    """Job contents: parent-packed internal batches, jobs cut between batches."""
    jobs: list[list[Write]] = []
    current: list[Write] = []
    for batch in pack_by_parent(writes, internal_batch_rows):
        if current and len(current) + len(batch) > max_rows_per_job:
            jobs.append(current)
            current = []
        current += batch
    if current:
        jobs.append(current)
    return jobs
