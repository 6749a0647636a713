"""The clock engine: one agency's response and resolution clocks, replayed from the incident's
events (ADR 0804). A pure function — events + calendar + targets + now in, measures out — so
a changed priority or agreement recomputes every clock from the start, pauses included (the
GLPI bug class #15605/#6902 cannot happen: nothing is accumulated outside the replay).

Rules, per agency:
* the clocks start when the agency is affected (its `affected` event, else the opening);
* the response clock stops at the first `responded` event; the resolution clock runs while the
  incident is open (not resolved or closed) — a reopening runs it again;
* both stop counting while the provider waits for *that* agency (`waiting` … `resumed` with its
  id), and outside its agreed hours (the calendar);
* the target is the one of the incident's *latest* priority (retroactive).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from .calendars import Calendar
from .choices import BREACH_AT, WARNING_AT, ClockStatus, EventKind, IncidentState


@dataclass(frozen=True)
class ClockEvent:
    at: dt.datetime
    kind: str
    organisation_id: int | None = None
    priority: int | None = None
    state: str = ""
    seq: int = 0  # the order of events recorded at the same moment


@dataclass(frozen=True)
class Measure:
    elapsed: int  # business seconds counted
    target: int  # business seconds agreed
    status: str  # ClockStatus
    due_at: dt.datetime | None  # when a running clock reaches its target

    @property
    def used(self) -> float:
        return self.elapsed / self.target if self.target else 1.0


@dataclass(frozen=True)
class Clocks:
    organisation_id: int
    priority: int
    started_at: dt.datetime
    response: Measure
    resolution: Measure


def _status(elapsed: int, target: int, *, stopped: bool, paused: bool) -> str:
    if stopped:
        return ClockStatus.MET if elapsed <= target else ClockStatus.MISSED
    if elapsed >= target * BREACH_AT:
        return ClockStatus.BREACHED
    if paused:
        return ClockStatus.PAUSED
    if elapsed >= target * WARNING_AT:
        return ClockStatus.WARNING
    return ClockStatus.RUNNING


def _measure(
    elapsed: int, target: int, *, stopped: bool, paused: bool, calendar: Calendar, now: dt.datetime
) -> Measure:
    status = _status(elapsed, target, stopped=stopped, paused=paused)
    due = None
    if status in (ClockStatus.RUNNING, ClockStatus.WARNING):
        due = calendar.add_business_seconds(now, target - elapsed)
    return Measure(elapsed=elapsed, target=target, status=status, due_at=due)


def replay(
    events: Iterable[ClockEvent],
    *,
    organisation_id: int,
    calendar: Calendar,
    targets: Mapping[int, tuple[int, int]],
    now: dt.datetime,
) -> Clocks | None:
    """The agency's two clocks at `now`, or None when the events never affected it."""
    ordered = sorted(events, key=lambda e: (e.at, e.seq))
    start = next(
        (
            e.at
            for e in ordered
            if e.kind == EventKind.AFFECTED and e.organisation_id == organisation_id
        ),
        None,
    )
    if start is None or not ordered:
        return None
    priority = next((e.priority for e in reversed(ordered) if e.priority is not None), 5) or 5
    response_target, resolution_target = targets[priority]

    is_open = responded = False
    # Pauses for this agency as a depth, not a flag: a `waiting` adds one and a `resumed` takes
    # one away, so adding a waiting…resumed pair anywhere can only pause more, never less. The
    # services keep them alternating (depth 0 or 1).
    depth = 0
    response = resolution = 0
    cursor = ordered[0].at

    def count(until: dt.datetime) -> None:
        nonlocal response, resolution
        lo, hi = max(cursor, start), min(until, now)
        if hi <= lo or not is_open or depth > 0:
            return
        seconds = calendar.business_seconds(lo, hi)
        resolution += seconds
        if not responded:
            response += seconds

    for event in ordered:
        if event.at > now:
            break
        count(event.at)
        cursor = max(cursor, event.at)
        if event.kind == EventKind.OPENED:
            is_open = True
        elif event.kind == EventKind.RESPONDED:
            responded = True
        elif event.kind == EventKind.STATE:
            is_open = event.state in (IncidentState.NEW, IncidentState.IN_PROGRESS)
            if event.state == IncidentState.IN_PROGRESS:
                responded = True  # taking an incident on is answering it
        elif event.kind == EventKind.WAITING and event.organisation_id == organisation_id:
            depth += 1
        elif event.kind == EventKind.RESUMED and event.organisation_id == organisation_id:
            depth -= 1
    waiting = depth > 0
    count(now)

    return Clocks(
        organisation_id=organisation_id,
        priority=priority,
        started_at=start,
        response=_measure(
            response,
            response_target,
            stopped=responded or not is_open,
            paused=waiting,
            calendar=calendar,
            now=now,
        ),
        resolution=_measure(
            resolution,
            resolution_target,
            stopped=not is_open,
            paused=waiting,
            calendar=calendar,
            now=now,
        ),
    )
