"""Key shapes of reconciliation (the rows under "reconciliation" in the access-pattern table
of :mod:`portal.store.keys`, which stays the one list of them all).

Kept apart only for length; they use the same separator and index helpers.
"""

from __future__ import annotations

from portal.store.keys import META, SEP, IndexKey, Key, _index
from portal.store.tables import GSI3


def statement_file(estate: str, digest: str) -> Key:
    return {"pk": f"RCFILE{SEP}{estate}{SEP}{digest}", "sk": META}


def statement_lines(estate: str, day: str) -> str:
    return f"RCLINE{SEP}{estate}{SEP}{day}"


def statement_line(estate: str, day: str, identity: str) -> Key:
    return {"pk": statement_lines(estate, day), "sk": identity}


def reconcile_day_partition(estate: str, day: str) -> str:
    return f"RCDAY{SEP}{estate}{SEP}{day}"


def reconcile_day(estate: str, day: str) -> Key:
    return {"pk": reconcile_day_partition(estate, day), "sk": META}


DISCREPANCIES_PREFIX = f"D{SEP}"


def discrepancy(estate: str, day: str, discrepancy_id: str) -> Key:
    return {"pk": reconcile_day_partition(estate, day), "sk": f"{DISCREPANCIES_PREFIX}{discrepancy_id}"}


def open_discrepancies(estate: str) -> str:
    return f"RCOPEN{SEP}{estate}"


def open_discrepancy_index(estate: str, day: str, discrepancy_id: str) -> IndexKey:
    return _index(open_discrepancies(estate), f"{day}{SEP}{discrepancy_id}")


def bank_mappings(estate: str) -> str:
    return f"RCBANK{SEP}{estate}"


def bank_mapping(estate: str, bank: str) -> Key:
    return {"pk": bank_mappings(estate), "sk": bank}


def paid_on_day(estate: str, day: str) -> str:
    """gsi3 partition: an estate's payments paid (or captured for review) on a local day."""
    return f"PAYDAY{SEP}{estate}{SEP}{day}"


def refunded_on_day(estate: str, day: str) -> str:
    """gsi3 partition: an estate's refunds that succeeded on a local day."""
    return f"REFUNDDAY{SEP}{estate}{SEP}{day}"


def day_index(partition: str, at: str, ref: str) -> dict[str, str]:
    assert GSI3.range_key is not None
    return {GSI3.hash_key: partition, GSI3.range_key: f"{at}{SEP}{ref}"}
