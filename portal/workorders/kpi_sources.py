"""The KPIs' inputs from the callbacks and the owner profiles (adapters to the Protocols of
:mod:`portal.workorders.kpi`).

- An order's callback for the KPIs is its first answered one (the round of each resolution:
  0, then one per reopen; rounds up to :data:`ROUNDS` are read); it is *satisfied* unless
  its result reopens the order (``result`` or ``overall`` 不满意, the rule
  of :mod:`portal.workorders.callback_model`).
- Each answered dimension of each callback is one answer of the satisfaction rate: 满意 is
  satisfied; 一般 and 不满意 are not.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence

from portal.profiles.service import ProfileService
from portal.workorders.callback_model import Callback, order_callback_id
from portal.workorders.callback_repository import CallbackRepository
from portal.workorders.kpi import Answer, CallbackOutcome

ROUNDS = 4
"""Callback rounds read per order (an order reopened more often than this is rare; its later
callbacks are then not seen by the KPIs)."""


class CallbackKpis:
    def __init__(self, repo: CallbackRepository) -> None:
        self.repo = repo

    def of_orders(self, estate: str, numbers: Collection[str]) -> Mapping[str, CallbackOutcome]:
        ids = {order_callback_id(n, r): (n, r) for n in numbers for r in range(ROUNDS)}
        found = self.repo.many(estate, sorted(ids))
        first: dict[str, tuple[int, CallbackOutcome]] = {}
        for callback_id, callback in found.items():
            if callback.result is None:
                continue
            number, round_ = ids[callback_id]
            if number not in first or round_ < first[number][0]:
                first[number] = (round_, CallbackOutcome(number, callback.result.at,
                                                         not callback.result.unsatisfied))  # fmt: skip
        return {number: outcome for number, (_, outcome) in first.items()}

    def answers(self, estate: str, start: str, end: str) -> Sequence[Answer]:
        return [a for c in self.repo.answered_between(estate, start, end) for a in _answers(c)]


def _answers(callback: Callback) -> list[Answer]:
    if callback.result is None:
        return []
    ref = callback.order_number or callback.unit_id
    return [Answer(ref, dimension, rating == "satisfied")
            for dimension, rating in sorted(callback.result.ratings.items())]  # fmt: skip


class ProfileKpis:
    def __init__(self, profiles: ProfileService) -> None:
        self.profiles = profiles

    def complete_profiles(self, estate: str) -> Collection[str]:
        return self.profiles.complete_profiles(estate).complete_ids
