"""Children of one parent share a batch, and Bulk jobs never spread a parent over two internal batches."""

from __future__ import annotations

from collections import defaultdict

from sfsync_assets.lib.outbound.batching import bulk_jobs, pack_by_parent
from sfsync_assets.lib.outbound.outcomes import Write


def _children(sizes: list[int]) -> list[Write]:
    """Writes whose parent p<i> has sizes[i] children, interleaved the way a golden table returns them."""
    writes = [Write(f"c{p}-{n}", {}, f"p{p}") for p, size in enumerate(sizes) for n in range(size)]
    return sorted(writes, key=lambda write: write.golden_id.split("-")[1])


def _batches_of_parent(batches: list[list[Write]]) -> dict[str, set[int]]:
    where = defaultdict(set)
    for number, batch in enumerate(batches):
        for write in batch:
            where[write.parent_golden_id].add(number)
    return where


def test_parents_keep_their_children_in_one_full_batch() -> None:
    writes = _children([7, 5, 4, 3, 3, 2, 1, 1, 1, 1, 1, 1])

    batches = pack_by_parent(writes, capacity=10)

    assert sorted(w.golden_id for batch in batches for w in batch) == sorted(w.golden_id for w in writes)
    assert all(len(batches_) == 1 for batches_ in _batches_of_parent(batches).values())
    assert [len(batch) for batch in batches] == [10, 10, 10]


def test_a_parent_with_more_children_than_a_batch_is_the_only_one_split() -> None:
    writes = _children([25, 3, 2])

    batches = pack_by_parent(writes, capacity=10)

    spread = {parent: len(numbers) for parent, numbers in _batches_of_parent(batches).items()}
    assert spread == {"p0": 3, "p1": 1, "p2": 1}
    assert all(len(batch) <= 10 for batch in batches)


def test_records_without_parent_fill_batches_alone() -> None:
    writes = [Write(f"a{n}", {}) for n in range(450)]

    assert [len(batch) for batch in pack_by_parent(writes, capacity=200)] == [200, 200, 50]


def _straddling(job: list[Write], internal_batch_rows: int) -> int:
    """Parents whose children Salesforce's internal batches of the job would spread over two batches."""
    internal = [job[start : start + internal_batch_rows] for start in range(0, len(job), internal_batch_rows)]
    return sum(len(numbers) > 1 for numbers in _batches_of_parent(internal).values())


def test_bulk_jobs_keep_parents_inside_internal_batches_when_they_can_be_filled_exactly() -> None:
    writes = _children([6, 6, 6, 4, 3, 1, 1, 1, 1, 1])

    [job] = bulk_jobs(writes, internal_batch_rows=10, max_rows_per_job=100)

    assert len(job) == 30 and _straddling(job, 10) == 0


def test_bulk_jobs_let_one_parent_straddle_a_boundary_rather_than_start_a_job() -> None:
    writes = _children([3] * 20)  # 60 rows, batches of 10 cannot be filled exactly

    jobs = bulk_jobs(writes, internal_batch_rows=10, max_rows_per_job=45)

    assert [len(job) for job in jobs] == [45, 15]
    assert all(_straddling(job, 10) <= len(job) // 10 for job in jobs)
