"""The task item and its lifecycle.

=========  ==========================================================  ==================
state      meaning                                                     next
=========  ==========================================================  ==================
pending    written with the request's own changes; due at ``due_at``   running
running    claimed by one runner until ``lease_until``                  done (deleted),
                                                                       pending (retry),
                                                                       dead
dead       gave up (too many attempts, or too late to be of use);      (expires)
           kept for a week for whoever looks into it
=========  ==========================================================  ==================

A claim is one conditional update (:func:`claimable`), so two runners (the
dispatch and the sweep, or two sweeps) never run a task at the same time; a
runner that dies mid-task leaves a lease that expires, and the task is run again.
Handlers must therefore tolerate a second run (at least once, never lost).

Key shape: :func:`portal.store.keys.task` (one partition of in-flight tasks; a
finished task is deleted, so the partition holds only what is still to do).
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal, Protocol

from portal.clock import Clock, iso
from portal.store import keys
from portal.store.conditions import Condition, condition
from portal.store.items import Item, text, whole
from portal.store.table import Put
from portal.store.tables import TTL_ATTRIBUTE

State = Literal["pending", "running", "dead"]
KEEP_DEAD_FOR = timedelta(days=7)
LEASE = timedelta(seconds=60)
"""How long a claim holds: longer than any handler runs (an SMS hand-over takes seconds)."""


class Dispatcher(Protocol):
    def notify(self, task_id: str) -> None:
        """Ask for ``task_id`` to be run soon. Never raises: the sweep is the safety net."""


@dataclass(frozen=True)
class NewTask:
    """A task about to be written: put :attr:`put` in the caller's transaction, then dispatch."""

    task_id: str
    put: Put


@dataclass(frozen=True)
class Task:
    task_id: str
    kind: str
    payload: Mapping[str, Any]
    attempts: int
    give_up_at: str
    lease: str


def claimable(now: datetime) -> Condition:
    """Pending and due, or running under a lease that has run out."""
    return condition(
        "task_is_claimable",
        "(#state = :pending AND due_at <= :now) OR (#state = :running AND lease_until <= :now)",
        names={"#state": "state"},
        pending="pending",
        running="running",
        now=iso(now),
    )


def still_leased_by(lease: str) -> Condition:
    """The claim this runner holds has not been taken over by another."""
    return condition("task_still_leased", "lease = :lease", lease=lease)


def new_task_id(now: datetime) -> str:
    """Time-ordered, so the sweep sees the oldest first."""
    return f"{iso(now)}{keys.SEP}{uuid.uuid4().hex}"


class TaskQueue:
    """Writes tasks and hands them to the dispatcher."""

    def __init__(self, dispatcher: Dispatcher, clock: Clock) -> None:
        self.dispatcher, self.clock = dispatcher, clock

    def new(self, kind: str, payload: Mapping[str, Any], *, give_up_after: timedelta,
            due_at: datetime | None = None) -> NewTask:  # fmt: skip
        """A task of ``kind``, due now (or at ``due_at``), abandoned if not done within
        ``give_up_after`` of being due."""
        now = self.clock()
        due = max(due_at or now, now)
        task_id = new_task_id(now)
        give_up_at = due + give_up_after
        item = {
            **keys.task(task_id),
            "kind": kind,
            "payload": dict(payload),
            "state": "pending",
            "due_at": iso(due),
            "attempts": 0,
            "created_at": iso(now),
            "give_up_at": iso(give_up_at),
            TTL_ATTRIBUTE: int((give_up_at + KEEP_DEAD_FOR).timestamp()),
        }
        return NewTask(task_id, Put(item))

    def dispatch(self, task: NewTask) -> None:
        """After the transaction that wrote ``task`` committed."""
        self.dispatcher.notify(task.task_id)


def task_of(item: Item) -> Task:
    payload = item.get("payload")
    return Task(
        task_id=text(item, "sk"),
        kind=text(item, "kind"),
        payload=payload if isinstance(payload, dict) else {},
        attempts=whole(item, "attempts"),
        give_up_at=text(item, "give_up_at"),
        lease=text(item, "lease"),
    )


def state_of(item: Item) -> str:
    return text(item, "state")
