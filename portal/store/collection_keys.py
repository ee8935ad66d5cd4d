"""Key shapes of offline payments, handover batches, direct debits and arrears reminders (the
rows under "collection" in the access-pattern table of :mod:`portal.store.keys`, which stays
the one list of every key shape).

Kept apart only for length; they use the same separator and partitions.
"""

from __future__ import annotations

from portal.store.keys import META, SEP, Key


def offline_request(estate: str, request_id: str) -> Key:
    """A front-desk request id, seen once (a double-click or a retry finds the first)."""
    return {"pk": f"OFFREQ{SEP}{estate}{SEP}{request_id}", "sk": META}


def offline_payments(estate: str, day: str) -> str:
    return f"OFFPAY{SEP}{estate}{SEP}{day}"


def offline_payment_entry(estate: str, day: str, at: str, payment_id: str) -> Key:
    """An estate's offline payments of a local day (the desk's list and the day's total)."""
    return {"pk": offline_payments(estate, day), "sk": f"{at}{SEP}{payment_id}"}


def handovers(estate: str) -> str:
    return f"HANDOVER{SEP}{estate}"


def handover(estate: str, day: str, collector: str) -> Key:
    """A guard's cash of one local day, handed over to the foreman the next day."""
    return {"pk": handovers(estate), "sk": f"{day}{SEP}{collector}"}


def debit_file(estate: str, digest: str) -> Key:
    """A bank's direct-debit result file, imported once (by its SHA-256)."""
    return {"pk": f"DEBITFILE{SEP}{estate}{SEP}{digest}", "sk": META}


def debit_notices(estate: str) -> str:
    return f"DEBITNOTE{SEP}{estate}"


def debit_notice(estate: str, payment_id: str) -> Key:
    """The message owed to a debited owner (sent within 3 days)."""
    return {"pk": debit_notices(estate), "sk": payment_id}


def reminder_last(owner_id: str) -> Key:
    """When an owner was last reminded of arrears (at most one reminder per N days)."""
    return {"pk": f"DUNLAST{SEP}{owner_id}", "sk": META}


def reminders(estate: str) -> str:
    return f"DUNLOG{SEP}{estate}"


def reminder(estate: str, at: str, owner_id: str) -> Key:
    """One arrears reminder (催缴) sent or due: the estate's history, newest last."""
    return {"pk": reminders(estate), "sk": f"{at}{SEP}{owner_id}"}
