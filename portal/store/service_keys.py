"""Key shapes of work orders, callbacks and owner profiles (their rows are in the
access-pattern table of :mod:`portal.store.keys`, which stays the one list of them all).

Kept apart only for length; they use the same separator, partitions and index helpers.
"""

from __future__ import annotations

from portal.store.keys import META, SEP, Key, estate_partition
from portal.store.tables import Index

# -- work orders ------------------------------------------------------------------------


def work_order(estate: str, number: str) -> Key:
    return {"pk": work_order_partition(estate, number), "sk": META}


def work_order_partition(estate: str, number: str) -> str:
    return f"WO{SEP}{estate}{SEP}{number}"


WORK_ORDER_EVENTS = f"EV{SEP}"


def work_order_event(estate: str, number: str, at: str, seq: int) -> Key:
    return {"pk": work_order_partition(estate, number),
            "sk": f"{WORK_ORDER_EVENTS}{at}{SEP}{seq:05d}"}  # fmt: skip


def work_orders_in_state(estate: str, state: str) -> str:
    """gsi1 partition: an estate's orders in one state."""
    return f"WOSTATE{SEP}{estate}{SEP}{state}"


def work_orders_of_unit(estate: str, building: str, room: str) -> str:
    """gsi2 partition: a unit's orders (a public area's: building ``public``, room ``-``)."""
    return f"WOUNIT{SEP}{estate}{SEP}{building}{SEP}{room or '-'}"


def work_order_ladder(estate: str) -> str:
    """gsi3 partition: an estate's unresolved orders by their next escalation time."""
    return f"WOLADDER{SEP}{estate}"


def work_order_index(partition: str, at: str, number: str, index: Index) -> dict[str, str]:
    """The two attributes that put an order in ``index`` under ``partition``."""
    assert index.range_key is not None
    return {index.hash_key: partition, index.range_key: f"{at}{SEP}{number}"}


OWNER_ORDERS_PREFIX = f"WO{SEP}"


def owner_work_order(owner_id: str, created_at: str, estate: str, number: str) -> Key:
    return {"pk": f"OWNER{SEP}{owner_id}",
            "sk": f"{OWNER_ORDERS_PREFIX}{created_at}{SEP}{estate}{SEP}{number}"}  # fmt: skip


def staff_queue(username: str) -> str:
    return f"STAFFQ{SEP}{username}"


def staff_queue_entry(username: str, estate: str, number: str) -> Key:
    return {"pk": staff_queue(username), "sk": f"{estate}{SEP}{number}"}


def escalation_queue(estate: str, rung: str, building: str = "") -> str:
    """Orders escalated to a rung of an estate (the butler's rung: per building)."""
    return f"ESCQ{SEP}{estate}{SEP}{rung}" + (f"{SEP}{building}" if building else "")


def escalation_entry(estate: str, rung: str, building: str, number: str) -> Key:
    return {"pk": escalation_queue(estate, rung, building), "sk": number}


def work_order_counter(estate: str, prefix: str, day: str) -> Key:
    return {"pk": f"WONUM{SEP}{estate}{SEP}{prefix}{SEP}{day}", "sk": "COUNTER"}


def submitted_request(actor: str, request_id: str) -> Key:
    """The record that a client's request (its own id) was done: a retry finds it."""
    return {"pk": f"REQ{SEP}{actor}{SEP}{request_id}", "sk": META}


# -- callbacks (回访) ---------------------------------------------------------------------


def callback(estate: str, callback_id: str) -> Key:
    return {"pk": f"CB{SEP}{estate}{SEP}{callback_id}", "sk": META}


def callbacks_due(estate: str) -> str:
    """gsi1 partition: an estate's callbacks still due, by due time (only while due)."""
    return f"CBDUE{SEP}{estate}"


def callbacks_of_unit(estate: str, building: str, room: str) -> str:
    """gsi2 partition: a unit's callbacks (a public area's: building ``public``, room ``-``)."""
    return f"CBUNIT{SEP}{estate}{SEP}{building}{SEP}{room or '-'}"


def callbacks_answered(estate: str, month: str) -> str:
    """gsi3 partition: an estate's callbacks answered in a UTC month (``2026-11``): the
    satisfaction KPI reads a month's answers from it."""
    return f"CBDONE{SEP}{estate}{SEP}{month}"


def callback_index(partition: str, at: str, callback_id: str, index: Index) -> dict[str, str]:
    """The two attributes that put a callback in ``index`` under ``partition``."""
    assert index.range_key is not None
    return {index.hash_key: partition, index.range_key: f"{at}{SEP}{callback_id}"}


# -- the owner profile of a unit (客户动态表) -----------------------------------------------

PROFILES_PREFIX = f"PROFILE{SEP}"


def unit_profile(estate: str, building: str, room: str) -> Key:
    return {"pk": estate_partition(estate), "sk": f"{PROFILES_PREFIX}{building}{SEP}{room}"}


def profile_log_partition(estate: str, building: str, room: str) -> str:
    return f"PROFILELOG{SEP}{estate}{SEP}{building}{SEP}{room}"


def profile_log(estate: str, building: str, room: str, at: str, version: int) -> Key:
    return {"pk": profile_log_partition(estate, building, room), "sk": f"{at}{SEP}{version:05d}"}
