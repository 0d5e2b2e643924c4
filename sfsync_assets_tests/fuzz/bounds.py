"""Running one hostile input in a child process under a time limit and an address-space cap, and reporting what
it cost: a bug that hangs or eats memory fails its test instead of the test run (or the machine).

Cost is CPU seconds of the child, not wall time: a busy machine (CI shares two cores) stretches the wall clock,
but the work a hostile input makes the parser do stays the same.

Peak memory is the growth of the child's resident set over what it shared with the parent at the fork: Python
objects, numpy and Arrow buffers alike (tracemalloc would miss Arrow and slow pure-Python parsers tenfold).
"""

from __future__ import annotations

import multiprocessing
import resource
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

ADDRESS_SPACE_HEADROOM = 2 * 1024**3
_PAGE = resource.getpagesize()


@dataclass(frozen=True)
class Outcome:
    status: str  # "returned", "raised", "timed out" or "crashed"
    error: str = ""  # exception class, e.g. "CopybookSyntaxError"
    error_classes: tuple[str, ...] = ()  # it and its base classes
    message: str = ""
    peak_mb: float = 0.0
    cpu_seconds: float = 0.0

    def raised(self, *types: type[BaseException]) -> bool:
        return self.status == "raised" and bool({kind.__name__ for kind in types} & set(self.error_classes))


def _statm(field: int) -> int:
    with open("/proc/self/statm") as handle:
        return int(handle.read().split()[field]) * _PAGE


def _child(target: Callable[[], Any], pipe) -> None:
    resource.setrlimit(resource.RLIMIT_AS, (_statm(0) + ADDRESS_SPACE_HEADROOM, resource.RLIM_INFINITY))
    resident = _statm(1)
    started = time.process_time()
    try:
        target()
        status, classes, message = "returned", (), ""
    except BaseException as exc:  # the child reports every outcome; the test decides what is acceptable
        status, classes, message = (
            "raised",
            tuple(kind.__name__ for kind in type(exc).__mro__),
            str(exc)[:2000],
        )
    elapsed = time.process_time() - started
    grown = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 - resident
    error = classes[0] if classes else ""
    pipe.send(Outcome(status, error, classes, message, max(grown, 0) / 1e6, elapsed))


def run_bounded(target: Callable[[], Any], seconds: float) -> Outcome:
    """Run `target` in a forked child; kill it after `seconds` of wall time (a hang, not a measure of cost)."""
    context = multiprocessing.get_context("fork")
    receiving, sending = context.Pipe(duplex=False)
    child = context.Process(target=_child, args=(target, sending))
    child.start()
    if receiving.poll(seconds):
        try:
            outcome = receiving.recv()
        except EOFError:  # the child died without reporting (a crash in native code)
            outcome = Outcome("crashed")
        child.join()
        return outcome
    child.kill()
    child.join()
    return Outcome("timed out")
