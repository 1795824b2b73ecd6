"""Who watches a long solve: events as the search goes, and a request to stop that is honoured
like a time limit.

A front end creates a :class:`Watch` and solves inside ``watching(watch)`` (``solve(...,
watch=...)`` does this).  The stages announce each stage and its claim, the solver reports
better plans and bounds as it finds them, and the price searches report each evaluation:
all as :class:`Event` objects handed to the watch's listener (a live display, say).
:meth:`Watch.stop` (the CLI calls it on Ctrl-C) makes every search end at its next check:
HiGHS at its next callback, the price searches before their next evaluation, and every
later solver run returns at once.  What was found so far is then verified and reported
like a plan stopped by its time limit.  Without a watch nothing is reported and nothing
can stop the search but its limits.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass


@dataclass(frozen=True)
class Event:
    """Something a watcher may want to show.

    kind: ``stage`` (a stage begins; ``text`` names it), ``plan`` (a better plan: ``value``),
    ``bound`` (a tighter bound: ``bound``), ``claim`` (a stage's verified value, bound and
    status in ``text``), ``note`` (free ``text``, e.g. which counterfactual is being solved).
    Values during a search are the solver's own (its objective, before recomputation).
    """

    kind: str
    stage: int = 0
    value: float | None = None
    bound: float | None = None
    text: str = ""
    elapsed: float = 0.0


class Watch:
    """Events go to ``listener`` (may be None); :meth:`stop` asks every search to end."""

    def __init__(self, listener: Callable[[Event], None] | None = None):
        self.listener = listener
        self.started = time.perf_counter()
        self.stage = 0
        self._stop = threading.Event()

    def stop(self) -> None:
        self._stop.set()

    @property
    def stopped(self) -> bool:
        return self._stop.is_set()

    def emit(self, kind: str, **fields) -> None:
        if self.listener is not None:
            fields.setdefault("stage", self.stage)
            self.listener(Event(kind, elapsed=time.perf_counter() - self.started, **fields))


_current: ContextVar[Watch | None] = ContextVar("allocator_watch", default=None)


@contextmanager
def watching(watch: Watch | None) -> Iterator[Watch | None]:
    """Make ``watch`` the one the searches inside this block report to and listen to."""
    token = _current.set(watch)
    try:
        yield watch
    finally:
        _current.reset(token)


def current() -> Watch | None:
    return _current.get()


def stopping() -> bool:
    """Whether the watching front end asked the search to stop (Ctrl-C)."""
    watch = _current.get()
    return watch is not None and watch.stopped


def emit(kind: str, **fields) -> None:
    """Report an event to the current watch, if any."""
    watch = _current.get()
    if watch is not None:
        watch.emit(kind, **fields)
