"""Key shapes of bills, payments, refunds and receipts (the rows under "billing" in the
access-pattern table of :mod:`portal.store.keys`, which stays the one list of them all).

Kept apart only for length; they use the same separator, partitions and index helpers.
"""

from __future__ import annotations

from portal.store.keys import META, SEP, IndexKey, Key, _index
from portal.store.tables import GSI2, Index


def bill_partition(estate: str, building: str, room: str) -> str:
    return f"BILL{SEP}{estate}{SEP}{building}{SEP}{room}"


def bill(estate: str, building: str, room: str, bill_id: str) -> Key:
    return {"pk": bill_partition(estate, building, room), "sk": bill_id}


def unpaid_bills(estate: str) -> str:
    return f"UNPAID{SEP}{estate}"


def unpaid_bill_index(estate: str, period: str, building: str, room: str, bill: str) -> IndexKey:
    return _index(unpaid_bills(estate), f"{period}{SEP}{building}{SEP}{room}{SEP}{bill}")


def estate_bills(estate: str) -> str:
    return f"BILLS{SEP}{estate}"  # gsi2


def estate_bill_index(estate: str, period: str, building: str, room: str, bill: str) -> dict[str, str]:
    """Every bill of an estate on gsi2, by period then unit (the collection report reads a
    range of periods in one query instead of one query per unit)."""
    assert GSI2.range_key is not None
    return {GSI2.hash_key: estate_bills(estate),
            GSI2.range_key: f"{period}{SEP}{building}{SEP}{room}{SEP}{bill}"}  # fmt: skip


def estate_bill_range(first_period: str, last_period: str) -> tuple[str, str]:
    """The gsi2 sort keys of :func:`estate_bill_index` from ``first_period`` to ``last_period``
    (both included)."""
    return f"{first_period}{SEP}", f"{last_period}{SEP}\uffff"


def readings(estate: str, period: str) -> str:
    return f"READING{SEP}{estate}{SEP}{period}"


def reading(estate: str, period: str, building: str, room: str, item: str) -> Key:
    return {"pk": readings(estate, period), "sk": f"{building}{SEP}{room}{SEP}{item}"}


def standing_charges(estate: str) -> str:
    return f"STANDING{SEP}{estate}"


def standing_charge(estate: str, building: str, room: str, item: str) -> Key:
    return {"pk": standing_charges(estate), "sk": f"{building}{SEP}{room}{SEP}{item}"}


def unit_areas(estate: str) -> str:
    return f"AREA{SEP}{estate}"


def unit_area(estate: str, building: str, room: str) -> Key:
    """A unit's area as imported (房屋面积): the billing run takes it over the unit list's."""
    return {"pk": unit_areas(estate), "sk": f"{building}{SEP}{room}"}


def billing_run(estate: str, period: str) -> Key:
    return {"pk": f"BILLRUN{SEP}{estate}{SEP}{period}", "sk": META}


def payment_partition(payment_id: str) -> str:
    return f"PAY{SEP}{payment_id}"


def payment(payment_id: str) -> Key:
    return {"pk": payment_partition(payment_id), "sk": META}


REFUNDS_PREFIX = f"REFUND{SEP}"
PENDING_PAYMENTS = "PAYPENDING"
PENDING_REFUNDS = "REFUNDPENDING"


def refund(payment_id: str, seq: int) -> Key:
    return {"pk": payment_partition(payment_id), "sk": f"{REFUNDS_PREFIX}{seq:02d}"}


def unit_payments(estate: str, building: str, room: str) -> str:
    return f"PAYUNIT{SEP}{estate}{SEP}{building}{SEP}{room}"  # gsi2


def payments_in_review(estate: str) -> str:
    return f"PAYREVIEW{SEP}{estate}"


def payment_index(partition: str, at: str, payment_id: str, index: Index) -> dict[str, str]:
    assert index.range_key is not None
    return {index.hash_key: partition, index.range_key: f"{at}{SEP}{payment_id}"}


def provider_transaction(provider: str, transaction_id: str) -> Key:
    return {"pk": f"PAYTX{SEP}{provider}{SEP}{transaction_id}", "sk": META}


def provider_notification(provider: str, notification_id: str) -> Key:
    return {"pk": f"PAYNOTE{SEP}{provider}{SEP}{notification_id}", "sk": META}


def receipt_counter(estate: str, year: int) -> Key:
    return {"pk": f"RECEIPTNO{SEP}{estate}{SEP}{year}", "sk": "COUNTER"}


def receipt(estate: str, year: int, number: int) -> Key:
    return {"pk": f"RECEIPT{SEP}{estate}{SEP}{year}", "sk": f"{number:06d}"}
